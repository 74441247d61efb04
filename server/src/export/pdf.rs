//! PDF with `krilla`: A4 pages, selectable text in the faces of
//! [`super::fonts`] (Libertinus Serif, with Noto faces for Arabic, Ethiopic
//! and emoji) embedded and subset, the network map drawn as vectors
//! through `krilla-svg`.
//!
//! krilla draws glyphs; this module does the layout. Each paragraph goes
//! through the Unicode bidirectional algorithm ([`super::bidi`]); its words
//! are split into runs of one face and one direction, shaped with
//! rustybuzz ([`super::fonts::Fonts::shape`]) and measured by their shaped
//! advances; lines wrap at spaces, then each line's runs are put in visual
//! order (a right-to-left paragraph's lines are right-aligned). Layout
//! first produces a list of drawing operations per page, then each page is
//! drawn.

use super::ExportError;
use super::bidi;
use super::fonts::{FACES, Fonts, Shaped, Weight};
use super::i18n::Text;
use super::report::{Block, Figure, Report};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::Font;
use krilla_svg::{SurfaceExt, SvgSettings};
use std::ops::Range;
use std::sync::Arc;

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.35;
/// A photo's height at most (two rows of landscape photos, or one of
/// portrait ones, to a page).
const PHOTO_HEIGHT: f32 = 300.0;
/// How far each level of a nested list is indented.
const LEVEL_INDENT: f32 = 14.0;

/// One shaped run of a line with the text its glyphs point into.
struct Run {
    shaped: Shaped,
    text: String,
}

