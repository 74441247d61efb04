//! Participants registered before the day: the moderator registers a list,
//! each person joins with their personal code alone, and the printed
//! material has a page per person with their name and code.

use crate::common::http::get_bytes;
use crate::common::{Client, Server, http_request_as};
use serde_json::{Value, json};
use std::process::Command;

async fn register(server: &Server, board: &str, token: &str, people: Value) -> (u16, Value) {
    http_request_as(
        server.addr,
        Some(token),
        "POST",
        &format!("/api/boards/{board}/participants"),
        Some(&json!({ "participants": people })),
    )
    .await
}

#[tokio::test]
async fn a_registered_person_joins_with_their_code_alone() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Ströbitz").await;
    let (status, body) = register(
        &server,
        &board.id,
        &board.moderator_token,
        json!([
            {"name": "Jürgen Weiß", "organisation": "Jobcenter Cottbus", "sector": "behoerde", "email": "jw@example.de"},
            {"name": "Aylin Öztürk", "organisation": "Kita Sonnenschein", "sector": "traeger"},
            {"name": "Dragan Ilić", "sector": "stadtteil"}
        ]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let people = body["participants"].as_array().expect("a list").clone();
    assert_eq!(people.len(), 3);
    let first = &people[0];
    let code = first["personal_code"].as_str().expect("a code");
    assert_eq!(code.len(), 16);
    let id = first["participant_id"].as_str().expect("an id");
    let url = first["join_url"].as_str().expect("a link");
    assert!(
        url.ends_with(&format!("/b/{}/join#code={code}", board.id)),
        "{url}"
    );

    // The phone shows who the code belongs to before the person confirms;
    // typed in lower case with spaces, as from the printed page.
    let typed: String = code
        .to_lowercase()
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    let (status, preview) = server
        .request(
            "POST",
            &format!("/api/boards/{}/personal", board.id),
            Some(&json!({ "personal_code": typed })),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["name"], "Jürgen Weiß");
    assert_eq!(preview["organisation"], "Jobcenter Cottbus");
    assert_eq!(preview["sector"], "behoerde");
    assert_eq!(preview["title"], "Stadtteilkonferenz Ströbitz");
    assert_eq!(preview["participant_id"], id);

    // Joining with the code alone: the registered person's id and a token.
    let join = |consent: bool| json!({ "personal_code": code, "contact_consent": consent });
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&join(true)),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["participant_id"], id);
    let token = joined["token"].as_str().expect("a token").to_owned();
    let (status, session) = http_request_as(
        server.addr,
        Some(&token),
        "GET",
        &format!("/api/boards/{}", board.id),
        None,
    )
    .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["participant_id"], id);
    let client = Client::connect(&server, &board.id, &token).await;
    drop(client);

    // A second phone with the same code takes the place: the first token
    // stops working.
    let (status, again) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&join(false)),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["participant_id"], id);
    let (status, _) = http_request_as(
        server.addr,
        Some(&token),
        "GET",
        &format!("/api/boards/{}", board.id),
        None,
    )
    .await;
    assert!(
        matches!(status, 401 | 403),
        "the first phone's token is replaced: {status}"
    );

    // A wrong code, a code of another board, a removed person: 404.
    let other = server.create_board("Sandow").await;
    for (on, code) in [
        (&board.id, "ABCDEFGHJKMNPQRS".to_owned()),
        (&other.id, code.to_owned()),
    ] {
        let (status, body) = server
            .request(
                "POST",
                &format!("/api/boards/{on}/join"),
                Some(&json!({ "personal_code": code })),
            )
            .await;
        assert_eq!(status, 404, "{body}");
    }
    let second_code = people[1]["personal_code"].as_str().expect("a code");
    let second_id = people[1]["participant_id"].as_str().expect("an id");
    let (status, _) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "DELETE",
        &format!("/api/boards/{}/participants/{second_id}", board.id),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = server
        .request(
            "POST",
            &format!("/api/boards/{}/personal", board.id),
            Some(&json!({ "personal_code": second_code })),
        )
        .await;
    assert_eq!(status, 404, "a removed person's code is dead");
}

#[tokio::test]
async fn a_list_with_broken_rows_names_them_and_registers_nobody() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Sachsendorf").await;
    let (status, body) = register(
        &server,
        &board.id,
        &board.moderator_token,
        json!([
            {"name": "Ganz-Normal-Erste", "sector": "politik"},
            {"name": "", "sector": "politik"},
            {"name": "Ganz-Normal-Dritte", "sector": "mars"},
            {"name": "Ganz-Normal-Vierte", "sector": "wirtschaft", "email": "ohne-at"},
            {"name": "Ganz-Normal-Fünfte", "sector": "wirtschaft"}
        ]),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let error = body["error"].as_str().expect("an error");
    for row in ["row 2", "row 3", "row 4"] {
        assert!(error.contains(row), "{error}");
    }
    assert!(
        !error.contains("row 1") && !error.contains("row 5"),
        "{error}"
    );
    assert!(
        !server.stores("Ganz-Normal-Erste") && !server.stores("Ganz-Normal-Fünfte"),
        "nobody of a broken list is stored"
    );

    // Broken JSON, an empty list, a participant's or no token: refused.
    let (status, _) = register(&server, &board.id, &board.moderator_token, json!([])).await;
    assert_eq!(status, 400);
    let (status, _) = register(&server, &board.id, &board.moderator_token, json!("nobody")).await;
    assert_eq!(status, 400);
    let (_, participant) = server.join(&board, "Neugierig").await;
    let (status, _) = register(
        &server,
        &board.id,
        &participant,
        json!([{"name": "X", "sector": "politik"}]),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = server
        .request(
            "POST",
            &format!("/api/boards/{}/participants", board.id),
            Some(&json!({"participants": [{"name": "X", "sector": "politik"}]})),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = get_bytes(
        &server,
        &format!("/api/boards/{}/material.pdf", board.id),
        &participant,
    )
    .await;
    assert_eq!(status, 403, "the material is the moderator's");
}

#[tokio::test]
async fn the_material_has_a_page_per_registered_person_and_the_poster() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Schmellwitz").await;
    let people: Vec<Value> = (0..5)
        .map(|n| json!({"name": format!("Teilnehmerin Nummer {n}"), "organisation": "Quartiersmanagement", "sector": "stadtteil"}))
        .collect();
    let (status, body) = register(
        &server,
        &board.id,
        &board.moderator_token,
        Value::Array(people),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // Someone who joined by the board's code has no page.
    server.join(&board, "Spontan Dazugekommen").await;
    let (status, pdf) = get_bytes(
        &server,
        &format!("/api/boards/{}/material.pdf", board.id),
        &board.moderator_token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("material.pdf");
    std::fs::write(&path, &pdf).expect("writes");
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(
        info.lines()
            .any(|line| line.starts_with("Pages:") && line.ends_with(" 6")),
        "five people and the poster: {info}"
    );
    let text = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    for person in body["participants"].as_array().expect("a list") {
        let code = person["personal_code"].as_str().expect("a code");
        let grouped = code
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|chunk| chunk.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(&grouped), "{grouped} is printed");
    }
    for n in 0..5 {
        assert!(text.contains(&format!("Teilnehmerin Nummer {n}")), "{text}");
    }
    assert!(!text.contains("Spontan"), "no page for a walk-in");
    assert!(text.contains("Mitmachen"), "the poster");
}
