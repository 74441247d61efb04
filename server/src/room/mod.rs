//! Live boards.
//!
//! One actor task per board (a "room") owns the board's yrs document, its
//! awareness states and its peers; everything else talks to it through a
//! [`RoomHandle`]. All document work happens inside that task, so no lock is
//! held across an `.await` and no yrs observer can deadlock on its own doc.
//!
//! The [`Registry`] maps board ids to rooms. It creates a room through the
//! map's atomic `entry()` API and the room loads its document itself, so many
//! simultaneous joiners all land on the same room and no board is ever loaded
//! twice. A room that has had no peers for a while compacts its log and
//! removes itself; a room that panics is removed by its supervisor and the
//! next joiner starts a fresh one from the store.
//!
//! # Layout
//!
//! - `registry`, `handle`, `command`, `ledger`: finding and starting rooms,
//!   addressing them, what they are asked, what outlives a room.
//! - `actor`: the room task and its event loop; it owns the sub-states
//!   below and ties them together.
//! - `admission`: whether an inbound update may enter (pure).
//! - `repair`: bringing a sender back in line after a refusal.
//! - `delivery`: staged writes, and sending after commit, in order.
//! - `sync`: the sync step 1/step 2 answers and their cache.
//! - `secrecy`: hidden cards: what of an update or answer a peer may not
//!   read, the deletions it makes of what it never read, the reveal.
//! - `peers`, `awareness`, `compaction`: the room's peers and their
//!   allowances, the awareness states, what the store holds of the board.
//! - `inbound`: frames decoded and validated on the peer's own task.

mod actor;
mod admission;
mod awareness;
mod command;
mod compaction;
mod delivery;
mod handle;
mod inbound;
mod ledger;
mod peers;
mod registry;
mod repair;
mod secrecy;
mod sync;
#[cfg(test)]
mod test_harness;

pub use actor::build_document;
pub use command::{ErasureFailed, JoinError};
pub(crate) use command::{JoinRefused, RoomCommand};
pub use handle::{Membership, RoomHandle};
pub use inbound::Inbound;
pub(crate) use ledger::Ledgers;
pub use ledger::RevocationMark;
pub use registry::Registry;
pub(crate) use registry::Rooms;
// The sending side of a connection lives in `socket`, which knows nothing
// of rooms; these are re-exported so callers keep naming them from here.
pub use crate::socket::{CloseReason, PeerLink};

use crate::socket::OutletLimits;
use std::time::Duration;

/// Owner of the Yjs client ids the server itself writes under.
pub const SERVER_OWNER: &str = "server";

/// Identifies one websocket connection within the process.
pub type PeerId = u64;

/// Limits and timings of rooms and connections (see `docs/operations.md`).
#[derive(Debug, Clone)]
pub struct RoomSettings {
    pub max_document_bytes: u64,
    pub max_connections_per_board: usize,
    /// What may wait for a peer's socket before it is closed with 1013.
    pub outbox: OutletLimits,
    pub idle_room: Duration,
    pub awareness_timeout: Duration,
    pub compact_after_updates: u64,
}

impl Default for RoomSettings {
    fn default() -> Self {
        RoomSettings {
            max_document_bytes: 32 * 1024 * 1024,
            max_connections_per_board: 500,
            outbox: outbox_limits(32 * 1024 * 1024, 1024 * 1024),
            idle_room: Duration::from_secs(30),
            awareness_timeout: Duration::from_secs(30),
            compact_after_updates: 1000,
        }
    }
}

/// Frames waiting for a peer's socket before it counts as too slow.
pub const OUTBOX_FRAMES: usize = 1024;

/// The outbox of a peer: 1024 frames, and in bytes one whole document (a
/// full sync step 2) plus four of the largest messages (relays behind it).
/// 36 MiB with the default limits, instead of 1024 × the document.
pub fn outbox_limits(max_document_bytes: u64, max_frame_bytes: usize) -> OutletLimits {
    let document = usize::try_from(max_document_bytes).unwrap_or(usize::MAX);
    OutletLimits {
        frames: OUTBOX_FRAMES,
        bytes: document.saturating_add(max_frame_bytes.saturating_mul(4)),
    }
}
