//! Creating conferences and joining them.

use super::throttle::Client;
use super::{AppState, Error, blocking, identify_request, require_moderator};
use crate::auth;
use crate::auth::Identity;
use crate::board::erasure::Authored;
use crate::board::schema::{
    DATE_MAX, DISTRICT_MAX, NAME_MAX, ORGANISATION_MAX, SECTORS, Sector, TITLE_MAX,
};
use crate::board::{self, BoardMeta};
use crate::conference::{self, ConferenceError, CreatedBoard, NewBoard};
use crate::metrics::Throttled;
use crate::store::{ParticipantRecord, StoreError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/boards", post(create_board))
        .route("/api/codes/{join_code}", get(resolve_join_code))
        .route("/api/boards/{board}", get(session).delete(delete_board))
        .route(
            "/api/boards/{board}/retention",
            get(retention).post(set_retention),
        )
        .route("/api/boards/{board}/join", post(join_board))
        .route("/api/boards/{board}/join-code", post(rotate_join_code))
        .route(
            "/api/boards/{board}/viewer-token",
            post(rotate_viewer_token),
        )
        .route(
            "/api/boards/{board}/participants/{participant}",
            delete(erase_participant),
        )
        .route(
            "/api/boards/{board}/participants/{participant}/contact",
            delete(erase_contact),
        )
        .route(
            "/api/boards/{board}/participants/{participant}/data",
            get(personal_data),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBoard {
    title: String,
    #[serde(default)]
    district: String,
    date: Option<String>,
    locale: Option<String>,
}

#[derive(Debug, Serialize)]
struct Created {
    board: String,
    moderator_token: String,
    viewer_token: String,
    join_code: String,
    join_url: String,
    moderator_url: String,
    presenter_url: String,
}

/// A join by the board's code with a profile, or by a personal code alone
/// (`registration.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinBoard {
    #[serde(default)]
    join_code: String,
    personal_code: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    sector: String,
    email: Option<String>,
    phone: Option<String>,
    #[serde(default)]
    contact_consent: bool,
}

#[derive(Debug, Serialize)]
struct Joined {
    participant_id: String,
    token: String,
}

/// What a join code opens: a board (of a one-board event), or an event of
/// several boards (no `board`: the phone joins the event).
#[derive(Debug, Serialize)]
struct BoardSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    board: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    title: String,
    district: String,
}

/// What went wrong creating a board or gathering an export, as answered.
impl From<ConferenceError> for Error {
    fn from(error: ConferenceError) -> Self {
        match error {
            ConferenceError::Store(error) => Error::Store(error),
            ConferenceError::NoFreeJoinCode => {
                Error::Unavailable("could not find a free join code; try again")
            }
            ConferenceError::NoSuchBoard(_) => Error::NotFound("no such board"),
            error @ (ConferenceError::Exists(_)
            | ConferenceError::Document(_)
            | ConferenceError::WriterGone) => Error::Internal(error.to_string()),
        }
    }
}

pub(super) fn json_body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, Error> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| Error::BadRequest(rejection.body_text()))
}

/// Trims `value` and checks its length in characters.
pub(super) fn text_field(
    value: &str,
    field: &str,
    min: usize,
    max: usize,
) -> Result<String, Error> {
    let value = value.trim();
    let length = value.chars().count();
    let allowed = |c: char| !c.is_control() && crate::board::schema::is_text_char(c);
    if length < min || length > max || !value.chars().all(allowed) {
        return Err(Error::BadRequest(format!(
            "{field} must be {min} to {max} characters without control characters or noncharacters"
        )));
    }
    Ok(value.to_owned())
}

pub(super) fn optional_field(
    value: Option<&str>,
    field: &str,
    max: usize,
) -> Result<Option<String>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => text_field(value, field, 1, max).map(Some),
        None => Ok(None),
    }
}

pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// The base of links we hand out: the configured public URL, else the
/// request's own host.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Whether this request may create a conference (a board or an event):
/// counted against the client's creation allowance; a signed-in organiser
/// (from the app's own origin) owns what they create, and
/// `--board-creation organisers` lets nobody else create.
pub(super) async fn may_create(
    state: &AppState,
    client: Client,
    headers: &HeaderMap,
) -> Result<Option<crate::store::OrganiserRecord>, Error> {
    state.throttles.admit(Throttled::BoardCreation, client)?;
    let organiser = super::organisers::signed_in(state, headers).await?;
    if organiser.is_some() {
        super::organisers::same_origin(state, headers)?;
    } else if state.board_creation == crate::config::BoardCreation::Organisers {
        return Err(Error::Unauthorized(
            "only organisers may create conferences on this server; sign in first",
        ));
    }
    Ok(organiser)
}

