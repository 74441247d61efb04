//! Participants registered before the day (the organiser's preparation):
//! the moderator registers a list, each person gets a personal join code,
//! and their phone joins with that code alone, the profile filled in.
//!
//! - `POST /api/boards/{board}/participants` (moderator): registers a list;
//!   a list with a broken row registers nobody and names every broken row.
//! - `POST /api/boards/{board}/personal` with `{"personal_code"}`: who the
//!   code belongs to (name, organisation, sector) and the board, for the
//!   phone to show before the person confirms. A code check: throttled as
//!   one per client address.
//! - `POST /api/boards/{board}/join` with `{"personal_code"}` alone: the
//!   person takes up their place (`boards.rs` hands over to [`join`]).
//!
//! The personal code travels in a URL's fragment
//! (`/b/{board}/join#code=…`), which browsers send to no server.

use super::throttle::Client;
use super::{AppState, Error, blocking, require_moderator};
use crate::auth;
use crate::board::schema::{NAME_MAX, ORGANISATION_MAX, SECTORS, Sector};
use crate::metrics::Throttled;
use crate::store::{ParticipantRecord, StoreError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// People one request may register: a conference's list, with room.
pub const MAX_REGISTRATIONS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/boards/{board}/participants", post(register))
        .route("/api/boards/{board}/personal", post(lookup))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    participants: Vec<Person>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    name: String,
    #[serde(default)]
    organisation: String,
    sector: String,
    email: Option<String>,
}

#[derive(Debug, Serialize)]
struct Registered {
    participants: Vec<RegisteredPerson>,
}

#[derive(Debug, Serialize)]
struct RegisteredPerson {
    participant_id: String,
    personal_code: String,
    join_url: String,
}

/// The personal join link of `code` on `board`.
pub fn personal_join_url(base: &str, board: &str, code: &str) -> String {
    format!("{base}/b/{board}/join#code={code}")
}

/// A new participant's fields, checked; the reason names the field.
fn checked_person(person: &Person) -> Result<(String, String, Option<String>), String> {
    let name = super::boards::text_field(&person.name, "name", 1, NAME_MAX)
        .map_err(|error| error.to_string())?;
    let organisation =
        super::boards::text_field(&person.organisation, "organisation", 0, ORGANISATION_MAX)
            .map_err(|error| error.to_string())?;
    if Sector::from_id(&person.sector).is_none() {
        return Err(format!("sector must be one of {}", SECTORS.join(", ")));
    }
    let email = super::boards::optional_field(person.email.as_deref(), "email", 254)
        .map_err(|error| error.to_string())?;
    if email.as_deref().is_some_and(|email| !email.contains('@')) {
        return Err("email is not an e-mail address".into());
    }
    Ok((name, organisation, email))
}

