//! Rates the server holds connections and clients to: one token bucket for
//! all of them.
//!
//! Each limit answers an excess its own way: a connection's messages are
//! throttled (`http/ws.rs` reads the socket more slowly, nothing is
//! dropped), awareness updates over their rate are dropped (presence is
//! ephemeral), sync step 1 requests over theirs close the connection (each
//! may cost an encode of the whole document), and board creations, joins
//! and join-code lookups over a client address's rate are answered 429
//! (`http/throttle.rs`). Callers pass
//! the time, so the bucket itself never reads a clock and its tests need
//! none.

use std::time::{Duration, Instant};

/// Holds up to `burst` tokens and gains `per_second` of them each second;
/// every message takes one.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    tokens: f64,
    per_second: f64,
    burst: f64,
    /// When `tokens` was last brought up to date (may lie ahead while a
    /// token taken by [`TokenBucket::take_or_wait`] is still owed).
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(per_second: f64, burst: f64, now: Instant) -> Self {
        TokenBucket {
            tokens: burst,
            per_second,
            burst,
            last: now,
        }
    }

    /// Takes a token if one is left; false (and nothing taken) if not.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }

    /// Takes `amount` tokens if that many are left; false (and nothing
    /// taken) if not. A bucket of bytes takes a message's size.
    pub fn try_take_many(&mut self, amount: f64, now: Instant) -> bool {
        self.refill(now);
        if self.tokens < amount {
            return false;
        }
        self.tokens -= amount;
        true
    }

    /// Takes a token; if none is left, it is owed and the answer is how
    /// long to wait first (the wait pays it back).
    pub fn take_or_wait(&mut self, now: Instant) -> Option<Duration> {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            return None;
        }
        let wait = Duration::from_secs_f64(-self.tokens / self.per_second);
        self.tokens = 0.0;
        self.last = now + wait;
        Some(wait)
    }

    /// How long after the last refill until a token is back (zero if one
    /// is there): what a refused caller is told to wait.
    pub fn until_next_token(&self) -> Duration {
        if self.tokens >= 1.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((1.0 - self.tokens) / self.per_second)
    }

    /// Whether the bucket is full again: then it holds what a new bucket
    /// would, and forgetting it changes nothing.
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.burst
    }

    fn refill(&mut self, now: Instant) {
        // `duration_since` is zero while `last` lies ahead.
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
    }
}

/// Tells a sender over a rate at most once per interval, so the notice
/// itself does not become a flood.
#[derive(Debug, Clone)]
pub struct Notice {
    interval: Duration,
    last: Option<Instant>,
}

impl Notice {
    pub fn every(interval: Duration) -> Self {
        Notice {
            interval,
            last: None,
        }
    }

    /// True if the sender is to be told now (and remembers that it was).
    pub fn due(&mut self, now: Instant) -> bool {
        if self.last.is_some_and(|at| now < at + self.interval) {
            return false;
        }
        self.last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::{Notice, TokenBucket};
    use std::time::{Duration, Instant};

    #[tokio::test(start_paused = true)]
    async fn token_bucket_allows_a_burst_then_the_rate() {
        let now = || tokio::time::Instant::now().into_std();
        let mut bucket = TokenBucket::new(10.0, 5.0, now());
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            assert_eq!(bucket.take_or_wait(now()), None);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        for _ in 0..10 {
            if let Some(wait) = bucket.take_or_wait(now()) {
                tokio::time::sleep(wait).await;
            }
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1010),
            "{elapsed:?}"
        );
    }

    #[test]
    fn try_take_refuses_over_the_rate_without_owing() {
        let start = Instant::now();
        // The sync step 1 allowance: ten at once, then one per five seconds.
        let mut bucket = TokenBucket::new(0.2, 10.0, start);
        for _ in 0..10 {
            assert!(bucket.try_take(start));
        }
        assert!(!bucket.try_take(start));
        assert!(!bucket.try_take(start + Duration::from_secs(4)));
        // A refusal takes nothing: five seconds after the start, one is back.
        assert!(bucket.try_take(start + Duration::from_secs(5)));
        assert!(!bucket.try_take(start + Duration::from_secs(5)));
        // Never more than the burst, however long the pause.
        let later = start + Duration::from_secs(3600);
        for _ in 0..10 {
            assert!(bucket.try_take(later));
        }
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn a_refused_caller_learns_when_a_token_is_back() {
        let start = Instant::now();
        // Two a minute, three at once.
        let mut bucket = TokenBucket::new(2.0 / 60.0, 3.0, start);
        assert!(bucket.is_full(start));
        for _ in 0..3 {
            assert!(bucket.try_take(start));
        }
        assert!(!bucket.try_take(start));
        assert_eq!(bucket.until_next_token().as_secs_f64().round(), 30.0);
        assert!(!bucket.try_take(start + Duration::from_secs(20)));
        assert_eq!(bucket.until_next_token().as_secs_f64().round(), 10.0);
        assert!(!bucket.is_full(start + Duration::from_secs(60)));
        assert!(bucket.is_full(start + Duration::from_secs(90)));
    }

    #[test]
    fn a_notice_is_due_once_per_interval() {
        let start = Instant::now();
        let mut notice = Notice::every(Duration::from_secs(10));
        assert!(notice.due(start));
        assert!(!notice.due(start + Duration::from_secs(9)));
        assert!(notice.due(start + Duration::from_secs(10)));
        assert!(!notice.due(start + Duration::from_secs(11)));
    }
}
