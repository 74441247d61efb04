//! Photos of a board (issue 14; `docs/protocol.md`, "Photos"):
//!
//! - `POST /api/boards/{board}/photos` with a participant's or a
//!   moderator's token and the image as the body (`image/jpeg`,
//!   `image/png` or `image/webp`, at most `--max-photo-bytes`): decoded,
//!   re-encoded without metadata ([`crate::photo`]) and stored; `201
//!   {"photo", "width", "height", "status"}`. A participant's photo is
//!   `pending` while the board's `meta.photosNeedApproval` is set, else
//!   `shown`; the moderator's is always `shown`. With an `Idempotency-Key`
//!   a repeat of the same upload (its answer lost on bad Wi-Fi) is stored
//!   once: `200` with the photo it made;
//! - `GET /api/boards/{board}/photos`: the board's photos: all of them for
//!   the moderator, the shown ones and their own for a participant, the
//!   shown ones for a viewer;
//! - `GET /api/boards/{board}/photos/{photo}` (`?size=thumbnail`): the
//!   JPEG, for whoever the list shows it to;
//! - `POST /api/boards/{board}/photos/{photo}` with `{"status": "shown" |
//!   "hidden"}` (moderator: approving a pending photo is showing it),
//!   `DELETE` (moderator or who uploaded it);
//! - `GET /api/events/{event}/photos` and
//!   `GET /api/events/{event}/photos/{photo}` (`?size=thumbnail`), for any
//!   token of the event ([`super::events::event_reader`]): the shown photos
//!   of all the event's boards, for the event page.
//!
//! Uploads are decoded [`PHOTO_SLOTS`] at a time on blocking threads of
//! their own, so the memory a decoder may take is bounded server-wide.

use super::{AppState, Error, identify_request};
use crate::auth::Identity;
use crate::photo::{self, PhotoError, PhotoStatus};
use crate::store::{PhotoAdmission, PhotoInfo, PhotoRecord, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// Uploads decoded at once on the whole server.
const PHOTO_SLOTS: usize = 2;
static DECODING: Semaphore = Semaphore::const_new(PHOTO_SLOTS);

/// The header that makes sending an upload again safe (its answer was lost):
/// the photo's id is derived from it ([`keyed_id`]).
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The types a photo may be sent as.
const IMAGE_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

pub fn router(max_photo_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/boards/{board}/photos", get(list).post(upload))
        .layer(DefaultBodyLimit::max(max_photo_bytes))
        .route(
            "/api/boards/{board}/photos/{photo}",
            get(download).post(set_status).delete(remove),
        )
        .route("/api/events/{event}/photos", get(event_list))
        .route("/api/events/{event}/photos/{photo}", get(event_download))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

/// Whether `identity` may see the photo `info`: the moderator every one,
/// a participant the shown ones and their own, a viewer the shown ones.
fn may_see(identity: &Identity, info: &PhotoInfo) -> bool {
    match identity {
        Identity::Moderator => true,
        Identity::Participant(me) if &info.author == me => true,
        _ => is_shown(info),
    }
}

fn is_shown(info: &PhotoInfo) -> bool {
    PhotoStatus::from_id(&info.status) == Some(PhotoStatus::Shown)
}

#[derive(Debug, Serialize)]
struct Uploaded {
    photo: String,
    width: u32,
    height: u32,
    status: &'static str,
}

async fn upload(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Uploaded>), Error> {
    let identity = identify_request(&state, &board, &headers).await?;
    let author = match &identity {
        Identity::Moderator => "moderator".to_owned(),
        Identity::Participant(id) => id.clone(),
        Identity::Viewer => return Err(Error::Forbidden("viewers cannot add photos")),
    };
    let keyed = keyed_id(&headers, &board, &author)?;
    if let Some(id) = &keyed {
        if let Some(done) = made_by(&state, &board, id, &author).await? {
            return Ok((StatusCode::OK, Json(done)));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !content_type.is_some_and(|t| IMAGE_TYPES.contains(&t.as_str())) {
        return Err(Error::UnsupportedMediaType(
            "a photo is sent as image/jpeg, image/png or image/webp",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge(format!(
                "a photo may have at most {} bytes",
                state.photo_limits.max_photo_bytes
            ))
        } else {
            Error::BadRequest(rejection.body_text())
        }
    })?;
    let _slot = DECODING
        .acquire()
        .await
        .map_err(|error| Error::Internal(error.to_string()))?;
    let processed = tokio::task::spawn_blocking(move || photo::take_in(&body))
        .await
        .map_err(|error| Error::Internal(error.to_string()))?
        .map_err(|error| match error {
            PhotoError::Encode(detail) => Error::Internal(detail),
            refused => Error::UnprocessableEntity(refused.to_string()),
        })?;
    // Read once the picture is taken in: the flag as the moderator left it.
    let status = match &identity {
        Identity::Participant(_) if needs_approval(&state, &board).await? => PhotoStatus::Pending,
        _ => PhotoStatus::Shown,
    };
    let info = PhotoInfo {
        board: board.clone(),
        id: keyed.clone().unwrap_or_else(crate::auth::new_link_id),
        author: author.clone(),
        created_at: super::boards::now(),
        width: processed.width,
        height: processed.height,
        status: status.id().into(),
        bytes: (processed.jpeg.len() + processed.thumbnail.len()) as u64,
    };
    let record = PhotoRecord {
        info,
        jpeg: processed.jpeg,
        thumbnail: processed.thumbnail,
    };
    let limits = state.photo_limits;
    let store = state.store.clone();
    let stored = record.info.clone();
    let repeat = keyed.is_some();
    let admission = super::blocking(move || {
        let mut record = record;
        for _ in 0..3 {
            match store.add_photo(&record, limits.max_per_board, limits.max_storage_bytes) {
                // The same upload, sent twice at once: the first one stored it.
                Err(StoreError::Conflict) if repeat => return Ok(None),
                Err(StoreError::Conflict) => record.info.id = crate::auth::new_link_id(),
                other => return Ok(Some((other?, record.info.id))),
            }
        }
        Err(Error::Unavailable(
            "could not find a free photo id; try again",
        ))
    })
    .await?;
    let Some(admission) = admission else {
        let id = keyed.unwrap_or_default();
        return match made_by(&state, &board, &id, &author).await? {
            Some(done) => Ok((StatusCode::OK, Json(done))),
            None => Err(Error::Conflict("this upload is being stored; try again")),
        };
    };
    match admission.0 {
        PhotoAdmission::Stored => {}
        PhotoAdmission::BoardFull => {
            return Err(Error::Full(format!(
                "this board has its {} photos; delete one first",
                limits.max_per_board
            )));
        }
        PhotoAdmission::StorageFull => {
            return Err(Error::Full("the server's room for photos is full".into()));
        }
    }
    tracing::info!(board = %board, status = status.id(), "photo stored");
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            photo: admission.1,
            width: stored.width,
            height: stored.height,
            status: status.id(),
        }),
    ))
}

