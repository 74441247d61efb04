//! Bringing a sender back in line after the server refused (part of) its
//! update, and everyone else with it.
//!
//! Three repairs, all for the same end (every copy of the board converges
//! on what the server accepted): a refused *insertion* is taken out of the
//! sender's document with a delete set sent to it alone ([`revert`]); a
//! value a refused item displaced is written back by the server
//! ([`write_back`], from what [`read_place`] read before); a refused
//! *deletion* is restored ([`restore`]).
//!
//! A Yjs deletion cannot be taken back on the client that made it: once
//! its copy has deleted an item, no update can make that item live again
//! there. The only update that converges such a client is one that holds
//! the same content as *new* items. So the server does for the refused
//! deletions what Yjs' own undo does: it deletes the originals and inserts
//! copies in their place (same map key, same position in a text or list,
//! nested entries included), under its own client id, in one update for
//! everyone. The other clients see the same content as before; the sender
//! gets back what it deleted.
//!
//! The copies are made by yrs' `UndoManager` (Yjs' `redoItem`): it handles
//! every kind of shared type, keeps a map entry's fields, and refuses to
//! bring back a map value that something newer has replaced since.

use crate::board::places::Place;
use crate::protocol::update::{DeleteRange, UpdateSummary, write_delete_set};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use yrs::undo::Options;
use yrs::updates::decoder::Decode;
use yrs::{
    Array, ClientID, Doc, GetString, IdSet, In, Map, MapPrelim, Out, ReadTxn, Transact,
    UndoManager, Update, WriteTxn,
};

/// The value at a map place before an update.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Prior {
    Absent,
    Value(yrs::Any),
    /// A nested map's primitive fields, sorted by name.
    Map(Vec<(String, yrs::Any)>),
}

/// The id ranges of the items marked dropped.
pub(super) fn dropped_ranges(summary: &UpdateSummary, dropped: &[bool]) -> Vec<DeleteRange> {
    summary
        .items
        .iter()
        .zip(dropped)
        .filter(|(_, dropped)| **dropped)
        .map(|(item, _)| DeleteRange {
            client: item.id.client,
            clock: item.id.clock,
            len: item.len,
        })
        .collect()
}

/// The update that brings the sender of a partly refused update back in
/// line: its refused items disappear from its document (a delete set
/// only, sent to it alone). `None` if nothing was refused.
pub(super) fn revert(summary: &UpdateSummary, dropped: &[bool]) -> Option<Vec<u8>> {
    let deletes = dropped_ranges(summary, dropped);
    if deletes.is_empty() {
        return None;
    }
    let mut update = vec![0];
    write_delete_set(&mut update, &deletes);
    Some(update)
}

/// The value at a map place, to write back after a refused edit.
pub(super) fn read_place(doc: &Doc, place: &Place) -> Option<Prior> {
    let txn = doc.transact();
    let (root, key, field) = match place {
        Place::Entry { root, key } => (root, key, None),
        Place::Field { root, key, field } => (root, key, Some(field)),
        Place::Inside { .. } | Place::Other => return None,
    };
    let value = txn.get_map(root.as_ref())?.get(&txn, key);
    let value = match field {
        None => value,
        Some(field) => match value {
            Some(Out::YMap(entry)) => entry.get(&txn, field),
            _ => return None,
        },
    };
    Some(match value {
        None => Prior::Absent,
        Some(Out::Any(value)) => Prior::Value(value),
        Some(Out::YMap(map)) => {
            let mut fields: Vec<(String, yrs::Any)> = map
                .iter(&txn)
                .filter_map(|(field, value)| match value {
                    Out::Any(value) => Some((field.to_owned(), value)),
                    _ => None,
                })
                .collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Prior::Map(fields)
        }
        Some(_) => return None,
    })
}

