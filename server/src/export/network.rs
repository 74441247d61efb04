//! The network map: who is connected to whom.
//!
//! Nodes are organisations (participants of the same organisation, compared
//! case-insensitively, are one node; a participant without organisation is a
//! node of their own), coloured by sector. Two nodes are linked when their
//! people share a focal point (both placed themselves on it), a need cluster
//! (both wrote cards in it) or an agreement (its author, and everyone whose
//! name or organisation its "who" names).
//!
//! The layout is deterministic: nodes sit on a circle, grouped by sector in
//! the order of [`SECTORS`], then by label.

use super::i18n::{Locale, Text, sector};
use crate::board::model::Board;
use crate::board::schema::SECTORS;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Stable key: the lower-case organisation, or `participant:{id}`.
    pub key: String,
    pub label: String,
    pub sector: String,
    /// Participant ids.
    pub members: Vec<String>,
}

/// A link between two nodes (indices into [`NetworkMap::nodes`], `a < b`)
/// and how many things of each kind they share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub focal_points: u32,
    pub clusters: u32,
    pub agreements: u32,
}

impl Edge {
    pub fn weight(&self) -> u32 {
        self.focal_points + self.clusters + self.agreements
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkMap {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Copy)]
enum Kind {
    FocalPoint,
    Cluster,
    Agreement,
}

pub fn sector_colour(sector: &str) -> &'static str {
    match sector {
        "stadtteil" => "#2e7d32",
        "behoerde" => "#1565c0",
        "traeger" => "#e65100",
        "wirtschaft" => "#6a1b9a",
        "politik" => "#c62828",
        _ => "#616161",
    }
}

fn sector_rank(sector: &str) -> usize {
    SECTORS
        .iter()
        .position(|s| *s == sector)
        .unwrap_or(SECTORS.len())
}

