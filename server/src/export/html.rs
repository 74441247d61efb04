//! HTML with a print stylesheet. Every text from the board is escaped; the
//! only markup is ours, and the network map is our own SVG.
//!
//! Each isolate the report put around a person's text becomes a `<bdi>`
//! element (direction `auto`, isolated from what is around it), and an
//! element whose text is a right-to-left paragraph by the rule of
//! [`super::bidi::is_rtl`] gets `dir="rtl"`: the same direction the PDF and
//! the DOCX give it.

use super::bidi::{self, PDI};
use super::network::escape;
use super::report::{Block, Report};
use base64::Engine;
use std::fmt::Write;

/// Escapes `text` and turns its isolates into `<bdi>` elements: FSI into
/// `<bdi>`, LRI and RLI into `<bdi dir="ltr">` and `<bdi dir="rtl">`, PDI
/// into `</bdi>`. A PDI without an open isolate is dropped and every
/// isolate still open at the end is closed, so the elements always nest.
fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut open = 0usize;
    let mut plain = String::new();
    let flush = |out: &mut String, plain: &mut String| {
        out.push_str(&escape(plain));
        plain.clear();
    };
    for c in text.chars() {
        let tag = match c {
            '\u{2066}' => "<bdi dir=\"ltr\">",
            '\u{2067}' => "<bdi dir=\"rtl\">",
            bidi::FSI => "<bdi>",
            PDI if open > 0 => "</bdi>",
            PDI => "",
            c => {
                plain.push(c);
                continue;
            }
        };
        flush(&mut out, &mut plain);
        if c == PDI {
            open = open.saturating_sub(1);
        } else {
            open += 1;
        }
        out.push_str(tag);
    }
    flush(&mut out, &mut plain);
    for _ in 0..open {
        out.push_str("</bdi>");
    }
    out
}

/// ` dir="rtl"` for an element whose text is a right-to-left paragraph.
fn dir(text: &str) -> &'static str {
    if bidi::is_rtl(text) {
        " dir=\"rtl\""
    } else {
        ""
    }
}

const STYLE: &str = "
body { font-family: 'Libertinus Serif', Georgia, serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #212121; line-height: 1.45; }
h1 { font-size: 1.9rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.45rem; border-bottom: 1px solid #bdbdbd; margin-top: 2.2rem; }
h3 { font-size: 1.15rem; margin-top: 1.4rem; }
h4 { font-size: 1rem; margin-top: 1rem; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1.2rem; }
th, td { border: 1px solid #bdbdbd; padding: 0.3rem 0.45rem; text-align: start; vertical-align: top; }
th { background: #eeeeee; }
figure { margin: 1rem 0; }
figure svg { width: 100%; height: auto; }
figure.drawing svg { max-height: 95vh; }
.photos { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
figure.photo img { width: 100%; height: auto; }
figure.photo figcaption { color: #555; font-size: 0.9rem; }
@media print {
  @page { size: A4; margin: 18mm 16mm; }
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h2 { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  tr, li, figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
";

/// Nested lists: each item's list inside the item above it. The depths
/// are the report's ([`Block::Outline`]): at most one level deeper than
/// the item before.
fn outline(out: &mut String, items: &[(usize, String)]) {
    let mut level = 0usize;
    for (depth, item) in items {
        let target = (depth + 1).min(level + 1);
        if target > level {
            out.push_str("<ul>\n");
            level = target;
        } else {
            out.push_str("</li>\n");
            while level > target {
                out.push_str("</ul></li>\n");
                level -= 1;
            }
        }
        let _ = write!(out, "<li{}>{}", dir(item), text(item));
    }
    if level > 0 {
        out.push_str("</li>\n");
        while level > 1 {
            out.push_str("</ul></li>\n");
            level -= 1;
        }
        out.push_str("</ul>\n");
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1{}>{}</h1><p class=\"subtitle\"{}>{}</p></header>\n",
        report.locale.code(),
        escape(&bidi::without_controls(&report.title)),
        dir(&report.title),
        text(&report.title),
        dir(&report.subtitle),
        text(&report.subtitle)
    );
    for block in &report.blocks {
        match block {
            Block::Heading(level, heading) => {
                let tag = (level + 1).min(6);
                let _ = writeln!(out, "<h{tag}{}>{}</h{tag}>", dir(heading), text(heading));
            }
            Block::Paragraph(paragraph) => {
                let _ = writeln!(out, "<p{}>{}</p>", dir(paragraph), text(paragraph));
            }
            Block::Labelled(label, value) if value.is_empty() => {
                let _ = writeln!(out, "<p><strong>{}</strong></p>", text(label));
            }
            Block::Labelled(label, value) => {
                let _ = writeln!(
                    out,
                    "<p><strong>{}:</strong> {}</p>",
                    text(label),
                    text(value)
                );
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li{}>{}</li>", dir(item), text(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { header, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for cell in header {
                    let _ = write!(out, "<th{}>{}</th>", dir(cell), text(cell));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td{}>{}</td>", dir(cell), text(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::NetworkMap => {
                let _ = writeln!(out, "<figure>{}</figure>", report.network_svg);
            }
            Block::Drawing(svg) => {
                let _ = writeln!(out, "<figure class=\"drawing\">{svg}</figure>");
            }
            Block::Outline(items) => outline(&mut out, items),
            Block::Photos(figures) => {
                // Embedded, so the file stands alone: the stored JPEG as it is.
                out.push_str("<div class=\"photos\">\n");
                for figure in figures {
                    out.push_str("<figure class=\"photo\"><img src=\"data:image/jpeg;base64,");
                    base64::engine::general_purpose::STANDARD
                        .encode_string(figure.jpeg.as_slice(), &mut out);
                    let _ = writeln!(
                        out,
                        "\" width=\"{}\" height=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                        figure.width,
                        figure.height,
                        escape(&bidi::without_controls(&figure.caption)),
                        text(&figure.caption)
                    );
                }
                out.push_str("</div>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}
