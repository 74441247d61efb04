//! The conference documentation: Markdown, HTML (print), PDF, DOCX, CSV and
//! JSON, and the network map drawn as SVG.
//!
//! # Layout
//!
//! - [`BoardExport`]: everything an export may show, gathered once: the
//!   typed read model of the document ([`crate::board::model::Board`]), the
//!   board's record, the faithful JSON dump of the document, and the contact
//!   list, which holds **only** participants who consented (the filter is
//!   applied here, so no format can leak anyone else's contact data).
//! - [`report`]: the documentation as a list of blocks (headings,
//!   paragraphs, lists, tables, the network map), built once in the board's
//!   language through [`i18n`]; `markdown`, `html`, `pdf` and `docx` only
//!   render those blocks.
//! - [`network`]: who is connected to whom, and its deterministic SVG.
//! - [`tree`]: the problem–solution tree, and its deterministic SVG.
//! - `csv`: one row per card. [`json`]: the versioned, complete board that
//!   `kartenwand import` restores, photos included.
//! - Photos ([`Photo`]): the board's shown photos, as the stored JPEGs;
//!   every format embeds them as they are, none decodes them.
//!
//! Everything here is pure: no I/O, no tokio, no axum.

pub mod bidi;
mod csv;
mod docx;
pub mod event;
mod fonts;
mod html;
pub mod i18n;
pub mod json;
mod markdown;
pub mod material;
pub mod network;
pub(crate) mod pdf;
pub mod report;
pub mod series;
pub mod tree;

use crate::board::model::Board;
use crate::board::schema::board_text;
use crate::store::{BoardRecord, ParticipantRecord};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use yrs::{Doc, Transact};

/// An export format and its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Pdf,
    Docx,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Markdown,
        Format::Html,
        Format::Pdf,
        Format::Docx,
        Format::Csv,
        Format::Json,
    ];

    /// The format of a file extension (`md`, `html`, `pdf`, `docx`, `csv`, `json`).
    pub fn from_extension(extension: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|format| format.extension() == extension)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// What the caller chose.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Name the authors of cards and agreements (default). `false` leaves
    /// them out of every format.
    pub authors: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { authors: true }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("PDF could not be written: {0}")]
    Pdf(String),
    #[error("DOCX could not be written: {0}")]
    Docx(String),
    #[error("network map could not be drawn: {0}")]
    NetworkMap(String),
    #[error("JSON could not be written: {0}")]
    Json(#[from] serde_json::Error),
    #[error("this documentation has no {0} format")]
    Unsupported(&'static str),
}

/// The board's record as exported (no tokens, no join code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoardInfo {
    pub id: String,
    pub title: String,
    pub district: String,
    pub created_at: i64,
}

/// One line of the contact list: a participant who consented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    pub participant: String,
    pub name: String,
    pub organisation: String,
    pub sector: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A photo of the board as the exports hold it: the stored JPEG
/// (`crate::photo`: re-encoded from the pixels, no metadata), shared, not
/// copied, by every format that embeds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub id: String,
    /// The participant id of who uploaded it, or `moderator`.
    pub author: String,
    pub created_at: i64,
    pub width: u32,
    pub height: u32,
    pub jpeg: Arc<Vec<u8>>,
}

/// Everything the exports may show about one board.
#[derive(Debug, Clone)]
pub struct BoardExport {
    pub info: BoardInfo,
    pub board: Board,
    pub document: json::Document,
    /// Only participants who consented and were not removed.
    pub contacts: Vec<Contact>,
    /// Only photos shown on the board (never a hidden one, nor one that
    /// awaits the moderator's approval), oldest first.
    pub photos: Vec<Photo>,
}

