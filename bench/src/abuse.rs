//! `abuse`: what one client may cost everybody else (issue 21), measured
//! against a running Kartenwand with its process id for `/proc`.
//!
//! - `exports`: nine exports (eight PDFs, one DOCX) of a board with two
//!   huge cards at once, and beside them joins with their token check on
//!   another board, at a phone's pace. Measured: the joins' times before
//!   and during the exports, and what the exports answered.
//! - `memory`: one participant token, many connections that never read,
//!   each asking again and again for the whole of a big board with a state
//!   vector of its own. Measured: the server's peak RSS, its RSS after the
//!   connections are gone, and how many the server closed.

use crate::report::{Percentiles, emit, memory_kib};
use crate::wire::http_post;
use anyhow::{Context, bail};
use bytes::Bytes;
use clap::ValueEnum;
use futures_util::SinkExt;
use kartenwand::protocol::Message;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Map, MapPrelim, ReadTxn, StateVector, Transact, WriteTxn};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    Exports,
    Memory,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AbuseArgs {
    /// Kartenwand's base URL, `http://HOST:PORT`.
    #[arg(long)]
    pub target: String,
    #[arg(long, value_enum)]
    pub scenario: Scenario,
    /// The server's process id, for its RSS from /proc.
    #[arg(long)]
    pub server_pid: u32,
    /// `exports`: characters of each of the big board's two cards (the
    /// server needs `--max-frame-bytes` above it).
    #[arg(long, default_value_t = 1_000_000)]
    pub card_characters: usize,
    /// `memory`: MiB of card text on the big board.
    #[arg(long, default_value_t = 10)]
    pub board_mib: usize,
    /// `memory`: connections of each participant.
    #[arg(long, default_value_t = 40)]
    pub connections: usize,
    /// `memory`: participants, each with its own token.
    #[arg(long, default_value_t = 1)]
    pub identities: usize,
    /// Free text copied into the JSON line.
    #[arg(long, default_value = "")]
    pub label: String,
}

pub async fn run(args: AbuseArgs) -> anyhow::Result<()> {
    let authority = args
        .target
        .split_once("://")
        .map_or(args.target.as_str(), |(_, rest)| rest)
        .trim_end_matches('/')
        .to_owned();
    match args.scenario {
        Scenario::Exports => exports(&args, &authority).await,
        Scenario::Memory => memory(&args, &authority).await,
    }
}

/// A board with its moderator token and join code.
struct Board {
    id: String,
    moderator: String,
    join_code: String,
}

async fn create_board(authority: &str, title: &str) -> anyhow::Result<Board> {
    let answer = http_post(authority, "/api/boards", &json!({ "title": title })).await?;
    let field = |key: &str| -> anyhow::Result<String> {
        answer
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("the server's answer lacks {key:?}"))
    };
    Ok(Board {
        id: field("board")?,
        moderator: field("moderator_token")?,
        join_code: field("join_code")?,
    })
}

/// Joins `board` and checks the new token with a GET of the board: what a
/// phone does when its person scans the code.
async fn join(authority: &str, board: &Board, name: &str) -> anyhow::Result<String> {
    let body = json!({ "join_code": board.join_code, "name": name, "sector": "stadtteil" });
    let joined = http_post(authority, &format!("/api/boards/{}/join", board.id), &body).await?;
    let token = joined
        .get("token")
        .and_then(Value::as_str)
        .context("the join answer lacks a token")?
        .to_owned();
    let (status, _) = get(authority, &format!("/api/boards/{}", board.id), &token).await?;
    if status != 200 {
        bail!("the new token was answered {status}");
    }
    Ok(token)
}

/// GET with a bearer token: the status and the body's length.
async fn get(authority: &str, path: &str, token: &str) -> anyhow::Result<(u16, usize)> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    let mut stream = TcpStream::connect(authority).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let head = String::from_utf8_lossy(&answer[..answer.len().min(16)]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0);
    Ok((status, answer.len()))
}

