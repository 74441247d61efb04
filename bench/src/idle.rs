//! `idle`: thousands of synced connections that send nothing; the server's
//! resident memory per connection.

use crate::client::{JOIN_TIMEOUT, Session};
use crate::config::LoadPlan;
use crate::report::{emit, memory_kib};
use anyhow::Context;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep, timeout};
use yrs::Doc;

const CONNECT_CONCURRENCY: usize = 128;

pub async fn run(plan: &LoadPlan) -> anyhow::Result<()> {
    let pid = plan
        .server_pid
        .context("idle measures the server's memory: give --server-pid")?;
    let flavor = plan.target.flavor;
    let mut accesses = Vec::with_capacity(plan.rooms * plan.clients);
    for room in 0..plan.rooms {
        accesses.extend(plan.target.room(room, plan.clients, false).await?);
    }
    let total = accesses.len();
    let rss_before = memory_kib(pid, "VmRSS")?;
    let (stop_sender, stop) = watch::channel(false);
    let joined = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut tasks = JoinSet::new();
    for access in accesses {
        let (mut stop, joined, failed, permits) = (
            stop.clone(),
            joined.clone(),
            failed.clone(),
            permits.clone(),
        );
        tasks.spawn(async move {
            let Ok(permit) = permits.acquire_owned().await else { return };
            let connect = async {
                let mut session = Session::open(flavor, &access).await?;
                session.sync(&Doc::new(), |_| {}).await?;
                anyhow::Ok(session)
            };
            let mut session = match timeout(JOIN_TIMEOUT, connect).await {
                Ok(Ok(session)) => session,
                Ok(Err(error)) => {
                    if failed.fetch_add(1, Ordering::AcqRel) < 3 {
                        eprintln!("idle client: {error:#}");
                    }
                    return;
                }
                Err(_) => {
                    failed.fetch_add(1, Ordering::AcqRel);
                    return;
                }
            };
            drop(permit);
            joined.fetch_add(1, Ordering::AcqRel);
            // Keep reading so pings are answered; stop when told.
            loop {
                tokio::select! {
                    frame = session.next_frame() => if frame.is_none() { failed.fetch_add(1, Ordering::AcqRel); return },
                    _ = stop.changed() => break,
                }
            }
            session.close().await;
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while joined.load(Ordering::Acquire) + failed.load(Ordering::Acquire) < total
        && Instant::now() < deadline
    {
        sleep(Duration::from_millis(50)).await;
    }
    sleep(Duration::from_secs_f64(plan.duration)).await;
    let rss_after = memory_kib(pid, "VmRSS")?;
    let peak = memory_kib(pid, "VmHWM")?;
    let connections = joined.load(Ordering::Acquire);
    let failures = failed.load(Ordering::Acquire);
    let per_connection = (rss_after.saturating_sub(rss_before)) as f64 / connections.max(1) as f64;
    let line = json!({
        "profile": "idle",
        "flavor": flavor.name(),
        "label": plan.label,
        "rooms": plan.rooms,
        "clients": plan.clients,
        "connections": connections,
        "connection_failures": failures,
        "server_rss_before_mib": rss_before as f64 / 1024.0,
        "server_rss_mib": rss_after as f64 / 1024.0,
        "server_peak_rss_mib": peak as f64 / 1024.0,
        "rss_per_connection_kib": per_connection,
    });
    let human = format!(
        "{} idle: {connections} connections ({failures} failed); RSS {:.0} → {:.0} MiB: {per_connection:.1} KiB per connection",
        flavor.name(),
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
    );
    emit(&line, &human);
    let _ = stop_sender.send(true);
    while timeout(Duration::from_secs(10), tasks.join_next())
        .await
        .ok()
        .flatten()
        .is_some()
    {}
    Ok(())
}
