//! The board document's vocabulary (`docs/schema.md`), in one place: the
//! top-level names, the forms of ids and keys, sectors, card kinds, note
//! categories, agreement statuses, the lengths of texts, and which fields
//! an entry's owner may edit. The ownership rule (`auth::ownership`), the HTTP API
//! (`http/boards.rs`) and the exports (`export::i18n`, `export::report`)
//! import it from here, so they cannot drift apart.

/// Version of the document schema, stored as `meta.schemaVersion`.
pub const SCHEMA_VERSION: i64 = 1;

/// Top-level map names.
pub const META: &str = "meta";
pub const CARDS: &str = "cards";
pub const PARTICIPANTS: &str = "participants";
pub const CLUSTERS: &str = "clusters";
pub const VOTES: &str = "votes";
pub const PLACEMENTS: &str = "placements";
pub const FOCAL_POINTS: &str = "focalPoints";
pub const AGREEMENTS: &str = "agreements";
pub const NETWORKS: &str = "networks";
pub const MEMBERSHIPS: &str = "memberships";
/// Suggestions of cards that look alike the moderator dismissed.
pub const DISMISSALS: &str = "dismissals";

/// The `author` of a card or proposal whose author was erased and that
/// was kept without their name (`DELETE .../participants/{id}` with
/// `keep_cards`). No participant id is ever this (they are 22 random
/// characters); exports show no name for it, and only the moderator may
/// change such an entry.
pub const ANONYMOUS_AUTHOR: &str = "anonymous";

/// `meta` field the server sets (ms) whenever it erased a person: apps
/// drop their undo history then, so no undo brings erased text back.
pub const ERASED_AT: &str = "erasedAt";

/// Every top-level type the schema has (`docs/schema.md`, "Top-level types").
pub const ROOTS: [&str; 17] = [
    META,
    PARTICIPANTS,
    "groups",
    CARDS,
    CLUSTERS,
    VOTES,
    "offerLinks",
    "agenda",
    "cases",
    FOCAL_POINTS,
    PLACEMENTS,
    "notes",
    AGREEMENTS,
    NETWORKS,
    MEMBERSHIPS,
    "handout",
    DISMISSALS,
];

/// Top-level maps keyed by field name rather than by id.
const FIELD_ROOTS: [&str; 2] = [META, "handout"];

/// Top-level maps keyed by `"{id}:{id}"`.
const PAIR_ROOTS: [&str; 4] = [VOTES, "offerLinks", PLACEMENTS, MEMBERSHIPS];

/// Whether a character may stand in a text of the board (docs/schema.md,
/// "Text"): what XML 1.0 allows (so the DOCX and the network map's SVG stay
/// well-formed: no C0 control but tab, line feed and carriage return, no
/// U+FFFE or U+FFFF) and no other Unicode noncharacter (U+FDD0 to U+FDEF,
/// the last two code points of every plane).
pub fn is_text_char(c: char) -> bool {
    let n = u32::from(c);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE;
    (n >= 0x20 || matches!(c, '\t' | '\n' | '\r')) && !noncharacter
}

/// Whether every character of `text` may stand in a text of the board.
pub fn is_board_text(text: &str) -> bool {
    text.chars().all(is_text_char)
}

/// `text` with every character a text of the board may not hold replaced
/// by U+FFFD, for what reaches the documents from a document written
/// before the check, or by the moderator (whose edits are not checked).
pub fn board_text(text: &str) -> std::borrow::Cow<'_, str> {
    if is_board_text(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(
            text.chars()
                .map(|c| if is_text_char(c) { c } else { '\u{fffd}' })
                .collect(),
        )
    }
}

/// Ids of entries: `^[A-Za-z0-9_-]{8,64}$` (docs/schema.md).
pub fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Field names: `^[A-Za-z0-9_]{1,64}$` (the schema's are camelCase words).
pub fn valid_field_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `key` can be an entry of top-level map `root`.
pub fn valid_key(root: &str, key: &str) -> bool {
    if FIELD_ROOTS.contains(&root) {
        valid_field_name(key)
    } else if PAIR_ROOTS.contains(&root) {
        key.split_once(':')
            .is_some_and(|(a, b)| valid_id(a) && valid_id(b))
    } else {
        valid_id(key)
    }
}

/// A closed set of ids the document stores, as an enum: `ALL` (in display
/// order), `id()`, `from_id()`, and the ids as a `&str` array.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $ids:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $id:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// In display order.
            pub const ALL: [$name; [$($id),+].len()] = [$($name::$variant),+];

            /// The id the document stores.
            pub const fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)+
                }
            }

            pub fn from_id(id: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|known| known.id() == id)
            }
        }

        /// The ids in display order.
        pub const $ids: [&str; [$($id),+].len()] = [$($id),+];
    };
}

vocabulary! {
    /// The sector a participant comes from (`participants[id].sector`).
    Sector, SECTORS {
        Stadtteil = "stadtteil",
        Behoerde = "behoerde",
        Traeger = "traeger",
        Wirtschaft = "wirtschaft",
        Politik = "politik",
    }
}

