//! `GET /api/boards/{board}/export.{md,html,pdf,docx,csv,json}`: the
//! documentation, for the moderator only.

use super::{AppState, Error, blocking, require_moderator};
use crate::conference;
use crate::export::{self, Format, Options};
use crate::metrics::METRICS;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::time::Instant;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/boards/{board}/{file}", get(export_board))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    /// `false` leaves the authors of cards and agreements out.
    authors: Option<bool>,
}

async fn export_board(
    State(state): State<AppState>,
    Path((board, file)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let format = file
        .strip_prefix("export.")
        .and_then(Format::from_extension)
        .ok_or(Error::NotFound("no such export"))?;
    require_moderator(&state, &board, &headers).await?;
    let options = Options {
        authors: query.authors.unwrap_or(true),
    };
    // The live room's state if the board is open, else what the store holds.
    let live = state.registry.document_state(&board).await;
    let store = state.store.clone();
    let (bytes, file_name) = blocking(move || {
        // Loading the board counts: it is part of what the moderator waits for.
        let started = Instant::now();
        let input = conference::load_export(&*store, &board, live)?;
        let bytes = export::export(&input, format, options)
            .map_err(|error| Error::Internal(error.to_string()))?;
        METRICS.export(format).observe(started.elapsed());
        Ok((bytes, export::file_name(&input, format)))
    })
    .await?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .map_err(|error| Error::Internal(error.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}