impl BoardExport {
    /// Gathers a board from its record, its document and its participants'
    /// records. Contact data of anyone who did not consent is dropped here.
    pub fn new(record: &BoardRecord, doc: &Doc, participants: &[ParticipantRecord]) -> Self {
        let txn = doc.transact();
        let mut contacts: Vec<Contact> = participants
            .iter()
            .filter(|p| p.contact_consent && !p.removed)
            .map(|p| Contact {
                participant: p.id.clone(),
                name: board_text(&p.name).into_owned(),
                organisation: board_text(&p.organisation).into_owned(),
                sector: board_text(&p.sector).into_owned(),
                email: p.email.as_deref().map(|e| board_text(e).into_owned()),
                phone: p.phone.as_deref().map(|e| board_text(e).into_owned()),
            })
            .collect();
        contacts.sort_by(|a, b| {
            (a.name.to_lowercase(), &a.participant).cmp(&(b.name.to_lowercase(), &b.participant))
        });
        BoardExport {
            info: BoardInfo {
                id: record.id.clone(),
                title: board_text(&record.title).into_owned(),
                district: board_text(&record.district).into_owned(),
                created_at: record.created_at,
            },
            board: Board::read(&txn),
            document: json::Document::read(&txn),
            contacts,
            photos: Vec::new(),
        }
    }

    /// The board's shown photos (the caller picks them: [`Photo`]s of
    /// status `shown` only).
    pub fn with_photos(mut self, photos: Vec<Photo>) -> Self {
        self.photos = photos;
        self
    }
}

/// Renders one format.
pub fn export(
    input: &BoardExport,
    format: Format,
    options: Options,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => Ok(csv::render(input, options).into_bytes()),
        Format::Json => json::render(input, options),
        Format::Markdown => Ok(markdown::render(&report::build(input, options)).into_bytes()),
        Format::Html => Ok(html::render(&report::build(input, options)).into_bytes()),
        Format::Pdf => pdf::render(&report::build(input, options)),
        Format::Docx => docx::render(&report::build(input, options)),
    }
}

/// A file name for the download: `kartenwand-{district or title}-{date}.{ext}`,
/// ASCII letters, digits and dashes only.
pub fn file_name(input: &BoardExport, format: Format) -> String {
    let meta = &input.board.meta;
    let base = if meta.district.trim().is_empty() {
        &meta.title
    } else {
        &meta.district
    };
    let date = meta
        .date
        .as_deref()
        .map(|d| format!(" {d}"))
        .unwrap_or_default();
    let slug = slug(&format!("{base}{date}"));
    let slug = if slug.is_empty() {
        input.info.id.chars().take(60).collect()
    } else {
        slug
    };
    format!("kartenwand-{slug}.{}", format.extension())
}

