//! The board document (see `docs/schema.md`): its vocabulary
//! ([`schema`]), what the server itself writes into it, the view
//! authorization uses ([`BoardView`], [`places`]) and the typed read model
//! of the whole board the exports use ([`model::Board`]).

pub mod erasure;
pub mod model;
pub mod places;
pub mod schema;

pub use schema::{
    AGREEMENTS, CARDS, CLUSTERS, DISTRICT_MAX, FOCAL_POINTS, MEMBERSHIPS, META, NAME_MAX, NETWORKS,
    ORGANISATION_MAX, PARTICIPANTS, PLACEMENTS, ROOTS, SCHEMA_VERSION, TITLE_MAX, VOTES,
    valid_field_name, valid_id, valid_key,
};

use crate::protocol::update::{Parent, UpdateSummary};
use yrs::{Any, Doc, Map, MapRef, Out, ReadTxn, StateVector, Transact};

/// What the server knows about a conference when it is created.
#[derive(Debug, Clone)]
pub struct BoardMeta<'a> {
    pub title: &'a str,
    pub district: &'a str,
    pub date: Option<&'a str>,
    pub locale: &'a str,
    /// The board's kind in its event (`plenary`, `workshop`, `reflection`,
    /// `tree`), written as `meta.kind`; `None` for a conference of its own.
    pub kind: Option<&'a str>,
}

/// The first update of a new board (its `meta` map), and the Yjs client id
/// it was written under.
pub fn initial_update(meta: &BoardMeta<'_>) -> (Vec<u8>, u64) {
    let doc = Doc::new();
    let map = doc.get_or_insert_map(META);
    {
        let mut txn = doc.transact_mut();
        map.insert(&mut txn, "schemaVersion", SCHEMA_VERSION);
        map.insert(&mut txn, "title", meta.title);
        map.insert(&mut txn, "district", meta.district);
        map.insert(&mut txn, "locale", meta.locale);
        if let Some(date) = meta.date {
            map.insert(&mut txn, "date", date);
        }
        if let Some(kind) = meta.kind {
            map.insert(&mut txn, "kind", kind);
        }
    }
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    (update, doc.client_id().get())
}

/// Checks every name an update spells out (the root names and map keys in
/// its item headers) against the schema. A refused item is kept as deleted
/// content with its header, so without this a participant could store
/// names of any length in the document; such an update is refused whole.
pub fn check_names(summary: &UpdateSummary) -> Result<(), &'static str> {
    const REFUSED: &str = "this edit names a type or key the board does not have";
    for item in &summary.items {
        match (&item.parent, &item.parent_sub) {
            (Parent::Root(root), _) if !ROOTS.contains(&root.as_str()) => return Err(REFUSED),
            (Parent::Root(root), Some(key)) if !valid_key(root, key) => return Err(REFUSED),
            (Parent::Item(_), Some(field)) if !valid_field_name(field) => return Err(REFUSED),
            _ => {}
        }
    }
    Ok(())
}

/// A numeric `Any` as `f64`.
pub fn number(value: &Any) -> Option<f64> {
    match value {
        Any::Number(yrs::Number::Int(n)) => Some(*n as f64),
        Any::Number(yrs::Number::Float(n)) => Some(*n),
        _ => None,
    }
}

/// Reads what authorization needs from a board document.
pub struct BoardView<'a, T: ReadTxn> {
    txn: &'a T,
}

impl<'a, T: ReadTxn> BoardView<'a, T> {
    pub fn new(txn: &'a T) -> Self {
        BoardView { txn }
    }

    fn root(&self, name: &str) -> Option<MapRef> {
        self.txn.get_map(name)
    }

    fn meta(&self, field: &str) -> Option<Any> {
        match self.root(META)?.get(self.txn, field)? {
            Out::Any(value) => Some(value),
            _ => None,
        }
    }

    /// Card writing is open unless the moderator set `meta.writingOpen` to false.
    pub fn writing_open(&self) -> bool {
        !matches!(self.meta("writingOpen"), Some(Any::Bool(false)))
    }

    /// Whether the moderator revealed the cards (`meta.revealed`); until
    /// then their texts are hidden (`room/secrecy.rs`).
    pub fn revealed(&self) -> bool {
        matches!(self.meta("revealed"), Some(Any::Bool(true)))
    }

    /// The tree's challenges part: closed unless the moderator opened it.
    pub fn challenges_open(&self) -> bool {
        matches!(self.meta("challengesOpen"), Some(Any::Bool(true)))
    }

    /// The tree's solutions part: closed unless the moderator opened it.
    pub fn solutions_open(&self) -> bool {
        matches!(self.meta("solutionsOpen"), Some(Any::Bool(true)))
    }

