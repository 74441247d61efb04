//! The Kassel documentation (issue 14): a board's problem–solution tree
//! and its photos in every export format, read back with the tools a
//! recipient would use (`pdftotext`, `pdfimages`, a zip reader), and the
//! JSON's round trip through `kartenwand import`.
//!
//! Needs `pdftotext` and `pdfimages` (poppler-utils).

use crate::common::doc::with_segment;
use crate::common::http::get_bytes;
use crate::common::server::{import, kartenwand};
use crate::common::{Client, Server, at, put};
use crate::exports::require_tool;
use serde_json::Value;
use std::io::Read;
use std::process::Command;
use yrs::{Any, Map, WriteTxn};

/// The tree of the test board: (id, kind, parent, text), in the order
/// they are written. `challengeGone` is deleted afterwards, so
/// `solutionOrphan` loses its challenge.
const ENTRIES: [(&str, &str, Option<&str>, &str); 9] = [
    (
        "challengeTop01",
        "challenge",
        None,
        "Zuständigkeiten sind unklar",
    ),
    (
        "challengeSub01",
        "challenge",
        Some("challengeTop01"),
        "Wer koordiniert die Träger?",
    ),
    (
        "challengeTop02",
        "challenge",
        None,
        "<script>alert(1)</script> Datenschutz",
    ),
    ("challengeGone1", "challenge", None, "Bald gelöscht"),
    (
        "solutionTop01a",
        "solution",
        Some("challengeTop01"),
        "Eine Liste der Ansprechpersonen",
    ),
    (
        "solutionSub01a",
        "solution",
        Some("challengeSub01"),
        "Ein monatlicher Runder Tisch",
    ),
    (
        "solutionTop02a",
        "solution",
        Some("challengeTop02"),
        "Einwilligung auf einem Bogen",
    ),
    (
        "solutionTop02b",
        "solution",
        Some("challengeTop02"),
        "Schulung für alle Träger",
    ),
    (
        "solutionOrphan",
        "solution",
        Some("challengeGone1"),
        "Verwaiste Lösung bleibt",
    ),
];

/// The entries' texts that must be in every export (the deleted
/// challenge is not).
fn kept() -> impl Iterator<
    Item = &'static (
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
    ),
