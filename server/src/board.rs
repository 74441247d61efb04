//! The board document (see `docs/schema.md`): what the server itself writes
//! into it. The typed read model used by authorization and exports grows here.

use yrs::{Doc, Map, ReadTxn, StateVector, Transact};

/// Version of the document schema, stored as `meta.schemaVersion`.
pub const SCHEMA_VERSION: i64 = 1;

/// What the server knows about a conference when it is created.
#[derive(Debug, Clone)]
pub struct BoardMeta<'a> {
    pub title: &'a str,
    pub district: &'a str,
    pub date: Option<&'a str>,
    pub locale: &'a str,
}

/// The first update of a new board: its `meta` map.
pub fn initial_update(meta: &BoardMeta<'_>) -> Vec<u8> {
    let doc = Doc::new();
    let map = doc.get_or_insert_map("meta");
    {
        let mut txn = doc.transact_mut();
        map.insert(&mut txn, "schemaVersion", SCHEMA_VERSION);
        map.insert(&mut txn, "title", meta.title);
        map.insert(&mut txn, "district", meta.district);
        map.insert(&mut txn, "locale", meta.locale);
        if let Some(date) = meta.date {
            map.insert(&mut txn, "date", date);
        }
    }
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::update::UpdateSummary;
    use yrs::updates::decoder::Decode;
    use yrs::{Out, Update};

    #[test]
    fn initial_update_holds_the_meta_and_passes_validation() {
        let update = initial_update(&BoardMeta {
            title: "Stadtteilkonferenz Sachsendorf",
            district: "Sachsendorf",
            date: Some("2026-11-24"),
            locale: "de",
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
    }
}