/// A board's language: `de` (the default) or `en`.
pub(super) fn locale(locale: Option<&str>) -> Result<&'static str, Error> {
    match locale {
        None | Some("de") => Ok("de"),
        Some("en") => Ok("en"),
        Some(_) => Err(Error::BadRequest("locale must be \"de\" or \"en\"".into())),
    }
}

async fn create_board(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    payload: Result<Json<CreateBoard>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), Error> {
    let organiser = may_create(&state, client, &headers).await?;
    let request = json_body(payload)?;
    let title = text_field(&request.title, "title", 1, TITLE_MAX)?;
    let district = text_field(&request.district, "district", 0, DISTRICT_MAX)?;
    let date = optional_field(request.date.as_deref(), "date", DATE_MAX)?;
    let locale = locale(request.locale.as_deref())?;
    let (initial, server_client) = board::initial_update(&BoardMeta {
        title: &title,
        district: &district,
        date: date.as_deref(),
        locale,
        kind: None,
    });
    let new_board = NewBoard {
        id: auth::new_board_id(),
        title,
        district,
        created_at: now(),
    };
    let store = state.store.clone();
    let owner = organiser.map(|organiser| organiser.id);
    // The day retention counts from (a date in another form is only text
    // in the document: the day the board was made counts then).
    let day = date.filter(|date| crate::event::is_date(date));
    let (created, first_update) = blocking(move || {
        let created = conference::create_board(&*store, new_board, |_| (initial, server_client))?;
        if let Some(owner) = &owner {
            store.set_board_owner(&created.0.record.id, owner)?;
        }
        if let Some(day) = &day {
            store.set_board_date(&created.0.record.id, day)?;
        }
        Ok(created)
    })
    .await?;
    first_update.durable().await?;
    let CreatedBoard {
        record,
        moderator_token,
        viewer_token,
    } = created;
    tracing::info!(board = %record.id, "board created");
    let base = base_url(&state, &headers);
    let board = record.id;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            join_url: format!("{base}/join/{}", record.join_code),
            moderator_url: format!("{base}/b/{board}/moderate#token={moderator_token}"),
            presenter_url: format!("{base}/b/{board}/present#token={viewer_token}"),
            board,
            moderator_token,
            viewer_token,
            join_code: record.join_code,
        }),
    ))
}

async fn resolve_join_code(
    State(state): State<AppState>,
    client: Client,
    Path(join_code): Path<String>,
) -> Result<Json<BoardSummary>, Error> {
    state.throttles.admit(Throttled::CodeLookup, client)?;
    let code = auth::normalize_join_code(&join_code);
    let store = state.store.clone();
    let summary = blocking(move || {
        if let Some(record) = store.board_by_join_code(&code)? {
            let event = store.event_board(&record.id)?.map(|place| place.event);
            return Ok(Some(BoardSummary {
                board: Some(record.id),
                event,
                title: record.title,
                district: record.district,
            }));
        }
        Ok(store.event_by_join_code(&code)?.map(|event| BoardSummary {
            board: None,
            event: Some(event.id),
            title: event.title,
            district: String::new(),
        }))
    })
    .await?;
    Ok(Json(
        summary.ok_or(Error::NotFound("no conference has this code"))?,
    ))
}

