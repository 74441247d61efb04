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
//! - [`store`]: the [`store::Store`] trait, [`store::Backend::open`] (the
//!   one place a backend is picked) and the embedded SQLite implementation
//!   (update log, snapshots; commits inline, or group commits on a writer
//!   thread with `synchronous=full`).
//! - [`auth`]: tokens, ids and roles, and [`auth::ownership`], the rule of
//!   `docs/schema.md` every participant's update is checked against (one
//!   file per collection). Pure.
//! - [`board`]: the document's vocabulary ([`board::schema`]), what the
//!   server writes into the board document, and the typed read model of
//!   the whole board.
//! - [`conference`]: creating a board and gathering one for export, for the
//!   HTTP API and the command line alike.
//! - [`export`]: the documentation (Markdown, HTML, PDF, DOCX, CSV, JSON)
//!   and the network map. Pure.
//! - [`http`]: axum routes (board creation, join, exports, websocket
//!   upgrade, health), and the accept loop that bounds what each TCP
//!   connection may hold ([`http::listener`]).
//! - [`metrics`]: the counters, gauges and histograms of `/metrics` and
//!   their Prometheus text encoding; a leaf the others record into.
//! - [`commands`]: `kartenwand backup`, `restore`, `export` and `import`.
//! - [`config`]: command line, environment and configuration file.
//! - [`data_dir`]: the lock `serve` and `restore` hold on a data directory.
//! - [`logging`]: text or JSON log lines, and the span with a request id
//!   around every HTTP request.
//! - [`socket`]: the sending side of a connection (frames, bounded outlet)
//!   and the close reasons; a leaf that imports nothing of the crate.
//! - [`series`]: a series of conferences compared for the council: the
//!   organiser's comparison (topics of clusters of several boards), what
//!   each topic gathers, and the suggestions across boards. Pure.
//! - [`similar`]: which cards say the same thing in other words (the
//!   suggestions of the wall and the series). Pure.
//! - [`notice`]: the privacy notice before the join form, its defaults and
//!   the operator's file.
//! - [`retention`]: the sweep that deletes the boards whose day of
//!   deletion has passed, at start and daily.
//! - [`rate`]: the one token bucket every rate limit uses (messages per
//!   connection, sync requests and awareness per peer).

pub mod auth;
pub mod board;
pub mod commands;
pub mod conference;
pub mod config;
pub mod data_dir;
pub mod event;
pub mod export;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod notice;
pub mod photo;
pub mod protocol;
pub mod rate;
pub mod retention;
pub mod room;
pub mod series;
pub mod similar;
pub mod socket;
pub mod store;

use anyhow::Context;
use config::ServeConfig;
use http::listener::ListenerLimits;
use http::throttle::Throttles;
use http::{AppState, ConnectionLimits, Shared};
use room::Registry;
use std::sync::Arc;
use std::time::Duration;
use store::Backend;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long shutdown waits for rooms and connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves until `shutdown` is cancelled (or the store says this node may
/// write it no more: an error), then closes every connection,
/// flushes every room and closes the database.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    // Held until serve returns: `kartenwand restore` refuses meanwhile.
    let _lock = data_dir::lock(&config.data_dir)?;
    // A notice file that cannot be read stops the start: phones must never
    // join under a notice the operator did not mean.
    let notice = notice::Notices::load(config.privacy_notice.as_deref(), config.retention_days)?;
    let store_config = config.store();
    let backend =
        Backend::open(&store_config).with_context(|| format!("cannot open {store_config}"))?;
    // The kind and place only: a database URL's password never reaches a log.
    tracing::info!(store = %store_config, "store opened");
    let store = backend.store();
    let tasks = TaskTracker::new();
    let room_settings = config.room_settings();
    let outbox = room_settings.outbox;
    let registry = Registry::new(store.clone(), room_settings, tasks.clone());
    let state = AppState::new(Shared {
        store: store.clone(),
        registry: registry.clone(),
        tasks: tasks.clone(),
        connections: Arc::new(Semaphore::new(config.max_connections)),
        max_connections: config.max_connections,
        public_url: config.public_url.clone(),
        metrics_token: config.metrics_token.clone(),
        limits: ConnectionLimits {
            max_frame_bytes: config.max_frame_bytes,
            messages_per_second: config.messages_per_second,
            message_burst: config.message_burst,
            ping_interval: Duration::from_secs(config.ping_seconds.max(1)),
            outbox,
            outbox_budget: config.outbox_budget(),
            write_timeout: Duration::from_secs(config.write_timeout_seconds.max(1)),
        },
        body_read_timeout: Duration::from_secs(config.body_read_seconds),
        throttles: Throttles::new(config.client_address(), config.rates()),
        exports_running: Arc::default(),
        board_creation: config.board_creation,
        sign_ins: Arc::default(),
        link_connections: Arc::default(),
        signals: Arc::default(),
        photo_limits: config.photo_limits(),
        retention_days: config.retention_days,
        notice: Arc::new(notice),
    });
    {
        let (store, registry, shutdown) = (store.clone(), registry.clone(), shutdown.clone());
        let days = config.retention_days;
        tokio::spawn(async move { retention::sweep_daily(store, registry, days, shutdown).await });
    }
    {
        let (state, shutdown) = (state.clone(), shutdown.clone());
        tokio::spawn(async move { state.throttles.maintain(shutdown).await });
    }
    let app = http::router(state).layer(axum::middleware::from_fn(logging::request_span));
    let limits = ListenerLimits {
        max_open_connections: config.max_open_connections(),
        header_read_timeout: Duration::from_secs(config.header_read_seconds),
    };
    let server = tokio::spawn(http::listener::serve(
        listener,
        app,
        limits,
        shutdown.clone(),
        tasks.clone(),
    ));

    let lock_lost = backend.lock_lost();
    let lost = async {
        match &lock_lost {
            Some(lost) => lost.cancelled().await,
            None => std::future::pending().await,
        }
    };
    let lost_lock = tokio::select! {
        () = shutdown.cancelled() => false,
        () = lost => true,
    };
    if lost_lock {
        tracing::error!(
            "this node lost its lock on the database and stops: another node may serve \
             its boards now; start it again when the database is reachable"
        );
        shutdown.cancel();
    }
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
    backend.close();
    tracing::info!("stopped");
    if lost_lock {
        anyhow::bail!("stopped: this node lost its lock on the database");
    }
    Ok(())
}
