//! The columns of each record's table, in the order both stores read them
//! (`sqlite/`, `postgres/`: each `*_from_row` takes them by position), so
//! the two lists cannot drift apart.

/// `boards`.
pub(super) const BOARD_COLUMNS: &str =
    "id, title, district, join_code, moderator_token_hash, viewer_token_hash, created_at";

/// `participants`.
pub(super) const PARTICIPANT_COLUMNS: &str = "board, id, token_hash, name, organisation, sector, email, phone, contact_consent, created_at, removed, personal_code";

/// `organisers`.
pub(super) const ORGANISER_COLUMNS: &str = "id, email, name, password_hash, created_at";

/// `board_links`.
pub(super) const LINK_COLUMNS: &str = "board, id, role, label, token_hash, created_at, revoked";

/// `events`.
pub(super) const EVENT_COLUMNS: &str = "id, title, date, venue, locale, join_code, organiser_token_hash, viewer_token_hash, part, setup, created_at";

/// `event_boards`.
pub(super) const EVENT_BOARD_COLUMNS: &str =
    "event, board, kind, position, capacity, location, description";

/// `event_participants`.
pub(super) const EVENT_PARTICIPANT_COLUMNS: &str = "event, id, token_hash, name, organisation, sector, attributes, email, phone, contact_consent, created_at, removed, workshop, reflection_group";

/// `photos`, without the JPEG and thumbnail bytes.
pub(super) const PHOTO_COLUMNS: &str =
    "board, id, author, created_at, width, height, status, bytes";

/// `series`.
pub(super) const SERIES_COLUMNS: &str =
    "id, title, locale, organiser_token_hash, owner, created_at, comparison, version";

/// `columns` (`a, b`) of the table named `alias` in a query (`x.a, x.b`).
pub(super) fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|column| format!("{alias}.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}