async fn register(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<Registration>, JsonRejection>,
) -> Result<(StatusCode, Json<Registered>), Error> {
    require_moderator(&state, &board, &headers).await?;
    let request = super::boards::json_body(payload)?;
    if request.participants.is_empty() || request.participants.len() > MAX_REGISTRATIONS {
        return Err(Error::BadRequest(format!(
            "participants must list 1 to {MAX_REGISTRATIONS} people"
        )));
    }
    // Every row first: a list with a broken row registers nobody.
    let mut records = Vec::with_capacity(request.participants.len());
    let mut broken = Vec::new();
    for (index, person) in request.participants.iter().enumerate() {
        match checked_person(person) {
            Ok((name, organisation, email)) => records.push(ParticipantRecord {
                board: board.clone(),
                id: auth::new_participant_id(),
                // Nobody holds a token yet: this one is never handed out.
                token_hash: auth::hash_token(&auth::new_participant_token("registered")),
                name,
                organisation,
                sector: person.sector.clone(),
                email,
                phone: None,
                contact_consent: false,
                created_at: super::boards::now(),
                removed: false,
                personal_code: Some(auth::new_personal_code()),
            }),
            Err(reason) => broken.push(format!("row {}: {reason}", index + 1)),
        }
    }
    if !broken.is_empty() {
        let shown: Vec<_> = broken.iter().take(20).cloned().collect();
        let more = broken.len().saturating_sub(shown.len());
        let mut message = format!("nobody was registered: {}", shown.join("; "));
        if more > 0 {
            message.push_str(&format!("; and {more} more"));
        }
        return Err(Error::BadRequest(message));
    }
    let store = state.store.clone();
    let records = blocking(move || {
        for record in &mut records {
            // A taken participant id or personal code (80 bits): draw again.
            let mut tries = 0;
            loop {
                match store.add_participant(record) {
                    Ok(()) => break,
                    Err(StoreError::Conflict) if tries < 3 => {
                        tries += 1;
                        record.id = auth::new_participant_id();
                        record.personal_code = Some(auth::new_personal_code());
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(records)
    })
    .await?;
    let base = super::boards::base_url(&state, &headers);
    tracing::info!(board = %board, count = records.len(), "participants registered");
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            participants: records
                .into_iter()
                .map(|record| {
                    let code = record.personal_code.unwrap_or_default();
                    RegisteredPerson {
                        join_url: personal_join_url(&base, &board, &code),
                        participant_id: record.id,
                        personal_code: code,
                    }
                })
                .collect(),
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonalCode {
    personal_code: String,
}

#[derive(Debug, Serialize)]
struct Preview {
    board: String,
    title: String,
    district: String,
    participant_id: String,
    name: String,
    organisation: String,
    sector: String,
}

/// The registered, not removed participant of `board` with `code`.
async fn registered(state: &AppState, board: &str, code: &str) -> Result<ParticipantRecord, Error> {
    let code = auth::normalize_join_code(code);
    let store = state.store.clone();
    let board = board.to_owned();
    let found = blocking(move || Ok(store.participant_by_personal_code(&board, &code)?)).await?;
    found
        .filter(|participant| !participant.removed)
        .ok_or(Error::NotFound("no one is registered with this code"))
}

async fn lookup(
    State(state): State<AppState>,
    client: Client,
    Path(board): Path<String>,
    payload: Result<Json<PersonalCode>, JsonRejection>,
) -> Result<Json<Preview>, Error> {
    state.throttles.admit(Throttled::CodeLookup, client)?;
    let request = super::boards::json_body(payload)?;
    let participant = registered(&state, &board, &request.personal_code).await?;
    let store = state.store.clone();
    let id = board.clone();
    let record = blocking(move || Ok(store.board(&id)?))
        .await?
        .ok_or(Error::NotFound("no such board"))?;
    Ok(Json(Preview {
        board: record.id,
        title: record.title,
        district: record.district,
        participant_id: participant.id,
        name: participant.name,
        organisation: participant.organisation,
        sector: participant.sector,
    }))
}

/// What a join with a personal code hands back.
pub struct Claimed {
    pub participant_id: String,
    pub token: String,
}

/// The person of `code` takes up their place: a new token (one handed out
/// before stops working) and the consent they gave now. The caller has
/// counted the attempt against the client's join allowance.
pub async fn join(
    state: &AppState,
    board: &str,
    code: &str,
    contact_consent: bool,
) -> Result<Claimed, Error> {
    let participant = registered(state, board, code).await?;
    let token = auth::new_participant_token(&participant.id);
    let hash = auth::hash_token(&token);
    let store = state.store.clone();
    let (id, board_id) = (participant.id.clone(), board.to_owned());
    let claimed =
        blocking(move || Ok(store.claim_registration(&board_id, &id, &hash, contact_consent)?))
            .await?;
    if !claimed {
        return Err(Error::NotFound("no one is registered with this code"));
    }
    // The phone that held the place before loses it now.
    state
        .registry
        .disconnect(
            board,
            crate::auth::Identity::Participant(participant.id.clone()),
        )
        .await;
    Ok(Claimed {
        participant_id: participant.id,
        token,
    })
}
