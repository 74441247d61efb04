//! Exports of a realistic conference: 40 participants across the five
//! sectors (half of them consenting to share contact data), 150 cards in 8
//! clusters, 2 cases with placements and notes, 10 agreements. The board is
//! written by the moderator's websocket client; the exports are fetched over
//! HTTP from the live room and from the CLI, and checked with the tools a
//! recipient would use (`pdftotext`, LibreOffice).
//!
//! Needs `pdftotext` (poppler-utils) and `libreoffice` (libreoffice-writer);
//! `scripts/test.sh` installs them. Without them the test fails and says so.

use crate::common::http::{authorization_header, exchange};
use crate::common::server::{import, kartenwand};
use crate::common::{Client, Server};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use yrs::{Any, Map, MapPrelim, WriteTxn};

const SECTORS: [&str; 5] = ["stadtteil", "behoerde", "traeger", "wirtschaft", "politik"];

/// Four organisations per sector, in the order of `SECTORS`.
const ORGANISATIONS: [&str; 20] = [
    "Kita Sonnenschein",
    "Grundschule Am Hain",
    "Jugendclub Sachsendorf",
    "Familienzentrum Süd",
    "Jobcenter Cottbus",
    "Agentur für Arbeit",
    "Fachbereich Soziales",
    "Ausländerbehörde",
    "Caritas",
    "Diakonie",
    "AWO",
    "Internationaler Bund",
    "GWC Wohnungsgesellschaft",
    "eG Wohnen",
    "Stadtwerke",
    "Lausitzer Handwerk",
    "Stadtverordnetenversammlung",
    "Ortsbeirat Sachsendorf",
    "Integrationsbeirat",
    "Sozialausschuss",
];

const CLUSTERS: [&str; 8] = [
    "Kinderbetreuung und Kita-Plätze",
    "Wohnungssuche",
    "Sprachkurse für Erwachsene",
    "Übergänge Schule und Beruf",
    "Gesundheitsversorgung",
    "Aufenthaltsrecht und Behördengänge",
    "Vernetzung der Akteure",
    "Öffentlichkeitsarbeit und Begegnung",
];

const AGREEMENTS: [&str; 10] = [
    "Netzwerktreffen im März",
    "Liste der Ansprechpersonen",
    "Sprachkursplätze melden",
    "Kita-Anmeldung erklären",
    "Wohnungsbörse prüfen",
    "Dolmetscherpool aufbauen",
    "Elterncafé gründen",
    "Ausbildungsmesse planen",
    "Arztbesuche begleiten",
    "Bericht an den Ausschuss",
];

struct Person {
    id: String,
    name: String,
    email: String,
    consent: bool,
}

fn organisation_of(index: usize) -> usize {
    index / 2
}

fn sector_of(index: usize) -> &'static str {
    SECTORS[organisation_of(index) / 4]
}

pub(crate) fn require_tool(tool: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        found,
        "{tool} is missing: install it with `apt-get install -y {package}` \
         (scripts/test.sh does that); the export tests need it"
    );
}

fn entry(fields: &[(&str, Any)]) -> MapPrelim {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A raw GET: status, lower-cased headers, body bytes.
async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let authorization = authorization_header(token);
    let raw =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{authorization}Connection: close\r\n\r\n");
    let response = exchange(addr, raw.as_bytes()).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    assert!(
        !head.contains("transfer-encoding: chunked"),
        "exports have a known length"
    );
    (status, head, response[split + 4..].to_vec())
}

/// Collapses whitespace, so text wrapped by a layout still matches.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdf_text(path: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

