//! The sending side of a websocket connection, shared by the connection's
//! task and its room.
//!
//! A room writes what it relays straight into each peer's socket: no
//! channel, no task wake-up and no second copy per frame and peer. A
//! server's websocket frames are not masked, so a broadcast is framed once
//! and every peer gets the same bytes. What a socket cannot take at once
//! waits in the [`Outlet`] (bounded: a peer that falls too far behind is
//! closed, never skipped) and the connection task writes it out when the
//! socket is writable again. Frames are never interleaved: whoever writes
//! holds the outlet's lock, and a frame the socket took only in part is
//! finished before anything else goes out.
//!
//! [`CloseReason`] (every close code the server sends) and [`PeerLink`]
//! (what a room holds of a peer) live here too, so this module imports
//! nothing from `room`: it is a leaf both the room and the connection task
//! build on.

mod budget;

pub use budget::{Account, OutboxBudget, Scope};

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::task::AtomicWaker;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::Instant;

/// A websocket close code and reason (see `docs/protocol.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: Cow<'static, str>,
}

impl CloseReason {
    /// Close frames carry at most 123 bytes of reason.
    const MAX_REASON_BYTES: usize = 123;

    pub fn new(code: u16, reason: impl Into<Cow<'static, str>>) -> Self {
        let mut reason = reason.into();
        if reason.len() > Self::MAX_REASON_BYTES {
            let mut end = Self::MAX_REASON_BYTES;
            while !reason.is_char_boundary(end) {
                end -= 1;
            }
            reason = Cow::Owned(reason[..end].to_owned());
        }
        CloseReason { code, reason }
    }

    /// The peer sent something that is not the protocol.
    pub fn malformed(error: &crate::protocol::ProtocolError) -> Self {
        Self::new(4400, format!("malformed message: {error}"))
    }

    pub const GOING_AWAY: CloseReason = CloseReason {
        code: 1001,
        reason: Cow::Borrowed("server is restarting"),
    };
    pub const TOO_BIG: CloseReason = CloseReason {
        code: 1009,
        reason: Cow::Borrowed("message too big"),
    };
    pub const INTERNAL: CloseReason = CloseReason {
        code: 1011,
        reason: Cow::Borrowed("board restarted, reconnect"),
    };
    /// The connection held the most of what waits for its identity's
    /// sockets, or the server's, when that went over its budget.
    pub const OVER_BUDGET: CloseReason = CloseReason {
        code: 1013,
        reason: Cow::Borrowed("too much is waiting for this connection, reconnect"),
    };
    pub const TOO_SLOW: CloseReason = CloseReason {
        code: 1013,
        reason: Cow::Borrowed("connection too slow, reconnect"),
    };
    pub const BOARD_FULL: CloseReason = CloseReason {
        code: 1013,
        reason: Cow::Borrowed("board has too many connections, try again later"),
    };
    pub const UNAVAILABLE: CloseReason = CloseReason {
        code: 1013,
        reason: Cow::Borrowed("board unavailable, try again later"),
    };
    pub const TOO_MANY_SYNC_REQUESTS: CloseReason = CloseReason {
        code: 1008,
        reason: Cow::Borrowed("too many sync requests, reconnect"),
    };
    pub const REVOKED: CloseReason = CloseReason {
        code: 4401,
        reason: Cow::Borrowed("access was revoked by the moderator"),
    };
    /// The participant was erased (`DELETE .../participants/{id}`): the
    /// same code as a revocation, so every client treats it alike.
    pub const ERASED: CloseReason = CloseReason {
        code: 4401,
        reason: Cow::Borrowed("this participant was erased"),
    };
    pub const DELETED: CloseReason = CloseReason {
        code: 4404,
        reason: Cow::Borrowed("this board was deleted"),
    };
    pub const TOO_MANY_REFUSALS: CloseReason = CloseReason {
        code: 4403,
        reason: Cow::Borrowed("too many refused edits"),
    };
    pub const TEXT_FRAME: CloseReason = CloseReason {
        code: 4400,
        reason: Cow::Borrowed("text frames are not part of the protocol"),
    };
    /// RFC 6455 7.4.1: an unmasked client frame, reserved bits or opcodes,
    /// a broken control frame.
    pub const PROTOCOL_VIOLATION: CloseReason = CloseReason {
        code: 1002,
        reason: Cow::Borrowed("websocket protocol violation"),
    };
    /// RFC 6455 8.1: a text frame that is not UTF-8.
    pub const INVALID_UTF8: CloseReason = CloseReason {
        code: 1007,
        reason: Cow::Borrowed("text frame is not UTF-8"),
    };
    pub const IDLE: CloseReason = CloseReason {
        code: 1001,
        reason: Cow::Borrowed("no sign of life, reconnect"),
    };
}

