//! [`Store`] for PostgreSQL: board and participant records, retention,
//! erasure, and reading a board's document (snapshot, log and client ids)
//! in one snapshot of the database. Document writes are queued to the
//! writer (`writer`); events, organisers and series are in files of their
//! own, as in the SQLite store.

use super::{PostgresStore, hash, unexpected};
use crate::store::columns::{BOARD_COLUMNS, PARTICIPANT_COLUMNS};
use crate::store::write::WriteOp;
use crate::store::{
    BoardLinkRecord, BoardRecord, EventBoardRecord, EventParticipantRecord, EventRecord,
    InvitationRecord, OrganiserRecord, ParticipantRecord, PendingWrite, PhotoAdmission, PhotoInfo,
    PhotoRecord, Retention, SeriesRecord, SessionRecord, Store, StoreError, StoredDocument,
};
use tokio_postgres::{IsolationLevel, Row};

pub(super) fn board_from_row(row: &Row) -> Result<BoardRecord, StoreError> {
    Ok(BoardRecord {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        district: row.try_get(2)?,
        join_code: row.try_get(3)?,
        moderator_token_hash: hash(row, 4)?,
        viewer_token_hash: hash(row, 5)?,
        created_at: row.try_get(6)?,
    })
}

fn participant_from_row(row: &Row) -> Result<ParticipantRecord, StoreError> {
    Ok(ParticipantRecord {
        board: row.try_get(0)?,
        id: row.try_get(1)?,
        token_hash: hash(row, 2)?,
        name: row.try_get(3)?,
        organisation: row.try_get(4)?,
        sector: row.try_get(5)?,
        email: row.try_get(6)?,
        phone: row.try_get(7)?,
        contact_consent: row.try_get(8)?,
        created_at: row.try_get(9)?,
        removed: row.try_get(10)?,
        personal_code: row.try_get(11)?,
    })
}

/// The day a board is deleted on (`b`: the board, `r`: its retention row,
/// `days`: the placeholder of the default number of days, an `integer`):
/// the moderator's choice, else that many days after the board's day or,
/// without one, the day it was made (UTC). Days are `YYYY-MM-DD` text, as
/// in SQLite, so they compare as text.
fn delete_on(days: &str) -> String {
    format!(
        "coalesce(r.delete_on, to_char(coalesce(r.date::date, \
         (to_timestamp(b.created_at) AT TIME ZONE 'UTC')::date) + {days}::integer, 'YYYY-MM-DD'))"
    )
}

/// The default number of days as PostgreSQL's `integer`.
fn days(retention_days: u32) -> i32 {
    i32::try_from(retention_days).unwrap_or(i32::MAX)
}

/// The tables an erasure or a deletion may leave dead rows in.
const ERASED_TABLES: &str = "participants, event_participants, photos, updates, snapshots, \
     client_ids, boards, board_links, board_owners, board_retention, events, event_boards, \
     event_owners, series_boards";

impl PostgresStore {
    /// Inserts a participant's record, with `on_conflict` (a clause, or
    /// nothing: a taken id is a conflict).
    fn insert_participant(
        &self,
        p: &ParticipantRecord,
        on_conflict: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO participants (board, id, token_hash, name, organisation, sector, email, phone, contact_consent, created_at, personal_code)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) {on_conflict}"
            ),
            &[
                &p.board,
                &p.id,
                &p.token_hash.as_slice(),
                &p.name,
                &p.organisation,
                &p.sector,
                &p.email,
                &p.phone,
                &p.contact_consent,
                &p.created_at,
                &p.personal_code,
            ],
        )?;
        Ok(())
    }

    /// After something was erased: `VACUUM` (outside a transaction) removes
    /// the dead rows and their index entries, so the space is reused
    /// rather than kept as it was. What it cannot reach (the write-ahead
    /// log, backups, a freed page's old bytes until it is written again)
    /// is in docs/operations.md, "Erasure".
    fn vacuum(&self, tables: &str) -> Result<(), StoreError> {
        self.run(async |c| Ok(c.batch_execute(&format!("VACUUM {tables}")).await?))
    }
}

