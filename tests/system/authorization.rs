//! Roles and the ownership rule: a catalogue of illegal edits from a
//! participant's (modified) client and from a viewer, one rule per attempt.
//! Each is refused with a reason; no other client ever shows any of it and
//! no frame they receive holds its values; the sender's document converges
//! back to the server's; a legal edit on the same connection still goes
//! through; and after a SIGKILL and restart on the same data directory the
//! document still lacks it and no database file holds its values.

use crate::common::{Board, Client, Party, Server, http_request_as, new_doc, party};
use kartenwand::protocol::Message;
use kartenwand::protocol::awareness::{self, AwarenessEntry};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use yrs::updates::decoder::Decode;
use yrs::{
    Any, Doc, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, TransactionMut, Update, WriteTxn,
};

const CLUSTER: &str = "clusterKinder01";
const CLUSTER_2: &str = "clusterWohnen01";
const ALICE_CARD: &str = "cardAlice0001";
const BOB_CARD: &str = "cardBob00001";
const CASE: &str = "caseFamilieA01";
const FOCAL_1: &str = "focalWohnen0001";
const FOCAL_2: &str = "focalSprache001";
const PHASE_1: &str = "phaseKarten0001";
const PHASE_2: &str = "phaseFaelle0001";
const ALICE_PROPOSAL: &str = "agreeAlice00001";
const BOB_PROPOSAL: &str = "agreeBob0000001";
const BOB_CONFIRMED: &str = "agreeBobConf001";
const TIMER_ENDS_AT: f64 = 1_741_087_800_000.0;

fn create_card(txn: &mut TransactionMut<'_>, id: &str, author: &str, text: &str) {
    put(
        txn,
        "cards",
        id,
        &[
            ("text", text.into()),
            ("kind", "need".into()),
            ("author", author.into()),
            ("createdAt", 1_741_079_400_000.0.into()),
        ],
    );
}

fn card_field(txn: &mut TransactionMut<'_>, id: &str) -> Option<yrs::MapRef> {
    let cards = txn.get_or_insert_map("cards");
    match cards.get(txn, id) {
        Some(Out::YMap(card)) => Some(card),
        _ => None,
    }
}

/// Creates (or replaces) `root[key]` as a map of `fields`.
fn put(txn: &mut TransactionMut<'_>, root: &str, key: &str, fields: &[(&str, Any)]) {
    let map = txn.get_or_insert_map(root);
    let entry = map.insert(txn, key, MapPrelim::default());
    for (field, value) in fields {
        entry.insert(txn, *field, value.clone());
    }
}

/// Sets one field of the existing entry `root[key]`.
fn set(txn: &mut TransactionMut<'_>, root: &str, key: &str, field: &str, value: Any) {
    let map = txn.get_or_insert_map(root);
    match map.get(txn, key) {
        Some(Out::YMap(entry)) => {
            entry.insert(txn, field, value);
        }
        other => panic!("the test expects {root}[{key}] to be a map, found {other:?}"),
    }
}

/// The value at `/root/key/field…` of a document's JSON, or null.
fn at<'a>(json: &'a Value, path: &str) -> &'a Value {
    json.pointer(path).unwrap_or(&Value::Null)
}

/// One illegal change and how to tell it did not happen.
struct Guard {
    label: String,
    /// Holds for every document that does not show the illegal change.
    intact: Box<dyn Fn(&Value) -> bool>,
    /// Values only the illegal change writes: no frame another client
    /// receives and no database file may hold them.
    forbidden: Vec<String>,
}

/// Where the bystanders' records stood when an attempt began.
struct Mark {
    denied: usize,
    shown: [usize; 2],
    frames: [usize; 2],
}

struct Scene {
    server: Server,
    board: Board,
    moderator: Client,
    alice: Client,
    alice_id: String,
    bob: Client,
    bob_id: String,
    bob_token: String,
    markers: usize,
    guards: Vec<Guard>,
    /// `bob` is a viewer's connection (see [`Scene::as_viewer`]).
    viewer_sends: bool,
}

