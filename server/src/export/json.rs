//! The JSON export: complete, versioned, and restorable by `kartenwand
//! import`.
//!
//! ```json
//! { "format": "kartenwand-board", "version": 2,
//!   "board": { "id": "...", "title": "...", "district": "...", "createdAt": 0 },
//!   "contacts": [ { "participant": "...", "name": "...", ... } ],
//!   "document": { "cards": { "<id>": { "text": "...", ... } }, "votes": { "<p>:<c>": 2 }, ... },
//!   "photos": [ { "id": "...", "author": "...", "createdAt": 0, "width": 2048,
//!                 "height": 1536, "jpeg": "<base64>" } ] }
//! ```
//!
//! Version 2 added `photos`: the board's shown photos, each the stored
//! JPEG in base64 (RFC 4648, with padding). A version 1 file has none, and
//! imports as a board without photos.
//!
//! `document` mirrors the board document field by field (`docs/schema.md`):
//! every top-level map, every entry (a nested map becomes an object, a
//! primitive stays a primitive). Integers stay integers and floats stay
//! floats, and every map is sorted by key, so export → import → export
//! gives the same bytes. Left out: `meta.joinCode` (import issues a new join
//! code, and writes it there) and, with `authors=false`, the `author` fields.

use super::{BoardExport, BoardInfo, Contact, ExportError, Options, Photo};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use yrs::{Any, Doc, Map, MapPrelim, Out, ReadTxn, Transact};

pub const FORMAT: &str = "kartenwand-board";
/// 1: the board, contacts and document; 2: `photos` too.
pub const VERSION: u32 = 2;

/// Fields never exported: access data, not content.
const LEFT_OUT_META: [&str; 1] = ["joinCode"];

/// One top-level map: key → primitive or entry object.
pub type RootMap = BTreeMap<String, Entry>;

/// A value in a top-level map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Entry {
    /// A nested `Y.Map` of primitive fields.
    Map(BTreeMap<String, Value>),
    /// A primitive value (`votes`, `placements`, `meta` fields, ...).
    Value(Value),
}

/// The whole board document as JSON, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Document(pub BTreeMap<String, RootMap>);

/// The file `kartenwand export --format json` writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardFile {
    pub format: String,
    pub version: u32,
    pub board: BoardInfo,
    pub contacts: Vec<Contact>,
    pub document: Document,
    /// Absent in version 1.
    #[serde(default)]
    pub photos: Vec<PhotoEntry>,
}

/// A photo in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhotoEntry {
    pub id: String,
    /// Left out with `authors=false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub created_at: i64,
    pub width: u32,
    pub height: u32,
    /// The JPEG, in base64 in the file.
    #[serde(serialize_with = "base64_out", deserialize_with = "base64_in")]
    pub jpeg: Arc<Vec<u8>>,
}

/// Writes the bytes as base64 straight into the output (no copy of a
/// photo as a string first).
fn base64_out<S: Serializer>(bytes: &Arc<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&base64::display::Base64Display::new(bytes, &STANDARD))
}

fn base64_in<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<Vec<u8>>, D::Error> {
    let text = String::deserialize(deserializer)?;
    STANDARD
        .decode(text.as_bytes())
        .map(Arc::new)
        .map_err(serde::de::Error::custom)
}

fn any_to_json(value: &Any) -> Value {
    match value {
        Any::Null | Any::Undefined => Value::Null,
        Any::Bool(b) => Value::Bool(*b),
        Any::Number(yrs::Number::Int(n)) => Value::from(*n),
        Any::Number(yrs::Number::Float(n)) => serde_json::Number::from_f64(*n)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Any::String(s) => Value::String(s.to_string()),
        Any::Buffer(bytes) => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
        Any::Array(items) => Value::Array(items.iter().map(any_to_json).collect()),
        Any::Map(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, any_to_json(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
    }
}

fn json_to_any(value: &Value) -> Any {
    match value {
        Value::Null => Any::Null,
        Value::Bool(b) => Any::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Any::Number(yrs::Number::Int(i)),
            None => Any::Number(yrs::Number::Float(n.as_f64().unwrap_or(0.0))),
        },
        Value::String(s) => Any::String(Arc::from(s.as_str())),
        Value::Array(items) => Any::Array(items.iter().map(json_to_any).collect()),
        Value::Object(map) => Any::Map(Arc::new(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_any(v)))
                .collect(),
        )),
    }
}

impl Document {
    /// Reads every top-level map of a document.
    pub fn read<T: ReadTxn>(txn: &T) -> Document {
        let names: Vec<String> = txn.root_refs().map(|(name, _)| name.to_owned()).collect();
        let mut document = BTreeMap::new();
        for name in names {
            let Some(map) = txn.get_map(name.as_str()) else {
                continue;
            };
            let mut root = RootMap::new();
            for (key, value) in map.iter(txn) {
                if name == crate::board::META && LEFT_OUT_META.contains(&key) {
                    continue;
                }
                let entry = match value {
                    Out::Any(value) => Entry::Value(any_to_json(&value)),
                    Out::YMap(entry) => Entry::Map(
                        entry
                            .iter(txn)
                            .filter_map(|(field, value)| match value {
                                Out::Any(value) => Some((field.to_owned(), any_to_json(&value))),
                                _ => None,
                            })
                            .collect(),
                    ),
                    // Not part of the schema: nothing a client could show.
                    _ => continue,
                };
                root.insert(key.to_owned(), entry);
            }
            if !root.is_empty() {
                document.insert(name, root);
            }
        }
        Document(document)
    }

