//! A bounded walk over a Yjs update (encoding v1), before yrs sees it.
//!
//! The layout is Yjs' `writeClientsStructs` / `writeDeleteSet`
//! (<https://github.com/yjs/yjs/blob/main/src/utils/encoding.js>):
//!
//! ```text
//! update  = varuint(clients) { varuint(structs) varuint(client) varuint(clock) struct* }
//!           delete-set
//! struct  = info:u8, then GC (info 0): varuint(len) | Skip (info 10): varuint(len)
//!         | item: [origin id] [right origin id] [parent] [parent key] content
//! ```
//!
//! The walk checks every count against the bytes that follow, limits the
//! nesting of `Any` values (yrs decodes them recursively), refuses content
//! kinds yrs and Yjs disagree on, and records what the room needs to decide
//! whether the update can be integrated without leaving anything pending.

use super::{ProtocolError, Reader, write_var_u64};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Deepest nesting of arrays and maps inside an `Any` value. Board entries
/// are flat; this only has to stop a stack overflow in the decoder.
const MAX_ANY_DEPTH: usize = 32;

/// Info byte bits (Yjs `BIT8`, `BIT7`, `BIT6` and `BITS5`).
const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;
const CONTENT_MASK: u8 = 0b0001_1111;

const STRUCT_GC: u8 = 0;
const STRUCT_SKIP: u8 = 10;

const CONTENT_DELETED: u8 = 1;
const CONTENT_JSON: u8 = 2;
const CONTENT_BINARY: u8 = 3;
const CONTENT_STRING: u8 = 4;
const CONTENT_EMBED: u8 = 5;
const CONTENT_FORMAT: u8 = 6;
const CONTENT_TYPE: u8 = 7;
const CONTENT_ANY: u8 = 8;
const CONTENT_DOC: u8 = 9;

/// Shared type references (Yjs `YArrayRefID` ...).
const TYPE_XML_ELEMENT: u64 = 3;
const TYPE_XML_HOOK: u64 = 5;
const TYPE_XML_TEXT: u64 = 6;

/// A Yjs struct id: the client that created it and its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Id {
    pub client: u64,
    pub clock: u32,
}

/// Where an item lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// A top-level shared type, by name.
    Root(String),
    /// The shared type created by another item.
    Item(Id),
    /// Not encoded: the parent is that of the item's origin.
    SameAsOrigin,
}

/// What an item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Deleted,
    Binary,
    String,
    Embed,
    Format,
    /// A nested shared type, by Yjs type ref (0 array, 1 map, 2 text, ...).
    Type(u8),
    Any,
}

/// A primitive value of a one-element `Any` content (map values are one).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    /// Undefined, arrays, objects, binary.
    Other,
}

/// Shared type ref of a `Y.Map`.
pub const TYPE_MAP: u8 = 1;

/// One inserted item, as far as dependency and ownership checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    pub id: Id,
    pub len: u32,
    pub origin: Option<Id>,
    pub right_origin: Option<Id>,
    pub parent: Parent,
    pub parent_sub: Option<String>,
    pub content: ContentKind,
    /// The value, for `Any` content of exactly one element.
    pub value: Option<Value>,
}

/// One struct of a client section, for rewriting the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructRecord {
    /// The struct's bytes, info byte included.
    pub bytes: Range<usize>,
    pub clock: u32,
    pub len: u32,
    /// Index into [`UpdateSummary::items`] if it is a (non-empty) item.
    pub item: Option<usize>,
    /// Where the item's content starts (after origins and parent).
    pub content_start: usize,
}

/// The clocks one client contributes: `start..end`, without gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRange {
    pub client: u64,
    pub start: u32,
    pub end: u32,
    /// A skip is followed by more structs: the update has a hole.
    pub has_gap: bool,
    pub structs: Vec<StructRecord>,
}

/// A range of deleted clocks of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteRange {
    pub client: u64,
    pub clock: u32,
    pub len: u32,
}

/// Everything the walk learned about a well-formed update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateSummary {
    pub clients: Vec<ClientRange>,
    pub items: Vec<ItemRecord>,
    pub deletes: Vec<DeleteRange>,
}

