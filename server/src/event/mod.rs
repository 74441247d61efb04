//! Events: a day of several boards that the participants join once
//! (`docs/protocol.md`, "Events"). What an event is made of, checked, and
//! where the event puts a participant; pure, no I/O. The HTTP side is
//! `http/events.rs`, the records are the store's.
//!
//! - [`Kind`] of a board and [`Part`] of the day;
//! - [`Setup`]: the attributes participants are described by (the sector
//!   always, more as the organiser defines them), the grouping rule and the
//!   programme, stored as JSON with the event;
//! - [`groups`]: who goes into which reflection group;
//! - [`place`]: where a participant is to be now.

pub mod groups;

use crate::board::schema::{SECTORS, Sector};
use crate::export::i18n;
use crate::store::{EventBoardRecord, EventParticipantRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Boards an event may have.
pub const MAX_BOARDS: usize = 12;
/// Attributes besides the sector.
pub const MAX_ATTRIBUTES: usize = 4;
/// Values of one attribute.
pub const MAX_VALUES: usize = 12;
/// Items of the programme.
pub const MAX_PROGRAMME: usize = 30;
/// A board's capacity at most.
pub const MAX_CAPACITY: i64 = 500;
/// Characters of an attribute's or value's label.
pub const LABEL_MAX: usize = 60;
/// Characters of a board's or item's location.
pub const LOCATION_MAX: usize = 80;
/// Characters of a board's description.
pub const DESCRIPTION_MAX: usize = 500;
/// Characters of a programme item's title.
pub const ITEM_TITLE_MAX: usize = 120;
/// Characters of the venue.
pub const VENUE_MAX: usize = 120;

/// The kind of a board within its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The one board of a board made alone.
    Conference,
    Plenary,
    Workshop,
    Reflection,
    /// The problem–solution tree of a reflection group.
    Tree,
}

impl Kind {
    pub fn from_id(id: &str) -> Option<Kind> {
        Some(match id {
            "conference" => Kind::Conference,
            "plenary" => Kind::Plenary,
            "workshop" => Kind::Workshop,
            "reflection" => Kind::Reflection,
            "tree" => Kind::Tree,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Kind::Conference => "conference",
            Kind::Plenary => "plenary",
            Kind::Workshop => "workshop",
            Kind::Reflection => "reflection",
            Kind::Tree => "tree",
        }
    }

    /// Admitted to by a reflection group's assignment.
    pub fn is_group(self) -> bool {
        matches!(self, Kind::Reflection | Kind::Tree)
    }

    /// Every participant of the event is admitted.
    pub fn admits_everyone(self) -> bool {
        matches!(self, Kind::Conference | Kind::Plenary)
    }

    /// The kind of a stored board (an unknown one admits nobody).
    pub fn of(board: &EventBoardRecord) -> Option<Kind> {
        Kind::from_id(&board.kind)
    }
}

/// The part of the day an event is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Plenary,
    Workshops,
    Reflection,
    Ended,
}

impl Part {
    pub const ALL: [Part; 4] = [
        Part::Plenary,
        Part::Workshops,
        Part::Reflection,
        Part::Ended,
    ];

    pub fn from_id(id: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|part| part.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            Part::Plenary => "plenary",
            Part::Workshops => "workshops",
            Part::Reflection => "reflection",
            Part::Ended => "ended",
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub de: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    pub id: String,
    pub label: Label,
}

/// What participants are described by, e.g. the municipality's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub id: String,
    pub label: Label,
    pub values: Vec<Value>,
}

