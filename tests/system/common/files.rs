//! The text of a PDF or DOCX as its recipient's tools read it: `pdftotext`
//! (poppler-utils) for a PDF, the paragraphs of `word/document.xml` for a
//! DOCX; whitespace runs become one space.

use std::io::Read;
use std::process::Command;

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn pdf_text(pdf: &[u8]) -> String {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = temp.path().join("export.pdf");
    std::fs::write(&path, pdf).expect("writes");
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install -y poppler-utils)");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    normalise(&String::from_utf8(output.stdout).expect("UTF-8"))
}

/// Each paragraph's runs joined, paragraphs on lines of their own.
pub fn docx_text(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("UTF-8");
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    document
        .descendants()
        .filter(|node| node.tag_name().name() == "p")
        .map(|paragraph| {
            let text: String = paragraph
                .descendants()
                .filter(|node| node.tag_name().name() == "t")
                .filter_map(|node| node.text())
                .collect();
            normalise(&text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