    pub fn placements_open(&self) -> bool {
        !matches!(self.meta("placementsOpen"), Some(Any::Bool(false)))
    }

    pub fn agreements_open(&self) -> bool {
        !matches!(self.meta("agreementsOpen"), Some(Any::Bool(false)))
    }

    /// Whether a participant's photo waits for the moderator's approval
    /// before it is shown (`meta.photosNeedApproval`, off unless set).
    pub fn photos_need_approval(&self) -> bool {
        matches!(self.meta("photosNeedApproval"), Some(Any::Bool(true)))
    }

    /// A string field of an entry that is a nested map.
    pub fn entry_field(&self, root: &str, key: &str, field: &str) -> Option<String> {
        match self.root(root)?.get(self.txn, key)? {
            Out::YMap(entry) => match entry.get(self.txn, field)? {
                Out::Any(Any::String(value)) => Some(value.to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn voting_open(&self) -> bool {
        matches!(self.meta("votingOpen"), Some(Any::Bool(true)))
    }

    pub fn vote_budget(&self) -> f64 {
        self.meta("voteBudget")
            .and_then(|value| number(&value))
            .unwrap_or(0.0)
    }

    pub fn has_entry(&self, root: &str, key: &str) -> bool {
        self.root(root)
            .is_some_and(|map| map.contains_key(self.txn, key))
    }

    /// Keys and values of a primitive-valued map whose keys start with `prefix`.
    pub fn entries_with_prefix(&self, root: &str, prefix: &str) -> Vec<(String, Any)> {
        let Some(map) = self.root(root) else {
            return Vec::new();
        };
        map.iter(self.txn)
            .filter(|(key, _)| key.starts_with(prefix))
            .filter_map(|(key, value)| match value {
                Out::Any(value) => Some((key.to_string(), value)),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::update::UpdateSummary;
    use yrs::updates::decoder::Decode;
    use yrs::{Out, Update};

    #[test]
    fn initial_update_holds_the_meta_and_passes_validation() {
        let (update, _) = initial_update(&BoardMeta {
            title: "Stadtteilkonferenz Sachsendorf",
            district: "Sachsendorf",
            date: Some("2026-11-24"),
            locale: "de",
            kind: Some("tree"),
        });
        assert!(UpdateSummary::parse(&update).is_ok());
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        let meta = doc.get_or_insert_map("meta");
        let txn = doc.transact();
        assert_eq!(
            meta.get(&txn, "title"),
            Some(Out::Any("Stadtteilkonferenz Sachsendorf".into()))
        );
        assert_eq!(meta.get(&txn, "kind"), Some(Out::Any("tree".into())));
    }

    fn summary_of(change: impl FnOnce(&mut yrs::TransactionMut<'_>)) -> UpdateSummary {
        let doc = Doc::new();
        let update = {
            let mut txn = doc.transact_mut();
            change(&mut txn);
            txn.encode_update_v1()
        };
        UpdateSummary::parse(&update).expect("parses")
    }

    type Change = fn(&mut yrs::TransactionMut<'_>);

    #[test]
    fn names_are_checked_against_the_schema() {
        use yrs::{MapPrelim, WriteTxn};
        let card = summary_of(|txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, "cardAlice0001", MapPrelim::default());
            card.insert(txn, "text", "Kita-Plätze fehlen");
            let votes = txn.get_or_insert_map(VOTES);
            votes.insert(txn, "0123456789abcdef:clusterKita01", 2.0);
            let meta = txn.get_or_insert_map(META);
            meta.insert(txn, "writingOpen", false);
        });
        assert_eq!(check_names(&card), Ok(()));
        let refused: [(&str, Change); 6] = [
            ("unknown root", |txn| {
                txn.get_or_insert_map("conformance").insert(txn, "k", 1.0);
            }),
            ("long card id", |txn| {
                txn.get_or_insert_map(CARDS)
                    .insert(txn, "c".repeat(65), 1.0);
            }),
            ("short card id", |txn| {
                txn.get_or_insert_map(CARDS).insert(txn, "c", 1.0);
            }),
            ("vote key without a pair", |txn| {
                txn.get_or_insert_map(VOTES)
                    .insert(txn, "0123456789abcdef", 1.0);
            }),
            ("meta key with a space", |txn| {
                txn.get_or_insert_map(META)
                    .insert(txn, "writing open", true);
            }),
            ("long field name", |txn| {
                let cards = txn.get_or_insert_map(CARDS);
                let card = cards.insert(txn, "cardAlice0001", MapPrelim::default());
                card.insert(txn, "f".repeat(65), "x");
            }),
        ];
        for (label, change) in refused {
            assert!(check_names(&summary_of(change)).is_err(), "{label} passed");
        }
    }
}
