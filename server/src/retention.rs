//! Retention (`docs/operations.md`, "Retention"): every board is deleted
//! for real on its day of deletion, by default `--retention-days` after
//! its day (its `"date"`, its event's date, or the day it was made), or on
//! the day its moderator chose. A sweep runs at start and then daily; each
//! due board's room ends first (4404), then the store deletes it
//! ([`crate::store::Store::delete_board`]).

use crate::room::Registry;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the sweep runs after the first one at start.
const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Deletes the boards due now; returns how many went.
pub async fn sweep(store: &Arc<dyn Store>, registry: &Registry, retention_days: u32) -> usize {
    let due = {
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.boards_due(retention_days)).await {
            Ok(Ok(due)) => due,
            Ok(Err(error)) => {
                tracing::error!(%error, "retention: cannot list the boards due");
                return 0;
            }
            Err(error) => {
                tracing::error!(%error, "retention: the listing failed");
                return 0;
            }
        }
    };
    let mut deleted = 0;
    for board in due {
        registry.end_deleted(&board).await;
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.delete_board(&board)).await {
            Ok(Ok(true)) => deleted += 1,
            Ok(Ok(false)) => {}
            Ok(Err(error)) => tracing::error!(%error, "retention: a board could not be deleted"),
            Err(error) => tracing::error!(%error, "retention: a deletion failed"),
        }
    }
    if deleted > 0 {
        tracing::info!(
            boards = deleted,
            "retention: deleted the boards past their day"
        );
    }
    deleted
}

/// Sweeps at start and then every day until `shutdown`.
pub async fn sweep_daily(
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    retention_days: u32,
    shutdown: CancellationToken,
) {
    loop {
        sweep(&store, &registry, retention_days).await;
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
