//! Awareness updates (`y-protocols/awareness.js`,
//! <https://github.com/yjs/y-protocols/blob/master/awareness.js>):
//!
//! ```text
//! update = varuint(n) { varuint(client) varuint(clock) varstring(JSON state) }
//! ```
//!
//! A state of `null` means the client went away.

use super::{ProtocolError, Reader, write_var_bytes, write_var_u64};

/// One client's entry in an awareness update. The state is JSON text,
/// validated but kept as sent so it can be relayed unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwarenessEntry<'a> {
    pub client: u64,
    pub clock: u64,
    pub state: &'a str,
}

impl AwarenessEntry<'_> {
    /// Whether this entry removes the client's state.
    pub fn is_removal(&self) -> bool {
        self.state.trim() == "null"
    }
}

/// The largest clock: JavaScript clients read a clock as a number, exact
/// up to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`). A removal at this clock keeps
/// it (a `null` state at the same clock still wins, in y-protocols as here).
pub const MAX_CLOCK: u64 = (1 << 53) - 1;

/// How many entries an awareness update declares, read from its first
/// bytes only (to refuse a huge one before parsing its entries).
pub fn declared_entries(bytes: &[u8]) -> Result<u64, ProtocolError> {
    Reader::new(bytes).var_u64()
}

/// Parses an awareness update; every state must be valid JSON.
pub fn decode(bytes: &[u8]) -> Result<Vec<AwarenessEntry<'_>>, ProtocolError> {
    let mut reader = Reader::new(bytes);
    // client, clock and a state length take at least three bytes.
    let count = reader.count(3)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let client = reader.client_id()?;
        let clock = reader.var_u64()?;
        if clock > MAX_CLOCK {
            return Err(ProtocolError::InvalidAwarenessClock);
        }
        let state = reader.var_str()?;
        serde_json::from_str::<serde::de::IgnoredAny>(state)
            .map_err(|_| ProtocolError::InvalidAwarenessState)?;
        entries.push(AwarenessEntry {
            client,
            clock,
            state,
        });
    }
    if !reader.is_empty() {
        return Err(ProtocolError::TrailingBytes);
    }
    Ok(entries)
}

/// Encodes entries as one awareness update.
pub fn encode<'a>(entries: impl IntoIterator<Item = AwarenessEntry<'a>>) -> Vec<u8> {
    let entries: Vec<_> = entries.into_iter().collect();
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.state.len() + 12).sum::<usize>() + 4);
    write_var_u64(&mut out, entries.len() as u64);
    for entry in entries {
        write_var_u64(&mut out, entry.client);
        write_var_u64(&mut out, entry.clock);
        write_var_bytes(&mut out, entry.state.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips() {
        let entries = vec![
            AwarenessEntry {
                client: 1,
                clock: 3,
                state: r#"{"user":{"name":"Aylin"}}"#,
            },
            AwarenessEntry {
                client: 99,
                clock: 4,
                state: "null",
            },
        ];
        let encoded = encode(entries.clone());
        assert_eq!(decode(&encoded), Ok(entries));
    }

    #[test]
    fn refuses_broken_json_and_absurd_counts() {
        let broken = encode([AwarenessEntry {
            client: 1,
            clock: 1,
            state: "{nope",
        }]);
        assert_eq!(decode(&broken), Err(ProtocolError::InvalidAwarenessState));
        assert_eq!(
            decode(&[0xff, 0xff, 0xff, 0x0f]),
            Err(ProtocolError::LengthExceedsFrame)
        );
    }

    #[test]
    fn clocks_stay_within_what_javascript_decodes() {
        let with_clock = |clock| {
            encode([AwarenessEntry {
                client: 1,
                clock,
                state: "{}",
            }])
        };
        assert!(decode(&with_clock(MAX_CLOCK)).is_ok());
        for clock in [MAX_CLOCK + 1, 1 << 53, u64::MAX - 1, u64::MAX] {
            assert_eq!(
                decode(&with_clock(clock)),
                Err(ProtocolError::InvalidAwarenessClock),
                "clock {clock}"
            );
        }
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
        }
    }
}
