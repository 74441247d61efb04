//! The HTTP edge: routes, shared state and the one error type.

pub mod address;
mod assets;
mod boards;
mod events;
mod exports;
pub mod listener;
pub mod organisers;
mod photos;
mod registration;
mod series;
mod suggestions;
pub mod throttle;
mod ws;

use crate::auth::{self, Identity, TokenClaim};
use crate::metrics;
use crate::room::Registry;
use crate::socket::OutletLimits;
use crate::store::{Store, StoreError};
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

/// Largest JSON body the API reads.
const MAX_API_BODY: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

pub struct Shared {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    /// Connection tasks, so shutdown can wait for their close frames.
    pub tasks: TaskTracker,
    /// One permit per open websocket, across all boards.
    pub connections: Arc<Semaphore>,
    pub max_connections: usize,
    pub public_url: Option<String>,
    /// `--metrics-token`: what `/metrics` requires, if anything.
    pub metrics_token: Option<String>,
    pub limits: ConnectionLimits,
    /// `--body-read-seconds`: how long a request's body may take.
    pub body_read_timeout: Duration,
    /// The per-address limits of creation, joins and code lookups.
    pub throttles: throttle::Throttles,
    /// Boards with an export being made (see `exports.rs`).
    pub exports_running: Arc<dashmap::DashSet<String>>,
    /// Who may create boards (`--board-creation`).
    pub board_creation: crate::config::BoardCreation,
    /// Failed organiser sign-ins, per e-mail and per address.
    pub sign_ins: Arc<organisers::SignInLimits>,
    /// Connections that came in through a board's further links.
    pub link_connections: Arc<organisers::LinkConnections>,
    /// Per event: the long polls' version and the lock of its changes.
    pub signals: Arc<events::Signals>,
    /// What uploads of photos may take.
    pub photo_limits: PhotoLimits,
    /// Days a board is kept after its day by default (`--retention-days`).
    pub retention_days: u32,
    /// The privacy notice (`--privacy-notice`, else the defaults).
    pub notice: Arc<crate::notice::Notices>,
}

/// `--max-photo-bytes`, `--max-photos-per-board`,
/// `--max-photo-storage-bytes`.
#[derive(Debug, Clone, Copy)]
pub struct PhotoLimits {
    pub max_photo_bytes: usize,
    pub max_per_board: u64,
    pub max_storage_bytes: u64,
}

#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_frame_bytes: usize,
    pub messages_per_second: u32,
    pub message_burst: u32,
    pub ping_interval: Duration,
    pub outbox: OutletLimits,
    /// What waits for all sockets, per identity and in all.
    pub outbox_budget: std::sync::Arc<crate::socket::OutboxBudget>,
    /// How long a socket may take no byte of what waits for it.
    pub write_timeout: Duration,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState {
            inner: Arc::new(shared),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.inner
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/notice", get(notice))
        .route("/metrics", get(metrics))
        .merge(boards::router())
        .merge(registration::router())
        .merge(events::router())
        .merge(organisers::router())
        .merge(exports::router())
        .merge(series::router())
        .merge(suggestions::router())
        .layer(DefaultBodyLimit::max(MAX_API_BODY))
        .merge(photos::router(state.photo_limits.max_photo_bytes))
        .merge(ws::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            listener::body_deadline,
        ))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// `GET /api/notice`: the privacy notice the join screens show before the
/// first field, in German and English ([`crate::notice`]). No token.
async fn notice(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<crate::notice::Notices> {
    Json(state.notice.as_ref().clone())
}

/// Counts only, in the Prometheus text format (see [`crate::metrics`]);
/// nothing about any board's content. With `--metrics-token`, only for
/// that bearer token (compared in constant time).
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Error> {
    if let Some(expected) = &state.metrics_token {
        let given = bearer(&headers).ok_or(Error::Unauthorized(
            "an Authorization: Bearer token is required",
        ))?;
        // Hashed first, so the comparison takes as long whatever the length.
        let matches = Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
        if !bool::from(matches) {
            return Err(Error::Forbidden("the metrics token is not valid"));
        }
    }
    let snapshot = metrics::Snapshot {
        live_boards: state.registry.live_rooms(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, metrics::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        metrics::METRICS.encode(&snapshot),
    )
        .into_response())
}

/// An error answered as JSON `{"error": "..."}`. Detail of internal errors
/// is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    /// A limit of what may be stored is reached: 409.
    #[error("{0}")]
    Full(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// Well-formed, but not what it says it is (a broken image): 422.
    #[error("{0}")]
    UnprocessableEntity(String),
    #[error("{0}")]
    RequestTimeout(&'static str),
    /// Over a per-address rate ([`throttle`]).
    #[error("too many {what} from your address; try again in {} s", retry_after_seconds(*.retry_after))]
    TooManyRequests {
        what: &'static str,
        retry_after: Duration,
    },
    #[error("{0}")]
    Unavailable(&'static str),
    /// Busy for now: 503 with `Retry-After`.
    #[error("{what}; try again in {} s", retry_after_seconds(*.retry_after))]
    Busy {
        what: &'static str,
        retry_after: Duration,
    },
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("internal error")]
    Internal(String),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) | Error::Full(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::UnprocessableEntity(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match &self {
            Error::Store(error) => tracing::error!(%error, "request failed in the store"),
            Error::Internal(detail) => tracing::error!(%detail, "request failed"),
            _ => {}
        }
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if let Error::TooManyRequests { retry_after, .. } | Error::Busy { retry_after, .. } = &self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_seconds(*retry_after)),
            );
        }
        response
    }
}

