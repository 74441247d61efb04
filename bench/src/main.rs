//! `kartenwand-bench`: a load generator for y-websocket servers and a bare
//! websocket relay, so Kartenwand, the reference servers and the floor are
//! measured on the same machine in the same run (issue 7,
//! `docs/benchmarks.md`).
//!
//! # Layout
//!
//! - [`config`]: the command line and the named profiles.
//! - [`wire`]: the server flavours: URLs, board set-up, and the framing of
//!   y-websocket messages (Hocuspocus puts the document name in front).
//! - [`client`]: one simulated client: a yrs document, a websocket, its
//!   send schedule and what it received.
//! - [`load`], [`storm`], [`idle`]: the three kinds of measurement.
//! - [`abuse`]: what one client may cost everybody else (exports, memory).
//! - [`event`]: an event's phones joining at once.
//! - [`photo`]: taking in a 12-megapixel photo.
//! - [`similar`]: precision and recall of the card suggestions.
//! - [`report`]: percentiles, server statistics from `/proc`, output lines,
//!   and the comparison table.
//! - [`relay`]: the bare relay (every binary frame to the other connections
//!   of the same path).
//! - [`clock`]: CLOCK_MONOTONIC, comparable across processes on one machine.

mod abuse;
mod client;
mod clock;
mod config;
mod event;
mod idle;
mod load;
mod photo;
mod relay;
mod report;
mod similar;
mod storm;
mod wire;

use anyhow::Context;
use clap::Parser;
use config::{Command, Options};

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    raise_file_limit();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = options.threads {
        runtime.worker_threads(threads);
    }
    let runtime = runtime.build().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match options.command {
            Command::Run(args) => config::run(args).await,
            Command::Abuse(args) => abuse::run(args).await,
            Command::Event(args) => event::run(args).await,
            Command::Photo(args) => photo::run(args).await,
            Command::Similar(args) => similar::run(args),
            Command::Relay { addr } => relay::serve(addr).await,
            Command::Table { files } => report::print_table(&files),
        }
    })
}

/// Thousands of connections need thousands of descriptors: raise the soft
/// limit to the hard one (the script also runs `ulimit -n`).
fn raise_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        if let Err(error) = setrlimit(Resource::Nofile, limit) {
            eprintln!("warning: cannot raise the open-file limit: {error}");
        }
    }
}
