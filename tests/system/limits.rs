//! Every limit of docs/operations.md, hit on purpose against the real
//! binary started with small limits: each answers with its documented
//! error, loses nothing it promises to keep, and leaves the room usable.
//! And a whole venue behind one address is never locked out.

use crate::common::frames::{awareness_frame, has_state};
use crate::common::{Board, Client, Server, create_card, new_doc, refused_upgrade_status};
use kartenwand::protocol::Message;
use tokio_tungstenite::tungstenite::Message as WebSocketMessage;
use yrs::updates::encoder::Encode;
use yrs::{Map, TransactionMut, WriteTxn};

/// Text of `docs/operations.md`'s limits, as the client sees them.
const SIZE_LIMIT: &str = "the board has reached its size limit";
const RATE_NOTICE: &str = "sending too fast: the server slows down reading, nothing is lost";
const AWARENESS_RATE_NOTICE: &str = "awareness sent too often: some presence updates were dropped";

/// Waits until the server has handled everything the client sent before:
/// the answer to a sync step 1 goes out after the room handled the earlier
/// messages and their writes, behind any echo or refusal they caused.
async fn barrier(client: &mut Client, what: &str) {
    let state_vector = client.state_vector().encode_v1();
    client.seen.synced = false;
    client.send_message(Message::SyncStep1(&state_vector)).await;
    client.pump_until(|c| c.seen.synced, what).await;
}

