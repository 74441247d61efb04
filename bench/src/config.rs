//! Command line and the named profiles of issue 7.

use crate::wire::{Flavor, Role, Target};
use crate::{idle, load, storm};
use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "kartenwand-bench", version, about)]
pub struct Options {
    /// Worker threads of the generator (default: the CPUs it may run on, so
    /// `taskset -c 1` gives one).
    #[arg(long, global = true, env = "KARTENWAND_BENCH_THREADS")]
    pub threads: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one measurement against a server and print a JSON line (stdout)
    /// and a human line (stderr).
    Run(RunArgs),
    /// Measure what one client may cost everybody else on a running
    /// Kartenwand (`exports`, `memory`; see bench/abuse.sh).
    Abuse(crate::abuse::AbuseArgs),
    /// An event's phones join at once: the time until all are synced
    /// (see docs/benchmarks.md, "Events").
    Event(crate::event::EventArgs),
    /// Time and peak memory of taking in a 12-megapixel photo (see
    /// docs/benchmarks.md, "Photos").
    Photo(crate::photo::PhotoArgs),
    /// Precision and recall of the card suggestions on the labelled set,
    /// and their time for a board (see docs/benchmarks.md, "Suggestions").
    Similar(crate::similar::SimilarArgs),
    /// Serve a bare websocket relay: every binary frame goes to the other
    /// connections of the same path, nothing is parsed.
    Relay {
        #[arg(long, default_value = "127.0.0.1:9000")]
        addr: SocketAddr,
    },
    /// Print the comparison table (medians and spread) from JSON lines.
    Table { files: Vec<PathBuf> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// Only the flags given.
    Custom,
    /// 10 rooms × 30 clients, 1 update/s, 100-byte payloads.
    Conference,
    /// 100 rooms × 50 clients, 0.2 updates/s: 5,000 connections.
    City,
    /// 1 room × 200 clients; the rate doubles from 0.5/s up to 16/s until
    /// p99 exceeds 100 ms or an update is missed.
    Hot,
    /// 1,000 clients connect at once to 20 rooms holding 500 cards each.
    Storm,
    /// 5,000 connections, no updates: server memory per connection.
    Idle,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Server base URL: `http://HOST:PORT` for kartenwand, `ws://HOST:PORT`
    /// for the others.
    #[arg(long)]
    pub target: String,
    #[arg(long, value_enum)]
    pub flavor: Flavor,
    #[arg(long, value_enum, default_value = "custom")]
    pub profile: Profile,
    #[arg(long)]
    pub rooms: Option<usize>,
    /// Clients per room.
    #[arg(long)]
    pub clients: Option<usize>,
    /// Updates per second per client (for `hot`: the first rate).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Bytes of each update's payload string.
    #[arg(long)]
    pub payload: Option<usize>,
    /// Seconds measured (for `hot`: per step; for `idle`: held).
    #[arg(long)]
    pub duration: Option<f64>,
    /// Seconds of sending before the measurement starts.
    #[arg(long)]
    pub warmup: Option<f64>,
    /// The server's process id, for CPU seconds and RSS from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Kartenwand only: clients join as participants (every update goes
    /// through the ownership check) or use the moderator token.
    #[arg(long, value_enum, default_value = "participant")]
    pub role: Role,
    /// Kartenwand only: leave the cards hidden, as while the groups write
    /// (each text goes only to its author's group: the room redacts every
    /// update for the others). By default the moderator reveals each board
    /// first (`meta.revealed`), as after the writing, and every update goes
    /// to everyone.
    #[arg(long)]
    pub hidden: bool,
    /// Cards per board for `storm`.
    #[arg(long, default_value_t = 500)]
    pub cards: usize,
    /// `hot`: highest rate tried.
    #[arg(long, default_value_t = 16.0)]
    pub max_rate: f64,
    /// Free text copied into the JSON line (e.g. the repetition).
    #[arg(long, default_value = "")]
    pub label: String,
}

/// A load run, fully resolved.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub target: Target,
    pub profile: &'static str,
    pub rooms: usize,
    pub clients: usize,
    pub rate: f64,
    pub payload: usize,
    pub duration: f64,
    pub warmup: f64,
    pub server_pid: Option<u32>,
    pub label: String,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Custom => "custom",
            Profile::Conference => "conference",
            Profile::City => "city",
            Profile::Hot => "hot",
            Profile::Storm => "storm",
            Profile::Idle => "idle",
        }
    }

    /// rooms, clients, rate, payload, duration, warm-up
    fn defaults(self) -> (usize, usize, f64, usize, f64, f64) {
        match self {
            Profile::Custom => (1, 10, 1.0, 100, 10.0, 2.0),
            Profile::Conference => (10, 30, 1.0, 100, 30.0, 5.0),
            Profile::City => (100, 50, 0.2, 100, 30.0, 5.0),
            Profile::Hot => (1, 200, 0.5, 100, 10.0, 2.0),
            Profile::Storm => (20, 50, 0.0, 100, 0.0, 0.0),
            Profile::Idle => (100, 50, 0.0, 100, 3.0, 0.0),
        }
    }
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let (rooms, clients, rate, payload, duration, warmup) = args.profile.defaults();
    let target = Target::new(args.flavor, &args.target, args.role, args.hidden)?;
    let plan = LoadPlan {
        target,
        profile: args.profile.name(),
        rooms: args.rooms.unwrap_or(rooms),
        clients: args.clients.unwrap_or(clients),
        rate: args.rate.unwrap_or(rate),
        payload: args.payload.unwrap_or(payload),
        duration: args.duration.unwrap_or(duration),
        warmup: args.warmup.unwrap_or(warmup),
        server_pid: args.server_pid,
        label: args.label,
    };
    anyhow::ensure!(
        plan.rooms > 0 && plan.clients > 0,
        "rooms and clients must be positive"
    );
    anyhow::ensure!(
        plan.payload >= 48,
        "the payload needs at least 48 bytes for the send time"
    );
    anyhow::ensure!(
        plan.duration.is_finite() && plan.duration >= 0.0 && plan.duration <= 3600.0,
        "duration must be between 0 and 3600 seconds"
    );
    match args.profile {
        Profile::Custom | Profile::Conference | Profile::City => {
            anyhow::ensure!(
                plan.rate > 0.0 && plan.rate <= 1000.0,
                "rate must be in (0, 1000] updates per second"
            );
            load::run(&plan).await.map(|_| ())
        }
        Profile::Hot => load::run_hot(plan, args.max_rate).await,
        Profile::Storm => storm::run(&plan, args.cards).await,
        Profile::Idle => idle::run(&plan).await,
    }
}
