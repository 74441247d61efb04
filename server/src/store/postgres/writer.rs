//! The writer of document updates: one task on the store's runtime, with a
//! connection of its own, that commits appends and compactions in the
//! order they were queued. Whatever queued up while a commit was under way
//! goes into the next transaction (group commit), so a burst of updates
//! from many rooms costs one round trip to the disk of the server, and no
//! room ever waits for one: [`Writer::submit`] only queues.

use crate::store::StoreError;
use crate::store::write::WriteOp;
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio_postgres::{Client, Config, Statement, Transaction};
use tokio_util::sync::CancellationToken;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 1024;

/// The queue to the writer task.
pub(super) struct Writer {
    sender: mpsc::UnboundedSender<WriteOp>,
    /// Hears when the task has committed everything and ended.
    finished: std::sync::mpsc::Receiver<()>,
}

impl Writer {
    /// Starts the task; once `lock_lost` is cancelled it commits nothing
    /// more (another node may be writing the database) and fails each write.
    pub(super) fn start(
        runtime: &tokio::runtime::Handle,
        client: Client,
        config: Config,
        lock_lost: CancellationToken,
    ) -> Writer {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (done, finished) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            run(Log::new(client, config), receiver, lock_lost).await;
            let _ = done.send(());
        });
        Writer { sender, finished }
    }

    /// Queues `op` (refused if the task has stopped).
    pub(super) fn submit(&self, op: WriteOp) {
        if let Err(error) = self.sender.send(op) {
            error.0.refuse();
        }
    }

    /// Commits every queued write and waits until the task has ended (a
    /// plain channel: this may run on an async task).
    pub(super) fn finish(self) {
        drop(self.sender);
        if self.finished.recv().is_err() {
            tracing::error!("the store's writer task ended without finishing");
        }
    }
}

/// The writer's connection and each board's last sequence number, so an
/// append needs no lookup. Only this connection appends (one node per
/// database), so the numbers stay right.
struct Log {
    client: Client,
    /// To connect again when the server closed the connection.
    config: Config,
    /// The writer's statements, prepared once per connection: a write then
    /// costs one round trip per statement instead of two.
    statements: Option<Statements>,
    next: HashMap<String, i64>,
}

impl Log {
    fn new(client: Client, config: Config) -> Log {
        Log {
            client,
            config,
            statements: None,
            next: HashMap::new(),
        }
    }

    /// After a failed write: the counted sequence numbers may not have
    /// been written, and the statements may be what failed; both are read
    /// and prepared afresh.
    fn forget(&mut self) {
        self.next.clear();
        self.statements = None;
    }
}

struct Statements {
    insert_updates: Statement,
    insert_clients: Statement,
    upsert_snapshot: Statement,
    delete_log: Statement,
    last_sequence: Statement,
}

impl Statements {
    async fn prepare(client: &Client) -> Result<Statements, tokio_postgres::Error> {
        Ok(Statements {
            // One statement per table for a whole batch (arrays, UNNEST).
            insert_updates: client
                .prepare(
                    "INSERT INTO updates (board, sequence, data)
                     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bytea[])",
                )
                .await?,
            // The first owner of a client id keeps it.
            insert_clients: client
                .prepare(
                    "INSERT INTO client_ids (board, client_id, owner)
                     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])
                     ON CONFLICT DO NOTHING",
                )
                .await?,
            upsert_snapshot: client
                .prepare(
                    "INSERT INTO snapshots (board, through_sequence, data) VALUES ($1, $2, $3)
                     ON CONFLICT (board) DO UPDATE
                     SET through_sequence = excluded.through_sequence, data = excluded.data",
                )
                .await?,
            delete_log: client
                .prepare("DELETE FROM updates WHERE board = $1 AND sequence <= $2")
                .await?,
            // A board's last sequence number: the highest logged, or the
            // snapshot's when a compaction emptied the log. The next append
            // takes one more, so no number is ever reused and no update
            // hides behind a snapshot.
            last_sequence: client
                .prepare(
                    "SELECT COALESCE(
                         (SELECT MAX(sequence) FROM updates WHERE board = $1),
                         (SELECT through_sequence FROM snapshots WHERE board = $1),
                         0)",
                )
                .await?,
        })
    }
}

async fn run(
    mut log: Log,
    mut receiver: mpsc::UnboundedReceiver<WriteOp>,
    lock_lost: CancellationToken,
) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        if lock_lost.is_cancelled() {
            for op in batch {
                op.answer(Err(StoreError::CommitFailed(LOCK_LOST.into())));
            }
            continue;
        }
        commit(&mut log, batch).await;
    }
}

