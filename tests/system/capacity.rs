//! Exports never stall what every board needs: nine PDF and DOCX exports
//! of a big board at once, and joins and token checks on another board
//! still answer at their normal speed.

use crate::common::http::http_request_as;
use crate::common::{Client, Server, create_card};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Characters of each of the big board's two cards (one word each: the
/// PDF's shaping once took the square of a word's length, 2 minutes here).
const CARD_CHARACTERS: usize = 150_000;

/// How long one export may take here (a debug build, two cores shared
/// with the joins).
const EXPORT_WAIT: Duration = Duration::from_secs(120);

/// A join with its token check, on another board, while the exports run.
/// Alone it takes milliseconds; behind the exports it took seconds.
const JOIN_BOUND: Duration = Duration::from_secs(2);

#[tokio::test]
async fn joins_and_token_checks_do_not_wait_behind_an_export_storm() {
    let server = Server::start(&["--max-frame-bytes", "4194304"]).await;
    let big = server.create_board("Riesenwand").await;
    let mut moderator = Client::connect(&server, &big.id, &big.moderator_token).await;
    for (n, letter) in ["a", "b"].iter().enumerate() {
        let text = letter.repeat(CARD_CHARACTERS);
        moderator
            .edit(|_, txn| create_card(txn, &format!("cardBig{n:07}"), "moderator", &text))
            .await;
    }
    moderator
        .pump_until(|c| c.all_echoed(), "the big cards stored")
        .await;
    let other = server.create_board("Nebenan").await;

    let started = Instant::now();
    let mut storm = tokio::task::JoinSet::new();
    for n in 0..9 {
        let (addr, board, token) = (server.addr, big.id.clone(), big.moderator_token.clone());
        // PDFs are the dearest; one DOCX among them.
        let format = if n == 4 { "docx" } else { "pdf" };
        storm.spawn(async move {
            let request = format!(
                "GET /api/boards/{board}/export.{format} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            );
            let mut stream = TcpStream::connect(addr).await.expect("connects");
            stream.write_all(request.as_bytes()).await.expect("writes");
            let mut answer = Vec::new();
            tokio::time::timeout(EXPORT_WAIT, stream.read_to_end(&mut answer))
                .await
                .expect("an export within its wait")
                .expect("reads");
            let status: u16 = String::from_utf8_lossy(&answer[..answer.len().min(12)])
                .split(' ')
                .nth(1)
                .and_then(|status| status.parse().ok())
                .unwrap_or(0);
            (status, started.elapsed())
        });
    }

    let mut slowest = Duration::ZERO;
    let mut during = 0;
    while !storm.is_empty() {
        let began = Instant::now();
        let (_, token) = server.join(&other, "Nachbarin").await;
        let (status, _) = http_request_as(
            server.addr,
            Some(&token),
            "GET",
            &format!("/api/boards/{}", other.id),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let took = began.elapsed();
        slowest = slowest.max(took);
        during += 1;
        // A phone's pace, well inside the per-address join allowance.
        tokio::time::sleep(Duration::from_millis(100)).await;
        while let Some(done) = storm.try_join_next() {
            let (status, at) = done.expect("the export task");
            // One export of a board at a time: the others are told to retry.
            assert!(matches!(status, 200 | 503), "export answered {status}");
            eprintln!("export answered {status} after {at:?}");
        }
    }
    eprintln!("{during} joins during the storm, slowest {slowest:?}");
    assert!(
        slowest < JOIN_BOUND,
        "a join with its token check took {slowest:?} beside the exports"
    );
    assert!(during >= 2, "the exports ended before a join was tried");
}
