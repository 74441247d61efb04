//! The PostgreSQL store: `serve --database-url postgres://USER@HOST:PORT/DB`.
//!
//! The same tables and meaning as the SQLite store (`schema`), reached
//! through tokio-postgres. Its connections are driven by a small runtime of
//! the store's own (one thread, `store-postgres`); a [`Store`] method waits
//! for its query with `futures_executor::block_on`, which works on any
//! thread: a `spawn_blocking` thread as the server calls it, and also an
//! async task (the tests, the start-up), where a client that blocks on a
//! runtime of its own (the `postgres` crate) would panic.
//!
//! Document writes (appends, compactions) never wait in the room: they go
//! to the writer task on the store's runtime, which commits whatever has
//! queued up in one transaction (group commit), in order, and answers each
//! [`PendingWrite`](super::PendingWrite). Reads and the record writes take
//! one of a few connections ([`Connections`]), each with the statements it
//! prepared.
//!
//! Until several nodes can share a database (issue 18), the store holds a
//! session-level advisory lock for as long as it is open, on a connection
//! of its own ([`NODE_LOCK`]): a second node on the same database refuses
//! to start instead of serving the same boards beside the first. If that
//! connection ends while the store is open (PostgreSQL restarted, the
//! session was terminated), the lock is gone: the writer commits nothing
//! more and [`PostgresStore::lock_lost`] tells the server, which stops.
//!
//! - `schema`: the tables, the migration, the columns kept uncompressed.
//! - `writer`: the writer task and its group commit.
//! - `queries`, `events`, `organisers`, `series`: [`Store`] for PostgreSQL.

mod events;
mod organisers;
mod queries;
mod schema;
mod series;
mod writer;

use super::StoreError;
use super::write::WriteOp;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row, Statement};
use tokio_util::sync::CancellationToken;

/// Connections for reads and record writes. Each request holds one for
/// its query or transaction; a few let a board's load, a join and an
/// export go on side by side.
const CONNECTIONS: usize = 4;

/// The key of the advisory lock a node holds on its database
/// (`pg_try_advisory_lock`): "KARTENWD" as a number. Advisory locks are
/// per database, so nodes on different databases of one server do not
/// meet.
const NODE_LOCK: i64 = 0x4b41_5254_454e_5744;

/// How long connecting to the server may take before the start fails
/// (unless the URL sets `connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A query's parameters, as tokio-postgres takes them.
pub(super) type Params<'a> = [&'a (dyn ToSql + Sync)];

pub struct PostgresStore {
    /// Drives every connection; dropped (in the background) last.
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    connections: Connections,
    writer: Mutex<Option<writer::Writer>>,
    /// The connection whose session holds [`NODE_LOCK`]; closing it
    /// releases the lock.
    node_lock: Mutex<Option<Client>>,
    /// Cancelled when the lock's connection ended while the store was open.
    lock: LockWatch,
}

/// What the end of the lock's connection means: `closing` is cancelled
/// first when the store closes it; otherwise its end cancels `lost`.
#[derive(Debug, Clone, Default)]
struct LockWatch {
    lost: CancellationToken,
    closing: CancellationToken,
}

/// PostgreSQL's errors reach callers without naming PostgreSQL; a taken
/// unique value or a missing referenced row is a [`StoreError::Conflict`],
/// as a violated constraint is in SQLite.
impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        match error.code() {
            Some(&SqlState::UNIQUE_VIOLATION) | Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                StoreError::Conflict
            }
            _ => StoreError::Backend(Box::new(error)),
        }
    }
}

/// A value in the database that no Kartenwand wrote (a hash of another
/// length, a negative size).
pub(super) fn unexpected(what: &str) -> StoreError {
    StoreError::Backend(format!("unexpected value in the database: {what}").into())
}

/// A 32-byte hash column.
pub(super) fn hash(row: &Row, index: usize) -> Result<[u8; 32], StoreError> {
    let bytes: Vec<u8> = row.try_get(index)?;
    bytes.try_into().map_err(|_| unexpected("a hash"))
}

/// A 32-byte hash column that may be NULL.
pub(super) fn optional_hash(row: &Row, index: usize) -> Result<Option<[u8; 32]>, StoreError> {
    let bytes: Option<Vec<u8>> = row.try_get(index)?;
    bytes
        .map(|bytes| bytes.try_into().map_err(|_| unexpected("a hash")))
        .transpose()
}

