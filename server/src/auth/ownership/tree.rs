//! The problem–solution tree (the Kassel format, `docs/schema.md`,
//! `cards`): a `challenge` is written while the challenges part is open
//! and may hang under another challenge; a `solution` is written while the
//! solutions part is open and must hang under a challenge of the same
//! board (`parent`); no other card has a parent. Checked for each card an
//! update creates or changes, with the card as it will be: the update's
//! `kind` and `parent` where it sets them, else the document's. A card
//! that breaks the rule loses every item of the update that touches it
//! (a new one is refused whole).

use super::{Context, Verdict};
use crate::board::places::Place;
use crate::board::schema::{CARDS, CardKind};
use crate::protocol::update::{UpdateSummary, Value};
use std::collections::BTreeMap;
use yrs::ReadTxn;

/// What the update writes into one card.
#[derive(Default)]
struct Touched<'a> {
    kind: Option<&'a str>,
    parent: Option<&'a str>,
    positions: Vec<usize>,
}

pub(super) fn check<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    summary: &UpdateSummary,
    places: &[Place],
    fresh: &[bool],
    verdict: &mut Verdict,
) {
    let mut cards: BTreeMap<&str, Touched<'_>> = BTreeMap::new();
    for (position, item) in summary.items.iter().enumerate() {
        if !fresh[position] || verdict.dropped[position] {
            continue;
        }
        match places.get(position) {
            Some(Place::Entry { root, key }) if root.as_ref() == CARDS => {
                cards.entry(key).or_default().positions.push(position);
            }
            Some(Place::Field { root, key, field }) if root.as_ref() == CARDS => {
                let touched = cards.entry(key).or_default();
                touched.positions.push(position);
                match (field.as_ref(), &item.value) {
                    ("kind", Some(Value::String(kind))) => touched.kind = Some(kind),
                    ("parent", Some(Value::String(parent))) => touched.parent = Some(parent),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let view = context.view;
    let kind_of = |key: &str| -> Option<String> {
        match cards.get(key).and_then(|touched| touched.kind) {
            Some(kind) => Some(kind.to_owned()),
            None => view.entry_field(CARDS, key, "kind"),
        }
    };
    let is_challenge = |key: &str| kind_of(key).as_deref() == Some(CardKind::Challenge.id());
    let mut refused = Vec::new();
    for (key, touched) in &cards {
        let kind = kind_of(key);
        let parent = touched
            .parent
            .map(str::to_owned)
            .or_else(|| view.entry_field(CARDS, key, "parent"));
        let parent_is_challenge = || {
            parent
                .as_deref()
                .is_some_and(|parent| parent != *key && is_challenge(parent))
        };
        let rule = match kind.as_deref().and_then(CardKind::from_id) {
            Some(CardKind::Challenge) if !view.challenges_open() => {
                Err("the challenges part is closed")
            }
            Some(CardKind::Challenge) if parent.is_some() && !parent_is_challenge() => {
                Err("a challenge may only hang under a challenge of this board")
            }
            Some(CardKind::Solution) if !view.solutions_open() => {
                Err("the solutions part is closed")
            }
            Some(CardKind::Solution) if !parent_is_challenge() => {
                Err("a solution must name a challenge of this board as its parent")
            }
            Some(CardKind::Challenge | CardKind::Solution) => Ok(()),
            _ if parent.is_some() => Err("only challenges and solutions have a parent"),
            _ => Ok(()),
        };
        if let Err(reason) = rule {
            refused.push((touched.positions.clone(), reason));
        }
    }
    for (positions, reason) in refused {
        for position in positions {
            verdict.dropped[position] = true;
        }
        verdict.refuse(reason);
    }
}
