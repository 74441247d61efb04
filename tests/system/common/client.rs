//! A y-websocket peer made of a yrs document and a raw websocket, and the
//! record of everything it saw (docs/protocol.md).

use super::WAIT;
use super::doc::{contains_bytes, doc_json, new_doc};
use super::server::Server;
use futures_util::{SinkExt, StreamExt};
use kartenwand::protocol::Message as YMessage;
use kartenwand::protocol::awareness;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a client saw, besides document content.
#[derive(Debug, Default)]
pub struct Seen {
    pub synced: bool,
    pub denied: Vec<String>,
    pub received_updates: Vec<Vec<u8>>,
    /// Awareness entries as (client, clock, state JSON).
    pub awareness: Vec<(u64, u64, String)>,
    pub closed: Option<(u16, String)>,
    pub send_failed: Option<String>,
    /// Every binary frame as it arrived.
    pub frames: Vec<Vec<u8>>,
}

impl Seen {
    /// Whether any frame received held these bytes.
    pub fn any_frame_contains(&self, text: &str) -> bool {
        self.frames
            .iter()
            .any(|frame| contains_bytes(frame, text.as_bytes()))
    }
}

/// A y-websocket peer made of a yrs document and a raw websocket.
pub struct Client {
    socket: Socket,
    pub doc: Doc,
    pub seen: Seen,
    /// Only what arrived as relayed updates (the server may merge several
    /// updates into one frame, so count content, not frames).
    pub received: Doc,
    /// With [`Client::record_history`]: the document as JSON after each
    /// update it received, so a test can show a value never appeared.
    pub history: Option<Vec<Value>>,
    /// Records frames and does nothing else: for a peer that sends what it
    /// likes, e.g. a made-up state vector, and so may be answered with a
    /// diff against a state its document does not have.
    pub passive: bool,
}

impl Client {
    /// Connects and completes the initial sync (sync step 2 received).
    pub async fn connect(server: &Server, board: &str, token: &str) -> Client {
        Self::connect_with(server, board, token, new_doc()).await
    }

    pub async fn connect_with(server: &Server, board: &str, token: &str, doc: Doc) -> Client {
        Self::connect_url(&server.ws_url(board, token), doc).await
    }

    /// Connects to a server known by its address only, and syncs.
    pub async fn connect_to(addr: std::net::SocketAddr, board: &str, token: &str) -> Client {
        Self::connect_url(&format!("ws://{addr}/ws/{board}?token={token}"), new_doc()).await
    }

    async fn connect_url(url: &str, doc: Doc) -> Client {
        let mut client = Self::connect_raw_url(url, doc).await;
        let state_vector = client.doc.transact().state_vector().encode_v1();
        client
            .send_message(YMessage::SyncStep1(&state_vector))
            .await;
        client.pump_until(|c| c.seen.synced, "initial sync").await;
        client
    }

    /// Connects without syncing.
    pub async fn connect_raw(server: &Server, board: &str, token: &str, doc: Doc) -> Client {
        Self::connect_raw_url(&server.ws_url(board, token), doc).await
    }

    /// Connects to `/ws/{board}` with no token in the address, one header
    /// set instead (`Authorization`, or `Sec-WebSocket-Protocol` as the web
    /// app sends it), and syncs. Returns the subprotocol the server chose.
    pub async fn connect_with_header(
        server: &Server,
        board: &str,
        name: &'static str,
        value: &str,
    ) -> (Client, Option<String>) {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/ws/{board}", server.addr)
            .into_client_request()
            .expect("a websocket request");
        request
            .headers_mut()
            .insert(name, value.parse().expect("a header value the test chose"));
        let (socket, response) =
            tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
                .await
                .expect("connects within the wait")
                .expect("websocket upgrade accepted");
        let chosen = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut client = Client::from_socket(socket, new_doc());
        let state_vector = client.doc.transact().state_vector().encode_v1();
        client
            .send_message(YMessage::SyncStep1(&state_vector))
            .await;
        client.pump_until(|c| c.seen.synced, "initial sync").await;
        (client, chosen)
    }

    async fn connect_raw_url(url: &str, doc: Doc) -> Client {
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connects within the wait")
            .expect("websocket upgrade accepted");
        Client::from_socket(socket, doc)
    }

    fn from_socket(socket: Socket, doc: Doc) -> Client {
        Client {
            socket,
            doc,
            seen: Seen::default(),
            received: new_doc(),
            history: None,
            passive: false,
        }
    }

    /// From now on, keeps the document's JSON after every update received.
    pub fn record_history(&mut self) {
        self.history = Some(vec![self.json()]);
    }

    /// Every state the document has shown since [`Client::record_history`].
    pub fn shown(&self) -> &[Value] {
        self.history.as_deref().unwrap_or_default()
    }

    pub async fn send_message(&mut self, message: YMessage<'_>) {
        self.send_frame(message.encode()).await;
    }

