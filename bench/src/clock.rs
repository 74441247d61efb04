//! The send-time clock.
//!
//! `std::time::Instant` cannot be turned into a number another process
//! understands, so send times are CLOCK_MONOTONIC nanoseconds: the same
//! clock for every process on the machine.

use rustix::time::{ClockId, clock_gettime};

/// CLOCK_MONOTONIC in nanoseconds.
pub fn now_ns() -> u64 {
    let time = clock_gettime(ClockId::Monotonic);
    // The monotonic clock counts from boot: never negative.
    (time.tv_sec as u64) * 1_000_000_000 + time.tv_nsec as u64
}
