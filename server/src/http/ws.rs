//! The websocket endpoint: token check before the upgrade, then one reader
//! (this task) and one writer task per connection.

use super::{AppState, ConnectionLimits, Error, identify};
use crate::auth::Identity;
use crate::room::{CloseReason, Inbound, Membership, PeerLink};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
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
    socket: WebSocket,
    state: AppState,
    board: String,
    identity: Identity,
    _permit: OwnedSemaphorePermit,
) {
    let limits = state.limits.clone();
    let (sink, stream) = socket.split();
    let (outbox, outbox_receiver) = mpsc::channel(limits.outbox_frames);
    let (close, close_receiver) = mpsc::channel(2);
    let mut writer = tokio::spawn(write_frames(
        sink,
        outbox_receiver,
        close_receiver,
        limits.ping_interval,
    ));
    let link = PeerLink {
        outbox,
        close: close.clone(),
    };
    match state.registry.join(&board, identity, link).await {
        Ok(membership) => {
            let ended = read_frames(stream, &membership, &close, &mut writer, &limits).await;
            drop(membership);
            if let ReadEnd::WriterFinished = ended {
                return;
            }
        }
        Err(error) => {
            let _ = close.send(error.close_reason()).await;
        }
    }
    drop(close);
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
}

/// Why reading stopped. A finished writer task must not be awaited again.
enum ReadEnd {
    WriterFinished,
    Stopped,
}

async fn read_frames(
    mut stream: SplitStream<WebSocket>,
    membership: &Membership,
    close: &mpsc::Sender<CloseReason>,
    writer: &mut tokio::task::JoinHandle<()>,
    limits: &ConnectionLimits,
) -> ReadEnd {
    // Pings go out every interval; a peer silent for two of them is gone.
    let silence_limit = limits.ping_interval * 2 + Duration::from_secs(5);
    let mut rate = TokenBucket::new(limits.messages_per_second, limits.message_burst);
    let closing = |reason: CloseReason| async move {
        let _ = close.send(reason).await;
        ReadEnd::Stopped
    };
    loop {
        let next = tokio::select! {
            _ = &mut *writer => return ReadEnd::WriterFinished,
            next = tokio::time::timeout(silence_limit, stream.next()) => next,
        };
        let message = match next {
            Err(_) => return closing(CloseReason::IDLE).await,
            Ok(None) | Ok(Some(Err(_))) => return ReadEnd::Stopped,
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Binary(frame) => {
                if frame.len() > limits.max_frame_bytes {
                    return closing(CloseReason::TOO_BIG).await;
                }
                rate.take().await;
                match Inbound::decode(&frame) {
                    Ok(Some(inbound)) => {
                        if membership.send(inbound).await.is_err() {
                            return closing(CloseReason::UNAVAILABLE).await;
                        }
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::debug!(peer = membership.peer(), %error, "malformed frame");
                        return closing(CloseReason::malformed(&error)).await;
                    }
                }
            }
            Message::Text(_) => return closing(CloseReason::TEXT_FRAME).await,
            Message::Close(_) => return ReadEnd::Stopped,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
}

async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut outbox: mpsc::Receiver<Bytes>,
    mut close: mpsc::Receiver<CloseReason>,
    ping_interval: Duration,
) {
    let mut ping = tokio::time::interval_at(Instant::now() + ping_interval, ping_interval);
    let reason = loop {
        tokio::select! {
            biased;
            reason = close.recv() => break reason,
            frame = outbox.recv() => {
                // The room dropped us without a word: it restarted.
                let Some(frame) = frame else { break Some(CloseReason::INTERNAL) };
                if write_batch(&mut sink, &mut outbox, frame).await.is_err() {
                    return;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    };
    if let Some(reason) = reason {
        let frame = CloseFrame {
            code: reason.code,
            reason: reason.reason.as_ref().into(),
        };
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
    let _ = sink.close().await;
}

/// Writes `first` and whatever else is already queued, then flushes once.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    outbox: &mut mpsc::Receiver<Bytes>,
    first: Bytes,
) -> Result<(), axum::Error> {
    sink.feed(Message::Binary(first)).await?;
    for _ in 1..MAX_FRAMES_PER_FLUSH {
        match outbox.try_recv() {
            Ok(frame) => sink.feed(Message::Binary(frame)).await?,
            Err(_) => break,
        }
    }
    sink.flush().await
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

    async fn take(&mut self) {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second)
            .min(self.burst);
        self.last = now;
        if self.tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - self.tokens) / self.per_second);
            tokio::time::sleep(wait).await;
            self.tokens = 1.0;
            self.last = Instant::now();
        }
        self.tokens -= 1.0;
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
            bucket.take().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        for _ in 0..10 {
            bucket.take().await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1010),
            "{elapsed:?}"
        );
    }
}