/// Writes back, as the server, values a refused edit displaced (if they
/// changed). Returns the transaction's update and what it deleted (the
/// values it replaced), or `None` if nothing needed writing back.
pub(super) fn write_back(doc: &Doc, priors: &[(Place, Prior)]) -> Option<(Vec<u8>, IdSet)> {
    let mut todo: Vec<(&Place, &Prior)> = Vec::new();
    // Sets, not scans of `todo`: a hostile update can refuse many places.
    let mut in_todo: HashSet<&Place> = HashSet::new();
    for (place, prior) in priors {
        if matches!(prior, Prior::Absent) || in_todo.contains(place) {
            continue;
        }
        if read_place(doc, place).as_ref() != Some(prior) {
            todo.push((place, prior));
            in_todo.insert(place);
        }
    }
    // A re-created entry brings its fields along.
    let recreated: HashSet<(&str, &str)> = todo
        .iter()
        .filter_map(|(place, prior)| match (place, prior) {
            (Place::Entry { root, key }, Prior::Map(_)) => Some((root.as_ref(), key.as_ref())),
            _ => None,
        })
        .collect();
    todo.retain(|(place, _)| match place {
        Place::Field { root, key, .. } => !recreated.contains(&(root.as_ref(), key.as_ref())),
        _ => true,
    });
    if todo.is_empty() {
        return None;
    }
    let mut txn = doc.transact_mut();
    for (place, prior) in &todo {
        match (place, prior) {
            (Place::Entry { root, key }, Prior::Value(value)) => {
                let map = txn.get_or_insert_map(root.as_ref());
                map.insert(&mut txn, key.as_ref(), In::Any(value.clone()));
            }
            (Place::Entry { root, key }, Prior::Map(fields)) => {
                let map = txn.get_or_insert_map(root.as_ref());
                let copy: MapPrelim = fields
                    .iter()
                    .map(|(field, value)| (field.clone(), In::Any(value.clone())))
                    .collect();
                map.insert(&mut txn, key.as_ref(), copy);
            }
            (Place::Field { root, key, field }, Prior::Value(value)) => {
                let map = txn.get_or_insert_map(root.as_ref());
                if let Some(Out::YMap(entry)) = map.get(&txn, key) {
                    entry.insert(&mut txn, field.as_ref(), In::Any(value.clone()));
                }
            }
            _ => {}
        }
    }
    let deleted = txn.delete_set().clone();
    Some((txn.encode_update_v1(), deleted))
}

/// Observer key of the temporary update subscription.
const OBSERVER: &str = "kartenwand-restore";

/// Replaces the items `deletes` covers that are live in `doc` with copies
/// (see the module docs) and returns the update that did it, or `None` if
/// nothing in `deletes` is live here. Ranges beyond what `doc` knows (an
/// update's deletions of its own, refused items) are ignored.
pub fn restore(doc: &Doc, deletes: &[DeleteRange]) -> Option<Vec<u8>> {
    let known: Vec<DeleteRange> = {
        let txn = doc.transact();
        let state = txn.state_vector();
        deletes
            .iter()
            .filter_map(|range| {
                let end = state.get(&ClientID::new(range.client));
                let len = end.saturating_sub(range.clock).min(range.len);
                (len > 0).then_some(DeleteRange { len, ..*range })
            })
            .collect()
    };
    if known.is_empty() {
        return None;
    }
    let mut deletion = vec![0];
    write_delete_set(&mut deletion, &known);
    let deletion = Update::decode_v1(&deletion).ok()?;

    let mut undo: UndoManager = UndoManager::with_options(Options {
        // One capture: the deletion below is the only tracked change.
        capture_timeout_millis: u64::MAX,
        ..Options::default()
    });
    let roots = typed_roots(doc);
    for root in &roots {
        match root {
            Out::YMap(map) => undo.expand_scope(doc, map),
            Out::YText(text) => undo.expand_scope(doc, text),
            Out::YArray(array) => undo.expand_scope(doc, array),
            Out::YXmlFragment(fragment) => undo.expand_scope(doc, fragment),
            Out::YXmlElement(element) => undo.expand_scope(doc, element),
            Out::YXmlText(text) => undo.expand_scope(doc, text),
            Out::UndefinedRef(branch) => undo.expand_scope(doc, branch),
            _ => {}
        }
    }
    let updates = Arc::new(Mutex::new(Vec::new()));
    let sink = updates.clone();
    doc.observe_update_v1(OBSERVER, move |_, event| {
        if let Ok(mut updates) = sink.lock() {
            updates.push(event.update.clone());
        }
    })
    .ok()?;
    let applied = {
        let mut txn = doc.transact_mut_with(undo.as_origin());
        txn.apply_update(deletion).is_ok()
    };
    if applied {
        undo.undo_blocking();
    }
    let _ = doc.unobserve_update_v1(OBSERVER);
    drop(undo);
    let updates = std::mem::take(&mut *updates.lock().ok()?);
    match updates.len() {
        0 => None,
        1 => updates.into_iter().next(),
        _ => yrs::merge_updates_v1(updates.iter().map(Vec::as_slice)).ok(),
    }
}