async fn scene() -> Scene {
    let Party {
        server,
        board,
        mut moderator,
        mut alice,
        alice_id,
        mut bob,
        bob_id,
        bob_token,
        ..
    } = party("Rechte").await;
    moderator
        .edit(|_, txn| {
            for (id, title) in [(CLUSTER, "Kinderbetreuung"), (CLUSTER_2, "Wohnen")] {
                put(txn, "clusters", id, &[("title", title.into())]);
            }
            put(
                txn,
                "cases",
                CASE,
                &[
                    ("title", "Familie A.".into()),
                    ("framework", "asylblg".into()),
                ],
            );
            for (order, (id, title)) in [(FOCAL_1, "Wohnen"), (FOCAL_2, "Sprachkurs")]
                .into_iter()
                .enumerate()
            {
                put(
                    txn,
                    "focalPoints",
                    id,
                    &[
                        ("case", CASE.into()),
                        ("title", title.into()),
                        ("order", (order as f64).into()),
                    ],
                );
            }
            // `meta.phase` names an agenda entry; the agenda itself is
            // left out here (the helpers read `agenda` as an array).
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "votingOpen", true);
            meta.insert(txn, "voteBudget", 3.0);
            meta.insert(txn, "phase", PHASE_1);
            meta.insert(txn, "timerEndsAt", TIMER_ENDS_AT);
        })
        .await;
    for client in [&mut alice, &mut bob] {
        client
            .pump_until(
                |c| c.json()["meta"]["phase"] == PHASE_1,
                "the moderator's set-up",
            )
            .await;
    }
    let id = alice_id.clone();
    alice
        .edit(|_, txn| {
            create_card(txn, ALICE_CARD, &id, "Kita-Plätze fehlen");
            txn.get_or_insert_map("placements")
                .insert(txn, format!("{id}:{FOCAL_1}"), true);
            put(
                txn,
                "agreements",
                ALICE_PROPOSAL,
                &proposal(&id, "Elterncafé gründen"),
            );
        })
        .await;
    let id = bob_id.clone();
    bob.edit(|_, txn| {
        put(
            txn,
            "participants",
            &id,
            &[
                ("name", "Bob".into()),
                ("organisation", "Kita Sonnenschein".into()),
                ("sector", "stadtteil".into()),
                ("joinedAt", 1_741_078_800_000.0.into()),
            ],
        );
        create_card(txn, BOB_CARD, &id, "Sprachkurs am Abend");
        txn.get_or_insert_map("placements")
            .insert(txn, format!("{id}:{FOCAL_1}"), true);
        put(
            txn,
            "agreements",
            BOB_PROPOSAL,
            &proposal(&id, "Sprachcafé im Bürgerhaus"),
        );
        put(
            txn,
            "agreements",
            BOB_CONFIRMED,
            &proposal(&id, "Wegweiser drucken"),
        );
    })
    .await;
    moderator
        .pump_until(
            |c| at(&c.json(), &format!("/agreements/{BOB_CONFIRMED}/status")) == "proposed",
            "Bob's set-up at the moderator's",
        )
        .await;
    moderator
        .edit(|_, txn| {
            set(
                txn,
                "agreements",
                BOB_CONFIRMED,
                "status",
                "confirmed".into(),
            )
        })
        .await;
    let everything = |c: &Client| {
        let json = c.json();
        at(&json, &format!("/cards/{ALICE_CARD}/text")) == "Kita-Plätze fehlen"
            && at(&json, &format!("/agreements/{ALICE_PROPOSAL}/status")) == "proposed"
            && at(&json, &format!("/agreements/{BOB_CONFIRMED}/status")) == "confirmed"
    };
    for client in [&mut moderator, &mut alice, &mut bob] {
        client.pump_until(everything, "the whole set-up").await;
        assert!(client.seen.denied.is_empty(), "{:?}", client.seen.denied);
    }
    moderator.record_history();
    alice.record_history();
    Scene {
        server,
        board,
        moderator,
        alice,
        alice_id,
        bob,
        bob_id,
        bob_token,
        markers: 0,
        guards: Vec::new(),
        viewer_sends: false,
    }
}

/// A participant's agreement proposal, as the web app writes it.
fn proposal(author: &str, what: &str) -> Vec<(&'static str, Any)> {
    vec![
        ("what", what.into()),
        ("who", "Kita Sonnenschein".into()),
        ("status", "proposed".into()),
        ("author", author.into()),
        ("createdAt", 1_741_087_000_000.0.into()),
    ]
}

