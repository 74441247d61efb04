//! Durable storage of boards, participants and document updates.
//!
//! [`Store`] is what the rest of the server needs; [`SqliteStore`] is the
//! embedded default, [`PostgresStore`] the database server's
//! (`serve --database-url`). Document updates go to an append-only log per board and
//! are periodically compacted into one snapshot. All document writes go
//! through one writer connection, in order, and each caller learns through a
//! [`PendingWrite`] when its write is committed. How depends on
//! [`Synchronous`]: with `normal` (the default) the caller commits inline,
//! and the write is complete when the call returns; with `full` a writer
//! thread group-commits what has queued up, so a slow fsync never blocks a
//! room (`synchronous` is SQLite's; another backend has its own notion:
//! PostgreSQL's writer always group-commits on a task of its own).
//!
//! The server opens its store in one place, [`Backend::open`], from a
//! [`StoreConfig`] the command line builds. Every implementation runs the
//! same contract tests (`contract`).

mod columns;
#[cfg(test)]
#[macro_use]
mod contract;
mod postgres;
mod sqlite;
mod write;

pub use postgres::PostgresStore;
pub use sqlite::{SqliteStore, Synchronous};
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::oneshot;

/// What can go wrong in any store. Backend errors are carried as their
/// source, so no caller depends on which database is behind [`Store`].
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("the store has shut down")]
    Closed,
    /// A board id, join code or participant id is taken.
    #[error("a unique value was taken; try again")]
    Conflict,
    #[error("the database has schema version {0}; this Kartenwand knows versions up to {1}")]
    NewerSchema(i64, i64),
    /// Another node holds the database (PostgreSQL's advisory lock): one
    /// node per database until clustering lands (issue 18).
    #[error(
        "another Kartenwand node is serving the database {0}; one node per database until clustering lands (issue 18)"
    )]
    InUse(String),
}

/// A board's record (not its document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRecord {
    pub id: String,
    pub title: String,
    pub district: String,
    pub join_code: String,
    /// SHA-256 of the moderator token.
    pub moderator_token_hash: [u8; 32],
    /// SHA-256 of the viewer (presenter, watch-only) token.
    pub viewer_token_hash: [u8; 32],
    pub created_at: i64,
}

/// A participant who joined a board. Contact data never enters the shared
/// document; it stays here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    pub board: String,
    pub id: String,
    pub token_hash: [u8; 32],
    pub name: String,
    pub organisation: String,
    pub sector: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_consent: bool,
    pub created_at: i64,
    /// Set when the moderator removed the participant; the token is dead.
    pub removed: bool,
    /// The personal join code of a participant the moderator registered
    /// before the day; `None` for those who joined by the board's code.
    /// Kept as the board's join code is, so the printed material can be
    /// made again.
    pub personal_code: Option<String>,
}

/// An organiser's account: signs in with e-mail and password, owns the
/// conferences they created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganiserRecord {
    pub id: String,
    /// Lower case, trimmed: the sign-in name.
    pub email: String,
    pub name: String,
    /// Argon2id, in the PHC string format (`auth::password`).
    pub password_hash: String,
    pub created_at: i64,
}

/// A signed-in organiser's session: the cookie's token, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: [u8; 32],
    pub organiser: String,
    pub expires_at: i64,
}

/// An invitation to become an organiser: the link's token, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub token_hash: [u8; 32],
    pub email: String,
    pub name: String,
    /// The organiser who invited.
    pub invited_by: String,
    pub expires_at: i64,
}

/// A further link to a board, each with a token of its own that can be
/// revoked alone: a co-moderator's (role `moderator`) or a watch-only one
/// (role `viewer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardLinkRecord {
    pub board: String,
    pub id: String,
    /// `"moderator"` or `"viewer"`.
    pub role: String,
    /// Who it is for, as the organiser wrote it.
    pub label: String,
    pub token_hash: [u8; 32],
    pub created_at: i64,
    pub revoked: bool,
}

/// A series of conferences compared for the council (issue 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRecord {
    pub id: String,
    pub title: String,
    /// `de` or `en`: the report's language.
    pub locale: String,
    /// SHA-256 of the series' organiser token.
    pub organiser_token_hash: [u8; 32],
    /// The organiser account that made it, if one did.
    pub owner: Option<String>,
    pub created_at: i64,
    /// The organiser's comparison (`series::Comparison` as JSON).
    pub comparison: String,
    /// Counts the comparison's writes: a write names the version it read.
    pub version: i64,
}

