//! The rule for `cards`: a participant writes cards of the participants'
//! kinds while writing is open, and changes or deletes their own; only the
//! moderator sorts cards into clusters.

use super::authored::Authored;
use crate::board::BoardView;
use crate::board::schema::{CARD_EDITABLE_FIELDS, CARD_TEXT_MAX, CARDS, CardKind, valid_id};
use crate::protocol::update::Value;
use yrs::ReadTxn;

pub(super) struct Cards;

impl Authored for Cards {
    const ROOT: &'static str = CARDS;
    const PROPOSED_ONLY: bool = false;
    const EDITABLE: &'static [&'static str] = &CARD_EDITABLE_FIELDS;
    const CLOSED: &'static str = "card writing is closed";
    const NOT_YOURS: &'static str = "you may only change your own cards";

    fn open<T: ReadTxn>(view: &BoardView<'_, T>) -> bool {
        view.writing_open()
    }

    fn check_field(
        field: &str,
        value: Option<&Value>,
        me: &str,
        creating: bool,
    ) -> Result<(), &'static str> {
        let ok = match (field, value) {
            ("text", Some(Value::String(text))) => {
                (1..=CARD_TEXT_MAX).contains(&text.trim().chars().count())
            }
            ("kind", Some(Value::String(kind))) => {
                CardKind::from_id(kind).is_some_and(CardKind::participants_write)
            }
            ("editedAt", Some(Value::Number(time))) => time.is_finite(),
            ("createdAt", Some(Value::Number(time))) if creating => time.is_finite(),
            ("author", Some(Value::String(author))) if creating => author == me,
            ("group", Some(Value::String(group))) if creating => valid_id(group),
            // Which challenge a challenge or solution hangs under (`tree`);
            // moving it later is the moderator's.
            ("parent", Some(Value::String(parent))) if creating => valid_id(parent),
            ("cluster", _) => return Err("only the moderator sorts cards into clusters"),
            _ => false,
        };
        ok.then_some(())
            .ok_or("this card field or value is not allowed")
    }
}