impl Scene {
    /// Bob makes one illegal edit; see [`Scene::confirm`].
    async fn attempt(
        &mut self,
        label: &str,
        illegal: impl FnOnce(&mut TransactionMut<'_>),
        intact: impl Fn(&Value) -> bool + 'static,
        forbidden: &[&str],
    ) {
        let mark = self.mark();
        self.bob.edit(|_, txn| illegal(txn)).await;
        self.refused(label, &mark).await;
        self.confirm(label, mark, intact, forbidden).await;
    }

    /// From now on the attempts come from a viewer's connection.
    async fn as_viewer(&mut self) {
        let mut viewer =
            Client::connect(&self.server, &self.board.id, &self.board.viewer_token).await;
        let expected = self.moderator.json();
        viewer
            .pump_until(|c| c.json() == expected, "the viewer's sync")
            .await;
        self.bob = viewer;
        self.viewer_sends = true;
    }

    fn mark(&self) -> Mark {
        Mark {
            denied: self.bob.seen.denied.len(),
            shown: [self.moderator.shown().len(), self.alice.shown().len()],
            frames: [
                self.moderator.seen.frames.len(),
                self.alice.seen.frames.len(),
            ],
        }
    }

    /// Bob gets a permission-denied message with a reason.
    async fn refused(&mut self, label: &str, mark: &Mark) {
        self.bob
            .pump_until(
                |c| c.seen.denied.len() > mark.denied,
                &format!("a refusal of: {label}"),
            )
            .await;
        let reason = &self.bob.seen.denied[mark.denied];
        assert!(
            !reason.trim().is_empty(),
            "{label}: a refusal without a reason"
        );
    }

    /// A legal edit from Bob on the same connection arrives everywhere; the
    /// illegal one was never shown or received anywhere else; Bob's
    /// document converges back to the server's.
    async fn confirm(
        &mut self,
        label: &str,
        mark: Mark,
        intact: impl Fn(&Value) -> bool + 'static,
        forbidden: &[&str],
    ) {
        self.markers += 1;
        let marker = format!("Marke {}", self.markers);
        let bob = self.bob_id.clone();
        let path = if self.viewer_sends {
            // A viewer has no legal edit: it must keep receiving.
            self.moderator
                .edit(|_, txn| {
                    txn.get_or_insert_map("meta")
                        .insert(txn, "title", marker.as_str());
                })
                .await;
            "/meta/title".to_owned()
        } else {
            self.bob
                .edit(|_, txn| {
                    set(
                        txn,
                        "participants",
                        &bob,
                        "organisation",
                        marker.as_str().into(),
                    )
                })
                .await;
            format!("/participants/{bob}/organisation")
        };
        for client in [&mut self.moderator, &mut self.alice, &mut self.bob] {
            client
                .pump_until(
                    |c| at(&c.json(), &path) == marker.as_str(),
                    &format!("Bob's legal edit after: {label}"),
                )
                .await;
        }
        for (who, client, n) in [
            ("the moderator", &self.moderator, 0),
            ("Alice", &self.alice, 1),
        ] {
            for shown in &client.shown()[mark.shown[n]..] {
                assert!(
                    intact(shown),
                    "{label}: {who}'s document showed it: {shown}"
                );
            }
            for value in forbidden {
                let frames = &client.seen.frames[mark.frames[n]..];
                assert!(
                    !frames.iter().any(|f| contains(f, value)),
                    "{label}: a frame to {who} held {value:?}"
                );
            }
        }
        let server_state = self.moderator.json();
        let converged = tokio::time::timeout(
            Duration::from_secs(5),
            self.bob.pump_until(|c| c.json() == server_state, label),
        )
        .await;
        assert!(
            converged.is_ok(),
            "Bob did not converge back after {label}:\nBob:    {}\nserver: {server_state}",
            self.bob.json()
        );
        self.guards.push(Guard {
            label: label.to_owned(),
            intact: Box::new(intact),
            forbidden: forbidden.iter().map(|s| (*s).to_owned()).collect(),
        });
    }

    /// The moderator changes something; everyone has it afterwards.
    async fn moderator_sets(&mut self, field: &str, value: Any) {
        let expected = serde_json::to_value(&value).expect("any is JSON");
        self.moderator
            .edit(|_, txn| {
                txn.get_or_insert_map("meta").insert(txn, field, value);
            })
            .await;
        let path = format!("/meta/{field}");
        for client in [&mut self.moderator, &mut self.alice, &mut self.bob] {
            client
                .pump_until(|c| *at(&c.json(), &path) == expected, &path)
                .await;
        }
    }

    /// SIGKILL, restart on the same data directory: every guard holds for
    /// the restored document and no database file holds a forbidden value.
    async fn assert_nothing_stored(self) {
        let server = self.server.restart(&[]).await;
        let restored = Client::connect(&server, &self.board.id, &self.board.moderator_token).await;
        let json = restored.json();
        assert!(
            at(&json, &format!("/cards/{ALICE_CARD}/text")) == "Kita-Plätze fehlen",
            "the restarted server lost the set-up: {json}"
        );
        for guard in &self.guards {
            assert!(
                (guard.intact)(&json),
                "{}: stored, it is there after a restart: {json}",
                guard.label
            );
            for value in &guard.forbidden {
                assert!(
                    !server.stores(value),
                    "{}: the database holds {value:?}",
                    guard.label
                );
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn a_participant_cannot_damage_what_is_not_theirs() {
    let mut s = scene().await;
    let alice_id = s.alice_id.clone();
    let before_alice = s.moderator.json()["cards"][ALICE_CARD].clone();
    let alice_card = move |json: &Value| json["cards"][ALICE_CARD] == before_alice;

    let intact = alice_card.clone();
    s.attempt(
        "delete another's card",
        |txn| {
            txn.get_or_insert_map("cards").remove(txn, ALICE_CARD);
        },
        intact,
        &[],
    )
    .await;
    let intact = alice_card.clone();
    s.attempt(
        "edit another's card",
        |txn| set(txn, "cards", ALICE_CARD, "text", "überschrieben".into()),
        intact,
        &["überschrieben"],
    )
    .await;
    s.attempt(
        "rename a cluster",
        |txn| set(txn, "clusters", CLUSTER, "title", "Umbenannt".into()),
        |json| at(json, &format!("/clusters/{CLUSTER}/title")) == "Kinderbetreuung",
        &["Umbenannt"],
    )
    .await;
    s.attempt(
        "move a card into a cluster",
        |txn| set(txn, "cards", BOB_CARD, "cluster", CLUSTER.into()),
        |json| at(json, &format!("/cards/{BOB_CARD}/cluster")).is_null(),
        &[],
    )
    .await;
    s.attempt(
        "change meta",
        |txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "writingOpen", false);
        },
        |json| at(json, "/meta/writingOpen").is_null(),
        &[],
    )
    .await;
    s.attempt(
        "forge authorship",
        |txn| create_card(txn, "cardForged0001", &alice_id, "Ich bin Alice"),
        |json| at(json, "/cards/cardForged0001").is_null(),
        &["Ich bin Alice"],
    )
    .await;
    s.attempt(
        "create someone else's profile",
        |txn| {
            put(
                txn,
                "participants",
                "someoneElse1",
                &[("name", "Niemand".into())],
            )
        },
        |json| at(json, "/participants/someoneElse1").is_null(),
        &["Niemand"],
    )
    .await;
    let foreign_vote = format!("someoneElse1:{CLUSTER}");
    let key = foreign_vote.clone();
    s.attempt(
        "vote for someone else",
        move |txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 1.0);
        },
        move |json| json["votes"].get(&foreign_vote).is_none(),
        &[],
    )
    .await;
    // Over the budget of 3; no later edit touches this key, so a stored 5
    // would be there after the restart, and a relayed one in the histories.
    let over_budget = format!("{}:{CLUSTER}", s.bob_id);
    let key = over_budget.clone();
    s.attempt(
        "vote over the budget",
        move |txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 5.0);
        },
        move |json| json["votes"].get(&over_budget).is_none(),
        &[],
    )
    .await;
    let intact = alice_card.clone();
    s.attempt(
        "clear the whole cards map",
        |txn| {
            let cards = txn.get_or_insert_map("cards");
            cards.clear(txn);
        },
        intact,
        &[],
    )
    .await;

    // Within the budget, a vote goes through.
    let legal_vote = format!("{}:{CLUSTER_2}", s.bob_id);
    let key = legal_vote.clone();
    s.bob
        .edit(move |_, txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 2.0);
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["votes"][legal_vote.as_str()] == 2.0,
            "Bob's legal vote",
        )
        .await;
    // Each vote within the limit, but together over the budget: 2 + 2 > 3.
    let second_vote = format!("{}:{CLUSTER}", s.bob_id);
    let key = second_vote.clone();
    s.attempt(
        "votes that add up to more than the budget",
        move |txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 2.0);
        },
        move |json| json["votes"].get(&second_vote).is_none(),
        &[],
    )
    .await;
    assert_eq!(s.bob.seen.denied.len(), 11, "{:?}", s.bob.seen.denied);
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_participant_may_edit_and_delete_only_their_own_card() {
    let mut s = scene().await;
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| create_card(txn, "cardBobOwn0001", &bob, "Wohnung gesucht"))
        .await;
    s.bob
        .edit(|_, txn| {
            if let Some(card) = card_field(txn, "cardBobOwn0001") {
                card.insert(txn, "text", "Wohnung dringend gesucht");
            }
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["cards"]["cardBobOwn0001"]["text"] == "Wohnung dringend gesucht",
            "Bob's edit",
        )
        .await;
    s.bob
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").remove(txn, "cardBobOwn0001");
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["cards"].get("cardBobOwn0001").is_none(),
            "Bob's deletion",
        )
        .await;
    assert!(
        s.bob.seen.denied.is_empty(),
        "nothing refused: {:?}",
        s.bob.seen.denied
    );

    // Once the moderator closes writing, even own cards stay as they are.
    s.moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "writingOpen", false);
        })
        .await;
    s.bob
        .pump_until(
            |c| c.json()["meta"]["writingOpen"] == false,
            "writing closed",
        )
        .await;
    let denied = s.bob.seen.denied.len();
    s.bob
        .edit(|_, txn| create_card(txn, "cardLate00001", &bob, "zu spät"))
        .await;
    s.bob
        .pump_until(
            |c| c.seen.denied.len() > denied,
            "the refusal of a late card",
        )
        .await;
    assert!(
        s.bob
            .seen
            .denied
            .last()
            .is_some_and(|reason| reason.contains("closed")),
        "{:?}",
        s.bob.seen.denied
    );
    // A moderator edit as a marker: after it, everyone agrees.
    s.moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        })
        .await;
    s.bob
        .pump_until(|c| c.json()["meta"]["revealed"] == true, "the marker")
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["meta"]["revealed"] == true,
            "the marker's echo",
        )
        .await;
    let server_state = s.moderator.json();
    assert!(server_state["cards"].get("cardLate00001").is_none());
    s.bob
        .pump_until(|c| c.json() == server_state, "Bob converging back")
        .await;
}

