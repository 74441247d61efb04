//! The documentation of an event: its programme, then every board's
//! documentation in the event's order, in one Markdown, HTML, PDF, DOCX
//! or JSON file. Each board's part is that board's report (`report`), one
//! heading level down; the network maps stay in the boards' own
//! documentation (a report draws one); their trees and photos are in it,
//! and each board's JSON holds its photos. Pure, like the rest of `export`.

use super::i18n::{Locale, Text};
use super::report::{self, Block, Report, human_date, user};
use super::{BoardExport, ExportError, Format, Options};
use crate::event::{Kind, ProgrammeItem};
use serde::Serialize;

/// A board of the event, as exported.
#[derive(Debug, Clone)]
pub struct EventBoard {
    pub kind: Kind,
    pub location: String,
    pub export: BoardExport,
}

/// Everything an event's documentation shows.
#[derive(Debug, Clone)]
pub struct EventExport {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub venue: String,
    pub locale: Locale,
    pub programme: Vec<ProgrammeItem>,
    pub boards: Vec<EventBoard>,
}

/// The formats an event's documentation comes in.
pub const FORMATS: [Format; 4] = [Format::Pdf, Format::Docx, Format::Markdown, Format::Json];

pub fn kind_name(kind: Kind) -> Text {
    match kind {
        Kind::Conference => Text::BoardConference,
        Kind::Plenary => Text::BoardPlenary,
        Kind::Workshop => Text::BoardWorkshop,
        Kind::Reflection => Text::BoardReflection,
        Kind::Tree => Text::BoardTree,
    }
}

/// The event's documentation as one report.
pub fn build(input: &EventExport, options: Options) -> Report {
    let locale = input.locale;
    let t = |text: Text| text.get(locale).to_owned();
    let mut blocks = Vec::new();
    if !input.programme.is_empty() {
        blocks.push(Block::Heading(1, t(Text::Programme)));
        blocks.push(Block::Table {
            header: vec![t(Text::Time), t(Text::ProgrammeItem), t(Text::Place)],
            rows: input
                .programme
                .iter()
                .map(|item| {
                    vec![
                        item.time.clone().unwrap_or_default(),
                        user(&item.title),
                        item.location.as_deref().map(user).unwrap_or_default(),
                    ]
                })
                .collect(),
        });
    }
    let mut reports = input
        .boards
        .iter()
        .map(|board| (board, report::build(&board.export, options)));
    let first = reports.next();
    for (board, report) in first.iter().cloned().chain(reports) {
        blocks.push(Block::Heading(1, report.title.clone()));
        let mut about = vec![t(kind_name(board.kind))];
        if !board.location.trim().is_empty() {
            about.push(user(&board.location));
        }
        blocks.push(Block::Paragraph(about.join(" · ")));
        for block in report.blocks {
            match block {
                Block::NetworkMap => {}
                Block::Heading(level, text) => {
                    blocks.push(Block::Heading((level + 1).min(3), text))
                }
                other => blocks.push(other),
            }
        }
    }
    let mut subtitle = Vec::new();
    if let Some(date) = &input.date {
        subtitle.push(format!(
            "{}: {}",
            t(Text::Date),
            user(&human_date(locale, date))
        ));
    }
    if !input.venue.trim().is_empty() {
        subtitle.push(format!("{}: {}", t(Text::Venue), user(&input.venue)));
    }
    // A report carries one network map; the event's blocks draw none.
    let (network, network_svg) = match first {
        Some((_, report)) => (report.network, report.network_svg),
        None => {
            let empty = crate::board::model::Board::default();
            let network = super::network::NetworkMap::build(&empty);
            let svg = network.svg(locale);
            (network, svg)
        }
    };
    Report {
        locale,
        title: user(&input.title),
        subtitle: subtitle.join(" · "),
        blocks,
        network,
        network_svg,
    }
}

#[derive(Serialize)]
struct EventFile<'a> {
    format: &'static str,
    version: u32,
    event: EventInfo<'a>,
    programme: &'a [ProgrammeItem],
    boards: Vec<BoardEntry>,
}

#[derive(Serialize)]
struct EventInfo<'a> {
    id: &'a str,
    title: &'a str,
    date: Option<&'a str>,
    venue: &'a str,
    locale: &'static str,
}

#[derive(Serialize)]
struct BoardEntry {
    kind: &'static str,
    location: String,
    /// The board's own JSON export, whole (its photos too).
    board: super::json::BoardFile,
}

/// Renders one format of the event's documentation.
pub fn export(
    input: &EventExport,
    format: Format,
    options: Options,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Json => {
            let mut boards = Vec::with_capacity(input.boards.len());
            for board in &input.boards {
                boards.push(BoardEntry {
                    kind: board.kind.id(),
                    location: board.location.clone(),
                    board: super::json::file(&board.export, options),
                });
            }
            let file = EventFile {
                format: "kartenwand-event",
                version: 1,
                event: EventInfo {
                    id: &input.id,
                    title: &input.title,
                    date: input.date.as_deref(),
                    venue: &input.venue,
                    locale: input.locale.code(),
                },
                programme: &input.programme,
                boards,
            };
            let mut bytes = serde_json::to_vec_pretty(&file)?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        Format::Markdown => Ok(super::markdown::render(&build(input, options)).into_bytes()),
        Format::Html => Ok(super::html::render(&build(input, options)).into_bytes()),
        Format::Pdf => super::pdf::render(&build(input, options)),
        Format::Docx => super::docx::render(&build(input, options)),
        Format::Csv => Err(ExportError::Unsupported("csv")),
    }
}

/// `kartenwand-event-{title}-{date}.{ext}`, ASCII letters, digits and dashes.
pub fn file_name(input: &EventExport, format: Format) -> String {
    let source = format!("{} {}", input.title, input.date.as_deref().unwrap_or(""));
    format!(
        "kartenwand-event-{}.{}",
        super::slug(&source),
        format.extension()
    )
}
