//! Events: one join for a day of several boards. A participant's token
//! opens only the boards the event admits them to, and nothing of another
//! event; workshops fill up; groups form by the event's attribute; boards
//! made alone are one-board events, also after an upgrade.

use crate::common::doc::{at, create_card};
use crate::common::http::get_bytes;
use crate::common::server::event_boards;
use crate::common::{Client, Server, http_request_as, refused_upgrade_status};
use serde_json::{Value, json};
use std::time::Duration;

/// The Kassel day in small: a plenary, two workshops (the first with one
/// place), two reflection groups formed by municipality size.
fn kassel() -> Value {
    json!({
        "title": "Kommunen im Dialog", "date": "2027-03-31", "venue": "Kassel",
        "boards": [
            {"title": "Plenum", "kind": "plenary", "location": "Saal"},
            {"title": "Workshop 1: Sprache", "kind": "workshop", "capacity": 1, "location": "Raum 3"},
            {"title": "Workshop 2: Wohnen", "kind": "workshop", "location": "Raum 4"},
            {"title": "Reflexion A", "kind": "reflection"},
            {"title": "Reflexion B", "kind": "reflection"}
        ],
        "attributes": [{"id": "size", "label": {"de": "Gemeindegröße", "en": "Municipality size"},
            "values": [
                {"id": "small", "label": {"de": "Kleinstadt", "en": "Small town"}},
                {"id": "large", "label": {"de": "Großstadt", "en": "Large city"}}
            ]}],
        "grouping": {"rule": "equal", "attribute": "size"},
        "programme": [
            {"time": "09:30", "title": "Vortrag und Podium", "part": "plenary", "location": "Saal"},
            {"time": "11:00", "title": "Workshops", "part": "workshops"}
        ]
    })
}

struct Event {
    id: String,
    organiser_token: String,
    viewer_token: String,
    join_code: String,
    /// (board, moderator token), in the event's order.
    boards: Vec<(String, String)>,
}

impl Event {
    fn board(&self, index: usize) -> &str {
        &self.boards[index].0
    }
}

