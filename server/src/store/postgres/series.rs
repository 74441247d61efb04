//! Series in PostgreSQL: the series records with their comparison, and
//! their boards. [`crate::store::Store`]'s methods for them (`queries.rs`)
//! call these.

use super::{PostgresStore, hash};
use crate::store::columns::SERIES_COLUMNS;
use crate::store::{SeriesRecord, StoreError};
use tokio_postgres::Row;

fn series_from_row(row: &Row) -> Result<SeriesRecord, StoreError> {
    Ok(SeriesRecord {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        locale: row.try_get(2)?,
        organiser_token_hash: hash(row, 3)?,
        owner: row.try_get(4)?,
        created_at: row.try_get(5)?,
        comparison: row.try_get(6)?,
        version: row.try_get(7)?,
    })
}

impl PostgresStore {
    pub(super) fn insert_series(&self, s: &SeriesRecord) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO series ({SERIES_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            &[
                &s.id,
                &s.title,
                &s.locale,
                &s.organiser_token_hash.as_slice(),
                &s.owner,
                &s.created_at,
                &s.comparison,
                &s.version,
            ],
        )?;
        Ok(())
    }

    pub(super) fn series_by_id(&self, id: &str) -> Result<Option<SeriesRecord>, StoreError> {
        self.query_opt(
            &format!("SELECT {SERIES_COLUMNS} FROM series WHERE id = $1"),
            &[&id],
            series_from_row,
        )
    }

    /// False if the board is in the series already; a conflict if there
    /// is no such series or board.
    pub(super) fn insert_series_board(
        &self,
        series: &str,
        board: &str,
        added_at: i64,
    ) -> Result<bool, StoreError> {
        let added = self.execute(
            "INSERT INTO series_boards (series, board, added_at) VALUES ($1, $2, $3)
             ON CONFLICT (series, board) DO NOTHING",
            &[&series, &board, &added_at],
        )?;
        Ok(added > 0)
    }

    pub(super) fn series_owned_by(&self, owner: &str) -> Result<Vec<SeriesRecord>, StoreError> {
        self.query(
            &format!(
                "SELECT {SERIES_COLUMNS} FROM series WHERE owner = $1 ORDER BY created_at DESC, id"
            ),
            &[&owner],
            series_from_row,
        )
    }
}
