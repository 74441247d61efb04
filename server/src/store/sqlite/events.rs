//! Events in SQLite: the event records, their boards, their participants
//! and who owns them. [`crate::store::Store`]'s methods for them
//! (`queries.rs`) call these.

use super::SqliteStore;
use super::queries::{is_unique_violation, unique};
use crate::store::columns::{
    EVENT_BOARD_COLUMNS, EVENT_COLUMNS, EVENT_PARTICIPANT_COLUMNS, PHOTO_COLUMNS, qualified,
};
use crate::store::{EventBoardRecord, EventParticipantRecord, EventRecord, StoreError};
use rusqlite::{OptionalExtension, params};

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: row.get(0)?,
        title: row.get(1)?,
        date: row.get(2)?,
        venue: row.get(3)?,
        locale: row.get(4)?,
        join_code: row.get(5)?,
        organiser_token_hash: row.get(6)?,
        viewer_token_hash: row.get(7)?,
        part: row.get(8)?,
        setup: row.get(9)?,
        created_at: row.get(10)?,
    })
}

fn event_board_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventBoardRecord> {
    Ok(EventBoardRecord {
        event: row.get(0)?,
        board: row.get(1)?,
        kind: row.get(2)?,
        position: row.get(3)?,
        capacity: row.get(4)?,
        location: row.get(5)?,
        description: row.get(6)?,
    })
}

fn event_participant_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventParticipantRecord> {
    Ok(EventParticipantRecord {
        event: row.get(0)?,
        id: row.get(1)?,
        token_hash: row.get(2)?,
        name: row.get(3)?,
        organisation: row.get(4)?,
        sector: row.get(5)?,
        attributes: row.get(6)?,
        email: row.get(7)?,
        phone: row.get(8)?,
        contact_consent: row.get(9)?,
        created_at: row.get(10)?,
        removed: row.get(11)?,
        workshop: row.get(12)?,
        group: row.get(13)?,
    })
}

