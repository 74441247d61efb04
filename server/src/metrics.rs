//! What `/metrics` reports: process-wide counters, gauges and histograms,
//! and their encoding in the Prometheus text format, version 0.0.4
//! (<https://prometheus.io/docs/instrumenting/exposition_formats/>).
//!
//! One static [`METRICS`] that the room, the connections and the export
//! route record into. Recording is one atomic add (a histogram: three), no
//! lock and no allocation, so the hot path (every update, every frame)
//! stays cheap. Labels come from small fixed sets owned here ([`Role`],
//! [`Refusal`]) or by the export module ([`Format`]): never a board id or
//! anything a user typed.
//!
//! Hand-written rather than a client crate: the series are fixed at
//! compile time, so a registry, label maps and their locks would buy
//! nothing, and the output is exactly the 0.0.4 text format scrapers expect
//! (see `docs/operations.md`, "Monitoring", for every series).

use crate::export::Format;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// The metrics of this process.
pub static METRICS: Metrics = Metrics::new();

/// The content type of [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Who a connection is, for the connection gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Moderator,
    Participant,
    Viewer,
}

impl Role {
    const ALL: [Role; 3] = [Role::Moderator, Role::Participant, Role::Viewer];

    fn label(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Viewer => "viewer",
        }
    }
}

/// Why an update (or part of one) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A viewer sent an edit.
    Viewer,
    /// A participant used names the document's schema does not have.
    Schema,
    /// The edit was written under a client id that belongs to someone else.
    ClientId,
    /// The board reached `--max-document-bytes`.
    SizeLimit,
    /// A participant changed what is not theirs (see `auth::ownership`).
    Ownership,
}

impl Refusal {
    const ALL: [Refusal; 5] = [
        Refusal::Viewer,
        Refusal::Schema,
        Refusal::ClientId,
        Refusal::SizeLimit,
        Refusal::Ownership,
    ];

    fn label(self) -> &'static str {
        match self {
            Refusal::Viewer => "viewer",
            Refusal::Schema => "schema",
            Refusal::ClientId => "client_id",
            Refusal::SizeLimit => "size_limit",
            Refusal::Ownership => "ownership",
        }
    }
}

/// What was refused over a limit of the edge: a per-address rate
/// (`http/throttle.rs`) or the cap on open connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    BoardCreation,
    Join,
    CodeLookup,
    /// A TCP connection over `--max-open-connections`.
    Connection,
}

impl Throttled {
    pub const ALL: [Throttled; 4] = [
        Throttled::BoardCreation,
        Throttled::Join,
        Throttled::CodeLookup,
        Throttled::Connection,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Throttled::BoardCreation => "board_creation",
            Throttled::Join => "join",
            Throttled::CodeLookup => "code_lookup",
            Throttled::Connection => "connection",
        }
    }
}

/// Counts a connection under its role for as long as it lives.
pub struct Connected(Role);

impl Connected {
    pub fn new(role: Role) -> Connected {
        METRICS.connections(role).increment();
        Connected(role)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        METRICS.connections(self.0).decrement();
    }
}

