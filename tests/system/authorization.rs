//! Roles and the ownership rule: a catalogue of illegal edits from a
//! participant's (modified) client. Each is refused with a reason, nothing of
//! it reaches anyone else or the store, the sender's document converges back
//! to the server's, and legal edits on the same connection still go through.

use crate::common::{Board, Client, Server, http_request_as};
use kartenwand::protocol::Message;
use kartenwand::protocol::awareness::{self, AwarenessEntry};
use serde_json::json;
use std::time::{Duration, Instant};
use yrs::{Doc, Map, MapPrelim, Out, TransactionMut, WriteTxn};

const CLUSTER: &str = "clusterKinder01";

fn create_card(txn: &mut TransactionMut<'_>, id: &str, author: &str, text: &str) {
    let cards = txn.get_or_insert_map("cards");
    let card = cards.insert(txn, id, MapPrelim::default());
    card.insert(txn, "text", text);
    card.insert(txn, "kind", "need");
    card.insert(txn, "author", author);
    card.insert(txn, "createdAt", 1_741_079_400_000.0);
}

fn card_field<'a>(txn: &mut TransactionMut<'a>, id: &str) -> Option<yrs::MapRef> {
    let cards = txn.get_or_insert_map("cards");
    match cards.get(txn, id) {
        Some(Out::YMap(card)) => Some(card),
        _ => None,
    }
}

struct Scene {
    server: Server,
    board: Board,
    moderator: Client,
    alice: Client,
    alice_id: String,
    bob: Client,
    bob_id: String,
    bob_token: String,
    markers: usize,
}

async fn scene() -> Scene {
    let server = Server::start(&[]).await;
    let board = server.create_board("Rechte").await;
    let (alice_id, alice_token) = server.join(&board, "Alice").await;
    let (bob_id, bob_token) = server.join(&board, "Bob").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut alice = Client::connect(&server, &board.id, &alice_token).await;
    let bob = Client::connect(&server, &board.id, &bob_token).await;
    moderator
        .edit(|_, txn| {
            let clusters = txn.get_or_insert_map("clusters");
            let cluster = clusters.insert(txn, CLUSTER, MapPrelim::default());
            cluster.insert(txn, "title", "Kinderbetreuung");
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "votingOpen", true);
            meta.insert(txn, "voteBudget", 3.0);
        })
        .await;
    let id = alice_id.clone();
    alice
        .edit(|_, txn| create_card(txn, "cardAlice0001", &id, "Kita-Plätze fehlen"))
        .await;
    let mut scene = Scene {
        server,
        board,
        moderator,
        alice,
        alice_id,
        bob,
        bob_id,
        bob_token,
        markers: 0,
    };
    scene
        .moderator
        .pump_until(
            |c| c.json()["cards"]["cardAlice0001"]["text"] == "Kita-Plätze fehlen",
            "Alice's card",
        )
        .await;
    scene
        .bob
        .pump_until(
            |c| {
                c.json()["cards"]["cardAlice0001"]["text"] == "Kita-Plätze fehlen"
                    && c.json()["meta"]["voteBudget"] == 3.0
            },
            "Alice's card and the moderator's set-up at Bob's",
        )
        .await;
    scene
}

