//! What waits for sockets that are not read is bounded per identity and
//! for the whole server, and a connection that stops reading is closed:
//! one participant's token cannot pin the server's memory.

use crate::common::{Board, Client, Server, WAIT, create_card};
use futures_util::{SinkExt, StreamExt};
use kartenwand::protocol::Message as YMessage;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};
use yrs::StateVector;
use yrs::updates::encoder::Encode;

type Raw = WebSocketStream<tokio::net::TcpStream>;

const METRICS_TOKEN: &str = "metrics-token-0123456789abcdef";

/// Cards of 256 KiB the moderator writes: the board holds about 1 MiB.
const BIG_CARDS: usize = 4;
const CARD_BYTES: usize = 256 * 1024;

async fn big_board(server: &Server) -> Board {
    let board = server.create_board("Speicherwand").await;
    let mut moderator = Client::connect(server, &board.id, &board.moderator_token).await;
    for n in 0..BIG_CARDS {
        let text = "m".repeat(CARD_BYTES);
        moderator
            .edit(|_, txn| create_card(txn, &format!("cardBig{n:07}"), "moderator", &text))
            .await;
    }
    moderator
        .pump_until(|c| c.all_echoed(), "the big cards stored")
        .await;
    moderator.close().await;
    board
}

/// A websocket with a tiny receive buffer that the test does not read: the
/// server's outbox fills, not the kernel's.
async fn unread_connection(server: &Server, board: &Board, token: &str) -> Raw {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let stream = socket.connect(server.addr).await.expect("connects");
    let config = WebSocketConfig::default().max_message_size(None);
    let (ws, _) = client_async_with_config(server.ws_url(&board.id, token), stream, Some(config))
        .await
        .expect("upgrades");
    ws
}

/// `requests` sync requests (up to ten, the allowance at once), each with a
/// state vector of its own: as many answers as large as the board.
async fn ask_for_everything(ws: &mut Raw, seed: u64, requests: u64) {
    for request in 0..requests {
        let mut vector = StateVector::default();
        vector.set_max(yrs::ClientID::new(900_000 + seed * 100 + request), 1);
        let frame = YMessage::SyncStep1(&vector.encode_v1()).encode();
        if ws.send(Message::binary(frame)).await.is_err() {
            return;
        }
    }
}

/// Reads all the connection's answers, then closes it: the server's close
/// code and reason if the server closed it first, `None` if it was still
/// open (the server answers our close with 1000, or resets it). A
/// connection the server closed while nobody read it ends with a reset
/// before all its answers once its close frame waited 2 s: `(0, …)`.
async fn read_to_the_end(mut ws: Raw) -> Option<(u16, String)> {
    let mut answers = 0;
    let read = async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Binary(frame)) if frame.starts_with(&[0, 1]) => {
                    answers += 1;
                    if answers == 3 {
                        // Everything arrived: our close tells whether the
                        // server had closed first.
                        let _ = ws.send(Message::Close(None)).await;
                    }
                }
                Ok(Message::Close(Some(close))) if u16::from(close.code) != 1000 => {
                    return Some((u16::from(close.code), close.reason.to_string()));
                }
                Ok(Message::Close(_)) => return None,
                Ok(_) => {}
                // After all its answers: it was open (the reset is the
                // server's answer to our close racing the client's pongs).
                Err(tokio_tungstenite::tungstenite::Error::Protocol(
                    tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                )) if answers == 3 => return None,
                Err(tokio_tungstenite::tungstenite::Error::Protocol(
                    tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                )) => return Some((0, format!("reset after {answers} answers"))),
                Err(tokio_tungstenite::tungstenite::Error::ConnectionClosed) => return None,
                Err(error) => panic!("the connection broke instead of closing: {error}"),
            }
        }
        panic!("the connection ended without a close frame after {answers} answers")
    };
    tokio::time::timeout(WAIT * 4, read)
        .await
        .expect("the connection's answers or its close within the wait")
}

/// `kartenwand_outbox_budget_closes_total{scope="identity"}`.
async fn identity_closes(server: &Server) -> u64 {
    let request = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {METRICS_TOKEN}\r\nConnection: close\r\n\r\n"
    );
    let answer = crate::common::http::exchange(server.addr, request.as_bytes()).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .find(|line| line.starts_with("kartenwand_outbox_budget_closes_total{scope=\"identity\"}"))
        .and_then(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn one_identity_cannot_pin_more_than_its_budget() {
    // 6 MiB for one identity, where eight connections ask for the board
    // three times each (24 MiB; the kernel takes up to about one answer per
    // connection): some must go, and at least two fit.
    let server = Server::start(&[
        "--max-waiting-bytes-per-identity",
        "6291456",
        "--metrics-token",
        METRICS_TOKEN,
    ])
    .await;
    let board = big_board(&server).await;
    let (_, greedy) = server.join(&board, "Gierig").await;
    let mut connections = Vec::new();
    for n in 0..8 {
        let mut ws = unread_connection(&server, &board, &greedy).await;
        ask_for_everything(&mut ws, n, 3).await;
        connections.push(ws);
    }
    // The server closes the greediest connections while they hold; found
    // in its metrics, before anyone reads.
    let closed = async {
        loop {
            if identity_closes(&server).await > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(WAIT, closed)
        .await
        .expect("a connection closed over the identity's budget");

    // Another participant of the same board is served as ever.
    let (_, honest) = server.join(&board, "Ehrlich").await;
    let mut client = Client::connect(&server, &board.id, &honest).await;
    client
        .pump_until(
            |c| c.json()["cards"].as_object().map_or(0, |cards| cards.len()) == BIG_CARDS,
            "the honest participant's copy of the board",
        )
        .await;

    // Each connection ends: one the server closed reads 1013 with the
    // reason if it reads in time, else a reset before its answers are all
    // there (or, when its answers were all in the kernel's buffers already,
    // nothing different from an open one); the ones left open get all
    // their answers. The last one standing is never closed: it alone stays
    // under the budget.
    let mut over_budget = 0;
    for ws in connections {
        match read_to_the_end(ws).await {
            Some((0, _)) => over_budget += 1,
            Some((code, reason)) => {
                assert_eq!(code, 1013, "{reason}");
                assert_eq!(reason, "too much is waiting for this connection, reconnect");
                over_budget += 1;
            }
            None => {}
        }
    }
    let count = identity_closes(&server).await;
    assert!((1..8).contains(&count), "{count} closes counted");
    assert!(
        over_budget <= count,
        "{over_budget} closes seen, {count} counted"
    );
    assert!(over_budget < 8, "the budget left none of the eight open");
}

#[tokio::test]
async fn a_connection_that_sends_but_never_reads_is_closed() {
    let server = Server::start(&["--write-timeout-seconds", "1", "--ping-seconds", "1"]).await;
    let board = big_board(&server).await;
    let (_, token) = server.join(&board, "Taub").await;
    let mut ws = unread_connection(&server, &board, &token).await;
    ask_for_everything(&mut ws, 1, 10).await;
    // Looks alive (a message every 100 ms, so the keepalive never closes
    // it) but never reads: the server ends the connection, and a send
    // fails at last.
    let query = YMessage::QueryAwareness.encode();
    let ended = async {
        loop {
            if ws.send(Message::binary(query.clone())).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(WAIT * 2, ended)
        .await
        .expect("the server ended a connection that never read");
}
