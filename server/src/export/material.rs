//! The printed material of a conference prepared in advance
//! (`GET /api/boards/{board}/material.pdf`): one A4 page per registered
//! participant (name, organisation, group, the day's programme, a personal
//! QR code of their join link with the code in words) for the conference
//! folder, and a last page, the poster for walk-ins, with the board's QR
//! code and join code.
//!
//! Drawn with `krilla` and the report's text pen (`pdf::TextPen`: the same
//! faces with their fallback for every script, shaping and the bidi
//! algorithm); a QR code is its dark modules as one filled path (`qrcode`,
//! error correction M: a folded or smudged page still scans).

use super::ExportError;
use super::i18n::Locale;
use super::pdf::TextPen;
use crate::board::model::Board;
use crate::board::schema::Sector;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect, Size};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use qrcode::{Color, EcLevel, QrCode};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// One registered participant's page.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub organisation: String,
    pub sector: String,
    /// The group's name once the moderator planned the groups.
    pub group: Option<String>,
    pub join_url: String,
    pub personal_code: String,
}

/// What the material is made of.
#[derive(Debug, Clone)]
pub struct Material {
    pub locale: Locale,
    pub title: String,
    /// District and date, as the board says them.
    pub subtitle: String,
    /// The programme: start time (if any) and title, in order.
    pub programme: Vec<(Option<String>, String)>,
    pub people: Vec<Person>,
    pub join_url: String,
    pub join_code: String,
}

impl Material {
    /// The programme and the people's groups from the board's document.
    pub fn new(
        board: &Board,
        people: Vec<Person>,
        join_url: String,
        join_code: String,
    ) -> Material {
        let locale = Locale::from_meta(&board.meta.locale);
        let mut agenda = board.agenda.clone();
        agenda.sort_by(|a, b| a.order.total_cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
        let subtitle = [
            board.meta.district.clone(),
            board.meta.date.clone().unwrap_or_default(),
        ]
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
        Material {
            locale,
            title: board.meta.title.clone(),
            subtitle,
            programme: agenda
                .into_iter()
                .map(|item| (item.start, item.title))
                .collect(),
            people,
            join_url,
            join_code,
        }
    }
}

/// The words of the material.
struct Words {
    welcome: &'static str,
    group: &'static str,
    sector: &'static str,
    programme: &'static str,
    scan: &'static str,
    personal_code: &'static str,
    walk_in: &'static str,
    walk_in_scan: &'static str,
    join_code: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::De => Words {
            welcome: "Willkommen",
            group: "Gruppe",
            sector: "Bereich",
            programme: "Programm",
            scan: "Mit der Handykamera scannen: Ihr Profil ist schon ausgefüllt.",
            personal_code: "Ihr persönlicher Code",
            walk_in: "Mitmachen",
            walk_in_scan: "Mit der Handykamera scannen oder den Code eingeben unter",
            join_code: "Code",
        },
        Locale::En => Words {
            welcome: "Welcome",
            group: "Group",
            sector: "Sector",
            programme: "Programme",
            scan: "Scan with your phone's camera: your profile is filled in already.",
            personal_code: "Your personal code",
            walk_in: "Join in",
            walk_in_scan: "Scan with your phone's camera or enter the code at",
            join_code: "Code",
        },
    }
}

/// The sector's name as the join screen shows it.
fn sector_name(sector: &str, locale: Locale) -> String {
    if Sector::from_id(sector).is_none() {
        return String::new();
    }
    super::i18n::sector(sector).get(locale).to_owned()
}

/// A code in groups of four, as the screens show it.
fn grouped(code: &str) -> String {
    code.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

struct Pen<'a> {
    surface: krilla::surface::Surface<'a>,
    text: &'a TextPen,
    y: f32,
}

impl Pen<'_> {
    /// Text at the current height, wrapped into the width (a long name
    /// takes a second line, nothing is cut before that).
    fn line(&mut self, text: &str, size: f32, bold: bool) {
        let used = self.text.draw(
            &mut self.surface,
            text,
            bold,
            size,
            MARGIN,
            self.y,
            CONTENT_WIDTH,
            3,
        );
        self.y += used + size * 0.1;
    }

    fn finish(self) {
        self.surface.finish();
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// A QR code of `data`, `side` points wide, at the left margin.
    fn qr(&mut self, data: &str, side: f32) -> Result<(), ExportError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
            .map_err(|error| ExportError::Pdf(format!("QR code: {error}")))?;
        let width = code.width();
        // Four modules of quiet zone on every side.
        let module = side / (width + 8) as f32;
        let origin_x = MARGIN + 4.0 * module;
        let origin_y = self.y + 4.0 * module;
        let mut builder = PathBuilder::new();
        for (index, colour) in code.to_colors().into_iter().enumerate() {
            if colour == Color::Dark {
                let (row, column) = (index / width, index % width);
                if let Some(rect) = Rect::from_xywh(
                    origin_x + column as f32 * module,
                    origin_y + row as f32 * module,
                    module,
                    module,
                ) {
                    builder.push_rect(rect);
                }
            }
        }
        if let Some(path) = builder.finish() {
            self.surface.set_fill(Some(Fill {
                paint: rgb::Color::new(0, 0, 0).into(),
                ..Fill::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_fill(Some(ink()));
        }
        self.y += side;
        Ok(())
    }
}

fn ink() -> Fill {
    Fill {
        paint: rgb::Color::new(33, 33, 33).into(),
        ..Fill::default()
    }
}

pub fn render(material: &Material) -> Result<Vec<u8>, ExportError> {
    let text = TextPen::new()?;
    let words = words(material.locale);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(material.title.clone())
            .language(material.locale.code().to_owned()),
    );
    let size = Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ExportError::Pdf("page size".into()))?;
    for person in &material.people {
        let mut page = document.start_page_with(PageSettings::new(size));
        let pen = Pen {
            surface: page.surface(),
            text: &text,
            y: MARGIN,
        };
        person_page(pen, material, &words, person)?;
        page.finish();
    }
    let mut page = document.start_page_with(PageSettings::new(size));
    let pen = Pen {
        surface: page.surface(),
        text: &text,
        y: MARGIN,
    };
    poster(pen, material, &words)?;
    page.finish();
    document
        .finish()
        .map_err(|error| ExportError::Pdf(format!("{error:?}")))
}

