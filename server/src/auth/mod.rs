//! Tokens, ids and roles.
//!
//! Tokens are 256-bit random secrets, shown once and stored only as SHA-256
//! hashes (a fast hash is enough for secrets this long), and compared in
//! constant time. Each token names its kind so a presented token is checked
//! against the one record it can match:
//!
//! - `kwm_<secret>`: the board's moderator;
//! - `kwv_<secret>`: the board's viewer (presenter screen, watch-only);
//! - `kwp_<participant id>_<secret>`: one participant (on every board of
//!   an event that admits them);
//! - `kwo_<secret>`: an event's organiser (a moderator on all its boards);
//! - `kws_<secret>`: a series' organiser (reads its conferences, never
//!   writes to them).
//!
//! [`ownership`] checks every update a participant sends against the
//! ownership rule of the board document.

pub mod ownership;
pub mod password;

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const MODERATOR_PREFIX: &str = "kwm_";
const VIEWER_PREFIX: &str = "kwv_";
const PARTICIPANT_PREFIX: &str = "kwp_";
const ORGANISER_PREFIX: &str = "kwo_";
const SERIES_PREFIX: &str = "kws_";

/// Letters and digits that cannot be confused when read aloud or typed on a
/// phone (no 0/O, 1/I/L).
const JOIN_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Characters of a new join code: 12 of 31, 59.4 bits. Codes are looked up
/// without a token, so they must stay unguessable at the lookup rate
/// (`--code-lookups-per-minute`, 300 by default, after a burst of 500):
/// 1,000 addresses guessing at that rate for three days try 1.3e9 codes;
/// against 10,000 live boards among 31^12 = 7.9e17 codes they expect to
/// find 1.6e-5 boards (65,536 IPv6 /64s of one /48: 1.1e-3). Six
/// characters (29.7 bits, 8.9e8 codes) gave one board per 89,000 guesses.
/// Typed as three groups of four; dashes and spaces are dropped
/// ([`normalize_join_code`]). Codes of other lengths issued before keep
/// working: a code is looked up as stored.
pub const JOIN_CODE_LENGTH: usize = 12;

/// Who a connection or request acts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    Moderator,
    Viewer,
    Participant(String),
}

impl Identity {
    pub fn role(&self) -> &'static str {
        match self {
            Identity::Moderator => "moderator",
            Identity::Viewer => "viewer",
            Identity::Participant(_) => "participant",
        }
    }

    /// How the owner of a Yjs client id is stored.
    pub fn owner_key(&self) -> String {
        match self {
            Identity::Moderator => "moderator".into(),
            Identity::Viewer => "viewer".into(),
            Identity::Participant(id) => format!("participant:{id}"),
        }
    }
}

/// What a presented token claims to be, before it is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenClaim<'a> {
    Moderator,
    Organiser,
    Viewer,
    Participant(&'a str),
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new board id: 80 random bits, lowercase hex, URL-path-safe.
pub fn new_board_id() -> String {
    random_hex(10)
}

/// A new participant id: 64 random bits, lowercase hex. It is public (it
/// appears in the shared document as card author).
pub fn new_participant_id() -> String {
    random_hex(8)
}

pub fn new_moderator_token() -> String {
    format!("{MODERATOR_PREFIX}{}", random_hex(32))
}

/// An event's organiser token.
pub fn new_organiser_token() -> String {
    format!("{ORGANISER_PREFIX}{}", random_hex(32))
}

/// A series' organiser token.
pub fn new_series_token() -> String {
    format!("{SERIES_PREFIX}{}", random_hex(32))
}

/// A new event id: 80 random bits, lowercase hex, as a board's.
pub fn new_event_id() -> String {
    random_hex(10)
}

pub fn new_viewer_token() -> String {
    format!("{VIEWER_PREFIX}{}", random_hex(32))
}

pub fn new_participant_token(participant_id: &str) -> String {
    format!("{PARTICIPANT_PREFIX}{participant_id}_{}", random_hex(32))
}

/// A new organiser id: 64 random bits, lowercase hex.
pub fn new_organiser_id() -> String {
    random_hex(8)
}

/// A new id of a board's further link (co-moderator, watch-only).
pub fn new_link_id() -> String {
    random_hex(8)
}

/// An organiser's session token (the cookie's value): 256 random bits.
pub fn new_session_token() -> String {
    random_hex(32)
}

/// A join code for typing on a phone (see [`JOIN_CODE_LENGTH`]).
pub fn new_join_code() -> String {
    let mut rng = rand::rng();
    (0..JOIN_CODE_LENGTH)
        .map(|_| {
            let index = rng.random_range(0..JOIN_CODE_ALPHABET.len());
            char::from(JOIN_CODE_ALPHABET[index])
        })
        .collect()
}

/// Characters of a personal join code: 16 of 31 symbols, 79 bits, printed
/// as a QR code and in groups of four.
pub const PERSONAL_CODE_LENGTH: usize = 16;

/// A personal join code of a participant registered before the day.
pub fn new_personal_code() -> String {
    let mut rng = rand::rng();
    (0..PERSONAL_CODE_LENGTH)
        .map(|_| {
            let index = rng.random_range(0..JOIN_CODE_ALPHABET.len());
            char::from(JOIN_CODE_ALPHABET[index])
        })
        .collect()
}

/// Upper-cases a typed join code and drops spaces and dashes.
pub fn normalize_join_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` hashes to `expected`, in constant time.
pub fn token_matches(token: &str, expected: &[u8; 32]) -> bool {
    hash_token(token).ct_eq(expected).into()
}

/// Reads what kind of token this is; says nothing about its validity.
pub fn claim(token: &str) -> Option<TokenClaim<'_>> {
    if token.starts_with(MODERATOR_PREFIX) {
        Some(TokenClaim::Moderator)
    } else if token.starts_with(VIEWER_PREFIX) {
        Some(TokenClaim::Viewer)
    } else if token.starts_with(ORGANISER_PREFIX) {
        Some(TokenClaim::Organiser)
    } else {
        let rest = token.strip_prefix(PARTICIPANT_PREFIX)?;
        let (participant, _) = rest.split_once('_')?;
        Some(TokenClaim::Participant(participant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_typed() {
        let a = new_moderator_token();
        assert_ne!(a, new_moderator_token());
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(claim(&a), Some(TokenClaim::Moderator));
        assert_eq!(claim(&new_viewer_token()), Some(TokenClaim::Viewer));
        assert_eq!(claim(&new_organiser_token()), Some(TokenClaim::Organiser));
        let participant = new_participant_token("abc123");
        assert_eq!(claim(&participant), Some(TokenClaim::Participant("abc123")));
        assert_eq!(claim("garbage"), None);
        assert_eq!(claim("kwp_nounderscore"), None);
    }

    #[test]
    fn matches_only_its_own_hash() {
        let token = new_moderator_token();
        let hash = hash_token(&token);
        assert!(token_matches(&token, &hash));
        assert!(!token_matches(&new_moderator_token(), &hash));
    }

    #[test]
    fn join_codes_are_readable() {
        let code = new_join_code();
        assert_eq!(code.len(), JOIN_CODE_LENGTH);
        assert!(code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_join_code(" abc-def "), "ABCDEF");
        assert_eq!(normalize_join_code("k7p2-qx9m-w4rt"), "K7P2QX9MW4RT");
    }
}