/// A file name's part from `text`: lower-case ASCII letters and digits,
/// German umlauts spelt out, one dash for every other run, at most 60
/// characters.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        let mapped = match c {
            'ä' | 'Ä' => "ae",
            'ö' | 'Ö' => "oe",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                slug.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "-",
        };
        if mapped == "-" && (slug.is_empty() || slug.ends_with('-')) {
            continue;
        }
        slug.push_str(mapped);
    }
    slug.trim_end_matches('-').chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Any, Map, MapPrelim, WriteTxn};

    fn record(id: &str, consent: bool, removed: bool) -> ParticipantRecord {
        ParticipantRecord {
            board: "board0001".into(),
            id: id.into(),
            token_hash: [0; 32],
            name: format!("Name {id}"),
            organisation: "Diakonie".into(),
            sector: "traeger".into(),
            email: Some(format!("{id}@beispiel.de")),
            phone: Some("0355 1".into()),
            contact_consent: consent,
            created_at: 0,
            removed,
            personal_code: None,
        }
    }

    fn sample(locale: &str) -> BoardExport {
        sample_with(locale, None)
    }

    /// The sample board; with `text`, every text field holds it (title,
    /// names, organisation, card, cluster, agreement, handout, contact).
    fn sample_with(locale: &str, text: Option<&str>) -> BoardExport {
        let doc = Doc::new();
        let or = |default: &'static str| Any::from(text.unwrap_or(default));
        {
            let mut txn = doc.transact_mut();
            let meta = txn.get_or_insert_map("meta");
            meta.insert(&mut txn, "locale", locale);
            meta.insert(&mut txn, "title", or("Konferenz <Süd>"));
            meta.insert(&mut txn, "district", "Schmellwitz");
            meta.insert(&mut txn, "joinCode", "K7P2QX");
            let participants = txn.get_or_insert_map("participants");
            participants.insert(
                &mut txn,
                "yes00001",
                MapPrelim::from([
                    ("name", or("Name yes00001")),
                    ("organisation", or("Diakonie")),
                    ("sector", Any::from("traeger")),
                ]),
            );
            if let Some(text) = text {
                participants.insert(
                    &mut txn,
                    "solo0001",
                    MapPrelim::from([
                        ("name", Any::from(text)),
                        ("sector", Any::from("verwaltung")),
                    ]),
                );
                let clusters = txn.get_or_insert_map("clusters");
                clusters.insert(
                    &mut txn,
                    "cluster01",
                    MapPrelim::from([("title", Any::from(text))]),
                );
                let handout = txn.get_or_insert_map("handout");
                handout.insert(&mut txn, "contacts", text);
            }
            let cards = txn.get_or_insert_map("cards");
            cards.insert(
                &mut txn,
                "card0001",
                MapPrelim::from([
                    ("text", or("<script>alert(1)</script>, \"zitiert\"")),
                    ("kind", Any::from("need")),
                    ("author", Any::from("yes00001")),
                    ("cluster", Any::from("cluster01")),
                ]),
            );
            let agreements = txn.get_or_insert_map("agreements");
            agreements.insert(
                &mut txn,
                "agreement1",
                MapPrelim::from([
                    ("what", or("Treffen")),
                    ("who", or("Diakonie")),
                    ("author", Any::from("yes00001")),
                ]),
            );
        }
        let board = BoardRecord {
            id: "board0001".into(),
            title: "Konferenz".into(),
            district: "Schmellwitz".into(),
            join_code: "K7P2QX".into(),
            moderator_token_hash: [0; 32],
            viewer_token_hash: [0; 32],
            created_at: 1,
        };
        let mut participants = [
            record("yes00001", true, false),
            record("no000001", false, false),
            record("gone0001", true, true),
        ];
        if let Some(text) = text {
            participants[0].name = text.to_owned();
            participants[0].organisation = text.to_owned();
        }
        BoardExport::new(&board, &doc, &participants)
    }

    /// The DOCX's `word/document.xml`, parsed: it must be well-formed XML.
    fn docx_parses(docx: &[u8]) -> Result<(), String> {
        use std::io::Read;
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(|e| e.to_string())?;
        let mut xml = String::new();
        archive
            .by_name("word/document.xml")
            .map_err(|e| e.to_string())?
            .read_to_string(&mut xml)
            .map_err(|e| e.to_string())?;
        roxmltree::Document::parse(&xml)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn every_format_renders(text: &str) -> Result<(), String> {
        let input = sample_with("de", Some(text));
        for format in [
            Format::Markdown,
            Format::Html,
            Format::Csv,
            Format::Json,
            Format::Pdf,
            Format::Docx,
        ] {
            let body = export(&input, format, Options::default())
                .map_err(|e| format!("{format:?}: {e}"))?;
            if format == Format::Docx {
                docx_parses(&body).map_err(|e| format!("DOCX XML: {e}"))?;
            }
        }
        let svg = report::build(&input, Options::default()).network_svg;
        roxmltree::Document::parse(&svg).map_err(|e| format!("network map SVG: {e}"))?;
        Ok(())
    }

    #[test]
    fn texts_xml_forbids_reach_no_document() {
        for text in [
            "Kita\u{1}",
            "\u{b}\u{c}",
            "Kita\u{fffe}\u{ffff}",
            "\u{fdd0}",
            "\0",
            "a\u{1fffe}b",
        ] {
            if let Err(error) = every_format_renders(text) {
                panic!("{text:?}: {error}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Any string the document can hold, in every text field: every
        /// format renders, the DOCX and the network map are well-formed XML.
        #[test]
        fn every_format_renders_any_text(text in proptest::prop_oneof![
            proptest::prelude::any::<String>(),
            // Arbitrary strings seldom hold what breaks XML: these mostly do.
            "[\\x00-\\x1f\\x{fdd0}-\\x{fdef}\\x{fffe}\\x{ffff}\\x{1fffe}\\x{10ffff}\\x{202e}<>&\"'a-zäß😀]{0,24}",
        ]) {
            if let Err(error) = every_format_renders(&text) {
                return Err(proptest::test_runner::TestCaseError::fail(error));
            }
        }
    }

    /// An export as text with the isolates of user text left out, to
    /// look for phrases that join two fields.
    fn plain(input: &BoardExport, format: Format, options: Options) -> String {
        bidi::without_controls(&text(input, format, options))
    }

    fn text(input: &BoardExport, format: Format, options: Options) -> String {
        String::from_utf8(export(input, format, options).expect("exports")).expect("UTF-8")
    }

    #[test]
    fn contact_data_only_of_those_who_consented() {
        let input = sample("de");
        assert_eq!(input.contacts.len(), 1);
        for format in [Format::Markdown, Format::Html, Format::Csv, Format::Json] {
            let body = text(&input, format, Options::default());
            assert!(!body.contains("no000001@"), "{format:?} leaks");
            assert!(
                !body.contains("gone0001@"),
                "{format:?} leaks a removed participant"
            );
            assert!(!body.contains("K7P2QX"), "{format:?} holds the join code");
        }
        assert!(text(&input, Format::Markdown, Options::default()).contains("yes00001@"));
    }

    #[test]
    fn english_when_the_board_is_english_and_text_is_escaped() {
        let input = sample("en");
        let markdown = text(&input, Format::Markdown, Options::default());
        assert!(markdown.contains("## Agreements"), "{markdown}");
        assert!(markdown.contains("\\<script\\>"));
        let html = text(&input, Format::Html, Options::default());
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        let german = text(&sample("de"), Format::Markdown, Options::default());
        assert!(german.contains("## Verabredungen"));
    }

    /// The DOCX's `word/document.xml` as text.
    fn document_xml(docx: &[u8]) -> String {
        docx_part(docx, "word/document.xml")
    }

    /// One part of a DOCX as text.
    fn docx_part(docx: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut xml = String::new();
        if let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(docx)) {
            if let Ok(mut file) = archive.by_name(name) {
                let _ = file.read_to_string(&mut xml);
            }
        }
        xml
    }

    #[test]
    fn an_unclosed_override_flips_nothing_after_its_field() {
        let input = sample_with("de", Some("abc\u{202e}def"));
        let markdown = text(&input, Format::Markdown, Options::default());
        assert!(markdown.contains("\u{2068}abc\u{202e}def\u{202c}\u{2069}"));
        assert_eq!(
            markdown.matches('\u{202e}').count(),
            markdown.matches("\u{202e}def\u{202c}\u{2069}").count(),
            "every override is closed inside its own field"
        );
        let html = text(&input, Format::Html, Options::default());
        assert!(html.contains("<bdi>abc\u{202e}def\u{202c}</bdi>"), "{html}");
        assert_eq!(html.matches("<bdi").count(), html.matches("</bdi>").count());
        // The page's text (the network map's labels are isolated in the
        // SVG itself, and its data attributes render nothing).
        let page = match (html.find("<figure>"), html.find("</figure>")) {
            (Some(start), Some(end)) => format!("{}{}", &html[..start], &html[end..]),
            _ => html.clone(),
        };
        assert_eq!(
            page.matches('\u{202e}').count(),
            page.matches("\u{202e}def\u{202c}</bdi>").count()
        );
        let svg = report::build(&input, Options::default()).network_svg;
        assert!(
            svg.contains("\u{2068}abc\u{202e}def\u{202c}\u{2069}</tspan>"),
            "{svg}"
        );
        let docx = export(&input, Format::Docx, Options::default()).expect("docx");
        let xml = document_xml(&docx);
        assert!(xml.contains("abc") && !xml.contains('\u{202e}'), "{xml}");
    }

    #[test]
    fn right_to_left_paragraphs_in_html_and_docx() {
        let input = sample_with("de", Some("مرحبا بكم"));
        let html = text(&input, Format::Html, Options::default());
        assert!(
            html.contains("<p dir=\"rtl\"><bdi>مرحبا بكم</bdi></p>"),
            "{html}"
        );
        assert!(
            html.contains("<li dir=\"rtl\"><bdi>مرحبا بكم</bdi> (Bedarf"),
            "{html}"
        );
        let docx = export(&input, Format::Docx, Options::default()).expect("docx");
        let xml = document_xml(&docx);
        assert!(
            xml.contains("<w:bidi />") || xml.contains("<w:bidi/>"),
            "{xml}"
        );
        let styles = docx_part(&docx, "word/styles.xml");
        assert!(styles.contains("w:cs=\"Noto Sans Arabic\""), "{styles}");
    }

    #[test]
    fn authors_can_be_left_out() {
        let input = sample("de");
        let with = plain(&input, Format::Markdown, Options::default());
        assert!(with.contains("Name yes00001 (Diakonie)"));
        let without = plain(&input, Format::Markdown, Options { authors: false });
        assert!(!without.contains("Name yes00001 (Diakonie)"), "{without}");
        let json = text(&input, Format::Json, Options { authors: false });
        assert!(!json.contains("\"author\""));
    }

    #[test]
    fn binary_formats_render() {
        let input = sample("de");
        let pdf = export(&input, Format::Pdf, Options::default()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let docx = export(&input, Format::Docx, Options::default()).expect("docx");
        assert!(docx.starts_with(b"PK"), "a zip file");
    }

    /// A photo as the store holds it: a JPEG made by `photo::take_in`.
    fn photo(id: &str) -> Photo {
        let picture =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut upload = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut upload)
            .encode_image(&picture)
            .expect("encodes");
        let stored = crate::photo::take_in(&upload).expect("taken in");
        Photo {
            id: id.into(),
            author: "yes00001".into(),
            created_at: 7,
            width: stored.width,
            height: stored.height,
            jpeg: Arc::new(stored.jpeg),
        }
    }

    #[test]
    fn photos_are_embedded_as_they_are() {
        use base64::Engine;
        let first = photo("photo0001");
        let second = photo("photo0002");
        let input = sample("de").with_photos(vec![first.clone(), second.clone()]);
        let encoded = base64::engine::general_purpose::STANDARD.encode(first.jpeg.as_slice());
        let html = text(&input, Format::Html, Options::default());
        assert!(html.contains(&format!("src=\"data:image/jpeg;base64,{encoded}\"")));
        assert!(html.contains("<figcaption>Foto 2/2</figcaption>"), "{html}");
        let markdown = text(&input, Format::Markdown, Options::default());
        assert!(markdown.contains("## Fotos") && markdown.contains("- Foto 1/2 (64 × 48 px)"));
        let json = text(&input, Format::Json, Options::default());
        assert!(json.contains(&encoded));
        let file = json::parse(json.as_bytes()).expect("parses");
        assert_eq!(file.photos[1].jpeg, second.jpeg, "byte for byte");
        let anonymous = text(&input, Format::Json, Options { authors: false });
        assert!(!anonymous.contains("\"author\""), "no photo's author");

        let docx = export(&input, Format::Docx, Options::default()).expect("docx");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx)).expect("a zip");
        let media: Vec<String> = archive
            .file_names()
            .filter(|name| name.starts_with("word/media/"))
            .map(str::to_owned)
            .collect();
        let jpegs: Vec<&String> = media
            .iter()
            .filter(|name| name.ends_with(".jpeg"))
            .collect();
        assert_eq!(jpegs.len(), 2, "{media:?}");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(jpegs[0]).expect("part"), &mut bytes)
            .expect("reads");
        assert!(bytes == *first.jpeg || bytes == *second.jpeg);
        let relationships = docx_part(&docx, "word/_rels/document.xml.rels");
        for name in &jpegs {
            let target = name.trim_start_matches("word/");
            assert!(
                relationships.contains(&format!("Target=\"{target}\"")),
                "{relationships}"
            );
        }
        let types = docx_part(&docx, "[Content_Types].xml");
        assert!(
            types.contains("Extension=\"jpeg\" ContentType=\"image/jpeg\""),
            "{types}"
        );
        roxmltree::Document::parse(&types).expect("well-formed");
        roxmltree::Document::parse(&relationships).expect("well-formed");
        docx_parses(&docx).expect("document.xml");

        let pdf = export(&input, Format::Pdf, Options::default()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        // Without photos, nothing of them.
        let plain = text(&sample("de"), Format::Html, Options::default());
        assert!(!plain.contains("data:image/jpeg") && !plain.contains("Fotos"));
    }

    #[test]
    fn a_board_with_cards_and_a_tree_lists_each_card_once() {
        let mut input = sample("de");
        input.board.cards.push(crate::board::model::Card {
            id: "challenge1".into(),
            text: "Wer koordiniert?".into(),
            kind: "challenge".into(),
            ..Default::default()
        });
        let markdown = plain(&input, Format::Markdown, Options::default());
        assert!(markdown.contains("## Situationen und Bedarfe im Wortlaut"));
        assert!(markdown.contains("## Problem-Lösungs-Baum"));
        assert_eq!(
            markdown.matches("Wer koordiniert?").count(),
            1,
            "{markdown}"
        );
        let csv = text(&input, Format::Csv, Options::default());
        assert!(
            csv.lines()
                .next()
                .is_some_and(|header| header.ends_with("Übergeordnete Herausforderung\r")
                    || header.ends_with("Übergeordnete Herausforderung"))
        );
    }

    #[test]
    fn file_names_are_ascii() {
        let input = sample("de");
        assert_eq!(file_name(&input, Format::Pdf), "kartenwand-schmellwitz.pdf");
    }

    /// The sample board with a case of three focal points, one of them
    /// taken by a participant, and an agreement due on 31 March 2027.
    fn sample_with_case(locale: &str) -> BoardExport {
        let mut input = sample(locale);
        let doc = Doc::new();
        {
            let mut txn = doc.transact_mut();
            let meta = txn.get_or_insert_map("meta");
            meta.insert(&mut txn, "locale", locale);
            meta.insert(&mut txn, "title", "Konferenz");
            let participants = txn.get_or_insert_map("participants");
            participants.insert(
                &mut txn,
                "yes00001",
                MapPrelim::from([
                    ("name", Any::from("Name yes00001")),
                    ("sector", Any::from("traeger")),
                ]),
            );
            let cases = txn.get_or_insert_map("cases");
            cases.insert(
                &mut txn,
                "case0001",
                MapPrelim::from([
                    ("title", Any::from("Familie A.")),
                    ("framework", Any::from("asylblg")),
                ]),
            );
            let focal_points = txn.get_or_insert_map("focalPoints");
            for (id, title, order) in [
                ("focal001", "Wohnen", 0),
                ("focal002", "Sprachkurs", 1),
                ("focal003", "Arbeit", 2),
            ] {
                focal_points.insert(
                    &mut txn,
                    id,
                    MapPrelim::from([
                        ("case", Any::from("case0001")),
                        ("title", Any::from(title)),
                        ("order", Any::from(order)),
                    ]),
                );
            }
            let placements = txn.get_or_insert_map("placements");
            placements.insert(&mut txn, "yes00001:focal002", true);
            let agreements = txn.get_or_insert_map("agreements");
            agreements.insert(
                &mut txn,
                "agreement1",
                MapPrelim::from([
                    ("what", Any::from("Treffen")),
                    ("due", Any::from("2027-03-31")),
                    ("status", Any::from("confirmed")),
                    ("author", Any::from("moderator")),
                ]),
            );
        }
        input.board = Board::read(&doc.transact());
        input
    }

    #[test]
    fn focal_points_nobody_took_are_named_once_not_given_a_section_each() {
        let markdown = plain(
            &sample_with_case("de"),
            Format::Markdown,
            Options::default(),
        );
        assert!(markdown.contains("### Sprachkurs"), "{markdown}");
        assert!(!markdown.contains("### Wohnen"), "{markdown}");
        assert!(!markdown.contains("niemand"), "{markdown}");
        assert!(markdown.contains("Ohne Eintragungen"), "{markdown}");
        assert!(markdown.contains("Wohnen, Arbeit"), "{markdown}");
    }

    #[test]
    fn dates_as_the_reader_writes_them_and_never_broken() {
        let german = text(&sample_with_case("de"), Format::Html, Options::default());
        assert!(german.contains("31.03.2027"), "{german}");
        let english = text(&sample_with_case("en"), Format::Html, Options::default());
        assert!(english.contains("31\u{a0}Mar\u{a0}2027"), "{english}");
        assert_eq!(
            report::human_date(i18n::Locale::De, "2027-3-31"),
            "2027-3-31"
        );
        assert_eq!(
            report::human_date(i18n::Locale::En, "2027-13-01"),
            "2027-13-01"
        );
    }
}
