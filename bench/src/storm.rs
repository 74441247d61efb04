//! `storm`: many clients connect at once to rooms that already hold a big
//! board (the y-websocket client reconnects without jitter, so after a
//! server restart everyone returns in the same second). Measured: the time
//! until every client holds every card.

use crate::client::{CLIENT_ID_BASE, JOIN_TIMEOUT, Session, read_updates_until};
use crate::config::LoadPlan;
use crate::report::{Percentiles, cpu_seconds, emit, memory_kib};
use crate::wire::Flavor;
use anyhow::{Context, bail};
use kartenwand::protocol::Message;
use kartenwand::protocol::update::{ContentKind, Parent, UpdateSummary};
use serde_json::json;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep, timeout};
use yrs::{Any, Doc, Map, MapPrelim, Transact};

pub async fn run(plan: &LoadPlan, cards: usize) -> anyhow::Result<()> {
    if !plan.target.flavor.syncs() {
        bail!("storm needs a server that holds the document; the bare relay does not");
    }
    let flavor = plan.target.flavor;
    let mut seeders = Vec::with_capacity(plan.rooms);
    let mut joiners = Vec::with_capacity(plan.rooms * plan.clients);
    for room in 0..plan.rooms {
        let mut accesses = plan.target.room(room, plan.clients + 1, false).await?;
        let seeder_access = accesses.remove(0);
        let seeder_id = CLIENT_ID_BASE + 1_000_000 + room as u64;
        let seeder = timeout(JOIN_TIMEOUT, seed(flavor, &seeder_access, seeder_id, cards))
            .await
            .context("seeding timed out")?
            .with_context(|| format!("seeding room {room}"))?;
        // The seeder stays: the peers drop a document nobody is connected to.
        seeders.push(seeder);
        joiners.extend(accesses);
    }
    sleep(Duration::from_secs(1)).await;

    let cpu_before = plan
        .server_pid
        .map(|pid| cpu_seconds(Some(pid)))
        .transpose()?;
    let generator_before = cpu_seconds(None)?;
    let started = Instant::now();
    let deadline = started + JOIN_TIMEOUT;
    let mut tasks = JoinSet::new();
    for access in joiners {
        tasks.spawn(async move {
            let mut session = Session::open(flavor, &access).await?;
            let mut seen = 0;
            let mut count = |update: &[u8]| {
                seen += count_cards(update);
                seen >= cards
            };
            let doc = Doc::new();
            let mut done = false;
            session.sync(&doc, |update| done = count(update)).await?;
            if !done {
                read_updates_until(&mut session, deadline, count).await?;
            }
            let elapsed = started.elapsed();
            anyhow::Ok((elapsed, session))
        });
    }
    let mut times = Vec::new();
    let mut sessions = Vec::new();
    let mut failures = 0;
    while let Some(joined) = timeout(JOIN_TIMEOUT + Duration::from_secs(5), tasks.join_next())
        .await
        .ok()
        .flatten()
    {
        match joined {
            Ok(Ok((elapsed, session))) => {
                times.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                sessions.push(session);
            }
            Ok(Err(error)) => {
                if failures < 3 {
                    eprintln!("storm client: {error:#}");
                }
                failures += 1;
            }
            Err(_) => failures += 1,
        }
    }
    failures += tasks.len();
    tasks.abort_all();
    let server_cpu = match (plan.server_pid, cpu_before) {
        (Some(pid), Some(before)) => Some(cpu_seconds(Some(pid))? - before),
        _ => None,
    };
    // The generator's share of the storm: with one core for 1,000 handshakes
    // and 1,000 full documents to parse, it can be what takes the time.
    let generator_cpu = cpu_seconds(None)? - generator_before;
    let synced = times.len();
    let spread = Percentiles::of_micros(&mut times);
    let all_synced = (failures == 0).then_some(spread.max / 1000.0);
    let peak = plan
        .server_pid
        .and_then(|pid| memory_kib(pid, "VmHWM").ok());
    let line = json!({
        "profile": "storm",
        "flavor": flavor.name(),
        "label": plan.label,
        "rooms": plan.rooms,
        "clients": plan.clients,
        "cards": cards,
        "synced": synced,
        "connection_failures": failures,
        "all_synced_s": all_synced,
        "sync_ms": spread,
        "server_cpu_s": server_cpu,
        "generator_cpu_s": generator_cpu,
        "server_peak_rss_mib": peak.map(|kib| kib as f64 / 1024.0),
    });
    let human = format!(
        "{} storm {}×{} ({cards} cards): {synced} synced, {failures} failed; all synced after {}; p50 {:.0} ms p99 {:.0} ms; server CPU {}; generator CPU {generator_cpu:.2} s",
        flavor.name(),
        plan.rooms,
        plan.clients,
        all_synced.map_or("never".into(), |seconds| format!("{seconds:.2} s")),
        spread.p50,
        spread.p99,
        server_cpu.map_or("n/a".into(), |cpu| format!("{cpu:.2} s")),
    );
    emit(&line, &human);
    for session in sessions.into_iter().chain(seeders) {
        session.close().await;
    }
    Ok(())
}

/// Connects, writes `cards` cards in one update and waits for the server's
/// echo of it (all three servers echo to the sender).
async fn seed(
    flavor: Flavor,
    access: &crate::wire::Access,
    client_id: u64,
    cards: usize,
) -> anyhow::Result<Session> {
    let doc = Doc::with_client_id(client_id);
    let mut session = Session::open(flavor, access).await?;
    session.sync(&doc, |_| {}).await?;
    let board = doc.get_or_insert_map("cards");
    let update = {
        let mut txn = doc.transact_mut();
        for card in 0..cards {
            board.insert(
                &mut txn,
                format!("seed{client_id:x}c{card:05}"),
                MapPrelim::from([
                    (
                        "text",
                        Any::from(format!(
                            "Karte {card}: Elterncafé braucht einen Raum am Nachmittag"
                        )),
                    ),
                    ("kind", Any::from("need")),
                    ("author", Any::from(access.author.as_str())),
                    ("createdAt", Any::from(1_741_079_000_000.0)),
                ]),
            );
        }
        txn.encode_update_v1()
    };
    session.send(&Message::Update(&update)).await?;
    let deadline = Instant::now() + JOIN_TIMEOUT;
    read_updates_until(&mut session, deadline, |echo| {
        UpdateSummary::parse(echo).is_ok_and(|summary| {
            summary
                .clients
                .iter()
                .any(|range| range.client == client_id)
        })
    })
    .await
    .context("no echo of the seeded cards")?;
    Ok(session)
}

/// Cards (maps directly under the top-level `cards`) an update creates.
fn count_cards(update: &[u8]) -> usize {
    UpdateSummary::parse(update).map_or(0, |summary| {
        summary
            .items
            .iter()
            .filter(|item| {
                matches!(&item.parent, Parent::Root(name) if name == "cards")
                    && matches!(item.content, ContentKind::Type(_))
            })
            .count()
    })
}
