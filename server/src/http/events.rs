//! Events over HTTP (`docs/protocol.md`, "Events"): creating one, the
//! event page, joining once, where a participant is to be now (a long
//! poll), choosing a workshop, and the organiser's controls of the day.
//!
//! A participant of an event has one token; each board that admits them
//! holds a participant record of the same id and token hash, so the
//! websocket's token check (`identify`) and every board's exports work as
//! for a board alone. Admitting (a choice, an assignment, a group) adds
//! that record; moving away marks it removed and closes the connections
//! there with 4401. The event's own record is the one the event endpoints
//! check.
//!
//! Changes of one event are made one at a time on this server (the
//! event's lock in [`Signals`]); a workshop's last place is taken in one
//! store statement.

use super::throttle::Client;
use super::{AppState, Error, bearer, blocking};
use crate::auth::{self, Identity, TokenClaim};
use crate::board::schema::{NAME_MAX, ORGANISATION_MAX, SECTORS, Sector, TITLE_MAX};
use crate::board::{self, BoardMeta};
use crate::conference::{self, NewBoard};
use crate::event::{
    self, Attribute, Grouping, Kind, Part, ProgrammeItem, Setup,
    groups::{self, Group, Person},
};
use crate::metrics::Throttled;
use crate::store::{EventBoardRecord, EventParticipantRecord, EventRecord, ParticipantRecord};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, watch};

/// How long a long poll of the place waits for a change.
const PLACE_WAIT: Duration = Duration::from_secs(25);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events", post(create_event))
        .route("/api/events/{event}", get(public_event))
        .route("/api/events/{event}/join", post(join_event))
        .route("/api/events/{event}/place", get(place))
        .route("/api/events/{event}/choice", post(choose))
        .route("/api/events/{event}/desk", get(desk))
        .route("/api/events/{event}/part", post(set_part))
        .route("/api/events/{event}/assignments", post(assign))
        .route("/api/events/{event}/grouping", post(set_grouping))
}

/// Per event on this server: a version that changes with anything of the
/// event (the long polls wait on it), and the lock its changes take.
#[derive(Default)]
pub struct Signals {
    events: DashMap<String, Arc<EventSignal>>,
}

struct EventSignal {
    version: watch::Sender<u64>,
    lock: Mutex<()>,
}

impl Signals {
    fn of(&self, event: &str) -> Arc<EventSignal> {
        self.events
            .entry(event.to_owned())
            .or_insert_with(|| {
                Arc::new(EventSignal {
                    version: watch::Sender::new(0),
                    lock: Mutex::new(()),
                })
            })
            .clone()
    }

    /// Something of the event changed: every long poll answers.
    fn changed(&self, event: &str) {
        self.of(event).version.send_modify(|version| *version += 1);
    }
}

// ------------------------------------------------------------- creating

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateEvent {
    title: String,
    date: String,
    #[serde(default)]
    venue: String,
    locale: Option<String>,
    boards: Vec<NewEventBoard>,
    #[serde(default)]
    attributes: Vec<Attribute>,
    grouping: Option<Grouping>,
    #[serde(default)]
    programme: Vec<ProgrammeItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEventBoard {
    title: String,
    kind: String,
    capacity: Option<i64>,
    #[serde(default)]
    location: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Serialize)]
struct CreatedEvent {
    event: String,
    organiser_token: String,
    viewer_token: String,
    join_code: String,
    join_url: String,
    organiser_url: String,
    presenter_url: String,
    boards: Vec<CreatedEventBoard>,
}

#[derive(Debug, Serialize)]
struct CreatedEventBoard {
    board: String,
    title: String,
    kind: &'static str,
    moderator_token: String,
    viewer_token: String,
    moderator_url: String,
    presenter_url: String,
}

