//! The web app's files: gzipped for a browser that accepts it and the same
//! bytes once decompressed, identity otherwise, `Vary: Accept-Encoding`
//! either way, ETags per variant that turn a revalidation into a `304`;
//! and API answers never compressed.

use crate::common::Server;
use crate::common::http::exchange;
use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read;

struct Answer {
    status: u16,
    /// Header names in lower case.
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

async fn get(server: &Server, path: &str, extra: &str) -> Answer {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
        server.addr
    );
    let response = exchange(server.addr, request.as_bytes()).await;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    }
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("valid gzip");
    plain
}

/// The entry script `index.html` loads.
fn entry_script(index: &[u8]) -> String {
    let html = String::from_utf8_lossy(index);
    let start = html
        .find("src=\"/assets/")
        .expect("index.html loads a script from /assets/: build the web app (web/dist)")
        + "src=\"".len();
    let end = start + html[start..].find('"').expect("closing quote");
    html[start..end].to_owned()
}

#[tokio::test]
async fn scripts_and_pages_are_gzipped_when_accepted_and_identical_once_decompressed() {
    let server = Server::start(&[]).await;
    let page = get(&server, "/join", "").await;
    assert_eq!(page.status, 200);
    let script = entry_script(&page.body);

    for path in [script.as_str(), "/join", "/"] {
        let plain = get(&server, path, "").await;
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}: identity");
        assert_eq!(plain.header("vary"), Some("accept-encoding"), "{path}");
        let plain_etag = plain.header("etag").expect("an ETag").to_owned();

        let gzipped = get(&server, path, "Accept-Encoding: gzip, deflate, br\r\n").await;
        assert_eq!(gzipped.status, 200, "{path}");
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gzipped.header("vary"), Some("accept-encoding"), "{path}");
        assert_eq!(
            gzipped.header("content-type"),
            plain.header("content-type"),
            "{path}"
        );
        assert_eq!(
            gzipped.header("cache-control"),
            plain.header("cache-control"),
            "{path}"
        );
        assert_eq!(
            gzipped.header("content-length"),
            Some(gzipped.body.len().to_string().as_str()),
            "{path}"
        );
        assert!(gzipped.body.len() < plain.body.len(), "{path} is smaller");
        assert_eq!(gunzip(&gzipped.body), plain.body, "{path}: the same bytes");
        let gzip_etag = gzipped.header("etag").expect("an ETag").to_owned();
        assert_ne!(gzip_etag, plain_etag, "{path}: each variant its own ETag");

        // q=0 refuses gzip.
        let refused = get(&server, path, "Accept-Encoding: gzip;q=0\r\n").await;
        assert_eq!(refused.header("content-encoding"), None, "{path}");
        assert_eq!(refused.body, plain.body, "{path}");

        // Revalidation: each variant's ETag gives a 304 for that variant.
        let again = get(
            &server,
            path,
            &format!("Accept-Encoding: gzip\r\nIf-None-Match: {gzip_etag}\r\n"),
        )
        .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(gzip_etag.as_str()));
        let stale = get(&server, path, &format!("If-None-Match: {gzip_etag}\r\n")).await;
        assert_eq!(stale.status, 200, "{path}: the gzip ETag is not identity's");
    }
    // The hashed assets keep their long cache.
    let cached = get(&server, &script, "Accept-Encoding: gzip\r\n").await;
    assert_eq!(
        cached.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );

    // API answers, which may carry tokens, are never compressed.
    let body = r#"{"title":"Gzip?","district":"Sandow"}"#;
    let request = format!(
        "POST /api/boards HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: gzip\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    let created =
        String::from_utf8_lossy(&exchange(server.addr, request.as_bytes()).await).into_owned();
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    assert!(!created.to_ascii_lowercase().contains("content-encoding"));
    assert!(
        created.contains("moderator_token"),
        "the tokens in plain JSON"
    );
    let metrics = get(&server, "/metrics", "Accept-Encoding: gzip\r\n").await;
    assert_eq!(metrics.status, 200);
    assert_eq!(metrics.header("content-encoding"), None);
}
