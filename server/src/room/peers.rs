//! The peers of one room: who each one is, the link the room writes into,
//! and the allowances of the messages a peer may send only so often.

use super::{CloseReason, PeerId, PeerLink};
use crate::auth::Identity;
use crate::metrics::METRICS;
use crate::rate::{Notice, TokenBucket};
use crate::socket::Frame;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Awareness messages a connection may send: per second, and at once.
const AWARENESS_PER_SECOND: f64 = 10.0;
const AWARENESS_BURST: f64 = 20.0;

/// Awareness bytes a board relays, from all its connections together: per
/// second, and at once. Every peer receives what the board relays, so
/// this bounds the presence traffic each honest phone gets, however many
/// connections send within their own rate (20 of them pushed 3 MiB/s to
/// every phone before). Stock clients renew a state of a few hundred bytes
/// every 15 s: 200 of them use under 5 KiB/s.
pub(super) const AWARENESS_BOARD_BYTES_PER_SECOND: f64 = 64.0 * 1024.0;
pub(super) const AWARENESS_BOARD_BURST_BYTES: f64 = 256.0 * 1024.0;

/// How often a connection over the awareness rate is told so.
const AWARENESS_NOTICE_INTERVAL: Duration = Duration::from_secs(10);

/// Sync step 1 messages a connection may send: a burst, then one per
/// five seconds. A client sends one when it connects (y-websocket's
/// optional resync adds one per interval); each answer may cost an encode
/// of the document, so a connection sending more is closed (1008).
const SYNC_REQUEST_BURST: f64 = 10.0;
const SYNC_REQUESTS_PER_SECOND: f64 = 0.2;

struct Peer {
    identity: Identity,
    link: PeerLink,
    awareness: TokenBucket,
    /// When the peer was last told it sends awareness too often.
    awareness_notice: Notice,
    sync_requests: TokenBucket,
}

/// Whether a peer's awareness message is within its rate.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum AwarenessRate {
    Within,
    /// Over the rate: the message is dropped (presence is ephemeral), and
    /// the sender is told so if `notify`.
    Over {
        notify: bool,
    },
}

pub(super) struct Peers {
    peers: HashMap<PeerId, Peer>,
    /// Since when the room has had no peers.
    idle_since: Option<Instant>,
    /// The board's awareness bytes (see [`AWARENESS_BOARD_BYTES_PER_SECOND`]).
    awareness_bytes: TokenBucket,
}

