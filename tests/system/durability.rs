//! Durability: nothing any client received is lost, whatever happens to the
//! process; restarts restore every board exactly; backups.

use crate::common::{Client, Server, doc_json};
use std::time::Duration;
use yrs::updates::decoder::Decode;
use yrs::{Doc, Map, Transact, Update, WriteTxn};

/// A document holding every update the clients received from the server.
fn received_doc(clients: &[Client]) -> Doc {
    let doc = Doc::new();
    {
        let mut txn = doc.transact_mut();
        for client in clients {
            for update in &client.seen.received_updates {
                txn.apply_update(Update::decode_v1(update).expect("valid"))
                    .expect("applies");
            }
        }
    }
    doc
}

#[tokio::test]
async fn sigkill_during_a_burst_loses_nothing_any_client_received() {
    let server = Server::start(&["--compact-after-updates", "50"]).await;
    let board = server.create_board("Absturz").await;
    let mut writers = Vec::new();
    for _ in 0..3 {
        writers.push(Client::connect(&server, &board.id, &board.moderator_token).await);
    }
    let mut observer = Client::connect(&server, &board.id, &board.viewer_token).await;

    // Writers send bursts without waiting; the observer reads along.
    for round in 0..40 {
        for (who, writer) in writers.iter_mut().enumerate() {
            writer
                .edit(|_, txn| {
                    txn.get_or_insert_map("cards").insert(
                        txn,
                        format!("{who}-{round}"),
                        round as i64,
                    );
                })
                .await;
        }
    }
    // Kill once the observer has seen part of the burst, while the rest is in flight.
    observer
        .pump_until(
            |c| {
                crate::common::doc_json(&c.received)["cards"]
                    .as_object()
                    .is_some_and(|cards| cards.len() >= 30)
            },
            "part of the burst",
        )
        .await;
    let temp = server.kill().await;

    let mut clients = writers;
    clients.push(observer);
    let received = doc_json(&received_doc(&clients));
    let received_cards = received["cards"]
        .as_object()
        .expect("cards were received")
        .clone();
    assert!(received_cards.len() >= 30);

    let server = Server::start_in(temp.as_ref().expect("dir").path(), &[]).await;
    let after = Client::connect(&server, &board.id, &board.moderator_token).await;
    let restored = after.json();
    for key in received_cards.keys() {
        assert!(
            restored["cards"].get(key).is_some(),
            "card {key} was received by a client before the kill but is gone after the restart"
        );
    }
    drop(temp);
}

#[tokio::test]
async fn sigterm_flushes_and_a_restart_restores_every_board_exactly() {
    let server = Server::start(&["--compact-after-updates", "7"]).await;
    let mut expected = Vec::new();
    for name in ["Sandow", "Sachsendorf", "Schmellwitz"] {
        let board = server.create_board(name).await;
        let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
        for n in 0..20 {
            client
                .edit(|_, txn| {
                    let cards = txn.get_or_insert_map("cards");
                    cards.insert(txn, format!("card-{n}"), format!("{name}: Bedarf {n}"));
                    if n % 3 == 0 {
                        cards.remove(txn, &format!("card-{}", n / 2));
                    }
                })
                .await;
        }
        client.pump_until(|c| c.all_echoed(), "every echo").await;
        expected.push((board, client.json()));
    }
    let (status, temp) = server.terminate().await;
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");

    let server = Server::start_in(temp.as_ref().expect("dir").path(), &[]).await;
    for (board, json) in &expected {
        let client = Client::connect(&server, &board.id, &board.moderator_token).await;
        assert_eq!(&client.json(), json, "board {} after restart", board.id);
    }
    drop(temp);
}

#[tokio::test]
async fn backup_writes_a_database_another_server_can_serve() {
    let server = Server::start(&[]).await;
    let board = server.create_board("Sicherung").await;
    let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
    client
        .edit(|_, txn| {
            txn.get_or_insert_map("cards")
                .insert(txn, "a", "Kita-Plätze fehlen");
        })
        .await;
    client
        .pump_until(|c| !c.seen.received_updates.is_empty(), "the echo")
        .await;

    let backup_dir = tempfile::tempdir().expect("temp dir");
    let backup_file = backup_dir.path().join("kartenwand.db");
    // Every flag is an environment variable too: this backup is told only
    // through the environment.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_kartenwand"))
        .arg("backup")
        .env("KARTENWAND_DATA_DIR", &server.data_dir)
        .env("KARTENWAND_BACKUP_TO", &backup_file)
        .output()
        .await
        .expect("backup runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Writing over an existing file is refused.
    let again = tokio::process::Command::new(env!("CARGO_BIN_EXE_kartenwand"))
        .args(["backup", "--data-dir"])
        .arg(&server.data_dir)
        .arg("--to")
        .arg(&backup_file)
        .output()
        .await
        .expect("backup runs");
    assert!(!again.status.success());

    let restored = Server::start_in(backup_dir.path(), &[]).await;
    let reader = Client::connect(&restored, &board.id, &board.viewer_token).await;
    assert_eq!(reader.json()["cards"]["a"], "Kita-Plätze fehlen");
}

#[tokio::test]
async fn an_idle_board_is_evicted_and_reloaded_from_the_store() {
    let server = Server::start(&["--idle-room-seconds", "1", "--compact-after-updates", "3"]).await;
    let board = server.create_board("Leerlauf").await;
    let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
    for n in 0..5 {
        client
            .edit(|_, txn| {
                txn.get_or_insert_map("cards")
                    .insert(txn, format!("c{n}"), n as i64);
            })
            .await;
    }
    client.pump_until(|c| c.all_echoed(), "every echo").await;
    let json = client.json();
    client.close().await;
    let evicted = async {
        loop {
            let (_, metrics) = server.metrics().await;
            if metrics.contains("kartenwand_live_boards 0") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(crate::common::WAIT, evicted)
        .await
        .expect("the idle board is evicted within the wait");
    let again = Client::connect(&server, &board.id, &board.viewer_token).await;
    assert_eq!(
        again.json(),
        json,
        "the reloaded board equals the evicted one"
    );
}
