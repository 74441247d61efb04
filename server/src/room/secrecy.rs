//! Hidden cards (`docs/schema.md`, "Hidden cards"): until the moderator
//! reveals them, a card's `text` reaches only the moderators, its author
//! and the participants of the author's group.
//!
//! Every client holds the same document, so secrecy is a matter of what
//! goes out. An update that carries hidden text ([`Secrets::find`]) is sent
//! as it is to those who may read it, and to everyone else with the text
//! items turned into deleted content of the same length
//! (`UpdateSummary::rewrite`, as for refused items): ids, origins and
//! neighbours stay, so everything built on them later still integrates,
//! but no byte of the text leaves the server. Such a peer's document then
//! holds those items as deleted, and its sync step 2 carries them in its
//! delete set: [`unreadable_deletes`] finds them so the room drops them
//! silently instead of deleting the card for everyone. When the text
//! becomes public (the reveal), the server writes it anew under its own
//! client id ([`republish`]), as a new item every copy can take in.
//!
//! What is hidden is decided from the document as it is when the update is
//! committed or the answer encoded: the board not revealed, the card not
//! part of the problem–solution tree (built in public, on the projector).

use crate::auth::Identity;
use crate::board::BoardView;
use crate::board::places::{Place, PlaceIndex};
use crate::board::schema::{CARDS, CardKind, PARTICIPANTS};
use crate::protocol::update::{ContentKind, DeleteRange, Id, UpdateSummary, Value};
use std::collections::{HashMap, HashSet};
use yrs::{Any, Doc, GetString, IdSet, Map, Out, ReadTxn, Transact, WriteTxn};

/// The field of a card that is hidden.
const TEXT: &str = "text";

/// The card whose text `place` belongs to (the field itself, or what is
/// nested in it when a client wrote a `Y.Text` there).
pub(super) fn card_of_text(place: &Place) -> Option<&str> {
    match place {
        Place::Field { root, key, field } | Place::Inside { root, key, field }
            if root.as_ref() == CARDS && field.as_ref() == TEXT =>
        {
            Some(key)
        }
        _ => None,
    }
}

/// Who besides the moderators may read a hidden card's text: its author
/// and the participants who share the author's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Audience {
    readers: Vec<String>,
}

impl Audience {
    pub fn admits(&self, identity: &Identity) -> bool {
        match identity {
            Identity::Moderator => true,
            Identity::Viewer => false,
            Identity::Participant(me) => self.readers.iter().any(|reader| reader == me),
        }
    }
}

/// Reads the cards and groups of a board for secrecy.
pub(super) struct Cards<'a, T: ReadTxn> {
    txn: &'a T,
    revealed: bool,
    /// Participants by group, read once when first needed.
    groups: Option<HashMap<String, Vec<String>>>,
}

impl<'a, T: ReadTxn> Cards<'a, T> {
    pub fn new(txn: &'a T) -> Self {
        Cards {
            txn,
            revealed: BoardView::new(txn).revealed(),
            groups: None,
        }
    }

    /// Whether card texts may be hidden at all (the board is not revealed).
    pub fn hiding(&self) -> bool {
        !self.revealed
    }

    fn field(&self, root: &str, key: &str, field: &str) -> Option<String> {
        BoardView::new(self.txn).entry_field(root, key, field)
    }

    /// Whether card `key`'s text is hidden now.
    pub fn hidden(&self, key: &str) -> bool {
        !self.revealed
            && is_private(
                self.field(CARDS, key, "kind").as_deref(),
                self.field(CARDS, key, "author").as_deref(),
            )
    }

    /// Whether `identity` wrote card `key`.
    pub fn is_author(&self, identity: &Identity, key: &str) -> bool {
        match identity {
            Identity::Participant(me) => self.field(CARDS, key, "author").as_deref() == Some(me),
            Identity::Moderator | Identity::Viewer => false,
        }
    }

