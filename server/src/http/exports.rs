//! `GET /api/boards/{board}/export.{md,html,pdf,docx,csv,json}`: the
//! documentation, for the moderator only.

use super::{AppState, Error, blocking, require_moderator};
use crate::export::{self, BoardExport, Format, Options};
use crate::room::build_document;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use yrs::updates::decoder::Decode;
use yrs::{Doc, Transact, Update};

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
        let record = store
            .board(&board)?
            .ok_or(Error::NotFound("no such board"))?;
        let doc = match live {
            Some(update) => {
                let doc = Doc::new();
                let update =
                    Update::decode_v1(&update).map_err(|e| Error::Internal(e.to_string()))?;
                doc.transact_mut()
                    .apply_update(update)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                doc
            }
            None => build_document(&store.load_document(&board)?).map_err(Error::Internal)?,
        };
        let participants = store.participants(&board)?;
        let input = BoardExport::new(&record, &doc, &participants);
        let bytes = export::export(&input, format, options)
            .map_err(|error| Error::Internal(error.to_string()))?;
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
