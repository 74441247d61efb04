//! What builds on a refused item is refused too: the fields of a refused
//! entry, and every item whose origin or parent lies in a dropped item of
//! the same update. And an entry the update creates goes whole or not at
//! all: a refused field refuses it (no card without its text).

use super::Verdict;
use crate::board::places::Place;
use crate::protocol::update::{Id, UpdateSummary};
use std::collections::{HashMap, HashSet};

/// Marks as dropped every entry this update creates (`fresh` items) one of
/// whose fields is dropped: a new entry is written whole or not at all, so a
/// card whose text is refused does not stay as an empty card. An existing
/// entry keeps its other fields when one change to it is refused.
pub(super) fn drop_half_entries(places: &[Place], fresh: &[bool], verdict: &mut Verdict) {
    let half: HashSet<Place> = places
        .iter()
        .zip(&verdict.dropped)
        .filter(|(_, dropped)| **dropped)
        .filter_map(|(place, _)| match place {
            Place::Field { root, key, .. } => Some(Place::Entry {
                root: root.clone(),
                key: key.clone(),
            }),
            _ => None,
        })
        .collect();
    if half.is_empty() {
        return;
    }
    for (position, place) in places.iter().enumerate() {
        if fresh.get(position).copied().unwrap_or(false) && half.contains(place) {
            if let Some(dropped) = verdict.dropped.get_mut(position) {
                *dropped = true;
            }
        }
    }
}

/// Marks as dropped every field of a refused entry and every item whose
/// origin or parent lies in a dropped item of the same update.
pub(super) fn drop_dependents(summary: &UpdateSummary, places: &[Place], verdict: &mut Verdict) {
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
