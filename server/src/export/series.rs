//! The consolidated report of a series for the council (issue 15;
//! `docs/protocol.md`, "Series"): the conferences, a matrix of topics ×
//! districts, per topic the districts, the verbatim needs, the sectors
//! that voiced it and where, the offers and the agreements; the
//! organisations active in several districts, drawn as a network map; the
//! agreements of every conference; and the contact list of everyone who
//! consented, per conference. PDF, DOCX and Markdown render the report's
//! blocks; CSV has one row per text of a topic; JSON holds it all. Pure.

use super::i18n::{self, Locale, Text};
use super::network::NetworkMap;
use super::report::{Block, Report, human_date, user};
use super::{Contact, ExportError, Format, Options};
use crate::board::model::{Board, Cluster, Membership, Network, Participant};
use crate::series::{self, Comparison, Conference, ConferenceView, Organisation, Scope, TopicView};
use serde::Serialize;

/// The formats of a series' report.
pub const FORMATS: [Format; 5] = [
    Format::Pdf,
    Format::Docx,
    Format::Markdown,
    Format::Csv,
    Format::Json,
];

/// A conference of the series with its contact list (only who consented).
#[derive(Debug, Clone)]
pub struct SeriesBoard {
    pub conference: Conference,
    pub contacts: Vec<Contact>,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct SeriesExport {
    pub id: String,
    pub title: String,
    pub locale: Locale,
    pub boards: Vec<SeriesBoard>,
    pub comparison: Comparison,
}

impl SeriesExport {
    fn conferences(&self) -> Vec<Conference> {
        self.boards.iter().map(|b| b.conference.clone()).collect()
    }

    fn topics(&self) -> Vec<TopicView> {
        let conferences = self.conferences();
        self.comparison
            .topics
            .iter()
            .map(|topic| series::topic_view(topic, &conferences))
            .collect()
    }