/// How reflection groups are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// Each group as mixed as possible in the attribute (Cottbus: sectors).
    Mixed,
    /// Each group of one value, as far as the groups go round (Kassel:
    /// municipality size).
    Equal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grouping {
    pub rule: Rule,
    pub attribute: String,
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping {
            rule: Rule::Mixed,
            attribute: SECTOR.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The id of the attribute every event has.
pub const SECTOR: &str = "sector";

/// What the organiser set up besides the boards: stored as JSON with the
/// event. `attributes` are the further ones; the sector is always there
/// ([`Setup::all_attributes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    #[serde(default)]
    pub grouping: Grouping,
    #[serde(default)]
    pub programme: Vec<ProgrammeItem>,
}

impl Setup {
    /// The stored setup; one that does not parse (it was written by this
    /// server, so only a damaged database has one) reads as the default.
    pub fn read(json: &str) -> Setup {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The sector first, then the event's own attributes.
    pub fn all_attributes(&self) -> Vec<Attribute> {
        let mut all = vec![sector_attribute()];
        all.extend(self.attributes.iter().cloned());
        all
    }

    /// Checks a participant's values: one defined value for every further
    /// attribute, nothing else. The reason names the attribute.
    pub fn check_values(&self, values: &BTreeMap<String, String>) -> Result<(), String> {
        for (id, value) in values {
            let Some(attribute) = self.attributes.iter().find(|a| &a.id == id) else {
                return Err(format!("this event has no attribute {id:?}"));
            };
            if !attribute.values.iter().any(|v| &v.id == value) {
                return Err(format!("attribute {id} has no value {value:?}"));
            }
        }
        if let Some(missing) = self.attributes.iter().find(|a| !values.contains_key(&a.id)) {
            return Err(format!("attribute {} is required", missing.id));
        }
        Ok(())
    }

    /// Checks everything a new setup must keep to; the reason names the
    /// field.
    pub fn check(&self) -> Result<(), String> {
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(format!("attributes: at most {MAX_ATTRIBUTES}"));
        }
        let mut seen = vec![SECTOR];
        for attribute in &self.attributes {
            check_id(&attribute.id, "attribute id")?;
            if seen.contains(&attribute.id.as_str()) {
                return Err(format!(
                    "attribute {:?} is defined twice (or is the sector)",
                    attribute.id
                ));
            }
            seen.push(&attribute.id);
            check_label(&attribute.label, "attribute label")?;
            if !(2..=MAX_VALUES).contains(&attribute.values.len()) {
                return Err(format!(
                    "attribute {} must have 2 to {MAX_VALUES} values",
                    attribute.id
                ));
            }
            let mut values = Vec::new();
            for value in &attribute.values {
                check_id(&value.id, "value id")?;
                if values.contains(&value.id.as_str()) {
                    return Err(format!(
                        "attribute {} has the value {:?} twice",
                        attribute.id, value.id
                    ));
                }
                values.push(&value.id);
                check_label(&value.label, "value label")?;
            }
        }
        if !seen.contains(&self.grouping.attribute.as_str()) {
            return Err(format!(
                "grouping.attribute must be {SECTOR} or an attribute of the event, not {:?}",
                self.grouping.attribute
            ));
        }
        if self.programme.len() > MAX_PROGRAMME {
            return Err(format!("programme: at most {MAX_PROGRAMME} items"));
        }
        for item in &self.programme {
            if let Some(time) = &item.time {
                if !is_time(time) {
                    return Err(format!("programme time must be HH:MM, not {time:?}"));
                }
            }
            check_text(&item.title, "programme title", 1, ITEM_TITLE_MAX)?;
            if let Some(location) = &item.location {
                check_text(location, "programme location", 0, LOCATION_MAX)?;
            }
        }
        Ok(())
    }

    /// A participant's value of the grouping attribute.
    pub fn grouping_value(&self, participant: &EventParticipantRecord) -> String {
        if self.grouping.attribute == SECTOR {
            return participant.sector.clone();
        }
        values_of(participant)
            .remove(&self.grouping.attribute)
            .unwrap_or_default()
    }
}

/// A participant's values of the further attributes.
pub fn values_of(participant: &EventParticipantRecord) -> BTreeMap<String, String> {
    serde_json::from_str(&participant.attributes).unwrap_or_default()
}

/// The sector as an attribute: the five sectors, in the documents' words.
pub fn sector_attribute() -> Attribute {
    let label = |text: i18n::Text| {
        let (de, en) = text.pair();
        Label {
            de: de.to_owned(),
            en: en.to_owned(),
        }
    };
    Attribute {
        id: SECTOR.to_owned(),
        label: label(i18n::Text::Sector),
        values: SECTORS
            .iter()
            .filter_map(|id| Sector::from_id(id).map(|_| *id))
            .map(|id| Value {
                id: id.to_owned(),
                label: label(i18n::sector(id)),
            })
            .collect(),
    }
}

/// Text the person wrote: trimmed length in characters, no control
/// characters or noncharacters.
pub fn check_text(value: &str, field: &str, min: usize, max: usize) -> Result<(), String> {
    let length = value.trim().chars().count();
    let allowed = |c: char| !c.is_control() && crate::board::schema::is_text_char(c);
    if length < min || length > max || !value.chars().all(allowed) {
        return Err(format!(
            "{field} must be {min} to {max} characters without control characters or noncharacters"
        ));
    }
    Ok(())
}

fn check_label(label: &Label, field: &str) -> Result<(), String> {
    check_text(&label.de, &format!("{field} (de)"), 1, LABEL_MAX)?;
    check_text(&label.en, &format!("{field} (en)"), 1, LABEL_MAX)
}

fn check_id(id: &str, field: &str) -> Result<(), String> {
    let valid = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{field} must be 1 to 32 of a-z, 0-9 and -, not {id:?}"
        ))
    }
}

