//! The faces the PDF (and the network map's SVG) draw with, and the
//! fallback chain that picks one per character.
//!
//! Libertinus Serif first: it covers Latin with every German and Turkish
//! letter, Greek and Cyrillic, and draws the fullwidth forms of Latin
//! letters, digits and punctuation with their narrow glyphs (see
//! [`narrow`]). Then Noto Sans Arabic (Arabic and Farsi),
//! Noto Sans Ethiopic (Tigrinya, Amharic) and the monochrome Noto Emoji.
//! `build.rs` copies each face into `OUT_DIR` (Libertinus from the
//! `typst-assets` crate, the Noto faces from the npm packages pinned in
//! `server/fonts/package-lock.json`); the licences are in `server/fonts/`.
//! A PDF embeds only the glyphs it uses of each face.

use rustybuzz::{Direction, UnicodeBuffer};

/// Regular or Bold: headings and labels are bold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Weight {
    Regular,
    Bold,
}

/// One embedded face (Regular unless its name says Bold).
pub struct FaceData {
    pub family: &'static str,
    pub data: &'static [u8],
}

/// Every face in the binary, once (a `static`: each use of a `const` could
/// carry its own copy of the bytes).
pub static FACES: [FaceData; 7] = [
    FaceData {
        family: "Libertinus Serif",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/LibertinusSerif-Regular.otf")),
    },
    FaceData {
        family: "Libertinus Serif",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/LibertinusSerif-Bold.otf")),
    },
    FaceData {
        family: "Noto Sans Arabic",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/NotoSansArabic-Regular.ttf")),
    },
    FaceData {
        family: "Noto Sans Arabic",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/NotoSansArabic-Bold.ttf")),
    },
    FaceData {
        family: "Noto Sans Ethiopic",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/NotoSansEthiopic-Regular.ttf")),
    },
    FaceData {
        family: "Noto Sans Ethiopic",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/NotoSansEthiopic-Bold.ttf")),
    },
    FaceData {
        family: "Noto Emoji",
        data: include_bytes!(concat!(env!("OUT_DIR"), "/NotoEmoji-Regular.ttf")),
    },
];

/// The emoji face: one weight for both chains.
const EMOJI: usize = 6;

/// The fallback chain of a weight, as indices into [`FACES`].
fn chain(weight: Weight) -> &'static [usize] {
    match weight {
        Weight::Regular => &[0, 2, 4, EMOJI],
        Weight::Bold => &[1, 3, 5, EMOJI],
    }
}

/// A run of text shaped with one face, in one direction.
pub struct Shaped {
    pub face: usize,
    pub glyphs: Vec<krilla::text::KrillaGlyph>,
    /// Advance width at size 1.
    pub width: f32,
    /// The glyph ids, to tell a missing glyph (0) in tests.
    #[cfg(test)]
    pub glyph_ids: Vec<u32>,
}

/// The faces parsed once per document.
pub struct Fonts {
    faces: Vec<rustybuzz::Face<'static>>,
}

/// Characters that belong to the character before them: joiners,
/// variation selectors, emoji modifiers and tags, combining marks.
pub fn extends(c: char) -> bool {
    matches!(
        c,
        '\u{200c}' | '\u{200d}' | '\u{fe00}'..='\u{fe0f}' | '\u{20e3}'
            | '\u{1f3fb}'..='\u{1f3ff}' | '\u{e0020}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    ) || unicode_bidi::bidi_class(c) == unicode_bidi::BidiClass::NSM
}

/// The character a fullwidth form (U+FF01–FF5E, U+FFE0–FFE6, the
/// ideographic space) is the wide form of. No face in the binary is a CJK
/// face (one would be 5 MB or more); Libertinus draws these with the
/// narrow character's glyph and the PDF's text still reads the fullwidth
/// character. (Not centred in a cell one em wide: text extraction then
/// takes every such character for a word of its own.) Every other
/// character is itself.
fn narrow(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{ffe0}' => '¢',
        '\u{ffe1}' => '£',
        '\u{ffe2}' => '¬',
        '\u{ffe3}' => '¯',
        '\u{ffe4}' => '¦',
        '\u{ffe5}' => '¥',
        '\u{ffe6}' => '₩',
        c => c,
    }
}