/// An event: a day of several boards the participants join once
/// (`crate::event`). A board made alone is a one-board event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`; `None` for a one-board event (its board's date is in
    /// the board's document).
    pub date: Option<String>,
    pub venue: String,
    /// `de` or `en`.
    pub locale: String,
    /// The event's own join code (unique across events); `None` for a
    /// one-board event, whose board's code serves.
    pub join_code: Option<String>,
    /// SHA-256 of the organiser token; `None` for a one-board event (its
    /// board's moderator token serves).
    pub organiser_token_hash: Option<[u8; 32]>,
    /// SHA-256 of the event's viewer token (the plenary projector).
    pub viewer_token_hash: Option<[u8; 32]>,
    /// `plenary`, `workshops`, `reflection` or `ended`.
    pub part: String,
    /// The attributes, the grouping rule and the programme, as JSON
    /// (`crate::event::Setup`).
    pub setup: String,
    pub created_at: i64,
}

/// A board's place in its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBoardRecord {
    pub event: String,
    pub board: String,
    /// `conference` (a one-board event), `plenary`, `workshop`,
    /// `reflection` or `tree`.
    pub kind: String,
    /// Order within the event, from 0.
    pub position: i64,
    /// How many may be admitted (workshops and groups); `None`: no limit.
    pub capacity: Option<i64>,
    pub location: String,
    pub description: String,
}

/// A participant of an event: the profile they gave once, and where the
/// event puts them. Each board that admits them has a
/// [`ParticipantRecord`] of the same id and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventParticipantRecord {
    pub event: String,
    pub id: String,
    pub token_hash: [u8; 32],
    pub name: String,
    pub organisation: String,
    pub sector: String,
    /// The values of the event's further attributes, a JSON object.
    pub attributes: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_consent: bool,
    pub created_at: i64,
    pub removed: bool,
    /// The workshop board they chose or were assigned to.
    pub workshop: Option<String>,
    /// Their reflection group's board.
    pub group: Option<String>,
}

/// When a board's data goes (`docs/operations.md`, "Retention").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// The board's day, `YYYY-MM-DD`; `None`: not known (the day it was
    /// made counts).
    pub date: Option<String>,
    /// The day it is deleted on, `YYYY-MM-DD`.
    pub delete_on: String,
    /// Whether the moderator chose that day (else it is the default).
    pub chosen: bool,
}

/// A photo of a board (`crate::photo`): the stored JPEG and its thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub info: PhotoInfo,
    pub jpeg: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// What is known about a photo besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    pub board: String,
    pub id: String,
    /// The participant id of who uploaded it, or `moderator`.
    pub author: String,
    pub created_at: i64,
    pub width: u32,
    pub height: u32,
    /// `shown` or `hidden` (by the moderator).
    pub status: String,
    /// Bytes of the photo and its thumbnail.
    pub bytes: u64,
}

/// Whether a photo was stored, or which limit it met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAdmission {
    Stored,
    BoardFull,
    StorageFull,
}

/// What a room loads to rebuild its document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredDocument {
    /// The compacted state, if the board was ever compacted.
    pub snapshot: Option<Vec<u8>>,
    /// Updates appended after the snapshot, in order.
    pub updates: Vec<Vec<u8>>,
    /// Sequence number of the last update included in snapshot or updates.
    pub last_sequence: u64,
    /// Bytes of snapshot and updates together.
    pub bytes: u64,
    /// Which identity introduced each Yjs client id (see [`ClientOwner`]).
    pub client_owners: Vec<(u64, String)>,
}

/// The identity a Yjs client id belongs to, as stored: `moderator`,
/// `participant:<id>`, `viewer` or `server`.
pub type ClientOwner = String;

/// Resolves when a write is durable, with the update's sequence number.
pub type PendingWrite = oneshot::Receiver<Result<u64, StoreError>>;

