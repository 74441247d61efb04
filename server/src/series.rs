//! A series of conferences (issue 15; `docs/protocol.md`, "Series"): the
//! boards of several districts, compared for the council. The organiser
//! links clusters of different boards into series topics and marks each
//! city-wide or specific to districts; the comparison is one JSON value
//! per series ([`Comparison`]), written whole with the version it was read
//! at, so two organisers' tabs never silently overwrite each other and the
//! app's undo puts back an earlier value. What each topic gathers (the
//! districts, the verbatim needs, the sectors, the offers, the agreements)
//! is read from the boards' documents at the time ([`Overview`]). Pure.

use crate::board::model::Board;
use crate::board::schema::{TITLE_MAX, board_text, is_text_char};
use crate::similar::{Analyser, Compared, THRESHOLD};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Conferences in one series, at most.
pub const SERIES_BOARDS_MAX: usize = 40;
/// Topics of one comparison, at most.
pub const TOPICS_MAX: usize = 300;
/// Clusters or agreements one topic links, at most.
pub const TOPIC_LINKS_MAX: usize = 100;
/// Dismissed suggestions kept per series, at most.
pub const DISMISSALS_MAX: usize = 5_000;
/// Characters of an id the app chooses (a topic's).
const ID_MAX: usize = 64;

/// The organiser's comparison: the series topics, and the suggestions
/// dismissed (each a pair of clusters that shall not be suggested again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub dismissed: Vec<[ClusterRef; 2]>,
}

/// A series topic: clusters of several conferences that mean one need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub clusters: Vec<ClusterRef>,
    #[serde(default)]
    pub agreements: Vec<AgreementRef>,
}