> {
    ENTRIES.iter().filter(|(id, ..)| *id != "challengeGone1")
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A tool's output on a file holding `bytes`.
fn run_on(tool: &str, args: &[&str], bytes: &[u8]) -> String {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = temp.path().join("export.pdf");
    std::fs::write(&path, bytes).expect("writes");
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .expect("the tool runs");
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn zip_part(docx: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut file = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("reads");
    Some(bytes)
}

async fn export(server: &Server, board: &str, token: &str, format: &str) -> Vec<u8> {
    let (status, body) = get_bytes(
        server,
        &format!("/api/boards/{board}/export.{format}"),
        token,
    )
    .await;
    assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
    body
}

/// Writes the tree as the moderator and deletes `challengeGone1`.
async fn write_tree(moderator: &mut Client, author: &str) {
    moderator
        .edit(|_, txn| {
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, "challengesOpen", true);
            meta.insert(txn, "solutionsOpen", true);
            for (index, (id, kind, parent, text)) in ENTRIES.iter().enumerate() {
                let mut fields = vec![
                    ("text", Any::from(*text)),
                    ("kind", Any::from(*kind)),
                    ("author", Any::from(author)),
                    (
                        "createdAt",
                        Any::from(1_790_000_000_000.0 + index as f64 * 1000.0),
                    ),
                ];
                if let Some(parent) = parent {
                    fields.push(("parent", Any::from(*parent)));
                }
                put(txn, "cards", id, &fields);
            }
        })
        .await;
    moderator
        .pump_until(
            |c| !at(&c.json(), "/cards/solutionOrphan/text").is_null(),
            "the tree",
        )
        .await;
    moderator
        .edit(|_, txn| {
            let cards = txn.get_or_insert_map("cards");
            cards.remove(txn, "challengeGone1");
        })
        .await;
    moderator
        .pump_until(Client::all_echoed, "the deletion's echo")
        .await;
}

#[tokio::test]
async fn the_tree_in_every_format_and_through_import() {
    require_tool("pdftotext", "poppler-utils");
    let server = Server::start(&[]).await;
    let board = server
        .create_board("Was erschwert die Zusammenarbeit?")
        .await;
    let (ada, _) = server.join(&board, "Ada").await;
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    write_tree(&mut moderator, &ada).await;
    let token = &board.moderator_token;

    // PDF: every entry, the section and the orphans' heading, as text.
    let pdf = export(&server, &board.id, token, "pdf").await;
    let text = normalise(&run_on("pdftotext", &[], &pdf));
    for (_, _, _, entry) in kept() {
        assert!(text.contains(entry), "the PDF lacks {entry:?}: {text}");
    }
    assert!(!text.contains("Bald gelöscht"), "the deleted challenge");
    for heading in ["Problem-Lösungs-Baum", "Ohne Herausforderung"] {
        assert!(text.contains(heading), "the PDF lacks {heading:?}");
    }

    // HTML: the drawing holds every entry as escaped text, and the nested
    // list follows it.
    let html = String::from_utf8(export(&server, &board.id, token, "html").await).expect("UTF-8");
    assert!(!html.contains("<script>"), "no markup from a card");
    let start = html
        .find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tree\"")
        .expect("the tree's drawing");
    let end = html[start..].find("</svg>").expect("the drawing ends") + start;
    let svg = &html[start..end + "</svg>".len()];
    roxmltree::Document::parse(svg).expect("the drawing is well-formed XML");
    for (_, _, _, entry) in kept() {
        let escaped = entry.replace('<', "&lt;").replace('>', "&gt;");
        assert!(svg.contains(&escaped), "the drawing lacks {entry:?}");
    }
    assert!(
        svg.contains("Was erschwert die Zusammenarbeit?"),
        "the question"
    );
    assert!(svg.contains("Ohne Herausforderung"));
    assert_eq!(svg.matches("class=\"challenge\"").count(), 3);
    assert_eq!(svg.matches("class=\"solution\"").count(), 5);
    let list = &html[end..];
    let position = |text: &str| {
        list.find(text)
            .unwrap_or_else(|| panic!("the list lacks {text}"))
    };
    assert!(position("Zuständigkeiten sind unklar") < position("Eine Liste der Ansprechpersonen"));
    let nested = &list[position("Wer koordiniert die Träger?")..];
    assert!(
        nested.find("<ul>") < nested.find("Ein monatlicher Runder Tisch"),
        "the sub-challenge's solution is in a list inside it"
    );

    // Markdown: nested by indentation.
    let whole = String::from_utf8(export(&server, &board.id, token, "md").await).expect("UTF-8");
    // A board of a tree alone: no empty sections of the conference's.
    assert!(!whole.contains("Situationen und Bedarfe im Wortlaut"));
    assert!(!whole.contains("Zusammenfassung nach Bedarfsgruppen"));
    let markdown = &whole[whole
        .find("## Problem-Lösungs-Baum")
        .expect("the tree's section")..];
    let line_of = |text: &str| {
        markdown
            .lines()
            .find(|line| line.contains(text) && line.trim_start().starts_with("- "))
            .unwrap_or_else(|| panic!("the Markdown lacks {text}: {markdown}"))
            .to_owned()
    };
    assert!(line_of("Zuständigkeiten sind unklar").starts_with("- "));
    assert!(line_of("Wer koordiniert die Träger?").starts_with("  - "));
    assert!(line_of("Ein monatlicher Runder Tisch").starts_with("    - "));
    assert!(line_of("Eine Liste der Ansprechpersonen").starts_with("  - "));
    assert!(line_of(r"\<script\>alert(1)\</script\> Datenschutz").starts_with("- "));
    assert!(markdown.contains("### Ohne Herausforderung"));
    assert!(line_of("Verwaiste Lösung bleibt").starts_with("- "));

    // DOCX: every entry, each level indented further.
    let docx = export(&server, &board.id, token, "docx").await;
    let xml = String::from_utf8(zip_part(&docx, "word/document.xml").expect("document.xml"))
        .expect("UTF-8");
    roxmltree::Document::parse(&xml).expect("well-formed");
    for (_, _, _, entry) in kept() {
        let escaped = entry.replace('<', "&lt;").replace('>', "&gt;");
        assert!(xml.contains(&escaped), "the DOCX lacks {entry:?}");
    }
    let section = xml
        .find("Problem-Lösungs-Baum")
        .expect("the tree's section");
    let indent_before = |text: &str| {
        let at = section + xml[section..].find(text).expect("the entry");
        let paragraph = xml[..at]
            .rfind("<w:p>")
            .max(xml[..at].rfind("<w:p "))
            .expect("its paragraph");
        let part = &xml[paragraph..at];
        let from = part.find("w:left=\"").expect("an indent") + "w:left=\"".len();
        part[from..from + part[from..].find('"').expect("quote")]
            .parse::<u32>()
            .expect("a number")
    };
    assert!(
        indent_before("Zuständigkeiten sind unklar") < indent_before("Wer koordiniert die Träger?")
    );
    assert!(
        indent_before("Wer koordiniert die Träger?")
            < indent_before("Ein monatlicher Runder Tisch")
    );

    // CSV: the tree's three columns; one row per entry.
    let csv = String::from_utf8(export(&server, &board.id, token, "csv").await).expect("UTF-8");
    let rows = crate::exports::parse_csv(&csv);
    assert_eq!(
        &rows[0][rows[0].len() - 3..],
        ["Herausforderung", "Lösung", "Übergeordnete Herausforderung"]
    );
    assert_eq!(rows.len(), 1 + 8, "a row per card");
    let row = |text: &str| {
        rows.iter()
            .find(|row| row[0] == text)
            .unwrap_or_else(|| panic!("no row of {text}"))
            .clone()
    };
    let tail = |row: Vec<String>| row[row.len() - 3..].to_vec();
    assert_eq!(
        tail(row("Wer koordiniert die Träger?")),
        [
            "Wer koordiniert die Träger?",
            "",
            "Zuständigkeiten sind unklar"
        ]
    );
    assert_eq!(
        tail(row("Ein monatlicher Runder Tisch")),
        [
            "Wer koordiniert die Träger?",
            "Ein monatlicher Runder Tisch",
            "Zuständigkeiten sind unklar"
        ]
    );
    assert_eq!(
        tail(row("Verwaiste Lösung bleibt")),
        ["", "Verwaiste Lösung bleibt", ""]
    );

    // JSON: `parent` survives export → import → export, byte for byte.
    let json = export(&server, &board.id, token, "json").await;
    let file: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(
        file["document"]["cards"]["solutionSub01a"]["parent"],
        "challengeSub01"
    );
    let temp = tempfile::tempdir().expect("temp dir");
    let exported = temp.path().join("board.json");
    std::fs::write(&exported, &json).expect("writes");
    let restored = temp.path().join("restored");
    import(&restored, &exported);
    let again = temp.path().join("again.json");
    let cli = kartenwand(&[
        "export",
        "--data-dir",
        restored.to_str().expect("path"),
        "--board",
        &board.id,
        "--format",
        "json",
        "--out",
        again.to_str().expect("path"),
    ]);
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let again = std::fs::read(&again).expect("reads");
    let restored_file: Value = serde_json::from_slice(&again).expect("JSON");
    for (id, _, parent, _) in kept() {
        assert_eq!(
            restored_file["document"]["cards"][id]["parent"].as_str(),
            *parent,
            "{id}"
        );
    }
    assert!(again == json, "export → import → export differs");
    moderator.close().await;
}

