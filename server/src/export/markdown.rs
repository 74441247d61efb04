//! Markdown (CommonMark). Text from the board is escaped so it never turns
//! into markup, links or raw HTML; the bidi isolates around it (see
//! [`super::bidi`]) stay as characters.

use super::bidi;
use super::i18n::{self, Text};
use super::report::{Block, Report};

/// Backslash-escapes every character CommonMark could read as markup:
/// inline markup anywhere, block markers (`-`, `+`, `=`, `1.`) at the start.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut first = true;
    let mut leading_digits = false;
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&'
            | '!' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if first => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if leading_digits => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
        leading_digits = c.is_ascii_digit() && (first || leading_digits);
        first = false;
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {}\n\n{}\n\n",
        escape(&report.title),
        escape(&report.subtitle)
    ));
    for block in &report.blocks {
        match block {
            Block::Heading(level, text) => {
                let hashes = "#".repeat(usize::from(*level) + 1);
                out.push_str(&format!("{hashes} {}\n\n", escape(text)));
            }
            Block::Paragraph(text) => out.push_str(&format!("{}\n\n", escape(text))),
            Block::Labelled(label, text) if text.is_empty() => {
                out.push_str(&format!("**{}**\n\n", escape(label)));
            }
            Block::Labelled(label, text) => {
                out.push_str(&format!("**{}:** {}\n\n", escape(label), escape(text)));
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", escape(item)));
                }
                out.push('\n');
            }
            Block::Table { header, rows } => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells
                            .iter()
                            .map(|c| escape(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
                out.push_str(&line(header));
                out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
                for row in rows {
                    out.push_str(&line(row));
                }
                out.push('\n');
            }
            // No binary in a text file: the photos are in the PDF, HTML,
            // DOCX and JSON.
            Block::Photos(figures) => {
                for figure in figures {
                    out.push_str(&format!(
                        "- {} ({} × {} px)\n",
                        escape(&figure.caption),
                        figure.width,
                        figure.height
                    ));
                }
                out.push('\n');
            }
            // The tree's drawing: its outline follows.
            Block::Drawing(_) => {}
            Block::Outline(items) => {
                for (depth, item) in items {
                    // Two spaces a level: a nested list item in CommonMark.
                    let indent = "  ".repeat(*depth);
                    out.push_str(&format!("{indent}- {}\n", escape(item)));
                }
                out.push('\n');
            }
            Block::NetworkMap => {
                // Markdown cannot embed the SVG safely: one line per node
                // with its links (and how many things they share).
                let network = &report.network;
                for (index, node) in network.nodes.iter().enumerate() {
                    let links: Vec<String> = network
                        .edges
                        .iter()
                        .filter_map(|edge| {
                            let other = if edge.a == index {
                                edge.b
                            } else if edge.b == index {
                                edge.a
                            } else {
                                return None;
                            };
                            Some(format!(
                                "{} ({})",
                                escape(&bidi::isolate(&network.nodes[other].label)),
                                edge.weight()
                            ))
                        })
                        .collect();
                    let links = if links.is_empty() {
                        Text::NotConnected.get(report.locale).to_owned()
                    } else {
                        format!(
                            "{} {}",
                            Text::ConnectedWith.get(report.locale),
                            links.join(", ")
                        )
                    };
                    out.push_str(&format!(
                        "- **{}** ({}): {links}\n",
                        escape(&bidi::isolate(&node.label)),
                        escape(i18n::sector(&node.sector).get(report.locale)),
                    ));
                }
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_text_never_becomes_markup() {
        assert_eq!(escape("<b>*x*</b> [a](b)"), r"\<b\>\*x\*\</b\> \[a\](b)");
        assert_eq!(escape("- Kita-Plätze"), r"\- Kita-Plätze");
        assert_eq!(escape("12. Mai"), r"12\. Mai");
    }
}
