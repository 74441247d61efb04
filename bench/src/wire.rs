//! What differs between the servers: where a room lives, how a client gets
//! in, and how a y-websocket message is framed.
//!
//! The y-websocket protocol is described in `docs/protocol.md`; Hocuspocus
//! (`@hocuspocus/server` 3.x, `OutgoingMessage` and `MessageReceiver`)
//! prefixes every message with the document name as a lib0 varString, adds
//! message types (2 auth with its own subtypes, 4 sync reply = sync, 8 sync
//! status) and processes nothing of a document before the client's auth
//! token message (`[name] 2 0 varString(token)`); without an auth extension
//! it accepts any token.

use anyhow::{Context, bail};
use clap::ValueEnum;
use kartenwand::protocol::{Message, ProtocolError, Reader, write_var_bytes, write_var_u64};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Duration, timeout};
use yrs::{Doc, Map, Transact};

use crate::client::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flavor {
    /// Kartenwand: boards and tokens over its HTTP API, `/ws/{board}`.
    Kartenwand,
    /// The y-websocket reference server (`@y/websocket-server`), `/{room}`.
    Yws,
    /// Hocuspocus: document name in front of every message, auth first.
    Hocuspocus,
    /// The bare relay of this crate: no sync, frames forwarded as they are.
    Relay,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Kartenwand => "kartenwand",
            Flavor::Yws => "yws",
            Flavor::Hocuspocus => "hocuspocus",
            Flavor::Relay => "relay",
        }
    }

    /// Whether the server holds the document and answers sync step 1. The
    /// relay only forwards, so its clients skip the sync handshake.
    pub fn syncs(self) -> bool {
        self != Flavor::Relay
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    Participant,
    Moderator,
}

/// The server under test.
#[derive(Debug, Clone)]
pub struct Target {
    pub flavor: Flavor,
    /// `host:port`.
    pub authority: String,
    pub role: Role,
    /// Kartenwand: leave the boards' cards hidden (not revealed).
    pub hidden: bool,
    /// Distinguishes the rooms of this run from earlier ones on the same
    /// server (the peers keep documents in memory while anyone is in them).
    pub run_id: String,
}

/// Where one client connects and who it is.
#[derive(Debug, Clone)]
pub struct Access {
    pub url: String,
    /// Hocuspocus' document name; empty for the other flavours.
    pub document: String,
    /// The `author` of the client's card: a participant id or "moderator".
    pub author: String,
}

impl Target {
    pub fn new(flavor: Flavor, url: &str, role: Role, hidden: bool) -> anyhow::Result<Self> {
        let authority = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            bail!("--target must be scheme://host:port, got {url:?}");
        }
        Ok(Target {
            flavor,
            authority: authority.to_owned(),
            role,
            hidden,
            run_id: format!("{:08x}", rand::random::<u32>()),
        })
    }

    /// Creates a room (a board on Kartenwand) and the access of its
    /// `clients` clients. `writers` is false when the clients only read, so
    /// Kartenwand clients use the moderator token instead of joining.
    pub async fn room(
        &self,
        index: usize,
        clients: usize,
        writers: bool,
    ) -> anyhow::Result<Vec<Access>> {
        let name = format!("kwb-{}-{index}", self.run_id);
        if self.flavor != Flavor::Kartenwand {
            let document = if self.flavor == Flavor::Hocuspocus {
                name.clone()
            } else {
                String::new()
            };
            let url = format!("ws://{}/{name}", self.authority);
            return Ok((0..clients)
                .map(|_| Access {
                    url: url.clone(),
                    document: document.clone(),
                    author: "moderator".into(),
                })
                .collect());
        }
        let board = http_post(&self.authority, "/api/boards", &json!({ "title": name })).await?;
        let field = |value: &Value, key: &str| -> anyhow::Result<String> {
            value
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .with_context(|| format!("the server's answer lacks {key:?}: {value}"))
        };
        let board_id = field(&board, "board")?;
        let moderator = field(&board, "moderator_token")?;
        let join_code = field(&board, "join_code")?;
        if !self.hidden {
            self.reveal(&board_id, &moderator).await?;
        }
        let mut accesses = Vec::with_capacity(clients);
        for client in 0..clients {
            let (token, author) = if writers && self.role == Role::Participant {
                let body = json!({
                    "join_code": join_code,
                    "name": format!("Bench {client}"),
                    "sector": "stadtteil",
                });
                let joined = http_post(
                    &self.authority,
                    &format!("/api/boards/{board_id}/join"),
                    &body,
                )
                .await?;
                (field(&joined, "token")?, field(&joined, "participant_id")?)
            } else {
                (moderator.clone(), "moderator".to_owned())
            };
            accesses.push(Access {
                url: format!("ws://{}/ws/{board_id}?token={token}", self.authority),
                document: String::new(),
                author,
            });
        }
        Ok(accesses)
    }
}

