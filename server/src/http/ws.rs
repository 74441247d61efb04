//! The websocket endpoint: token check before the upgrade, then one task
//! per connection that reads the peer's frames. The room writes into the
//! connection's socket itself (see [`crate::socket`]).

use super::listener::{Accepted, ConnectionSlot};
use super::{AppState, ConnectionLimits, Error, bearer, identify_with_link};
use crate::auth::Identity;
use crate::metrics::{self, METRICS};
use crate::protocol::Message as SyncMessage;
use crate::rate::{Notice, TokenBucket};
use crate::room::{CloseReason, Inbound, Membership, PeerLink, RevocationMark};
use crate::socket::{Frame, Inlet, Outlet};
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Version, header, request::Parts};
use axum::response::Response;
use axum::routing::get;
use futures_util::StreamExt;
use futures_util::future::poll_fn;
use futures_util::task::AtomicWaker;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{
    Error as WebSocketError, ProtocolError as WsProtocolError,
};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// The subprotocol the web app offers, with its token as a second one
/// ([`TOKEN_PROTOCOL_PREFIX`]): a token in a header stays out of the
/// request line that reverse proxies log. The answer names this one.
const SUBPROTOCOL: &str = "kartenwand";
const TOKEN_PROTOCOL_PREFIX: &str = "kartenwand.token.";

/// Read buffer per connection. tungstenite's default (128 KiB, zero-filled on
/// the first read) would cost ~137 KiB per idle connection.
const READ_BUFFER_BYTES: usize = 4096;

/// How long a closing connection waits for its last frames to go out.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What a sender over the message rate is told, at most once per
/// [`RATE_NOTICE_INTERVAL`]. Nothing it sent is dropped: the server only
/// reads its socket more slowly.
const RATE_NOTICE: &str = "sending too fast: the server slows down reading, nothing is lost";
const RATE_NOTICE_INTERVAL: Duration = Duration::from_secs(10);

/// Bytes read and thrown away after the server sent its close frame, at
/// most: what the peer still sends (the rest of an oversized message, the
/// edits of a phone typing while the server shuts down) until it reads the
/// close, answers it and ends the connection. Closing a socket with input
/// unread makes the kernel send a reset instead, and a peer that gets the
/// reset before it read the close frame sees 1006 instead of our code.
const CLOSE_DRAIN_BYTES: u64 = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws/{board}", get(upgrade))
}

#[derive(Debug, Deserialize)]
struct Params {
    token: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Path(board): Path<String>,
    Query(params): Query<Params>,
    upgrade: Upgrade,
) -> Result<Response, Error> {
    // Stock y-websocket clients send `?token=`; the web app sends it as a
    // subprotocol; other clients may send `Authorization: Bearer`.
    let token = params
        .token
        .filter(|token| !token.is_empty())
        .or_else(|| upgrade.token.clone())
        .ok_or(Error::Unauthorized("a token is required"))?;
    // Taken before the check: a revocation between the check and the join
    // refuses the join (see `Registry::revocation_mark`).
    let checked = state.registry.revocation_mark();
    let (identity, link) = identify_with_link(&state, board.clone(), token).await?;
    let permit =
        state.connections.clone().try_acquire_owned().map_err(|_| {
            Error::Unavailable("the server has too many connections; try again later")
        })?;
    let tasks = state.tasks.clone();
    let Upgrade {
        key,
        on_upgrade,
        offers_subprotocol,
        ..
    } = upgrade;
    tokio::spawn(tasks.track_future(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        // Our own listener hands hyper its accepted streams.
        match upgraded.downcast::<TokioIo<Accepted>>() {
            Ok(parts) => {
                let (stream, slot) = parts.io.into_inner().into_parts();
                let places = Places {
                    _open: slot,
                    _websocket: permit,
                };
                serve(
                    stream,
                    places,
                    parts.read_buf,
                    state,
                    board,
                    (identity, link),
                    checked,
                )
                .await;
            }
            Err(_) => tracing::error!("an upgraded connection is not a TCP stream"),
        }
    }));
    let mut response = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, HeaderValue::from_static("upgrade"))
        .header(header::UPGRADE, HeaderValue::from_static("websocket"))
        .header(
            header::SEC_WEBSOCKET_ACCEPT,
            derive_accept_key(key.as_bytes()),
        );
    // A browser that offered subprotocols fails a handshake naming none.
    if offers_subprotocol {
        response = response.header(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(SUBPROTOCOL),
        );
    }
    response
        .body(axum::body::Body::empty())
        .map_err(|error| Error::Internal(error.to_string()))
}

