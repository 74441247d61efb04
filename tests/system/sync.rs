//! Sync with several yrs clients: convergence, late joiners, awareness.

use crate::common::frames::awareness_frame;
use crate::common::{Client, Server, covers};
use kartenwand::protocol::Message;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use yrs::{Array, Doc, GetString, Map, Text, WriteTxn};

/// One random edit of a map, an array or a text.
fn random_edit(
    rng: &mut ChaCha8Rng,
    doc: &Doc,
    txn: &mut yrs::TransactionMut<'_>,
    who: usize,
    step: usize,
) {
    let _ = doc;
    match rng.random_range(0..6) {
        0 | 1 => {
            let cards = txn.get_or_insert_map("cards");
            cards.insert(
                txn,
                format!("card-{}", rng.random_range(0..12)),
                format!("Bedarf {who}/{step}: Größe"),
            );
        }
        2 => {
            let cards = txn.get_or_insert_map("cards");
            cards.remove(txn, &format!("card-{}", rng.random_range(0..12)));
        }
        3 => {
            let agenda = txn.get_or_insert_array("agenda");
            let len = agenda.len(txn);
            agenda.insert(
                txn,
                rng.random_range(0..=len),
                format!("Phase {who}/{step}"),
            );
        }
        4 => {
            let agenda = txn.get_or_insert_array("agenda");
            let len = agenda.len(txn);
            if len > 0 {
                agenda.remove(txn, rng.random_range(0..len));
            }
        }
        _ => {
            let notes = txn.get_or_insert_text("notes");
            let len = notes.len(txn);
            if len > 4 && rng.random_bool(0.3) {
                notes.remove_range(txn, rng.random_range(0..len - 2), 2);
            } else {
                notes.insert(txn, rng.random_range(0..=len), "Übergang ");
            }
        }
    }
}

#[tokio::test]
async fn seeded_random_edits_from_three_clients_converge() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Konvergenz").await;
    // Three moderator connections: sync is under test here, not the
    // ownership rule (see authorization.rs).
    let tokens = [
        board.moderator_token.clone(),
        board.moderator_token.clone(),
        board.moderator_token.clone(),
    ];
    let mut clients = Vec::new();
    for token in &tokens {
        clients.push(Client::connect(&server, &board.id, token).await);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(20261121);
    for step in 0..60 {
        // Each round, every client edits before any of them reads: the
        // edits are concurrent.
        for (who, client) in clients.iter_mut().enumerate() {
            let edits = rng.random_range(1..4);
            let seed: u64 = rng.random();
            client
                .edit(|doc, txn| {
                    let mut local = ChaCha8Rng::seed_from_u64(seed);
                    for _ in 0..edits {
                        random_edit(&mut local, doc, txn, who, step);
                    }
                })
                .await;
        }
    }
    // A final marker per client: receiving it means everything that client
    // sent before it arrived too (the server relays in order).
    for (who, client) in clients.iter_mut().enumerate() {
        client
            .edit(|_, txn| {
                txn.get_or_insert_map("done")
                    .insert(txn, format!("client-{who}"), true);
            })
            .await;
    }
    let mut expected = yrs::StateVector::default();
    for client in &clients {
        expected.merge(client.state_vector());
    }
    for client in &mut clients {
        let want = expected.clone();
        client
            .pump_until(|c| covers(&c.state_vector(), &want), "all clients' edits")
            .await;
    }
    let reference = clients[0].json();
    for client in &clients {
        assert_eq!(client.json(), reference);
    }
    assert_eq!(reference["done"].as_object().map(|m| m.len()), Some(3));

    let late = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_eq!(late.json(), reference, "a late joiner gets the full state");
    assert_eq!(late.json()["meta"]["title"], "Konvergenz");
}

#[tokio::test]
async fn late_joiner_gets_text_written_before_it_came() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Nachzügler").await;
    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;
    writer
        .edit(|_, txn| {
            let notes = txn.get_or_insert_text("notes");
            notes.insert(txn, 0, "Wohnung, Sprachkurs, Arbeit");
        })
        .await;
    writer
        .pump_until(
            |c| !c.seen.received_updates.is_empty(),
            "the echo of our own update",
        )
        .await;
    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    let notes = late.doc.get_or_insert_text("notes");
    let txn = yrs::Transact::transact(&late.doc);
    assert_eq!(notes.get_string(&txn), "Wohnung, Sprachkurs, Arbeit");
}

#[tokio::test]
async fn many_simultaneous_joiners_share_one_room() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Ansturm").await;
    let mut joins = Vec::new();
    for _ in 0..30 {
        let url_server = &server;
        joins.push(Client::connect(
            url_server,
            &board.id,
            &board.moderator_token,
        ));
    }
    let mut clients = futures_util::future::join_all(joins).await;
    for (index, client) in clients.iter_mut().enumerate() {
        client
            .edit(|_, txn| {
                txn.get_or_insert_map("cards")
                    .insert(txn, format!("card-{index}"), index as i64);
            })
            .await;
    }
    for client in &mut clients {
        client
            .pump_until(
                |c| {
                    c.json()["cards"]
                        .as_object()
                        .is_some_and(|cards| cards.len() == 30)
                },
                "all 30 cards",
            )
            .await;
    }
}