/// Why an update cannot be integrated completely right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingDependency {
    pub client: u64,
    pub clock: u32,
}

impl UpdateSummary {
    /// Walks an encoded v1 update. Fails on anything malformed, truncated or
    /// unsupported; never panics.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtocolError> {
        let mut reader = Reader::new(bytes);
        let mut summary = UpdateSummary::default();
        // A client section takes at least three bytes.
        let client_count = reader.count(3)?;
        summary.clients.reserve(client_count);
        // A set, not a scan of `clients`: a 1 MiB frame holds about 200,000
        // empty client sections, and a scan per section would be quadratic.
        let mut seen_clients: HashSet<u64> = HashSet::with_capacity(client_count);
        for _ in 0..client_count {
            // Each struct takes at least two bytes.
            let struct_count = reader.count(2)?;
            let client = reader.client_id()?;
            let start = reader.var_u32()?;
            if !seen_clients.insert(client) {
                return Err(ProtocolError::DuplicateClient);
            }
            let mut range = ClientRange {
                client,
                start,
                end: start,
                has_gap: false,
                structs: Vec::with_capacity(struct_count),
            };
            let mut clock = start;
            let mut after_skip = false;
            for _ in 0..struct_count {
                let id = Id { client, clock };
                let struct_start = reader.position();
                let items_before = summary.items.len();
                let (len, is_skip, content_start) =
                    read_struct(&mut reader, id, &mut summary.items)?;
                range.structs.push(StructRecord {
                    bytes: struct_start..reader.position(),
                    clock,
                    len,
                    item: (summary.items.len() > items_before).then_some(items_before),
                    content_start,
                });
                if len == 0 {
                    // yrs drops empty items without advancing the clock.
                    continue;
                }
                clock = clock.checked_add(len).ok_or(ProtocolError::ClockOverflow)?;
                if is_skip {
                    after_skip = true;
                } else {
                    range.has_gap |= after_skip;
                    range.end = clock;
                }
            }
            summary.clients.push(range);
        }
        read_delete_set(&mut reader, &mut summary.deletes)?;
        if !reader.is_empty() {
            return Err(ProtocolError::TrailingBytes);
        }
        Ok(summary)
    }

    /// Whether applying this update to a document with the given state
    /// (next clock per client) would leave structs or deletions pending.
    ///
    /// Dependency cycles inside one update are not detected here; the room
    /// checks for pending state after applying as a second line.
    pub fn missing_dependency(&self, state: impl Fn(u64) -> u32) -> Option<MissingDependency> {
        let mut after: HashMap<u64, u32> = HashMap::with_capacity(self.clients.len());
        for range in &self.clients {
            let known = state(range.client);
            if range.start > known || range.has_gap {
                return Some(MissingDependency {
                    client: range.client,
                    clock: known,
                });
            }
            after.insert(range.client, known.max(range.end));
        }
        let next_clock = |client: u64| after.get(&client).copied().unwrap_or_else(|| state(client));
        let missing = |id: Id| (id.clock >= next_clock(id.client)).then_some(id);
        for item in &self.items {
            let parent = match item.parent {
                Parent::Item(id) => Some(id),
                _ => None,
            };
            let dependency = [item.origin, item.right_origin, parent]
                .into_iter()
                .flatten()
                .find_map(missing);
            if let Some(id) = dependency {
                return Some(MissingDependency {
                    client: id.client,
                    clock: id.clock,
                });
            }
        }
        self.deletes.iter().find_map(|range| {
            let end = u64::from(range.clock) + u64::from(range.len);
            (end > u64::from(next_clock(range.client))).then_some(MissingDependency {
                client: range.client,
                clock: range.clock,
            })
        })
    }

    /// Re-encodes the update with the content of the items marked in
    /// `dropped` (indexed like [`UpdateSummary::items`]) replaced by deleted
    /// content of the same length, and with `deletes` as its delete set
    /// (which must cover the dropped items). The items keep their ids,
    /// origins and parent, so the sender's clocks stay continuous and its
    /// later edits that build on them still integrate (next to garbage they
    /// would turn into garbage too), while none of their content enters the
    /// document.
    pub fn rewrite(&self, bytes: &[u8], dropped: &[bool], deletes: &[DeleteRange]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        write_var_u64(&mut out, self.clients.len() as u64);
        for range in &self.clients {
            write_var_u64(&mut out, range.structs.len() as u64);
            write_var_u64(&mut out, range.client);
            write_var_u64(&mut out, u64::from(range.start));
            for record in &range.structs {
                let drop = record
                    .item
                    .is_some_and(|index| dropped.get(index).copied().unwrap_or(false));
                let header = bytes.get(record.bytes.start..record.content_start);
                if let (true, Some(header)) = (drop, header) {
                    let (info, rest) = header.split_first().unwrap_or((&CONTENT_DELETED, &[]));
                    out.push((info & !CONTENT_MASK) | CONTENT_DELETED);
                    out.extend_from_slice(rest);
                    write_var_u64(&mut out, u64::from(record.len));
                } else if let Some(original) = bytes.get(record.bytes.clone()) {
                    out.extend_from_slice(original);
                }
            }
        }
        write_delete_set(&mut out, deletes);
        out
    }

    /// Whether the update inserts nothing and deletes nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.deletes.is_empty()
            && self.clients.iter().all(|c| c.start == c.end)
    }
}

