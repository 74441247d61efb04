//! Load runs: R rooms × C clients sending at a fixed rate (`conference`,
//! `city`, custom), and the `hot` room whose rate doubles until it fails.

use crate::client::{ClientOutcome, Ledger, LoadClient, Phase};
use crate::config::LoadPlan;
use crate::report::{Percentiles, cpu_seconds, emit, memory_kib, run_queue_wait_seconds};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

/// Clients connecting at the same time while a run is set up.
const CONNECT_CONCURRENCY: usize = 128;
/// How long deliveries may trail the end of sending.
const DRAIN_GRACE: Duration = Duration::from_secs(10);
/// How long the cards written on joining may take to reach everyone.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);
/// `hot` fails a step above this p99.
const HOT_P99_LIMIT_MS: f64 = 100.0;

/// The outcome of one load run, as printed.
pub struct LoadResult {
    pub p99_ms: f64,
    pub missing: u64,
    pub failures: usize,
}

pub async fn run(plan: &LoadPlan) -> anyhow::Result<LoadResult> {
    let total = plan.rooms * plan.clients;
    // Room set-up (board creation and joins on Kartenwand) happens before
    // anything connects, so it does not disturb the measurement.
    let mut accesses = Vec::with_capacity(total);
    for room in 0..plan.rooms {
        accesses.extend(plan.target.room(room, plan.clients, true).await?);
    }
    let capacity = (plan.rate * (plan.duration + 1.0)).ceil() as usize + 16;
    let ledger = Arc::new(Ledger::new(plan.rooms, plan.clients, capacity));
    let (phase_sender, phase) = watch::channel(Phase::Setup);
    let joined = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut clients: JoinSet<Option<ClientOutcome>> = JoinSet::new();
    for (global, access) in accesses.into_iter().enumerate() {
        let (ledger, phase, joined, failed, permits) = (
            ledger.clone(),
            phase.clone(),
            joined.clone(),
            failed.clone(),
            permits.clone(),
        );
        let (flavor, run_id, rate, payload) = (
            plan.target.flavor,
            plan.target.run_id.clone(),
            plan.rate,
            plan.payload,
        );
        clients.spawn(async move {
            let permit = permits.acquire_owned().await.ok()?;
            match LoadClient::join(flavor, &access, global, &ledger, &run_id).await {
                Ok(client) => {
                    drop(permit);
                    joined.fetch_add(1, Ordering::AcqRel);
                    Some(client.run(&ledger, phase, rate, payload).await)
                }
                Err(error) => {
                    if failed.fetch_add(1, Ordering::AcqRel) < 3 {
                        eprintln!("client {global}: {error:#}");
                    }
                    None
                }
            }
        });
    }
    let started_setup = Instant::now();
    let setup_deadline = started_setup + Duration::from_secs(120);
    while joined.load(Ordering::Acquire) + failed.load(Ordering::Acquire) < total
        && Instant::now() < setup_deadline
    {
        sleep(Duration::from_millis(50)).await;
    }
    // Every client wrote its card on joining: wait until every card
    // reached every other client, so that burst (R × C × (C − 1) frames
    // from a relay) is not still queued when the measurement starts.
    let settle_deadline = Instant::now() + SETTLE_TIMEOUT;
    sleep(Duration::from_millis(200)).await;
    // Relay clients miss the cards sent before they connected (no sync):
    // for them, half a second without any frame also counts as settled.
    let mut frames = ledger.frames.load(Ordering::Acquire);
    let mut quiet_since = Instant::now();
    while ledger.acquainted.load(Ordering::Acquire) < ledger.pairs()
        && quiet_since.elapsed() < Duration::from_millis(500)
        && Instant::now() < settle_deadline
    {
        sleep(Duration::from_millis(50)).await;
        let now_frames = ledger.frames.load(Ordering::Acquire);
        if now_frames != frames {
            frames = now_frames;
            quiet_since = Instant::now();
        }
    }
    let settle_s = started_setup.elapsed().as_secs_f64();

    let _ = phase_sender.send(Phase::Sending);
    sleep(Duration::from_secs_f64(plan.warmup)).await;
    let server_cpu_before = plan
        .server_pid
        .map(|pid| cpu_seconds(Some(pid)))
        .transpose()?;
    let generator_cpu_before = cpu_seconds(None)?;
    let server_wait_before = plan
        .server_pid
        .and_then(|pid| run_queue_wait_seconds(Some(pid)));
    let generator_wait_before = run_queue_wait_seconds(None);
    let started = Instant::now();
    let _ = phase_sender.send(Phase::Measuring);
    sleep(Duration::from_secs_f64(plan.duration)).await;
    let _ = phase_sender.send(Phase::Draining);
    let drain_deadline = Instant::now() + DRAIN_GRACE;
    while ledger.delivered.load(Ordering::Acquire) < ledger.expected()
        && Instant::now() < drain_deadline
    {
        sleep(Duration::from_millis(20)).await;
    }
    let window = started.elapsed().as_secs_f64();
    let server_cpu = match (plan.server_pid, server_cpu_before) {
        (Some(pid), Some(before)) => Some(cpu_seconds(Some(pid))? - before),
        _ => None,
    };
    let generator_cpu = cpu_seconds(None)? - generator_cpu_before;
    let waited =
        |before: Option<f64>, pid: Option<u32>| Some(run_queue_wait_seconds(pid)? - before?);
    let server_wait = plan
        .server_pid
        .and_then(|pid| waited(server_wait_before, Some(pid)));
    let generator_wait = waited(generator_wait_before, None);
    let expected = ledger.expected();
    let _ = phase_sender.send(Phase::Stop);

    let mut latencies = Vec::new();
    let mut disconnects = 0;
    while let Some(outcome) = clients.join_next().await {
        if let Ok(Some(outcome)) = outcome {
            latencies.extend_from_slice(&outcome.latencies_us);
            disconnects += usize::from(outcome.disconnected);
        }
    }
    let delivered = ledger.delivered.load(Ordering::Acquire);
    let missing = expected.saturating_sub(delivered);
    let failures = failed.load(Ordering::Acquire) + disconnects;
    let latency = Percentiles::of_micros(&mut latencies);
    let per_million = server_cpu
        .filter(|_| delivered > 0)
        .map(|cpu| cpu / delivered as f64 * 1e6);
    let threads = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let generator_percent = generator_cpu / window / threads * 100.0;
    let memory = |field| plan.server_pid.and_then(|pid| memory_kib(pid, field).ok());
    let line = json!({
        "profile": plan.profile,
        "flavor": plan.target.flavor.name(),
        "label": plan.label,
        "rooms": plan.rooms,
        "clients": plan.clients,
        "rate": plan.rate,
        "payload": plan.payload,
        "duration_s": plan.duration,
        "warmup_s": plan.warmup,
        "connections": joined.load(Ordering::Acquire),
        "connection_failures": failures,
        "sent": ledger.sent_total(),
        "expected": expected,
        "delivered": delivered,
        "missing": missing,
        "duplicates": ledger.duplicates.load(Ordering::Acquire),
        "undecodable": ledger.undecodable.load(Ordering::Acquire),
        "untimed": ledger.untimed.load(Ordering::Acquire),
        "latency_ms": latency,
        "delivered_per_s": delivered as f64 / plan.duration.max(f64::EPSILON),
        "server_cpu_s": server_cpu,
        "cpu_s_per_million": per_million,
        "server_rss_mib": memory("VmRSS").map(mib),
        "server_peak_rss_mib": memory("VmHWM").map(mib),
        "generator_cpu_s": generator_cpu,
        "generator_cpu_percent": generator_percent,
        "setup_s": settle_s,
        "window_s": window,
        "server_run_queue_wait_s": server_wait,
        "generator_run_queue_wait_s": generator_wait,
        "load_average": load_average(),
    });
    let human = format!(
        "{} {} {}×{} @{}/s: p50 {:.2} p90 {:.2} p99 {:.2} max {:.1} ms; {:.0} deliveries/s; missing {missing}; \
         failures {failures}; server CPU {} ({} s per million); peak RSS {}; generator CPU {generator_percent:.0} %{}",
        plan.target.flavor.name(),
        plan.profile,
        plan.rooms,
        plan.clients,
        plan.rate,
        latency.p50,
        latency.p90,
        latency.p99,
        latency.max,
        delivered as f64 / plan.duration.max(f64::EPSILON),
        server_cpu.map_or("n/a".into(), |cpu| format!("{cpu:.2} s")),
        per_million.map_or("n/a".into(), |cpu| format!("{cpu:.1}")),
        memory("VmHWM").map_or("n/a".into(), |kib| format!("{:.0} MiB", mib(kib))),
        if generator_percent > 90.0 {
            " (generator saturated)"
        } else {
            ""
        },
    );
    emit(&line, &human);
    Ok(LoadResult {
        p99_ms: latency.p99,
        missing,
        failures,
    })
}

