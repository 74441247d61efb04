//! The embedded store: one SQLite file (bundled SQLite, WAL mode).
//!
//! Document writes (appends, compactions) go through one writer connection.
//! With `synchronous=normal` (the default) a commit syncs nothing and takes
//! tens of microseconds, so the calling room commits inline under the
//! writer's mutex. With `synchronous=full` every commit syncs the disk: a
//! writer thread then commits whatever has queued up in a single
//! transaction (group commit), so a burst of updates from many rooms costs
//! one fsync and no room waits for it. Reads, and the rare board and
//! participant inserts, use a second connection.
//!
//! - `schema`: the tables, the migration, how a connection is opened.
//! - `writer`: the writer connection, group commit, checkpoints.
//! - `queries`: [`Store`] for SQLite: the reads and the record writes.
//!
//! What only SQLite does (a `VACUUM INTO` backup, the synchronous mode it
//! is opened with) is an inherent method here, not part of [`Store`].

mod events;
mod organisers;
mod queries;
mod schema;
mod series;
mod writer;

use super::StoreError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use writer::{WriteOp, Writer};

/// How hard SQLite works to survive a power loss (not a process crash, which
/// every mode survives in WAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Synchronous {
    /// fsync at checkpoints only. A power loss may lose the last commits;
    /// phones still hold those edits and resend them on reconnect.
    Normal,
    /// fsync on every commit; commits then happen on a writer thread that
    /// groups what has queued up (group commit).
    Full,
}

pub struct SqliteStore {
    path: PathBuf,
    reader: Mutex<Connection>,
    writer: Mutex<Option<Writer>>,
}

/// SQLite's errors reach callers without naming SQLite.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Backend(Box::new(error))
    }
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path, synchronous: Synchronous) -> Result<Self, StoreError> {
        let mut writer_connection = schema::open_connection(path, synchronous)?;
        schema::migrate(&mut writer_connection)?;
        let checkpoint_connection = schema::open_connection(path, synchronous)?;
        let reader = schema::open_connection(path, synchronous)?;
        let writer = Writer::start(writer_connection, checkpoint_connection, synchronous)?;
        Ok(SqliteStore {
            path: path.to_owned(),
            reader: Mutex::new(reader),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Finishes every queued write and stops the store's threads.
    pub fn close(&self) {
        let writer = self.lock_writer().take();
        if let Some(writer) = writer {
            writer.finish();
        }
    }

    /// Writes a consistent copy of the whole database to `path` with
    /// `VACUUM INTO` (safe while serving).
    pub fn backup(&self, path: &Path) -> Result<(), StoreError> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
        Ok(())
    }

    /// Runs `f` on the reading connection (also after a panic while it was
    /// held, see [`recover`]).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let connection = recover(&self.reader, "reader", |connection| {
            roll_back_leftover(connection);
        });
        f(&connection)
    }

    /// The writer, also after a panic while it was held (see [`recover`]).
    fn lock_writer(&self) -> MutexGuard<'_, Option<Writer>> {
        recover(&self.writer, "writer", |writer| {
            if let Some(writer) = writer.as_mut() {
                writer.repair();
            }
        })
    }

    /// Commits or queues a document write (refused once closed).
    fn submit(&self, op: WriteOp) {
        match self.lock_writer().as_mut() {
            Some(writer) => writer.submit(op),
            None => op.refuse(),
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

/// Locks a connection's mutex even if a panic poisoned it, so one panic
/// (in a room task, while it committed) does not fail every later read or
/// write of every board. That is safe because what the lock guards stays
/// consistent across a panic: SQLite keeps each transaction atomic, a
/// `rusqlite::Transaction` dropped by the unwinding rolls back, and
/// `repair` rolls back whatever transaction could still be open. The
/// poison is cleared once repaired, so this is logged once per panic.
fn recover<'a, T>(
    mutex: &'a Mutex<T>,
    what: &'static str,
    repair: impl FnOnce(&mut T),
) -> MutexGuard<'a, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        tracing::error!(
            connection = what,
            "a panic interrupted the store; rolled back and carrying on"
        );
        let mut guard = poisoned.into_inner();
        repair(&mut guard);
        mutex.clear_poison();
        guard
    })
}

