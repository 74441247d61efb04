//! What a slow or idle HTTP client may hold: a request head must arrive
//! within `--header-read-seconds`, a body within `--body-read-seconds`,
//! and no more than `--max-open-connections` TCP connections are open at
//! once, websockets included.

use crate::common::{Client, Server, WAIT};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Slack over a configured timeout for the server to notice and close.
const SLACK: Duration = Duration::from_secs(3);

/// Reads until the server closes the connection (end of stream or reset).
/// Returns what it sent and how long that took; panics after `bound`.
async fn read_until_closed(stream: &mut TcpStream, bound: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = tokio::time::timeout_at((started + bound).into(), stream.read(&mut buffer))
            .await
            .unwrap_or_else(|_| panic!("the connection was still open after {bound:?}"));
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn an_unfinished_request_head_is_closed_within_the_header_bound() {
    let server = Server::start(&["--header-read-seconds", "1"]).await;
    // Nothing at all, half a request line, a whole line without the end of
    // the headers: each is closed once the head's time is up.
    for sent in ["", "GET /heal", "GET /healthz HTTP/1.1\r\nHost: x\r\n"] {
        let mut stream = TcpStream::connect(server.addr).await.expect("connects");
        stream.write_all(sent.as_bytes()).await.expect("writes");
        let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(1) + SLACK).await;
        assert!(
            !answer.contains(" 200 "),
            "{sent:?} got an answer: {answer}"
        );
        assert!(
            took >= Duration::from_millis(900),
            "{sent:?}: closed after {took:?}"
        );
    }
}

#[tokio::test]
async fn a_request_head_dribbled_byte_by_byte_is_closed_within_the_header_bound() {
    let server = Server::start(&["--header-read-seconds", "1"]).await;
    let stream = TcpStream::connect(server.addr).await.expect("connects");
    let (mut read, mut write) = stream.into_split();
    // One byte every 200 ms: each byte alone would reset a read timeout.
    let dribble = tokio::spawn(async move {
        write
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("writes");
        for _ in 0..200 {
            if write.write_all(b"X").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(1) + SLACK, async {
        while let Ok(n) = read.read(&mut buffer).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    dribble.abort();
    assert!(
        closed.is_ok(),
        "a dribbled head still open after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let server = Server::start(&["--body-read-seconds", "1"]).await;
    // A huge declared length with nothing behind it, and a small one of
    // which only the start arrives.
    for (length, sent) in [(1_000_000_000_000u64, ""), (100, "{\"title\": ")] {
        let mut stream = TcpStream::connect(server.addr).await.expect("connects");
        let head = format!(
            "POST /api/boards HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{sent}"
        );
        stream.write_all(head.as_bytes()).await.expect("writes");
        let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(1) + SLACK).await;
        assert!(
            answer.starts_with("HTTP/1.1 408 "),
            "length {length}: {answer}"
        );
        assert!(answer.contains("did not arrive in time"), "{answer}");
    }
    // A body that arrives in time is served as before.
    let board = server.create_board("Pünktlich").await;
    assert!(!board.id.is_empty());
}

/// A connection on which `request` was answered with 200, and the answer
/// as far as it was read. Over the cap the server refuses with a 503, or a
/// reset when the request was already sent: a slot freed by a closing
/// connection is given back a moment after the client saw the close, so
/// this tries again until the wait is up.
async fn served(addr: SocketAddr, request: &str) -> (TcpStream, String) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        stream.write_all(request.as_bytes()).await.expect("writes");
        let mut answer = Vec::new();
        let mut buffer = [0u8; 8192];
        // Up to the end of the head and as much body as came with it.
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = tokio::time::timeout(WAIT, stream.read(&mut buffer))
                .await
                .expect("an answer within the wait");
            match read {
                Ok(n) if n > 0 => answer.extend_from_slice(&buffer[..n]),
                _ => break,
            }
        }
        let answer = String::from_utf8_lossy(&answer).into_owned();
        if answer.starts_with("HTTP/1.1 200 ") {
            return (stream, answer);
        }
        assert!(
            (answer.is_empty() || answer.starts_with("HTTP/1.1 503 ")) && Instant::now() < deadline,
            "not served within the wait: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A keep-alive connection that was served once and stays open.
async fn held_connection(addr: SocketAddr) -> TcpStream {
    served(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .0
}

#[tokio::test]
async fn connections_over_the_cap_are_refused_until_one_closes() {
    let server = Server::start(&["--max-open-connections", "3"]).await;
    let board = server.create_board("Voll besetzt").await;
    // A websocket and two plain connections: the cap counts both kinds.
    let websocket = Client::connect(&server, &board.id, &board.moderator_token).await;
    let first = held_connection(server.addr).await;
    let _second = held_connection(server.addr).await;

    let mut refused = TcpStream::connect(server.addr).await.expect("connects");
    let (answer, _) = read_until_closed(&mut refused, WAIT).await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("too many connections"), "{answer}");

    // A plain connection closes: its slot is free again.
    drop(first);
    let _third = held_connection(server.addr).await;
    let mut refused = TcpStream::connect(server.addr).await.expect("connects");
    let (answer, _) = read_until_closed(&mut refused, WAIT).await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");

    // The websocket closes: so is its slot.
    websocket.close().await;
    let fourth = held_connection(server.addr).await;
    drop((_second, _third, fourth));
    let (mut stream, mut text) = served(
        server.addr,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (rest, _) = read_until_closed(&mut stream, WAIT).await;
    text.push_str(&rest);
    // Two refusals above, and any retry of a slot not given back yet.
    let refusals = text
        .lines()
        .find_map(|line| line.strip_prefix("kartenwand_throttled_total{kind=\"connection\"} "))
        .and_then(|count| count.parse::<u64>().ok());
    assert!(refusals >= Some(2), "{text}");
}
