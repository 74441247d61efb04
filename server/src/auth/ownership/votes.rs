//! The rule for `votes`: `"{me}:{cluster}"` = a whole number of dots, cast
//! and taken back by the participant themselves while voting is open, and
//! in all never more than the board's vote budget.

use super::Context;
use crate::board;
use crate::board::schema::{CLUSTERS, MAX_VOTES_ON_ONE_CLUSTER, VOTES};
use crate::protocol::update::Value;
use std::collections::{HashMap, HashSet};
use yrs::ReadTxn;

/// The votes an update casts and takes back, for the budget.
#[derive(Default)]
pub(super) struct Ballot<'u> {
    cast: HashMap<&'u str, f64>,
    removed: HashSet<String>,
}

/// Casting the vote `key` with `value`.
pub(super) fn insert<'u, T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &'u str,
    value: Option<&Value>,
    ballot: &mut Ballot<'u>,
) -> Result<(), &'static str> {
    let Some(cluster) = key.strip_prefix(&context.own_prefix) else {
        return Err("you may only cast your own votes");
    };
    if !context.view.voting_open() {
        return Err("voting is not open");
    }
    if !context.view.has_entry(CLUSTERS, cluster) {
        return Err("there is no such cluster");
    }
    match value {
        Some(Value::Number(count))
            if count.fract() == 0.0 && *count >= 1.0 && *count <= MAX_VOTES_ON_ONE_CLUSTER =>
        {
            ballot.cast.insert(key, *count);
            Ok(())
        }
        _ => Err("a vote is a whole number of dots"),
    }
}

impl Ballot<'_> {
    /// Taking back the vote `key`: the participant's own, while voting is
    /// open.
    pub(super) fn delete<T: ReadTxn>(&mut self, context: &Context<'_, '_, T>, key: &str) -> bool {
        if key.starts_with(&context.own_prefix) && context.view.voting_open() {
            self.removed.insert(key.to_owned());
            true
        } else {
            false
        }
    }

    /// Whether `me`'s votes after the update exceed the budget (an update
    /// that casts none never does).
    pub(super) fn exceeds_budget<T: ReadTxn>(&self, context: &Context<'_, '_, T>) -> bool {
        if self.cast.is_empty() {
            return false;
        }
        let view = context.view;
        let mut totals: HashMap<String, f64> = view
            .entries_with_prefix(VOTES, &context.own_prefix)
            .into_iter()
            .filter(|(key, _)| !self.removed.contains(key))
            .filter_map(|(key, value)| board::number(&value).map(|count| (key, count)))
            .collect();
        for (key, count) in &self.cast {
            totals.insert((*key).to_owned(), *count);
        }
        totals.values().sum::<f64>() > view.vote_budget()
    }
}
