//! The SQLite database's tables, the migration from older versions, and
//! how every connection is opened (WAL, synchronous mode, secure delete).

use super::Synchronous;
use crate::store::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// 2: `updates` keyed by board and a per-board sequence (was 1: a global
/// AUTOINCREMENT rowid and an index). 3: `participants.personal_code`
/// (participants registered before the day), and the organisers' tables:
/// `organisers`, `organiser_sessions`, `organiser_invitations`,
/// `board_owners`, `board_links`. 4: events (`events`, `event_boards`,
/// `event_participants`, `event_owners`); every board of before became a
/// one-board event; and the boards' `photos`. 5: `board_retention` (a
/// board's day and the day it is deleted on; boards of before have no row
/// and go `--retention-days` after the day they were created). See
/// [`migrate`].
pub(super) const SCHEMA_VERSION: i64 = 6;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    district TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    moderator_token_hash BLOB NOT NULL,
    viewer_token_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    contact_consent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    personal_code TEXT,
    PRIMARY KEY (board, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS participants_by_personal_code
    ON participants (board, personal_code) WHERE personal_code IS NOT NULL;
CREATE TABLE IF NOT EXISTS organisers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS organiser_sessions (
    token_hash BLOB PRIMARY KEY,
    organiser TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS organiser_invitations (
    token_hash BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS board_owners (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    organiser TEXT NOT NULL REFERENCES organisers(id)
);
CREATE INDEX IF NOT EXISTS boards_by_owner ON board_owners (organiser);
-- Co-moderators' and watch-only links: each its own token, revoked alone.
CREATE TABLE IF NOT EXISTS board_links (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    role TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (board, id)
);
-- Events: a day of several boards, joined once. A board made alone is a
-- one-board event (kind 'conference', no join code or tokens of its own).
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    venue TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'de',
    join_code TEXT UNIQUE,
    organiser_token_hash BLOB,
    viewer_token_hash BLOB,
    part TEXT NOT NULL DEFAULT 'plenary',
    setup TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS event_boards (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    event TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    capacity INTEGER,
    location TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS event_boards_by_event ON event_boards (event, position);
CREATE TABLE IF NOT EXISTS event_participants (
    event TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    email TEXT,
    phone TEXT,
    contact_consent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    workshop TEXT,
    reflection_group TEXT,
    PRIMARY KEY (event, id)
);
CREATE TABLE IF NOT EXISTS event_owners (
    event TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    organiser TEXT NOT NULL REFERENCES organisers(id)
);
CREATE INDEX IF NOT EXISTS events_by_owner ON event_owners (organiser);
-- When a board's data goes (retention): its day (YYYY-MM-DD) and the day
-- the moderator chose to delete it on. Without a row, or without a day, the
-- board goes --retention-days after its day, or after the day it was made.
CREATE TABLE IF NOT EXISTS board_retention (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    date TEXT,
    delete_on TEXT
);
-- Series of conferences (issue 15): the organiser's comparison as JSON,
-- written with the version it was read at.
CREATE TABLE IF NOT EXISTS series (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    organiser_token_hash BLOB NOT NULL,
    owner TEXT,
    created_at INTEGER NOT NULL,
    comparison TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS series_boards (
    series TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (series, board)
);
CREATE INDEX IF NOT EXISTS series_by_board ON series_boards (board);
-- Photos of a board, re-encoded without metadata (photo.rs).
CREATE TABLE IF NOT EXISTS photos (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    status TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    jpeg BLOB NOT NULL,
    thumbnail BLOB NOT NULL,
    PRIMARY KEY (board, id)
);
-- Which identity introduced each Yjs client id of a board: nobody else may
-- write under it, across reconnects and restarts.
CREATE TABLE IF NOT EXISTS client_ids (
    board TEXT NOT NULL,
    client_id INTEGER NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (board, client_id)
);
-- Each board's log. WITHOUT ROWID, keyed by board and sequence: an append
-- writes one page. A board's sequence numbers only grow (`LogWriter`), so
-- none is reused after a compaction deleted the highest rows, and no new
-- update hides behind a snapshot.
CREATE TABLE IF NOT EXISTS updates (
    board TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (board, sequence)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    board TEXT PRIMARY KEY,
    through_sequence INTEGER NOT NULL,
    data BLOB NOT NULL
);
";

/// Brings the database to [`SCHEMA_VERSION`], in one transaction.
pub(super) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction()?;
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version, SCHEMA_VERSION));
    }
    if (1..3).contains(&version) {
        // Before SCHEMA's index on it (a table SCHEMA creates has it).
        let has_table: bool = transaction.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'participants'",
            [],
            |row| row.get(0),
        )?;
        if has_table {
            transaction.execute_batch("ALTER TABLE participants ADD COLUMN personal_code TEXT;")?;
        }
    }
    if version == 1 {
        // The old log steps aside for the table SCHEMA creates.
        transaction.execute_batch(
            "DROP INDEX updates_by_board;
             ALTER TABLE updates RENAME TO updates_v1;",
        )?;
    }
    transaction.execute_batch(SCHEMA)?;
    if version == 1 {
        // The sequence numbers stay: they grow per board as they did overall.
        transaction.execute_batch(
            "INSERT INTO updates (board, sequence, data)
                 SELECT board, sequence, data FROM updates_v1;
             DROP TABLE updates_v1;
             DELETE FROM sqlite_sequence WHERE name IN ('updates', 'updates_v1');",
        )?;
    }
    if (1..4).contains(&version) {
        // Every board of before is a one-board event of its own, with the
        // board's id and title, owned by the board's owner.
        transaction.execute_batch(
            "INSERT INTO events (id, title, created_at)
                 SELECT id, title, created_at FROM boards;
             INSERT INTO event_boards (board, event, kind, position)
                 SELECT id, id, 'conference', 0 FROM boards;
             INSERT INTO event_owners (event, organiser)
                 SELECT board, organiser FROM board_owners;",
        )?;
    }
    transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    transaction.commit()?;
    Ok(())
}

pub(super) fn open_connection(
    path: &Path,
    synchronous: Synchronous,
) -> Result<Connection, StoreError> {
    let connection = Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(
        None,
        "synchronous",
        match synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        },
    )?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Erased contact data must not linger in free pages.
    connection.pragma_update(None, "secure_delete", "ON")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(connection)
}
