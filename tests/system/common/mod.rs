//! Helpers for black-box tests: the real binary on an ephemeral port with a
//! temporary data directory, a minimal HTTP client, and a y-websocket client
//! built on yrs and tokio-tungstenite.

#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use kartenwand::protocol::Message as YMessage;
use kartenwand::protocol::awareness;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::types::ToJson;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Map, MapPrelim, ReadTxn, StateVector, Transact, TransactionMut, Update, WriteTxn};

/// Upper bound of every wait in these tests.
pub const WAIT: Duration = Duration::from_secs(15);

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts the binary on a fresh temporary data directory.
    pub async fn start(extra_args: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().to_owned();
        let mut server = Server::start_in(&dir, extra_args).await;
        server._temp = Some(temp);
        server
    }

    /// Starts the binary on an existing data directory.
    pub async fn start_in(data_dir: &Path, extra_args: &[&str]) -> Server {
        // KARTENWAND_BIN: a copy of the binary, for when the target
        // directory is shared and may be rebuilt while tests run.
        let binary = std::env::var_os("KARTENWAND_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kartenwand")));
        let mut child = Command::new(binary)
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra_args)
            .env(
                "RUST_LOG",
                std::env::var("KARTENWAND_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the kartenwand binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("server printed its address within the wait")
            .expect("stdout readable")
            .expect("server printed a line");
        let addr = line
            .rsplit("http://")
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line}"));
        Server {
            child,
            addr,
            data_dir: data_dir.to_owned(),
            _temp: None,
        }
    }

    /// Keeps the temporary directory alive past this server (for restarts).
    pub fn take_temp_dir(&mut self) -> Option<tempfile::TempDir> {
        self._temp.take()
    }

    pub fn ws_url(&self, board: &str, token: &str) -> String {
        format!("ws://{}/ws/{board}?token={token}", self.addr)
    }

    /// SIGKILL: no chance to flush anything.
    pub async fn kill(mut self) -> Option<tempfile::TempDir> {
        self.child.kill().await.expect("kill");
        self._temp.take()
    }

    /// SIGKILL, then a new server on the same data directory: what it
    /// serves is exactly what was stored.
    pub async fn restart(self, extra_args: &[&str]) -> Server {
        let data_dir = self.data_dir.clone();
        let temp = self.kill().await;
        let mut server = Server::start_in(&data_dir, extra_args).await;
        server._temp = temp;
        server
    }

    /// Whether `text` appears in the database file or its write-ahead log.
    pub fn stores(&self, text: &str) -> bool {
        ["kartenwand.db", "kartenwand.db-wal"].iter().any(|name| {
            std::fs::read(self.data_dir.join(name))
                .unwrap_or_default()
                .windows(text.len())
                .any(|window| window == text.as_bytes())
        })
    }

    /// Sends a signal (`"TERM"`, `"KILL"`) to the process.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("running");
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {pid}");
    }

    /// Waits for the process to exit; panics after `limit`.
    pub async fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("the server did not exit within {limit:?}"))
            .expect("wait")
    }

    /// SIGTERM, then wait for a clean exit.
    pub async fn terminate(self) -> (std::process::ExitStatus, Option<tempfile::TempDir>) {
        self.terminate_within(Duration::from_secs(10)).await
    }

    /// SIGTERM; panics unless the process exits within `limit`.
    pub async fn terminate_within(
        mut self,
        limit: Duration,
    ) -> (std::process::ExitStatus, Option<tempfile::TempDir>) {
        self.signal("TERM");
        let exit = self.wait_exit(limit).await;
        (exit, self._temp.take())
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        http_request(self.addr, method, path, body).await
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> (u16, String) {
        let raw = format!(
            "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let mut stream = TcpStream::connect(self.addr).await.expect("connects");
        stream.write_all(raw.as_bytes()).await.expect("writes");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.expect("reads");
        let text = String::from_utf8_lossy(&response).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    pub async fn create_board(&self, title: &str) -> Board {
        let (status, body) = self
            .request(
                "POST",
                "/api/boards",
                Some(&serde_json::json!({"title": title, "district": "Sandow"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Board {
            id: body["board"].as_str().expect("board").to_owned(),
            moderator_token: body["moderator_token"].as_str().expect("token").to_owned(),
            viewer_token: body["viewer_token"].as_str().expect("viewer").to_owned(),
            join_code: body["join_code"].as_str().expect("code").to_owned(),
        }
    }

    /// Joins as a participant; returns (participant id, token).
    pub async fn join(&self, board: &Board, name: &str) -> (String, String) {
        let (status, body) = self
            .request(
                "POST",
                &format!("/api/boards/{}/join", board.id),
                Some(&serde_json::json!({
                    "join_code": board.join_code, "name": name,
                    "organisation": "Kita Sonnenschein", "sector": "stadtteil"
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        (
            body["participant_id"].as_str().expect("id").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Board {
    pub id: String,
    pub moderator_token: String,
    pub viewer_token: String,
    pub join_code: String,
}

/// A one-shot HTTP/1.1 request; returns the status and the JSON body (or
/// `Value::Null` if the body is not JSON).
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    http_request_as(addr, None, method, path, body).await
}

/// A request with `Authorization: Bearer <token>` when a token is given.
pub async fn http_request_as(
    addr: SocketAddr,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_http(addr, raw.as_bytes()).await
}

pub async fn raw_http(addr: SocketAddr, request: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("response within the wait")
        .expect("reads");
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// HTTP status of a websocket handshake that the server refused.
pub async fn refused_upgrade_status(url: &str) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("the upgrade to {url} was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

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
        self.frames.iter().any(|frame| {
            frame
                .windows(text.len())
                .any(|window| window == text.as_bytes())
        })
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
        let mut client = Self::connect_raw(server, board, token, doc).await;
        let state_vector = client.doc.transact().state_vector().encode_v1();
        client
            .send_message(YMessage::SyncStep1(&state_vector))
            .await;
        client.pump_until(|c| c.seen.synced, "initial sync").await;
        client
    }

    /// Connects without syncing.
    pub async fn connect_raw(server: &Server, board: &str, token: &str, doc: Doc) -> Client {
        let (socket, _) = tokio::time::timeout(
            WAIT,
            tokio_tungstenite::connect_async(server.ws_url(board, token)),
        )
        .await
        .expect("connects within the wait")
        .expect("websocket upgrade accepted");
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

/// A document that counts text positions in UTF-16 units, like Yjs.
pub fn new_doc() -> Doc {
    Doc::with_options(yrs::Options {
        offset_kind: yrs::OffsetKind::Utf16,
        ..yrs::Options::default()
    })
}

/// Root types the tests use, by name; a root a client never touched is
/// otherwise of unknown type and reads as null.
const MAP_ROOTS: [&str; 11] = [
    "meta",
    "cards",
    "done",
    "probe",
    "clusters",
    "votes",
    "participants",
    "placements",
    "cases",
    "focalPoints",
    "agreements",
];

/// Every root type of a document as JSON.
pub fn doc_json(doc: &Doc) -> Value {
    for name in MAP_ROOTS {
        doc.get_or_insert_map(name);
    }
    doc.get_or_insert_array("agenda");
    doc.get_or_insert_text("notes");
    let txn = doc.transact();
    let mut out = serde_json::Map::new();
    for (name, value) in txn.root_refs() {
        let any = value.to_json(&txn);
        out.insert(
            name.to_owned(),
            serde_json::to_value(&any).expect("any is JSON"),
        );
    }
    Value::Object(out)
}

/// Whether `have` has seen at least everything in `want`.
pub fn covers(have: &StateVector, want: &StateVector) -> bool {
    want.iter()
        .all(|(client, clock)| have.get(client) >= *clock)
}

/// Writes a need card as a phone does (docs/schema.md, `cards`).
pub fn create_card(txn: &mut TransactionMut<'_>, id: &str, author: &str, text: &str) {
    let cards = txn.get_or_insert_map("cards");
    let card = cards.insert(txn, id, MapPrelim::default());
    card.insert(txn, "text", text);
    card.insert(txn, "kind", "need");
    card.insert(txn, "author", author);
    card.insert(txn, "createdAt", 1_741_079_400_000.0);
}

/// A board with its moderator and two joined participants, Alice and Bob,
/// each connected and synced: the cast of the authorization tests.
pub struct Party {
    pub server: Server,
    pub board: Board,
    pub moderator: Client,
    pub alice: Client,
    pub alice_id: String,
    pub alice_token: String,
    pub bob: Client,
    pub bob_id: String,
    pub bob_token: String,
}

pub async fn party(title: &str) -> Party {
    let server = Server::start(&[]).await;
    let board = server.create_board(title).await;
    let (alice_id, alice_token) = server.join(&board, "Alice").await;
    let (bob_id, bob_token) = server.join(&board, "Bob").await;
    let moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let alice = Client::connect(&server, &board.id, &alice_token).await;
    let bob = Client::connect(&server, &board.id, &bob_token).await;
    Party {
        server,
        board,
        moderator,
        alice,
        alice_id,
        alice_token,
        bob,
        bob_id,
        bob_token,
    }
}
