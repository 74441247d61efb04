//! The writer of document updates: the one connection that appends and
//! compacts, inline on the room's task (`synchronous=normal`) or on a
//! group-commit thread (`synchronous=full`), and the thread that
//! checkpoints the write-ahead log.

use super::{Synchronous, roll_back_leftover};
use crate::store::StoreError;
pub(super) use crate::store::write::WriteOp;
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::sync::mpsc;
use std::thread::JoinHandle;

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

/// Where document writes are committed.
pub(super) enum Writer {
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

impl Writer {
    /// Starts the checkpoint thread and, with `synchronous=full`, the
    /// writer thread.
    pub(super) fn start(
        connection: Connection,
        checkpoint_connection: Connection,
        synchronous: Synchronous,
    ) -> Result<Writer, StoreError> {
        // The writer never checkpoints itself: a checkpoint copies the log
        // into the database file and syncs it, and commits waiting behind
        // it would stall every room. A thread of its own does it instead.
        connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        let (wake, checkpoint_requests) = mpsc::sync_channel(1);
        let checkpointer = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || run_checkpointer(checkpoint_connection, checkpoint_requests))
            .map_err(|_| StoreError::Closed)?;
        let checkpoints = CheckpointTrigger { commits: 0, wake };
        Ok(match synchronous {
            Synchronous::Normal => Writer::Inline {
                connection: LogWriter::new(connection),
                checkpoints,
                checkpointer,
            },
            Synchronous::Full => {
                let (sender, receiver) = mpsc::channel();
                let thread = std::thread::Builder::new()
                    .name("store-writer".into())
                    .spawn(move || {
                        run_writer(LogWriter::new(connection), receiver, checkpoints);
                        join_checkpointer(checkpointer);
                    })
                    .map_err(|_| StoreError::Closed)?;
                Writer::Thread { sender, thread }
            }
        })
    }

    /// Commits `op` inline or hands it to the writer thread (which
    /// refuses it if it has stopped).
    pub(super) fn submit(&mut self, op: WriteOp) {
        match self {
            Writer::Inline {
                connection,
                checkpoints,
                ..
            } => {
                commit_batch(connection, vec![op]);
                checkpoints.committed();
            }
            Writer::Thread { sender, .. } => {
                if let Err(error) = sender.send(op) {
                    error.0.refuse();
                }
            }
        }
    }

    /// Finishes every queued write and stops the threads.
    pub(super) fn finish(self) {
        match self {
            Writer::Thread { sender, thread } => {
                drop(sender);
                if thread.join().is_err() {
                    tracing::error!("store writer thread panicked");
                }
            }
            Writer::Inline {
                connection,
                checkpoints,
                checkpointer,
            } => {
                drop((connection, checkpoints));
                join_checkpointer(checkpointer);
            }
        }
    }

    /// Rolls back what a panic left of an inline commit.
    pub(super) fn repair(&mut self) {
        if let Writer::Inline { connection, .. } = self {
            roll_back_leftover(&connection.connection);
            // A rolled-back append may have counted sequence numbers
            // it never wrote (a gap, harmless); read them afresh anyway.
            connection.next.clear();
        }
    }
}

/// Asks the checkpoint thread for a checkpoint every
/// [`COMMITS_PER_CHECKPOINT`] commits.
pub(super) struct CheckpointTrigger {
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

/// The writing connection and each board's last sequence number, so an
/// append needs no lookup. Only this connection appends, so the numbers
/// stay right; a rolled-back append leaves a gap, which is harmless.
pub(super) struct LogWriter {
    pub(super) connection: Connection,
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
        let result = match (&outcome, result) {
            (Ok(()), Some(Ok(sequence))) => Ok(sequence),
            (Ok(()), Some(Err(error))) => Err(error.into()),
            (Err(error), _) => Err(StoreError::CommitFailed(error.to_string())),
            (Ok(()), None) => Err(StoreError::Closed),
        };
        op.answer(result);
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
