//! The organiser's desk: sign-in with e-mail and password, a session in a
//! cookie, the organiser's conferences, and further links to a board
//! (co-moderators, watch-only), each revoked alone.
//!
//! - `POST /api/organiser/session` `{"email", "password"}`: signs in; the
//!   answer sets `kw_session` (HttpOnly, SameSite=Strict, Secure behind an
//!   https public URL, 12 hours). Failed attempts are bounded per e-mail
//!   and per client address ([`SignInLimits`]).
//! - `DELETE /api/organiser/session`: signs out.
//! - `GET /api/organiser`: who is signed in and their conferences, each with
//!   its links.
//! - `POST /api/organiser/boards/{board}/links` `{"role", "label"}`: a new
//!   link of the organiser's board: a co-moderator's (`moderator`) or a
//!   watch-only one (`viewer`). Also how a lost moderator link is recovered.
//! - `DELETE /api/organiser/boards/{board}/links/{id}`: revokes one link;
//!   its open connections close with 4401, nobody else's.
//! - `POST /api/organiser/invitations` `{"email", "name"}`: an invitation
//!   link for a colleague (7 days, once); `POST
//!   /api/organiser/invitations/accept` `{"token", "password"}` makes their
//!   account and signs them in.
//!
//! Every request that changes something with the cookie must come from the
//! app's own pages: JSON bodies only (a form cannot send one without a
//! preflight), and no `Origin` or `Sec-Fetch-Site` that names another site
//! ([`same_origin`]). SameSite=Strict keeps the cookie off cross-site
//! requests in the first place.

use super::throttle::Client;
use super::{AppState, Error, blocking};
use crate::auth::{self, password};
use crate::http::address::ClientKey;
use crate::rate::TokenBucket;
use crate::socket::{CloseReason, Outlet};
use crate::store::{BoardLinkRecord, InvitationRecord, OrganiserRecord, SessionRecord, StoreError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "kw_session";
/// How long a session lasts: a conference day.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;

/// Failed sign-ins per e-mail: five at once, then one every three minutes.
const FAILURES_PER_EMAIL: f64 = 5.0;
const EMAIL_REFILL_SECONDS: f64 = 180.0;
/// Failed sign-ins per client address: twenty at once, then one every ten
/// seconds.
const FAILURES_PER_ADDRESS: f64 = 20.0;
const ADDRESS_REFILL_SECONDS: f64 = 10.0;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/organiser", get(desk))
        .route("/api/organiser/session", post(sign_in).delete(sign_out))
        .route("/api/organiser/boards/{board}/links", post(new_link))
        .route(
            "/api/organiser/events/{event}/organiser-link",
            post(new_organiser_link),
        )
        .route(
            "/api/organiser/series/{series}/organiser-link",
            post(new_series_link),
        )
        .route(
            "/api/organiser/boards/{board}/links/{link}",
            delete(revoke_link),
        )
        .route("/api/organiser/invitations", post(invite))
        .route("/api/organiser/invitations/accept", post(accept))
}

/// How long an invitation link works.
pub const INVITATION_SECONDS: i64 = 7 * 24 * 60 * 60;

/// Bounds failed sign-ins (successful ones cost nothing).
#[derive(Default)]
pub struct SignInLimits {
    by_email: DashMap<String, TokenBucket>,
    by_address: DashMap<ClientKey, TokenBucket>,
}

impl SignInLimits {
    /// Whether another attempt for `email` from `client` may be tried; how
    /// long to wait if not.
    fn admit(&self, email: &str, client: ClientKey) -> Result<(), Duration> {
        let now = Instant::now();
        let email_wait = self
            .by_email
            .get(email)
            .map(|bucket| bucket.until_next_token())
            .unwrap_or_default();
        let address_wait = self
            .by_address
            .get(&client)
            .map(|bucket| bucket.until_next_token())
            .unwrap_or_default();
        let wait = email_wait.max(address_wait);
        let _ = now;
        if wait > Duration::ZERO {
            Err(wait)
        } else {
            Ok(())
        }
    }

