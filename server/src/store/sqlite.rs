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

use super::{BoardRecord, ParticipantRecord, PendingWrite, Store, StoreError, StoredDocument};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 1024;

/// Commits between two checkpoints of the write-ahead log. A commit adds a
/// page or two to the log (SQLite's own default checkpoints at 1000
/// pages); a checkpoint copies each page once however often it was
/// written since, so rarer checkpoints copy less per commit.
const COMMITS_PER_CHECKPOINT: u32 = 1000;

/// Nice value of the checkpoint thread: it copies pages and syncs the disk
/// when the rooms leave the core idle, instead of taking turns with them.
const CHECKPOINT_NICE: i32 = 19;

/// 2: `updates` keyed by board and a per-board sequence (was 1: a global
/// AUTOINCREMENT rowid and an index); see [`migrate`].
const SCHEMA_VERSION: i64 = 2;

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

enum WriteOp {
    Append {
        board: String,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
        done: oneshot::Sender<Result<u64, StoreError>>,
    },
    Compact {
        board: String,
        snapshot: Vec<u8>,
        through_sequence: u64,
        done: oneshot::Sender<Result<u64, StoreError>>,
    },
}

pub struct SqliteStore {
    path: PathBuf,
    reader: Mutex<Connection>,
    writer: Mutex<Option<Writer>>,
}

/// Where document writes are committed.
enum Writer {
    /// `synchronous=normal`: a commit appends to the log without syncing,
    /// so the room commits on its own task; no thread hand-off and no
    /// wake-up on the way to the relay.
    Inline {
        connection: LogWriter,
        checkpoints: CheckpointTrigger,
        checkpointer: JoinHandle<()>,
    },
    /// `synchronous=full`: every commit syncs the disk, so a thread of its
    /// own commits whatever queued up meanwhile in one transaction (group
    /// commit).
    Thread {
        sender: mpsc::Sender<WriteOp>,
        thread: JoinHandle<()>,
    },
}

/// Asks the checkpoint thread for a checkpoint every
/// [`COMMITS_PER_CHECKPOINT`] commits.
struct CheckpointTrigger {
    commits: u32,
    wake: mpsc::SyncSender<()>,
}

