//! `kartenwand organiser add`: the first organiser's account, on the
//! server's command line (the others are added from the desk).

use super::{CommandError, open};
use crate::auth::{self, password};
use crate::config::OrganiserAddConfig;
use crate::store::{OrganiserRecord, StoreError};

/// Adds the organiser with `secret` as their password.
pub fn add_organiser(config: &OrganiserAddConfig, secret: &str) -> Result<String, CommandError> {
    let email = crate::http::organisers::normalize_email(&config.email);
    if email.is_empty() || !email.contains('@') || email.chars().count() > 254 {
        return Err(CommandError::Invalid(format!(
            "{:?} is not an e-mail address",
            config.email
        )));
    }
    let name = config.name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(CommandError::Invalid(
            "the name must be 1 to 80 characters".into(),
        ));
    }
    if let Some(weakness) = password::weakness(secret) {
        return Err(CommandError::Invalid(weakness));
    }
    let store_config = config.store();
    std::fs::create_dir_all(&config.data_dir).map_err(|source| CommandError::DataDirectory {
        path: config.data_dir.clone(),
        source,
    })?;
    let backend = open(&store_config)?;
    let record = OrganiserRecord {
        id: auth::new_organiser_id(),
        email,
        name: name.to_owned(),
        password_hash: password::hash(secret).map_err(CommandError::Invalid)?,
        created_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs() as i64),
    };
    let added = backend.store().add_organiser(&record);
    backend.close();
    match added {
        Ok(()) => Ok(record.email),
        Err(StoreError::Conflict) => Err(CommandError::Invalid(format!(
            "an organiser with the e-mail {} exists already",
            record.email
        ))),
        Err(error) => Err(error.into()),
    }
}
