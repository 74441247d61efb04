//! The problem–solution tree of a board (issue 14, the Kassel format):
//! challenges as branches, sub-challenges under their challenge, solutions
//! attached to theirs; and its deterministic SVG drawing for the PDF and
//! the HTML.
//!
//! Nothing is lost: a challenge whose parent is gone (or that hangs in a
//! loop of challenges two concurrent restructurings made) is a branch of
//! its own at the trunk, and a solution whose challenge is gone is listed
//! "without a challenge" ([`Tree::orphans`]). The tree is kept flat, in
//! reading order (each challenge, then its solutions, then its
//! sub-challenges, each in the order they were written) with each entry's
//! depth, so no renderer recurses, however deep the moderator nested.
//!
//! The drawing: the board's question at the top, the trunk down from it
//! into two or three limbs, each challenge at the trunk a branch off a
//! limb (the shortest column takes the next), its solutions and
//! sub-challenges in boxes under it. Text wraps inside its box and is escaped and bidi-isolated
//! line by line, as in the network map. The type is as large as lets the
//! whole tree fit an A4 page, from [`FONT_SIZES`]; a bigger tree keeps the
//! smallest size and grows taller (the PDF scales it onto one page).

use super::bidi;
use super::i18n::{Locale, Text};
use super::network::escape;
use crate::board::model::Board;
use crate::board::schema::CardKind;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What an entry of the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Challenge,
    Solution,
}

/// One entry of the tree, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Index into the board's cards.
    pub card: usize,
    pub role: Role,
    /// 0 for a challenge at the trunk.
    pub depth: usize,
    /// The entry (index into [`Tree::entries`]) of the challenge this one
    /// hangs under.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub entries: Vec<Entry>,
    /// Solutions without a challenge of the board: indices into the cards.
    pub orphans: Vec<usize>,
}

impl Tree {
    pub fn build(board: &Board) -> Tree {
        let cards = &board.cards;
        let kind = |index: usize| CardKind::of_card(&cards[index].kind);
        let challenges: BTreeMap<&str, usize> = (0..cards.len())
            .filter(|&index| kind(index) == CardKind::Challenge)
            .map(|index| (cards[index].id.as_str(), index))
            .collect();
        let mut below: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut solutions: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut roots = Vec::new();
        let mut orphans = Vec::new();
        for (index, card) in cards.iter().enumerate() {
            let parent = card
                .parent
                .as_deref()
                .filter(|parent| *parent != card.id)
                .and_then(|parent| challenges.get(parent).copied());
            match (kind(index), parent) {
                (CardKind::Challenge, Some(parent)) => below.entry(parent).or_default().push(index),
                (CardKind::Challenge, None) => roots.push(index),
                (CardKind::Solution, Some(parent)) => {
                    solutions.entry(parent).or_default().push(index)
                }
                (CardKind::Solution, None) => orphans.push(index),
                _ => {}
            }
        }
        let mut visited = vec![false; cards.len()];
        let mut entries = Vec::new();
        // The roots first, then, in the order they were written, the
        // challenges a loop kept from being reached.
        let written: Vec<usize> = (0..cards.len())
            .filter(|&index| kind(index) == CardKind::Challenge)
            .collect();
        for start in roots.into_iter().chain(written) {
            let mut stack = vec![(start, 0usize, None)];
            while let Some((card, depth, parent)) = stack.pop() {
                if std::mem::replace(&mut visited[card], true) {
                    continue;
                }
                let me = entries.len();
                entries.push(Entry {
                    card,
                    role: Role::Challenge,
                    depth,
                    parent,
                });
                for &solution in solutions.get(&card).into_iter().flatten() {
                    entries.push(Entry {
                        card: solution,
                        role: Role::Solution,
                        depth: depth + 1,
                        parent: Some(me),
                    });
                }
                for &child in below.get(&card).into_iter().flatten().rev() {
                    stack.push((child, depth + 1, Some(me)));
                }
            }
        }
        Tree { entries, orphans }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.orphans.is_empty()
    }

