//! Kartenwand: a self-hosted, real-time workshop board for municipal
//! conferences. Phones, the moderator's laptop and the projector each hold a
//! copy of one Yjs document per conference and sync it over websockets with
//! this server, which keeps every board durable in an embedded database.
//!
//! # Layout
//!
//! Dependencies point inward: `http` → `room` → `protocol` / `store` / `auth`.
//!
//! - [`protocol`]: the y-websocket wire format and bounded validation of
//!   every payload before yrs sees it. Pure, no I/O.
//! - [`room`]: one actor task per live board owning its yrs document,
//!   awareness and peers; the registry that finds or starts rooms.
//! - [`store`]: the [`store::Store`] trait and its embedded SQLite
//!   implementation (update log, snapshots; commits inline, or group
//!   commits on a writer thread with `synchronous=full`).
//! - [`auth`]: tokens, ids and roles. Pure.
//! - [`board`]: what the server writes into the board document, and the
//!   typed read model of the whole board.
//! - [`export`]: the documentation (Markdown, HTML, PDF, DOCX, CSV, JSON)
//!   and the network map. Pure.
//! - [`http`]: axum routes (board creation, join, websocket upgrade, health).
//! - [`config`]: command line and environment configuration.

pub mod auth;
pub mod board;
pub mod config;
pub mod export;
pub mod http;
pub mod protocol;
pub mod rate;
pub mod room;
pub mod socket;
pub mod store;

use anyhow::Context;
use axum::serve::ListenerExt;
use config::ServeConfig;
use http::{AppState, ConnectionLimits, Shared};
use room::Registry;
use std::sync::Arc;
use std::time::Duration;
use store::{SqliteStore, Store};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long shutdown waits for rooms and connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves until `shutdown` is cancelled, then closes every connection,
/// flushes every room and closes the database.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let database = config.database_path();
    let store = Arc::new(
        SqliteStore::open(&database, config.sqlite_synchronous)
            .with_context(|| format!("cannot open database {}", database.display()))?,
    );
    let tasks = TaskTracker::new();
    let room_settings = config.room_settings();
    let outbox = room_settings.outbox;
    let registry = Registry::new(store.clone(), room_settings, tasks.clone());
    let state = AppState::new(Shared {
        store: store.clone() as Arc<dyn Store>,
        registry: registry.clone(),
        tasks: tasks.clone(),
        connections: Arc::new(Semaphore::new(config.max_connections)),
        max_connections: config.max_connections,
        public_url: config.public_url.clone(),
        limits: ConnectionLimits {
            max_frame_bytes: config.max_frame_bytes,
            messages_per_second: config.messages_per_second,
            message_burst: config.message_burst,
            ping_interval: Duration::from_secs(config.ping_seconds.max(1)),
            outbox,
        },
    });
    // Small updates must not wait for delayed ACKs (Nagle).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let server = axum::serve(listener, http::router(state))
        .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let server = tokio::spawn(server.into_future());

    shutdown.cancelled().await;
    tracing::info!("shutting down");
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    if tokio::time::timeout_at(deadline, registry.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some boards did not finish in time");
    }
    tasks.close();
    if tokio::time::timeout_at(deadline, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not close in time");
    }
    server.abort();
    store.close();
    tracing::info!("stopped");
    Ok(())
}

/// Writes a consistent copy of the database to `to` with `VACUUM INTO`.
pub fn backup(config: &config::BackupConfig) -> anyhow::Result<()> {
    let database = config.data_dir.join(config::DATABASE_FILE);
    anyhow::ensure!(database.exists(), "no database at {}", database.display());
    anyhow::ensure!(
        !config.to.exists(),
        "{} exists already",
        config.to.display()
    );
    let store = SqliteStore::open(&database, store::Synchronous::Normal)
        .with_context(|| format!("cannot open database {}", database.display()))?;
    store
        .backup(&config.to)
        .with_context(|| format!("cannot write backup to {}", config.to.display()))?;
    store.close();
    Ok(())
}

/// Opens the database of an existing data directory (CLI commands).
fn open_existing_store(data_dir: &std::path::Path) -> anyhow::Result<SqliteStore> {
    let database = data_dir.join(config::DATABASE_FILE);
    anyhow::ensure!(database.exists(), "no database at {}", database.display());
    SqliteStore::open(&database, store::Synchronous::Normal)
        .with_context(|| format!("cannot open database {}", database.display()))
}

