//! DOCX with `docx-rs`: heading styles Word and LibreOffice recognise
//! (Heading 1–3, so both build a navigation pane), tables, and the network
//! map as a PNG rendered with `resvg` (DOCX has no portable SVG).
//!
//! The photos are the stored JPEGs as parts `word/media/*.jpeg` of their
//! own. docx-rs 0.4 names every picture part `.png`, so each photo goes
//! through it as a small placeholder and [`with_jpeg_parts`] puts the
//! JPEG in its place afterwards: the part renamed, its relationship's
//! target and the package's content types to match.
//!
//! Right-to-left text: a paragraph whose first strong character is
//! right to left ([`super::bidi::is_rtl`]) gets `w:bidi`; each paragraph is
//! split into runs of one direction by the bidi algorithm (the controls of
//! the report's isolates are not written), and the document's default
//! fonts name a complex-script font (`w:cs`, Noto Sans Arabic) and an East
//! Asian one beside the Latin one. docx-rs 0.4 cannot write `w:rtl` on a
//! run; Word and LibreOffice order the runs by their characters.

use super::ExportError;
use super::bidi;
use super::pdf::parse_svg;
use super::report::{Block, Report};
use docx_rs::{
    Docx, LineSpacing, PageMargin, Paragraph, Pic, Run, RunFonts, Shading, SpecialIndentType,
    Style, StyleType, Table, TableCell, TableLayoutType, TableRow, WidthType,
};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::sync::Arc;

/// Pixels per SVG unit of the map's PNG (sharp enough for print).
const MAP_SCALE: f32 = 1.5;
/// A4 in twentieths of a point, with 2 cm margins.
const PAGE_WIDTH_TWIPS: u32 = 11_906;
const PAGE_HEIGHT_TWIPS: u32 = 16_838;
const MARGIN_TWIPS: u32 = 1_134;
const CONTENT_WIDTH_TWIPS: u32 = PAGE_WIDTH_TWIPS - 2 * MARGIN_TWIPS;
/// The same content width in EMU (one twip is 635 EMU).
const CONTENT_WIDTH_EMU: f32 = CONTENT_WIDTH_TWIPS as f32 * 635.0;
/// A photo's size at most: most of the column's width, 11 cm high (two
/// landscape photos with their captions to a page).
const PHOTO_WIDTH_EMU: f32 = CONTENT_WIDTH_EMU * 0.85;
const PHOTO_HEIGHT_EMU: f32 = 11.0 * 360_000.0;
/// What a photo's part holds until [`with_jpeg_parts`] puts the JPEG in.
const PLACEHOLDER: &[u8] = b"kartenwand-photo:";

fn heading_style(level: u8, size_half_points: usize, before_twips: u32) -> Style {
    Style::new(format!("Heading{level}"), StyleType::Paragraph)
        .name(format!("heading {level}"))
        .based_on("Normal")
        .next("Normal")
        .size(size_half_points)
        .bold()
        .line_spacing(LineSpacing::new().before(before_twips).after(100))
}

/// The Latin, complex-script (Arabic, Farsi) and East Asian fonts: the
/// document's defaults, so every run has them. The Latin one has the metrics of the Times New Roman a
/// reader's Word substitutes; Ethiopic and emoji are left to the reader's
/// font fallback.
fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Liberation Serif")
        .hi_ansi("Liberation Serif")
        .cs("Noto Sans Arabic")
        .east_asia("Noto Sans CJK JP")
}

/// `text` as runs of one direction each, in logical order, without bidi
/// controls (the fonts are the document's defaults, [`fonts`]).
fn runs(text: &str, bold: bool) -> Vec<Run> {
    let paragraph = bidi::Paragraph::new(text);
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut current_rtl = false;
    let mut push = |piece: &mut String| {
        if !piece.is_empty() {
            let run = Run::new().add_text(std::mem::take(piece));
            runs.push(if bold { run.bold() } else { run });
        }
    };
    for (index, c) in text.char_indices() {
        if bidi::is_control(c) {
            continue;
        }
        let rtl = paragraph.is_rtl_at(index);
        if rtl != current_rtl {
            push(&mut current);
            current_rtl = rtl;
        }
        current.push(c);
    }
    push(&mut current);
    runs
}

/// A paragraph of `text`: right to left when its text is.
fn paragraph(text: &str, bold: bool) -> Paragraph {
    let mut paragraph = runs(text, bold)
        .into_iter()
        .fold(Paragraph::new(), Paragraph::add_run);
    if bidi::is_rtl(text) {
        paragraph.property = paragraph.property.bidi(true);
    }
    paragraph
}

fn text_paragraph(text: &str) -> Paragraph {
    paragraph(text, false).line_spacing(LineSpacing::new().after(100))
}

