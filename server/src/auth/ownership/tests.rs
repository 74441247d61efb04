//! Tests of the ownership rule against real yrs documents, fed like the
//! room feeds them.

use super::*;
use crate::board::places::PlaceIndex;
use crate::board::schema::{FOCAL_POINTS, NETWORKS};
use crate::protocol::update::{ContentKind, ItemRecord, Parent};
use yrs::updates::decoder::Decode;
use yrs::{
    Doc, IdSet, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, TransactionMut, Update,
    WriteTxn,
};

/// The server's document and index, fed like the room feeds them.
struct Server {
    doc: Doc,
    index: PlaceIndex,
}

impl Server {
    fn new() -> Self {
        Server {
            doc: Doc::new(),
            index: PlaceIndex::default(),
        }
    }

    fn apply(&mut self, update: &[u8]) {
        let summary = UpdateSummary::parse(update).expect("valid");
        self.index.record_update(&summary);
        self.doc
            .transact_mut()
            .apply_update(Update::decode_v1(update).expect("decodes"))
            .expect("applies");
    }

    fn check(&self, me: &str, update: &[u8]) -> Verdict {
        let summary = UpdateSummary::parse(update).expect("valid");
        let places = self.index.resolve(&summary);
        let deleted: IdSet = self.doc.transact().snapshot().delete_set;
        let txn = self.doc.transact();
        let known = txn.state_vector();
        check(
            me,
            &summary,
            &places,
            &self.index,
            &BoardView::new(&txn),
            |client| known.get(&yrs::ClientID::new(client)),
            |id| deleted.contains(&yrs::ID::new(yrs::ClientID::new(id.client), id.clock)),
        )
    }
}