/// Gathers a board for export from the store.
pub fn load_export(store: &dyn Store, board: &str) -> anyhow::Result<export::BoardExport> {
    let record = store
        .board(board)?
        .with_context(|| format!("no board {board}"))?;
    let stored = store.load_document(board)?;
    let doc = room::build_document(&stored)
        .map_err(|error| anyhow::anyhow!("cannot read the board document: {error}"))?;
    let participants = store.participants(board)?;
    Ok(export::BoardExport::new(&record, &doc, &participants))
}

/// `kartenwand export`: writes one format of a board to a file or stdout.
/// Reads what the store holds (safe while serving).
pub fn export_board(config: &config::ExportConfig) -> anyhow::Result<()> {
    let format = export::Format::from_extension(&config.format)
        .with_context(|| format!("unknown format {}", config.format))?;
    let store = open_existing_store(&config.data_dir)?;
    let input = load_export(&store, &config.board)?;
    store.close();
    let options = export::Options {
        authors: !config.without_authors,
    };
    let bytes = export::export(&input, format, options)?;
    match &config.out {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

/// What `kartenwand import` prints once: the tokens are stored hashed only.
#[derive(Debug, Clone)]
pub struct ImportedBoard {
    pub board: String,
    pub moderator_token: String,
    pub viewer_token: String,
    pub join_code: String,
}

/// `kartenwand import`: restores a board from a JSON export with new
/// tokens and a new join code. Refuses a board id that exists.
pub async fn import_board(config: &config::ImportConfig) -> anyhow::Result<ImportedBoard> {
    use yrs::{Map, ReadTxn, StateVector, Transact};
    let bytes = std::fs::read(&config.file)
        .with_context(|| format!("cannot read {}", config.file.display()))?;
    let file = export::json::parse(&bytes)?;
    let id = &file.board.id;
    anyhow::ensure!(
        (8..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "board id {id:?} is not a valid id"
    );
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let database = config.data_dir.join(config::DATABASE_FILE);
    let store = SqliteStore::open(&database, store::Synchronous::Normal)
        .with_context(|| format!("cannot open database {}", database.display()))?;
    anyhow::ensure!(store.board(id)?.is_none(), "board {id} exists already");

    let moderator_token = auth::new_moderator_token();
    let viewer_token = auth::new_viewer_token();
    let mut record = store::BoardRecord {
        id: id.clone(),
        title: file.board.title.clone(),
        district: file.board.district.clone(),
        join_code: String::new(),
        moderator_token_hash: auth::hash_token(&moderator_token),
        viewer_token_hash: auth::hash_token(&viewer_token),
        created_at: file.board.created_at,
    };
    let mut created = false;
    for _ in 0..8 {
        record.join_code = auth::new_join_code();
        match store.create_board(&record) {
            Ok(()) => {
                created = true;
                break;
            }
            Err(store::StoreError::Conflict) if store.board(id)?.is_none() => continue,
            Err(error) => return Err(error.into()),
        }
    }
    anyhow::ensure!(created, "could not find a free join code; try again");

    // Contacts keep their data; their tokens are new and never shown, so
    // nobody can sign in as them.
    for contact in &file.contacts {
        store.add_participant(&store::ParticipantRecord {
            board: id.clone(),
            id: contact.participant.clone(),
            token_hash: auth::hash_token(&auth::new_participant_token(&contact.participant)),
            name: contact.name.clone(),
            organisation: contact.organisation.clone(),
            sector: contact.sector.clone(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            contact_consent: true,
            created_at: file.board.created_at,
            removed: false,
        })?;
    }

    let doc = file.document.restore();
    {
        let meta = doc.get_or_insert_map(board::META);
        let mut txn = doc.transact_mut();
        meta.insert(&mut txn, "joinCode", record.join_code.as_str());
    }
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    store
        .append_update(
            id,
            update,
            vec![(doc.client_id().get(), room::SERVER_OWNER.to_owned())],
        )
        .await
        .context("store writer went away")??;
    store.close();
    Ok(ImportedBoard {
        board: record.id,
        moderator_token,
        viewer_token,
        join_code: record.join_code,
    })
}