/// One line, ready to draw: runs left to right.
struct Line {
    runs: Vec<Run>,
    /// Width at the line's size.
    width: f32,
    /// Right-aligned: its paragraph is right to left.
    rtl: bool,
    /// The line's text in logical order (tests read it).
    #[cfg_attr(not(test), allow(dead_code))]
    text: String,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        line: Line,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Image {
        /// Index into the report's photos, in order.
        image: usize,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    Svg {
        /// Index into the parsed drawings (0: the network map).
        svg: usize,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// A paragraph's text as it is laid out: white space (other than the
/// no-break spaces that hold a date together) and the algorithm's own
/// paragraph and segment separators become single spaces.
fn normalise(paragraph: &str) -> String {
    let mut out = String::with_capacity(paragraph.len());
    for c in paragraph.chars() {
        let space = (c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}')
            || matches!(
                unicode_bidi::bidi_class(c),
                unicode_bidi::BidiClass::B | unicode_bidi::BidiClass::S
            )
            || c.is_control();
        if space {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The byte ranges of the words of a normalised paragraph.
fn word_ranges(paragraph: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (index, c) in paragraph.char_indices() {
        if c == ' ' {
            if index > start {
                ranges.push(start..index);
            }
            start = index + 1;
        }
    }
    if paragraph.len() > start {
        ranges.push(start..paragraph.len());
    }
    ranges
}

/// A paragraph ready to be broken into lines.
struct Prepared<'t> {
    text: &'t str,
    bidi: bidi::Paragraph<'t>,
    /// Each character's face, as runs in logical order (bidi controls in
    /// none).
    faces: Vec<(usize, Range<usize>)>,
    /// The shaped advance at size 1 of the cluster starting at each byte.
    advances: Vec<f32>,
}

impl Prepared<'_> {
    fn width(&self, range: Range<usize>) -> f32 {
        self.advances.get(range).map_or(0.0, |a| a.iter().sum())
    }
}

struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
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

    /// Runs the bidi algorithm over a paragraph, picks each character's
    /// face and shapes it once, to measure.
    fn prepare<'t>(&self, text: &'t str, weight: Weight) -> Prepared<'t> {
        let bidi = bidi::Paragraph::new(text);
        let faces = self.fonts.face_runs(text, weight);
        let mut advances = vec![0.0; text.len()];
        for (face, range) in &faces {
            let mut start = range.start;
            while start < range.end {
                let rtl = bidi.is_rtl_at(start);
                let end = text[start..range.end]
                    .char_indices()
                    .map(|(offset, _)| start + offset)
                    .find(|index| bidi.is_rtl_at(*index) != rtl)
                    .unwrap_or(range.end);
                for glyph in self.fonts.shape(*face, &text[start..end], rtl).glyphs {
                    if let Some(advance) = advances.get_mut(start + glyph.text_range.start) {
                        *advance += glyph.x_advance;
                    }
                }
                start = end;
            }
        }
        Prepared {
            text,
            bidi,
            faces,
            advances,
        }
    }

    /// Greedy line breaking at spaces (not at no-break spaces); words wider
    /// than the line are cut (never before a joiner or a mark).
    fn line_ranges(prepared: &Prepared, size: f32, width: f32) -> Vec<Range<usize>> {
        let text = prepared.text;
        let mut lines = Vec::new();
        let mut current: Option<(usize, usize, f32)> = None;
        for word in word_ranges(text) {
            let word_width = prepared.width(word.clone()) * size;
            if let Some((start, end, line_width)) = current {
                let space = prepared.width(end..word.start) * size;
                if line_width + space + word_width <= width {
                    current = Some((start, word.end, line_width + space + word_width));
                    continue;
                }
                lines.push(start..end);
            }
            if word_width <= width {
                current = Some((word.start, word.end, word_width));
                continue;
            }
            // The word alone is too wide: cut it.
            let mut piece_start = word.start;
            let mut piece_width = 0.0;
            for (offset, c) in text[word.clone()].char_indices() {
                let index = word.start + offset;
                let char_width = prepared.width(index..index + c.len_utf8()) * size;
                if piece_width + char_width > width
                    && index > piece_start
                    && !super::fonts::extends(c)
                {
                    lines.push(piece_start..index);
                    piece_start = index;
                    piece_width = 0.0;
                }
                piece_width += char_width;
            }
            current = Some((piece_start, word.end, piece_width));
        }
        if let Some((start, end, _)) = current {
            lines.push(start..end);
        }
        lines
    }

    /// The runs of one line in visual order, shaped: each direction run
    /// of the line, cut where the face changes.
    fn line(&self, prepared: &Prepared, range: Range<usize>, size: f32) -> Line {
        let text = prepared.text;
        let mut runs = Vec::new();
        for direction in prepared.bidi.visual_runs(range.clone()) {
            let mut pieces: Vec<(usize, Range<usize>)> = prepared
                .faces
                .iter()
                .filter_map(|(face, face_range)| {
                    let start = face_range.start.max(direction.range.start);
                    let end = face_range.end.min(direction.range.end);
                    (start < end).then_some((*face, start..end))
                })
                .collect();
            if direction.rtl {
                pieces.reverse();
            }
            for (face, piece) in pieces {
                let run_text = &text[piece];
                runs.push(Run {
                    shaped: self.fonts.shape(face, run_text, direction.rtl),
                    text: run_text.to_owned(),
                });
            }
        }
        Line {
            width: runs.iter().map(|run| run.shaped.width).sum::<f32>() * size,
            runs,
            rtl: prepared.bidi.rtl,
            text: text[range].to_owned(),
        }
    }

    /// `text` broken into lines `width` wide; each `\n` starts a paragraph.
    fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        for raw in text.split('\n') {
            let normalised = normalise(raw);
            let prepared = self.prepare(&normalised, weight);
            let ranges = Self::line_ranges(&prepared, size, width);
            if ranges.is_empty() {
                lines.push(self.line(&prepared, 0..0, size));
            }
            for range in ranges {
                lines.push(self.line(&prepared, range, size));
            }
        }
        lines
    }

    /// A line's x: right-aligned in `width` when its paragraph is right
    /// to left.
    fn aligned(line: &Line, x: f32, width: f32) -> f32 {
        if line.rtl {
            x + (width - line.width).max(0.0)
        } else {
            x
        }
    }

