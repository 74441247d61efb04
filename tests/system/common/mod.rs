//! Helpers for black-box tests: the real binary on an ephemeral port with a
//! temporary data directory, a minimal HTTP client, and a y-websocket client
//! built on yrs and tokio-tungstenite.
//!
//! Layout:
//! - [`server`]: spawning, signalling and restarting the binary; the
//!   database files it leaves; boards and joins through the API.
//! - [`http`]: one-shot HTTP/1.1 requests and refused websocket upgrades.
//! - [`client`]: the y-websocket peer ([`Client`]) and what it saw
//!   ([`Seen`]).
//! - [`doc`]: documents as the web app writes and the tests read them.
//! - [`files`]: the text of a PDF or a DOCX export.
//! - [`frames`]: protocol frames built by hand (awareness under any id).
//! - [`party`]: a board with its moderator, Alice and Bob, all synced.
//! - [`rights`]: the authorization scene, on which one illegal edit after
//!   another is tried and checked the same way.
//! - [`postgres`]: a PostgreSQL server for the test process and a database
//!   per test (shared with the store's own tests).

#![allow(dead_code)]

pub mod client;
pub mod doc;
pub mod files;
pub mod frames;
pub mod http;
pub mod party;
#[path = "../../support/postgres.rs"]
pub mod postgres;
pub mod rights;
pub mod server;

use std::time::Duration;

pub use client::Client;
pub use doc::{at, contains_bytes, covers, create_card, doc_json, new_doc, put, set};
pub use http::{http_request_as, raw_http, refused_upgrade_status};
pub use party::{Party, party};
pub use server::{Board, Server};

/// Upper bound of every wait in these tests.
pub const WAIT: Duration = Duration::from_secs(15);
