//! What erasing a person takes out of a board document
//! (`DELETE /api/boards/{board}/participants/{id}`, docs/protocol.md,
//! "Erasing a person"): everything keyed by their participant id or
//! written by them, in one transaction the room makes as the server.
//!
//! The entries are deleted; the room's document collects the garbage at
//! commit (deleted values become `Deleted(len)`), and the room then
//! rewrites the stored history from that state (`room::actor`). Map keys
//! survive collection, which is why no key of the schema holds anything
//! but random ids.

use super::schema::{
    AGREEMENTS, ANONYMOUS_AUTHOR, CARDS, ERASED_AT, MEMBERSHIPS, META, PARTICIPANTS, PLACEMENTS,
    VOTES,
};
use yrs::{Map, MapRef, Out, TransactionMut, WriteTxn};

/// What happens to the cards and proposals a person wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Authored {
    /// Deleted with everything else.
    #[default]
    Erase,
    /// Kept without their name: `author` becomes [`ANONYMOUS_AUTHOR`]
    /// (a conference that wants to keep a need).
    KeepAnonymous,
}

/// What an erasure changed in one document, for the log and the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub profile: bool,
    pub cards_erased: usize,
    pub cards_kept: usize,
    pub agreements_erased: usize,
    pub agreements_kept: usize,
    /// Votes, placements and memberships.
    pub pairs: usize,
}

impl Erased {
    /// Whether the transaction changed anything besides the marker.
    pub fn is_empty(&self) -> bool {
        *self == Erased::default()
    }
}

/// Erases `participant` from the document in `txn`, and records the time
/// (`now`, ms) in `meta.erasedAt` so open apps drop their undo history
/// (docs/schema.md, `meta`).
pub fn erase_participant(
    txn: &mut TransactionMut<'_>,
    participant: &str,
    authored: Authored,
    now: f64,
) -> Erased {
    let mut erased = Erased::default();
    let participants = txn.get_or_insert_map(PARTICIPANTS);
    erased.profile = participants.remove(txn, participant).is_some();
    let (cards_erased, cards_kept) = authored_entries(txn, CARDS, participant, authored);
    let (agreements_erased, agreements_kept) =
        authored_entries(txn, AGREEMENTS, participant, authored);
    erased.cards_erased = cards_erased;
    erased.cards_kept = cards_kept;
    erased.agreements_erased = agreements_erased;
    erased.agreements_kept = agreements_kept;
    let prefix = format!("{participant}:");
    for root in [VOTES, PLACEMENTS, MEMBERSHIPS] {
        let map = txn.get_or_insert_map(root);
        let keys: Vec<String> = map
            .keys(txn)
            .filter(|key| key.starts_with(&prefix))
            .map(str::to_owned)
            .collect();
        for key in &keys {
            map.remove(txn, key);
        }
        erased.pairs += keys.len();
    }
    txn.get_or_insert_map(META).insert(txn, ERASED_AT, now);
    erased
}

/// Deletes (or, keeping them, makes anonymous) the entries of `root` whose
/// `author` is `participant`; returns how many were deleted and kept.
fn authored_entries(
    txn: &mut TransactionMut<'_>,
    root: &str,
    participant: &str,
    authored: Authored,
) -> (usize, usize) {
    let map = txn.get_or_insert_map(root);
    let theirs: Vec<(String, MapRef)> = map
        .iter(txn)
        .filter_map(|(key, value)| match value {
            Out::YMap(entry) => Some((key.to_owned(), entry)),
            _ => None,
        })
        .filter(|(_, entry)| {
            matches!(entry.get(txn, "author"), Some(Out::Any(yrs::Any::String(author))) if &*author == participant)
        })
        .collect();
    let count = theirs.len();
    for (key, entry) in theirs {
        match authored {
            Authored::Erase => {
                map.remove(txn, &key);
            }
            Authored::KeepAnonymous => {
                entry.insert(txn, "author", ANONYMOUS_AUTHOR);
            }
        }
    }
    match authored {
        Authored::Erase => (count, 0),
        Authored::KeepAnonymous => (0, count),
    }
}