/// What a room needs to reach one peer: the sending side of its
/// connection, which the room writes into directly. Bounded: a peer that
/// cannot keep up is closed, never silently skipped.
///
/// A link dropped without a reason means its room ended unexpectedly (a
/// panic): the connection closes with 1011 and the client reconnects to a
/// fresh room, instead of staying on a room that no longer relays.
pub struct PeerLink(Arc<Outlet>);

impl PeerLink {
    pub fn new(outlet: Arc<Outlet>) -> PeerLink {
        PeerLink(outlet)
    }

    /// See [`Outlet::send`]: false if the peer cannot keep up.
    pub fn send(&self, frame: &Frame) -> bool {
        self.0.send(frame)
    }

    /// Records why the peer goes; the room then drops the link.
    pub fn close(&self, reason: CloseReason) {
        self.0.close(reason);
    }
}

impl Drop for PeerLink {
    fn drop(&mut self) {
        // Keeps a reason given before; a connection already over ignores it.
        self.0.close(CloseReason::INTERNAL);
    }
}

/// Frames handed to the socket in one vectored write.
const FRAMES_PER_WRITE: usize = 64;

/// One websocket frame, encoded (final, unmasked, as a server sends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame(Bytes);

impl Frame {
    /// A binary frame: every protocol message travels in one.
    pub fn binary(payload: &[u8]) -> Frame {
        Frame::encode(0x2, payload)
    }

    pub fn ping() -> Frame {
        Frame::encode(0x9, &[])
    }

    pub fn close(reason: &CloseReason) -> Frame {
        let mut payload = Vec::with_capacity(2 + reason.reason.len());
        payload.extend_from_slice(&reason.code.to_be_bytes());
        payload.extend_from_slice(reason.reason.as_bytes());
        Frame::encode(0x8, &payload)
    }

    fn encode(opcode: u8, payload: &[u8]) -> Frame {
        let mut frame = BytesMut::with_capacity(payload.len() + 10);
        frame.put_u8(0x80 | opcode);
        let len = payload.len();
        match (u8::try_from(len), u16::try_from(len)) {
            (Ok(short), _) if short <= 125 => frame.put_u8(short),
            (_, Ok(medium)) => {
                frame.put_u8(126);
                frame.put_u16(medium);
            }
            _ => {
                frame.put_u8(127);
                frame.put_u64(len as u64);
            }
        }
        frame.put_slice(payload);
        Frame(frame.freeze())
    }

    /// The encoded frame, header included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Where a connection's frames go out (see the module documentation).
pub struct Outlet {
    state: Mutex<State>,
    /// The connection task, woken when frames wait or the room closed it.
    task: AtomicWaker,
    /// How much may wait before the peer counts as too slow.
    limits: OutletLimits,
    /// Bytes waiting, as `State::queued_bytes`, readable without the lock
    /// (the budget looks for the greediest outlet).
    waiting: AtomicUsize,
    /// The identity's account this outlet is charged to, if any.
    account: Option<Arc<Account>>,
}

/// Frames and bytes that may wait for a connection's socket. Both count:
/// frames alone would let a peer that never reads pin `frames` copies of
/// a whole document. A frame arriving at an empty queue is always taken,
/// however large (a full sync step 2 may be as large as the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutletLimits {
    pub frames: usize,
    pub bytes: usize,
}

