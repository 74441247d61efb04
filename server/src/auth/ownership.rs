//! The ownership rule of `docs/schema.md`, checked for every update a
//! participant sends before anything of it is applied.
//!
//! Every inserted item is traced to its place (entry or field of a
//! top-level map, see [`crate::board::places`]) and every deleted range to
//! the items it removes; each is checked against who owns that place and
//! the board's state (writing open, voting open, budget). The verdict names
//! the items and deletions that are not allowed; the room drops exactly
//! those and keeps the rest, so a phone's legal offline edits are never lost
//! with an illegal one.

use crate::board::places::{Place, PlaceIndex};
use crate::board::{
    self, AGREEMENTS, BoardView, CARDS, CLUSTERS, FOCAL_POINTS, MEMBERSHIPS, NETWORKS,
    PARTICIPANTS, PLACEMENTS, VOTES, valid_id,
};
use crate::protocol::update::{ContentKind, DeleteRange, Id, TYPE_MAP, UpdateSummary, Value};
use std::collections::{HashMap, HashSet};
use yrs::ReadTxn;

/// Card kinds a participant may write (the moderator's own are `note`).
const PARTICIPANT_CARD_KINDS: [&str; 5] = ["situation", "need", "offer", "challenge", "solution"];
const SECTORS: [&str; 5] = ["stadtteil", "behoerde", "traeger", "wirtschaft", "politik"];
const MAX_VOTES_ON_ONE_CLUSTER: f64 = 20.0;

/// What a participant's update may not do.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Verdict {
    /// Per item of the update: not allowed.
    pub dropped: Vec<bool>,
    /// Deletions that are allowed (or change nothing).
    pub allowed_deletes: Vec<DeleteRange>,
    /// Deletions of items the participant does not own, with their places.
    pub refused_deletes: Vec<(DeleteRange, Place)>,
    /// The first reason, in words for the sender.
    pub reason: Option<&'static str>,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.reason.is_none()
    }

    fn refuse(&mut self, reason: &'static str) {
        self.reason.get_or_insert(reason);
    }
}

