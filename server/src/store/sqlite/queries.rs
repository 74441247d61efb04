//! [`Store`] for SQLite: board and participant records, and reading a
//! board's document (snapshot, log and client ids) in one transaction.
//! Document writes are queued to the writer (`writer`).

use super::SqliteStore;
use super::writer::WriteOp;
use crate::store::columns::{BOARD_COLUMNS, PARTICIPANT_COLUMNS};
use crate::store::{
    BoardLinkRecord, BoardRecord, EventBoardRecord, EventParticipantRecord, EventRecord,
    InvitationRecord, OrganiserRecord, ParticipantRecord, PendingWrite, Retention, SeriesRecord,
    SessionRecord, Store, StoreError, StoredDocument,
};
use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn board_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<BoardRecord> {
    Ok(BoardRecord {
        id: row.get(0)?,
        title: row.get(1)?,
        district: row.get(2)?,
        join_code: row.get(3)?,
        moderator_token_hash: row.get(4)?,
        viewer_token_hash: row.get(5)?,
        created_at: row.get(6)?,
    })
}

fn participant_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ParticipantRecord> {
    Ok(ParticipantRecord {
        board: row.get(0)?,
        id: row.get(1)?,
        token_hash: row.get(2)?,
        name: row.get(3)?,
        organisation: row.get(4)?,
        sector: row.get(5)?,
        email: row.get(6)?,
        phone: row.get(7)?,
        contact_consent: row.get(8)?,
        created_at: row.get(9)?,
        removed: row.get(10)?,
        personal_code: row.get(11)?,
    })
}

/// Maps a violated UNIQUE constraint (a taken join code or id) to
/// [`StoreError::Conflict`], so callers can draw another value.
pub(super) fn unique(result: rusqlite::Result<usize>) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict),
        Err(error) => Err(error.into()),
    }
}

pub(super) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// The day a board is deleted on (`b`: the board, `r`: its retention row,
/// `?2`: the default number of days): the moderator's choice, else that
/// many days after the board's day or, without one, the day it was made.
const DELETE_ON: &str = "coalesce(r.delete_on, date(coalesce(r.date, date(b.created_at, 'unixepoch')), '+' || ?2 || ' days'))";

