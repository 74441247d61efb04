//! Whether an inbound update may enter the document at all, decided from
//! the room's state without changing it.
//!
//! The questions, in order (see `docs/architecture.md`, "Life of an
//! update"): is it an edit at all, does it fit under the board's size
//! limit, does the room have everything it builds on, may this identity
//! edit, does it only spell out names the schema has, and are its new
//! Yjs client ids the sender's own. What passes still goes through the
//! ownership check item by item (`auth::ownership`), which may refuse
//! parts of it; that needs the document and happens in the room.

use crate::auth::Identity;
use crate::board;
use crate::metrics::Refusal;
use crate::protocol::update::{MissingDependency, UpdateSummary};
use std::collections::HashMap;
use yrs::{ClientID, ID, IdSet, StateVector};

/// The room's state an admission is decided from.
pub(super) struct Admission<'a> {
    /// The document's state vector.
    pub state: &'a StateVector,
    /// The document's deleted ids.
    pub deleted: &'a IdSet,
    /// Which identity introduced each Yjs client id.
    pub client_owners: &'a HashMap<u64, String>,
    /// Bytes of snapshot plus log, and the most the board may hold.
    pub stored_bytes: u64,
    pub max_document_bytes: u64,
}

/// What becomes of an inbound update.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Not an edit (nothing new): ignored, whoever sends it.
    Ignored,
    /// It would push the board over its size limit.
    TooLarge,
    /// It builds on something the room lacks: the room asks the sender
    /// for what it has.
    MissingDependency(MissingDependency),
    /// Refused whole: why (for `/metrics`), and what the sender is told.
    Refused(Refusal, &'static str),
    /// It may go on to the ownership check; `new_clients` are the client
    /// ids it introduces, bound to the sender once it is committed.
    Admitted { new_clients: Vec<(u64, String)> },
}