    /// Who may read card `key`'s text, or `None` if everyone may.
    pub fn audience(&mut self, key: &str) -> Option<Audience> {
        if !self.hidden(key) {
            return None;
        }
        let author = self.field(CARDS, key, "author")?;
        let group = self.field(PARTICIPANTS, &author, "group");
        let mut readers = match group {
            Some(group) => self.groups().get(&group).cloned().unwrap_or_default(),
            None => Vec::new(),
        };
        if !readers.contains(&author) {
            readers.push(author);
        }
        readers.sort();
        Some(Audience { readers })
    }

    fn groups(&mut self) -> &HashMap<String, Vec<String>> {
        let txn = self.txn;
        self.groups.get_or_insert_with(|| {
            let mut groups: HashMap<String, Vec<String>> = HashMap::new();
            if let Some(participants) = txn.get_map(PARTICIPANTS) {
                for (id, entry) in participants.iter(txn) {
                    if let Out::YMap(entry) = entry {
                        if let Some(Out::Any(Any::String(group))) = entry.get(txn, "group") {
                            groups
                                .entry(group.to_string())
                                .or_default()
                                .push(id.to_owned());
                        }
                    }
                }
            }
            groups
        })
    }
}

/// Whether a card of this kind and author is private writing until the
/// reveal. Challenges and solutions, the problem–solution tree, are built
/// in public (the projector draws them live), and the moderator's own
/// cards (`author` `"moderator"`, or none: only the moderator writes
/// such) are the moderator's to show.
fn is_private(kind: Option<&str>, author: Option<&str>) -> bool {
    let tree = matches!(
        kind.and_then(CardKind::from_id),
        Some(CardKind::Challenge | CardKind::Solution)
    );
    !tree && author.is_some_and(|author| author != MODERATOR_AUTHOR)
}

/// The `author` of the moderator's own cards (docs/schema.md).
const MODERATOR_AUTHOR: &str = "moderator";

/// Which of an update's audiences admit one peer: the peers of one class
/// get the same frame.
pub(super) type Class = Vec<bool>;

/// The hidden items of one update, and who may read each.
#[derive(Debug)]
pub(super) struct Secrets {
    summary: UpdateSummary,
    /// (index into `summary.items`, index into `audiences`).
    hidden: Vec<(usize, usize)>,
    audiences: Vec<Audience>,
}

impl Secrets {
    /// The hidden items of `summary` (an update already applied to the
    /// document `cards` reads; `places` are its items' places), or `None`
    /// if it holds none.
    pub fn find<T: ReadTxn>(
        cards: &mut Cards<'_, T>,
        summary: UpdateSummary,
        places: &[Place],
    ) -> Option<Secrets> {
        if !cards.hiding() {
            return None;
        }
        let mut hidden = Vec::new();
        let mut audiences: Vec<Audience> = Vec::new();
        let mut by_card: HashMap<&str, Option<usize>> = HashMap::new();
        for (position, (item, place)) in summary.items.iter().zip(places).enumerate() {
            if item.content == ContentKind::Deleted {
                continue;
            }
            let Some(key) = card_of_text(place) else {
                continue;
            };
            let audience = *by_card.entry(key).or_insert_with(|| {
                let audience = cards.audience(key)?;
                Some(
                    match audiences.iter().position(|known| *known == audience) {
                        Some(index) => index,
                        None => {
                            audiences.push(audience);
                            audiences.len() - 1
                        }
                    },
                )
            });
            if let Some(audience) = audience {
                hidden.push((position, audience));
            }
        }
        drop(by_card);
        (!hidden.is_empty()).then_some(Secrets {
            summary,
            hidden,
            audiences,
        })
    }

    /// How many audiences the hidden items have (the length of a class).
    pub fn audiences(&self) -> usize {
        self.audiences.len()
    }

    /// The class of a peer of `identity`.
    pub fn class(&self, identity: &Identity) -> Class {
        self.audiences
            .iter()
            .map(|audience| audience.admits(identity))
            .collect()
    }

