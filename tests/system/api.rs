//! The HTTP contract: board creation, join, token checks before the upgrade.

use crate::common::{Client, Server, raw_http, refused_upgrade_status};
use serde_json::json;

#[tokio::test]
async fn creating_and_joining_a_board() {
    let server = Server::start(&[]).await;
    let (status, body) = server
        .request(
            "POST",
            "/api/boards",
            Some(&json!({"title": "Stadtteilkonferenz Sandow", "district": "Sandow"})),
        )
        .await;
    assert_eq!(status, 201);
    let board = body["board"].as_str().expect("board id");
    assert!(
        board.chars().all(|c| c.is_ascii_alphanumeric()),
        "URL-path-safe: {board}"
    );
    let moderator_token = body["moderator_token"].as_str().expect("token");
    assert!(moderator_token.len() >= 64, "long secret");
    let join_code = body["join_code"].as_str().expect("code");
    assert!(
        body["join_url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/join/{join_code}"))
    );

    let (status, summary) = server
        .request(
            "GET",
            &format!("/api/codes/{}", join_code.to_lowercase()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(summary["board"], board);
    assert_eq!(summary["title"], "Stadtteilkonferenz Sandow");

    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{board}/join"),
            Some(
                &json!({"join_code": join_code, "name": "Aylin", "organisation": "Jobcenter",
                         "sector": "behoerde", "email": "a@example.org", "contact_consent": true}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let token = joined["token"].as_str().expect("participant token");
    assert!(!joined["participant_id"].as_str().expect("id").is_empty());
    Client::connect(&server, board, token).await;
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Fehler").await;
    let cases = [
        ("POST", "/api/boards".to_owned(), json!({"title": ""})),
        (
            "POST",
            "/api/boards".to_owned(),
            json!({"title": "x", "locale": "fr"}),
        ),
        ("POST", "/api/boards".to_owned(), json!({"nonsense": 1})),
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "A", "sector": "mars"}),
        ),
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "A", "sector": "politik", "email": "kein-at"}),
        ),
        // Longer than the document allows (docs/schema.md): refused here,
        // not accepted and then refused as a profile in the document.
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "N".repeat(81), "sector": "politik"}),
        ),
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "A", "organisation": "O".repeat(121), "sector": "politik"}),
        ),
        (
            "POST",
            "/api/boards".to_owned(),
            json!({"title": "x", "district": "D".repeat(121)}),
        ),
        // Characters XML forbids, or noncharacters, would break the DOCX
        // and the network map for the whole board (docs/schema.md, "Text" under Conventions).
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "A\u{ffff}", "sector": "politik"}),
        ),
        (
            "POST",
            format!("/api/boards/{}/join", board.id),
            json!({"join_code": board.join_code, "name": "A", "organisation": "Tr\u{fdd0}ger", "sector": "politik"}),
        ),
        (
            "POST",
            "/api/boards".to_owned(),
            json!({"title": "Konferenz\u{fffe}"}),
        ),
    ];
    for (method, path, body) in cases {
        let (status, answer) = server.request(method, &path, Some(&body)).await;
        assert_eq!(status, 400, "{path} {body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    // Broken JSON.
    let raw = "POST /api/boards HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"title\":";
    let (status, answer) = raw_http(server.addr, raw.as_bytes()).await;
    assert_eq!(status, 400);
    assert!(answer["error"].is_string());
    // Wrong join code.
    let (status, answer) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&json!({"join_code": "ZZZZZZ", "name": "A", "sector": "politik"})),
        )
        .await;
    assert_eq!(status, 403, "{answer}");
    let (status, _) = server.request("GET", "/api/codes/NOPE99", None).await;
    assert_eq!(status, 404);
    let (status, _) = server.request("GET", "/healthz", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn missing_wrong_and_foreign_tokens_are_refused_before_the_upgrade() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Zutritt").await;
    let other = server.create_board("Andere").await;
    let base = format!("ws://{}/ws/{}", server.addr, board.id);
    assert_eq!(refused_upgrade_status(&base).await, 401);
    assert_eq!(refused_upgrade_status(&format!("{base}?token=")).await, 401);
    assert_eq!(
        refused_upgrade_status(&format!("{base}?token=kwm_0000")).await,
        403
    );
    assert_eq!(
        refused_upgrade_status(&format!("{base}?token={}", other.moderator_token)).await,
        403
    );
    assert_eq!(
        refused_upgrade_status(&format!("{base}?token={}", other.viewer_token)).await,
        403
    );
    let (_, foreign_participant) = server.join(&other, "Fremd").await;
    assert_eq!(
        refused_upgrade_status(&format!("{base}?token={foreign_participant}")).await,
        403
    );
    let unknown = format!(
        "ws://{}/ws/doesnotexist?token={}",
        server.addr, board.moderator_token
    );
    // An unknown board (never made, deleted, past its day) is 404.
    assert_eq!(refused_upgrade_status(&unknown).await, 404);
}

#[tokio::test]
async fn the_embedded_web_app_is_served_for_app_routes() {
    let server = Server::start(&[]).await;
    for path in ["/", "/join/ABC234", "/b/abc/moderate", "/b/abc/present"] {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let (status, _) = raw_http(server.addr, raw.as_bytes()).await;
        assert_eq!(status, 200, "{path}");
    }
    let (status, _) = raw_http(
        server.addr,
        b"GET /nothing/here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn contact_data_can_be_erased_by_its_owner_or_the_moderator() {
    use crate::common::http_request_as;
    let server = Server::start(&[]).await;
    let board = server.create_board("Kontakte").await;
    let join = |name: &str| {
        json!({"join_code": board.join_code, "name": name, "sector": "traeger",
               "email": format!("{name}.kontakt@example.org"), "contact_consent": true})
    };
    let path = format!("/api/boards/{}/join", board.id);
    let (_, anna) = server.request("POST", &path, Some(&join("anna"))).await;
    let (_, ben) = server.request("POST", &path, Some(&join("ben"))).await;
    let anna_id = anna["participant_id"].as_str().expect("id");
    let anna_token = anna["token"].as_str().expect("token");
    let ben_id = ben["participant_id"].as_str().expect("id");
    let ben_token = ben["token"].as_str().expect("token");
    let erase = |id: &str| format!("/api/boards/{}/participants/{id}/contact", board.id);
    assert!(
        server.stores("anna.kontakt@example.org"),
        "the check below can see stored addresses"
    );

    let (status, _) = http_request_as(
        server.addr,
        Some(ben_token),
        "DELETE",
        &erase(anna_id),
        None,
    )
    .await;
    assert_eq!(status, 403, "nobody erases someone else's contact data");
    let (status, _) = http_request_as(server.addr, None, "DELETE", &erase(anna_id), None).await;
    assert_eq!(status, 401);
    let (status, _) = http_request_as(
        server.addr,
        Some(anna_token),
        "DELETE",
        &erase(anna_id),
        None,
    )
    .await;
    assert_eq!(status, 204, "the participant erases their own");
    let moderator = Some(board.moderator_token.as_str());
    let (status, _) = http_request_as(server.addr, moderator, "DELETE", &erase(ben_id), None).await;
    assert_eq!(status, 204, "the moderator erases on request");
    let (status, _) = http_request_as(
        server.addr,
        moderator,
        "DELETE",
        &erase("nobody000000"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // No copy is left in the database files.
    for address in ["anna.kontakt@example.org", "ben.kontakt@example.org"] {
        assert!(
            !server.stores(address),
            "{address} is still in the database files"
        );
    }
}
