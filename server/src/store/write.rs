//! A document write on its way to a backend's writer: what every writer
//! (`sqlite/writer.rs`, `postgres/writer.rs`) queues, commits in order and
//! answers through the write's [`PendingWrite`](super::PendingWrite).

use super::StoreError;
use tokio::sync::oneshot;

/// A document write waiting for its commit; `done` hears the outcome.
pub(super) enum WriteOp {
    Append {
        board: String,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
        done: oneshot::Sender<Result<u64, StoreError>>,
    },
    Compact {
        board: String,
        snapshot: Vec<u8>,
        through_sequence: u64,
        done: oneshot::Sender<Result<u64, StoreError>>,
    },
}

impl WriteOp {
    /// Where the outcome goes.
    pub(super) fn done(self) -> oneshot::Sender<Result<u64, StoreError>> {
        match self {
            WriteOp::Append { done, .. } | WriteOp::Compact { done, .. } => done,
        }
    }

    /// Tells the caller that the store has shut down.
    pub(super) fn refuse(self) {
        let _ = self.done().send(Err(StoreError::Closed));
    }

    /// Tells the caller the outcome, logging a failure.
    pub(super) fn answer(self, result: Result<u64, StoreError>) {
        if let Err(error) = &result {
            tracing::error!(%error, "store write failed");
        }
        let _ = self.done().send(result);
    }
}