/// A client document that edits and returns its update.
fn edit(doc: &Doc, change: impl FnOnce(&mut TransactionMut<'_>)) -> Vec<u8> {
    let before = doc.transact().state_vector();
    {
        let mut txn = doc.transact_mut();
        change(&mut txn);
    }
    doc.transact().encode_state_as_update_v1(&before)
}

fn sync(from: &Doc, to: &Doc) {
    let update = from
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    to.transact_mut()
        .apply_update(Update::decode_v1(&update).expect("decodes"))
        .expect("applies");
}

fn card(txn: &mut TransactionMut<'_>, id: &str, author: &str) {
    let cards = txn.get_or_insert_map(CARDS);
    let card = cards.insert(txn, id, MapPrelim::default());
    card.insert(txn, "text", "Bedarf");
    card.insert(txn, "kind", "need");
    card.insert(txn, "author", author);
}

fn item(client: u64, clock: u32, len: u32, origin: Option<Id>, parent: Parent) -> ItemRecord {
    ItemRecord {
        id: Id { client, clock },
        len,
        origin,
        right_origin: None,
        parent,
        parent_sub: None,
        content: ContentKind::String,
        value: None,
    }
}

#[test]
fn dependents_of_dropped_items_are_dropped_transitively_and_only_they() {
    let id = |client, clock| Some(Id { client, clock });
    let root = || Parent::Root("notes".into());
    let items = vec![
        // 0: dropped; 1 starts inside it (clock 2 of 0..3); 2 follows 1.
        item(5, 0, 3, None, root()),
        item(7, 0, 2, id(5, 2), root()),
        item(7, 2, 1, id(7, 1), root()),
        // 3: a child of 2 (parent inside a dropped chain).
        item(
            8,
            0,
            1,
            None,
            Parent::Item(Id {
                client: 7,
                clock: 2,
            }),
        ),
        // 4: right after 0's range (clock 3): independent; 5 follows 4.
        item(9, 0, 1, id(5, 3), root()),
        item(9, 1, 1, id(9, 0), root()),
    ];
    let summary = UpdateSummary {
        items,
        ..UpdateSummary::default()
    };
    let places = vec![Place::Other; summary.items.len()];
    let mut verdict = Verdict {
        dropped: vec![true, false, false, false, false, false],
        ..Verdict::default()
    };
    drop_dependents(&summary, &places, &mut verdict);
    assert_eq!(verdict.dropped, [true, true, true, true, false, false]);

    // A long chain in reverse order of the items still drops entirely
    // (the old fixed-point scan took one pass per link).
    let count = 20_000u32;
    let items: Vec<ItemRecord> = (0..count)
        .rev()
        .map(|clock| {
            item(
                3,
                clock,
                1,
                clock.checked_sub(1).and_then(|c| id(3, c)),
                root(),
            )
        })
        .collect();
    let summary = UpdateSummary {
        items,
        ..UpdateSummary::default()
    };
    let places = vec![Place::Other; summary.items.len()];
    let mut dropped = vec![false; summary.items.len()];
    dropped[summary.items.len() - 1] = true;
    let mut verdict = Verdict {
        dropped,
        ..Verdict::default()
    };
    drop_dependents(&summary, &places, &mut verdict);
    assert!(verdict.dropped.iter().all(|d| *d));
}

#[test]
fn own_card_is_allowed_and_another_is_not() {
    let mut server = Server::new();
    let alice = Doc::with_client_id(11);
    let created = edit(&alice, |txn| card(txn, "cardAlice01", "alice"));
    assert!(server.check("alice", &created).is_clean());
    let forged = server.check("bob", &created);
    assert!(!forged.is_clean());
    assert!(
        forged.dropped.iter().all(|d| *d),
        "the forged card and all its fields"
    );
    server.apply(&created);

    let bob = Doc::with_client_id(22);
    sync(&alice, &bob);
    let deletion = edit(&bob, |txn| {
        txn.get_or_insert_map(CARDS).remove(txn, "cardAlice01");
    });
    let verdict = server.check("bob", &deletion);
    assert!(!verdict.is_clean(), "{verdict:?}");
    assert!(
        verdict
            .refused_deletes
            .iter()
            .any(|(_, place)| matches!(place, Place::Entry { .. }))
    );
    assert!(
        server.check("alice", &deletion).is_clean(),
        "the author may delete it"
    );

    let overwrite = edit(&bob, |txn| {
        let cards = txn.get_or_insert_map(CARDS);
        if let Some(Out::YMap(card)) = cards.get(txn, "cardAlice01") {
            card.insert(txn, "text", "überschrieben");
        }
    });
    assert!(!server.check("bob", &overwrite).is_clean());
    assert!(server.check("alice", &overwrite).is_clean());
}

#[test]
fn texts_with_control_characters_or_noncharacters_are_refused_everywhere() {
    let texts = |text: &'static str| {
        let phone = Doc::with_client_id(55);
        [
            edit(&phone, |txn| {
                let cards = txn.get_or_insert_map(CARDS);
                let card = cards.insert(txn, "cardAlice02", MapPrelim::default());
                card.insert(txn, "text", text);
                card.insert(txn, "kind", "need");
                card.insert(txn, "author", "alice");
            }),
            edit(&Doc::with_client_id(56), |txn| {
                let participants = txn.get_or_insert_map(PARTICIPANTS);
                let me = participants.insert(txn, "alice", MapPrelim::default());
                me.insert(txn, "name", "Alice");
                me.insert(txn, "organisation", text);
                me.insert(txn, "sector", "stadtteil");
            }),
        ]
    };
    let server = Server::new();
    for fine in [
        "Kita für alle 😀",
        "zwei\nZeilen\tund Tab",
        "\u{202e}rechts nach links",
    ] {
        for update in texts(fine) {
            let verdict = server.check("alice", &update);
            assert!(verdict.is_clean(), "{fine:?}: {verdict:?}");
        }
    }
    for broken in [
        "Kita\u{1}",
        "Kita\u{b}",
        "Kita\u{ffff}",
        "Kita\u{fffe}",
        "Kita\u{fdd0}",
        "Kita\u{1fffe}",
    ] {
        for update in texts(broken) {
            let verdict = server.check("alice", &update);
            assert!(!verdict.is_clean(), "{broken:?} is refused");
            assert_eq!(verdict.reason, Some(TEXT_CHARACTERS), "{broken:?}");
        }
    }
}

