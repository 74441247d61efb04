//! What the HTTP API and the command line both do to a conference outside
//! its live room: create one (record, tokens, join code, first document
//! update) and gather one for export. `http/boards.rs` and `kartenwand
//! import` create boards here; `http/exports.rs` and `kartenwand export`
//! load exports here.

use crate::auth;
use crate::event::{Kind, Part, Setup};
use crate::export::BoardExport;
use crate::room::{self, SERVER_OWNER};
use crate::store::{
    BoardRecord, EventBoardRecord, EventRecord, PendingWrite, Store, StoreError, StoredDocument,
};

/// Draws of a join code before creation gives up: codes are short, so a
/// collision happens, but eight in a row means the code space is full.
const JOIN_CODE_ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ConferenceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not find a free join code; try again")]
    NoFreeJoinCode,
    #[error("board {0} exists already")]
    Exists(String),
    #[error("no board {0}")]
    NoSuchBoard(String),
    #[error("cannot read the board document: {0}")]
    Document(String),
    #[error("store writer went away")]
    WriterGone,
}

/// A board to create: what its record holds besides tokens and join code.
#[derive(Debug, Clone)]
pub struct NewBoard {
    pub id: String,
    pub title: String,
    pub district: String,
    pub created_at: i64,
}

/// A board just created, with its tokens: they exist only here, the store
/// keeps their hashes.
#[derive(Debug, Clone)]
pub struct CreatedBoard {
    pub record: BoardRecord,
    pub moderator_token: String,
    pub viewer_token: String,
}

/// The commit of a new board's first update.
#[must_use = "the first update is durable only once `durable` resolves"]
pub struct FirstUpdate(PendingWrite);

impl FirstUpdate {
    /// Waits until the first update is committed.
    pub async fn durable(self) -> Result<(), ConferenceError> {
        self.0.await.map_err(|_| ConferenceError::WriterGone)??;
        Ok(())
    }
}

/// Creates a board with new moderator and viewer tokens and a free join
/// code, as a one-board event of its own (kind `conference`, the board's
/// id and title), and appends its first document update: `first_update`
/// writes it, knowing the record (with its join code), and names the Yjs
/// client id it wrote under (owned by the server). Refuses an id that
/// exists. Blocking.
pub fn create_board(
    store: &dyn Store,
    board: NewBoard,
    first_update: impl FnOnce(&BoardRecord) -> (Vec<u8>, u64),
) -> Result<(CreatedBoard, FirstUpdate), ConferenceError> {
    let created = insert_board(store, board)?;
    let record = &created.record;
    store.create_event(&EventRecord {
        id: record.id.clone(),
        title: record.title.clone(),
        date: None,
        venue: String::new(),
        locale: "de".into(),
        join_code: None,
        organiser_token_hash: None,
        viewer_token_hash: None,
        part: Part::Plenary.id().into(),
        setup: Setup::default().to_json(),
        created_at: record.created_at,
    })?;
    store.add_event_board(&EventBoardRecord {
        event: record.id.clone(),
        board: record.id.clone(),
        kind: Kind::Conference.id().into(),
        position: 0,
        capacity: None,
        location: String::new(),
        description: String::new(),
    })?;
    let (update, client) = first_update(record);
    let pending = store.append_update(&record.id, update, vec![(client, SERVER_OWNER.to_owned())]);
    Ok((created, FirstUpdate(pending)))
}

/// Creates a board of an event: its record and tokens, its place in the
/// event, and its first document update (as [`create_board`]). Blocking.
pub fn create_event_board(
    store: &dyn Store,
    board: NewBoard,
    place: EventBoardRecord,
    first_update: impl FnOnce(&BoardRecord) -> (Vec<u8>, u64),
) -> Result<(CreatedBoard, FirstUpdate), ConferenceError> {
    let created = insert_board(store, board)?;
    let record = &created.record;
    store.add_event_board(&EventBoardRecord {
        board: record.id.clone(),
        ..place
    })?;
    let (update, client) = first_update(record);
    let pending = store.append_update(&record.id, update, vec![(client, SERVER_OWNER.to_owned())]);
    Ok((created, FirstUpdate(pending)))
}

/// Creates an event's record with a free join code (its tokens' hashes are
/// in `event`). Blocking.
pub fn create_event(
    store: &dyn Store,
    mut event: EventRecord,
) -> Result<EventRecord, ConferenceError> {
    for _ in 0..JOIN_CODE_ATTEMPTS {
        let code = auth::new_join_code();
        // Board codes and event codes are read in one place: neither may
        // take the other's.
        if store.board_by_join_code(&code)?.is_some() {
            continue;
        }
        event.join_code = Some(code);
        match store.create_event(&event) {
            Ok(()) => return Ok(event),
            Err(StoreError::Conflict) if store.event(&event.id)?.is_none() => continue,
            Err(StoreError::Conflict) => return Err(ConferenceError::Exists(event.id)),
            Err(error) => return Err(error.into()),
        }
    }
    Err(ConferenceError::NoFreeJoinCode)
}

