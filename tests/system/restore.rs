//! `kartenwand restore`: a backup of `kartenwand backup` comes back whole
//! (the board's content is served again, a board made after the backup is
//! gone); a damaged backup is refused and the database stays byte for byte
//! what it was; a running server's data directory is refused.

use crate::common::server::binary;
use crate::common::{Client, Server};
use std::path::Path;
use std::process::Output;
use yrs::{Map, WriteTxn};

async fn kartenwand(args: &[&std::ffi::OsStr]) -> Output {
    tokio::process::Command::new(binary())
        .args(args)
        .env_remove("KARTENWAND_DATA_DIR")
        .output()
        .await
        .expect("the binary runs")
}

async fn backup(data_dir: &Path, to: &Path) {
    let output = kartenwand(&[
        "backup".as_ref(),
        "--data-dir".as_ref(),
        data_dir.as_ref(),
        "--to".as_ref(),
        to.as_ref(),
    ])
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn restore(data_dir: &Path, from: &Path) -> Output {
    kartenwand(&[
        "restore".as_ref(),
        "--data-dir".as_ref(),
        data_dir.as_ref(),
        "--from".as_ref(),
        from.as_ref(),
    ])
    .await
}

/// A server with one board holding one card; SIGTERM after the backup.
async fn board_with_a_card(backup_file: &Path) -> (Server, crate::common::Board) {
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
    client.close().await;
    backup(&server.data_dir, backup_file).await;
    (server, board)
}

#[tokio::test]
async fn a_backup_is_restored_and_served() {
    let backups = tempfile::tempdir().expect("temp dir");
    let backup_file = backups.path().join("kartenwand-backup.db");
    let (server, board) = board_with_a_card(&backup_file).await;
    let later = server.create_board("Nach der Sicherung").await;

    // While the server runs, the data directory is refused.
    let refused = restore(&server.data_dir, &backup_file).await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("in use by another kartenwand process"),
        "{stderr}"
    );

    let data_dir = server.data_dir.clone();
    let (exit, temp) = server.terminate().await;
    assert!(exit.success());
    let output = restore(&data_dir, &backup_file).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(&data_dir)
        .expect("the data dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        !names
            .iter()
            .any(|name| name.contains("restoring") || name.ends_with("-wal")),
        "{names:?}"
    );

    let restored = Server::start_in(&data_dir, &[]).await;
    let reader = Client::connect(&restored, &board.id, &board.viewer_token).await;
    assert_eq!(reader.json()["cards"]["a"], "Kita-Plätze fehlen");
    let (status, _) = restored
        .request("GET", &format!("/api/codes/{}", later.join_code), None)
        .await;
    assert_eq!(status, 404, "the board made after the backup is gone");
    drop(temp);
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_nothing_is_replaced() {
    let backups = tempfile::tempdir().expect("temp dir");
    let backup_file = backups.path().join("kartenwand-backup.db");
    let (server, _board) = board_with_a_card(&backup_file).await;
    let data_dir = server.data_dir.clone();
    let (exit, temp) = server.terminate().await;
    assert!(exit.success());
    let database = data_dir.join("kartenwand.db");
    let before = std::fs::read(&database).expect("the database");
    let good = std::fs::read(&backup_file).expect("the backup");

    let truncated = backups.path().join("truncated.db");
    std::fs::write(&truncated, &good[..good.len() / 2]).expect("write");
    let mut garbled_bytes = good.clone();
    for byte in garbled_bytes.iter_mut().skip(100).step_by(7) {
        *byte ^= 0x5a;
    }
    let garbled = backups.path().join("garbled.db");
    std::fs::write(&garbled, &garbled_bytes).expect("write");
    let mut header_bytes = good.clone();
    header_bytes[..16].copy_from_slice(b"not a database!\0");
    let header = backups.path().join("header.db");
    std::fs::write(&header, &header_bytes).expect("write");
    let text = backups.path().join("notes.txt");
    std::fs::write(&text, "Kartenwand backup, honest").expect("write");

    for damaged in [&truncated, &garbled, &header, &text] {
        let output = restore(&data_dir, damaged).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{} was restored",
            damaged.display()
        );
        assert!(
            stderr.contains("damaged or not a database") && stderr.contains("nothing was replaced"),
            "{}: {stderr}",
            damaged.display()
        );
        assert_eq!(
            std::fs::read(&database).expect("the database"),
            before,
            "{} changed the database",
            damaged.display()
        );
    }
    let missing = restore(&data_dir, &backups.path().join("missing.db")).await;
    assert!(!missing.status.success());
    assert_eq!(std::fs::read(&database).expect("the database"), before);
    drop(temp);
}
