//! Which entry of the board document each item belongs to.
//!
//! The schema (`docs/schema.md`) keeps every entry one level below a
//! top-level map: `cards[id]` is a `Y.Map` of primitive fields, `votes[key]`
//! a primitive. So every item is either an entry of a top-level map, a field
//! of such an entry, or something the schema does not describe. Items name
//! their parent by the id of the shared type's item, or implicitly through
//! their origin; the index remembers the place of every item integrated so
//! far so that both can be traced.

use crate::protocol::update::{Id, Parent, UpdateSummary};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// `root[key]`: an entry (a nested map or a primitive value).
    Entry { root: Arc<str>, key: Arc<str> },
    /// `root[key][field]`.
    Field {
        root: Arc<str>,
        key: Arc<str>,
        field: Arc<str>,
    },
    /// Content nested in a field's shared type: the characters of a
    /// `Y.Text` at `root[key][field]`, and anything deeper in it. The
    /// schema has no such content (participants may not write it); the
    /// hidden cards' text must still be found there (`room/secrecy.rs`).
    Inside {
        root: Arc<str>,
        key: Arc<str>,
        field: Arc<str>,
    },
    /// Anything else: text or array content, deeper nesting.
    Other,
}

/// Places of all items integrated into a document, by id range.
#[derive(Debug, Default)]
pub struct PlaceIndex {
    clients: HashMap<u64, BTreeMap<u32, (u32, Place)>>,
}

impl PlaceIndex {
    /// The place of the item that contains `id`.
    pub fn place_of(&self, id: Id) -> Option<&Place> {
        let (start, (len, place)) = self
            .clients
            .get(&id.client)?
            .range(..=id.clock)
            .next_back()?;
        (u64::from(id.clock) < u64::from(*start) + u64::from(*len)).then_some(place)
    }

    /// Items overlapping `clock..clock + len` of `client`, with the overlap.
    pub fn overlapping(&self, client: u64, clock: u32, len: u32) -> Vec<(u32, u32, &Place)> {
        let Some(items) = self.clients.get(&client) else {
            return Vec::new();
        };
        let end = u64::from(clock) + u64::from(len);
        let first = items
            .range(..=clock)
            .next_back()
            .map(|(start, _)| *start)
            .unwrap_or(clock);
        items
            .range(first..)
            .take_while(|(start, _)| u64::from(**start) < end)
            .filter_map(|(start, (item_len, place))| {
                let from = (*start).max(clock);
                let to = (u64::from(*start) + u64::from(*item_len)).min(end);
                (u64::from(from) < to).then(|| (from, (to - u64::from(from)) as u32, place))
            })
            .collect()
    }

    /// The place of every item of `summary`, tracing parents and origins
    /// through the update itself and through the index.
    pub fn resolve(&self, summary: &UpdateSummary) -> Vec<Place> {
        let mut resolver = Resolver {
            index: self,
            summary,
            by_client: HashMap::new(),
            places: vec![None; summary.items.len()],
        };
        for (position, item) in summary.items.iter().enumerate() {
            resolver.by_client.entry(item.id.client).or_default().push((
                item.id.clock,
                item.len,
                position,
            ));
        }
        (0..summary.items.len())
            .map(|item| resolver.place(item, 0))
            .collect()
    }

    /// Records the places of the items of an integrated update (refused
    /// items too: they stay as deleted content that later items may name as
    /// their origin).
    pub fn record(&mut self, summary: &UpdateSummary, places: &[Place]) {
        for (position, item) in summary.items.iter().enumerate() {
            let place = places.get(position).cloned().unwrap_or(Place::Other);
            self.clients
                .entry(item.id.client)
                .or_default()
                .insert(item.id.clock, (item.len, place));
        }
    }

    /// Indexes a whole update (loading from the store).
    pub fn record_update(&mut self, summary: &UpdateSummary) {
        let places = self.resolve(summary);
        self.record(summary, &places);
    }
}

struct Resolver<'a> {
    index: &'a PlaceIndex,
    summary: &'a UpdateSummary,
    /// (clock, len, position) of the update's items per client, in clock order.
    by_client: HashMap<u64, Vec<(u32, u32, usize)>>,
    places: Vec<Option<Place>>,
}