struct State {
    socket: OwnedWriteHalf,
    /// Frames the socket did not take yet; `written` bytes of the first one
    /// are already out.
    queue: VecDeque<Bytes>,
    written: usize,
    /// Bytes of the frames in `queue`, whole (also the part written).
    queued_bytes: usize,
    /// What the account was last told this outlet holds.
    charged: usize,
    /// Since when frames have waited without the socket taking a byte.
    stalled_since: Option<Instant>,
    /// Why the room let the peer go; nothing more is written for it.
    closed: Option<CloseReason>,
    /// The socket failed; the connection is over.
    failed: bool,
}

impl Outlet {
    /// An outlet bounded only by `limits`.
    pub fn new(socket: OwnedWriteHalf, limits: OutletLimits) -> Outlet {
        Outlet::with_account(socket, limits, None)
    }

    /// An outlet charged to `account` as well (see [`OutboxBudget`]).
    pub fn charged(
        socket: OwnedWriteHalf,
        limits: OutletLimits,
        account: Arc<Account>,
    ) -> Arc<Outlet> {
        let outlet = Arc::new(Outlet::with_account(socket, limits, Some(account.clone())));
        account.budget().track(&account, &outlet);
        outlet
    }

    fn with_account(
        socket: OwnedWriteHalf,
        limits: OutletLimits,
        account: Option<Arc<Account>>,
    ) -> Outlet {
        Outlet {
            state: Mutex::new(State {
                socket,
                queue: VecDeque::new(),
                written: 0,
                queued_bytes: 0,
                charged: 0,
                stalled_since: None,
                closed: None,
                failed: false,
            }),
            task: AtomicWaker::new(),
            limits: OutletLimits {
                frames: limits.frames.max(1),
                bytes: limits.bytes.max(1),
            },
            waiting: AtomicUsize::new(0),
            account,
        }
    }

    /// Bytes waiting for the socket.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Since when frames have waited without the socket taking any of
    /// them: a peer that stopped reading.
    pub fn stalled_since(&self) -> Option<Instant> {
        self.lock().stalled_since
    }

    /// Tells the account what the outlet holds now. The scope over its
    /// budget, if any: the caller relieves it once no lock is held.
    fn settle(&self, state: &mut State) -> Option<Scope> {
        self.waiting.store(state.queued_bytes, Ordering::Relaxed);
        let account = self.account.as_ref()?;
        let before = std::mem::replace(&mut state.charged, state.queued_bytes);
        account.adjust(before, state.queued_bytes)
    }

    /// Closes the greediest outlet of `scope` (perhaps this one).
    fn relieve(&self, over: Option<Scope>) {
        if let (Some(scope), Some(account)) = (over, &self.account) {
            account.budget().relieve(scope, account);
        }
    }

    /// Lets the peer go for the budget: records the reason and drops what
    /// waits (but the rest of a frame begun), so the memory is back now and
    /// not once the connection task gets to it.
    fn close_dropping_queue(&self, reason: CloseReason) {
        let mut state = self.lock();
        if state.closed.is_none() {
            state.closed = Some(reason);
        }
        let begun = usize::from(state.written > 0);
        state.queue.truncate(begun);
        state.queued_bytes = state.queue.iter().map(Bytes::len).sum();
        if state.queue.is_empty() {
            state.stalled_since = None;
        }
        // Only shrinks: nothing to relieve.
        let _ = self.settle(&mut state);
        drop(state);
        self.task.wake();
    }