    /// The drawing as a standalone SVG document (also valid inline in
    /// HTML), with the type size it reached.
    pub fn svg(&self, board: &Board, question: &str, locale: Locale) -> Drawing {
        let blocks = self.blocks(board, locale);
        // The largest type that fits a page, in two columns if it can.
        let layout = FONT_SIZES
            .iter()
            .flat_map(|&size| COLUMNS.iter().map(move |&columns| (size, columns)))
            .map(|(size, columns)| Layout::new(size, columns, question, &blocks))
            .find(|layout| layout.height <= PAGE_HEIGHT)
            .unwrap_or_else(|| Layout::new(MIN_FONT, 3, question, &blocks));
        Drawing {
            font_size: layout.metrics.font,
            svg: layout.draw(question, &blocks, locale),
        }
    }

    /// The branches to draw: each challenge at the trunk with what hangs
    /// under it, then the solutions without a challenge under a heading of
    /// their own.
    fn blocks(&self, board: &Board, locale: Locale) -> Vec<Block> {
        let mut blocks: Vec<Block> = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            if entry.depth == 0 || blocks.is_empty() {
                blocks.push(Block {
                    rows: Vec::new(),
                    orphans: false,
                    first_entry: index,
                });
            }
            if let Some(block) = blocks.last_mut() {
                let card = &board.cards[entry.card];
                block.rows.push(Row {
                    text: card.text.trim().to_owned(),
                    id: card.id.clone(),
                    role: entry.role,
                    depth: entry.depth.min(MAX_INDENT),
                    parent: entry
                        .parent
                        .and_then(|parent| parent.checked_sub(block.first_entry)),
                });
            }
        }
        if !self.orphans.is_empty() {
            let mut rows = vec![Row {
                text: Text::WithoutChallenge.get(locale).to_owned(),
                id: String::new(),
                role: Role::Challenge,
                depth: 0,
                parent: None,
            }];
            rows.extend(self.orphans.iter().map(|&index| {
                let card = &board.cards[index];
                Row {
                    text: card.text.trim().to_owned(),
                    id: card.id.clone(),
                    role: Role::Solution,
                    depth: 1,
                    parent: Some(0),
                }
            }));
            blocks.push(Block {
                rows,
                orphans: true,
                first_entry: 0,
            });
        }
        blocks
    }
}

/// The tree's SVG and the size of its type (in SVG units; the PDF draws
/// [`WIDTH`] units as its column of 483 pt, so 16 units are 7 pt there).
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub svg: String,
    pub font_size: f64,
}

/// The drawing's width in SVG units, as the network map's.
const WIDTH: f64 = 1100.0;
/// The tallest drawing an A4 page holds at that width: the PDF's column
/// is 483 pt wide and about 680 pt high under the section's heading.
const PAGE_HEIGHT: f64 = 1540.0;
/// The type sizes tried, largest first (16 units are 7 pt in the PDF,
/// 12 units 5.3 pt, the smallest a printed page still reads well).
const FONT_SIZES: [f64; 7] = [18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0];
const MIN_FONT: f64 = 12.0;
/// Columns tried at each type size, fewest first.
const COLUMNS: [usize; 2] = [2, 3];
/// Deeper sub-challenges are drawn at this indent (the lists show the
/// nesting whole).
const MAX_INDENT: usize = 4;
/// Lines of one entry at most; the last ends in "…" (the nested list
/// beside the drawing has the whole text).
const MAX_LINES: usize = 6;
/// The margin around the drawing.
const EDGE: f64 = 20.0;
/// The question's type, against the entries'.
const QUESTION_SCALE: f64 = 1.25;

struct Row {
    text: String,
    id: String,
    role: Role,
    depth: usize,
    /// The row (of the same block) this one hangs under.
    parent: Option<usize>,
}

struct Block {
    rows: Vec<Row>,
    /// The solutions without a challenge: not joined to the trunk.
    orphans: bool,
    first_entry: usize,
}

