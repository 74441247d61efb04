//! The PostgreSQL database's tables: those of the SQLite store
//! (`sqlite/schema.rs`) with the same names, columns and meaning, in
//! PostgreSQL's types (TEXT, BIGINT, BOOLEAN, BYTEA), and its migration.
//!
//! Differences, each for a reason:
//! - `schema_version` (one row) instead of SQLite's `user_version`.
//! - `inserted`, an identity column, where SQLite orders rows by their
//!   `rowid` (the order they came in): event participants, photos, board
//!   links, a series' boards.
//! - Columns holding personal data or document bytes are `STORAGE
//!   EXTERNAL`: never compressed, so an erased value is not hidden from a
//!   byte search of the files by compression (docs/operations.md,
//!   "Erasure").
//!
//! A board's update log is numbered per board by the writer (`writer.rs`),
//! as in SQLite: a number is never used twice, also after a compaction
//! emptied the log (the snapshot keeps the last one).
//!
//! A future version N adds a step `(N, "...")` to [`MIGRATIONS`] and the
//! same change, in SQLite's dialect, to `sqlite/schema.rs`; both bump
//! their `SCHEMA_VERSION`. PostgreSQL databases start at version 6, so no
//! step of before is needed here.

use crate::store::StoreError;
use tokio_postgres::Client;

/// The same version as `sqlite::schema::SCHEMA_VERSION`, with the same
/// tables.
pub(super) const SCHEMA_VERSION: i64 = 6;

/// The steps from one version to the next, after [`SCHEMA`] made version
/// 6: `(version, statements)`, run in order in the migration's
/// transaction.
const MIGRATIONS: &[(i64, &str)] = &[];

const SCHEMA: &str = "
CREATE TABLE boards (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    district TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    moderator_token_hash BYTEA NOT NULL,
    viewer_token_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE participants (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    contact_consent BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    personal_code TEXT,
    PRIMARY KEY (board, id)
);
CREATE UNIQUE INDEX participants_by_personal_code
    ON participants (board, personal_code) WHERE personal_code IS NOT NULL;
CREATE TABLE organisers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE organiser_sessions (
    token_hash BYTEA PRIMARY KEY,
    organiser TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE TABLE organiser_invitations (
    token_hash BYTEA PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE TABLE board_owners (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    organiser TEXT NOT NULL REFERENCES organisers(id)
);
CREATE INDEX boards_by_owner ON board_owners (organiser);
CREATE TABLE board_links (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    role TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    inserted BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (board, id)
);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    venue TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'de',
    join_code TEXT UNIQUE,
    organiser_token_hash BYTEA,
    viewer_token_hash BYTEA,
    part TEXT NOT NULL DEFAULT 'plenary',
    setup TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE TABLE event_boards (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    event TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position BIGINT NOT NULL,
    capacity BIGINT,
    location TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_boards_by_event ON event_boards (event, position);
CREATE TABLE event_participants (
    event TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    email TEXT,
    phone TEXT,
    contact_consent BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    workshop TEXT,
    reflection_group TEXT,
    inserted BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (event, id)
);
CREATE TABLE event_owners (
    event TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    organiser TEXT NOT NULL REFERENCES organisers(id)
);
CREATE INDEX events_by_owner ON event_owners (organiser);
CREATE TABLE board_retention (
    board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
    date TEXT,
    delete_on TEXT
);
CREATE TABLE series (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    organiser_token_hash BYTEA NOT NULL,
    owner TEXT,
    created_at BIGINT NOT NULL,
    comparison TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE series_boards (
    series TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    inserted BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (series, board)
);
CREATE INDEX series_by_board ON series_boards (board);
CREATE TABLE photos (
    board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    status TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    jpeg BYTEA NOT NULL,
    thumbnail BYTEA NOT NULL,
    inserted BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (board, id)
);
CREATE TABLE client_ids (
    board TEXT NOT NULL,
    client_id BIGINT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (board, client_id)
);
CREATE TABLE updates (
    board TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (board, sequence)
);
CREATE TABLE snapshots (
    board TEXT PRIMARY KEY,
    through_sequence BIGINT NOT NULL,
    data BYTEA NOT NULL
);
-- Personal data and document bytes are stored uncompressed (still moved
-- out of line when large): compression would hide an erased value from a
-- byte search of the files, and the tests look for such canaries.
ALTER TABLE participants
    ALTER COLUMN name SET STORAGE EXTERNAL,
    ALTER COLUMN organisation SET STORAGE EXTERNAL,
    ALTER COLUMN email SET STORAGE EXTERNAL,
    ALTER COLUMN phone SET STORAGE EXTERNAL;
ALTER TABLE event_participants
    ALTER COLUMN name SET STORAGE EXTERNAL,
    ALTER COLUMN organisation SET STORAGE EXTERNAL,
    ALTER COLUMN attributes SET STORAGE EXTERNAL,
    ALTER COLUMN email SET STORAGE EXTERNAL,
    ALTER COLUMN phone SET STORAGE EXTERNAL;
ALTER TABLE organisers
    ALTER COLUMN email SET STORAGE EXTERNAL,
    ALTER COLUMN name SET STORAGE EXTERNAL;
ALTER TABLE organiser_invitations
    ALTER COLUMN email SET STORAGE EXTERNAL,
    ALTER COLUMN name SET STORAGE EXTERNAL;
ALTER TABLE photos
    ALTER COLUMN jpeg SET STORAGE EXTERNAL,
    ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
ALTER TABLE updates ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE snapshots ALTER COLUMN data SET STORAGE EXTERNAL;
";

/// Brings the database to [`SCHEMA_VERSION`], in one transaction: an
/// empty database gets [`SCHEMA`], an older one the [`MIGRATIONS`] after
/// its version; a newer one is refused.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    // The node's lock is held already: no other node migrates meanwhile.
    let transaction = client.transaction().await?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    let version: Option<i64> = transaction
        .query_opt("SELECT max(version) FROM schema_version", &[])
        .await?
        .map(|row| row.try_get(0))
        .transpose()?
        .flatten();
    let version = match version {
        Some(version) if version > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema(version, SCHEMA_VERSION));
        }
        Some(version) => version,
        None => {
            transaction.batch_execute(SCHEMA).await?;
            SCHEMA_VERSION
        }
    };
    for (_, statements) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
        transaction.batch_execute(statements).await?;
    }
    transaction
        .execute("DELETE FROM schema_version", &[])
        .await?;
    transaction
        .execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&SCHEMA_VERSION],
        )
        .await?;
    transaction.commit().await?;
    Ok(())
}