/// The document's top-level types. A document built from updates knows
/// its roots only by name (yrs cannot tell a map from a text until someone
/// asks for one), and changes to an untyped root raise no events, so the
/// undo manager would not see them: each untyped root is typed here the
/// way yrs infers it (live map entries: a map; live strings: a text; other
/// live elements: an array). Roots with neither live content nor a type
/// hold nothing to restore.
fn typed_roots(doc: &Doc) -> Vec<Out> {
    let mut txn = doc.transact_mut();
    let roots: Vec<(String, Out)> = txn
        .root_refs()
        .map(|(name, root)| (name.to_owned(), root))
        .collect();
    roots
        .into_iter()
        .filter_map(|(name, root)| match root {
            Out::UndefinedRef(_) => {
                let name = name.as_str();
                let has_entries = txn.get_map(name).is_some_and(|map| map.len(&txn) > 0);
                let has_text = txn
                    .get_text(name)
                    .is_some_and(|text| !text.get_string(&txn).is_empty());
                let has_elements = txn.get_array(name).is_some_and(|array| array.len(&txn) > 0);
                match (has_entries, has_text, has_elements) {
                    (true, false, _) => Some(Out::YMap(txn.get_or_insert_map(name))),
                    (false, true, _) => Some(Out::YText(txn.get_or_insert_text(name))),
                    (false, false, true) => Some(Out::YArray(txn.get_or_insert_array(name))),
                    _ => None,
                }
            }
            typed => Some(typed),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::types::ToJson;
    use yrs::{Any, MapPrelim, MapRef, Text, TextRef};

    fn sync(from: &Doc, to: &Doc) {
        let update = {
            let txn = from.transact();
            txn.encode_state_as_update_v1(&to.transact().state_vector())
        };
        to.transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
    }

    fn deletes_of(update: &[u8]) -> Vec<DeleteRange> {
        UpdateSummary::parse(update).expect("parses").deletes
    }

    fn json(doc: &Doc) -> (Option<Any>, Option<String>) {
        let txn = doc.transact();
        let cards = txn.get_map("cards").map(|m| m.to_json(&txn));
        let text = txn.get_text("text").map(|t| t.get_string(&txn));
        (cards, text)
    }

    /// A server document with two cards and a text, and a client that has
    /// synced it.
    fn setup() -> (Doc, Doc) {
        let server = Doc::with_client_id(1);
        let owner = Doc::with_client_id(2);
        {
            let mut txn = owner.transact_mut();
            let cards = txn.get_or_insert_map("cards");
            for id in ["card-aaaa", "card-bbbb"] {
                let card: MapPrelim = [("text", Any::from(id)), ("author", Any::from("p1"))]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), yrs::In::Any(v)))
                    .collect();
                cards.insert(&mut txn, id, card);
            }
            txn.get_or_insert_text("text")
                .insert(&mut txn, 0, "Größe für Kitas");
        }
        sync(&owner, &server);
        let sender = Doc::with_client_id(3);
        sync(&server, &sender);
        (server, sender)
    }

    fn deletion_by(sender: &Doc, edit: impl FnOnce(&mut yrs::TransactionMut)) -> Vec<u8> {
        let mut txn = sender.transact_mut();
        edit(&mut txn);
        txn.encode_update_v1()
    }

    #[test]
    fn a_cleared_map_and_text_come_back_on_the_sender_and_stay_for_everyone() {
        let (server, sender) = setup();
        let other = Doc::with_client_id(4);
        sync(&server, &other);
        let before = json(&server);
        let refused = deletion_by(&sender, |txn| {
            let cards: MapRef = txn.get_map("cards").expect("applies");
            cards.clear(txn);
            let text: TextRef = txn.get_text("text").expect("applies");
            text.remove_range(txn, 2, 5);
        });
        assert_ne!(json(&sender), before);
        let update = restore(&server, &deletes_of(&refused)).expect("something to restore");
        assert_eq!(json(&server), before, "the server's content changed");
        for doc in [&sender, &other] {
            doc.transact_mut()
                .apply_update(Update::decode_v1(&update).expect("decodes"))
                .expect("applies");
            assert_eq!(json(doc), before);
        }
        // The sender's own refused deletion, sent again, changes nothing now.
        server
            .transact_mut()
            .apply_update(Update::decode_v1(&refused).expect("decodes"))
            .expect("applies");
        assert_eq!(json(&server), before);
    }

    #[test]
    fn a_deleted_field_comes_back() {
        let (server, sender) = setup();
        let before = json(&server);
        let refused = deletion_by(&sender, |txn| {
            let cards: MapRef = txn.get_map("cards").expect("applies");
            if let Some(yrs::Out::YMap(card)) = cards.get(txn, "card-aaaa") {
                card.remove(txn, "text");
            }
        });
        let update = restore(&server, &deletes_of(&refused)).expect("something to restore");
        sender
            .transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        assert_eq!(json(&sender), before);
        assert_eq!(json(&server), before);
    }

    /// `root[key]`, or `root[key][field]`.
    fn place(root: &str, key: &str, field: Option<&str>) -> Place {
        let (root, key) = (root.into(), key.into());
        match field {
            None => Place::Entry { root, key },
            Some(field) => Place::Field {
                root,
                key,
                field: field.into(),
            },
        }
    }

    #[test]
    fn read_place_sees_values_fields_and_absence() {
        let (server, _) = setup();
        assert_eq!(
            read_place(&server, &place("cards", "card-aaaa", Some("text"))),
            Some(Prior::Value(Any::from("card-aaaa")))
        );
        assert_eq!(
            read_place(&server, &place("cards", "card-aaaa", None)),
            Some(Prior::Map(vec![
                ("author".to_owned(), Any::from("p1")),
                ("text".to_owned(), Any::from("card-aaaa")),
            ]))
        );
        assert_eq!(
            read_place(&server, &place("cards", "card-zzzz", None)),
            Some(Prior::Absent)
        );
        assert_eq!(read_place(&server, &Place::Other), None);
    }

    #[test]
    fn write_back_restores_what_changed_and_skips_what_did_not() {
        let (server, _) = setup();
        let text = place("cards", "card-aaaa", Some("text"));
        let card = place("cards", "card-bbbb", None);
        let priors = vec![
            (text.clone(), read_place(&server, &text).expect("a value")),
            (card.clone(), read_place(&server, &card).expect("an entry")),
        ];
        assert_eq!(write_back(&server, &priors), None, "nothing changed");
        let before = json(&server);
        {
            let mut txn = server.transact_mut();
            let cards = txn.get_or_insert_map("cards");
            if let Some(Out::YMap(entry)) = cards.get(&txn, "card-aaaa") {
                entry.insert(&mut txn, "text", "überschrieben");
            }
            cards.remove(&mut txn, "card-bbbb");
        }
        assert_ne!(json(&server), before);
        // Another copy that saw the changes (a fresh document: a second
        // `setup()` would write other items under the same ids, since a
        // `MapPrelim`'s fields come in hash order).
        let other = Doc::with_client_id(4);
        sync(&server, &other);
        let (update, deleted) = write_back(&server, &priors).expect("written back");
        assert_eq!(json(&server), before);
        assert!(!deleted.is_empty(), "the overwritten text is replaced");
        assert!(!update.is_empty());
        // It converges with the update.
        other
            .transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        assert_eq!(json(&other), before);
    }

    #[test]
    fn revert_deletes_exactly_the_dropped_items_on_the_sender() {
        let sender = Doc::with_client_id(3);
        let update = deletion_by(&sender, |txn| {
            let cards = txn.get_or_insert_map("cards");
            cards.insert(txn, "kept", "ja");
            cards.insert(txn, "dropped", "nein");
        });
        let summary = UpdateSummary::parse(&update).expect("parses");
        assert_eq!(revert(&summary, &vec![false; summary.items.len()]), None);
        let dropped: Vec<bool> = summary
            .items
            .iter()
            .map(|item| item.parent_sub.as_deref() == Some("dropped"))
            .collect();
        let undo = revert(&summary, &dropped).expect("something to revert");
        sender
            .transact_mut()
            .apply_update(Update::decode_v1(&undo).expect("decodes"))
            .expect("applies");
        let txn = sender.transact();
        let cards = txn.get_map("cards").expect("cards");
        assert!(cards.get(&txn, "kept").is_some());
        assert!(cards.get(&txn, "dropped").is_none());
    }

    #[test]
    fn nothing_live_nothing_to_restore() {
        let (server, _) = setup();
        // Clocks the server does not know, and an empty list.
        let unknown = [DeleteRange {
            client: 99,
            clock: 0,
            len: 4,
        }];
        assert_eq!(restore(&server, &unknown), None);
        assert_eq!(restore(&server, &[]), None);
    }
}
