//! What callers ask of a room, and how a join can fail.

use super::{Inbound, PeerId, RevocationMark};
use crate::auth::Identity;
use crate::socket::{CloseReason, PeerLink};
use tokio::sync::oneshot;

pub(crate) enum RoomCommand {
    Join {
        peer: PeerId,
        identity: Identity,
        link: PeerLink,
        /// [`Registry::revocation_mark`] taken before the token was checked.
        checked: RevocationMark,
        reply: oneshot::Sender<Result<(), JoinRefused>>,
    },
    Inbound {
        peer: PeerId,
        message: Inbound,
    },
    Leave {
        peer: PeerId,
    },
    /// Closes every connection of an identity whose access was revoked.
    /// Sent on the room's control channel, ahead of its inbox.
    Disconnect {
        identity: Identity,
        done: oneshot::Sender<()>,
    },
    /// Closes every connection with `reason` (1001 when the server stops,
    /// 4404 when the board was deleted), finishes the writes and ends.
    Shutdown {
        reason: CloseReason,
        done: oneshot::Sender<()>,
    },
    /// Erases a participant from the document as the server, closes
    /// their connections with [`CloseReason::ERASED`], then rewrites the
    /// stored history from the collected document (a compaction) and
    /// answers once that is durable. Sent on the inbox, in order with the
    /// updates before it.
    Erase {
        participant: String,
        authored: crate::board::erasure::Authored,
        reply: oneshot::Sender<Result<crate::board::erasure::Erased, ErasureFailed>>,
    },
    /// The whole document, encoded as one update (for exports).
    DocumentState {
        reply: oneshot::Sender<Vec<u8>>,
    },
    /// Makes the room task panic, to test that only this room goes down.
    #[cfg(test)]
    Panic,
}

/// Why a room could not erase: its store write failed, or it is ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ErasureFailed {
    #[error("the board's store write failed")]
    Store,
    #[error("the board's room is ending; try again")]
    Closing,
}

/// A room's answer to a join it cannot take.
pub(crate) enum JoinRefused {
    Full,
    /// The identity's access was revoked after its token was checked.
    Revoked,
    /// The room is ending; the link comes back so the join can go to the
    /// room that replaces it.
    Closing(PeerLink),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("the board has too many connections")]
    Full,
    #[error("the board is unavailable")]
    Unavailable,
    #[error("access was revoked")]
    Revoked,
    #[error("the server is shutting down")]
    ShuttingDown,
}

impl JoinError {
    pub fn close_reason(self) -> CloseReason {
        match self {
            JoinError::Full => CloseReason::BOARD_FULL,
            JoinError::Unavailable => CloseReason::UNAVAILABLE,
            JoinError::Revoked => CloseReason::REVOKED,
            JoinError::ShuttingDown => CloseReason::GOING_AWAY,
        }
    }
}