    /// Writes a frame, or queues it behind the frames still waiting. False
    /// when the queue is full (in frames or bytes, see [`OutletLimits`]):
    /// the peer cannot keep up and must be closed.
    /// A connection that is closed or gone takes frames without a word.
    pub fn send(&self, frame: &Frame) -> bool {
        let mut state = self.lock();
        if state.closed.is_some() || state.failed {
            return true;
        }
        let taken = self.write_or_queue(&mut state, frame.0.clone());
        let over = self.settle(&mut state);
        drop(state);
        self.relieve(over);
        taken
    }

    /// Records why the room lets the peer go and wakes its connection,
    /// which sends the close frame. Frames sent afterwards are dropped.
    pub fn close(&self, reason: CloseReason) {
        let mut state = self.lock();
        if state.closed.is_none() {
            state.closed = Some(reason);
        }
        drop(state);
        self.task.wake();
    }

    /// Why the room let the peer go, once it did.
    pub fn reason(&self) -> Option<CloseReason> {
        self.lock().closed.clone()
    }

    /// For the connection task: writes out what waits. Ready with the
    /// room's reason once the room closed the link, with `None` once the
    /// socket failed.
    pub fn poll_closed(&self, cx: &mut Context<'_>) -> Poll<Option<CloseReason>> {
        self.task.register(cx.waker());
        let mut state = self.lock();
        if let Some(reason) = &state.closed {
            return Poll::Ready(Some(reason.clone()));
        }
        let _ = state.poll_drain(cx);
        // Draining only shrinks the queue.
        let _ = self.settle(&mut state);
        if state.failed {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    /// Ends the connection's output: queues `close` (dropping frames not
    /// yet begun, which would only delay it), writes out what waits and
    /// shuts the socket's sending side. The caller bounds the wait.
    pub async fn finish(&self, close: Option<Frame>) {
        {
            let mut state = self.lock();
            if state.closed.is_none() {
                state.closed = Some(CloseReason::GOING_AWAY);
            }
            if let Some(close) = close {
                let begun = usize::from(state.written > 0);
                state.queue.truncate(begun);
                state.queue.push_back(close.0);
                state.queued_bytes = state.queue.iter().map(Bytes::len).sum();
            }
            let _ = self.settle(&mut state);
        }
        let drained = std::future::poll_fn(|cx| {
            let mut state = self.lock();
            let drained = state.poll_drain(cx);
            let _ = self.settle(&mut state);
            drained
        })
        .await;
        if drained.is_ok() {
            let _ = std::future::poll_fn(|cx| Pin::new(&mut self.lock().socket).poll_shutdown(cx))
                .await;
        }
    }

    /// Writes a frame the connection itself produced (a pong, the answer
    /// to a close) in line with the room's frames.
    fn send_own(&self, bytes: Bytes) {
        let mut state = self.lock();
        if state.failed {
            return;
        }
        if !self.write_or_queue(&mut state, bytes) {
            // Pings from a peer that does not read what it asked for.
            state.closed = Some(CloseReason::TOO_SLOW);
            drop(state);
            self.task.wake();
            return;
        }
        let over = self.settle(&mut state);
        drop(state);
        self.relieve(over);
    }

    fn write_or_queue(&self, state: &mut State, bytes: Bytes) -> bool {
        if !state.queue.is_empty() {
            if state.queue.len() >= self.limits.frames
                || state.queued_bytes.saturating_add(bytes.len()) > self.limits.bytes
            {
                return false;
            }
            state.queued_bytes += bytes.len();
            state.queue.push_back(bytes);
            return true;
        }
        match state.socket.try_write(&bytes) {
            Ok(n) if n == bytes.len() => return true,
            Ok(n) => {
                state.written = n;
                state.queued_bytes = bytes.len();
                state.queue.push_back(bytes);
                state.stalled_since = Some(Instant::now());
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                state.written = 0;
                state.queued_bytes = bytes.len();
                state.queue.push_back(bytes);
                state.stalled_since = Some(Instant::now());
            }
            Err(_) => state.failed = true,
        }
        // Frames wait, or the socket failed: the connection task takes over.
        self.task.wake();
        true
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; should it, the state is
        // still consistent (every change is a single step).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Outlet {
    fn drop(&mut self) {
        // What this outlet still held is no longer anyone's.
        if let Some(account) = &self.account {
            let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
            account.adjust(state.charged, 0);
        }
    }
}

impl State {
    /// Writes queued frames until the queue is empty or the socket is full.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.failed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        while !self.queue.is_empty() {
            let mut slices = [IoSlice::new(&[]); FRAMES_PER_WRITE];
            let mut count = 0;
            for (slot, frame) in slices.iter_mut().zip(&self.queue) {
                let start = if count == 0 { self.written } else { 0 };
                *slot = IoSlice::new(frame.get(start..).unwrap_or_default());
                count += 1;
            }
            let written = match Pin::new(&mut self.socket).poll_write_vectored(cx, &slices[..count])
            {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(0)) => Err(io::ErrorKind::WriteZero.into()),
                Poll::Ready(result) => result,
            };
            match written {
                Ok(written) => self.advance(written),
                Err(error) => {
                    self.failed = true;
                    return Poll::Ready(Err(error));
                }
            }
        }
        Poll::Ready(Ok(()))
    }