/// A count that only goes up.
pub struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Counter {
        Counter(AtomicU64::new(0))
    }

    pub fn increment(&self) {
        self.add(1);
    }

    pub fn add(&self, amount: u64) {
        // Relaxed: each series is read on its own, never against another.
        self.0.fetch_add(amount, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
pub struct Gauge(AtomicI64);

impl Gauge {
    const fn new() -> Gauge {
        Gauge(AtomicI64::new(0))
    }

    pub fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn decrement(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Upper bounds of the latency buckets, in seconds: a commit with
/// `synchronous=normal` takes tens of microseconds, one with `full` an
/// fsync (milliseconds); a relay waits for its commit and, in a plenary,
/// up to the 8 ms coalescing window.
const LATENCY_BOUNDS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Upper bounds of the export buckets, in seconds: a Markdown export takes
/// milliseconds, a PDF of a big board seconds.
const EXPORT_BOUNDS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Observations counted in fixed buckets of seconds. Each bucket counts
/// only its own range; [`Metrics::encode`] adds them up, as the format
/// wants cumulative counts.
pub struct Histogram<const N: usize> {
    bounds: [f64; N],
    /// One per bound, and the last for what lies above every bound.
    buckets: [AtomicU64; N],
    above: AtomicU64,
    sum_nanos: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    const fn new(bounds: [f64; N]) -> Histogram<N> {
        Histogram {
            bounds,
            buckets: [const { AtomicU64::new(0) }; N],
            above: AtomicU64::new(0),
            sum_nanos: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let bucket = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .and_then(|index| self.buckets.get(index))
            .unwrap_or(&self.above);
        bucket.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.buckets
            .iter()
            .chain([&self.above])
            .map(|bucket| bucket.load(Ordering::Relaxed))
            .sum()
    }
}

/// Every series `/metrics` reports but the build info (a constant) and
/// the number of live boards (read from the registry at scrape time, see
/// [`Snapshot`]).
pub struct Metrics {
    /// Open websocket connections that joined their board, by [`Role`].
    connections: [Gauge; 3],
    /// Document updates the rooms received (sync step 2 answers included).
    pub updates_received: Counter,
    /// Relayed updates times the peers each went to.
    pub updates_relayed: Counter,
    /// Updates refused whole or in part, by [`Refusal`].
    refused: [Counter; 5],
    /// Payload bytes of the binary websocket messages received.
    pub bytes_received: Counter,
    /// Bytes of the websocket frames the rooms sent (headers included).
    pub bytes_sent: Counter,
    /// From a room issuing a write to the store to hearing it committed.
    pub store_commit: Histogram<14>,
    /// From a room staging an accepted update to relaying it after commit.
    pub fan_out: Histogram<14>,
    /// Export durations, by [`Format`] (in the order of `Format::ALL`).
    exports: [Histogram<10>; 6],
    /// Room ticks that expired at least one awareness state.
    pub awareness_expiries: Counter,
    /// Rooms removed from memory after `--idle-room-seconds` without peers.
    pub idle_room_evictions: Counter,
    /// Logs replaced by a snapshot (committed compactions).
    pub compactions: Counter,
    /// Open TCP connections, websockets included.
    pub open_connections: Gauge,
    /// Requests and connections refused over a limit, by [`Throttled`].
    throttled: [Counter; 4],
    /// Connections closed over the outbox budget, by
    /// [`crate::socket::Scope`].
    outbox_budget_closes: [Counter; 2],
}

/// What the encoder reads from outside [`Metrics`] at scrape time.
pub struct Snapshot {
    /// Boards loaded in memory (the registry's count).
    pub live_boards: usize,
}

impl Metrics {
    pub const fn new() -> Metrics {
        Metrics {
            connections: [const { Gauge::new() }; 3],
            updates_received: Counter::new(),
            updates_relayed: Counter::new(),
            refused: [const { Counter::new() }; 5],
            bytes_received: Counter::new(),
            bytes_sent: Counter::new(),
            store_commit: Histogram::new(LATENCY_BOUNDS),
            fan_out: Histogram::new(LATENCY_BOUNDS),
            exports: [const { Histogram::new(EXPORT_BOUNDS) }; 6],
            awareness_expiries: Counter::new(),
            idle_room_evictions: Counter::new(),
            compactions: Counter::new(),
            open_connections: Gauge::new(),
            throttled: [const { Counter::new() }; 4],
            outbox_budget_closes: [const { Counter::new() }; 2],
        }
    }

    pub fn throttled(&self, kind: Throttled) -> &Counter {
        &self.throttled[kind as usize]
    }

    pub fn outbox_budget_closes(&self, scope: crate::socket::Scope) -> &Counter {
        &self.outbox_budget_closes[scope as usize]
    }

    pub fn connections(&self, role: Role) -> &Gauge {
        &self.connections[role as usize]
    }

    pub fn refused(&self, reason: Refusal) -> &Counter {
        &self.refused[reason as usize]
    }

    pub fn export(&self, format: Format) -> &Histogram<10> {
        &self.exports[format as usize]
    }

    /// Every series in the Prometheus text format 0.0.4.
    pub fn encode(&self, snapshot: &Snapshot) -> String {
        let mut out = Encoder(String::with_capacity(8 * 1024));
        out.family(
            "kartenwand_build_info",
            "gauge",
            "The running version; always 1.",
        );
        out.sample(
            "kartenwand_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );
        out.family(
            "kartenwand_live_boards",
            "gauge",
            "Boards loaded in memory (rooms).",
        );
        out.sample("kartenwand_live_boards", &[], snapshot.live_boards);
        out.family(
            "kartenwand_connections",
            "gauge",
            "Open websocket connections that joined their board, by role.",
        );
        for role in Role::ALL {
            out.sample(
                "kartenwand_connections",
                &[("role", role.label())],
                self.connections(role).get(),
            );
        }
        out.counter(
            "kartenwand_updates_received_total",
            "Document updates the rooms received.",
            &self.updates_received,
        );
        out.counter(
            "kartenwand_updates_relayed_total",
            "Deliveries of committed updates to peers (one per update and peer).",
            &self.updates_relayed,
        );
        out.family(
            "kartenwand_updates_refused_total",
            "counter",
            "Updates refused whole or in part, by reason.",
        );
        for reason in Refusal::ALL {
            out.sample(
                "kartenwand_updates_refused_total",
                &[("reason", reason.label())],
                self.refused(reason).get(),
            );
        }
        out.counter(
            "kartenwand_received_bytes_total",
            "Payload bytes of the binary websocket messages received.",
            &self.bytes_received,
        );
        out.counter(
            "kartenwand_sent_bytes_total",
            "Bytes of the websocket frames the rooms sent, headers included.",
            &self.bytes_sent,
        );
        out.family(
            "kartenwand_store_commit_seconds",
            "histogram",
            "From a room issuing a write to the store to its commit.",
        );
        out.histogram("kartenwand_store_commit_seconds", &[], &self.store_commit);
        out.family(
            "kartenwand_fan_out_seconds",
            "histogram",
            "From a room accepting an update to relaying it after its commit.",
        );
        out.histogram("kartenwand_fan_out_seconds", &[], &self.fan_out);
        out.family(
            "kartenwand_export_seconds",
            "histogram",
            "Time to build an export over HTTP, by format.",
        );
        for format in Format::ALL {
            out.histogram(
                "kartenwand_export_seconds",
                &[("format", format.extension())],
                self.export(format),
            );
        }
        out.counter(
            "kartenwand_awareness_expiries_total",
            "Room sweeps that expired at least one awareness state.",
            &self.awareness_expiries,
        );
        out.counter(
            "kartenwand_idle_room_evictions_total",
            "Rooms removed from memory after being idle.",
            &self.idle_room_evictions,
        );
        out.counter(
            "kartenwand_compactions_total",
            "Update logs replaced by a snapshot.",
            &self.compactions,
        );
        out.family(
            "kartenwand_open_connections",
            "gauge",
            "Open TCP connections, websockets included.",
        );
        out.sample(
            "kartenwand_open_connections",
            &[],
            self.open_connections.get(),
        );
        out.family(
            "kartenwand_throttled_total",
            "counter",
            "Requests refused over a per-address rate, and connections over the cap, by kind.",
        );
        for kind in Throttled::ALL {
            out.sample(
                "kartenwand_throttled_total",
                &[("kind", kind.label())],
                self.throttled(kind).get(),
            );
        }
        out.family(
            "kartenwand_outbox_budget_closes_total",
            "counter",
            "Connections closed because what waited for slow sockets went over a budget, by scope.",
        );
        for scope in crate::socket::Scope::ALL {
            out.sample(
                "kartenwand_outbox_budget_closes_total",
                &[("scope", scope.label())],
                self.outbox_budget_closes(scope).get(),
            );
        }
        out.0
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Writes lines of the text format. Label values here are fixed
/// identifiers, so none needs escaping; writing to a `String` cannot fail.
struct Encoder(String);

impl Encoder {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn counter(&mut self, name: &str, help: &str, counter: &Counter) {
        self.family(name, "counter", help);
        self.sample(name, &[], counter.get());
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        self.labels(labels, None);
        let _ = writeln!(self.0, " {value}");
    }

    fn labels(&mut self, labels: &[(&str, &str)], le: Option<&str>) {
        let mut pairs = labels.iter().copied().chain(le.map(|le| ("le", le)));
        if let Some((key, value)) = pairs.next() {
            let _ = write!(self.0, "{{{key}=\"{value}\"");
            for (key, value) in pairs {
                let _ = write!(self.0, ",{key}=\"{value}\"");
            }
            self.0.push('}');
        }
    }

    fn histogram<const N: usize>(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        histogram: &Histogram<N>,
    ) {
        let mut cumulative = 0;
        for (bound, bucket) in histogram.bounds.iter().zip(&histogram.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = write!(self.0, "{name}_bucket");
            self.labels(labels, Some(&bound.to_string()));
            let _ = writeln!(self.0, " {cumulative}");
        }
        cumulative += histogram.above.load(Ordering::Relaxed);
        let _ = write!(self.0, "{name}_bucket");
        self.labels(labels, Some("+Inf"));
        let _ = writeln!(self.0, " {cumulative}");
        let sum = histogram.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = write!(self.0, "{name}_sum");
        self.labels(labels, None);
        let _ = writeln!(self.0, " {sum}");
        let _ = write!(self.0, "{name}_count");
        self.labels(labels, None);
        let _ = writeln!(self.0, " {cumulative}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_in_inf_sum_and_count() {
        let metrics = Metrics::new();
        metrics.store_commit.observe(Duration::from_micros(50));
        metrics.store_commit.observe(Duration::from_millis(3));
        metrics.store_commit.observe(Duration::from_secs(60));
        metrics
            .export(Format::Pdf)
            .observe(Duration::from_millis(40));
        metrics.refused(Refusal::Ownership).increment();
        metrics.connections(Role::Viewer).increment();
        let text = metrics.encode(&Snapshot { live_boards: 2 });
        for line in [
            "kartenwand_store_commit_seconds_bucket{le=\"0.0001\"} 1",
            "kartenwand_store_commit_seconds_bucket{le=\"0.0025\"} 1",
            "kartenwand_store_commit_seconds_bucket{le=\"0.005\"} 2",
            "kartenwand_store_commit_seconds_bucket{le=\"5\"} 2",
            "kartenwand_store_commit_seconds_bucket{le=\"+Inf\"} 3",
            "kartenwand_store_commit_seconds_sum 60.00305",
            "kartenwand_store_commit_seconds_count 3",
            "kartenwand_export_seconds_bucket{format=\"pdf\",le=\"0.05\"} 1",
            "kartenwand_export_seconds_count{format=\"pdf\"} 1",
            "kartenwand_export_seconds_count{format=\"md\"} 0",
            "kartenwand_updates_refused_total{reason=\"ownership\"} 1",
            "kartenwand_updates_refused_total{reason=\"viewer\"} 0",
            "kartenwand_connections{role=\"viewer\"} 1",
            "kartenwand_live_boards 2",
            "# TYPE kartenwand_fan_out_seconds histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert_eq!(metrics.store_commit.count(), 3);
    }

    #[test]
    fn the_indexed_families_match_their_vocabularies() {
        // `as usize` indexes the arrays: each vocabulary must fill its array.
        assert_eq!(Role::ALL.len(), Metrics::new().connections.len());
        assert_eq!(Refusal::ALL.len(), Metrics::new().refused.len());
        assert_eq!(Format::ALL.len(), Metrics::new().exports.len());
        assert_eq!(Throttled::ALL.len(), Metrics::new().throttled.len());
        for (index, format) in Format::ALL.into_iter().enumerate() {
            assert_eq!(format as usize, index);
        }
    }
}