/// Puts the widest glyph of each cluster first, with the cluster's whole
/// advance, and moves the others (marks, the dots of Noto Sans Arabic's
/// letters) by offsets to where they were. What is drawn does not change,
/// but the base glyph now stands for the cluster's text and the PDF can
/// draw the rest as outlines (`pdf::draw_line` says why).
fn base_glyph_first(glyphs: Vec<krilla::text::KrillaGlyph>) -> Vec<krilla::text::KrillaGlyph> {
    let mut out = Vec::with_capacity(glyphs.len());
    let mut rest = glyphs.as_slice();
    while let Some(first) = rest.first() {
        let length = rest
            .iter()
            .take_while(|g| g.text_range == first.text_range)
            .count();
        let (cluster, tail) = rest.split_at(length);
        rest = tail;
        if cluster.len() == 1 {
            out.extend_from_slice(cluster);
            continue;
        }
        // Where each glyph is drawn, from the cluster's origin.
        let mut pen = 0.0;
        let mut placed: Vec<(f32, f32, &krilla::text::KrillaGlyph)> = Vec::new();
        for glyph in cluster {
            placed.push((pen + glyph.x_offset, glyph.y_offset, glyph));
            pen += glyph.x_advance;
        }
        let base = placed
            .iter()
            .enumerate()
            .fold(0, |best, (index, (_, _, glyph))| {
                if glyph.x_advance > placed[best].2.x_advance {
                    index
                } else {
                    best
                }
            });
        let base = placed.remove(base);
        // The base glyph is drawn at the origin and advances the whole
        // cluster; every other glyph is drawn after it, from `pen`.
        out.push(krilla::text::KrillaGlyph {
            x_advance: pen,
            x_offset: base.0,
            y_offset: base.1,
            ..base.2.clone()
        });
        for (x, y, glyph) in placed {
            out.push(krilla::text::KrillaGlyph {
                x_advance: 0.0,
                x_offset: x - pen,
                y_offset: y,
                ..glyph.clone()
            });
        }
    }
    out
}

impl Fonts {
    /// Parses every face; `None` only if an embedded face is broken (a
    /// build problem, tested below).
    pub fn new() -> Option<Fonts> {
        let faces = FACES
            .iter()
            .map(|face| rustybuzz::Face::from_slice(face.data, 0))
            .collect::<Option<Vec<_>>>()?;
        Some(Fonts { faces })
    }

    fn covers(&self, face: usize, c: char) -> bool {
        self.faces
            .get(face)
            .and_then(|f| f.glyph_index(narrow(c)))
            .is_some()
    }

    /// Splits `text` (one direction, logical order) into runs of one face
    /// each, as byte ranges. Bidi controls are left out of every run.
    /// A character takes the first face of the chain that has it, except
    /// that what extends a character (a joiner, a selector, a mark, the
    /// character after a zero width joiner) stays with it, a character
    /// asking for emoji presentation (U+FE0F after it) and flags take the
    /// emoji face, and spaces and punctuation stay with the face before
    /// them when it has them (except the emoji face, whose spaces are wide).
    pub fn face_runs(&self, text: &str, weight: Weight) -> Vec<(usize, std::ops::Range<usize>)> {
        let chain = chain(weight);
        let mut runs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let mut current: Option<usize> = None;
        let mut after_joiner = false;
        let mut chars = text.char_indices().peekable();
        while let Some((index, c)) = chars.next() {
            let next = chars.peek().map(|(_, c)| *c);
            if super::bidi::is_control(c) {
                current = None;
                continue;
            }
            let face = match current {
                Some(face) if extends(c) || after_joiner => face,
                _ if (next == Some('\u{fe0f}') || ('\u{1f1e6}'..='\u{1f1ff}').contains(&c))
                    && self.covers(EMOJI, c) =>
                {
                    EMOJI
                }
                Some(face) if face != EMOJI && !c.is_alphanumeric() && self.covers(face, c) => face,
                _ => chain
                    .iter()
                    .copied()
                    .find(|face| self.covers(*face, c))
                    .unwrap_or(chain[0]),
            };
            after_joiner = c == '\u{200d}';
            let end = index + c.len_utf8();
            match runs.last_mut() {
                Some((last, range)) if *last == face && range.end == index => range.end = end,
                _ => runs.push((face, index..end)),
            }
            current = Some(face);
        }
        runs
    }

