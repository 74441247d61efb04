//! Retention (issue 17, started; `docs/operations.md`, "Retention"): a
//! board dated long ago is deleted for real by the sweep at start, nothing
//! of its text left in any file; the moderator sees and changes the day a
//! board goes; a database of version 4 (before `board_retention`) opens and
//! its boards go by the day they were made.

use crate::common::doc::{at, put};
use crate::common::server::event_boards;
use crate::common::{Client, Server, WAIT, http_request_as};
use crate::deletion::any_file_holds;
use serde_json::{Value, json};
use yrs::Any;

async fn create_dated(server: &Server, title: &str, date: &str) -> (String, String) {
    let (status, body) = server
        .request(
            "POST",
            "/api/boards",
            Some(&json!({"title": title, "date": date})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (
        body["board"].as_str().expect("board").to_owned(),
        body["moderator_token"].as_str().expect("token").to_owned(),
    )
}

async fn write_card(server: &Server, board: &str, token: &str, id: &str, text: &str) {
    let mut moderator = Client::connect(server, board, token).await;
    moderator
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                id,
                &[
                    ("text", Any::from(text)),
                    ("kind", Any::from("need")),
                    ("author", Any::from("moderator")),
                    ("createdAt", Any::from(1_741_079_400_000.0)),
                ],
            )
        })
        .await;
    let mut watcher = Client::connect(server, board, token).await;
    watcher
        .pump_until(
            |c| at(&c.json(), &format!("/cards/{id}/text")) == text,
            "the card stored",
        )
        .await;
}

/// Asks `ask` until it answers 404 (the sweep deleted `what`), within the wait.
async fn until_gone<F: std::future::Future<Output = (u16, Value)>>(
    ask: impl Fn() -> F,
    what: &str,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, _) = ask().await;
        if status == 404 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} is still there ({status})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn retention(server: &Server, board: &str, token: &str) -> (u16, Value) {
    http_request_as(
        server.addr,
        Some(token),
        "GET",
        &format!("/api/boards/{board}/retention"),
        None,
    )
    .await
}

