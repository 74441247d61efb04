//! PDF with `krilla`: A4 pages, Libertinus Serif (from the `typst-assets`
//! crate) embedded and subset, selectable text, the network map drawn as
//! vectors through `krilla-svg`.
//!
//! krilla draws single lines; this module does the layout: it measures words
//! with the font's advance widths (`skrifa`), wraps lines, breaks pages and
//! lays tables out in columns. Layout first produces a list of drawing
//! operations per page, then each page is drawn.

use super::ExportError;
use super::i18n::Text;
use super::report::{Block, Report};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size as FontSize};
use std::collections::HashMap;
use std::sync::Arc;

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.35;

/// The two faces we use (Regular, then Bold), the only fonts in the
/// binary: `build.rs` takes them from `typst-assets` into `OUT_DIR`.
/// Licence: `server/fonts/LICENSE-LibertinusSerif.txt` (SIL OFL 1.1).
pub(crate) fn font_data() -> (&'static [u8], &'static [u8]) {
    (
        include_bytes!(concat!(env!("OUT_DIR"), "/LibertinusSerif-Regular.otf")),
        include_bytes!(concat!(env!("OUT_DIR"), "/LibertinusSerif-Bold.otf")),
    )
}

/// Advance widths per character at size 1.
struct Metrics {
    widths: HashMap<char, f32>,
    fallback: f32,
}

