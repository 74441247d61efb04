//! The part of the rule cards and agreements share: entries with an
//! `author`. A participant may create one that names them as its author
//! (an agreement starts as proposed) while its collection is open, change
//! the editable fields of their own, and delete their own whole; the
//! moderator does everything else. What differs per collection is an
//! [`Authored`] (`cards.rs`, `agreements.rs`).

use super::Context;
use crate::board::BoardView;
use crate::board::places::Place;
use crate::board::schema::{AGREEMENTS, AgreementStatus, CARDS, PARTICIPANTS};
use crate::board::valid_id;
use crate::protocol::update::{ContentKind, TYPE_MAP, UpdateSummary, Value};
use std::collections::HashMap;
use yrs::ReadTxn;

/// One collection of authored entries.
pub(super) trait Authored {
    const ROOT: &'static str;
    /// Whether an entry is `me`'s only while its `status` is `"proposed"`
    /// (and must be created so).
    const PROPOSED_ONLY: bool;
    /// Fields of an existing entry its author may change or delete.
    const EDITABLE: &'static [&'static str];
    /// The reason when the collection is closed.
    const CLOSED: &'static str;
    /// The reason when the entry is someone else's.
    const NOT_YOURS: &'static str;

    /// Whether participants may write in the collection now.
    fn open<T: ReadTxn>(view: &BoardView<'_, T>) -> bool;

    /// Whether `me` may write `value` into `field` (`creating`: of an entry
    /// this update creates).
    fn check_field(
        field: &str,
        value: Option<&Value>,
        me: &str,
        creating: bool,
    ) -> Result<(), &'static str>;
}

/// What an update's new authored entry says about itself.
#[derive(Clone, Copy)]
struct Creation {
    author_is_me: bool,
    /// Agreements must start as proposed; cards have no status.
    proposed: bool,
}

/// The authored entries an update creates, by collection and key.
pub(super) struct Creations<'a> {
    entries: HashMap<(&'a str, &'a str), Creation>,
}

impl<'a> Creations<'a> {
    /// The entries (cards, agreements) the fresh items of `summary` create
    /// in the document `view` shows, and whether they create `me`'s
    /// profile.
    pub(super) fn of<T: ReadTxn>(
        me: &str,
        summary: &UpdateSummary,
        places: &'a [Place],
        fresh: &[bool],
        view: &BoardView<'_, T>,
    ) -> (Creations<'a>, bool) {
        let mut entries = HashMap::new();
        let mut created_profile = false;
        for (position, item) in summary.items.iter().enumerate() {
            let Some(Place::Entry { root, key }) = places.get(position) else {
                continue;
            };
            if !fresh[position] {
                continue;
            }
            let new_map = item.content == ContentKind::Type(TYPE_MAP) && !view.has_entry(root, key);
            let proposed = match root.as_ref() {
                CARDS => true,
                AGREEMENTS => false,
                PARTICIPANTS => {
                    created_profile |= new_map && key.as_ref() == me;
                    continue;
                }
                _ => continue,
            };
            if new_map {
                entries.insert(
                    (root.as_ref(), key.as_ref()),
                    Creation {
                        author_is_me: false,
                        proposed,
                    },
                );
            }
        }
        for (position, item) in summary.items.iter().enumerate() {
            if !fresh[position] {
                continue;
            }
            if let Some(Place::Field { root, key, field }) = places.get(position) {
                if let Some(creation) = entries.get_mut(&(root.as_ref(), key.as_ref())) {
                    match (field.as_ref(), &item.value) {
                        ("author", Some(Value::String(author))) if author == me => {
                            creation.author_is_me = true
                        }
                        ("status", Some(Value::String(status)))
                            if status == AgreementStatus::Proposed.id() =>
                        {
                            creation.proposed = true
                        }
                        _ => {}
                    }
                }
            }
        }
        (Creations { entries }, created_profile)
    }

    fn get(&self, root: &str, key: &str) -> Option<Creation> {
        // Looked up with keys of any lifetime: the map is covariant in its
        // key, and the answer is a copy.
        let entries: &HashMap<(&str, &str), Creation> = &self.entries;
        entries.get(&(root, key)).copied()
    }

    /// Whether the update creates `root[key]` rightly (names `me`, starts
    /// as proposed).
    fn creates(&self, root: &str, key: &str) -> bool {
        self.get(root, key)
            .is_some_and(|creation| creation.author_is_me && creation.proposed)
    }
}

/// Whether the existing entry `key` is `me`'s to change.
fn own_entry<A: Authored, T: ReadTxn>(context: &Context<'_, '_, T>, key: &str) -> bool {
    let view = context.view;
    view.entry_field(A::ROOT, key, "author").as_deref() == Some(context.me)
        && (!A::PROPOSED_ONLY
            || view.entry_field(A::ROOT, key, "status").as_deref()
                == Some(AgreementStatus::Proposed.id()))
}

/// Inserting the entry `key` itself (a new map).
pub(super) fn insert_entry<A: Authored, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
) -> Result<(), &'static str> {
    match context.created.get(A::ROOT, key) {
        Some(_) if !A::open(context.view) => Err(A::CLOSED),
        Some(creation) if !creation.author_is_me => Err("a new entry must name you as its author"),
        Some(creation) if !creation.proposed => Err("a new agreement starts as proposed"),
        Some(_) if valid_id(key) => Ok(()),
        Some(_) => Err("entry ids are 8 to 64 letters, digits, - or _"),
        None => Err("only the moderator may replace an entry"),
    }
}

/// Inserting a value into `field` of the entry `key`.
pub(super) fn insert_field<A: Authored, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    field: &str,
    value: Option<&Value>,
) -> Result<(), &'static str> {
    let creating = context.created.creates(A::ROOT, key);
    if !creating && !own_entry::<A, T>(context, key) {
        Err(A::NOT_YOURS)
    } else if !A::open(context.view) {
        Err(A::CLOSED)
    } else {
        A::check_field(field, value, context.me, creating)
    }
}

/// Whether deleting the entry `key` deletes `me`'s own entry while the
/// collection is open (then its fields may go with it).
pub(super) fn deletes_entry<A: Authored, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
) -> bool {
    A::open(context.view) && own_entry::<A, T>(context, key)
}

/// Deleting the value of an editable `field` of `me`'s own entry.
pub(super) fn delete_field<A: Authored, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    field: &str,
) -> bool {
    A::open(context.view) && own_entry::<A, T>(context, key) && A::EDITABLE.contains(&field)
}
