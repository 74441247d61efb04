//! A typed read model of the whole board document (`docs/schema.md`), for
//! the exports.
//!
//! Reading never fails: a missing or ill-typed field takes its documented
//! default, an entry that is not a map is skipped. Every collection is sorted
//! deterministically (by its `order` field or creation time, then by id) so
//! the same document always gives byte-identical exports.

use super::number;
use super::schema::board_text;
use serde::Serialize;
use std::collections::BTreeMap;
use yrs::{Any, Map, Out, ReadTxn};

/// The whole board, as the exports see it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub meta: Meta,
    pub participants: Vec<Participant>,
    pub groups: Vec<Group>,
    pub cards: Vec<Card>,
    pub clusters: Vec<Cluster>,
    pub votes: Vec<Vote>,
    pub offer_links: Vec<OfferLink>,
    pub agenda: Vec<AgendaItem>,
    pub cases: Vec<Case>,
    pub focal_points: Vec<FocalPoint>,
    pub placements: Vec<Placement>,
    pub notes: Vec<Note>,
    pub agreements: Vec<Agreement>,
    pub networks: Vec<Network>,
    pub memberships: Vec<Membership>,
    pub handout: Handout,
    /// Suggestions the moderator dismissed (`dismissals`): the cards of
    /// each, which are never suggested together again. Not documentation.
    #[serde(skip)]
    pub dismissals: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub title: String,
    pub district: String,
    pub date: Option<String>,
    /// `"de"` (default) or `"en"`.
    pub locale: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub organisation: String,
    /// One of the five sectors, or empty when unknown.
    pub sector: String,
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: String,
    pub text: String,
    pub kind: String,
    /// Participant id, `"moderator"`, or empty.
    pub author: String,
    pub group: Option<String>,
    /// Only clusters that exist: a card in a deleted cluster is unsorted.
    pub cluster: Option<String>,
    /// The challenge a `challenge` or `solution` card hangs under (the
    /// problem–solution tree), as written: it may name a card deleted since.
    pub parent: Option<String>,
    pub created_at: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub id: String,
    pub title: String,
    pub colour: String,
    /// `"district"`, `"overarching"` or absent (not decided).
    pub scope: Option<String>,
    pub order: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    pub participant: String,
    pub cluster: String,
    pub dots: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferLink {
    pub card: String,
    pub cluster: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub start: Option<String>,
    pub minutes: f64,
    pub order: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub id: String,
    pub title: String,
    /// `"asylblg"`, `"sgb2"` or `"other"`.
    pub framework: String,
    pub story: String,
    pub order: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FocalPoint {
    pub id: String,
    pub case: String,
    pub title: String,
    pub order: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    pub participant: String,
    pub focal_point: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    pub focal_point: String,
    /// `"legal"`, `"steering"`, `"needs"`, `"offers"` or `"planned"`.
    pub category: String,
    pub text: String,
    pub created_at: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    pub id: String,
    pub what: String,
    pub who: String,
    pub due: Option<String>,
    /// `"proposed"`, `"confirmed"`, `"done"` or `"dropped"`.
    pub status: String,
    pub author: String,
    pub created_at: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub id: String,
    pub title: String,
    pub order: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub participant: String,
    pub network: String,
}

/// What the city hands out (moderator-only).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handout {
    pub contacts: String,
    pub procedures: String,
    pub steering: String,
}

impl Handout {
    pub fn is_empty(&self) -> bool {
        self.contacts.trim().is_empty()
            && self.procedures.trim().is_empty()
            && self.steering.trim().is_empty()
    }
}

/// The primitive fields of one entry.
#[derive(Default)]
struct Fields(BTreeMap<String, Any>);

impl Fields {
    fn text(&self, field: &str) -> String {
        self.optional_text(field).unwrap_or_default()
    }

    fn optional_text(&self, field: &str) -> Option<String> {
        match self.0.get(field) {
            // Whatever the document holds, the documents get well-formed
            // text (the moderator's edits are not checked, old boards were not).
            Some(Any::String(value)) => Some(board_text(value).into_owned()),
            _ => None,
        }
    }

    fn number(&self, field: &str) -> f64 {
        self.0
            .get(field)
            .and_then(number)
            .filter(|n| n.is_finite())
            .unwrap_or(0.0)
    }
}

/// Reads the entries of a top-level map of nested maps, as (id, fields).
fn entries<T: ReadTxn>(txn: &T, root: &str) -> Vec<(String, Fields)> {
    let Some(map) = txn.get_map(root) else {
        return Vec::new();
    };
    map.iter(txn)
        .filter_map(|(key, value)| match value {
            Out::YMap(entry) => {
                let fields = entry
                    .iter(txn)
                    .filter_map(|(field, value)| match value {
                        Out::Any(value) => Some((field.to_owned(), value)),
                        _ => None,
                    })
                    .collect();
                Some((key.to_owned(), Fields(fields)))
            }
            _ => None,
        })
        .collect()
}