impl CheckpointTrigger {
    fn committed(&mut self) {
        self.commits += 1;
        if self.commits >= COMMITS_PER_CHECKPOINT {
            // Full: a checkpoint is already asked for; ask again later.
            if !matches!(self.wake.try_send(()), Err(mpsc::TrySendError::Full(()))) {
                self.commits = 0;
            }
        }
    }
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path, synchronous: Synchronous) -> Result<Self, StoreError> {
        let mut writer_connection = open_connection(path, synchronous)?;
        migrate(&mut writer_connection)?;
        // The writer never checkpoints itself: a checkpoint copies the log
        // into the database file and syncs it, and commits waiting behind
        // it would stall every room. A thread of its own does it instead.
        writer_connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpoint_connection = open_connection(path, synchronous)?;
        let reader = open_connection(path, synchronous)?;
        let (wake, checkpoint_requests) = mpsc::sync_channel(1);
        let checkpointer = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || run_checkpointer(checkpoint_connection, checkpoint_requests))
            .map_err(|_| StoreError::Closed)?;
        let checkpoints = CheckpointTrigger { commits: 0, wake };
        let writer = match synchronous {
            Synchronous::Normal => Writer::Inline {
                connection: LogWriter::new(writer_connection),
                checkpoints,
                checkpointer,
            },
            Synchronous::Full => {
                let (sender, receiver) = mpsc::channel();
                let thread = std::thread::Builder::new()
                    .name("store-writer".into())
                    .spawn(move || {
                        run_writer(LogWriter::new(writer_connection), receiver, checkpoints);
                        join_checkpointer(checkpointer);
                    })
                    .map_err(|_| StoreError::Closed)?;
                Writer::Thread { sender, thread }
            }
        };
        Ok(SqliteStore {
            path: path.to_owned(),
            reader: Mutex::new(reader),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Finishes every queued write and stops the store's threads.
    pub fn close(&self) {
        let writer = self.lock_writer().take();
        match writer {
            Some(Writer::Thread { sender, thread }) => {
                drop(sender);
                if thread.join().is_err() {
                    tracing::error!("store writer thread panicked");
                }
            }
            Some(Writer::Inline {
                connection,
                checkpoints,
                checkpointer,
            }) => {
                drop((connection, checkpoints));
                join_checkpointer(checkpointer);
            }
            None => {}
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let connection = recover(&self.reader, "reader", |connection| {
            roll_back_leftover(connection);
        });
        Ok(f(&connection)?)
    }

    /// The writer, also after a panic while it was held (see [`recover`]).
    fn lock_writer(&self) -> MutexGuard<'_, Option<Writer>> {
        recover(&self.writer, "writer", |writer| {
            if let Some(Writer::Inline { connection, .. }) = writer.as_mut() {
                roll_back_leftover(&connection.connection);
                // A rolled-back append may have counted sequence numbers
                // it never wrote (a gap, harmless); read them afresh anyway.
                connection.next.clear();
            }
        })
    }

    fn enqueue(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<u64, StoreError>>) -> WriteOp,
    ) -> PendingWrite {
        let (done, pending) = oneshot::channel();
        let op = make(done);
        let sent = match self.lock_writer().as_mut() {
            Some(Writer::Inline {
                connection,
                checkpoints,
                ..
            }) => {
                commit_batch(connection, vec![op]);
                checkpoints.committed();
                Ok(())
            }
            Some(Writer::Thread { sender, .. }) => sender.send(op).map_err(|error| error.0),
            None => Err(op),
        };
        if let Err(op) = sent {
            let done = match op {
                WriteOp::Append { done, .. } | WriteOp::Compact { done, .. } => done,
            };
            let _ = done.send(Err(StoreError::Closed));
        }
        pending
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

/// The writing connection and each board's last sequence number, so an
/// append needs no lookup. Only this connection appends, so the numbers
/// stay right; a rolled-back append leaves a gap, which is harmless.
struct LogWriter {
    connection: Connection,
    next: HashMap<String, i64>,
}

impl LogWriter {
    fn new(connection: Connection) -> LogWriter {
        LogWriter {
            connection,
            next: HashMap::new(),
        }
    }
}

/// A board's last sequence number: the highest logged, or the snapshot's
/// when a compaction emptied the log. The next append takes one more, so
/// no number is ever reused and no update hides behind a snapshot.
fn last_sequence(connection: &Connection, board: &str) -> rusqlite::Result<i64> {
    connection.query_row(
        "SELECT COALESCE(
             (SELECT MAX(sequence) FROM updates WHERE board = ?1),
             (SELECT through_sequence FROM snapshots WHERE board = ?1),
             0)",
        [board],
        |row| row.get(0),
    )
}

/// Brings the database to [`SCHEMA_VERSION`], in one transaction.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction()?;
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version, SCHEMA_VERSION));
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
    transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    transaction.commit()?;
    Ok(())
}

fn open_connection(path: &Path, synchronous: Synchronous) -> Result<Connection, StoreError> {
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

fn run_writer(
    mut connection: LogWriter,
    receiver: mpsc::Receiver<WriteOp>,
    mut checkpoints: CheckpointTrigger,
) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        commit_batch(&mut connection, batch);
        checkpoints.committed();
    }
    // Dropping `checkpoints` ends the checkpoint thread; SQLite
    // checkpoints once more when the last connection closes.
}

fn join_checkpointer(checkpointer: JoinHandle<()>) {
    if checkpointer.join().is_err() {
        tracing::error!("store checkpoint thread panicked");
    }
}

/// Copies the write-ahead log into the database file when the writer asks
/// (PASSIVE: it never blocks the writer, and the log restarts from the
/// beginning once a checkpoint caught up with it).
fn run_checkpointer(connection: Connection, requests: mpsc::Receiver<()>) {
    // Linux keeps the nice value per thread: this lowers only this one.
    if let Err(error) = rustix::process::setpriority_process(None, CHECKPOINT_NICE) {
        tracing::debug!(%error, "cannot lower the checkpoint thread's priority");
    }
    while let Ok(()) = requests.recv() {
        let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            row.get::<_, i64>(0)
        });
        if let Err(error) = result {
            tracing::warn!(%error, "WAL checkpoint failed; retrying after more commits");
        }
    }
}

