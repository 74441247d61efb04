//! `kartenwand backup`: a consistent copy of the database (safe while
//! serving), written by SQLite's `VACUUM INTO`. A PostgreSQL database is
//! backed up with PostgreSQL's own `pg_dump` (docs/operations.md).

use super::{CommandError, open};
use crate::config::BackupConfig;
use crate::store::Backend;

/// Writes a consistent copy of the database to `config.to`, which must not
/// exist yet.
pub fn backup(config: &BackupConfig) -> Result<(), CommandError> {
    let store = config.store();
    if !store.exists() {
        return Err(CommandError::NoStore(store));
    }
    if config.to.exists() {
        return Err(CommandError::BackupExists(config.to.clone()));
    }
    let backend = open(&store)?;
    let result = match &backend {
        Backend::Sqlite(sqlite) => {
            sqlite
                .backup(&config.to)
                .map_err(|source| CommandError::Backup {
                    path: config.to.clone(),
                    source,
                })
        }
        Backend::Postgres(_) => Err(CommandError::Invalid(
            "a PostgreSQL database is backed up with pg_dump (docs/operations.md, \"Backups\")"
                .to_owned(),
        )),
    };
    backend.close();
    result
}
