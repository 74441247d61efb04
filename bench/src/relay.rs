//! The floor: a bare websocket relay. Every binary frame goes to the other
//! connections of the same path; nothing is parsed, stored or merged. Same
//! shape as the servers under test (a reader per connection, a writer task
//! draining a bounded outbox, one flush per batch, 4 KiB read buffers, no
//! Nagle), so the difference to them is the sync work.

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::accept_hdr_async_with_config;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// Frames waiting for one slow connection before it is dropped.
const OUTBOX: usize = 1024;
/// Frames written before one flush.
const BATCH: usize = 64;

/// The connections of one path: id and outbox.
type Peers = Vec<(u64, mpsc::Sender<Bytes>)>;
type Rooms = Arc<Mutex<HashMap<String, Peers>>>;

pub async fn serve(addr: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot bind {addr}"))?;
    eprintln!("relay listening on {addr}");
    let rooms: Rooms = Arc::default();
    let mut next_id = 0u64;
    loop {
        let (stream, _) = listener.accept().await.context("accept failed")?;
        next_id += 1;
        tokio::spawn(connection(stream, rooms.clone(), next_id));
    }
}

// The handshake callback's error type is tungstenite's (a whole HTTP response).
#[allow(clippy::result_large_err)]
async fn connection(stream: TcpStream, rooms: Rooms, id: u64) {
    let _ = stream.set_nodelay(true);
    let mut path = String::new();
    let remember_path = |request: &Request, response: Response| {
        path = request.uri().path().to_owned();
        Ok(response)
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let Ok(socket) = accept_hdr_async_with_config(stream, remember_path, Some(config)).await else {
        return;
    };
    let (mut sink, mut frames) = socket.split();
    let (outbox, mut inbox) = mpsc::channel::<Bytes>(OUTBOX);
    lock(&rooms)
        .entry(path.clone())
        .or_default()
        .push((id, outbox));
    let writer = tokio::spawn(async move {
        while let Some(frame) = inbox.recv().await {
            let mut batch = vec![frame];
            while batch.len() < BATCH {
                match inbox.try_recv() {
                    Ok(frame) => batch.push(frame),
                    Err(_) => break,
                }
            }
            for frame in batch {
                if sink.feed(Message::Binary(frame)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = frames.next().await {
        if let Message::Binary(frame) = message {
            let mut rooms = lock(&rooms);
            if let Some(peers) = rooms.get_mut(&path) {
                // A full outbox drops that peer (as the servers do), never a frame.
                peers
                    .retain(|(peer, outbox)| *peer == id || outbox.try_send(frame.clone()).is_ok());
            }
        }
    }
    let mut rooms = lock(&rooms);
    if let Some(peers) = rooms.get_mut(&path) {
        peers.retain(|(peer, _)| *peer != id);
        if peers.is_empty() {
            rooms.remove(&path);
        }
    }
    drop(rooms);
    writer.abort();
}

/// The map stays usable even if a connection task panicked while holding it.
fn lock(rooms: &Rooms) -> std::sync::MutexGuard<'_, HashMap<String, Peers>> {
    rooms
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
