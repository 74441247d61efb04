//! `GET /api/boards/{board}/export.{md,html,pdf,docx,csv,json}`: the
//! documentation, and `GET /api/boards/{board}/material.pdf`: the printed
//! material of participants registered before the day; for the moderator
//! only.
//!
//! Exports never take what token checks and joins need: they run on
//! blocking threads of their own, [`EXPORT_SLOTS`] at once server-wide,
//! and one at a time per board (a second request for a board whose export
//! is being made is answered 503 with `Retry-After`). Both are held by the
//! export's thread until it finishes, even when the client went away, so
//! the bound is on work actually running.

use super::{AppState, Error, require_moderator};
use crate::conference;
use crate::export::{self, Format, Options};
use crate::metrics::METRICS;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Exports made at once on the whole server. A PDF of a big board keeps a
/// core busy for seconds; the machines this runs on have two to four, and
/// the rooms and the store need them too.
const EXPORT_SLOTS: usize = 2;

/// How long a request waits for a free slot before it is answered 503.
const SLOT_WAIT: Duration = Duration::from_secs(30);

/// What a refused request is told to wait.
const RETRY_AFTER: Duration = Duration::from_secs(5);

static EXPORTS: Semaphore = Semaphore::const_new(EXPORT_SLOTS);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/boards/{board}/{file}", get(export_board))
        .route("/api/events/{event}/{file}", get(export_event))
        .route("/api/series/{series}/{file}", get(export_series))
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
    let format = if file == "material.pdf" {
        None
    } else {
        Some(format_of(&file, &Format::ALL)?)
    };
    require_moderator(&state, &board, &headers).await?;
    let base = super::boards::base_url(&state, &headers);
    let options = Options {
        authors: query.authors.unwrap_or(true),
    };
    let turn = Turn::take(&state, &board).await?;
    // The live room's state if the board is open, else what the store holds.
    let live = state.registry.document_state(&board).await;
    turn.make(format, move |store| {
        let input = conference::load_export(store, &board, live)?;
        let Some(format) = format else {
            let bytes = material(store, &input, &base)?;
            let name = export::file_name(&input, Format::Pdf).replacen(".pdf", "-material.pdf", 1);
            return Ok((bytes, name));
        };
        let bytes = export::export(&input, format, options)
            .map_err(|error| Error::Internal(error.to_string()))?;
        Ok((bytes, export::file_name(&input, format)))
    })
    .await
}