impl Target {
    /// Reveals a board's cards as its moderator does after the writing
    /// (`meta.revealed`, docs/schema.md): from then on every card text goes
    /// to everyone, where before the room redacted it for all but the
    /// author's group. Returns once the server applied it.
    async fn reveal(&self, board: &str, moderator: &str) -> anyhow::Result<()> {
        let access = Access {
            url: format!("ws://{}/ws/{board}?token={moderator}", self.authority),
            document: String::new(),
            author: "moderator".into(),
        };
        let mut session = Session::open(self.flavor, &access).await?;
        let doc = Doc::new();
        session.sync(&doc, |_| {}).await?;
        let update = {
            let meta = doc.get_or_insert_map("meta");
            let mut txn = doc.transact_mut();
            meta.insert(&mut txn, "revealed", true);
            txn.encode_update_v1()
        };
        session.send(&Message::Update(&update)).await?;
        // The server answers a second handshake after the update.
        session.sync(&doc, |_| {}).await?;
        session.close().await;
        Ok(())
    }
}

/// A decoded server frame, as far as the generator cares.
#[derive(Debug)]
pub enum Incoming<'a> {
    SyncStep1,
    SyncStep2(&'a [u8]),
    Update(&'a [u8]),
    /// Awareness, auth, sync status and the like.
    Other,
}

/// Frames messages for one connection.
#[derive(Debug, Clone)]
pub struct Framing {
    /// The Hocuspocus document name, or `None` for plain y-websocket.
    document: Option<String>,
}

impl Framing {
    pub fn new(flavor: Flavor, access: &Access) -> Self {
        let document = (flavor == Flavor::Hocuspocus).then(|| access.document.clone());
        Framing { document }
    }

    fn start(&self, capacity: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(capacity + 64);
        if let Some(document) = &self.document {
            write_var_bytes(&mut out, document.as_bytes());
        }
        out
    }

    pub fn encode(&self, message: &Message<'_>) -> Vec<u8> {
        let body = message.encode();
        let mut out = self.start(body.len());
        out.extend_from_slice(&body);
        out
    }

    /// Hocuspocus' auth token message; `None` for the other flavours.
    pub fn auth(&self) -> Option<Vec<u8>> {
        self.document.as_ref()?;
        let mut out = self.start(16);
        write_var_u64(&mut out, 2); // auth
        write_var_u64(&mut out, 0); // token
        write_var_bytes(&mut out, b"bench");
        Some(out)
    }

    pub fn decode<'a>(&self, frame: &'a [u8]) -> Result<Incoming<'a>, ProtocolError> {
        let mut reader = Reader::new(frame);
        let hocuspocus = self.document.is_some();
        if hocuspocus {
            reader.var_str()?;
        }
        match reader.var_u64()? {
            // 4 is Hocuspocus' "sync reply": a sync message that asks for
            // no step 1 in return.
            kind @ (0 | 4) if kind == 0 || hocuspocus => {
                let subtype = reader.var_u64()?;
                let payload = reader.var_bytes()?;
                Ok(match subtype {
                    0 => Incoming::SyncStep1,
                    1 => Incoming::SyncStep2(payload),
                    2 => Incoming::Update(payload),
                    _ => Incoming::Other,
                })
            }
            _ => Ok(Incoming::Other),
        }
    }
}

/// A minimal HTTP/1.1 POST with a JSON body; the answer must be 2xx JSON.
/// (Only Kartenwand's board API needs it, on loopback.)
pub(crate) async fn http_post(authority: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        anyhow::Ok(response)
    };
    let response = timeout(Duration::from_secs(10), exchange)
        .await
        .with_context(|| format!("POST {path}: no answer within 10 s"))?
        .with_context(|| format!("POST {path} to {authority}"))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("POST {path}: not an HTTP answer"))?;
    let status = head.split(' ').nth(1).unwrap_or("");
    if !status.starts_with('2') {
        bail!(
            "POST {path}: {} {}",
            head.lines().next().unwrap_or(""),
            body.trim()
        );
    }
    serde_json::from_str(body)
        .with_context(|| format!("POST {path}: the answer is not JSON: {body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hocuspocus_framing_round_trips() {
        let access = Access {
            url: String::new(),
            document: "raum".into(),
            author: String::new(),
        };
        let framing = Framing::new(Flavor::Hocuspocus, &access);
        let frame = framing.encode(&Message::Update(&[1, 2, 3]));
        assert_eq!(&frame[..5], &[4, b'r', b'a', b'u', b'm']);
        assert!(matches!(
            framing.decode(&frame),
            Ok(Incoming::Update(&[1, 2, 3]))
        ));
        // A sync reply carrying step 2.
        let reply = [4, b'r', b'a', b'u', b'm', 4, 1, 1, 9];
        assert!(matches!(
            framing.decode(&reply),
            Ok(Incoming::SyncStep2(&[9]))
        ));
        let auth = framing.auth();
        assert_eq!(
            auth.as_deref(),
            Some(
                &[
                    4, b'r', b'a', b'u', b'm', 2, 0, 5, b'b', b'e', b'n', b'c', b'h'
                ][..]
            )
        );
    }

    #[test]
    fn plain_framing_ignores_other_types() {
        let access = Access {
            url: String::new(),
            document: String::new(),
            author: String::new(),
        };
        let framing = Framing::new(Flavor::Yws, &access);
        assert!(matches!(
            framing.decode(&[0, 0, 1, 0]),
            Ok(Incoming::SyncStep1)
        ));
        assert!(matches!(framing.decode(&[1, 1, 0]), Ok(Incoming::Other)));
        assert!(matches!(framing.decode(&[4, 1, 1, 0]), Ok(Incoming::Other)));
        assert!(framing.decode(&[]).is_err());
    }
}