/// Reads one struct; returns its clock length, whether it is a skip, and
/// where its content starts.
fn read_struct(
    reader: &mut Reader<'_>,
    id: Id,
    items: &mut Vec<ItemRecord>,
) -> Result<(u32, bool, usize), ProtocolError> {
    let info = reader.u8()?;
    match info {
        STRUCT_GC | STRUCT_SKIP => {
            let len = reader.var_u32()?;
            if len == 0 {
                return Err(ProtocolError::EmptyBlock);
            }
            return Ok((len, info == STRUCT_SKIP, reader.position()));
        }
        _ => {}
    }
    let origin = if info & HAS_ORIGIN != 0 {
        Some(read_id(reader)?)
    } else {
        None
    };
    let right_origin = if info & HAS_RIGHT_ORIGIN != 0 {
        Some(read_id(reader)?)
    } else {
        None
    };
    let encodes_parent = info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0;
    let parent = if encodes_parent {
        if reader.var_u64()? == 1 {
            Parent::Root(reader.var_str()?.to_owned())
        } else {
            Parent::Item(read_id(reader)?)
        }
    } else {
        Parent::SameAsOrigin
    };
    let parent_sub = if encodes_parent && info & HAS_PARENT_SUB != 0 {
        Some(reader.var_str()?.to_owned())
    } else {
        None
    };
    let content_start = reader.position();
    let (content, len, value) = read_content(reader, info & CONTENT_MASK)?;
    if len > 0 {
        items.push(ItemRecord {
            id,
            len,
            origin,
            right_origin,
            parent,
            parent_sub,
            content,
            value,
        });
    }
    Ok((len, false, content_start))
}

fn read_id(reader: &mut Reader<'_>) -> Result<Id, ProtocolError> {
    Ok(Id {
        client: reader.client_id()?,
        clock: reader.var_u32()?,
    })
}