/// A websocket upgrade request (HTTP/1.1, version 13).
struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
    /// From `Authorization: Bearer` or a `kartenwand.token.` subprotocol.
    token: Option<String>,
    /// The client offered [`SUBPROTOCOL`].
    offers_subprotocol: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let refuse = |what: &str| Error::BadRequest(format!("not a websocket upgrade: {what}"));
        if parts.version != Version::HTTP_11 || parts.method != Method::GET {
            return Err(refuse("expected an HTTP/1.1 GET"));
        }
        if !header_has_token(&parts.headers, header::CONNECTION, "upgrade") {
            return Err(refuse("the Connection header lacks upgrade"));
        }
        if !header_has_token(&parts.headers, header::UPGRADE, "websocket") {
            return Err(refuse("the Upgrade header is not websocket"));
        }
        if !header_has_token(&parts.headers, header::SEC_WEBSOCKET_VERSION, "13") {
            return Err(refuse("only websocket version 13 is spoken"));
        }
        let key = parts
            .headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or_else(|| refuse("the Sec-WebSocket-Key header is missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or_else(|| refuse("the connection cannot be upgraded"))?;
        let offers_subprotocol =
            header_has_token(&parts.headers, header::SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL);
        let token = bearer(&parts.headers).or_else(|| protocol_token(&parts.headers));
        Ok(Upgrade {
            key,
            on_upgrade,
            token,
            offers_subprotocol,
        })
    }
}

/// The token offered as a subprotocol `kartenwand.token.<token>`, if any.
fn protocol_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|item| item.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

/// True if the header's comma-separated list holds `token` (any case).
fn header_has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .as_bytes()
            .split(|&byte| byte == b',')
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// What an open websocket counts under until it closes: the cap on open
/// TCP connections, like any connection, and the one on websockets.
struct Places {
    _open: ConnectionSlot,
    _websocket: OwnedSemaphorePermit,
}

async fn serve(
    stream: TcpStream,
    _places: Places,
    already_read: bytes::Bytes,
    state: AppState,
    board: String,
    (identity, link): (Identity, Option<String>),
    checked: RevocationMark,
) {
    let limits = state.limits.clone();
    let (read, write) = stream.into_split();
    let account = limits
        .outbox_budget
        .account(&format!("{board}\n{}", identity.owner_key()));
    let outlet = Outlet::charged(write, limits.outbox, account);
    // Revoking the link closes this connection (and its link's others).
    if let Some(link) = &link {
        state.link_connections.track(&board, link, &outlet);
    }
    // tungstenite refuses a message over our limit as soon as a frame
    // header declares it (before buffering its payload); `converse` answers
    // that with 1009. It writes on its own only pongs and the answer to a
    // close, straight into the outlet.
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(limits.max_frame_bytes))
        .max_frame_size(Some(limits.max_frame_bytes));
    let mut socket = WebSocketStream::from_partially_read(
        Inlet::new(read, outlet.clone()),
        // Copied and dropped: the bytes keep hyper's whole read buffer.
        {
            let already_read = already_read;
            already_read.to_vec()
        },
        Role::Server,
        Some(config),
    )
    .await;
    // Boxed: the join's state would otherwise stay in every connection's
    // task for its whole life.
    let role = match &identity {
        Identity::Moderator => metrics::Role::Moderator,
        Identity::Participant(_) => metrics::Role::Participant,
        Identity::Viewer => metrics::Role::Viewer,
    };
    let reason = match Box::pin(state.registry.join(
        &board,
        identity,
        PeerLink::new(outlet.clone()),
        checked,
    ))
    .await
    {
        Ok(membership) => {
            let _counted = metrics::Connected::new(role);
            // Boxed: a smaller task in all (rustc lays nested futures out
            // generously).
            let reason = Box::pin(converse(&mut socket, &membership, &outlet, &limits)).await;
            drop(membership);
            reason
        }
        Err(error) => Some(error.close_reason()),
    };
    let close = reason.as_ref().map(Frame::close);
    let _ = Box::pin(tokio::time::timeout(CLOSE_GRACE, outlet.finish(close))).await;
    if reason.is_some() {
        // The server closed: the peer may still be sending. Read until it
        // ends the connection (see CLOSE_DRAIN_BYTES), bounded in time and
        // bytes.
        let mut rest = socket.get_mut().take(CLOSE_DRAIN_BYTES);
        let mut sink = tokio::io::sink();
        let drain = tokio::io::copy(&mut rest, &mut sink);
        let _ = Box::pin(tokio::time::timeout(CLOSE_GRACE, drain)).await;
    }
}