/// Opens the moderator's connection to `board` and writes `cards` cards of
/// `text`, one update each, then waits until the last came back (so the
/// board holds them). Returns the Yjs client id they were written under.
async fn fill(authority: &str, board: &Board, cards: usize, text: &str) -> anyhow::Result<u64> {
    let url = format!("ws://{authority}/ws/{}?token={}", board.id, board.moderator);
    let config = WebSocketConfig::default().max_message_size(None);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .context("the moderator cannot connect")?;
    let doc = Doc::new();
    for n in 0..cards {
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let map = txn.get_or_insert_map("cards");
            let card = map.insert(&mut txn, format!("cardBench{n:07}"), MapPrelim::default());
            card.insert(&mut txn, "text", text);
            card.insert(&mut txn, "kind", "need");
            card.insert(&mut txn, "author", "moderator");
        }
        let update = doc.transact().encode_state_as_update_v1(&before);
        socket
            .send(tungstenite::Message::Binary(Bytes::from(
                Message::Update(&update).encode(),
            )))
            .await
            .context("the moderator's update did not go out")?;
    }
    // The server answers a sync step 1 after everything before it: once the
    // answer is here, the cards are in.
    let state = StateVector::default().encode_v1();
    socket
        .send(tungstenite::Message::Binary(Bytes::from(
            Message::SyncStep1(&state).encode(),
        )))
        .await?;
    let wanted = cards * text.len();
    timeout(Duration::from_secs(120), async {
        use futures_util::StreamExt;
        while let Some(frame) = socket.next().await {
            if let Ok(tungstenite::Message::Binary(frame)) = frame {
                // Sync step 2 (0, 1) as large as the whole board.
                if frame.starts_with(&[0, 1]) && frame.len() >= wanted {
                    return Ok(());
                }
            }
        }
        bail!("the moderator's connection ended before the board was filled")
    })
    .await
    .context("the board was not filled within 120 s")??;
    let _ = socket.close(None).await;
    Ok(doc.client_id().get())
}

async fn exports(args: &AbuseArgs, authority: &str) -> anyhow::Result<()> {
    let big = create_board(authority, "Riesenwand").await?;
    for (n, letter) in ["a", "b"].into_iter().enumerate() {
        let text = letter.repeat(args.card_characters);
        fill(authority, &big, 1, &text)
            .await
            .with_context(|| format!("card {n}"))?;
    }
    let other = create_board(authority, "Nebenan").await?;

    // Joins alone first: their normal time.
    let mut alone = Vec::new();
    for n in 0..30 {
        let began = Instant::now();
        join(authority, &other, &format!("Allein {n}")).await?;
        alone.push(micros(began.elapsed()));
        sleep(Duration::from_millis(100)).await;
    }

    let started = Instant::now();
    let mut storm = tokio::task::JoinSet::new();
    for n in 0..9 {
        let (authority, board, token) =
            (authority.to_owned(), big.id.clone(), big.moderator.clone());
        let format = if n == 4 { "docx" } else { "pdf" };
        storm.spawn(async move {
            let answer = get(
                &authority,
                &format!("/api/boards/{board}/export.{format}"),
                &token,
            )
            .await;
            (format, answer, started.elapsed())
        });
    }
    let mut during = Vec::new();
    let mut answers = Vec::new();
    while !storm.is_empty() {
        let began = Instant::now();
        join(authority, &other, &format!("Nachbarin {}", during.len())).await?;
        during.push(micros(began.elapsed()));
        sleep(Duration::from_millis(100)).await;
        while let Some(done) = storm.try_join_next() {
            let (format, answer, at) = done.context("an export task")?;
            let (status, bytes) = answer.with_context(|| format!("the {format} export"))?;
            answers.push(json!({ "format": format, "status": status, "bytes": bytes, "seconds": at.as_secs_f64() }));
        }
    }
    let exports_seconds = started.elapsed().as_secs_f64();
    let alone = Percentiles::of_micros(&mut alone);
    let beside = Percentiles::of_micros(&mut during);
    let ok = answers.iter().filter(|a| a["status"] == 200).count();
    let line = json!({
        "scenario": "exports",
        "label": args.label,
        "card_characters": args.card_characters,
        "join_alone_ms": alone,
        "join_beside_exports_ms": beside,
        "joins_beside_exports": during.len(),
        "exports_seconds": exports_seconds,
        "exports_answered_200": ok,
        "exports": answers,
        "server_peak_rss_mib": memory_kib(args.server_pid, "VmHWM")? as f64 / 1024.0,
    });
    let human = format!(
        "exports: 9 exports of two {}-character cards took {:.1} s ({} answered 200, the rest 503); joins alone p50 {:.1} ms max {:.1} ms; beside the exports ({} joins) p50 {:.1} ms p99 {:.1} ms max {:.1} ms",
        args.card_characters,
        exports_seconds,
        ok,
        alone.p50,
        alone.max,
        during.len(),
        beside.p50,
        beside.p99,
        beside.max,
    );
    emit(&line, &human);
    Ok(())
}

