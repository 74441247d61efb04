//! Sync step 1 and step 2 answers, cached until the document changes.
//!
//! The room keeps three encodings so a reconnect storm after a restart does
//! not re-encode the document per client: its own step 1 (its state
//! vector), the step 2 answer for an empty state vector (a new or reset
//! client: the whole document), and the step 2 answer for a client that is
//! up to date. The room clears the cache whenever the document changes.
//!
//! While card texts are hidden (`secrecy`), a peer that may not read all
//! of them gets the answer redacted; the whole document's redactions are
//! cached per class of peer, never shared across classes.

use super::secrecy::{Class, Secrets};
use crate::protocol::Message;
use crate::socket::Frame;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact};

/// Encodings reused until the document changes.
#[derive(Default)]
pub(super) struct SyncCache {
    step1: Option<Frame>,
    full_state_step2: Option<Step2>,
    up_to_date_step2: Option<(StateVector, Step2)>,
    /// What of the whole document is hidden (`None` inside: nothing).
    full_state_secrets: Option<Option<Arc<Secrets>>>,
    /// The whole document as each class of peer may read it.
    full_state_redacted: HashMap<Class, Frame>,
}

/// A sync step 2 answer: the frame, and the update it carries.
#[derive(Clone)]
pub(super) struct Step2 {
    pub frame: Frame,
    pub update: Bytes,
    /// Whether it is the whole document (an empty state vector).
    pub full_state: bool,
}

impl SyncCache {
    /// Forgets every answer: the document changed (or was reloaded).
    pub fn clear(&mut self) {
        *self = SyncCache::default();
    }

    /// The room's own sync step 1 (its state vector).
    pub fn step1(&mut self, doc: &Doc) -> Frame {
        self.step1
            .get_or_insert_with(|| {
                let state_vector = doc.transact().state_vector().encode_v1();
                Frame::binary(&Message::SyncStep1(&state_vector).encode())
            })
            .clone()
    }

    /// The sync step 2 answering a peer's step 1 with state vector `remote`
    /// (validated on the peer's task).
    pub fn step2(&mut self, doc: &Doc, remote: &[u8]) -> Step2 {
        let remote: StateVector = StateVector::decode_v1(remote).unwrap_or_default();
        // The common case (a new client) without computing our state vector.
        if remote.is_empty() {
            if let Some(answer) = &self.full_state_step2 {
                return answer.clone();
            }
        }
        let txn = doc.transact();
        let current = txn.state_vector();
        // What the answer depends on: the remote clocks of clients the room
        // knows, at most the room's own. Clients the room does not know and
        // clocks beyond its own ask for nothing, so a crafted vector that
        // names only such clients gets the cached full state, not an encode.
        let mut normalized = StateVector::default();
        for (client, clock) in remote.iter() {
            let clock = (*clock).min(current.get(client));
            if clock > 0 {
                normalized.set_max(*client, clock);
            }
        }
        let remote = normalized;
        if remote.is_empty() {
            if let Some(answer) = &self.full_state_step2 {
                return answer.clone();
            }
        }
        if let Some((state, answer)) = &self.up_to_date_step2 {
            if *state == remote {
                return answer.clone();
            }
        }
        let update = txn.encode_state_as_update_v1(&remote);
        let answer = Step2 {
            frame: Frame::binary(&Message::SyncStep2(&update).encode()),
            update: Bytes::from(update),
            full_state: remote.is_empty(),
        };
        drop(txn);
        if remote.is_empty() {
            self.full_state_step2 = Some(answer.clone());
        } else if current == remote {
            self.up_to_date_step2 = Some((remote, answer.clone()));
        }
        answer
    }

    /// What of the whole document is hidden, if known since the last change.
    pub fn full_state_secrets(&self) -> Option<Option<Arc<Secrets>>> {
        self.full_state_secrets.clone()
    }

    pub fn set_full_state_secrets(&mut self, secrets: Option<Arc<Secrets>>) {
        self.full_state_secrets = Some(secrets);
    }

