//! The organisers' records in SQLite: accounts, sessions, who owns which
//! board, and the further links of a board. [`crate::store::Store`]'s
//! methods for them (`queries.rs`) call these.

use super::SqliteStore;
use super::queries::{board_from_row, unique};
use crate::store::columns::{BOARD_COLUMNS, LINK_COLUMNS, ORGANISER_COLUMNS, qualified};
use crate::store::{
    BoardLinkRecord, BoardRecord, InvitationRecord, OrganiserRecord, SessionRecord, StoreError,
};
use rusqlite::{OptionalExtension, params};

fn organiser_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrganiserRecord> {
    Ok(OrganiserRecord {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        password_hash: row.get(3)?,
        created_at: row.get(4)?,
    })
}

fn link_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<BoardLinkRecord> {
    Ok(BoardLinkRecord {
        board: row.get(0)?,
        id: row.get(1)?,
        role: row.get(2)?,
        label: row.get(3)?,
        token_hash: row.get(4)?,
        created_at: row.get(5)?,
        revoked: row.get(6)?,
    })
}

impl SqliteStore {
    pub(super) fn insert_organiser(&self, o: &OrganiserRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO organisers (id, email, name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![o.id, o.email, o.name, o.password_hash, o.created_at],
            )
        }))
    }

    pub(super) fn organiser_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<OrganiserRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {ORGANISER_COLUMNS} FROM organisers WHERE {column} = ?1"),
                [value],
                organiser_from_row,
            )
            .optional()
        })?)
    }

    pub(super) fn insert_invitation(&self, i: &InvitationRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO organiser_invitations (token_hash, email, name, invited_by, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![i.token_hash, i.email, i.name, i.invited_by, i.expires_at],
            )
        }))
    }

    pub(super) fn remove_invitation(
        &self,
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        Ok(self.read(|c| {
            // One statement: two takers of one link cannot both have it.
            let taken = c
                .query_row(
                    "DELETE FROM organiser_invitations WHERE token_hash = ?1 AND expires_at > ?2
                     RETURNING token_hash, email, name, invited_by, expires_at",
                    params![token_hash, now],
                    |row| {
                        Ok(InvitationRecord {
                            token_hash: row.get(0)?,
                            email: row.get(1)?,
                            name: row.get(2)?,
                            invited_by: row.get(3)?,
                            expires_at: row.get(4)?,
                        })
                    },
                )
                .optional()?;
            c.execute(
                "DELETE FROM organiser_invitations WHERE expires_at <= ?1",
                [now],
            )?;
            Ok(taken)
        })?)
    }

    pub(super) fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO organiser_sessions (token_hash, organiser, expires_at) VALUES (?1, ?2, ?3)",
                params![s.token_hash, s.organiser, s.expires_at],
            )
        }))
    }

    pub(super) fn session_of(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                "SELECT token_hash, organiser, expires_at FROM organiser_sessions WHERE token_hash = ?1",
                [token_hash],
                |row| {
                    Ok(SessionRecord {
                        token_hash: row.get(0)?,
                        organiser: row.get(1)?,
                        expires_at: row.get(2)?,
                    })
                },
            )
            .optional()
        })?)
    }

    pub(super) fn delete_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute(
                "DELETE FROM organiser_sessions WHERE token_hash = ?1 OR expires_at <= ?2",
                params![token_hash, now],
            )
        })?;
        Ok(())
    }

    pub(super) fn insert_board_owner(
        &self,
        board: &str,
        organiser: &str,
    ) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO board_owners (board, organiser) VALUES (?1, ?2)",
                params![board, organiser],
            )
        }))
    }

    pub(super) fn owned_boards(&self, organiser: &str) -> Result<Vec<BoardRecord>, StoreError> {
        Ok(self.read(|c| {
            let columns = qualified("b", BOARD_COLUMNS);
            c.prepare(&format!(
                "SELECT {columns} FROM boards b JOIN board_owners o ON o.board = b.id
                 WHERE o.organiser = ?1 ORDER BY b.created_at DESC, b.id"
            ))?
            .query_map([organiser], board_from_row)?
            .collect()
        })?)
    }

    pub(super) fn owner_of(&self, board: &str) -> Result<Option<String>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                "SELECT organiser FROM board_owners WHERE board = ?1",
                [board],
                |row| row.get(0),
            )
            .optional()
        })?)
    }

    pub(super) fn insert_board_link(&self, l: &BoardLinkRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                "INSERT INTO board_links (board, id, role, label, token_hash, created_at, revoked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    l.board,
                    l.id,
                    l.role,
                    l.label,
                    l.token_hash,
                    l.created_at,
                    l.revoked
                ],
            )
        }))
    }

    pub(super) fn links_of(&self, board: &str) -> Result<Vec<BoardLinkRecord>, StoreError> {
        Ok(self.read(|c| {
            c.prepare(&format!(
                "SELECT {LINK_COLUMNS} FROM board_links WHERE board = ?1 ORDER BY created_at, rowid"
            ))?
            .query_map([board], link_from_row)?
            .collect()
        })?)
    }

    pub(super) fn link_by_token(
        &self,
        board: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<BoardLinkRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {LINK_COLUMNS} FROM board_links WHERE board = ?1 AND token_hash = ?2"
                ),
                params![board, token_hash],
                link_from_row,
            )
            .optional()
        })?)
    }

    pub(super) fn revoke_link(&self, board: &str, id: &str) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE board_links SET revoked = 1 WHERE board = ?1 AND id = ?2",
                params![board, id],
            )
        })?;
        Ok(changed > 0)
    }
}