    /// Shapes `text` with one face (rustybuzz, the shaper krilla's own
    /// simple text uses). The glyphs come in visual order, each with its
    /// cluster's byte range in `text`, so the PDF's text reads in logical
    /// order.
    pub fn shape(&self, face: usize, text: &str, rtl: bool) -> Shaped {
        let Some(font) = self.faces.get(face) else {
            return Shaped {
                face,
                glyphs: Vec::new(),
                width: 0.0,
                #[cfg(test)]
                glyph_ids: Vec::new(),
            };
        };
        let upem = font.units_per_em().max(1) as f32;
        let mut buffer = UnicodeBuffer::new();
        for (index, c) in text.char_indices() {
            buffer.add(narrow(c), index as u32);
        }
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        let output = rustybuzz::shape(font, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        // The clusters in logical order: a cluster ends where the next
        // larger cluster starts (or at the end of the text).
        let mut starts: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        // A binary search: a paragraph of one long word is one run of
        // tens of thousands of glyphs (a scan per glyph made its layout
        // grow with the square of its length).
        let end_of = |start: usize| {
            let next = starts.partition_point(|s| *s <= start);
            starts.get(next).copied().unwrap_or(text.len())
        };
        let mut width = 0.0;
        let glyphs: Vec<krilla::text::KrillaGlyph> = infos
            .iter()
            .zip(positions)
            .map(|(info, position)| {
                let start = info.cluster as usize;
                let x_advance = position.x_advance as f32 / upem;
                let x_offset = position.x_offset as f32 / upem;
                width += x_advance;
                krilla::text::KrillaGlyph {
                    glyph_id: krilla::text::GlyphId::new(info.glyph_id),
                    text_range: start..end_of(start),
                    x_advance,
                    x_offset,
                    y_offset: position.y_offset as f32 / upem,
                    y_advance: position.y_advance as f32 / upem,
                    location: None,
                }
            })
            .collect();
        Shaped {
            face,
            #[cfg(test)]
            glyph_ids: glyphs.iter().map(|g| g.glyph_id.to_u32()).collect(),
            glyphs: base_glyph_first(glyphs),
            width,
        }
    }

    /// The width of `text` at size 1, one direction: the sum of its
    /// shaped face runs.
    pub fn width(&self, text: &str, weight: Weight, rtl: bool) -> f32 {
        self.face_runs(text, weight)
            .into_iter()
            .map(|(face, range)| self.shape(face, &text[range], rtl).width)
            .sum()
    }
}

/// Cards, names and organisations as participants write them.
#[cfg(test)]
pub(crate) const SAMPLES: [&str; 9] = [
    "نحتاج إلى مكان آمن للأطفال بعد المدرسة، ٣ أيام في الأسبوع",
    "کلاس زبان برای مادران در محله؛ گروه‌های کوچک",
    "ናይ ቋንቋ ትምህርቲ ንኣዴታት ኣብ ከባቢ ይድለ",
    "Потрібен гурток для підлітків, їжа й ґанок",
    "Çocuklar için oyun alanı, İğdır’dan Şükrü Öztürk ğüşiöç",
    "Kita-Plätze ☕ 😀 👍🏽 ❤️ 👩‍👩‍👧 🏳️‍🌈 🇩🇪 🇺🇦 🇪🇷 🏴󠁧󠁢󠁥󠁮󠁧󠁿 1️⃣",
    "(Bedarf, Freie Träger, مرحبا",
    "Ἀθῆναι – “quoted” — €12,50 · §3 № 5",
    "Ｋｉｔａ－Ｐｌäｔｚｅ　（１２３）！％￥",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_parses_and_names_its_family() {
        use skrifa::MetadataProvider;
        use skrifa::string::StringId;
        for face in &FACES {
            let font = skrifa::FontRef::new(face.data).expect("a font");
            let family: String = font
                .localized_strings(StringId::FAMILY_NAME)
                .english_or_first()
                .expect("a family name")
                .chars()
                .collect();
            assert!(family.starts_with(face.family), "{family}");
        }
        assert!(Fonts::new().is_some());
    }

    #[test]
    fn every_character_of_every_script_has_a_glyph() {
        let fonts = Fonts::new().expect("fonts");
        for weight in [Weight::Regular, Weight::Bold] {
            for sample in SAMPLES {
                for (face, range) in fonts.face_runs(sample, weight) {
                    let piece = &sample[range];
                    let rtl = super::super::bidi::is_rtl(piece);
                    let shaped = fonts.shape(face, piece, rtl);
                    assert!(
                        !shaped.glyph_ids.contains(&0),
                        "{piece:?} in {} has a missing glyph: {:?}",
                        FACES[face].family,
                        shaped.glyph_ids
                    );
                }
            }
        }
    }

    #[test]
    fn cyrillic_and_turkish_stay_in_libertinus() {
        let fonts = Fonts::new().expect("fonts");
        for sample in [SAMPLES[3], SAMPLES[4]] {
            let faces: Vec<usize> = fonts
                .face_runs(sample, Weight::Regular)
                .into_iter()
                .map(|(face, _)| face)
                .collect();
            assert_eq!(faces, [0], "{sample}");
        }
    }

    #[test]
    fn fullwidth_forms_are_drawn_with_libertinus_and_keep_their_text() {
        let fonts = Fonts::new().expect("fonts");
        assert_eq!(fonts.face_runs("Ａ１！", Weight::Regular), [(0, 0..9)]);
        let shaped = fonts.shape(0, "Ａ１！", false);
        assert_eq!(shaped.glyphs.len(), 3);
        assert!(!shaped.glyph_ids.contains(&0));
        let ranges: Vec<_> = shaped.glyphs.iter().map(|g| g.text_range.clone()).collect();
        assert_eq!(ranges, [0..3, 3..6, 6..9]);
    }

    #[test]
    fn emoji_sequences_stay_in_one_face() {
        let fonts = Fonts::new().expect("fonts");
        for sequence in ["👩‍👩‍👧", "🇩🇪", "👍🏽", "❤️", "1️⃣", "🏳️‍🌈"]
        {
            let runs = fonts.face_runs(sequence, Weight::Regular);
            assert_eq!(runs, [(EMOJI, 0..sequence.len())], "{sequence}");
        }
    }
}