/// A registered participant's page for the conference folder.
fn person_page(
    mut pen: Pen<'_>,
    material: &Material,
    words: &Words,
    person: &Person,
) -> Result<(), ExportError> {
    pen.surface.set_fill(Some(ink()));
    pen.line(&material.title, 16.0, true);
    if !material.subtitle.is_empty() {
        pen.line(&material.subtitle, 11.0, false);
    }
    pen.gap(18.0);
    pen.line(words.welcome, 12.0, false);
    pen.line(&person.name, 28.0, true);
    if !person.organisation.is_empty() {
        pen.line(&person.organisation, 15.0, false);
    }
    let sector = sector_name(&person.sector, material.locale);
    if !sector.is_empty() {
        pen.line(&format!("{}: {sector}", words.sector), 12.0, false);
    }
    if let Some(group) = &person.group {
        pen.line(&format!("{}: {group}", words.group), 15.0, true);
    }
    pen.gap(16.0);
    pen.qr(&person.join_url, 190.0)?;
    pen.gap(6.0);
    pen.line(words.scan, 11.0, false);
    pen.line(
        &format!(
            "{}: {}",
            words.personal_code,
            grouped(&person.personal_code)
        ),
        13.0,
        true,
    );
    if !material.programme.is_empty() {
        pen.gap(18.0);
        pen.line(words.programme, 13.0, true);
        for (start, title) in &material.programme {
            if pen.y > PAGE_HEIGHT - MARGIN - 12.0 {
                break;
            }
            let line = match start {
                Some(start) if !start.is_empty() => format!("{start}  {title}"),
                _ => title.clone(),
            };
            pen.line(&line, 11.0, false);
        }
    }
    pen.finish();
    Ok(())
}

/// The poster for walk-ins: the board's QR code and join code, large.
fn poster(mut pen: Pen<'_>, material: &Material, words: &Words) -> Result<(), ExportError> {
    pen.surface.set_fill(Some(ink()));
    pen.line(&material.title, 26.0, true);
    if !material.subtitle.is_empty() {
        pen.line(&material.subtitle, 14.0, false);
    }
    pen.gap(24.0);
    pen.line(words.walk_in, 40.0, true);
    pen.gap(12.0);
    pen.qr(&material.join_url, CONTENT_WIDTH * 0.8)?;
    pen.gap(12.0);
    pen.line(
        &format!("{}: {}", words.join_code, grouped(&material.join_code)),
        32.0,
        true,
    );
    pen.line(words.walk_in_scan, 13.0, false);
    pen.line(&material.join_url, 13.0, false);
    pen.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(n: usize) -> Person {
        Person {
            name: format!("Person {n} Müller-Lüdenscheidt"),
            organisation: "Kita Sonnenschein".into(),
            sector: "stadtteil".into(),
            group: n.is_multiple_of(2).then(|| "Gruppe A".to_owned()),
            join_url: format!("http://localhost/b/board0001/join#code=CODE{n:012}"),
            personal_code: format!("CODE{n:012}"),
        }
    }

    #[test]
    fn a_page_per_person_and_the_poster() {
        let material = Material {
            locale: Locale::De,
            title: "Stadtteilkonferenz Ströbitz".into(),
            subtitle: "Ströbitz · 2026-03-04".into(),
            programme: vec![
                (Some("09:00".into()), "Ankommen".into()),
                (None, "Bedarfe".into()),
            ],
            people: (0..3).map(person).collect(),
            join_url: "http://localhost/join/ABCDEFGHJKMN".into(),
            join_code: "ABCDEFGHJKMN".into(),
        };
        let pdf = render(&material).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        // A name far over any width still renders (shrunk, then cut).
        let mut long = material.clone();
        long.people = vec![Person {
            name: "N".repeat(80),
            ..person(9)
        }];
        assert!(render(&long).is_ok());
        // Names in every script participants write.
        let mut scripts = material.clone();
        scripts.people = [
            "فاطمة الزهراء",
            "زهرا احمدی",
            "ሰላም ተስፋይ",
            "Олена Коваль",
            "Şükrü Öztürk 😀",
        ]
        .into_iter()
        .map(|name| Person {
            name: name.into(),
            ..person(1)
        })
        .collect();
        assert!(render(&scripts).is_ok());
        assert_eq!(grouped("ABCDEFGHJKMNPQRS"), "ABCD EFGH JKMN PQRS");
    }
}