/// Storage the server runs on. Blocking methods are called from
/// `spawn_blocking`. [`Store::append_updates`] and [`Store::compact`] are
/// called from a room's task: they either commit at once (a few tens of
/// microseconds without an fsync) or hand the write to a thread, and never
/// wait for a disk sync.
pub trait Store: Send + Sync + 'static {
    fn create_board(&self, board: &BoardRecord) -> Result<(), StoreError>;
    fn board(&self, id: &str) -> Result<Option<BoardRecord>, StoreError>;
    fn board_by_join_code(&self, join_code: &str) -> Result<Option<BoardRecord>, StoreError>;
    fn add_participant(&self, participant: &ParticipantRecord) -> Result<(), StoreError>;
    fn participant(&self, board: &str, id: &str) -> Result<Option<ParticipantRecord>, StoreError>;
    /// Every participant of a board (removed ones included), for exports.
    fn participants(&self, board: &str) -> Result<Vec<ParticipantRecord>, StoreError>;
    /// The registered participant of `board` with this personal code
    /// (removed ones too: the caller refuses them).
    fn participant_by_personal_code(
        &self,
        board: &str,
        code: &str,
    ) -> Result<Option<ParticipantRecord>, StoreError>;
    /// A registered participant takes up their place from a phone: their
    /// token is replaced (a token handed out before stops working) and
    /// their contact consent is what they decided now. False if there is no
    /// such participant.
    fn claim_registration(
        &self,
        board: &str,
        id: &str,
        token_hash: &[u8; 32],
        contact_consent: bool,
    ) -> Result<bool, StoreError>;
    /// A new organiser; [`StoreError::Conflict`] if the e-mail is taken.
    fn add_organiser(&self, organiser: &OrganiserRecord) -> Result<(), StoreError>;
    fn organiser(&self, id: &str) -> Result<Option<OrganiserRecord>, StoreError>;
    fn organiser_by_email(&self, email: &str) -> Result<Option<OrganiserRecord>, StoreError>;
    fn add_invitation(&self, invitation: &InvitationRecord) -> Result<(), StoreError>;
    /// Takes an invitation that has not expired at `now`, once: it is gone
    /// afterwards (so are the expired ones).
    fn take_invitation(
        &self,
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<InvitationRecord>, StoreError>;
    fn add_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError>;
    /// Ends a session (sign-out); also drops every expired one.
    fn remove_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError>;
    /// Records who created a board.
    fn set_board_owner(&self, board: &str, organiser: &str) -> Result<(), StoreError>;
    /// The organiser's boards, newest first.
    fn boards_of(&self, organiser: &str) -> Result<Vec<BoardRecord>, StoreError>;
    fn board_owner(&self, board: &str) -> Result<Option<String>, StoreError>;
    fn add_board_link(&self, link: &BoardLinkRecord) -> Result<(), StoreError>;
    /// A board's links, revoked ones too, oldest first.
    fn board_links(&self, board: &str) -> Result<Vec<BoardLinkRecord>, StoreError>;
    /// The link of `board` whose token hashes to `token_hash`, revoked or not.
    fn board_link_by_token(
        &self,
        board: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<BoardLinkRecord>, StoreError>;
    /// Revokes a link; false if the board has no such link.
    fn revoke_board_link(&self, board: &str, id: &str) -> Result<bool, StoreError>;
    /// A new event; [`StoreError::Conflict`] if its id or join code is taken.
    fn create_event(&self, event: &EventRecord) -> Result<(), StoreError>;
    fn event(&self, id: &str) -> Result<Option<EventRecord>, StoreError>;
    fn event_by_join_code(&self, join_code: &str) -> Result<Option<EventRecord>, StoreError>;
    /// Puts a board into an event (a board is in one event).
    fn add_event_board(&self, board: &EventBoardRecord) -> Result<(), StoreError>;
    /// An event's boards in their order.
    fn event_boards(&self, event: &str) -> Result<Vec<EventBoardRecord>, StoreError>;
    /// The event a board belongs to, and its place there.
    fn event_board(&self, board: &str) -> Result<Option<EventBoardRecord>, StoreError>;
    /// Moves the event to another part; false if there is no such event.
    fn set_event_part(&self, event: &str, part: &str) -> Result<bool, StoreError>;
    /// Replaces the event's setup (JSON); false if there is no such event.
    fn set_event_setup(&self, event: &str, setup: &str) -> Result<bool, StoreError>;
    /// Replaces the hash of the event's organiser token.
    fn set_event_organiser_token_hash(
        &self,
        event: &str,
        hash: &[u8; 32],
    ) -> Result<bool, StoreError>;
    fn set_event_owner(&self, event: &str, organiser: &str) -> Result<(), StoreError>;
    /// The organiser's events, newest first.
    fn events_of(&self, organiser: &str) -> Result<Vec<EventRecord>, StoreError>;
    fn event_owner(&self, event: &str) -> Result<Option<String>, StoreError>;
    /// A new participant of an event; [`StoreError::Conflict`] if the id is taken.
    fn add_event_participant(&self, participant: &EventParticipantRecord)
    -> Result<(), StoreError>;
    fn event_participant(
        &self,
        event: &str,
        id: &str,
    ) -> Result<Option<EventParticipantRecord>, StoreError>;
    /// Every participant of an event, removed ones too, in the order they joined.
    fn event_participants(&self, event: &str) -> Result<Vec<EventParticipantRecord>, StoreError>;
    /// Puts the participant into `workshop` if it has fewer than
    /// `capacity` participants (not counting them; `None`: no limit), in one
    /// step, so two cannot take the last place. False if it is full or
    /// there is no such participant.
    fn set_event_workshop(
        &self,
        event: &str,
        id: &str,
        workshop: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<bool, StoreError>;
    /// Sets the participant's reflection group; false if there is no such
    /// participant.
    fn set_event_group(
        &self,
        event: &str,
        id: &str,
        group: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Admits a participant to a board: adds their record, or makes a
    /// record of the same id live again with this token (an event's
    /// participant who comes back to a workshop).
    fn admit_participant(&self, participant: &ParticipantRecord) -> Result<(), StoreError>;
    /// Stores a photo unless its board has `max_per_board` photos or all
    /// photos would take more than `max_storage_bytes`, decided and done
    /// in one step.
    fn add_photo(
        &self,
        photo: &PhotoRecord,
        max_per_board: u64,
        max_storage_bytes: u64,
    ) -> Result<PhotoAdmission, StoreError>;
    /// A board's photos, oldest first.
    fn photos(&self, board: &str) -> Result<Vec<PhotoInfo>, StoreError>;
    /// A photo's record and its bytes (the thumbnail's when `thumbnail`).
    fn photo(
        &self,
        board: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<(PhotoInfo, Vec<u8>)>, StoreError>;
    /// Shows or hides a photo; false if there is none.
    fn set_photo_status(&self, board: &str, id: &str, status: &str) -> Result<bool, StoreError>;
    /// Deletes a photo; false if there was none.
    fn delete_photo(&self, board: &str, id: &str) -> Result<bool, StoreError>;
    fn create_series(&self, series: &SeriesRecord) -> Result<(), StoreError>;
    fn series(&self, id: &str) -> Result<Option<SeriesRecord>, StoreError>;
    /// Adds a board to a series; false if it was in it already.
    fn add_series_board(
        &self,
        series: &str,
        board: &str,
        added_at: i64,
    ) -> Result<bool, StoreError>;
    /// False if the board was not in the series.
    fn remove_series_board(&self, series: &str, board: &str) -> Result<bool, StoreError>;
    /// The series' boards, in the order they were added (by `added_at`,
    /// then as they came).
    fn series_boards(&self, series: &str) -> Result<Vec<String>, StoreError>;
    /// The series an organiser made, newest first.
    fn series_of(&self, owner: &str) -> Result<Vec<SeriesRecord>, StoreError>;
    /// Replaces the organiser token's hash (a new link); false if there is
    /// no such series.
    fn set_series_token_hash(&self, series: &str, hash: &[u8; 32]) -> Result<bool, StoreError>;
    /// Writes the comparison if the stored version is `read_version`:
    /// the new version, or `None` (someone wrote in between; nothing
    /// changed).
    fn set_series_comparison(
        &self,
        series: &str,
        comparison: &str,
        read_version: i64,
    ) -> Result<Option<i64>, StoreError>;
    fn load_document(&self, board: &str) -> Result<StoredDocument, StoreError>;
    /// Appends an update to the board's log, with the client ids it
    /// introduces and their owners, in one transaction; resolves once
    /// committed.
    fn append_update(
        &self,
        board: &str,
        update: Vec<u8>,
        new_clients: Vec<(u64, ClientOwner)>,
    ) -> PendingWrite {
        self.append_updates(board, vec![update], new_clients)
    }
    /// Appends updates in order, in one transaction; resolves with the last
    /// one's sequence number once committed.
    fn append_updates(
        &self,
        board: &str,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, ClientOwner)>,
    ) -> PendingWrite;
    /// Replaces the log up to `through_sequence` with `snapshot`, in order
    /// with the appends queued before it.
    fn compact(&self, board: &str, snapshot: Vec<u8>, through_sequence: u64) -> PendingWrite;
    /// Marks a participant removed; returns whether they existed.
    fn remove_participant(&self, board: &str, id: &str) -> Result<bool, StoreError>;
    /// Erases a participant's e-mail and phone and withdraws their consent
    /// on each of `boards` and in `event` (a participant of an event has a
    /// record on every board that admitted them, each with the contact
    /// data), then rewrites the files; returns whether any record existed.
    fn erase_contact(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<bool, StoreError>;
    /// Erases a person once their rooms erased them from the documents
    /// (`DELETE /api/boards/{board}/participants/{id}`): their record on
    /// each of `boards` (with contact data and personal code), the photos
    /// they uploaded there, and their record in `event`; then rewrites
    /// the files as [`Store::delete_board`] does, so none holds a copy of
    /// anything erased (the compactions the rooms made included).
    fn erase_participant(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<(), StoreError>;
    /// Records a board's day (`"date"` on creation; an event's date for
    /// its boards).
    fn set_board_date(&self, board: &str, date: &str) -> Result<(), StoreError>;
    /// The day the moderator chose to delete the board on (`None`: the
    /// default, `retention_days` after its day); false if there is no board.
    fn set_delete_on(&self, board: &str, delete_on: Option<&str>) -> Result<bool, StoreError>;
    /// When the board goes, with `retention_days` as the default.
    fn retention(&self, board: &str, retention_days: u32) -> Result<Option<Retention>, StoreError>;
    /// The boards whose day of deletion has passed (before today, UTC).
    fn boards_due(&self, retention_days: u32) -> Result<Vec<String>, StoreError>;
    /// Deletes a board for real (`DELETE /api/boards/{board}`, retention):
    /// its document (log, snapshot, client ids), participants and their
    /// contact data, links, owner, photos, and its one-board event; then
    /// rewrites the files so no page or log holds any of it. Its room must
    /// have ended (its writes done). Returns whether it existed.
    fn delete_board(&self, board: &str) -> Result<bool, StoreError>;
    /// Replaces the board's join code (unique across boards).
    fn set_join_code(&self, board: &str, join_code: &str) -> Result<(), StoreError>;
    /// Replaces the hash of the board's viewer token.
    fn set_viewer_token_hash(&self, board: &str, hash: &[u8; 32]) -> Result<(), StoreError>;
}

/// Which store to open, and where (built by [`crate::config`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded SQLite file.
    Sqlite {
        path: PathBuf,
        synchronous: Synchronous,
    },
    /// A PostgreSQL database (`serve --database-url`).
    Postgres { url: DatabaseUrl },
}

/// A PostgreSQL connection URL, `postgres://USER[:PASSWORD]@HOST:PORT/DB`.
/// It may hold a password, so it is shown (`Debug`, messages, logs) only
/// as host, port and database.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The whole URL, password included: for connecting only.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// `HOST:PORT/DB`.
    pub fn describe(&self) -> String {
        match self.0.parse() {
            Ok(config) => postgres::describe(&config),
            Err(_) => "(not a valid PostgreSQL URL)".to_owned(),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.describe())
    }
}

impl StoreConfig {
    /// Whether the store holds data already (the CLI commands that only
    /// read refuse to create an empty one). A database server is taken to.
    pub fn exists(&self) -> bool {
        match self {
            StoreConfig::Sqlite { path, .. } => path.exists(),
            StoreConfig::Postgres { .. } => true,
        }
    }

    /// What the store is, for messages: `database`.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreConfig::Sqlite { .. } => "database",
            StoreConfig::Postgres { .. } => "PostgreSQL database",
        }
    }

    /// Where the store is, for messages: the file's path, or the
    /// database's host, port and name (never its password).
    pub fn location(&self) -> String {
        match self {
            StoreConfig::Sqlite { path, .. } => path.display().to_string(),
            StoreConfig::Postgres { url } => url.describe(),
        }
    }
}

/// `database <path>`, `PostgreSQL database <host>:<port>/<db>`.
impl std::fmt::Display for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind(), self.location())
    }
}