impl Metrics {
    fn new(data: &[u8]) -> Result<Metrics, ExportError> {
        let font = skrifa::FontRef::new(data).map_err(|e| ExportError::Pdf(e.to_string()))?;
        let upem = f32::from(
            font.metrics(FontSize::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::unscaled(), LocationRef::default());
        let mut widths = HashMap::new();
        for (codepoint, glyph) in charmap.mappings() {
            if let Some(c) = char::from_u32(codepoint) {
                widths.insert(c, metrics.advance_width(glyph).unwrap_or(0.0) / upem);
            }
        }
        Ok(Metrics {
            widths,
            fallback: 0.5,
        })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| *self.widths.get(&c).unwrap_or(&self.fallback))
            .sum::<f32>()
            * size
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Svg {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

struct Layout<'a> {
    regular: &'a Metrics,
    bold: &'a Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn metrics(&self, face: Face) -> &Metrics {
        match face {
            Face::Regular => self.regular,
            Face::Bold => self.bold,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Greedy line breaking at spaces (not at no-break spaces); words wider
    /// than the line are cut.
    fn wrap(&self, text: &str, face: Face, size: f32, width: f32) -> Vec<String> {
        let metrics = self.metrics(face);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in words(paragraph) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if metrics.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it if it is still too wide.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if metrics.width(&piece, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// Wrapped text at `x`, `width` wide; breaks pages between lines.
    fn text(&mut self, text: &str, face: Face, size: f32, x: f32, width: f32) {
        let line_height = size * LEADING;
        for line in self.wrap(text, face, size, width) {
            self.ensure(line_height);
            self.y += line_height;
            let y = self.y - size * 0.3;
            self.push(Op::Text {
                x,
                y,
                size,
                face,
                text: line,
            });
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let size = match level {
            0 => 22.0,
            1 => 16.0,
            2 => 13.0,
            _ => 11.5,
        };
        let space_before = match level {
            0 => 0.0,
            1 => 16.0,
            _ => 9.0,
        };
        if level == 1 && self.y > MARGIN + 300.0 {
            self.new_page();
        } else {
            // Keep a heading with at least three lines after it.
            self.ensure(space_before + size * LEADING + 3.0 * BODY * LEADING);
            if self.y > MARGIN {
                self.y += space_before;
            }
        }
        self.text(text, Face::Bold, size, MARGIN, CONTENT_WIDTH);
        self.y += 3.0;
    }

    fn paragraph(&mut self, text: &str) {
        self.text(text, Face::Regular, BODY, MARGIN, CONTENT_WIDTH);
        self.y += 4.0;
    }

    fn labelled(&mut self, label: &str, text: &str) {
        if text.is_empty() {
            self.text(label, Face::Bold, BODY, MARGIN, CONTENT_WIDTH);
        } else {
            let label = format!("{label}:");
            let label_width = self.bold.width(&label, BODY) + 4.0;
            // The label on the first line, the text beside and under it.
            self.ensure(BODY * LEADING);
            let top = self.y;
            self.text(&label, Face::Bold, BODY, MARGIN, CONTENT_WIDTH);
            self.y = top;
            let indent = if label_width < CONTENT_WIDTH / 3.0 {
                label_width
            } else {
                0.0
            };
            if indent == 0.0 {
                self.y += BODY * LEADING;
            }
            self.text(
                text,
                Face::Regular,
                BODY,
                MARGIN + indent,
                CONTENT_WIDTH - indent,
            );
        }
        self.y += 3.0;
    }

    fn list(&mut self, items: &[String]) {
        for item in items {
            self.ensure(BODY * LEADING);
            let top = self.y;
            self.push(Op::Text {
                x: MARGIN + 4.0,
                y: top + BODY * LEADING - BODY * 0.3,
                size: BODY,
                face: Face::Regular,
                text: "•".into(),
            });
            self.text(
                item,
                Face::Regular,
                BODY,
                MARGIN + 16.0,
                CONTENT_WIDTH - 16.0,
            );
            self.y += 1.5;
        }
        self.y += 4.0;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        const PAD: f32 = 3.0;
        const SIZE: f32 = 9.5;
        let weights = super::report::column_weights(header, rows);
        // No column narrower than its widest word (a date, a name), within
        // a third of the page: a word is cut only where it cannot fit at all.
        let longest_words: Vec<f32> = (0..header.len())
            .map(|column| {
                std::iter::once(&header[column])
                    .chain(rows.iter().filter_map(|row| row.get(column)))
                    .flat_map(|cell| words(cell))
                    .map(|word| self.metrics(Face::Bold).width(word, SIZE) + 2.0 * PAD + 1.0)
                    .fold(0.0, f32::max)
                    .min(CONTENT_WIDTH / 3.0)
            })
            .collect();
        let widths = column_widths(&weights, &longest_words, CONTENT_WIDTH);
        let draw_row = |layout: &mut Self, cells: &[String], face: Face| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| layout.wrap(cell, face, SIZE, width - 2.0 * PAD))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * SIZE * LEADING + 2.0 * PAD;
            layout.ensure(height);
            let top = layout.y;
            let mut x = MARGIN;
            for (cell, width) in wrapped.iter().zip(&widths) {
                for (index, line) in cell.iter().enumerate() {
                    layout.push(Op::Text {
                        x: x + PAD,
                        y: top + PAD + (index as f32 + 1.0) * SIZE * LEADING - SIZE * 0.3,
                        size: SIZE,
                        face,
                        text: line.clone(),
                    });
                }
                x += width;
            }
            layout.y = top + height;
            layout.push(Op::Line {
                x1: MARGIN,
                y1: layout.y,
                x2: MARGIN + CONTENT_WIDTH,
                y2: layout.y,
            });
        };
        draw_row(self, header, Face::Bold);
        for row in rows {
            draw_row(self, row, Face::Regular);
        }
        self.y += 8.0;
    }

    fn svg(&mut self, aspect: f32) {
        let width = CONTENT_WIDTH;
        let height = width * aspect;
        self.ensure(height);
        self.push(Op::Svg {
            x: MARGIN,
            y: self.y,
            width,
            height,
        });
        self.y += height + 8.0;
    }
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(33, 33, 33).into(),
        ..Fill::default()
    }
}

pub fn render(report: &Report) -> Result<Vec<u8>, ExportError> {
    let (regular_data, bold_data) = font_data();
    let regular_metrics = Metrics::new(regular_data)?;
    let bold_metrics = Metrics::new(bold_data)?;
    let regular = Font::new(regular_data.into(), 0)
        .ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
    let bold = Font::new(bold_data.into(), 0)
        .ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
    let tree = parse_svg(&report.network_svg)?;
    let aspect = tree.size().height() / tree.size().width();

    let mut layout = Layout {
        regular: &regular_metrics,
        bold: &bold_metrics,
        pages: Vec::new(),
        y: MARGIN,
    };
    layout.new_page();
    layout.heading(0, &report.title);
    layout.paragraph(&report.subtitle);
    for block in &report.blocks {
        match block {
            Block::Heading(level, text) => layout.heading(*level, text),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Labelled(label, text) => layout.labelled(label, text),
            Block::List(items) => layout.list(items),
            Block::Table { header, rows } => layout.table(header, rows),
            Block::NetworkMap => layout.svg(aspect),
        }
    }

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title.clone())
            .language(report.locale.code().to_owned()),
    );
    let page_count = layout.pages.len();
    let page_label = Text::Page.get(report.locale);
    for (number, ops) in layout.pages.into_iter().enumerate() {
        let settings = PageSettings::new(
            Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or_else(|| ExportError::Pdf("page size".into()))?,
        );
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.set_fill(Some(black()));
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    face,
                    text,
                } => {
                    let font = match face {
                        Face::Regular => regular.clone(),
                        Face::Bold => bold.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font,
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(x1, y1);
                    builder.line_to(x2, y2);
                    if let Some(path) = builder.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(189, 189, 189).into(),
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(black()));
                    }
                }
                Op::Svg {
                    x,
                    y,
                    width,
                    height,
                } => {
                    surface.push_transform(&Transform::from_translate(x, y));
                    if let Some(size) = Size::from_wh(width, height) {
                        surface.draw_svg(&tree, size, SvgSettings::default());
                    }
                    surface.pop();
                    surface.set_fill(Some(black()));
                }
            }
        }
        let footer = format!(
            "{} · {page_label} {} / {page_count}",
            report.title,
            number + 1
        );
        let footer: String = footer.chars().take(110).collect();
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN / 2.0),
            regular.clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| ExportError::Pdf(format!("{error:?}")))
}

