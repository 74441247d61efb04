//! Per-address rate limits of what anyone may ask without a token: board
//! creation, joins, and join-code lookups. Over its rate a client is
//! answered 429 with `Retry-After`.
//!
//! A client is an address ([`ClientKey`]: IPv4, or an IPv6 /64) as
//! [`ClientAddress`] finds it. A whole venue shares one public address, so
//! the defaults (`config.rs`, `docs/operations.md`) let hundreds of phones
//! join at once; what they stop is a script (thousands of boards a second,
//! join codes guessed by the thousand).
//!
//! Each limit keeps one token bucket per client in a map that cannot grow
//! without bound: a bucket that has filled up again is the same as no
//! bucket, so a sweep (every [`REPORT_INTERVAL`], and when the map is full)
//! forgets those. Should the map still be full, clients without a bucket
//! share one: the rate holds for them together, and the memory stays
//! bounded however many addresses a sender has.
//!
//! Refusals are counted (`kartenwand_throttled_total`) and logged as counts
//! per kind, at most once per [`REPORT_INTERVAL`] and never with an
//! address.

use super::Error;
use super::address::{ClientAddress, ClientKey};
use crate::metrics::{METRICS, Throttled};
use crate::rate::TokenBucket;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use dashmap::DashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Clients one limit remembers at most: 100,000 buckets of about 100 bytes
/// each, 10 MB for the three limits at worst.
const MAX_CLIENTS: usize = 100_000;

/// How often the counts of refusals are logged (when there are any) and
/// idle buckets forgotten.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(60);

/// A sweep of a full map runs at most this often; between sweeps, new
/// clients share the overflow bucket.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// A rate in requests per minute, with a burst allowed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    fn bucket(self, now: Instant) -> TokenBucket {
        TokenBucket::new(
            f64::from(self.per_minute) / 60.0,
            f64::from(self.burst),
            now,
        )
    }
}

/// The rates of [`Throttles`].
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub board_creation: Rate,
    pub join: Rate,
    pub code_lookup: Rate,
}

/// One rate limit, per client.
pub struct Limit {
    kind: Throttled,
    rate: Rate,
    buckets: DashMap<ClientKey, TokenBucket>,
    /// Shared by the clients that found the map full.
    overflow: Mutex<TokenBucket>,
    last_sweep: Mutex<Instant>,
    capacity: usize,
}

impl Limit {
    fn new(kind: Throttled, rate: Rate, capacity: usize, now: Instant) -> Limit {
        Limit {
            kind,
            rate,
            buckets: DashMap::new(),
            overflow: Mutex::new(rate.bucket(now)),
            last_sweep: Mutex::new(now),
            capacity,
        }
    }

    /// Takes one request of `client`'s allowance, or says how long to wait.
    fn admit(&self, client: ClientKey, now: Instant) -> Result<(), Duration> {
        if !self.buckets.contains_key(&client) && self.buckets.len() >= self.capacity {
            self.sweep_if_due(now);
        }
        let admitted = if self.buckets.contains_key(&client) || self.buckets.len() < self.capacity {
            // No await while the entry holds its shard's lock.
            let mut bucket = self
                .buckets
                .entry(client)
                .or_insert_with(|| self.rate.bucket(now));
            take(&mut bucket, now)
        } else {
            take(&mut lock(&self.overflow), now)
        };
        if admitted.is_err() {
            METRICS.throttled(self.kind).increment();
        }
        admitted
    }

    fn sweep_if_due(&self, now: Instant) {
        {
            let mut last = lock(&self.last_sweep);
            if now.duration_since(*last) < SWEEP_INTERVAL {
                return;
            }
            *last = now;
        }
        self.sweep(now);
    }

    /// Forgets the buckets that filled up again, and gives their memory
    /// back.
    fn sweep(&self, now: Instant) {
        self.buckets.retain(|_, bucket| !bucket.is_full(now));
        self.buckets.shrink_to_fit();
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.buckets.len()
    }
}