/// What no export may hold of an upload's metadata.
const CANARY: &str = "CANARY-Kassel-GPS-4711";

/// A JPEG with an Exif APP1 segment naming a GPS position and [`CANARY`]
/// (as `tests/system/photos.rs` makes them).
fn jpeg_with_gps(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, shade])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&picture)
        .expect("encodes");
    let mut segment =
        b"Exif\0\0II*\0\x08\0\0\0\0\0GPSLatitude 51.3127N GPSLongitude 9.4797E ".to_vec();
    segment.extend_from_slice(CANARY.as_bytes());
    with_segment(&plain, 0xE1, &segment)
}

/// Uploads a JPEG; returns the photo's id.
async fn upload(server: &Server, board: &str, token: &str, jpeg: &[u8]) -> String {
    let mut raw = format!(
        "POST /api/boards/{board}/photos HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        jpeg.len()
    )
    .into_bytes();
    raw.extend_from_slice(jpeg);
    let response = crate::common::http::exchange(server.addr, &raw).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    let body: Value = serde_json::from_slice(&response[split + 4..]).expect("JSON");
    body["photo"].as_str().expect("an id").to_owned()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unbase64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

/// The JPEGs a PDF holds, by `pdfimages -list` (after its two header lines).
fn pdf_jpegs(pdf: &[u8]) -> usize {
    run_on("pdfimages", &["-list"], pdf)
        .lines()
        .skip(2)
        .filter(|line| line.split_whitespace().nth(8) == Some("jpeg"))
        .count()
}

/// The JPEG parts of a DOCX, with their bytes.
fn docx_jpegs(docx: &[u8]) -> Vec<Vec<u8>> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let names: Vec<String> = archive
        .file_names()
        .filter(|name| name.starts_with("word/media/") && name.ends_with(".jpeg"))
        .map(str::to_owned)
        .collect();
    names
        .iter()
        .filter_map(|name| zip_part(docx, name))
        .collect()
}

