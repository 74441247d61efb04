//! `DELETE /api/boards/{board}` (issue 17, started): the moderator deletes a
//! board now, for real. Its connections close with 4404; afterwards its
//! tokens open nothing, and no file of the data directory holds any of
//! its text: cards, names, contact data.

use crate::common::doc::{at, contains_bytes, put};
use crate::common::{Client, Server, http_request_as};
use serde_json::json;
use std::path::Path;
use yrs::Any;

/// The files below `dir` that hold `needle`.
pub(crate) fn any_file_holds(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("reads the directory") {
                pending.push(entry.expect("an entry").path());
            }
        } else if contains_bytes(&std::fs::read(&path).unwrap_or_default(), needle) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[tokio::test]
async fn a_deleted_board_is_gone_from_every_file_and_its_tokens_open_nothing() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Schmellwitz").await;
    let kept = server.create_board("Stadtteilkonferenz Ströbitz").await;
    let card_canary = "Kanarienvogel-Karte-7f3a9c";
    let name_canary = "Kanarienvogel-Name-2b8d41";
    let mail_canary = "kanarienvogel-3e9f17@example.org";
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&json!({
                "join_code": board.join_code, "name": name_canary, "organisation": "Kita Sonnenschein",
                "sector": "stadtteil", "email": mail_canary, "contact_consent": true
            })),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let participant = joined["token"].as_str().expect("token").to_owned();
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                "cardCanary01",
                &[
                    ("text", Any::from(card_canary)),
                    ("kind", Any::from("need")),
                    ("author", Any::from("moderator")),
                    ("createdAt", Any::from(1_741_079_400_000.0)),
                ],
            )
        })
        .await;
    let mut phone = Client::connect(&server, &board.id, &participant).await;
    phone
        .pump_until(
            |c| at(&c.json(), "/cards/cardCanary01/text") == card_canary,
            "the card on the phone",
        )
        .await;
    // A card of the other board stays.
    let mut other = Client::connect(&server, &kept.id, &kept.moderator_token).await;
    other
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                "cardStays01",
                &[
                    ("text", Any::from("Diese Karte bleibt")),
                    ("kind", Any::from("need")),
                    ("author", Any::from("moderator")),
                    ("createdAt", Any::from(1_741_079_400_000.0)),
                ],
            )
        })
        .await;
    let mut watcher = Client::connect(&server, &kept.id, &kept.viewer_token).await;
    watcher
        .pump_until(
            |c| at(&c.json(), "/cards/cardStays01/text") == "Diese Karte bleibt",
            "the other board's card",
        )
        .await;
    assert!(
        !any_file_holds(&server.data_dir, card_canary.as_bytes()).is_empty()
            && !any_file_holds(&server.data_dir, mail_canary.as_bytes()).is_empty(),
        "before: the data directory holds the card and the contact data"
    );

    // Only the moderator may delete.
    let path = format!("/api/boards/{}", board.id);
    for (token, expected) in [
        (Some(participant.as_str()), 403),
        (Some(board.viewer_token.as_str()), 403),
        (None, 401),
    ] {
        let (status, body) = http_request_as(server.addr, token, "DELETE", &path, None).await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, body) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "DELETE",
        &path,
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");

    // Its connections close with 4404, and do not come back.
    assert_eq!(phone.expect_close().await.0, 4404);
    assert_eq!(moderator.expect_close().await.0, 4404);
    for token in [&board.moderator_token, &participant, &board.viewer_token] {
        let (status, body) = http_request_as(server.addr, Some(token), "GET", &path, None).await;
        assert!(status == 404, "{status} {body}");
        let upgrade = crate::common::refused_upgrade_status(&server.ws_url(&board.id, token)).await;
        assert!(
            (400..500).contains(&upgrade),
            "a stale token opens no connection: {upgrade}"
        );
    }
    // The other board is untouched.
    let mut again = Client::connect(&server, &kept.id, &kept.viewer_token).await;
    again
        .pump_until(
            |c| at(&c.json(), "/cards/cardStays01/text") == "Diese Karte bleibt",
            "the other board after the deletion",
        )
        .await;

    for canary in [card_canary, name_canary, mail_canary] {
        let holders = any_file_holds(&server.data_dir, canary.as_bytes());
        assert!(holders.is_empty(), "{canary} is still in {holders:?}");
    }
    // And after a restart, still nothing.
    let server = server.restart(&[]).await;
    let (status, _) = http_request_as(
        server.addr,
        Some(&board.moderator_token),
        "GET",
        &path,
        None,
    )
    .await;
    assert!(status == 404);
    for canary in [card_canary, name_canary, mail_canary] {
        assert!(
            any_file_holds(&server.data_dir, canary.as_bytes()).is_empty(),
            "{canary} after a restart"
        );
    }
}
