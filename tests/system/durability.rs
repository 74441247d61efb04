//! Durability: nothing any client received is lost, whatever happens to the
//! process; restarts restore every board exactly; backups.

use crate::common::{Client, Server, doc_json};
use serde_json::Value;
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

/// Edits each writer sends at most; far more than are sent before the
/// process is stopped.
const WRITER_LIMIT: usize = 5_000;

/// A writer that keeps editing until its connection ends: five cards, then
/// it reads until they are echoed (or the connection ends), and again. At
/// the end it reads its socket to the end. Returns the client and how many
/// edits it made.
fn spawn_writer(mut client: Client, who: usize) -> tokio::task::JoinHandle<(Client, usize)> {
    tokio::spawn(async move {
        let mut sent = 0;
        while sent < WRITER_LIMIT {
            for _ in 0..5 {
                client
                    .edit(|_, txn| {
                        txn.get_or_insert_map("cards").insert(
                            txn,
                            format!("w{who}-{sent}"),
                            format!("Bedarf {who}.{sent}: Kita-Plätze und Sprachkurs"),
                        );
                    })
                    .await;
                sent += 1;
            }
            if !client
                .pump_until_or_closed(|c| c.all_echoed(), "the writer's echoes")
                .await
            {
                break;
            }
        }
        client
            .pump_until_or_closed(|_| false, "the end of the connection")
            .await;
        (client, sent)
    })
}

/// A viewer that reads along and three writers (moderator tokens).
async fn burst_clients(server: &Server, board: &crate::common::Board) -> (Client, Vec<Client>) {
    let observer = Client::connect(server, &board.id, &board.viewer_token).await;
    let mut writers = Vec::new();
    for _ in 0..3 {
        writers.push(Client::connect(server, &board.id, &board.moderator_token).await);
    }
    (observer, writers)
}

/// The writers edit without pause; `stop` ends the server once the observer
/// has seen part of the burst, while edits are still arriving. Returns
/// every client, each read to the end of its connection, and the number of
/// edits sent.
async fn burst_then(
    mut observer: Client,
    writers: Vec<Client>,
    stop: impl AsyncFnOnce(),
) -> (Vec<Client>, usize) {
    let writers: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(who, client)| spawn_writer(client, who))
        .collect();
    observer
        .pump_until(
            |c| {
                doc_json(&c.received)["cards"]
                    .as_object()
                    .is_some_and(|cards| cards.len() >= 90)
            },
            "part of the burst",
        )
        .await;
    stop().await;
    observer
        .pump_until_or_closed(|_| false, "the end of the connection")
        .await;
    let mut clients = vec![observer];
    let mut sent = 0;
    for writer in writers {
        let (client, count) = writer.await.expect("the writer finishes");
        assert!(
            count < WRITER_LIMIT,
            "a writer finished before the server stopped"
        );
        sent += count;
        clients.push(client);
    }
    (clients, sent)
}

/// Every card any client received is in `restored`, with the same text.
fn assert_every_received_card_restored(clients: &[Client], sent: usize, restored: &Value) {
    let received = doc_json(&received_doc(clients));
    let received = received["cards"].as_object().expect("cards were received");
    assert!(
        received.len() >= 90,
        "only {} cards received",
        received.len()
    );
    assert!(
        received.len() < sent,
        "every one of {sent} edits came back: the server stopped after the burst, not during it"
    );
    for (key, value) in received {
        assert_eq!(
            &restored["cards"][key], value,
            "card {key} was received by a client before the server stopped; after the restart it is {}",
            restored["cards"][key]
        );
    }
}

#[tokio::test]
async fn sigkill_during_a_burst_loses_nothing_any_client_received() {
    let server = Server::start(&["--compact-after-updates", "50"]).await;
    let board = server.create_board("Absturz").await;
    let (observer, writers) = burst_clients(&server, &board).await;
    let (clients, sent) = burst_then(observer, writers, async || server.signal("KILL")).await;
    let server = server.restart(&[]).await;
    let after = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_every_received_card_restored(&clients, sent, &after.json());
}

#[tokio::test]
async fn sigterm_during_a_burst_exits_within_5_s_and_keeps_everything_received() {
    let mut server = Server::start(&["--compact-after-updates", "50"]).await;
    let board = server.create_board("Feierabend").await;
    let (observer, writers) = burst_clients(&server, &board).await;
    let mut exit = None;
    let (clients, sent) = burst_then(observer, writers, async || {
        server.signal("TERM");
        exit = Some(server.wait_exit(Duration::from_secs(5)).await);
    })
    .await;
    let exit = exit.expect("the server exited");
    assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
    assert!(
        clients.iter().all(|c| c
            .seen
            .closed
            .as_ref()
            .is_some_and(|(code, _)| *code == 1001)),
        "every connection is closed with 1001: {:?}",
        clients.iter().map(|c| &c.seen.closed).collect::<Vec<_>>()
    );
    let server = server.restart(&[]).await;
    let after = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_every_received_card_restored(&clients, sent, &after.json());
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