/// A barrier for many rounds on one connection (a connection may send only
/// a few sync step 1s): the room answers a query-awareness in order too,
/// once it holds a state. The client publishes one state the first time.
async fn handled(client: &mut Client, what: &str) {
    let own = client.doc.client_id().get();
    if !client.seen.awareness.iter().any(|(id, _, _)| *id == own) {
        client
            .send_frame(awareness_frame(&[(own, 1, r#"{"barrier":true}"#)]))
            .await;
        client
            .pump_until(
                |c| c.seen.awareness.iter().any(|(id, _, _)| *id == own),
                "the client's own awareness state",
            )
            .await;
    }
    let answers = client.seen.awareness.len();
    client.send_frame(Message::QueryAwareness.encode()).await;
    client
        .pump_until(|c| c.seen.awareness.len() > answers, what)
        .await;
}

/// Sends an edit and waits until the server handled it; true if refused.
async fn edit_refused(
    client: &mut Client,
    change: impl FnOnce(&mut TransactionMut<'_>),
    what: &str,
) -> bool {
    let denied = client.seen.denied.len();
    client.edit(|_, txn| change(txn)).await;
    handled(client, what).await;
    client.seen.denied.len() > denied
}

#[tokio::test]
async fn a_message_far_over_the_limit_closes_with_1009() {
    let server = Server::start(&["--max-frame-bytes", "65536"]).await;
    let board = server.create_board("Viel zu groß").await;
    let mut bystander = Client::connect(&server, &board.id, &board.viewer_token).await;
    // 128 times the limit: refused on its frame header, never buffered.
    let mut sender =
        Client::connect_raw(&server, &board.id, &board.moderator_token, new_doc()).await;
    sender
        .send_raw(WebSocketMessage::Binary(vec![0; 8 * 1024 * 1024].into()))
        .await;
    let (code, reason) = sender.expect_close().await;
    assert_eq!((code, reason.as_str()), (1009, "message too big"));

    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;
    writer
        .edit(|_, txn| {
            txn.get_or_insert_map("cards")
                .insert(txn, "danach", "noch da");
        })
        .await;
    bystander
        .pump_until(
            |c| c.json()["cards"]["danach"] == "noch da",
            "an edit after the oversized message",
        )
        .await;
}

/// One participant writes cards until the board is full; returns their ids.
async fn fill_board(server: &Server, board: &Board, writer_id: &str, token: &str) -> Vec<String> {
    let mut writer = Client::connect(server, &board.id, token).await;
    let text = "Zu viele Worte. ".repeat(60);
    let mut written = Vec::new();
    for n in 0..40 {
        let id = format!("cardFill{n:04}");
        let refused = edit_refused(
            &mut writer,
            |txn| create_card(txn, &id, writer_id, &text),
            "a card's echo or refusal",
        )
        .await;
        if refused {
            break;
        }
        written.push(id);
    }
    assert_eq!(writer.seen.denied, [SIZE_LIMIT], "the board fills up");
    assert!(written.len() >= 5, "{} cards fit", written.len());
    written
}

#[tokio::test]
async fn on_a_full_board_a_participant_can_still_delete_their_own_card() {
    let server = Server::start(&["--max-document-bytes", "20000"]).await;
    let board = server.create_board("Voll").await;
    let (writer_id, writer_token) = server.join(&board, "Vielschreiberin").await;
    let written = fill_board(&server, &board, &writer_id, &writer_token).await;
    // From a fresh copy: this test client would resend the refused card's
    // deletion with its later updates, which a stock client does not.
    let mut phone = Client::connect(&server, &board.id, &writer_token).await;
    let refused = edit_refused(
        &mut phone,
        |txn| {
            txn.get_or_insert_map("cards").remove(txn, &written[0]);
        },
        "the participant's deletion",
    )
    .await;
    assert!(!refused, "{:?}", phone.seen.denied);
    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    assert!(late.json()["cards"].get(&written[0]).is_none());
    assert!(late.json()["cards"].get(&written[1]).is_some());
}

#[tokio::test]
async fn a_full_board_refuses_growth_but_takes_deletions_which_free_space() {
    let server = Server::start(&["--max-document-bytes", "20000"]).await;
    let board = server.create_board("Voll").await;
    let (writer_id, writer_token) = server.join(&board, "Vielschreiber").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let written = fill_board(&server, &board, &writer_id, &writer_token).await;

    // Growth is refused for the moderator too. (On a connection of its
    // own: this test client would resend the refused item's deletion with
    // its later updates, which a stock client does not.) The edit is
    // larger than the card that filled the board: the board is full for
    // an edit of that size, while a smaller one may still fit in what the
    // refused card left free.
    let mut tablet = Client::connect(&server, &board.id, &board.moderator_token).await;
    let long_title = format!("Neuer Titel {}", "Zu viele Worte. ".repeat(120));
    let refused = edit_refused(
        &mut tablet,
        |txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "title", long_title.as_str());
        },
        "the moderator's edit on a full board",
    )
    .await;
    assert!(refused, "a growing edit on a full board is refused");
    assert_eq!(tablet.seen.denied, [SIZE_LIMIT]);

    // Deleting is not: the moderator clears all but one of the cards.
    moderator
        .pump_until(
            |c| c.json()["cards"].as_object().map(serde_json::Map::len) == Some(written.len()),
            "every card at the moderator's",
        )
        .await;
    let refused = edit_refused(
        &mut moderator,
        |txn| {
            let cards = txn.get_or_insert_map("cards");
            for id in &written[1..] {
                cards.remove(txn, id);
            }
        },
        "the moderator's deletions",
    )
    .await;
    assert!(!refused, "{:?}", moderator.seen.denied);

    // The deleted cards no longer count: the board takes edits again.
    let refused = edit_refused(
        &mut moderator,
        |txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "title", "Neuer Titel");
        },
        "the moderator's edit after the deletions",
    )
    .await;
    assert!(!refused, "{:?}", moderator.seen.denied);
    // The participant writes again (from a fresh copy, see above).
    let mut phone = Client::connect(&server, &board.id, &writer_token).await;
    assert_eq!(phone.json()["meta"]["title"], "Neuer Titel");
    assert_eq!(
        phone.json()["cards"].as_object().map(serde_json::Map::len),
        Some(1)
    );
    let id = "cardAfter0001";
    let refused = edit_refused(
        &mut phone,
        |txn| create_card(txn, id, &writer_id, "wieder Platz"),
        "the participant's card after the deletions",
    )
    .await;
    assert!(!refused, "{:?}", phone.seen.denied);
}

#[tokio::test]
async fn a_full_board_closes_further_joiners_with_1013() {
    let server = Server::start(&["--max-connections-per-board", "2"]).await;
    let board = server.create_board("Kleiner Raum").await;
    let mut first = Client::connect(&server, &board.id, &board.moderator_token).await;
    let _second = Client::connect(&server, &board.id, &board.viewer_token).await;
    let mut third = Client::connect_raw(&server, &board.id, &board.viewer_token, new_doc()).await;
    let (code, reason) = third.expect_close().await;
    assert_eq!(
        (code, reason.as_str()),
        (1013, "board has too many connections, try again later")
    );
    // The limit is per board: another board takes connections, and the two
    // inside keep working.
    let other = server.create_board("Nebenan").await;
    let _elsewhere = Client::connect(&server, &other.id, &other.moderator_token).await;
    first
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").insert(txn, "drin", "ja");
        })
        .await;
    first.pump_until(Client::all_echoed, "the echo").await;
}

