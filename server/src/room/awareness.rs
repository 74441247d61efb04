//! The awareness states of one room (who is online, cursors, names).
//!
//! Follows `applyAwarenessUpdate` of `y-protocols/awareness.js`; yrs has no
//! expiry, so states not renewed within the timeout are removed here
//! (clients renew every 15 s).

use super::PeerId;
use crate::auth::Identity;
use crate::protocol::awareness::{self, AwarenessEntry};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

struct State {
    clock: u64,
    /// JSON text as sent; `None` once removed (the clock is kept so an old
    /// update cannot bring the state back).
    json: Option<String>,
    updated: Instant,
    peer: PeerId,
    identity: Identity,
}

#[derive(Default)]
pub struct AwarenessTable {
    states: HashMap<u64, State>,
}

impl AwarenessTable {
    /// Applies entries sent by `peer`; returns the encoded update to relay,
    /// if anything changed. An entry for a client id that another identity
    /// holds, or held until lately, is ignored.
    pub fn apply(
        &mut self,
        peer: PeerId,
        identity: &Identity,
        entries: &[AwarenessEntry<'_>],
        now: Instant,
    ) -> Option<Vec<u8>> {
        let mut changed = Vec::new();
        for entry in entries {
            if !self.admissible(identity, entry) {
                continue;
            }
            let json = (!entry.is_removal()).then(|| entry.state.to_owned());
            self.states.insert(
                entry.client,
                State {
                    clock: entry.clock,
                    json,
                    updated: now,
                    peer,
                    identity: identity.clone(),
                },
            );
            changed.push(entry.client);
        }
        self.encode(&changed)
    }

    /// Whether `identity` may set this entry: it is newer than what the
    /// table holds, and no other identity set the client's state, live or
    /// removed (a removed state is remembered for the awareness timeout, so
    /// nobody can step into a closed connection's place while the others
    /// still remember it). Stock y-websocket clients echo every state they
    /// receive; those echoes are old or foreign and simply not admissible.
    pub fn admissible(&self, identity: &Identity, entry: &AwarenessEntry<'_>) -> bool {
        match self.states.get(&entry.client) {
            None => true,
            Some(current) => {
                let held_by_other = current.identity != *identity;
                let newer = current.clock < entry.clock
                    || (current.clock == entry.clock
                        && entry.is_removal()
                        && current.json.is_some());
                newer && !held_by_other
            }
        }
    }

    /// How many live client ids `peer` would hold after applying `entries`.
    /// Linear in the entries (a set, not a scan per entry).
    pub fn clients_of(&self, peer: PeerId, entries: &[AwarenessEntry<'_>]) -> usize {
        let mut clients: HashSet<u64> = self
            .states
            .iter()
            .filter(|(_, state)| state.peer == peer && state.json.is_some())
            .map(|(client, _)| *client)
            .collect();
        for entry in entries {
            if entry.is_removal() {
                clients.remove(&entry.client);
            } else {
                clients.insert(entry.client);
            }
        }
        clients.len()
    }

    /// Client ids the table knows, live or recently removed. An honest
    /// client only echoes states the server sent it, plus its own few, so
    /// an awareness message naming more than this plus the per-connection
    /// allowance is refused before its entries are looked at.
    pub fn known_clients(&self) -> usize {
        self.states.len()
    }

    /// Removes every state `peer` sent (its connection closed).
    pub fn remove_peer(&mut self, peer: PeerId) -> Option<Vec<u8>> {
        let clients: Vec<u64> = self
            .states
            .iter()
            .filter(|(_, state)| state.peer == peer && state.json.is_some())
            .map(|(client, _)| *client)
            .collect();
        self.remove(&clients)
    }

    /// Removes states not renewed within `timeout`, and forgets removed ones
    /// after the same time.
    pub fn expire(&mut self, now: Instant, timeout: Duration) -> Option<Vec<u8>> {
        self.states
            .retain(|_, state| state.json.is_some() || now.duration_since(state.updated) < timeout);
        let clients: Vec<u64> = self
            .states
            .iter()
            .filter(|(_, state)| {
                state.json.is_some() && now.duration_since(state.updated) >= timeout
            })
            .map(|(client, _)| *client)
            .collect();
        self.remove(&clients)
    }

    /// Every live state, for a new peer or a query.
    pub fn encode_all(&self) -> Option<Vec<u8>> {
        let clients: Vec<u64> = self
            .states
            .iter()
            .filter(|(_, state)| state.json.is_some())
            .map(|(client, _)| *client)
            .collect();
        self.encode(&clients)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.states
            .values()
            .filter(|state| state.json.is_some())
            .count()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn remove(&mut self, clients: &[u64]) -> Option<Vec<u8>> {
        for client in clients {
            if let Some(state) = self.states.get_mut(client) {
                state.json = None;
                // Never beyond what JavaScript decodes, never overflowing:
                // at MAX_CLOCK the removal keeps the clock, and a null
                // state at the same clock still replaces a live one.
                state.clock = state.clock.saturating_add(1).min(awareness::MAX_CLOCK);
                state.updated = Instant::now();
            }
        }
        self.encode(clients)
    }

    fn encode(&self, clients: &[u64]) -> Option<Vec<u8>> {
        if clients.is_empty() {
            return None;
        }
        let entries = clients.iter().filter_map(|client| {
            self.states.get(client).map(|state| AwarenessEntry {
                client: *client,
                clock: state.clock,
                state: state.json.as_deref().unwrap_or("null"),
            })
        });
        Some(awareness::encode(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(client: u64, clock: u64, state: &str) -> AwarenessEntry<'_> {
        AwarenessEntry {
            client,
            clock,
            state,
        }
    }

    #[test]
    fn newer_clocks_win_and_removal_bumps_the_clock() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let me = Identity::Participant("p1".into());
        assert!(table.apply(1, &me, &[entry(10, 1, "{}")], now).is_some());
        assert!(
            table.apply(1, &me, &[entry(10, 1, "{}")], now).is_none(),
            "same clock is old"
        );
        assert_eq!(table.len(), 1);
        let removal = table.remove_peer(1).expect("relays the removal");
        assert_eq!(
            awareness::decode(&removal).expect("valid")[0],
            entry(10, 2, "null")
        );
        assert!(table.is_empty());
    }

    #[test]
    fn removal_at_the_largest_clock_neither_overflows_nor_leaves_js_range() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let me = Identity::Participant("p1".into());
        let max = awareness::MAX_CLOCK;
        assert!(table.apply(1, &me, &[entry(10, max, "{}")], now).is_some());
        let removal = table.remove_peer(1).expect("relays the removal");
        let relayed = awareness::decode(&removal).expect("a client can decode it");
        assert_eq!(relayed[0], entry(10, max, "null"));
        assert!(table.is_empty(), "the null state at the same clock wins");
    }

    #[test]
    fn another_identity_cannot_overwrite_a_live_state() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(
            1,
            &Identity::Participant("p1".into()),
            &[entry(10, 1, r#"{"n":"A"}"#)],
            now,
        );
        let spoof = table.apply(
            2,
            &Identity::Participant("p2".into()),
            &[entry(10, 5, "null")],
            now,
        );
        assert!(spoof.is_none());
        assert_eq!(table.len(), 1);
        // The same identity on a new connection (a reconnecting phone) may.
        let renewed = table.apply(
            3,
            &Identity::Participant("p1".into()),
            &[entry(10, 2, "{}")],
            now,
        );
        assert!(renewed.is_some());
    }

    #[test]
    fn clients_of_counts_each_client_once_and_honours_removals() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let me = Identity::Participant("p1".into());
        table.apply(1, &me, &[entry(10, 1, "{}"), entry(11, 1, "{}")], now);
        table.apply(2, &me, &[entry(20, 1, "{}")], now);
        assert_eq!(table.clients_of(1, &[]), 2);
        assert_eq!(
            table.clients_of(
                1,
                &[entry(12, 1, "{}"), entry(12, 2, "{}"), entry(10, 2, "null")]
            ),
            2,
            "12 counts once; 10 goes away; 20 is another peer's"
        );
        // Many entries (a hostile frame holds ~170,000): linear, and exact.
        let states: Vec<String> = (0..100_000).map(|_| "{}".to_owned()).collect();
        let many: Vec<AwarenessEntry<'_>> = states
            .iter()
            .enumerate()
            .map(|(i, state)| entry(1000 + (i as u64 % 50_000), 1, state))
            .collect();
        assert_eq!(table.clients_of(1, &many), 50_002);
        assert_eq!(table.known_clients(), 3);
    }

    #[test]
    fn states_expire_after_the_timeout() {
        let mut table = AwarenessTable::default();
        let start = Instant::now();
        table.apply(1, &Identity::Moderator, &[entry(10, 1, "{}")], start);
        assert!(
            table
                .expire(start + Duration::from_secs(29), Duration::from_secs(30))
                .is_none()
        );
        assert!(
            table
                .expire(start + Duration::from_secs(31), Duration::from_secs(30))
                .is_some()
        );
        assert!(table.is_empty());
    }
}
