//! Roles and the ownership rule: a catalogue of illegal edits from a
//! participant's (modified) client and from a viewer, one rule per attempt.
//! Each is refused with a reason; no other client ever shows any of it and
//! no frame they receive holds its values; the sender's document converges
//! back to the server's; a legal edit on the same connection still goes
//! through; and after a SIGKILL and restart on the same data directory the
//! document still lacks it and no database file holds its values. The
//! scene and those checks: `common/rights.rs`; here, tables of attempts.

use crate::common::frames::{awareness_frame, has_state};
use crate::common::rights::{
    ALICE_CARD, ALICE_PROPOSAL, Attempt, BOB_CARD, BOB_CONFIRMED, BOB_PROPOSAL, CLUSTER, CLUSTER_2,
    FOCAL_1, FOCAL_2, PHASE_1, PHASE_2, TIMER_ENDS_AT, proposal, scene,
};
use crate::common::{Client, at, create_card, http_request_as, new_doc, put, set};
use kartenwand::protocol::Message;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use yrs::updates::decoder::Decode;
use yrs::{Doc, Map, Out, ReadTxn, StateVector, Transact, TransactionMut, Update, WriteTxn};

fn card_field(txn: &mut TransactionMut<'_>, id: &str) -> Option<yrs::MapRef> {
    let cards = txn.get_or_insert_map("cards");
    match cards.get(txn, id) {
        Some(Out::YMap(card)) => Some(card),
        _ => None,
    }
}

