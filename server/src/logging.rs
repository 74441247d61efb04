//! How the binary logs: text or JSON lines on standard error
//! (`--log-format`), filtered by `RUST_LOG` (default `info`), and one
//! `request` span per HTTP request with a random id.
//!
//! What is never logged: tokens (they travel in `?token=` and the
//! `Authorization` header, so neither the query string nor headers are),
//! raw paths (`/api/codes/{join_code}` carries a join code: the matched
//! route is logged instead), client addresses, names and card text.
//!
//! The libraries that lay out and draw the documents log the text they
//! work on (usvg warns once per character no font has, naming it, while it
//! draws the network map of participants' names; krilla and fontdb could do
//! the same): [`QUIET`] turns their logs off whatever `RUST_LOG` says. The
//! PostgreSQL client logs every statement with its parameters (names,
//! e-mail addresses, the document's bytes) at `debug`: [`AT_MOST_INFO`]
//! keeps it to its notices and warnings.

use crate::config::LogFormat;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

/// The response header that tells a client (or the proxy's access log)
/// the id its request's log lines carry.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Targets never logged: the document libraries, whose messages quote the
/// text of the board (see the module docs).
pub const QUIET: [&str; 6] = [
    "usvg",
    "resvg",
    "fontdb",
    "krilla",
    "krilla_svg",
    "rustybuzz",
];

/// Targets logged at `info` at the most: the PostgreSQL client's `debug`
/// lines quote the statements' parameters (see the module docs).
pub const AT_MOST_INFO: [&str; 1] = ["tokio_postgres"];

/// `RUST_LOG` (default `info`) with the [`QUIET`] targets off and the
/// [`AT_MOST_INFO`] ones at `info`. A directive for the same target in
/// `RUST_LOG` is replaced by ours.
pub fn filter(rust_log: Option<&str>) -> EnvFilter {
    let mut filter = rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let capped = QUIET
        .iter()
        .map(|target| format!("{target}=off"))
        .chain(AT_MOST_INFO.iter().map(|target| format!("{target}=info")));
    for directive in capped {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global subscriber. JSON lines carry the fields of the
/// current span and of every span around the event (`span`, `spans`):
/// the room span's `board`, the request span's `request_id`.
pub fn init(format: LogFormat) {
    let rust_log = std::env::var(EnvFilter::DEFAULT_ENV).ok();
    let filter = filter(rust_log.as_deref());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// Axum middleware: runs the request in a `request` span with a random
/// `request_id`, and logs one line when the response is ready (for a
/// websocket, when the upgrade is answered) with method, route, status and
/// duration.
pub async fn request_span(request: Request, next: Next) -> Response {
    let request_id = format!("{:016x}", rand::random::<u64>());
    let span = tracing::info_span!("request", request_id = %request_id);
    let method = request.method().clone();
    // The route template, not the path: paths hold ids and join codes.
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || "(app or asset)".to_owned(),
        |path| path.as_str().to_owned(),
    );
    async move {
        let started = Instant::now();
        let mut response = next.run(request).await;
        tracing::info!(
            method = %method,
            route = %route,
            status = response.status().as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_libraries_are_off_whatever_rust_log_says() {
        for rust_log in [
            None,
            Some("trace"),
            Some("usvg=trace,info"),
            Some("not a filter"),
        ] {
            let shown = filter(rust_log).to_string();
            for target in QUIET {
                assert!(
                    shown.contains(&format!("{target}=off")),
                    "{rust_log:?}: {shown}"
                );
                assert!(
                    !shown.contains(&format!("{target}=trace")),
                    "{rust_log:?}: {shown}"
                );
            }
            for target in AT_MOST_INFO {
                assert!(
                    shown.contains(&format!("{target}=info")),
                    "{rust_log:?}: {shown}"
                );
            }
        }
    }
}