#[tokio::test]
async fn a_viewer_writes_nothing() {
    let mut s = scene().await;
    s.as_viewer().await;
    s.attempt(
        "write a card as a viewer",
        |txn| create_card(txn, "cardBeamer0001", "moderator", "vom Beamer"),
        |json| at(json, "/cards/cardBeamer0001").is_null(),
        &["vom Beamer"],
    )
    .await;
    // Only inserts: what a viewer's overwrite or deletion leaves on the
    // viewer's own screen is another matter (docs/protocol.md).
    s.attempt(
        "add a meta field as a viewer",
        |txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        },
        |json| at(json, "/meta/revealed").is_null(),
        &[],
    )
    .await;
    s.attempt(
        "add a field to a card as a viewer",
        |txn| {
            set(
                txn,
                "cards",
                ALICE_CARD,
                "editedAt",
                1_741_079_999_000.0.into(),
            )
        },
        |json| at(json, &format!("/cards/{ALICE_CARD}/editedAt")).is_null(),
        &[],
    )
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn writing_under_another_participants_client_id_is_refused() {
    let mut s = scene().await;
    let alice_client = s.alice.doc.client_id().get();
    // Bob's token, but a document that claims Alice's client id, holding
    // what the server has (as a modified client would).
    let impostor_doc = Doc::with_client_id(alice_client);
    let state = s
        .moderator
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    impostor_doc
        .transact_mut()
        .apply_update(Update::decode_v1(&state).expect("valid"))
        .expect("applies");
    let impostor = Client::connect_with(&s.server, &s.board.id, &s.bob_token, impostor_doc).await;
    let honest = std::mem::replace(&mut s.bob, impostor);
    let mark = s.mark();
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| create_card(txn, "cardImpostor01", &bob, "unter fremder Id"))
        .await;
    s.refused("write under another participant's client id", &mark)
        .await;
    assert!(
        s.bob.seen.denied[mark.denied].contains("client id"),
        "{:?}",
        s.bob.seen.denied
    );
    // The same connection goes on under a client id of its own (what Yjs
    // does when it notices a clash).
    let own = new_doc();
    let state = s
        .bob
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    own.transact_mut()
        .apply_update(Update::decode_v1(&state).expect("valid"))
        .expect("applies");
    s.bob.doc = own;
    s.confirm(
        "write under another participant's client id",
        mark,
        |json| at(json, "/cards/cardImpostor01").is_null(),
        &["unter fremder Id"],
    )
    .await;
    // Alice herself keeps writing under her id.
    let id = s.alice_id.clone();
    s.alice
        .edit(|_, txn| create_card(txn, "cardAlice0002", &id, "zweite Karte"))
        .await;
    s.alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;
    assert!(s.alice.seen.denied.is_empty());
    drop(honest);
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_reloaded_phone_writes_again_under_its_earlier_client_id() {
    let s = scene().await;
    let bob_client = s.bob.doc.client_id().get();
    let bob_id = s.bob_id.clone();
    // What the phone kept (IndexedDB) before it reloads: its own document.
    let kept = s
        .bob
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    s.bob.close().await;
    let reload = |kept: &[u8]| {
        let doc = Doc::with_client_id(bob_client);
        doc.transact_mut()
            .apply_update(Update::decode_v1(kept).expect("valid"))
            .expect("applies");
        doc
    };
    let mut phone = Client::connect_with(&s.server, &s.board.id, &s.bob_token, reload(&kept)).await;
    phone
        .edit(|_, txn| create_card(txn, "cardNachReload", &bob_id, "nach dem Neuladen"))
        .await;
    phone
        // The echo or a refusal (`all_echoed` cannot tell: the phone's
        // `received` copy lacks its earlier items).
        .pump_until(
            |c| !c.seen.received_updates.is_empty() || !c.seen.denied.is_empty(),
            "the echo after the reload",
        )
        .await;
    assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    assert_eq!(phone.doc.client_id().get(), bob_client);

    // The binding of the client id survives a restart of the server.
    let kept = phone
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    drop(phone);
    let server = s.server.restart(&[]).await;
    let mut phone = Client::connect_with(&server, &s.board.id, &s.bob_token, reload(&kept)).await;
    phone
        .edit(|_, txn| create_card(txn, "cardNachStart", &bob_id, "nach dem Neustart"))
        .await;
    phone
        // The echo or a refusal (`all_echoed` cannot tell: the phone's
        // `received` copy lacks its earlier items).
        .pump_until(
            |c| !c.seen.received_updates.is_empty() || !c.seen.denied.is_empty(),
            "the echo after the restart",
        )
        .await;
    assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    let moderator = Client::connect(&server, &s.board.id, &s.board.moderator_token).await;
    let json = moderator.json();
    assert_eq!(at(&json, "/cards/cardNachReload/text"), "nach dem Neuladen");
    assert_eq!(at(&json, "/cards/cardNachStart/text"), "nach dem Neustart");
}