#[tokio::test]
async fn a_participant_cannot_damage_what_is_not_theirs() {
    let mut s = scene().await;
    let alice_id = s.alice_id.clone();
    let before_alice = s.moderator.json()["cards"][ALICE_CARD].clone();
    let alice_card = move |json: &Value| json["cards"][ALICE_CARD] == before_alice;
    let foreign_vote = format!("someoneElse1:{CLUSTER}");
    let foreign_vote_absent = {
        let key = foreign_vote.clone();
        move |json: &Value| json["votes"].get(&key).is_none()
    };
    // Over the budget of 3; no later edit touches this key, so a stored 5
    // would be there after the restart, and a relayed one in the histories.
    let over_budget = format!("{}:{CLUSTER}", s.bob_id);
    let over_budget_absent = {
        let key = over_budget.clone();
        move |json: &Value| json["votes"].get(&key).is_none()
    };
    s.attempt_each(vec![
        Attempt::new(
            "delete another's card",
            |txn| {
                txn.get_or_insert_map("cards").remove(txn, ALICE_CARD);
            },
            alice_card.clone(),
        ),
        Attempt::new(
            "edit another's card",
            |txn| set(txn, "cards", ALICE_CARD, "text", "überschrieben".into()),
            alice_card.clone(),
        )
        .forbidding(&["überschrieben"]),
        Attempt::new(
            "rename a cluster",
            |txn| set(txn, "clusters", CLUSTER, "title", "Umbenannt".into()),
            |json| at(json, &format!("/clusters/{CLUSTER}/title")) == "Kinderbetreuung",
        )
        .forbidding(&["Umbenannt"]),
        Attempt::new(
            "move a card into a cluster",
            |txn| set(txn, "cards", BOB_CARD, "cluster", CLUSTER.into()),
            |json| at(json, &format!("/cards/{BOB_CARD}/cluster")).is_null(),
        ),
        Attempt::new(
            "change meta",
            |txn| {
                txn.get_or_insert_map("meta")
                    .insert(txn, "writingOpen", false);
            },
            |json| at(json, "/meta/writingOpen").is_null(),
        ),
        Attempt::new(
            "forge authorship",
            |txn| create_card(txn, "cardForged0001", &alice_id, "Ich bin Alice"),
            |json| at(json, "/cards/cardForged0001").is_null(),
        )
        .forbidding(&["Ich bin Alice"]),
        Attempt::new(
            "create someone else's profile",
            |txn| {
                put(
                    txn,
                    "participants",
                    "someoneElse1",
                    &[("name", "Niemand".into())],
                )
            },
            |json| at(json, "/participants/someoneElse1").is_null(),
        )
        .forbidding(&["Niemand"]),
        Attempt::new(
            "vote for someone else",
            |txn| {
                txn.get_or_insert_map("votes")
                    .insert(txn, foreign_vote.as_str(), 1.0);
            },
            foreign_vote_absent,
        ),
        Attempt::new(
            "vote over the budget",
            |txn| {
                txn.get_or_insert_map("votes")
                    .insert(txn, over_budget.as_str(), 5.0);
            },
            over_budget_absent,
        ),
        Attempt::new(
            "clear the whole cards map",
            |txn| {
                let cards = txn.get_or_insert_map("cards");
                cards.clear(txn);
            },
            alice_card.clone(),
        ),
    ])
    .await;

    // Within the budget, a vote goes through.
    let legal_vote = format!("{}:{CLUSTER_2}", s.bob_id);
    let key = legal_vote.clone();
    s.bob
        .edit(move |_, txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 2.0);
        })
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["votes"][legal_vote.as_str()] == 2.0,
            "Bob's legal vote",
        )
        .await;
    // Each vote within the limit, but together over the budget: 2 + 2 > 3.
    let second_vote = format!("{}:{CLUSTER}", s.bob_id);
    let key = second_vote.clone();
    s.attempt(Attempt::new(
        "votes that add up to more than the budget",
        move |txn| {
            txn.get_or_insert_map("votes")
                .insert(txn, key.as_str(), 2.0);
        },
        move |json| json["votes"].get(&second_vote).is_none(),
    ))
    .await;
    assert_eq!(s.bob.seen.denied.len(), 11, "{:?}", s.bob.seen.denied);
    s.assert_nothing_stored().await;
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
            txn.get_or_insert_map("meta").insert(txn, "focus", "votes");
        })
        .await;
    s.bob
        .pump_until(|c| c.json()["meta"]["focus"] == "votes", "the marker")
        .await;
    s.moderator
        .pump_until(
            |c| c.json()["meta"]["focus"] == "votes",
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
async fn a_viewer_writes_nothing() {
    let mut s = scene().await;
    s.as_viewer().await;
    s.attempt_each(vec![
        Attempt::new(
            "write a card as a viewer",
            |txn| create_card(txn, "cardBeamer0001", "moderator", "vom Beamer"),
            |json| at(json, "/cards/cardBeamer0001").is_null(),
        )
        .forbidding(&["vom Beamer"]),
        // Only inserts: what a viewer's overwrite or deletion leaves on the
        // viewer's own screen is another matter (docs/protocol.md).
        Attempt::new(
            "add a meta field as a viewer",
            |txn| {
                txn.get_or_insert_map("meta").insert(txn, "focus", "votes");
            },
            |json| at(json, "/meta/focus").is_null(),
        ),
        Attempt::new(
            "add a field to a card as a viewer",
            |txn| {
                set(
                    txn,
                    "cards",
                    ALICE_CARD,
                    "editedAt",
                    1_741_079_999_000.0.into(),
                )
            },
            |json| at(json, &format!("/cards/{ALICE_CARD}/editedAt")).is_null(),
        ),
    ])
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn writing_under_another_participants_client_id_is_refused() {
    let mut s = scene().await;
    let alice_client = s.alice.doc.client_id().get();
    // Bob's token, but a document that claims Alice's client id, holding
    // what the server has (as a modified client would).
    let impostor_doc = Doc::with_client_id(alice_client);
    let state = s
        .moderator
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    impostor_doc
        .transact_mut()
        .apply_update(Update::decode_v1(&state).expect("valid"))
        .expect("applies");
    let impostor = Client::connect_with(&s.server, &s.board.id, &s.bob_token, impostor_doc).await;
    let honest = std::mem::replace(&mut s.bob, impostor);
    let mark = s.mark();
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| create_card(txn, "cardImpostor01", &bob, "unter fremder Id"))
        .await;
    s.refused("write under another participant's client id", &mark)
        .await;
    assert!(
        s.bob.seen.denied[mark.denied].contains("client id"),
        "{:?}",
        s.bob.seen.denied
    );
    // The same connection goes on under a client id of its own (what Yjs
    // does when it notices a clash).
    let own = new_doc();
    let state = s
        .bob
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    own.transact_mut()
        .apply_update(Update::decode_v1(&state).expect("valid"))
        .expect("applies");
    s.bob.doc = own;
    s.confirm(
        "write under another participant's client id",
        mark,
        |json| at(json, "/cards/cardImpostor01").is_null(),
        &["unter fremder Id"],
    )
    .await;
    // Alice herself keeps writing under her id.
    let id = s.alice_id.clone();
    s.alice
        .edit(|_, txn| create_card(txn, "cardAlice0002", &id, "zweite Karte"))
        .await;
    s.alice.pump_until(|c| c.all_echoed(), "Alice's echo").await;
    assert!(s.alice.seen.denied.is_empty());
    drop(honest);
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_reloaded_phone_writes_again_under_its_earlier_client_id() {
    let s = scene().await;
    let bob_client = s.bob.doc.client_id().get();
    let bob_id = s.bob_id.clone();
    // What the phone kept (IndexedDB) before it reloads: its own document.
    let kept = s
        .bob
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    s.bob.close().await;
    let reload = |kept: &[u8]| {
        let doc = Doc::with_client_id(bob_client);
        doc.transact_mut()
            .apply_update(Update::decode_v1(kept).expect("valid"))
            .expect("applies");
        doc
    };
    let mut phone = Client::connect_with(&s.server, &s.board.id, &s.bob_token, reload(&kept)).await;
    phone
        .edit(|_, txn| create_card(txn, "cardNachReload", &bob_id, "nach dem Neuladen"))
        .await;
    phone
        // The echo or a refusal (`all_echoed` cannot tell: the phone's
        // `received` copy lacks its earlier items).
        .pump_until(
            |c| !c.seen.received_updates.is_empty() || !c.seen.denied.is_empty(),
            "the echo after the reload",
        )
        .await;
    assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    assert_eq!(phone.doc.client_id().get(), bob_client);

    // The binding of the client id survives a restart of the server.
    let kept = phone
        .doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    drop(phone);
    let server = s.server.restart(&[]).await;
    let mut phone = Client::connect_with(&server, &s.board.id, &s.bob_token, reload(&kept)).await;
    phone
        .edit(|_, txn| create_card(txn, "cardNachStart", &bob_id, "nach dem Neustart"))
        .await;
    phone
        // The echo or a refusal (`all_echoed` cannot tell: the phone's
        // `received` copy lacks its earlier items).
        .pump_until(
            |c| !c.seen.received_updates.is_empty() || !c.seen.denied.is_empty(),
            "the echo after the restart",
        )
        .await;
    assert!(phone.seen.denied.is_empty(), "{:?}", phone.seen.denied);
    let moderator = Client::connect(&server, &s.board.id, &s.board.moderator_token).await;
    let json = moderator.json();
    assert_eq!(at(&json, "/cards/cardNachReload/text"), "nach dem Neuladen");
    assert_eq!(at(&json, "/cards/cardNachStart/text"), "nach dem Neustart");
}

#[tokio::test]
async fn a_wrong_secret_for_a_valid_participant_is_refused_before_the_upgrade() {
    let s = scene().await;
    let (prefix, secret) = s.bob_token.rsplit_once('_').expect("participant token");
    let wrong: String = secret
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    let url = s.server.ws_url(&s.board.id, &format!("{prefix}_{wrong}"));
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
    // Alice's id with Bob's secret.
    let swapped = s.bob_token.replace(&s.bob_id, &s.alice_id);
    let url = s.server.ws_url(&s.board.id, &swapped);
    assert_eq!(crate::common::refused_upgrade_status(&url).await, 403);
    // The real token still works.
    Client::connect(&s.server, &s.board.id, &s.bob_token).await;
}

#[tokio::test]
async fn a_participant_places_only_themselves_and_only_while_placements_are_open() {
    let mut s = scene().await;
    let alice_on_2 = format!("{}:{FOCAL_2}", s.alice_id);
    let alice_on_1 = format!("{}:{FOCAL_1}", s.alice_id);
    let bob_on_1 = format!("{}:{FOCAL_1}", s.bob_id);
    let bob_on_2 = format!("{}:{FOCAL_2}", s.bob_id);
    // Each closure that judges a document owns its copy of the key.
    let absent = |key: &String| {
        let key = key.clone();
        move |json: &Value| json["placements"].get(&key).is_none()
    };
    let present = |key: &String| {
        let key = key.clone();
        move |json: &Value| json["placements"][key.as_str()] == true
    };

    s.attempt_each(vec![
        Attempt::new(
            "place another participant",
            |txn| {
                txn.get_or_insert_map("placements")
                    .insert(txn, alice_on_2.as_str(), true);
            },
            absent(&alice_on_2),
        ),
        Attempt::new(
            "delete another participant's placement",
            |txn| {
                txn.get_or_insert_map("placements").remove(txn, &alice_on_1);
            },
            present(&alice_on_1),
        ),
    ])
    .await;

    s.moderator_sets("placementsOpen", false.into()).await;
    s.attempt_each(vec![
        Attempt::new(
            "place oneself while placements are closed",
            |txn| {
                txn.get_or_insert_map("placements")
                    .insert(txn, bob_on_2.as_str(), true);
            },
            absent(&bob_on_2),
        ),
        Attempt::new(
            "take back one's placement while placements are closed",
            |txn| {
                txn.get_or_insert_map("placements").remove(txn, &bob_on_1);
            },
            present(&bob_on_1),
        ),
    ])
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_participant_cannot_confirm_or_change_others_agreements() {
    let mut s = scene().await;
    let alice_id = s.alice_id.clone();
    let bob_id = s.bob_id.clone();
    // Holds while `agreements[key]` is as it was before any attempt.
    let unchanged = |key: &'static str, json: &Value| {
        let before = json["agreements"][key].clone();
        move |json: &Value| json["agreements"][key] == before
    };
    let board = s.moderator.json();
    let alice_intact = unchanged(ALICE_PROPOSAL, &board);
    let confirmed_intact = unchanged(BOB_CONFIRMED, &board);
    let own_intact = unchanged(BOB_PROPOSAL, &board);
    let absent =
        |key: &'static str| move |json: &Value| at(json, &format!("/agreements/{key}")).is_null();

    s.attempt_each(vec![
        Attempt::new(
            "propose an agreement as someone else",
            |txn| {
                put(
                    txn,
                    "agreements",
                    "agreeForged0001",
                    &proposal(&alice_id, "Gefälschter Vorschlag"),
                )
            },
            absent("agreeForged0001"),
        )
        .forbidding(&["Gefälschter Vorschlag"]),
        Attempt::new(
            "propose an agreement as already confirmed",
            |txn| {
                let mut fields = proposal(&bob_id, "Schon bestätigt");
                fields.retain(|(field, _)| *field != "status");
                fields.push(("status", "confirmed".into()));
                put(txn, "agreements", "agreeConfirm001", &fields)
            },
            absent("agreeConfirm001"),
        )
        .forbidding(&["Schon bestätigt"]),
        Attempt::new(
            "edit another participant's proposal",
            |txn| {
                set(
                    txn,
                    "agreements",
                    ALICE_PROPOSAL,
                    "what",
                    "Fremd geändert".into(),
                )
            },
            alice_intact.clone(),
        )
        .forbidding(&["Fremd geändert"]),
        Attempt::new(
            "confirm another participant's proposal",
            |txn| {
                set(
                    txn,
                    "agreements",
                    ALICE_PROPOSAL,
                    "status",
                    "confirmed".into(),
                )
            },
            alice_intact.clone(),
        ),
        Attempt::new(
            "delete another participant's proposal",
            |txn| {
                txn.get_or_insert_map("agreements")
                    .remove(txn, ALICE_PROPOSAL);
            },
            alice_intact.clone(),
        ),
        Attempt::new(
            "confirm one's own proposal",
            |txn| {
                set(
                    txn,
                    "agreements",
                    BOB_PROPOSAL,
                    "status",
                    "confirmed".into(),
                )
            },
            own_intact.clone(),
        ),
        Attempt::new(
            "edit one's own proposal after the moderator confirmed it",
            |txn| {
                set(
                    txn,
                    "agreements",
                    BOB_CONFIRMED,
                    "what",
                    "Nachträglich geändert".into(),
                )
            },
            confirmed_intact.clone(),
        )
        .forbidding(&["Nachträglich geändert"]),
    ])
    .await;

    s.moderator_sets("agreementsOpen", false.into()).await;
    s.attempt_each(vec![
        Attempt::new(
            "propose an agreement while agreements are closed",
            |txn| {
                put(
                    txn,
                    "agreements",
                    "agreeLate00001",
                    &proposal(&bob_id, "Zu spät vorgeschlagen"),
                )
            },
            absent("agreeLate00001"),
        )
        .forbidding(&["Zu spät vorgeschlagen"]),
        Attempt::new(
            "edit one's own proposal while agreements are closed",
            |txn| {
                set(
                    txn,
                    "agreements",
                    BOB_PROPOSAL,
                    "what",
                    "Geschlossen geändert".into(),
                )
            },
            own_intact.clone(),
        )
        .forbidding(&["Geschlossen geändert"]),
        Attempt::new(
            "withdraw one's own proposal while agreements are closed",
            |txn| {
                txn.get_or_insert_map("agreements")
                    .remove(txn, BOB_PROPOSAL);
            },
            own_intact.clone(),
        ),
    ])
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_participant_cannot_change_the_phase_or_the_timer() {
    let mut s = scene().await;
    let phase_intact = |json: &Value| at(json, "/meta/phase") == PHASE_1;
    let timer_intact = |json: &Value| {
        at(json, "/meta/timerEndsAt") == TIMER_ENDS_AT && at(json, "/meta/timerRemaining").is_null()
    };
    s.attempt_each(vec![
        Attempt::new(
            "start another phase",
            |txn| {
                txn.get_or_insert_map("meta").insert(txn, "phase", PHASE_2);
            },
            phase_intact,
        ),
        Attempt::new(
            "end the phase",
            |txn| {
                txn.get_or_insert_map("meta").remove(txn, "phase");
            },
            phase_intact,
        ),
        Attempt::new(
            "extend the countdown",
            |txn| {
                txn.get_or_insert_map("meta")
                    .insert(txn, "timerEndsAt", TIMER_ENDS_AT + 600_000.0);
            },
            timer_intact,
        ),
        Attempt::new(
            "pause the countdown",
            |txn| {
                let meta = txn.get_or_insert_map("meta");
                meta.remove(txn, "timerEndsAt");
                meta.insert(txn, "timerRemaining", 754_000.0);
            },
            timer_intact,
        ),
        Attempt::new(
            "set a paused countdown",
            |txn| {
                txn.get_or_insert_map("meta")
                    .insert(txn, "timerRemaining", 60_000.0);
            },
            timer_intact,
        ),
        Attempt::new(
            "stop the countdown",
            |txn| {
                txn.get_or_insert_map("meta").remove(txn, "timerEndsAt");
            },
            timer_intact,
        ),
    ])
    .await;
    s.assert_nothing_stored().await;
}

#[tokio::test]
async fn awareness_cannot_be_spoofed_for_someone_else() {
    let mut s = scene().await;
    let alice_awareness = 777_001;
    s.alice
        .send_frame(awareness_frame(&[(
            alice_awareness,
            1,
            r#"{"user":"Alice"}"#,
        )]))
        .await;
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
    s.bob
        .send_frame(awareness_frame(&[(
            alice_awareness,
            9,
            r#"{"user":"Mallory"}"#,
        )]))
        .await;
    // Ignored, not refused (stock clients echo others' states), and the
    // same connection still gets its own state and an edit through.
    s.bob
        .send_frame(awareness_frame(&[(777_100, 1, r#"{"user":"Bob"}"#)]))
        .await;
    let bob = s.bob_id.clone();
    s.bob
        .edit(|_, txn| {
            set(
                txn,
                "participants",
                &bob,
                "organisation",
                "nach dem Versuch".into(),
            )
        })
        .await;
    let path = format!("/participants/{bob}/organisation");
    s.moderator
        .pump_until(
            |c| {
                at(&c.json(), &path) == "nach dem Versuch"
                    && c.seen
                        .awareness
                        .iter()
                        .any(|(client, _, _)| *client == 777_100)
            },
            "Bob's own state and edit after the spoof",
        )
        .await;
    s.alice
        .send_frame(awareness_frame(&[(
            alice_awareness,
            2,
            r#"{"user":"Alice again"}"#,
        )]))
        .await;
    s.moderator
        .pump_until(|c| has_state(c, "Alice again"), "Alice's renewal")
        .await;
    assert!(
        !s.moderator
            .seen
            .awareness
            .iter()
            .any(|(_, _, state)| state.contains("Mallory"))
    );
    assert!(
        !s.moderator.seen.any_frame_contains("Mallory")
            && !s.alice.seen.any_frame_contains("Mallory"),
        "a frame held the spoofed state"
    );
    // Echoes of others' states (stock y-websocket clients send them) are
    // ignored without a refusal.
    s.bob
        .pump_until(|c| has_state(c, "Alice again"), "Alice's renewal at Bob's")
        .await;
    // Five states held by others (a room of six with a stock client).
    let extra: Vec<(u64, u64, &str)> = (1..=3)
        .map(|n| (888_000 + n, 1, r#"{"user":"Moderation"}"#))
        .collect();
    s.moderator.send_frame(awareness_frame(&extra)).await;
    s.alice
        .send_frame(awareness_frame(&[(
            alice_awareness + 1,
            1,
            r#"{"user":"Alice, Tablet"}"#,
        )]))
        .await;
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
    let echo: Vec<(u64, u64, &str)> = others
        .iter()
        .map(|(client, clock, state)| (*client, *clock, state.as_str()))
        .collect();
    s.bob.send_frame(awareness_frame(&echo)).await;
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
    assert_eq!(status, 403, "another participant may not erase Bob");

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