impl Scene {
    /// Bob makes an illegal edit; then a legal one on the same connection.
    async fn attempt(&mut self, label: &str, illegal: impl FnOnce(&mut TransactionMut<'_>)) {
        let denied = self.bob.seen.denied.len();
        self.bob.edit(|_, txn| illegal(txn)).await;
        self.bob
            .pump_until(
                |c| c.seen.denied.len() > denied,
                &format!("a refusal of: {label}"),
            )
            .await;
        self.assert_contained(label).await;
    }

    /// A legal edit from Bob arrives everywhere, the illegal one nowhere,
    /// and Bob's document converges back to the server's.
    async fn assert_contained(&mut self, label: &str) {
        self.markers += 1;
        let marker = format!("cardBobMark{:04}", self.markers);
        let bob = self.bob_id.clone();
        self.bob
            .edit(|_, txn| create_card(txn, &marker, &bob, "Sprachkurs am Abend"))
            .await;
        self.moderator
            .pump_until(
                |c| c.json()["cards"][&marker]["author"] == bob.as_str(),
                &format!("Bob's legal edit after: {label}"),
            )
            .await;
        let server_state = self.moderator.json();
        let converged = tokio::time::timeout(
            Duration::from_secs(5),
            self.bob.pump_until(|c| c.json() == server_state, label),
        )
        .await;
        assert!(
            converged.is_ok(),
            "Bob did not converge back after {label}:\nBob:    {}\nserver: {server_state}",
            self.bob.json()
        );
        let late = Client::connect(&self.server, &self.board.id, &self.board.moderator_token).await;
        assert_eq!(late.json(), server_state, "stored state after: {label}");
    }
}

#[tokio::test]
async fn a_participant_cannot_damage_what_is_not_theirs() {
    let mut s = scene().await;
    let alice_id = s.alice_id.clone();
    let before_alice = s.moderator.json()["cards"]["cardAlice0001"].clone();

    s.attempt("delete another's card", |txn| {
        txn.get_or_insert_map("cards").remove(txn, "cardAlice0001");
    })
    .await;
    s.attempt("edit another's card", |txn| {
        if let Some(card) = card_field(txn, "cardAlice0001") {
            card.insert(txn, "text", "überschrieben");
        }
    })
    .await;
    s.attempt("rename a cluster", |txn| {
        let clusters = txn.get_or_insert_map("clusters");
        if let Some(Out::YMap(cluster)) = clusters.get(txn, CLUSTER) {
            cluster.insert(txn, "title", "Umbenannt");
        }
    })
    .await;
    s.attempt("move a card into a cluster", |txn| {
        if let Some(card) = card_field(txn, "cardBobMark0001") {
            card.insert(txn, "cluster", CLUSTER);
        }
    })
    .await;
    s.attempt("change meta and the phase", |txn| {
        let meta = txn.get_or_insert_map("meta");
        meta.insert(txn, "writingOpen", false);
        meta.insert(txn, "phase", "cases");
    })
    .await;
    s.attempt("forge authorship", |txn| {
        create_card(txn, "cardForged0001", &alice_id, "Ich bin Alice")
    })
    .await;
    s.attempt("create someone else's profile", |txn| {
        let participants = txn.get_or_insert_map("participants");
        let me = participants.insert(txn, "someoneElse1", MapPrelim::default());
        me.insert(txn, "name", "Niemand");
    })
    .await;
    s.attempt("vote for someone else", |txn| {
        txn.get_or_insert_map("votes")
            .insert(txn, format!("{}:{CLUSTER}", "someoneElse1"), 1.0);
    })
    .await;
    let over_budget = format!("{}:{CLUSTER}", s.bob_id);
    let key = over_budget.clone();
    s.attempt("vote over the budget", move |txn| {
        txn.get_or_insert_map("votes")
            .insert(txn, key.as_str(), 5.0);
    })
    .await;
    s.attempt("clear the whole cards map", |txn| {
        let cards = txn.get_or_insert_map("cards");
        cards.clear(txn);
    })
    .await;

    // Within the budget, a vote goes through.
    let key = over_budget.clone();
    s.bob
        .edit(move |_, txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 2.0);
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["votes"][over_budget.as_str()] == 2.0,
            "Bob's legal vote",
        )
        .await;
    assert_eq!(
        s.moderator.json()["cards"]["cardAlice0001"],
        before_alice,
        "Alice's card is untouched"
    );
    assert_eq!(s.alice.json()["cards"]["cardAlice0001"], before_alice);
    assert!(s.moderator.json()["cards"].get("cardForged0001").is_none());
    assert_eq!(
        s.moderator.json()["clusters"][CLUSTER]["title"],
        "Kinderbetreuung"
    );
}

