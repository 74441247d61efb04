//! The accept loop: every TCP connection from `accept` to its close, and
//! what a slow or idle client may hold of it.
//!
//! `axum::serve` bounds nothing a client controls: a request head sent one
//! byte every few hundred milliseconds, half a request line, a body that
//! never comes each kept a connection (and its task) forever, and nothing
//! counted plain HTTP connections. Here:
//!
//! - the request head must arrive within `--header-read-seconds` (hyper's
//!   `header_read_timeout`, which also runs while a kept-alive connection
//!   waits for its next request, so an idle connection closes after it);
//! - the body within `--body-read-seconds` of the head ([`body_deadline`]:
//!   408, and the connection closes);
//! - at most `--max-open-connections` TCP connections are open at once,
//!   websockets included: each holds a [`ConnectionSlot`] for its whole
//!   life, which an upgrade hands on with the socket (`ws.rs` takes it out
//!   of [`Accepted`]). Over the cap a new connection is answered 503 and
//!   closed at once, without reading from it: no task, no buffer, and the
//!   client hears why (a client that sent its request before the answer
//!   may see a reset instead).

use super::{AppState, Error};
use crate::metrics::{METRICS, Throttled};
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// What a refused connection reads before it is closed.
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: application/json\r\n\
Retry-After: 5\r\n\
Connection: close\r\n\
Content-Length: 64\r\n\
\r\n\
{\"error\":\"the server has too many connections; try again later\"}";

/// How long accepting pauses after an error that is not the client's (out
/// of file descriptors): retrying at once would spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// The bounds of the accept loop (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct ListenerLimits {
    pub max_open_connections: usize,
    pub header_read_timeout: Duration,
}

/// Accepts connections and serves `app` on each until `shutdown` is
/// cancelled; then stops accepting and lets every connection finish its
/// request in flight (hyper's graceful shutdown). Connection tasks run in
/// `tasks`, so shutdown can wait for them.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ListenerLimits,
    shutdown: CancellationToken,
    tasks: TaskTracker,
) {
    let slots = Arc::new(Semaphore::new(limits.max_open_connections));
    // HTTP/1.1 only (the web app, the API and websockets need no more).
    // hyper-util's `auto` builder would first wait for the bytes that tell
    // HTTP/1 from HTTP/2, without any timeout.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::error!(%error, "cannot accept connections; pausing");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            refuse(&stream);
            continue;
        };
        // Small updates must not wait for delayed ACKs (Nagle).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let io = TokioIo::new(Accepted {
            stream,
            slot: ConnectionSlot::new(permit),
        });
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let connection = builder.serve_connection(io, service).with_upgrades();
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            tokio::pin!(connection);
            let finished = tokio::select! {
                finished = connection.as_mut() => finished,
                () = shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = finished {
                // Timeouts and clients that went away: theirs, not ours.
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
}

/// Answers a connection over the cap and closes it. One write that never
/// waits: the 503 fits any socket's empty send buffer.
fn refuse(stream: &TcpStream) {
    METRICS.throttled(Throttled::Connection).increment();
    let _ = stream.try_write(OVER_CAPACITY);
}

/// Errors of one connection that went away while it was accepted.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// A place under `--max-open-connections`, held for as long as the
/// connection is open (counted in the `kartenwand_open_connections` gauge).
pub struct ConnectionSlot {
    _permit: OwnedSemaphorePermit,
}

impl ConnectionSlot {
    fn new(permit: OwnedSemaphorePermit) -> ConnectionSlot {
        METRICS.open_connections.increment();
        ConnectionSlot { _permit: permit }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        METRICS.open_connections.decrement();
    }
}

/// An accepted TCP stream and its [`ConnectionSlot`]: what hyper reads and
/// writes, and what a websocket upgrade gets back (see `ws.rs`).
pub struct Accepted {
    stream: TcpStream,
    slot: ConnectionSlot,
}

impl Accepted {
    pub fn into_parts(self) -> (TcpStream, ConnectionSlot) {
        (self.stream, self.slot)
    }
}

impl AsyncRead for Accepted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Accepted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Middleware: the request's body must arrive within `--body-read-seconds`
/// of its head, else 408 and the connection closes (what is left of the
/// body would be read as the next request). Requests without a body pass
/// untouched.
pub async fn body_deadline(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let expired = Arc::new(AtomicBool::new(false));
    let timeout = state.body_read_timeout;
    let request = request.map(|body| {
        Body::new(Deadline {
            body,
            timer: Box::pin(tokio::time::sleep(timeout)),
            expired: expired.clone(),
        })
    });
    let response = next.run(request).await;
    if !expired.load(Ordering::Relaxed) {
        return response;
    }
    let mut response =
        Error::RequestTimeout("the request body did not arrive in time").into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A body that fails once its time is up; the handler's extractor then
/// fails, and [`body_deadline`] answers 408 instead of its error.
struct Deadline {
    body: Body,
    timer: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.timer.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::OVER_CAPACITY;

    #[test]
    fn the_over_capacity_answer_declares_its_length() {
        let text = std::str::from_utf8(OVER_CAPACITY).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let declared = head
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .and_then(|length| length.parse::<usize>().ok());
        assert_eq!(declared, Some(body.len()));
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert!(json["error"].is_string());
    }
}