/// Reads a map of primitive values, as (key, value).
fn values<T: ReadTxn>(txn: &T, root: &str) -> Vec<(String, Any)> {
    let Some(map) = txn.get_map(root) else {
        return Vec::new();
    };
    map.iter(txn)
        .filter_map(|(key, value)| match value {
            Out::Any(value) => Some((key.to_owned(), value)),
            _ => None,
        })
        .collect()
}

/// The `"{a}:{b}"` keys of a map whose value is `true`.
fn pairs<T: ReadTxn>(txn: &T, root: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = values(txn, root)
        .into_iter()
        .filter(|(_, value)| matches!(value, Any::Bool(true)))
        .filter_map(|(key, _)| {
            let (a, b) = key.split_once(':')?;
            Some((a.to_owned(), b.to_owned()))
        })
        .collect();
    pairs.sort();
    pairs
}

fn by_order_then_id(a: (f64, &str), b: (f64, &str)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

impl Board {
    /// Reads the board from a transaction on its document.
    pub fn read<T: ReadTxn>(txn: &T) -> Board {
        let meta_values: BTreeMap<String, Any> = values(txn, super::META).into_iter().collect();
        let meta_fields = Fields(meta_values);
        let locale = match meta_fields.optional_text("locale").as_deref() {
            Some("en") => "en",
            _ => "de",
        };
        let meta = Meta {
            title: meta_fields.text("title"),
            district: meta_fields.text("district"),
            date: meta_fields.optional_text("date"),
            locale: locale.to_owned(),
        };

        let mut participants: Vec<Participant> = entries(txn, super::PARTICIPANTS)
            .into_iter()
            .map(|(id, f)| Participant {
                name: f.text("name"),
                organisation: f.text("organisation"),
                sector: f.text("sector"),
                group: f.optional_text("group"),
                id,
            })
            .collect();
        participants
            .sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));

        let mut groups: Vec<(f64, Group)> = entries(txn, "groups")
            .into_iter()
            .map(|(id, f)| {
                (
                    f.number("createdAt"),
                    Group {
                        name: f.text("name"),
                        colour: f.text("colour"),
                        id,
                    },
                )
            })
            .collect();
        groups.sort_by(|a, b| by_order_then_id((a.0, &a.1.id), (b.0, &b.1.id)));

        let mut clusters: Vec<Cluster> = entries(txn, super::CLUSTERS)
            .into_iter()
            .map(|(id, f)| Cluster {
                title: f.text("title"),
                colour: f.text("colour"),
                scope: f.optional_text("scope"),
                order: f.number("order"),
                id,
            })
            .collect();
        clusters.sort_by(|a, b| by_order_then_id((a.order, &a.id), (b.order, &b.id)));
        let cluster_exists = |id: &str| clusters.iter().any(|c| c.id == id);

        let mut cards: Vec<Card> = entries(txn, super::CARDS)
            .into_iter()
            .map(|(id, f)| Card {
                text: f.text("text"),
                kind: f.text("kind"),
                author: f.text("author"),
                group: f.optional_text("group"),
                cluster: f.optional_text("cluster").filter(|c| cluster_exists(c)),
                parent: f.optional_text("parent"),
                created_at: f.number("createdAt"),
                id,
            })
            .collect();
        cards.sort_by(|a, b| by_order_then_id((a.created_at, &a.id), (b.created_at, &b.id)));

        let mut votes: Vec<Vote> = values(txn, super::VOTES)
            .into_iter()
            .filter_map(|(key, value)| {
                let (participant, cluster) = key.split_once(':')?;
                let dots = number(&value)?;
                (dots > 0.0 && cluster_exists(cluster)).then(|| Vote {
                    participant: participant.to_owned(),
                    cluster: cluster.to_owned(),
                    dots,
                })
            })
            .collect();
        votes.sort_by(|a, b| (&a.participant, &a.cluster).cmp(&(&b.participant, &b.cluster)));

        let card_exists = |id: &str| cards.iter().any(|c| c.id == id);
        let offer_links = pairs(txn, "offerLinks")
            .into_iter()
            .filter(|(card, cluster)| card_exists(card) && cluster_exists(cluster))
            .map(|(card, cluster)| OfferLink { card, cluster })
            .collect();

        let mut agenda: Vec<AgendaItem> = entries(txn, "agenda")
            .into_iter()
            .map(|(id, f)| AgendaItem {
                title: f.text("title"),
                kind: f.text("kind"),
                start: f.optional_text("start"),
                minutes: f.number("minutes"),
                order: f.number("order"),
                id,
            })
            .collect();
        agenda.sort_by(|a, b| by_order_then_id((a.order, &a.id), (b.order, &b.id)));

        let mut cases: Vec<Case> = entries(txn, "cases")
            .into_iter()
            .map(|(id, f)| Case {
                title: f.text("title"),
                framework: f.text("framework"),
                story: f.text("story"),
                order: f.number("order"),
                id,
            })
            .collect();
        cases.sort_by(|a, b| by_order_then_id((a.order, &a.id), (b.order, &b.id)));

        let mut focal_points: Vec<FocalPoint> = entries(txn, super::FOCAL_POINTS)
            .into_iter()
            .map(|(id, f)| FocalPoint {
                case: f.text("case"),
                title: f.text("title"),
                order: f.number("order"),
                id,
            })
            .collect();
        focal_points.sort_by(|a, b| by_order_then_id((a.order, &a.id), (b.order, &b.id)));

        let placements = pairs(txn, super::PLACEMENTS)
            .into_iter()
            .map(|(participant, focal_point)| Placement {
                participant,
                focal_point,
            })
            .collect();

        let mut notes: Vec<Note> = entries(txn, "notes")
            .into_iter()
            .map(|(id, f)| Note {
                focal_point: f.text("focalPoint"),
                category: f.text("category"),
                text: f.text("text"),
                created_at: f.number("createdAt"),
                id,
            })
            .collect();
        notes.sort_by(|a, b| by_order_then_id((a.created_at, &a.id), (b.created_at, &b.id)));

        let mut agreements: Vec<Agreement> = entries(txn, super::AGREEMENTS)
            .into_iter()
            .map(|(id, f)| Agreement {
                what: f.text("what"),
                who: f.text("who"),
                due: f.optional_text("due"),
                status: f.text("status"),
                author: f.text("author"),
                created_at: f.number("createdAt"),
                id,
            })
            .collect();
        agreements.sort_by(|a, b| by_order_then_id((a.created_at, &a.id), (b.created_at, &b.id)));

        let mut networks: Vec<Network> = entries(txn, super::NETWORKS)
            .into_iter()
            .map(|(id, f)| Network {
                title: f.text("title"),
                order: f.number("order"),
                id,
            })
            .collect();
        networks.sort_by(|a, b| by_order_then_id((a.order, &a.id), (b.order, &b.id)));

        let memberships = pairs(txn, super::MEMBERSHIPS)
            .into_iter()
            .map(|(participant, network)| Membership {
                participant,
                network,
            })
            .collect();

        let handout_fields = Fields(values(txn, HANDOUT).into_iter().collect());
        let handout = Handout {
            contacts: handout_fields.text("contacts"),
            procedures: handout_fields.text("procedures"),
            steering: handout_fields.text("steering"),
        };

        Board {
            meta,
            participants,
            groups: groups.into_iter().map(|(_, group)| group).collect(),
            cards,
            clusters,
            votes,
            offer_links,
            agenda,
            cases,
            focal_points,
            placements,
            notes,
            agreements,
            networks,
            memberships,
            handout,
            dismissals: entries(txn, super::schema::DISMISSALS)
                .into_iter()
                .map(|(_, f)| {
                    f.text("cards")
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect()
                })
                .collect(),
        }
    }

    pub fn participant(&self, id: &str) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// Dots given to a cluster.
    pub fn votes_for(&self, cluster: &str) -> f64 {
        self.votes
            .iter()
            .filter(|v| v.cluster == cluster)
            .map(|v| v.dots)
            .sum()
    }
}