    fn advance(&mut self, mut written: usize) {
        if written > 0 {
            self.stalled_since = Some(Instant::now());
        }
        while let Some(front) = self.queue.front() {
            let left = front.len() - self.written;
            if written < left {
                self.written += written;
                return;
            }
            written -= left;
            self.written = 0;
            if let Some(done) = self.queue.pop_front() {
                self.queued_bytes = self.queued_bytes.saturating_sub(done.len());
            }
        }
        self.stalled_since = None;
    }
}

/// What the connection's websocket reads from: the socket's receiving
/// side. What the websocket writes on its own (pongs, the answer to a
/// close) goes through the outlet, between the room's frames.
pub struct Inlet {
    socket: OwnedReadHalf,
    outlet: Arc<Outlet>,
}

impl Inlet {
    pub fn new(socket: OwnedReadHalf, outlet: Arc<Outlet>) -> Inlet {
        Inlet { socket, outlet }
    }
}

impl AsyncRead for Inlet {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl AsyncWrite for Inlet {
    /// tungstenite hands over whole frames and takes what is accepted: the
    /// outlet always accepts everything.
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.outlet.send_own(Bytes::copy_from_slice(buf));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::{Account, CloseReason, Frame, OutboxBudget, Outlet, OutletLimits, PeerLink};
    use std::future::poll_fn;
    use std::sync::Arc;
    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpStream};

    /// An outlet on one end of a loopback connection, and the other end.
    async fn open_outlet(limit: usize) -> (Arc<Outlet>, TcpStream) {
        open_outlet_with(OutletLimits {
            frames: limit,
            bytes: usize::MAX,
        })
        .await
    }

    async fn open_outlet_with(limits: OutletLimits) -> (Arc<Outlet>, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (_, write) = accepted.expect("accepts").0.into_split();
        (
            Arc::new(Outlet::new(write, limits)),
            client.expect("connects"),
        )
    }

    async fn closed_reason(outlet: &Outlet) -> Option<CloseReason> {
        poll_fn(|cx| outlet.poll_closed(cx)).await
    }

    /// An outlet charged to `account`, whose peer never reads.
    async fn charged_outlet(account: &Arc<Account>) -> (Arc<Outlet>, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (_, write) = accepted.expect("accepts").0.into_split();
        let limits = OutletLimits {
            frames: 1 << 20,
            bytes: usize::MAX,
        };
        (
            Outlet::charged(write, limits, account.clone()),
            client.expect("connects"),
        )
    }

    /// Sends 64 KiB frames until `outlet` holds at least `bytes` waiting.
    fn fill(outlet: &Outlet, bytes: usize) {
        let frame = Frame::binary(&vec![7u8; 64 * 1024]);
        while outlet.waiting() < bytes && outlet.reason().is_none() {
            assert!(outlet.send(&frame));
        }
    }