/// The board's record with new tokens and a free join code.
fn insert_board(store: &dyn Store, board: NewBoard) -> Result<CreatedBoard, ConferenceError> {
    let moderator_token = auth::new_moderator_token();
    let viewer_token = auth::new_viewer_token();
    let mut record = BoardRecord {
        id: board.id,
        title: board.title,
        district: board.district,
        join_code: String::new(),
        moderator_token_hash: auth::hash_token(&moderator_token),
        viewer_token_hash: auth::hash_token(&viewer_token),
        created_at: board.created_at,
    };
    let mut created = false;
    for _ in 0..JOIN_CODE_ATTEMPTS {
        record.join_code = auth::new_join_code();
        if store.event_by_join_code(&record.join_code)?.is_some() {
            continue;
        }
        match store.create_board(&record) {
            Ok(()) => {
                created = true;
                break;
            }
            // Either the id or the join code is taken: only the code can
            // be drawn again.
            Err(StoreError::Conflict) if store.board(&record.id)?.is_none() => continue,
            Err(StoreError::Conflict) => return Err(ConferenceError::Exists(record.id)),
            Err(error) => return Err(error.into()),
        }
    }
    if !created {
        return Err(ConferenceError::NoFreeJoinCode);
    }
    Ok(CreatedBoard {
        record,
        moderator_token,
        viewer_token,
    })
}

/// Gathers a board for export: its record, its document and its
/// participants. `live` is the document of the board's live room, encoded
/// as one update (`Registry::document_state`); without it the document is
/// rebuilt from the store. Blocking.
pub fn load_export(
    store: &dyn Store,
    board: &str,
    live: Option<Vec<u8>>,
) -> Result<BoardExport, ConferenceError> {
    Ok(load_export_without_photos(store, board, live)?.with_photos(shown_photos(store, board)?))
}

/// [`load_export`] without reading the photos (a series' overview and
/// report show none, and would read every board's JPEGs on each refresh).
pub fn load_export_without_photos(
    store: &dyn Store,
    board: &str,
    live: Option<Vec<u8>>,
) -> Result<BoardExport, ConferenceError> {
    let record = store
        .board(board)?
        .ok_or_else(|| ConferenceError::NoSuchBoard(board.to_owned()))?;
    let doc = document(store, board, live)?;
    let participants = store.participants(board)?;
    Ok(BoardExport::new(&record, &doc, &participants))
}

/// The read model of a board: the live room's state if it is open (`live`),
/// else what the store holds.
pub fn load_board(
    store: &dyn Store,
    board: &str,
    live: Option<Vec<u8>>,
) -> Result<crate::board::model::Board, ConferenceError> {
    let doc = document(store, board, live)?;
    let txn = yrs::Transact::transact(&doc);
    Ok(crate::board::model::Board::read(&txn))
}

/// A board's document: the live room's state (`live`), else the store's.
fn document(
    store: &dyn Store,
    board: &str,
    live: Option<Vec<u8>>,
) -> Result<yrs::Doc, ConferenceError> {
    let stored = match live {
        Some(update) => StoredDocument {
            updates: vec![update],
            ..StoredDocument::default()
        },
        None => store.load_document(board)?,
    };
    room::build_document(&stored).map_err(ConferenceError::Document)
}

/// The photos of a board its documentation holds: those shown, never a
/// hidden one or one awaiting approval. Each is the stored JPEG, read
/// once and not decoded (a board has at most `--max-photos-per-board` of
/// about half a megabyte each).
fn shown_photos(
    store: &dyn Store,
    board: &str,
) -> Result<Vec<crate::export::Photo>, ConferenceError> {
    let mut photos = Vec::new();
    for info in store.photos(board)? {
        if info.status != "shown" {
            continue;
        }
        // Deleted meanwhile: not in the documentation.
        let Some((info, jpeg)) = store.photo(board, &info.id, false)? else {
            continue;
        };
        if info.status != "shown" {
            continue;
        }
        photos.push(crate::export::Photo {
            id: info.id,
            author: info.author,
            created_at: info.created_at,
            width: info.width,
            height: info.height,
            jpeg: std::sync::Arc::new(jpeg),
        });
    }
    Ok(photos)
}

/// Whether a participant's photo on `board` waits for the moderator's
/// approval (`meta.photosNeedApproval`), read from the live room's document
/// (`live`, as for [`load_export`]) or else from the store. Blocking.
pub fn photos_need_approval(
    store: &dyn Store,
    board: &str,
    live: Option<Vec<u8>>,
) -> Result<bool, ConferenceError> {
    let stored = match live {
        Some(update) => StoredDocument {
            updates: vec![update],
            ..StoredDocument::default()
        },
        None => store.load_document(board)?,
    };
    let doc = room::build_document(&stored).map_err(ConferenceError::Document)?;
    let txn = yrs::Transact::transact(&doc);
    Ok(crate::board::BoardView::new(&txn).photos_need_approval())
}