/// Top-level map of the handout (moderator-only).
pub const HANDOUT: &str = "handout";

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Doc, MapPrelim, Transact};

    #[test]
    fn reads_entries_sorted_and_ignores_dangling_references() {
        let doc = Doc::new();
        let cards = doc.get_or_insert_map("cards");
        let clusters = doc.get_or_insert_map("clusters");
        let votes = doc.get_or_insert_map("votes");
        let meta = doc.get_or_insert_map("meta");
        {
            let mut txn = doc.transact_mut();
            meta.insert(&mut txn, "locale", "en");
            meta.insert(&mut txn, "title", "Sandow");
            for (id, order) in [("clusterB", 2), ("clusterA", 1)] {
                clusters.insert(
                    &mut txn,
                    id,
                    MapPrelim::from([("title", Any::from(id)), ("order", Any::from(order))]),
                );
            }
            cards.insert(
                &mut txn,
                "card2",
                MapPrelim::from([
                    ("text", Any::from("Zwei")),
                    ("createdAt", Any::from(2)),
                    ("cluster", Any::from("gone")),
                ]),
            );
            cards.insert(
                &mut txn,
                "card1",
                MapPrelim::from([
                    ("text", Any::from("Eins")),
                    ("createdAt", Any::from(1)),
                    ("cluster", Any::from("clusterA")),
                ]),
            );
            votes.insert(&mut txn, "p1:clusterA", 2);
            votes.insert(&mut txn, "p1:gone", 1);
        }
        let board = Board::read(&doc.transact());
        assert_eq!(board.meta.locale, "en");
        let ids: Vec<_> = board.clusters.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["clusterA", "clusterB"]);
        let texts: Vec<_> = board.cards.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Eins", "Zwei"]);
        assert_eq!(board.cards[1].cluster, None, "dangling cluster is unsorted");
        assert_eq!(board.votes.len(), 1);
        assert_eq!(board.votes_for("clusterA"), 2.0);
    }
}