impl Peers {
    /// No peers yet: idle from `now`.
    pub fn new(now: Instant) -> Self {
        Peers {
            peers: HashMap::new(),
            idle_since: Some(now),
            awareness_bytes: TokenBucket::new(
                AWARENESS_BOARD_BYTES_PER_SECOND,
                AWARENESS_BOARD_BURST_BYTES,
                now,
            ),
        }
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Since when the room has had no peers, if it has none.
    pub fn idle_since(&self) -> Option<Instant> {
        self.idle_since
    }

    pub fn insert(&mut self, peer: PeerId, identity: Identity, link: PeerLink, now: Instant) {
        self.peers.insert(
            peer,
            Peer {
                identity,
                link,
                awareness: TokenBucket::new(AWARENESS_PER_SECOND, AWARENESS_BURST, now),
                awareness_notice: Notice::every(AWARENESS_NOTICE_INTERVAL),
                sync_requests: TokenBucket::new(SYNC_REQUESTS_PER_SECOND, SYNC_REQUEST_BURST, now),
            },
        );
        self.idle_since = None;
    }

    /// Forgets a peer (dropping its link); false if it was not here.
    pub fn remove(&mut self, peer: PeerId) -> bool {
        if self.peers.remove(&peer).is_none() {
            return false;
        }
        if self.peers.is_empty() {
            self.idle_since = Some(Instant::now());
        }
        true
    }

    pub fn identity(&self, peer: PeerId) -> Option<&Identity> {
        self.peers.get(&peer).map(|state| &state.identity)
    }

    /// Every peer and its identity.
    pub fn identities(&self) -> Vec<(PeerId, Identity)> {
        self.peers
            .iter()
            .map(|(id, peer)| (*id, peer.identity.clone()))
            .collect()
    }

    /// The peers connected as `identity`.
    pub fn of_identity(&self, identity: &Identity) -> Vec<PeerId> {
        self.peers
            .iter()
            .filter(|(_, peer)| peer.identity == *identity)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Sends a frame to one peer. False if the peer cannot keep up (the
    /// room closes it); true if the frame went out or waits, or the peer
    /// is already gone.
    pub fn send(&self, peer: PeerId, frame: &Frame) -> bool {
        self.peers.get(&peer).is_none_or(|target| {
            METRICS.bytes_sent.add(frame.as_bytes().len() as u64);
            target.link.send(frame)
        })
    }

    /// Sends a frame to every peer; returns those that cannot keep up.
    pub fn broadcast(&self, frame: &Frame) -> Vec<PeerId> {
        let bytes = frame.as_bytes().len() as u64;
        METRICS.bytes_sent.add(bytes * self.peers.len() as u64);
        self.peers
            .iter()
            .filter(|(_, peer)| !peer.link.send(frame))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Records why the peer goes (the room then removes it).
    pub fn close(&self, peer: PeerId, reason: CloseReason) {
        if let Some(closing) = self.peers.get(&peer) {
            tracing::info!(peer, code = reason.code, reason = %reason.reason, "closing peer");
            closing.link.close(reason);
        }
    }

    /// Closes and forgets every peer.
    pub fn close_all(&mut self, reason: CloseReason) {
        for (_, peer) in self.peers.drain() {
            peer.link.close(reason.clone());
        }
        self.idle_since = Some(Instant::now());
    }

    /// Takes one sync step 1 from the peer's allowance; false when none
    /// is left (or the peer is gone).
    pub fn take_sync_request(&mut self, peer: PeerId, now: Instant) -> bool {
        self.peers
            .get_mut(&peer)
            .is_some_and(|state| state.sync_requests.try_take(now))
    }

    /// Takes one awareness message of `bytes` from the peer's allowance and
    /// the board's; `None` if the peer is gone. Over either, the message is
    /// dropped.
    pub fn take_awareness(
        &mut self,
        peer: PeerId,
        bytes: usize,
        now: Instant,
    ) -> Option<AwarenessRate> {
        let state = self.peers.get_mut(&peer)?;
        Some(
            if state.awareness.try_take(now)
                && self.awareness_bytes.try_take_many(bytes as f64, now)
            {
                AwarenessRate::Within
            } else {
                AwarenessRate::Over {
                    notify: state.awareness_notice.due(now),
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{
        AWARENESS_BOARD_BURST_BYTES, AWARENESS_BOARD_BYTES_PER_SECOND, AwarenessRate, Peers,
    };
    use crate::auth::Identity;
    use crate::room::CloseReason;
    use crate::room::test_harness::link;
    use std::future::poll_fn;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn the_room_is_idle_while_it_has_no_peers() {
        let start = Instant::now();
        let mut peers = Peers::new(start);
        assert_eq!(peers.idle_since(), Some(start));
        let (one, _outlet, _end) = link().await;
        peers.insert(1, Identity::Moderator, one, start);
        assert_eq!(peers.idle_since(), None);
        assert!(!peers.remove(2), "not a peer");
        assert_eq!(peers.idle_since(), None);
        assert!(peers.remove(1));
        assert!(peers.idle_since().is_some() && peers.is_empty());
    }

    #[tokio::test]
    async fn peers_are_found_by_identity_and_closed_with_a_reason() {
        let now = Instant::now();
        let mut peers = Peers::new(now);
        let alice = Identity::Participant("alice00000001".into());
        let mut outlets = Vec::new();
        let mut ends = Vec::new();
        for (peer, identity) in [
            (1, alice.clone()),
            (2, Identity::Viewer),
            (3, alice.clone()),
        ] {
            let (link, outlet, end) = link().await;
            peers.insert(peer, identity, link, now);
            outlets.push(outlet);
            ends.push(end);
        }
        let mut found = peers.of_identity(&alice);
        found.sort_unstable();
        assert_eq!(found, vec![1, 3]);
        assert_eq!(peers.identity(2), Some(&Identity::Viewer));
        peers.close(1, CloseReason::REVOKED);
        assert_eq!(
            poll_fn(|cx| outlets[0].poll_closed(cx)).await,
            Some(CloseReason::REVOKED)
        );
        peers.close_all(CloseReason::GOING_AWAY);
        assert!(peers.is_empty() && peers.idle_since().is_some());
        for outlet in &outlets[1..] {
            assert_eq!(
                poll_fn(|cx| outlet.poll_closed(cx)).await,
                Some(CloseReason::GOING_AWAY)
            );
        }
    }

    #[tokio::test]
    async fn sync_requests_and_awareness_have_their_own_allowances() {
        let start = Instant::now();
        let mut peers = Peers::new(start);
        let (one, _outlet, _end) = link().await;
        peers.insert(1, Identity::Moderator, one, start);
        for _ in 0..10 {
            assert!(peers.take_sync_request(1, start));
        }
        assert!(!peers.take_sync_request(1, start));
        assert!(peers.take_sync_request(1, start + Duration::from_secs(5)));
        assert!(!peers.take_sync_request(2, start), "not a peer");

        for _ in 0..20 {
            assert_eq!(
                peers.take_awareness(1, 100, start),
                Some(AwarenessRate::Within)
            );
        }
        assert_eq!(
            peers.take_awareness(1, 100, start),
            Some(AwarenessRate::Over { notify: true })
        );
        assert_eq!(
            peers.take_awareness(1, 100, start),
            Some(AwarenessRate::Over { notify: false })
        );
        // Ten a second: a fifth of a second brings one back (two, in fact).
        let later = start + Duration::from_millis(200);
        assert_eq!(
            peers.take_awareness(1, 100, later),
            Some(AwarenessRate::Within)
        );
        assert_eq!(peers.take_awareness(2, 100, start), None);
    }

    #[tokio::test]
    async fn a_board_relays_a_bounded_rate_of_awareness_bytes_from_all_its_peers() {
        let start = Instant::now();
        let mut peers = Peers::new(start);
        let mut ends = Vec::new();
        for peer in 0..20 {
            let (one, outlet, end) = link().await;
            peers.insert(peer, Identity::Participant(format!("p{peer}")), one, start);
            ends.push((outlet, end));
        }
        // Twenty connections, each within its own allowance (20 at once),
        // with 4 KiB states: the board takes its burst, then nothing more.
        let state = 4096;
        let mut relayed = 0.0;
        for _ in 0..20 {
            for peer in 0..20 {
                if peers.take_awareness(peer, state, start) == Some(AwarenessRate::Within) {
                    relayed += state as f64;
                }
            }
        }
        assert!(relayed <= AWARENESS_BOARD_BURST_BYTES, "{relayed}");
        assert!(relayed >= AWARENESS_BOARD_BURST_BYTES - state as f64);
        // A second later, the board's rate is back, not the twenty
        // connections' (400 states a second).
        let later = start + Duration::from_secs(1);
        let mut after = 0.0;
        for peer in 0..20 {
            for _ in 0..10 {
                if peers.take_awareness(peer, state, later) == Some(AwarenessRate::Within) {
                    after += state as f64;
                }
            }
        }
        assert!(after <= AWARENESS_BOARD_BYTES_PER_SECOND, "{after}");
    }
}