/// Checks `summary` (with the places of its items) sent by participant `me`
/// against the current document. `is_deleted` tells whether an item of the
/// document is already deleted (deleting it again changes nothing).
pub fn check<T: ReadTxn>(
    me: &str,
    summary: &UpdateSummary,
    places: &[Place],
    index: &PlaceIndex,
    view: &BoardView<'_, T>,
    known: impl Fn(u64) -> u32,
    is_deleted: impl Fn(Id) -> bool,
) -> Verdict {
    let mut verdict = Verdict {
        dropped: vec![false; summary.items.len()],
        ..Verdict::default()
    };
    // Items the document already has change nothing: a client's sync step 2
    // may repeat an update that reached us a moment earlier.
    let fresh: Vec<bool> = summary
        .items
        .iter()
        .map(|item| {
            u64::from(item.id.clock) + u64::from(item.len) > u64::from(known(item.id.client))
        })
        .collect();
    let own_prefix = format!("{me}:");
    let open = |root: &str| match root {
        CARDS => view.writing_open(),
        AGREEMENTS => view.agreements_open(),
        _ => false,
    };

    // Entries this update creates in the maps of authored entries (cards,
    // agreements), and whether they name `me` as author (and, for
    // agreements, start as proposed).
    let mut created: HashMap<(&str, &str), Creation> = HashMap::new();
    let mut created_profile = false;
    for (position, item) in summary.items.iter().enumerate() {
        let Some(Place::Entry { root, key }) = places.get(position) else {
            continue;
        };
        if !fresh[position] {
            continue;
        }
        let new_map = item.content == ContentKind::Type(TYPE_MAP) && !view.has_entry(root, key);
        match root.as_ref() {
            CARDS if new_map => {
                created.insert(
                    (CARDS, key),
                    Creation {
                        author_is_me: false,
                        proposed: true,
                    },
                );
            }
            AGREEMENTS if new_map => {
                created.insert(
                    (AGREEMENTS, key),
                    Creation {
                        author_is_me: false,
                        proposed: false,
                    },
                );
            }
            PARTICIPANTS if new_map && key.as_ref() == me => created_profile = true,
            _ => {}
        }
    }
    for (position, item) in summary.items.iter().enumerate() {
        if !fresh[position] {
            continue;
        }
        if let Some(Place::Field { root, key, field }) = places.get(position) {
            if let Some(creation) = created.get_mut(&(root.as_ref(), key.as_ref())) {
                match (field.as_ref(), &item.value) {
                    ("author", Some(Value::String(author))) if author == me => {
                        creation.author_is_me = true
                    }
                    ("status", Some(Value::String(status))) if status == "proposed" => {
                        creation.proposed = true
                    }
                    _ => {}
                }
            }
        }
    }
    let creating = |root: &str, key: &str| {
        created
            .get(&(root, key))
            .is_some_and(|creation| creation.author_is_me && creation.proposed)
    };
    // An existing authored entry `me` may still change.
    let own_entry = |root: &str, key: &str| match root {
        CARDS => view.entry_field(CARDS, key, "author").as_deref() == Some(me),
        AGREEMENTS => {
            view.entry_field(AGREEMENTS, key, "author").as_deref() == Some(me)
                && view.entry_field(AGREEMENTS, key, "status").as_deref() == Some("proposed")
        }
        _ => false,
    };

    // Inserts.
    let mut new_votes: HashMap<&str, f64> = HashMap::new();
    for (position, item) in summary.items.iter().enumerate() {
        if !fresh[position] {
            continue;
        }
        let place = places.get(position).unwrap_or(&Place::Other);
        let allowed: Result<(), &'static str> = match place {
            Place::Entry { root, key } => match root.as_ref() {
                CARDS | AGREEMENTS => match created.get(&(root.as_ref(), key.as_ref())) {
                    Some(_) if !open(root) => Err(closed(root)),
                    Some(creation) if !creation.author_is_me => {
                        Err("a new entry must name you as its author")
                    }
                    Some(creation) if !creation.proposed => {
                        Err("a new agreement starts as proposed")
                    }
                    Some(_) if valid_id(key) => Ok(()),
                    Some(_) => Err("entry ids are 8 to 64 letters, digits, - or _"),
                    None => Err("only the moderator may replace an entry"),
                },
                PARTICIPANTS if key.as_ref() == me && created_profile => Ok(()),
                PARTICIPANTS => Err("you may only create your own profile"),
                VOTES => check_vote(key, &own_prefix, item.value.as_ref(), view).map(|count| {
                    new_votes.insert(key, count);
                }),
                PLACEMENTS => check_flag(key, &own_prefix, item.value.as_ref(), FOCAL_POINTS, view)
                    .and_then(|()| {
                        if view.placements_open() {
                            Ok(())
                        } else {
                            Err("placements are closed")
                        }
                    }),
                MEMBERSHIPS => check_flag(key, &own_prefix, item.value.as_ref(), NETWORKS, view),
                _ => Err("only the moderator may change this"),
            },
            Place::Field { root, key, field } => match root.as_ref() {
                CARDS | AGREEMENTS => {
                    let is_new = creating(root, key);
                    if !is_new && !own_entry(root, key) {
                        Err(if root.as_ref() == CARDS {
                            "you may only change your own cards"
                        } else {
                            "you may only change your own proposed agreements"
                        })
                    } else if !open(root) {
                        Err(closed(root))
                    } else if root.as_ref() == CARDS {
                        check_card_field(field, item.value.as_ref(), me, is_new)
                    } else {
                        check_agreement_field(field, item.value.as_ref(), me, is_new)
                    }
                }
                PARTICIPANTS if key.as_ref() == me => {
                    check_profile_field(field, item.value.as_ref(), created_profile)
                }
                PARTICIPANTS => Err("you may only change your own profile"),
                _ => Err("only the moderator may change this"),
            },
            Place::Other => Err("only the moderator may change this"),
        };
        if let Err(reason) = allowed {
            verdict.dropped[position] = true;
            verdict.refuse(reason);
        }
    }

    // A refused entry takes its fields with it, and anything that builds on
    // a refused item of this update is refused too.
    drop_dependents(summary, places, &mut verdict);

    // Deletes: only those that remove something still visible matter.
    let mut deleted_entries: HashSet<(&str, &str)> = HashSet::new();
    let mut removed_votes: HashSet<String> = HashSet::new();
    let mut pending: Vec<(DeleteRange, Place)> = Vec::new();
    for range in &summary.deletes {
        for (clock, len, place) in index.overlapping(range.client, range.clock, range.len) {
            let part = DeleteRange {
                client: range.client,
                clock,
                len,
            };
            if is_deleted(Id {
                client: range.client,
                clock,
            }) {
                verdict.allowed_deletes.push(part);
                continue;
            }
            if let Place::Entry { root, key } = place {
                if matches!(root.as_ref(), CARDS | AGREEMENTS) && open(root) && own_entry(root, key)
                {
                    deleted_entries.insert((root, key));
                }
            }
            pending.push((part, place.clone()));
        }
        // Parts not in the index are this update's own items or garbage
        // collected ones: deleting them changes nothing visible elsewhere.
        verdict
            .allowed_deletes
            .extend(uncovered_parts(index, range));
    }
    for (part, place) in pending {
        let allowed = match &place {
            Place::Entry { root, key } => match root.as_ref() {
                CARDS | AGREEMENTS => deleted_entries.contains(&(root.as_ref(), key.as_ref())),
                VOTES if key.starts_with(&own_prefix) && view.voting_open() => {
                    removed_votes.insert(key.to_string());
                    true
                }
                PLACEMENTS => key.starts_with(&own_prefix) && view.placements_open(),
                MEMBERSHIPS => key.starts_with(&own_prefix),
                _ => false,
            },
            Place::Field { root, key, field } => match root.as_ref() {
                CARDS | AGREEMENTS => {
                    let editable = if root.as_ref() == CARDS {
                        ["text", "kind", "editedAt"]
                    } else {
                        ["what", "who", "due"]
                    };
                    deleted_entries.contains(&(root.as_ref(), key.as_ref()))
                        || (open(root)
                            && own_entry(root, key)
                            && editable.contains(&field.as_ref()))
                }
                PARTICIPANTS => {
                    key.as_ref() == me
                        && matches!(field.as_ref(), "name" | "organisation" | "sector")
                }
                _ => false,
            },
            Place::Other => false,
        };
        if allowed {
            verdict.allowed_deletes.push(part);
        } else {
            verdict.refuse("you may only delete your own entries");
            verdict.refused_deletes.push((part, place));
        }
    }

    // The vote budget holds for the state after the update.
    if !new_votes.is_empty() {
        let mut totals: HashMap<String, f64> = view
            .entries_with_prefix(VOTES, &own_prefix)
            .into_iter()
            .filter(|(key, _)| !removed_votes.contains(key))
            .filter_map(|(key, value)| board::number(&value).map(|count| (key, count)))
            .collect();
        for (key, count) in &new_votes {
            totals.insert((*key).to_owned(), *count);
        }
        if totals.values().sum::<f64>() > view.vote_budget() {
            for (position, place) in places.iter().enumerate() {
                if matches!(place, Place::Entry { root, .. } if root.as_ref() == VOTES) {
                    verdict.dropped[position] = true;
                }
            }
            verdict.refuse("that is more votes than your budget");
        }
    }
    verdict
}