/// A new event's boards, checked: title, kind, capacity, location and
/// description of each.
fn checked_boards(
    boards: &[NewEventBoard],
) -> Result<Vec<(String, Kind, EventBoardRecord)>, Error> {
    if boards.is_empty() || boards.len() > event::MAX_BOARDS {
        return Err(Error::BadRequest(format!(
            "boards must list 1 to {} boards",
            event::MAX_BOARDS
        )));
    }
    let mut checked = Vec::with_capacity(boards.len());
    for (position, new) in boards.iter().enumerate() {
        let title = super::boards::text_field(&new.title, "board title", 1, TITLE_MAX)?;
        let kind = Kind::from_id(&new.kind)
            .filter(|kind| *kind != Kind::Conference)
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "board kind must be plenary, workshop, reflection or tree, not {:?}",
                    new.kind
                ))
            })?;
        if new
            .capacity
            .is_some_and(|capacity| !(1..=event::MAX_CAPACITY).contains(&capacity))
        {
            return Err(Error::BadRequest(format!(
                "board capacity must be 1 to {}",
                event::MAX_CAPACITY
            )));
        }
        let location =
            super::boards::text_field(&new.location, "board location", 0, event::LOCATION_MAX)?;
        let description = super::boards::text_field(
            &new.description,
            "board description",
            0,
            event::DESCRIPTION_MAX,
        )?;
        checked.push((
            title,
            kind,
            EventBoardRecord {
                event: String::new(),
                board: String::new(),
                kind: kind.id().to_owned(),
                position: position as i64,
                capacity: new.capacity,
                location,
                description,
            },
        ));
    }
    Ok(checked)
}

