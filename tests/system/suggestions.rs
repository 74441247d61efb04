//! `GET /api/boards/{board}/suggestions` (issue 15): the moderator's
//! suggestions of cards that look alike, from the live document; only the
//! moderator may ask, and asking changes nothing.

use crate::common::doc::{at, put};
use crate::common::{Client, Server, http_request_as};
use serde_json::Value;
use yrs::Any;

fn need(text: &str, cluster: Option<&str>) -> Vec<(&'static str, Any)> {
    let mut fields = vec![
        ("text", Any::from(text)),
        ("kind", Any::from("need")),
        ("author", Any::from("moderator")),
        ("createdAt", Any::from(1_741_079_400_000.0)),
    ];
    if let Some(cluster) = cluster {
        fields.push(("cluster", Any::from(cluster)));
    }
    fields
}

fn groups(body: &Value) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            let mut cards: Vec<String> = group["cards"]
                .as_array()
                .expect("cards")
                .iter()
                .map(|card| card.as_str().expect("a card id").to_owned())
                .collect();
            cards.sort();
            cards
        })
        .collect();
    groups.sort();
    groups
}

#[tokio::test]
async fn the_moderator_gets_cards_that_look_alike_and_nothing_changes() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Sachsendorf").await;
    let (_, participant) = server.join(&board, "Ada").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .edit(|_, txn| {
            put(
                txn,
                "clusters",
                "clusterWohnen",
                &[("title", Any::from("Wohnen"))],
            );
            put(
                txn,
                "cards",
                "cardKurs0001",
                &need("Es fehlen Deutschkurse mit Kinderbetreuung", None),
            );
            put(
                txn,
                "cards",
                "cardKurs0002",
                &need("Sprachkurse nur ohne Kita-Plätze möglich", None),
            );
            put(
                txn,
                "cards",
                "cardWohn0001",
                &need(
                    "Bezahlbare Wohnungen für große Familien",
                    Some("clusterWohnen"),
                ),
            );
            put(
                txn,
                "cards",
                "cardWohn0002",
                &need("Wohnraum fehlt für Großfamilien", Some("clusterWohnen")),
            );
            put(
                txn,
                "cards",
                "cardJugend01",
                &need("Treffpunkt für Jugendliche am Abend", None),
            );
        })
        .await;
    // The room has the cards once another client receives them.
    let mut watcher = Client::connect(&server, &board.id, &board.viewer_token).await;
    watcher
        .pump_until(
            |c| !at(&c.json(), "/cards/cardJugend01/text").is_null(),
            "the cards in the room",
        )
        .await;
    let before = moderator.json();
    let path = format!("/api/boards/{}/suggestions", board.id);
    let (status, body) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "GET",
        &path,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The housing cards are in one cluster already: no suggestion for them.
    assert_eq!(
        groups(&body),
        vec![vec!["cardKurs0001".to_owned(), "cardKurs0002".to_owned()]],
        "{body}"
    );
    assert!(
        body["groups"][0]["label"]
            .as_str()
            .is_some_and(|label| !label.is_empty()),
        "{body}"
    );

    // Only the moderator: a participant and a viewer are refused, no token is 401.
    for (token, expected) in [
        (Some(participant.as_str()), 403),
        (Some(board.viewer_token.as_str()), 403),
        (None, 401),
    ] {
        let (status, body) = http_request_as(server.addr, token, "GET", &path, None).await;
        assert_eq!(status, expected, "{body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let (status, _) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "GET",
        "/api/boards/nosuchboard000/suggestions",
        None,
    )
    .await;
    assert!(status == 404, "an unknown board: {status}");

    // Asking changed nothing in the document.
    let mut again = Client::connect(&server, &board.id, &board.moderator_token).await;
    again
        .pump_until(
            |c| c.json() == before,
            "the same document after the suggestions",
        )
        .await;
}
