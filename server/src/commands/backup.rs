//! `kartenwand backup`: a consistent copy of the database (safe while
//! serving), written by SQLite's `VACUUM INTO`.

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
    let Backend::Sqlite(sqlite) = &backend;
    sqlite
        .backup(&config.to)
        .map_err(|source| CommandError::Backup {
            path: config.to.clone(),
            source,
        })?;
    backend.close();
    Ok(())
}
