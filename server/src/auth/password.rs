//! Organisers' passwords: Argon2id with the `argon2` crate's defaults
//! (19 MiB of memory, two passes: OWASP's recommendation), a random salt
//! per password, stored in the PHC string format. Verification compares in
//! constant time (the crate's `Output` comparison).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest: Argon2 takes any length, but a request body should not be a
/// password.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a password cannot be set.
pub fn weakness(password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(format!(
            "the password must have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    None
}

/// The PHC string of `password` with a fresh salt.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|error| error.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| error.to_string())
}

/// Whether `password` is the one `stored` was made from. A stored value
/// that does not parse never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one verification, for a sign-in with an unknown
/// e-mail: the answer's timing must not tell whether the account exists.
pub fn verify_nothing(password: &str) {
    // A hash of an unguessable password, made once.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored =
        DUMMY.get_or_init(|| hash(&crate::auth::new_moderator_token()).unwrap_or_default());
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_and_nothing_else() {
        let stored = hash("korrekt Pferd Batterie").expect("hashes");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("Pferd"));
        assert!(verify("korrekt Pferd Batterie", &stored));
        assert!(!verify("korrekt Pferd Batteriе", &stored), "a Cyrillic е");
        assert!(!verify("", &stored));
        assert!(!verify("korrekt Pferd Batterie", "not a hash"));
        assert_ne!(
            hash("korrekt Pferd Batterie").expect("hashes"),
            stored,
            "salted"
        );
        assert!(weakness("kurz").is_some());
        assert!(weakness("lang genug, wirklich").is_none());
        verify_nothing("egal");
    }
}