/// `GET /api/events/{event}/export.{pdf,docx,md,json}`: every board of
/// the event in one file (`export::event`). The organiser's; the event's
/// participants may fetch the PDF and the Markdown once it has ended.
async fn export_event(
    State(state): State<AppState>,
    Path((event, file)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let format = format_of(&file, &export::event::FORMATS)?;
    let (loaded, organiser) =
        super::events::organiser_or_participant(&state, &event, &headers).await?;
    if !organiser {
        let ended = loaded.part() == crate::event::Part::Ended;
        if !ended || !matches!(format, Format::Pdf | Format::Markdown) {
            return Err(Error::Forbidden(
                "the results are there to download once the event has ended (PDF and Markdown)",
            ));
        }
    }
    let options = Options {
        authors: query.authors.unwrap_or(true),
    };
    let turn = Turn::take(&state, &format!("event:{event}")).await?;
    let mut live = Vec::with_capacity(loaded.boards.len());
    for board in &loaded.boards {
        live.push(state.registry.document_state(&board.board).await);
    }
    turn.make(Some(format), move |store| {
        let mut boards = Vec::with_capacity(loaded.boards.len());
        for (place, live) in loaded.boards.iter().zip(live) {
            let Some(kind) = crate::event::Kind::of(place) else {
                continue;
            };
            boards.push(export::event::EventBoard {
                kind,
                location: place.location.clone(),
                export: conference::load_export(store, &place.board, live)?,
            });
        }
        let input = export::event::EventExport {
            id: loaded.event.id.clone(),
            title: crate::board::schema::board_text(&loaded.event.title).into_owned(),
            date: loaded.event.date.clone(),
            venue: crate::board::schema::board_text(&loaded.event.venue).into_owned(),
            locale: export::i18n::Locale::from_meta(&loaded.event.locale),
            programme: loaded.setup.programme.clone(),
            boards,
        };
        let bytes = export::event::export(&input, format, options)
            .map_err(|error| Error::Internal(error.to_string()))?;
        Ok((bytes, export::event::file_name(&input, format)))
    })
    .await
}

/// `GET /api/series/{series}/export.{pdf,docx,md,csv,json}`: the
/// consolidated report of a series (`export::series`), for the series'
/// organiser.
async fn export_series(
    State(state): State<AppState>,
    Path((series, file)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let format = format_of(&file, &export::series::FORMATS)?;
    let record = super::series::require_organiser(&state, &series, &headers).await?;
    let options = Options {
        authors: query.authors.unwrap_or(true),
    };
    let turn = Turn::take(&state, &format!("series:{series}")).await?;
    let live = super::series::live_documents(&state, &record.id).await?;
    turn.make(Some(format), move |store| {
        let input = super::series::gather(store, &record, live)?;
        let bytes = export::series::export(&input, format, options)
            .map_err(|error| Error::Internal(error.to_string()))?;
        Ok((bytes, export::series::file_name(&input, format)))
    })
    .await
}

/// The format of `export.{ext}` if it is one of `allowed`, else 404.
fn format_of(file: &str, allowed: &[Format]) -> Result<Format, Error> {
    file.strip_prefix("export.")
        .and_then(Format::from_extension)
        .filter(|format| allowed.contains(format))
        .ok_or(Error::NotFound("no such export"))
}

/// An export's turn: one at a time per board (event, series), and a slot
/// of the [`EXPORT_SLOTS`], both held until its thread is done.
struct Turn {
    state: AppState,
    _running: Running,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

impl Turn {
    async fn take(state: &AppState, key: &str) -> Result<Turn, Error> {
        let running = Running::take(state, key)?;
        let slot = tokio::time::timeout(SLOT_WAIT, EXPORTS.acquire())
            .await
            .map_err(|_| Error::Busy {
                what: "the server is busy making other exports",
                retry_after: RETRY_AFTER,
            })?
            .map_err(|error| Error::Internal(error.to_string()))?;
        Ok(Turn {
            state: state.clone(),
            _running: running,
            _slot: slot,
        })
    }

    /// Runs `work` on a blocking thread of its own (loading the boards
    /// counts: it is part of what the organiser waits for) and answers with
    /// the file it made, a download. `format` `None` is a PDF that is not
    /// an export (the printed material), timed in no export's histogram.
    async fn make(
        self,
        format: Option<Format>,
        work: impl FnOnce(&dyn crate::store::Store) -> Result<(Vec<u8>, String), Error> + Send + 'static,
    ) -> Result<Response, Error> {
        let store = self.state.store.clone();
        let job = tokio::task::spawn_blocking(move || {
            // Released when the work is done, not when the request is.
            let _turn = self;
            let started = Instant::now();
            let made = work(&*store)?;
            if let Some(format) = format {
                METRICS.export(format).observe(started.elapsed());
            }
            Ok::<_, Error>(made)
        });
        let (bytes, file_name) = job
            .await
            .map_err(|error| Error::Internal(error.to_string()))??;
        let content_type = format.unwrap_or(Format::Pdf).content_type();
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            .map_err(|error| Error::Internal(error.to_string()))?;
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            bytes,
        )
            .into_response())
    }
}

/// The printed material (`export::material`): a page per participant
/// registered before the day (not removed), in the order of their names,
/// and the poster.
fn material(
    store: &dyn crate::store::Store,
    input: &export::BoardExport,
    base: &str,
) -> Result<Vec<u8>, Error> {
    let record = store
        .board(&input.info.id)?
        .ok_or(Error::NotFound("no such board"))?;
    let mut people: Vec<export::material::Person> = store
        .participants(&input.info.id)?
        .into_iter()
        .filter(|participant| !participant.removed)
        .filter_map(|participant| {
            let code = participant.personal_code?;
            let group = input
                .board
                .participant(&participant.id)
                .and_then(|shown| shown.group.as_deref())
                .and_then(|group| input.board.group(group))
                .map(|group| group.name.clone());
            Some(export::material::Person {
                join_url: super::registration::personal_join_url(base, &record.id, &code),
                name: crate::board::schema::board_text(&participant.name).into_owned(),
                organisation: crate::board::schema::board_text(&participant.organisation)
                    .into_owned(),
                sector: participant.sector,
                group,
                personal_code: code,
            })
        })
        .collect();
    people.sort_by_key(|person| person.name.to_lowercase());
    let material = export::material::Material::new(
        &input.board,
        people,
        format!("{base}/join/{}", record.join_code),
        record.join_code,
    );
    export::material::render(&material).map_err(|error| Error::Internal(error.to_string()))
}

/// A board's (event's, series') export being made: one at a time each.
struct Running {
    running: Arc<dashmap::DashSet<String>>,
    board: String,
}

impl Running {
    fn take(state: &AppState, board: &str) -> Result<Running, Error> {
        if !state.exports_running.insert(board.to_owned()) {
            return Err(Error::Busy {
                what: "an export of this board is being made",
                retry_after: RETRY_AFTER,
            });
        }
        Ok(Running {
            running: state.exports_running.clone(),
            board: board.to_owned(),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.running.remove(&self.board);
    }
}
