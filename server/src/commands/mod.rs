//! The commands besides `serve`: `kartenwand backup`, `restore`, `export`
//! and `import`. Each opens the store through [`Backend::open`], does its one
//! job and closes the store again; errors are [`CommandError`].

mod backup;
mod export;
mod import;
mod organiser;
mod restore;

pub use backup::backup;
pub use export::export_board;
pub use import::{ImportedBoard, import_board};
pub use organiser::add_organiser;
pub use restore::{RestoreError, restore};

use crate::conference::ConferenceError;
use crate::export::ExportError;
use crate::export::json::ImportError;
use crate::store::{Backend, StoreConfig, StoreError};
use std::path::PathBuf;

/// Why a command failed; `main` prints it with its causes.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("no {} at {}", .0.kind(), .0.location())]
    NoStore(StoreConfig),
    #[error("cannot open {config}")]
    Open {
        config: StoreConfig,
        #[source]
        source: StoreError,
    },
    #[error("cannot create data directory {}", path.display())]
    DataDirectory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} exists already", .0.display())]
    BackupExists(PathBuf),
    #[error("cannot write backup to {}", path.display())]
    Backup {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("unknown format {0}")]
    UnknownFormat(String),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Stdout(std::io::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("board id {0:?} is not a valid id")]
    InvalidId(String),
    #[error(transparent)]
    Conference(#[from] ConferenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    ImportFile(#[from] ImportError),
    #[error(transparent)]
    Restore(#[from] RestoreError),
}

/// Opens a store that must hold data already (a command that only reads).
fn open_existing(config: &StoreConfig) -> Result<Backend, CommandError> {
    if !config.exists() {
        return Err(CommandError::NoStore(config.clone()));
    }
    open(config)
}

fn open(config: &StoreConfig) -> Result<Backend, CommandError> {
    Backend::open(config).map_err(|source| CommandError::Open {
        config: config.clone(),
        source,
    })
}