#[test]
fn a_new_entry_with_a_refused_field_is_refused_whole() {
    let too_long = "x".repeat(crate::board::schema::CARD_TEXT_MAX + 1);
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    blocks_two_and_three(&mut server, &moderator);
    // Writing is open again, as are agreements, for the checks below.
    server.apply(&edit(&moderator, |txn| {
        txn.get_or_insert_map("meta").remove(txn, "phase");
    }));
    let phone = Doc::with_client_id(55);
    sync(&moderator, &phone);
    let half_entries = [
        edit(&phone, |txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, "cardLong0001", MapPrelim::default());
            card.insert(txn, "text", too_long.as_str());
            card.insert(txn, "kind", "need");
            card.insert(txn, "author", "alice");
        }),
        edit(&phone, |txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, "cardClust001", MapPrelim::default());
            card.insert(txn, "text", "Kita");
            card.insert(txn, "author", "alice");
            card.insert(txn, "cluster", "clusterSomewhere");
        }),
        edit(&phone, |txn| {
            let agreements = txn.get_or_insert_map(AGREEMENTS);
            let entry = agreements.insert(txn, "agreeLong001", MapPrelim::default());
            entry.insert(txn, "what", "x".repeat(1000).as_str());
            entry.insert(txn, "author", "alice");
            entry.insert(txn, "status", "proposed");
        }),
        edit(&phone, |txn| {
            let participants = txn.get_or_insert_map(PARTICIPANTS);
            let me = participants.insert(txn, "alice", MapPrelim::default());
            me.insert(txn, "name", too_long.as_str());
            me.insert(txn, "sector", "stadtteil");
        }),
    ];
    for update in &half_entries {
        let verdict = server.check("alice", update);
        assert!(!verdict.is_clean());
        assert!(
            verdict.dropped.iter().all(|dropped| *dropped),
            "the entry and every field go: {verdict:?}"
        );
    }

    // An existing card keeps its text when a change to it is refused.
    let own = edit(&phone, |txn| card(txn, "cardAlice09", "alice"));
    server.apply(&own);
    let longer = edit(&phone, |txn| {
        if let Some(Out::YMap(card)) = txn.get_or_insert_map(CARDS).get(txn, "cardAlice09") {
            card.insert(txn, "text", too_long.as_str());
            card.insert(txn, "kind", "offer");
        }
    });
    let verdict = server.check("alice", &longer);
    assert!(!verdict.is_clean());
    assert_eq!(
        verdict.dropped.iter().filter(|dropped| **dropped).count(),
        1,
        "only the text: {verdict:?}"
    );
}

#[test]
fn an_update_the_server_already_has_is_not_an_edit() {
    // A phone writes its profile right after connecting: the update
    // arrives on its own and again inside the phone's sync step 2.
    let mut server = Server::new();
    let phone = Doc::with_client_id(33);
    let profile = edit(&phone, |txn| {
        let participants = txn.get_or_insert_map(PARTICIPANTS);
        let me = participants.insert(txn, "alice", MapPrelim::default());
        me.insert(txn, "name", "Alice");
        me.insert(txn, "sector", "stadtteil");
    });
    assert!(server.check("alice", &profile).is_clean());
    server.apply(&profile);
    let again = server.check("alice", &profile);
    assert!(again.is_clean(), "{again:?}");

    // A forged profile stays refused, repeated or not.
    let forged = edit(&Doc::with_client_id(44), |txn| {
        let participants = txn.get_or_insert_map(PARTICIPANTS);
        participants.insert(txn, "alice", MapPrelim::default());
    });
    assert!(!server.check("bob", &forged).is_clean());
}

