//! Documents as the web app writes them (docs/schema.md) and as the tests
//! read them: as JSON, by JSON pointer.

use serde_json::Value;
use yrs::types::ToJson;
use yrs::{
    Any, Doc, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, TransactionMut, WriteTxn,
};

/// A document that counts text positions in UTF-16 units, like Yjs.
pub fn new_doc() -> Doc {
    Doc::with_options(yrs::Options {
        offset_kind: yrs::OffsetKind::Utf16,
        ..yrs::Options::default()
    })
}

/// Root types the tests use, by name; a root a client never touched is
/// otherwise of unknown type and reads as null.
const MAP_ROOTS: [&str; 12] = [
    "meta",
    "cards",
    "done",
    "probe",
    "clusters",
    "votes",
    "participants",
    "placements",
    "cases",
    "focalPoints",
    "agreements",
    "dismissals",
];

/// Every root type of a document as JSON.
pub fn doc_json(doc: &Doc) -> Value {
    for name in MAP_ROOTS {
        doc.get_or_insert_map(name);
    }
    doc.get_or_insert_array("agenda");
    doc.get_or_insert_text("notes");
    let txn = doc.transact();
    let mut out = serde_json::Map::new();
    for (name, value) in txn.root_refs() {
        let any = value.to_json(&txn);
        out.insert(
            name.to_owned(),
            serde_json::to_value(&any).expect("any is JSON"),
        );
    }
    Value::Object(out)
}

/// The value at `/root/key/field…` of a document's JSON, or null.
pub fn at<'a>(json: &'a Value, path: &str) -> &'a Value {
    json.pointer(path).unwrap_or(&Value::Null)
}

/// Whether `have` has seen at least everything in `want`.
pub fn covers(have: &StateVector, want: &StateVector) -> bool {
    want.iter()
        .all(|(client, clock)| have.get(client) >= *clock)
}

/// Whether `needle` occurs anywhere in `haystack` (a frame, a file).
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Writes a need card as a phone does (docs/schema.md, `cards`).
pub fn create_card(txn: &mut TransactionMut<'_>, id: &str, author: &str, text: &str) {
    put(
        txn,
        "cards",
        id,
        &[
            ("text", text.into()),
            ("kind", "need".into()),
            ("author", author.into()),
            ("createdAt", 1_741_079_400_000.0.into()),
        ],
    );
}

/// Creates (or replaces) `root[key]` as a map of `fields`.
pub fn put(txn: &mut TransactionMut<'_>, root: &str, key: &str, fields: &[(&str, Any)]) {
    let map = txn.get_or_insert_map(root);
    let entry = map.insert(txn, key, MapPrelim::default());
    for (field, value) in fields {
        entry.insert(txn, *field, value.clone());
    }
}

/// Sets one field of the existing entry `root[key]`.
pub fn set(txn: &mut TransactionMut<'_>, root: &str, key: &str, field: &str, value: Any) {
    let map = txn.get_or_insert_map(root);
    match map.get(txn, key) {
        Some(Out::YMap(entry)) => {
            entry.insert(txn, field, value);
        }
        other => panic!("the test expects {root}[{key}] to be a map, found {other:?}"),
    }
}

/// `jpeg` with a segment (`marker`, e.g. 0xE1 for APP1 or 0xFE for a
/// comment, and its `data`, at most 65,533 bytes) right after its start
/// marker: how the tests hide metadata in an upload or pad it.
pub fn with_segment(jpeg: &[u8], marker: u8, data: &[u8]) -> Vec<u8> {
    let length = u16::try_from(data.len() + 2).expect("a segment of at most 65,533 bytes");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&jpeg[2..]);
    out
}