/// Writes a batch in one transaction. If the commit fails, every write in
/// the batch reports the failure: none of them is durable.
fn commit_batch(log: &mut LogWriter, batch: Vec<WriteOp>) {
    let LogWriter { connection, next } = log;
    let mut results = Vec::with_capacity(batch.len());
    let outcome = (|| -> rusqlite::Result<()> {
        let transaction = connection.transaction()?;
        {
            let mut append = transaction.prepare_cached(
                "INSERT INTO updates (board, sequence, data) VALUES (?1, ?2, ?3)",
            )?;
            let mut bind = transaction.prepare_cached(
                "INSERT OR IGNORE INTO client_ids (board, client_id, owner) VALUES (?1, ?2, ?3)",
            )?;
            for op in &batch {
                let result = match op {
                    WriteOp::Append {
                        board,
                        updates,
                        new_clients,
                        ..
                    } => (|| {
                        for (client, owner) in new_clients {
                            bind.execute(params![board, *client as i64, owner])?;
                        }
                        let sequence = match next.get_mut(board) {
                            Some(sequence) => sequence,
                            None => next
                                .entry(board.clone())
                                .or_insert(last_sequence(&transaction, board)?),
                        };
                        for update in updates {
                            *sequence += 1;
                            append.execute(params![board, *sequence, update])?;
                        }
                        Ok(*sequence as u64)
                    })(),
                    WriteOp::Compact {
                        board,
                        snapshot,
                        through_sequence,
                        ..
                    } => compact(&transaction, board, snapshot, *through_sequence),
                };
                results.push(result);
            }
        }
        transaction.commit()
    })();
    for (op, result) in batch.into_iter().zip(
        results
            .into_iter()
            .map(Some)
            .chain(std::iter::repeat_with(|| None)),
    ) {
        let done = match op {
            WriteOp::Append { done, .. } | WriteOp::Compact { done, .. } => done,
        };
        let result = match (&outcome, result) {
            (Ok(()), Some(Ok(sequence))) => Ok(sequence),
            (Ok(()), Some(Err(error))) => Err(StoreError::Database(error)),
            (Err(error), _) => Err(StoreError::CommitFailed(error.to_string())),
            (Ok(()), None) => Err(StoreError::Closed),
        };
        if let Err(error) = &result {
            tracing::error!(%error, "store write failed");
        }
        let _ = done.send(result);
    }
}

fn compact(
    transaction: &rusqlite::Transaction<'_>,
    board: &str,
    snapshot: &[u8],
    through_sequence: u64,
) -> rusqlite::Result<u64> {
    transaction.execute(
        "INSERT INTO snapshots (board, through_sequence, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (board) DO UPDATE SET through_sequence = excluded.through_sequence, data = excluded.data",
        params![board, through_sequence as i64, snapshot],
    )?;
    transaction.execute(
        "DELETE FROM updates WHERE board = ?1 AND sequence <= ?2",
        params![board, through_sequence as i64],
    )?;
    Ok(through_sequence)
}

fn board_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<BoardRecord> {
    Ok(BoardRecord {
        id: row.get(0)?,
        title: row.get(1)?,
        district: row.get(2)?,
        join_code: row.get(3)?,
        moderator_token_hash: row.get(4)?,
        viewer_token_hash: row.get(5)?,
        created_at: row.get(6)?,
    })
}

const PARTICIPANT_COLUMNS: &str = "board, id, token_hash, name, organisation, sector, email, phone, contact_consent, created_at, removed";

fn participant_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ParticipantRecord> {
    Ok(ParticipantRecord {
        board: row.get(0)?,
        id: row.get(1)?,
        token_hash: row.get(2)?,
        name: row.get(3)?,
        organisation: row.get(4)?,
        sector: row.get(5)?,
        email: row.get(6)?,
        phone: row.get(7)?,
        contact_consent: row.get(8)?,
        created_at: row.get(9)?,
        removed: row.get(10)?,
    })
}