#[tokio::test]
async fn a_wrong_secret_for_a_valid_participant_is_refused_before_the_upgrade() {
    let s = scene().await;
    let (prefix, secret) = s.bob_token.rsplit_once('_').expect("participant token");
    let wrong: String = secret
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    let url = s.server.ws_url(&s.board.id, &format!("{prefix}_{wrong}"));
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
    // Alice's id with Bob's secret.
    let swapped = s.bob_token.replace(&s.bob_id, &s.alice_id);
    let url = s.server.ws_url(&s.board.id, &swapped);
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
    // The real token still works.
    Client::connect(&s.server, &s.board.id, &s.bob_token).await;
}

#[tokio::test]
async fn a_participant_places_only_themselves_and_only_while_placements_are_open() {
    let mut s = scene().await;
    let alice_on_2 = format!("{}:{FOCAL_2}", s.alice_id);
    let alice_on_1 = format!("{}:{FOCAL_1}", s.alice_id);
    let bob_on_1 = format!("{}:{FOCAL_1}", s.bob_id);
    let bob_on_2 = format!("{}:{FOCAL_2}", s.bob_id);

    let key = alice_on_2.clone();
    s.attempt(
        "place another participant",
        move |txn| {
            txn.get_or_insert_map("placements")
                .insert(txn, key.as_str(), true);
        },
        move |json| json["placements"].get(&alice_on_2).is_none(),
        &[],
    )
    .await;
    let key = alice_on_1.clone();
    s.attempt(
        "delete another participant's placement",
        move |txn| {
            txn.get_or_insert_map("placements").remove(txn, &key);
        },
        move |json| json["placements"][alice_on_1.as_str()] == true,
        &[],
    )
    .await;

    s.moderator_sets("placementsOpen", false.into()).await;
    let key = bob_on_2.clone();
    s.attempt(
        "place oneself while placements are closed",
        move |txn| {
            txn.get_or_insert_map("placements")
                .insert(txn, key.as_str(), true);
        },
        move |json| json["placements"].get(&bob_on_2).is_none(),
        &[],
    )
    .await;
    let key = bob_on_1.clone();
    s.attempt(
        "take back one's placement while placements are closed",
        move |txn| {
            txn.get_or_insert_map("placements").remove(txn, &key);
        },
        move |json| json["placements"][bob_on_1.as_str()] == true,
        &[],
    )
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_participant_cannot_confirm_or_change_others_agreements() {
    let mut s = scene().await;
    let alice_id = s.alice_id.clone();
    let bob_id = s.bob_id.clone();
    let alice_proposal = s.moderator.json()["agreements"][ALICE_PROPOSAL].clone();
    let alice_intact = move |json: &Value| json["agreements"][ALICE_PROPOSAL] == alice_proposal;
    let bob_confirmed = s.moderator.json()["agreements"][BOB_CONFIRMED].clone();
    let confirmed_intact = move |json: &Value| json["agreements"][BOB_CONFIRMED] == bob_confirmed;
    let bob_proposal = s.moderator.json()["agreements"][BOB_PROPOSAL].clone();
    let own_intact = move |json: &Value| json["agreements"][BOB_PROPOSAL] == bob_proposal;

    s.attempt(
        "propose an agreement as someone else",
        |txn| {
            put(
                txn,
                "agreements",
                "agreeForged0001",
                &proposal(&alice_id, "Gefälschter Vorschlag"),
            )
        },
        |json| at(json, "/agreements/agreeForged0001").is_null(),
        &["Gefälschter Vorschlag"],
    )
    .await;
    s.attempt(
        "propose an agreement as already confirmed",
        |txn| {
            let mut fields = proposal(&bob_id, "Schon bestätigt");
            fields.retain(|(field, _)| *field != "status");
            fields.push(("status", "confirmed".into()));
            put(txn, "agreements", "agreeConfirm001", &fields)
        },
        |json| at(json, "/agreements/agreeConfirm001").is_null(),
        &["Schon bestätigt"],
    )
    .await;
    s.attempt(
        "edit another participant's proposal",
        |txn| {
            set(
                txn,
                "agreements",
                ALICE_PROPOSAL,
                "what",
                "Fremd geändert".into(),
            )
        },
        alice_intact.clone(),
        &["Fremd geändert"],
    )
    .await;
    s.attempt(
        "confirm another participant's proposal",
        |txn| {
            set(
                txn,
                "agreements",
                ALICE_PROPOSAL,
                "status",
                "confirmed".into(),
            )
        },
        alice_intact.clone(),
        &[],
    )
    .await;
    s.attempt(
        "delete another participant's proposal",
        |txn| {
            txn.get_or_insert_map("agreements")
                .remove(txn, ALICE_PROPOSAL);
        },
        alice_intact.clone(),
        &[],
    )
    .await;
    s.attempt(
        "confirm one's own proposal",
        |txn| {
            set(
                txn,
                "agreements",
                BOB_PROPOSAL,
                "status",
                "confirmed".into(),
            )
        },
        own_intact.clone(),
        &[],
    )
    .await;
    s.attempt(
        "edit one's own proposal after the moderator confirmed it",
        |txn| {
            set(
                txn,
                "agreements",
                BOB_CONFIRMED,
                "what",
                "Nachträglich geändert".into(),
            )
        },
        confirmed_intact.clone(),
        &["Nachträglich geändert"],
    )
    .await;

    s.moderator_sets("agreementsOpen", false.into()).await;
    let id = bob_id.clone();
    s.attempt(
        "propose an agreement while agreements are closed",
        move |txn| {
            put(
                txn,
                "agreements",
                "agreeLate00001",
                &proposal(&id, "Zu spät vorgeschlagen"),
            )
        },
        |json| at(json, "/agreements/agreeLate00001").is_null(),
        &["Zu spät vorgeschlagen"],
    )
    .await;
    s.attempt(
        "edit one's own proposal while agreements are closed",
        |txn| {
            set(
                txn,
                "agreements",
                BOB_PROPOSAL,
                "what",
                "Geschlossen geändert".into(),
            )
        },
        own_intact.clone(),
        &["Geschlossen geändert"],
    )
    .await;
    s.attempt(
        "withdraw one's own proposal while agreements are closed",
        |txn| {
            txn.get_or_insert_map("agreements")
                .remove(txn, BOB_PROPOSAL);
        },
        own_intact.clone(),
        &[],
    )
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_participant_cannot_change_the_phase_or_the_timer() {
    let mut s = scene().await;
    let timer_intact = |json: &Value| {
        at(json, "/meta/timerEndsAt") == TIMER_ENDS_AT && at(json, "/meta/timerRemaining").is_null()
    };
    s.attempt(
        "start another phase",
        |txn| {
            txn.get_or_insert_map("meta").insert(txn, "phase", PHASE_2);
        },
        |json| at(json, "/meta/phase") == PHASE_1,
        &[],
    )
    .await;
    s.attempt(
        "end the phase",
        |txn| {
            txn.get_or_insert_map("meta").remove(txn, "phase");
        },
        |json| at(json, "/meta/phase") == PHASE_1,
        &[],
    )
    .await;
    s.attempt(
        "extend the countdown",
        |txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "timerEndsAt", TIMER_ENDS_AT + 600_000.0);
        },
        timer_intact,
        &[],
    )
    .await;
    s.attempt(
        "pause the countdown",
        |txn| {
            let meta = txn.get_or_insert_map("meta");
            meta.remove(txn, "timerEndsAt");
            meta.insert(txn, "timerRemaining", 754_000.0);
        },
        timer_intact,
        &[],
    )
    .await;
    s.attempt(
        "set a paused countdown",
        |txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "timerRemaining", 60_000.0);
        },
        timer_intact,
        &[],
    )
    .await;
    s.attempt(
        "stop the countdown",
        |txn| {
            txn.get_or_insert_map("meta").remove(txn, "timerEndsAt");
        },
        timer_intact,
        &[],
    )
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn awareness_cannot_be_spoofed_for_someone_else() {
    let mut s = scene().await;
    let alice_awareness = 777_001;
    let honest = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 1,
        state: r#"{"user":"Alice"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&honest)).await;
    s.moderator
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(client, _, _)| *client == alice_awareness)
            },
            "Alice's state",
        )
        .await;
    let spoof = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 9,
        state: r#"{"user":"Mallory"}"#,
    }]);
    s.bob.send_message(Message::Awareness(&spoof)).await;
    // Ignored, not refused (stock clients echo others' states), and the
    // same connection still gets its own state and an edit through.
    let own = awareness::encode([AwarenessEntry {
        client: 777_100,
        clock: 1,
        state: r#"{"user":"Bob"}"#,
    }]);
    s.bob.send_message(Message::Awareness(&own)).await;
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| {
            set(
                txn,
                "participants",
                &bob,
                "organisation",
                "nach dem Versuch".into(),
            )
        })
        .await;
    let path = format!("/participants/{bob}/organisation");
    s.moderator
        .pump_until(
            |c| {
                at(&c.json(), &path) == "nach dem Versuch"
                    && c.seen
                        .awareness
                        .iter()
                        .any(|(client, _, _)| *client == 777_100)
            },
            "Bob's own state and edit after the spoof",
        )
        .await;
    let renewed = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 2,
        state: r#"{"user":"Alice again"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&renewed)).await;
    s.moderator
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(_, _, state)| state.contains("Alice again"))
            },
            "Alice's renewal",
        )
        .await;
    assert!(
        !s.moderator
            .seen
            .awareness
            .iter()
            .any(|(_, _, state)| state.contains("Mallory"))
    );
    assert!(
        !s.moderator.seen.any_frame_contains("Mallory")
            && !s.alice.seen.any_frame_contains("Mallory"),
        "a frame held the spoofed state"
    );
    // Echoes of others' states (stock y-websocket clients send them) are
    // ignored without a refusal.
    s.bob
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(_, _, state)| state.contains("Alice again"))
            },
            "Alice's renewal at Bob's",
        )
        .await;
    // Five states held by others (a room of six with a stock client).
    let extra = awareness::encode((1..=3).map(|n| AwarenessEntry {
        client: 888_000 + n,
        clock: 1,
        state: r#"{"user":"Moderation"}"#,
    }));
    s.moderator.send_message(Message::Awareness(&extra)).await;
    let second = awareness::encode([AwarenessEntry {
        client: alice_awareness + 1,
        clock: 1,
        state: r#"{"user":"Alice, Tablet"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&second)).await;
    s.bob
        .pump_until(
            |c| {
                let clients: std::collections::HashSet<u64> = c
                    .seen
                    .awareness
                    .iter()
                    .map(|(client, _, _)| *client)
                    .collect();
                clients.len() >= 5
            },
            "five states held by others",
        )
        .await;
    let others: Vec<(u64, u64, String)> = s.bob.seen.awareness.clone();
    let echo = awareness::encode(others.iter().map(|(client, clock, state)| AwarenessEntry {
        client: *client,
        clock: *clock,
        state,
    }));
    s.bob.send_message(Message::Awareness(&echo)).await;
    // The answer to a query comes after whatever the echo caused.
    let seen = s.bob.seen.awareness.len();
    s.bob.send_message(Message::QueryAwareness).await;
    s.bob
        .pump_until(|c| c.seen.awareness.len() > seen, "the answer to a query")
        .await;
    assert!(s.bob.seen.denied.is_empty(), "{:?}", s.bob.seen.denied);
}

#[tokio::test]
async fn a_removed_participant_is_disconnected_within_a_second_and_stays_out() {
    let mut s = scene().await;
    let path = format!("/api/boards/{}/participants/{}", s.board.id, s.bob_id);
    let (status, _) =
        http_request_as(s.server.addr, Some(&s.alice_id), "DELETE", &path, None).await;
    assert_eq!(status, 403, "a participant id is not a token");
    let (_, alice_token) = s.server.join(&s.board, "Eve").await;
    let (status, _) =
        http_request_as(s.server.addr, Some(&alice_token), "DELETE", &path, None).await;
    assert_eq!(status, 403, "only the moderator removes participants");

    let started = Instant::now();
    let (status, _) = http_request_as(
        s.server.addr,
        Some(&s.board.moderator_token),
        "DELETE",
        &path,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (code, reason) = s.bob.expect_close().await;
    let elapsed = started.elapsed();
    assert_eq!(code, 4401, "{reason}");
    assert!(elapsed < Duration::from_secs(1), "closed after {elapsed:?}");
    let url = s.server.ws_url(&s.board.id, &s.bob_token);
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
}

#[tokio::test]
async fn the_moderator_rotates_the_join_code_and_the_viewer_token() {
    let s = scene().await;
    let addr = s.server.addr;
    let moderator = Some(s.board.moderator_token.as_str());
    let (status, session) = http_request_as(
        addr,
        moderator,
        "GET",
        &format!("/api/boards/{}", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(session["role"], "moderator");
    assert_eq!(session["join_code"], s.board.join_code.as_str());
    let (status, session) = http_request_as(
        addr,
        Some(&s.bob_token),
        "GET",
        &format!("/api/boards/{}", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(session["role"], "participant");
    assert!(
        session.get("join_code").is_none(),
        "participants do not see the join code"
    );

    let (status, rotated) = http_request_as(
        addr,
        moderator,
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let new_code = rotated["join_code"].as_str().expect("code").to_owned();
    assert_ne!(new_code, s.board.join_code);
    let join = |code: &str| json!({"join_code": code, "name": "Nachzüglerin", "sector": "politik"});
    let path = format!("/api/boards/{}/join", s.board.id);
    let (status, _) =
        http_request_as(addr, None, "POST", &path, Some(&join(&s.board.join_code))).await;
    assert_eq!(status, 403, "the old code no longer works");
    let (status, _) = http_request_as(addr, None, "POST", &path, Some(&join(&new_code))).await;
    assert_eq!(status, 201);

    let mut presenter = Client::connect(&s.server, &s.board.id, &s.board.viewer_token).await;
    let (status, viewer) = http_request_as(
        addr,
        moderator,
        "POST",
        &format!("/api/boards/{}/viewer-token", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (code, _) = presenter.expect_close().await;
    assert_eq!(code, 4401);
    let old = s.server.ws_url(&s.board.id, &s.board.viewer_token);
    assert_eq!(crate::common::refused_upgrade_status(&old).await, 403);
    let new_token = viewer["viewer_token"].as_str().expect("token");
    Client::connect(&s.server, &s.board.id, new_token).await;
    let (status, _) = http_request_as(
        addr,
        Some(new_token),
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = http_request_as(
        addr,
        None,
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 401);
}
