//! `DELETE /api/boards/{board}/participants/{id}` (issue 17, "a person's
//! rights", "erasure is real"): the person themself or the moderator
//! erases them. Afterwards no file of the data directory (database, `-wal`,
//! `-shm`), no export and no stored row holds their text, written at once
//! or character by character, and a client that still holds it cannot
//! bring it back.

use crate::common::doc::{at, contains_bytes, create_card, new_doc, put, set};
use crate::common::http::get_bytes;
use crate::common::server::event_boards;
use crate::common::{Board, Client, Server, http_request_as, refused_upgrade_status};
use crate::deletion::any_file_holds;
use kartenwand::protocol::Message as YMessage;
use serde_json::{Value, json};
use std::io::Read;
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, ReadTxn, StateVector, Transact, Update};

/// Written at once: a card, the organisation in the profile, the name and
/// the e-mail address at the join, a proposal.
const CARD_AT_ONCE: &str = "Kanarienvogel-Karte-4c1e7a";
const ORGANISATION_AT_ONCE: &str = "Kanarienvogel-Verein-9b2f60";
const NAME_AT_JOIN: &str = "Kanarienvogel-Name-d83a15";
const MAIL_AT_JOIN: &str = "kanarienvogel-5e7c21@example.org";
const PHONE_AT_JOIN: &str = "0355 7788 4412";
const PROPOSAL_AT_ONCE: &str = "Kanarienvogel-Vorschlag-1f9d33";
/// Typed character by character, each keystroke a new value: a card and
/// the name in the profile.
const CARD_TYPED: &str = "Getippt-Karte-a7e3b9";
const NAME_TYPED: &str = "Getippt-Name-6d0c48";

/// Every canary of the person.
const ALL: [&str; 8] = [
    CARD_AT_ONCE,
    ORGANISATION_AT_ONCE,
    NAME_AT_JOIN,
    MAIL_AT_JOIN,
    PHONE_AT_JOIN,
    PROPOSAL_AT_ONCE,
    CARD_TYPED,
    NAME_TYPED,
];

/// Ada on a board, with everything a person leaves there.
struct Scene {
    server: Server,
    board: Board,
    ada: String,
    ada_token: String,
    bea_token: String,
    ada_phone: Client,
    moderator: Client,
    /// The update that created Ada's first card, as her phone sent it.
    ada_first_update: Vec<u8>,
}

