//! The rule for `participants`: a participant creates and changes their
//! own profile (name, organisation, sector) and no one else's; only the
//! moderator forms groups.

use super::Context;
use crate::board::schema::{NAME_MAX, ORGANISATION_MAX, PROFILE_EDITABLE_FIELDS, Sector};
use crate::protocol::update::Value;
use yrs::ReadTxn;

/// Inserting the profile entry `key` itself.
pub(super) fn insert_entry<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
) -> Result<(), &'static str> {
    if key == context.me && context.created_profile {
        Ok(())
    } else {
        Err("you may only create your own profile")
    }
}

/// Inserting a value into `field` of the profile `key`.
pub(super) fn insert_field<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    field: &str,
    value: Option<&Value>,
) -> Result<(), &'static str> {
    if key != context.me {
        return Err("you may only change your own profile");
    }
    let creating = context.created_profile;
    let ok = match (field, value) {
        ("name", Some(Value::String(name))) => {
            (1..=NAME_MAX).contains(&name.trim().chars().count())
        }
        ("organisation", Some(Value::String(organisation))) => {
            organisation.trim().chars().count() <= ORGANISATION_MAX
        }
        ("sector", Some(Value::String(sector))) => Sector::from_id(sector).is_some(),
        ("joinedAt", Some(Value::Number(time))) if creating => time.is_finite(),
        ("group", _) => return Err("only the moderator forms groups"),
        _ => false,
    };
    ok.then_some(())
        .ok_or("this profile field or value is not allowed")
}

/// Deleting the value of `field` of the profile `key` (a profile itself is
/// never deleted by a participant).
pub(super) fn delete_field<T: ReadTxn>(
    context: &Context<'_, '_, T>,
    key: &str,
    field: &str,
) -> bool {
    key == context.me && PROFILE_EDITABLE_FIELDS.contains(&field)
}