/// The data URIs' JPEGs of an HTML page.
fn html_jpegs(html: &str) -> Vec<Vec<u8>> {
    html.split("data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| unbase64(&rest[..rest.find('"').expect("the attribute ends")]))
        .collect()
}

/// Nothing of the upload's metadata, and no Exif segment.
fn clean(what: &str, bytes: &[u8]) {
    for marker in [CANARY.as_bytes(), b"GPSLatitude", b"Exif"] {
        assert!(
            !crate::common::contains_bytes(bytes, marker),
            "{what} holds {}",
            String::from_utf8_lossy(marker)
        );
    }
}

#[tokio::test]
async fn shown_photos_in_every_document_and_hidden_ones_in_none() {
    require_tool("pdfimages", "poppler-utils");
    let server = Server::start(&[]).await;
    let (status, created) = server
        .request(
            "POST",
            "/api/events",
            Some(&serde_json::json!({
                "title": "Kassel", "date": "2026-12-03",
                "boards": [{"title": "Reflexionsgruppe A", "kind": "tree"}]
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let event = created["event"].as_str().expect("event").to_owned();
    let organiser = created["organiser_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let board = created["boards"][0]["board"]
        .as_str()
        .expect("board")
        .to_owned();
    let moderator = created["boards"][0]["moderator_token"]
        .as_str()
        .expect("token")
        .to_owned();

    let shown = upload(&server, &board, &moderator, &jpeg_with_gps(1200, 900, 40)).await;
    let hidden = upload(&server, &board, &moderator, &jpeg_with_gps(800, 600, 200)).await;
    let (status, _) = crate::common::http_request_as(
        server.addr,
        Some(&moderator),
        "POST",
        &format!("/api/boards/{board}/photos/{hidden}"),
        Some(&serde_json::json!({"status": "hidden"})),
    )
    .await;
    assert_eq!(status, 204);
    let stored = |photo: String| {
        let path = format!("/api/boards/{board}/photos/{photo}");
        let server = &server;
        let moderator = &moderator;
        async move {
            let (status, bytes) = get_bytes(server, &path, moderator).await;
            assert_eq!(status, 200);
            bytes
        }
    };
    let shown_jpeg = stored(shown.clone()).await;
    let hidden_jpeg = stored(hidden.clone()).await;
    clean("the stored photo", &shown_jpeg);

    // The board's documents: the shown photo as it is stored, the hidden
    // one nowhere.
    let pdf = export(&server, &board, &moderator, "pdf").await;
    assert_eq!(pdf_jpegs(&pdf), 1, "one JPEG in the PDF");
    clean("the PDF", &pdf);
    assert!(!crate::common::contains_bytes(&pdf, &hidden_jpeg[..64]));
    let text = normalise(&run_on("pdftotext", &[], &pdf));
    assert!(
        text.contains("Fotos") && text.contains("Foto 1/1"),
        "{text}"
    );

    let docx = export(&server, &board, &moderator, "docx").await;
    assert_eq!(docx_jpegs(&docx), std::slice::from_ref(&shown_jpeg));
    clean("the DOCX", &docx);

    let html = String::from_utf8(export(&server, &board, &moderator, "html").await).expect("UTF-8");
    assert_eq!(html_jpegs(&html), std::slice::from_ref(&shown_jpeg));
    assert!(!html.contains(&base64(&hidden_jpeg)[..80]));

    let markdown =
        String::from_utf8(export(&server, &board, &moderator, "md").await).expect("UTF-8");
    assert!(
        markdown.contains("- Foto 1/1 (1200 × 900 px)"),
        "{markdown}"
    );

    let json = export(&server, &board, &moderator, "json").await;
    let file: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(file["version"], 2);
    let photos = file["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 1, "the hidden photo is not in it");
    assert_eq!(photos[0]["id"], shown.as_str());
    assert_eq!(
        unbase64(photos[0]["jpeg"].as_str().expect("base64")),
        shown_jpeg
    );
    for (what, bytes) in [("the HTML", html.as_bytes()), ("the JSON", &json[..])] {
        clean(what, bytes);
    }

    // The event's documents hold the board's photo too.
    let event_export = |format: &'static str| {
        let path = format!("/api/events/{event}/export.{format}");
        let server = &server;
        let organiser = &organiser;
        async move {
            let (status, body) = get_bytes(server, &path, organiser).await;
            assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
            body
        }
    };
    let event_pdf = event_export("pdf").await;
    assert_eq!(pdf_jpegs(&event_pdf), 1);
    clean("the event's PDF", &event_pdf);
    let event_docx = event_export("docx").await;
    assert_eq!(docx_jpegs(&event_docx), std::slice::from_ref(&shown_jpeg));
    let event_json: Value = serde_json::from_slice(&event_export("json").await).expect("JSON");
    let event_photos = event_json["boards"][0]["board"]["photos"]
        .as_array()
        .expect("the board's photos");
    assert_eq!(event_photos.len(), 1);
    assert_eq!(
        unbase64(event_photos[0]["jpeg"].as_str().expect("base64")),
        shown_jpeg
    );
    let event_markdown = String::from_utf8(event_export("md").await).expect("UTF-8");
    assert!(event_markdown.contains("Foto 1/1"));

    // `kartenwand import` puts the photo back into the store, byte for byte.
    let temp = tempfile::tempdir().expect("temp dir");
    let exported = temp.path().join("board.json");
    std::fs::write(&exported, &json).expect("writes");
    let restored_dir = temp.path().join("restored");
    let new_token = import(&restored_dir, &exported);
    let restored = Server::start_in(&restored_dir, &[]).await;
    let (status, listed) = crate::common::http_request_as(
        restored.addr,
        Some(&new_token),
        "GET",
        &format!("/api/boards/{board}/photos"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let listed = listed["photos"].as_array().expect("photos").clone();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let (status, bytes) = get_bytes(
        &restored,
        &format!("/api/boards/{board}/photos/{shown}"),
        &new_token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        bytes == shown_jpeg,
        "the imported photo is the exported one"
    );
    let (status, again) = get_bytes(
        &restored,
        &format!("/api/boards/{board}/export.json"),
        &new_token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(again == json, "export → import → export differs");
}

/// A board file of version 1 (before photos) imports as a board without
/// photos, and exports again as version 2.
#[tokio::test]
async fn a_board_file_of_version_1_imports_without_photos() {
    let temp = tempfile::tempdir().expect("temp dir");
    let file = temp.path().join("old.json");
    std::fs::write(
        &file,
        r#"{
  "format": "kartenwand-board",
  "version": 1,
  "board": { "id": "b0ardVersion1", "title": "Sandow", "district": "Sandow", "createdAt": 1795000000 },
  "contacts": [],
  "document": {
    "cards": {
      "c1": { "text": "Wer koordiniert?", "kind": "challenge", "author": "moderator", "createdAt": 1 },
      "s1": { "text": "Ein Runder Tisch", "kind": "solution", "parent": "c1", "author": "moderator", "createdAt": 2 }
    },
    "meta": { "title": "Sandow" }
  }
}
"#,
    )
    .expect("writes");
    let data_dir = temp.path().join("data");
    let token = import(&data_dir, &file);
    let server = Server::start_in(&data_dir, &[]).await;
    let json = export(&server, "b0ardVersion1", &token, "json").await;
    let file: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(file["version"], 2);
    assert_eq!(file["photos"], serde_json::json!([]));
    assert_eq!(file["document"]["cards"]["s1"]["parent"], "c1");
    let markdown =
        String::from_utf8(export(&server, "b0ardVersion1", &token, "md").await).expect("UTF-8");
    assert!(markdown.contains("## Problem-Lösungs-Baum"));
    assert!(!markdown.contains("## Fotos"));
}
