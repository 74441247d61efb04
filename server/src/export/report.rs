//! The documentation as a list of blocks, built once in the board's
//! language; Markdown, HTML, PDF and DOCX only render it.
//!
//! Every text a person wrote enters a block through [`user`], as a
//! balanced bidi isolate (see [`super::bidi`]): a right-to-left name or an
//! unclosed override in a card never reorders the text around it.

use super::bidi;
use super::i18n::{self, Locale, Text};
use super::network::NetworkMap;
use super::tree::Tree;
use super::{BoardExport, Options};
use crate::board::model::{Board, Card};
use crate::board::schema::{CardKind, NoteCategory, SECTORS};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1 (section) to 3.
    Heading(u8, String),
    Paragraph(String),
    /// A bold label followed by plain text.
    Labelled(String, String),
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// The network map (the report's `network_svg`).
    NetworkMap,
    /// A drawing of our own as SVG (the problem–solution tree,
    /// [`super::tree`]): the PDF and the HTML draw it, the others show the
    /// [`Block::Outline`] that follows it.
    Drawing(String),
    /// A nested list: each item with its depth (0 at the top), in reading
    /// order; an item is never more than one level deeper than the one
    /// before it.
    Outline(Vec<(usize, String)>),
    /// The board's photos, each with its caption ("Foto 1/7"); the PDF,
    /// the HTML and the DOCX embed the JPEGs as they are, the Markdown
    /// lists the captions.
    Photos(Vec<Figure>),
}

/// A photo in the documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub caption: String,
    pub width: u32,
    pub height: u32,
    pub jpeg: std::sync::Arc<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub locale: Locale,
    pub title: String,
    /// District and date, one line.
    pub subtitle: String,
    pub blocks: Vec<Block>,
    pub network: NetworkMap,
    pub network_svg: String,
}

struct Builder<'a> {
    board: &'a Board,
    locale: Locale,
    options: Options,
    blocks: Vec<Block>,
}