/// `HH:MM`, 00:00 to 23:59.
fn is_time(time: &str) -> bool {
    let bytes = time.as_bytes();
    bytes.len() == 5
        && bytes[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| bytes[i].is_ascii_digit())
        && (time[..2].parse::<u8>().is_ok_and(|h| h < 24))
        && (time[3..].parse::<u8>().is_ok_and(|m| m < 60))
}

/// `YYYY-MM-DD` of a real day.
pub fn is_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (
        date[..4].parse::<u32>(),
        date[5..7].parse::<u32>(),
        date[8..].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    date.bytes()
        .enumerate()
        .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        && (1..=days).contains(&day)
}

/// Where the event puts a participant now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    /// The board to be on; `None` when there is none for them now.
    pub board: Option<&'a EventBoardRecord>,
    /// In the workshop part without a workshop: they are to choose.
    pub choose: bool,
}

/// Where `participant` is to be in `part`. `boards` are the event's, in
/// their order.
pub fn place<'a>(
    part: Part,
    boards: &'a [EventBoardRecord],
    participant: &EventParticipantRecord,
) -> Place<'a> {
    let find = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| boards.iter().find(|board| board.board == id))
    };
    match part {
        Part::Plenary => Place {
            board: boards
                .iter()
                .find(|b| Kind::of(b) == Some(Kind::Plenary))
                .or_else(|| {
                    boards
                        .iter()
                        .find(|b| Kind::of(b) == Some(Kind::Conference))
                }),
            choose: false,
        },
        Part::Workshops => {
            let board = find(&participant.workshop);
            // A one-board event has no workshops: its board is the place.
            let board = board.or_else(|| {
                boards
                    .iter()
                    .find(|b| Kind::of(b) == Some(Kind::Conference))
            });
            Place {
                board,
                choose: board.is_none()
                    && boards.iter().any(|b| Kind::of(b) == Some(Kind::Workshop)),
            }
        }
        Part::Reflection => Place {
            board: find(&participant.group).or_else(|| {
                boards
                    .iter()
                    .find(|b| Kind::of(b) == Some(Kind::Conference))
            }),
            choose: false,
        },
        Part::Ended => Place {
            board: None,
            choose: false,
        },
    }
}