/// Whether the document's full encoding (what a compaction stores) holds
/// `needle`: for tests that look for erased text.
#[cfg(test)]
pub(crate) fn holds_text(doc: &yrs::Doc, needle: &str) -> bool {
    use yrs::{ReadTxn, Transact};
    let encoded = doc
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    let needle = needle.as_bytes();
    encoded.windows(needle.len()).any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Doc, MapPrelim, ReadTxn, Transact};

    fn board_with_alice(doc: &Doc) {
        let mut txn = doc.transact_mut();
        let participants = txn.get_or_insert_map(PARTICIPANTS);
        participants.insert(
            &mut txn,
            "alice",
            MapPrelim::from([("name", "Alice Kanarienvogel")]),
        );
        participants.insert(&mut txn, "bob", MapPrelim::from([("name", "Bob")]));
        let cards = txn.get_or_insert_map(CARDS);
        for (id, author, text) in [
            ("c1", "alice", "Alices Bedarf"),
            ("c2", "bob", "Bobs Bedarf"),
            ("c3", "alice", "Alices Herausforderung"),
        ] {
            cards.insert(
                &mut txn,
                id,
                MapPrelim::from([("author", author), ("text", text)]),
            );
        }
        let agreements = txn.get_or_insert_map(AGREEMENTS);
        agreements.insert(
            &mut txn,
            "a1",
            MapPrelim::from([("author", "alice"), ("what", "Alices Vorschlag")]),
        );
        for root in [VOTES, PLACEMENTS, MEMBERSHIPS] {
            let map = txn.get_or_insert_map(root);
            map.insert(&mut txn, "alice:x", true);
            map.insert(&mut txn, "bob:x", true);
        }
    }

    #[test]
    fn everything_of_the_person_goes_and_nothing_of_anyone_else() {
        let doc = Doc::new();
        board_with_alice(&doc);
        let erased = erase_participant(&mut doc.transact_mut(), "alice", Authored::Erase, 1.0);
        assert_eq!(
            erased,
            Erased {
                profile: true,
                cards_erased: 2,
                cards_kept: 0,
                agreements_erased: 1,
                agreements_kept: 0,
                pairs: 3,
            }
        );
        let txn = doc.transact();
        let keys = |root: &str| -> Vec<String> {
            let mut keys: Vec<String> = txn
                .get_map(root)
                .map(|map| map.keys(&txn).map(str::to_owned).collect())
                .unwrap_or_default();
            keys.sort();
            keys
        };
        assert_eq!(keys(PARTICIPANTS), ["bob"]);
        assert_eq!(keys(CARDS), ["c2"]);
        assert!(keys(AGREEMENTS).is_empty());
        for root in [VOTES, PLACEMENTS, MEMBERSHIPS] {
            assert_eq!(keys(root), ["bob:x"], "{root}");
        }
        drop(txn);
        // Collected at commit: the text is not in the encoding either.
        for text in ["Alice Kanarienvogel", "Alices Bedarf", "Alices Vorschlag"] {
            assert!(!holds_text(&doc, text), "{text}");
        }
        assert!(holds_text(&doc, "Bobs Bedarf"));
    }

    #[test]
    fn kept_cards_lose_only_their_author() {
        let doc = Doc::new();
        board_with_alice(&doc);
        let erased = erase_participant(
            &mut doc.transact_mut(),
            "alice",
            Authored::KeepAnonymous,
            1.0,
        );
        assert_eq!((erased.cards_kept, erased.agreements_kept), (2, 1));
        let txn = doc.transact();
        let cards = txn.get_map(CARDS).expect("cards");
        let Some(Out::YMap(card)) = cards.get(&txn, "c1") else {
            panic!("the card stays");
        };
        assert_eq!(
            card.get(&txn, "author")
                .map(|author| author.to_string(&txn)),
            Some(ANONYMOUS_AUTHOR.to_owned())
        );
        drop(txn);
        assert!(holds_text(&doc, "Alices Bedarf"));
        assert!(!holds_text(&doc, "Alice Kanarienvogel"));
    }

    #[test]
    fn erasing_someone_with_nothing_on_the_board_changes_only_the_marker() {
        let doc = Doc::new();
        board_with_alice(&doc);
        let erased = erase_participant(&mut doc.transact_mut(), "nobody", Authored::Erase, 1.0);
        assert!(erased.is_empty());
    }
}
