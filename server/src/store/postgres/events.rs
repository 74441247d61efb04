//! Events and photos in PostgreSQL: the event records, their boards, their
//! participants and who owns them, and the boards' photos.
//! [`crate::store::Store`]'s methods for them (`queries.rs`) call these.

use super::{PostgresStore, hash, optional_hash, unexpected};
use crate::store::columns::{
    EVENT_BOARD_COLUMNS, EVENT_COLUMNS, EVENT_PARTICIPANT_COLUMNS, PHOTO_COLUMNS, qualified,
};
use crate::store::{
    EventBoardRecord, EventParticipantRecord, EventRecord, PhotoAdmission, PhotoInfo, PhotoRecord,
    StoreError,
};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

fn event_from_row(row: &Row) -> Result<EventRecord, StoreError> {
    Ok(EventRecord {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        date: row.try_get(2)?,
        venue: row.try_get(3)?,
        locale: row.try_get(4)?,
        join_code: row.try_get(5)?,
        organiser_token_hash: optional_hash(row, 6)?,
        viewer_token_hash: optional_hash(row, 7)?,
        part: row.try_get(8)?,
        setup: row.try_get(9)?,
        created_at: row.try_get(10)?,
    })
}

fn event_board_from_row(row: &Row) -> Result<EventBoardRecord, StoreError> {
    Ok(EventBoardRecord {
        event: row.try_get(0)?,
        board: row.try_get(1)?,
        kind: row.try_get(2)?,
        position: row.try_get(3)?,
        capacity: row.try_get(4)?,
        location: row.try_get(5)?,
        description: row.try_get(6)?,
    })
}

fn event_participant_from_row(row: &Row) -> Result<EventParticipantRecord, StoreError> {
    Ok(EventParticipantRecord {
        event: row.try_get(0)?,
        id: row.try_get(1)?,
        token_hash: hash(row, 2)?,
        name: row.try_get(3)?,
        organisation: row.try_get(4)?,
        sector: row.try_get(5)?,
        attributes: row.try_get(6)?,
        email: row.try_get(7)?,
        phone: row.try_get(8)?,
        contact_consent: row.try_get(9)?,
        created_at: row.try_get(10)?,
        removed: row.try_get(11)?,
        workshop: row.try_get(12)?,
        group: row.try_get(13)?,
    })
}

impl PostgresStore {
    pub(super) fn insert_event(&self, e: &EventRecord) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ),
            &[
                &e.id,
                &e.title,
                &e.date,
                &e.venue,
                &e.locale,
                &e.join_code,
                &e.organiser_token_hash.as_ref().map(|hash| hash.as_slice()),
                &e.viewer_token_hash.as_ref().map(|hash| hash.as_slice()),
                &e.part,
                &e.setup,
                &e.created_at,
            ],
        )?;
        Ok(())
    }

    pub(super) fn event_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<EventRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE {column} = $1"),
            &[&value],
            event_from_row,
        )
    }

    /// Sets one column of an event; false if there is no such event.
    pub(super) fn update_event(
        &self,
        event: &str,
        column: &str,
        value: &(dyn ToSql + Sync),
    ) -> Result<bool, StoreError> {
        let changed = self.execute(
            &format!("UPDATE events SET {column} = $2 WHERE id = $1"),
            &[&event, value],
        )?;
        Ok(changed > 0)
    }

    pub(super) fn insert_event_board(&self, b: &EventBoardRecord) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO event_boards ({EVENT_BOARD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                &b.event,
                &b.board,
                &b.kind,
                &b.position,
                &b.capacity,
                &b.location,
                &b.description,
            ],
        )?;
        Ok(())
    }

    pub(super) fn boards_of_event(&self, event: &str) -> Result<Vec<EventBoardRecord>, StoreError> {
        self.query(
            &format!(
                "SELECT {EVENT_BOARD_COLUMNS} FROM event_boards WHERE event = $1 ORDER BY position, board"
            ),
            &[&event],
            event_board_from_row,
        )
    }

    pub(super) fn event_board_of(
        &self,
        board: &str,
    ) -> Result<Option<EventBoardRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {EVENT_BOARD_COLUMNS} FROM event_boards WHERE board = $1"),
            &[&board],
            event_board_from_row,
        )
    }

    pub(super) fn insert_event_owner(
        &self,
        event: &str,
        organiser: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO event_owners (event, organiser) VALUES ($1, $2)",
            &[&event, &organiser],
        )?;
        Ok(())
    }

    pub(super) fn owned_events(&self, organiser: &str) -> Result<Vec<EventRecord>, StoreError> {
        let columns = qualified("e", EVENT_COLUMNS);
        self.query(
            &format!(
                "SELECT {columns} FROM events e JOIN event_owners o ON o.event = e.id
                 WHERE o.organiser = $1 ORDER BY e.created_at DESC, e.id"
            ),
            &[&organiser],
            event_from_row,
        )
    }

    pub(super) fn owner_of_event(&self, event: &str) -> Result<Option<String>, StoreError> {
        self.query_opt(
            "SELECT organiser FROM event_owners WHERE event = $1",
            &[&event],
            |row| Ok(row.try_get(0)?),
        )
    }

    pub(super) fn insert_event_participant(
        &self,
        p: &EventParticipantRecord,
    ) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO event_participants ({EVENT_PARTICIPANT_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                &p.event,
                &p.id,
                &p.token_hash.as_slice(),
                &p.name,
                &p.organisation,
                &p.sector,
                &p.attributes,
                &p.email,
                &p.phone,
                &p.contact_consent,
                &p.created_at,
                &p.removed,
                &p.workshop,
                &p.group,
            ],
        )?;
        Ok(())
    }

    pub(super) fn event_participant_of(
        &self,
        event: &str,
        id: &str,
    ) -> Result<Option<EventParticipantRecord>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {EVENT_PARTICIPANT_COLUMNS} FROM event_participants WHERE event = $1 AND id = $2"
            ),
            &[&event, &id],
            event_participant_from_row,
        )
    }

    pub(super) fn participants_of_event(
        &self,
        event: &str,
    ) -> Result<Vec<EventParticipantRecord>, StoreError> {
        self.query(
            &format!(
                "SELECT {EVENT_PARTICIPANT_COLUMNS} FROM event_participants WHERE event = $1
                 ORDER BY created_at, inserted"
            ),
            &[&event],
            event_participant_from_row,
        )
    }

    pub(super) fn update_workshop(
        &self,
        event: &str,
        id: &str,
        workshop: Option<&str>,
        capacity: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.run(async |c| {
            // The count and the change in one transaction that first locks
            // the event's row: two phones taking the last place of a
            // workshop take turns (READ COMMITTED alone would let both
            // count the same free place).
            let transaction = c.transaction().await?;
            transaction
                .execute("SELECT 1 FROM events WHERE id = $1 FOR UPDATE", &[&event])
                .await?;
            let changed = transaction
                .execute(
                    "UPDATE event_participants SET workshop = $3
                     WHERE event = $1 AND id = $2 AND (
                         $3::text IS NULL OR $4::bigint IS NULL OR (
                             SELECT count(*) FROM event_participants
                             WHERE event = $1 AND workshop = $3 AND NOT removed AND id <> $2
                         ) < $4)",
                    &[&event, &id, &workshop, &capacity],
                )
                .await?;
            transaction.commit().await?;
            Ok(changed > 0)
        })
    }
}

