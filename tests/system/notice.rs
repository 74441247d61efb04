//! The privacy notice (issue 17, started): `GET /api/notice` gives the
//! shipped German and English texts, or the operator's from
//! `--privacy-notice FILE` field by field over them; a file that cannot be
//! used stops the start with its reason.

use crate::common::server::binary;
use crate::common::{Server, http_request_as};

#[tokio::test]
async fn the_notice_is_the_operators_over_the_defaults() {
    let server = Server::start(&["--retention-days", "90"]).await;
    let (status, defaults) = http_request_as(server.addr, None, "GET", "/api/notice", None).await;
    assert_eq!(status, 200, "{defaults}");
    for language in ["de", "en"] {
        for field in [
            "controller",
            "purpose",
            "legal_basis",
            "visibility",
            "retention",
            "rights",
            "contact",
        ] {
            assert!(
                defaults[language][field]
                    .as_str()
                    .is_some_and(|text| !text.is_empty()),
                "{language}.{field}: {defaults}"
            );
        }
    }
    assert!(
        defaults["de"]["retention"]
            .as_str()
            .is_some_and(|text| text.contains("90 Tage")),
        "{defaults}"
    );
    assert!(
        defaults["en"]["retention"]
            .as_str()
            .is_some_and(|text| text.contains("90 days")),
        "{defaults}"
    );
    drop(server);

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("notice.toml");
    std::fs::write(
        &file,
        "[de]\ncontroller = \"Stadt Cottbus, Fachbereich Soziales, Neumarkt 5, 03046 Cottbus\"\ncontact = \"datenschutz@cottbus.de\"\n\n[en]\ncontroller = \"City of Cottbus, Social Services\"\n",
    )
    .expect("writes");
    let path = file.to_str().expect("path");
    let server = Server::start(&["--privacy-notice", path]).await;
    let (status, notice) = http_request_as(server.addr, None, "GET", "/api/notice", None).await;
    assert_eq!(status, 200, "{notice}");
    assert_eq!(
        notice["de"]["controller"],
        "Stadt Cottbus, Fachbereich Soziales, Neumarkt 5, 03046 Cottbus"
    );
    assert_eq!(notice["de"]["contact"], "datenschutz@cottbus.de");
    assert_eq!(
        notice["en"]["controller"],
        "City of Cottbus, Social Services"
    );
    assert_eq!(
        notice["en"]["contact"], defaults["en"]["contact"],
        "what the file leaves out keeps its default"
    );
}

#[test]
fn a_notice_file_that_cannot_be_used_stops_the_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (text, reason) in [
        ("[de]\ncontroler = \"Stadt\"\n", "no field \"controler\""),
        ("[fr]\ncontroller = \"Ville\"\n", "no language \"fr\""),
        ("[de\n", "is not valid"),
    ] {
        let file = dir.path().join("notice.toml");
        std::fs::write(&file, text).expect("writes");
        let output = std::process::Command::new(binary())
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .arg("--privacy-notice")
            .arg(&file)
            .env("RUST_LOG", "warn")
            .output()
            .expect("runs");
        assert!(
            !output.status.success(),
            "{text}: the server must not start"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{text}: {stderr}");
    }
    let output = std::process::Command::new(binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--privacy-notice",
            "/nonexistent/notice.toml",
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the privacy notice"));
}