/// The photo id an upload's `Idempotency-Key` stands for: the same key
/// from the same person on the same board is the same photo. A key is 8 to
/// 64 letters, digits, `-` or `_` (the app sends the id it queued the
/// photo under).
fn keyed_id(headers: &HeaderMap, board: &str, author: &str) -> Result<Option<String>, Error> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|key| crate::board::valid_id(key))
        .ok_or_else(|| {
            Error::BadRequest("Idempotency-Key must be 8 to 64 letters, digits, - or _".into())
        })?;
    let digest = Sha256::digest(format!("{board}\n{author}\n{key}").as_bytes());
    Ok(Some(
        digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    ))
}

/// The photo `id` of `author` on `board`, if it is stored: what a repeated
/// upload answers.
async fn made_by(
    state: &AppState,
    board: &str,
    id: &str,
    author: &str,
) -> Result<Option<Uploaded>, Error> {
    let (store, board, id) = (state.store.clone(), board.to_owned(), id.to_owned());
    let found = super::blocking(move || Ok(store.photo(&board, &id, true)?)).await?;
    Ok(found
        .filter(|(info, _)| info.author == author)
        .map(|(info, _)| Uploaded {
            status: PhotoStatus::from_id(&info.status)
                .unwrap_or(PhotoStatus::Hidden)
                .id(),
            photo: info.id,
            width: info.width,
            height: info.height,
        }))
}

/// The board's `meta.photosNeedApproval`, from the live room if it is open.
async fn needs_approval(state: &AppState, board: &str) -> Result<bool, Error> {
    let live = state.registry.document_state(board).await;
    let store = state.store.clone();
    let board = board.to_owned();
    super::blocking(move || {
        Ok(crate::conference::photos_need_approval(
            &*store, &board, live,
        )?)
    })
    .await
}

#[derive(Debug, Serialize)]
struct Listed {
    photo: String,
    author: String,
    created_at: i64,
    width: u32,
    height: u32,
    status: String,
}

#[derive(Debug, Serialize)]
struct Photos {
    photos: Vec<Listed>,
}

