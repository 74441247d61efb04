//! The data directory's lock: `serve` and `restore` each hold an exclusive
//! advisory lock on [`LOCK_FILE`] while they run, so a restore never
//! replaces the database under a running server, and a server never starts
//! on a half-restored one. The operating system drops the lock when the
//! process ends, also on SIGKILL, so a crash leaves no stale lock behind.
//! (`backup`, `export` and `import` do not take it: SQLite's own locking
//! makes them safe beside a server.)

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "kartenwand.lock";

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{} is in use by another kartenwand process (a running server?); stop it first",
        .0.display()
    )]
    InUse(PathBuf),
    #[error("cannot lock {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Takes the lock of `dir` (which must exist), or says who holds it.
pub fn lock(dir: &Path) -> Result<DataDirLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(LockError::InUse(dir.to_owned())),
        Err(TryLockError::Error(source)) => Err(io(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let held = lock(dir.path()).expect("first");
        assert!(matches!(lock(dir.path()), Err(LockError::InUse(_))));
        drop(held);
        lock(dir.path()).expect("free again");
    }
}