/// Parents are at most two levels up; anything deeper is `Other` anyway.
const MAX_DEPTH: usize = 8;

impl Resolver<'_> {
    fn place(&mut self, position: usize, depth: usize) -> Place {
        if let Some(Some(place)) = self.places.get(position) {
            return place.clone();
        }
        if depth > MAX_DEPTH {
            return Place::Other;
        }
        let Some(item) = self.summary.items.get(position) else {
            return Place::Other;
        };
        let place = match &item.parent {
            Parent::Root(root) => match &item.parent_sub {
                Some(key) => Place::Entry {
                    root: Arc::from(root.as_str()),
                    key: Arc::from(key.as_str()),
                },
                None => Place::Other,
            },
            Parent::Item(parent) => match (self.place_of(*parent, depth + 1), &item.parent_sub) {
                (Place::Entry { root, key }, Some(field)) => Place::Field {
                    root,
                    key,
                    field: Arc::from(field.as_str()),
                },
                (Place::Field { root, key, field } | Place::Inside { root, key, field }, _) => {
                    Place::Inside { root, key, field }
                }
                _ => Place::Other,
            },
            // Same parent and key as the neighbour it was inserted next to.
            Parent::SameAsOrigin => match item.origin.or(item.right_origin) {
                Some(neighbour) => self.place_of(neighbour, depth + 1),
                None => Place::Other,
            },
        };
        if let Some(slot) = self.places.get_mut(position) {
            *slot = Some(place.clone());
        }
        place
    }

    fn place_of(&mut self, id: Id, depth: usize) -> Place {
        let inside = self.by_client.get(&id.client).and_then(|items| {
            let after = items.partition_point(|(clock, _, _)| *clock <= id.clock);
            let (clock, len, position) = *items.get(after.checked_sub(1)?)?;
            (u64::from(id.clock) < u64::from(clock) + u64::from(len)).then_some(position)
        });
        match inside {
            Some(position) => self.place(position, depth),
            None => self.index.place_of(id).cloned().unwrap_or(Place::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Doc, Map, MapPrelim, ReadTxn, StateVector, Transact};

    fn entry(root: &str, key: &str) -> Place {
        Place::Entry {
            root: root.into(),
            key: key.into(),
        }
    }

    fn field(root: &str, key: &str, field: &str) -> Place {
        Place::Field {
            root: root.into(),
            key: key.into(),
            field: field.into(),
        }
    }

    #[test]
    fn traces_entries_fields_and_overwrites() {
        let doc = Doc::with_client_id(1);
        let cards = doc.get_or_insert_map("cards");
        let mut index = PlaceIndex::default();

        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let card = cards.insert(&mut txn, "c1", MapPrelim::default());
            card.insert(&mut txn, "text", "Wohnraum fehlt");
        }
        let first = UpdateSummary::parse(&doc.transact().encode_state_as_update_v1(&before))
            .expect("valid");
        let places = index.resolve(&first);
        assert!(places.contains(&entry("cards", "c1")));
        assert!(places.contains(&field("cards", "c1", "text")));
        index.record(&first, &places);

        // An overwrite names no parent: it is traced through its origin.
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let Some(yrs::Out::YMap(card)) = cards.get(&txn, "c1") else {
                panic!("card exists")
            };
            card.insert(&mut txn, "text", "Wohnraum fehlt dringend");
        }
        let second = UpdateSummary::parse(&doc.transact().encode_state_as_update_v1(&before))
            .expect("valid");
        assert_eq!(second.items[0].parent, Parent::SameAsOrigin);
        assert_eq!(index.resolve(&second), vec![field("cards", "c1", "text")]);
        // The delete of the old value lands on the old text item.
        let deleted = &second.deletes[0];
        let overlapping = index.overlapping(deleted.client, deleted.clock, deleted.len);
        assert_eq!(overlapping.len(), 1);
        assert_eq!(overlapping[0].2, &field("cards", "c1", "text"));
        let _ = StateVector::default();
    }
}