impl NetworkMap {
    pub fn build(board: &Board) -> NetworkMap {
        // Participants by node key.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, participant) in board.participants.iter().enumerate() {
            let organisation = participant.organisation.trim().to_lowercase();
            let key = if organisation.is_empty() {
                format!("participant:{}", participant.id)
            } else {
                organisation
            };
            groups.entry(key).or_default().push(index);
        }
        let mut nodes: Vec<Node> = groups
            .into_iter()
            .map(|(key, members)| {
                let first = &board.participants[members[0]];
                let label = if first.organisation.trim().is_empty() {
                    first.name.trim().to_owned()
                } else {
                    first.organisation.trim().to_owned()
                };
                // The most frequent sector among the members; ties by sector order.
                let mut counts: BTreeMap<(usize, &str), usize> = BTreeMap::new();
                for &m in &members {
                    let s = board.participants[m].sector.as_str();
                    *counts.entry((sector_rank(s), s)).or_default() += 1;
                }
                let sector = counts
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|((_, s), _)| (*s).to_owned())
                    .unwrap_or_default();
                Node {
                    key,
                    label,
                    sector,
                    members: members
                        .iter()
                        .map(|&m| board.participants[m].id.clone())
                        .collect(),
                }
            })
            .collect();
        nodes.sort_by(|a, b| {
            (sector_rank(&a.sector), a.label.to_lowercase(), &a.key).cmp(&(
                sector_rank(&b.sector),
                b.label.to_lowercase(),
                &b.key,
            ))
        });
        let node_of: BTreeMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .flat_map(|(index, node)| node.members.iter().map(move |m| (m.as_str(), index)))
            .collect();

        // Every shared thing, as the set of nodes involved.
        let mut shared: Vec<(Kind, BTreeSet<usize>)> = Vec::new();
        for focal_point in &board.focal_points {
            let involved = board
                .placements
                .iter()
                .filter(|p| p.focal_point == focal_point.id)
                .filter_map(|p| node_of.get(p.participant.as_str()).copied())
                .collect();
            shared.push((Kind::FocalPoint, involved));
        }
        for cluster in &board.clusters {
            let involved = board
                .cards
                .iter()
                .filter(|c| c.cluster.as_deref() == Some(cluster.id.as_str()))
                .filter_map(|c| node_of.get(c.author.as_str()).copied())
                .collect();
            shared.push((Kind::Cluster, involved));
        }
        for agreement in &board.agreements {
            let who = agreement.who.to_lowercase();
            let mut involved: BTreeSet<usize> = node_of
                .get(agreement.author.as_str())
                .copied()
                .into_iter()
                .collect();
            for (index, node) in nodes.iter().enumerate() {
                let named = |text: &str| {
                    let text = text.trim().to_lowercase();
                    text.chars().count() >= 3 && who.contains(&text)
                };
                if named(&node.label)
                    || node.members.iter().any(|m| {
                        board
                            .participant(m)
                            .is_some_and(|p| named(&p.name) || named(&p.organisation))
                    })
                {
                    involved.insert(index);
                }
            }
            shared.push((Kind::Agreement, involved));
        }

        let mut edges: BTreeMap<(usize, usize), Edge> = BTreeMap::new();
        for (kind, involved) in &shared {
            let involved: Vec<usize> = involved.iter().copied().collect();
            for (i, &a) in involved.iter().enumerate() {
                for &b in &involved[i + 1..] {
                    let edge = edges.entry((a, b)).or_insert_with(|| Edge {
                        a,
                        b,
                        ..Edge::default()
                    });
                    match kind {
                        Kind::FocalPoint => edge.focal_points += 1,
                        Kind::Cluster => edge.clusters += 1,
                        Kind::Agreement => edge.agreements += 1,
                    }
                }
            }
        }
        NetworkMap {
            nodes,
            edges: edges.into_values().collect(),
        }
    }

    /// The map as a standalone SVG document (also valid inline in HTML).
    /// Node labels wrap ([`label_lines`]) instead of being cut.
    pub fn svg(&self, locale: Locale) -> String {
        // Sized for a page: the PDF and DOCX scale it to about 17 cm wide,
        // so labels are 16 units (about 7 pt there).
        const WIDTH: f64 = 1100.0;
        const CENTRE_X: f64 = 550.0;
        const CENTRE_Y: f64 = 400.0;
        const RADIUS: f64 = 280.0;
        let legend_y = 790.0;
        let height = 860.0;
        let count = self.nodes.len().max(1) as f64;
        let position = |index: usize| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * index as f64 / count;
            (
                angle,
                CENTRE_X + RADIUS * angle.cos(),
                CENTRE_Y + RADIUS * angle.sin(),
            )
        };
        let max_weight = self
            .edges
            .iter()
            .map(Edge::weight)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="network-map" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="Libertinus Serif, serif" role="img" aria-label="{}">"##,
            escape(Text::NetworkMap.get(locale))
        );
        let _ = write!(
            svg,
            r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
        );
        svg.push_str(r#"<g class="edges">"#);
        for edge in &self.edges {
            let (_, x1, y1) = position(edge.a);
            let (_, x2, y2) = position(edge.b);
            let share = edge.weight() as f64 / max_weight;
            let _ = write!(
                svg,
                r##"<line class="edge" data-a="{}" data-b="{}" data-focal-points="{}" data-clusters="{}" data-agreements="{}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#455a64" stroke-opacity="{:.2}" stroke-width="{:.1}"/>"##,
                escape(&self.nodes[edge.a].key),
                escape(&self.nodes[edge.b].key),
                edge.focal_points,
                edge.clusters,
                edge.agreements,
                0.15 + 0.6 * share,
                0.6 + 3.4 * share,
            );
        }
        svg.push_str("</g><g class=\"nodes\">");
        for (index, node) in self.nodes.iter().enumerate() {
            let (angle, x, y) = position(index);
            let radius = 7.0 + 3.0 * (node.members.len() as f64).sqrt();
            let label_x = CENTRE_X + (RADIUS + radius + 6.0) * angle.cos();
            let label_y = CENTRE_Y + (RADIUS + radius + 6.0) * angle.sin() + 5.0;
            let anchor = if angle.cos() < -0.05 {
                "end"
            } else if angle.cos() > 0.05 {
                "start"
            } else {
                "middle"
            };
            // A long name wraps onto up to three lines, growing away from
            // the circle (upwards above it, downwards below it).
            let lines = label_lines(&node.label);
            let extra = (lines.len() - 1) as f64 * LABEL_LINE;
            let first_y = if angle.sin() < -0.5 {
                label_y - extra
            } else if angle.sin() > 0.5 {
                label_y
            } else {
                label_y - extra / 2.0
            };
            let mut text = String::new();
            for (index, line) in lines.iter().enumerate() {
                let dy = if index == 0 { 0.0 } else { LABEL_LINE };
                let _ = write!(
                    text,
                    r##"<tspan x="{label_x:.1}" dy="{dy:.1}">{}</tspan>"##,
                    escape(&super::bidi::isolate(line))
                );
            }
            let _ = write!(
                svg,
                r##"<g class="node" data-key="{}" data-sector="{}"><circle cx="{x:.1}" cy="{y:.1}" r="{radius:.1}" fill="{}" stroke="#ffffff" stroke-width="1.5"/><text x="{label_x:.1}" y="{first_y:.1}" font-size="16" text-anchor="{anchor}" fill="#212121">{text}</text></g>"##,
                escape(&node.key),
                escape(&node.sector),
                sector_colour(&node.sector),
            );
        }
        svg.push_str("</g><g class=\"legend\">");
        let mut x = 40.0;
        for id in SECTORS {
            let name = sector(id).get(locale);
            let _ = write!(
                svg,
                r##"<circle cx="{x:.1}" cy="{legend_y}" r="8" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="18" fill="#212121">{}</text>"##,
                sector_colour(id),
                x + 12.0,
                legend_y + 5.0,
                escape(name)
            );
            x += 24.0 + 9.0 * name.chars().count() as f64 + 24.0;
        }
        let _ = write!(
            svg,
            r##"<line x1="40" y1="{0}" x2="70" y2="{0}" stroke="#455a64" stroke-width="2"/><text x="80" y="{1}" font-size="18" fill="#212121">{2}</text>"##,
            legend_y + 30.0,
            legend_y + 35.0,
            escape(Text::NetworkLegendEdges.get(locale))
        );
        svg.push_str("</g></svg>");
        svg
    }
}