async fn join_board(
    State(state): State<AppState>,
    client: Client,
    Path(board): Path<String>,
    payload: Result<Json<JoinBoard>, JsonRejection>,
) -> Result<(StatusCode, Json<Joined>), Error> {
    // Every attempt counts, a wrong join code too: this is a code check.
    state.throttles.admit(Throttled::Join, client)?;
    let request = json_body(payload)?;
    if let Some(code) = &request.personal_code {
        let claimed =
            super::registration::join(&state, &board, code, request.contact_consent).await?;
        return Ok((
            StatusCode::CREATED,
            Json(Joined {
                participant_id: claimed.participant_id,
                token: claimed.token,
            }),
        ));
    }
    let name = text_field(&request.name, "name", 1, NAME_MAX)?;
    let organisation = text_field(&request.organisation, "organisation", 0, ORGANISATION_MAX)?;
    if Sector::from_id(&request.sector).is_none() {
        return Err(Error::BadRequest(format!(
            "sector must be one of {}",
            SECTORS.join(", ")
        )));
    }
    let email = optional_field(request.email.as_deref(), "email", 254)?;
    if email.as_deref().is_some_and(|email| !email.contains('@')) {
        return Err(Error::BadRequest("email is not an e-mail address".into()));
    }
    let phone = optional_field(request.phone.as_deref(), "phone", 40)?;
    let code = auth::normalize_join_code(&request.join_code);
    let participant_id = auth::new_participant_id();
    let token = auth::new_participant_token(&participant_id);
    let participant = ParticipantRecord {
        board: board.clone(),
        id: participant_id.clone(),
        token_hash: auth::hash_token(&token),
        name,
        organisation,
        sector: request.sector,
        email,
        phone,
        contact_consent: request.contact_consent,
        created_at: now(),
        removed: false,
        personal_code: None,
    };
    let store = state.store.clone();
    blocking(move || {
        // A board of an event of several boards admits through the event.
        let in_event = store
            .event_board(&board)?
            .is_some_and(|place| place.kind != crate::event::Kind::Conference.id());
        if in_event {
            return Err(Error::Forbidden(
                "this board belongs to an event: join the event",
            ));
        }
        let record = store.board(&board)?;
        let valid = record.is_some_and(|record| {
            subtle::ConstantTimeEq::ct_eq(record.join_code.as_bytes(), code.as_bytes()).into()
        });
        if !valid {
            return Err(Error::Forbidden(
                "the join code does not belong to this conference",
            ));
        }
        store.add_participant(&participant)?;
        Ok(())
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Joined {
            participant_id,
            token,
        }),
    ))
}

#[derive(Debug, Serialize)]
struct Session {
    board: String,
    title: String,
    district: String,
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    participant_id: Option<String>,
    /// Only for the moderator.
    #[serde(skip_serializing_if = "Option::is_none")]
    join_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    join_url: Option<String>,
}