    /// Wrapped text at `x`, `width` wide; breaks pages between lines.
    fn text(&mut self, text: &str, weight: Weight, size: f32, x: f32, width: f32) {
        let line_height = size * LEADING;
        for line in self.wrap(text, weight, size, width) {
            self.ensure(line_height);
            self.y += line_height;
            let y = self.y - size * 0.3;
            self.push(Op::Text {
                x: Self::aligned(&line, x, width),
                y,
                size,
                line,
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
        self.text(text, Weight::Bold, size, MARGIN, CONTENT_WIDTH);
        self.y += 3.0;
    }

    fn paragraph(&mut self, text: &str) {
        self.text(text, Weight::Regular, BODY, MARGIN, CONTENT_WIDTH);
        self.y += 4.0;
    }

    fn labelled(&mut self, label: &str, text: &str) {
        if text.is_empty() {
            self.text(label, Weight::Bold, BODY, MARGIN, CONTENT_WIDTH);
        } else {
            let label = format!("{label}:");
            let label_width = self.fonts.width(&label, Weight::Bold, false) * BODY + 4.0;
            // The label on the first line, the text beside and under it.
            self.ensure(BODY * LEADING);
            let top = self.y;
            self.text(&label, Weight::Bold, BODY, MARGIN, CONTENT_WIDTH);
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
                Weight::Regular,
                BODY,
                MARGIN + indent,
                CONTENT_WIDTH - indent,
            );
        }
        self.y += 3.0;
    }

    /// A bulleted list; a right-to-left item has its bullet on the right.
    fn list(&mut self, items: &[String]) {
        for item in items {
            self.item(0, item);
        }
        self.y += 4.0;
    }

    /// A nested list: each level indented by [`LEVEL_INDENT`].
    fn outline(&mut self, items: &[(usize, String)]) {
        for (depth, item) in items {
            self.item(*depth, item);
        }
        self.y += 4.0;
    }

    /// One item of a list, `depth` levels in.
    fn item(&mut self, depth: usize, item: &str) {
        const INDENT: f32 = 16.0;
        let level = depth as f32 * LEVEL_INDENT;
        let width = CONTENT_WIDTH - INDENT - level;
        self.ensure(BODY * LEADING);
        let top = self.y;
        let rtl = bidi::is_rtl(item);
        let bullet = ["•", "–", "·"][depth % 3];
        if let Some(bullet) = self
            .wrap(bullet, Weight::Regular, BODY, CONTENT_WIDTH)
            .pop()
        {
            let x = if rtl {
                MARGIN + CONTENT_WIDTH - level - 4.0 - bullet.width
            } else {
                MARGIN + level + 4.0
            };
            self.push(Op::Text {
                x,
                y: top + BODY * LEADING - BODY * 0.3,
                size: BODY,
                line: bullet,
            });
        }
        let x = if rtl { MARGIN } else { MARGIN + level + INDENT };
        self.text(item, Weight::Regular, BODY, x, width);
        self.y += 1.5;
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
                    .map(|word| {
                        let rtl = bidi::is_rtl(word);
                        self.fonts.width(word, Weight::Bold, rtl) * SIZE + 2.0 * PAD + 1.0
                    })
                    .fold(0.0, f32::max)
                    .min(CONTENT_WIDTH / 3.0)
            })
            .collect();
        let widths = column_widths(&weights, &longest_words, CONTENT_WIDTH);
        let draw_row = |layout: &mut Self, cells: &[String], face: Weight| {
            let wrapped: Vec<Vec<Line>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| layout.wrap(cell, face, SIZE, width - 2.0 * PAD))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * SIZE * LEADING + 2.0 * PAD;
            layout.ensure(height);
            let top = layout.y;
            let mut x = MARGIN;
            for (cell, width) in wrapped.into_iter().zip(&widths) {
                for (index, line) in cell.into_iter().enumerate() {
                    layout.push(Op::Text {
                        x: Self::aligned(&line, x + PAD, width - 2.0 * PAD),
                        y: top + PAD + (index as f32 + 1.0) * SIZE * LEADING - SIZE * 0.3,
                        size: SIZE,
                        line,
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
        draw_row(self, header, Weight::Bold);
        for row in rows {
            draw_row(self, row, Weight::Regular);
        }
        self.y += 8.0;
    }

    /// Photos two to a row, each scaled into its half of the column (and
    /// to at most [`PHOTO_HEIGHT`]), its caption under it. `first` is the
    /// index of the first one among all the report's photos.
    fn photos(&mut self, figures: &[Figure], first: usize) {
        const GAP: f32 = 12.0;
        const CAPTION: f32 = 9.0;
        let column = (CONTENT_WIDTH - GAP) / 2.0;
        for (row, pair) in figures.chunks(2).enumerate() {
            let sizes: Vec<(f32, f32)> = pair
                .iter()
                .map(|figure| {
                    let aspect = if figure.width > 0 && figure.height > 0 {
                        figure.height as f32 / figure.width as f32
                    } else {
                        0.75
                    };
                    if column * aspect > PHOTO_HEIGHT {
                        (PHOTO_HEIGHT / aspect, PHOTO_HEIGHT)
                    } else {
                        (column, column * aspect)
                    }
                })
                .collect();
            let tallest = sizes.iter().map(|(_, h)| *h).fold(0.0, f32::max);
            let height = tallest + CAPTION * LEADING + 4.0;
            self.ensure(height);
            let top = self.y;
            for (index, (figure, (width, image_height))) in pair.iter().zip(sizes).enumerate() {
                let left = MARGIN + index as f32 * (column + GAP);
                self.push(Op::Image {
                    image: first + row * 2 + index,
                    x: left + (column - width) / 2.0,
                    y: top + tallest - image_height,
                    width,
                    height: image_height,
                });
                if let Some(line) = self
                    .wrap(&figure.caption, Weight::Regular, CAPTION, column)
                    .into_iter()
                    .next()
                {
                    self.push(Op::Text {
                        x: left,
                        y: top + tallest + CAPTION * LEADING - CAPTION * 0.3 + 2.0,
                        size: CAPTION,
                        line,
                    });
                }
            }
            self.y = top + height + GAP;
        }
    }

    /// A drawing across the column, on this page if it fits, else on the
    /// next; one taller than a page is made smaller, centred, to fit the
    /// rest of this page (when that is at least half a page) or the next.
    fn svg(&mut self, svg: usize, aspect: f32) {
        let page = BOTTOM - MARGIN;
        let full = CONTENT_WIDTH * aspect;
        let room = BOTTOM - self.y;
        let height = if full <= room {
            full
        } else if full <= page {
            self.new_page();
            full
        } else if room >= page / 2.0 {
            room
        } else {
            self.new_page();
            page
        };
        let width = (height / aspect).min(CONTENT_WIDTH);
        self.push(Op::Svg {
            svg,
            x: MARGIN + (CONTENT_WIDTH - width) / 2.0,
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
    let fonts = Fonts::new().ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
    let pdf_fonts = FACES
        .iter()
        .map(|face| Font::new(face.data.into(), 0))
        .collect::<Option<Vec<Font>>>()
        .ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
    // The network map, then every drawing of the report, parsed once.
    let mut drawings = vec![parse_svg(&report.network_svg)?];
    let aspect = |tree: &resvg::usvg::Tree| tree.size().height() / tree.size().width();
    let mut images: Vec<Option<Image>> = Vec::new();

    let mut layout = Layout {
        fonts: &fonts,
        pages: Vec::new(),
        y: MARGIN,
    };
    layout.new_page();
    layout.heading(0, &report.title);
    layout.paragraph(&report.subtitle);
    for (index, block) in report.blocks.iter().enumerate() {
        match block {
            Block::Heading(level, text) => {
                // A section that opens with a drawing (the tree) keeps its
                // heading and introduction on the drawing's page.
                if let (Some(Block::Paragraph(_)), Some(Block::Drawing(svg))) =
                    (report.blocks.get(index + 1), report.blocks.get(index + 2))
                {
                    let drawing = parse_svg(svg)?;
                    let opening = 80.0;
                    let height = (CONTENT_WIDTH * aspect(&drawing)).min(BOTTOM - MARGIN - opening);
                    layout.ensure(height + opening);
                }
                layout.heading(*level, text)
            }
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Labelled(label, text) => layout.labelled(label, text),
            Block::List(items) => layout.list(items),
            Block::Table { header, rows } => layout.table(header, rows),
            Block::NetworkMap => layout.svg(0, aspect(&drawings[0])),
            Block::Drawing(svg) => {
                let drawing = parse_svg(svg)?;
                layout.svg(drawings.len(), aspect(&drawing));
                drawings.push(drawing);
            }
            Block::Outline(items) => layout.outline(items),
            Block::Photos(figures) => {
                layout.photos(figures, images.len());
                // The JPEG goes into the PDF as it is (DCTDecode): krilla
                // reads its header, never its pixels. One it cannot read
                // is left out; its caption stays.
                images.extend(figures.iter().map(|figure| {
                    Image::from_jpeg(krilla::Data::from(figure.jpeg.clone()), true).ok()
                }));
            }
        }
    }

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title.clone())
            .language(report.locale.code().to_owned()),
    );
    let page_count = layout.pages.len();
    let pages = std::mem::take(&mut layout.pages);
    let page_label = Text::Page.get(report.locale);
    for (number, ops) in pages.into_iter().enumerate() {
        let settings = PageSettings::new(
            Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or_else(|| ExportError::Pdf("page size".into()))?,
        );
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.set_fill(Some(black()));
        for op in ops {
            match op {
                Op::Text { x, y, size, line } => {
                    draw_line(&mut surface, &pdf_fonts, x, y, size, &line)
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
                Op::Image {
                    image,
                    x,
                    y,
                    width,
                    height,
                } => {
                    if let (Some(Some(image)), Some(size)) =
                        (images.get(image), Size::from_wh(width, height))
                    {
                        surface.push_transform(&Transform::from_translate(x, y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
                Op::Svg {
                    svg,
                    x,
                    y,
                    width,
                    height,
                } => {
                    surface.push_transform(&Transform::from_translate(x, y));
                    if let (Some(size), Some(tree)) =
                        (Size::from_wh(width, height), drawings.get(svg))
                    {
                        surface.draw_svg(tree, size, SvgSettings::default());
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
        if let Some(line) = layout_footer(&fonts, &footer) {
            draw_line(
                &mut surface,
                &pdf_fonts,
                MARGIN,
                PAGE_HEIGHT - MARGIN / 2.0,
                8.0,
                &line,
            );
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| ExportError::Pdf(format!("{error:?}")))
}

/// The faces and the shaping of this module, for other single documents
/// (the printed material, `material.rs`): wrapped lines in every script,
/// in visual order, drawn like the report's.
pub(super) struct TextPen {
    fonts: Fonts,
    pdf_fonts: Vec<Font>,
}

impl TextPen {
    pub(super) fn new() -> Result<TextPen, ExportError> {
        let fonts = Fonts::new().ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
        let pdf_fonts = FACES
            .iter()
            .map(|face| Font::new(face.data.into(), 0))
            .collect::<Option<Vec<Font>>>()
            .ok_or_else(|| ExportError::Pdf("font cannot be read".into()))?;
        Ok(TextPen { fonts, pdf_fonts })
    }

    /// Draws `text` wrapped into `width` from `x`, the first line's top at
    /// `y` (right to left paragraphs right-aligned); at most `max_lines`
    /// lines. Returns the height used.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn draw(
        &self,
        surface: &mut krilla::surface::Surface,
        text: &str,
        bold: bool,
        size: f32,
        x: f32,
        y: f32,
        width: f32,
        max_lines: usize,
    ) -> f32 {
        let layout = Layout {
            fonts: &self.fonts,
            pages: Vec::new(),
            y: MARGIN,
        };
        let weight = if bold { Weight::Bold } else { Weight::Regular };
        let line_height = size * LEADING;
        let mut used = 0.0;
        for line in layout
            .wrap(text, weight, size, width)
            .into_iter()
            .take(max_lines.max(1))
        {
            used += line_height;
            let baseline = y + used - size * 0.3;
            draw_line(
                surface,
                &self.pdf_fonts,
                Layout::aligned(&line, x, width),
                baseline,
                size,
                &line,
            );
        }
        used
    }
}

/// The footer: one line of the smaller size.
fn layout_footer(fonts: &Fonts, footer: &str) -> Option<Line> {
    let layout = Layout {
        fonts,
        pages: Vec::new(),
        y: MARGIN,
    };
    layout
        .wrap(footer, Weight::Regular, 8.0, f32::INFINITY)
        .into_iter()
        .next()
}

/// Draws a line's runs from `x` to the right.
///
/// Each cluster's first glyph (its base, see
/// [`super::fonts::Fonts::shape`]) is drawn as text and carries the
/// cluster's characters; the other glyphs of a cluster (the dots and marks
/// Noto Sans Arabic draws apart from the letter) are drawn as outlines.
/// Text extraction (poppler's `pdftotext`, a viewer's selection) takes a
/// glyph drawn at the same place as the one before it for duplicated text
/// and breaks the word there: outlines are not text, so Arabic words come
/// out whole.
fn draw_line(
    surface: &mut krilla::surface::Surface,
    fonts: &[Font],
    x: f32,
    y: f32,
    size: f32,
    line: &Line,
) {
    let mut x = x;
    for run in &line.runs {
        let Some(font) = fonts.get(run.shaped.face) else {
            continue;
        };
        let mut bases = Vec::with_capacity(run.shaped.glyphs.len());
        let mut marks = Vec::new();
        let mut pen = 0.0;
        let mut previous: Option<&Range<usize>> = None;
        for glyph in &run.shaped.glyphs {
            if previous == Some(&glyph.text_range) {
                marks.push((pen, glyph.clone()));
            } else {
                bases.push(glyph.clone());
            }
            previous = Some(&glyph.text_range);
            pen += glyph.x_advance * size;
        }
        surface.draw_glyphs(
            Point::from_xy(x, y),
            &bases,
            font.clone(),
            &run.text,
            size,
            false,
        );
        for (offset, mark) in marks {
            surface.draw_glyphs(
                Point::from_xy(x + offset, y),
                &[mark],
                font.clone(),
                &run.text,
                size,
                true,
            );
        }
        x += run.shaped.width * size;
    }
}

/// The fonts of the network map's SVG: the ones the PDF embeds, so a
/// label in Arabic or with an emoji finds its face.
pub(crate) fn font_database() -> Arc<resvg::usvg::fontdb::Database> {
    let mut database = resvg::usvg::fontdb::Database::new();
    for face in &FACES {
        database.load_font_data(face.data.to_vec());
    }
    database.set_serif_family(FACES[0].family);
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
    use skrifa::MetadataProvider;
    use skrifa::string::StringId;

    #[test]
    fn the_fonts_are_libertinus_regular_and_bold() {
        let (regular, bold) = (FACES[0].data, FACES[1].data);
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

    fn layout(fonts: &Fonts) -> Layout<'_> {
        Layout {
            fonts,
            pages: Vec::new(),
            y: MARGIN,
        }
    }

    #[test]
    fn lines_wrap_within_the_width() {
        let fonts = Fonts::new().expect("fonts");
        let layout = layout(&fonts);
        let text = "Für Familien fehlen Kita-Plätze und Sprachkurse in der Nähe. ".repeat(5);
        let lines = layout.wrap(&text, Weight::Regular, BODY, 200.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| l.width <= 200.0));
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(single_spaces(&joined.join(" ")), single_spaces(&text));
    }

    #[test]
    fn arabic_wraps_and_every_script_is_drawn_with_a_glyph() {
        let fonts = Fonts::new().expect("fonts");
        let layout = layout(&fonts);
        for sample in super::super::fonts::SAMPLES {
            let text = format!("{sample} {sample} {sample}");
            for weight in [Weight::Regular, Weight::Bold] {
                let lines = layout.wrap(&text, weight, BODY, 150.0);
                assert!(lines.len() > 1, "{sample}");
                for line in &lines {
                    assert!(line.width <= 150.0, "{}", line.text);
                    for run in &line.runs {
                        assert!(
                            run.shaped.glyph_ids.iter().all(|id| *id != 0),
                            "{:?} has a missing glyph",
                            run.text
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_mixed_line_is_drawn_in_visual_order() {
        // The card line of an Arabic card: a left-to-right paragraph (the
        // German starts it), the Arabic one right-to-left run after it.
        let fonts = Fonts::new().expect("fonts");
        let layout = layout(&fonts);
        let text = format!("(Bedarf, Freie Träger, {})", bidi::isolate("مرحبا بكم"));
        let lines = layout.wrap(&text, Weight::Regular, BODY, CONTENT_WIDTH);
        let [line] = lines.as_slice() else {
            panic!("one line: {}", lines.len());
        };
        assert!(!line.rtl);
        let runs: Vec<&str> = line.runs.iter().map(|run| run.text.as_str()).collect();
        assert_eq!(runs, ["(Bedarf, Freie Träger, ", "مرحبا بكم", ")"]);
        // The Arabic run's glyphs are in visual order: its first glyph
        // is the last letter.
        let arabic = &line.runs[1].shaped.glyphs;
        assert!(
            arabic.first().map(|g| g.text_range.start) > arabic.last().map(|g| g.text_range.start)
        );

        // A card that starts with Arabic: a right-to-left paragraph,
        // right-aligned, the German to the left of the Arabic.
        let text = format!("{} (Bedarf, Freie Träger)", bidi::isolate("مرحبا بكم"));
        let lines = layout.wrap(&text, Weight::Regular, BODY, CONTENT_WIDTH);
        let [line] = lines.as_slice() else {
            panic!("one line: {}", lines.len());
        };
        assert!(line.rtl);
        let runs: Vec<&str> = line.runs.iter().map(|run| run.text.as_str()).collect();
        let german = runs
            .iter()
            .position(|run| run.contains("Bedarf, Freie Träger"));
        let arabic = runs.iter().position(|run| run.contains("مرحبا بكم"));
        assert!(german.is_some() && german < arabic, "{runs:?}");
    }

    #[test]
    fn an_unclosed_override_flips_only_its_own_field() {
        let fonts = Fonts::new().expect("fonts");
        let layout = layout(&fonts);
        let text = format!("{} (Bedarf)", bidi::isolate("abc\u{202e}def"));
        let lines = layout.wrap(&text, Weight::Regular, BODY, CONTENT_WIDTH);
        let runs: Vec<&str> = lines[0].runs.iter().map(|run| run.text.as_str()).collect();
        assert_eq!(runs, ["abc", "def", " (Bedarf)"]);
        let glyph_order = |run: &Run| -> Vec<usize> {
            run.shaped
                .glyphs
                .iter()
                .map(|g| g.text_range.start)
                .collect()
        };
        assert_eq!(glyph_order(&lines[0].runs[1]), [2, 1, 0]);
        assert_eq!(glyph_order(&lines[0].runs[2]), (0..9).collect::<Vec<_>>());
    }

    fn single_spaces(text: &str) -> String {
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
