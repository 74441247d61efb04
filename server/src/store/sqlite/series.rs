//! Series in SQLite: the series records with their comparison, and their
//! boards. [`crate::store::Store`]'s methods for them (`queries.rs`) call
//! these.

use super::SqliteStore;
use super::queries::{is_unique_violation, unique};
use crate::store::columns::SERIES_COLUMNS;
use crate::store::{SeriesRecord, StoreError};
use rusqlite::{OptionalExtension, params};

fn series_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SeriesRecord> {
    Ok(SeriesRecord {
        id: row.get(0)?,
        title: row.get(1)?,
        locale: row.get(2)?,
        organiser_token_hash: row.get(3)?,
        owner: row.get(4)?,
        created_at: row.get(5)?,
        comparison: row.get(6)?,
        version: row.get(7)?,
    })
}

impl SqliteStore {
    pub(super) fn insert_series(&self, s: &SeriesRecord) -> Result<(), StoreError> {
        unique(self.read(|c| {
            c.execute(
                &format!(
                    "INSERT INTO series ({SERIES_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    s.id,
                    s.title,
                    s.locale,
                    s.organiser_token_hash,
                    s.owner,
                    s.created_at,
                    s.comparison,
                    s.version
                ],
            )
        }))
    }

    pub(super) fn series_by_id(&self, id: &str) -> Result<Option<SeriesRecord>, StoreError> {
        Ok(self.read(|c| {
            c.query_row(
                &format!("SELECT {SERIES_COLUMNS} FROM series WHERE id = ?1"),
                [id],
                series_from_row,
            )
            .optional()
        })?)
    }

    pub(super) fn insert_series_board(
        &self,
        series: &str,
        board: &str,
        added_at: i64,
    ) -> Result<bool, StoreError> {
        let result = self.read(|c| {
            c.execute(
                "INSERT INTO series_boards (series, board, added_at) VALUES (?1, ?2, ?3)",
                params![series, board, added_at],
            )
        });
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_unique_violation(&error) => {
                // In it already, or no such series or board.
                let known = self.read(|c| {
                    c.query_row(
                        "SELECT count(*) > 0 FROM series_boards WHERE series = ?1 AND board = ?2",
                        [series, board],
                        |row| row.get::<_, bool>(0),
                    )
                })?;
                if known {
                    Ok(false)
                } else {
                    Err(StoreError::Conflict)
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    pub(super) fn delete_series_board(
        &self,
        series: &str,
        board: &str,
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "DELETE FROM series_boards WHERE series = ?1 AND board = ?2",
                [series, board],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn boards_of_series(&self, series: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.read(|c| {
            c.prepare_cached(
                "SELECT board FROM series_boards WHERE series = ?1 ORDER BY added_at, rowid",
            )?
            .query_map([series], |row| row.get(0))?
            .collect()
        })?)
    }

    pub(super) fn series_owned_by(&self, owner: &str) -> Result<Vec<SeriesRecord>, StoreError> {
        Ok(self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {SERIES_COLUMNS} FROM series WHERE owner = ?1 ORDER BY created_at DESC, id"
            ))?
            .query_map([owner], series_from_row)?
            .collect()
        })?)
    }

    pub(super) fn update_series_token_hash(
        &self,
        series: &str,
        hash: &[u8; 32],
    ) -> Result<bool, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE series SET organiser_token_hash = ?2 WHERE id = ?1",
                params![series, hash],
            )
        })?;
        Ok(changed > 0)
    }

    pub(super) fn update_series_comparison(
        &self,
        series: &str,
        comparison: &str,
        read_version: i64,
    ) -> Result<Option<i64>, StoreError> {
        let changed = self.read(|c| {
            c.execute(
                "UPDATE series SET comparison = ?2, version = version + 1
                 WHERE id = ?1 AND version = ?3",
                params![series, comparison, read_version],
            )
        })?;
        Ok((changed > 0).then_some(read_version + 1))
    }
}