#[tokio::test]
async fn awareness_is_relayed_and_removed_when_the_connection_closes() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Wer ist da").await;
    let mut a = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut b = Client::connect(&server, &board.id, &board.viewer_token).await;
    let client_a = 4242;
    a.send_frame(awareness_frame(&[(
        client_a,
        1,
        r#"{"user":{"name":"Aylin"}}"#,
    )]))
    .await;
    b.pump_until(
        |c| {
            c.seen
                .awareness
                .iter()
                .any(|(client, _, state)| *client == client_a && state.contains("Aylin"))
        },
        "A's awareness state",
    )
    .await;

    // A new joiner receives the current states right away.
    let mut c = Client::connect(&server, &board.id, &board.viewer_token).await;
    c.pump_until(
        |c| {
            c.seen
                .awareness
                .iter()
                .any(|(client, _, _)| *client == client_a)
        },
        "states on join",
    )
    .await;

    // Query awareness is answered.
    let before = c.seen.awareness.len();
    c.send_message(Message::QueryAwareness).await;
    c.pump_until(
        |c| c.seen.awareness.len() > before,
        "an answer to query awareness",
    )
    .await;

    a.close().await;
    b.pump_until(
        |c| {
            c.seen
                .awareness
                .iter()
                .any(|(client, clock, state)| *client == client_a && *clock == 2 && state == "null")
        },
        "A's state removed after its connection closed",
    )
    .await;
}

#[tokio::test]
async fn updates_are_echoed_to_the_sender_and_sync_step_2_always_comes() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Echo").await;
    // A step 1 with an empty state vector gets a step 2 even on a fresh board.
    let mut client = Client::connect_raw(
        &server,
        &board.id,
        &board.moderator_token,
        crate::common::new_doc(),
    )
    .await;
    client.send_message(Message::SyncStep1(&[0])).await;
    client.pump_until(|c| c.seen.synced, "sync step 2").await;
    let update = client
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").insert(txn, "x", "y");
        })
        .await;
    client
        .pump_until(|c| c.seen.received_updates.contains(&update), "the echo")
        .await;
}

#[tokio::test]
async fn a_plenary_room_holds_updates_briefly_and_delivers_every_one() {
    // 100 peers and more: the room holds what it staged for a few
    // milliseconds to merge it (see the room's COALESCE_PEERS).
    let server = Server::start(&[]).await;
    let board = server.create_board("Plenum").await;
    let mut audience = Vec::new();
    for _ in 0..100 {
        audience.push(Client::connect(&server, &board.id, &board.viewer_token).await);
    }
    let mut writer = Client::connect(&server, &board.id, &board.moderator_token).await;
    for n in 0..40_i64 {
        writer
            .edit(|_, txn| {
                txn.get_or_insert_map("cards")
                    .insert(txn, format!("card{n}"), n);
            })
            .await;
    }
    writer
        .pump_until(Client::all_echoed, "the writer's echoes")
        .await;
    let want = writer.state_vector();
    for listener in &mut audience {
        listener
            .pump_until(
                |c| covers(&c.state_vector(), &want),
                "every update at every listener",
            )
            .await;
    }
    let late = Client::connect(&server, &board.id, &board.viewer_token).await;
    assert_eq!(late.json()["cards"]["card39"], 39.0);
}

#[tokio::test]
async fn an_awareness_state_expires_without_renewal_while_its_connection_stays_open() {
    let server = Server::start(&["--awareness-timeout-seconds", "1"]).await;
    let board = server.create_board("Still").await;
    let mut a = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut b = Client::connect(&server, &board.id, &board.viewer_token).await;
    let client_a = 4343;
    a.send_frame(awareness_frame(&[(
        client_a,
        1,
        r#"{"user":{"name":"Aylin"}}"#,
    )]))
    .await;
    let removed = |c: &Client| {
        c.seen
            .awareness
            .iter()
            .any(|(client, clock, state)| *client == client_a && *clock == 2 && state == "null")
    };
    b.pump_until(
        |c| {
            c.seen
                .awareness
                .iter()
                .any(|(client, _, state)| *client == client_a && state.contains("Aylin"))
        },
        "A's awareness state",
    )
    .await;
    assert!(!removed(&b), "removed at once");
    // A stays connected and silent; the room's tick removes the state and
    // tells everyone, A included (pump_until fails if A's connection closed).
    b.pump_until(removed, "A's state expired").await;
    a.pump_until(removed, "A told of its own expired state")
        .await;
    // A query no longer lists it.
    let mut c = Client::connect(&server, &board.id, &board.viewer_token).await;
    c.send_message(Message::QueryAwareness).await;
    c.send_message(Message::SyncStep1(&[0])).await;
    let step2s = c.seen.frames.len();
    c.pump_until(
        |c| c.seen.frames.len() > step2s,
        "an answer after the query",
    )
    .await;
    assert!(
        !c.seen
            .awareness
            .iter()
            .any(|(client, _, state)| *client == client_a && state != "null"),
        "{:?}",
        c.seen.awareness
    );
}