/// The moderator's set-up for Blocks 2 and 3: a focal point, a network,
/// a confirmed agreement, phase and timer.
fn blocks_two_and_three(server: &mut Server, moderator: &Doc) {
    let update = edit(moderator, |txn| {
        let focal = txn.get_or_insert_map(FOCAL_POINTS);
        let point = focal.insert(txn, "focalWohnen1", MapPrelim::default());
        point.insert(txn, "title", "Wohnen");
        let networks = txn.get_or_insert_map(NETWORKS);
        let network = networks.insert(txn, "networkKita01", MapPrelim::default());
        network.insert(txn, "title", "Netzwerk Kita");
        let agreements = txn.get_or_insert_map(AGREEMENTS);
        let agreement = agreements.insert(txn, "agreeConfirm1", MapPrelim::default());
        agreement.insert(txn, "what", "Sprechstunde im Jobcenter");
        agreement.insert(txn, "status", "confirmed");
        agreement.insert(txn, "author", "alice");
        let meta = txn.get_or_insert_map("meta");
        meta.insert(txn, "phase", "agendaCases01");
        meta.insert(txn, "timerEndsAt", 1_741_080_000_000.0);
    });
    server.apply(&update);
}

fn agreement(txn: &mut TransactionMut<'_>, id: &str, author: &str, status: &str) {
    let agreements = txn.get_or_insert_map(AGREEMENTS);
    let entry = agreements.insert(txn, id, MapPrelim::default());
    entry.insert(txn, "what", "Runder Tisch Wohnen");
    entry.insert(txn, "author", author);
    entry.insert(txn, "status", status);
}

#[test]
fn participants_place_and_enrol_only_themselves() {
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    blocks_two_and_three(&mut server, &moderator);
    let bob = Doc::with_client_id(22);
    sync(&moderator, &bob);
    let own = edit(&bob, |txn| {
        txn.get_or_insert_map(PLACEMENTS)
            .insert(txn, "bob:focalWohnen1", true);
        txn.get_or_insert_map(MEMBERSHIPS)
            .insert(txn, "bob:networkKita01", true);
    });
    assert!(server.check("bob", &own).is_clean());
    assert!(
        !server.check("alice", &own).is_clean(),
        "alice cannot place bob"
    );
    let nowhere = edit(&bob, |txn| {
        txn.get_or_insert_map(PLACEMENTS)
            .insert(txn, "bob:noSuchPoint", true);
    });
    assert!(!server.check("bob", &nowhere).is_clean());
}

#[test]
fn participants_propose_agreements_but_only_the_moderator_confirms() {
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    blocks_two_and_three(&mut server, &moderator);
    let bob = Doc::with_client_id(22);
    sync(&moderator, &bob);
    let proposal = edit(&bob, |txn| {
        agreement(txn, "agreeBob0001", "bob", "proposed")
    });
    assert!(server.check("bob", &proposal).is_clean());
    let self_confirmed = edit(&Doc::with_client_id(23), |txn| {
        agreement(txn, "agreeBob0002", "bob", "confirmed")
    });
    assert!(!server.check("bob", &self_confirmed).is_clean());
    server.apply(&proposal);

    let confirm_own = edit(&bob, |txn| {
        if let Some(Out::YMap(entry)) = txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeBob0001") {
            entry.insert(txn, "status", "confirmed");
        }
    });
    assert!(
        !server.check("bob", &confirm_own).is_clean(),
        "status is the moderator's"
    );
    // A fresh copy of the server's state (the refused edit is reverted
    // on a real client).
    let bob = Doc::with_client_id(24);
    sync(&server.doc, &bob);
    let edit_own = edit(&bob, |txn| {
        if let Some(Out::YMap(entry)) = txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeBob0001") {
            entry.insert(txn, "who", "Jobcenter, Kita Sonnenschein");
            entry.insert(txn, "due", "2026-12-15");
        }
    });
    let verdict = server.check("bob", &edit_own);
    assert!(verdict.is_clean(), "{verdict:?}");
    let edit_other = edit(&bob, |txn| {
        if let Some(Out::YMap(entry)) = txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeConfirm1")
        {
            entry.insert(txn, "what", "etwas anderes");
        }
    });
    assert!(!server.check("bob", &edit_other).is_clean());
    assert!(
        !server.check("alice", &edit_other).is_clean(),
        "confirmed agreements are the moderator's"
    );
}