#[tokio::test]
async fn a_participant_may_edit_and_delete_only_their_own_card() {
    let mut s = scene().await;
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| create_card(txn, "cardBobOwn0001", &bob, "Wohnung gesucht"))
        .await;
    s.bob
        .edit(|_, txn| {
            if let Some(card) = card_field(txn, "cardBobOwn0001") {
                card.insert(txn, "text", "Wohnung dringend gesucht");
            }
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["cards"]["cardBobOwn0001"]["text"] == "Wohnung dringend gesucht",
            "Bob's edit",
        )
        .await;
    s.bob
        .edit(|_, txn| {
            txn.get_or_insert_map("cards").remove(txn, "cardBobOwn0001");
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["cards"].get("cardBobOwn0001").is_none(),
            "Bob's deletion",
        )
        .await;
    assert!(
        s.bob.seen.denied.is_empty(),
        "nothing refused: {:?}",
        s.bob.seen.denied
    );

    // Once the moderator closes writing, even own cards stay as they are.
    s.moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta")
                .insert(txn, "writingOpen", false);
        })
        .await;
    s.bob
        .pump_until(
            |c| c.json()["meta"]["writingOpen"] == false,
            "writing closed",
        )
        .await;
    let denied = s.bob.seen.denied.len();
    s.bob
        .edit(|_, txn| create_card(txn, "cardLate00001", &bob, "zu spät"))
        .await;
    s.bob
        .pump_until(
            |c| c.seen.denied.len() > denied,
            "the refusal of a late card",
        )
        .await;
    assert!(
        s.bob
            .seen
            .denied
            .last()
            .is_some_and(|reason| reason.contains("closed")),
        "{:?}",
        s.bob.seen.denied
    );
    // A moderator edit as a marker: after it, everyone agrees.
    s.moderator
        .edit(|_, txn| {
            txn.get_or_insert_map("meta").insert(txn, "revealed", true);
        })
        .await;
    s.bob
        .pump_until(|c| c.json()["meta"]["revealed"] == true, "the marker")
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["meta"]["revealed"] == true,
            "the marker's echo",
        )
        .await;
    let server_state = s.moderator.json();
    assert!(server_state["cards"].get("cardLate00001").is_none());
    s.bob
        .pump_until(|c| c.json() == server_state, "Bob converging back")
        .await;
}

#[tokio::test]
async fn writing_under_another_participants_client_id_is_refused() {
    let s = scene().await;
    let alice_client = s.alice.doc.client_id().get();
    // Bob's token, but a document that claims Alice's client id.
    let mut impostor = Client::connect_with(
        &s.server,
        &s.board.id,
        &s.bob_token,
        Doc::with_client_id(alice_client),
    )
    .await;
    let bob = s.bob_id.clone();
    impostor
        .edit(|_, txn| create_card(txn, "cardImpostor01", &bob, "unter fremder Id"))
        .await;
    impostor
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal")
        .await;
    assert!(
        impostor.seen.denied[0].contains("client id"),
        "{:?}",
        impostor.seen.denied
    );
    let late = Client::connect(&s.server, &s.board.id, &s.board.moderator_token).await;
    assert!(late.json()["cards"].get("cardImpostor01").is_none());
    // Alice herself keeps writing under her id.
    let mut alice = s.alice;
    let id = s.alice_id.clone();
    alice
        .edit(|_, txn| create_card(txn, "cardAlice0002", &id, "zweite Karte"))
        .await;
    alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;
    assert!(alice.seen.denied.is_empty());
}

#[tokio::test]
async fn awareness_cannot_be_spoofed_for_someone_else() {
    let mut s = scene().await;
    let alice_awareness = 777_001;
    let honest = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 1,
        state: r#"{"user":"Alice"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&honest)).await;
    s.moderator
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(client, _, _)| *client == alice_awareness)
            },
            "Alice's state",
        )
        .await;
    let spoof = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 9,
        state: r#"{"user":"Mallory"}"#,
    }]);
    s.bob.send_message(Message::Awareness(&spoof)).await;
    let renewed = awareness::encode([AwarenessEntry {
        client: alice_awareness,
        clock: 2,
        state: r#"{"user":"Alice again"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&renewed)).await;
    s.moderator
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(_, _, state)| state.contains("Alice again"))
            },
            "Alice's renewal",
        )
        .await;
    assert!(
        !s.moderator
            .seen
            .awareness
            .iter()
            .any(|(_, _, state)| state.contains("Mallory"))
    );
    // Echoes of others' states (stock y-websocket clients send them) are
    // ignored without a refusal.
    s.bob
        .pump_until(
            |c| {
                c.seen
                    .awareness
                    .iter()
                    .any(|(_, _, state)| state.contains("Alice again"))
            },
            "Alice's renewal at Bob's",
        )
        .await;
    // Five states held by others (a room of six with a stock client).
    let extra = awareness::encode((1..=3).map(|n| AwarenessEntry {
        client: 888_000 + n,
        clock: 1,
        state: r#"{"user":"Moderation"}"#,
    }));
    s.moderator.send_message(Message::Awareness(&extra)).await;
    let second = awareness::encode([AwarenessEntry {
        client: alice_awareness + 1,
        clock: 1,
        state: r#"{"user":"Alice, Tablet"}"#,
    }]);
    s.alice.send_message(Message::Awareness(&second)).await;
    s.bob
        .pump_until(
            |c| {
                let clients: std::collections::HashSet<u64> = c
                    .seen
                    .awareness
                    .iter()
                    .map(|(client, _, _)| *client)
                    .collect();
                clients.len() >= 5
            },
            "five states held by others",
        )
        .await;
    let others: Vec<(u64, u64, String)> = s.bob.seen.awareness.clone();
    let echo = awareness::encode(others.iter().map(|(client, clock, state)| AwarenessEntry {
        client: *client,
        clock: *clock,
        state,
    }));
    s.bob.send_message(Message::Awareness(&echo)).await;
    // The answer to a query comes after whatever the echo caused.
    let seen = s.bob.seen.awareness.len();
    s.bob.send_message(Message::QueryAwareness).await;
    s.bob
        .pump_until(|c| c.seen.awareness.len() > seen, "the answer to a query")
        .await;
    assert!(s.bob.seen.denied.is_empty(), "{:?}", s.bob.seen.denied);
}

