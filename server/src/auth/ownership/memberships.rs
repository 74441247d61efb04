//! The rule for `memberships`: `"{me}:{network}" = true`, set and removed
//! by the participant themselves at any time.

use super::{Context, check_flag};
use crate::board::schema::NETWORKS;
use crate::protocol::update::Value;
use yrs::ReadTxn;

/// Enrolling `me` in a network.
pub(super) fn insert<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    value: Option<&Value>,
) -> Result<(), &'static str> {
    check_flag(context, key, value, NETWORKS)
}

/// Leaving a network: only `me`'s own membership.
pub(super) fn delete<T: ReadTxn>(context: &Context<'_, '_, T>, key: &str) -> bool {
    key.starts_with(&context.own_prefix)
}
