//! `kartenwand restore`: puts a backup of `kartenwand backup` in place of
//! the data directory's database, checked first and swapped atomically.
//!
//! Order, so that any failure leaves the database as it was:
//! 1. the backup is opened read-only (`immutable`: nothing is written next
//!    to it) and checked: `PRAGMA integrity_check`, a Kartenwand schema
//!    version, the tables;
//! 2. the data directory's lock is taken (a running server holds it);
//! 3. the backup is copied to a temporary file in the data directory and
//!    synced; the store opens that copy as the server will (migrating an
//!    older schema, refusing a newer one) and closes it;
//! 4. only then the old write-ahead log and shared memory files are removed
//!    (a stale log must never be replayed onto the restored database) and
//!    the copy is renamed over the database, and the directory synced.
//!
//! The check is SQLite's, as `VACUUM INTO` in [`super::backup`] is.

use super::CommandError;
use crate::config::{DATABASE_FILE, RestoreConfig};
use crate::data_dir;
use crate::store::{Backend, StoreConfig, Synchronous};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The tables every Kartenwand database has had since schema version 1.
const TABLES: [&str; 4] = ["boards", "participants", "updates", "snapshots"];

/// Why a backup was not restored. Nothing was replaced in any case.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{} is not a file", .0.display())]
    NoBackup(PathBuf),
    #[error("{} is damaged or not a database: {detail}; nothing was replaced", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("{} is not a Kartenwand database ({detail}); nothing was replaced", path.display())]
    NotKartenwand { path: PathBuf, detail: String },
    #[error(transparent)]
    Locked(#[from] data_dir::LockError),
    #[error("the restored copy {} still has a write-ahead log after closing", .0.display())]
    Unsettled(PathBuf),
    #[error("cannot restore into {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Replaces the database of `config.data_dir` with `config.from`, or
/// leaves it untouched and says why not.
pub fn restore(config: &RestoreConfig) -> Result<(), CommandError> {
    check_backup(&config.from)?;
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| CommandError::DataDirectory {
        path: dir.clone(),
        source,
    })?;
    let _lock = data_dir::lock(dir).map_err(RestoreError::from)?;
    let copy = TemporaryCopy::new(dir);
    copy_synced(&config.from, &copy.path)?;
    open_as_the_server_will(&copy.path)?;
    let database = dir.join(DATABASE_FILE);
    for suffix in ["-wal", "-shm"] {
        let stale = sibling(&database, suffix);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(io(&stale, source).into()),
        }
    }
    std::fs::rename(&copy.path, &database).map_err(|source| io(&database, source))?;
    copy.installed();
    sync_directory(dir)?;
    Ok(())
}

/// Opens `path` read-only without touching it or its directory and checks
/// that it is a whole Kartenwand database.
fn check_backup(path: &Path) -> Result<(), RestoreError> {
    if !path.is_file() {
        return Err(RestoreError::NoBackup(path.to_owned()));
    }
    let damaged = |error: rusqlite::Error| RestoreError::Damaged {
        path: path.to_owned(),
        detail: error.to_string(),
    };
    let connection = Connection::open_with_flags(
        immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(damaged)?;
    let problems: Vec<String> = connection
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(damaged)?;
    if problems != ["ok"] {
        return Err(RestoreError::Damaged {
            path: path.to_owned(),
            detail: problems.join("; "),
        });
    }
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(damaged)?;
    if version < 1 {
        return Err(RestoreError::NotKartenwand {
            path: path.to_owned(),
            detail: format!("schema version {version}"),
        });
    }
    for table in TABLES {
        let present: bool = connection
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
                [table],
                |row| row.get(0),
            )
            .map_err(damaged)?;
        if !present {
            return Err(RestoreError::NotKartenwand {
                path: path.to_owned(),
                detail: format!("no table {table}"),
            });
        }
    }
    Ok(())
}

/// Opens the copy with the store, which migrates an older schema and
/// refuses one newer than this binary knows, then closes it; closing the
/// last connection folds its write-ahead log back into the file.
fn open_as_the_server_will(copy: &Path) -> Result<(), CommandError> {
    let store = StoreConfig::Sqlite {
        path: copy.to_owned(),
        synchronous: Synchronous::Full,
    };
    let backend = Backend::open(&store).map_err(|source| CommandError::Open {
        config: store.clone(),
        source,
    })?;
    backend.close();
    drop(backend);
    if sibling(copy, "-wal").exists() {
        return Err(RestoreError::Unsettled(copy.to_owned()).into());
    }
    let _ = std::fs::remove_file(sibling(copy, "-shm"));
    Ok(())
}

fn copy_synced(from: &Path, to: &Path) -> Result<(), RestoreError> {
    std::fs::copy(from, to).map_err(|source| io(to, source))?;
    std::fs::File::open(to)
        .and_then(|file| file.sync_all())
        .map_err(|source| io(to, source))
}

/// A rename is durable once the directory is synced.
fn sync_directory(dir: &Path) -> Result<(), RestoreError> {
    std::fs::File::open(dir)
        .and_then(|file| file.sync_all())
        .map_err(|source| io(dir, source))
}

/// `file:` URI of a database SQLite must neither lock nor write beside
/// (no `-shm`, no journal): `immutable=1`. `?`, `#` and `%` are escaped.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for character in path.to_string_lossy().chars() {
        match character {
            '?' | '#' | '%' => uri.push_str(&format!("%{:02X}", character as u32)),
            other => uri.push(other),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io(path: &Path, source: std::io::Error) -> RestoreError {
    RestoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The copy being restored; removed with its SQLite files unless it was
/// installed.
struct TemporaryCopy {
    path: PathBuf,
    installed: bool,
}

impl TemporaryCopy {
    fn new(dir: &Path) -> TemporaryCopy {
        TemporaryCopy {
            path: dir.join(format!(".{DATABASE_FILE}.restoring")),
            installed: false,
        }
    }

    fn installed(mut self) {
        self.installed = true;
    }
}

impl Drop for TemporaryCopy {
    fn drop(&mut self) {
        if !self.installed {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(sibling(&self.path, suffix));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_what_sqlite_would_read_as_query() {
        assert_eq!(
            immutable_uri(Path::new("/b/a?#%.db")),
            "file:/b/a%3F%23%25.db?mode=ro&immutable=1"
        );
    }

    #[test]
    fn garbage_and_foreign_databases_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![0x5a; 8192]).expect("write");
        assert!(matches!(
            check_backup(&garbage),
            Err(RestoreError::Damaged { .. })
        ));
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 7;"))
            .expect("foreign");
        assert!(matches!(
            check_backup(&foreign),
            Err(RestoreError::NotKartenwand { .. })
        ));
        assert!(matches!(
            check_backup(&dir.path().join("missing.db")),
            Err(RestoreError::NoBackup(_))
        ));
    }
}
