//! What the store holds of a board, as the room counts it: the stored size
//! (for the size limit), the last sequence number (for the next snapshot)
//! and the updates since the last snapshot, and from those when to compact.

use std::time::{Duration, Instant};

/// Least time between two compactions a full board makes to turn
/// deletions into free space (each encodes the whole document).
const SPACE_COMPACTION_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub(super) struct StoredLog {
    /// Bytes of snapshot plus log, an upper bound of the document's size.
    stored_bytes: u64,
    last_sequence: u64,
    updates_since_snapshot: u64,
    /// Since the last snapshot: an update was refused because the board
    /// is full, and something was deleted. Both together make the room
    /// compact early, so the deletions free space.
    full_since_snapshot: bool,
    deleted_since_snapshot: bool,
    /// When the room last compacted to free space.
    compacted_for_space: Option<Instant>,
}

impl StoredLog {
    /// Takes the counts of a document just loaded from the store.
    pub fn loaded(&mut self, stored_bytes: u64, last_sequence: u64, updates: u64) {
        self.stored_bytes = stored_bytes;
        self.last_sequence = last_sequence;
        self.updates_since_snapshot = updates;
    }

    /// Bytes of snapshot plus log (what the size limit counts).
    pub fn stored_bytes(&self) -> u64 {
        self.stored_bytes
    }

    /// An append of `count` updates of `bytes` in all was committed as
    /// `sequence`.
    pub fn appended(&mut self, sequence: u64, bytes: u64, count: u64) {
        self.last_sequence = self.last_sequence.max(sequence);
        self.stored_bytes += bytes;
        self.updates_since_snapshot += count;
    }

    /// An update was refused because the board is full.
    pub fn refused_for_size(&mut self) {
        self.full_since_snapshot = true;
    }

    /// Something was deleted in the document.
    pub fn deleted(&mut self) {
        self.deleted_since_snapshot = true;
    }

    /// Whether anything was logged since the last snapshot.
    pub fn has_updates(&self) -> bool {
        self.updates_since_snapshot > 0
    }

    /// Whether the log has grown enough for a compaction.
    pub fn due(&self, compact_after_updates: u64) -> bool {
        self.updates_since_snapshot >= compact_after_updates
    }

    /// Whether a full board that has deleted something since its snapshot
    /// is due for a compaction that frees space (at most once per
    /// interval); if so, remembers that it now compacts.
    pub fn due_for_space(&mut self, now: Instant) -> bool {
        let due = self.full_since_snapshot
            && self.deleted_since_snapshot
            && self.updates_since_snapshot > 0
            && self
                .compacted_for_space
                .is_none_or(|at| now.duration_since(at) >= SPACE_COMPACTION_INTERVAL);
        if due {
            self.compacted_for_space = Some(now);
        }
        due
    }

    /// The board is being compacted into a snapshot of `snapshot_bytes`;
    /// returns the last sequence number it includes.
    pub fn compacted(&mut self, snapshot_bytes: usize) -> u64 {
        self.stored_bytes = snapshot_bytes as u64;
        self.updates_since_snapshot = 0;
        self.full_since_snapshot = false;
        self.deleted_since_snapshot = false;
        self.last_sequence
    }
}

#[cfg(test)]
mod tests {
    use super::StoredLog;
    use std::time::{Duration, Instant};

    #[test]
    fn the_stored_size_counts_the_snapshot_and_every_append() {
        let mut log = StoredLog::default();
        log.loaded(900, 4, 2);
        assert_eq!(log.stored_bytes(), 900);
        log.appended(7, 50, 1);
        assert_eq!(log.stored_bytes(), 950);
        assert_eq!(log.compacted(300), 7);
        assert_eq!(log.stored_bytes(), 300);
        assert!(!log.has_updates());
    }

    #[test]
    fn a_sequence_number_never_goes_back() {
        let mut log = StoredLog::default();
        log.appended(9, 1, 1);
        log.appended(3, 1, 1);
        assert_eq!(log.compacted(0), 9);
    }

    #[test]
    fn compaction_is_due_after_enough_updates() {
        let mut log = StoredLog::default();
        log.loaded(0, 0, 999);
        assert!(!log.due(1000));
        log.appended(1, 10, 1);
        assert!(log.due(1000));
        log.compacted(10);
        assert!(!log.due(1000));
    }

    #[test]
    fn a_full_board_compacts_for_space_once_it_deleted_and_at_most_once_a_second() {
        let start = Instant::now();
        let mut log = StoredLog::default();
        log.appended(1, 10, 1);
        log.refused_for_size();
        assert!(!log.due_for_space(start), "nothing deleted yet");
        log.deleted();
        assert!(log.due_for_space(start));
        // The compaction resets both marks.
        log.compacted(5);
        log.appended(2, 10, 1);
        log.refused_for_size();
        log.deleted();
        assert!(!log.due_for_space(start + Duration::from_millis(999)));
        assert!(log.due_for_space(start + Duration::from_secs(1)));
    }
}