#[test]
fn participants_cannot_change_the_phase_or_the_timer() {
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    blocks_two_and_three(&mut server, &moderator);
    let bob = Doc::with_client_id(22);
    sync(&moderator, &bob);
    for (field, value) in [("phase", "agendaOther1"), ("timerEndsAt", "0")] {
        let update = edit(&bob, |txn| {
            txn.get_or_insert_map("meta").insert(txn, field, value);
        });
        let verdict = server.check("bob", &update);
        assert!(!verdict.is_clean(), "{field}");
        assert!(
            !verdict.refused_deletes.is_empty(),
            "{field}: the old value's deletion is refused too"
        );
    }
}

fn tree_card(
    txn: &mut TransactionMut<'_>,
    id: &str,
    author: &str,
    kind: &str,
    parent: Option<&str>,
) {
    let cards = txn.get_or_insert_map(CARDS);
    let card = cards.insert(txn, id, MapPrelim::default());
    card.insert(txn, "text", "Wer übernimmt die Koordination?");
    card.insert(txn, "kind", kind);
    card.insert(txn, "author", author);
    if let Some(parent) = parent {
        card.insert(txn, "parent", parent);
    }
}

fn open_parts(server: &mut Server, moderator: &Doc, challenges: bool, solutions: bool) {
    let update = edit(moderator, |txn| {
        let meta = txn.get_or_insert_map(crate::board::schema::META);
        meta.insert(txn, "challengesOpen", challenges);
        meta.insert(txn, "solutionsOpen", solutions);
    });
    server.apply(&update);
}

#[test]
fn the_tree_takes_challenges_and_solutions_only_in_their_parts_and_under_a_challenge() {
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    let alice = Doc::with_client_id(11);
    let reason = |verdict: &Verdict| verdict.reason.unwrap_or("clean");

    // Before the morning part nothing of the tree goes in.
    let challenge = edit(&alice, |txn| {
        tree_card(txn, "challenge01", "alice", "challenge", None)
    });
    assert_eq!(
        reason(&server.check("alice", &challenge)),
        "the challenges part is closed"
    );
    open_parts(&mut server, &moderator, true, false);
    assert!(server.check("alice", &challenge).is_clean());
    server.apply(&challenge);

    // A sub-challenge under a challenge; not under a need, not under itself.
    let sub = edit(&alice, |txn| {
        tree_card(
            txn,
            "challenge02",
            "alice",
            "challenge",
            Some("challenge01"),
        )
    });
    assert!(server.check("alice", &sub).is_clean());
    let need = edit(&alice, |txn| card(txn, "needCard01", "alice"));
    server.apply(&need);
    let under_need = edit(&alice, |txn| {
        tree_card(txn, "challenge03", "alice", "challenge", Some("needCard01"))
    });
    assert_eq!(
        reason(&server.check("alice", &under_need)),
        "a challenge may only hang under a challenge of this board"
    );
    let under_itself = edit(&alice, |txn| {
        tree_card(
            txn,
            "challenge04",
            "alice",
            "challenge",
            Some("challenge04"),
        )
    });
    assert!(!server.check("alice", &under_itself).is_clean());

    // A solution while the solutions part is closed, then without a parent,
    // under a missing card, and rightly.
    let solution = edit(&alice, |txn| {
        tree_card(txn, "solution01", "alice", "solution", Some("challenge01"))
    });
    let verdict = server.check("alice", &solution);
    assert_eq!(reason(&verdict), "the solutions part is closed");
    assert!(
        verdict.dropped.iter().all(|d| *d),
        "refused whole: {verdict:?}"
    );
    open_parts(&mut server, &moderator, false, true);
    assert!(server.check("alice", &solution).is_clean());
    let orphan = edit(&alice, |txn| {
        tree_card(txn, "solution02", "alice", "solution", None)
    });
    assert_eq!(
        reason(&server.check("alice", &orphan)),
        "a solution must name a challenge of this board as its parent"
    );
    let elsewhere = edit(&alice, |txn| {
        tree_card(
            txn,
            "solution03",
            "alice",
            "solution",
            Some("challengeOnOtherBoard"),
        )
    });
    assert!(!server.check("alice", &elsewhere).is_clean());
    // Challenges are closed in the afternoon here.
    assert_eq!(
        reason(&server.check("alice", &sub)),
        "the challenges part is closed"
    );
    // A need with a parent, and turning a need into a solution without one.
    let need_with_parent = edit(&alice, |txn| {
        tree_card(txn, "needCard02", "alice", "need", Some("challenge01"))
    });
    assert_eq!(
        reason(&server.check("alice", &need_with_parent)),
        "only challenges and solutions have a parent"
    );
    let turned = edit(&alice, |txn| {
        let cards = txn.get_or_insert_map(CARDS);
        if let Some(Out::YMap(card)) = cards.get(txn, "needCard01") {
            card.insert(txn, "kind", "solution");
        }
    });
    assert!(!server.check("alice", &turned).is_clean());
    // A challenge and its solution in one update.
    open_parts(&mut server, &moderator, true, true);
    let both = edit(&alice, |txn| {
        tree_card(txn, "challenge05", "alice", "challenge", None);
        tree_card(txn, "solution05", "alice", "solution", Some("challenge05"));
    });
    assert!(server.check("alice", &both).is_clean());
}