#[tokio::test]
async fn the_server_refuses_connections_over_its_total_with_503() {
    let server = Server::start(&["--max-connections", "2"]).await;
    let board = server.create_board("Ausverkauft").await;
    let _first = Client::connect(&server, &board.id, &board.moderator_token).await;
    let _second = Client::connect(&server, &board.id, &board.viewer_token).await;
    let other = server.create_board("Anderswo").await;
    let status = refused_upgrade_status(&server.ws_url(&other.id, &other.moderator_token)).await;
    assert_eq!(status, 503);
    // The API still answers.
    let (status, _) = server
        .request("GET", &format!("/api/boards/{}", board.id), None)
        .await;
    assert_eq!(status, 401, "the API is not counted as connections");
}

#[tokio::test]
async fn a_fast_sender_is_told_and_slowed_down_but_loses_nothing() {
    let server = Server::start(&["--messages-per-second", "20", "--message-burst", "5"]).await;
    let board = server.create_board("Schnellschreiber").await;
    let mut reader = Client::connect(&server, &board.id, &board.viewer_token).await;
    let mut fast = Client::connect(&server, &board.id, &board.moderator_token).await;
    // 40 updates at once: 8 times the burst, 2 s at the rate.
    for n in 0..40 {
        fast.edit(|_, txn| {
            txn.get_or_insert_map("probe")
                .insert(txn, format!("n{n:02}"), n);
        })
        .await;
    }
    fast.pump_until(Client::all_echoed, "every update's echo")
        .await;
    assert_eq!(
        fast.seen.denied,
        [RATE_NOTICE],
        "told once, not per message"
    );
    reader
        .pump_until(
            |c| c.json()["probe"].as_object().map(serde_json::Map::len) == Some(40),
            "all 40 updates at another client",
        )
        .await;
    assert!(fast.seen.closed.is_none());
}

/// Two connections to one board: one that sends awareness, one that watches.
async fn awareness_pair() -> (Server, Board, Client, Client) {
    let server = Server::start(&[]).await;
    let board = server.create_board("Anwesenheit").await;
    let (_, token) = server.join(&board, "Aylin").await;
    let sender = Client::connect(&server, &board.id, &token).await;
    let watcher = Client::connect(&server, &board.id, &board.viewer_token).await;
    (server, board, sender, watcher)
}