/// Sizes derived from the type size.
#[derive(Clone, Copy)]
struct Metrics {
    font: f64,
    line: f64,
    pad: f64,
    indent: f64,
    gap: f64,
}

impl Metrics {
    fn new(font: f64) -> Metrics {
        Metrics {
            font,
            line: font * 1.18,
            pad: font * 0.28,
            indent: font * 1.5,
            gap: font * 0.3,
        }
    }
}

/// A row placed: its box and its lines.
struct Placed {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    lines: Vec<String>,
}

struct Layout {
    metrics: Metrics,
    question_lines: Vec<String>,
    question_height: f64,
    /// Where the trunk meets the limbs.
    bar: f64,
    /// Each column's limb: its x, and the middle of its last branch.
    limbs: Vec<(f64, f64)>,
    /// Per block: its column, and its rows placed.
    blocks: Vec<(usize, Vec<Placed>)>,
    height: f64,
}

impl Layout {
    fn new(font: f64, columns: usize, question: &str, blocks: &[Block]) -> Layout {
        let metrics = Metrics::new(font);
        let question_font = font * QUESTION_SCALE;
        let question_lines = wrap(
            question,
            WIDTH - 2.0 * EDGE - 2.0 * metrics.pad,
            question_font,
            4,
        );
        let question_height =
            question_lines.len() as f64 * question_font * 1.18 + 2.0 * metrics.pad;
        let column_gap = font;
        // A column: its limb, a short branch, then the boxes.
        let column_width =
            (WIDTH - 2.0 * EDGE - (columns - 1) as f64 * column_gap) / columns as f64;
        let limb_offset = font * 0.4;
        let box_offset = font * 1.2;
        let box_width = column_width - box_offset;
        let bar = EDGE + question_height + font * 0.9;
        let top = bar + font * 0.9;
        let mut bottoms = vec![top; columns];
        let mut limbs: Vec<(f64, f64)> = (0..columns)
            .map(|column| {
                (
                    EDGE + column as f64 * (column_width + column_gap) + limb_offset,
                    bar,
                )
            })
            .collect();
        let mut placed_blocks = Vec::with_capacity(blocks.len());
        for block in blocks {
            // The shortest column; the leftmost of equals.
            let column = (0..columns)
                .min_by(|a, b| bottoms[*a].total_cmp(&bottoms[*b]).then(a.cmp(b)))
                .unwrap_or(0);
            let column_x = EDGE + column as f64 * (column_width + column_gap) + box_offset;
            let mut y = bottoms[column];
            let mut rows = Vec::with_capacity(block.rows.len());
            for row in &block.rows {
                let indent = row.depth as f64 * metrics.indent;
                let width = box_width - indent;
                let lines = wrap(&row.text, width - 2.0 * metrics.pad, font, MAX_LINES);
                let height = lines.len() as f64 * metrics.line + 2.0 * metrics.pad;
                rows.push(Placed {
                    x: column_x + indent,
                    y,
                    width,
                    height,
                    lines,
                });
                y += height + metrics.gap;
            }
            if let (false, Some(first)) = (block.orphans, rows.first()) {
                limbs[column].1 = first.y + first.height / 2.0;
            }
            bottoms[column] = y + font * 0.7;
            placed_blocks.push((column, rows));
        }
        let height = (bottoms.iter().copied().fold(top, f64::max) + EDGE).ceil();
        Layout {
            metrics,
            question_lines,
            question_height,
            bar,
            limbs,
            blocks: placed_blocks,
            height,
        }
    }