/// What a token may do on a board; lets the app check a stored token before
/// it connects, and lets a moderator on another device see the join code.
async fn session(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Session>, Error> {
    let identity = identify_request(&state, &board, &headers).await?;
    let store = state.store.clone();
    let id = board.clone();
    let record = blocking(move || Ok(store.board(&id)?))
        .await?
        .ok_or(Error::NotFound("no such board"))?;
    let moderator = identity == Identity::Moderator;
    let base = base_url(&state, &headers);
    Ok(Json(Session {
        join_url: moderator.then(|| format!("{base}/join/{}", record.join_code)),
        join_code: moderator.then_some(record.join_code),
        board: record.id,
        title: record.title,
        district: record.district,
        role: identity.role(),
        participant_id: match identity {
            Identity::Participant(id) => Some(id),
            _ => None,
        },
    }))
}

#[derive(Debug, Serialize)]
struct JoinCode {
    join_code: String,
    join_url: String,
}

/// A new join code; the old one stops working. Participants who joined keep
/// their tokens.
async fn rotate_join_code(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<JoinCode>, Error> {
    require_moderator(&state, &board, &headers).await?;
    let store = state.store.clone();
    let id = board.clone();
    let join_code = blocking(move || {
        // A board of an event of several boards is joined by the event's code.
        let in_event = store
            .event_board(&id)?
            .is_some_and(|place| place.kind != crate::event::Kind::Conference.id());
        if in_event {
            return Err(Error::BadRequest(
                "this board belongs to an event: participants join with the event's code".into(),
            ));
        }
        for _ in 0..8 {
            let code = auth::new_join_code();
            match store.set_join_code(&id, &code) {
                Ok(()) => return Ok(code),
                Err(StoreError::Conflict) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(Error::Unavailable(
            "could not find a free join code; try again",
        ))
    })
    .await?;
    let base = base_url(&state, &headers);
    Ok(Json(JoinCode {
        join_url: format!("{base}/join/{join_code}"),
        join_code,
    }))
}

#[derive(Debug, Serialize)]
struct ViewerToken {
    viewer_token: String,
    presenter_url: String,
}

/// A new viewer token; presenter screens and watchers with the old one are
/// disconnected (close 4401) and cannot reconnect.
async fn rotate_viewer_token(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ViewerToken>, Error> {
    require_moderator(&state, &board, &headers).await?;
    let viewer_token = auth::new_viewer_token();
    let hash = auth::hash_token(&viewer_token);
    let store = state.store.clone();
    let id = board.clone();
    blocking(move || Ok(store.set_viewer_token_hash(&id, &hash)?)).await?;
    state.registry.disconnect(&board, Identity::Viewer).await;
    let base = base_url(&state, &headers);
    Ok(Json(ViewerToken {
        presenter_url: format!("{base}/b/{board}/present#token={viewer_token}"),
        viewer_token,
    }))
}

/// The boards that hold a person, and their event: every board of an event
/// of several boards (one identity across them, also where they never
/// went: a retried erasure finds them all again), else `board` alone.
/// `NotFound` if neither the board nor the event knows them.
fn boards_of_person(
    store: &dyn crate::store::Store,
    board: &str,
    participant: &str,
) -> Result<(Option<String>, Vec<String>), Error> {
    let on_board = store.participant(board, participant)?.is_some();
    let event = store
        .event_board(board)?
        .filter(|place| place.kind != crate::event::Kind::Conference.id())
        .map(|place| place.event);
    let in_event = match &event {
        Some(event) => store.event_participant(event, participant)?.is_some(),
        None => false,
    };
    if !on_board && !in_event {
        return Err(Error::NotFound("no such participant"));
    }
    let boards = match &event {
        Some(event) => store
            .event_boards(event)?
            .into_iter()
            .map(|place| place.board)
            .collect(),
        None => vec![board.to_owned()],
    };
    Ok((event, boards))
}

/// What `DELETE /api/boards/{board}/participants/{id}` may ask for (an
/// empty body asks for none of it).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureOptions {
    /// Keep the cards and proposals they wrote, without their name.
    #[serde(default)]
    keep_cards: bool,
}

/// Erases a person (the participant themself, or the moderator): their
/// profile, cards, proposals, votes, placements and memberships leave the
/// document (each board of their event, for a participant of an event of
/// several boards), each board's stored history is rewritten from the
/// collected document, their records, contact data and photos leave the
/// store, and the files are rewritten so none keeps a copy
/// (docs/protocol.md, "Erasing a person"). Their token stops working at
/// once and their connections close with 4401.
async fn erase_participant(
    State(state): State<AppState>,
    Path((board, participant)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, Error> {
    require_self_or_moderator(&state, &board, &participant, &headers).await?;
    let options: ErasureOptions = if body.iter().all(u8::is_ascii_whitespace) {
        ErasureOptions::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| {
            Error::BadRequest(format!(
                "the body must be {{\"keep_cards\": true|false}}: {error}"
            ))
        })?
    };
    let authored = if options.keep_cards {
        Authored::KeepAnonymous
    } else {
        Authored::Erase
    };
    let store = state.store.clone();
    let (id, who) = (board.clone(), participant.clone());
    let (event, boards) = blocking(move || {
        let (event, boards) = boards_of_person(&*store, &id, &who)?;
        // Their token stops working now, before any room hears of it.
        for board in &boards {
            store.remove_participant(board, &who)?;
        }
        Ok((event, boards))
    })
    .await?;
    for board in &boards {
        state
            .registry
            .erase(board, &participant, authored)
            .await
            .map_err(|error| {
                tracing::error!(%error, board, "could not erase a participant");
                Error::Unavailable("the erasure could not finish; try again")
            })?;
    }
    let store = state.store.clone();
    blocking(move || Ok(store.erase_participant(event.as_deref(), &boards, &participant)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erases a participant's contact data and withdraws their consent: the
/// participant themselves or the moderator may. Contact data never entered
/// the shared document, so the store is the only place it lived: the
/// records on every board of their event, and the event's own.
async fn erase_contact(
    State(state): State<AppState>,
    Path((board, participant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    require_self_or_moderator(&state, &board, &participant, &headers).await?;
    let store = state.store.clone();
    let existed = blocking(move || {
        let (event, boards) = boards_of_person(&*store, &board, &participant)?;
        Ok(store.erase_contact(event.as_deref(), &boards, &participant)?)
    })
    .await?;
    if existed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("no such participant"))
    }
}

/// `DELETE /api/boards/{board}` (moderator): the board is deleted now, for
/// real (`Store::delete_board`). Its connections close with 4404 first, so
/// no write of its room lands after it. A board of an event of several
/// boards is part of that event and is not deleted alone.
async fn delete_board(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    super::require_moderator(&state, &board, &headers).await?;
    let store = state.store.clone();
    let id = board.clone();
    let in_event = blocking(move || {
        Ok(store
            .event_board(&id)?
            .is_some_and(|place| place.kind != crate::event::Kind::Conference.id()))
    })
    .await?;
    if in_event {
        return Err(Error::BadRequest(
            "this board belongs to an event of several boards; it is deleted with the event".into(),
        ));
    }
    state.registry.end_deleted(&board).await;
    let store = state.store.clone();
    let existed = blocking(move || Ok(store.delete_board(&board)?)).await?;
    if existed {
        tracing::info!("board deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("no such board"))
    }
}

#[derive(Debug, Serialize)]
struct RetentionView {
    /// The board's day, when known.
    date: Option<String>,
    /// The day it is deleted on.
    delete_on: String,
    /// Whether the moderator chose that day.
    chosen: bool,
    /// The server's default (`--retention-days`).
    retention_days: u32,
}

async fn retention_view(state: &AppState, board: String) -> Result<Json<RetentionView>, Error> {
    let store = state.store.clone();
    let days = state.retention_days;
    let retention = blocking(move || Ok(store.retention(&board, days)?))
        .await?
        .ok_or(Error::NotFound("no such board"))?;
    Ok(Json(RetentionView {
        date: retention.date,
        delete_on: retention.delete_on,
        chosen: retention.chosen,
        retention_days: days,
    }))
}

/// `GET /api/boards/{board}/retention` (moderator): when the board goes.
async fn retention(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<RetentionView>, Error> {
    super::require_moderator(&state, &board, &headers).await?;
    retention_view(&state, board).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetRetention {
    /// `YYYY-MM-DD`, or `null` for the default.
    delete_on: Option<String>,
}

/// `POST /api/boards/{board}/retention` (moderator) with `{"delete_on"}`.
async fn set_retention(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<SetRetention>, JsonRejection>,
) -> Result<Json<RetentionView>, Error> {
    super::require_moderator(&state, &board, &headers).await?;
    let request = json_body(payload)?;
    let delete_on = request.delete_on.map(|day| day.trim().to_owned());
    if delete_on
        .as_deref()
        .is_some_and(|day| !crate::event::is_date(day))
    {
        return Err(Error::BadRequest(
            "delete_on must be a day as YYYY-MM-DD, or null for the default".into(),
        ));
    }
    let store = state.store.clone();
    let id = board.clone();
    let existed = blocking(move || Ok(store.set_delete_on(&id, delete_on.as_deref())?)).await?;
    if !existed {
        return Err(Error::NotFound("no such board"));
    }
    retention_view(&state, board).await
}

/// `GET /api/boards/{board}/participants/{participant}/data` (that
/// participant, or the moderator): everything the server holds about the
/// person on this board, as one JSON file to keep (GDPR Art. 15 and 20):
/// what they gave at the join (with contact data and consent), their
/// profile in the document, and every card, vote, placement, membership
/// and proposal of theirs.
async fn personal_data(
    State(state): State<AppState>,
    Path((board, participant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<axum::response::Response, Error> {
    require_self_or_moderator(&state, &board, &participant, &headers).await?;
    let live = state.registry.document_state(&board).await;
    let store = state.store.clone();
    let data = blocking(move || {
        let record = store
            .board(&board)?
            .ok_or(Error::NotFound("no such board"))?;
        let person = store
            .participant(&board, &participant)?
            .ok_or(Error::NotFound("no such participant"))?;
        let model = conference::load_board(&*store, &board, live)?;
        let mine = |id: &str| id == participant;
        Ok(serde_json::json!({
            "format": "kartenwand-personal-data",
            "version": 1,
            "board": {
                "board": record.id,
                "title": record.title,
                "district": record.district,
                "date": model.meta.date,
            },
            "participant": {
                "participant_id": person.id,
                "name": person.name,
                "organisation": person.organisation,
                "sector": person.sector,
                "email": person.email,
                "phone": person.phone,
                "contact_consent": person.contact_consent,
                "joined_at": person.created_at,
                "removed": person.removed,
                "personal_code": person.personal_code,
            },
            "profile": model.participants.iter().find(|p| mine(&p.id)),
            "cards": model.cards.iter().filter(|c| mine(&c.author)).collect::<Vec<_>>(),
            "votes": model.votes.iter().filter(|v| mine(&v.participant)).collect::<Vec<_>>(),
            "placements": model.placements.iter().filter(|p| mine(&p.participant)).collect::<Vec<_>>(),
            "memberships": model.memberships.iter().filter(|m| mine(&m.participant)).collect::<Vec<_>>(),
            "agreements": model.agreements.iter().filter(|a| mine(&a.author)).collect::<Vec<_>>(),
        }))
    })
    .await?;
    let body =
        serde_json::to_vec_pretty(&data).map_err(|error| Error::Internal(error.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kartenwand-meine-daten.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// Only the participant `participant` themself, or the moderator.
async fn require_self_or_moderator(
    state: &AppState,
    board: &str,
    participant: &str,
    headers: &HeaderMap,
) -> Result<(), Error> {
    match identify_request(state, board, headers).await? {
        Identity::Moderator => Ok(()),
        Identity::Participant(me) if me == participant => Ok(()),
        _ => Err(Error::Forbidden(
            "only the participant or the moderator may do this",
        )),
    }
}
