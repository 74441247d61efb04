//! What a refusal leaves behind: nothing stored or relayed for an update
//! that names what the board does not have, senders whose refused
//! deletions are brought back (viewers too), refusals counted per identity
//! across reconnects, and awareness tied to the sender's own client ids.

use crate::common::frames::awareness_frame;
use crate::common::{Board, Client, Party, Server, contains_bytes, create_card, new_doc, party};
use kartenwand::protocol::Message;
use serde_json::Value;
use yrs::updates::encoder::Encode;
use yrs::{GetString, Map, ReadTxn, Text, Transact, TransactionMut, WriteTxn};

const NAMES_REFUSED: &str = "this edit names a type or key the board does not have";

struct Scene {
    server: Server,
    board: Board,
    moderator: Client,
    alice: Client,
    alice_id: String,
    alice_token: String,
    bob: Client,
    bob_id: String,
    bob_token: String,
}

/// A board with a moderator, Alice (who wrote a card) and Bob, all synced.
async fn scene() -> Scene {
    let Party {
        server,
        board,
        mut moderator,
        mut alice,
        alice_id,
        alice_token,
        mut bob,
        bob_id,
        bob_token,
    } = party("Größe für Kitas").await;
    // Revealed, so Bob reads Alice's card (before the reveal a card's text
    // reaches only its author's group: tests/node/hidden-cards.test.mjs).
    moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        })
        .await;
    for client in [&mut alice, &mut bob] {
        client
            .pump_until(|c| c.json()["meta"]["revealed"] == true, "the reveal")
            .await;
    }
    let id = alice_id.clone();
    alice
        .edit(|_, txn| create_card(txn, "cardAlice0001", &id, "Kita-Plätze fehlen"))
        .await;
    let has_card = |c: &Client| c.json()["cards"]["cardAlice0001"]["text"] == "Kita-Plätze fehlen";
    moderator.pump_until(has_card, "Alice's card").await;
    alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;
    bob.pump_until(has_card, "Alice's card at Bob's").await;
    Scene {
        server,
        board,
        moderator,
        alice,
        alice_id,
        alice_token,
        bob,
        bob_id,
        bob_token,
    }
}