async fn create_event(server: &Server, body: &Value) -> Event {
    let (status, created) = server.request("POST", "/api/events", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let text = |key: &str| created[key].as_str().expect(key).to_owned();
    Event {
        id: text("event"),
        organiser_token: text("organiser_token"),
        viewer_token: text("viewer_token"),
        join_code: text("join_code"),
        boards: event_boards(&created),
    }
}

async fn join(server: &Server, event: &Event, name: &str, size: &str) -> (String, String) {
    let (status, body) = server
        .request(
            "POST",
            &format!("/api/events/{}/join", event.id),
            Some(
                &json!({"join_code": event.join_code, "name": name, "organisation": "Stadt",
                "sector": "behoerde", "attributes": {"size": size}}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (
        body["participant_id"].as_str().expect("id").to_owned(),
        body["token"].as_str().expect("token").to_owned(),
    )
}

async fn call(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    http_request_as(server.addr, Some(token), method, path, body.as_ref()).await
}

async fn desk(server: &Server, event: &Event) -> Value {
    let (status, desk) = call(
        server,
        &event.organiser_token,
        "GET",
        &format!("/api/events/{}/desk", event.id),
        None,
    )
    .await;
    assert_eq!(status, 200, "{desk}");
    desk
}

async fn ws_status(server: &Server, board: &str, token: &str) -> u16 {
    refused_upgrade_status(&server.ws_url(board, token)).await
}

#[tokio::test]
async fn a_participant_is_admitted_where_the_event_says_and_nowhere_else() {
    let server = Server::start(&[]).await;
    let event = create_event(&server, &kassel()).await;
    let other = create_event(&server, &kassel()).await;
    let (_, body) = server
        .request("GET", &format!("/api/codes/{}", event.join_code), None)
        .await;
    assert_eq!(body["event"], event.id.as_str(), "{body}");
    assert!(body.get("board").is_none(), "{body}");

    let (ada, ada_token) = join(&server, &event, "Ada", "small").await;
    let (_bea, bea_token) = join(&server, &event, "Bea", "small").await;
    let (_cem, cem_token) = join(&server, &event, "Cem", "large").await;

    // Everyone is on the plenary; no workshop, no group yet.
    let (plenum, workshop_1, workshop_2, group_a, group_b) = (
        event.board(0),
        event.board(1),
        event.board(2),
        event.board(3),
        event.board(4),
    );
    Client::connect(&server, plenum, &ada_token)
        .await
        .close()
        .await;
    for board in [workshop_1, workshop_2, group_a, group_b] {
        assert_eq!(
            ws_status(&server, board, &ada_token).await,
            403,
            "board {board}"
        );
    }
    // Nothing of another event.
    for (board, _) in &other.boards {
        assert_eq!(ws_status(&server, board, &ada_token).await, 403);
    }
    let (status, _) = call(
        &server,
        &ada_token,
        "GET",
        &format!("/api/events/{}/place", other.id),
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Workshop 1 has one place: Ada takes it, Bea finds it full.
    let choose = |token: String, board: String| {
        let (server, id) = (&server, event.id.clone());
        async move {
            call(
                server,
                &token,
                "POST",
                &format!("/api/events/{id}/choice"),
                Some(json!({"board": board})),
            )
            .await
        }
    };
    let (status, place) = choose(ada_token.clone(), workshop_1.to_owned()).await;
    assert_eq!(status, 200, "{place}");
    assert_eq!(place["workshop"], workshop_1);
    let (status, body) = choose(bea_token.clone(), workshop_1.to_owned()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("this workshop is full"))
    );
    let (status, body) = choose(bea_token.clone(), plenum.to_owned()).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = choose(bea_token.clone(), other.board(1).to_owned()).await;
    assert_eq!(status, 400);
    let (status, _) = choose(bea_token.clone(), workshop_2.to_owned()).await;
    assert_eq!(status, 200);
    let (_, public) = server
        .request("GET", &format!("/api/events/{}", event.id), None)
        .await;
    assert_eq!(public["boards"][1]["full"], true, "{public}");
    assert_eq!(public["boards"][2]["admitted"], 1, "{public}");

    assert_eq!(ws_status(&server, workshop_2, &ada_token).await, 403);
    let mut ada_there = Client::connect(&server, workshop_1, &ada_token).await;

    // A long poll waits for the change of part, then says where to go.
    let (_, now) = call(
        &server,
        &cem_token,
        "GET",
        &format!("/api/events/{}/place", event.id),
        None,
    )
    .await;
    assert_eq!(now["part"], "plenary");
    assert_eq!(now["board"], plenum);
    let waiting = {
        let (addr, token, path) = (
            server.addr,
            cem_token.clone(),
            format!("/api/events/{}/place?after={}", event.id, now["version"]),
        );
        tokio::spawn(async move { http_request_as(addr, Some(&token), "GET", &path, None).await })
    };
    let (status, moved) = call(
        &server,
        &event.organiser_token,
        "POST",
        &format!("/api/events/{}/part", event.id),
        Some(json!({"part": "reflection"})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let (status, answer) = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the long poll answers at the change")
        .expect("joins");
    assert_eq!(status, 200);
    assert_eq!(answer["part"], "reflection", "{answer}");
    let cem_group = answer["board"].as_str().expect("a group").to_owned();

    // Equal by size: Ada and Bea (small) together, Cem (large) apart.
    let groups: Vec<(String, Value)> = moved["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_owned(),
                p["group"].clone(),
            )
        })
        .collect();
    assert_eq!(groups[0].1, groups[1].1, "{groups:?}");
    assert_ne!(groups[0].1, groups[2].1, "{groups:?}");
    assert_eq!(groups[2].1, cem_group.as_str());
    let ada_group = groups[0].1.as_str().expect("a group").to_owned();
    Client::connect(&server, &ada_group, &ada_token)
        .await
        .close()
        .await;
    assert_eq!(ws_status(&server, &cem_group, &ada_token).await, 403);

    // Moved to another workshop by the organiser: the old one closes at once.
    let (status, _) = call(
        &server,
        &event.organiser_token,
        "POST",
        &format!("/api/events/{}/assignments", event.id),
        Some(json!({"participant": ada, "board": workshop_2})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ada_there.expect_close().await.0, 4401);
    assert_eq!(ws_status(&server, workshop_1, &ada_token).await, 403);
    Client::connect(&server, workshop_2, &ada_token)
        .await
        .close()
        .await;
}

#[tokio::test]
async fn an_edit_to_another_workshop_is_refused_never_relayed_or_stored() {
    let server = Server::start(&[]).await;
    let event = create_event(&server, &kassel()).await;
    let (ada, ada_token) = join(&server, &event, "Ada", "small").await;
    let (bea, bea_token) = join(&server, &event, "Bea", "large").await;
    let (workshop_1, workshop_2) = (event.board(1).to_owned(), event.board(2).to_owned());
    for (token, board) in [(&ada_token, &workshop_1), (&bea_token, &workshop_2)] {
        let (status, _) = call(
            &server,
            token,
            "POST",
            &format!("/api/events/{}/choice", event.id),
            Some(json!({"board": board})),
        )
        .await;
        assert_eq!(status, 200);
    }
    // Bea and the second workshop's moderator watch their board.
    let mut bea_client = Client::connect(&server, &workshop_2, &bea_token).await;
    let mut moderator_2 = Client::connect(&server, &workshop_2, &event.boards[2].1).await;
    // Ada writes in her workshop; a modified client tries Bea's with her token.
    let mut ada_client = Client::connect(&server, &workshop_1, &ada_token).await;
    ada_client
        .edit(|_, txn| create_card(txn, "ada-card", &ada, "Sprachkurs mit Kinderbetreuung"))
        .await;
    let mut moderator_1 = Client::connect(&server, &workshop_1, &event.boards[1].1).await;
    moderator_1
        .pump_until(
            |c| !at(&c.json(), "/cards/ada-card/text").is_null(),
            "Ada's card in workshop 1",
        )
        .await;
    assert_eq!(ws_status(&server, &workshop_2, &ada_token).await, 403);
    // A token of workshop 1's moderator moderates nothing else.
    assert_eq!(
        ws_status(&server, &workshop_2, &event.boards[1].1).await,
        403
    );
    // Bea's own card reaches her moderator; nothing of Ada's ever does.
    bea_client
        .edit(|_, txn| create_card(txn, "bea-card", &bea, "Wohnraum"))
        .await;
    moderator_2
        .pump_until(
            |c| !at(&c.json(), "/cards/bea-card/text").is_null(),
            "Bea's card in workshop 2",
        )
        .await;
    assert!(!moderator_2.seen.any_frame_contains("Sprachkurs"));
    assert!(!bea_client.seen.any_frame_contains("Sprachkurs"));
    let (status, markdown) = get_bytes(
        &server,
        &format!("/api/boards/{workshop_2}/export.md"),
        &event.boards[2].1,
    )
    .await;
    assert_eq!(status, 200);
    let markdown = String::from_utf8(markdown).expect("utf-8");
    assert!(
        markdown.contains("Wohnraum") && !markdown.contains("Sprachkurs"),
        "{markdown}"
    );

    // The organiser moderates every board; the event's viewer watches them.
    let mut organiser = Client::connect(&server, &workshop_2, &event.organiser_token).await;
    organiser
        .edit(|_, txn| {
            create_card(
                txn,
                "organiser-card",
                "moderator",
                "Hinweis der Organisation",
            )
        })
        .await;
    bea_client
        .pump_until(
            |c| !at(&c.json(), "/cards/organiser-card/text").is_null(),
            "the organiser's card",
        )
        .await;
    Client::connect(&server, &workshop_1, &event.viewer_token)
        .await
        .close()
        .await;
    let (status, _) = call(
        &server,
        &event.boards[1].1,
        "GET",
        &format!("/api/events/{}/desk", event.id),
        None,
    )
    .await;
    assert_eq!(
        status, 403,
        "a board's moderator is not the event's organiser"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let server = Server::start(&[]).await;
    let event = create_event(&server, &kassel()).await;
    let other = create_event(&server, &kassel()).await;
    let join_body = |code: &str, attributes: Value| json!({"join_code": code, "name": "Ada", "organisation": "", "sector": "behoerde", "attributes": attributes});
    let cases = [
        (
            "/api/events/00000000000000000000/join",
            join_body(&event.join_code, json!({"size": "small"})),
            404,
            "no such event",
        ),
        (
            &*format!("/api/events/{}/join", event.id),
            join_body(&other.join_code, json!({"size": "small"})),
            403,
            "the join code does not belong to this event",
        ),
        (
            &*format!("/api/events/{}/join", event.id),
            join_body(&event.join_code, json!({"size": "huge"})),
            400,
            "attribute size has no value \"huge\"",
        ),
        (
            &*format!("/api/events/{}/join", event.id),
            join_body(&event.join_code, json!({})),
            400,
            "attribute size is required",
        ),
        (
            &*format!("/api/events/{}/join", event.id),
            join_body(&event.join_code, json!({"size": "small", "colour": "red"})),
            400,
            "this event has no attribute \"colour\"",
        ),
    ];
    for (path, body, status, error) in cases {
        let (got, answer) = server.request("POST", path, Some(&body)).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{path}"
        );
    }
    // A board of an event is joined through the event only.
    let (status, answer) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", event.board(0)),
            Some(&json!({"join_code": event.join_code, "name": "Ada", "sector": "behoerde"})),
        )
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("this board belongs to an event: join the event"))
    );
    assert_eq!(desk(&server, &event).await["participants"], json!([]));
    let (status, answer) = call(
        &server,
        &event.boards[1].1,
        "POST",
        &format!("/api/boards/{}/join-code", event.board(1)),
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("the event's code")),
        "{answer}"
    );

    // A full workshop, a board of another event, an unknown event.
    let (_, token) = join(&server, &event, "Ada", "small").await;
    let (_, second) = join(&server, &event, "Bea", "small").await;
    let choice = format!("/api/events/{}/choice", event.id);
    assert_eq!(
        call(
            &server,
            &token,
            "POST",
            &choice,
            Some(json!({"board": event.board(1)}))
        )
        .await
        .0,
        200
    );
    let (status, answer) = call(
        &server,
        &second,
        "POST",
        &choice,
        Some(json!({"board": event.board(1)})),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("this workshop is full"))
    );
    let (status, answer) = call(
        &server,
        &second,
        "POST",
        &choice,
        Some(json!({"board": other.board(1)})),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("this is not a workshop of this event"))
    );
    let (status, _) = call(
        &server,
        &second,
        "GET",
        "/api/events/00000000000000000000/place",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        server
            .request("GET", "/api/events/00000000000000000000", None)
            .await
            .0,
        404
    );
    let participants = desk(&server, &event).await["participants"].clone();
    assert_eq!(participants[1]["workshop"], Value::Null, "{participants}");

    // Creation: every field's rule, and nothing made on a refusal.
    let broken = |change: fn(&mut Value)| {
        let mut body = kassel();
        change(&mut body);
        body
    };
    for (body, needle) in [
        (broken(|b| b["date"] = json!("31.03.2027")), "date"),
        (broken(|b| b["boards"] = json!([])), "boards"),
        (
            broken(|b| b["boards"][0]["kind"] = json!("conference")),
            "board kind",
        ),
        (
            broken(|b| b["boards"][1]["capacity"] = json!(0)),
            "capacity",
        ),
        (
            broken(|b| {
                b["attributes"][0]["values"] = json!([{"id": "x", "label": {"de": "x", "en": "x"}}])
            }),
            "2 to 12",
        ),
        (
            broken(|b| b["grouping"]["attribute"] = json!("colour")),
            "grouping",
        ),
        (
            broken(|b| b["programme"][0]["time"] = json!("9.30")),
            "HH:MM",
        ),
        (broken(|b| b["surprise"] = json!(1)), "unknown field"),
    ] {
        let (status, answer) = server.request("POST", "/api/events", Some(&body)).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains(needle)),
            "{needle}: {answer}"
        );
    }
    let (status, _) = call(
        &server,
        &token,
        "POST",
        &format!("/api/events/{}/part", event.id),
        Some(json!({"part": "ended"})),
    )
    .await;
    assert_eq!(status, 403, "a participant does not move the event");
    let (status, answer) = call(
        &server,
        &event.organiser_token,
        "POST",
        &format!("/api/events/{}/part", event.id),
        Some(json!({"part": "lunch"})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
}

#[tokio::test]
async fn the_event_documentation_holds_every_board_in_order() {
    let server = Server::start(&[]).await;
    let event = create_event(&server, &kassel()).await;
    let (ada, token) = join(&server, &event, "Ada", "small").await;
    assert_eq!(
        call(
            &server,
            &token,
            "POST",
            &format!("/api/events/{}/choice", event.id),
            Some(json!({"board": event.board(2)}))
        )
        .await
        .0,
        200
    );
    let mut client = Client::connect(&server, event.board(2), &token).await;
    client
        .edit(|_, txn| create_card(txn, "cardNeed0001", &ada, "Bezahlbarer Wohnraum"))
        .await;
    let mut watcher = Client::connect(&server, event.board(2), &event.organiser_token).await;
    watcher
        .pump_until(
            |c| !at(&c.json(), "/cards/cardNeed0001/text").is_null(),
            "the card",
        )
        .await;

    let path = |ext: &str| format!("/api/events/{}/export.{ext}", event.id);
    let (status, markdown) = get_bytes(&server, &path("md"), &event.organiser_token).await;
    assert_eq!(status, 200);
    let markdown = String::from_utf8(markdown).expect("utf-8");
    let mut last = 0;
    for needle in [
        "Kommunen im Dialog",
        "Vortrag und Podium",
        "Plenum",
        "Workshop 1: Sprache",
        "Workshop 2: Wohnen",
        "Bezahlbarer Wohnraum",
        "Reflexion A",
        "Reflexion B",
    ] {
        let found = markdown[last..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in order in {markdown}"));
        last += found;
    }
    let (status, pdf) = get_bytes(&server, &path("pdf"), &event.organiser_token).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    let (status, docx) = get_bytes(&server, &path("docx"), &event.organiser_token).await;
    assert_eq!(status, 200);
    assert!(docx.starts_with(b"PK"));
    let (status, json) = get_bytes(&server, &path("json"), &event.organiser_token).await;
    assert_eq!(status, 200);
    let json: Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(json["boards"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        get_bytes(&server, &path("csv"), &event.organiser_token)
            .await
            .0,
        404
    );
    // The participants get the results once the event has ended.
    assert_eq!(get_bytes(&server, &path("md"), &token).await.0, 403);
    assert_eq!(
        call(
            &server,
            &event.organiser_token,
            "POST",
            &format!("/api/events/{}/part", event.id),
            Some(json!({"part": "ended"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(get_bytes(&server, &path("md"), &token).await.0, 200);
    assert_eq!(get_bytes(&server, &path("pdf"), &token).await.0, 200);
    assert_eq!(get_bytes(&server, &path("json"), &token).await.0, 403);
}

#[tokio::test]
async fn a_board_made_alone_is_a_one_board_event() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Ströbitz").await;
    let (_, lookup) = server
        .request("GET", &format!("/api/codes/{}", board.join_code), None)
        .await;
    assert_eq!(
        (lookup["board"].as_str(), lookup["event"].as_str()),
        (Some(&*board.id), Some(&*board.id))
    );
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/events/{}/join", board.id),
            Some(&json!({"join_code": board.join_code, "name": "Ada", "sector": "stadtteil"})),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let token = joined["token"].as_str().expect("token");
    Client::connect(&server, &board.id, token)
        .await
        .close()
        .await;
    let (status, place) = call(
        &server,
        token,
        "GET",
        &format!("/api/events/{}/place", board.id),
        None,
    )
    .await;
    assert_eq!((status, place["board"].as_str()), (200, Some(&*board.id)));
    let (status, desk) = call(
        &server,
        &board.moderator_token,
        "GET",
        &format!("/api/events/{}/desk", board.id),
        None,
    )
    .await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["join_code"], board.join_code.as_str());
    assert_eq!(
        get_bytes(
            &server,
            &format!("/api/events/{}/export.md", board.id),
            &board.moderator_token
        )
        .await
        .0,
        200
    );
    // The board's own join works as before.
    server.join(&board, "Bea").await;
}

/// A data directory of the release before events (schema version 3): the
/// boards it holds are one-board events after the upgrade and keep
/// working: documents, moderator, participants, joins, exports.
#[tokio::test]
async fn boards_of_a_version_3_database_keep_working() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Sachsendorf").await;
    let (participant, token) = server.join(&board, "Ada").await;
    let mut client = Client::connect(&server, &board.id, &token).await;
    client
        .edit(|_, txn| create_card(txn, "cardOld00001", &participant, "Sprachkurse vor Ort"))
        .await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .pump_until(
            |c| !at(&c.json(), "/cards/cardOld00001/text").is_null(),
            "the card",
        )
        .await;
    drop((client, moderator));
    let (_, temp) = server.terminate().await;
    let temp = temp.expect("the data directory");
    {
        // Back to version 3: the tables it had, and its version number.
        let database =
            rusqlite::Connection::open(temp.path().join("kartenwand.db")).expect("opens");
        database
            .execute_batch(
                "DROP TABLE event_participants; DROP TABLE event_owners; DROP TABLE event_boards;
                 DROP TABLE events; PRAGMA user_version = 3;",
            )
            .expect("a version 3 database");
    }
    let server = Server::start_in(temp.path(), &[]).await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_eq!(
        at(&moderator.json(), "/cards/cardOld00001/text"),
        "Sprachkurse vor Ort"
    );
    Client::connect(&server, &board.id, &token)
        .await
        .close()
        .await;
    let (bea, bea_token) = server.join(&board, "Bea").await;
    let mut bea_client = Client::connect(&server, &board.id, &bea_token).await;
    bea_client
        .edit(|_, txn| create_card(txn, "cardNew00001", &bea, "Kita-Plätze"))
        .await;
    moderator
        .pump_until(
            |c| !at(&c.json(), "/cards/cardNew00001/text").is_null(),
            "the new card",
        )
        .await;
    let (status, markdown) = get_bytes(
        &server,
        &format!("/api/boards/{}/export.md", board.id),
        &board.moderator_token,
    )
    .await;
    assert_eq!(status, 200);
    let markdown = String::from_utf8(markdown).expect("utf-8");
    assert!(markdown.contains("Sprachkurse vor Ort") && markdown.contains("Kita-Plätze"));
    let (status, desk) = call(
        &server,
        &board.moderator_token,
        "GET",
        &format!("/api/events/{}/desk", board.id),
        None,
    )
    .await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["boards"][0]["kind"], "conference");
    drop(temp);
}