fn photo_from_row(row: &Row) -> Result<PhotoInfo, StoreError> {
    let size = |index: usize| -> Result<i64, StoreError> { Ok(row.try_get(index)?) };
    Ok(PhotoInfo {
        board: row.try_get(0)?,
        id: row.try_get(1)?,
        author: row.try_get(2)?,
        created_at: row.try_get(3)?,
        width: u32::try_from(size(4)?).map_err(|_| unexpected("a photo's width"))?,
        height: u32::try_from(size(5)?).map_err(|_| unexpected("a photo's height"))?,
        status: row.try_get(6)?,
        bytes: u64::try_from(size(7)?).unwrap_or(0),
    })
}

impl PostgresStore {
    pub(super) fn insert_photo(
        &self,
        photo: &PhotoRecord,
        max_per_board: u64,
        max_storage_bytes: u64,
    ) -> Result<PhotoAdmission, StoreError> {
        let p = &photo.info;
        self.run(async |c| {
            // One transaction that first locks out every other writer of
            // photos (readers go on): the counts and the insert are one
            // step, also for two uploads at once.
            let transaction = c.transaction().await?;
            transaction
                .batch_execute("LOCK TABLE photos IN SHARE ROW EXCLUSIVE MODE")
                .await?;
            let on_board: i64 = transaction
                .query_one("SELECT count(*) FROM photos WHERE board = $1", &[&p.board])
                .await?
                .try_get(0)?;
            if u64::try_from(on_board).unwrap_or(0) >= max_per_board {
                return Ok(PhotoAdmission::BoardFull);
            }
            let stored: i64 = transaction
                .query_one("SELECT coalesce(sum(bytes), 0)::bigint FROM photos", &[])
                .await?
                .try_get(0)?;
            if u64::try_from(stored).unwrap_or(0).saturating_add(p.bytes) > max_storage_bytes {
                return Ok(PhotoAdmission::StorageFull);
            }
            transaction
                .execute(
                    &format!(
                        "INSERT INTO photos ({PHOTO_COLUMNS}, jpeg, thumbnail)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    ),
                    &[
                        &p.board,
                        &p.id,
                        &p.author,
                        &p.created_at,
                        &i64::from(p.width),
                        &i64::from(p.height),
                        &p.status,
                        &i64::try_from(p.bytes).unwrap_or(i64::MAX),
                        &photo.jpeg,
                        &photo.thumbnail,
                    ],
                )
                .await?;
            transaction.commit().await?;
            Ok(PhotoAdmission::Stored)
        })
    }

    pub(super) fn photos_of(&self, board: &str) -> Result<Vec<PhotoInfo>, StoreError> {
        self.query(
            &format!(
                "SELECT {PHOTO_COLUMNS} FROM photos WHERE board = $1 ORDER BY created_at, inserted"
            ),
            &[&board],
            photo_from_row,
        )
    }

    pub(super) fn photo_of(
        &self,
        board: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<(PhotoInfo, Vec<u8>)>, StoreError> {
        let column = if thumbnail { "thumbnail" } else { "jpeg" };
        self.query_opt(
            &format!("SELECT {PHOTO_COLUMNS}, {column} FROM photos WHERE board = $1 AND id = $2"),
            &[&board, &id],
            |row| Ok((photo_from_row(row)?, row.try_get(8)?)),
        )
    }
}
