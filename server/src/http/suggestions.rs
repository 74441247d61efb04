//! `GET /api/boards/{board}/suggestions` (issue 15; `docs/protocol.md`,
//! "Suggestions"): the moderator's suggestions for the wall, cards that
//! look alike ([`crate::similar`]). Reads the live room's document (or the
//! stored one) and changes nothing.

use super::{AppState, Error, blocking, require_moderator};
use crate::conference;
use crate::similar;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/boards/{board}/suggestions", get(suggestions))
}

#[derive(Debug, Serialize)]
struct Suggestions {
    groups: Vec<Group>,
}

#[derive(Debug, Serialize)]
struct Group {
    cards: Vec<String>,
    label: String,
}

async fn suggestions(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Suggestions>, Error> {
    require_moderator(&state, &board, &headers).await?;
    let live = state.registry.document_state(&board).await;
    let store = state.store.clone();
    let groups = blocking(move || {
        let model = conference::load_board(&*store, &board, live)?;
        Ok(similar::board_suggestions(&model))
    })
    .await?;
    Ok(Json(Suggestions {
        groups: groups
            .into_iter()
            .map(|suggestion| Group {
                cards: suggestion.cards,
                label: suggestion.label,
            })
            .collect(),
    }))
}