/// Sends a state the watcher must see, proving what came before it was
/// handled.
async fn send_marker(sender: &mut Client, watcher: &mut Client, client: u64, clock: u64) {
    let marker = format!(r#"{{"user":{{"name":"Marker {clock}"}}}}"#);
    sender
        .send_frame(awareness_frame(&[(client, clock, &marker)]))
        .await;
    watcher
        .pump_until(
            |c| has_state(c, &format!("Marker {clock}")),
            "the marker state",
        )
        .await;
}

#[tokio::test]
async fn an_awareness_state_over_4_kib_is_refused_with_a_reason() {
    let (_server, _board, mut sender, mut watcher) = awareness_pair().await;
    let big = format!(r#"{{"user":{{"name":"{}"}}}}"#, "A".repeat(4096));
    sender
        .send_frame(awareness_frame(&[(500_001, 1, &big)]))
        .await;
    sender
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    assert_eq!(sender.seen.denied, ["awareness state is too large"]);
    send_marker(&mut sender, &mut watcher, 500_002, 1).await;
    assert!(
        !has_state(&watcher, "AAAA"),
        "the large state was not relayed"
    );
}

#[tokio::test]
async fn more_than_4_awareness_states_per_connection_are_refused_with_a_reason() {
    let (_server, _board, mut sender, mut watcher) = awareness_pair().await;
    let four: Vec<(u64, u64, &str)> = (0..4)
        .map(|n| (600_000 + n, 1, r#"{"user":{"name":"Tablet"}}"#))
        .collect();
    sender.send_frame(awareness_frame(&four)).await;
    watcher
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .filter(|(client, _, _)| *client >= 600_000)
                    .count()
                    == 4
            },
            "four states",
        )
        .await;
    sender
        .send_frame(awareness_frame(&[(
            600_004,
            1,
            r#"{"user":{"name":"Fünftes"}}"#,
        )]))
        .await;
    sender
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    assert_eq!(
        sender.seen.denied,
        ["too many awareness states on one connection"]
    );
    // Renewing one of the four still works; the fifth never arrived.
    send_marker(&mut sender, &mut watcher, 600_000, 2).await;
    assert!(!has_state(&watcher, "Fünftes"));
}

#[tokio::test]
async fn awareness_over_the_rate_is_dropped_and_the_sender_told_once() {
    let (_server, _board, mut sender, mut watcher) = awareness_pair().await;
    // 60 messages at once: three times the burst of 20, 6 s at 10/s.
    for clock in 1..=60 {
        let state = format!(r#"{{"user":{{"name":"Zug {clock}"}}}}"#);
        sender
            .send_frame(awareness_frame(&[(700_001, clock, &state)]))
            .await;
    }
    barrier(&mut sender, "all 60 handled").await;
    assert_eq!(
        sender.seen.denied,
        [AWARENESS_RATE_NOTICE],
        "told once, not per message"
    );
    // The burst was relayed, the rest dropped.
    barrier(&mut watcher, "the relays").await;
    let relayed = watcher
        .seen
        .awareness
        .iter()
        .filter(|(client, _, _)| *client == 700_001)
        .count();
    assert!((20..60).contains(&relayed), "{relayed} of 60 relayed");
    assert!(sender.seen.closed.is_none());
}

#[tokio::test]
async fn echoed_awareness_does_not_use_up_the_rate() {
    let (server, board, mut sender, mut watcher) = awareness_pair().await;
    let (_, token) = server.join(&board, "Jonas").await;
    let mut other = Client::connect(&server, &board.id, &token).await;
    other
        .send_frame(awareness_frame(&[(
            800_001,
            1,
            r#"{"user":{"name":"Jonas"}}"#,
        )]))
        .await;
    sender
        .pump_until(|c| has_state(c, "Jonas"), "the other's state")
        .await;
    // A stock client sends back every state it receives: in a busy room,
    // far more than its own allowance.
    for _ in 0..60 {
        sender
            .send_frame(awareness_frame(&[(
                800_001,
                1,
                r#"{"user":{"name":"Jonas"}}"#,
            )]))
            .await;
    }
    send_marker(&mut sender, &mut watcher, 800_002, 1).await;
    barrier(&mut sender, "the marker handled").await;
    assert!(sender.seen.denied.is_empty(), "{:?}", sender.seen.denied);
}

#[tokio::test]
async fn twenty_refused_edits_close_the_connection_with_4403() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Wiederholungstäter").await;
    let (bob_id, bob_token) = server.join(&board, "Bob").await;
    let mut bob = Client::connect(&server, &board.id, &bob_token).await;
    // Participants may not set the phase; each attempt is one refusal.
    for n in 0..19 {
        let refused = edit_refused(
            &mut bob,
            |txn| {
                txn.get_or_insert_map("meta")
                    .insert(txn, "phase", format!("phase{n}"));
            },
            "a refusal",
        )
        .await;
        assert!(refused, "attempt {n} is refused");
    }
    // Still open after 19: a legal edit goes through.
    let refused = edit_refused(
        &mut bob,
        |txn| create_card(txn, "cardBobLegal01", &bob_id, "erlaubt"),
        "a legal edit after 19 refusals",
    )
    .await;
    assert!(!refused, "{:?}", bob.seen.denied);
    bob.edit(|_, txn| {
        txn.get_or_insert_map("meta")
            .insert(txn, "phase", "phase19");
    })
    .await;
    let (code, reason) = bob.expect_close().await;
    assert_eq!((code, reason.as_str()), (4403, "too many refused edits"));
    assert_eq!(bob.seen.denied.len(), 20);
}

#[tokio::test]
async fn a_venue_behind_one_address_is_not_locked_out() {
    // Default limits; every connection comes from 127.0.0.1, like a venue
    // behind one public address.
    const PEOPLE: usize = 60;
    let server = Server::start(&[]).await;
    let board = server.create_board("Stadtteilkonferenz").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    // Revealed, so every phone reads every card.
    moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        })
        .await;
    let mut phones = Vec::new();
    for n in 0..PEOPLE {
        let (id, token) = server.join(&board, &format!("Person {n}")).await;
        let phone = Client::connect(&server, &board.id, &token).await;
        phones.push((id, phone));
    }
    for (n, (id, phone)) in phones.iter_mut().enumerate() {
        let card = format!("cardVenue{n:04}");
        phone
            .edit(|_, txn| create_card(txn, &card, id, "Treffpunkt im Stadtteil"))
            .await;
    }
    moderator
        .pump_until(
            |c| c.json()["cards"].as_object().map(serde_json::Map::len) == Some(PEOPLE),
            "every phone's card",
        )
        .await;
    let want = moderator.json();
    for (_, phone) in &mut phones {
        phone
            .pump_until(|c| c.json() == want, "every card at every phone")
            .await;
        assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    }
}