/// What an update's new authored entry says about itself.
struct Creation {
    author_is_me: bool,
    /// Agreements must start as proposed; cards have no status.
    proposed: bool,
}

fn closed(root: &str) -> &'static str {
    if root == CARDS {
        "card writing is closed"
    } else {
        "agreements are closed"
    }
}

/// `"{me}:{target}" = true` where `target` must exist in `targets`.
fn check_flag<T: ReadTxn>(
    key: &str,
    own_prefix: &str,
    value: Option<&Value>,
    targets: &str,
    view: &BoardView<'_, T>,
) -> Result<(), &'static str> {
    let Some(target) = key.strip_prefix(own_prefix) else {
        return Err("you may only place or enrol yourself");
    };
    if !view.has_entry(targets, target) {
        return Err("there is no such focal point or network");
    }
    if value != Some(&Value::Bool(true)) {
        return Err("this value is not allowed");
    }
    Ok(())
}

fn check_agreement_field(
    field: &str,
    value: Option<&Value>,
    me: &str,
    creating: bool,
) -> Result<(), &'static str> {
    let ok = match (field, value) {
        ("what", Some(Value::String(what))) => (1..=500).contains(&what.trim().chars().count()),
        ("who", Some(Value::String(who))) => who.trim().chars().count() <= 300,
        ("due", Some(Value::String(due))) => is_date(due),
        ("createdAt", Some(Value::Number(time))) if creating => time.is_finite(),
        ("author", Some(Value::String(author))) if creating => author == me,
        ("status", Some(Value::String(status))) if creating => status == "proposed",
        ("status", _) => return Err("only the moderator confirms or drops agreements"),
        _ => false,
    };
    ok.then_some(())
        .ok_or("this agreement field or value is not allowed")
}