    #[tokio::test]
    async fn over_its_budget_an_identity_loses_its_greediest_connection_and_its_memory() {
        let mib = 1024 * 1024;
        let budget = OutboxBudget::new(16 * mib, 64 * mib);
        let greedy = budget.account("board\nparticipant:greedy");
        assert!(Arc::ptr_eq(
            &greedy,
            &budget.account("board\nparticipant:greedy")
        ));
        let (big, _big_peer) = charged_outlet(&greedy).await;
        let (small, _small_peer) = charged_outlet(&greedy).await;
        fill(&big, 10 * mib);
        fill(&small, 4 * mib);
        assert_eq!(big.reason(), None);
        assert!(greedy.used() >= 14 * mib);
        // The frame that takes the identity over 16 MiB closes the
        // connection holding the most, and its queue goes at once.
        fill(&small, 7 * mib);
        assert_eq!(big.reason(), Some(CloseReason::OVER_BUDGET));
        assert_eq!(small.reason(), None);
        assert!(big.waiting() <= 64 * 1024 + 16, "{}", big.waiting());
        assert!(greedy.used() < 8 * mib, "{}", greedy.used());

        // Another identity is not touched by this one's budget.
        let honest = budget.account("board\nparticipant:honest");
        let (other, _other_peer) = charged_outlet(&honest).await;
        fill(&other, 12 * mib);
        assert_eq!(other.reason(), None);

        // What a dropped outlet held is given back.
        drop(small);
        drop(big);
        assert_eq!(greedy.used(), 0);
        assert_eq!(budget.used(), honest.used());
    }

    #[tokio::test]
    async fn over_the_servers_budget_the_greediest_connection_of_all_goes() {
        let mib = 1024 * 1024;
        let budget = OutboxBudget::new(64 * mib, 20 * mib);
        let mut outlets = Vec::new();
        for (n, bytes) in [3, 9, 5].into_iter().enumerate() {
            let account = budget.account(&format!("board\nparticipant:{n}"));
            let (outlet, peer) = charged_outlet(&account).await;
            fill(&outlet, bytes * mib);
            outlets.push((account, outlet, peer));
        }
        let (_, last, _) = &outlets[0];
        fill(last, 6 * mib);
        let reasons: Vec<_> = outlets
            .iter()
            .map(|(_, outlet, _)| outlet.reason())
            .collect();
        assert_eq!(reasons, [None, Some(CloseReason::OVER_BUDGET), None]);
        assert!(budget.used() <= 20 * mib, "{}", budget.used());
    }

    #[tokio::test]
    async fn an_outlet_whose_peer_stops_reading_knows_since_when() {
        let (outlet, mut peer) = open_outlet(1 << 20).await;
        assert_eq!(outlet.stalled_since(), None);
        let frame = Frame::binary(&vec![1u8; 64 * 1024]);
        while outlet.waiting() == 0 {
            assert!(outlet.send(&frame));
        }
        let stalled = outlet.stalled_since().expect("frames wait");
        // The peer reads everything: nothing waits, nothing is stalled.
        let mut sink = vec![0u8; 1 << 20];
        while outlet.waiting() > 0 {
            tokio::select! {
                read = peer.read(&mut sink) => assert!(read.expect("reads") > 0),
                _ = poll_fn(|cx| outlet.poll_closed(cx)) => panic!("the outlet closed"),
            }
        }
        assert_eq!(outlet.stalled_since(), None, "stalled since {stalled:?}");
    }

