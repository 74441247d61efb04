//! CSV: one row per card (RFC 4180: comma-separated, CRLF line ends, fields
//! quoted when they hold a comma, quote or line break; quotes doubled).
//!
//! A board with a problem–solution tree ([`super::tree`]) has three more
//! columns at the end, so each of its rows is an entry of the tree: the
//! challenge the row belongs to (a challenge's own text, a solution's
//! challenge; empty for a solution without one), the solution (a
//! solution's own text), and the challenge that challenge hangs under.
//! Every other board's file keeps the columns it always had.
//!
//! The file starts with a UTF-8 byte order mark: without it, a spreadsheet
//! opened by double click reads the bytes as Windows-1252 ("TrÃ¤ger").
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! gets a leading `'`: spreadsheets would otherwise run card text written by
//! anyone with the join code as a formula (OWASP "CSV injection").

use super::i18n::{self, Locale, Text};
use super::tree::{Role, Tree};
use super::{BoardExport, Options};
use std::collections::{BTreeMap, BTreeSet};

fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

pub(super) fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

pub fn render(input: &BoardExport, options: Options) -> String {
    let board = &input.board;
    let locale = Locale::from_meta(&board.meta.locale);
    let t = |text: Text| text.get(locale).to_owned();
    let mut out = String::from('\u{feff}');
    let mut header = vec![
        t(Text::CardText),
        t(Text::Kind),
        t(Text::Cluster),
        t(Text::Scope),
        t(Text::Sector),
        t(Text::Group),
        t(Text::Votes),
    ];
    if options.authors {
        header.push(t(Text::Author));
    }
    let tree = Tree::build(board);
    if !tree.is_empty() {
        header.extend([
            t(Text::KindChallenge),
            t(Text::KindSolution),
            t(Text::ParentChallenge),
        ]);
    }
    // Each card's entry in the tree.
    let entries: BTreeMap<usize, usize> = tree
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| (entry.card, index))
        .collect();
    let text_of_entry = |entry: Option<usize>| {
        entry
            .and_then(|entry| tree.entries.get(entry))
            .map(|entry| board.cards[entry.card].text.clone())
            .unwrap_or_default()
    };
    let parent_of = |entry: Option<usize>| {
        entry
            .and_then(|entry| tree.entries.get(entry))
            .and_then(|entry| entry.parent)
    };
    let orphans: BTreeSet<usize> = tree.orphans.iter().copied().collect();
    row(&mut out, &header);
    for (index, card) in board.cards.iter().enumerate() {
        let cluster = card.cluster.as_deref().and_then(|id| board.cluster(id));
        let author = board.participant(&card.author);
        let mut cells = vec![
            card.text.clone(),
            t(i18n::card_kind(&card.kind)),
            cluster.map(|c| c.title.clone()).unwrap_or_default(),
            cluster
                .map(|c| t(i18n::scope(c.scope.as_deref())))
                .unwrap_or_default(),
            author
                .filter(|p| !p.sector.is_empty())
                .map(|p| t(i18n::sector(&p.sector)))
                .unwrap_or_default(),
            card.group
                .as_deref()
                .and_then(|id| board.group(id))
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            cluster
                .map(|c| format!("{}", board.votes_for(&c.id)))
                .unwrap_or_default(),
        ];
        if options.authors {
            cells.push(match (card.author.as_str(), author) {
                ("moderator", _) => t(Text::Moderator),
                (_, Some(p)) => p.name.clone(),
                (_, None) => String::new(),
            });
        }
        if !tree.is_empty() {
            let entry = entries.get(&index).copied();
            let role = entry
                .and_then(|entry| tree.entries.get(entry))
                .map(|e| e.role);
            let orphan = orphans.contains(&index);
            // The challenge this row belongs to.
            let challenge = match role {
                Some(Role::Challenge) => entry,
                Some(Role::Solution) => parent_of(entry),
                None => None,
            };
            let solution = if role == Some(Role::Solution) || orphan {
                card.text.clone()
            } else {
                String::new()
            };
            cells.extend([
                text_of_entry(challenge),
                solution,
                text_of_entry(parent_of(challenge)),
            ]);
        }
        row(&mut out, &cells);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("Kita"), "Kita");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("sagt \"ja\"\nund"), "\"sagt \"\"ja\"\"\nund\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("+49 355 612"), "'+49 355 612");
        assert_eq!(field("-Kita"), "'-Kita");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("Kita = Zukunft"), "Kita = Zukunft");
    }
}