    /// Counts a failed attempt.
    fn failed(&self, email: &str, client: ClientKey) {
        let now = Instant::now();
        self.by_email
            .entry(email.to_owned())
            .or_insert_with(|| {
                TokenBucket::new(1.0 / EMAIL_REFILL_SECONDS, FAILURES_PER_EMAIL, now)
            })
            .try_take(now);
        self.by_address
            .entry(client)
            .or_insert_with(|| {
                TokenBucket::new(1.0 / ADDRESS_REFILL_SECONDS, FAILURES_PER_ADDRESS, now)
            })
            .try_take(now);
        // Forget buckets that are full again, now and then.
        if self.by_email.len() > 10_000 {
            self.by_email.retain(|_, bucket| !bucket.is_full(now));
            self.by_address.retain(|_, bucket| !bucket.is_full(now));
        }
    }
}

/// Open connections that came in through a board link, so revoking one
/// link closes exactly its connections.
#[derive(Default)]
pub struct LinkConnections(DashMap<(String, String), Vec<Weak<Outlet>>>);

impl LinkConnections {
    pub fn track(&self, board: &str, link: &str, outlet: &Arc<Outlet>) {
        let mut entry = self
            .0
            .entry((board.to_owned(), link.to_owned()))
            .or_default();
        entry.retain(|open| open.strong_count() > 0);
        entry.push(Arc::downgrade(outlet));
    }

    fn close(&self, board: &str, link: &str) {
        if let Some((_, outlets)) = self.0.remove(&(board.to_owned(), link.to_owned())) {
            for outlet in outlets.iter().filter_map(Weak::upgrade) {
                outlet.close(CloseReason::REVOKED);
            }
        }
    }
}

/// The value of the session cookie, if the request has one.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn now() -> i64 {
    super::boards::now()
}

/// The signed-in organiser, if the request carries a live session.
pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<OrganiserRecord>, Error> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let hash = auth::hash_token(&token);
    let store = state.store.clone();
    blocking(move || {
        let Some(session) = store.session(&hash)? else {
            return Ok(None);
        };
        if session.expires_at <= now() {
            return Ok(None);
        }
        Ok(store.organiser(&session.organiser)?)
    })
    .await
}

/// The signed-in organiser, or 401.
async fn organiser(state: &AppState, headers: &HeaderMap) -> Result<OrganiserRecord, Error> {
    signed_in(state, headers)
        .await?
        .ok_or(Error::Unauthorized("sign in as an organiser first"))
}

/// Refuses a request that changes something with the cookie from another
/// site (see the module documentation).
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> Result<(), Error> {
    const CROSS_SITE: Error = Error::Forbidden("requests from other sites are refused");
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Err(CROSS_SITE);
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| CROSS_SITE)?;
        let ours = match &state.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let host = headers
                    .get(header::HOST)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("");
                format!("http://{host}")
            }
        };
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        let our_host = ours
            .split_once("://")
            .map_or(ours.as_str(), |(_, rest)| rest);
        if origin_host != our_host.trim_end_matches('/') {
            return Err(CROSS_SITE);
        }
    }
    Ok(())
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, Error> {
    let secure = state
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"));
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    ))
    .map_err(|error| Error::Internal(error.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct Me {
    id: String,
    email: String,
    name: String,
}

/// E-mail addresses are compared trimmed and in lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    payload: Result<Json<SignIn>, JsonRejection>,
) -> Result<Response, Error> {
    same_origin(&state, &headers)?;
    let request = super::boards::json_body(payload)?;
    let email = normalize_email(&request.email);
    let key = client.key();
    if let Err(wait) = state.sign_ins.admit(&email, key) {
        return Err(Error::TooManyRequests {
            what: "failed sign-ins",
            retry_after: wait,
        });
    }
    let store = state.store.clone();
    let (lookup, password) = (email.clone(), request.password);
    let found = blocking(move || {
        let found = store.organiser_by_email(&lookup)?;
        Ok(match found {
            Some(organiser) if password::verify(&password, &organiser.password_hash) => {
                Some(organiser)
            }
            Some(_) => None,
            None => {
                password::verify_nothing(&password);
                None
            }
        })
    })
    .await?;
    let Some(organiser) = found else {
        state.sign_ins.failed(&email, key);
        return Err(Error::Unauthorized("the e-mail or the password is wrong"));
    };
    let token = auth::new_session_token();
    let session = SessionRecord {
        token_hash: auth::hash_token(&token),
        organiser: organiser.id.clone(),
        expires_at: now() + SESSION_SECONDS,
    };
    let store = state.store.clone();
    blocking(move || Ok(store.add_session(&session)?)).await?;
    tracing::info!("organiser signed in");
    Ok((
        [(header::SET_COOKIE, cookie(&state, &token, SESSION_SECONDS)?)],
        Json(Me {
            id: organiser.id,
            email: organiser.email,
            name: organiser.name,
        }),
    )
        .into_response())
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    same_origin(&state, &headers)?;
    if let Some(token) = session_token(&headers) {
        let hash = auth::hash_token(&token);
        let store = state.store.clone();
        blocking(move || Ok(store.remove_session(&hash, now())?)).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie(&state, "", 0)?)],
    )
        .into_response())
}

