//! A series of conferences (issue 15; docs/protocol.md, "Series"): boards
//! of two districts join a series only with their moderators' tokens; the
//! organiser reads the overview, writes the comparison with the version it
//! read (a stale write is refused), gets suggestions across the districts
//! and the consolidated report in five formats, with only consented
//! contact data. Nobody else reads any of it.

use crate::common::doc::put;
use crate::common::files::{docx_text, pdf_text};
use crate::common::http::get_bytes;
use crate::common::{Client, Server, http_request_as};
use crate::exports::require_tool;
use serde_json::{Value, json};
use yrs::Any;

/// A cluster: id, title, and its cards (kind, text).
type ClusterSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

struct District {
    board: String,
    moderator_token: String,
}

fn need(text: &str, author: &str, cluster: &str, kind: &str) -> Vec<(&'static str, Any)> {
    vec![
        ("text", Any::from(text)),
        ("kind", Any::from(kind)),
        ("author", Any::from(author)),
        ("cluster", Any::from(cluster)),
        ("createdAt", Any::from(1_741_079_400_000.0)),
    ]
}

/// A board of `district` with two participants who joined (one consented
/// to the contact list), their profiles, clusters and cards, and an
/// agreement.
async fn district(server: &Server, district: &str, clusters: &[ClusterSpec<'_>]) -> District {
    let (status, created) = server
        .request(
            "POST",
            "/api/boards",
            Some(&json!({"title": format!("Stadtteilkonferenz {district}"),
                         "district": district, "date": "2026-11-04"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let board = created["board"].as_str().expect("board").to_owned();
    let moderator_token = created["moderator_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let join_code = created["join_code"].as_str().expect("code");
    let mut people = Vec::new();
    for (name, organisation, sector, consent) in [
        ("Ines Jobst", "Jobcenter Cottbus", "behoerde", true),
        (
            &*format!("Kai Verborgen {district}"),
            &*format!("Kita {district}"),
            "traeger",
            false,
        ),
    ] {
        let (status, joined) = server
            .request(
                "POST",
                &format!("/api/boards/{board}/join"),
                Some(&json!({"join_code": join_code, "name": name,
                             "organisation": organisation, "sector": sector,
                             "email": format!("{}@example.org", name.replace(' ', ".").to_lowercase()),
                             "contact_consent": consent})),
            )
            .await;
        assert_eq!(status, 201, "{joined}");
        let id = joined["participant_id"].as_str().expect("id").to_owned();
        people.push((id, name.to_owned(), organisation.to_owned(), sector));
    }
    let mut moderator = Client::connect(server, &board, &moderator_token).await;
    moderator
        .edit(|_, txn| {
            for (id, name, organisation, sector) in &people {
                put(
                    txn,
                    "participants",
                    id,
                    &[
                        ("name", Any::from(name.as_str())),
                        ("organisation", Any::from(organisation.as_str())),
                        ("sector", Any::from(*sector)),
                        ("joinedAt", Any::from(1_741_078_800_000.0)),
                    ],
                );
            }
            for (index, (cluster, title, cards)) in clusters.iter().enumerate() {
                put(
                    txn,
                    "clusters",
                    cluster,
                    &[
                        ("title", Any::from(*title)),
                        ("colour", Any::from("yellow")),
                        ("order", Any::from(index as f64)),
                    ],
                );
                for (card_index, (kind, text)) in cards.iter().enumerate() {
                    let author = &people[card_index % 2].0;
                    put(
                        txn,
                        "cards",
                        &format!("{cluster}Card{card_index:02}"),
                        &need(text, author, cluster, kind),
                    );
                }
            }
            put(
                txn,
                "agreements",
                &format!("agreement{district}"),
                &[
                    (
                        "what",
                        Any::from(format!("Runder Tisch in {district}").as_str()),
                    ),
                    ("who", Any::from("Jobcenter Cottbus")),
                    ("status", Any::from("confirmed")),
                    ("author", Any::from("moderator")),
                    ("createdAt", Any::from(1_741_087_000_000.0)),
                ],
            );
        })
        .await;
    moderator
        .pump_until(|c| c.all_echoed(), "the board's content is stored")
        .await;
    moderator.close().await;
    District {
        board,
        moderator_token,
    }
}

async fn add(server: &Server, series: &str, token: &str, board: &str, with: &str) -> (u16, Value) {
    http_request_as(
        server.addr,
        Some(token),
        "POST",
        &format!("/api/series/{series}/boards"),
        Some(&json!({"board": board, "moderator_token": with})),
    )
    .await
}

#[tokio::test]
async fn the_organiser_compares_the_districts_and_downloads_the_report() {
    require_tool("pdftotext", "poppler-utils");
    let server = Server::start(&[]).await;
    let stroebitz = district(
        &server,
        "Ströbitz",
        &[
            (
                "clusterSprache",
                "Sprachkurse",
                &[
                    ("need", "Es fehlen Deutschkurse mit Kinderbetreuung"),
                    ("offer", "Die Kita betreut Kinder während der Kurse"),
                ],
            ),
            (
                "clusterWohnen",
                "Wohnraum",
                &[("need", "Zu wenige große Wohnungen für Familien")],
            ),
        ],
    )
    .await;
    let sachsendorf = district(
        &server,
        "Sachsendorf",
        &[(
            "clusterKita",
            "Kinderbetreuung",
            &[
                ("need", "Sprachkurse nur ohne Kita-Plätze möglich"),
                ("need", "Deutschkurs am Abend, wenn die Kinder schlafen"),
            ],
        )],
    )
    .await;

    let (status, created) = server
        .request(
            "POST",
            "/api/series",
            Some(&json!({"title": "Stadtteilkonferenzen Cottbus 2025"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let series = created["series"].as_str().expect("series").to_owned();
    let organiser = created["organiser_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(organiser.len() >= 64, "a long token: {organiser}");
    assert!(
        created["organiser_url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/s/{series}#token={organiser}"))),
        "{created}"
    );

    // A board joins only with its own moderator's token.
    let (status, body) = add(
        &server,
        &series,
        &organiser,
        &stroebitz.board,
        &sachsendorf.moderator_token,
    )
    .await;
    assert_eq!(status, 403, "another board's moderator token: {body}");
    let (status, body) = add(&server, &series, &organiser, &stroebitz.board, "kwm_wrong").await;
    assert_eq!(status, 403, "a wrong token: {body}");
    let (status, body) = add(
        &server,
        &series,
        &stroebitz.moderator_token,
        &stroebitz.board,
        &stroebitz.moderator_token,
    )
    .await;
    assert_eq!(
        status, 403,
        "a moderator is not the series' organiser: {body}"
    );
    for district in [&stroebitz, &sachsendorf] {
        let (status, body) = add(
            &server,
            &series,
            &organiser,
            &district.board,
            &district.moderator_token,
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = add(
        &server,
        &series,
        &organiser,
        &stroebitz.board,
        &stroebitz.moderator_token,
    )
    .await;
    assert_eq!(
        (status, &body["added"]),
        (200, &json!(false)),
        "added twice: {body}"
    );

    // Only the organiser reads the overview.
    let path = format!("/api/series/{series}");
    let (status, _) = http_request_as(server.addr, None, "GET", &path, None).await;
    assert_eq!(status, 401);
    let (status, _) = http_request_as(
        server.addr,
        Some(&stroebitz.moderator_token),
        "GET",
        &path,
        None,
    )
    .await;
    assert_eq!(
        status, 403,
        "a conference's moderator does not read the series"
    );
    let (status, overview) =
        http_request_as(server.addr, Some(&organiser), "GET", &path, None).await;
    assert_eq!(status, 200, "{overview}");
    let conferences = overview["conferences"].as_array().expect("conferences");
    assert_eq!(conferences.len(), 2, "{overview}");
    assert_eq!(conferences[0]["district"], "Ströbitz");
    assert_eq!(conferences[0]["participants"], 2);
    assert_eq!(conferences[0]["cards"], 3);
    assert_eq!(conferences[0]["clusters"].as_array().map(Vec::len), Some(2));
    assert_eq!(overview["version"], 0);

    // The suggestions pair the language courses of both districts.
    let (status, suggested) = http_request_as(
        server.addr,
        Some(&organiser),
        "GET",
        &format!("/api/series/{series}/suggestions"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{suggested}");
    let pairs: Vec<Vec<String>> = suggested["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let mut clusters: Vec<String> = g["clusters"]
                .as_array()
                .expect("clusters")
                .iter()
                .map(|c| c["cluster"].as_str().expect("a cluster").to_owned())
                .collect();
            clusters.sort();
            clusters
        })
        .collect();
    assert!(
        pairs.contains(&vec!["clusterKita".to_owned(), "clusterSprache".to_owned()]),
        "{suggested}"
    );

    // The comparison, written with the version read.
    let comparison = json!({
        "topics": [{
            "id": "topicSprache",
            "title": "Sprachkurse mit Kinderbetreuung",
            "scope": "city",
            "clusters": [
                {"board": stroebitz.board, "cluster": "clusterSprache"},
                {"board": sachsendorf.board, "cluster": "clusterKita"}
            ],
            "agreements": [{"board": stroebitz.board, "agreement": "agreementStröbitz"}]
        }, {
            "id": "topicWohnen",
            "title": "Wohnraum für große Familien",
            "scope": "districts",
            "clusters": [{"board": stroebitz.board, "cluster": "clusterWohnen"}]
        }],
        "dismissed": []
    });
    let comparison_path = format!("/api/series/{series}/comparison");
    let (status, written) = http_request_as(
        server.addr,
        Some(&organiser),
        "PUT",
        &comparison_path,
        Some(&json!({"version": 0, "comparison": comparison})),
    )
    .await;
    assert_eq!((status, &written["version"]), (200, &json!(1)), "{written}");
    let (status, stale) = http_request_as(
        server.addr,
        Some(&organiser),
        "PUT",
        &comparison_path,
        Some(&json!({"version": 0, "comparison": {"topics": []}})),
    )
    .await;
    assert_eq!(status, 409, "a write of a stale version: {stale}");
    let (status, unknown) = http_request_as(
        server.addr,
        Some(&organiser),
        "PUT",
        &comparison_path,
        Some(&json!({"version": 1, "comparison": {"topics": [{
            "id": "x", "title": "X", "clusters": [{"board": "nosuchboard", "cluster": "c"}]}]}})),
    )
    .await;
    assert_eq!(status, 400, "a board not in the series: {unknown}");
    let (status, _) = http_request_as(
        server.addr,
        Some(&sachsendorf.moderator_token),
        "PUT",
        &comparison_path,
        Some(&json!({"version": 1, "comparison": {"topics": []}})),
    )
    .await;
    assert_eq!(status, 403);
    let (_, overview) = http_request_as(server.addr, Some(&organiser), "GET", &path, None).await;
    let topic = &overview["topics"][0];
    assert_eq!(
        topic["districts"],
        json!(["Ströbitz", "Sachsendorf"]),
        "{overview}"
    );
    assert_eq!(topic["needs"].as_array().map(Vec::len), Some(3), "{topic}");
    assert_eq!(
        topic["sectors"]["behoerde"],
        json!(["Ströbitz", "Sachsendorf"])
    );

    // The report: every district, the matrix, the topic's needs verbatim,
    // consented contact data only.
    let mut texts = Vec::new();
    for format in ["md", "csv", "json", "docx", "pdf"] {
        let file = format!("/api/series/{series}/export.{format}");
        let (status, _) = get_bytes(&server, &file, &stroebitz.moderator_token).await;
        assert_eq!(status, 403, "{format}: a conference's moderator");
        let (status, bytes) = get_bytes(&server, &file, &organiser).await;
        assert_eq!(status, 200, "{format}");
        let text = match format {
            "pdf" => pdf_text(&bytes),
            "docx" => docx_text(&bytes),
            _ => String::from_utf8(bytes).expect("UTF-8"),
        };
        texts.push((format, text));
    }
    for (format, text) in &texts {
        for wanted in [
            "Ströbitz",
            "Sachsendorf",
            "Sprachkurse mit Kinderbetreuung",
            "Sprachkurse nur ohne Kita-Plätze möglich",
        ] {
            assert!(text.contains(wanted), "{format} lacks {wanted:?}:\n{text}");
        }
        assert!(
            !text.contains("kai.verborgen"),
            "{format}: a contact who did not consent"
        );
    }
    for (format, text) in &texts {
        if matches!(*format, "md" | "docx" | "pdf") {
            for wanted in [
                "Themen und Stadtteile",
                "Jobcenter Cottbus",
                "Runder Tisch in Sachsendorf",
                "ines.jobst@example.org",
            ] {
                assert!(text.contains(wanted), "{format} lacks {wanted:?}:\n{text}");
            }
        }
    }
    let json: Value = serde_json::from_str(&texts[2].1).expect("JSON");
    assert_eq!(json["format"], "kartenwand-series");
    assert_eq!(
        json["matrix"][0]["districts"],
        json!(["Ströbitz", "Sachsendorf"])
    );
    assert_eq!(json["organisations"][0]["name"], "Jobcenter Cottbus");

    // A board leaves the series, and its clusters leave the topics.
    let (status, _) = http_request_as(
        server.addr,
        Some(&organiser),
        "DELETE",
        &format!("/api/series/{series}/boards/{}", sachsendorf.board),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, overview) = http_request_as(server.addr, Some(&organiser), "GET", &path, None).await;
    assert_eq!(overview["conferences"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        overview["comparison"]["topics"][0]["clusters"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // A deleted board leaves it too.
    let (status, _) = http_request_as(
        server.addr,
        Some(&stroebitz.moderator_token),
        "DELETE",
        &format!("/api/boards/{}", stroebitz.board),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, overview) = http_request_as(server.addr, Some(&organiser), "GET", &path, None).await;
    assert_eq!(overview["conferences"], json!([]), "{overview}");
}

#[tokio::test]
async fn bad_requests_to_a_series_get_clear_errors() {
    let server = Server::start(&[]).await;
    for (body, why) in [
        (json!({"title": ""}), "an empty title"),
        (
            json!({"title": "Reihe", "colour": "red"}),
            "an unknown field",
        ),
        (
            json!({"title": "Reihe", "locale": "fr"}),
            "an unknown language",
        ),
    ] {
        let (status, answer) = server.request("POST", "/api/series", Some(&body)).await;
        assert_eq!(status, 400, "{why}: {answer}");
        assert!(answer["error"].is_string(), "{why}: {answer}");
    }
    let (status, _) = http_request_as(
        server.addr,
        Some("kws_0000"),
        "GET",
        "/api/series/nosuchseries",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, created) = server
        .request("POST", "/api/series", Some(&json!({"title": "Reihe"})))
        .await;
    let series = created["series"].as_str().expect("series");
    let token = created["organiser_token"].as_str().expect("token");
    let raw = format!(
        "PUT /api/series/{series}/comparison HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{{\"versio"
    );
    let (status, answer) = crate::common::http::raw_http(server.addr, raw.as_bytes()).await;
    assert_eq!(status, 400, "broken JSON: {answer}");
    let (status, _) = http_request_as(
        server.addr,
        Some(token),
        "GET",
        &format!("/api/series/{series}/export.html"),
        None,
    )
    .await;
    assert_eq!(status, 404, "no HTML report");
}