/// Reads item content; returns its kind, clock length (Yjs counts strings
/// in UTF-16 code units) and the value of a one-element `Any`.
fn read_content(
    reader: &mut Reader<'_>,
    kind: u8,
) -> Result<(ContentKind, u32, Option<Value>), ProtocolError> {
    let one = 1;
    if kind == CONTENT_ANY {
        let count = reader.count(1)?;
        let mut value = None;
        for _ in 0..count {
            let start = reader.position();
            let first = reader.clone().u8()?;
            skip_any(reader, 0)?;
            if count == 1 {
                value = Some(primitive(first, reader, start));
            }
        }
        let len = u32::try_from(count).map_err(|_| ProtocolError::ClockOverflow)?;
        return Ok((ContentKind::Any, len, value));
    }
    let (content, len) = match kind {
        CONTENT_DELETED => (ContentKind::Deleted, reader.var_u32()?),
        CONTENT_BINARY => {
            reader.var_bytes()?;
            (ContentKind::Binary, one)
        }
        CONTENT_STRING => {
            let text = reader.var_str()?;
            let len = text.encode_utf16().count();
            let len = u32::try_from(len).map_err(|_| ProtocolError::ClockOverflow)?;
            (ContentKind::String, len)
        }
        CONTENT_EMBED => {
            read_json_string(reader)?;
            (ContentKind::Embed, one)
        }
        CONTENT_FORMAT => {
            reader.var_str()?;
            read_json_string(reader)?;
            (ContentKind::Format, one)
        }
        CONTENT_TYPE => {
            let type_ref = reader.var_u64()?;
            match type_ref {
                TYPE_XML_ELEMENT => {
                    reader.var_str()?;
                }
                // yrs reads no name for a hook where Yjs reads one: refuse it
                // rather than let the two decoders disagree.
                TYPE_XML_HOOK => return Err(ProtocolError::UnsupportedContent("XML hook")),
                type_ref if type_ref <= TYPE_XML_TEXT => {}
                _ => return Err(ProtocolError::UnsupportedContent("unknown shared type")),
            }
            // At most 6 here.
            (ContentKind::Type(type_ref as u8), one)
        }
        // Yjs no longer writes JSON content, and yrs reads one string more
        // than it declares; subdocuments are not part of a board.
        CONTENT_JSON => return Err(ProtocolError::UnsupportedContent("legacy JSON content")),
        CONTENT_DOC => return Err(ProtocolError::UnsupportedContent("subdocument")),
        other => return Err(ProtocolError::UnknownContent(other)),
    };
    Ok((content, len, None))
}

/// Decodes an `Any` value already validated by [`skip_any`] from `start`.
fn primitive(tag: u8, reader: &Reader<'_>, start: usize) -> Value {
    let mut value = Reader::new(reader.bytes_between(start + 1, reader.position()));
    match tag {
        126 => Value::Null,
        121 => Value::Bool(false),
        120 => Value::Bool(true),
        119 => value
            .var_str()
            .map_or(Value::Other, |s| Value::String(s.to_owned())),
        125 => value
            .var_i64()
            .map_or(Value::Other, |n| Value::Number(n as f64)),
        124 => value
            .bytes(4)
            .ok()
            .and_then(|b| b.try_into().ok())
            .map_or(Value::Other, |b| {
                Value::Number(f64::from(f32::from_be_bytes(b)))
            }),
        123 => value
            .bytes(8)
            .ok()
            .and_then(|b| b.try_into().ok())
            .map_or(Value::Other, |b| Value::Number(f64::from_be_bytes(b))),
        _ => Value::Other,
    }
}

fn read_json_string(reader: &mut Reader<'_>) -> Result<(), ProtocolError> {
    let text = reader.var_str()?;
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|_| ProtocolError::UnsupportedContent("invalid JSON"))
}

/// Skips one lib0 `Any` value (<https://github.com/dmonad/lib0/blob/main/encoding.js>, `writeAny`).
fn skip_any(reader: &mut Reader<'_>, depth: usize) -> Result<(), ProtocolError> {
    if depth > MAX_ANY_DEPTH {
        return Err(ProtocolError::TooDeep);
    }
    match reader.u8()? {
        // undefined, null, false, true
        127 | 126 | 121 | 120 => {}
        // integer
        125 => reader.skip_var_i64()?,
        // float32
        124 => {
            reader.bytes(4)?;
        }
        // float64, bigint
        123 | 122 => {
            reader.bytes(8)?;
        }
        // string
        119 => {
            reader.var_str()?;
        }
        // object: key, value pairs of at least two bytes
        118 => {
            let count = reader.count(2)?;
            for _ in 0..count {
                reader.var_str()?;
                skip_any(reader, depth + 1)?;
            }
        }
        // array
        117 => {
            let count = reader.count(1)?;
            for _ in 0..count {
                skip_any(reader, depth + 1)?;
            }
        }
        // Uint8Array
        116 => {
            reader.var_bytes()?;
        }
        other => return Err(ProtocolError::UnknownContent(other)),
    }
    Ok(())
}