/// Where the store connects, for messages and logs: host, port and
/// database, never the user's password.
pub fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default();
    format!("{host}:{port}/{database}")
}

impl PostgresStore {
    /// Connects to the database `url` names, takes the node's lock, and
    /// brings the schema to this version.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|error| StoreError::Backend(Box::new(error)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // The migration's `CREATE TABLE IF NOT EXISTS` sends a notice per
        // table that exists: warnings and worse only.
        let options = match config.get_options() {
            Some(given) => format!("{given} -c client_min_messages=warning"),
            None => "-c client_min_messages=warning".to_owned(),
        };
        config.options(options);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("store-postgres")
            .enable_all()
            .build()
            .map_err(|error| StoreError::Backend(Box::new(error)))?;
        let store = PostgresStore {
            runtime: Mutex::new(None),
            connections: Connections::new(runtime.handle().clone(), config.clone()),
            writer: Mutex::new(None),
            node_lock: Mutex::new(None),
            lock: LockWatch::default(),
        };
        *lock(&store.runtime) = Some(runtime);
        let handle = store.connections.runtime.clone();
        let node_lock = connect(&handle, &config, Purpose::NodeLock(store.lock.clone()))?;
        let locked: bool = futures_executor::block_on(
            node_lock.query_one("SELECT pg_try_advisory_lock($1)", &[&NODE_LOCK]),
        )?
        .try_get(0)?;
        if !locked {
            return Err(StoreError::InUse(describe(&config)));
        }
        *lock(&store.node_lock) = Some(node_lock);
        store.run(async |client| schema::migrate(client).await)?;
        let writer_client = connect(&handle, &config, Purpose::Queries)?;
        *lock(&store.writer) = Some(writer::Writer::start(
            &handle,
            writer_client,
            config,
            store.lock.lost.clone(),
        ));
        Ok(store)
    }

    /// Cancelled when this node lost its lock on the database while open:
    /// another node may take the database now, so this one must stop (the
    /// writer already commits nothing more).
    pub fn lock_lost(&self) -> CancellationToken {
        self.lock.lost.clone()
    }

    /// Finishes every queued write, closes the connections (which releases
    /// the node's lock) and stops the store's runtime.
    pub fn close(&self) {
        let writer = lock(&self.writer).take();
        if let Some(writer) = writer {
            writer.finish();
        }
        self.lock.closing.cancel();
        lock(&self.node_lock).take();
        self.connections.close();
        if let Some(runtime) = lock(&self.runtime).take() {
            // Not `shutdown_timeout`: the store may be closed on an async
            // task, where blocking on a runtime panics.
            runtime.shutdown_background();
        }
    }

    /// Runs `f` on one of the connections and waits for it.
    pub(super) fn run<T>(
        &self,
        f: impl AsyncFnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = self.connections.take()?;
        let Some(slot) = slot.as_mut() else {
            return Err(StoreError::Closed);
        };
        futures_executor::block_on(f(&mut slot.client))
    }

    /// Runs `f` with `sql` prepared on one of the connections: once per
    /// connection, so a statement run again costs one round trip, not two.
    fn prepared<T>(
        &self,
        sql: &str,
        f: impl AsyncFnOnce(&Client, &Statement) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = self.connections.take()?;
        let Some(slot) = slot.as_mut() else {
            return Err(StoreError::Closed);
        };
        futures_executor::block_on(async {
            let statement = match slot.statements.get(sql) {
                Some(statement) => statement.clone(),
                None => {
                    let statement = slot.client.prepare(sql).await?;
                    slot.statements.insert(sql.to_owned(), statement.clone());
                    statement
                }
            };
            let result = f(&slot.client, &statement).await;
            if result.is_err() {
                // Prepared afresh next time, in case the statement itself
                // went stale (a changed table).
                slot.statements.remove(sql);
            }
            result
        })
    }

    /// One statement; the number of rows it changed.
    pub(super) fn execute(&self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        self.prepared(sql, async |c, statement| {
            Ok(c.execute(statement, params).await?)
        })
    }

    /// The row a query finds, if any, made into a `T`.
    pub(super) fn query_opt<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        from_row: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.prepared(sql, async |c, statement| {
            c.query_opt(statement, params)
                .await?
                .as_ref()
                .map(from_row)
                .transpose()
        })
    }

    /// Every row a query finds, each made into a `T`.
    pub(super) fn query<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        from_row: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.prepared(sql, async |c, statement| {
            c.query(statement, params)
                .await?
                .iter()
                .map(from_row)
                .collect()
        })
    }

    /// Queues a document write for the writer (refused once closed).
    fn submit(&self, op: WriteOp) {
        match lock(&self.writer).as_ref() {
            Some(writer) => writer.submit(op),
            None => op.refuse(),
        }
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.close();
    }
}