fn take(bucket: &mut TokenBucket, now: Instant) -> Result<(), Duration> {
    if bucket.try_take(now) {
        Ok(())
    } else {
        Err(bucket.until_next_token())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing panics while holding these locks; should it, the value is
    // still a valid bucket or instant.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The three limits and how clients are told apart.
pub struct Throttles {
    pub address: ClientAddress,
    board_creation: Limit,
    join: Limit,
    code_lookup: Limit,
    report: Mutex<Report>,
}

/// What was logged last.
struct Report {
    at: Option<Instant>,
    /// Refusals counted by kind at the last line.
    reported: [u64; Throttled::ALL.len()],
}

impl Throttles {
    pub fn new(address: ClientAddress, rates: Rates) -> Throttles {
        let now = Instant::now();
        let limit = |kind, rate| Limit::new(kind, rate, MAX_CLIENTS, now);
        Throttles {
            address,
            board_creation: limit(Throttled::BoardCreation, rates.board_creation),
            join: limit(Throttled::Join, rates.join),
            code_lookup: limit(Throttled::CodeLookup, rates.code_lookup),
            report: Mutex::new(Report {
                at: None,
                reported: [0; Throttled::ALL.len()],
            }),
        }
    }

    /// Takes one request of the client's allowance for `kind`; over it,
    /// the 429 to answer.
    pub fn admit(&self, kind: Throttled, client: Client) -> Result<(), Error> {
        let now = Instant::now();
        let limit = match kind {
            Throttled::BoardCreation => &self.board_creation,
            Throttled::Join => &self.join,
            Throttled::CodeLookup => &self.code_lookup,
            // Counted by the accept loop; never a request.
            Throttled::Connection => return Ok(()),
        };
        limit.admit(client.0, now).map_err(|wait| {
            self.report_if_due(now);
            Error::TooManyRequests {
                what: kind.noun(),
                retry_after: wait,
            }
        })
    }

    /// Logs the refusals since the last line, if any, at most once per
    /// [`REPORT_INTERVAL`]: the first refusal after a quiet spell at once.
    fn report_if_due(&self, now: Instant) {
        let mut report = lock(&self.report);
        if report
            .at
            .is_some_and(|at| now.duration_since(at) < REPORT_INTERVAL)
        {
            return;
        }
        let counts = Throttled::ALL.map(|kind| METRICS.throttled(kind).get());
        if counts == report.reported {
            return;
        }
        report.at = Some(now);
        for (index, kind) in Throttled::ALL.into_iter().enumerate() {
            let new = counts[index].saturating_sub(report.reported[index]);
            if new > 0 {
                // Counts only: never an address.
                tracing::warn!(
                    kind = kind.label(),
                    count = new,
                    "{new} refused since the last report: {} over {}",
                    kind.noun(),
                    kind.limit()
                );
            }
        }
        report.reported = counts;
    }

    /// Every [`REPORT_INTERVAL`] until `shutdown`: logs what was refused
    /// and forgets idle buckets.
    pub async fn maintain(&self, shutdown: CancellationToken) {
        let mut interval = tokio::time::interval(REPORT_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = interval.tick() => {}
            }
            let now = Instant::now();
            self.report_if_due(now);
            for limit in [&self.board_creation, &self.join, &self.code_lookup] {
                limit.sweep(now);
            }
        }
    }
}

impl Throttled {
    /// What is refused, in the plural, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Throttled::BoardCreation => "board creations",
            Throttled::Join => "joins",
            Throttled::CodeLookup => "join code lookups",
            Throttled::Connection => "connections",
        }
    }

    /// The limit that refused them, for the log.
    fn limit(self) -> &'static str {
        match self {
            Throttled::Connection => "--max-open-connections",
            _ => "the per-address rate",
        }
    }
}

/// Extractor: the client a request counts against (see [`ClientAddress`]).
pub struct Client(ClientKey);

impl Client {
    pub fn key(&self) -> ClientKey {
        self.0
    }
}

impl FromRequestParts<super::AppState> for Client {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Client, Error> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| Error::Internal("no peer address on the request".into()))?;
        let address = state.throttles.address.of(peer.ip(), &parts.headers);
        Ok(Client(ClientKey::of(address)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn key(n: u32) -> ClientKey {
        ClientKey::of(IpAddr::from(std::net::Ipv4Addr::from_bits(n)))
    }

    const RATE: Rate = Rate {
        per_minute: 60,
        burst: 3,
    };

    #[test]
    fn each_client_has_its_own_burst_and_learns_when_to_retry() {
        let start = Instant::now();
        let limit = Limit::new(Throttled::Join, RATE, 100, start);
        for _ in 0..3 {
            assert_eq!(limit.admit(key(1), start), Ok(()));
        }
        let wait = limit.admit(key(1), start).expect_err("over the burst");
        assert_eq!(wait, Duration::from_secs(1));
        assert_eq!(limit.admit(key(2), start), Ok(()), "another client");
        assert_eq!(limit.admit(key(1), start + Duration::from_secs(1)), Ok(()));
    }

    #[test]
    fn the_map_stays_bounded_and_a_full_map_shares_one_bucket() {
        let start = Instant::now();
        let limit = Limit::new(Throttled::CodeLookup, RATE, 10, start);
        for n in 0..10 {
            assert_eq!(limit.admit(key(n), start), Ok(()));
        }
        // Clients 100.. find the map full: together they get one burst.
        let admitted = (100..110)
            .filter(|n| limit.admit(key(*n), start).is_ok())
            .count();
        assert_eq!(admitted, 3);
        assert_eq!(limit.clients(), 10);
        // Once the old buckets filled up again, a sweep forgets them and
        // new clients get buckets of their own.
        let later = start + Duration::from_secs(5);
        assert_eq!(limit.admit(key(200), later), Ok(()));
        assert_eq!(limit.clients(), 1);
        limit.sweep(later + Duration::from_secs(5));
        assert_eq!(limit.clients(), 0);
    }
}
