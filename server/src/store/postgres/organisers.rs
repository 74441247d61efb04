//! The organisers' records in PostgreSQL: accounts, sessions, who owns
//! which board, and the further links of a board.
//! [`crate::store::Store`]'s methods for them (`queries.rs`) call these.

use super::queries::board_from_row;
use super::{PostgresStore, hash};
use crate::store::columns::{BOARD_COLUMNS, LINK_COLUMNS, ORGANISER_COLUMNS, qualified};
use crate::store::{
    BoardLinkRecord, BoardRecord, InvitationRecord, OrganiserRecord, SessionRecord, StoreError,
};
use tokio_postgres::Row;

fn organiser_from_row(row: &Row) -> Result<OrganiserRecord, StoreError> {
    Ok(OrganiserRecord {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        created_at: row.try_get(4)?,
    })
}

fn link_from_row(row: &Row) -> Result<BoardLinkRecord, StoreError> {
    Ok(BoardLinkRecord {
        board: row.try_get(0)?,
        id: row.try_get(1)?,
        role: row.try_get(2)?,
        label: row.try_get(3)?,
        token_hash: hash(row, 4)?,
        created_at: row.try_get(5)?,
        revoked: row.try_get(6)?,
    })
}

fn invitation_from_row(row: &Row) -> Result<InvitationRecord, StoreError> {
    Ok(InvitationRecord {
        token_hash: hash(row, 0)?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        invited_by: row.try_get(3)?,
        expires_at: row.try_get(4)?,
    })
}

impl PostgresStore {
    pub(super) fn insert_organiser(&self, o: &OrganiserRecord) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO organisers ({ORGANISER_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[&o.id, &o.email, &o.name, &o.password_hash, &o.created_at],
        )?;
        Ok(())
    }

    pub(super) fn organiser_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<OrganiserRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {ORGANISER_COLUMNS} FROM organisers WHERE {column} = $1"),
            &[&value],
            organiser_from_row,
        )
    }

    pub(super) fn insert_invitation(&self, i: &InvitationRecord) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO organiser_invitations (token_hash, email, name, invited_by, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &i.token_hash.as_slice(),
                &i.email,
                &i.name,
                &i.invited_by,
                &i.expires_at,
            ],
        )?;
        Ok(())
    }

    pub(super) fn remove_invitation(
        &self,
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        self.run(async |c| {
            // One statement: two takers of one link cannot both have it.
            let taken = c
                .query_opt(
                    "DELETE FROM organiser_invitations WHERE token_hash = $1 AND expires_at > $2
                     RETURNING token_hash, email, name, invited_by, expires_at",
                    &[&token_hash.as_slice(), &now],
                )
                .await?
                .as_ref()
                .map(invitation_from_row)
                .transpose()?;
            c.execute(
                "DELETE FROM organiser_invitations WHERE expires_at <= $1",
                &[&now],
            )
            .await?;
            Ok(taken)
        })
    }

    pub(super) fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO organiser_sessions (token_hash, organiser, expires_at) VALUES ($1, $2, $3)",
            &[&s.token_hash.as_slice(), &s.organiser, &s.expires_at],
        )?;
        Ok(())
    }

    pub(super) fn session_of(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.query_opt(
            "SELECT token_hash, organiser, expires_at FROM organiser_sessions WHERE token_hash = $1",
            &[&token_hash.as_slice()],
            |row| {
                Ok(SessionRecord {
                    token_hash: hash(row, 0)?,
                    organiser: row.try_get(1)?,
                    expires_at: row.try_get(2)?,
                })
            },
        )
    }

    pub(super) fn delete_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM organiser_sessions WHERE token_hash = $1 OR expires_at <= $2",
            &[&token_hash.as_slice(), &now],
        )?;
        Ok(())
    }

    pub(super) fn insert_board_owner(
        &self,
        board: &str,
        organiser: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO board_owners (board, organiser) VALUES ($1, $2)",
            &[&board, &organiser],
        )?;
        Ok(())
    }

    pub(super) fn owned_boards(&self, organiser: &str) -> Result<Vec<BoardRecord>, StoreError> {
        let columns = qualified("b", BOARD_COLUMNS);
        self.query(
            &format!(
                "SELECT {columns} FROM boards b JOIN board_owners o ON o.board = b.id
                 WHERE o.organiser = $1 ORDER BY b.created_at DESC, b.id"
            ),
            &[&organiser],
            board_from_row,
        )
    }

    pub(super) fn owner_of(&self, board: &str) -> Result<Option<String>, StoreError> {
        self.query_opt(
            "SELECT organiser FROM board_owners WHERE board = $1",
            &[&board],
            |row| Ok(row.try_get(0)?),
        )
    }

    pub(super) fn insert_board_link(&self, l: &BoardLinkRecord) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO board_links ({LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                &l.board,
                &l.id,
                &l.role,
                &l.label,
                &l.token_hash.as_slice(),
                &l.created_at,
                &l.revoked,
            ],
        )?;
        Ok(())
    }

    pub(super) fn links_of(&self, board: &str) -> Result<Vec<BoardLinkRecord>, StoreError> {
        self.query(
            &format!(
                "SELECT {LINK_COLUMNS} FROM board_links WHERE board = $1 ORDER BY created_at, inserted"
            ),
            &[&board],
            link_from_row,
        )
    }

    pub(super) fn link_by_token(
        &self,
        board: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<BoardLinkRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {LINK_COLUMNS} FROM board_links WHERE board = $1 AND token_hash = $2"),
            &[&board, &token_hash.as_slice()],
            link_from_row,
        )
    }

    pub(super) fn revoke_link(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self.execute(
            "UPDATE board_links SET revoked = TRUE WHERE board = $1 AND id = $2",
            &[&board, &id],
        )?;
        Ok(changed > 0)
    }
}