    fn places(&self) -> Vec<String> {
        let mut places: Vec<String> = Vec::new();
        for board in &self.boards {
            let place = board.conference.place().to_owned();
            if !places.contains(&place) {
                places.push(place);
            }
        }
        places
    }
}

pub fn scope_name(scope: Scope) -> Text {
    match scope {
        Scope::Open => Text::ScopeOpen,
        Scope::City => Text::SeriesCityWide,
        Scope::Districts => Text::SeriesDistricts,
    }
}

/// The report as blocks.
pub fn build(input: &SeriesExport, options: Options) -> Report {
    let locale = input.locale;
    let t = |text: Text| text.get(locale).to_owned();
    let topics = input.topics();
    let places = input.places();
    let mut blocks = Vec::new();

    blocks.push(Block::Heading(1, t(Text::SeriesConferences)));
    blocks.push(Block::Table {
        header: vec![
            t(Text::SeriesConference),
            t(Text::District),
            t(Text::Date),
            t(Text::SeriesParticipants),
            t(Text::Cards),
            t(Text::SeriesClusters),
        ],
        rows: input
            .boards
            .iter()
            .map(|board| {
                let view = series::conference_view(&board.conference);
                vec![
                    user(&view.title),
                    user(&view.district),
                    view.date
                        .as_deref()
                        .map(|d| human_date(locale, d))
                        .unwrap_or_default(),
                    view.participants.to_string(),
                    view.cards.to_string(),
                    view.clusters.len().to_string(),
                ]
            })
            .collect(),
    });

    blocks.push(Block::Heading(1, t(Text::SeriesMatrix)));
    blocks.push(Block::Paragraph(t(Text::SeriesMatrixIntro)));
    if topics.is_empty() {
        blocks.push(Block::Paragraph(t(Text::SeriesNoTopics)));
    } else {
        let mut header = vec![t(Text::SeriesTopic), t(Text::Scope)];
        header.extend(places.iter().map(|p| user(p)));
        blocks.push(Block::Table {
            header,
            rows: topics
                .iter()
                .map(|topic| {
                    let mut row = vec![user(&topic.title), t(scope_name(topic.scope))];
                    row.extend(places.iter().map(|place| {
                        let needs = topic.needs.iter().filter(|n| &n.district == place).count();
                        if topic.districts.contains(place) {
                            format!("● {needs}")
                        } else {
                            String::new()
                        }
                    }));
                    row
                })
                .collect(),
        });
    }

    blocks.push(Block::Heading(1, t(Text::SeriesTopics)));
    for topic in &topics {
        blocks.push(Block::Heading(2, user(&topic.title)));
        blocks.push(Block::Labelled(t(Text::Scope), t(scope_name(topic.scope))));
        let districts: Vec<String> = topic.districts.iter().map(|d| user(d)).collect();
        blocks.push(Block::Labelled(
            t(Text::SeriesDistrictsOf),
            if districts.is_empty() {
                t(Text::NoneGiven)
            } else {
                districts.join(", ")
            },
        ));
        let voiced = |items: &[series::Voiced]| -> Vec<String> {
            items
                .iter()
                .map(|v| format!("{}: {}", user(&v.district), user(&v.text)))
                .collect()
        };
        blocks.push(Block::Heading(3, t(Text::NeedsVerbatim)));
        push_list(&mut blocks, voiced(&topic.needs), t(Text::NoneGiven));
        blocks.push(Block::Heading(3, t(Text::Sectors)));
        push_list(
            &mut blocks,
            topic
                .sectors
                .iter()
                .map(|(sector, at)| {
                    let at: Vec<String> = at.iter().map(|d| user(d)).collect();
                    format!("{} ({})", t(i18n::sector(sector)), at.join(", "))
                })
                .collect(),
            t(Text::NoneGiven),
        );
        blocks.push(Block::Heading(3, t(Text::LinkedOffers)));
        push_list(&mut blocks, voiced(&topic.offers), t(Text::NoneGiven));
        blocks.push(Block::Heading(3, t(Text::Agreements)));
        push_list(&mut blocks, voiced(&topic.agreements), t(Text::NoneGiven));
    }

    let organisations = series::organisations_in_several(&input.conferences());
    blocks.push(Block::Heading(1, t(Text::SeriesNetwork)));
    blocks.push(Block::Paragraph(t(Text::SeriesNetworkIntro)));
    if organisations.is_empty() {
        blocks.push(Block::Paragraph(t(Text::NoneGiven)));
    } else {
        blocks.push(Block::NetworkMap);
        blocks.push(Block::Table {
            header: vec![
                t(Text::Organisation),
                t(Text::Sector),
                t(Text::SeriesDistrictsOf),
            ],
            rows: organisations
                .iter()
                .map(|o| {
                    let at: Vec<String> = o.districts.iter().map(|d| user(d)).collect();
                    vec![user(&o.name), t(i18n::sector(&o.sector)), at.join(", ")]
                })
                .collect(),
        });
    }

    blocks.push(Block::Heading(1, t(Text::SeriesAllAgreements)));
    for board in &input.boards {
        let conference = &board.conference;
        blocks.push(Block::Heading(2, user(&conference.title)));
        push_list(
            &mut blocks,
            conference
                .model
                .agreements
                .iter()
                .map(|a| user(&series::agreement_line(&a.what, &a.who, a.due.as_deref())))
                .collect(),
            t(Text::NoAgreements),
        );
    }

    if options.authors {
        blocks.push(Block::Heading(1, t(Text::ContactList)));
        blocks.push(Block::Paragraph(t(Text::ContactListIntro)));
        for board in &input.boards {
            blocks.push(Block::Heading(2, user(&board.conference.title)));
            if board.contacts.is_empty() {
                blocks.push(Block::Paragraph(t(Text::NoContacts)));
                continue;
            }
            blocks.push(Block::Table {
                header: vec![
                    t(Text::Name),
                    t(Text::Organisation),
                    t(Text::Sector),
                    t(Text::Email),
                    t(Text::Phone),
                ],
                rows: board
                    .contacts
                    .iter()
                    .map(|c| {
                        vec![
                            user(&c.name),
                            user(&c.organisation),
                            t(i18n::sector(&c.sector)),
                            user(c.email.as_deref().unwrap_or_default()),
                            user(c.phone.as_deref().unwrap_or_default()),
                        ]
                    })
                    .collect(),
            });
        }
    }

    let network = network_of(&organisations);
    let network_svg = network.svg(locale);
    Report {
        locale,
        title: user(&input.title),
        subtitle: places
            .iter()
            .map(|p| user(p))
            .collect::<Vec<_>>()
            .join(" · "),
        blocks,
        network,
        network_svg,
    }
}

fn push_list(blocks: &mut Vec<Block>, items: Vec<String>, empty: String) {
    if items.is_empty() {
        blocks.push(Block::Paragraph(empty));
    } else {
        blocks.push(Block::List(items));
    }
}

/// The series' network map: the organisations active in several
/// districts, linked where they met in a district (a district is drawn as
/// what they shared, as a board's clusters are).
fn network_of(organisations: &[Organisation]) -> NetworkMap {
    let mut board = Board::default();
    let mut districts: Vec<&str> = Vec::new();
    for (index, organisation) in organisations.iter().enumerate() {
        let id = format!("o{index}");
        board.participants.push(Participant {
            id: id.clone(),
            name: organisation.name.clone(),
            organisation: organisation.name.clone(),
            sector: organisation.sector.clone(),
            group: None,
        });
        for district in &organisation.districts {
            if !districts.contains(&district.as_str()) {
                districts.push(district);
            }
            board.memberships.push(Membership {
                participant: id.clone(),
                network: district.clone(),
            });
        }
    }
    for district in districts {
        board.networks.push(Network {
            id: district.to_owned(),
            title: district.to_owned(),
            order: 0.0,
        });
        let cluster = format!("d:{district}");
        board.clusters.push(Cluster {
            id: cluster.clone(),
            title: district.to_owned(),
            ..Cluster::default()
        });
        for membership in board.memberships.iter().filter(|m| m.network == district) {
            board.cards.push(crate::board::model::Card {
                id: format!("{}:{}", membership.participant, district),
                author: membership.participant.clone(),
                cluster: Some(cluster.clone()),
                kind: "need".to_owned(),
                ..Default::default()
            });
        }
    }
    NetworkMap::build(&board)
}

#[derive(Serialize)]
struct SeriesFile<'a> {
    format: &'static str,
    version: u32,
    series: SeriesInfo<'a>,
    conferences: Vec<ConferenceView>,
    topics: Vec<TopicView>,
    /// District → topic id → need count, for each topic that district is in.
    matrix: Vec<MatrixRow>,
    organisations: Vec<Organisation>,
    contacts: Vec<ContactsOf<'a>>,
    comparison: &'a Comparison,
}