#[derive(Debug, Serialize)]
struct Desk {
    id: String,
    email: String,
    name: String,
    boards: Vec<DeskBoard>,
    events: Vec<DeskEvent>,
    series: Vec<DeskSeries>,
}

/// A series of the organiser on the desk.
#[derive(Debug, Serialize)]
struct DeskSeries {
    series: String,
    title: String,
    /// How many conferences it holds.
    boards: usize,
    created_at: i64,
}

/// An event of several boards on the desk (one-board events are their
/// boards, listed above).
#[derive(Debug, Serialize)]
struct DeskEvent {
    event: String,
    title: String,
    date: Option<String>,
    venue: String,
    created_at: i64,
    join_code: String,
    join_url: String,
    boards: Vec<String>,
}

#[derive(Debug, Serialize)]
struct OrganiserLink {
    token: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct DeskBoard {
    board: String,
    title: String,
    district: String,
    created_at: i64,
    join_code: String,
    join_url: String,
    links: Vec<Link>,
}

#[derive(Debug, Serialize)]
struct Link {
    id: String,
    role: String,
    label: String,
    created_at: i64,
    revoked: bool,
}

impl From<BoardLinkRecord> for Link {
    fn from(link: BoardLinkRecord) -> Link {
        Link {
            id: link.id,
            role: link.role,
            label: link.label,
            created_at: link.created_at,
            revoked: link.revoked,
        }
    }
}

async fn desk(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Desk>, Error> {
    let me = organiser(&state, &headers).await?;
    let base = super::boards::base_url(&state, &headers);
    let store = state.store.clone();
    let id = me.id.clone();
    let boards = blocking(move || {
        let mut boards = Vec::new();
        for record in store.boards_of(&id)? {
            let links = store.board_links(&record.id)?;
            boards.push(DeskBoard {
                join_url: format!("{base}/join/{}", record.join_code),
                join_code: record.join_code,
                board: record.id,
                title: record.title,
                district: record.district,
                created_at: record.created_at,
                links: links.into_iter().map(Link::from).collect(),
            });
        }
        Ok(boards)
    })
    .await?;
    let store = state.store.clone();
    let id = me.id.clone();
    let base = super::boards::base_url(&state, &headers);
    let events = blocking(move || {
        let mut events = Vec::new();
        for record in store.events_of(&id)? {
            let Some(join_code) = record.join_code else {
                continue;
            };
            events.push(DeskEvent {
                join_url: format!("{base}/join/{join_code}"),
                join_code,
                boards: store
                    .event_boards(&record.id)?
                    .into_iter()
                    .map(|board| board.board)
                    .collect(),
                event: record.id,
                title: record.title,
                date: record.date,
                venue: record.venue,
                created_at: record.created_at,
            });
        }
        Ok(events)
    })
    .await?;
    let store = state.store.clone();
    let id = me.id.clone();
    let series = blocking(move || {
        let mut series = Vec::new();
        for record in store.series_of(&id)? {
            series.push(DeskSeries {
                boards: store.series_boards(&record.id)?.len(),
                series: record.id,
                title: record.title,
                created_at: record.created_at,
            });
        }
        Ok(series)
    })
    .await?;
    Ok(Json(Desk {
        id: me.id,
        email: me.email,
        name: me.name,
        boards,
        events,
        series,
    }))
}

/// A new organiser link for one of the organiser's events: the old one
/// stops working.
async fn new_organiser_link(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<OrganiserLink>), Error> {
    let token = auth::new_organiser_token();
    let path = format!("/e/{event}/organise");
    replace_link(&state, &headers, token, &path, move |store, me, hash| {
        let owned = store.event_owner(&event)?.as_deref() == Some(me);
        let several = store.event(&event)?.is_some_and(|e| e.join_code.is_some());
        if !owned || !several {
            return Err(Error::NotFound("you have no such event"));
        }
        store.set_event_organiser_token_hash(&event, hash)?;
        Ok(())
    })
    .await
}

/// A new organiser link for one of the organiser's series: the old one
/// stops working.
async fn new_series_link(
    State(state): State<AppState>,
    Path(series): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<OrganiserLink>), Error> {
    let token = auth::new_series_token();
    let path = format!("/s/{series}");
    replace_link(&state, &headers, token, &path, move |store, me, hash| {
        let owned = store
            .series(&series)?
            .is_some_and(|s| s.owner.as_deref() == Some(me));
        if !owned || !store.set_series_token_hash(&series, hash)? {
            return Err(Error::NotFound("you have no such series"));
        }
        Ok(())
    })
    .await
}

/// For the signed-in organiser (same origin): `store_hash` checks the
/// thing is theirs and stores the new token's hash; the answer is the new
/// link, `{base}{path}#token=…`.
async fn replace_link(
    state: &AppState,
    headers: &HeaderMap,
    token: String,
    path: &str,
    store_hash: impl FnOnce(&dyn crate::store::Store, &str, &[u8; 32]) -> Result<(), Error>
    + Send
    + 'static,
) -> Result<(StatusCode, Json<OrganiserLink>), Error> {
    same_origin(state, headers)?;
    let me = organiser(state, headers).await?;
    let hash = auth::hash_token(&token);
    let store = state.store.clone();
    blocking(move || store_hash(&*store, &me.id, &hash)).await?;
    let base = super::boards::base_url(state, headers);
    Ok((
        StatusCode::CREATED,
        Json(OrganiserLink {
            url: format!("{base}{path}#token={token}"),
            token,
        }),
    ))
}

/// The organiser's own board, or 404 (another organiser's board is not
/// told apart from none).
async fn own_board(
    state: &AppState,
    organiser: &OrganiserRecord,
    board: &str,
) -> Result<(), Error> {
    let store = state.store.clone();
    let board = board.to_owned();
    let owner = blocking(move || Ok(store.board_owner(&board)?)).await?;
    if owner.as_deref() == Some(organiser.id.as_str()) {
        Ok(())
    } else {
        Err(Error::NotFound("you have no such conference"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLink {
    role: String,
    #[serde(default)]
    label: String,
}

#[derive(Debug, Serialize)]
struct CreatedLink {
    id: String,
    role: String,
    label: String,
    token: String,
    url: String,
}

async fn new_link(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
    payload: Result<Json<NewLink>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedLink>), Error> {
    same_origin(&state, &headers)?;
    let me = organiser(&state, &headers).await?;
    own_board(&state, &me, &board).await?;
    let request = super::boards::json_body(payload)?;
    let label = super::boards::text_field(&request.label, "label", 0, 80)?;
    let (token, view) = match request.role.as_str() {
        "moderator" => (auth::new_moderator_token(), "moderate"),
        "viewer" => (auth::new_viewer_token(), "watch"),
        _ => {
            return Err(Error::BadRequest(
                "role must be \"moderator\" or \"viewer\"".into(),
            ));
        }
    };
    let link = BoardLinkRecord {
        board: board.clone(),
        id: auth::new_link_id(),
        role: request.role,
        label,
        token_hash: auth::hash_token(&token),
        created_at: now(),
        revoked: false,
    };
    let store = state.store.clone();
    let stored = link.clone();
    blocking(move || Ok(store.add_board_link(&stored)?)).await?;
    let base = super::boards::base_url(&state, &headers);
    Ok((
        StatusCode::CREATED,
        Json(CreatedLink {
            url: format!("{base}/b/{board}/{view}#token={token}"),
            id: link.id,
            role: link.role,
            label: link.label,
            token,
        }),
    ))
}

async fn revoke_link(
    State(state): State<AppState>,
    Path((board, link)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    same_origin(&state, &headers)?;
    let me = organiser(&state, &headers).await?;
    own_board(&state, &me, &board).await?;
    let store = state.store.clone();
    let (on, id) = (board.clone(), link.clone());
    let existed = blocking(move || Ok(store.revoke_board_link(&on, &id)?)).await?;
    if !existed {
        return Err(Error::NotFound("no such link"));
    }
    state.link_connections.close(&board, &link);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct Invited {
    invite_url: String,
    expires_at: i64,
}

/// A checked e-mail address, normalised.
fn checked_email(email: &str) -> Result<String, Error> {
    let email = normalize_email(email);
    if !email.contains('@') || email.chars().count() > 254 || email.chars().any(char::is_control) {
        return Err(Error::BadRequest("email is not an e-mail address".into()));
    }
    Ok(email)
}

async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: Result<Json<Invite>, JsonRejection>,
) -> Result<(StatusCode, Json<Invited>), Error> {
    same_origin(&state, &headers)?;
    let me = organiser(&state, &headers).await?;
    let request = super::boards::json_body(payload)?;
    let email = checked_email(&request.email)?;
    let name = super::boards::text_field(&request.name, "name", 1, 80)?;
    let token = auth::new_session_token();
    let invitation = InvitationRecord {
        token_hash: auth::hash_token(&token),
        email,
        name,
        invited_by: me.id,
        expires_at: now() + INVITATION_SECONDS,
    };
    let expires_at = invitation.expires_at;
    let store = state.store.clone();
    blocking(move || {
        if store.organiser_by_email(&invitation.email)?.is_some() {
            return Err(Error::BadRequest(
                "an organiser with this e-mail exists already".into(),
            ));
        }
        Ok(store.add_invitation(&invitation)?)
    })
    .await?;
    let base = super::boards::base_url(&state, &headers);
    Ok((
        StatusCode::CREATED,
        Json(Invited {
            invite_url: format!("{base}/organiser#invitation={token}"),
            expires_at,
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Accept {
    token: String,
    password: String,
}

async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: Result<Json<Accept>, JsonRejection>,
) -> Result<Response, Error> {
    same_origin(&state, &headers)?;
    let request = super::boards::json_body(payload)?;
    if let Some(weakness) = password::weakness(&request.password) {
        return Err(Error::BadRequest(weakness));
    }
    let hash = auth::hash_token(request.token.trim());
    let store = state.store.clone();
    let secret = request.password;
    let organiser = blocking(move || {
        let invitation = store
            .take_invitation(&hash, now())?
            .ok_or(Error::NotFound("this invitation is not valid (any more)"))?;
        let organiser = OrganiserRecord {
            id: auth::new_organiser_id(),
            email: invitation.email,
            name: invitation.name,
            password_hash: password::hash(&secret).map_err(Error::Internal)?,
            created_at: now(),
        };
        match store.add_organiser(&organiser) {
            Ok(()) => Ok(organiser),
            Err(StoreError::Conflict) => Err(Error::BadRequest(
                "an organiser with this e-mail exists already".into(),
            )),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    let token = auth::new_session_token();
    let session = SessionRecord {
        token_hash: auth::hash_token(&token),
        organiser: organiser.id.clone(),
        expires_at: now() + SESSION_SECONDS,
    };
    let store = state.store.clone();
    blocking(move || Ok(store.add_session(&session)?)).await?;
    tracing::info!("organiser account made from an invitation");
    Ok((
        StatusCode::CREATED,
        [(header::SET_COOKIE, cookie(&state, &token, SESSION_SECONDS)?)],
        Json(Me {
            id: organiser.id,
            email: organiser.email,
            name: organiser.name,
        }),
    )
        .into_response())
}