async fn create_event(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    payload: Result<Json<CreateEvent>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedEvent>), Error> {
    let organiser = super::boards::may_create(&state, client, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let title = super::boards::text_field(&request.title, "title", 1, TITLE_MAX)?;
    if !event::is_date(request.date.trim()) {
        return Err(Error::BadRequest("date must be a day as YYYY-MM-DD".into()));
    }
    let date = request.date.trim().to_owned();
    let venue = super::boards::text_field(&request.venue, "venue", 0, event::VENUE_MAX)?;
    let locale = super::boards::locale(request.locale.as_deref())?;
    let boards = checked_boards(&request.boards)?;
    let setup = Setup {
        attributes: request.attributes,
        grouping: request.grouping.unwrap_or_default(),
        programme: request.programme,
    };
    setup.check().map_err(Error::BadRequest)?;

    let organiser_token = auth::new_organiser_token();
    let viewer_token = auth::new_viewer_token();
    let record = EventRecord {
        id: auth::new_event_id(),
        title,
        date: Some(date.clone()),
        venue,
        locale: locale.to_owned(),
        join_code: None,
        organiser_token_hash: Some(auth::hash_token(&organiser_token)),
        viewer_token_hash: Some(auth::hash_token(&viewer_token)),
        part: Part::Plenary.id().to_owned(),
        setup: setup.to_json(),
        created_at: super::boards::now(),
    };
    let store = state.store.clone();
    let owner = organiser.map(|organiser| organiser.id);
    let (record, created) = blocking(move || {
        let record = conference::create_event(&*store, record)?;
        if let Some(owner) = &owner {
            store.set_event_owner(&record.id, owner)?;
        }
        let mut created = Vec::with_capacity(boards.len());
        for (title, kind, place) in boards {
            let (initial, server_client) = board::initial_update(&BoardMeta {
                title: &title,
                district: "",
                date: Some(&date),
                locale,
                kind: Some(kind.id()),
            });
            let new_board = NewBoard {
                id: auth::new_board_id(),
                title,
                district: String::new(),
                created_at: record.created_at,
            };
            let place = EventBoardRecord {
                event: record.id.clone(),
                ..place
            };
            let (board, first) = conference::create_event_board(&*store, new_board, place, |_| {
                (initial, server_client)
            })?;
            if let Some(owner) = &owner {
                store.set_board_owner(&board.record.id, owner)?;
            }
            // Retention counts from the event's day.
            store.set_board_date(&board.record.id, &date)?;
            created.push((board, kind, first));
        }
        Ok((record, created))
    })
    .await?;
    let base = super::boards::base_url(&state, &headers);
    let mut boards = Vec::with_capacity(created.len());
    for (board, kind, first) in created {
        first.durable().await?;
        let id = board.record.id;
        boards.push(CreatedEventBoard {
            moderator_url: format!("{base}/b/{id}/moderate#token={}", board.moderator_token),
            presenter_url: format!("{base}/b/{id}/present#token={}", board.viewer_token),
            board: id,
            title: board.record.title,
            kind: kind.id(),
            moderator_token: board.moderator_token,
            viewer_token: board.viewer_token,
        });
    }
    tracing::info!(event = %record.id, boards = boards.len(), "event created");
    let join_code = record.join_code.unwrap_or_default();
    let id = record.id;
    Ok((
        StatusCode::CREATED,
        Json(CreatedEvent {
            join_url: format!("{base}/join/{join_code}"),
            organiser_url: format!("{base}/e/{id}/organise#token={organiser_token}"),
            presenter_url: format!("{base}/e/{id}/present#token={viewer_token}"),
            event: id,
            organiser_token,
            viewer_token,
            join_code,
            boards,
        }),
    ))
}

// ------------------------------------------------------------- reading

/// An event with its boards and participants, as one read.
pub(super) struct Loaded {
    pub(super) event: EventRecord,
    pub(super) setup: Setup,
    pub(super) boards: Vec<EventBoardRecord>,
    participants: Vec<EventParticipantRecord>,
}

impl Loaded {
    pub(super) fn part(&self) -> Part {
        Part::from_id(&self.event.part).unwrap_or(Part::Plenary)
    }

    fn board(&self, id: &str) -> Option<&EventBoardRecord> {
        self.boards.iter().find(|board| board.board == id)
    }

    /// How many the board admits now (removed participants not counted).
    fn admitted(&self, board: &EventBoardRecord) -> usize {
        self.participants
            .iter()
            .filter(|participant| event::admits(board, participant))
            .count()
    }

    /// The event's join code: its own, or its one board's.
    fn join_code(&self, store: &dyn crate::store::Store) -> Result<String, Error> {
        if let Some(code) = &self.event.join_code {
            return Ok(code.clone());
        }
        let board = self
            .boards
            .first()
            .ok_or(Error::NotFound("no such event"))?;
        Ok(store
            .board(&board.board)?
            .map(|record| record.join_code)
            .unwrap_or_default())
    }

    /// A one-board event: its board's moderator is its organiser.
    fn is_one_board(&self) -> bool {
        self.boards.len() == 1 && Kind::of(&self.boards[0]) == Some(Kind::Conference)
    }
}

fn load(store: &dyn crate::store::Store, event: &str) -> Result<Loaded, Error> {
    let record = store
        .event(event)?
        .ok_or(Error::NotFound("no such event"))?;
    Ok(Loaded {
        setup: Setup::read(&record.setup),
        boards: store.event_boards(event)?,
        participants: store.event_participants(event)?,
        event: record,
    })
}

async fn load_event(state: &AppState, event: &str) -> Result<Loaded, Error> {
    let store = state.store.clone();
    let event = event.to_owned();
    blocking(move || load(&*store, &event)).await
}

#[derive(Debug, Serialize)]
struct PublicEvent {
    event: String,
    title: String,
    date: Option<String>,
    venue: String,
    locale: String,
    part: &'static str,
    attributes: Vec<Attribute>,
    programme: Vec<ProgrammeItem>,
    boards: Vec<PublicBoard>,
}

#[derive(Debug, Serialize)]
struct PublicBoard {
    board: String,
    title: String,
    kind: String,
    location: String,
    description: String,
    capacity: Option<i64>,
    admitted: usize,
    full: bool,
}

fn public_view(loaded: &Loaded, titles: &BTreeMap<String, String>) -> PublicEvent {
    PublicEvent {
        event: loaded.event.id.clone(),
        title: loaded.event.title.clone(),
        date: loaded.event.date.clone(),
        venue: loaded.event.venue.clone(),
        locale: loaded.event.locale.clone(),
        part: loaded.part().id(),
        attributes: loaded.setup.all_attributes(),
        programme: loaded.setup.programme.clone(),
        boards: loaded
            .boards
            .iter()
            .map(|board| {
                let admitted = loaded.admitted(board);
                PublicBoard {
                    board: board.board.clone(),
                    title: titles.get(&board.board).cloned().unwrap_or_default(),
                    kind: board.kind.clone(),
                    location: board.location.clone(),
                    description: board.description.clone(),
                    capacity: board.capacity,
                    admitted,
                    full: board
                        .capacity
                        .is_some_and(|capacity| admitted as i64 >= capacity),
                }
            })
            .collect(),
    }
}

/// The titles of the event's boards (their records hold them).
pub(super) async fn board_titles(
    state: &AppState,
    loaded: &Loaded,
) -> Result<BTreeMap<String, String>, Error> {
    let store = state.store.clone();
    let ids: Vec<String> = loaded.boards.iter().map(|b| b.board.clone()).collect();
    blocking(move || {
        let mut titles = BTreeMap::new();
        for id in ids {
            if let Some(record) = store.board(&id)? {
                titles.insert(id, record.title);
            }
        }
        Ok(titles)
    })
    .await
}

async fn public_event(
    State(state): State<AppState>,
    Path(event): Path<String>,
) -> Result<Json<PublicEvent>, Error> {
    let loaded = load_event(&state, &event).await?;
    let titles = board_titles(&state, &loaded).await?;
    Ok(Json(public_view(&loaded, &titles)))
}

// ------------------------------------------------------------- joining

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinEvent {
    #[serde(default)]
    join_code: String,
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
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct Joined {
    participant_id: String,
    token: String,
}

/// The participant's record on a board that admits them.
fn board_record(board: &str, participant: &EventParticipantRecord) -> ParticipantRecord {
    ParticipantRecord {
        board: board.to_owned(),
        id: participant.id.clone(),
        token_hash: participant.token_hash,
        name: participant.name.clone(),
        organisation: participant.organisation.clone(),
        sector: participant.sector.clone(),
        email: participant.email.clone(),
        phone: participant.phone.clone(),
        contact_consent: participant.contact_consent,
        created_at: participant.created_at,
        removed: false,
        personal_code: None,
    }
}

async fn join_event(
    State(state): State<AppState>,
    client: Client,
    Path(event): Path<String>,
    payload: Result<Json<JoinEvent>, JsonRejection>,
) -> Result<(StatusCode, Json<Joined>), Error> {
    state.throttles.admit(Throttled::Join, client)?;
    let request = super::boards::json_body(payload)?;
    let loaded = load_event(&state, &event).await?;
    let name = super::boards::text_field(&request.name, "name", 1, NAME_MAX)?;
    let organisation =
        super::boards::text_field(&request.organisation, "organisation", 0, ORGANISATION_MAX)?;
    if Sector::from_id(&request.sector).is_none() {
        return Err(Error::BadRequest(format!(
            "sector must be one of {}",
            SECTORS.join(", ")
        )));
    }
    loaded
        .setup
        .check_values(&request.attributes)
        .map_err(Error::BadRequest)?;
    let email = super::boards::optional_field(request.email.as_deref(), "email", 254)?;
    if email.as_deref().is_some_and(|email| !email.contains('@')) {
        return Err(Error::BadRequest("email is not an e-mail address".into()));
    }
    let phone = super::boards::optional_field(request.phone.as_deref(), "phone", 40)?;
    let code = auth::normalize_join_code(&request.join_code);
    let store = state.store.clone();
    let reader = store.clone();
    let (expected, loaded) = blocking(move || Ok((loaded.join_code(&*reader)?, loaded))).await?;
    let matches: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
    if !matches || expected.is_empty() {
        return Err(Error::Forbidden(
            "the join code does not belong to this event",
        ));
    }
    let participant_id = auth::new_participant_id();
    let token = auth::new_participant_token(&participant_id);
    let participant = EventParticipantRecord {
        event: event.clone(),
        id: participant_id.clone(),
        token_hash: auth::hash_token(&token),
        name,
        organisation,
        sector: request.sector,
        attributes: serde_json::to_string(&request.attributes)
            .map_err(|error| Error::Internal(error.to_string()))?,
        email,
        phone,
        contact_consent: request.contact_consent,
        created_at: super::boards::now(),
        removed: false,
        workshop: None,
        group: None,
    };
    let signal = state.signals.of(&event);
    let _turn = signal.lock.lock().await;
    let everyone: Vec<String> = loaded
        .boards
        .iter()
        .filter(|board| Kind::of(board).is_some_and(Kind::admits_everyone))
        .map(|board| board.board.clone())
        .collect();
    let record = participant.clone();
    blocking(move || {
        store.add_event_participant(&record)?;
        for board in &everyone {
            store.admit_participant(&board_record(board, &record))?;
        }
        Ok(())
    })
    .await?;
    // In the reflection part a late joiner gets a group at once.
    if loaded.part() == Part::Reflection {
        let loaded = load_event(&state, &event).await?;
        place_in_groups(&state, &loaded, &[participant]).await?;
    }
    drop(_turn);
    state.signals.changed(&event);
    Ok((
        StatusCode::CREATED,
        Json(Joined {
            participant_id,
            token,
        }),
    ))
}

/// Places `people` (without a group) into the event's reflection groups
/// by its grouping rule, admits them there and records it. The caller
/// holds the event's lock.
async fn place_in_groups(
    state: &AppState,
    loaded: &Loaded,
    people: &[EventParticipantRecord],
) -> Result<(), Error> {
    let mut groups: Vec<Group> = loaded
        .boards
        .iter()
        .filter(|board| Kind::of(board).is_some_and(Kind::is_group))
        .map(|board| Group {
            board: board.board.clone(),
            capacity: board.capacity,
            values: loaded
                .participants
                .iter()
                .filter(|p| !p.removed && p.group.as_deref() == Some(board.board.as_str()))
                .map(|p| loaded.setup.grouping_value(p))
                .collect(),
        })
        .collect();
    let candidates: Vec<Person> = people
        .iter()
        .filter(|p| !p.removed && p.group.is_none())
        .map(|p| Person {
            id: p.id.clone(),
            value: loaded.setup.grouping_value(p),
        })
        .collect();
    let placed = groups::assign(loaded.setup.grouping.rule, &mut groups, &candidates);
    let store = state.store.clone();
    let event = loaded.event.id.clone();
    let people: Vec<EventParticipantRecord> = people.to_vec();
    blocking(move || {
        for (id, group) in placed {
            let Some(group) = group else { continue };
            let Some(person) = people.iter().find(|p| p.id == id) else {
                continue;
            };
            store.set_event_group(&event, &id, Some(&group))?;
            store.admit_participant(&board_record(&group, person))?;
        }
        Ok(())
    })
    .await
}

// ------------------------------------------------------------- the phone

/// The participant of `event` a request's token belongs to.
async fn participant_of(
    state: &AppState,
    event: &str,
    headers: &HeaderMap,
) -> Result<EventParticipantRecord, Error> {
    const REFUSED: Error = Error::Forbidden("the token is not valid for this event");
    let token = bearer(headers).ok_or(Error::Unauthorized(
        "an Authorization: Bearer token is required",
    ))?;
    let Some(TokenClaim::Participant(id)) = auth::claim(&token) else {
        return Err(REFUSED);
    };
    let (store, event, id) = (state.store.clone(), event.to_owned(), id.to_owned());
    let found = blocking(move || {
        if store.event(&event)?.is_none() {
            return Err(Error::NotFound("no such event"));
        }
        Ok(store.event_participant(&event, &id)?)
    })
    .await?;
    found
        .filter(|p| !p.removed && auth::token_matches(&token, &p.token_hash))
        .ok_or(REFUSED)
}

#[derive(Debug, Serialize)]
struct PlaceView {
    version: u64,
    part: &'static str,
    board: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    location: Option<String>,
    workshop: Option<String>,
    group: Option<String>,
    choose: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceQuery {
    after: Option<u64>,
}

/// The participant's place now, a late joiner in the reflection part
/// placed into a group first.
async fn current_place(
    state: &AppState,
    event: &str,
    participant_id: &str,
    version: u64,
) -> Result<PlaceView, Error> {
    let mut loaded = load_event(state, event).await?;
    let me = |loaded: &Loaded| {
        loaded
            .participants
            .iter()
            .find(|p| p.id == participant_id)
            .cloned()
            .ok_or(Error::Forbidden("the token is not valid for this event"))
    };
    let mut participant = me(&loaded)?;
    if loaded.part() == Part::Reflection && participant.group.is_none() {
        let signal = state.signals.of(event);
        let turn = signal.lock.lock().await;
        loaded = load_event(state, event).await?;
        participant = me(&loaded)?;
        if participant.group.is_none() {
            place_in_groups(state, &loaded, std::slice::from_ref(&participant)).await?;
            loaded = load_event(state, event).await?;
            participant = me(&loaded)?;
            drop(turn);
            if participant.group.is_some() {
                state.signals.changed(event);
            }
        }
    }
    let titles = board_titles(state, &loaded).await?;
    let place = event::place(loaded.part(), &loaded.boards, &participant);
    Ok(PlaceView {
        version,
        part: loaded.part().id(),
        board: place.board.map(|b| b.board.clone()),
        title: place.board.and_then(|b| titles.get(&b.board).cloned()),
        kind: place.board.map(|b| b.kind.clone()),
        location: place.board.map(|b| b.location.clone()),
        workshop: participant.workshop,
        group: participant.group,
        choose: place.choose,
    })
}

async fn place(
    State(state): State<AppState>,
    Path(event): Path<String>,
    Query(query): Query<PlaceQuery>,
    headers: HeaderMap,
) -> Result<Json<PlaceView>, Error> {
    let participant = participant_of(&state, &event, &headers).await?;
    let mut version = state.signals.of(&event).version.subscribe();
    let current = *version.borrow_and_update();
    if query.after == Some(current) {
        // Either way the current place is the answer: a change or the end
        // of the wait.
        let _ = tokio::time::timeout(PLACE_WAIT, version.changed()).await;
    }
    let current = *version.borrow();
    Ok(Json(
        current_place(&state, &event, &participant.id, current).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Choice {
    board: String,
}

async fn choose(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<Choice>, JsonRejection>,
) -> Result<Json<PlaceView>, Error> {
    let participant = participant_of(&state, &event, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let signal = state.signals.of(&event);
    let turn = signal.lock.lock().await;
    let loaded = load_event(&state, &event).await?;
    if loaded.part() == Part::Ended {
        return Err(Error::BadRequest("the event has ended".into()));
    }
    let board = loaded
        .board(&request.board)
        .filter(|board| Kind::of(board) == Some(Kind::Workshop))
        .cloned()
        .ok_or_else(|| Error::BadRequest("this is not a workshop of this event".into()))?;
    move_into_workshop(&state, &participant, Some(&board), board.capacity).await?;
    drop(turn);
    state.signals.changed(&event);
    let version = *signal.version.borrow();
    Ok(Json(
        current_place(&state, &event, &participant.id, version).await?,
    ))
}

/// Puts the participant into `board` (a workshop; `None`: out of any),
/// while it has room below `capacity`; leaves the old one. 409 when full.
async fn move_into_workshop(
    state: &AppState,
    participant: &EventParticipantRecord,
    board: Option<&EventBoardRecord>,
    capacity: Option<i64>,
) -> Result<(), Error> {
    let store = state.store.clone();
    let person = participant.clone();
    let target = board.map(|b| b.board.clone());
    let taken = blocking(move || {
        let taken =
            store.set_event_workshop(&person.event, &person.id, target.as_deref(), capacity)?;
        if taken {
            if let Some(board) = &target {
                store.admit_participant(&board_record(board, &person))?;
            }
        }
        Ok(taken)
    })
    .await?;
    if !taken {
        return Err(Error::Conflict("this workshop is full"));
    }
    let old = participant.workshop.as_deref();
    if let Some(old) = old.filter(|old| Some(*old) != board.map(|b| b.board.as_str())) {
        leave(state, old, &participant.id).await?;
    }
    Ok(())
}

/// The participant is no longer admitted to `board`: their record there is
/// marked removed and their connections close with 4401.
async fn leave(state: &AppState, board: &str, participant: &str) -> Result<(), Error> {
    let store = state.store.clone();
    let (id, who) = (board.to_owned(), participant.to_owned());
    blocking(move || Ok(store.remove_participant(&id, &who)?)).await?;
    state
        .registry
        .disconnect(board, Identity::Participant(participant.to_owned()))
        .await;
    Ok(())
}

// ------------------------------------------------------------- the organiser

/// Only the event's organiser (for a one-board event, its board's
/// moderator) may go on.
async fn require_organiser(
    state: &AppState,
    event: &str,
    headers: &HeaderMap,
) -> Result<Loaded, Error> {
    const REFUSED: Error = Error::Forbidden("only the event's organiser may do this");
    let token = bearer(headers).ok_or(Error::Unauthorized(
        "an Authorization: Bearer token is required",
    ))?;
    let loaded = load_event(state, event).await?;
    let allowed = match auth::claim(&token) {
        Some(TokenClaim::Organiser) => loaded
            .event
            .organiser_token_hash
            .is_some_and(|hash| auth::token_matches(&token, &hash)),
        Some(TokenClaim::Moderator) if loaded.is_one_board() => {
            let board = loaded.boards[0].board.clone();
            super::identify(state, board, token).await.ok() == Some(Identity::Moderator)
        }
        _ => false,
    };
    if allowed { Ok(loaded) } else { Err(REFUSED) }
}

/// Whether a request's bearer token is the event's organiser's; for the
/// exports, which the participants may fetch too once the event ended.
pub(super) async fn organiser_or_participant(
    state: &AppState,
    event: &str,
    headers: &HeaderMap,
) -> Result<(Loaded, bool), Error> {
    match require_organiser(state, event, headers).await {
        Ok(loaded) => Ok((loaded, true)),
        Err(Error::Forbidden(_)) => {
            participant_of(state, event, headers).await?;
            Ok((load_event(state, event).await?, false))
        }
        Err(error) => Err(error),
    }
}

/// Whether a request's bearer token is one of the event's: its organiser's
/// (for a one-board event, its board's moderator), a participant's of the
/// event, or the event's viewer token (the plenary projector). For what the
/// whole event may see, such as its shown photos.
pub(super) async fn event_reader(
    state: &AppState,
    event: &str,
    headers: &HeaderMap,
) -> Result<Loaded, Error> {
    const REFUSED: Error = Error::Forbidden("the token is not valid for this event");
    let token = bearer(headers).ok_or(Error::Unauthorized(
        "an Authorization: Bearer token is required",
    ))?;
    if let Some(TokenClaim::Viewer) = auth::claim(&token) {
        let loaded = load_event(state, event).await?;
        let matches = loaded
            .event
            .viewer_token_hash
            .is_some_and(|hash| auth::token_matches(&token, &hash));
        return if matches { Ok(loaded) } else { Err(REFUSED) };
    }
    Ok(organiser_or_participant(state, event, headers).await?.0)
}

#[derive(Debug, Serialize)]
struct Desk {
    #[serde(flatten)]
    public: PublicEvent,
    join_code: String,
    join_url: String,
    grouping: Grouping,
    participants: Vec<DeskParticipant>,
}

#[derive(Debug, Serialize)]
struct DeskParticipant {
    participant_id: String,
    name: String,
    organisation: String,
    sector: String,
    attributes: BTreeMap<String, String>,
    workshop: Option<String>,
    group: Option<String>,
    joined_at: i64,
}

async fn desk_of(
    state: &AppState,
    loaded: Loaded,
    headers: &HeaderMap,
) -> Result<Json<Desk>, Error> {
    let titles = board_titles(state, &loaded).await?;
    let store = state.store.clone();
    let (join_code, loaded) = blocking(move || Ok((loaded.join_code(&*store)?, loaded))).await?;
    let base = super::boards::base_url(state, headers);
    Ok(Json(Desk {
        public: public_view(&loaded, &titles),
        join_url: format!("{base}/join/{join_code}"),
        join_code,
        grouping: loaded.setup.grouping.clone(),
        participants: loaded
            .participants
            .iter()
            .filter(|p| !p.removed)
            .map(|p| DeskParticipant {
                participant_id: p.id.clone(),
                name: p.name.clone(),
                organisation: p.organisation.clone(),
                sector: p.sector.clone(),
                attributes: event::values_of(p),
                workshop: p.workshop.clone(),
                group: p.group.clone(),
                joined_at: p.created_at,
            })
            .collect(),
    }))
}

async fn desk(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Desk>, Error> {
    let loaded = require_organiser(&state, &event, &headers).await?;
    desk_of(&state, loaded, &headers).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPart {
    part: String,
}

async fn set_part(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<NewPart>, JsonRejection>,
) -> Result<Json<Desk>, Error> {
    require_organiser(&state, &event, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let part = Part::from_id(&request.part).ok_or_else(|| {
        Error::BadRequest("part must be plenary, workshops, reflection or ended".into())
    })?;
    let signal = state.signals.of(&event);
    let turn = signal.lock.lock().await;
    let store = state.store.clone();
    let id = event.clone();
    blocking(move || Ok(store.set_event_part(&id, part.id())?)).await?;
    if part == Part::Reflection {
        let loaded = load_event(&state, &event).await?;
        let people = loaded.participants.clone();
        place_in_groups(&state, &loaded, &people).await?;
    }
    drop(turn);
    state.signals.changed(&event);
    tracing::info!(event = %event, part = part.id(), "event part changed");
    let loaded = load_event(&state, &event).await?;
    desk_of(&state, loaded, &headers).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Assignment {
    participant: String,
    board: Option<String>,
    /// With no board: which place to take them out of.
    kind: Option<String>,
}

async fn assign(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<Assignment>, JsonRejection>,
) -> Result<Json<Desk>, Error> {
    require_organiser(&state, &event, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let signal = state.signals.of(&event);
    let turn = signal.lock.lock().await;
    let loaded = load_event(&state, &event).await?;
    let participant = loaded
        .participants
        .iter()
        .find(|p| p.id == request.participant && !p.removed)
        .cloned()
        .ok_or(Error::NotFound("no such participant"))?;
    let (board, kind) = match &request.board {
        Some(id) => {
            let board = loaded
                .board(id)
                .cloned()
                .ok_or_else(|| Error::BadRequest("this board is not of this event".into()))?;
            let kind = Kind::of(&board);
            (Some(board), kind)
        }
        None => (
            None,
            match request.kind.as_deref() {
                Some("workshop") => Some(Kind::Workshop),
                Some("reflection") => Some(Kind::Reflection),
                _ => {
                    return Err(Error::BadRequest(
                        "without a board, kind must be workshop or reflection".into(),
                    ));
                }
            },
        ),
    };
    match kind {
        Some(Kind::Workshop) => {
            // The organiser may go over a workshop's capacity.
            move_into_workshop(&state, &participant, board.as_ref(), None).await?;
        }
        Some(kind) if kind.is_group() => {
            let store = state.store.clone();
            let person = participant.clone();
            let target = board.as_ref().map(|b| b.board.clone());
            blocking(move || {
                store.set_event_group(&person.event, &person.id, target.as_deref())?;
                if let Some(board) = &target {
                    store.admit_participant(&board_record(board, &person))?;
                }
                Ok(())
            })
            .await?;
            let old = participant.group.as_deref();
            if let Some(old) =
                old.filter(|old| Some(*old) != board.as_ref().map(|b| b.board.as_str()))
            {
                leave(&state, old, &participant.id).await?;
            }
        }
        _ => {
            return Err(Error::BadRequest(
                "participants are assigned to workshops and reflection groups only".into(),
            ));
        }
    }
    drop(turn);
    state.signals.changed(&event);
    let loaded = load_event(&state, &event).await?;
    desk_of(&state, loaded, &headers).await
}

async fn set_grouping(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<Grouping>, JsonRejection>,
) -> Result<Json<Desk>, Error> {
    require_organiser(&state, &event, &headers).await?;
    let grouping = super::boards::json_body(payload)?;
    let signal = state.signals.of(&event);
    let turn = signal.lock.lock().await;
    let loaded = load_event(&state, &event).await?;
    let setup = Setup {
        grouping,
        ..loaded.setup.clone()
    };
    setup.check().map_err(Error::BadRequest)?;
    let store = state.store.clone();
    let (id, json) = (event.clone(), setup.to_json());
    blocking(move || Ok(store.set_event_setup(&id, &json)?)).await?;
    drop(turn);
    state.signals.changed(&event);
    let loaded = load_event(&state, &event).await?;
    desk_of(&state, loaded, &headers).await
}