async fn scene() -> Scene {
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz Schmellwitz").await;
    let (status, joined) = server
        .request(
            "POST",
            &format!("/api/boards/{}/join", board.id),
            Some(&json!({
                "join_code": board.join_code, "name": NAME_AT_JOIN, "organisation": "Kita",
                "sector": "stadtteil", "email": MAIL_AT_JOIN, "phone": PHONE_AT_JOIN,
                "contact_consent": true
            })),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    let ada = joined["participant_id"].as_str().expect("id").to_owned();
    let ada_token = joined["token"].as_str().expect("token").to_owned();
    let (bea, bea_token) = server.join(&board, "Bea").await;

    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .edit(|_, txn| {
            put(
                txn,
                "networks",
                "networkSandow1",
                &[("title", Any::from("Netzwerk")), ("order", Any::from(0.0))],
            );
            put(
                txn,
                "clusters",
                "clusterKita01",
                &[("title", Any::from("Kita")), ("colour", Any::from("green"))],
            );
            let meta = yrs::WriteTxn::get_or_insert_map(txn, "meta");
            yrs::Map::insert(&meta, txn, "votingOpen", true);
            yrs::Map::insert(&meta, txn, "voteBudget", 3.0);
        })
        .await;

    let mut ada_phone = Client::connect(&server, &board.id, &ada_token).await;
    ada_phone
        .pump_until(
            |c| !at(&c.json(), "/clusters/clusterKita01").is_null(),
            "the moderator's cluster on Ada's phone",
        )
        .await;
    let ada_first_update = ada_phone
        .edit(|_, txn| {
            put(
                txn,
                "participants",
                &ada,
                &[
                    ("name", Any::from("G")),
                    ("organisation", Any::from(ORGANISATION_AT_ONCE)),
                    ("sector", Any::from("stadtteil")),
                    ("joinedAt", Any::from(1_741_079_400_000.0)),
                ],
            );
            create_card(txn, "cardAtOnce01", &ada, CARD_AT_ONCE);
            create_card(txn, "cardTyped001", &ada, "G");
            put(
                txn,
                "agreements",
                "proposalAda1",
                &[
                    ("what", Any::from(PROPOSAL_AT_ONCE)),
                    ("who", Any::from("")),
                    ("status", Any::from("proposed")),
                    ("author", Any::from(ada.as_str())),
                    ("createdAt", Any::from(1_741_079_400_000.0)),
                ],
            );
            let votes = yrs::WriteTxn::get_or_insert_map(txn, "votes");
            yrs::Map::insert(&votes, txn, format!("{ada}:clusterKita01"), 2.0);
            let memberships = yrs::WriteTxn::get_or_insert_map(txn, "memberships");
            yrs::Map::insert(&memberships, txn, format!("{ada}:networkSandow1"), true);
        })
        .await;
    // Typed: one update per keystroke, each a new value of the field.
    for end in 2..=CARD_TYPED.len() {
        let prefix = &CARD_TYPED[..end];
        ada_phone
            .edit(|_, txn| set(txn, "cards", "cardTyped001", "text", Any::from(prefix)))
            .await;
    }
    for end in 2..=NAME_TYPED.len() {
        let prefix = &NAME_TYPED[..end];
        ada_phone
            .edit(|_, txn| set(txn, "participants", &ada, "name", Any::from(prefix)))
            .await;
    }
    let mut bea_phone = Client::connect(&server, &board.id, &bea_token).await;
    bea_phone
        .edit(|_, txn| create_card(txn, "cardOfBea001", &bea, "Wohnungen fehlen"))
        .await;
    let ada_key = ada.clone();
    moderator
        .pump_until(
            move |c| {
                let doc = c.json();
                at(&doc, "/cards/cardTyped001/text") == CARD_TYPED
                    && at(&doc, &format!("/participants/{ada_key}/name")) == NAME_TYPED
                    && at(&doc, "/cards/cardOfBea001/text") == "Wohnungen fehlen"
                    && !at(&doc, "/agreements/proposalAda1").is_null()
            },
            "everything of Ada and Bea's card at the moderator",
        )
        .await;
    assert!(
        ada_phone.seen.denied.is_empty(),
        "every edit of Ada's was hers to make: {:?}",
        ada_phone.seen.denied
    );
    Scene {
        server,
        board,
        ada,
        ada_token,
        bea_token,
        ada_phone,
        moderator,
        ada_first_update,
    }
}

/// Every export of the board, by extension, as the text a reader sees
/// (the PDF through `pdftotext`, the DOCX's XML parts).
async fn exports(server: &Server, board: &Board) -> Vec<(&'static str, Vec<u8>)> {
    crate::exports::require_tool("pdftotext", "poppler-utils");
    let temp = tempfile::tempdir().expect("temp dir");
    let mut out = Vec::new();
    for ext in ["md", "html", "pdf", "docx", "csv", "json"] {
        let (status, body) = get_bytes(
            server,
            &format!("/api/boards/{}/export.{ext}", board.id),
            &board.moderator_token,
        )
        .await;
        assert_eq!(status, 200, "export.{ext}");
        let text = match ext {
            "pdf" => {
                let path = temp.path().join("board.pdf");
                std::fs::write(&path, &body).expect("writes");
                let output = std::process::Command::new("pdftotext")
                    .arg(&path)
                    .arg("-")
                    .output()
                    .expect("pdftotext runs");
                assert!(output.status.success());
                output.stdout
            }
            "docx" => {
                let mut archive =
                    zip::ZipArchive::new(std::io::Cursor::new(body)).expect("a DOCX is a zip");
                let mut all = Vec::new();
                for index in 0..archive.len() {
                    archive
                        .by_index(index)
                        .expect("an entry")
                        .read_to_end(&mut all)
                        .expect("reads");
                }
                all
            }
            _ => body,
        };
        out.push((ext, text));
    }
    out
}

/// The board's stored rows (snapshot, then log), as the store holds them.
fn stored_rows(server: &Server, board: &str) -> Vec<Vec<u8>> {
    let connection = rusqlite::Connection::open_with_flags(
        server.data_dir.join("kartenwand.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("opens the database");
    let mut rows: Vec<Vec<u8>> = Vec::new();
    for query in [
        "SELECT data FROM snapshots WHERE board = ?1",
        "SELECT data FROM updates WHERE board = ?1 ORDER BY sequence",
    ] {
        let mut statement = connection.prepare(query).expect("prepares");
        let found = statement
            .query_map([board], |row| row.get::<_, Vec<u8>>(0))
            .expect("queries");
        rows.extend(found.map(|row| row.expect("a row")));
    }
    rows
}

/// What of `canaries` the stored rows hold: in their bytes, or in a
/// document rebuilt from them without garbage collection (deleted content
/// kept), encoded whole.
fn stored_rows_hold(server: &Server, board: &str, canaries: &[&str]) -> Vec<String> {
    let rows = stored_rows(server, board);
    assert!(!rows.is_empty(), "the board has stored rows");
    let doc = Doc::with_options(yrs::Options {
        skip_gc: true,
        ..yrs::Options::default()
    });
    {
        let mut txn = doc.transact_mut();
        for row in &rows {
            txn.apply_update(Update::decode_v1(row).expect("a stored row decodes"))
                .expect("applies");
        }
    }
    let encoded = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    canaries
        .iter()
        .filter(|canary| {
            rows.iter()
                .any(|row| contains_bytes(row, canary.as_bytes()))
                || contains_bytes(&encoded, canary.as_bytes())
        })
        .map(|canary| canary.to_string())
        .collect()
}

/// Where any of `canaries` is still found: files, stored rows, exports.
async fn where_found(server: &Server, board: &Board, canaries: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for canary in canaries {
        for file in any_file_holds(&server.data_dir, canary.as_bytes()) {
            found.push(format!("{canary} in {file}"));
        }
    }
    for canary in stored_rows_hold(server, &board.id, canaries) {
        found.push(format!("{canary} in the stored rows"));
    }
    for (ext, text) in exports(server, board).await {
        for canary in canaries {
            if contains_bytes(&text, canary.as_bytes()) {
                found.push(format!("{canary} in export.{ext}"));
            }
        }
    }
    found
}

fn erase_path(board: &Board, participant: &str) -> String {
    format!("/api/boards/{}/participants/{participant}", board.id)
}

#[tokio::test]
async fn an_erased_person_is_in_no_file_no_export_and_no_stale_client_brings_them_back() {
    let mut s = scene().await;
    // A client that keeps everything, as a stale phone or laptop would.
    let stale_state = s
        .moderator
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    assert!(contains_bytes(&stale_state, CARD_TYPED.as_bytes()));
    for canary in [CARD_AT_ONCE, NAME_AT_JOIN, MAIL_AT_JOIN] {
        assert!(
            !any_file_holds(&s.server.data_dir, canary.as_bytes()).is_empty(),
            "before: {canary} is in the data directory"
        );
    }

    // Nobody else may, and an unknown person is not found.
    let path = erase_path(&s.board, &s.ada);
    for (token, expected) in [
        (Some(s.bea_token.as_str()), 403),
        (Some(s.board.viewer_token.as_str()), 403),
        (None, 401),
    ] {
        let (status, body) = http_request_as(s.server.addr, token, "DELETE", &path, None).await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, body) = http_request_as(
        s.server.addr,
        Some(&s.board.moderator_token),
        "DELETE",
        &erase_path(&s.board, "nobodyWithThisId01"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = http_request_as(
        s.server.addr,
        Some(&s.ada_token),
        "DELETE",
        &path,
        Some(&json!({"keep_everything": true})),
    )
    .await;
    assert_eq!(status, 400, "an unknown option: {body}");
    let (status, data) = get_bytes(&s.server, &format!("{path}/data"), &s.ada_token).await;
    assert_eq!(status, 200, "the refused erasures erased nothing");
    let data: Value = serde_json::from_slice(&data).expect("JSON");
    assert_eq!(data["cards"].as_array().map(Vec::len), Some(2), "{data}");

    // Ada erases herself.
    let (status, body) =
        http_request_as(s.server.addr, Some(&s.ada_token), "DELETE", &path, None).await;
    assert_eq!(status, 204, "{body}");
    let (code, reason) = s.ada_phone.expect_close().await;
    assert_eq!(
        (code, reason.as_str()),
        (4401, "this participant was erased")
    );
    let upgrade = refused_upgrade_status(&s.server.ws_url(&s.board.id, &s.ada_token)).await;
    assert_eq!(upgrade, 403, "her token opens nothing");
    let ada_key = s.ada.clone();
    s.moderator
        .pump_until(
            move |c| {
                let doc = c.json();
                at(&doc, "/cards/cardAtOnce01").is_null()
                    && at(&doc, "/cards/cardTyped001").is_null()
                    && at(&doc, &format!("/participants/{ada_key}")).is_null()
                    && at(&doc, "/agreements/proposalAda1").is_null()
            },
            "the erasure at the moderator",
        )
        .await;
    let json = s.moderator.json();
    assert_eq!(at(&json, "/cards/cardOfBea001/text"), "Wohnungen fehlen");
    for root in ["votes", "memberships"] {
        let keys: Vec<&String> = json[root]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert!(
            keys.iter()
                .all(|key| !key.starts_with(&format!("{}:", s.ada))),
            "{root}: {keys:?}"
        );
    }
    assert!(
        at(&json, "/meta/erasedAt").is_number(),
        "the marker apps drop their undo history on"
    );
    let found = where_found(&s.server, &s.board, &ALL).await;
    assert!(found.is_empty(), "after the erasure: {found:?}");

    // A stale client with everything comes back: its whole state as sync
    // step 2, an old update of Ada's replayed, and its whole state with a
    // new card of its own.
    let stale_doc = new_doc();
    stale_doc
        .transact_mut()
        .apply_update(Update::decode_v1(&stale_state).expect("decodes"))
        .expect("applies");
    let before_edit = stale_doc.transact().state_vector();
    {
        let mut txn = stale_doc.transact_mut();
        put(
            &mut txn,
            "cards",
            "cardAfter001",
            &[
                ("text", Any::from("Nach dem Löschen")),
                ("kind", Any::from("note")),
                ("author", Any::from("moderator")),
                ("createdAt", Any::from(1_741_079_500_000.0)),
            ],
        );
    }
    assert!(!stale_doc.transact().state_vector().eq(&before_edit));
    let stale_with_edit = stale_doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let mut stale =
        Client::connect_raw(&s.server, &s.board.id, &s.board.moderator_token, new_doc()).await;
    stale.send_message(YMessage::SyncStep2(&stale_state)).await;
    stale
        .send_message(YMessage::Update(&s.ada_first_update))
        .await;
    stale.send_message(YMessage::Update(&stale_with_edit)).await;
    let mut fresh = Client::connect(&s.server, &s.board.id, &s.bea_token).await;
    fresh
        .pump_until(
            |c| at(&c.json(), "/cards/cardAfter001/text") == "Nach dem Löschen",
            "the stale client's new card",
        )
        .await;
    let fresh_state = fresh
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    for canary in ALL {
        assert!(
            !contains_bytes(&fresh_state, canary.as_bytes()),
            "{canary} reached a fresh client"
        );
        assert!(
            !fresh.seen.any_frame_contains(canary),
            "a frame to a fresh client held {canary}"
        );
    }
    assert!(at(&fresh.json(), "/cards/cardAtOnce01").is_null());
    let found = where_found(&s.server, &s.board, &ALL).await;
    assert!(found.is_empty(), "after the stale client: {found:?}");

    // And after a restart (which loads and compacts), still nothing.
    let server = s.server.restart(&[]).await;
    let mut after = Client::connect(&server, &s.board.id, &s.board.moderator_token).await;
    after
        .pump_until(
            |c| at(&c.json(), "/cards/cardAfter001/text") == "Nach dem Löschen",
            "the board after a restart",
        )
        .await;
    assert!(at(&after.json(), "/cards/cardTyped001").is_null());
    let found = where_found(&server, &s.board, &ALL).await;
    assert!(found.is_empty(), "after a restart: {found:?}");
}

#[tokio::test]
async fn keeping_the_cards_keeps_their_text_without_the_name() {
    let mut s = scene().await;
    let (status, body) = http_request_as(
        s.server.addr,
        Some(&s.board.moderator_token),
        "DELETE",
        &erase_path(&s.board, &s.ada),
        Some(&json!({"keep_cards": true})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(s.ada_phone.expect_close().await.0, 4401);
    let ada_key = s.ada.clone();
    s.moderator
        .pump_until(
            move |c| at(&c.json(), &format!("/participants/{ada_key}")).is_null(),
            "the profile gone at the moderator",
        )
        .await;
    let json = s.moderator.json();
    assert_eq!(at(&json, "/cards/cardAtOnce01/text"), CARD_AT_ONCE);
    assert_eq!(at(&json, "/cards/cardTyped001/text"), CARD_TYPED);
    assert_eq!(at(&json, "/cards/cardTyped001/author"), "anonymous");
    assert_eq!(at(&json, "/agreements/proposalAda1/author"), "anonymous");
    assert_eq!(at(&json, "/cards/cardOfBea001/text"), "Wohnungen fehlen");
    let gone = [
        ORGANISATION_AT_ONCE,
        NAME_AT_JOIN,
        MAIL_AT_JOIN,
        PHONE_AT_JOIN,
        NAME_TYPED,
    ];
    let found = where_found(&s.server, &s.board, &gone).await;
    assert!(found.is_empty(), "with the cards kept: {found:?}");
    // The kept cards are in the documentation, under no name.
    let exported = exports(&s.server, &s.board).await;
    for (ext, text) in &exported {
        assert!(
            contains_bytes(text, CARD_AT_ONCE.as_bytes()),
            "export.{ext} keeps the card"
        );
        assert!(
            !contains_bytes(text, s.ada.as_bytes()),
            "export.{ext} names no erased id"
        );
    }
    // The earlier values of the typed card are gone; only its last stays.
    let rows = stored_rows(&s.server, &s.board.id);
    let prefix = &CARD_TYPED[..CARD_TYPED.len() - 1];
    let occurrences: usize = rows
        .iter()
        .map(|row| {
            row.windows(prefix.len())
                .filter(|w| *w == prefix.as_bytes())
                .count()
        })
        .sum();
    assert_eq!(occurrences, 1, "only the kept value holds the typed text");
}

#[tokio::test]
async fn a_participant_of_an_event_is_erased_from_every_board_of_it() {
    let server = Server::start(&[]).await;
    let (status, created) = server
        .request(
            "POST",
            "/api/events",
            Some(&json!({
                "title": "Kommunen im Dialog", "date": "2027-03-31",
                "boards": [
                    {"title": "Plenum", "kind": "plenary"},
                    {"title": "Workshop Sprache", "kind": "workshop"}
                ]
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let event = created["event"].as_str().expect("event").to_owned();
    let organiser = created["organiser_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let join_code = created["join_code"].as_str().expect("code").to_owned();
    let boards: Vec<(String, String)> = event_boards(&created);
    let join = |name: &'static str, email: &'static str| {
        let (server, event, join_code) = (&server, event.clone(), join_code.clone());
        async move {
            let (status, body) = server
                .request(
                    "POST",
                    &format!("/api/events/{event}/join"),
                    Some(
                        &json!({"join_code": join_code, "name": name, "organisation": "Stadt",
                        "sector": "behoerde", "email": email, "contact_consent": true}),
                    ),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            (
                body["participant_id"].as_str().expect("id").to_owned(),
                body["token"].as_str().expect("token").to_owned(),
            )
        }
    };
    let (ada, ada_token) = join(NAME_AT_JOIN, MAIL_AT_JOIN).await;
    let (cem, cem_token) = join("Cem", "cem@example.org").await;
    let (status, place) = http_request_as(
        server.addr,
        Some(&ada_token),
        "POST",
        &format!("/api/events/{event}/choice"),
        Some(&json!({"board": boards[1].0})),
    )
    .await;
    assert_eq!(status, 200, "{place}");
    let texts = [CARD_AT_ONCE, CARD_TYPED];
    for ((board, _), text) in boards.iter().zip(texts) {
        let mut phone = Client::connect(&server, board, &ada_token).await;
        phone
            .edit(|_, txn| {
                put(
                    txn,
                    "participants",
                    &ada,
                    &[
                        ("name", Any::from(NAME_TYPED)),
                        ("organisation", Any::from("Stadt")),
                        ("sector", Any::from("behoerde")),
                        ("joinedAt", Any::from(1_741_079_400_000.0)),
                    ],
                );
                create_card(txn, "cardOfAda001", &ada, text);
            })
            .await;
        let mut check = Client::connect(&server, board, &organiser).await;
        check
            .pump_until(
                |c| at(&c.json(), "/cards/cardOfAda001/text") == text,
                "Ada's card on the board",
            )
            .await;
        assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    }
    for canary in [CARD_AT_ONCE, CARD_TYPED, MAIL_AT_JOIN] {
        assert!(!any_file_holds(&server.data_dir, canary.as_bytes()).is_empty());
    }

    // The plenary's moderator erases her, on request.
    let (status, body) = http_request_as(
        server.addr,
        Some(&boards[0].1),
        "DELETE",
        &format!("/api/boards/{}/participants/{ada}", boards[0].0),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    for (board, _) in &boards {
        let check = Client::connect(&server, board, &organiser).await;
        let json = check.json();
        assert!(
            at(&json, "/cards/cardOfAda001").is_null(),
            "{board}: {json}"
        );
        assert!(at(&json, &format!("/participants/{ada}")).is_null());
        check.close().await;
        assert_eq!(
            refused_upgrade_status(&server.ws_url(board, &ada_token)).await,
            403,
            "her token opens no board of the event"
        );
    }
    for canary in [
        CARD_AT_ONCE,
        CARD_TYPED,
        NAME_AT_JOIN,
        NAME_TYPED,
        MAIL_AT_JOIN,
    ] {
        let holders = any_file_holds(&server.data_dir, canary.as_bytes());
        assert!(holders.is_empty(), "{canary} is still in {holders:?}");
    }
    // Cem withdraws his consent from the plenary: his contact data leave
    // the event's records too, not only this board's.
    assert!(!any_file_holds(&server.data_dir, b"cem@example.org").is_empty());
    let (status, body) = http_request_as(
        server.addr,
        Some(&cem_token),
        "DELETE",
        &format!("/api/boards/{}/participants/{cem}/contact", boards[0].0),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let holders = any_file_holds(&server.data_dir, b"cem@example.org");
    assert!(holders.is_empty(), "Cem's address is still in {holders:?}");

    // The event goes on: the desk lists Cem alone, Cem still gets in, a
    // new participant joins.
    let (status, desk) = http_request_as(
        server.addr,
        Some(&organiser),
        "GET",
        &format!("/api/events/{event}/desk"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{desk}");
    let names: Vec<&str> = desk["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Cem"], "{desk}");
    Client::connect(&server, &boards[0].0, &cem_token)
        .await
        .close()
        .await;
    join("Dora", "dora@example.org").await;
    let (status, _) = http_request_as(
        server.addr,
        Some(&ada_token),
        "GET",
        &format!("/api/events/{event}/place"),
        None,
    )
    .await;
    assert!((401..=404).contains(&status), "her token is dead: {status}");
}