    fn draw(&self, question: &str, blocks: &[Block], locale: Locale) -> String {
        let Metrics {
            font, line, pad, ..
        } = self.metrics;
        let height = self.height;
        let trunk = WIDTH / 2.0;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="tree" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="Libertinus Serif, serif" font-size="{font}" role="img" aria-label="{}">"##,
            escape(&format!(
                "{}: {}",
                Text::BoardTree.get(locale),
                bidi::without_controls(question)
            ))
        );
        let _ = write!(
            svg,
            r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
        );
        // The trunk from the question down to the bar, the bar across the
        // limbs, each limb down to its last branch.
        let wood = |svg: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, width: f64| {
            let _ = write!(
                svg,
                r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#6d4c41" stroke-width="{width:.1}" stroke-linecap="round"/>"##
            );
        };
        svg.push_str(r#"<g class="trunk">"#);
        let thick = font * 0.45;
        wood(
            &mut svg,
            trunk,
            EDGE + self.question_height,
            trunk,
            self.bar,
            thick,
        );
        let used: Vec<&(f64, f64)> = self
            .limbs
            .iter()
            .filter(|(_, end)| *end > self.bar)
            .collect();
        if let (Some(first), Some(last)) = (used.first(), used.last()) {
            wood(
                &mut svg,
                first.0.min(trunk),
                self.bar,
                last.0.max(trunk),
                self.bar,
                thick,
            );
        }
        for (x, end) in used {
            wood(&mut svg, *x, self.bar, *x, *end, font * 0.3);
        }
        svg.push_str("</g>");
        let question_font = font * QUESTION_SCALE;
        let _ = write!(
            svg,
            r##"<g class="question"><rect x="{EDGE}" y="{EDGE}" width="{:.1}" height="{:.1}" rx="6" fill="#eceff1" stroke="#455a64" stroke-width="1.5"/>{}</g>"##,
            WIDTH - 2.0 * EDGE,
            self.question_height,
            text_lines(
                &self.question_lines,
                WIDTH / 2.0,
                EDGE + pad,
                question_font,
                question_font * 1.18,
                "middle",
                true
            )
        );
        for ((column, rows), block) in self.blocks.iter().zip(blocks) {
            let class = if block.orphans { "orphans" } else { "branch" };
            let _ = write!(svg, r#"<g class="{class}">"#);
            // The branch leaves its limb at its first box's middle.
            if let (Some(first), Some((limb, _)), false) =
                (rows.first(), self.limbs.get(*column), block.orphans)
            {
                let y = first.y + first.height / 2.0;
                wood(&mut svg, *limb, y, first.x, y, font * 0.25);
            }
            for (row, placed) in block.rows.iter().zip(rows) {
                if let Some(parent) = row.parent.and_then(|parent| rows.get(parent)) {
                    let x = parent.x + self.metrics.indent / 2.0;
                    let y = placed.y + placed.height / 2.0;
                    let _ = write!(
                        svg,
                        r##"<path d="M{x:.1} {:.1}V{y:.1}H{:.1}" fill="none" stroke="#9e9e9e" stroke-width="1.2"/>"##,
                        parent.y + parent.height,
                        placed.x
                    );
                }
                let (class, fill, stroke) = match (row.role, block.orphans && row.parent.is_none())
                {
                    (_, true) => ("heading", "#fafafa", "#757575"),
                    (Role::Challenge, false) => ("challenge", "#fff3e0", "#e65100"),
                    (Role::Solution, false) => ("solution", "#e8f5e9", "#2e7d32"),
                };
                let dash = if class == "heading" {
                    r#" stroke-dasharray="6 4""#
                } else {
                    ""
                };
                let _ = write!(
                    svg,
                    r##"<g class="{class}" data-card="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="4" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>{}</g>"##,
                    escape(&row.id),
                    placed.x,
                    placed.y,
                    placed.width,
                    placed.height,
                    text_lines(
                        &placed.lines,
                        // A right-to-left entry starts at its box's right.
                        if bidi::is_rtl(&row.text) {
                            placed.x + placed.width - pad
                        } else {
                            placed.x + pad
                        },
                        placed.y + pad,
                        font,
                        line,
                        if bidi::is_rtl(&row.text) {
                            "end"
                        } else {
                            "start"
                        },
                        class == "heading"
                    )
                );
            }
            svg.push_str("</g>");
        }
        svg.push_str("</svg>");
        svg
    }
}

/// A `<text>` of lines, the first line's top at `top`.
fn text_lines(
    lines: &[String],
    x: f64,
    top: f64,
    size: f64,
    line: f64,
    anchor: &str,
    bold: bool,
) -> String {
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    let mut text = format!(
        r##"<text x="{x:.1}" y="{:.1}" font-size="{size:.1}" text-anchor="{anchor}" fill="#212121"{weight}>"##,
        top + size * 0.95
    );
    for (index, content) in lines.iter().enumerate() {
        let dy = if index == 0 { 0.0 } else { line };
        let _ = write!(
            text,
            r##"<tspan x="{x:.1}" dy="{dy:.1}">{}</tspan>"##,
            escape(&bidi::isolate(content))
        );
    }
    text.push_str("</text>");
    text
}

/// About how wide a character is, in ems of a serif face (a little
/// wider than Libertinus Serif, so a browser's fallback face fits too).
fn advance(c: char) -> f64 {
    match c {
        ' ' => 0.27,
        'i' | 'j' | 'l' | 't' | 'f' | 'r' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 0.3,
        'm' | 'w' | 'M' | 'W' => 0.85,
        c if c.is_ascii_uppercase() => 0.66,
        c if c.is_ascii_digit() => 0.52,
        c if c.is_ascii() => 0.5,
        '\u{1100}'..='\u{115f}'
        | '\u{2e80}'..='\u{a4cf}'
        | '\u{ac00}'..='\u{d7a3}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ff60}'
        | '\u{1f000}'..='\u{1faff}'
        | '\u{20000}'..='\u{3fffd}' => 1.0,
        c if bidi::is_control(c) => 0.0,
        _ => 0.58,
    }
}

fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(advance).sum::<f64>() * size
}

