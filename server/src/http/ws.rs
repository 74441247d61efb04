//! The websocket endpoint: token check before the upgrade, then one task
//! per connection that reads the peer's frames and writes the room's.

use super::{AppState, ConnectionLimits, Error, identify};
use crate::auth::Identity;
use crate::room::{CloseReason, Inbound, Membership, PeerLink};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use futures_util::future::poll_fn;
use futures_util::task::AtomicWaker;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;

/// Read buffer per connection. tungstenite's default (128 KiB, zero-filled on
/// the first read) would cost ~137 KiB per idle connection.
const READ_BUFFER_BYTES: usize = 4096;

/// Bytes tungstenite gathers before writing to the socket; frames fed in one
/// batch share a syscall up to this size.
const WRITE_BUFFER_BYTES: usize = 8 * 1024;

/// Frames written before one flush, so a burst costs one syscall, not many.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// How long a closing connection waits for its writer to send the close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

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
    upgrade: WebSocketUpgrade,
) -> Result<Response, Error> {
    let token = params
        .token
        .filter(|token| !token.is_empty())
        .ok_or(Error::Unauthorized("a token is required"))?;
    let identity = identify(&state, board.clone(), token).await?;
    let permit =
        state.connections.clone().try_acquire_owned().map_err(|_| {
            Error::Unavailable("the server has too many connections; try again later")
        })?;
    let limits = state.limits.clone();
    // tungstenite refuses anything far beyond our own limit before buffering
    // it; between the two we answer with a clean 1009.
    let hard_limit = limits
        .max_frame_bytes
        .saturating_mul(2)
        .saturating_add(1024);
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit)
        .on_upgrade(move |socket| {
            let tasks = state.tasks.clone();
            tasks.track_future(serve(socket, state, board, identity, permit))
        }))
}

async fn serve(
    mut socket: WebSocket,
    state: AppState,
    board: String,
    identity: Identity,
    _permit: OwnedSemaphorePermit,
) {
    let limits = state.limits.clone();
    let (outbox, mut frames) = mpsc::channel(limits.outbox_frames);
    let closed = Arc::new(OnceLock::new());
    let link = PeerLink {
        outbox,
        closed: closed.clone(),
    };
    // Boxed: the join's state would otherwise stay in every connection's
    // task for its whole life.
    let reason = match Box::pin(state.registry.join(&board, identity, link)).await {
        Ok(membership) => {
            // Boxed: a smaller task in all (rustc lays nested futures out
            // generously).
            let reason = Box::pin(converse(
                &mut socket,
                &membership,
                &mut frames,
                &closed,
                &limits,
            ))
            .await;
            drop(membership);
            reason
        }
        Err(error) => Some(error.close_reason()),
    };
    let Some(reason) = reason else {
        return;
    };
    let frame = CloseFrame {
        code: reason.code,
        reason: reason.reason.as_ref().into(),
    };
    let _ = Box::pin(tokio::time::timeout(CLOSE_GRACE, async {
        if socket.send(Message::Close(Some(frame))).await.is_ok() {
            let _ = socket.close().await;
        }
    }))
    .await;
}

/// Reads the peer's frames and writes the room's, in one task, until one
/// side ends. Returns the reason to send in a close frame, or `None` when
/// the connection is already gone.
async fn converse(
    socket: &mut WebSocket,
    membership: &Membership,
    frames: &mut mpsc::Receiver<Bytes>,
    closed: &OnceLock<CloseReason>,
    limits: &ConnectionLimits,
) -> Option<CloseReason> {
    // Pings go out every interval; a peer silent for two of them is gone.
    // One timer for both, re-armed only when it fires: timers are not free.
    let silence_limit = limits.ping_interval * 2 + Duration::from_secs(5);
    let mut last_heard = Instant::now();
    let mut next_ping = last_heard + limits.ping_interval;
    let timer = tokio::time::sleep_until(next_ping);
    tokio::pin!(timer);
    let (socket_gate, socket_waker) = Gate::new();
    let (timer_gate, timer_waker) = Gate::new();
    let mut rate = TokenBucket::new(limits.messages_per_second, limits.message_burst);
    loop {
        tokio::select! {
            biased;
            frame = frames.recv() => {
                // The room lets a peer go by recording why and dropping its
                // end of the outbox; without a word it restarted.
                if let Some(reason) = closed.get() {
                    return Some(reason.clone());
                }
                let frame = frame?;
                if frame_batch(socket, frames, frame).await.is_err() {
                    return None;
                }
            }
            message = poll_fn(|cx| socket_gate.poll(&socket_waker, cx, |cx| socket.poll_next_unpin(cx))) => {
                let message = match message {
                    None | Some(Err(_)) => return None,
                    Some(Ok(message)) => message,
                };
                last_heard = Instant::now();
                match message {
                    Message::Binary(frame) => {
                        if frame.len() > limits.max_frame_bytes {
                            return Some(CloseReason::TOO_BIG);
                        }
                        if let Some(wait) = rate.take() {
                            // Rare, so its timer lives in a box of its own.
                            Box::pin(tokio::time::sleep(wait)).await;
                        }
                        match Inbound::decode(&frame) {
                            Ok(Some(inbound)) => {
                                if membership.send(inbound).await.is_err() {
                                    return Some(CloseReason::UNAVAILABLE);
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
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            () = poll_fn(|cx| timer_gate.poll(&timer_waker, cx, |cx| timer.as_mut().poll(cx))) => {
                let now = Instant::now();
                if last_heard + silence_limit <= now {
                    return Some(CloseReason::IDLE);
                }
                if next_ping <= now {
                    if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                        return None;
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

/// Writes `first` and whatever else is already queued, then flushes once.
async fn frame_batch(
    socket: &mut WebSocket,
    frames: &mut mpsc::Receiver<Bytes>,
    first: Bytes,
) -> Result<(), axum::Error> {
    socket.feed(Message::Binary(first)).await?;
    for _ in 1..MAX_FRAMES_PER_FLUSH {
        match frames.try_recv() {
            Ok(frame) => socket.feed(Message::Binary(frame)).await?,
            Err(_) => break,
        }
    }
    socket.flush().await
}

/// Slows a connection that sends faster than its allowance, instead of
/// dropping anything it sent.
struct TokenBucket {
    tokens: f64,
    per_second: f64,
    burst: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(per_second: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            tokens: burst,
            per_second: f64::from(per_second.max(1)),
            burst,
            last: Instant::now(),
        }
    }

    /// Takes a token; returns how long to wait first if none is left.
    fn take(&mut self) -> Option<Duration> {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second)
            .min(self.burst);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            return None;
        }
        // The token is owed: the wait pays it back.
        let wait = Duration::from_secs_f64(-self.tokens / self.per_second);
        self.tokens = 0.0;
        self.last = now + wait;
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBucket;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn token_bucket_allows_a_burst_then_the_rate() {
        let mut bucket = TokenBucket::new(10, 5);
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            assert_eq!(bucket.take(), None);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        for _ in 0..10 {
            if let Some(wait) = bucket.take() {
                tokio::time::sleep(wait).await;
            }
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1010),
            "{elapsed:?}"
        );
    }
}