/// Escapes text for XML (and HTML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters and U+FFFE/U+FFFF
            // (the read model has replaced them already; ids are raw keys).
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c if !crate::board::schema::is_text_char(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Line height of a node's label (16 units of type).
const LABEL_LINE: f64 = 18.0;
/// Characters on one line of a node's label, and the most lines it takes.
const LABEL_WIDTH: usize = 22;
const LABEL_LINES: usize = 3;

/// A node's label in lines of about [`LABEL_WIDTH`] characters, broken at
/// spaces; a word longer than a line has one of its own. Past
/// [`LABEL_LINES`] lines the last one ends in "…" (only names over about
/// 60 characters).
fn label_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LABEL_WIDTH => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.len() > LABEL_LINES {
        lines.truncate(LABEL_LINES);
        if let Some(last) = lines.last_mut() {
            let kept: String = last.chars().take(LABEL_WIDTH.saturating_sub(1)).collect();
            *last = format!("{kept}…");
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::model::{Card, Cluster, FocalPoint, Participant, Placement};

    fn participant(id: &str, organisation: &str, sector: &str) -> Participant {
        Participant {
            id: id.into(),
            name: format!("Person {id}"),
            organisation: organisation.into(),
            sector: sector.into(),
            group: None,
        }
    }

    #[test]
    fn organisations_are_nodes_linked_by_what_they_share() {
        let board = Board {
            participants: vec![
                participant("p1", "Kita Sonnenschein", "stadtteil"),
                participant("p2", "kita sonnenschein", "stadtteil"),
                participant("p3", "Jobcenter", "behoerde"),
                participant("p4", "", "politik"),
            ],
            focal_points: vec![FocalPoint {
                id: "f1".into(),
                case: "c".into(),
                title: "Wohnen".into(),
                order: 0.0,
            }],
            placements: vec![
                Placement {
                    participant: "p1".into(),
                    focal_point: "f1".into(),
                },
                Placement {
                    participant: "p3".into(),
                    focal_point: "f1".into(),
                },
            ],
            clusters: vec![Cluster {
                id: "k1".into(),
                title: "Kita".into(),
                ..Cluster::default()
            }],
            cards: vec![
                Card {
                    id: "a".into(),
                    author: "p2".into(),
                    cluster: Some("k1".into()),
                    ..Card::default()
                },
                Card {
                    id: "b".into(),
                    author: "p4".into(),
                    cluster: Some("k1".into()),
                    ..Card::default()
                },
            ],
            ..Board::default()
        };
        let map = NetworkMap::build(&board);
        let keys: Vec<_> = map.nodes.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["kita sonnenschein", "jobcenter", "participant:p4"]);
        assert_eq!(map.nodes[0].members, ["p1", "p2"]);
        assert_eq!(
            map.edges,
            vec![
                Edge {
                    a: 0,
                    b: 1,
                    focal_points: 1,
                    ..Edge::default()
                },
                Edge {
                    a: 0,
                    b: 2,
                    clusters: 1,
                    ..Edge::default()
                },
            ]
        );
        let svg = map.svg(Locale::De);
        assert_eq!(svg.matches("class=\"node\"").count(), 3);
        assert_eq!(svg.matches("class=\"edge\"").count(), 2);
        assert_eq!(svg, map.svg(Locale::De), "deterministic");
    }

    #[test]
    fn long_names_wrap_instead_of_being_cut() {
        assert_eq!(
            label_lines("Quartiersmanagement Schmellwitz"),
            ["Quartiersmanagement", "Schmellwitz"]
        );
        assert_eq!(label_lines("Jobcenter Cottbus"), ["Jobcenter Cottbus"]);
        let long = label_lines(&"Verein ".repeat(20));
        assert_eq!(long.len(), LABEL_LINES);
        assert!(long.iter().all(|line| line.chars().count() <= LABEL_WIDTH));
        assert!(long[LABEL_LINES - 1].ends_with('…'));
    }
}