    /// `answer` as a peer of `class` may read it (`secrets` are the
    /// answer's): cached for the whole document.
    pub fn redacted(&mut self, answer: &Step2, secrets: &Secrets, class: Class) -> Frame {
        if answer.full_state {
            if let Some(frame) = self.full_state_redacted.get(&class) {
                return frame.clone();
            }
        }
        let frame = match secrets.redact(&answer.update, &class) {
            Some(update) => Frame::binary(&Message::SyncStep2(&update).encode()),
            None => answer.frame.clone(),
        };
        if answer.full_state {
            self.full_state_redacted.insert(class, frame.clone());
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::SyncCache;
    use crate::protocol::Message;
    use crate::socket::Frame;
    use yrs::updates::decoder::Decode;
    use yrs::updates::encoder::Encode;
    use yrs::{ClientID, Doc, Map, ReadTxn, StateVector, Transact, Update};

    fn doc_with(cards: &[(&str, &str)]) -> Doc {
        let doc = Doc::with_client_id(1);
        let map = doc.get_or_insert_map("cards");
        let mut txn = doc.transact_mut();
        for (key, text) in cards {
            map.insert(&mut txn, *key, *text);
        }
        drop(txn);
        doc
    }

    /// The update a step 2 frame carries.
    fn update_of(frame: &Frame) -> Vec<u8> {
        // A short binary frame: two header bytes, or four past 125 bytes.
        let bytes = frame.as_bytes();
        let payload = if bytes[1] == 126 {
            &bytes[4..]
        } else {
            &bytes[2..]
        };
        match Message::decode(payload).expect("a valid message") {
            Message::SyncStep2(update) => update.to_vec(),
            _ => panic!("not a sync step 2"),
        }
    }

    fn card(doc: &Doc, key: &str) -> Option<String> {
        let txn = doc.transact();
        txn.get_map("cards")
            .and_then(|cards| cards.get(&txn, key))
            .map(|value| value.to_string(&txn))
    }

    #[test]
    fn step_1_carries_the_state_vector_until_cleared() {
        let doc = doc_with(&[("a", "eins")]);
        let mut cache = SyncCache::default();
        let expected =
            Frame::binary(&Message::SyncStep1(&doc.transact().state_vector().encode_v1()).encode());
        assert_eq!(cache.step1(&doc), expected);
        doc.get_or_insert_map("cards")
            .insert(&mut doc.transact_mut(), "b", "zwei");
        assert_eq!(cache.step1(&doc), expected, "cached until cleared");
        cache.clear();
        assert_ne!(cache.step1(&doc), expected);
    }

    #[test]
    fn unknown_clients_and_clocks_beyond_ours_get_the_full_state() {
        let doc = doc_with(&[("a", "eins"), ("b", "zwei")]);
        let mut cache = SyncCache::default();
        let full = cache.step2(&doc, &StateVector::default().encode_v1()).frame;
        let mut crafted = StateVector::default();
        crafted.set_max(ClientID::new(123_456), 7);
        assert_eq!(cache.step2(&doc, &crafted.encode_v1()).frame, full);
        let fresh = Doc::new();
        fresh
            .transact_mut()
            .apply_update(Update::decode_v1(&update_of(&full)).expect("decodes"))
            .expect("applies");
        assert_eq!(card(&fresh, "b").as_deref(), Some("zwei"));
    }

    #[test]
    fn a_partial_vector_gets_what_it_lacks_and_an_up_to_date_one_is_cached() {
        let doc = doc_with(&[("a", "eins")]);
        let peer = Doc::new();
        peer.transact_mut()
            .apply_update(
                Update::decode_v1(
                    &doc.transact()
                        .encode_state_as_update_v1(&StateVector::default()),
                )
                .expect("decodes"),
            )
            .expect("applies");
        doc.get_or_insert_map("cards")
            .insert(&mut doc.transact_mut(), "b", "zwei");
        let mut cache = SyncCache::default();
        let behind = peer.transact().state_vector().encode_v1();
        let answer = cache.step2(&doc, &behind).frame;
        peer.transact_mut()
            .apply_update(Update::decode_v1(&update_of(&answer)).expect("decodes"))
            .expect("applies");
        assert_eq!(card(&peer, "b").as_deref(), Some("zwei"));

        let current = doc.transact().state_vector().encode_v1();
        let up_to_date = cache.step2(&doc, &current).frame;
        assert_eq!(cache.step2(&doc, &current).frame, up_to_date);
        // Cached, so a change goes unseen until the room clears the cache.
        doc.get_or_insert_map("cards")
            .insert(&mut doc.transact_mut(), "c", "drei");
        assert_eq!(cache.step2(&doc, &current).frame, up_to_date);
        cache.clear();
        assert_ne!(cache.step2(&doc, &current).frame, up_to_date);
    }
}
