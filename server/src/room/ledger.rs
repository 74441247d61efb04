//! What the server remembers about a board's identities while it runs:
//! revocations and refused edits, beyond the life of one room.

use crate::auth::Identity;
use dashmap::DashMap;
use std::collections::HashMap;

/// A point in the order of revocations (see [`Registry::revocation_mark`]).
pub type RevocationMark = u64;

/// What the server remembers about a board's identities for as long as it
/// runs, beyond the life of one room (rooms end when idle; a client could
/// otherwise wait for that to reset its record).
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// Identities ([`Identity::owner_key`]) whose access was revoked, with
    /// the mark of the latest revocation (only the latest matters).
    pub(super) revoked: HashMap<String, RevocationMark>,
    /// Refused edits per identity ([`Identity::owner_key`]).
    pub refusals: HashMap<String, u32>,
    /// The board was deleted: no join is taken any more.
    pub deleted: bool,
}

impl Ledger {
    /// Whether a token of `identity` checked at `checked` has been revoked
    /// since.
    pub fn revoked_since(&self, identity: &Identity, checked: RevocationMark) -> bool {
        self.deleted
            || self
                .revoked
                .get(&identity.owner_key())
                .is_some_and(|mark| *mark > checked)
    }
}

pub(crate) type Ledgers = DashMap<String, Ledger>;
