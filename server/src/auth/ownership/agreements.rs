//! The rule for `agreements`: a participant proposes agreements while
//! agreements are open and changes or withdraws their own while they are
//! proposed; only the moderator confirms or drops them.

use super::authored::Authored;
use crate::board::BoardView;
use crate::board::schema::{
    AGREEMENT_EDITABLE_FIELDS, AGREEMENT_WHAT_MAX, AGREEMENT_WHO_MAX, AGREEMENTS, AgreementStatus,
};
use crate::protocol::update::Value;
use yrs::ReadTxn;

pub(super) struct Agreements;

impl Authored for Agreements {
    const ROOT: &'static str = AGREEMENTS;
    const PROPOSED_ONLY: bool = true;
    const EDITABLE: &'static [&'static str] = &AGREEMENT_EDITABLE_FIELDS;
    const CLOSED: &'static str = "agreements are closed";
    const NOT_YOURS: &'static str = "you may only change your own proposed agreements";

    fn open<T: ReadTxn>(view: &BoardView<'_, T>) -> bool {
        view.agreements_open()
    }

    fn check_field(
        field: &str,
        value: Option<&Value>,
        me: &str,
        creating: bool,
    ) -> Result<(), &'static str> {
        let ok = match (field, value) {
            ("what", Some(Value::String(what))) => {
                (1..=AGREEMENT_WHAT_MAX).contains(&what.trim().chars().count())
            }
            ("who", Some(Value::String(who))) => who.trim().chars().count() <= AGREEMENT_WHO_MAX,
            ("due", Some(Value::String(due))) => is_date(due),
            ("createdAt", Some(Value::Number(time))) if creating => time.is_finite(),
            ("author", Some(Value::String(author))) if creating => author == me,
            ("status", Some(Value::String(status))) if creating => {
                status == AgreementStatus::Proposed.id()
            }
            ("status", _) => return Err("only the moderator confirms or drops agreements"),
            _ => false,
        };
        ok.then_some(())
            .ok_or("this agreement field or value is not allowed")
    }
}

/// `YYYY-MM-DD`.
fn is_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}