/// An illegal edit, given the editing participant's id.
type Attempt = fn(&mut TransactionMut<'_>, &str);

/// A participant's update that spells out a 100 KiB map key, or a 100 KiB
/// root name, is refused whole: not stored (the store does not grow by
/// it, the name is nowhere in it), not relayed, and the legal card in the
/// same update does not go in either.
#[tokio::test]
async fn an_update_naming_a_huge_key_or_root_is_refused_whole_and_never_stored() {
    let mut s = scene().await;
    let huge = "HugeKey-".repeat(12_800);
    let needle = b"HugeKey-HugeKey-HugeKey-";
    let attempts: [(&str, Attempt); 2] = [
        ("a 100 KiB card id", |txn, bob| {
            create_card(txn, &"HugeKey-".repeat(12_800), bob, "lang")
        }),
        ("a 100 KiB root name", |txn, _| {
            let root = txn.get_or_insert_map("HugeKey-".repeat(12_800));
            root.insert(txn, "x", "y");
        }),
    ];
    assert_eq!(huge.len(), 102_400);
    for (round, (label, attempt)) in attempts.iter().enumerate() {
        let before = s.server.stored_bytes();
        let moderator_seen = s.moderator.seen.received_updates.len();
        let alice_seen = s.alice.seen.received_updates.len();
        // A fresh client each time: the refused update's clocks never reach
        // the server, so its client id cannot go on.
        let mut bob = Client::connect(&s.server, &s.board.id, &s.bob_token).await;
        let legal = format!("cardBobLegal{round:02}");
        let bob_id = s.bob_id.clone();
        let update = bob
            .edit(|_, txn| {
                create_card(txn, &legal, &bob_id, "Sprachkurs am Abend");
                attempt(txn, &bob_id);
            })
            .await;
        assert!(contains_bytes(&update, needle) && update.len() > 100 * 1024);
        bob.pump_until(|c| !c.seen.denied.is_empty(), label).await;
        assert_eq!(bob.seen.denied, [NAMES_REFUSED], "{label}");

        // Alice's marker comes after whatever the refusal caused.
        let marker = format!("cardAliceMark{round:02}");
        let alice_id = s.alice_id.clone();
        s.alice
            .edit(|_, txn| create_card(txn, &marker, &alice_id, "Elterncafé"))
            .await;
        for client in [&mut s.moderator, &mut s.alice] {
            client
                .pump_until(
                    |c| c.json()["cards"][&marker].is_object() && c.all_echoed(),
                    "Alice's marker",
                )
                .await;
        }
        for (who, client, seen) in [
            ("the moderator", &s.moderator, moderator_seen),
            ("Alice", &s.alice, alice_seen),
        ] {
            let relayed = &client.seen.received_updates[seen..];
            assert_eq!(
                relayed.len(),
                1,
                "{who} received more than Alice's marker after {label}"
            );
            assert!(
                !contains_bytes(&relayed[0], needle),
                "{who} received the name"
            );
            assert!(
                client.json()["cards"][&legal].is_null(),
                "{label}: part went in"
            );
        }
        let grown = s.server.stored_bytes().saturating_sub(before);
        assert!(
            grown < 64 * 1024,
            "the store grew by {grown} bytes after {label}"
        );
        assert!(
            !s.server.stores(needle),
            "the name is in the store after {label}"
        );
        bob.close().await;
    }
    // And not after a restart either.
    let moderator_token = s.board.moderator_token.clone();
    let board = s.board.id.clone();
    let dir = s.server.kill().await.expect("temp dir");
    let server = Server::start_in(dir.path(), &[]).await;
    let late = Client::connect(&server, &board, &moderator_token).await;
    let cards = late.json()["cards"].clone();
    assert_eq!(
        cards.as_object().map(|cards| cards.len()),
        Some(3),
        "Alice's card and two markers only: {cards}"
    );
}

/// A stock client with the viewer token that clears `cards` (y-indexeddb
/// would keep that for good) is refused, and its copy gets the cards back;
/// everyone else keeps them. Reconnecting with that copy is not refused
/// again.
#[tokio::test]
async fn a_viewer_that_clears_the_cards_converges_back_to_the_server() {
    let mut s = scene().await;
    s.moderator
        .edit(|_, txn| {
            create_card(txn, "cardModer0001", "moderator", "Fahrdienst");
            let cards = txn.get_or_insert_map("cards");
            if let Some(yrs::Out::YMap(card)) = cards.get(txn, "cardAlice0001") {
                card.insert(txn, "cluster", "clusterKita01");
            }
        })
        .await;
    let server_state = {
        s.moderator.pump_until(|c| c.all_echoed(), "echo").await;
        s.moderator.json()
    };
    let mut viewer = Client::connect(&s.server, &s.board.id, &s.board.viewer_token).await;
    viewer
        .pump_until(|c| c.json() == server_state, "the board at the viewer's")
        .await;
    viewer
        .edit(|_, txn| {
            let cards = txn.get_or_insert_map("cards");
            cards.clear(txn);
        })
        .await;
    assert_eq!(viewer.json()["cards"], serde_json::json!({}));
    viewer
        .pump_until(|c| !c.seen.denied.is_empty(), "the viewer's refusal")
        .await;
    assert_eq!(viewer.seen.denied, ["viewers cannot edit this board"]);
    converge(&mut viewer, &server_state, "the viewer").await;
    for (who, client) in [("the moderator", &mut s.moderator), ("Alice", &mut s.alice)] {
        converge(client, &server_state, who).await;
    }
    let late = Client::connect(&s.server, &s.board.id, &s.board.moderator_token).await;
    assert_eq!(late.json(), server_state, "stored state");

    // The same copy reconnects: its sync step 2 repeats its whole delete
    // set, which changes nothing now and is no edit.
    let doc = viewer.doc.clone();
    viewer.close().await;
    let mut again = Client::connect_with(&s.server, &s.board.id, &s.board.viewer_token, doc).await;
    again.seen.synced = false;
    let state_vector = again.doc.transact().state_vector().encode_v1();
    again.send_message(Message::SyncStep1(&state_vector)).await;
    again
        .pump_until(|c| c.seen.synced, "an answer after the step 2")
        .await;
    assert!(again.seen.denied.is_empty(), "{:?}", again.seen.denied);
    assert_eq!(again.json(), server_state);
}

/// A participant who deletes inside the moderator's text (no map entry the
/// server could write back by key) gets the text back.
#[tokio::test]
async fn a_participant_deleting_inside_the_moderators_text_converges_back() {
    let mut s = scene().await;
    s.moderator
        .edit(|_, txn| {
            let notes = txn.get_or_insert_text("notes");
            notes.insert(txn, 0, "Größe für Kitas, Übergänge");
        })
        .await;
    s.bob
        .pump_until(
            |c| c.json()["notes"] == "Größe für Kitas, Übergänge",
            "the moderator's text at Bob's",
        )
        .await;
    s.bob
        .edit(|_, txn| {
            let notes = txn.get_or_insert_text("notes");
            notes.remove_range(txn, 2, 10);
        })
        .await;
    s.bob
        .pump_until(|c| !c.seen.denied.is_empty(), "Bob's refusal")
        .await;
    let server_state = s.moderator.json();
    assert_eq!(server_state["notes"], "Größe für Kitas, Übergänge");
    converge(&mut s.bob, &server_state, "Bob").await;
    let text = {
        let txn = s.bob.doc.transact();
        txn.get_text("notes").map(|notes| notes.get_string(&txn))
    };
    assert_eq!(text.as_deref(), Some("Größe für Kitas, Übergänge"));
    let late = Client::connect(&s.server, &s.board.id, &s.board.moderator_token).await;
    assert_eq!(late.json(), server_state, "stored state");
}

/// Twenty refused edits by one identity close it with 4403, however many
/// connections they were spread over; another identity is not affected.
#[tokio::test]
async fn refused_edits_are_counted_per_identity_across_reconnects() {
    let mut s = scene().await;
    for n in 1..=19 {
        s.bob
            .edit(|_, txn| {
                let meta = txn.get_or_insert_map("meta");
                meta.insert(txn, "phase", format!("phase{n}"));
            })
            .await;
    }
    s.bob
        .pump_until(|c| c.seen.denied.len() == 19, "19 refusals")
        .await;
    assert!(s.bob.seen.closed.is_none());
    let bob = std::mem::replace(
        &mut s.bob,
        Client::connect(&s.server, &s.board.id, &s.bob_token).await,
    );
    bob.close().await;
    // Alice's refusal counts for Alice only.
    s.alice
        .edit(|_, txn| {
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "phase", "alice");
        })
        .await;
    s.alice
        .pump_until(|c| !c.seen.denied.is_empty(), "Alice's refusal")
        .await;
    s.bob
        .edit(|_, txn| {
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "phase", "twenty");
        })
        .await;
    assert_eq!(
        s.bob.expect_close().await,
        (4403, "too many refused edits".to_owned())
    );
    // Alice is still connected and can write.
    let alice_id = s.alice_id.clone();
    s.alice
        .edit(|_, txn| create_card(txn, "cardAlice0002", &alice_id, "Elterncafé"))
        .await;
    s.alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;
    assert!(s.alice.seen.closed.is_none());
}