/// `YYYY-MM-DD`.
fn is_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

fn check_vote<T: ReadTxn>(
    key: &str,
    own_prefix: &str,
    value: Option<&Value>,
    view: &BoardView<'_, T>,
) -> Result<f64, &'static str> {
    let Some(cluster) = key.strip_prefix(own_prefix) else {
        return Err("you may only cast your own votes");
    };
    if !view.voting_open() {
        return Err("voting is not open");
    }
    if !view.has_entry(CLUSTERS, cluster) {
        return Err("there is no such cluster");
    }
    match value {
        Some(Value::Number(count))
            if count.fract() == 0.0 && *count >= 1.0 && *count <= MAX_VOTES_ON_ONE_CLUSTER =>
        {
            Ok(*count)
        }
        _ => Err("a vote is a whole number of dots"),
    }
}

fn check_card_field(
    field: &str,
    value: Option<&Value>,
    me: &str,
    creating: bool,
) -> Result<(), &'static str> {
    let ok = match (field, value) {
        ("text", Some(Value::String(text))) => (1..=1000).contains(&text.trim().chars().count()),
        ("kind", Some(Value::String(kind))) => PARTICIPANT_CARD_KINDS.contains(&kind.as_str()),
        ("editedAt", Some(Value::Number(time))) => time.is_finite(),
        ("createdAt", Some(Value::Number(time))) if creating => time.is_finite(),
        ("author", Some(Value::String(author))) if creating => author == me,
        ("group", Some(Value::String(group))) if creating => valid_id(group),
        ("cluster", _) => return Err("only the moderator sorts cards into clusters"),
        _ => false,
    };
    ok.then_some(())
        .ok_or("this card field or value is not allowed")
}

fn check_profile_field(
    field: &str,
    value: Option<&Value>,
    creating: bool,
) -> Result<(), &'static str> {
    let ok = match (field, value) {
        ("name", Some(Value::String(name))) => (1..=80).contains(&name.trim().chars().count()),
        ("organisation", Some(Value::String(organisation))) => {
            organisation.trim().chars().count() <= 120
        }
        ("sector", Some(Value::String(sector))) => SECTORS.contains(&sector.as_str()),
        ("joinedAt", Some(Value::Number(time))) if creating => time.is_finite(),
        ("group", _) => return Err("only the moderator forms groups"),
        _ => false,
    };
    ok.then_some(())
        .ok_or("this profile field or value is not allowed")
}

