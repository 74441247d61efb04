//! Right-to-left text and bidi controls in the documents.
//!
//! One rule for every format: **each piece of text a person wrote is a
//! balanced bidi isolate.** [`isolate`] is applied in `report.rs` where
//! user text enters the [`Report`](super::report::Report): the text is
//! wrapped in FSI … PDI (U+2068, U+2069) and its own explicit controls are
//! balanced (a closer without an opener is dropped, an unclosed opener is
//! closed before the PDI), so an unclosed U+202E RIGHT-TO-LEFT OVERRIDE in
//! a card flips nothing after that card. The renderers then keep the
//! isolates: Markdown keeps the characters, HTML turns each isolate into a
//! `<bdi>` element, the PDF runs the Unicode bidirectional algorithm over
//! each paragraph (which honours them) and draws no control, and the DOCX
//! splits each paragraph into the direction runs the same algorithm finds.
//!
//! A paragraph's base direction ([`is_rtl`]) is that of its first strong
//! character, looking inside isolates too: a card that starts with Arabic
//! is a right-to-left paragraph in every format.

use std::ops::Range;
use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};

/// FIRST STRONG ISOLATE: opens every piece of user text.
pub const FSI: char = '\u{2068}';
/// POP DIRECTIONAL ISOLATE: closes it.
pub const PDI: char = '\u{2069}';

/// The explicit bidi formatting characters and marks: never drawn.
pub fn is_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Embedding,
    Isolate,
}

/// `text` as a balanced isolate: FSI, the text with its own controls
/// balanced, PDI. A line break closes everything open and starts a new
/// isolate on the next line (the bidi algorithm starts a new paragraph
/// there anyway). Empty text stays empty.
pub fn isolate(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut open: Vec<Open> = Vec::new();
    let close_all = |out: &mut String, open: &mut Vec<Open>| {
        while let Some(entry) = open.pop() {
            out.push(match entry {
                Open::Embedding => '\u{202c}',
                Open::Isolate => PDI,
            });
        }
    };
    out.push(FSI);
    for c in text.chars() {
        match c {
            '\u{202a}' | '\u{202b}' | '\u{202d}' | '\u{202e}' => {
                open.push(Open::Embedding);
                out.push(c);
            }
            '\u{202c}' => {
                if open.last() == Some(&Open::Embedding) {
                    open.pop();
                    out.push(c);
                }
            }
            '\u{2066}'..='\u{2068}' => {
                open.push(Open::Isolate);
                out.push(c);
            }
            PDI => {
                // A PDI closes the innermost isolate and every embedding
                // opened inside it.
                if open.contains(&Open::Isolate) {
                    while let Some(Open::Embedding) = open.pop() {
                        out.push('\u{202c}');
                    }
                    out.push(PDI);
                }
            }
            '\n' => {
                close_all(&mut out, &mut open);
                out.push(PDI);
                out.push('\n');
                out.push(FSI);
            }
            c => out.push(c),
        }
    }
    close_all(&mut out, &mut open);
    out.push(PDI);
    out
}

/// Whether `text` is a right-to-left paragraph: its first strong
/// character (controls skipped, isolates looked into) is Arabic, Hebrew or
/// another right-to-left script. Neutral-only text is left to right.
pub fn is_rtl(text: &str) -> bool {
    text.chars()
        .filter(|c| !is_control(*c))
        .find_map(|c| match bidi_class(c) {
            BidiClass::L => Some(false),
            BidiClass::R | BidiClass::AL => Some(true),
            _ => None,
        })
        .unwrap_or(false)
}

/// `text` without bidi controls (for formats that carry direction in
/// their own markup).
pub fn without_controls(text: &str) -> String {
    text.chars().filter(|c| !is_control(*c)).collect()
}

/// One paragraph (no line breaks) after the bidi algorithm: its
/// direction, and the runs of each line in visual order.
pub struct Paragraph<'a> {
    info: BidiInfo<'a>,
    pub rtl: bool,
}

/// A stretch of one direction: its byte range in the paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectionRun {
    pub range: Range<usize>,
    pub rtl: bool,
}