    #[tokio::test]
    async fn a_link_dropped_without_a_reason_closes_with_1011() {
        let (outlet, _peer) = open_outlet(8).await;
        drop(PeerLink::new(outlet.clone()));
        assert_eq!(closed_reason(&outlet).await, Some(CloseReason::INTERNAL));

        let (outlet, _peer) = open_outlet(8).await;
        let link = PeerLink::new(outlet.clone());
        link.close(CloseReason::TOO_SLOW);
        drop(link);
        assert_eq!(closed_reason(&outlet).await, Some(CloseReason::TOO_SLOW));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_and_what_waited_arrives_whole() {
        let (outlet, mut peer) = open_outlet(4).await;
        let frame = Frame::binary(&[1; 1 << 20]);
        let mut sent = 0;
        while outlet.send(&frame) {
            sent += 1;
            assert!(sent < 1000, "the queue never filled");
        }
        // The peer reads again; the connection task writes out the rest.
        let received = drain(&outlet, &mut peer).await;
        assert_eq!(received.len(), sent * frame.as_bytes().len());
        assert!(
            received
                .chunks(frame.as_bytes().len())
                .all(|chunk| chunk == frame.as_bytes())
        );
    }

    /// The peer reads again while the connection task writes out what
    /// waits and closes; everything the peer got.
    async fn drain(outlet: &Arc<Outlet>, peer: &mut TcpStream) -> Vec<u8> {
        let writer = {
            let outlet = outlet.clone();
            tokio::spawn(async move { outlet.finish(None).await })
        };
        let mut received = Vec::new();
        peer.read_to_end(&mut received).await.expect("reads");
        writer.await.expect("the writer finishes");
        received
    }

    #[tokio::test]
    async fn a_queue_over_its_bytes_refuses_before_its_frame_count() {
        let limits = OutletLimits {
            frames: 100_000,
            bytes: 1 << 20,
        };
        let (outlet, mut peer) = open_outlet_with(limits).await;
        let frame = Frame::binary(&[3; 64 * 1024]);
        let mut sent = 0;
        while outlet.send(&frame) {
            sent += 1;
            assert!(sent < limits.frames, "the byte limit never refused a frame");
        }
        let queued = outlet.lock().queued_bytes;
        assert!(
            queued <= limits.bytes && queued + frame.as_bytes().len() > limits.bytes,
            "refused when the next frame would pass the byte limit ({queued} queued)"
        );
        // What was taken still arrives whole.
        let received = drain(&outlet, &mut peer).await;
        assert_eq!(received.len(), sent * frame.as_bytes().len());
    }

    #[tokio::test]
    async fn one_frame_larger_than_the_byte_limit_is_taken_when_nothing_waits() {
        let (outlet, _peer) = open_outlet_with(OutletLimits {
            frames: 1024,
            bytes: 1024,
        })
        .await;
        // A full sync step 2 of a big board, larger than the socket takes.
        let large = Frame::binary(&[5; 32 << 20]);
        assert!(outlet.send(&large), "a frame into an empty queue");
        assert!(
            !outlet.send(&Frame::binary(&[6; 2048])),
            "the next frame passes the byte limit"
        );
    }

    #[test]
    fn frames_carry_the_length_in_the_smallest_form() {
        assert_eq!(Frame::binary(b"abc").as_bytes(), b"\x82\x03abc");
        let medium = Frame::binary(&[7; 126]);
        assert_eq!(&medium.as_bytes()[..4], &[0x82, 126, 0, 126]);
        assert_eq!(medium.as_bytes().len(), 4 + 126);
        let large = Frame::binary(&[7; 70_000]);
        assert_eq!(
            &large.as_bytes()[..10],
            &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]
        );
        assert_eq!(Frame::ping().as_bytes(), b"\x89\x00");
    }

    #[test]
    fn a_close_frame_carries_code_and_reason() {
        let frame = Frame::close(&CloseReason::TOO_SLOW);
        let bytes = frame.as_bytes();
        assert_eq!(bytes[0], 0x88);
        assert_eq!(&bytes[2..4], &1013u16.to_be_bytes());
        assert_eq!(&bytes[4..], b"connection too slow, reconnect");
    }
}