/// Rolls back a transaction a panic left open, so the next one can begin.
fn roll_back_leftover(connection: &Connection) {
    if !connection.is_autocommit() {
        if let Err(error) = connection.execute_batch("ROLLBACK") {
            tracing::error!(%error, "could not roll back after a panic");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::Store;
    use crate::store::contract::{append, board};

    fn opened(mode: Synchronous) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("k.db"), mode).expect("opens");
        (dir, store)
    }

    // The contract of every store, for both writers.
    store_contract!(normal, opened(Synchronous::Normal));
    store_contract!(full, opened(Synchronous::Full));

    /// Both writers: on the room's task (`normal`) and the group-commit
    /// thread (`full`).
    const MODES: [Synchronous; 2] = [Synchronous::Normal, Synchronous::Full];

    #[tokio::test]
    async fn a_version_1_database_is_migrated_with_its_log() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k.db");
        {
            let v1 = Connection::open(&path).expect("opens");
            v1.execute_batch(
                "CREATE TABLE updates (
                     sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                     board TEXT NOT NULL,
                     data BLOB NOT NULL
                 );
                 CREATE INDEX updates_by_board ON updates (board, sequence);
                 CREATE TABLE snapshots (
                     board TEXT PRIMARY KEY,
                     through_sequence INTEGER NOT NULL,
                     data BLOB NOT NULL
                 );
                 INSERT INTO updates (board, data) VALUES ('a', x'01'), ('b', x'02'), ('a', x'03');
                 INSERT INTO snapshots VALUES ('b', 2, x'ff');
                 DELETE FROM updates WHERE board = 'b';
                 PRAGMA user_version = 1;",
            )
            .expect("a version 1 database");
        }
        let store = SqliteStore::open(&path, Synchronous::Normal).expect("migrates");
        let a = store.load_document("a").expect("loads");
        assert_eq!(a.updates, vec![vec![1], vec![3]]);
        assert_eq!(a.last_sequence, 3);
        assert!(append(&store, "a", b"next").await > 3);
        // The snapshot covers b's log: its next update comes after it.
        assert_eq!(append(&store, "b", b"after").await, 3);
        assert_eq!(
            store.load_document("b").expect("loads").updates,
            vec![b"after".to_vec()]
        );
        drop(store);
        let connection = Connection::open(&path).expect("opens");
        connection
            .pragma_update(None, "user_version", 7)
            .expect("a future version");
        assert!(matches!(
            SqliteStore::open(&path, Synchronous::Normal),
            Err(StoreError::NewerSchema(7, 6))
        ));
    }

    /// A database as version 2 wrote it (the schema of the release before
    /// participants could be registered), with a participant and a log.
    #[tokio::test]
    async fn a_version_2_database_gains_registered_participants() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k.db");
        {
            let v2 = Connection::open(&path).expect("opens");
            v2.execute_batch(
                "CREATE TABLE boards (
                     id TEXT PRIMARY KEY, title TEXT NOT NULL, district TEXT NOT NULL,
                     join_code TEXT NOT NULL UNIQUE, moderator_token_hash BLOB NOT NULL,
                     viewer_token_hash BLOB NOT NULL, created_at INTEGER NOT NULL
                 );
                 CREATE TABLE participants (
                     board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
                     id TEXT NOT NULL, token_hash BLOB NOT NULL, name TEXT NOT NULL,
                     organisation TEXT NOT NULL, sector TEXT NOT NULL, email TEXT, phone TEXT,
                     contact_consent INTEGER NOT NULL, created_at INTEGER NOT NULL,
                     removed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (board, id)
                 );
                 CREATE TABLE client_ids (
                     board TEXT NOT NULL, client_id INTEGER NOT NULL, owner TEXT NOT NULL,
                     PRIMARY KEY (board, client_id)
                 );
                 CREATE TABLE updates (
                     board TEXT NOT NULL, sequence INTEGER NOT NULL, data BLOB NOT NULL,
                     PRIMARY KEY (board, sequence)
                 ) WITHOUT ROWID;
                 CREATE TABLE snapshots (
                     board TEXT PRIMARY KEY, through_sequence INTEGER NOT NULL, data BLOB NOT NULL
                 );
                 INSERT INTO boards VALUES ('a', 'Ströbitz', '', 'CODE2', zeroblob(32), zeroblob(32), 1);
                 INSERT INTO participants (board, id, token_hash, name, organisation, sector,
                     email, phone, contact_consent, created_at)
                     VALUES ('a', 'participantOld', zeroblob(32), 'Ada', 'Kita', 'stadtteil',
                     'ada@example.org', NULL, 1, 2);
                 INSERT INTO updates VALUES ('a', 1, x'01'), ('a', 2, x'02');
                 PRAGMA user_version = 2;",
            )
            .expect("a version 2 database");
        }
        let store = SqliteStore::open(&path, Synchronous::Normal).expect("migrates");
        let old = store
            .participant("a", "participantOld")
            .expect("reads")
            .expect("kept");
        assert_eq!(old.name, "Ada");
        assert_eq!(old.email.as_deref(), Some("ada@example.org"));
        assert_eq!(old.personal_code, None);
        assert_eq!(
            store.load_document("a").expect("loads").updates,
            vec![vec![1], vec![2]]
        );
        let mut registered = old.clone();
        registered.id = "participantNew".into();
        registered.personal_code = Some("PERSONAL0007".into());
        store.add_participant(&registered).expect("adds");
        assert_eq!(
            store
                .participant_by_personal_code("a", "PERSONAL0007")
                .expect("reads")
                .map(|p| p.id),
            Some("participantNew".to_owned())
        );
        drop(store);
        let version: i64 = Connection::open(&path)
            .expect("opens")
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("a version");
        assert_eq!(version, schema::SCHEMA_VERSION);
    }

    /// A database as version 3 wrote it (the release before events), with
    /// two boards, one owned by an organiser: each becomes a one-board
    /// event, and everything of before is kept.
    #[tokio::test]
    async fn a_version_3_database_has_each_board_as_a_one_board_event() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k.db");
        {
            let v3 = Connection::open(&path).expect("opens");
            v3.execute_batch(V3_SCHEMA).expect("a version 3 schema");
            v3.execute_batch(
                "INSERT INTO boards VALUES ('a', 'Ströbitz', 'Ströbitz', 'CODEA', zeroblob(32), zeroblob(32), 1);
                 INSERT INTO boards VALUES ('b', 'Sachsendorf', '', 'CODEB', zeroblob(32), zeroblob(32), 2);
                 INSERT INTO organisers VALUES ('org', 'o@example.de', 'O', 'hash', 0);
                 INSERT INTO board_owners VALUES ('b', 'org');
                 INSERT INTO participants (board, id, token_hash, name, organisation, sector,
                     email, phone, contact_consent, created_at, personal_code)
                     VALUES ('a', 'ada', zeroblob(32), 'Ada', 'Kita', 'stadtteil', NULL, NULL, 0, 2, 'PERSONAL');
                 INSERT INTO updates VALUES ('a', 1, x'01');
                 PRAGMA user_version = 3;",
            )
            .expect("a version 3 database");
        }
        let store = SqliteStore::open(&path, Synchronous::Normal).expect("migrates");
        for (board, title, created_at) in [("a", "Ströbitz", 1), ("b", "Sachsendorf", 2)] {
            let event = store.event(board).expect("reads").expect("an event");
            assert_eq!(
                (event.title.as_str(), event.created_at, event.part.as_str()),
                (title, created_at, "plenary")
            );
            assert_eq!((event.join_code, event.organiser_token_hash), (None, None));
            let boards = store.event_boards(board).expect("reads");
            assert_eq!(boards.len(), 1);
            assert_eq!(
                (boards[0].board.as_str(), boards[0].kind.as_str()),
                (board, "conference")
            );
        }
        assert_eq!(
            store.event_owner("b").expect("reads"),
            Some("org".to_owned())
        );
        assert_eq!(
            store.board_owner("b").expect("reads"),
            Some("org".to_owned())
        );
        assert_eq!(
            store
                .participant_by_personal_code("a", "PERSONAL")
                .expect("reads")
                .map(|p| p.name),
            Some("Ada".to_owned())
        );
        assert_eq!(
            store.load_document("a").expect("loads").updates,
            vec![vec![1]]
        );
        assert_eq!(
            store
                .board_by_join_code("CODEB")
                .expect("reads")
                .map(|b| b.id),
            Some("b".to_owned())
        );
    }

    /// A database as version 5 wrote it (the release before series): its
    /// boards stay, and series can be made.
    #[tokio::test]
    async fn a_version_5_database_gains_series() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k.db");
        {
            let store = SqliteStore::open(&path, Synchronous::Normal).expect("opens");
            store
                .create_board(&crate::store::contract::board("a", "CODEA"))
                .expect("creates");
        }
        {
            let v5 = Connection::open(&path).expect("opens");
            v5.execute_batch(
                "DROP TABLE series_boards; DROP TABLE series; PRAGMA user_version = 5;",
            )
            .expect("a version 5 database");
        }
        let store = SqliteStore::open(&path, Synchronous::Normal).expect("migrates");
        assert!(store.board("a").expect("reads").is_some());
        store
            .create_series(&crate::store::SeriesRecord {
                id: "s".into(),
                title: "Cottbus".into(),
                locale: "de".into(),
                organiser_token_hash: [1; 32],
                owner: None,
                created_at: 0,
                comparison: "{}".into(),
                version: 0,
            })
            .expect("a series");
        assert!(store.add_series_board("s", "a", 1).expect("adds"));
        drop(store);
        let connection = Connection::open(&path).expect("opens");
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("reads");
        assert_eq!(version, 6);
    }

    /// The tables of schema version 3, as that release created them.
    const V3_SCHEMA: &str = "
        CREATE TABLE boards (id TEXT PRIMARY KEY, title TEXT NOT NULL, district TEXT NOT NULL,
            join_code TEXT NOT NULL UNIQUE, moderator_token_hash BLOB NOT NULL,
            viewer_token_hash BLOB NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE participants (board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
            id TEXT NOT NULL, token_hash BLOB NOT NULL, name TEXT NOT NULL,
            organisation TEXT NOT NULL, sector TEXT NOT NULL, email TEXT, phone TEXT,
            contact_consent INTEGER NOT NULL, created_at INTEGER NOT NULL,
            removed INTEGER NOT NULL DEFAULT 0, personal_code TEXT, PRIMARY KEY (board, id));
        CREATE UNIQUE INDEX participants_by_personal_code
            ON participants (board, personal_code) WHERE personal_code IS NOT NULL;
        CREATE TABLE organisers (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE organiser_sessions (token_hash BLOB PRIMARY KEY,
            organiser TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
            expires_at INTEGER NOT NULL);
        CREATE TABLE organiser_invitations (token_hash BLOB PRIMARY KEY, email TEXT NOT NULL,
            name TEXT NOT NULL, invited_by TEXT NOT NULL REFERENCES organisers(id) ON DELETE CASCADE,
            expires_at INTEGER NOT NULL);
        CREATE TABLE board_owners (board TEXT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,
            organiser TEXT NOT NULL REFERENCES organisers(id));
        CREATE INDEX boards_by_owner ON board_owners (organiser);
        CREATE TABLE board_links (board TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
            id TEXT NOT NULL, role TEXT NOT NULL, label TEXT NOT NULL,
            token_hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (board, id));
        CREATE TABLE client_ids (board TEXT NOT NULL, client_id INTEGER NOT NULL,
            owner TEXT NOT NULL, PRIMARY KEY (board, client_id));
        CREATE TABLE updates (board TEXT NOT NULL, sequence INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (board, sequence)) WITHOUT ROWID;
        CREATE TABLE snapshots (board TEXT PRIMARY KEY, through_sequence INTEGER NOT NULL,
            data BLOB NOT NULL);
    ";

    #[tokio::test]
    async fn a_panic_while_a_connection_is_held_does_not_stop_the_store() {
        for mode in MODES {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = SqliteStore::open(&dir.path().join("k.db"), mode).expect("opens");
            store.create_board(&board("a", "PANIC1")).expect("creates");
            append(&store, "a", b"before").await;
            // A panic in the middle of a commit: the writer's transaction is
            // open (inline mode) and both locks are poisoned.
            std::thread::scope(|scope| {
                let panicked = scope
                    .spawn(|| {
                        let mut writer = store.writer.lock().expect("not poisoned yet");
                        if let Some(Writer::Inline { connection, .. }) = writer.as_mut() {
                            connection
                                .connection
                                .execute_batch(
                                    "BEGIN; INSERT INTO updates (board, sequence, data) \
                                     VALUES ('a', 99, x'00');",
                                )
                                .expect("begins");
                        }
                        let _reader = store.reader.lock().expect("not poisoned yet");
                        panic!("injected panic while holding the store's connections");
                    })
                    .join();
                assert!(panicked.is_err());
            });
            assert!(store.writer.is_poisoned() && store.reader.is_poisoned());
            append(&store, "a", b"after").await;
            assert!(!store.writer.is_poisoned(), "{mode:?}");
            assert_eq!(
                store.load_document("a").expect("reads").updates,
                vec![b"before".to_vec(), b"after".to_vec()],
                "{mode:?}: the interrupted insert was rolled back"
            );
            assert!(store.board("a").expect("reads").is_some());
        }
    }

    #[tokio::test]
    async fn writes_after_close_fail_cleanly() {
        for mode in MODES {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = SqliteStore::open(&dir.path().join("k.db"), mode).expect("opens");
            append(&store, "a", b"kept").await;
            store.close();
            let result = store
                .append_update("a", b"x".to_vec(), Vec::new())
                .await
                .expect("answered");
            assert!(matches!(result, Err(StoreError::Closed)), "{mode:?}");
            drop(store);
            let reopened = SqliteStore::open(&dir.path().join("k.db"), mode).expect("reopens");
            assert_eq!(
                reopened.load_document("a").expect("loads").updates,
                vec![b"kept".to_vec()],
                "{mode:?}"
            );
        }
    }
}
