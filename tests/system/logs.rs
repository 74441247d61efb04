//! `--log-format json`: every line on stderr is a JSON object; each HTTP
//! request gets exactly one `request` line (method, route, status,
//! duration) in a span with a request id that the response names in
//! `x-request-id`; board events carry the board id; tokens, join codes,
//! names and addresses appear nowhere. And at every level, in the text
//! format too: no address, token, card text, name or contact data.

use crate::common::client::Client;
use crate::common::doc::create_card;
use crate::common::http::{
    authorization_header, exchange, get_bytes, http_request, http_request_as,
    refused_upgrade_status,
};
use crate::common::postgres;
use crate::common::server::{Server, binary, listening_address, terminate_and_read_stderr};
use serde_json::{Value, json};
use std::process::Stdio;
use yrs::{Map, WriteTxn};

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

#[tokio::test]
async fn nothing_personal_or_secret_is_logged_at_any_level() {
    nothing_personal_or_secret_is_logged(Server::start_logged("trace").await, None).await;
}

/// The same on PostgreSQL, whose client logs each statement's parameters
/// at `debug` (`logging::AT_MOST_INFO` keeps it at `info`).
#[tokio::test]
async fn nothing_personal_or_secret_is_logged_at_any_level_on_postgresql() {
    let database = postgres::database();
    let args = ["--database-url", database.url.as_str()];
    let server = Server::start_logged_with("trace", &args).await;
    // The start names the database's place on purpose: a server's address,
    // not a client's.
    let place = format!("127.0.0.1:{}/{}", postgres::server().port, database.name);
    nothing_personal_or_secret_is_logged(server, Some(&place)).await;
}

/// A join with contact data, a card, refusals, the person's data and an
/// export, logged at `trace`: none of it in the log (but for `database`,
/// the place of a PostgreSQL database, which the start logs).
async fn nothing_personal_or_secret_is_logged(server: Server, database: Option<&str>) {
    let board = server.create_board("Spielplätze Sandow").await;
    let (email, phone) = ("w.quast@kita-sonnenschein.example", "+49 355 7364219");
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(
                &json!({"join_code": board.join_code, "name": "Wilhelmine Quast",
                         "organisation": "Kita Sonnenschein", "sector": "stadtteil",
                         "email": email, "phone": phone, "contact_consent": true}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let participant = joined["participant_id"].as_str().expect("id").to_owned();
    let token = joined["token"].as_str().expect("token").to_owned();

    // The web app's way (the token as a subprotocol) and a Bearer header.
    let (mut phone_client, chosen) = Client::connect_with_header(
        &server,
        &board.id,
        "sec-websocket-protocol",
        &format!("kartenwand, kartenwand.token.{token}"),
    )
    .await;
    assert_eq!(chosen.as_deref(), Some("kartenwand"));
    let (mut moderator, chosen) = Client::connect_with_header(
        &server,
        &board.id,
        "authorization",
        &format!("Bearer {}", board.moderator_token),
    )
    .await;
    assert_eq!(chosen, None, "no subprotocol offered, none chosen");
    let card = "Ein Bolzplatz fehlt hinter der Turnhalle";
    phone_client
        .edit(|_, txn| create_card(txn, "logcard01", &participant, card))
        .await;
    moderator
        .pump_until(|c| c.json().to_string().contains("Bolzplatz"), "the card")
        .await;
    // A refused edit (only the moderator reveals) and a refused token.
    phone_client
        .edit(|_, txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        })
        .await;
    phone_client
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    let wrong = format!("kwp_{participant}_{}", "0".repeat(64));
    assert_eq!(
        refused_upgrade_status(&server.ws_url(&board.id, &wrong)).await,
        403
    );
    // The person's data, the contact list in an export, a wrong bearer.
    let data = format!("/api/boards/{}/participants/{participant}/data", board.id);
    let (status, _) = get_bytes(&server, &data, &token).await;
    assert_eq!(status, 200);
    let (status, csv) = get_bytes(
        &server,
        &format!("/api/boards/{}/export.csv", board.id),
        &board.moderator_token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&csv).contains("Bolzplatz"));
    let raw = format!(
        "GET /api/boards/{}/export.md HTTP/1.1\r\nHost: {}\r\n{}Connection: close\r\n\r\n",
        board.id,
        server.addr,
        authorization_header(Some(&wrong))
    );
    let refused = String::from_utf8_lossy(&exchange(server.addr, raw.as_bytes()).await).to_string();
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    // A malformed frame closes the phone's connection.
    phone_client.send_frame(vec![0, 2, 0xff, 0xff]).await;
    let _ = phone_client.expect_close().await;
    moderator.close().await;

    let log = server.terminate_and_read_log().await;
    let log = match database {
        Some(place) => log.replace(place, "DATABASE"),
        None => log,
    };
    assert!(log.contains("refused"), "the refusals were logged: {log}");
    for secret in [
        board.moderator_token.as_str(),
        board.viewer_token.as_str(),
        &token,
        &wrong,
        &board.join_code,
        "Wilhelmine",
        "Quast",
        "Sonnenschein",
        email,
        "7364219",
        "Bolzplatz",
        "Spielplätze",
        "127.0.0.1",
        "token=",
    ] {
        assert!(!log.contains(secret), "{secret:?} was logged: {log}");
    }
}