/// Marks as dropped every field of a refused entry and every item whose
/// origin or parent lies in a dropped item of the same update.
fn drop_dependents(summary: &UpdateSummary, places: &[Place], verdict: &mut Verdict) {
    let refused_entries: HashSet<&Place> = places
        .iter()
        .zip(&verdict.dropped)
        .filter(|(place, dropped)| **dropped && matches!(place, Place::Entry { .. }))
        .map(|(place, _)| place)
        .collect();
    for (position, place) in places.iter().enumerate() {
        if let Place::Field { root, key, .. } = place {
            let entry = Place::Entry {
                root: root.clone(),
                key: key.clone(),
            };
            if refused_entries.contains(&entry) {
                verdict.dropped[position] = true;
            }
        }
    }
    // Propagate along "depends on" edges from the dropped items. Each item
    // is found by binary search and marked once: linear up to a log, where
    // a fixed-point scan over every pair would be quadratic on a hostile
    // update with many items.
    let mut by_client: HashMap<u64, Vec<(u32, u32, usize)>> = HashMap::new();
    for (position, item) in summary.items.iter().enumerate() {
        by_client
            .entry(item.id.client)
            .or_default()
            .push((item.id.clock, item.len, position));
    }
    for ranges in by_client.values_mut() {
        ranges.sort_unstable();
    }
    let containing = |id: Id| -> Option<usize> {
        let ranges = by_client.get(&id.client)?;
        let after = ranges.partition_point(|(clock, _, _)| *clock <= id.clock);
        let (clock, len, position) = *ranges.get(after.checked_sub(1)?)?;
        (u64::from(id.clock) < u64::from(clock) + u64::from(len)).then_some(position)
    };
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); summary.items.len()];
    for (position, item) in summary.items.iter().enumerate() {
        let parent = match item.parent {
            crate::protocol::update::Parent::Item(id) => Some(id),
            _ => None,
        };
        for id in [item.origin, item.right_origin, parent]
            .into_iter()
            .flatten()
        {
            if let Some(dependency) = containing(id).filter(|found| *found != position) {
                if let Some(list) = dependents.get_mut(dependency) {
                    list.push(position);
                }
            }
        }
    }
    let mut work: Vec<usize> = verdict
        .dropped
        .iter()
        .enumerate()
        .filter(|(_, dropped)| **dropped)
        .map(|(position, _)| position)
        .collect();
    while let Some(position) = work.pop() {
        for &dependent in dependents.get(position).into_iter().flatten() {
            if let Some(dropped) = verdict.dropped.get_mut(dependent) {
                if !*dropped {
                    *dropped = true;
                    work.push(dependent);
                }
            }
        }
    }
}

/// The parts of a delete range that no indexed item covers.
fn uncovered_parts(index: &PlaceIndex, range: &DeleteRange) -> Vec<DeleteRange> {
    let mut parts = Vec::new();
    let mut cursor = range.clock;
    let end = u64::from(range.clock) + u64::from(range.len);
    for (clock, len, _) in index.overlapping(range.client, range.clock, range.len) {
        if clock > cursor {
            parts.push(DeleteRange {
                client: range.client,
                clock: cursor,
                len: clock - cursor,
            });
        }
        cursor = clock.saturating_add(len);
    }
    if u64::from(cursor) < end {
        parts.push(DeleteRange {
            client: range.client,
            clock: cursor,
            len: (end - u64::from(cursor)) as u32,
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::places::PlaceIndex;
    use crate::protocol::update::{ItemRecord, Parent};
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
            if let Some(Out::YMap(entry)) =
                txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeBob0001")
            {
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
            if let Some(Out::YMap(entry)) =
                txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeBob0001")
            {
                entry.insert(txn, "who", "Jobcenter, Kita Sonnenschein");
                entry.insert(txn, "due", "2026-12-15");
            }
        });
        let verdict = server.check("bob", &edit_own);
        assert!(verdict.is_clean(), "{verdict:?}");
        let edit_other = edit(&bob, |txn| {
            if let Some(Out::YMap(entry)) =
                txn.get_or_insert_map(AGREEMENTS).get(txn, "agreeConfirm1")
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
}