/// Locks a mutex even if a panic poisoned it: what these guard (a client,
/// a handle) stays usable, and PostgreSQL rolls back a transaction whose
/// connection or `Transaction` was dropped by the unwinding.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        mutex.clear_poison();
        poisoned.into_inner()
    })
}

/// What a connection is for, which decides what its loss means.
#[derive(Debug, Clone)]
enum Purpose {
    /// Reads, record writes, the writer: made again on the next use.
    Queries,
    /// The session that holds [`NODE_LOCK`]: losing it (a restart of
    /// PostgreSQL) frees the database for a second node.
    NodeLock(LockWatch),
}

/// Connects on the store's runtime, which then drives the connection, and
/// waits (on any thread) for the client.
fn connect(
    runtime: &tokio::runtime::Handle,
    config: &Config,
    purpose: Purpose,
) -> Result<Client, StoreError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let config = config.clone();
    runtime.spawn(async move {
        let _ = sender.send(connect_here(&config, purpose).await);
    });
    receiver.recv().map_err(|_| StoreError::Closed)?
}

/// Connects from a task of the store's runtime. A connection that ends
/// without being closed by the store is logged.
async fn connect_here(config: &Config, purpose: Purpose) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let ended = connection.await;
        match purpose {
            Purpose::Queries => {
                if let Err(error) = ended {
                    tracing::warn!(%error, "a PostgreSQL connection ended; it is made again when needed")
                }
            }
            Purpose::NodeLock(watch) if !watch.closing.is_cancelled() => {
                let error = ended.err().map(|error| error.to_string());
                tracing::error!(
                    error,
                    "lost the connection that holds this node's lock on the database: \
                     a second node could start on it now; this node writes nothing more and stops"
                );
                watch.lost.cancel();
            }
            Purpose::NodeLock(_) => {}
        }
    });
    Ok(client)
}

/// One of [`Connections`]: a client and the statements prepared on it.
struct Slot {
    client: Client,
    /// By their SQL: a few dozen, each made from constants.
    statements: HashMap<String, Statement>,
}

/// A few connections, each used by one request at a time, made again when
/// the server closed one (a restart of PostgreSQL, an idle timeout).
struct Connections {
    runtime: tokio::runtime::Handle,
    config: Config,
    clients: Vec<Mutex<Option<Slot>>>,
    /// Where the next request starts looking for a free connection.
    next: AtomicUsize,
    /// Set by [`PostgresStore::close`]: no connection is made again.
    closed: AtomicBool,
}

impl Connections {
    fn new(runtime: tokio::runtime::Handle, config: Config) -> Connections {
        Connections {
            runtime,
            config,
            clients: (0..CONNECTIONS).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// A free connection, or the next one once it is free; connected
    /// afresh if it is new or the server closed it.
    fn take(&self) -> Result<MutexGuard<'_, Option<Slot>>, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..CONNECTIONS)
            .find_map(|offset| self.clients[(start + offset) % CONNECTIONS].try_lock().ok());
        let mut slot = free.unwrap_or_else(|| lock(&self.clients[start % CONNECTIONS]));
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        if slot.as_ref().is_none_or(|slot| slot.client.is_closed()) {
            *slot = Some(Slot {
                client: connect(&self.runtime, &self.config, Purpose::Queries)?,
                statements: HashMap::new(),
            });
        }
        Ok(slot)
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        for client in &self.clients {
            lock(client).take();
        }
    }
}

#[cfg(test)]
#[path = "../../../../tests/support/postgres.rs"]
pub(crate) mod test_server;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::Store;
    use crate::store::contract::append;

    /// A store on a database of its own, dropped with the guard.
    fn opened() -> (test_server::Database, PostgresStore) {
        let database = test_server::database();
        let store = PostgresStore::open(&database.url).expect("opens");
        (database, store)
    }

