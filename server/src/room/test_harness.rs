//! A room test harness: a registry over a temporary store, and peers whose
//! outlets write into loopback sockets the test reads frames from.

use super::{CloseReason, Inbound, Membership, PeerLink, Registry, RoomSettings, build_document};
use crate::auth::Identity;
use crate::protocol::Message;
use crate::socket::{Outlet, OutletLimits};
use crate::store::{SqliteStore, Store, Synchronous};
use bytes::Bytes;
use std::future::poll_fn;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::task::TaskTracker;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Map, ReadTxn, StateVector, Transact, Update};

/// A link to a real (loopback) socket, its outlet, and the other end
/// (returned so it stays open).
pub(super) async fn link() -> (PeerLink, Arc<Outlet>, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("address");
    let client = TcpStream::connect(address).await.expect("connects");
    let (server, _) = listener.accept().await.expect("accepts");
    let (_, write) = server.into_split();
    let outlet = Arc::new(Outlet::new(write, RoomSettings::default().outbox));
    (PeerLink::new(outlet.clone()), outlet, client)
}

pub(super) const WAIT: Duration = Duration::from_secs(15);

pub(super) struct Harness {
    pub(super) registry: Arc<Registry>,
    pub(super) store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

pub(super) fn harness(settings: RoomSettings) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        Arc::new(SqliteStore::open(&dir.path().join("k.db"), Synchronous::Normal).expect("opens"));
    let registry = Registry::new(store.clone(), settings, TaskTracker::new());
    Harness {
        registry,
        store,
        _dir: dir,
    }
}

/// A peer of a room: its outlet writes into one end of a loopback
/// connection, the test reads websocket frames from the other.
pub(super) struct TestPeer {
    pub(super) membership: Membership,
    pub(super) outlet: Arc<Outlet>,
    pub(super) socket: TcpStream,
    pub(super) received: Vec<u8>,
    pub(super) doc: Doc,
    pub(super) denied: Vec<String>,
    /// Every message received so far, as it came.
    pub(super) messages: Vec<Vec<u8>>,
}

impl TestPeer {
    pub(super) async fn join(harness: &Harness, board: &str) -> TestPeer {
        Self::join_with(harness, board, RoomSettings::default().outbox).await
    }

    pub(super) async fn join_with(
        harness: &Harness,
        board: &str,
        outbox: OutletLimits,
    ) -> TestPeer {
        Self::join_as_with(harness, board, Identity::Moderator, outbox).await
    }

    /// Joins as `identity` with a fresh document.
    pub(super) async fn join_as(harness: &Harness, board: &str, identity: Identity) -> TestPeer {
        Self::join_as_with(harness, board, identity, RoomSettings::default().outbox).await
    }

