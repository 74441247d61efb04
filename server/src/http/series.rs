//! Series over HTTP (issue 15; `docs/protocol.md`, "Series"): making one,
//! adding and removing its conferences (a board joins only with its
//! moderator's token), the comparison (read whole, written whole with the
//! version it was read at), and the suggestions across conferences. The
//! consolidated report is in `exports.rs`. Everything but creation is for
//! the series' organiser token alone.

use super::throttle::Client;
use super::{AppState, Error, bearer, blocking};
use crate::auth::{self, Identity};
use crate::board::schema::TITLE_MAX;
use crate::conference;
use crate::export::i18n::Locale;
use crate::export::series::{SeriesBoard, SeriesExport};
use crate::series::{self, ClusterRef, Comparison, Conference};
use crate::store::{SeriesRecord, Store};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/series", post(create_series))
        .route("/api/series/{series}", get(overview))
        .route("/api/series/{series}/boards", post(add_board))
        .route("/api/series/{series}/boards/{board}", delete(remove_board))
        .route("/api/series/{series}/comparison", put(write_comparison))
        .route("/api/series/{series}/suggestions", get(suggestions))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateSeries {
    title: String,
    locale: Option<String>,
}

#[derive(Debug, Serialize)]
struct CreatedSeries {
    series: String,
    organiser_token: String,
    /// The organiser's page, the token in the fragment.
    organiser_url: String,
}

async fn create_series(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    payload: Result<Json<CreateSeries>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedSeries>), Error> {
    let organiser = super::boards::may_create(&state, client, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let title = super::boards::text_field(&request.title, "title", 1, TITLE_MAX)?;
    let locale = super::boards::locale(request.locale.as_deref())?;
    let token = auth::new_series_token();
    let record = SeriesRecord {
        id: auth::new_event_id(),
        title,
        locale: locale.to_owned(),
        organiser_token_hash: auth::hash_token(&token),
        owner: organiser.map(|organiser| organiser.id),
        created_at: super::boards::now(),
        comparison: empty_comparison()?,
        version: 0,
    };
    let store = state.store.clone();
    let id = record.id.clone();
    blocking(move || Ok(store.create_series(&record)?)).await?;
    let base = super::boards::base_url(&state, &headers);
    tracing::info!(series = %id, "series created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedSeries {
            organiser_url: format!("{base}/s/{id}#token={token}"),
            series: id,
            organiser_token: token,
        }),
    ))
}

fn empty_comparison() -> Result<String, Error> {
    serde_json::to_string(&Comparison::default())
        .map_err(|error| Error::Internal(error.to_string()))
}

/// The series if the request's bearer token is its organiser's.
pub(super) async fn require_organiser(
    state: &AppState,
    series: &str,
    headers: &HeaderMap,
) -> Result<SeriesRecord, Error> {
    let token = bearer(headers).ok_or(Error::Unauthorized(
        "an Authorization: Bearer token is required",
    ))?;
    let store = state.store.clone();
    let id = series.to_owned();
    let record = blocking(move || Ok(store.series(&id)?))
        .await?
        .ok_or(Error::NotFound("no such series"))?;
    if auth::token_matches(&token, &record.organiser_token_hash) {
        Ok(record)
    } else {
        Err(Error::Forbidden("only the series' organiser may do this"))
    }
}

/// The live state of each board of the series whose room is open.
pub(super) async fn live_documents(
    state: &AppState,
    series: &str,
) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
    let store = state.store.clone();
    let id = series.to_owned();
    let boards = blocking(move || Ok(store.series_boards(&id)?)).await?;
    let mut live = Vec::with_capacity(boards.len());
    for board in boards {
        let state_now = state.registry.document_state(&board).await;
        live.push((board, state_now));
    }
    Ok(live)
}

fn comparison_of(record: &SeriesRecord) -> Result<Comparison, Error> {
    serde_json::from_str(&record.comparison).map_err(|error| Error::Internal(error.to_string()))
}

/// Everything the report and the overview read: each conference with its
/// contact list (only who consented), and the comparison.
pub(super) fn gather(
    store: &dyn Store,
    record: &SeriesRecord,
    live: Vec<(String, Option<Vec<u8>>)>,
) -> Result<SeriesExport, Error> {
    let mut boards = Vec::with_capacity(live.len());
    for (board, live) in live {
        let export = match conference::load_export_without_photos(store, &board, live) {
            Ok(export) => export,
            // Deleted between the listing and now: no longer in the series.
            Err(conference::ConferenceError::NoSuchBoard(_)) => continue,
            Err(error) => return Err(error.into()),
        };
        boards.push(SeriesBoard {
            conference: Conference {
                board: export.info.id.clone(),
                title: export.info.title.clone(),
                district: export.info.district.clone(),
                date: export.board.meta.date.clone(),
                model: export.board,
            },
            contacts: export.contacts,
        });
    }
    Ok(SeriesExport {
        id: record.id.clone(),
        title: crate::board::schema::board_text(&record.title).into_owned(),
        locale: Locale::from_meta(&record.locale),
        boards,
        comparison: comparison_of(record)?,
    })
}

#[derive(Debug, Serialize)]
struct Overview {
    series: String,
    title: String,
    locale: String,
    /// The comparison's version: what a write names.
    version: i64,
    comparison: Comparison,
    conferences: Vec<series::ConferenceView>,
    topics: Vec<series::TopicView>,
}