async fn list(
    State(state): State<AppState>,
    Path(board): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Photos>, Error> {
    let identity = identify_request(&state, &board, &headers).await?;
    let store = state.store.clone();
    let photos = super::blocking(move || Ok(store.photos(&board)?)).await?;
    Ok(Json(Photos {
        photos: photos
            .into_iter()
            .filter(|p| may_see(&identity, p))
            .map(|p| Listed {
                photo: p.id,
                author: p.author,
                created_at: p.created_at,
                width: p.width,
                height: p.height,
                status: p.status,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Size {
    size: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    Path((board, id)): Path<(String, String)>,
    Query(size): Query<Size>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let identity = identify_request(&state, &board, &headers).await?;
    let thumbnail = size.thumbnail()?;
    let store = state.store.clone();
    let found = super::blocking(move || Ok(store.photo(&board, &id, thumbnail)?)).await?;
    let (_, bytes) = found
        .filter(|(info, _)| may_see(&identity, info))
        .ok_or(Error::NotFound("no such photo"))?;
    Ok(jpeg_response(bytes))
}

impl Size {
    /// Whether the thumbnail is asked for.
    fn thumbnail(&self) -> Result<bool, Error> {
        match self.size.as_deref() {
            None | Some("full") => Ok(false),
            Some("thumbnail") => Ok(true),
            Some(_) => Err(Error::BadRequest("size must be full or thumbnail".into())),
        }
    }
}

fn jpeg_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    Path((board, id)): Path<(String, String)>,
    headers: HeaderMap,
    payload: Result<Json<Status>, JsonRejection>,
) -> Result<StatusCode, Error> {
    super::require_moderator(&state, &board, &headers).await?;
    let request = super::boards::json_body(payload)?;
    // A photo is approved by showing it; nothing goes back to pending.
    if !matches!(
        PhotoStatus::from_id(&request.status),
        Some(PhotoStatus::Shown | PhotoStatus::Hidden)
    ) {
        return Err(Error::BadRequest("status must be shown or hidden".into()));
    }
    let store = state.store.clone();
    let changed =
        super::blocking(move || Ok(store.set_photo_status(&board, &id, &request.status)?)).await?;
    if changed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("no such photo"))
    }
}

async fn remove(
    State(state): State<AppState>,
    Path((board, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    let identity = identify_request(&state, &board, &headers).await?;
    let store = state.store.clone();
    let deleted = super::blocking(move || {
        let Some((info, _)) = store.photo(&board, &id, true)? else {
            return Err(Error::NotFound("no such photo"));
        };
        let allowed = match &identity {
            Identity::Moderator => true,
            Identity::Participant(me) => &info.author == me,
            Identity::Viewer => false,
        };
        if !allowed {
            return Err(Error::Forbidden(
                "only the moderator or who added it may delete a photo",
            ));
        }
        Ok(store.delete_photo(&board, &id)?)
    })
    .await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("no such photo"))
    }
}

#[derive(Debug, Serialize)]
struct EventPhoto {
    photo: String,
    board: String,
    board_title: String,
    created_at: i64,
    width: u32,
    height: u32,
}

#[derive(Debug, Serialize)]
struct EventPhotos {
    photos: Vec<EventPhoto>,
}

/// The shown photos of every board of the event, board by board in the
/// event's order, oldest first. Who uploaded them is not said.
async fn event_list(
    State(state): State<AppState>,
    Path(event): Path<String>,
    headers: HeaderMap,
) -> Result<Json<EventPhotos>, Error> {
    let loaded = super::events::event_reader(&state, &event, &headers).await?;
    let titles = super::events::board_titles(&state, &loaded).await?;
    let boards: Vec<String> = loaded.boards.iter().map(|b| b.board.clone()).collect();
    let store = state.store.clone();
    let photos = super::blocking(move || {
        let mut all = Vec::new();
        for board in boards {
            all.extend(store.photos(&board)?.into_iter().filter(is_shown));
        }
        Ok(all)
    })
    .await?;
    Ok(Json(EventPhotos {
        photos: photos
            .into_iter()
            .map(|p| EventPhoto {
                board_title: titles.get(&p.board).cloned().unwrap_or_default(),
                photo: p.id,
                board: p.board,
                created_at: p.created_at,
                width: p.width,
                height: p.height,
            })
            .collect(),
    }))
}

/// A shown photo of a board of the event.
async fn event_download(
    State(state): State<AppState>,
    Path((event, id)): Path<(String, String)>,
    Query(size): Query<Size>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let loaded = super::events::event_reader(&state, &event, &headers).await?;
    let thumbnail = size.thumbnail()?;
    let boards: Vec<String> = loaded.boards.iter().map(|b| b.board.clone()).collect();
    let store = state.store.clone();
    let found = super::blocking(move || {
        for board in boards {
            if let Some((info, bytes)) = store.photo(&board, &id, thumbnail)? {
                if is_shown(&info) {
                    return Ok(Some(bytes));
                }
            }
        }
        Ok(None)
    })
    .await?;
    found
        .map(jpeg_response)
        .ok_or(Error::NotFound("no such photo"))
}
