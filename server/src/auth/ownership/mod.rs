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
//!
//! [`check`] walks the update and asks the rule of the place's collection,
//! one file each:
//!
//! - `cards`, `agreements`: authored entries (the shared part of their
//!   rule, creating and owning an entry, is `authored`);
//! - `profile`: a participant's own `participants` entry;
//! - `votes`: dots on clusters, and the vote budget;
//! - `placements`, `memberships`: "I am at this focal point / in this
//!   network" flags;
//! - `tree`: the parts and parents of the problem–solution tree's cards.
//!
//! Every other place is the moderator's. `dependents` refuses what builds
//! on a refused item.

mod agreements;
mod authored;
mod cards;
mod dependents;
mod memberships;
mod placements;
mod profile;
mod tree;
mod votes;

use crate::board::BoardView;
use crate::board::places::{Place, PlaceIndex};
use crate::board::schema::{AGREEMENTS, CARDS, MEMBERSHIPS, PARTICIPANTS, PLACEMENTS, VOTES};
use crate::protocol::update::{ContentKind, DeleteRange, Id, UpdateSummary, Value};
use agreements::Agreements;
use authored::Creations;
use cards::Cards;
use dependents::{drop_dependents, drop_half_entries};
use std::collections::HashSet;
use yrs::ReadTxn;

/// The answer for a place no participant may change.
const MODERATOR_ONLY: &str = "only the moderator may change this";
const TEXT_CHARACTERS: &str = "texts may not hold control characters or noncharacters";

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

/// What every collection's rule reads: who sends the update, the board as
/// it is, and what the update creates.
struct Context<'a, 'v, T: ReadTxn> {
    me: &'a str,
    /// `"{me}:"`, the start of the keys of `me`'s votes, placements and
    /// memberships.
    own_prefix: String,
    view: &'a BoardView<'v, T>,
    /// Authored entries (cards, agreements) the update creates.
    created: Creations<'a>,
    /// Whether the update creates `me`'s profile.
    created_profile: bool,
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
    let (created, created_profile) = Creations::of(me, summary, places, &fresh, view);
    let context = Context {
        me,
        own_prefix: format!("{me}:"),
        view,
        created,
        created_profile,
    };

    // Inserts.
    let mut ballot = votes::Ballot::default();
    for (position, item) in summary.items.iter().enumerate() {
        if !fresh[position] {
            continue;
        }
        let place = places.get(position).unwrap_or(&Place::Other);
        // A field value that arrives as deleted content holds nothing; at
        // most it takes the field's current value away. A phone that
        // changed a field twice offline sends the first change so (Yjs
        // collected it), the second built on it: allowed where deleting
        // the field is.
        let collected = item.content == ContentKind::Deleted
            && matches!(place, Place::Field { .. })
            && check_delete(&context, place, &HashSet::new(), &mut ballot);
        if collected {
            continue;
        }
        if let Err(reason) = check_insert(&context, place, item.value.as_ref(), &mut ballot) {
            verdict.dropped[position] = true;
            verdict.refuse(reason);
        }
    }

    // The problem–solution tree: parts and parents of challenges and
    // solutions, for each card as the update leaves it.
    tree::check(&context, summary, places, &fresh, &mut verdict);

    // A new entry with a refused field is refused whole; a refused entry
    // takes its fields with it, and anything that builds on a refused item
    // of this update is refused too.
    drop_half_entries(places, &fresh, &mut verdict);
    drop_dependents(summary, places, &mut verdict);

    // Deletes: only those that remove something still visible matter.
    let mut deleted_entries: HashSet<(&str, &str)> = HashSet::new();
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
                let whole = match root.as_ref() {
                    CARDS => authored::deletes_entry::<Cards, _>(&context, key),
                    AGREEMENTS => authored::deletes_entry::<Agreements, _>(&context, key),
                    _ => false,
                };
                if whole {
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
        if check_delete(&context, &place, &deleted_entries, &mut ballot) {
            verdict.allowed_deletes.push(part);
        } else {
            verdict.refuse("you may only delete your own entries");
            verdict.refused_deletes.push((part, place));
        }
    }

    // The vote budget holds for the state after the update.
    if ballot.exceeds_budget(&context) {
        for (position, place) in places.iter().enumerate() {
            if matches!(place, Place::Entry { root, .. } if root.as_ref() == VOTES) {
                verdict.dropped[position] = true;
            }
        }
        verdict.refuse("that is more votes than your budget");
    }
    verdict
}

/// Whether `me` may insert an item with `value` at `place`: the rule of
/// the place's collection.
fn check_insert<'u, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    place: &'u Place,
    value: Option<&Value>,
    ballot: &mut votes::Ballot<'u>,
) -> Result<(), &'static str> {
    // Every text a participant writes, in any collection: the documents
    // are XML (DOCX, the network map's SVG) and must stay well-formed.
    if let Some(Value::String(text)) = value
        && !crate::board::schema::is_board_text(text)
    {
        return Err(TEXT_CHARACTERS);
    }
    match place {
        Place::Entry { root, key } => match root.as_ref() {
            CARDS => authored::insert_entry::<Cards, _>(context, key),
            AGREEMENTS => authored::insert_entry::<Agreements, _>(context, key),
            PARTICIPANTS => profile::insert_entry(context, key),
            VOTES => votes::insert(context, key, value, ballot),
            PLACEMENTS => placements::insert(context, key, value),
            MEMBERSHIPS => memberships::insert(context, key, value),
            _ => Err(MODERATOR_ONLY),
        },
        Place::Field { root, key, field } => match root.as_ref() {
            CARDS => authored::insert_field::<Cards, _>(context, key, field, value),
            AGREEMENTS => authored::insert_field::<Agreements, _>(context, key, field, value),
            PARTICIPANTS => profile::insert_field(context, key, field, value),
            _ => Err(MODERATOR_ONLY),
        },
        Place::Inside { .. } | Place::Other => Err(MODERATOR_ONLY),
    }
}

/// Whether `me` may delete what lies at `place`; `deleted_entries` are the
/// authored entries this update deletes whole (with their fields).
fn check_delete<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    place: &Place,
    deleted_entries: &HashSet<(&str, &str)>,
    ballot: &mut votes::Ballot<'_>,
) -> bool {
    match place {
        Place::Entry { root, key } => match root.as_ref() {
            CARDS | AGREEMENTS => deleted_entries.contains(&(root.as_ref(), key.as_ref())),
            VOTES => ballot.delete(context, key),
            PLACEMENTS => placements::delete(context, key),
            MEMBERSHIPS => memberships::delete(context, key),
            _ => false,
        },
        Place::Field { root, key, field } => {
            let whole = deleted_entries.contains(&(root.as_ref(), key.as_ref()));
            match root.as_ref() {
                CARDS => whole || authored::delete_field::<Cards, _>(context, key, field),
                AGREEMENTS => whole || authored::delete_field::<Agreements, _>(context, key, field),
                PARTICIPANTS => profile::delete_field(context, key, field),
                _ => false,
            }
        }
        Place::Inside { .. } | Place::Other => false,
    }
}

/// `"{me}:{target}" = true` where `target` must exist in `targets`: the
/// form of placements and memberships.
fn check_flag<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    value: Option<&Value>,
    targets: &str,
) -> Result<(), &'static str> {
    let Some(target) = key.strip_prefix(&context.own_prefix) else {
        return Err("you may only place or enrol yourself");
    };
    if !context.view.has_entry(targets, target) {
        return Err("there is no such focal point or network");
    }
    if value != Some(&Value::Bool(true)) {
        return Err("this value is not allowed");
    }
    Ok(())
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
mod tests;