impl SqliteStore {
    pub(super) fn insert_event(&self, e: &EventRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                &format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    e.id,
                    e.title,
                    e.date,
                    e.venue,
                    e.locale,
                    e.join_code,
                    e.organiser_token_hash,
                    e.viewer_token_hash,
                    e.part,
                    e.setup,
                    e.created_at
                ],
            )
        }))
    }

    pub(super) fn event_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<EventRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {EVENT_COLUMNS} FROM events WHERE {column} = ?1"),
                [value],
                event_from_row,
            )
            .optional()
        })?)
    }

    /// Sets one column of an event; false if there is no such event.
    pub(super) fn update_event(
        &self,
        event: &str,
        column: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                &format!("UPDATE events SET {column} = ?2 WHERE id = ?1"),
                params![event, value],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn insert_event_board(&self, b: &EventBoardRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                &format!(
                    "INSERT INTO event_boards ({EVENT_BOARD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ),
                params![
                    b.event,
                    b.board,
                    b.kind,
                    b.position,
                    b.capacity,
                    b.location,
                    b.description
                ],
            )
        }))
    }

    pub(super) fn boards_of_event(&self, event: &str) -> Result<Vec<EventBoardRecord>, StoreError> {
        Ok(self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {EVENT_BOARD_COLUMNS} FROM event_boards WHERE event = ?1 ORDER BY position, board"
            ))?
            .query_map([event], event_board_from_row)?
            .collect()
        })?)
    }

    pub(super) fn event_board_of(
        &self,
        board: &str,
    ) -> Result<Option<EventBoardRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {EVENT_BOARD_COLUMNS} FROM event_boards WHERE board = ?1"),
                [board],
                event_board_from_row,
            )
            .optional()
        })?)
    }

    pub(super) fn insert_event_owner(
        &self,
        event: &str,
        organiser: &str,
    ) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO event_owners (event, organiser) VALUES (?1, ?2)",
                params![event, organiser],
            )
        }))
    }

    pub(super) fn owned_events(&self, organiser: &str) -> Result<Vec<EventRecord>, StoreError> {
        Ok(self.read(|c| {
            let columns = qualified("e", EVENT_COLUMNS);
            c.prepare(&format!(
                "SELECT {columns} FROM events e JOIN event_owners o ON o.event = e.id
                 WHERE o.organiser = ?1 ORDER BY e.created_at DESC, e.id"
            ))?
            .query_map([organiser], event_from_row)?
            .collect()
        })?)
    }

    pub(super) fn owner_of_event(&self, event: &str) -> Result<Option<String>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                "SELECT organiser FROM event_owners WHERE event = ?1",
                [event],
                |row| row.get(0),
            )
            .optional()
        })?)
    }

    pub(super) fn insert_event_participant(
        &self,
        p: &EventParticipantRecord,
    ) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                &format!(
                    "INSERT INTO event_participants ({EVENT_PARTICIPANT_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                ),
                params![
                    p.event,
                    p.id,
                    p.token_hash,
                    p.name,
                    p.organisation,
                    p.sector,
                    p.attributes,
                    p.email,
                    p.phone,
                    p.contact_consent,
                    p.created_at,
                    p.removed,
                    p.workshop,
                    p.group
                ],
            )
        }))
    }

    pub(super) fn event_participant_of(
        &self,
        event: &str,
        id: &str,
    ) -> Result<Option<EventParticipantRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {EVENT_PARTICIPANT_COLUMNS} FROM event_participants WHERE event = ?1 AND id = ?2"
                ),
                [event, id],
                event_participant_from_row,
            )
            .optional()
        })?)
    }

    pub(super) fn participants_of_event(
        &self,
        event: &str,
    ) -> Result<Vec<EventParticipantRecord>, StoreError> {
        Ok(self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {EVENT_PARTICIPANT_COLUMNS} FROM event_participants WHERE event = ?1
                 ORDER BY created_at, rowid"
            ))?
            .query_map([event], event_participant_from_row)?
            .collect()
        })?)
    }

    pub(super) fn update_workshop(
        &self,
        event: &str,
        id: &str,
        workshop: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            // One statement: the count and the change cannot be split by
            // another phone taking the last place.
            c.execute(
                "UPDATE event_participants SET workshop = ?3
                 WHERE event = ?1 AND id = ?2 AND (
                     ?3 IS NULL OR ?4 IS NULL OR (
                         SELECT count(*) FROM event_participants
                         WHERE event = ?1 AND workshop = ?3 AND removed = 0 AND id <> ?2
                     ) < ?4)",
                params![event, id, workshop, capacity],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn update_group(
        &self,
        event: &str,
        id: &str,
        group: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE event_participants SET reflection_group = ?3 WHERE event = ?1 AND id = ?2",
                params![event, id, group],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn upsert_participant(
        &self,
        p: &crate::store::ParticipantRecord,
    ) -> Result<(), StoreError> {
        use crate::store::Store;
        match self.add_participant(p) {
            // Admitted before, then moved away: live again, with this token.
            Err(StoreError::Conflict) => {
                self.read(|c| {
                    c.execute(
                        "UPDATE participants SET token_hash = ?3, removed = 0 WHERE board = ?1 AND id = ?2",
                        params![p.board, p.id, p.token_hash],
                    )
                })?;
                Ok(())
            }
            other => other,
        }
    }
}

fn photo_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<crate::store::PhotoInfo> {
    Ok(crate::store::PhotoInfo {
        board: row.get(0)?,
        id: row.get(1)?,
        author: row.get(2)?,
        created_at: row.get(3)?,
        width: row.get(4)?,
        height: row.get(5)?,
        status: row.get(6)?,
        bytes: u64::try_from(row.get::<_, i64>(7)?).unwrap_or(0),
    })
}

impl SqliteStore {
    pub(super) fn insert_photo(
        &self,
        photo: &crate::store::PhotoRecord,
        max_per_board: u64,
        max_storage_bytes: u64,
    ) -> Result<crate::store::PhotoAdmission, StoreError> {
        use crate::store::PhotoAdmission;
        let p = &photo.info;
        let result = self.read(|c| {
            // One transaction: the counts and the insert are one step.
            let transaction = c.unchecked_transaction()?;
            let on_board: i64 = transaction.query_row(
                "SELECT count(*) FROM photos WHERE board = ?1",
                [&p.board],
                |row| row.get(0),
            )?;
            if u64::try_from(on_board).unwrap_or(0) >= max_per_board {
                return Ok(PhotoAdmission::BoardFull);
            }
            let stored: i64 =
                transaction.query_row("SELECT coalesce(sum(bytes), 0) FROM photos", [], |row| {
                    row.get(0)
                })?;
            let stored = u64::try_from(stored).unwrap_or(0);
            if stored.saturating_add(p.bytes) > max_storage_bytes {
                return Ok(PhotoAdmission::StorageFull);
            }
            transaction.execute(
                &format!(
                    "INSERT INTO photos ({PHOTO_COLUMNS}, jpeg, thumbnail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    p.board,
                    p.id,
                    p.author,
                    p.created_at,
                    p.width,
                    p.height,
                    p.status,
                    i64::try_from(p.bytes).unwrap_or(i64::MAX),
                    photo.jpeg,
                    photo.thumbnail
                ],
            )?;
            transaction.commit()?;
            Ok(PhotoAdmission::Stored)
        });
        match result {
            Ok(admission) => Ok(admission),
            Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict),
            Err(error) => Err(error.into()),
        }
    }

    pub(super) fn photos_of(
        &self,
        board: &str,
    ) -> Result<Vec<crate::store::PhotoInfo>, StoreError> {
        Ok(self.read(|c| {
            c.prepare(&format!(
                "SELECT {PHOTO_COLUMNS} FROM photos WHERE board = ?1 ORDER BY created_at, rowid"
            ))?
            .query_map([board], photo_from_row)?
            .collect()
        })?)
    }

    pub(super) fn photo_of(
        &self,
        board: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<(crate::store::PhotoInfo, Vec<u8>)>, StoreError> {
        let column = if thumbnail { "thumbnail" } else { "jpeg" };
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {PHOTO_COLUMNS}, {column} FROM photos WHERE board = ?1 AND id = ?2"
                ),
                [board, id],
                |row| Ok((photo_from_row(row)?, row.get(8)?)),
            )
            .optional()
        })?)
    }

    pub(super) fn update_photo_status(
        &self,
        board: &str,
        id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE photos SET status = ?3 WHERE board = ?1 AND id = ?2",
                params![board, id, status],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn remove_photo(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "DELETE FROM photos WHERE board = ?1 AND id = ?2",
                params![board, id],
            )
        })?;
        Ok(changed > 0)
    }
}