/// The network map as a PNG, with its size in pixels.
pub(crate) fn network_png(svg: &str) -> Result<(Vec<u8>, u32, u32), ExportError> {
    let tree = parse_svg(svg)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(MAP_SCALE)
        .ok_or_else(|| ExportError::NetworkMap("map size".into()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ExportError::NetworkMap("map size".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(MAP_SCALE, MAP_SCALE),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|error| ExportError::NetworkMap(error.to_string()))?;
    Ok((png, size.width(), size.height()))
}

pub fn render(report: &Report) -> Result<Vec<u8>, ExportError> {
    let mut photos: Vec<Arc<Vec<u8>>> = Vec::new();
    let margin = MARGIN_TWIPS as i32;
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH_TWIPS, PAGE_HEIGHT_TWIPS)
        .page_margin(
            PageMargin::new()
                .top(margin)
                .bottom(margin)
                .left(margin)
                .right(margin),
        )
        .default_fonts(fonts())
        .default_size(21)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .size(44)
                .bold(),
        )
        .add_style(heading_style(1, 32, 480))
        .add_style(heading_style(2, 26, 280))
        .add_style(heading_style(3, 23, 200));
    docx = docx
        .add_paragraph(paragraph(&report.title, false).style("Title"))
        .add_paragraph(text_paragraph(&report.subtitle));
    for block in &report.blocks {
        docx = match block {
            Block::Heading(level, text) => docx.add_paragraph(
                paragraph(text, false)
                    .style(&format!("Heading{}", level.clamp(&1, &3)))
                    .keep_next(true),
            ),
            Block::Paragraph(text) => docx.add_paragraph(text_paragraph(text)),
            Block::Labelled(label, text) => {
                let label = if text.is_empty() {
                    label.clone()
                } else {
                    format!("{label}: ")
                };
                let mut labelled = runs(&label, true)
                    .into_iter()
                    .chain(runs(text, false))
                    .fold(Paragraph::new(), Paragraph::add_run);
                if bidi::is_rtl(&format!("{label}{text}")) {
                    labelled.property = labelled.property.bidi(true);
                }
                docx.add_paragraph(labelled.line_spacing(LineSpacing::new().after(60)))
            }
            Block::List(items) => items.iter().fold(docx, |docx, item| {
                docx.add_paragraph(
                    paragraph(&format!("•\u{a0}{item}"), false)
                        .indent(Some(360), Some(SpecialIndentType::Hanging(240)), None, None)
                        .line_spacing(LineSpacing::new().after(40)),
                )
            }),
            Block::Table { header, rows } => {
                // Fixed column widths across the page: Word and LibreOffice
                // would otherwise squeeze columns to their shortest words.
                let weights = super::report::column_weights(header, rows);
                let sum: f32 = weights.iter().sum::<f32>().max(1.0);
                let widths: Vec<usize> = weights
                    .iter()
                    .map(|w| (CONTENT_WIDTH_TWIPS as f32 * w / sum) as usize)
                    .collect();
                let cell = |text: &str, width: usize, header: bool| {
                    let cell = TableCell::new()
                        .width(width, WidthType::Dxa)
                        .add_paragraph(paragraph(text, header));
                    if header {
                        cell.shading(Shading::new().fill("EEEEEE"))
                    } else {
                        cell
                    }
                };
                let header_row = TableRow::new(
                    header
                        .iter()
                        .zip(&widths)
                        .map(|(text, width)| cell(text, *width, true))
                        .collect(),
                );
                let body = rows.iter().map(|row| {
                    TableRow::new(
                        row.iter()
                            .zip(&widths)
                            .map(|(text, width)| cell(text, *width, false))
                            .collect(),
                    )
                });
                docx.add_table(
                    Table::new(std::iter::once(header_row).chain(body).collect())
                        .set_grid(widths.clone())
                        .layout(TableLayoutType::Fixed)
                        .width(CONTENT_WIDTH_TWIPS as usize, WidthType::Dxa),
                )
                .add_paragraph(Paragraph::new())
            }
            // The tree's drawing: the outline that follows it is the tree
            // as Word's own nested list (DOCX has no portable SVG).
            Block::Drawing(_) => docx,
            Block::Outline(items) => items.iter().fold(docx, |docx, (depth, item)| {
                let bullet = ["•", "–", "·"][depth % 3];
                let indent = 360 + 360 * (*depth as i32);
                docx.add_paragraph(
                    paragraph(&format!("{bullet}\u{a0}{item}"), false)
                        .indent(
                            Some(indent),
                            Some(SpecialIndentType::Hanging(240)),
                            None,
                            None,
                        )
                        .line_spacing(LineSpacing::new().after(40)),
                )
            }),
            Block::Photos(figures) => figures.iter().fold(docx, |docx, figure| {
                let (width, height) = (figure.width.max(1), figure.height.max(1));
                let aspect = height as f32 / width as f32;
                let (width_emu, height_emu) = if PHOTO_WIDTH_EMU * aspect > PHOTO_HEIGHT_EMU {
                    (PHOTO_HEIGHT_EMU / aspect, PHOTO_HEIGHT_EMU)
                } else {
                    (PHOTO_WIDTH_EMU, PHOTO_WIDTH_EMU * aspect)
                };
                let mut placeholder = PLACEHOLDER.to_vec();
                placeholder.extend_from_slice(photos.len().to_string().as_bytes());
                photos.push(figure.jpeg.clone());
                let picture = Pic::new_with_dimensions(placeholder, width, height)
                    .size(width_emu as u32, height_emu as u32);
                docx.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_image(picture))
                        .keep_next(true),
                )
                .add_paragraph(text_paragraph(&figure.caption))
            }),
            Block::NetworkMap => {
                let (png, width, height) = network_png(&report.network_svg)?;
                let width_emu = CONTENT_WIDTH_EMU;
                let height_emu = width_emu * height as f32 / width as f32;
                let picture = Pic::new_with_dimensions(png, width, height)
                    .size(width_emu as u32, height_emu as u32);
                docx.add_paragraph(Paragraph::new().add_run(Run::new().add_image(picture)))
            }
        };
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|error| ExportError::Docx(error.to_string()))?;
    with_jpeg_parts(bytes.into_inner(), &photos)
}