/// Awareness under a client id another identity writes under, or set a
/// state under before its connection closed, is ignored.
#[tokio::test]
async fn awareness_under_another_identitys_client_ids_is_ignored() {
    let mut s = scene().await;
    let alice_document_client = s.alice.doc.client_id().get();
    let alice_awareness = 424_242;
    s.alice
        .send_frame(awareness_frame(&[(
            alice_awareness,
            1,
            r#"{"user":{"name":"Alice"}}"#,
        )]))
        .await;
    let saw = |client: u64, state: &'static str| {
        move |c: &Client| {
            c.seen
                .awareness
                .iter()
                .any(|(id, _, seen)| *id == client && seen == state)
        }
    };
    s.moderator
        .pump_until(
            saw(alice_awareness, r#"{"user":{"name":"Alice"}}"#),
            "Alice's state",
        )
        .await;
    s.alice.close().await;
    s.moderator
        .pump_until(saw(alice_awareness, "null"), "Alice's state removed")
        .await;

    let spoof = awareness_frame(&[
        // Alice's document client id: it has no awareness state at all.
        (
            alice_document_client,
            7,
            r#"{"user":{"name":"Moderation"}}"#,
        ),
        // Alice's awareness id, after her connection closed.
        (alice_awareness, 9, r#"{"user":{"name":"Moderation"}}"#),
    ]);
    s.bob.send_frame(spoof).await;
    let bob_awareness = s.bob.doc.client_id().get();
    s.bob
        .send_frame(awareness_frame(&[(
            bob_awareness,
            1,
            r#"{"user":{"name":"Bob"}}"#,
        )]))
        .await;
    s.moderator
        .pump_until(
            saw(bob_awareness, r#"{"user":{"name":"Bob"}}"#),
            "Bob's own state",
        )
        .await;
    assert!(
        !s.moderator
            .seen
            .awareness
            .iter()
            .any(|(_, _, state)| state.contains("Moderation")),
        "a spoofed state went out: {:?}",
        s.moderator.seen.awareness
    );

    // Alice, back on a new connection, still has her id.
    let mut alice = Client::connect_with(&s.server, &s.board.id, &s.alice_token, new_doc()).await;
    alice
        .send_frame(awareness_frame(&[(
            alice_awareness,
            10,
            r#"{"user":{"name":"Alice, again"}}"#,
        )]))
        .await;
    s.moderator
        .pump_until(
            saw(alice_awareness, r#"{"user":{"name":"Alice, again"}}"#),
            "Alice's state on her new connection",
        )
        .await;
}

/// On a full board, adding is refused but deleting still works (and is
/// not restored).
#[tokio::test]
async fn a_full_board_still_takes_deletions() {
    let server = Server::start(&["--max-document-bytes", "6000"]).await;
    let board = server.create_board("Größe für Kitas").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let text = "Übergang Kita–Schule ".repeat(25);
    let mut written = Vec::new();
    for n in 0..40 {
        let id = format!("cardModer{n:04}");
        moderator
            .edit(|_, txn| create_card(txn, &id, "moderator", &text))
            .await;
        moderator
            .pump_until(
                |c| c.all_echoed() || !c.seen.denied.is_empty(),
                "an echo or a refusal",
            )
            .await;
        if !moderator.seen.denied.is_empty() {
            break;
        }
        written.push(id);
    }
    assert_eq!(
        moderator.seen.denied,
        ["the board has reached its size limit"]
    );
    assert!(written.len() >= 2, "the limit leaves room for a few cards");
    // A fresh client: the refused card's clocks never reached the server.
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let first = written[0].clone();
    moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").remove(txn, &first);
        })
        .await;
    // A deletion changes no state vector, so "all echoed" holds at once:
    // wait for the answer to a sync step 1 sent after it, which the room
    // gives once it has handled the deletion.
    let state_vector = moderator.doc.transact().state_vector().encode_v1();
    moderator.seen.synced = false;
    moderator
        .send_message(Message::SyncStep1(&state_vector))
        .await;
    moderator
        .pump_until(|c| c.seen.synced, "the room to handle the deletion")
        .await;
    let late = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert!(
        late.json()["cards"][&first].is_null(),
        "the deletion was not stored"
    );
    assert!(late.json()["cards"][&written[1]].is_object());
    assert!(
        moderator.seen.denied.is_empty(),
        "{:?}",
        moderator.seen.denied
    );
}

/// Waits (bounded) until the client's document equals `state`.
async fn converge(client: &mut Client, state: &Value, who: &str) {
    let converged = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.pump_until(|c| c.json() == *state, who),
    )
    .await;
    assert!(
        converged.is_ok(),
        "{who} did not converge:\n{who}: {}\nserver: {state}",
        client.json()
    );
}
