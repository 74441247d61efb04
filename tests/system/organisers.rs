//! The organiser's desk: the first account from the command line, sign-in
//! with a session cookie, conferences that belong to their organiser,
//! co-moderator and watch-only links revoked alone, and who may create
//! boards. Each refusal with a clear status; the password never in a log
//! or a data file.

use crate::common::http::exchange;
use crate::common::server::{binary, listening_address, terminate_and_read_stderr};
use crate::common::{Client, WAIT};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

const PASSWORD: &str = "Spreewald-Gurke-2026!";
const EMAIL: &str = "Koordination@Cottbus.de";

/// `kartenwand organiser add` on `dir`, the password through the
/// environment.
fn add_organiser(dir: &Path, email: &str, password: &str) -> std::process::Output {
    std::process::Command::new(binary())
        .args([
            "organiser",
            "add",
            "--email",
            email,
            "--name",
            "Koordinationsstelle",
        ])
        .arg("--data-dir")
        .arg(dir)
        .env("KARTENWAND_ORGANISER_PASSWORD", password)
        .env("RUST_LOG", "debug")
        .output()
        .expect("the command runs")
}

/// A raw request: status, the head (lower case), the body as JSON (or Null).
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> (u16, String, Value) {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    match body {
        Some((content_type, body)) => raw.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )),
        None => raw.push_str("\r\n"),
    }
    let response = String::from_utf8_lossy(&exchange(addr, raw.as_bytes()).await).to_string();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (
        status,
        head.to_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn json_body(value: Value) -> Option<(&'static str, String)> {
    Some(("application/json", value.to_string()))
}

/// Signs in; the cookie header to send back.
async fn sign_in(addr: SocketAddr, email: &str, password: &str) -> (u16, String, Value) {
    request(
        addr,
        "POST",
        "/api/organiser/session",
        &[],
        json_body(json!({"email": email, "password": password})),
    )
    .await
}

fn session_cookie(head: &str) -> String {
    let line = head
        .lines()
        .find(|line| line.starts_with("set-cookie: kw_session="))
        .expect("a session cookie");
    let value = line
        .trim_start_matches("set-cookie: ")
        .split(';')
        .next()
        .expect("name=value");
    value.to_owned()
}

#[tokio::test]
async fn an_organiser_signs_in_owns_conferences_and_hands_out_links_revoked_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let added = add_organiser(dir.path(), EMAIL, PASSWORD);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("koordination@cottbus.de"));
    // A short password, a taken e-mail: refused, with the reason.
    let short = add_organiser(dir.path(), "b@cottbus.de", "kurz");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let twice = add_organiser(dir.path(), EMAIL, PASSWORD);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("exists already"));

    let mut child = tokio::process::Command::new(binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--board-creation",
            "organisers",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let (addr, _) = listening_address(&mut child).await;

    // Nobody creates a conference without signing in here.
    let (status, _, body) = request(
        addr,
        "POST",
        "/api/boards",
        &[],
        json_body(json!({"title": "Ohne Anmeldung"})),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("only organisers")
    );

    // Wrong password, unknown e-mail: the same 401.
    for (email, password) in [
        (EMAIL, "falsch-falsch-falsch"),
        ("niemand@cottbus.de", PASSWORD),
    ] {
        let (status, head, body) = sign_in(addr, email, password).await;
        assert_eq!(status, 401, "{body}");
        assert!(!head.contains("set-cookie"));
        assert_eq!(body["error"], "the e-mail or the password is wrong");
    }

    // Signed in (the e-mail in any case): an HttpOnly, SameSite cookie.
    let (status, head, me) = sign_in(addr, "koordination@cottbus.de ", PASSWORD).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "koordination@cottbus.de");
    let cookie_line = head
        .lines()
        .find(|line| line.starts_with("set-cookie:"))
        .expect("set-cookie");
    assert!(
        cookie_line.contains("httponly") && cookie_line.contains("samesite=strict"),
        "{cookie_line}"
    );
    let cookie = session_cookie(&head);
    let with_cookie = [("Cookie", cookie.as_str())];

    // A conference of their own, listed on their desk.
    let (status, _, created) = request(
        addr,
        "POST",
        "/api/boards",
        &with_cookie,
        json_body(json!({"title": "Stadtteilkonferenz Ströbitz", "district": "Ströbitz"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let board = created["board"].as_str().expect("board").to_owned();
    let moderator = created["moderator_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, _, desk) = request(addr, "GET", "/api/organiser", &with_cookie, None).await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["boards"][0]["board"], board.as_str());
    assert_eq!(desk["boards"][0]["title"], "Stadtteilkonferenz Ströbitz");

    // A co-moderator's link and a watch-only link, each its own token.
    let link =
        |role: &'static str, label: &'static str| json_body(json!({"role": role, "label": label}));
    let path = format!("/api/organiser/boards/{board}/links");
    let (status, _, co) = request(
        addr,
        "POST",
        &path,
        &with_cookie,
        link("moderator", "Bea (Co-Moderation)"),
    )
    .await;
    assert_eq!(status, 201, "{co}");
    let (status, _, watch) = request(
        addr,
        "POST",
        &path,
        &with_cookie,
        link("viewer", "Stadtrat"),
    )
    .await;
    assert_eq!(status, 201, "{watch}");
    let co_token = co["token"].as_str().expect("token").to_owned();
    assert!(
        co["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/b/{board}/moderate#token={co_token}"))
    );
    let session_of = |token: String| {
        let board = board.clone();
        async move {
            let (status, _, body) = request(
                addr,
                "GET",
                &format!("/api/boards/{board}"),
                &[("Authorization", &format!("Bearer {token}"))],
                None,
            )
            .await;
            (status, body)
        }
    };
    assert_eq!(session_of(co_token.clone()).await.1["role"], "moderator");
    assert_eq!(
        session_of(watch["token"].as_str().expect("token").to_owned())
            .await
            .1["role"],
        "viewer"
    );

    // Revoking the co-moderator's link closes exactly their connection.
    let mut bea = Client::connect_to(addr, &board, &co_token).await;
    let mut main = Client::connect_to(addr, &board, &moderator).await;
    let (status, _, _) = request(
        addr,
        "DELETE",
        &format!("{path}/{}", co["id"].as_str().expect("id")),
        &with_cookie,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (code, _) = bea.expect_close().await;
    assert_eq!(code, 4401);
    assert_eq!(
        session_of(co_token.clone()).await.0,
        403,
        "the revoked token is dead"
    );
    assert_eq!(
        session_of(moderator.clone()).await.0,
        200,
        "the moderator's is not"
    );
    main.edit(|_, txn| crate::common::create_card(txn, "cardAfter001", "moderator", "noch da"))
        .await;
    main.pump_until(|c| c.all_echoed(), "the moderator still writes")
        .await;
    let (status, _, desk) = request(addr, "GET", "/api/organiser", &with_cookie, None).await;
    assert_eq!(status, 200);
    let links = desk["boards"][0]["links"]
        .as_array()
        .expect("links")
        .clone();
    assert_eq!(links.len(), 2);
    let revoked = |id: &Value| {
        links
            .iter()
            .find(|link| link["id"] == *id)
            .map(|link| link["revoked"].clone())
    };
    assert_eq!(revoked(&co["id"]), Some(Value::Bool(true)));
    assert_eq!(revoked(&watch["id"]), Some(Value::Bool(false)));

    // Cross-site: a form post, a foreign Origin, Sec-Fetch-Site.
    let (status, _, _) = request(
        addr,
        "POST",
        "/api/boards",
        &[
            ("Cookie", cookie.as_str()),
            ("Origin", "https://evil.example"),
        ],
        Some(("application/x-www-form-urlencoded", "title=Gekapert".into())),
    )
    .await;
    assert_eq!(status, 403, "a cross-site form post");
    let (status, _, _) = request(
        addr,
        "POST",
        &path,
        &[
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        link("moderator", "Gekapert"),
    )
    .await;
    assert_eq!(status, 403, "a cross-site fetch");
    let (status, _, _) = request(
        addr,
        "POST",
        &path,
        &with_cookie,
        Some(("text/plain", "{}".into())),
    )
    .await;
    assert!(matches!(status, 400 | 415), "not JSON: {status}");

    // A forged cookie, an expired session, another organiser's board.
    let (status, _, _) = request(
        addr,
        "GET",
        "/api/organiser",
        &[("Cookie", "kw_session=00ff00ff")],
        None,
    )
    .await;
    assert_eq!(status, 401, "a forged cookie");
    let expired = "a".repeat(64);
    {
        let connection =
            rusqlite::Connection::open(dir.path().join("kartenwand.db")).expect("opens");
        let organiser: String = connection
            .query_row("SELECT id FROM organisers", [], |row| row.get(0))
            .expect("the organiser");
        let hash: [u8; 32] = kartenwand::auth::hash_token(&expired);
        connection
            .execute(
                "INSERT INTO organiser_sessions (token_hash, organiser, expires_at) VALUES (?1, ?2, 1)",
                rusqlite::params![hash, organiser],
            )
            .expect("an expired session");
    }
    let (status, _, _) = request(
        addr,
        "GET",
        "/api/organiser",
        &[("Cookie", &format!("kw_session={expired}"))],
        None,
    )
    .await;
    assert_eq!(status, 401, "an expired session");
    let (status, _, _) = request(
        addr,
        "POST",
        &format!("/api/organiser/boards/{}/links", "0".repeat(20)),
        &with_cookie,
        link("viewer", "x"),
    )
    .await;
    assert_eq!(status, 404, "not their board");

    // Failed sign-ins are bounded: the sixth wrong one in a row waits.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(sign_in(addr, EMAIL, "immer-noch-falsch").await.0);
    }
    assert_eq!(statuses[..4], [401, 401, 401, 401], "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");

    // A colleague is invited: one link, used once, with a good password.
    let (status, _, invited) = request(
        addr,
        "POST",
        "/api/organiser/invitations",
        &with_cookie,
        json_body(json!({"email": "Bea@Cottbus.de", "name": "Bea Kollegin"})),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let invite_url = invited["invite_url"].as_str().expect("a link");
    let invitation = invite_url
        .split_once("#invitation=")
        .expect("the token in the fragment")
        .1;
    let accept =
        |password: &'static str| json_body(json!({"token": invitation, "password": password}));
    let path_accept = "/api/organiser/invitations/accept";
    let (status, _, _) = request(addr, "POST", path_accept, &[], accept("kurz")).await;
    assert_eq!(status, 400, "a short password");
    let (status, head, bea_me) = request(
        addr,
        "POST",
        path_accept,
        &[],
        accept("Lausitzer-Seenland-7"),
    )
    .await;
    assert_eq!(status, 201, "{bea_me}");
    assert_eq!(bea_me["email"], "bea@cottbus.de");
    assert!(head.contains("set-cookie: kw_session="));
    let (status, _, _) = request(
        addr,
        "POST",
        path_accept,
        &[],
        accept("Lausitzer-Seenland-8"),
    )
    .await;
    assert_eq!(status, 404, "an invitation works once");
    let (status, _, _) = sign_in(addr, "bea@cottbus.de", "Lausitzer-Seenland-7").await;
    assert_eq!(status, 200, "the colleague signs in");
    let (status, _, _) = request(
        addr,
        "POST",
        "/api/organiser/invitations",
        &with_cookie,
        json_body(json!({"email": "bea@cottbus.de", "name": "Bea"})),
    )
    .await;
    assert_eq!(status, 400, "no second account for an e-mail");

    // Signing out ends the session.
    let (status, head, _) =
        request(addr, "DELETE", "/api/organiser/session", &with_cookie, None).await;
    assert_eq!(status, 204);
    assert!(head.contains("max-age=0"));
    let (status, _, _) = request(addr, "GET", "/api/organiser", &with_cookie, None).await;
    assert_eq!(status, 401, "signed out");

    drop((bea, main));
    let log = tokio::time::timeout(WAIT * 2, terminate_and_read_stderr(child))
        .await
        .expect("the server stops");
    assert!(!log.contains(PASSWORD), "the password is not logged");
    assert!(
        !log.contains(&cookie["kw_session=".len()..]),
        "nor the session"
    );
    for file in ["kartenwand.db", "kartenwand.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|window| window == PASSWORD.as_bytes()),
            "{file} holds the password in clear"
        );
    }
}

#[tokio::test]
async fn anyone_creates_boards_by_default_and_a_signed_in_organiser_owns_theirs() {
    let server = crate::common::Server::start(&[]).await;
    let (status, _, body) = request(
        server.addr,
        "POST",
        "/api/boards",
        &[],
        json_body(json!({"title": "Offen"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = request(server.addr, "GET", "/api/organiser", &[], None).await;
    assert_eq!(status, 401, "no desk without signing in");
}

#[tokio::test]
async fn an_organisers_events_are_on_the_desk_with_a_new_organiser_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(add_organiser(dir.path(), EMAIL, PASSWORD).status.success());
    let server = crate::common::Server::start_in(dir.path(), &[]).await;
    let (status, head, _) = sign_in(server.addr, EMAIL, PASSWORD).await;
    assert_eq!(status, 200);
    let cookie = session_cookie(&head);
    let with_cookie = [("Cookie", cookie.as_str())];
    let (status, _, created) = request(
        server.addr,
        "POST",
        "/api/events",
        &with_cookie,
        json_body(json!({"title": "Kommunen im Dialog", "date": "2027-03-31",
            "boards": [{"title": "Plenum", "kind": "plenary"}, {"title": "Workshop 1", "kind": "workshop"}]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let event = created["event"].as_str().expect("event");
    let (status, _, desk) = request(server.addr, "GET", "/api/organiser", &with_cookie, None).await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["events"][0]["event"], event, "{desk}");
    assert_eq!(
        desk["events"][0]["boards"].as_array().map(Vec::len),
        Some(2)
    );
    // The boards are the organiser's too.
    assert_eq!(desk["boards"].as_array().map(Vec::len), Some(2), "{desk}");

    let path = format!("/api/organiser/events/{event}/organiser-link");
    let (status, _, link) = request(server.addr, "POST", &path, &with_cookie, None).await;
    assert_eq!(status, 201, "{link}");
    let new_token = link["token"].as_str().expect("token");
    assert!(
        link["url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/e/{event}/organise#token={new_token}")))
    );
    let desk_path = format!("/api/events/{event}/desk");
    let old = created["organiser_token"].as_str().expect("token");
    let bearer = |token: &str| format!("Bearer {token}");
    let (status, _, _) = request(
        server.addr,
        "GET",
        &desk_path,
        &[("Authorization", &bearer(old))],
        None,
    )
    .await;
    assert_eq!(status, 403, "the old organiser link stops working");
    let (status, _, _) = request(
        server.addr,
        "GET",
        &desk_path,
        &[("Authorization", &bearer(new_token))],
        None,
    )
    .await;
    assert_eq!(status, 200);
    // Not another organiser's, not without a session.
    let (status, _, _) = request(server.addr, "POST", &path, &[], None).await;
    assert_eq!(status, 401);
    let (status, _, _) = request(
        server.addr,
        "POST",
        "/api/organiser/events/00000000000000000000/organiser-link",
        &with_cookie,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_organisers_series_are_on_the_desk_with_a_new_organiser_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(add_organiser(dir.path(), EMAIL, PASSWORD).status.success());
    let server = crate::common::Server::start_in(dir.path(), &[]).await;
    let (status, head, _) = sign_in(server.addr, EMAIL, PASSWORD).await;
    assert_eq!(status, 200);
    let cookie = session_cookie(&head);
    let with_cookie = [("Cookie", cookie.as_str())];
    let (status, _, created) = request(
        server.addr,
        "POST",
        "/api/series",
        &with_cookie,
        json_body(json!({"title": "Stadtteilkonferenzen Cottbus"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let series = created["series"].as_str().expect("series");
    // Another one made without a session is nobody's.
    let (status, _, _) = request(
        server.addr,
        "POST",
        "/api/series",
        &[],
        json_body(json!({"title": "Fremde Reihe"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _, desk) = request(server.addr, "GET", "/api/organiser", &with_cookie, None).await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["series"].as_array().map(Vec::len), Some(1), "{desk}");
    assert_eq!(desk["series"][0]["series"], series);
    assert_eq!(desk["series"][0]["title"], "Stadtteilkonferenzen Cottbus");
    assert_eq!(desk["series"][0]["boards"], 0);

    let path = format!("/api/organiser/series/{series}/organiser-link");
    let (status, _, link) = request(server.addr, "POST", &path, &with_cookie, None).await;
    assert_eq!(status, 201, "{link}");
    let new_token = link["token"].as_str().expect("token");
    assert!(
        link["url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/s/{series}#token={new_token}")))
    );
    let overview = format!("/api/series/{series}");
    let old = created["organiser_token"].as_str().expect("token");
    let bearer = |token: &str| format!("Bearer {token}");
    let (status, _, _) = request(
        server.addr,
        "GET",
        &overview,
        &[("Authorization", &bearer(old))],
        None,
    )
    .await;
    assert_eq!(status, 403, "the old organiser link stops working");
    let (status, _, _) = request(
        server.addr,
        "GET",
        &overview,
        &[("Authorization", &bearer(new_token))],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = request(server.addr, "POST", &path, &[], None).await;
    assert_eq!(status, 401);
    let (status, _, _) = request(
        server.addr,
        "POST",
        "/api/organiser/series/00000000000000000000/organiser-link",
        &with_cookie,
        None,
    )
    .await;
    assert_eq!(status, 404);
}