/// Whole seconds for `Retry-After`, rounded up: never 0, which would ask
/// for an immediate retry that is refused again.
fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

/// Checks the token against the one record it can match, in constant time.
pub(crate) async fn identify(
    state: &AppState,
    board: String,
    token: String,
) -> Result<Identity, Error> {
    Ok(identify_with_link(state, board, token).await?.0)
}

/// [`identify`], and the id of the board's further link (co-moderator,
/// watch-only) the token belongs to, if it is one.
pub(crate) async fn identify_with_link(
    state: &AppState,
    board: String,
    token: String,
) -> Result<(Identity, Option<String>), Error> {
    const REFUSED: Error = Error::Forbidden("the token is not valid for this board");
    let store = state.store.clone();
    blocking(move || {
        // Board ids are random and secret like tokens: saying a board is
        // gone (deleted, past its day) tells nothing a guess could use.
        let Some(record) = store.board(&board)? else {
            return Err(Error::NotFound("no such board"));
        };
        // A further link's token: looked up by its hash (unique), live only.
        let link = |role: &str| -> Result<Option<String>, Error> {
            let hash = auth::hash_token(&token);
            Ok(store
                .board_link_by_token(&board, &hash)?
                .filter(|link| !link.revoked && link.role == role)
                .map(|link| link.id))
        };
        let identity = match auth::claim(&token) {
            Some(TokenClaim::Moderator)
                if auth::token_matches(&token, &record.moderator_token_hash) =>
            {
                Identity::Moderator
            }
            Some(TokenClaim::Viewer) if auth::token_matches(&token, &record.viewer_token_hash) => {
                Identity::Viewer
            }
            Some(TokenClaim::Moderator) => match link("moderator")? {
                Some(id) => return Ok((Identity::Moderator, Some(id))),
                None => return Err(REFUSED),
            },
            Some(TokenClaim::Viewer) => match link("viewer")? {
                Some(id) => return Ok((Identity::Viewer, Some(id))),
                // The event's viewer (the plenary projector) watches every
                // board of the event.
                None if event_token(&*store, &board, &token, |e| e.viewer_token_hash)? => {
                    Identity::Viewer
                }
                None => return Err(REFUSED),
            },
            Some(TokenClaim::Organiser)
                if event_token(&*store, &board, &token, |e| e.organiser_token_hash)? =>
            {
                Identity::Moderator
            }
            Some(TokenClaim::Participant(id)) => match store.participant(&board, id)? {
                Some(participant)
                    if !participant.removed
                        && auth::token_matches(&token, &participant.token_hash) =>
                {
                    Identity::Participant(participant.id)
                }
                _ => return Err(REFUSED),
            },
            _ => return Err(REFUSED),
        };
        Ok((identity, None))
    })
    .await
}

/// Whether `token` is the token of the event `board` belongs to that
/// `hash` picks (organiser or viewer), in constant time.
fn event_token(
    store: &dyn Store,
    board: &str,
    token: &str,
    hash: impl Fn(&crate::store::EventRecord) -> Option<[u8; 32]>,
) -> Result<bool, Error> {
    let Some(place) = store.event_board(board)? else {
        return Ok(false);
    };
    let event = store.event(&place.event)?;
    Ok(event
        .and_then(|event| hash(&event))
        .is_some_and(|expected| auth::token_matches(token, &expected)))
}

/// The bearer token of a request, if any.
fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|token| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

/// The identity behind a request's bearer token on `board`.
async fn identify_request(
    state: &AppState,
    board: &str,
    headers: &axum::http::HeaderMap,
) -> Result<Identity, Error> {
    let token = bearer(headers).ok_or(Error::Unauthorized(
        "an Authorization: Bearer token is required",
    ))?;
    identify(state, board.to_owned(), token).await
}

/// Only the moderator may do this.
async fn require_moderator(
    state: &AppState,
    board: &str,
    headers: &axum::http::HeaderMap,
) -> Result<(), Error> {
    match identify_request(state, board, headers).await? {
        Identity::Moderator => Ok(()),
        _ => Err(Error::Forbidden("only the moderator may do this")),
    }
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let _permit = BLOCKING_CALLS
        .acquire()
        .await
        .map_err(|error| Error::Internal(error.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| Error::Internal(error.to_string()))?
}

/// Requests' store calls running at once on blocking threads. The store
/// calls share one read connection, so more would only park threads on
/// its lock: a storm of joiners would otherwise start a thread each (about
/// 80 for 5,000 connections at once). Exports have their own slots
/// (`exports.rs`): nine PDFs of a big board once held all of these and
/// stalled every token check and join for 14 s.
static BLOCKING_CALLS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);