impl Builder<'_> {
    fn t(&self, text: Text) -> String {
        text.get(self.locale).to_owned()
    }

    fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading(level, text.into()));
    }

    fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }

    fn labelled(&mut self, label: Text, text: impl Into<String>) {
        self.blocks
            .push(Block::Labelled(self.t(label), text.into()));
    }

    /// Free text written on the board: one paragraph per non-empty line.
    fn text_paragraphs(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            self.paragraph(user(line));
        }
    }

    /// "Name (Organisation)" of a participant id.
    fn person(&self, id: &str) -> Option<String> {
        let board = self.board;
        if id == "moderator" {
            return Some(self.t(Text::Moderator));
        }
        let participant = board.participant(id)?;
        Some(if participant.organisation.trim().is_empty() {
            user(&participant.name)
        } else {
            format!(
                "{} ({})",
                user(&participant.name),
                user(&participant.organisation)
            )
        })
    }

    fn sector_of(&self, id: &str) -> Option<&str> {
        let board = self.board;
        board
            .participant(id)
            .map(|p| p.sector.as_str())
            .filter(|s| !s.is_empty())
    }

    /// A card as one line: text, then kind, sector and author.
    fn card_line(&self, card: &Card) -> String {
        let mut details = vec![self.t(i18n::card_kind(&card.kind))];
        if let Some(sector) = self.sector_of(&card.author) {
            details.push(self.t(i18n::sector(sector)));
        }
        if let Some(person) = self.person(&card.author).filter(|_| self.options.authors) {
            details.push(person);
        }
        format!("{} ({})", user(card.text.trim()), details.join(", "))
    }

    fn agenda(&mut self) {
        let board = self.board;
        if board.agenda.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::Agenda));
        let minutes = self.t(Text::Minutes);
        let items = self
            .board
            .agenda
            .iter()
            .map(|item| {
                let start = item
                    .start
                    .as_deref()
                    .map(|s| format!("{} ", user(s)))
                    .unwrap_or_default();
                if item.minutes > 0.0 {
                    format!("{start}{} ({} {minutes})", user(&item.title), item.minutes)
                } else {
                    format!("{start}{}", user(&item.title))
                }
            })
            .collect();
        self.blocks.push(Block::List(items));
    }

    fn needs_verbatim(&mut self) {
        let board = self.board;
        self.heading(1, self.t(Text::NeedsVerbatim));
        self.paragraph(self.t(Text::NeedsVerbatimIntro));
        if board.cards.is_empty() {
            self.paragraph(self.t(Text::NoCards));
            return;
        }
        // Challenges and solutions are in the tree's section, whole.
        for kind in CardKind::ALL
            .into_iter()
            .filter(|kind| !is_tree_kind(*kind))
        {
            let lines: Vec<String> = self
                .board
                .cards
                .iter()
                .filter(|c| CardKind::of_card(&c.kind) == kind)
                .map(|c| self.card_line(c))
                .collect();
            if !lines.is_empty() {
                self.heading(2, self.t(i18n::card_kind_name(kind)));
                self.blocks.push(Block::List(lines));
            }
        }
    }

    fn summary(&mut self) {
        let board = self.board;
        self.heading(1, self.t(Text::Summary));
        self.paragraph(self.t(Text::SummaryIntro));
        for cluster in &board.clusters {
            let cards: Vec<&Card> = self
                .board
                .cards
                .iter()
                .filter(|c| c.cluster.as_deref() == Some(cluster.id.as_str()))
                .collect();
            self.heading(2, user(&cluster.title));
            self.labelled(Text::Scope, self.t(i18n::scope(cluster.scope.as_deref())));
            self.labelled(Text::Votes, format_number(board.votes_for(&cluster.id)));
            let mut sectors: BTreeMap<usize, usize> = BTreeMap::new();
            for card in &cards {
                if let Some(sector) = self.sector_of(&card.author) {
                    let rank = SECTORS
                        .iter()
                        .position(|s| *s == sector)
                        .unwrap_or(SECTORS.len());
                    *sectors.entry(rank).or_default() += 1;
                }
            }
            let sectors = if sectors.is_empty() {
                self.t(Text::NoneGiven)
            } else {
                sectors
                    .iter()
                    .map(|(rank, count)| {
                        let id = SECTORS.get(*rank).copied().unwrap_or("");
                        format!("{} ({count})", self.t(i18n::sector(id)))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.labelled(Text::Sectors, sectors);
            let offers: Vec<String> = self
                .board
                .offer_links
                .iter()
                .filter(|link| link.cluster == cluster.id)
                .filter_map(|link| board.cards.iter().find(|c| c.id == link.card))
                .map(|card| self.card_line(card))
                .collect();
            self.labelled(Text::Cards, cards.len().to_string());
            if !cards.is_empty() {
                let lines = cards.iter().map(|c| self.card_line(c)).collect();
                self.blocks.push(Block::List(lines));
            }
            if offers.is_empty() {
                self.labelled(Text::LinkedOffers, self.t(Text::NoneGiven));
            } else {
                self.labelled(Text::LinkedOffers, offers.len().to_string());
                self.blocks.push(Block::List(offers));
            }
        }
        let unsorted: Vec<String> = self
            .board
            .cards
            .iter()
            .filter(|c| c.cluster.is_none() && c.kind != CardKind::Offer.id())
            // The tree's cards are shown in the tree.
            .filter(|c| !is_tree_kind(CardKind::of_card(&c.kind)))
            .map(|c| self.card_line(c))
            .collect();
        if !unsorted.is_empty() {
            self.heading(2, self.t(Text::Unsorted));
            self.blocks.push(Block::List(unsorted));
        }
    }

    /// The problem–solution tree, for a board that has one: the drawing,
    /// then the same tree as a nested list (what a screen reader reads,
    /// and what the formats without the drawing show), then the
    /// solutions whose challenge was deleted.
    fn tree(&mut self, question: &str) {
        let board = self.board;
        let tree = Tree::build(board);
        if tree.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::BoardTree));
        self.paragraph(self.t(Text::TreeIntro));
        let drawing = tree.svg(board, question, self.locale);
        self.blocks.push(Block::Drawing(drawing.svg));
        let items: Vec<(usize, String)> = tree
            .entries
            .iter()
            .map(|entry| {
                (
                    entry.depth.min(OUTLINE_DEPTH),
                    self.card_line(&board.cards[entry.card]),
                )
            })
            .collect();
        if !items.is_empty() {
            self.blocks.push(Block::Outline(items));
        }
        if !tree.orphans.is_empty() {
            self.heading(2, self.t(Text::WithoutChallenge));
            let lines = tree
                .orphans
                .iter()
                .map(|&card| self.card_line(&board.cards[card]))
                .collect();
            self.blocks.push(Block::List(lines));
        }
    }

    fn cases(&mut self) {
        let board = self.board;
        if board.cases.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::Cases));
        for case in &board.cases {
            self.heading(
                2,
                format!(
                    "{} – {}",
                    user(&case.title),
                    self.t(i18n::framework(&case.framework))
                ),
            );
            self.text_paragraphs(&case.story);
            // A focal point nobody took and nobody wrote about gets no
            // section of its own: they are named together at the end (a case
            // not worked on is one line, not a page of "niemand").
            let mut untouched = Vec::new();
            for focal_point in board.focal_points.iter().filter(|f| f.case == case.id) {
                let mut people: Vec<String> = self
                    .board
                    .placements
                    .iter()
                    .filter(|p| p.focal_point == focal_point.id)
                    .filter_map(|p| self.person(&p.participant))
                    .collect();
                people.sort_by_key(|p| p.to_lowercase());
                let notes: Vec<(NoteCategory, Vec<String>)> = NoteCategory::ALL
                    .into_iter()
                    .map(|category| {
                        let texts = self
                            .board
                            .notes
                            .iter()
                            .filter(|n| n.focal_point == focal_point.id)
                            .filter(|n| NoteCategory::of_note(&n.category) == category)
                            .map(|n| user(n.text.trim()))
                            .collect();
                        (category, texts)
                    })
                    .filter(|(_, texts): &(NoteCategory, Vec<String>)| !texts.is_empty())
                    .collect();
                if people.is_empty() && notes.is_empty() {
                    untouched.push(user(&focal_point.title));
                    continue;
                }
                self.heading(3, user(&focal_point.title));
                let people = if people.is_empty() {
                    self.t(Text::Nobody)
                } else {
                    people.join("; ")
                };
                self.labelled(Text::WhoWorksHere, people);
                for (category, texts) in notes {
                    self.labelled(i18n::note_category(category), String::new());
                    self.blocks.push(Block::List(texts));
                }
            }
            if !untouched.is_empty() {
                self.labelled(Text::FocalPointsUntouched, untouched.join(", "));
            }
        }
    }

    fn agreements(&mut self) {
        let board = self.board;
        self.heading(1, self.t(Text::Agreements));
        if board.agreements.is_empty() {
            self.paragraph(self.t(Text::NoAgreements));
            return;
        }
        let mut header = vec![
            self.t(Text::What),
            self.t(Text::Who),
            self.t(Text::Due),
            self.t(Text::Status),
        ];
        if self.options.authors {
            header.push(self.t(Text::ProposedBy));
        }
        let rows = self
            .board
            .agreements
            .iter()
            .map(|a| {
                let mut row = vec![
                    user(a.what.trim()),
                    user(a.who.trim()),
                    a.due
                        .as_deref()
                        .map(|due| user(&human_date(self.locale, due)))
                        .unwrap_or_default(),
                    self.t(i18n::agreement_status(&a.status)),
                ];
                if self.options.authors {
                    row.push(self.person(&a.author).unwrap_or_default());
                }
                row
            })
            .collect();
        self.blocks.push(Block::Table { header, rows });
    }

    fn networks(&mut self) {
        let board = self.board;
        if board.networks.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::Networks));
        for network in &board.networks {
            self.heading(2, user(&network.title));
            let mut members: Vec<String> = self
                .board
                .memberships
                .iter()
                .filter(|m| m.network == network.id)
                .filter_map(|m| self.person(&m.participant))
                .collect();
            members.sort_by_key(|m| m.to_lowercase());
            let members = if members.is_empty() {
                self.t(Text::Nobody)
            } else {
                members.join("; ")
            };
            self.labelled(Text::Members, members);
        }
    }

    fn network_map(&mut self) {
        self.heading(1, self.t(Text::NetworkMap));
        self.paragraph(self.t(Text::NetworkMapIntro));
        self.blocks.push(Block::NetworkMap);
    }

    fn contacts(&mut self, input: &BoardExport) {
        self.heading(1, self.t(Text::ContactList));
        self.paragraph(self.t(Text::ContactListIntro));
        if input.contacts.is_empty() {
            self.paragraph(self.t(Text::NoContacts));
            return;
        }
        let header = vec![
            self.t(Text::Name),
            self.t(Text::Organisation),
            self.t(Text::Sector),
            self.t(Text::Email),
            self.t(Text::Phone),
        ];
        let rows = input
            .contacts
            .iter()
            .map(|c| {
                vec![
                    user(&c.name),
                    user(&c.organisation),
                    self.t(i18n::sector(&c.sector)),
                    user(c.email.as_deref().unwrap_or_default()),
                    user(c.phone.as_deref().unwrap_or_default()),
                ]
            })
            .collect();
        self.blocks.push(Block::Table { header, rows });
    }

    /// The board's shown photos, numbered as the gallery shows them.
    fn photos(&mut self, input: &BoardExport) {
        if input.photos.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::Photos));
        let count = input.photos.len();
        let figures = input
            .photos
            .iter()
            .enumerate()
            .map(|(index, photo)| Figure {
                caption: format!("{} {}/{count}", self.t(Text::Photo), index + 1),
                width: photo.width,
                height: photo.height,
                jpeg: photo.jpeg.clone(),
            })
            .collect();
        self.blocks.push(Block::Photos(figures));
    }

    fn handout(&mut self) {
        let board = self.board;
        let handout = &board.handout;
        if handout.is_empty() {
            return;
        }
        self.heading(1, self.t(Text::Handout));
        for (title, text) in [
            (Text::HandoutContacts, &handout.contacts),
            (Text::HandoutProcedures, &handout.procedures),
            (Text::HandoutSteering, &handout.steering),
        ] {
            if !text.trim().is_empty() {
                self.heading(2, self.t(title));
                self.text_paragraphs(text);
            }
        }
    }
}