    /// `update` (the bytes `summary` was parsed from) as a peer of `class`
    /// may read it: the items it may not read as deleted content, and in
    /// the delete set. `None` if it may read everything.
    pub fn redact(&self, update: &[u8], class: &[bool]) -> Option<Vec<u8>> {
        let mut dropped = vec![false; self.summary.items.len()];
        let mut deletes = self.summary.deletes.clone();
        for &(position, audience) in &self.hidden {
            if class.get(audience).copied().unwrap_or(false) {
                continue;
            }
            if let (Some(slot), Some(item)) =
                (dropped.get_mut(position), self.summary.items.get(position))
            {
                *slot = true;
                deletes.push(DeleteRange {
                    client: item.id.client,
                    clock: item.id.clock,
                    len: item.len,
                });
            }
        }
        dropped
            .contains(&true)
            .then(|| self.summary.rewrite(update, &dropped, &deletes))
    }
}

/// The parts of `deletes` that remove hidden text `identity` may not
/// delete (it is not the card's author; moderators may delete anything),
/// or `None` if there are none. Such a deletion is what a peer's sync step
/// 2 says about the items it received redacted: it never held them, so
/// the room drops it silently (not a refusal).
pub(super) fn unreadable_deletes<T: ReadTxn>(
    cards: &Cards<'_, T>,
    index: &PlaceIndex,
    identity: &Identity,
    deletes: &[DeleteRange],
) -> Option<Vec<DeleteRange>> {
    if matches!(identity, Identity::Moderator) || !cards.hiding() {
        return None;
    }
    let mut kept = Vec::with_capacity(deletes.len());
    let mut dropped_any = false;
    // Per card: whether the sender may not delete its text.
    let mut guarded: HashMap<&str, bool> = HashMap::new();
    for range in deletes {
        let mut cursor = range.clock;
        let end = u64::from(range.clock) + u64::from(range.len);
        for (clock, len, place) in index.overlapping(range.client, range.clock, range.len) {
            let Some(key) = card_of_text(place) else {
                continue;
            };
            let refused = *guarded
                .entry(key)
                .or_insert_with(|| cards.hidden(key) && !cards.is_author(identity, key));
            if !refused {
                continue;
            }
            dropped_any = true;
            if clock > cursor {
                kept.push(DeleteRange {
                    client: range.client,
                    clock: cursor,
                    len: clock - cursor,
                });
            }
            cursor = clock.saturating_add(len);
        }
        if u64::from(cursor) < end {
            kept.push(DeleteRange {
                client: range.client,
                clock: cursor,
                len: (end - u64::from(cursor)) as u32,
            });
        }
    }
    dropped_any.then_some(kept)
}

/// The last text an update writes into one card, and the item (not in the
/// update) its chain of overwrites within the update builds on.
#[derive(Debug, PartialEq)]
pub(super) struct TextWritten {
    pub card: String,
    pub text: String,
    /// The item that holds `text`.
    pub last: Id,
    pub built_on: Option<Id>,
}

/// The last text each card gets from an update (`places` of its items;
/// items marked in `dropped` left out). An offline phone that edited a
/// text twice sends the first value as deleted content, the second built
/// on it: the chain is followed back to the item before the update.
pub(super) fn texts_written(
    summary: &UpdateSummary,
    places: &[Place],
    dropped: &[bool],
) -> Vec<TextWritten> {
    let mut by_card: HashMap<&str, Vec<&crate::protocol::update::ItemRecord>> = HashMap::new();
    for (position, (item, place)) in summary.items.iter().zip(places).enumerate() {
        if dropped.get(position).copied().unwrap_or(true) {
            continue;
        }
        if let Place::Field { root, key, field } = place {
            if root.as_ref() == CARDS && field.as_ref() == TEXT {
                by_card.entry(key).or_default().push(item);
            }
        }
    }
    let mut written = Vec::new();
    for (card, items) in by_card {
        let Some(last) = items
            .iter()
            .filter(|item| matches!(item.value, Some(Value::String(_))))
            .max_by_key(|item| (item.id.client, item.id.clock))
        else {
            continue;
        };
        let Some(Value::String(text)) = &last.value else {
            continue;
        };
        let inside = |id: Id| {
            items.iter().find(|item| {
                item.id.client == id.client
                    && id.clock >= item.id.clock
                    && u64::from(id.clock) < u64::from(item.id.clock) + u64::from(item.len)
            })
        };
        let mut built_on = last.origin;
        // Bounded by the update's items: each step goes to another one.
        for _ in 0..items.len() {
            match built_on.and_then(inside) {
                Some(earlier) => built_on = earlier.origin,
                None => break,
            }
        }
        written.push(TextWritten {
            card: card.to_owned(),
            text: text.clone(),
            last: last.id,
            built_on,
        });
    }
    written
}