async fn memory(args: &AbuseArgs, authority: &str) -> anyhow::Result<()> {
    let big = create_board(authority, "Speicherwand").await?;
    // Cards of 256 KiB, so the moderator's updates stay under the frame
    // limit.
    let card = "m".repeat(256 * 1024);
    let writer = fill(authority, &big, args.board_mib * 4, &card).await?;
    let mut tokens = Vec::new();
    for n in 0..args.identities.max(1) {
        tokens.push(join(authority, &big, &format!("Gierig {n}")).await?);
    }
    let rss_before = memory_kib(args.server_pid, "VmRSS")?;

    // Connections that never read, with a small receive buffer so the
    // server's outboxes fill instead of the kernel's.
    let mut sockets = Vec::new();
    for n in 0..args.connections * tokens.len() {
        let token = &tokens[n % tokens.len()];
        let url = format!("ws://{authority}/ws/{}?token={token}", big.id);
        let socket = TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(4096)?;
        let address = authority
            .parse()
            .with_context(|| format!("{authority} is not HOST:PORT"))?;
        let stream = socket.connect(address).await?;
        let (mut ws, _) = tokio_tungstenite::client_async(url.as_str(), stream)
            .await
            .with_context(|| format!("connection {n} was refused"))?;
        // Ten sync requests (the allowance at once), each claiming a
        // different bit of the board, so no two answers are the same bytes
        // and each is nearly the whole board.
        for request in 0..10u32 {
            let mut vector = StateVector::default();
            let clock = (n as u32) * 10 + request + 1;
            vector.set_max(yrs::ClientID::new(writer), clock);
            let state = vector.encode_v1();
            if ws
                .send(tungstenite::Message::Binary(Bytes::from(
                    Message::SyncStep1(&state).encode(),
                )))
                .await
                .is_err()
            {
                break;
            }
        }
        sockets.push(ws);
    }
    // Peak while they hold: sampled until it stops growing for 3 s.
    let mut peak = 0;
    let mut last_growth = Instant::now();
    let held_since = Instant::now();
    while last_growth.elapsed() < Duration::from_secs(3)
        && held_since.elapsed() < Duration::from_secs(60)
    {
        let rss = memory_kib(args.server_pid, "VmRSS")?;
        if rss > peak + 1024 {
            peak = rss;
            last_growth = Instant::now();
        }
        sleep(Duration::from_millis(100)).await;
    }
    let hwm = memory_kib(args.server_pid, "VmHWM")?;
    drop(sockets);
    // After: once the server let the connections go (within its 2 s grace)
    // and worked off what they had asked for: the RSS when it has not
    // changed by 1 MiB for 3 s (at most a minute).
    let closed_at = Instant::now();
    let mut after = memory_kib(args.server_pid, "VmRSS")?;
    let mut steady_since = Instant::now();
    while closed_at.elapsed() < Duration::from_secs(60) {
        sleep(Duration::from_millis(500)).await;
        let now = memory_kib(args.server_pid, "VmRSS")?;
        if now.abs_diff(after) > 1024 {
            steady_since = Instant::now();
            after = now;
        } else if steady_since.elapsed() >= Duration::from_secs(3)
            && closed_at.elapsed() >= Duration::from_secs(5)
        {
            break;
        }
    }
    let settled = closed_at.elapsed().as_secs_f64();
    let mib = |kib: u64| kib as f64 / 1024.0;
    let line = json!({
        "scenario": "memory",
        "label": args.label,
        "board_mib": args.board_mib,
        "connections": args.connections,
        "identities": tokens.len(),
        "rss_before_mib": mib(rss_before),
        "peak_rss_mib": mib(hwm.max(peak)),
        "rss_after_close_mib": mib(after),
        "seconds_until_settled": settled,
    });
    let human = format!(
        "memory: {} connections of each of {} participants on a {} MiB board: RSS {:.0} MiB before, peak {:.0} MiB, {:.0} MiB once settled {:.0} s after they closed",
        args.connections,
        tokens.len(),
        args.board_mib,
        mib(rss_before),
        mib(hwm.max(peak)),
        mib(after),
        settled,
    );
    emit(&line, &human);
    Ok(())
}

fn micros(elapsed: Duration) -> u32 {
    u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)
}
