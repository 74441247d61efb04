//! The rule for `placements`: `"{me}:{focalPoint}" = true`, set and
//! removed by the participant themselves while placements are open.

use super::{Context, check_flag};
use crate::board::schema::FOCAL_POINTS;
use crate::protocol::update::Value;
use yrs::ReadTxn;

/// Placing `me` at a focal point.
pub(super) fn insert<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    value: Option<&Value>,
) -> Result<(), &'static str> {
    check_flag(context, key, value, FOCAL_POINTS)?;
    if context.view.placements_open() {
        Ok(())
    } else {
        Err("placements are closed")
    }
}

/// Removing a placement: `me`'s own, while placements are open.
pub(super) fn delete<T: ReadTxn>(context: &Context<'_, '_, T>, key: &str) -> bool {
    key.starts_with(&context.own_prefix) && context.view.placements_open()
}