/// Whether cards of this kind are entries of the problem–solution tree.
fn is_tree_kind(kind: CardKind) -> bool {
    matches!(kind, CardKind::Challenge | CardKind::Solution)
}

/// The deepest level of a nested list: sub-challenges nested deeper are
/// listed at this level (after their parent, so in their place).
pub const OUTLINE_DEPTH: usize = 6;

/// Text a person wrote, as it enters a block: a balanced bidi isolate.
pub(crate) fn user(text: &str) -> String {
    bidi::isolate(text)
}

/// Relative column widths of a table: the average text length of each
/// column, within bounds, so short columns (dates) stay narrow.
pub fn column_weights(header: &[String], rows: &[Vec<String>]) -> Vec<f32> {
    (0..header.len())
        .map(|column| {
            let total: usize = rows
                .iter()
                .map(|row| row.get(column).map_or(0, |cell| cell.chars().count()))
                .sum::<usize>()
                + header[column].chars().count();
            (total as f32 / (rows.len() + 1) as f32).clamp(8.0, 60.0)
        })
        .collect()
}

/// A `YYYY-MM-DD` date as the document's reader writes it: "31.03.2027"
/// in German, "31 Mar 2027" in English with no-break spaces, so a line or a
/// table cell never breaks inside it. Anything else stays as it is.
pub fn human_date(locale: Locale, iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    let [year, month, day] = parts[..] else {
        return iso.to_owned();
    };
    let digits =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return iso.to_owned();
    }
    let Some(name) = month
        .parse::<usize>()
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|m| MONTHS.get(m))
    else {
        return iso.to_owned();
    };
    match locale {
        Locale::De => format!("{day}.{month}.{year}"),
        Locale::En => format!("{}\u{a0}{name}\u{a0}{year}", day.trim_start_matches('0')),
    }
}