impl Store for PostgresStore {
    fn create_board(&self, board: &BoardRecord) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO boards ({BOARD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[
                &board.id,
                &board.title,
                &board.district,
                &board.join_code,
                &board.moderator_token_hash.as_slice(),
                &board.viewer_token_hash.as_slice(),
                &board.created_at,
            ],
        )?;
        Ok(())
    }

    fn board(&self, id: &str) -> Result<Option<BoardRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = $1"),
            &[&id],
            board_from_row,
        )
    }

    fn board_by_join_code(&self, join_code: &str) -> Result<Option<BoardRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {BOARD_COLUMNS} FROM boards WHERE join_code = $1"),
            &[&join_code],
            board_from_row,
        )
    }

    fn add_participant(&self, participant: &ParticipantRecord) -> Result<(), StoreError> {
        self.insert_participant(participant, "")
    }

    fn participant(&self, board: &str, id: &str) -> Result<Option<ParticipantRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = $1 AND id = $2"),
            &[&board, &id],
            participant_from_row,
        )
    }

    fn participants(&self, board: &str) -> Result<Vec<ParticipantRecord>, StoreError> {
        self.query(
            &format!("SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = $1 ORDER BY id"),
            &[&board],
            participant_from_row,
        )
    }

    fn participant_by_personal_code(
        &self,
        board: &str,
        code: &str,
    ) -> Result<Option<ParticipantRecord>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE board = $1 AND personal_code = $2"
            ),
            &[&board, &code],
            participant_from_row,
        )
    }

    fn claim_registration(
        &self,
        board: &str,
        id: &str,
        token_hash: &[u8; 32],
        contact_consent: bool,
    ) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE participants SET token_hash = $3, contact_consent = $4
             WHERE board = $1 AND id = $2 AND personal_code IS NOT NULL AND NOT removed",
            &[&board, &id, &token_hash.as_slice(), &contact_consent],
        )?;
        Ok(changed > 0)
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
        self.update_event(event, "organiser_token_hash", &hash.as_slice())
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
        let changed = self.execute(
            "UPDATE event_participants SET reflection_group = $3 WHERE event = $1 AND id = $2",
            &[&event, &id, &group],
        )?;
        Ok(changed > 0)
    }

    fn admit_participant(&self, participant: &ParticipantRecord) -> Result<(), StoreError> {
        // Admitted before, then moved away: live again, with this token.
        self.insert_participant(
            participant,
            "ON CONFLICT (board, id) DO UPDATE SET token_hash = excluded.token_hash, removed = FALSE",
        )
    }

    fn add_photo(
        &self,
        photo: &PhotoRecord,
        max_per_board: u64,
        max_storage_bytes: u64,
    ) -> Result<PhotoAdmission, StoreError> {
        self.insert_photo(photo, max_per_board, max_storage_bytes)
    }

    fn photos(&self, board: &str) -> Result<Vec<PhotoInfo>, StoreError> {
        self.photos_of(board)
    }

    fn photo(
        &self,
        board: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<(PhotoInfo, Vec<u8>)>, StoreError> {
        self.photo_of(board, id, thumbnail)
    }

    fn set_photo_status(&self, board: &str, id: &str, status: &str) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE photos SET status = $3 WHERE board = $1 AND id = $2",
            &[&board, &id, &status],
        )?;
        Ok(changed > 0)
    }

    fn delete_photo(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self.execute(
            "DELETE FROM photos WHERE board = $1 AND id = $2",
            &[&board, &id],
        )?;
        Ok(changed > 0)
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
        let changed = self.execute(
            "DELETE FROM series_boards WHERE series = $1 AND board = $2",
            &[&series, &board],
        )?;
        Ok(changed > 0)
    }

    fn series_boards(&self, series: &str) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT board FROM series_boards WHERE series = $1 ORDER BY added_at, inserted",
            &[&series],
            |row| Ok(row.try_get(0)?),
        )
    }

    fn series_of(&self, owner: &str) -> Result<Vec<SeriesRecord>, StoreError> {
        self.series_owned_by(owner)
    }

    fn set_series_token_hash(&self, series: &str, hash: &[u8; 32]) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE series SET organiser_token_hash = $2 WHERE id = $1",
            &[&series, &hash.as_slice()],
        )?;
        Ok(changed > 0)
    }

    fn set_series_comparison(
        &self,
        series: &str,
        comparison: &str,
        read_version: i64,
    ) -> Result<Option<i64>, StoreError> {
        let changed = self.execute(
            "UPDATE series SET comparison = $2, version = version + 1
             WHERE id = $1 AND version = $3",
            &[&series, &comparison, &read_version],
        )?;
        Ok((changed > 0).then_some(read_version + 1))
    }

    fn load_document(&self, board: &str) -> Result<StoredDocument, StoreError> {
        self.run(async |c| {
            // One snapshot of the database: a compaction committing between
            // the queries would otherwise hide updates from both.
            let transaction = c
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let snapshot = transaction
                .query_opt(
                    "SELECT through_sequence, data FROM snapshots WHERE board = $1",
                    &[&board],
                )
                .await?
                .map(|row| -> Result<(i64, Vec<u8>), StoreError> {
                    Ok((row.try_get(0)?, row.try_get(1)?))
                })
                .transpose()?;
            let through = snapshot.as_ref().map_or(0, |(sequence, _)| *sequence);
            let mut document = StoredDocument {
                last_sequence: sequence(through)?,
                ..StoredDocument::default()
            };
            let rows = transaction
                .query(
                    "SELECT sequence, data FROM updates WHERE board = $1 AND sequence > $2 ORDER BY sequence",
                    &[&board, &through],
                )
                .await?;
            for row in rows {
                let data: Vec<u8> = row.try_get(1)?;
                document.last_sequence = sequence(row.try_get(0)?)?;
                document.bytes += data.len() as u64;
                document.updates.push(data);
            }
            if let Some((_, data)) = snapshot {
                document.bytes += data.len() as u64;
                document.snapshot = Some(data);
            }
            document.client_owners = transaction
                .query(
                    "SELECT client_id, owner FROM client_ids WHERE board = $1",
                    &[&board],
                )
                .await?
                .iter()
                .map(|row| Ok((row.try_get::<_, i64>(0)? as u64, row.try_get(1)?)))
                .collect::<Result<_, StoreError>>()?;
            transaction.commit().await?;
            Ok(document)
        })
    }

    fn append_updates(
        &self,
        board: &str,
        updates: Vec<Vec<u8>>,
        new_clients: Vec<(u64, String)>,
    ) -> PendingWrite {
        WriteOp::append(board, updates, new_clients, |op| self.submit(op))
    }

    fn compact(&self, board: &str, snapshot: Vec<u8>, through_sequence: u64) -> PendingWrite {
        WriteOp::compact(board, snapshot, through_sequence, |op| self.submit(op))
    }

    fn remove_participant(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE participants SET removed = TRUE WHERE board = $1 AND id = $2",
            &[&board, &id],
        )?;
        Ok(changed > 0)
    }

    fn erase_contact(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<bool, StoreError> {
        let changed = self.run(async |c| {
            let transaction = c.transaction().await?;
            let mut changed = transaction
                .execute(
                    "UPDATE participants SET email = NULL, phone = NULL, contact_consent = FALSE
                     WHERE board = ANY($1) AND id = $2",
                    &[&boards, &id],
                )
                .await?;
            if let Some(event) = event {
                changed += transaction
                    .execute(
                        "UPDATE event_participants SET email = NULL, phone = NULL, contact_consent = FALSE
                         WHERE event = $1 AND id = $2",
                        &[&event, &id],
                    )
                    .await?;
            }
            transaction.commit().await?;
            Ok(changed)
        })?;
        self.vacuum("participants, event_participants")?;
        Ok(changed > 0)
    }

    fn erase_participant(
        &self,
        event: Option<&str>,
        boards: &[String],
        id: &str,
    ) -> Result<(), StoreError> {
        self.run(async |c| {
            let transaction = c.transaction().await?;
            transaction
                .execute(
                    "DELETE FROM participants WHERE board = ANY($1) AND id = $2",
                    &[&boards, &id],
                )
                .await?;
            transaction
                .execute(
                    "DELETE FROM photos WHERE board = ANY($1) AND author = $2",
                    &[&boards, &id],
                )
                .await?;
            if let Some(event) = event {
                transaction
                    .execute(
                        "DELETE FROM event_participants WHERE event = $1 AND id = $2",
                        &[&event, &id],
                    )
                    .await?;
            }
            transaction.commit().await?;
            Ok(())
        })?;
        // The rooms' compactions that rewrote the documents left dead rows
        // of the log and the snapshots too.
        self.vacuum("participants, event_participants, photos, updates, snapshots")
    }

    fn set_board_date(&self, board: &str, date: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO board_retention (board, date) VALUES ($1, $2)
             ON CONFLICT (board) DO UPDATE SET date = excluded.date",
            &[&board, &date],
        )?;
        Ok(())
    }

    fn set_delete_on(&self, board: &str, delete_on: Option<&str>) -> Result<bool, StoreError> {
        // Only for a board that exists (INSERT ... SELECT finds no row
        // otherwise).
        let changed = self.execute(
            "INSERT INTO board_retention (board, delete_on) SELECT id, $2 FROM boards WHERE id = $1
             ON CONFLICT (board) DO UPDATE SET delete_on = excluded.delete_on",
            &[&board, &delete_on],
        )?;
        Ok(changed > 0)
    }

    fn retention(&self, board: &str, retention_days: u32) -> Result<Option<Retention>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT r.date, {}, r.delete_on IS NOT NULL
                 FROM boards AS b LEFT JOIN board_retention AS r ON r.board = b.id
                 WHERE b.id = $1",
                delete_on("$2")
            ),
            &[&board, &days(retention_days)],
            |row| {
                Ok(Retention {
                    date: row.try_get(0)?,
                    delete_on: row.try_get(1)?,
                    chosen: row.try_get(2)?,
                })
            },
        )
    }

    fn boards_due(&self, retention_days: u32) -> Result<Vec<String>, StoreError> {
        self.query(
            &format!(
                "SELECT b.id FROM boards AS b LEFT JOIN board_retention AS r ON r.board = b.id
                 WHERE {} < to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') ORDER BY b.id",
                delete_on("$1")
            ),
            &[&days(retention_days)],
            |row| Ok(row.try_get(0)?),
        )
    }

    fn delete_board(&self, board: &str) -> Result<bool, StoreError> {
        let existed = self.run(async |c| {
            let transaction = c.transaction().await?;
            // Its event, when the board was an event of its own.
            let own_event: Option<String> = transaction
                .query_opt(
                    "SELECT event FROM event_boards WHERE board = $1
                     AND (SELECT count(*) FROM event_boards AS other WHERE other.event = event_boards.event) = 1",
                    &[&board],
                )
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
            for table in ["updates", "snapshots", "client_ids"] {
                transaction
                    .execute(&format!("DELETE FROM {table} WHERE board = $1"), &[&board])
                    .await?;
            }
            // Participants, links, owner, photos, retention and the event's
            // entry go by ON DELETE CASCADE.
            let existed = transaction
                .execute("DELETE FROM boards WHERE id = $1", &[&board])
                .await?
                > 0;
            if let Some(event) = own_event {
                transaction
                    .execute("DELETE FROM events WHERE id = $1", &[&event])
                    .await?;
            }
            transaction.commit().await?;
            Ok(existed)
        })?;
        self.vacuum(ERASED_TABLES)?;
        Ok(existed)
    }

    fn set_join_code(&self, board: &str, join_code: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE boards SET join_code = $2 WHERE id = $1",
            &[&board, &join_code],
        )?;
        Ok(())
    }

    fn set_viewer_token_hash(&self, board: &str, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.execute(
            "UPDATE boards SET viewer_token_hash = $2 WHERE id = $1",
            &[&board, &hash.as_slice()],
        )?;
        Ok(())
    }
}

/// A sequence number as stored (BIGINT) as the store's.
fn sequence(stored: i64) -> Result<u64, StoreError> {
    u64::try_from(stored).map_err(|_| unexpected("a negative sequence number"))
}