/// The package with each photo's placeholder part replaced by the JPEG,
/// as `word/media/{id}.jpeg` (stored, not compressed again), its
/// relationship pointing there and `[Content_Types].xml` naming JPEG.
/// Every other part is copied as it is.
fn with_jpeg_parts(docx: Vec<u8>, photos: &[Arc<Vec<u8>>]) -> Result<Vec<u8>, ExportError> {
    if photos.is_empty() {
        return Ok(docx);
    }
    let zip_error = |error: zip::result::ZipError| ExportError::Docx(error.to_string());
    let io_error = |error: std::io::Error| ExportError::Docx(error.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).map_err(zip_error)?;
    // The relationship target (`media/….png`) of each photo's part.
    let mut targets: BTreeMap<String, usize> = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(zip_error)?;
        let name = file.name().to_owned();
        let Some(target) = name.strip_prefix("word/") else {
            continue;
        };
        if !target.starts_with("media/") || file.size() > 64 {
            continue;
        }
        let mut content = Vec::new();
        file.read_to_end(&mut content).map_err(io_error)?;
        let photo = content
            .strip_prefix(PLACEHOLDER)
            .and_then(|number| std::str::from_utf8(number).ok())
            .and_then(|number| number.parse::<usize>().ok());
        if let Some(photo) = photo {
            targets.insert(target.to_owned(), photo);
        }
    }
    let jpeg_target = |target: &str| {
        let stem = target.strip_suffix(".png").unwrap_or(target);
        format!("{stem}.jpeg")
    };
    let options = |method| {
        zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
    };
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let name = archive
            .by_index_raw(index)
            .map_err(zip_error)?
            .name()
            .to_owned();
        let photo = name
            .strip_prefix("word/")
            .and_then(|target| targets.get(target).map(|photo| (target, *photo)));
        if let Some((target, photo)) = photo {
            let jpeg = photos
                .get(photo)
                .ok_or_else(|| ExportError::Docx(format!("no photo {photo}")))?;
            out.start_file(
                format!("word/{}", jpeg_target(target)),
                options(zip::CompressionMethod::Stored),
            )
            .map_err(zip_error)?;
            out.write_all(jpeg).map_err(io_error)?;
        } else if name == "word/_rels/document.xml.rels" || name == "[Content_Types].xml" {
            let mut xml = String::new();
            archive
                .by_index(index)
                .map_err(zip_error)?
                .read_to_string(&mut xml)
                .map_err(io_error)?;
            let xml = if name == "[Content_Types].xml" {
                xml.replacen(
                    "<Default ",
                    "<Default Extension=\"jpeg\" ContentType=\"image/jpeg\" /><Default ",
                    1,
                )
            } else {
                targets.keys().fold(xml, |xml, target| {
                    xml.replace(
                        &format!("Target=\"{target}\""),
                        &format!("Target=\"{}\"", jpeg_target(target)),
                    )
                })
            };
            out.start_file(name, options(zip::CompressionMethod::Deflated))
                .map_err(zip_error)?;
            out.write_all(xml.as_bytes()).map_err(io_error)?;
        } else {
            out.raw_copy_file(archive.by_index_raw(index).map_err(zip_error)?)
                .map_err(zip_error)?;
        }
    }
    Ok(out.finish().map_err(zip_error)?.into_inner())
}