    async fn join_as_with(
        harness: &Harness,
        board: &str,
        identity: Identity,
        outbox: OutletLimits,
    ) -> TestPeer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (_, write) = accepted.expect("accepts").0.into_split();
        let outlet = Arc::new(Outlet::new(write, outbox));
        let membership = harness
            .registry
            .join(
                board,
                identity,
                PeerLink::new(outlet.clone()),
                harness.registry.revocation_mark(),
            )
            .await
            .unwrap_or_else(|error| panic!("joins {board}: {error}"));
        let mut peer = TestPeer {
            membership,
            outlet,
            socket: client.expect("connects"),
            received: Vec::new(),
            doc: Doc::new(),
            denied: Vec::new(),
            messages: Vec::new(),
        };
        let state_vector = StateVector::default().encode_v1();
        peer.send(Message::SyncStep1(&state_vector)).await;
        peer.pump_until("the initial sync step 2", |message| {
            matches!(message, Message::SyncStep2(_))
        })
        .await;
        peer
    }

    pub(super) async fn send(&self, message: Message<'_>) {
        let frame = Bytes::from(message.encode());
        let inbound = Inbound::decode(&frame)
            .expect("a valid message")
            .expect("one the room handles");
        self.membership
            .send(inbound)
            .await
            .expect("the room takes it");
    }

    /// Writes a card as this peer and waits for the echo.
    pub(super) async fn write_card(&mut self, key: &str, text: &str) {
        let before = self.doc.transact().state_vector();
        self.doc
            .get_or_insert_map("cards")
            .insert(&mut self.doc.transact_mut(), key, text);
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        self.send(Message::Update(&update)).await;
        let key = key.to_owned();
        self.pump_until("the echo of the card", move |message| match message {
            Message::Update(update) => String::from_utf8_lossy(update).contains(key.as_str()),
            _ => false,
        })
        .await;
    }

    /// Makes a change in this peer's document, sends it and waits for its
    /// echo (the room relays it once committed).
    pub(super) async fn change(&mut self, change: impl FnOnce(&mut yrs::TransactionMut<'_>)) {
        let before = self.doc.transact().state_vector();
        let update = {
            let mut txn = self.doc.transact_mut();
            change(&mut txn);
            txn.encode_update_v1()
        };
        let client = self.doc.client_id().get();
        let end = self
            .doc
            .transact()
            .state_vector()
            .get(&self.doc.client_id());
        assert!(
            end > before.get(&self.doc.client_id()),
            "the change inserts"
        );
        self.send(Message::Update(&update)).await;
        self.pump_until("the echo of the change", |message| match message {
            Message::Update(update) => crate::protocol::update::UpdateSummary::parse(update)
                .is_ok_and(|summary| {
                    summary
                        .clients
                        .iter()
                        .any(|range| range.client == client && range.end == end)
                }),
            _ => false,
        })
        .await;
    }

    /// Reads frames until `done` holds for this peer's document.
    pub(super) async fn pump_until_doc(&mut self, what: &str, done: impl Fn(&Doc) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(&self.doc) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            self.pump_until(what, |_| true).await;
        }
    }

    /// Whether any message received so far holds `needle`.
    pub(super) fn received_bytes(&self, needle: &str) -> bool {
        self.messages.iter().any(|message| {
            message
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
    }

    pub(super) fn card(&self, key: &str) -> Option<String> {
        let txn = self.doc.transact();
        txn.get_map("cards")
            .and_then(|cards| cards.get(&txn, key))
            .map(|value| value.to_string(&txn))
    }

    /// Reads frames (applying what they carry) until `done` holds for one.
    pub(super) async fn pump_until(
        &mut self,
        what: &str,
        mut done: impl FnMut(&Message<'_>) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            while let Some((payload, used)) = parse_frame(&self.received) {
                self.received.drain(..used);
                self.messages.push(payload.clone());
                let message = Message::decode(&payload).expect("the room sends valid frames");
                match &message {
                    Message::SyncStep2(update) | Message::Update(update) => {
                        let update = Update::decode_v1(update).expect("valid update");
                        self.doc
                            .transact_mut()
                            .apply_update(update)
                            .expect("applies");
                    }
                    Message::PermissionDenied(reason) => self.denied.push((*reason).to_owned()),
                    _ => {}
                }
                if done(&message) {
                    return;
                }
            }
            let mut chunk = [0; 65536];
            let read = tokio::time::timeout_at(deadline, self.socket.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                .expect("reads");
            assert!(read > 0, "the connection ended while waiting for {what}");
            self.received.extend_from_slice(&chunk[..read]);
        }
    }

    pub(super) async fn closed_reason(&self) -> Option<CloseReason> {
        tokio::time::timeout(WAIT, poll_fn(|cx| self.outlet.poll_closed(cx)))
            .await
            .expect("the room closes the link in time")
    }
}

/// The payload of the first whole (unmasked, binary) frame and the
/// bytes it took.
pub(super) fn parse_frame(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    let (&first, rest) = bytes.split_first()?;
    assert_eq!(first, 0x82, "a final binary frame");
    let (&short, rest) = rest.split_first()?;
    let (len, header) = match short {
        126 => (
            usize::from(u16::from_be_bytes(rest.get(..2)?.try_into().ok()?)),
            4,
        ),
        127 => (
            usize::try_from(u64::from_be_bytes(rest.get(..8)?.try_into().ok()?)).ok()?,
            10,
        ),
        len => (usize::from(len), 2),
    };
    let payload = bytes.get(header..header + len)?;
    Some((payload.to_vec(), header + len))
}

pub(super) fn stored_card(store: &SqliteStore, board: &str, key: &str) -> Option<String> {
    let doc = build_document(&store.load_document(board).expect("loads")).expect("builds");
    let txn = doc.transact();
    txn.get_map("cards")
        .and_then(|cards| cards.get(&txn, key))
        .map(|value| value.to_string(&txn))
}

impl TestPeer {
    pub(super) fn outlet_is_open(&self) -> bool {
        let waker = futures_util::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        self.outlet.poll_closed(&mut cx).is_pending()
    }
}