impl<'a> Paragraph<'a> {
    /// Runs the algorithm over `text` with the base direction [`is_rtl`]
    /// gives it.
    pub fn new(text: &'a str) -> Paragraph<'a> {
        let rtl = is_rtl(text);
        let level = if rtl { Level::rtl() } else { Level::ltr() };
        Paragraph {
            info: BidiInfo::new(text, Some(level)),
            rtl,
        }
    }

    /// The direction of the byte at `index` (a character boundary).
    pub fn is_rtl_at(&self, index: usize) -> bool {
        self.info
            .levels
            .get(index)
            .is_some_and(|level| level.is_rtl())
    }

    /// The runs of the line `line` (a byte range of the paragraph), left
    /// to right as they are drawn; each run's text stays in logical order.
    pub fn visual_runs(&self, line: Range<usize>) -> Vec<DirectionRun> {
        let text = self.info.text;
        let line = line.start.min(text.len())..line.end.min(text.len());
        if line.is_empty() {
            return Vec::new();
        }
        // A line break (U+2029 and the like) starts a paragraph of the
        // algorithm's own; the line lies in the one that contains it.
        let Some(paragraph) = self
            .info
            .paragraphs
            .iter()
            .find(|p| p.range.start <= line.start && line.start < p.range.end)
        else {
            return Vec::new();
        };
        let line = line.start..line.end.min(paragraph.range.end);
        let (levels, runs) = self.info.visual_runs(paragraph, line);
        runs.into_iter()
            .filter(|run| !run.is_empty())
            .map(|run| DirectionRun {
                rtl: levels.get(run.start).is_some_and(|level| level.is_rtl()),
                range: run,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_override_is_closed_inside_its_isolate() {
        assert_eq!(
            isolate("abc\u{202e}def"),
            "\u{2068}abc\u{202e}def\u{202c}\u{2069}"
        );
        // Closers without openers are dropped; a PDI closes embeddings
        // opened inside its isolate.
        assert_eq!(isolate("\u{202c}\u{2069}x"), "\u{2068}x\u{2069}");
        assert_eq!(
            isolate("\u{2067}\u{202b}x\u{2069}y"),
            "\u{2068}\u{2067}\u{202b}x\u{202c}\u{2069}y\u{2069}"
        );
        assert_eq!(isolate("a\nb"), "\u{2068}a\u{2069}\n\u{2068}b\u{2069}");
    }

    #[test]
    fn direction_of_the_first_strong_character() {
        assert!(is_rtl(&isolate("مرحبا (Bedarf)")));
        assert!(!is_rtl("(Bedarf, مرحبا"));
        assert!(!is_rtl("😀 123"));
        assert!(is_rtl("😀 سلام"));
    }

    #[test]
    fn a_mixed_line_in_visual_order() {
        // A left-to-right paragraph with an Arabic card text: the Latin
        // stays in reading order, the Arabic comes as one right-to-left run.
        let text = format!("(Bedarf, Freie Träger, {})", isolate("مرحبا بكم"));
        let paragraph = Paragraph::new(&text);
        assert!(!paragraph.rtl);
        let runs = paragraph.visual_runs(0..text.len());
        let pieces: Vec<(&str, bool)> = runs
            .iter()
            .map(|run| (without_controls_str(&text[run.range.clone()]), run.rtl))
            .filter(|(piece, _)| !piece.is_empty())
            .collect();
        assert_eq!(
            pieces,
            [
                ("(Bedarf, Freie Träger, ", false),
                ("مرحبا بكم", true),
                (")", false)
            ]
        );

        // A right-to-left paragraph (the card starts with Arabic): the
        // German after it is drawn to its left, still in reading order.
        let text = format!("{} (Bedarf, Freie Träger)", isolate("مرحبا بكم"));
        let paragraph = Paragraph::new(&text);
        assert!(paragraph.rtl);
        let runs: Vec<DirectionRun> = paragraph
            .visual_runs(0..text.len())
            .into_iter()
            .filter(|run| !without_controls_str(&text[run.range.clone()]).is_empty())
            .collect();
        assert!(
            runs.iter()
                .any(|run| !run.rtl && &text[run.range.clone()] == "Bedarf, Freie Träger"),
            "{runs:?}"
        );
        let rightmost = runs.last().map(|run| &text[run.range.clone()]);
        assert!(
            rightmost.is_some_and(|piece| piece.contains("مرحبا بكم")),
            "{runs:?}"
        );
    }

    fn without_controls_str(text: &str) -> &str {
        text.trim_matches(is_control)
    }

    #[test]
    fn an_override_in_one_field_does_not_flip_the_next() {
        let text = format!("{} {}", isolate("abc\u{202e}def"), isolate("ghi"));
        let paragraph = Paragraph::new(&text);
        let ghi = text.find("ghi").unwrap_or(0);
        assert!(!paragraph.is_rtl_at(ghi));
        let def = text.find("def").unwrap_or(0);
        assert!(paragraph.is_rtl_at(def));
        // Without the isolate the override would reach "ghi".
        let raw = "abc\u{202e}def ghi";
        let paragraph = Paragraph::new(raw);
        assert!(paragraph.is_rtl_at(raw.find("ghi").unwrap_or(0)));
    }
}