impl Store for SqliteStore {
    fn create_board(&self, board: &BoardRecord) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "INSERT INTO boards (id, title, district, join_code, moderator_token_hash, viewer_token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    board.id,
                    board.title,
                    board.district,
                    board.join_code,
                    board.moderator_token_hash,
                    board.viewer_token_hash,
                    board.created_at
                ],
            )
        });
        unique(result)
    }

    fn board(&self, id: &str) -> Result<Option<BoardRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = ?1"),
                [id],
                board_from_row,
            )
            .optional()
        })?)
    }

    fn board_by_join_code(&self, join_code: &str) -> Result<Option<BoardRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE join_code = ?1"),
                [join_code],
                board_from_row,
            )
            .optional()
        })?)
    }

    fn add_participant(&self, p: &ParticipantRecord) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "INSERT INTO participants (board, id, token_hash, name, organisation, sector, email, phone, contact_consent, created_at, personal_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    p.board,
                    p.id,
                    p.token_hash,
                    p.name,
                    p.organisation,
                    p.sector,
                    p.email,
                    p.phone,
                    p.contact_consent,
                    p.created_at,
                    p.personal_code
                ],
            )
        });
        unique(result)
    }

    fn participant(&self, board: &str, id: &str) -> Result<Option<ParticipantRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = ?1 AND id = ?2"
                ),
                [board, id],
                participant_from_row,
            )
            .optional()
        })?)
    }

    fn participants(&self, board: &str) -> Result<Vec<ParticipantRecord>, StoreError> {
        Ok(self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = ?1 ORDER BY id"
            ))?
            .query_map([board], participant_from_row)?
            .collect()
        })?)
    }

    fn create_series(&self, series: &SeriesRecord) -> Result<(), StoreError> {
        self.insert_series(series)
    }

    fn series(&self, id: &str) -> Result<Option<SeriesRecord>, StoreError> {
        self.series_by_id(id)
    }

    fn add_series_board(
        &self,
        series: &str,
        board: &str,
        added_at: i64,
    ) -> Result<bool, StoreError> {
        self.insert_series_board(series, board, added_at)
    }

    fn remove_series_board(&self, series: &str, board: &str) -> Result<bool, StoreError> {
        self.delete_series_board(series, board)
    }

    fn series_boards(&self, series: &str) -> Result<Vec<String>, StoreError> {
        self.boards_of_series(series)
    }

    fn series_of(&self, owner: &str) -> Result<Vec<SeriesRecord>, StoreError> {
        self.series_owned_by(owner)
    }

    fn set_series_token_hash(&self, series: &str, hash: &[u8; 32]) -> Result<bool, StoreError> {
        self.update_series_token_hash(series, hash)
    }

    fn set_series_comparison(
        &self,
        series: &str,
        comparison: &str,
        read_version: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.update_series_comparison(series, comparison, read_version)
    }

    fn create_event(&self, event: &EventRecord) -> Result<(), StoreError> {
        self.insert_event(event)
    }

    fn event(&self, id: &str) -> Result<Option<EventRecord>, StoreError> {
        self.event_where("id", id)
    }

    fn event_by_join_code(&self, join_code: &str) -> Result<Option<EventRecord>, StoreError> {
        self.event_where("join_code", join_code)
    }

    fn add_event_board(&self, board: &EventBoardRecord) -> Result<(), StoreError> {
        self.insert_event_board(board)
    }

    fn event_boards(&self, event: &str) -> Result<Vec<EventBoardRecord>, StoreError> {
        self.boards_of_event(event)
    }

    fn event_board(&self, board: &str) -> Result<Option<EventBoardRecord>, StoreError> {
        self.event_board_of(board)
    }

    fn set_event_part(&self, event: &str, part: &str) -> Result<bool, StoreError> {
        self.update_event(event, "part", &part)
    }

    fn set_event_setup(&self, event: &str, setup: &str) -> Result<bool, StoreError> {
        self.update_event(event, "setup", &setup)
    }

    fn set_event_organiser_token_hash(
        &self,
        event: &str,
        hash: &[u8; 32],
    ) -> Result<bool, StoreError> {
        self.update_event(event, "organiser_token_hash", hash)
    }

    fn set_event_owner(&self, event: &str, organiser: &str) -> Result<(), StoreError> {
        self.insert_event_owner(event, organiser)
    }

    fn events_of(&self, organiser: &str) -> Result<Vec<EventRecord>, StoreError> {
        self.owned_events(organiser)
    }

    fn event_owner(&self, event: &str) -> Result<Option<String>, StoreError> {
        self.owner_of_event(event)
    }

    fn add_event_participant(
        &self,
        participant: &EventParticipantRecord,
    ) -> Result<(), StoreError> {
        self.insert_event_participant(participant)
    }

    fn event_participant(
        &self,
        event: &str,
        id: &str,
    ) -> Result<Option<EventParticipantRecord>, StoreError> {
        self.event_participant_of(event, id)
    }

    fn event_participants(&self, event: &str) -> Result<Vec<EventParticipantRecord>, StoreError> {
        self.participants_of_event(event)
    }

    fn set_event_workshop(
        &self,
        event: &str,
        id: &str,
        workshop: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.update_workshop(event, id, workshop, capacity)
    }

    fn set_event_group(
        &self,
        event: &str,
        id: &str,
        group: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.update_group(event, id, group)
    }

    fn admit_participant(&self, participant: &ParticipantRecord) -> Result<(), StoreError> {
        self.upsert_participant(participant)
    }

    fn add_photo(
        &self,
        photo: &crate::store::PhotoRecord,
        max_per_board: u64,
        max_storage_bytes: u64,
    ) -> Result<crate::store::PhotoAdmission, StoreError> {
        self.insert_photo(photo, max_per_board, max_storage_bytes)
    }

    fn photos(&self, board: &str) -> Result<Vec<crate::store::PhotoInfo>, StoreError> {
        self.photos_of(board)
    }

    fn photo(
        &self,
        board: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<(crate::store::PhotoInfo, Vec<u8>)>, StoreError> {
        self.photo_of(board, id, thumbnail)
    }

    fn set_photo_status(&self, board: &str, id: &str, status: &str) -> Result<bool, StoreError> {
        self.update_photo_status(board, id, status)
    }

    fn delete_photo(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        self.remove_photo(board, id)
    }

    fn load_document(&self, board: &str) -> Result<StoredDocument, StoreError> {
        Ok(self.read(|c| {
            // One read transaction: a compaction committing between the two
            // queries would otherwise hide updates from both.
            let transaction = c.unchecked_transaction()?;
            let c = &*transaction;
            let snapshot: Option<(i64, Vec<u8>)> = c
                .query_row(
                    "SELECT through_sequence, data FROM snapshots WHERE board = ?1",
                    [board],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let through = snapshot.as_ref().map_or(0, |(sequence, _)| *sequence);
            let mut statement =
                c.prepare_cached("SELECT sequence, data FROM updates WHERE board = ?1 AND sequence > ?2 ORDER BY sequence")?;
            let mut document = StoredDocument {
                last_sequence: through as u64,
                ..StoredDocument::default()
            };
            let rows = statement.query_map(params![board, through], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (sequence, data) = row?;
                document.last_sequence = sequence as u64;
                document.bytes += data.len() as u64;
                document.updates.push(data);
            }
            if let Some((_, data)) = snapshot {
                document.bytes += data.len() as u64;
                document.snapshot = Some(data);
            }
            let mut owners = c.prepare_cached("SELECT client_id, owner FROM client_ids WHERE board = ?1")?;
            document.client_owners = owners
                .query_map([board], |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(document)
        })?)
    }

    fn append_updates(
        &self,
        board: &str,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
    ) -> PendingWrite {
        WriteOp::append(board, updates, new_clients, |op| self.submit(op))
    }

    fn add_organiser(&self, organiser: &OrganiserRecord) -> Result<(), StoreError> {
        self.insert_organiser(organiser)
    }

    fn organiser(&self, id: &str) -> Result<Option<OrganiserRecord>, StoreError> {
        self.organiser_where("id", id)
    }

    fn organiser_by_email(&self, email: &str) -> Result<Option<OrganiserRecord>, StoreError> {
        self.organiser_where("email", email)
    }

    fn add_invitation(&self, invitation: &InvitationRecord) -> Result<(), StoreError> {
        self.insert_invitation(invitation)
    }

    fn take_invitation(
        &self,
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        self.remove_invitation(token_hash, now)
    }

    fn add_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        self.insert_session(session)
    }

    fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        self.session_of(token_hash)
    }

    fn remove_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        self.delete_session(token_hash, now)
    }

    fn set_board_owner(&self, board: &str, organiser: &str) -> Result<(), StoreError> {
        self.insert_board_owner(board, organiser)
    }

    fn boards_of(&self, organiser: &str) -> Result<Vec<BoardRecord>, StoreError> {
        self.owned_boards(organiser)
    }

    fn board_owner(&self, board: &str) -> Result<Option<String>, StoreError> {
        self.owner_of(board)
    }

    fn add_board_link(&self, link: &BoardLinkRecord) -> Result<(), StoreError> {
        self.insert_board_link(link)
    }

    fn board_links(&self, board: &str) -> Result<Vec<BoardLinkRecord>, StoreError> {
        self.links_of(board)
    }

    fn board_link_by_token(
        &self,
        board: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<BoardLinkRecord>, StoreError> {
        self.link_by_token(board, token_hash)
    }

    fn revoke_board_link(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        self.revoke_link(board, id)
    }

    fn participant_by_personal_code(
        &self,
        board: &str,
        code: &str,
    ) -> Result<Option<ParticipantRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = ?1 AND personal_code = ?2"
                ),
                params![board, code],
                participant_from_row,
            )
            .optional()
        })?)
    }

    fn claim_registration(
        &self,
        board: &str,
        id: &str,
        token_hash: &[u8; 32],
        contact_consent: bool,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE participants SET token_hash = ?3, contact_consent = ?4
                 WHERE board = ?1 AND id = ?2 AND personal_code IS NOT NULL AND removed = 0",
                params![board, id, token_hash, contact_consent],
            )
        })?;
        Ok(changed > 0)
    }

    fn remove_participant(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.read(|c| {
            c.execute(
                "UPDATE participants SET removed = 1 WHERE board = ?1 AND id = ?2",
                [board, id],
            )
            .map(|changed| changed > 0)
        })?)
    }

    fn erase_contact(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<bool, StoreError> {
        Ok(self.read(|c| {
            let tx = c.unchecked_transaction()?;
            let mut changed = 0;
            for board in boards {
                changed += tx.execute(
                    "UPDATE participants SET email = NULL, phone = NULL, contact_consent = 0
                     WHERE board = ?1 AND id = ?2",
                    [board, id],
                )?;
            }
            if let Some(event) = event {
                changed += tx.execute(
                    "UPDATE event_participants SET email = NULL, phone = NULL, contact_consent = 0
                     WHERE event = ?1 AND id = ?2",
                    [event, id],
                )?;
            }
            tx.commit()?;
            rewrite_files(c)?;
            Ok(changed > 0)
        })?)
    }

    fn set_board_date(&self, board: &str, date: &str) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "INSERT INTO board_retention (board, date) VALUES (?1, ?2)
                 ON CONFLICT (board) DO UPDATE SET date = excluded.date",
                [board, date],
            )
        })?;
        Ok(())
    }

    fn set_delete_on(&self, board: &str, delete_on: Option<&str>) -> Result<bool, StoreError> {
        Ok(self.read(|c| {
            let exists: bool = c.query_row(
                "SELECT count(*) > 0 FROM boards WHERE id = ?1",
                [board],
                |row| row.get(0),
            )?;
            if exists {
                c.execute(
                    "INSERT INTO board_retention (board, delete_on) VALUES (?1, ?2)
                     ON CONFLICT (board) DO UPDATE SET delete_on = excluded.delete_on",
                    params![board, delete_on],
                )?;
            }
            Ok(exists)
        })?)
    }

    fn retention(&self, board: &str, retention_days: u32) -> Result<Option<Retention>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT r.date, {DELETE_ON}, r.delete_on IS NOT NULL
                     FROM boards AS b LEFT JOIN board_retention AS r ON r.board = b.id
                     WHERE b.id = ?1"
                ),
                params![board, retention_days],
                |row| {
                    Ok(Retention {
                        date: row.get(0)?,
                        delete_on: row.get(1)?,
                        chosen: row.get(2)?,
                    })
                },
            )
            .optional()
        })?)
    }

    fn boards_due(&self, retention_days: u32) -> Result<Vec<String>, StoreError> {
        Ok(self.read(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT b.id FROM boards AS b LEFT JOIN board_retention AS r ON r.board = b.id
                 WHERE {DELETE_ON} < date('now') ORDER BY b.id"
            ))?;
            let rows = statement
                .query_map(params![Option::<String>::None, retention_days], |row| {
                    row.get(0)
                })?;
            rows.collect()
        })?)
    }

    fn delete_board(&self, board: &str) -> Result<bool, StoreError> {
        Ok(self.read(|c| {
            let tx = c.unchecked_transaction()?;
            // Its event, when the board was an event of its own.
            let own_event: Option<String> = tx
                .query_row(
                    "SELECT event FROM event_boards WHERE board = ?1
                     AND (SELECT COUNT(*) FROM event_boards AS other WHERE other.event = event_boards.event) = 1",
                    [board],
                    |row| row.get(0),
                )
                .optional()?;
            for table in ["updates", "snapshots", "client_ids"] {
                tx.execute(&format!("DELETE FROM {table} WHERE board = ?1"), [board])?;
            }
            // Participants, links, owner, photos and the event's entry go by
            // ON DELETE CASCADE.
            let existed = tx.execute("DELETE FROM boards WHERE id = ?1", [board])? > 0;
            if let Some(event) = own_event {
                tx.execute("DELETE FROM events WHERE id = ?1", [event])?;
            }
            tx.commit()?;
            rewrite_files(c)?;
            Ok(existed)
        })?)
    }

    fn erase_participant(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<(), StoreError> {
        Ok(self.read(|c| {
            let tx = c.unchecked_transaction()?;
            for board in boards {
                tx.execute(
                    "DELETE FROM participants WHERE board = ?1 AND id = ?2",
                    [board, id],
                )?;
                tx.execute(
                    "DELETE FROM photos WHERE board = ?1 AND author = ?2",
                    [board, id],
                )?;
            }
            if let Some(event) = event {
                tx.execute(
                    "DELETE FROM event_participants WHERE event = ?1 AND id = ?2",
                    [event, id],
                )?;
            }
            tx.commit()?;
            rewrite_files(c)
        })?)
    }

    fn set_join_code(&self, board: &str, join_code: &str) -> Result<(), StoreError> {
        let result = self.read(|c| {
            c.execute(
                "UPDATE boards SET join_code = ?2 WHERE id = ?1",
                [board, join_code],
            )
        });
        unique(result)
    }

    fn set_viewer_token_hash(&self, board: &str, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "UPDATE boards SET viewer_token_hash = ?2 WHERE id = ?1",
                params![board, hash],
            )
        })?;
        Ok(())
    }

    fn compact(&self, board: &str, snapshot: Vec<u8>, through_sequence: u64) -> PendingWrite {
        WriteOp::compact(board, snapshot, through_sequence, |op| self.submit(op))
    }
}

/// After something was erased: no file keeps a copy. secure_delete zeroed
/// the deleted rows in the pages; the checkpoint empties the write-ahead
/// log of their earlier copies (TRUNCATE: the file is cut to nothing),
/// VACUUM rewrites the database without the freed pages, and a second
/// checkpoint empties the log VACUUM wrote through. The `-shm` file holds
/// only the log's index, never content.
fn rewrite_files(c: &Connection) -> rusqlite::Result<()> {
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    c.execute_batch("VACUUM")?;
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
