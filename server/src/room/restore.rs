//! Bringing a sender back in line after the server refused its deletions.
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

use crate::protocol::update::{DeleteRange, write_delete_set};
use std::sync::{Arc, Mutex};
use yrs::undo::Options;
use yrs::updates::decoder::Decode;
use yrs::{
    Array, ClientID, Doc, GetString, Map, Out, ReadTxn, Transact, UndoManager, Update, WriteTxn,
};

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
    use crate::protocol::update::UpdateSummary;
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
