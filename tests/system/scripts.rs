//! Documents in every participant's script: a board whose cards, names and
//! organisations are in Arabic, Farsi, Tigrinya, Ukrainian, Turkish, with
//! emoji and fullwidth forms, and one card with an unclosed right-to-left
//! override. Its PDF, and its DOCX converted by LibreOffice, are rendered to
//! PNG pages in `tests/e2e/artifacts/` (to look at) and checked: every
//! font of the PDF is embedded, and the text `pdftotext` extracts from both
//! holds every card whole, in reading order. The server runs with
//! `RUST_LOG=trace`; its log names none of that text (one organisation
//! holds a character no font has, U+10000, which the network map's
//! renderer used to log).

use crate::common::http::{authorization_header, exchange};
use crate::common::{Client, Server, WAIT, create_card, put};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One card per script, each short enough for one line of the PDF.
const CARDS: [&str; 7] = [
    "نحتاج إلى مكان آمن للأطفال بعد المدرسة",
    "کلاس زبان برای مادران در محله",
    "ናይ ቋንቋ ትምህርቲ ንኣዴታት ኣብ ከባቢ ይድለ",
    "Потрібен гурток для підлітків, їжа й ґанок",
    "Çocuklar için oyun alanı, İğdır’dan Şükrü Öztürk",
    "Kita-Plätze ☕ 😀 👍🏽 ❤️ 👩‍👩‍👧 🇩🇪 🇺🇦",
    "Ｋｉｔａ－Ｐｌａｔｚ ２０２７",
];

/// Participants: name, organisation, sector.
const PEOPLE: [(&str, &str, &str); 5] = [
    ("أمل حداد", "جمعية الأمل", "traeger"),
    ("سارا رضایی", "انجمن زنان", "stadtteil"),
    ("ሰላም ተስፋይ", "ማሕበር ኤርትራውያን", "stadtteil"),
    ("Олена Коваленко", "Linear B 𐀀 Verein", "behoerde"),
    ("Şükrü Öztürk", "Türkischer Elternverein", "traeger"),
];

/// A card whose unclosed U+202E would flip everything after it.
const OVERRIDE: &str = "Spielplatz \u{202e}kaputt";

fn require_tool(tool: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        found,
        "{tool} is missing: install it with `apt-get install -y {package}` \
         (scripts/test.sh does that)"
    );
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the tool runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Text without bidi controls (pdftotext wraps right-to-left runs in
/// U+202B … U+202C) and with white space collapsed.
fn plain(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn get(addr: SocketAddr, path: &str, token: &str) -> Vec<u8> {
    let authorization = authorization_header(Some(token));
    let raw =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{authorization}Connection: close\r\n\r\n");
    let response = exchange(addr, raw.as_bytes()).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    assert!(response.starts_with(b"HTTP/1.1 200"), "{path}");
    response[split + 4..].to_vec()
}

/// The folder the E2E suite keeps its screenshots in (ignored by git).
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// `pdffonts` of a PDF: (name, embedded) per font.
fn fonts(pdf: &Path) -> Vec<(String, bool)> {
    run(Command::new("pdffonts").arg(pdf))
        .lines()
        .skip(2)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let embedded = fields.len().checked_sub(5).map(|i| fields[i])?;
            Some((fields.first()?.to_string(), embedded == "yes"))
        })
        .collect()
}

/// Renders a PDF's pages to `artifacts/{name}-N.png`.
fn render(pdf: &Path, name: &str) {
    run(Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(pdf)
        .arg(artifacts().join(name)));
}