/// Why a write fails once the node's lock is gone.
const LOCK_LOST: &str = "this node lost its lock on the database and writes nothing more";

/// Commits a batch in one transaction and answers each write. If that
/// fails, each write is tried again in a transaction of its own, so one
/// bad write does not fail the others (PostgreSQL aborts a whole
/// transaction at its first error).
async fn commit(log: &mut Log, batch: Vec<WriteOp>) {
    if log.client.is_closed() {
        match super::connect_here(&log.config, super::Purpose::Queries).await {
            Ok(client) => {
                log.client = client;
                log.statements = None;
            }
            Err(error) => {
                tracing::error!(%error, "cannot connect the store's writer again");
            }
        }
    }
    let outcome = write(log, &batch).await;
    match outcome {
        Ok(sequences) => {
            for (op, sequence) in batch.into_iter().zip(sequences) {
                op.answer(Ok(sequence));
            }
        }
        Err(error) if batch.len() == 1 => {
            log.forget();
            for op in batch {
                op.answer(Err(StoreError::CommitFailed(error.to_string())));
            }
        }
        Err(_) => {
            log.forget();
            for op in batch {
                let result = write(log, std::slice::from_ref(&op)).await;
                if result.is_err() {
                    log.forget();
                }
                op.answer(
                    result
                        .map(|sequences| sequences.first().copied().unwrap_or_default())
                        .map_err(|error| StoreError::CommitFailed(error.to_string())),
                );
            }
        }
    }
}

/// Writes `batch` in one transaction: each write's sequence number.
async fn write(log: &mut Log, batch: &[WriteOp]) -> Result<Vec<u64>, tokio_postgres::Error> {
    let Log {
        client,
        statements,
        next,
        ..
    } = log;
    let statements = match statements {
        Some(statements) => statements,
        None => statements.insert(Statements::prepare(client).await?),
    };
    let transaction = client.transaction().await?;
    let mut rows = Rows::default();
    let mut sequences = Vec::with_capacity(batch.len());
    for op in batch {
        match op {
            WriteOp::Append {
                board,
                updates,
                new_clients,
                ..
            } => {
                for (client, owner) in new_clients {
                    rows.clients.push((board, *client as i64, owner));
                }
                let sequence = match next.get_mut(board) {
                    Some(sequence) => sequence,
                    None => {
                        let last: i64 = transaction
                            .query_one(&statements.last_sequence, &[board])
                            .await?
                            .try_get(0)?;
                        next.entry(board.clone()).or_insert(last)
                    }
                };
                for update in updates {
                    *sequence += 1;
                    rows.updates.push((board, *sequence, update));
                }
                sequences.push(*sequence as u64);
            }
            WriteOp::Compact {
                board,
                snapshot,
                through_sequence,
                ..
            } => {
                // The appends queued before it are in the log first.
                rows.insert(&transaction, statements).await?;
                let through = *through_sequence as i64;
                transaction
                    .execute(&statements.upsert_snapshot, &[board, &through, snapshot])
                    .await?;
                transaction
                    .execute(&statements.delete_log, &[board, &through])
                    .await?;
                if let Some(sequence) = next.get_mut(board) {
                    *sequence = (*sequence).max(through);
                }
                sequences.push(*through_sequence);
            }
        }
    }
    rows.insert(&transaction, statements).await?;
    transaction.commit().await?;
    Ok(sequences)
}

/// The rows of a batch's appends, inserted with one statement per table
/// (`UNNEST` of arrays): one round trip however many updates queued.
#[derive(Default)]
struct Rows<'a> {
    updates: Vec<(&'a String, i64, &'a Vec<u8>)>,
    clients: Vec<(&'a String, i64, &'a String)>,
}

impl Rows<'_> {
    async fn insert(
        &mut self,
        transaction: &Transaction<'_>,
        statements: &Statements,
    ) -> Result<(), tokio_postgres::Error> {
        if !self.clients.is_empty() {
            let (boards, ids, owners) = columns(self.clients.drain(..));
            transaction
                .execute(&statements.insert_clients, &[&boards, &ids, &owners])
                .await?;
        }
        if !self.updates.is_empty() {
            let (boards, sequences, data) = columns(self.updates.drain(..));
            transaction
                .execute(&statements.insert_updates, &[&boards, &sequences, &data])
                .await?;
        }
        Ok(())
    }
}

/// Rows as three columns.
fn columns<A, B, C>(rows: impl Iterator<Item = (A, B, C)>) -> (Vec<A>, Vec<B>, Vec<C>) {
    let mut columns = (Vec::new(), Vec::new(), Vec::new());
    for (a, b, c) in rows {
        columns.0.push(a);
        columns.1.push(b);
        columns.2.push(c);
    }
    columns
}