    /// Sends a frame. A failure (the server closed the connection) shows
    /// up in [`Client::expect_close`] or [`Seen::closed`].
    pub async fn send_frame(&mut self, frame: Vec<u8>) {
        self.send_raw(Message::Binary(frame.into())).await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        if let Err(error) = self.socket.send(message).await {
            self.seen.send_failed = Some(error.to_string());
        }
    }

    /// Edits the local document and sends the resulting update.
    pub async fn edit(
        &mut self,
        change: impl FnOnce(&Doc, &mut yrs::TransactionMut<'_>),
    ) -> Vec<u8> {
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            change(&self.doc, &mut txn);
        }
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        self.send_message(YMessage::Update(&update)).await;
        update
    }

    /// Handles incoming messages until `done` holds; panics after [`WAIT`].
    pub async fn pump_until(&mut self, done: impl Fn(&Client) -> bool, what: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(self) {
            assert!(
                self.seen.closed.is_none(),
                "connection closed while waiting for {what}: {:?}",
                self.seen.closed
            );
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => panic!("timed out waiting for {what}"),
                Ok(None) => {
                    self.seen.closed = Some((1006, "stream ended".into()));
                }
                Ok(Some(Err(error))) => {
                    self.seen.closed = Some((1006, error.to_string()));
                }
                Ok(Some(Ok(message))) => self.handle(message).await,
            }
        }
    }

    /// Handles messages until `done` holds (true) or the connection closes
    /// (false); panics after [`WAIT`].
    pub async fn pump_until_or_closed(
        &mut self,
        done: impl Fn(&Client) -> bool,
        what: &str,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if done(self) {
                return true;
            }
            if self.seen.closed.is_some() {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => panic!("timed out waiting for {what} or a close"),
                Ok(None) => self.seen.closed = Some((1006, "stream ended".into())),
                Ok(Some(Err(error))) => self.seen.closed = Some((1006, error.to_string())),
                Ok(Some(Ok(message))) => self.handle(message).await,
            }
        }
    }

    /// Waits for the server to close the connection; returns code and reason.
    pub async fn expect_close(&mut self) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(closed) = &self.seen.closed {
                return closed.clone();
            }
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => panic!("timed out waiting for the server to close"),
                Ok(None) => return (1006, "stream ended".into()),
                Ok(Some(Err(error))) => return (1006, error.to_string()),
                Ok(Some(Ok(message))) => self.handle(message).await,
            }
        }
    }

    async fn handle(&mut self, message: Message) {
        let frame = match message {
            Message::Binary(frame) => frame,
            Message::Close(frame) => {
                self.seen.closed = Some(
                    frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((u16::from(CloseCode::Status), String::new())),
                );
                return;
            }
            _ => return,
        };
        self.seen.frames.push(frame.to_vec());
        if self.passive {
            return;
        }
        match YMessage::decode(&frame).expect("server frames are well-formed") {
            YMessage::SyncStep1(state_vector) => {
                let state_vector =
                    StateVector::decode_v1(state_vector).expect("valid state vector");
                let update = self.doc.transact().encode_state_as_update_v1(&state_vector);
                self.send_message(YMessage::SyncStep2(&update)).await;
            }
            YMessage::SyncStep2(update) => {
                self.apply(update);
                self.seen.synced = true;
                self.remember();
            }
            YMessage::Update(update) => {
                self.apply(update);
                let decoded = Update::decode_v1(update).expect("server sends valid updates");
                self.received
                    .transact_mut()
                    .apply_update(decoded)
                    .expect("applies");
                self.seen.received_updates.push(update.to_vec());
                self.remember();
            }
            YMessage::Awareness(update) => {
                for entry in awareness::decode(update).expect("valid awareness") {
                    self.seen
                        .awareness
                        .push((entry.client, entry.clock, entry.state.to_owned()));
                }
            }
            YMessage::PermissionDenied(reason) => self.seen.denied.push(reason.to_owned()),
            YMessage::QueryAwareness => {}
        }
    }

    fn remember(&mut self) {
        if self.history.is_some() {
            let json = self.json();
            if let Some(history) = self.history.as_mut() {
                history.push(json);
            }
        }
    }

    fn apply(&self, update: &[u8]) {
        let update = Update::decode_v1(update).expect("server sends valid updates");
        self.doc
            .transact_mut()
            .apply_update(update)
            .expect("applies");
    }

    pub fn state_vector(&self) -> StateVector {
        self.doc.transact().state_vector()
    }

    /// Whether everything this client wrote came back relayed. By state
    /// vector: an edit that only deletes changes none, so after one, wait
    /// for the answer to a sync step 1 instead.
    pub fn all_echoed(&self) -> bool {
        let me = self.doc.client_id();
        self.received.transact().state_vector().get(&me) >= self.state_vector().get(&me)
    }

    /// The whole document as JSON, for comparing replicas.
    pub fn json(&self) -> Value {
        doc_json(&self.doc)
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
