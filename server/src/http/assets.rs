//! The embedded web app (`web/dist`, built by `build.rs`): hashed assets are
//! cached for good; every app route gets `index.html`, which loads the view
//! the URL names.
//!
//! Scripts, styles, HTML, SVG and manifests go out gzipped to a browser
//! that accepts it (a joining phone loads about a third of the bytes). Each
//! file is compressed once, on the first request for any of them, and kept
//! ([`GZIPPED`]); a request only picks the variant. Only these files: API
//! answers carry tokens and stay uncompressed (BREACH). Every file has an
//! ETag (its content hash, with `-gzip` for the compressed variant), so a
//! `no-cache` revalidation of `index.html` is a `304`.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use rust_embed::Embed;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

#[derive(Embed)]
#[folder = "../web/dist/"]
struct Assets;

/// Pages may load only our own scripts and talk only to us. Inline styles
/// are allowed for style attributes set by the views.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The gzipped variant of every compressible file whose variant is
/// smaller, by path. Built once: level 9 costs more than the default only
/// here, never per request.
static GZIPPED: LazyLock<HashMap<Cow<'static, str>, Bytes>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|path| {
            let file = Assets::get(&path)?;
            if !compressible(file.metadata.mimetype()) {
                return None;
            }
            let gzipped = gzip(&file.data)?;
            (gzipped.len() < file.data.len()).then(|| (path, Bytes::from(gzipped)))
        })
        .collect()
});

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().fallback(serve)
}

async fn serve(uri: Uri, request_headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        let immutable = path.starts_with("assets/");
        return asset(path, file, immutable, &request_headers);
    }
    if is_app_route(path) {
        if let Some(index) = Assets::get("index.html") {
            return asset("index.html", index, false, &request_headers);
        }
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Paths the browser app routes itself (see web/src/route.ts).
fn is_app_route(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    matches!(
        segments.as_slice(),
        [] | ["join"]
            | ["join", _]
            | ["organiser"]
            | ["b", _, "moderate" | "present" | "watch" | "join"]
            | ["e", _]
            | ["e", _, "organise" | "present"]
            | ["s", _]
    )
}

/// Types worth compressing: text, and the binary formats that are text
/// underneath. Images and fonts are compressed already.
fn compressible(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or("").trim();
    essence.starts_with("text/")
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/manifest+json"
                | "image/svg+xml"
        )
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// Whether `Accept-Encoding` allows gzip: a `gzip` (or `*`) coding whose
/// q-value is not 0 (RFC 9110, section 12.5.3).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight = parts
                .filter_map(|parameter| {
                    let (key, value) = parameter.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| value.trim().parse::<f32>().ok())?
                })
                .next()
                .unwrap_or(1.0);
            if coding.eq_ignore_ascii_case("gzip") {
                gzip = Some(weight > 0.0);
            } else if coding == "*" {
                any = Some(weight > 0.0);
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

fn asset(
    path: &str,
    file: rust_embed::EmbeddedFile,
    immutable: bool,
    request_headers: &HeaderMap,
) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let hash: String = file.metadata.sha256_hash()[..12]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let compressible = compressible(&mime);
    let gzipped = GZIPPED
        .get(path)
        .filter(|_| compressible && accepts_gzip(request_headers));
    let etag = match gzipped {
        Some(_) => format!("\"{hash}-gzip\""),
        None => format!("\"{hash}\""),
    };
    let mut response = if not_modified(request_headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = match (gzipped, file.data) {
            (Some(gzipped), _) => gzipped.clone(),
            (None, Cow::Borrowed(data)) => Bytes::from_static(data),
            (None, Cow::Owned(data)) => Bytes::from(data),
        };
        (StatusCode::OK, body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if gzipped.is_some() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if compressible {
        // Caches must keep the variants apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if mime.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{accepts_gzip, compressible, is_app_route};
    use axum::http::{HeaderMap, HeaderValue, header};

    #[test]
    fn gzip_is_chosen_by_accept_encoding_and_its_q_value() {
        for (accept, gzip) in [
            ("gzip", true),
            ("gzip, deflate, br, zstd", true),
            ("br;q=1.0, GZIP;q=0.5", true),
            ("*", true),
            ("gzip;q=0", false),
            ("gzip; q=0.000", false),
            ("*;q=0", false),
            ("gzip;q=0, *", false),
            ("identity", false),
            ("deflate, br", false),
            ("", false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(accept));
            assert_eq!(accepts_gzip(&headers), gzip, "{accept:?}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn text_types_are_compressible_and_images_are_not() {
        for mime in [
            "text/javascript",
            "application/javascript",
            "text/css",
            "text/html; charset=utf-8",
            "image/svg+xml",
            "application/json",
            "application/manifest+json",
        ] {
            assert!(compressible(mime), "{mime}");
        }
        for mime in ["image/png", "font/woff2", "application/octet-stream"] {
            assert!(!compressible(mime), "{mime}");
        }
    }

    #[test]
    fn app_routes_get_the_app() {
        for path in [
            "",
            "join",
            "join/ABC123",
            "b/abc/moderate",
            "b/abc/present",
            "b/abc/watch",
            "b/abc/join",
            "organiser",
            "e/abc",
            "e/abc/organise",
            "e/abc/present",
            "s/abc",
        ] {
            assert!(is_app_route(path), "{path}");
        }
        for path in [
            "api/boards",
            "b/abc",
            "b/abc/other",
            "join/a/b",
            "e",
            "e/abc/moderate",
            "s/abc/other",
            "favicon.ico",
        ] {
            assert!(!is_app_route(path), "{path}");
        }
    }
}