async fn overview(
    State(state): State<AppState>,
    Path(series): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Overview>, Error> {
    let record = require_organiser(&state, &series, &headers).await?;
    let live = live_documents(&state, &series).await?;
    let store = state.store.clone();
    let overview = blocking(move || {
        let gathered = gather(&*store, &record, live)?;
        let conferences: Vec<Conference> = gathered
            .boards
            .iter()
            .map(|b| b.conference.clone())
            .collect();
        Ok(Overview {
            series: record.id.clone(),
            title: gathered.title.clone(),
            locale: record.locale.clone(),
            version: record.version,
            topics: gathered
                .comparison
                .topics
                .iter()
                .map(|topic| series::topic_view(topic, &conferences))
                .collect(),
            conferences: conferences.iter().map(series::conference_view).collect(),
            comparison: gathered.comparison,
        })
    })
    .await?;
    Ok(Json(overview))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBoard {
    board: String,
    moderator_token: String,
}

#[derive(Debug, Serialize)]
struct Added {
    board: String,
    /// False if it was in the series already.
    added: bool,
}

/// Adds a board with its moderator's rights: the body names the board's
/// moderator token, checked as the websocket checks it.
async fn add_board(
    State(state): State<AppState>,
    Path(series): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<AddBoard>, JsonRejection>,
) -> Result<(StatusCode, Json<Added>), Error> {
    let record = require_organiser(&state, &series, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let identity = super::identify(&state, request.board.clone(), request.moderator_token).await;
    if !matches!(identity, Ok(Identity::Moderator)) {
        return Err(Error::Forbidden(
            "a board joins a series only with its moderator's token",
        ));
    }
    let store = state.store.clone();
    let board = request.board.clone();
    let added = blocking(move || {
        let boards = store.series_boards(&record.id)?;
        if !boards.contains(&board) && boards.len() >= series::SERIES_BOARDS_MAX {
            return Err(Error::Full(format!(
                "a series holds at most {} conferences",
                series::SERIES_BOARDS_MAX
            )));
        }
        Ok(store.add_series_board(&record.id, &board, super::boards::now())?)
    })
    .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Added {
            board: request.board,
            added,
        }),
    ))
}

/// Takes a board out of the series, and out of the comparison's topics.
async fn remove_board(
    State(state): State<AppState>,
    Path((series, board)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    let record = require_organiser(&state, &series, &headers).await?;
    let store = state.store.clone();
    let removed = blocking(move || {
        if !store.remove_series_board(&record.id, &board)? {
            return Ok(false);
        }
        // Written with the version read; a write in between is read again.
        let mut current = record;
        loop {
            let comparison = comparison_of(&current)?.without_board(&board);
            let json = serde_json::to_string(&comparison)
                .map_err(|error| Error::Internal(error.to_string()))?;
            if store
                .set_series_comparison(&current.id, &json, current.version)?
                .is_some()
            {
                return Ok(true);
            }
            current = store
                .series(&current.id)?
                .ok_or(Error::NotFound("no such series"))?;
        }
    })
    .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("the board is not in this series"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteComparison {
    /// The version the comparison was read at.
    version: i64,
    comparison: Comparison,
}

#[derive(Debug, Serialize)]
struct Written {
    version: i64,
}

/// Bytes of a comparison as stored, at most.
const COMPARISON_BYTES_MAX: usize = 1024 * 1024;

async fn write_comparison(
    State(state): State<AppState>,
    Path(series): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<WriteComparison>, JsonRejection>,
) -> Result<Json<Written>, Error> {
    let record = require_organiser(&state, &series, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let store = state.store.clone();
    let version = blocking(move || {
        let boards = store.series_boards(&record.id)?;
        request
            .comparison
            .check(&boards)
            .map_err(Error::BadRequest)?;
        let json = serde_json::to_string(&request.comparison)
            .map_err(|error| Error::Internal(error.to_string()))?;
        if json.len() > COMPARISON_BYTES_MAX {
            return Err(Error::PayloadTooLarge(format!(
                "a comparison holds at most {COMPARISON_BYTES_MAX} bytes"
            )));
        }
        store
            .set_series_comparison(&record.id, &json, request.version)?
            .ok_or(Error::Conflict(
                "the comparison changed since it was read: read it again",
            ))
    })
    .await?;
    Ok(Json(Written { version }))
}

#[derive(Debug, Serialize)]
struct Suggestions {
    groups: Vec<Group>,
}

#[derive(Debug, Serialize)]
struct Group {
    clusters: Vec<ClusterRef>,
    label: String,
}

async fn suggestions(
    State(state): State<AppState>,
    Path(series): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Suggestions>, Error> {
    let record = require_organiser(&state, &series, &headers).await?;
    let live = live_documents(&state, &series).await?;
    let store = state.store.clone();
    let groups = blocking(move || {
        let gathered = gather(&*store, &record, live)?;
        let conferences: Vec<Conference> =
            gathered.boards.into_iter().map(|b| b.conference).collect();
        Ok(series::suggestions(&gathered.comparison, &conferences))
    })
    .await?;
    Ok(Json(Suggestions {
        groups: groups
            .into_iter()
            .map(|suggestion| Group {
                clusters: suggestion.clusters,
                label: suggestion.label,
            })
            .collect(),
    }))
}