#[tokio::test]
async fn documents_in_every_script() {
    require_tool("pdftotext", "poppler-utils");
    require_tool("libreoffice", "libreoffice-writer-nogui");
    let server = Server::start_logged("trace").await;
    let board = server.create_board("Stadtteilkonferenz مجلس الحي").await;
    let mut ids = Vec::new();
    for (name, organisation, sector) in PEOPLE {
        let (status, joined) = server
            .request(
                "POST",
                &format!("/api/boards/{}/join", board.id),
                Some(&serde_json::json!({
                    "join_code": board.join_code, "name": name,
                    "organisation": organisation, "sector": sector,
                })),
            )
            .await;
        assert_eq!(status, 201, "{joined}");
        ids.push(joined["participant_id"].as_str().expect("id").to_owned());
    }
    let mut moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    moderator
        .edit(|_, txn| {
            for (index, (id, (name, organisation, sector))) in ids.iter().zip(PEOPLE).enumerate() {
                put(
                    txn,
                    "participants",
                    id,
                    &[
                        ("name", name.into()),
                        ("organisation", organisation.into()),
                        ("sector", sector.into()),
                        ("joinedAt", (1_790_000_000_000.0 + index as f64).into()),
                    ],
                );
            }
            for (index, text) in CARDS.iter().chain([&OVERRIDE]).enumerate() {
                let author = &ids[index % ids.len()];
                create_card(txn, &format!("card{index:08}"), author, text);
            }
        })
        .await;
    moderator
        .pump_until(|c| c.all_echoed(), "the moderator's echo")
        .await;

    let temp = tempfile::tempdir().expect("temp dir");
    let path = |ext: &str| format!("/api/boards/{}/export.{ext}", board.id);
    let pdf = temp.path().join("scripts.pdf");
    let docx = temp.path().join("scripts.docx");
    std::fs::write(
        &pdf,
        get(server.addr, &path("pdf"), &board.moderator_token).await,
    )
    .expect("write");
    std::fs::write(
        &docx,
        get(server.addr, &path("docx"), &board.moderator_token).await,
    )
    .expect("write");
    let html = String::from_utf8(get(server.addr, &path("html"), &board.moderator_token).await)
        .expect("UTF-8");
    let log = tokio::time::timeout(WAIT * 2, server.terminate_and_read_log())
        .await
        .expect("the server stops");

    // The PDF: every font embedded, the scripts' faces among them, every
    // card whole and in reading order in its text.
    render(&pdf, "scripts-pdf");
    let faces = fonts(&pdf);
    assert!(faces.iter().all(|(_, embedded)| *embedded), "{faces:?}");
    for face in [
        "NotoSansArabic",
        "NotoSansEthiopic",
        "NotoEmoji",
        "LibertinusSerif",
    ] {
        assert!(
            faces.iter().any(|(name, _)| name.contains(face)),
            "{face} is not in the PDF: {faces:?}"
        );
    }
    let pdf_text = plain(&run(Command::new("pdftotext").arg(&pdf).arg("-")));
    for text in CARDS.iter().chain(PEOPLE.iter().map(|(name, _, _)| name)) {
        assert!(
            pdf_text.contains(text),
            "the PDF lacks {text:?}: {pdf_text}"
        );
    }
    // The override reverses its own card's word (pdftotext reads the
    // glyphs of left-to-right letters as they stand), and nothing after
    // it: the card's kind, sector and author read as written.
    let (_, _, sector) = PEOPLE[CARDS.len() % PEOPLE.len()];
    assert_eq!(sector, "stadtteil");
    let (author, organisation, _) = PEOPLE[CARDS.len() % PEOPLE.len()];
    let after = format!("Spielplatz ttupak (Bedarf, Stadtteil, {author} ({organisation}))");
    assert!(pdf_text.contains(&after), "{pdf_text}");

    // The HTML isolates the same card.
    assert!(html.contains("<bdi>Spielplatz \u{202e}kaputt\u{202c}</bdi>"));

    // The DOCX through LibreOffice: its text holds every card; its PDF
    // found a face for Arabic and Ethiopic.
    let profile = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("converted");
    for to in ["pdf", "txt:Text"] {
        run(Command::new("libreoffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.path().display()
            ))
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(&out)
            .arg(&docx));
    }
    render(&out.join("scripts.pdf"), "scripts-docx");
    let converted = plain(&std::fs::read_to_string(out.join("scripts.txt")).expect("text"));
    for text in CARDS.iter().chain(PEOPLE.iter().map(|(name, _, _)| name)) {
        assert!(
            converted.contains(text),
            "the DOCX lacks {text:?}: {converted}"
        );
    }
    // The DOCX carries direction in its runs, not in controls: the
    // override is not written, the word reads as typed.
    assert!(converted.contains("Spielplatz kaputt"), "{converted}");
    let docx_faces = fonts(&out.join("scripts.pdf"));
    for face in ["Arabic", "Ethiopic"] {
        assert!(
            docx_faces.iter().any(|(name, _)| name.contains(face)),
            "LibreOffice drew no {face} face: {docx_faces:?}"
        );
    }

    // The log: none of the board's text, not even the one character no
    // font has.
    for (name, organisation, _) in PEOPLE {
        for word in name.split(' ').chain(organisation.split(' ')) {
            if word.chars().count() > 2 {
                assert!(!log.contains(word), "the log names {word:?}");
            }
        }
    }
    assert!(
        !log.contains('𐀀') && !log.contains("U+10000"),
        "the log names U+10000"
    );
    // Not one of their letters either (a renderer's warning about a glyph
    // names one character at a time).
    let letters = PEOPLE
        .iter()
        .flat_map(|(name, organisation, _)| [*name, *organisation])
        .chain(CARDS)
        .flat_map(str::chars)
        .filter(|c| !c.is_ascii());
    for letter in letters {
        assert!(!log.contains(letter), "the log holds {letter:?}");
    }
    for text in CARDS {
        assert!(!log.contains(text), "the log holds {text:?}");
    }
}