#[tokio::test]
async fn a_removed_participant_is_disconnected_within_a_second_and_stays_out() {
    let mut s = scene().await;
    let path = format!("/api/boards/{}/participants/{}", s.board.id, s.bob_id);
    let (status, _) =
        http_request_as(s.server.addr, Some(&s.alice_id), "DELETE", &path, None).await;
    assert_eq!(status, 403, "a participant id is not a token");
    let (_, alice_token) = s.server.join(&s.board, "Eve").await;
    let (status, _) =
        http_request_as(s.server.addr, Some(&alice_token), "DELETE", &path, None).await;
    assert_eq!(status, 403, "only the moderator removes participants");

    let started = Instant::now();
    let (status, _) = http_request_as(
        s.server.addr,
        Some(&s.board.moderator_token),
        "DELETE",
        &path,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (code, reason) = s.bob.expect_close().await;
    let elapsed = started.elapsed();
    assert_eq!(code, 4401, "{reason}");
    assert!(elapsed < Duration::from_secs(1), "closed after {elapsed:?}");
    let url = s.server.ws_url(&s.board.id, &s.bob_token);
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
}

#[tokio::test]
async fn the_moderator_rotates_the_join_code_and_the_viewer_token() {
    let s = scene().await;
    let addr = s.server.addr;
    let moderator = Some(s.board.moderator_token.as_str());
    let (status, session) = http_request_as(
        addr,
        moderator,
        "GET",
        &format!("/api/boards/{}", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(session["role"], "moderator");
    assert_eq!(session["join_code"], s.board.join_code.as_str());
    let (status, session) = http_request_as(
        addr,
        Some(&s.bob_token),
        "GET",
        &format!("/api/boards/{}", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(session["role"], "participant");
    assert!(
        session.get("join_code").is_none(),
        "participants do not see the join code"
    );

    let (status, rotated) = http_request_as(
        addr,
        moderator,
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let new_code = rotated["join_code"].as_str().expect("code").to_owned();
    assert_ne!(new_code, s.board.join_code);
    let join = |code: &str| json!({"join_code": code, "name": "Nachzüglerin", "sector": "politik"});
    let path = format!("/api/boards/{}/join", s.board.id);
    let (status, _) =
        http_request_as(addr, None, "POST", &path, Some(&join(&s.board.join_code))).await;
    assert_eq!(status, 403, "the old code no longer works");
    let (status, _) = http_request_as(addr, None, "POST", &path, Some(&join(&new_code))).await;
    assert_eq!(status, 201);

    let mut presenter = Client::connect(&s.server, &s.board.id, &s.board.viewer_token).await;
    let (status, viewer) = http_request_as(
        addr,
        moderator,
        "POST",
        &format!("/api/boards/{}/viewer-token", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (code, _) = presenter.expect_close().await;
    assert_eq!(code, 4401);
    let old = s.server.ws_url(&s.board.id, &s.board.viewer_token);
    assert_eq!(crate::common::refused_upgrade_status(&old).await, 403);
    let new_token = viewer["viewer_token"].as_str().expect("token");
    Client::connect(&s.server, &s.board.id, new_token).await;
    let (status, _) = http_request_as(
        addr,
        Some(new_token),
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = http_request_as(
        addr,
        None,
        "POST",
        &format!("/api/boards/{}/join-code", s.board.id),
        None,
    )
    .await;
    assert_eq!(status, 401);
}
