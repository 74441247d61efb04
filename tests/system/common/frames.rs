//! y-websocket frames built by hand (docs/protocol.md), for what a stock
//! client's document would not send by itself: awareness entries under any
//! client id and clock.

use super::client::Client;
use kartenwand::protocol::Message;
use kartenwand::protocol::awareness::{self, AwarenessEntry};

/// An awareness message of `(client, clock, state JSON)` entries.
pub fn awareness_frame(entries: &[(u64, u64, &str)]) -> Vec<u8> {
    let update = awareness::encode(entries.iter().map(|(client, clock, state)| AwarenessEntry {
        client: *client,
        clock: *clock,
        state,
    }));
    Message::Awareness(&update).encode()
}

/// Whether `client` received an awareness state whose JSON holds `text`.
pub fn has_state(client: &Client, text: &str) -> bool {
    client
        .seen
        .awareness
        .iter()
        .any(|(_, _, state)| state.contains(text))
}