impl Admission<'_> {
    /// Decides on an update of `bytes` from `identity`.
    pub fn verdict(&self, identity: &Identity, bytes: usize, summary: &UpdateSummary) -> Verdict {
        // Every client answers our step 1 with a step 2, empty if it has
        // nothing new: that is not an edit, whoever sends it.
        if summary.is_empty() || self.changes_nothing(summary) {
            return Verdict::Ignored;
        }
        if !self.fits(bytes) && !self.frees_space(summary) {
            return Verdict::TooLarge;
        }
        self.verdict_within_size(identity, summary)
    }

    /// The questions after the size limit, for an update that is an edit
    /// and fits (also once a compaction made room for it).
    pub fn verdict_within_size(&self, identity: &Identity, summary: &UpdateSummary) -> Verdict {
        let known = |client: u64| self.state.get(&ClientID::new(client));
        if let Some(missing) = summary.missing_dependency(known) {
            return Verdict::MissingDependency(missing);
        }
        if let Identity::Viewer = identity {
            return Verdict::Refused(Refusal::Viewer, "viewers cannot edit this board");
        }
        // Refused items keep their headers (see the room): names the schema
        // does not have would let a participant fill the document.
        if let Identity::Participant(_) = identity {
            if let Err(reason) = board::check_names(summary) {
                return Verdict::Refused(Refusal::Schema, reason);
            }
        }
        // A client id belongs to the identity that introduced it.
        let owner = identity.owner_key();
        let mut new_clients = Vec::new();
        for range in &summary.clients {
            if range.end <= known(range.client) {
                continue;
            }
            match self.client_owners.get(&range.client) {
                Some(existing) if *existing != owner => {
                    return Verdict::Refused(
                        Refusal::ClientId,
                        "this edit uses a client id that belongs to someone else",
                    );
                }
                Some(_) => {}
                None => new_clients.push((range.client, owner.clone())),
            }
        }
        Verdict::Admitted { new_clients }
    }

    /// Whether an update of this size fits under the board's size limit.
    pub fn fits(&self, bytes: usize) -> bool {
        self.stored_bytes.saturating_add(bytes as u64) <= self.max_document_bytes
    }

    /// Whether the update only repeats what the document has: no struct the
    /// server lacks, no deletion of anything live. Yjs puts a document's
    /// whole delete set into every sync step 2, so a viewer (or anyone) that
    /// reconnects to a board where something was ever deleted sends one;
    /// that is not an edit and must not count as a refused one.
    fn changes_nothing(&self, summary: &UpdateSummary) -> bool {
        let inserts = summary
            .clients
            .iter()
            .any(|range| range.end > self.state.get(&ClientID::new(range.client)));
        if inserts {
            return false;
        }
        let mut requested = IdSet::new();
        for range in &summary.deletes {
            requested.insert(ID::new(ClientID::new(range.client), range.clock), range.len);
        }
        requested.diff(self.deleted).is_empty()
    }

    /// An update that inserts nothing and deletes something not yet
    /// deleted: accepted on a full board (subject to the ownership rule),
    /// so the moderator, and everyone on their own entries, can make room.
    fn frees_space(&self, summary: &UpdateSummary) -> bool {
        if !summary.items.is_empty() || summary.clients.iter().any(|c| c.end > c.start) {
            return false;
        }
        // Sorted, so each insert appends (a sender may order its ranges
        // any way it likes).
        let mut ranges: Vec<_> = summary
            .deletes
            .iter()
            .map(|range| (range.client, range.clock, range.len))
            .collect();
        ranges.sort_unstable();
        let mut requested = IdSet::new();
        for (client, clock, len) in ranges {
            requested.insert(ID::new(ClientID::new(client), clock), len);
        }
        !requested.diff(self.deleted).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Admission, Refusal, Verdict};
    use crate::auth::Identity;
    use crate::protocol::update::{MissingDependency, UpdateSummary};
    use std::collections::HashMap;
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, Map, ReadTxn, StateVector, Transact, Update, WriteTxn};

    /// The room's document, what it knows, and a few bytes of room left.
    struct Room {
        doc: Doc,
        owners: HashMap<u64, String>,
        stored_bytes: u64,
    }

    impl Room {
        fn new() -> Room {
            Room {
                doc: Doc::with_client_id(1),
                owners: HashMap::new(),
                stored_bytes: 0,
            }
        }

        fn verdict(&self, identity: &Identity, update: &[u8]) -> Verdict {
            let txn = self.doc.transact();
            let state = txn.state_vector();
            let deleted = txn.snapshot().delete_set;
            let admission = Admission {
                state: &state,
                deleted: &deleted,
                client_owners: &self.owners,
                stored_bytes: self.stored_bytes,
                max_document_bytes: 1000,
            };
            let summary = UpdateSummary::parse(update).expect("parses");
            admission.verdict(identity, update.len(), &summary)
        }

        fn apply(&self, update: &[u8]) {
            self.doc
                .transact_mut()
                .apply_update(Update::decode_v1(update).expect("decodes"))
                .expect("applies");
        }
    }

    /// A client's edit of `root` since `before`.
    fn edit(client: &Doc, root: &str, key: &str, before: &StateVector) -> Vec<u8> {
        client
            .get_or_insert_map(root)
            .insert(&mut client.transact_mut(), key, "Größe für Kitas");
        client.transact().encode_state_as_update_v1(before)
    }

    fn moderator() -> Identity {
        Identity::Moderator
    }

    #[test]
    fn nothing_new_is_ignored_whoever_sends_it() {
        let room = Room::new();
        let client = Doc::with_client_id(7);
        let update = edit(&client, "cards", "c1", &StateVector::default());
        room.apply(&update);
        assert_eq!(room.verdict(&Identity::Viewer, &[0, 0]), Verdict::Ignored);
        assert_eq!(room.verdict(&Identity::Viewer, &update), Verdict::Ignored);
    }

    #[test]
    fn a_new_client_id_is_bound_to_its_sender_and_refused_to_others() {
        let mut room = Room::new();
        let client = Doc::with_client_id(7);
        let first = edit(&client, "cards", "c1", &StateVector::default());
        assert_eq!(
            room.verdict(&moderator(), &first),
            Verdict::Admitted {
                new_clients: vec![(7, moderator().owner_key())]
            }
        );
        room.apply(&first);
        room.owners.insert(7, "someone else".into());
        let before = client.transact().state_vector();
        let second = edit(&client, "cards", "c2", &before);
        assert_eq!(
            room.verdict(&moderator(), &second),
            Verdict::Refused(
                Refusal::ClientId,
                "this edit uses a client id that belongs to someone else"
            )
        );
        room.owners.insert(7, moderator().owner_key());
        assert_eq!(
            room.verdict(&moderator(), &second),
            Verdict::Admitted {
                new_clients: Vec::new()
            }
        );
    }

    #[test]
    fn viewers_and_unknown_names_are_refused() {
        let room = Room::new();
        let client = Doc::with_client_id(7);
        let update = edit(&client, "cards", "c1", &StateVector::default());
        assert_eq!(
            room.verdict(&Identity::Viewer, &update),
            Verdict::Refused(Refusal::Viewer, "viewers cannot edit this board")
        );
        let stranger = Doc::with_client_id(8);
        let unknown = edit(&stranger, "notInTheSchema", "x", &StateVector::default());
        assert!(matches!(
            room.verdict(&Identity::Participant("alice00000001".into()), &unknown),
            Verdict::Refused(Refusal::Schema, _)
        ));
    }

    #[test]
    fn an_update_building_on_what_the_room_lacks_is_sent_back_for_a_resync() {
        let room = Room::new();
        let client = Doc::with_client_id(7);
        edit(&client, "cards", "c1", &StateVector::default());
        let before = client.transact().state_vector();
        let later = edit(&client, "cards", "c2", &before);
        assert!(matches!(
            room.verdict(&moderator(), &later),
            Verdict::MissingDependency(MissingDependency { client: 7, .. })
        ));
    }

    #[test]
    fn an_update_fits_up_to_the_limit_exactly() {
        let state = StateVector::default();
        let deleted = yrs::IdSet::new();
        let owners = HashMap::new();
        let admission = Admission {
            state: &state,
            deleted: &deleted,
            client_owners: &owners,
            stored_bytes: 900,
            max_document_bytes: 1000,
        };
        assert!(admission.fits(100));
        assert!(!admission.fits(101));
        assert!(
            !Admission {
                stored_bytes: u64::MAX,
                ..admission
            }
            .fits(1)
        );
    }

    #[test]
    fn a_full_board_takes_only_deletions_of_what_is_live() {
        let mut room = Room::new();
        let client = Doc::with_client_id(7);
        let update = edit(&client, "cards", "c1", &StateVector::default());
        room.apply(&update);
        room.stored_bytes = 1000;
        let before = client.transact().state_vector();
        let more = edit(&client, "cards", "c2", &before);
        assert_eq!(room.verdict(&moderator(), &more), Verdict::TooLarge);

        let deletion = {
            let mut txn = client.transact_mut();
            let cards = txn.get_or_insert_map("cards");
            cards.remove(&mut txn, "c1");
            txn.encode_update_v1()
        };
        assert!(matches!(
            room.verdict(&moderator(), &deletion),
            Verdict::Admitted { .. }
        ));
        // Deleted already: nothing to free, nothing new.
        room.apply(&deletion);
        assert_eq!(room.verdict(&moderator(), &deletion), Verdict::Ignored);
    }
}