/// Whether a topic concerns the whole city or only its districts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Not decided yet.
    #[default]
    Open,
    City,
    Districts,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterRef {
    pub board: String,
    pub cluster: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRef {
    pub board: String,
    pub agreement: String,
}

fn check_id(what: &str, id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().count() > ID_MAX || !id.chars().all(is_text_char) {
        return Err(format!("{what} must be 1 to {ID_MAX} characters"));
    }
    Ok(())
}

impl Comparison {
    /// Refuses a comparison the limits do not allow, or that links one
    /// cluster into two topics, or names a board not in `boards`.
    pub fn check(&self, boards: &[String]) -> Result<(), String> {
        if self.topics.len() > TOPICS_MAX {
            return Err(format!("a series holds at most {TOPICS_MAX} topics"));
        }
        if self.dismissed.len() > DISMISSALS_MAX {
            return Err(format!(
                "a series keeps at most {DISMISSALS_MAX} dismissed suggestions"
            ));
        }
        let known = |board: &str| boards.iter().any(|b| b == board);
        let mut ids = HashSet::new();
        let mut linked = HashSet::new();
        for topic in &self.topics {
            check_id("a topic's id", &topic.id)?;
            if !ids.insert(topic.id.as_str()) {
                return Err(format!("two topics have the id {:?}", topic.id));
            }
            let length = topic.title.trim().chars().count();
            if length == 0 || length > TITLE_MAX || !topic.title.chars().all(is_text_char) {
                return Err(format!(
                    "a topic's title must be 1 to {TITLE_MAX} characters of text"
                ));
            }
            if topic.clusters.len() > TOPIC_LINKS_MAX || topic.agreements.len() > TOPIC_LINKS_MAX {
                return Err(format!(
                    "a topic links at most {TOPIC_LINKS_MAX} clusters and {TOPIC_LINKS_MAX} agreements"
                ));
            }
            for cluster in &topic.clusters {
                check_id("a cluster id", &cluster.cluster)?;
                if !known(&cluster.board) {
                    return Err(format!(
                        "the board {:?} is not in this series",
                        cluster.board
                    ));
                }
                if !linked.insert(cluster) {
                    return Err(format!(
                        "the cluster {:?} of board {:?} is in two topics",
                        cluster.cluster, cluster.board
                    ));
                }
            }
            for agreement in &topic.agreements {
                check_id("an agreement id", &agreement.agreement)?;
                if !known(&agreement.board) {
                    return Err(format!(
                        "the board {:?} is not in this series",
                        agreement.board
                    ));
                }
            }
        }
        for pair in &self.dismissed {
            for cluster in pair {
                check_id("a cluster id", &cluster.cluster)?;
                check_id("a board id", &cluster.board)?;
            }
        }
        Ok(())
    }

    /// Without what names `board` (it left the series, or was deleted).
    pub fn without_board(mut self, board: &str) -> Comparison {
        for topic in &mut self.topics {
            topic.clusters.retain(|c| c.board != board);
            topic.agreements.retain(|a| a.board != board);
        }
        self.dismissed
            .retain(|pair| pair.iter().all(|c| c.board != board));
        self
    }
}

/// One conference of the series, as the comparison reads it.
#[derive(Debug, Clone)]
pub struct Conference {
    pub board: String,
    pub title: String,
    pub district: String,
    pub date: Option<String>,
    pub model: Board,
}

impl Conference {
    /// The district's name, or the title for a board without one.
    pub fn place(&self) -> &str {
        if self.district.trim().is_empty() {
            &self.title
        } else {
            &self.district
        }
    }
}

/// Card kinds that say what a district needs (Block 1).
fn is_need(kind: &str) -> bool {
    matches!(kind, "need" | "situation")
}

/// The overview of one conference (`GET /api/series/{series}`).
#[derive(Debug, Clone, Serialize)]
pub struct ConferenceView {
    pub board: String,
    pub title: String,
    pub district: String,
    pub date: Option<String>,
    pub participants: usize,
    pub cards: usize,
    pub clusters: Vec<ClusterView>,
    pub agreements: Vec<AgreementView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    pub id: String,
    pub title: String,
    /// The need and situation cards in it, verbatim.
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub id: String,
    pub what: String,
    pub who: String,
    pub due: Option<String>,
    pub status: String,
}

pub fn conference_view(conference: &Conference) -> ConferenceView {
    let model = &conference.model;
    let mut clusters: Vec<_> = model.clusters.iter().collect();
    clusters.sort_by(|a, b| a.order.total_cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
    ConferenceView {
        board: conference.board.clone(),
        title: conference.title.clone(),
        district: conference.district.clone(),
        date: conference.date.clone(),
        participants: model.participants.len(),
        cards: model
            .cards
            .iter()
            .filter(|c| matches!(c.kind.as_str(), "need" | "situation" | "offer"))
            .count(),
        clusters: clusters
            .into_iter()
            .map(|cluster| ClusterView {
                id: cluster.id.clone(),
                title: cluster.title.clone(),
                needs: needs_of(model, &cluster.id),
            })
            .collect(),
        agreements: model
            .agreements
            .iter()
            .map(|a| AgreementView {
                id: a.id.clone(),
                what: a.what.clone(),
                who: a.who.clone(),
                due: a.due.clone(),
                status: a.status.clone(),
            })
            .collect(),
    }
}

fn needs_of(model: &Board, cluster: &str) -> Vec<String> {
    let mut cards: Vec<_> = model
        .cards
        .iter()
        .filter(|c| c.cluster.as_deref() == Some(cluster) && is_need(&c.kind))
        .collect();
    cards.sort_by(|a, b| {
        a.created_at
            .total_cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    cards.into_iter().map(|c| c.text.clone()).collect()
}

/// What one topic gathers from the conferences.
#[derive(Debug, Clone, Serialize)]
pub struct TopicView {
    pub id: String,
    pub title: String,
    pub scope: Scope,
    /// The districts (or titles) of the conferences it is in, in the
    /// series' order.
    pub districts: Vec<String>,
    pub needs: Vec<Voiced>,
    /// Sector id → the districts where it voiced the topic.
    pub sectors: BTreeMap<String, Vec<String>>,
    pub offers: Vec<Voiced>,
    pub agreements: Vec<Voiced>,
}

/// A text from one conference.
#[derive(Debug, Clone, Serialize)]
pub struct Voiced {
    pub district: String,
    pub board: String,
    pub text: String,
}

pub fn topic_view(topic: &Topic, conferences: &[Conference]) -> TopicView {
    let mut districts = Vec::new();
    let mut needs = Vec::new();
    let mut sectors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut offers = Vec::new();
    let mut agreements = Vec::new();
    for conference in conferences {
        let model = &conference.model;
        let place = conference.place().to_owned();
        let voiced = |text: &str| Voiced {
            district: place.clone(),
            board: conference.board.clone(),
            text: text.to_owned(),
        };
        let clusters: BTreeSet<&str> = topic
            .clusters
            .iter()
            .filter(|c| c.board == conference.board)
            .filter(|c| model.clusters.iter().any(|k| k.id == c.cluster))
            .map(|c| c.cluster.as_str())
            .collect();
        let mut cards: Vec<_> = model
            .cards
            .iter()
            .filter(|c| c.cluster.as_deref().is_some_and(|k| clusters.contains(k)))
            .collect();
        cards.sort_by(|a, b| {
            a.created_at
                .total_cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        for card in &cards {
            if is_need(&card.kind) {
                needs.push(voiced(&card.text));
            } else if card.kind == "offer" {
                offers.push(voiced(&card.text));
            }
            if let Some(author) = model.participant(&card.author) {
                let at = sectors.entry(author.sector.clone()).or_default();
                if !at.contains(&place) {
                    at.push(place.clone());
                }
            }
        }
        for link in &model.offer_links {
            if clusters.contains(link.cluster.as_str())
                && let Some(offer) = model.cards.iter().find(|c| c.id == link.card)
                && !cards.iter().any(|c| c.id == offer.id)
            {
                offers.push(voiced(&offer.text));
            }
        }
        for reference in topic
            .agreements
            .iter()
            .filter(|a| a.board == conference.board)
        {
            if let Some(agreement) = model
                .agreements
                .iter()
                .find(|a| a.id == reference.agreement)
            {
                agreements.push(voiced(&agreement_line(
                    &agreement.what,
                    &agreement.who,
                    agreement.due.as_deref(),
                )));
            }
        }
        if !clusters.is_empty() && !districts.contains(&place) {
            districts.push(place.clone());
        }
    }
    TopicView {
        id: topic.id.clone(),
        title: topic.title.clone(),
        scope: topic.scope,
        districts,
        needs,
        sectors,
        offers,
        agreements,
    }
}

/// "what — who (due)" as one line.
pub fn agreement_line(what: &str, who: &str, due: Option<&str>) -> String {
    let mut line = what.trim().to_owned();
    if !who.trim().is_empty() {
        line.push_str(" — ");
        line.push_str(who.trim());
    }
    if let Some(due) = due.filter(|d| !d.trim().is_empty()) {
        line.push_str(&format!(" ({})", due.trim()));
    }
    line
}

/// An organisation that took part in several of the series' conferences.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub name: String,
    pub sector: String,
    pub districts: Vec<String>,
}

/// The organisations that took part in two or more districts, by name.
pub fn organisations_in_several(conferences: &[Conference]) -> Vec<Organisation> {
    let mut found: BTreeMap<String, Organisation> = BTreeMap::new();
    for conference in conferences {
        for participant in &conference.model.participants {
            let name = participant.organisation.trim();
            if name.is_empty() {
                continue;
            }
            let entry = found
                .entry(name.to_lowercase())
                .or_insert_with(|| Organisation {
                    name: name.to_owned(),
                    sector: participant.sector.clone(),
                    districts: Vec::new(),
                });
            let place = conference.place().to_owned();
            if !entry.districts.contains(&place) {
                entry.districts.push(place);
            }
        }
    }
    found
        .into_values()
        .filter(|organisation| organisation.districts.len() >= 2)
        .collect()
}

/// A suggestion for the comparison: clusters of different conferences
/// that look alike, none of them in a topic yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSuggestion {
    pub clusters: Vec<ClusterRef>,
    pub label: String,
}

/// Clusters of different conferences that say the same thing (their
/// titles and cards compared as one text each, [`crate::similar`]), never
/// two of one conference, never a pair the organiser dismissed, never a
/// cluster already in a topic.
pub fn suggestions(comparison: &Comparison, conferences: &[Conference]) -> Vec<SeriesSuggestion> {
    let in_topic: HashSet<&ClusterRef> = comparison
        .topics
        .iter()
        .flat_map(|t| t.clusters.iter())
        .collect();
    let mut clusters = Vec::new();
    let mut texts = Vec::new();
    for conference in conferences {
        for cluster in &conference.model.clusters {
            let reference = ClusterRef {
                board: conference.board.clone(),
                cluster: cluster.id.clone(),
            };
            if in_topic.contains(&reference) {
                continue;
            }
            // In an order of their own (not the random ids): the label
            // and any tie depend only on what was written.
            let mut cards: Vec<&str> = conference
                .model
                .cards
                .iter()
                .filter(|c| c.cluster.as_deref() == Some(cluster.id.as_str()))
                .map(|c| c.text.as_str())
                .collect();
            cards.sort_unstable();
            let mut text = board_text(&cluster.title).into_owned();
            for card in cards {
                text.push_str(". ");
                text.push_str(card);
            }
            clusters.push(reference);
            texts.push(text);
        }
    }
    let dismissed: HashSet<(&ClusterRef, &ClusterRef)> = comparison
        .dismissed
        .iter()
        .flat_map(|[a, b]| [(a, b), (b, a)])
        .collect();
    let compared = Compared::new(&Analyser::default(), &texts);
    let apart = |a: usize, b: usize| {
        clusters[a].board == clusters[b].board || dismissed.contains(&(&clusters[a], &clusters[b]))
    };
    compared
        .groups(THRESHOLD, apart)
        .into_iter()
        .map(|group| SeriesSuggestion {
            label: compared.label(&group),
            clusters: group.iter().map(|&i| clusters[i].clone()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