    /// Writes the document into an empty yrs document, in one transaction.
    pub fn restore(&self) -> Doc {
        let doc = Doc::new();
        let roots: Vec<_> = self
            .0
            .iter()
            .map(|(name, entries)| (doc.get_or_insert_map(name.as_str()), entries))
            .collect();
        let mut txn = doc.transact_mut();
        for (map, entries) in roots {
            for (key, entry) in entries {
                match entry {
                    Entry::Value(value) => {
                        map.insert(&mut txn, key.as_str(), json_to_any(value));
                    }
                    Entry::Map(fields) => {
                        let prelim: MapPrelim = fields
                            .iter()
                            .map(|(field, value)| (field.clone(), json_to_any(value)))
                            .collect();
                        map.insert(&mut txn, key.as_str(), prelim);
                    }
                }
            }
        }
        drop(txn);
        doc
    }

    fn without_authors(mut self) -> Document {
        for root in ["cards", "agreements", "notes"] {
            if let Some(entries) = self.0.get_mut(root) {
                for entry in entries.values_mut() {
                    if let Entry::Map(fields) = entry {
                        fields.remove("author");
                    }
                }
            }
        }
        self
    }
}

/// The board as its file holds it (the event's JSON embeds it whole).
pub fn file(input: &BoardExport, options: Options) -> BoardFile {
    let document = if options.authors {
        input.document.clone()
    } else {
        input.document.clone().without_authors()
    };
    BoardFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        board: input.info.clone(),
        contacts: input.contacts.clone(),
        document,
        photos: input
            .photos
            .iter()
            .map(|photo: &Photo| PhotoEntry {
                id: photo.id.clone(),
                author: options.authors.then(|| photo.author.clone()),
                created_at: photo.created_at,
                width: photo.width,
                height: photo.height,
                jpeg: photo.jpeg.clone(),
            })
            .collect(),
    }
}

pub fn render(input: &BoardExport, options: Options) -> Result<Vec<u8>, ExportError> {
    let mut bytes = serde_json::to_vec_pretty(&file(input, options))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("not a Kartenwand board file: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("not a Kartenwand board file (format {0:?})")]
    Format(String),
    #[error("board file version {0} is newer than this server understands ({VERSION})")]
    Version(u32),
}

/// Parses and checks a board file.
pub fn parse(bytes: &[u8]) -> Result<BoardFile, ImportError> {
    let file: BoardFile = serde_json::from_slice(bytes)?;
    if file.format != FORMAT {
        return Err(ImportError::Format(file.format));
    }
    if file.version > VERSION {
        return Err(ImportError::Version(file.version));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of version 1 (before photos) as `kartenwand export` wrote it.
    const VERSION_1: &str = r#"{
  "format": "kartenwand-board",
  "version": 1,
  "board": { "id": "board0001", "title": "Sandow", "district": "Sandow", "createdAt": 1 },
  "contacts": [],
  "document": { "cards": { "c1": { "text": "Kita", "kind": "need" } } }
}"#;

    #[test]
    fn a_version_1_file_is_a_board_without_photos() {
        let file = parse(VERSION_1.as_bytes()).expect("parses");
        assert_eq!(file.version, 1);
        assert!(file.photos.is_empty());
        assert_eq!(file.document.0["cards"].len(), 1);
        let newer = VERSION_1.replace("\"version\": 1", "\"version\": 3");
        assert!(matches!(
            parse(newer.as_bytes()),
            Err(ImportError::Version(3))
        ));
    }

    #[test]
    fn photos_are_base64_and_come_back_byte_for_byte() {
        let jpeg = Arc::new(vec![0xFF, 0xD8, 0, 1, 2, 0xFF, 0xD9]);
        let entry = PhotoEntry {
            id: "photo0001".into(),
            author: Some("moderator".into()),
            created_at: 5,
            width: 2,
            height: 1,
            jpeg: jpeg.clone(),
        };
        let text = serde_json::to_string(&entry).expect("serialises");
        assert!(text.contains("\"jpeg\":\"/9gAAQL/2Q==\""), "{text}");
        let back: PhotoEntry = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, entry);
        let broken = text.replace("/9gAAQL/2Q==", "not base64!");
        assert!(serde_json::from_str::<PhotoEntry>(&broken).is_err());
    }

    #[test]
    fn document_round_trips_through_yrs() {
        let text = r#"{
            "meta": {"title": "Sandow", "schemaVersion": 1, "ratio": 1.5, "whole": 2.0},
            "cards": {"c1": {"text": "Kita-Plätze fehlen", "createdAt": 1741079400000}},
            "votes": {"p1:c1": 2},
            "placements": {"p1:f1": true}
        }"#;
        let document: Document = serde_json::from_str(text).expect("parses");
        let restored = Document::read(&document.restore().transact());
        assert_eq!(restored, document);
        assert_eq!(
            serde_json::to_string(&restored).expect("serialises"),
            serde_json::to_string(&document).expect("serialises")
        );
        assert!(
            serde_json::to_string(&restored)
                .expect("serialises")
                .contains("\"whole\":2.0")
        );
    }
}