#[derive(Serialize)]
struct SeriesInfo<'a> {
    id: &'a str,
    title: &'a str,
    locale: &'static str,
}

#[derive(Serialize)]
struct MatrixRow {
    topic: String,
    scope: Scope,
    districts: Vec<String>,
}

#[derive(Serialize)]
struct ContactsOf<'a> {
    board: &'a str,
    contacts: &'a [Contact],
}

/// Renders one format of the report.
pub fn export(
    input: &SeriesExport,
    format: Format,
    options: Options,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Json => {
            let topics = input.topics();
            let file = SeriesFile {
                format: "kartenwand-series",
                version: 1,
                series: SeriesInfo {
                    id: &input.id,
                    title: &input.title,
                    locale: input.locale.code(),
                },
                conferences: input
                    .boards
                    .iter()
                    .map(|b| series::conference_view(&b.conference))
                    .collect(),
                matrix: topics
                    .iter()
                    .map(|t| MatrixRow {
                        topic: t.id.clone(),
                        scope: t.scope,
                        districts: t.districts.clone(),
                    })
                    .collect(),
                topics,
                organisations: series::organisations_in_several(&input.conferences()),
                contacts: if options.authors {
                    input
                        .boards
                        .iter()
                        .map(|b| ContactsOf {
                            board: &b.conference.board,
                            contacts: &b.contacts,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                comparison: &input.comparison,
            };
            let mut bytes = serde_json::to_vec_pretty(&file)?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        Format::Csv => Ok(csv(input).into_bytes()),
        Format::Markdown => Ok(super::markdown::render(&build(input, options)).into_bytes()),
        Format::Html => Ok(super::html::render(&build(input, options)).into_bytes()),
        Format::Pdf => super::pdf::render(&build(input, options)),
        Format::Docx => super::docx::render(&build(input, options)),
    }
}

/// One row per text of a topic (a need, an offer, an agreement) with its
/// district; a topic in no district has one row of its own.
fn csv(input: &SeriesExport) -> String {
    let locale = input.locale;
    let t = |text: Text| text.get(locale).to_owned();
    let mut out = String::from('\u{feff}');
    super::csv::row(
        &mut out,
        &[
            t(Text::SeriesTopic),
            t(Text::Scope),
            t(Text::District),
            t(Text::SeriesWhat),
            t(Text::SeriesText),
        ],
    );
    for topic in input.topics() {
        let scope = t(scope_name(topic.scope));
        let mut wrote = false;
        for (kind, items) in [
            (Text::KindNeed, &topic.needs),
            (Text::KindOffer, &topic.offers),
            (Text::Agreements, &topic.agreements),
        ] {
            for item in items {
                super::csv::row(
                    &mut out,
                    &[
                        topic.title.clone(),
                        scope.clone(),
                        item.district.clone(),
                        t(kind),
                        item.text.clone(),
                    ],
                );
                wrote = true;
            }
        }
        if !wrote {
            super::csv::row(
                &mut out,
                &[
                    topic.title.clone(),
                    scope,
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            );
        }
    }
    out
}

/// `kartenwand-series-{title}.{ext}`, ASCII letters, digits and dashes.
pub fn file_name(input: &SeriesExport, format: Format) -> String {
    format!(
        "kartenwand-series-{}.{}",
        super::slug(&input.title),
        format.extension()
    )
}