/// Encodes a delete set, grouped by client, ranges in clock order.
///
/// Clients keep the order of their first range. The index map keeps this
/// linear: a hostile update can name one client per range.
pub fn write_delete_set(out: &mut Vec<u8>, deletes: &[DeleteRange]) {
    let mut by_client: Vec<(u64, Vec<(u32, u32)>)> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    for range in deletes {
        let position = *index.entry(range.client).or_insert_with(|| {
            by_client.push((range.client, Vec::new()));
            by_client.len() - 1
        });
        if let Some((_, ranges)) = by_client.get_mut(position) {
            ranges.push((range.clock, range.len));
        }
    }
    write_var_u64(out, by_client.len() as u64);
    for (client, mut ranges) in by_client {
        ranges.sort_unstable();
        write_var_u64(out, client);
        write_var_u64(out, ranges.len() as u64);
        for (clock, len) in ranges {
            write_var_u64(out, u64::from(clock));
            write_var_u64(out, u64::from(len));
        }
    }
}

fn read_delete_set(
    reader: &mut Reader<'_>,
    deletes: &mut Vec<DeleteRange>,
) -> Result<(), ProtocolError> {
    // A client entry takes at least two bytes, a range at least two.
    let client_count = reader.count(2)?;
    for _ in 0..client_count {
        let client = reader.client_id()?;
        let range_count = reader.count(2)?;
        deletes.reserve(range_count);
        for _ in 0..range_count {
            let clock = reader.var_u32()?;
            let len = reader.var_u32()?;
            clock.checked_add(len).ok_or(ProtocolError::ClockOverflow)?;
            deletes.push(DeleteRange { client, clock, len });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use yrs::updates::decoder::Decode;
    use yrs::{
        Array, Doc, GetString, Map, ReadTxn, StateVector as YStateVector, Text, Transact, Update,
    };

    fn doc(client: u64) -> Doc {
        Doc::with_client_id(client)
    }

    fn sample_updates() -> Vec<Vec<u8>> {
        let a = doc(1);
        let cards = a.get_or_insert_map("cards");
        let list = a.get_or_insert_array("agenda");
        let text = a.get_or_insert_text("notes");
        let mut updates = Vec::new();
        for step in 0..5u32 {
            let before = a.transact().state_vector();
            {
                let mut txn = a.transact_mut();
                cards.insert(
                    &mut txn,
                    format!("card-{step}"),
                    format!("Bedarf Nr. {step} – Kita"),
                );
                list.push_back(&mut txn, step as f64);
                text.insert(&mut txn, 0, "Größe ");
                if step == 3 {
                    cards.remove(&mut txn, "card-0");
                    text.remove_range(&mut txn, 0, 2);
                }
            }
            updates.push(a.transact().encode_state_as_update_v1(&before));
        }
        updates
    }

    #[test]
    fn accepts_what_yrs_writes_and_agrees_on_lengths() {
        let target = Doc::new();
        for update in sample_updates() {
            let summary = UpdateSummary::parse(&update).expect("valid update");
            let decoded = Update::decode_v1(&update).expect("yrs decodes it");
            target
                .transact_mut()
                .apply_update(decoded)
                .expect("applies");
            let state = target.transact().state_vector();
            for range in &summary.clients {
                assert_eq!(state.get(&yrs::ClientID::new(range.client)), range.end);
            }
        }
    }

    #[test]
    fn detects_missing_dependencies() {
        let updates = sample_updates();
        let empty = |_| 0;
        assert_eq!(
            UpdateSummary::parse(&updates[0]).map(|s| s.missing_dependency(empty)),
            Ok(None)
        );
        // The second update builds on the first.
        let second = UpdateSummary::parse(&updates[1]).expect("valid");
        assert!(second.missing_dependency(empty).is_some());
        let first_end = UpdateSummary::parse(&updates[0]).expect("valid").clients[0].end;
        assert_eq!(second.missing_dependency(|_| first_end), None);
    }

    #[test]
    fn agrees_with_yrs_about_pending_state() {
        let updates = sample_updates();
        for skipped in 0..updates.len() {
            let target = Doc::new();
            let mut pending_expected = false;
            for (index, update) in updates.iter().enumerate() {
                if index == skipped {
                    continue;
                }
                let summary = UpdateSummary::parse(update).expect("valid");
                let sv = target.transact().state_vector();
                let missing = summary
                    .missing_dependency(|client| sv.get(&yrs::ClientID::new(client)))
                    .is_some();
                pending_expected |= missing;
                let mut txn = target.transact_mut();
                txn.apply_update(Update::decode_v1(update).expect("decodes"))
                    .expect("applies");
                assert_eq!(
                    txn.has_missing_updates(),
                    pending_expected,
                    "update {index} after skipping {skipped}"
                );
            }
        }
    }

    #[test]
    fn refuses_deep_nesting_and_unsupported_content() {
        // One client, one struct: an item in root "m" under key "k" holding
        // an Any array nested 100 levels deep.
        let mut update = vec![
            1,
            1,
            1,
            0,
            CONTENT_ANY | HAS_PARENT_SUB,
            1,
            1,
            b'm',
            1,
            b'k',
            1,
        ];
        update.extend(std::iter::repeat_n([117u8, 1], 100).flatten());
        update.push(126);
        update.push(0);
        assert_eq!(UpdateSummary::parse(&update), Err(ProtocolError::TooDeep));

        let subdoc = [1, 1, 1, 0, CONTENT_DOC, 1, 1, b'm', 0, 0];
        assert!(matches!(
            UpdateSummary::parse(&subdoc),
            Err(ProtocolError::UnsupportedContent(_))
        ));
    }

    #[test]
    fn refuses_absurd_counts_in_tiny_frames() {
        // 2^32 clients declared in six bytes.
        let update = [0x80, 0x80, 0x80, 0x80, 0x10, 0];
        assert_eq!(
            UpdateSummary::parse(&update),
            Err(ProtocolError::LengthExceedsFrame)
        );
        // A deleted range that overflows the clock.
        let update = [0, 1, 7, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 2];
        assert_eq!(
            UpdateSummary::parse(&update),
            Err(ProtocolError::ClockOverflow)
        );
    }

    /// An update of empty client sections (no structs), one per client, and
    /// an empty delete set: valid, and as many sections as bytes allow.
    fn empty_sections(clients: &[u64]) -> Vec<u8> {
        let mut update = Vec::new();
        write_var_u64(&mut update, clients.len() as u64);
        for &client in clients {
            update.push(0);
            write_var_u64(&mut update, client);
            update.push(0);
        }
        update.push(0);
        update
    }

    #[test]
    fn refuses_duplicate_clients_wherever_they_are() {
        assert_eq!(
            UpdateSummary::parse(&empty_sections(&[7, 8, 7])),
            Err(ProtocolError::DuplicateClient)
        );
        // The repeat is the last of many sections.
        let mut clients: Vec<u64> = (1..=50_000).collect();
        clients.push(1);
        assert_eq!(
            UpdateSummary::parse(&empty_sections(&clients)),
            Err(ProtocolError::DuplicateClient)
        );
        // A frame-sized update of distinct sections is walked (linearly) and
        // is valid, though empty.
        let clients: Vec<u64> = (100_000..300_000).collect();
        let update = empty_sections(&clients);
        assert!(update.len() <= 1 << 20);
        let summary = UpdateSummary::parse(&update).expect("valid");
        assert_eq!(summary.clients.len(), clients.len());
        assert!(summary.is_empty());
    }

    #[test]
    fn delete_set_groups_ranges_by_client_in_first_seen_order() {
        let range = |client, clock| DeleteRange {
            client,
            clock,
            len: 1,
        };
        let mut out = Vec::new();
        write_delete_set(
            &mut out,
            &[range(9, 4), range(3, 1), range(9, 0), range(3, 0)],
        );
        assert_eq!(out, [2, 9, 2, 0, 1, 4, 1, 3, 2, 0, 1, 1, 1]);
        let mut parsed = Vec::new();
        read_delete_set(&mut Reader::new(&out), &mut parsed).expect("valid");
        assert_eq!(parsed, [range(9, 0), range(9, 4), range(3, 0), range(3, 1)]);
    }

    #[test]
    fn round_trips_text_with_umlauts() {
        let a = doc(7);
        let text = a.get_or_insert_text("t");
        text.insert(&mut a.transact_mut(), 0, "Übergänge für Familien 👪");
        let update = a
            .transact()
            .encode_state_as_update_v1(&YStateVector::default());
        let summary = UpdateSummary::parse(&update).expect("valid");
        let b = Doc::new();
        b.transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        let text_b = b.get_or_insert_text("t");
        assert_eq!(
            text_b.get_string(&b.transact()),
            "Übergänge für Familien 👪"
        );
        assert_eq!(
            summary.clients[0].end,
            "Übergänge für Familien 👪".encode_utf16().count() as u32
        );
    }

    #[test]
    fn captures_primitive_values_and_type_refs() {
        let a = doc(3);
        let cards = a.get_or_insert_map("cards");
        {
            let mut txn = a.transact_mut();
            let card = cards.insert(&mut txn, "c1", yrs::MapPrelim::default());
            card.insert(&mut txn, "text", "Sprachkurs mit Kinderbetreuung");
            card.insert(&mut txn, "votes", 3);
            card.insert(&mut txn, "big", -70000.5);
            card.insert(&mut txn, "open", true);
        }
        let update = a
            .transact()
            .encode_state_as_update_v1(&YStateVector::default());
        let summary = UpdateSummary::parse(&update).expect("valid");
        let values: Vec<_> = summary
            .items
            .iter()
            .map(|item| (item.parent_sub.clone(), item.value.clone()))
            .collect();
        assert!(values.contains(&(
            Some("text".into()),
            Some(Value::String("Sprachkurs mit Kinderbetreuung".into()))
        )));
        assert!(values.contains(&(Some("votes".into()), Some(Value::Number(3.0)))));
        assert!(values.contains(&(Some("big".into()), Some(Value::Number(-70000.5)))));
        assert!(values.contains(&(Some("open".into()), Some(Value::Bool(true)))));
        assert!(
            summary
                .items
                .iter()
                .any(|item| item.content == ContentKind::Type(TYPE_MAP))
        );
    }

    #[test]
    fn rewrite_keeps_clocks_and_drops_content() {
        let a = doc(5);
        let cards = a.get_or_insert_map("cards");
        {
            let mut txn = a.transact_mut();
            cards.insert(&mut txn, "keep", "bleibt");
            cards.insert(&mut txn, "drop", "fliegt raus");
        }
        let update = a
            .transact()
            .encode_state_as_update_v1(&YStateVector::default());
        let summary = UpdateSummary::parse(&update).expect("valid");
        let unchanged =
            summary.rewrite(&update, &vec![false; summary.items.len()], &summary.deletes);
        assert_eq!(unchanged, update);
        let dropped: Vec<bool> = summary
            .items
            .iter()
            .map(|item| item.parent_sub.as_deref() == Some("drop"))
            .collect();
        let tombstones: Vec<DeleteRange> = summary
            .items
            .iter()
            .zip(&dropped)
            .filter(|(_, d)| **d)
            .map(|(item, _)| DeleteRange {
                client: item.id.client,
                clock: item.id.clock,
                len: item.len,
            })
            .collect();
        let rewritten = summary.rewrite(&update, &dropped, &tombstones);
        assert!(
            !rewritten.windows(11).any(|w| w == b"fliegt raus"),
            "no dropped content left"
        );
        let again = UpdateSummary::parse(&rewritten).expect("still valid");
        assert_eq!(
            again.clients[0].end, summary.clients[0].end,
            "clocks stay continuous"
        );
        let b = Doc::new();
        b.transact_mut()
            .apply_update(Update::decode_v1(&rewritten).expect("decodes"))
            .expect("applies");
        let cards_b = b.get_or_insert_map("cards");
        let txn = b.transact();
        assert!(cards_b.get(&txn, "keep").is_some());
        assert!(cards_b.get(&txn, "drop").is_none());
        assert_eq!(txn.state_vector(), a.transact().state_vector());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = UpdateSummary::parse(&bytes);
        }

        #[test]
        fn mutated_updates_never_panic_and_yrs_agrees_they_decode(
            index in 0usize..5,
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        ) {
            let mut update = sample_updates()[index].clone();
            for (position, byte) in flips {
                let len = update.len();
                update[position % len] = byte;
            }
            if UpdateSummary::parse(&update).is_ok() {
                // Whatever the walk accepts, yrs must decode without error.
                prop_assert!(Update::decode_v1(&update).is_ok());
            }
        }
    }
}