/// The cards whose `kind` one of `places` writes.
pub(super) fn kinds_written(places: &[Place]) -> Vec<String> {
    let mut keys: Vec<String> = places
        .iter()
        .filter_map(|place| match place {
            Place::Field { root, key, field }
                if root.as_ref() == CARDS && field.as_ref() == "kind" =>
            {
                Some(key.to_string())
            }
            _ => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The cards whose text a reveal makes public: every card with a text that
/// is not part of the tree.
pub(super) fn texts_to_reveal<T: ReadTxn>(txn: &T) -> Vec<String> {
    let Some(cards) = txn.get_map(CARDS) else {
        return Vec::new();
    };
    cards
        .iter(txn)
        .filter_map(|(key, card)| match card {
            Out::YMap(card) => {
                let field = |name: &str| match card.get(txn, name) {
                    Some(Out::Any(Any::String(value))) => Some(value),
                    _ => None,
                };
                let private = is_private(field("kind").as_deref(), field("author").as_deref());
                (card.contains_key(txn, TEXT) && private).then(|| key.to_owned())
            }
            _ => None,
        })
        .collect()
}

/// Writes the text of each card in `keys` anew, as the server: the peers
/// that hold its items redacted cannot bring them back, a new item they
/// can take in. Returns the transaction's update and what it deleted (the
/// values it replaced), or `None` if there was nothing to write.
pub(super) fn republish(doc: &Doc, keys: &[String]) -> Option<(Vec<u8>, IdSet)> {
    let texts: Vec<(String, Option<String>)> = keys.iter().map(|key| (key.clone(), None)).collect();
    write_texts(doc, &texts)
}

/// Writes card texts as the server: each card's given text, or (`None`)
/// its current one anew. Returns the update and what it deleted.
pub(super) fn write_texts(
    doc: &Doc,
    texts: &[(String, Option<String>)],
) -> Option<(Vec<u8>, IdSet)> {
    if texts.is_empty() {
        return None;
    }
    let mut txn = doc.transact_mut();
    let cards = txn.get_or_insert_map(CARDS);
    let mut wrote = false;
    let mut written: HashSet<&str> = HashSet::new();
    for (key, given) in texts {
        if !written.insert(key) {
            continue;
        }
        let Some(Out::YMap(card)) = cards.get(&txn, key) else {
            continue;
        };
        let text = match (given, card.get(&txn, TEXT)) {
            (Some(given), _) => given.clone(),
            (None, Some(Out::Any(Any::String(text)))) => text.to_string(),
            (None, Some(Out::YText(text))) => text.get_string(&txn),
            (None, _) => continue,
        };
        card.insert(&mut txn, TEXT, text);
        wrote = true;
    }
    if !wrote {
        return None;
    }
    let deleted = txn.delete_set().clone();
    Some((txn.encode_update_v1(), deleted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{MapPrelim, StateVector, Text, TextPrelim, Update};

    /// A board with Anna and Ben in group g1, Carla in g2, a need card of
    /// Anna's and a challenge of Carla's.
    fn board() -> Doc {
        let doc = Doc::with_client_id(1);
        let mut txn = doc.transact_mut();
        let participants = txn.get_or_insert_map(PARTICIPANTS);
        for (id, group) in [("anna", "g1"), ("ben", "g1"), ("carla", "g2"), ("dora", "")] {
            let entry = participants.insert(&mut txn, id, MapPrelim::default());
            if !group.is_empty() {
                entry.insert(&mut txn, "group", group);
            }
        }
        let cards = txn.get_or_insert_map(CARDS);
        for (key, author, kind) in [
            ("need1", "anna", "need"),
            ("tree1", "carla", "challenge"),
            ("note1", "moderator", "note"),
        ] {
            let card = cards.insert(&mut txn, key, MapPrelim::default());
            card.insert(&mut txn, "author", author);
            card.insert(&mut txn, "kind", kind);
            card.insert(&mut txn, TEXT, format!("Geheimtext {key}"));
        }
        drop(txn);
        doc
    }

    fn whole(doc: &Doc) -> (Vec<u8>, UpdateSummary, Vec<Place>) {
        let update = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let summary = UpdateSummary::parse(&update).expect("valid");
        let places = PlaceIndex::default().resolve(&summary);
        (update, summary, places)
    }

    fn participant(id: &str) -> Identity {
        Identity::Participant(id.into())
    }

    #[test]
    fn only_the_authors_group_and_the_moderators_read_a_hidden_text() {
        let doc = board();
        let (update, summary, places) = whole(&doc);
        let txn = doc.transact();
        let secrets = Secrets::find(&mut Cards::new(&txn), summary, &places).expect("hidden");
        for (identity, reads) in [
            (Identity::Moderator, true),
            (participant("anna"), true),
            (participant("ben"), true),
            (participant("carla"), false),
            (participant("dora"), false),
            (Identity::Viewer, false),
        ] {
            let redacted = secrets.redact(&update, &secrets.class(&identity));
            assert_eq!(redacted.is_none(), reads, "{identity:?}");
            let Some(redacted) = redacted else { continue };
            let bytes = String::from_utf8_lossy(&redacted);
            assert!(!bytes.contains("Geheimtext need1"), "{identity:?} reads it");
            assert!(bytes.contains("Geheimtext tree1"), "the tree is public");
            assert!(
                bytes.contains("Geheimtext note1"),
                "the moderator's card is public"
            );
            // The redacted update integrates, and the card is there
            // without its text.
            let copy = Doc::new();
            copy.transact_mut()
                .apply_update(Update::decode_v1(&redacted).expect("decodes"))
                .expect("applies");
            let copy_txn = copy.transact();
            let Some(Out::YMap(card)) = copy_txn
                .get_map(CARDS)
                .and_then(|cards| cards.get(&copy_txn, "need1"))
            else {
                panic!("the card is there");
            };
            assert_eq!(card.get(&copy_txn, TEXT), None);
            assert_eq!(copy_txn.state_vector(), txn.state_vector());
        }
    }

    #[test]
    fn a_revealed_board_hides_nothing() {
        let doc = board();
        doc.get_or_insert_map("meta")
            .insert(&mut doc.transact_mut(), "revealed", true);
        let (_, summary, places) = whole(&doc);
        let txn = doc.transact();
        assert!(Secrets::find(&mut Cards::new(&txn), summary, &places).is_none());
    }

    #[test]
    fn text_nested_in_a_y_text_is_hidden_too() {
        let doc = board();
        {
            let mut txn = doc.transact_mut();
            let cards = txn.get_or_insert_map(CARDS);
            let Some(Out::YMap(card)) = cards.get(&txn, "need1") else {
                panic!("the card is there");
            };
            let text = card.insert(&mut txn, TEXT, TextPrelim::new("Verschachtelt"));
            text.insert(&mut txn, 0, "Ganz ");
        }
        let (update, summary, places) = whole(&doc);
        let txn = doc.transact();
        let secrets = Secrets::find(&mut Cards::new(&txn), summary, &places).expect("hidden");
        let redacted = secrets
            .redact(&update, &secrets.class(&Identity::Viewer))
            .expect("redacted");
        let bytes = String::from_utf8_lossy(&redacted);
        assert!(!bytes.contains("Verschachtelt") && !bytes.contains("Ganz"));
    }

    #[test]
    fn deletions_of_text_a_peer_never_read_are_found() {
        let doc = board();
        let (_, summary, _) = whole(&doc);
        let mut index = PlaceIndex::default();
        index.record_update(&summary);
        let txn = doc.transact();
        let cards = Cards::new(&txn);
        // The whole document as one delete range of client 1.
        let end = txn.state_vector().get(&yrs::ClientID::new(1));
        let everything = [DeleteRange {
            client: 1,
            clock: 0,
            len: end,
        }];
        let text = summary
            .items
            .iter()
            .find(|item| {
                item.value
                    == Some(crate::protocol::update::Value::String(
                        "Geheimtext need1".into(),
                    ))
            })
            .expect("the hidden text");
        let kept = unreadable_deletes(&cards, &index, &Identity::Viewer, &everything)
            .expect("something is dropped");
        let covered: u32 = kept.iter().map(|range| range.len).sum();
        assert_eq!(covered, end - text.len);
        assert!(kept.iter().all(|range| {
            range.clock + range.len <= text.id.clock || range.clock >= text.id.clock + text.len
        }));
        // The author and the moderators are not filtered; another member of
        // the group is (only the author may delete it).
        assert_eq!(
            unreadable_deletes(&cards, &index, &participant("anna"), &everything),
            None
        );
        assert_eq!(
            unreadable_deletes(&cards, &index, &Identity::Moderator, &everything),
            None
        );
        assert!(unreadable_deletes(&cards, &index, &participant("ben"), &everything).is_some());
    }

    #[test]
    fn republish_writes_the_texts_anew() {
        let doc = board();
        let before = doc.transact().state_vector();
        let keys = texts_to_reveal(&doc.transact());
        assert_eq!(keys, vec!["need1".to_owned()]);
        let (update, deleted) = republish(&doc, &keys).expect("written");
        assert!(!deleted.is_empty(), "the old text item is replaced");
        let summary = UpdateSummary::parse(&update).expect("valid");
        assert!(
            summary
                .clients
                .iter()
                .all(|range| range.start >= before.get(&yrs::ClientID::new(range.client)))
        );
        assert!(String::from_utf8_lossy(&update).contains("Geheimtext need1"));
    }
}

/// The room's side: relays, sync answers, deletions and the reveal.
#[cfg(test)]
mod room_tests {
    use super::super::RoomSettings;
    use super::super::test_harness::{TestPeer, harness, stored_card};
    use crate::auth::Identity;
    use crate::board::schema::{CARDS, META, PARTICIPANTS};
    use crate::protocol::Message;
    use yrs::{Any, Map, MapPrelim, Out, ReadTxn, StateVector, Transact, WriteTxn};

    const SECRET: &str = "Geheimtext der Kita-Gruppe";
    const CARD: &str = "cardAnna0001";

    fn participant(id: &str) -> Identity {
        Identity::Participant(id.into())
    }

    /// The card's fields in a peer's copy: `None` if the card is not there.
    fn card(peer: &TestPeer) -> Option<(Option<String>, Option<String>)> {
        let txn = peer.doc.transact();
        let Some(Out::YMap(card)) = txn.get_map(CARDS)?.get(&txn, CARD) else {
            return None;
        };
        let field = |name: &str| match card.get(&txn, name) {
            Some(Out::Any(Any::String(value))) => Some(value.to_string()),
            _ => None,
        };
        Some((field("kind"), field("text")))
    }

    #[tokio::test]
    async fn a_hidden_card_reaches_only_its_group_and_the_moderators_until_the_reveal() {
        let harness = harness(RoomSettings::default());
        let mut moderator = TestPeer::join(&harness, "board").await;
        moderator
            .change(|txn| {
                let participants = txn.get_or_insert_map(PARTICIPANTS);
                for (id, group) in [
                    ("annaAnna01", "groupOne01"),
                    ("benBenBen1", "groupOne01"),
                    ("carlaCarla", "groupTwo01"),
                ] {
                    let entry = participants.insert(txn, id, MapPrelim::default());
                    entry.insert(txn, "name", id);
                    entry.insert(txn, "group", group);
                }
            })
            .await;
        let mut anna = TestPeer::join_as(&harness, "board", participant("annaAnna01")).await;
        let mut ben = TestPeer::join_as(&harness, "board", participant("benBenBen1")).await;
        let mut carla = TestPeer::join_as(&harness, "board", participant("carlaCarla")).await;
        let mut viewer = TestPeer::join_as(&harness, "board", Identity::Viewer).await;

        anna.change(|txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, CARD, MapPrelim::default());
            card.insert(txn, "text", SECRET);
            card.insert(txn, "kind", "need");
            card.insert(txn, "author", "annaAnna01");
            card.insert(txn, "createdAt", 1_741_079_400_000.0);
        })
        .await;
        for peer in [&mut moderator, &mut ben, &mut carla, &mut viewer] {
            peer.pump_until("the card", |message| {
                matches!(message, Message::Update(update) if update.windows(CARD.len()).any(|w| w == CARD.as_bytes()))
            })
            .await;
        }
        for peer in [&moderator, &ben] {
            assert_eq!(card(peer), Some((Some("need".into()), Some(SECRET.into()))));
        }
        for peer in [&carla, &viewer] {
            assert_eq!(
                card(peer),
                Some((Some("need".into()), None)),
                "the card without its text"
            );
            assert!(!peer.received_bytes(SECRET), "no frame holds the text");
        }

        // Carla's copy holds the text as deleted; all of it again (what a
        // reconnect's sync step 2 says) deletes nothing and is no refusal.
        let everything = carla
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        carla.send(Message::SyncStep2(&everything)).await;
        let mut late = TestPeer::join_as(&harness, "board", Identity::Viewer).await;
        assert_eq!(card(&late), Some((Some("need".into()), None)));
        assert!(!late.received_bytes(SECRET), "a late sync holds no text");
        assert!(
            stored_card(&harness.store, "board", CARD).is_some_and(|card| card.contains(SECRET)),
            "the text is still stored"
        );

        moderator
            .change(|txn| {
                txn.get_or_insert_map(META).insert(txn, "revealed", true);
            })
            .await;
        for peer in [&mut carla, &mut viewer, &mut late] {
            peer.pump_until_doc("the revealed text", |doc| {
                let txn = doc.transact();
                matches!(
                    txn.get_map(CARDS).and_then(|cards| cards.get(&txn, CARD)),
                    Some(Out::YMap(card)) if card.get(&txn, "text") == Some(Out::Any(SECRET.into()))
                )
            })
            .await;
        }
        assert_eq!(
            card(&moderator).and_then(|(_, text)| text).as_deref(),
            Some(SECRET)
        );
        assert!(carla.denied.is_empty(), "no refusal: {:?}", carla.denied);
        assert!(viewer.denied.is_empty(), "no refusal: {:?}", viewer.denied);
    }

    fn text_is(doc: &yrs::Doc, text: &str) -> bool {
        let txn = doc.transact();
        matches!(
            txn.get_map(CARDS).and_then(|cards| cards.get(&txn, CARD)),
            Some(Out::YMap(card)) if card.get(&txn, "text") == Some(Out::Any(text.into()))
        )
    }

    #[tokio::test]
    async fn an_edit_made_offline_while_the_cards_were_revealed_is_kept() {
        let harness = harness(RoomSettings::default());
        let mut moderator = TestPeer::join(&harness, "board").await;
        let mut anna = TestPeer::join_as(&harness, "board", participant("annaAnna01")).await;
        // Anna's copy writes under the lowest client id, so the server's
        // rewrite at the reveal wins the tie of two writes of one key over
        // her offline edit: the case the room repairs.
        let low = yrs::Doc::with_client_id(1);
        let state = anna
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        low.transact_mut()
            .apply_update(
                <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&state).expect("decodes"),
            )
            .expect("applies");
        anna.doc = low;
        anna.change(|txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, CARD, MapPrelim::default());
            card.insert(txn, "text", "erste Fassung");
            card.insert(txn, "kind", "need");
            card.insert(txn, "author", "annaAnna01");
        })
        .await;
        // Offline: two edits the server does not see yet (the first goes
        // out as deleted content, the second built on it).
        let offline_from = anna.doc.transact().state_vector();
        for text in ["zweite Fassung", "dritte Fassung"] {
            let mut txn = anna.doc.transact_mut();
            let cards = txn.get_or_insert_map(CARDS);
            if let Some(Out::YMap(card)) = cards.get(&txn, CARD) {
                card.insert(&mut txn, "text", text);
            }
        }
        moderator
            .change(|txn| {
                txn.get_or_insert_map(META).insert(txn, "revealed", true);
            })
            .await;
        // Back online: what a reconnect's sync step 2 carries.
        let offline = anna.doc.transact().encode_state_as_update_v1(&offline_from);
        anna.send(Message::SyncStep2(&offline)).await;
        moderator
            .pump_until_doc("the offline edit", |doc| text_is(doc, "dritte Fassung"))
            .await;
        anna.pump_until_doc("the offline edit kept", |doc| {
            text_is(doc, "dritte Fassung")
        })
        .await;
        let late = TestPeer::join_as(&harness, "board", Identity::Viewer).await;
        assert!(text_is(&late.doc, "dritte Fassung"));
        assert!(anna.denied.is_empty(), "{:?}", anna.denied);
    }

    #[tokio::test]
    async fn a_card_turned_into_a_challenge_reaches_everyone_before_the_reveal() {
        let harness = harness(RoomSettings::default());
        let mut moderator = TestPeer::join(&harness, "board").await;
        moderator
            .change(|txn| {
                txn.get_or_insert_map(META)
                    .insert(txn, "challengesOpen", true);
            })
            .await;
        let mut anna = TestPeer::join_as(&harness, "board", participant("annaAnna01")).await;
        let mut viewer = TestPeer::join_as(&harness, "board", Identity::Viewer).await;
        anna.change(|txn| {
            let cards = txn.get_or_insert_map(CARDS);
            let card = cards.insert(txn, CARD, MapPrelim::default());
            card.insert(txn, "text", SECRET);
            card.insert(txn, "kind", "need");
            card.insert(txn, "author", "annaAnna01");
        })
        .await;
        viewer
            .pump_until_doc("the card", |doc| {
                let txn = doc.transact();
                txn.get_map(CARDS)
                    .is_some_and(|cards| cards.contains_key(&txn, CARD))
            })
            .await;
        assert_eq!(card(&viewer), Some((Some("need".into()), None)));

        anna.change(|txn| {
            let cards = txn.get_or_insert_map(CARDS);
            if let Some(Out::YMap(card)) = cards.get(txn, CARD) {
                card.insert(txn, "kind", "challenge");
            }
        })
        .await;
        viewer
            .pump_until_doc("the text of the challenge", |doc| {
                let txn = doc.transact();
                matches!(
                    txn.get_map(CARDS).and_then(|cards| cards.get(&txn, CARD)),
                    Some(Out::YMap(card)) if card.get(&txn, "text") == Some(Out::Any(SECRET.into()))
                )
            })
            .await;
        assert!(anna.denied.is_empty(), "{:?}", anna.denied);
        assert_eq!(
            card(&anna),
            Some((Some("challenge".into()), Some(SECRET.into())))
        );
    }
}