#[test]
fn a_card_kept_without_its_author_is_the_moderators_and_still_takes_solutions() {
    use crate::board::schema::ANONYMOUS_AUTHOR;
    let mut server = Server::new();
    let moderator = Doc::with_client_id(1);
    let bob = Doc::with_client_id(22);
    open_parts(&mut server, &moderator, true, true);
    // What an erasure with `keep_cards` leaves: a challenge of nobody's.
    let kept = edit(&moderator, |txn| {
        tree_card(txn, "challenge01", ANONYMOUS_AUTHOR, "challenge", None)
    });
    server.apply(&kept);
    sync(&moderator, &bob);
    let solution = edit(&bob, |txn| {
        tree_card(txn, "solution01", "bob", "solution", Some("challenge01"))
    });
    assert!(server.check("bob", &solution).is_clean());
    let change = edit(&bob, |txn| {
        let cards = txn.get_or_insert_map(CARDS);
        if let Some(Out::YMap(card)) = cards.get(txn, "challenge01") {
            card.insert(txn, "text", "umgeschrieben");
        }
    });
    assert!(
        !server.check("bob", &change).is_clean(),
        "not Bob's to change"
    );
    let claim = edit(&bob, |txn| {
        tree_card(txn, "challenge02", ANONYMOUS_AUTHOR, "challenge", None)
    });
    assert!(
        !server.check("bob", &claim).is_clean(),
        "nobody writes under the marker but the moderator"
    );
}

#[test]
fn a_field_changed_twice_offline_is_accepted_and_others_cards_stay_refused() {
    let mut server = Server::new();
    let phone = Doc::with_client_id(11);
    let created = edit(&phone, |txn| card(txn, "cardOffline01", "anna"));
    server.apply(&created);
    // Two changes of the text while offline: Yjs collects the first, so
    // the update holds it as deleted content, the second built on it.
    let before = phone.transact().state_vector();
    for text in ["zweite Fassung", "dritte Fassung"] {
        let mut txn = phone.transact_mut();
        let cards = txn.get_or_insert_map(CARDS);
        if let Some(yrs::Out::YMap(card)) = cards.get(&txn, "cardOffline01") {
            card.insert(&mut txn, "text", text);
        }
    }
    let offline = phone.transact().encode_state_as_update_v1(&before);
    let summary = UpdateSummary::parse(&offline).expect("valid");
    assert!(
        summary
            .items
            .iter()
            .any(|item| item.content == ContentKind::Deleted),
        "the first change is collected"
    );
    assert!(server.check("anna", &offline).is_clean());
    // Not a way into someone else's card.
    assert!(!server.check("ben", &offline).is_clean());
}