/// The fonts of the network map's SVG: the ones the PDF embeds.
pub(crate) fn font_database() -> Arc<resvg::usvg::fontdb::Database> {
    let mut database = resvg::usvg::fontdb::Database::new();
    let (regular, bold) = font_data();
    database.load_font_data(regular.to_vec());
    database.load_font_data(bold.to_vec());
    database.set_serif_family("Libertinus Serif");
    Arc::new(database)
}

/// Parses our own SVG with the embedded fonts.
pub(crate) fn parse_svg(svg: &str) -> Result<resvg::usvg::Tree, ExportError> {
    let options = resvg::usvg::Options {
        fontdb: font_database(),
        font_family: "Libertinus Serif".to_owned(),
        ..resvg::usvg::Options::default()
    };
    resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|error| ExportError::NetworkMap(error.to_string()))
}

/// The words of `text`: split at white space other than the no-break
/// spaces (U+00A0, U+202F) that hold a date or a number together.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}')
        .filter(|word| !word.is_empty())
}

/// Column widths summing to `total`: in proportion to `weights`, but none
/// below its `minimum` (taken from the columns that have room to spare).
fn column_widths(weights: &[f32], minimum: &[f32], total: f32) -> Vec<f32> {
    let sum: f32 = weights.iter().sum::<f32>().max(1.0);
    let mut widths: Vec<f32> = weights.iter().map(|w| total * w / sum).collect();
    // A few rounds: raising one column may push another below its minimum.
    for _ in 0..widths.len() {
        let short: f32 = widths
            .iter()
            .zip(minimum)
            .map(|(width, min)| (min - width).max(0.0))
            .sum();
        let spare: f32 = widths
            .iter()
            .zip(minimum)
            .map(|(width, min)| (width - min).max(0.0))
            .sum();
        if short <= 0.0 || spare <= 0.0 {
            break;
        }
        let take = (short / spare).min(1.0);
        for (width, min) in widths.iter_mut().zip(minimum) {
            if *width < *min {
                *width = *min;
            } else {
                *width -= (*width - min) * take;
            }
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;
    use skrifa::string::StringId;

    #[test]
    fn the_fonts_are_libertinus_regular_and_bold() {
        let (regular, bold) = font_data();
        let full_name = |data: &[u8]| -> String {
            skrifa::FontRef::new(data)
                .expect("a font")
                .localized_strings(StringId::FULL_NAME)
                .english_or_first()
                .expect("a name")
                .chars()
                .collect()
        };
        assert!(full_name(regular).starts_with("Libertinus Serif"));
        assert!(!full_name(regular).contains("Bold"));
        assert!(full_name(bold).contains("Bold"), "{}", full_name(bold));
    }

    #[test]
    fn lines_wrap_within_the_width() {
        let (regular, bold) = font_data();
        let (regular, bold) = (
            Metrics::new(regular).expect("metrics"),
            Metrics::new(bold).expect("metrics"),
        );
        let layout = Layout {
            regular: &regular,
            bold: &bold,
            pages: Vec::new(),
            y: MARGIN,
        };
        let text = "Für Familien fehlen Kita-Plätze und Sprachkurse in der Nähe. ".repeat(5);
        let lines = layout.wrap(&text, Face::Regular, BODY, 200.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| regular.width(l, BODY) <= 200.0));
        assert_eq!(normalise(&lines.join(" ")), normalise(&text));
    }

    fn normalise(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn no_column_narrower_than_its_widest_word() {
        // A long "what" would squeeze the date column under its date.
        let widths = column_widths(&[60.0, 20.0, 8.0, 9.0], &[40.0, 30.0, 55.0, 35.0], 480.0);
        assert!(
            (widths.iter().sum::<f32>() - 480.0).abs() < 0.1,
            "{widths:?}"
        );
        for (width, min) in widths.iter().zip([40.0, 30.0, 55.0, 35.0]) {
            assert!(*width >= min - 0.01, "{widths:?}");
        }
        assert!(
            widths[0] > widths[1],
            "the long column stays widest: {widths:?}"
        );
        assert_eq!(words("31\u{a0}Mar\u{a0}2027 bis\tdann").count(), 3);
    }
}