const BOARD_COLUMNS: &str =
    "id, title, district, join_code, moderator_token_hash, viewer_token_hash, created_at";

/// Maps a violated UNIQUE constraint (a taken join code or id) to
/// [`StoreError::Conflict`], so callers can draw another value.
fn unique(result: Result<usize, StoreError>) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(StoreError::Database(error)) if is_unique_violation(&error) => {
            Err(StoreError::Conflict)
        }
        Err(error) => Err(error),
    }
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

impl Store for SqliteStore {
    fn create_board(&self, board: &BoardRecord) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "INSERT INTO boards (id, title, district, join_code, moderator_token_hash, viewer_token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    board.id,
                    board.title,
                    board.district,
                    board.join_code,
                    board.moderator_token_hash,
                    board.viewer_token_hash,
                    board.created_at
                ],
            )
        });
        unique(result)
    }

    fn board(&self, id: &str) -> Result<Option<BoardRecord>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = ?1"),
                [id],
                board_from_row,
            )
            .optional()
        })
    }

    fn board_by_join_code(&self, join_code: &str) -> Result<Option<BoardRecord>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE join_code = ?1"),
                [join_code],
                board_from_row,
            )
            .optional()
        })
    }

    fn add_participant(&self, p: &ParticipantRecord) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "INSERT INTO participants (board, id, token_hash, name, organisation, sector, email, phone, contact_consent, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    p.board,
                    p.id,
                    p.token_hash,
                    p.name,
                    p.organisation,
                    p.sector,
                    p.email,
                    p.phone,
                    p.contact_consent,
                    p.created_at
                ],
            )
        });
        unique(result)
    }

    fn participant(&self, board: &str, id: &str) -> Result<Option<ParticipantRecord>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = ?1 AND id = ?2"
                ),
                [board, id],
                participant_from_row,
            )
            .optional()
        })
    }

    fn participants(&self, board: &str) -> Result<Vec<ParticipantRecord>, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = ?1 ORDER BY id"
            ))?
            .query_map([board], participant_from_row)?
            .collect()
        })
    }

    fn load_document(&self, board: &str) -> Result<StoredDocument, StoreError> {
        self.read(|c| {
            // One read transaction: a compaction committing between the two
            // queries would otherwise hide updates from both.
            let transaction = c.unchecked_transaction()?;
            let c = &*transaction;
            let snapshot: Option<(i64, Vec<u8>)> = c
                .query_row(
                    "SELECT through_sequence, data FROM snapshots WHERE board = ?1",
                    [board],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let through = snapshot.as_ref().map_or(0, |(sequence, _)| *sequence);
            let mut statement =
                c.prepare_cached("SELECT sequence, data FROM updates WHERE board = ?1 AND sequence > ?2 ORDER BY sequence")?;
            let mut document = StoredDocument {
                last_sequence: through as u64,
                ..StoredDocument::default()
            };
            let rows = statement.query_map(params![board, through], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (sequence, data) = row?;
                document.last_sequence = sequence as u64;
                document.bytes += data.len() as u64;
                document.updates.push(data);
            }
            if let Some((_, data)) = snapshot {
                document.bytes += data.len() as u64;
                document.snapshot = Some(data);
            }
            let mut owners = c.prepare_cached("SELECT client_id, owner FROM client_ids WHERE board = ?1")?;
            document.client_owners = owners
                .query_map([board], |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(document)
        })
    }

    fn append_updates(
        &self,
        board: &str,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
    ) -> PendingWrite {
        self.enqueue(|done| WriteOp::Append {
            board: board.to_owned(),
            updates,
            new_clients,
            done,
        })
    }

    fn remove_participant(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            c.execute(
                "UPDATE participants SET removed = 1 WHERE board = ?1 AND id = ?2",
                [board, id],
            )
            .map(|changed| changed > 0)
        })
    }

    fn erase_contact(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            let changed = c.execute(
                "UPDATE participants SET email = NULL, phone = NULL, contact_consent = 0
                 WHERE board = ?1 AND id = ?2",
                [board, id],
            )?;
            // secure_delete zeroes the old values in the database pages;
            // the checkpoint removes the copies the write-ahead log held.
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(changed > 0)
        })
    }

    fn set_join_code(&self, board: &str, join_code: &str) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "UPDATE boards SET join_code = ?2 WHERE id = ?1",
                [board, join_code],
            )
        });
        unique(result)
    }

    fn set_viewer_token_hash(&self, board: &str, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "UPDATE boards SET viewer_token_hash = ?2 WHERE id = ?1",
                params![board, hash],
            )
        })?;
        Ok(())
    }

    fn compact(&self, board: &str, snapshot: Vec<u8>, through_sequence: u64) -> PendingWrite {
        self.enqueue(|done| WriteOp::Compact {
            board: board.to_owned(),
            snapshot,
            through_sequence,
            done,
        })
    }

    fn backup(&self, path: &Path) -> Result<(), StoreError> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(id: &str, join_code: &str) -> BoardRecord {
        BoardRecord {
            id: id.into(),
            title: "Stadtteilkonferenz Sandow".into(),
            district: "Sandow".into(),
            join_code: join_code.into(),
            moderator_token_hash: [1; 32],
            viewer_token_hash: [2; 32],
            created_at: 0,
        }
    }

    async fn append(store: &SqliteStore, board: &str, data: &[u8]) -> u64 {
        store
            .append_update(board, data.to_vec(), vec![(7, "moderator".into())])
            .await
            .expect("writer answers")
            .expect("durable")
    }

    /// Both writers: on the room's task (`normal`) and the group-commit
    /// thread (`full`).
    const MODES: [Synchronous; 2] = [Synchronous::Normal, Synchronous::Full];

    #[tokio::test]
    async fn appends_compacts_and_reloads_in_order() {
        for mode in MODES {
            appends_compacts_and_reloads_in_order_with(mode).await;
        }
    }

    async fn appends_compacts_and_reloads_in_order_with(mode: Synchronous) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("k.db"), mode).expect("opens");
        store.create_board(&board("a", "AAAAAA")).expect("creates");
        let batch = store
            .append_updates("a", vec![b"zero".to_vec(), b"half".to_vec()], Vec::new())
            .await
            .expect("writer answers")
            .expect("durable");
        let first = append(&store, "a", b"one").await;
        assert!(first > batch, "{mode:?}");
        assert_eq!(
            store.load_document("a").expect("loads").updates,
            vec![b"zero".to_vec(), b"half".to_vec(), b"one".to_vec()],
            "{mode:?}"
        );
        let second = append(&store, "a", b"two").await;
        assert!(second > first);
        store
            .compact("a", b"snap".to_vec(), second)
            .await
            .expect("answers")
            .expect("compacts");
        let third = append(&store, "a", b"three").await;
        let document = store.load_document("a").expect("loads");
        assert_eq!(document.snapshot.as_deref(), Some(&b"snap"[..]));
        assert_eq!(document.updates, vec![b"three".to_vec()]);
        assert_eq!(document.last_sequence, third);
        assert_eq!(document.client_owners, vec![(7, "moderator".to_owned())]);
    }

    #[tokio::test]
    async fn sequence_numbers_are_never_reused_after_compaction() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            SqliteStore::open(&dir.path().join("k.db"), Synchronous::Normal).expect("opens");
        append(&store, "b", b"b1").await;
        let a1 = append(&store, "a", b"a1").await;
        store
            .compact("a", b"snap".to_vec(), a1)
            .await
            .expect("answers")
            .expect("compacts");
        let a2 = append(&store, "a", b"a2").await;
        assert!(a2 > a1);
        assert_eq!(
            store.load_document("a").expect("loads").updates,
            vec![b"a2".to_vec()]
        );
    }

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
            .pragma_update(None, "user_version", 3)
            .expect("a future version");
        assert!(matches!(
            SqliteStore::open(&path, Synchronous::Normal),
            Err(StoreError::NewerSchema(3, 2))
        ));
    }

    #[test]
    fn join_codes_are_unique() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            SqliteStore::open(&dir.path().join("k.db"), Synchronous::Normal).expect("opens");
        store.create_board(&board("a", "SAME22")).expect("creates");
        assert!(matches!(
            store.create_board(&board("b", "SAME22")),
            Err(StoreError::Conflict)
        ));
    }

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
