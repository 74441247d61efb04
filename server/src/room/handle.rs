//! The address of a room and a peer's membership in it.

use super::{Inbound, JoinError, PeerId, RoomCommand};
use tokio::sync::mpsc;

/// A cheap, cloneable address of a room.
#[derive(Clone)]
pub struct RoomHandle {
    /// Tells apart successive rooms of the same board.
    pub(super) instance: u64,
    pub(super) sender: mpsc::Sender<RoomCommand>,
    /// Revocations go here, so they are not stuck behind a full inbox.
    pub(super) control: mpsc::Sender<RoomCommand>,
}

/// A peer's membership in a room; leaves the room when dropped.
pub struct Membership {
    pub(super) peer: PeerId,
    pub(super) room: RoomHandle,
}

impl Membership {
    pub fn peer(&self) -> PeerId {
        self.peer
    }

    /// Hands a decoded message to the room. Waits while the room's inbox is
    /// full (back-pressure); fails if the room is gone.
    pub async fn send(&self, message: Inbound) -> Result<(), JoinError> {
        let command = RoomCommand::Inbound {
            peer: self.peer,
            message,
        };
        match self.room.sender.try_send(command) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(JoinError::Unavailable),
            // Rare, so the waiting send lives in a box of its own instead of
            // in every connection's task.
            Err(mpsc::error::TrySendError::Full(command)) => {
                Box::pin(self.room.sender.send(command))
                    .await
                    .map_err(|_| JoinError::Unavailable)
            }
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        let sender = self.room.sender.clone();
        let peer = self.peer;
        // The room may be busy; leaving must not be lost, so wait in a task.
        if let Err(mpsc::error::TrySendError::Full(command)) =
            sender.try_send(RoomCommand::Leave { peer })
        {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = sender.send(command).await;
                });
            }
        }
    }
}
