//! Photos of a board (issue 14; `docs/protocol.md`, "Photos"):
//!
//! - `POST /api/boards/{board}/photos` with a participant's or a
//!   moderator's token and the image as the body (`image/jpeg`,
//!   `image/png` or `image/webp`, at most `--max-photo-bytes`): decoded,
//!   re-encoded without metadata ([`crate::photo`]) and stored; `201
//!   {"photo", "width", "height"}`;
//! - `GET /api/boards/{board}/photos`: the board's photos (the hidden
//!   ones for the moderator only);
//! - `GET /api/boards/{board}/photos/{photo}` (`?size=thumbnail`): the
//!   JPEG, for any token of the board;
//! - `POST /api/boards/{board}/photos/{photo}` with `{"status": "shown" |
//!   "hidden"}` (moderator), `DELETE` (moderator or who uploaded it).
//!
//! Uploads are decoded [`PHOTO_SLOTS`] at a time on blocking threads of
//! their own, so the memory a decoder may take is bounded server-wide.

use super::{AppState, Error, identify_request};
use crate::auth::Identity;
use crate::photo::{self, PhotoError};
use crate::store::{PhotoAdmission, PhotoInfo, PhotoRecord, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

/// Uploads decoded at once on the whole server.
const PHOTO_SLOTS: usize = 2;
static DECODING: Semaphore = Semaphore::const_new(PHOTO_SLOTS);

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
        .layer(DefaultBodyLimit::max(64 * 1024))
}

#[derive(Debug, Serialize)]
struct Uploaded {
    photo: String,
    width: u32,
    height: u32,
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
    let info = PhotoInfo {
        board: board.clone(),
        id: crate::auth::new_link_id(),
        author,
        created_at: super::boards::now(),
        width: processed.width,
        height: processed.height,
        status: "shown".into(),
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
    let admission = super::blocking(move || {
        let mut record = record;
        for _ in 0..3 {
            match store.add_photo(&record, limits.max_per_board, limits.max_storage_bytes) {
                Err(StoreError::Conflict) => record.info.id = crate::auth::new_link_id(),
                other => return Ok((other?, record.info.id)),
            }
        }
        Err(Error::Unavailable(
            "could not find a free photo id; try again",
        ))
    })
    .await?;
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
    tracing::info!(board = %board, "photo stored");
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            photo: admission.1,
            width: stored.width,
            height: stored.height,
        }),
    ))
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
            .filter(|p| identity == Identity::Moderator || p.status == "shown")
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
    let thumbnail = match size.size.as_deref() {
        None | Some("full") => false,
        Some("thumbnail") => true,
        Some(_) => return Err(Error::BadRequest("size must be full or thumbnail".into())),
    };
    let store = state.store.clone();
    let found = super::blocking(move || Ok(store.photo(&board, &id, thumbnail)?)).await?;
    let (info, bytes) = found
        .filter(|(info, _)| identity == Identity::Moderator || info.status == "shown")
        .ok_or(Error::NotFound("no such photo"))?;
    let _ = info;
    Ok((
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
        .into_response())
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
    if !["shown", "hidden"].contains(&request.status.as_str()) {
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