/// Reads the peer's frames until one side ends. Returns the reason to send
/// in a close frame, or `None` when the connection is already gone.
async fn converse(
    socket: &mut WebSocketStream<Inlet>,
    membership: &Membership,
    outlet: &Outlet,
    limits: &ConnectionLimits,
) -> Option<CloseReason> {
    // Pings go out every interval; a peer silent for two of them is gone.
    // One timer for both, re-armed only when it fires: timers are not free.
    let silence_limit = limits.ping_interval * 2 + Duration::from_secs(5);
    let mut last_heard = Instant::now();
    // The first ping comes after a random half to whole interval, so
    // connections that joined together (a venue, a reconnect storm) do not
    // ping together ever after.
    let mut next_ping = last_heard + limits.ping_interval.mul_f64(rand::random_range(0.5..=1.0));
    let timer = tokio::time::sleep_until(next_ping);
    tokio::pin!(timer);
    let (socket_gate, socket_waker) = Gate::new();
    let (timer_gate, timer_waker) = Gate::new();
    // Paused time in tests moves this clock, not the system's.
    let now = || Instant::now().into_std();
    // At least one message per second, and one at once.
    let mut rate = TokenBucket::new(
        f64::from(limits.messages_per_second.max(1)),
        f64::from(limits.message_burst.max(1)),
        now(),
    );
    let mut rate_notice = Notice::every(RATE_NOTICE_INTERVAL);
    loop {
        tokio::select! {
            biased;
            // Frames that waited for the socket go out; the room lets a
            // peer go by closing its outlet.
            closed = poll_fn(|cx| outlet.poll_closed(cx)) => return closed,
            message = poll_fn(|cx| socket_gate.poll(&socket_waker, cx, |cx| socket.poll_next_unpin(cx))) => {
                let message = match message {
                    // Over the limit: refused on its frame header.
                    Some(Err(WebSocketError::Capacity(_))) => return Some(CloseReason::TOO_BIG),
                    // The peer broke the websocket protocol: say so with
                    // RFC 6455's codes (our writing half is unaffected).
                    Some(Err(WebSocketError::Utf8(_))) => return Some(CloseReason::INVALID_UTF8),
                    Some(Err(WebSocketError::Protocol(
                        WsProtocolError::ResetWithoutClosingHandshake,
                    ))) => return None,
                    Some(Err(WebSocketError::Protocol(_))) => {
                        return Some(CloseReason::PROTOCOL_VIOLATION);
                    }
                    None | Some(Err(_)) => return None,
                    Some(Ok(message)) => message,
                };
                last_heard = Instant::now();
                match message {
                    Message::Binary(frame) => {
                        METRICS.bytes_received.add(frame.len() as u64);
                        if let Some(wait) = rate.take_or_wait(now()) {
                            if rate_notice.due(now()) {
                                let notice = SyncMessage::PermissionDenied(RATE_NOTICE).encode();
                                if !outlet.send(&Frame::binary(&notice)) {
                                    return Some(CloseReason::TOO_SLOW);
                                }
                            }
                            // Rare, so its timer lives in a box of its own.
                            Box::pin(tokio::time::sleep(wait)).await;
                        }
                        match Inbound::decode(&frame) {
                            Ok(Some(inbound)) => {
                                if membership.send(inbound).await.is_err() {
                                    // The room is gone. When it closed this
                                    // peer on its way out (a shutdown: 1001),
                                    // that reason is the one to send.
                                    return Some(outlet.reason().unwrap_or(CloseReason::UNAVAILABLE));
                                }
                            }
                            Ok(None) => {}
                            Err(error) => {
                                tracing::debug!(peer = membership.peer(), %error, "malformed frame");
                                return Some(CloseReason::malformed(&error));
                            }
                        }
                    }
                    Message::Text(_) => return Some(CloseReason::TEXT_FRAME),
                    Message::Close(_) => return None,
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                }
            }
            () = poll_fn(|cx| timer_gate.poll(&timer_waker, cx, |cx| timer.as_mut().poll(cx))) => {
                let now = Instant::now();
                if last_heard + silence_limit <= now {
                    return Some(CloseReason::IDLE);
                }
                // Still sending, but no longer reading what it is sent.
                if outlet
                    .stalled_since()
                    .is_some_and(|since| since + limits.write_timeout <= now)
                {
                    return Some(CloseReason::TOO_SLOW);
                }
                if next_ping <= now {
                    if !outlet.send(&Frame::ping()) {
                        return Some(CloseReason::TOO_SLOW);
                    }
                    next_ping = now + limits.ping_interval;
                }
                timer.as_mut().reset(next_ping.min(last_heard + silence_limit));
            }
        }
    }
}

/// Lets the connection task poll a source (its socket, its timer) only
/// after that source woke it. The task is woken mostly by its outbox, and a
/// poll is not free: a tungstenite stream zero-fills its read buffer and
/// walks the codec before it finds nothing to read, a timer re-registers.
struct Gate {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Gate {
    /// The gate and the waker to poll its source with.
    fn new() -> (Arc<Gate>, Waker) {
        let gate = Arc::new(Gate {
            woken: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(gate.clone());
        (gate, waker)
    }

    fn poll<T>(
        &self,
        waker: &Waker,
        cx: &mut Context<'_>,
        source: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.task.register(cx.waker());
        if !self.woken.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let polled = source(&mut Context::from_waker(waker));
        if polled.is_ready() {
            // More may be ready already (buffered frames, a re-armed
            // timer): look again next time.
            self.woken.store(true, Ordering::Release);
        }
        polled
    }
}

impl Wake for Gate {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}