    // The contract of every store, each case on a database of its own.
    store_contract!(postgres, opened());

    #[tokio::test]
    async fn a_second_node_on_the_database_is_refused_until_the_first_closes() {
        let (database, store) = opened();
        let second = PostgresStore::open(&database.url);
        assert!(
            matches!(&second, Err(StoreError::InUse(place)) if place.ends_with(&database.name)),
            "{:?}",
            second.err()
        );
        store.close();
        PostgresStore::open(&database.url).expect("free again");
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused_and_the_log_survives_a_reopening() {
        let (database, store) = opened();
        append(&store, "a", b"kept").await;
        store.close();
        let reopened = PostgresStore::open(&database.url).expect("reopens");
        assert_eq!(
            reopened.load_document("a").expect("loads").updates,
            vec![b"kept".to_vec()]
        );
        assert!(append(&reopened, "a", b"next").await > 1);
        reopened.close();
        test_server::server().psql(&database.name, "UPDATE schema_version SET version = 7");
        assert!(matches!(
            PostgresStore::open(&database.url),
            Err(StoreError::NewerSchema(7, 6))
        ));
    }

    /// A write the database refuses (here a trigger refuses board `bad`)
    /// fails alone: the writes queued with it, in the same group commit,
    /// are committed and answered.
    #[tokio::test]
    async fn a_refused_write_fails_alone_in_its_group() {
        let (database, store) = opened();
        test_server::server().psql(
            &database.name,
            "CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN IF NEW.board = 'bad' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER refuse_bad BEFORE INSERT ON updates
                 FOR EACH ROW EXECUTE FUNCTION refuse_bad();",
        );
        // Queued at once, so the writer finds them together.
        let pending: Vec<_> = ["a", "bad", "b", "a"]
            .into_iter()
            .map(|board| {
                (
                    board,
                    store.append_update(board, board.as_bytes().to_vec(), Vec::new()),
                )
            })
            .collect();
        for (board, write) in pending {
            let result = write.await.expect("answered");
            match board {
                "bad" => assert!(
                    matches!(result, Err(StoreError::CommitFailed(_))),
                    "{result:?}"
                ),
                _ => assert!(result.is_ok(), "{board}: {result:?}"),
            }
        }
        assert_eq!(store.load_document("a").expect("loads").updates.len(), 2);
        assert_eq!(store.load_document("b").expect("loads").last_sequence, 1);
        assert_eq!(
            store.load_document("bad").expect("loads"),
            Default::default()
        );
        // And the writer goes on.
        assert_eq!(append(&store, "b", b"next").await, 2);
    }

    #[tokio::test]
    async fn writes_after_close_fail_cleanly() {
        let (_database, store) = opened();
        store.close();
        let result = store
            .append_update("a", b"x".to_vec(), Vec::new())
            .await
            .expect("answered");
        assert!(matches!(result, Err(StoreError::Closed)));
        assert!(matches!(store.board("a"), Err(StoreError::Closed)));
    }

    /// Erased values must not hide in a compressed copy (DESIGN.md's
    /// pitfalls): the columns of personal data and document bytes are
    /// stored uncompressed.
    #[tokio::test]
    async fn personal_data_and_document_bytes_are_never_compressed() {
        let (database, _store) = opened();
        let external = test_server::server().psql(
            &database.name,
            "SELECT attrelid::regclass || '.' || attname FROM pg_attribute
             WHERE attstorage = 'e' AND attnum > 0 AND attrelid::regclass::text IN
                 ('participants', 'event_participants', 'photos', 'updates', 'snapshots')
             ORDER BY 1",
        );
        let external: Vec<&str> = external.lines().collect();
        for column in [
            "participants.name",
            "participants.email",
            "participants.phone",
            "event_participants.email",
            "event_participants.attributes",
            "photos.jpeg",
            "updates.data",
            "snapshots.data",
        ] {
            assert!(external.contains(&column), "{column}: {external:?}");
        }
    }

    #[test]
    fn a_database_is_described_without_its_password() {
        let config: Config = "postgres://kartenwand:secret@db.example:5433/boards"
            .parse()
            .expect("a URL");
        assert_eq!(describe(&config), "db.example:5433/boards");
    }
}
