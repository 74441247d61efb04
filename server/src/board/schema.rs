//! The board document's vocabulary (`docs/schema.md`), in one place: the
//! top-level names, the forms of ids and keys, sectors, card kinds, note
//! categories, the lengths of texts, and which fields an entry's owner may
//! edit. The ownership rule (`auth::ownership`), the HTTP API
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

/// Every top-level type the schema has (`docs/schema.md`, "Top-level types").
pub const ROOTS: [&str; 16] = [
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
];

/// Top-level maps keyed by field name rather than by id.
const FIELD_ROOTS: [&str; 2] = [META, "handout"];

/// Top-level maps keyed by `"{id}:{id}"`.
const PAIR_ROOTS: [&str; 4] = [VOTES, "offerLinks", PLACEMENTS, MEMBERSHIPS];

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

/// The sector a participant comes from (`participants[id].sector`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sector {
    Stadtteil,
    Behoerde,
    Traeger,
    Wirtschaft,
    Politik,
}

impl Sector {
    /// In display order.
    pub const ALL: [Sector; 5] = [
        Sector::Stadtteil,
        Sector::Behoerde,
        Sector::Traeger,
        Sector::Wirtschaft,
        Sector::Politik,
    ];

    /// The id the document stores.
    pub const fn id(self) -> &'static str {
        match self {
            Sector::Stadtteil => "stadtteil",
            Sector::Behoerde => "behoerde",
            Sector::Traeger => "traeger",
            Sector::Wirtschaft => "wirtschaft",
            Sector::Politik => "politik",
        }
    }

    pub fn from_id(id: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|sector| sector.id() == id)
    }
}

/// Sector ids in display order.
pub const SECTORS: [&str; 5] = {
    let mut ids = [""; 5];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = Sector::ALL[i].id();
        i += 1;
    }
    ids
};

/// What a card says (`cards[id].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardKind {
    Situation,
    Need,
    Offer,
    Challenge,
    Solution,
    /// The moderator's own cards.
    Note,
}

impl CardKind {
    /// In display order.
    pub const ALL: [CardKind; 6] = [
        CardKind::Situation,
        CardKind::Need,
        CardKind::Offer,
        CardKind::Challenge,
        CardKind::Solution,
        CardKind::Note,
    ];

    /// The id the document stores.
    pub const fn id(self) -> &'static str {
        match self {
            CardKind::Situation => "situation",
            CardKind::Need => "need",
            CardKind::Offer => "offer",
            CardKind::Challenge => "challenge",
            CardKind::Solution => "solution",
            CardKind::Note => "note",
        }
    }

    pub fn from_id(id: &str) -> Option<CardKind> {
        CardKind::ALL.into_iter().find(|kind| kind.id() == id)
    }

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

/// Card kind ids in display order.
pub const CARD_KINDS: [&str; 6] = {
    let mut ids = [""; 6];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = CardKind::ALL[i].id();
        i += 1;
    }
    ids
};

/// Note categories (`notes[id].category`) in display order.
pub const NOTE_CATEGORIES: [&str; 5] = ["legal", "steering", "needs", "offers", "planned"];

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
        assert!(!CardKind::Note.participants_write());
    }
}
