//! The server on PostgreSQL (`serve --database-url`): the boards, cards
//! and participants it stores survive a kill; one node per database; a
//! node that loses its lock on the database stops writing and ends; a
//! database it cannot reach stops the start with a message, not a panic,
//! and without the URL's password.

use crate::common::{Client, Server, WAIT, postgres, server::binary};
use std::process::Stdio;

/// `serve` run to its end (it is expected to refuse to start): its exit
/// status and what it wrote to stderr.
async fn refused_start(database_url: &str) -> (std::process::ExitStatus, String) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let child = tokio::process::Command::new(binary())
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .args(["--database-url", database_url])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the kartenwand binary starts");
    // Connecting to a closed port fails at once; the wait is generous.
    let output = tokio::time::timeout(WAIT * 2, child.wait_with_output())
        .await
        .expect("the refused server exits")
        .expect("its output");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_node_on_postgresql_keeps_cards_and_participants_across_a_kill_and_has_the_database_alone()
 {
    let database = postgres::database();
    // Compactions too: the log after a snapshot is what a restart reads.
    let args = [
        "--database-url",
        database.url.as_str(),
        "--compact-after-updates",
        "5",
    ];
    let server = Server::start(&args).await;
    let board = server.create_board("Sandow").await;
    let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
    for n in 0..12 {
        client
            .edit(|_, txn| {
                use yrs::{Map, WriteTxn};
                txn.get_or_insert_map("cards").insert(
                    txn,
                    format!("card-{n}"),
                    format!("Bedarf {n}: Kita-Plätze"),
                );
            })
            .await;
    }
    client.pump_until(|c| c.all_echoed(), "every echo").await;
    let expected = client.json();
    client.close().await;
    // The room compacts after its fifth update; the snapshot is committed
    // soon after the echo.
    let snapshots = format!(
        "SELECT count(*) FROM snapshots WHERE board = '{}'",
        board.id
    );
    let deadline = std::time::Instant::now() + WAIT;
    while postgres::server().psql(&database.name, &snapshots).trim() != "1" {
        assert!(
            std::time::Instant::now() < deadline,
            "no snapshot was stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // And one more card after it, in the log.
    let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
    client
        .edit(|_, txn| {
            use yrs::{Map, WriteTxn};
            txn.get_or_insert_map("cards")
                .insert(txn, "after", "nach dem Snapshot");
        })
        .await;
    client.pump_until(|c| c.all_echoed(), "its echo").await;
    let expected_after = client.json();
    assert_ne!(expected_after, expected);
    let expected = expected_after;
    client.close().await;

    // SIGKILL: what was echoed was committed.
    let server = server.restart(&args).await;
    let client = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_eq!(client.json(), expected, "the cards after the restart");
    let (_, token) = server.join(&board, "Alice").await;
    let alice = Client::connect(&server, &board.id, &token).await;
    assert_eq!(alice.json()["cards"], expected["cards"]);
    assert!(
        !server.data_dir.join("kartenwand.db").exists(),
        "nothing went to SQLite"
    );

    // A second node on the same database is refused while this one runs.
    let (status, stderr) = refused_start(&database.url).await;
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("another Kartenwand node is serving the database")
            && stderr.contains("one node per database"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    alice.close().await;
    client.close().await;
    let (status, _) = server.terminate().await;
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}

#[tokio::test]
async fn a_database_that_cannot_be_reached_stops_the_start_without_showing_the_password() {
    let (status, stderr) = refused_start("postgres://nobody:hunter2@127.0.0.1:1/x").await;
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot open PostgreSQL database 127.0.0.1:1/x"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the password was shown: {stderr}"
    );
}

#[tokio::test]
async fn a_node_that_loses_its_lock_on_the_database_writes_nothing_more_and_stops() {
    let database = postgres::database();
    let args = ["--database-url", database.url.as_str()];
    let server = Server::start_logged_with("info", &args).await;
    let board = server.create_board("Sandow").await;
    let mut client = Client::connect(&server, &board.id, &board.moderator_token).await;
    client
        .edit(|_, txn| {
            use yrs::{Map, WriteTxn};
            txn.get_or_insert_map("cards")
                .insert(txn, "before", "vor dem Verlust");
        })
        .await;
    client.pump_until(|c| c.all_echoed(), "its echo").await;
    let expected = client.json();
    // What a restart of PostgreSQL does to the node's sessions, its lock's
    // among them: each one ended from the server's side.
    postgres::server().psql(
        &database.name,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let (status, log) = server.exit_and_read_log(WAIT * 2).await;
    assert!(!status.success(), "an error status: {status:?}\n{log}");
    assert!(
        log.contains("lost its lock on the database"),
        "the log says why: {log}"
    );
    assert!(!log.contains("panicked"), "{log}");
    client.close().await;

    // The database is free: a node starts on it and has the card.
    let server = Server::start(&args).await;
    let client = Client::connect(&server, &board.id, &board.moderator_token).await;
    assert_eq!(client.json(), expected, "the card written before");
    client.close().await;
    let (status, _) = server.terminate().await;
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}
