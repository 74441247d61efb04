//! `--log-format json`: every line on stderr is a JSON object; each HTTP
//! request gets exactly one `request` line (method, route, status,
//! duration) in a span with a request id that the response names in
//! `x-request-id`; board events carry the board id; tokens, join codes,
//! names and addresses appear nowhere.

use crate::common::http::{exchange, http_request, http_request_as};
use crate::common::server::{binary, listening_address, terminate_and_read_stderr};
use serde_json::{Value, json};
use std::process::Stdio;

#[tokio::test]
async fn json_logs_have_one_line_per_request_with_an_id_and_nothing_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = tokio::process::Command::new(binary())
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "info,kartenwand=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let (addr, _) = listening_address(&mut child).await;

    // Five requests: create, join (with a name), read the session with the
    // token in the header and the query string, a websocket upgrade with a
    // token in the query, a health check.
    let (status, created) = http_request(
        addr,
        "POST",
        "/api/boards",
        Some(&json!({"title": "Spielplätze Sandow", "district": "Sandow"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let board = created["board"].as_str().expect("board");
    let moderator_token = created["moderator_token"].as_str().expect("token");
    let join_code = created["join_code"].as_str().expect("code");
    let (status, joined) = http_request(
        addr,
        "POST",
        &format!("/api/boards/{board}/join"),
        Some(&json!({"join_code": join_code, "name": "Wilhelmine Quast",
                     "organisation": "Kita Sonnenschein", "sector": "stadtteil"})),
    )
    .await;
    assert_eq!(status, 201, "{joined}");
    let participant_token = joined["token"].as_str().expect("token");
    let raw = format!(
        "GET /api/boards/{board}?token={moderator_token} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {moderator_token}\r\nConnection: close\r\n\r\n"
    );
    let response = String::from_utf8_lossy(&exchange(addr, raw.as_bytes()).await).to_string();
    let answered_id = response
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("the response names its request id")
        .trim()
        .to_owned();
    let url = format!("ws://{addr}/ws/{board}?token={participant_token}");
    let (mut socket, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("the upgrade");
    socket.close(None).await.expect("close");
    drop(socket);
    let _ = http_request_as(addr, None, "GET", "/healthz", None).await;

    let stderr = terminate_and_read_stderr(child).await;

    let lines: Vec<Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|line| line["fields"]["message"] == "request")
        .collect();
    let routes: Vec<&str> = requests
        .iter()
        .map(|line| line["fields"]["route"].as_str().expect("a route"))
        .collect();
    assert_eq!(
        routes,
        [
            "/api/boards",
            "/api/boards/{board}/join",
            "/api/boards/{board}",
            "/ws/{board}",
            "/healthz"
        ],
        "{stderr}"
    );
    for request in &requests {
        let id = request["span"]["request_id"]
            .as_str()
            .expect("a request id");
        assert!(
            id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        assert!(request["fields"]["status"].is_u64(), "{request}");
        assert!(request["fields"]["duration_ms"].is_number(), "{request}");
        assert!(request["fields"]["method"].is_string(), "{request}");
    }
    let session = requests[2];
    assert_eq!(session["span"]["request_id"], answered_id.as_str());
    assert_eq!(session["fields"]["status"], 200);
    let mut ids: Vec<&str> = requests
        .iter()
        .filter_map(|request| request["span"]["request_id"].as_str())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), requests.len(), "an id per request");

    // The board's own events name it: in their fields or the room span.
    let in_room = lines.iter().any(|line| {
        line["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|span| span["board"] == board))
    });
    assert!(in_room, "no event in the board's room span: {stderr}");
    assert!(
        lines.iter().any(|line| line["fields"]["board"] == board),
        "board created names the board"
    );

    for secret in [
        moderator_token,
        participant_token,
        join_code,
        "Wilhelmine",
        "Spielplätze",
        "127.0.0.1",
        "token=",
    ] {
        assert!(!stderr.contains(secret), "{secret:?} was logged: {stderr}");
    }
}