/// Integers without a decimal point.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Builds the documentation of a board.
pub fn build(input: &BoardExport, options: Options) -> Report {
    let board = &input.board;
    let locale = Locale::from_meta(&board.meta.locale);
    let mut builder = Builder {
        board,
        locale,
        options,
        blocks: Vec::new(),
    };
    builder.agenda();
    // A tree board (Kassel's reflection groups) has no cards of the
    // conference's kinds and no clusters: its cards are all in the tree.
    let tree_only = !board.cards.is_empty()
        && board.clusters.is_empty()
        && board
            .cards
            .iter()
            .all(|card| is_tree_kind(CardKind::of_card(&card.kind)));
    if !tree_only {
        builder.needs_verbatim();
        builder.summary();
    }
    let question = if board.meta.title.trim().is_empty() {
        &input.info.title
    } else {
        &board.meta.title
    };
    builder.tree(question);
    builder.cases();
    builder.agreements();
    builder.networks();
    builder.network_map();
    builder.contacts(input);
    builder.handout();
    builder.photos(input);

    let title = if board.meta.title.trim().is_empty() {
        user(&input.info.title)
    } else {
        user(&board.meta.title)
    };
    let mut subtitle = vec![Text::Documentation.get(locale).to_owned()];
    if !board.meta.district.trim().is_empty() {
        subtitle.push(format!(
            "{}: {}",
            Text::District.get(locale),
            user(&board.meta.district)
        ));
    }
    if let Some(date) = &board.meta.date {
        subtitle.push(format!(
            "{}: {}",
            Text::Date.get(locale),
            user(&human_date(locale, date))
        ));
    }
    let network = NetworkMap::build(board);
    let network_svg = network.svg(locale);
    Report {
        locale,
        title,
        subtitle: subtitle.join(" · "),
        blocks: builder.blocks,
        network,
        network_svg,
    }
}
