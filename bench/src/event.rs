//! `event`: an event's phones join at once (issue 13): a plenary and four
//! workshops; every phone joins the event with its one code, the ones for
//! a workshop choose it, each asks where to go (`place`) and syncs with
//! that board. Measured: the time until every phone is synced, and each
//! phone's time from the start to its sync.

use crate::client::{JOIN_TIMEOUT, Session};
use crate::report::{Percentiles, cpu_seconds, emit};
use crate::wire::{Access, Flavor, http_post};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout};
use yrs::Doc;

/// Workshops of the event (with the plenary, five boards).
const WORKSHOPS: usize = 4;

#[derive(Debug, Clone, clap::Args)]
pub struct EventArgs {
    /// Kartenwand's base URL, `http://HOST:PORT`.
    #[arg(long)]
    pub target: String,
    /// Phones joining at once.
    #[arg(long, default_value_t = 150)]
    pub phones: usize,
    /// The server's process id, for its CPU time from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Free text copied into the JSON line.
    #[arg(long, default_value = "")]
    pub label: String,
}

pub async fn run(args: EventArgs) -> anyhow::Result<()> {
    let authority = args
        .target
        .split_once("://")
        .map_or(args.target.as_str(), |(_, rest)| rest)
        .trim_end_matches('/')
        .to_owned();
    let capacity = args.phones.div_ceil(WORKSHOPS) + 2;
    let mut boards = vec![json!({"title": "Plenum", "kind": "plenary"})];
    for n in 1..=WORKSHOPS {
        boards.push(json!({"title": format!("Workshop {n}"), "kind": "workshop",
            "capacity": capacity, "location": format!("Raum {n}")}));
    }
    let event = http_post(
        &authority,
        "/api/events",
        &json!({"title": "Bench event", "date": "2027-03-31", "boards": boards}),
    )
    .await?;
    let text = |value: &Value, key: &str| -> anyhow::Result<String> {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("the server's answer lacks {key:?}: {value}"))
    };
    let event_id = text(&event, "event")?;
    let join_code = text(&event, "join_code")?;
    let boards: Vec<String> = event["boards"]
        .as_array()
        .context("no boards")?
        .iter()
        .map(|board| text(board, "board"))
        .collect::<anyhow::Result<_>>()?;
    let (plenary, workshops) = boards.split_first().context("no plenary")?;
    // The workshops have begun: the phones choose and are sent there.
    request(
        &authority,
        "POST",
        &format!("/api/events/{event_id}/part"),
        &text(&event, "organiser_token")?,
        Some(&json!({"part": "workshops"})),
    )
    .await?;

    let cpu_before = args
        .server_pid
        .map(|pid| cpu_seconds(Some(pid)))
        .transpose()?;
    let started = Instant::now();
    let mut phones = JoinSet::new();
    for phone in 0..args.phones {
        // One in five stays in the plenary, the others spread over the workshops.
        let workshop = (phone % (WORKSHOPS + 1))
            .checked_sub(1)
            .map(|n| workshops[n].clone());
        let (authority, event_id, join_code, plenary) = (
            authority.clone(),
            event_id.clone(),
            join_code.clone(),
            plenary.clone(),
        );
        phones.spawn(async move {
            timeout(
                JOIN_TIMEOUT,
                one_phone(&authority, &event_id, &join_code, phone, workshop, &plenary),
            )
            .await
            .context("the phone did not get synced within the wait")??;
            anyhow::Ok(started.elapsed())
        });
    }
    let mut times = Vec::with_capacity(args.phones);
    let mut failures = 0;
    let mut first_failure = None;
    while let Some(done) = phones.join_next().await {
        match done {
            Ok(Ok(elapsed)) => times.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)),
            Ok(Err(error)) => {
                failures += 1;
                first_failure.get_or_insert(format!("{error:#}"));
            }
            Err(error) => {
                failures += 1;
                first_failure.get_or_insert(error.to_string());
            }
        }
    }
    let all_synced = started.elapsed();
    let cpu = match (args.server_pid, cpu_before) {
        (Some(pid), Some(before)) => Some(cpu_seconds(Some(pid))? - before),
        _ => None,
    };
    let percentiles = Percentiles::of_micros(&mut times);
    let line = json!({
        "bench": "event-join",
        "label": args.label,
        "phones": args.phones,
        "boards": WORKSHOPS + 1,
        "synced": times.len(),
        "failures": failures,
        "all_synced_ms": all_synced.as_secs_f64() * 1000.0,
        "phone_p50_ms": percentiles.p50,
        "phone_p90_ms": percentiles.p90,
        "phone_max_ms": percentiles.max,
        "server_cpu_s": cpu,
    });
    emit(
        &line,
        &format!(
            "event-join: {} phones on {} boards, all synced after {:.0} ms (per phone p50 {:.0} ms, p90 {:.0} ms), {} failed{}",
            args.phones,
            WORKSHOPS + 1,
            all_synced.as_secs_f64() * 1000.0,
            percentiles.p50,
            percentiles.p90,
            failures,
            first_failure
                .map(|f| format!(" (first: {f})"))
                .unwrap_or_default()
        ),
    );
    if failures > 0 {
        bail!("{failures} phones failed");
    }
    Ok(())
}

/// Join, choose, ask where to go, connect there and sync. A phone without
/// a workshop (the plenary's, everyone's board) goes to the plenary.
async fn one_phone(
    authority: &str,
    event: &str,
    join_code: &str,
    phone: usize,
    workshop: Option<String>,
    plenary: &str,
) -> anyhow::Result<()> {
    let joined = http_post(
        authority,
        &format!("/api/events/{event}/join"),
        &json!({"join_code": join_code, "name": format!("Telefon {phone}"), "sector": "stadtteil"}),
    )
    .await?;
    let token = joined
        .get("token")
        .and_then(Value::as_str)
        .context("the join answer lacks a token")?
        .to_owned();
    let participant = joined
        .get("participant_id")
        .and_then(Value::as_str)
        .context("the join answer lacks an id")?
        .to_owned();
    let board = match &workshop {
        Some(workshop) => {
            let choice = json!({ "board": workshop });
            let path = format!("/api/events/{event}/choice");
            request(authority, "POST", &path, &token, Some(&choice)).await?;
            let path = format!("/api/events/{event}/place");
            let place = request(authority, "GET", &path, &token, None).await?;
            let board = place
                .get("board")
                .and_then(Value::as_str)
                .context("the place names no board")?
                .to_owned();
            if &board != workshop {
                bail!("phone {phone} chose {workshop} but is sent to {board}");
            }
            board
        }
        None => plenary.to_owned(),
    };
    let access = Access {
        url: format!("ws://{authority}/ws/{board}?token={token}"),
        document: String::new(),
        author: participant,
    };
    let mut session = Session::open(Flavor::Kartenwand, &access).await?;
    session.sync(&Doc::new(), |_| {}).await?;
    session.close().await;
    Ok(())
}

/// A request with the phone's token; the JSON answer of a 2xx.
async fn request(
    authority: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> anyhow::Result<Value> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect(authority).await?;
        stream.write_all(head.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        anyhow::Ok(response)
    };
    let response = timeout(Duration::from_secs(10), exchange)
        .await
        .with_context(|| format!("{method} {path}: no answer within 10 s"))??;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("{method} {path}: not an HTTP answer"))?;
    if !head.split(' ').nth(1).unwrap_or("").starts_with('2') {
        bail!(
            "{method} {path}: {} {}",
            head.lines().next().unwrap_or(""),
            body.trim()
        );
    }
    serde_json::from_str(body).with_context(|| format!("{method} {path}: not JSON"))
}