/// RFC 4180 parser: rows of fields.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("the CSV starts with a UTF-8 byte order mark (spreadsheets read it as UTF-8)");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn every_format_of_a_realistic_board() {
    require_tool("pdftotext", "poppler-utils");
    require_tool("libreoffice", "libreoffice-writer-nogui");
    let server = Server::start(&[]).await;
    let (status, created) = server
        .request(
            "POST",
            "/api/boards",
            Some(&json!({
                "title": "Stadtteilkonferenz Sachsendorf",
                "district": "Sachsendorf",
                "date": "2026-11-24"
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let board = created["board"].as_str().expect("board").to_owned();
    let moderator_token = created["moderator_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let viewer_token = created["viewer_token"].as_str().expect("token").to_owned();
    let join_code = created["join_code"].as_str().expect("code").to_owned();

    // 40 participants; even ones consent to share contact data.
    let mut people = Vec::new();
    let mut participant_token = String::new();
    for index in 0..40 {
        let name = format!("Jürgen Weiß {index:02}");
        let email = format!("person{index:02}@beispiel.de");
        let consent = index % 2 == 0;
        let (status, joined) = server
            .request(
                "POST",
                &format!("/api/boards/{board}/join"),
                Some(&json!({
                    "join_code": join_code,
                    "name": name,
                    "organisation": ORGANISATIONS[organisation_of(index)],
                    "sector": sector_of(index),
                    "email": email,
                    "phone": format!("0355 {index:04}"),
                    "contact_consent": consent,
                })),
            )
            .await;
        assert_eq!(status, 201, "{joined}");
        participant_token = joined["token"].as_str().expect("token").to_owned();
        people.push(Person {
            id: joined["participant_id"].as_str().expect("id").to_owned(),
            name,
            email,
            consent,
        });
    }

    // The moderator writes the conference into the live document.
    let mut moderator = Client::connect(&server, &board, &moderator_token).await;
    let cluster_ids: Vec<String> = (0..CLUSTERS.len())
        .map(|i| format!("cluster{i:04}"))
        .collect();
    let focal_ids: Vec<String> = (0..12).map(|i| format!("focal{i:04}")).collect();
    let placements: Vec<(usize, usize)> = (0..12)
        .flat_map(|focal| {
            [
                (focal * 3) % 40,
                (focal * 3 + 11) % 40,
                (focal * 7 + 5) % 40,
            ]
            .map(|p| (p, focal))
        })
        .collect();
    moderator
        .edit(|_, txn| {
            let participants = txn.get_or_insert_map("participants");
            for (index, person) in people.iter().enumerate() {
                participants.insert(
                    txn,
                    person.id.as_str(),
                    entry(&[
                        ("name", person.name.as_str().into()),
                        ("organisation", ORGANISATIONS[organisation_of(index)].into()),
                        ("sector", sector_of(index).into()),
                        ("joinedAt", Any::from(1_790_000_000_000i64 + index as i64)),
                    ]),
                );
            }
            let clusters = txn.get_or_insert_map("clusters");
            for (index, title) in CLUSTERS.iter().enumerate() {
                clusters.insert(
                    txn,
                    cluster_ids[index].as_str(),
                    entry(&[
                        ("title", (*title).into()),
                        ("colour", "green".into()),
                        (
                            "scope",
                            if index % 2 == 0 {
                                "district"
                            } else {
                                "overarching"
                            }
                            .into(),
                        ),
                        ("order", Any::from(index as i64)),
                    ]),
                );
            }
        })
        .await;
    moderator
        .edit(|_, txn| {
            let cards = txn.get_or_insert_map("cards");
            for index in 0..150usize {
                let kind = ["need", "situation", "need", "offer"][index % 4];
                let mut fields = vec![
                    (
                        "text",
                        Any::from(format!(
                            "Karte {index:03}: Für Familien fehlen Plätze, Übergänge sind schwer; \"Größe\" zählt"
                        )),
                    ),
                    ("kind", kind.into()),
                    ("author", people[index % 40].id.as_str().into()),
                    ("createdAt", Any::from(1_790_000_100_000i64 + index as i64)),
                ];
                if index % 10 != 9 {
                    fields.push(("cluster", cluster_ids[index % 8].as_str().into()));
                }
                cards.insert(txn, format!("card{index:05}"), entry(&fields));
            }
            let votes = txn.get_or_insert_map("votes");
            for (index, person) in people.iter().enumerate() {
                votes.insert(txn, format!("{}:{}", person.id, cluster_ids[index % 8]), 2i64);
            }
            let links = txn.get_or_insert_map("offerLinks");
            links.insert(txn, format!("card00003:{}", cluster_ids[3]), true);
        })
        .await;
    moderator
        .edit(|_, txn| {
            let cases = txn.get_or_insert_map("cases");
            for (index, (title, framework)) in [("Familie A.", "asylblg"), ("Herr B.", "sgb2")]
                .iter()
                .enumerate()
            {
                cases.insert(
                    txn,
                    format!("case{index:05}"),
                    entry(&[
                        ("title", (*title).into()),
                        ("framework", (*framework).into()),
                        (
                            "story",
                            "Seit drei Monaten in Sachsendorf, sucht eine Wohnung.".into(),
                        ),
                        ("order", Any::from(index as i64)),
                    ]),
                );
            }
            let focal_points = txn.get_or_insert_map("focalPoints");
            let titles = [
                "Wohnen",
                "Sprachkurs",
                "Arbeit",
                "Gesundheit",
                "Kita und Schule",
                "Aufenthalt",
            ];
            for (index, id) in focal_ids.iter().enumerate() {
                focal_points.insert(
                    txn,
                    id.as_str(),
                    entry(&[
                        ("case", format!("case{:05}", index / 6).into()),
                        ("title", titles[index % 6].into()),
                        ("order", Any::from(index as i64)),
                    ]),
                );
            }
            let placement_map = txn.get_or_insert_map("placements");
            for (person, focal) in &placements {
                placement_map.insert(
                    txn,
                    format!("{}:{}", people[*person].id, focal_ids[*focal]),
                    true,
                );
            }
            let notes = txn.get_or_insert_map("notes");
            for (index, category) in ["legal", "steering", "needs", "offers", "planned"]
                .iter()
                .cycle()
                .take(20)
                .enumerate()
            {
                notes.insert(
                    txn,
                    format!("note{index:05}"),
                    entry(&[
                        ("focalPoint", focal_ids[index % 12].as_str().into()),
                        ("category", (*category).into()),
                        (
                            "text",
                            format!("Notiz {index}: Zuständigkeit klären").into(),
                        ),
                        ("createdAt", Any::from(1_790_000_200_000i64 + index as i64)),
                    ]),
                );
            }
            let agreements = txn.get_or_insert_map("agreements");
            for (index, what) in AGREEMENTS.iter().enumerate() {
                agreements.insert(
                    txn,
                    format!("agreement{index:03}"),
                    entry(&[
                        ("what", (*what).into()),
                        ("who", ORGANISATIONS[(index * 3) % 20].into()),
                        ("due", "2027-01-15".into()),
                        ("status", "confirmed".into()),
                        ("author", people[index].id.as_str().into()),
                        ("createdAt", Any::from(1_790_000_300_000i64 + index as i64)),
                    ]),
                );
            }
            let networks = txn.get_or_insert_map("networks");
            networks.insert(
                txn,
                "network0001",
                entry(&[
                    ("title", "Netzwerk Sachsendorf".into()),
                    ("order", Any::from(0i64)),
                ]),
            );
            let memberships = txn.get_or_insert_map("memberships");
            for person in people.iter().take(6) {
                memberships.insert(txn, format!("{}:network0001", person.id), true);
            }
            let handout = txn.get_or_insert_map("handout");
            handout.insert(txn, "contacts", "Koordinierungsstelle Asyl: Frau Schröder");
            handout.insert(
                txn,
                "procedures",
                "Anmeldung beim Jobcenter\nKita-Gutschein beantragen",
            );
            handout.insert(txn, "steering", "Fallkonferenz, Integrationsplan");
        })
        .await;
    // Wait until the room has committed and echoed the last edit.
    moderator
        .pump_until(Client::all_echoed, "the echoes of the edits")
        .await;

    // Who may export.
    let path = |format: &str| format!("/api/boards/{board}/export.{format}");
    assert_eq!(get(server.addr, &path("md"), None).await.0, 401);
    assert_eq!(
        get(server.addr, &path("md"), Some(&viewer_token)).await.0,
        403
    );
    assert_eq!(
        get(server.addr, &path("md"), Some(&participant_token))
            .await
            .0,
        403
    );
    assert_eq!(
        get(server.addr, &path("xls"), Some(&moderator_token))
            .await
            .0,
        404
    );

    let temp = tempfile::tempdir().expect("temp dir");
    let mut exports: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for (format, content_type) in [
        ("md", "text/markdown; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("pdf", "application/pdf"),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ] {
        let (status, head, body) = get(server.addr, &path(format), Some(&moderator_token)).await;
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        assert!(
            head.contains(&format!("content-type: {content_type}")),
            "{format}: {head}"
        );
        assert!(
            head.contains(&format!(
                "content-disposition: attachment; filename=\"kartenwand-sachsendorf-2026-11-24.{format}\""
            )),
            "{format}: {head}"
        );
        std::fs::write(temp.path().join(format!("board.{format}")), &body).expect("writes");
        exports.insert(format, body);
    }
    let text = |format: &str| String::from_utf8(exports[format].clone()).expect("UTF-8");

    // Markdown and HTML: the needs verbatim, every cluster, agreements, handout.
    for format in ["md", "html"] {
        let body = text(format);
        for title in CLUSTERS.iter().chain(AGREEMENTS.iter()) {
            assert!(body.contains(title), "{format} lacks {title}");
        }
        assert!(
            body.contains("Koordinierungsstelle Asyl"),
            "{format} lacks the handout"
        );
        assert!(body.contains("Karte 149"), "{format} lacks a card");
    }
    let html = text("html");
    assert!(html.contains("@media print"), "print stylesheet");
    assert!(html.contains("&quot;Größe&quot;"), "card text is escaped");

    // PDF: a real PDF whose text (umlauts included) can be extracted.
    assert!(exports["pdf"].starts_with(b"%PDF-"));
    let pdf = normalise(&pdf_text(&temp.path().join("board.pdf")));
    for expected in CLUSTERS
        .iter()
        .chain(["Verabredungen", "Größe", "Übergänge", "Jürgen Weiß 00"].iter())
    {
        assert!(pdf.contains(expected), "the PDF text lacks {expected:?}");
    }
    // Dates as the reader writes them, each whole on its line of the
    // agreements table (the raw text, not whitespace-collapsed).
    let pdf_lines = pdf_text(&temp.path().join("board.pdf"));
    assert_eq!(
        pdf_lines
            .lines()
            .filter(|line| line.contains("15.01.2027"))
            .count(),
        AGREEMENTS.len(),
        "every due date whole on one line: {pdf_lines}"
    );

    // DOCX: LibreOffice converts it to PDF without error, and every agreement
    // and cluster is in it (read back through LibreOffice's text export,
    // which keeps each table cell whole, and in document.xml).
    let profile = tempfile::tempdir().expect("temp dir");
    let convert = |to: &str| {
        let converted = Command::new("libreoffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.path().display()
            ))
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(temp.path().join("converted"))
            .arg(temp.path().join("board.docx"))
            .output()
            .expect("libreoffice runs");
        assert!(
            converted.status.success(),
            "libreoffice failed: {}",
            String::from_utf8_lossy(&converted.stderr)
        );
    };
    convert("pdf");
    let converted_pdf = temp.path().join("converted/board.pdf");
    assert!(converted_pdf.exists(), "libreoffice wrote no PDF");
    let converted_pdf_text = normalise(&pdf_text(&converted_pdf));
    assert!(
        converted_pdf_text.contains("Verabredungen"),
        "the converted PDF has text"
    );
    convert("txt:Text");
    let converted_text = std::fs::read_to_string(temp.path().join("converted/board.txt"))
        .expect("libreoffice wrote the text");
    let converted_text = normalise(&converted_text);
    let unzip = Command::new("unzip")
        .args(["-p"])
        .arg(temp.path().join("board.docx"))
        .arg("word/document.xml")
        .output()
        .expect("unzip runs");
    let document_xml = String::from_utf8(unzip.stdout).expect("UTF-8");
    for agreement in AGREEMENTS {
        assert!(
            document_xml.contains(agreement),
            "document.xml lacks {agreement}"
        );
        assert!(
            converted_text.contains(agreement),
            "the converted DOCX lacks {agreement}"
        );
    }
    for title in CLUSTERS {
        assert!(
            converted_text.contains(title),
            "the converted DOCX lacks {title}"
        );
        assert!(
            converted_pdf_text.contains(title),
            "the DOCX as PDF lacks {title}"
        );
    }

    // CSV: one row per card, every row complete.
    let rows = parse_csv(&text("csv"));
    assert_eq!(rows.len(), 151, "header and one row per card");
    assert_eq!(
        rows[0],
        [
            "Text",
            "Art",
            "Bedarfsgruppe",
            "Bezug",
            "Bereich",
            "Kleingruppe",
            "Stimmen",
            "Verfasst von"
        ]
    );
    assert!(rows.iter().all(|row| row.len() == 8));
    assert!(
        rows[1][0]
            .starts_with("Karte 000: Für Familien fehlen Plätze, Übergänge sind schwer; \"Größe\"")
    );
    assert_eq!(rows[1][2], CLUSTERS[0]);
    assert_eq!(
        rows[1][6], "10",
        "five participants gave the first cluster two dots each"
    );
    assert_eq!(rows[10][2], "", "card 009 is unsorted");

    // The network map: one node per organisation, edges where people share
    // a focal point.
    let start = html.find("<svg").expect("the map is inline");
    let end = html[start..].find("</svg>").expect("svg ends") + start;
    let svg = &html[start..end];
    assert_eq!(svg.matches("class=\"node\"").count(), 20);
    let mut focal_pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for focal in 0..12 {
        let orgs: BTreeSet<String> = placements
            .iter()
            .filter(|(_, f)| *f == focal)
            .map(|(p, _)| ORGANISATIONS[organisation_of(*p)].to_lowercase())
            .collect();
        let orgs: Vec<String> = orgs.into_iter().collect();
        for (i, a) in orgs.iter().enumerate() {
            for b in &orgs[i + 1..] {
                focal_pairs.insert((a.clone(), b.clone()));
            }
        }
    }
    let mut edges_with_focal_points = 0;
    for edge in svg.split("<line class=\"edge\"").skip(1) {
        let attribute = |name: &str| {
            let from = edge.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
            edge[from..from + edge[from..].find('"').expect("quote")].to_owned()
        };
        let (a, b) = (attribute("data-a"), attribute("data-b"));
        let pair = if a < b { (a, b) } else { (b, a) };
        let shared: u32 = attribute("data-focal-points").parse().expect("count");
        assert_eq!(shared > 0, focal_pairs.contains(&pair), "edge {pair:?}");
        if shared > 0 {
            edges_with_focal_points += 1;
        }
    }
    assert_eq!(edges_with_focal_points, focal_pairs.len());

    // Privacy: contact data only of those who consented, in every format.
    let docx_text = document_xml.clone();
    let pdf_raw = pdf_text(&temp.path().join("board.pdf"));
    for person in &people {
        let haystacks = [
            ("md", text("md")),
            ("html", text("html")),
            ("csv", text("csv")),
            ("json", text("json")),
            ("pdf", pdf_raw.clone()),
            ("docx", docx_text.clone()),
        ];
        for (format, haystack) in haystacks {
            if person.consent {
                if format != "csv" {
                    assert!(
                        haystack.contains(&person.email),
                        "{format} lacks a consented e-mail"
                    );
                }
            } else {
                assert!(
                    !haystack.contains(&person.email),
                    "{format} leaks the e-mail of {}",
                    person.name
                );
            }
        }
    }

    // Without authors.
    let (_, _, anonymous) = get(
        server.addr,
        &format!("{}?authors=false", path("csv")),
        Some(&moderator_token),
    )
    .await;
    let anonymous = parse_csv(&String::from_utf8(anonymous).expect("UTF-8"));
    assert_eq!(anonymous[0].len(), 7, "no author column");
    let (_, _, anonymous) = get(
        server.addr,
        &format!("{}?authors=false", path("json")),
        Some(&moderator_token),
    )
    .await;
    assert!(
        !String::from_utf8(anonymous)
            .expect("UTF-8")
            .contains("\"author\"")
    );

    // JSON: export → import → export is byte-identical.
    let json: Value = serde_json::from_slice(&exports["json"]).expect("JSON");
    assert_eq!(json["format"], "kartenwand-board");
    assert_eq!(json["version"], 2);
    assert_eq!(
        json["document"]["cards"].as_object().expect("cards").len(),
        150
    );
    let exported = temp.path().join("board.json");
    let refused = kartenwand(&[
        "import",
        "--data-dir",
        server.data_dir.to_str().expect("path"),
        "--file",
        exported.to_str().expect("path"),
    ]);
    assert!(
        !refused.status.success(),
        "importing over an existing board is refused"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("exists already"));

    let restored_dir = temp.path().join("restored");
    let new_token = import(&restored_dir, &exported);
    assert_ne!(new_token, moderator_token);
    let reexported = temp.path().join("reexported.json");
    let cli = kartenwand(&[
        "export",
        "--data-dir",
        restored_dir.to_str().expect("path"),
        "--board",
        &board,
        "--format",
        "json",
        "--out",
        reexported.to_str().expect("path"),
    ]);
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let reexported = std::fs::read(&reexported).expect("reads");
    assert!(
        reexported == exports["json"],
        "JSON export → import → export differs"
    );

    // The restored board serves the same export to its new moderator token.
    let restored = Server::start_in(&restored_dir, &[]).await;
    let (status, _, served) = get(restored.addr, &path("json"), Some(&new_token)).await;
    assert_eq!(status, 200);
    assert!(
        served == exports["json"],
        "the restored server exports the same JSON"
    );
    let (status, _, _) = get(restored.addr, &path("json"), Some(&moderator_token)).await;
    assert_eq!(status, 403, "the old token is dead");
    moderator.close().await;
}

/// Texts a participant may not write, and the moderator (unchecked) may:
/// characters XML 1.0 forbids and noncharacters. The participant's card
/// is refused with a reason; the moderator's reach every format as U+FFFD,
/// and the DOCX stays well-formed XML.
#[tokio::test]
async fn no_text_breaks_the_documents() {
    use std::io::Read;
    let crate::common::Party {
        server,
        board,
        mut moderator,
        mut alice,
        alice_id,
        ..
    } = crate::common::party("Steuerzeichen").await;
    alice
        .edit(|_, txn| crate::common::create_card(txn, "cardAlice0001", &alice_id, "Kita\u{1}"))
        .await;
    alice
        .pump_until(|c| !c.seen.denied.is_empty(), "the refusal of Alice's card")
        .await;
    assert_eq!(
        alice.seen.denied[0],
        "texts may not hold control characters or noncharacters"
    );
    moderator
        .edit(|_, txn| {
            crate::common::create_card(
                txn,
                "cardModer0001",
                "moderator",
                "Wohnen\u{b}\u{ffff}Quartier",
            );
            crate::common::put(
                txn,
                "clusters",
                "cluster0001",
                &[("title", "Kita\u{fdd0}".into())],
            );
        })
        .await;
    moderator
        .pump_until(|c| c.all_echoed(), "the moderator's echo")
        .await;
    let path = |ext: &str| format!("/api/boards/{}/export.{ext}", board.id);
    for ext in ["md", "html", "pdf", "docx", "csv", "json"] {
        let (status, _, body) = get(server.addr, &path(ext), Some(&board.moderator_token)).await;
        assert_eq!(status, 200, "{ext}: {}", String::from_utf8_lossy(&body));
        if ext == "docx" {
            let mut archive =
                zip::ZipArchive::new(std::io::Cursor::new(body)).expect("the DOCX is a zip");
            let mut xml = String::new();
            archive
                .by_name("word/document.xml")
                .expect("document.xml")
                .read_to_string(&mut xml)
                .expect("UTF-8");
            roxmltree::Document::parse(&xml).expect("document.xml is well-formed XML");
            assert!(
                xml.contains("Wohnen\u{fffd}\u{fffd}Quartier"),
                "replaced, not dropped"
            );
            assert!(!xml.contains("Kita\u{1}"), "the refused card is not in it");
        }
    }
}