vocabulary! {
    /// What a card says (`cards[id].kind`).
    CardKind, CARD_KINDS {
        Situation = "situation",
        Need = "need",
        Offer = "offer",
        Challenge = "challenge",
        Solution = "solution",
        /// The moderator's own cards.
        Note = "note",
    }
}

impl CardKind {
    /// Read from a card: an unknown kind counts as a need.
    pub fn of_card(id: &str) -> CardKind {
        CardKind::from_id(id).unwrap_or(CardKind::Need)
    }

    /// Whether a participant may write cards of this kind (notes are the
    /// moderator's).
    pub fn participants_write(self) -> bool {
        self != CardKind::Note
    }
}

vocabulary! {
    /// What a focal point's note is about (`notes[id].category`).
    NoteCategory, NOTE_CATEGORIES {
        /// Legal framework and procedures.
        Legal = "legal",
        /// Steering instruments.
        Steering = "steering",
        /// Further needs.
        Needs = "needs",
        /// Existing offers.
        Offers = "offers",
        /// Planned offers.
        Planned = "planned",
    }
}

impl NoteCategory {
    /// Read from a note: an unknown category counts as further needs.
    pub fn of_note(id: &str) -> NoteCategory {
        NoteCategory::from_id(id).unwrap_or(NoteCategory::Needs)
    }
}

vocabulary! {
    /// Where an agreement stands (`agreements[id].status`).
    AgreementStatus, AGREEMENT_STATUSES {
        /// Proposed by a participant (or the moderator), not yet confirmed.
        Proposed = "proposed",
        Confirmed = "confirmed",
        Done = "done",
        Dropped = "dropped",
    }
}

impl AgreementStatus {
    /// Read from an agreement: an unknown status counts as proposed.
    pub fn of_agreement(id: &str) -> AgreementStatus {
        AgreementStatus::from_id(id).unwrap_or(AgreementStatus::Proposed)
    }
}

/// Lengths in characters of texts in the document. Those that reach it
/// through the HTTP API as well (title, district, date, name, organisation)
/// are refused there too: the API refuses what the document's rules would
/// refuse later.
pub const TITLE_MAX: usize = 200;
pub const DISTRICT_MAX: usize = 120;
pub const DATE_MAX: usize = 40;
pub const NAME_MAX: usize = 80;
pub const ORGANISATION_MAX: usize = 120;
pub const CARD_TEXT_MAX: usize = 1000;
pub const AGREEMENT_WHAT_MAX: usize = 500;
pub const AGREEMENT_WHO_MAX: usize = 300;

/// Most dots one participant may put on one cluster.
pub const MAX_VOTES_ON_ONE_CLUSTER: f64 = 20.0;

/// Fields of an existing entry its owner may still change (or delete):
/// a card while writing is open, a proposed agreement while agreements
/// are open, a participant's own profile.
pub const CARD_EDITABLE_FIELDS: [&str; 3] = ["text", "kind", "editedAt"];
pub const AGREEMENT_EDITABLE_FIELDS: [&str; 3] = ["what", "who", "due"];
pub const PROFILE_EDITABLE_FIELDS: [&str; 3] = ["name", "organisation", "sector"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_text_is_what_xml_allows_without_noncharacters() {
        for ok in [
            'a',
            '\t',
            '\n',
            '\r',
            ' ',
            'ä',
            '\u{7f}',
            '\u{85}',
            '\u{202e}',
            '\u{fffd}',
            '😀',
            '\u{10fffd}',
        ] {
            assert!(is_text_char(ok), "{:?} is allowed", ok);
        }
        for refused in [
            '\0',
            '\u{1}',
            '\u{b}',
            '\u{c}',
            '\u{1f}',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(!is_text_char(refused), "{:?} is refused", refused);
        }
        assert_eq!(board_text("Kita\u{1}\u{ffff}!"), "Kita\u{fffd}\u{fffd}!");
        assert!(matches!(board_text("Kita"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn ids_read_back_and_unknown_kinds_are_needs() {
        assert_eq!(
            SECTORS,
            ["stadtteil", "behoerde", "traeger", "wirtschaft", "politik"]
        );
        assert_eq!(
            CARD_KINDS,
            [
                "situation",
                "need",
                "offer",
                "challenge",
                "solution",
                "note"
            ]
        );
        for sector in Sector::ALL {
            assert_eq!(Sector::from_id(sector.id()), Some(sector));
        }
        for kind in CardKind::ALL {
            assert_eq!(CardKind::from_id(kind.id()), Some(kind));
        }
        assert_eq!(Sector::from_id("verein"), None);
        assert_eq!(CardKind::of_card("wish"), CardKind::Need);
        assert_eq!(
            NOTE_CATEGORIES,
            ["legal", "steering", "needs", "offers", "planned"]
        );
        assert_eq!(NoteCategory::of_note("other"), NoteCategory::Needs);
        assert_eq!(
            AGREEMENT_STATUSES,
            ["proposed", "confirmed", "done", "dropped"]
        );
        assert_eq!(AgreementStatus::of_agreement(""), AgreementStatus::Proposed);
        assert!(!CardKind::Note.participants_write());
    }
}
