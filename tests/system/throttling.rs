//! Per-address rate limits of what needs no token: board creation, joins
//! and join-code lookups answer 429 with `Retry-After` over their burst;
//! a forwarded address counts only from a trusted proxy; throttling is
//! logged as counts, never with an address.

use crate::common::Server;
use crate::common::http::exchange;
use crate::common::server::{binary, listening_address, terminate_and_read_stderr};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::Stdio;

/// Bursts of three and one more a minute: the fourth request at once is
/// over, the next allowance far away.
const SMALL_BURSTS: [&str; 12] = [
    "--board-creation-burst",
    "3",
    "--board-creations-per-minute",
    "1",
    "--join-burst",
    "3",
    "--joins-per-minute",
    "1",
    "--code-lookup-burst",
    "3",
    "--code-lookups-per-minute",
    "1",
];

/// An answer: status, headers (lower-case names) and JSON body.
struct Answer {
    status: u16,
    head: String,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One request, with `X-Forwarded-For` if given.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    forwarded_for: Option<&str>,
) -> Answer {
    let body = body.map(Value::to_string).unwrap_or_default();
    let forwarded = forwarded_for
        .map(|value| format!("X-Forwarded-For: {value}\r\n"))
        .unwrap_or_default();
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{forwarded}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = String::from_utf8_lossy(&exchange(addr, raw.as_bytes()).await).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response}"));
    Answer {
        status,
        head: head.to_owned(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

fn create() -> (&'static str, String, Option<Value>) {
    let body = json!({"title": "Drosselung", "district": "Sandow"});
    ("POST", "/api/boards".to_owned(), Some(body))
}

/// Asserts `attempts` requests pass the limit (any status but 429) and
/// the next one is refused with 429 and a `Retry-After` in seconds.
async fn assert_limited_after(
    addr: SocketAddr,
    request: &(&str, String, Option<Value>),
    forwarded_for: Option<&str>,
    attempts: usize,
    what: &str,
) {
    let (method, path, body) = request;
    for attempt in 0..attempts {
        let answer = send(addr, method, path, body.as_ref(), forwarded_for).await;
        assert_ne!(answer.status, 429, "{what}: attempt {attempt} throttled");
    }
    let answer = send(addr, method, path, body.as_ref(), forwarded_for).await;
    assert_eq!(answer.status, 429, "{what}: {}", answer.body);
    let retry_after: u64 = answer
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no Retry-After in {}", answer.head));
    assert!((1..=60).contains(&retry_after), "{what}: {retry_after}");
    let error = answer.body["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("too many "), "{what}: {error}");
}

#[tokio::test]
async fn each_unauthenticated_endpoint_answers_429_over_its_burst() {
    let server = Server::start(&SMALL_BURSTS).await;
    let board = server.create_board("Drosselung").await;
    let join = (
        "POST",
        format!("/api/boards/{}/join", board.id),
        Some(json!({"join_code": board.join_code, "name": "Ada", "sector": "traeger"})),
    );
    // Wrong codes count as joins and as lookups: these are code checks.
    let wrong_join = (
        "POST",
        format!("/api/boards/{}/join", board.id),
        Some(json!({"join_code": "AAAA-AAAA-AAAA", "name": "Eve", "sector": "traeger"})),
    );
    let lookup = ("GET", format!("/api/codes/{}", board.join_code), None);
    let wrong_lookup = ("GET", "/api/codes/AAAAAAAAAAAA".to_owned(), None);
    // One creation is spent on the board above.
    assert_limited_after(server.addr, &create(), None, 2, "board creation").await;
    assert_limited_after(server.addr, &join, None, 3, "join").await;
    assert_limited_after(server.addr, &lookup, None, 3, "code lookup").await;
    // Once over, wrong codes are refused before they are checked.
    for (request, what) in [(&wrong_join, "wrong join"), (&wrong_lookup, "wrong lookup")] {
        let (method, path, body) = request;
        let answer = send(server.addr, method, path, body.as_ref(), None).await;
        assert_eq!(answer.status, 429, "{what}: {}", answer.body);
    }
    // What needs a token is not limited by address.
    let (status, _) = server
        .request("GET", &format!("/api/boards/{}", board.id), None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    // The peer (127.0.0.1) is not a trusted proxy: what it forwards is
    // ignored, and every request counts against the peer.
    let server = Server::start(&SMALL_BURSTS).await;
    let request = create();
    for (attempt, client) in ["203.0.113.1", "203.0.113.2"].iter().enumerate() {
        let answer = send(
            server.addr,
            "POST",
            &request.1,
            request.2.as_ref(),
            Some(client),
        )
        .await;
        assert_eq!(answer.status, 201, "attempt {attempt}: {}", answer.body);
    }
    let answer = send(
        server.addr,
        "POST",
        &request.1,
        request.2.as_ref(),
        Some("203.0.113.3"),
    )
    .await;
    assert_eq!(answer.status, 201, "the third of the peer's burst");
    let answer = send(
        server.addr,
        "POST",
        &request.1,
        request.2.as_ref(),
        Some("203.0.113.4"),
    )
    .await;
    assert_eq!(
        answer.status, 429,
        "a new forwarded address does not reset the peer's"
    );

    // Behind a trusted proxy each forwarded client has its own bucket.
    let mut flags = SMALL_BURSTS.to_vec();
    flags.extend(["--trusted-proxies", "127.0.0.1"]);
    let proxied = Server::start(&flags).await;
    for client in ["203.0.113.1", "2001:db8:1:2::1"] {
        assert_limited_after(proxied.addr, &request, Some(client), 3, client).await;
    }
    // The same /64 is the same client; a client's own entries to the left
    // of what the proxy appended change nothing.
    let answer = send(
        proxied.addr,
        "POST",
        &request.1,
        request.2.as_ref(),
        Some("2001:db8:1:2::ffff"),
    )
    .await;
    assert_eq!(answer.status, 429, "another address of the same /64");
    let answer = send(
        proxied.addr,
        "POST",
        &request.1,
        request.2.as_ref(),
        Some("198.51.100.7, 203.0.113.1"),
    )
    .await;
    assert_eq!(answer.status, 429, "a forged entry left of the proxy's");
    // Without the header the proxy counts as a client of its own.
    assert_limited_after(proxied.addr, &request, None, 3, "the proxy itself").await;
}

#[tokio::test]
async fn throttling_is_logged_as_counts_without_addresses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = tokio::process::Command::new(binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trusted-proxies",
            "127.0.0.1",
        ])
        .args(SMALL_BURSTS)
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let (addr, _) = listening_address(&mut child).await;
    let lookup = ("GET", "/api/codes/ABCDABCDABCD".to_owned(), None);
    assert_limited_after(addr, &lookup, Some("203.0.113.77"), 3, "lookup").await;
    // More refusals within the minute: counted, not logged one by one.
    for _ in 0..5 {
        let answer = send(addr, "GET", &lookup.1, None, Some("203.0.113.77")).await;
        assert_eq!(answer.status, 429);
    }

    let stderr = terminate_and_read_stderr(child).await;
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("refused since the last report"))
        .collect();
    assert_eq!(lines.len(), 1, "one line within the minute: {stderr}");
    assert!(
        lines[0].contains(
            "1 refused since the last report: join code lookups over the per-address rate"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("203.0.113.77"),
        "an address was logged: {stderr}"
    );
    assert!(!lines[0].contains("127.0.0.1"), "{stderr}");
}
