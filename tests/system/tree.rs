//! The problem–solution tree's rules on the server (docs/schema.md,
//! `cards`): a solution without a parent, under a challenge of another
//! board, or outside the solutions part is refused, never relayed to
//! anyone, and never stored.

use crate::common::doc::{at, put};
use crate::common::{Client, Server};
use yrs::{Any, Map, WriteTxn};

fn tree_card(
    kind: &str,
    author: &str,
    text: &str,
    parent: Option<&str>,
) -> Vec<(&'static str, Any)> {
    let mut fields = vec![
        ("text", Any::from(text)),
        ("kind", Any::from(kind)),
        ("author", Any::from(author)),
        ("createdAt", Any::from(1_741_079_400_000.0)),
    ];
    if let Some(parent) = parent {
        fields.push(("parent", Any::from(parent)));
    }
    fields
}

async fn open(moderator: &mut Client, challenges: bool, solutions: bool) {
    moderator
        .edit(|_, txn| {
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "challengesOpen", challenges);
            meta.insert(txn, "solutionsOpen", solutions);
        })
        .await;
}

#[tokio::test]
async fn solutions_need_their_part_and_a_challenge_of_the_same_board() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Reflexion A").await;
    let other = server.create_board("Reflexion B").await;
    let (ada, token) = server.join(&board, "Ada").await;
    let (bea, other_token) = server.join(&other, "Bea").await;

    // A challenge on the other board, to be named from this one.
    let mut other_moderator = Client::connect(&server, &other.id, &other.moderator_token).await;
    open(&mut other_moderator, true, true).await;
    let mut bea_client = Client::connect(&server, &other.id, &other_token).await;
    // Her challenge must reach the room after the parts are open there.
    bea_client
        .pump_until(
            |c| at(&c.json(), "/meta/challengesOpen") == true,
            "the parts open on the other board",
        )
        .await;
    bea_client
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                "challengeElsewhere",
                &tree_card("challenge", &bea, "Fremde Herausforderung", None),
            )
        })
        .await;
    other_moderator
        .pump_until(
            |c| !at(&c.json(), "/cards/challengeElsewhere/text").is_null(),
            "the other board's challenge",
        )
        .await;

    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let mut phone = Client::connect(&server, &board.id, &token).await;
    let mut watcher = Client::connect(&server, &board.id, &board.viewer_token).await;
    open(&mut moderator, true, false).await;
    phone
        .pump_until(
            |c| at(&c.json(), "/meta/challengesOpen") == true,
            "the morning part",
        )
        .await;
    phone
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                "challengeHere01",
                &tree_card("challenge", &ada, "Wer koordiniert?", None),
            )
        })
        .await;
    moderator
        .pump_until(
            |c| !at(&c.json(), "/cards/challengeHere01/text").is_null(),
            "the challenge",
        )
        .await;

    let attempts = [
        (
            "solutionEarly01",
            Some("challengeHere01"),
            "Zu früh geschrieben",
            "the solutions part is closed",
        ),
        (
            "solutionOrphan1",
            None,
            "Ohne Herausforderung",
            "a solution must name a challenge of this board as its parent",
        ),
        (
            "solutionForeign",
            Some("challengeElsewhere"),
            "Unter fremder Herausforderung",
            "a solution must name a challenge of this board as its parent",
        ),
    ];
    for (index, (id, parent, text, reason)) in attempts.into_iter().enumerate() {
        if index == 1 {
            open(&mut moderator, true, true).await;
            phone
                .pump_until(
                    |c| at(&c.json(), "/meta/solutionsOpen") == true,
                    "the afternoon part",
                )
                .await;
        }
        let before = phone.seen.denied.len();
        phone
            .edit(|_, txn| put(txn, "cards", id, &tree_card("solution", &ada, text, parent)))
            .await;
        phone
            .pump_until(|c| c.seen.denied.len() > before, reason)
            .await;
        assert_eq!(phone.seen.denied.last().map(String::as_str), Some(reason));
    }
    phone
        .edit(|_, txn| {
            put(
                txn,
                "cards",
                "solutionRight01",
                &tree_card(
                    "solution",
                    &ada,
                    "Eine Lotsenstelle",
                    Some("challengeHere01"),
                ),
            )
        })
        .await;
    watcher
        .pump_until(
            |c| !at(&c.json(), "/cards/solutionRight01/text").is_null(),
            "the right solution",
        )
        .await;
    for text in [
        "Zu früh geschrieben",
        "Ohne Herausforderung",
        "Unter fremder Herausforderung",
    ] {
        assert!(!watcher.seen.any_frame_contains(text), "{text} was relayed");
        assert!(
            !moderator.seen.any_frame_contains(text),
            "{text} was relayed"
        );
    }
    let (_, temp) = server.terminate().await;
    let dir = temp.expect("the data directory");
    let server = Server::start_in(dir.path(), &[]).await;
    for text in [
        "Zu früh geschrieben",
        "Ohne Herausforderung",
        "Unter fremder Herausforderung",
    ] {
        assert!(!server.stores(text), "{text} was stored");
    }
    assert!(server.stores("Eine Lotsenstelle"));
}