/// Whether the event admits `participant` to `board`.
pub fn admits(board: &EventBoardRecord, participant: &EventParticipantRecord) -> bool {
    if participant.removed {
        return false;
    }
    match Kind::of(board) {
        Some(kind) if kind.admits_everyone() => true,
        Some(Kind::Workshop) => participant.workshop.as_deref() == Some(board.board.as_str()),
        Some(kind) if kind.is_group() => participant.group.as_deref() == Some(board.board.as_str()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(id: &str, kind: &str) -> EventBoardRecord {
        EventBoardRecord {
            event: "e".into(),
            board: id.into(),
            kind: kind.into(),
            position: 0,
            capacity: None,
            location: String::new(),
            description: String::new(),
        }
    }

    fn person(workshop: Option<&str>, group: Option<&str>) -> EventParticipantRecord {
        EventParticipantRecord {
            event: "e".into(),
            id: "p".into(),
            token_hash: [0; 32],
            name: "Ada".into(),
            organisation: String::new(),
            sector: "behoerde".into(),
            attributes: r#"{"size":"small"}"#.into(),
            email: None,
            phone: None,
            contact_consent: false,
            created_at: 0,
            removed: false,
            workshop: workshop.map(Into::into),
            group: group.map(Into::into),
        }
    }

    fn kassel_setup() -> Setup {
        let label = |s: &str| Label {
            de: s.into(),
            en: s.into(),
        };
        Setup {
            attributes: vec![Attribute {
                id: "size".into(),
                label: label("Gemeindegröße"),
                values: ["small", "medium", "large", "district"]
                    .into_iter()
                    .map(|id| Value {
                        id: id.into(),
                        label: label(id),
                    })
                    .collect(),
            }],
            grouping: Grouping {
                rule: Rule::Equal,
                attribute: "size".into(),
            },
            programme: vec![ProgrammeItem {
                time: Some("09:30".into()),
                title: "Begrüßung".into(),
                part: Some(Part::Plenary),
                location: None,
            }],
        }
    }

    #[test]
    fn the_place_follows_the_part() {
        let boards = [
            board("plenum", "plenary"),
            board("w1", "workshop"),
            board("w2", "workshop"),
            board("r1", "reflection"),
        ];
        let chosen = person(Some("w2"), Some("r1"));
        let place_of = |part, who: &EventParticipantRecord| {
            let place = place(part, &boards, who);
            (place.board.map(|b| b.board.clone()), place.choose)
        };
        assert_eq!(
            place_of(Part::Plenary, &chosen),
            (Some("plenum".into()), false)
        );
        assert_eq!(
            place_of(Part::Workshops, &chosen),
            (Some("w2".into()), false)
        );
        assert_eq!(
            place_of(Part::Reflection, &chosen),
            (Some("r1".into()), false)
        );
        assert_eq!(place_of(Part::Ended, &chosen), (None, false));
        let undecided = person(None, None);
        assert_eq!(place_of(Part::Workshops, &undecided), (None, true));
        assert_eq!(place_of(Part::Reflection, &undecided), (None, false));
        // A one-board event's board is the place in every part but the end.
        let alone = [board("solo", "conference")];
        for part in [Part::Plenary, Part::Workshops, Part::Reflection] {
            assert_eq!(
                place(part, &alone, &undecided)
                    .board
                    .map(|b| b.board.as_str()),
                Some("solo")
            );
        }
    }

    #[test]
    fn a_board_admits_by_its_kind() {
        let chosen = person(Some("w1"), Some("r1"));
        assert!(admits(&board("plenum", "plenary"), &chosen));
        assert!(admits(&board("solo", "conference"), &chosen));
        assert!(admits(&board("w1", "workshop"), &chosen));
        assert!(!admits(&board("w2", "workshop"), &chosen));
        assert!(admits(&board("r1", "reflection"), &chosen));
        assert!(admits(&board("r1", "tree"), &chosen));
        assert!(!admits(&board("r2", "tree"), &chosen));
        assert!(!admits(&board("x", "unknown"), &chosen));
        let removed = EventParticipantRecord {
            removed: true,
            ..chosen
        };
        assert!(!admits(&board("plenum", "plenary"), &removed));
    }

    #[test]
    fn values_must_be_defined_and_complete() {
        let setup = kassel_setup();
        assert_eq!(setup.check(), Ok(()));
        let values = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(a, v)| ((*a).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(setup.check_values(&values(&[("size", "small")])), Ok(()));
        assert_eq!(
            setup.check_values(&values(&[("size", "huge")])),
            Err("attribute size has no value \"huge\"".into())
        );
        assert_eq!(
            setup.check_values(&values(&[])),
            Err("attribute size is required".into())
        );
        assert!(
            setup
                .check_values(&values(&[("size", "small"), ("colour", "red")]))
                .is_err()
        );
        assert_eq!(setup.grouping_value(&person(None, None)), "small");
        assert_eq!(
            Setup::default().grouping_value(&person(None, None)),
            "behoerde"
        );
    }

    #[test]
    fn a_setup_is_checked_field_by_field() {
        let broken = |change: fn(&mut Setup)| {
            let mut setup = kassel_setup();
            change(&mut setup);
            setup.check().expect_err("refused")
        };
        assert!(broken(|s| s.attributes[0].id = "sector".into()).contains("twice"));
        assert!(broken(|s| s.attributes[0].id = "Size!".into()).contains("attribute id"));
        assert!(broken(|s| s.attributes[0].values.truncate(1)).contains("2 to 12"));
        assert!(broken(|s| s.attributes[0].values[1].id = "small".into()).contains("twice"));
        assert!(broken(|s| s.attributes[0].label.en = String::new()).contains("(en)"));
        assert!(broken(|s| s.grouping.attribute = "colour".into()).contains("grouping"));
        assert!(broken(|s| s.programme[0].time = Some("25:00".into())).contains("HH:MM"));
        assert!(broken(|s| s.programme[0].title = "\u{1}".into()).contains("programme title"));
        let all = kassel_setup().all_attributes();
        assert_eq!(all[0].id, SECTOR);
        assert_eq!(all[0].values.len(), 5);
        assert_eq!(Setup::read(&kassel_setup().to_json()), kassel_setup());
        assert_eq!(Setup::read("not json"), Setup::default());
    }

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2027-03-31"));
        assert!(is_date("2028-02-29"));
        assert!(!is_date("2027-02-29"));
        assert!(!is_date("2027-13-01"));
        assert!(!is_date("2027-3-31"));
        assert!(!is_date("31.03.2027"));
        assert!(!is_date("2027-03-3x"));
    }
}
