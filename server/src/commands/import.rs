//! `kartenwand import`: a board restored from a JSON export, with new
//! tokens and a new join code, and its photos.

use super::{CommandError, open};
use crate::auth;
use crate::board::{self, valid_id};
use crate::conference::{self, NewBoard};
use crate::config::ImportConfig;
use crate::export;
use crate::store::{ParticipantRecord, PhotoAdmission, PhotoInfo, PhotoRecord};
use yrs::{Map, ReadTxn, StateVector, Transact};

/// What `kartenwand import` prints once: the tokens are stored hashed only.
#[derive(Debug, Clone)]
pub struct ImportedBoard {
    pub board: String,
    pub moderator_token: String,
    pub viewer_token: String,
    pub join_code: String,
}

/// Restores a board from a JSON export with new tokens and a new join
/// code. Refuses a board id that exists.
pub async fn import_board(config: &ImportConfig) -> Result<ImportedBoard, CommandError> {
    let bytes = std::fs::read(&config.file).map_err(|source| CommandError::Read {
        path: config.file.clone(),
        source,
    })?;
    let file = export::json::parse(&bytes)?;
    let id = &file.board.id;
    if !valid_id(id) {
        return Err(CommandError::InvalidId(id.clone()));
    }
    // Photos as the file holds them when they are JPEGs as the server
    // stores them, else taken in as an upload is (`photo::restore`): no
    // file brings metadata into the store. All are checked before the
    // board is made, so a bad one leaves no half board behind. The limits
    // of `serve` are not known here: an import takes every photo of its
    // board.
    let mut photos = Vec::with_capacity(file.photos.len());
    for entry in &file.photos {
        if !valid_id(&entry.id) {
            return Err(CommandError::InvalidId(entry.id.clone()));
        }
        let processed = crate::photo::restore(&entry.jpeg)
            .map_err(|error| CommandError::Invalid(format!("photo {}: {error}", entry.id)))?;
        photos.push(PhotoRecord {
            info: PhotoInfo {
                board: id.clone(),
                id: entry.id.clone(),
                author: entry.author.clone().unwrap_or_default(),
                created_at: entry.created_at,
                width: processed.width,
                height: processed.height,
                status: "shown".to_owned(),
                bytes: (processed.jpeg.len() + processed.thumbnail.len()) as u64,
            },
            jpeg: processed.jpeg,
            thumbnail: processed.thumbnail,
        });
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| CommandError::DataDirectory {
        path: config.data_dir.clone(),
        source,
    })?;
    let backend = open(&config.store())?;
    let store = backend.store();

    let doc = file.document.restore();
    let (created, first_update) = conference::create_board(
        &*store,
        NewBoard {
            id: id.clone(),
            title: file.board.title.clone(),
            district: file.board.district.clone(),
            created_at: file.board.created_at,
        },
        |record| {
            let meta = doc.get_or_insert_map(board::META);
            {
                let mut txn = doc.transact_mut();
                meta.insert(&mut txn, "joinCode", record.join_code.as_str());
            }
            let update = doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            (update, doc.client_id().get())
        },
    )?;
    first_update.durable().await?;

    // Contacts keep their data; their tokens are new and never shown, so
    // nobody can sign in as them.
    for contact in &file.contacts {
        store.add_participant(&ParticipantRecord {
            board: id.clone(),
            id: contact.participant.clone(),
            token_hash: auth::hash_token(&auth::new_participant_token(&contact.participant)),
            name: contact.name.clone(),
            organisation: contact.organisation.clone(),
            sector: contact.sector.clone(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            contact_consent: true,
            created_at: file.board.created_at,
            removed: false,
            personal_code: None,
        })?;
    }
    for photo in &photos {
        match store.add_photo(photo, u64::MAX, u64::MAX)? {
            PhotoAdmission::Stored => {}
            PhotoAdmission::BoardFull | PhotoAdmission::StorageFull => {
                return Err(CommandError::Invalid(format!(
                    "photo {} could not be stored",
                    photo.info.id
                )));
            }
        }
    }
    drop(store);
    backend.close();
    Ok(ImportedBoard {
        board: created.record.id,
        moderator_token: created.moderator_token,
        viewer_token: created.viewer_token,
        join_code: created.record.join_code,
    })
}
