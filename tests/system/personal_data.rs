//! `GET /api/boards/{board}/participants/{id}/data` (issue 17, started):
//! everything held about one person, for that person or the moderator, as
//! a JSON file: what they gave at the join (contact data and consent), their
//! profile, and their cards; nobody else's.

use crate::common::doc::{at, create_card, put};
use crate::common::http::get_bytes;
use crate::common::{Client, Server};
use serde_json::{Value, json};
use yrs::Any;

#[tokio::test]
async fn a_person_gets_what_is_held_about_them_and_nobody_else_does() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Sandow").await;
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&json!({
                "join_code": board.join_code, "name": "Ada Lovelace", "organisation": "Kita Sonnenschein",
                "sector": "stadtteil", "email": "ada@example.org", "contact_consent": true
            })),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let ada = joined["participant_id"].as_str().expect("id").to_owned();
    let ada_token = joined["token"].as_str().expect("token").to_owned();
    let (bea, bea_token) = server.join(&board, "Bea").await;

    let mut ada_phone = Client::connect(&server, &board.id, &ada_token).await;
    ada_phone
        .edit(|_, txn| {
            put(
                txn,
                "participants",
                &ada,
                &[
                    ("name", Any::from("Ada Lovelace")),
                    ("organisation", Any::from("Kita Sonnenschein")),
                    ("sector", Any::from("stadtteil")),
                    ("joinedAt", Any::from(1_741_079_400_000.0)),
                ],
            );
            create_card(txn, "cardOfAda001", &ada, "Kita-Plätze fehlen");
        })
        .await;
    let mut bea_phone = Client::connect(&server, &board.id, &bea_token).await;
    bea_phone
        .edit(|_, txn| create_card(txn, "cardOfBea001", &bea, "Wohnungen fehlen"))
        .await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .pump_until(
            |c| {
                !at(&c.json(), "/cards/cardOfAda001/text").is_null()
                    && !at(&c.json(), "/cards/cardOfBea001/text").is_null()
            },
            "both cards in the room",
        )
        .await;

    let path = format!("/api/boards/{}/participants/{ada}/data", board.id);
    for token in [&ada_token, &board.moderator_token] {
        let (status, body) = get_bytes(&server, &path, token).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let data: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(data["format"], "kartenwand-personal-data");
        assert_eq!(data["participant"]["name"], "Ada Lovelace");
        assert_eq!(data["participant"]["email"], "ada@example.org");
        assert_eq!(data["participant"]["contact_consent"], true);
        assert_eq!(data["profile"]["organisation"], "Kita Sonnenschein");
        let cards: Vec<&str> = data["cards"]
            .as_array()
            .expect("cards")
            .iter()
            .filter_map(|c| c["text"].as_str())
            .collect();
        assert_eq!(cards, vec!["Kita-Plätze fehlen"], "her cards, not Bea's");
        assert!(!String::from_utf8_lossy(&body).contains("Wohnungen fehlen"));
    }
    for (token, expected) in [
        (bea_token.as_str(), 403),
        (board.viewer_token.as_str(), 403),
    ] {
        let (status, _) = get_bytes(&server, &path, token).await;
        assert_eq!(status, expected);
    }
    let (status, _) = get_bytes(
        &server,
        &format!("/api/boards/{}/participants/nosuchperson1/data", board.id),
        &board.moderator_token,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = crate::common::http_request_as(server.addr, None, "GET", &path, None).await;
    assert_eq!(status, 401);
}