/// The machine's one-minute load average at the end of the run: how
/// crowded the two cores were.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// One room whose clients' rate doubles from `plan.rate` up to `max_rate`
/// while p99 stays ≤ 100 ms, nothing is missed and nobody drops out. Each
/// step is a fresh room (a fresh board on Kartenwand).
pub async fn run_hot(plan: LoadPlan, max_rate: f64) -> anyhow::Result<()> {
    anyhow::ensure!(
        plan.rate > 0.0 && max_rate >= plan.rate && max_rate <= 1000.0,
        "invalid rates"
    );
    let mut rate = plan.rate;
    let mut held: Option<f64> = None;
    // Bounded: at most log2(1000 / rate) + 1 steps.
    while rate <= max_rate + f64::EPSILON {
        let step = LoadPlan {
            rate,
            ..plan.clone()
        };
        let result = run(&step).await?;
        if result.p99_ms > HOT_P99_LIMIT_MS || result.missing > 0 || result.failures > 0 {
            break;
        }
        held = Some(rate);
        rate *= 2.0;
    }
    let line: Value = json!({
        "profile": "hot-summary",
        "flavor": plan.target.flavor.name(),
        "label": plan.label,
        "highest_rate_held": held.unwrap_or(0.0),
    });
    let human = format!(
        "{} hot: highest rate held {}",
        plan.target.flavor.name(),
        held.map_or("none".into(), |rate| format!("{rate}/s per client"))
    );
    emit(&line, &human);
    Ok(())
}
