//! `kartenwand export`: one format of a board, to a file or standard
//! output, from what the store holds (safe while serving).

use super::{CommandError, open_existing};
use crate::conference;
use crate::config::ExportConfig;
use crate::export::{self, Format, Options};
use std::io::Write;

/// Writes one format of a board to `config.out` or standard output.
pub fn export_board(config: &ExportConfig) -> Result<(), CommandError> {
    let format = Format::from_extension(&config.format)
        .ok_or_else(|| CommandError::UnknownFormat(config.format.clone()))?;
    let backend = open_existing(&config.store())?;
    let input = conference::load_export(&*backend.store(), &config.board, None)?;
    backend.close();
    let options = Options {
        authors: !config.without_authors,
    };
    let bytes = export::export(&input, format, options)?;
    match &config.out {
        Some(path) => std::fs::write(path, &bytes).map_err(|source| CommandError::Write {
            path: path.clone(),
            source,
        })?,
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(CommandError::Stdout)?,
    }
    Ok(())
}
