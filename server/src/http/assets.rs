//! The embedded web app (`web/dist`, built by `build.rs`): hashed assets are
//! cached for good; every app route gets `index.html`, which loads the view
//! the URL names.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../web/dist/"]
struct Assets;

/// Pages may load only our own scripts and talk only to us. Inline styles
/// are allowed for style attributes set by the views.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().fallback(serve)
}

async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        let immutable = path.starts_with("assets/");
        return asset(file, immutable);
    }
    if is_app_route(path) {
        if let Some(index) = Assets::get("index.html") {
            return asset(index, false);
        }
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Paths the browser app routes itself (see web/src/route.ts).
fn is_app_route(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    matches!(
        segments.as_slice(),
        [] | ["join"] | ["join", _] | ["b", _, "moderate" | "present" | "watch"]
    )
}

fn asset(file: rust_embed::EmbeddedFile, immutable: bool) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
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
    use super::is_app_route;

    #[test]
    fn app_routes_get_the_app() {
        for path in [
            "",
            "join",
            "join/ABC123",
            "b/abc/moderate",
            "b/abc/present",
            "b/abc/watch",
        ] {
            assert!(is_app_route(path), "{path}");
        }
        for path in [
            "api/boards",
            "b/abc",
            "b/abc/other",
            "join/a/b",
            "favicon.ico",
        ] {
            assert!(!is_app_route(path), "{path}");
        }
    }
}