/// An open store. The server needs only [`Store`] ([`Backend::store`]);
/// what one backend alone can do (a SQLite backup) is reached by matching.
pub enum Backend {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PostgresStore>),
}

impl Backend {
    /// Opens the store `config` names: the one place the server picks
    /// its backend.
    pub fn open(config: &StoreConfig) -> Result<Backend, StoreError> {
        match config {
            StoreConfig::Sqlite { path, synchronous } => Ok(Backend::Sqlite(Arc::new(
                SqliteStore::open(path, *synchronous)?,
            ))),
            StoreConfig::Postgres { url } => Ok(Backend::Postgres(Arc::new(PostgresStore::open(
                url.reveal(),
            )?))),
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(store) => store.clone(),
            Backend::Postgres(store) => store.clone(),
        }
    }

    /// Cancelled if this node may no longer write the store because
    /// another node may now (a PostgreSQL node that lost its lock on the
    /// database); `None` for a store that cannot lose it (SQLite's file
    /// lock lives as long as the process).
    pub fn lock_lost(&self) -> Option<tokio_util::sync::CancellationToken> {
        match self {
            Backend::Sqlite(_) => None,
            Backend::Postgres(store) => Some(store.lock_lost()),
        }
    }

    /// Finishes every queued write and stops the store's threads.
    pub fn close(&self) {
        match self {
            Backend::Sqlite(store) => store.close(),
            Backend::Postgres(store) => store.close(),
        }
    }
}
