//! `kartenwand import`: a board restored from a JSON export, with new
//! tokens and a new join code.

use super::{CommandError, open};
use crate::auth;
use crate::board::{self, valid_id};
use crate::conference::{self, NewBoard};
use crate::config::ImportConfig;
use crate::export;
use crate::store::ParticipantRecord;
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
    drop(store);
    backend.close();
    Ok(ImportedBoard {
        board: created.record.id,
        moderator_token: created.moderator_token,
        viewer_token: created.viewer_token,
        join_code: created.record.join_code,
    })
}