/// `text` in lines at most `width` wide at `size`, broken at spaces (a
/// word wider than a line is cut); past `max_lines` the last line ends in
/// "…". Never empty.
fn wrap(text: &str, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word too wide for a line: cut it.
        for c in word.chars() {
            current.push(c);
            if text_width(&current, size) > width && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::replace(&mut current, c.to_string()));
            }
        }
        if lines.len() > max_lines {
            break;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && text_width(&format!("{last}…"), size) > width {
                last.pop();
            }
            last.push('…');
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
    use crate::board::model::Card;

    fn card(id: &str, kind: &str, parent: Option<&str>, text: &str) -> Card {
        Card {
            id: id.into(),
            kind: kind.into(),
            parent: parent.map(Into::into),
            text: text.into(),
            ..Card::default()
        }
    }

    fn ids(board: &Board, tree: &Tree) -> Vec<(String, usize)> {
        tree.entries
            .iter()
            .map(|entry| (board.cards[entry.card].id.clone(), entry.depth))
            .collect()
    }

    #[test]
    fn challenges_sub_challenges_and_solutions_in_reading_order() {
        let board = Board {
            cards: vec![
                card("a", "challenge", None, "A"),
                card("s1", "solution", Some("b"), "S1"),
                card("b", "challenge", Some("a"), "B"),
                card("s2", "solution", Some("a"), "S2"),
                card("c", "challenge", None, "C"),
                card("gone", "solution", Some("deleted"), "Lost"),
                card("n", "need", None, "Not in the tree"),
            ],
            ..Board::default()
        };
        let tree = Tree::build(&board);
        let expected = [("a", 0), ("s2", 1), ("b", 1), ("s1", 2), ("c", 0)];
        assert_eq!(
            ids(&board, &tree),
            expected.map(|(id, depth)| (id.to_owned(), depth))
        );
        assert_eq!(tree.entries[3].parent, Some(2));
        assert_eq!(tree.orphans, [5]);
    }

    #[test]
    fn a_loop_of_challenges_loses_nothing_and_ends() {
        let board = Board {
            cards: vec![
                card("a", "challenge", Some("b"), "A"),
                card("b", "challenge", Some("a"), "B"),
                card("self", "challenge", Some("self"), "Self"),
                card("s", "solution", Some("b"), "S"),
            ],
            ..Board::default()
        };
        let tree = Tree::build(&board);
        let mut seen: Vec<usize> = tree.entries.iter().map(|entry| entry.card).collect();
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3]);
    }

    #[test]
    fn a_very_deep_tree_needs_no_recursion() {
        let mut cards = vec![card("c0", "challenge", None, "0")];
        for index in 1..20_000 {
            cards.push(card(
                &format!("c{index}"),
                "challenge",
                Some(&format!("c{}", index - 1)),
                "tief",
            ));
        }
        let board = Board {
            cards,
            ..Board::default()
        };
        let tree = Tree::build(&board);
        assert_eq!(tree.entries.len(), 20_000);
        assert_eq!(tree.entries[19_999].depth, 19_999);
        let drawing = tree.svg(&board, "Frage", Locale::De);
        roxmltree::Document::parse(&drawing.svg).expect("well-formed");
    }

    /// 30 challenges (ten with a sub-challenge) and 60 solutions of
    /// realistic length fit an A4 page at a type size of at least 14
    /// units (6.1 pt in the PDF).
    #[test]
    fn thirty_challenges_and_sixty_solutions_fit_a_page() {
        let mut cards = Vec::new();
        for index in 0..30 {
            let parent = (index % 3 == 2).then(|| format!("c{}", index - 1));
            cards.push(card(
                &format!("c{index}"),
                "challenge",
                parent.as_deref(),
                &format!("Herausforderung {index}: Zuständigkeiten sind unklar"),
            ));
        }
        for index in 0..60 {
            cards.push(card(
                &format!("s{index}"),
                "solution",
                Some(&format!("c{}", index % 30)),
                &format!("Lösung {index}: eine feste Ansprechperson je Träger"),
            ));
        }
        let board = Board {
            cards,
            ..Board::default()
        };
        let tree = Tree::build(&board);
        let drawing = tree.svg(
            &board,
            "Was erschwert die Zusammenarbeit mit externen Partnern?",
            Locale::De,
        );
        let document = roxmltree::Document::parse(&drawing.svg).expect("well-formed");
        let height: f64 = document
            .root_element()
            .attribute("height")
            .and_then(|h| h.parse().ok())
            .expect("a height");
        assert!(height <= PAGE_HEIGHT, "{height}");
        assert!(drawing.font_size >= 14.0, "{}", drawing.font_size);
        assert_eq!(drawing.svg.matches("class=\"challenge\"").count(), 30);
        assert_eq!(drawing.svg.matches("class=\"solution\"").count(), 60);
        assert_eq!(
            drawing.svg,
            tree.svg(
                &board,
                "Was erschwert die Zusammenarbeit mit externen Partnern?",
                Locale::De
            )
            .svg
        );
    }

    #[test]
    fn text_is_escaped_wrapped_and_isolated() {
        let board = Board {
            cards: vec![
                card("a", "challenge", None, "<script>alert(1)</script> & mehr"),
                card("o", "solution", None, "abc\u{202e}def"),
            ],
            ..Board::default()
        };
        let drawing = Tree::build(&board).svg(&board, "Frage?", Locale::En);
        assert!(!drawing.svg.contains("<script>"));
        assert!(
            drawing
                .svg
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr")
        );
        assert!(drawing.svg.contains("Without a challenge"));
        assert!(
            drawing
                .svg
                .contains("\u{2068}abc\u{202e}def\u{202c}\u{2069}")
        );
        let lines = wrap(&"Wort ".repeat(40), 200.0, 16.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
        assert!(lines.iter().all(|line| text_width(line, 16.0) <= 200.0));
        let cut = wrap(&"x".repeat(200), 100.0, 16.0, 100);
        assert!(cut.len() > 1 && cut.iter().all(|line| text_width(line, 16.0) <= 100.0));
    }
}
