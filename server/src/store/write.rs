//! A document write on its way to a backend's writer: what every writer
//! (`sqlite/writer.rs`, `postgres/writer.rs`) queues, commits in order and
//! answers through the write's [`PendingWrite`](super::PendingWrite).

use super::{PendingWrite, StoreError};
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
    /// [`Store::append_updates`](super::Store::append_updates) of every
    /// backend: the write, handed to `submit` (the backend's queue), and
    /// where its answer will come.
    pub(super) fn append(
        board: &str,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
        submit: impl FnOnce(WriteOp),
    ) -> PendingWrite {
        let (done, pending) = oneshot::channel();
        submit(WriteOp::Append {
            board: board.to_owned(),
            updates,
            new_clients,
            done,
        });
        pending
    }

    /// [`Store::compact`](super::Store::compact) of every backend, as
    /// [`WriteOp::append`].
    pub(super) fn compact(
        board: &str,
        snapshot: Vec<u8>,
        through_sequence: u64,
        submit: impl FnOnce(WriteOp),
    ) -> PendingWrite {
        let (done, pending) = oneshot::channel();
        submit(WriteOp::Compact {
            board: board.to_owned(),
            snapshot,
            through_sequence,
            done,
        });
        pending
    }

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