#[tokio::test]
async fn a_board_past_its_day_is_gone_after_a_restart_and_the_moderator_chooses_the_day() {
    let server = Server::start(&[]).await;
    let canary = "Kanarienvogel-Aufbewahrung-5c1e88";
    let (old, old_token) = create_dated(&server, "Stadtteilkonferenz 2020", "2020-03-04").await;
    write_card(&server, &old, &old_token, "cardOldCanary", canary).await;
    let (recent, recent_token) =
        create_dated(&server, "Stadtteilkonferenz heute", "2026-12-01").await;
    write_card(
        &server,
        &recent,
        &recent_token,
        "cardRecent01",
        "Diese Karte bleibt",
    )
    .await;

    // What the moderator sees: the day and the day it goes (default 365 days).
    let (status, body) = retention(&server, &old, &old_token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["date"], "2020-03-04");
    assert_eq!(body["delete_on"], "2021-03-04");
    assert_eq!(body["chosen"], false);
    // The old board is due, but the sweep ran at start, before it was made.
    assert!(!any_file_holds(&server.data_dir, canary.as_bytes()).is_empty());

    // The moderator keeps the recent board longer; a bad day is refused.
    let path = format!("/api/boards/{recent}/retention");
    let (status, body) = http_request_as(
        server.addr,
        Some(&recent_token),
        "POST",
        &path,
        Some(&json!({"delete_on": "2030-01-31"})),
    )
    .await;
    assert_eq!(
        (status, body["delete_on"].clone(), body["chosen"].clone()),
        (200, json!("2030-01-31"), json!(true)),
        "{body}"
    );
    for bad in [
        json!({"delete_on": "31.01.2030"}),
        json!({"delete_on": 5}),
        json!({"when": "2030-01-31"}),
    ] {
        let (status, body) =
            http_request_as(server.addr, Some(&recent_token), "POST", &path, Some(&bad)).await;
        assert!(status == 400 || status == 422, "{bad}: {status} {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let (_, participant) = server
        .join(
            &crate::common::Board {
                id: recent.clone(),
                moderator_token: recent_token.clone(),
                viewer_token: String::new(),
                join_code: {
                    let (_, session) = http_request_as(
                        server.addr,
                        Some(&recent_token),
                        "GET",
                        &format!("/api/boards/{recent}"),
                        None,
                    )
                    .await;
                    session["join_code"].as_str().expect("join code").to_owned()
                },
            },
            "Ada",
        )
        .await;
    let (status, _) = http_request_as(server.addr, Some(&participant), "GET", &path, None).await;
    assert_eq!(status, 403, "only the moderator sees the day");

    // A restart with a short retention: the sweep deletes the old board.
    let server = server.restart(&["--retention-days", "30"]).await;
    until_gone(|| retention(&server, &old, &old_token), "the old board").await;
    let holders = any_file_holds(&server.data_dir, canary.as_bytes());
    assert!(
        holders.is_empty(),
        "the old board's text is still in {holders:?}"
    );
    // The recent board (kept to 2030 by its moderator) stays.
    let (status, body) = retention(&server, &recent, &recent_token).await;
    assert_eq!(
        (status, body["delete_on"].clone()),
        (200, json!("2030-01-31")),
        "{body}"
    );
    let mut watcher = Client::connect(&server, &recent, &recent_token).await;
    watcher
        .pump_until(
            |c| at(&c.json(), "/cards/cardRecent01/text") == "Diese Karte bleibt",
            "the recent board's card",
        )
        .await;
}

#[tokio::test]
async fn boards_of_a_version_4_database_go_by_the_day_they_were_made() {
    let server = Server::start(&[]).await;
    let (board, token) = create_dated(&server, "Stadtteilkonferenz Sandow", "2020-03-04").await;
    write_card(
        &server,
        &board,
        &token,
        "cardVersion4",
        "Sprachkurse vor Ort",
    )
    .await;
    let (_, temp) = server.terminate().await;
    let temp = temp.expect("the data directory");
    {
        // Back to version 4: no board_retention, and its version number.
        let database =
            rusqlite::Connection::open(temp.path().join("kartenwand.db")).expect("opens");
        database
            .execute_batch("DROP TABLE board_retention; PRAGMA user_version = 4;")
            .expect("a version 4 database");
    }
    let server = Server::start_in(temp.path(), &[]).await;
    let (status, body) = retention(&server, &board, &token).await;
    assert_eq!(status, 200, "{body}");
    // The day is not known any more: the board was made today, so it goes in 365 days.
    assert_eq!(body["date"], Value::Null);
    assert_eq!(body["chosen"], false);
    let delete_on = body["delete_on"].as_str().expect("a day").to_owned();
    assert!(delete_on.as_str() > "2027-01-01", "{delete_on}");
    let mut moderator = Client::connect(&server, &board, &token).await;
    moderator
        .pump_until(
            |c| at(&c.json(), "/cards/cardVersion4/text") == "Sprachkurse vor Ort",
            "the card after the migration",
        )
        .await;
    drop(temp);
}

/// An event goes as its boards do: dated long ago, after a restart with a
/// short retention every board, the event and its participants' records
/// (name, contact data) are gone, and no file holds any of it.
#[tokio::test]
async fn an_event_dated_long_ago_goes_whole_with_its_participants() {
    let server = Server::start(&[]).await;
    let (status, created) = server
        .request(
            "POST",
            "/api/events",
            Some(
                &json!({"title": "Fachtag Integration 2020", "date": "2020-03-04",
                         "boards": [{"title": "Plenum", "kind": "plenary"},
                                    {"title": "Workshop Wohnen", "kind": "workshop"}]}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let event = created["event"].as_str().expect("event").to_owned();
    let join_code = created["join_code"].as_str().expect("code");
    let boards = event_boards(&created);
    let (name, email) = ("Quirinius Fachtagsgast", "quirinius.canary@example.org");
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/events/{event}/join"),
            Some(
                &json!({"join_code": join_code, "name": name, "organisation": "Stadt",
                         "sector": "behoerde", "email": email, "contact_consent": true}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let card = "Kanarienkarte des Fachtags";
    write_card(&server, &boards[1].0, &boards[1].1, "cardFachtag01", card).await;
    for canary in [name, email, card] {
        assert!(
            !any_file_holds(&server.data_dir, canary.as_bytes()).is_empty(),
            "{canary:?} was stored"
        );
    }

    let server = server.restart(&["--retention-days", "30"]).await;
    let path = format!("/api/events/{event}");
    until_gone(|| server.request("GET", &path, None), "the old event").await;
    for (board, token) in &boards {
        let (status, _) = retention(&server, board, token).await;
        assert_eq!(status, 404, "board {board} of the old event");
    }
    for canary in [name, email, card] {
        let holders = any_file_holds(&server.data_dir, canary.as_bytes());
        assert!(holders.is_empty(), "{canary:?} is still in {holders:?}");
    }
}
