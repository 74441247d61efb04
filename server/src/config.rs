//! Command line, environment and configuration file. Every `serve` flag
//! has an environment variable and a key of the same long name in the
//! TOML file of `--config` ([`file`]); flags beat the environment, the
//! environment beats the file, the file beats the defaults. The defaults
//! are safe for one small server.

pub mod file;

use crate::http::address::{ClientAddress, ForwardedHeader, TrustedProxies};
use crate::http::throttle::{Rate, Rates};
use crate::room::RoomSettings;
use crate::store::{DatabaseUrl, StoreConfig, Synchronous};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "kartenwand",
    version,
    about = "Real-time workshop board for municipal conferences"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of the serve variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app, the API and the websocket sync.
    Serve(ServeConfig),
    /// Write a consistent copy of the database (safe while serving).
    Backup(BackupConfig),
    /// Write a board's documentation or data (md, html, pdf, docx, csv, json).
    Export(ExportConfig),
    /// Restore a board from a JSON export, with new tokens.
    Import(ImportConfig),
    /// Replace the database with a backup (`kartenwand backup`), after
    /// checking it; refused while a server runs on the data directory.
    Restore(RestoreConfig),
    /// The configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Organisers' accounts.
    #[command(subcommand)]
    Organiser(OrganiserCommand),
}

#[derive(Debug, Subcommand)]
pub enum OrganiserCommand {
    /// Add an organiser who signs in with e-mail and password (the first
    /// one; they add the others). The password is read from
    /// KARTENWAND_ORGANISER_PASSWORD or, without it, from the first line of
    /// standard input; never from the command line, where `ps` shows it.
    Add(OrganiserAddConfig),
}

#[derive(Debug, Clone, Args)]
pub struct OrganiserAddConfig {
    /// Directory of the database (created if missing).
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The e-mail address they sign in with.
    #[arg(long)]
    pub email: String,

    /// Their name, as the desk greets them.
    #[arg(long)]
    pub name: String,
}

impl OrganiserAddConfig {
    pub fn store(&self) -> StoreConfig {
        store_in(&self.data_dir, Synchronous::Normal)
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate FILE and print the settings `serve --config FILE` would use
    /// (with the environment, and any serve flags given after `--`);
    /// secrets are hidden.
    Check {
        file: PathBuf,
        /// `serve` flags, as they would follow `serve --config FILE`.
        #[arg(last = true)]
        serve_flags: Vec<std::ffi::OsString>,
    },
}

/// Who may create boards (`POST /api/boards`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BoardCreation {
    /// Anyone who reaches the server (rate-limited per address): a laptop
    /// on loopback, a closed network.
    Anyone,
    /// Only signed-in organisers: a city's server on the internet.
    Organisers,
}

/// How log lines look on standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people reading a terminal or the journal.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "KARTENWAND_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Directory of the database file `kartenwand.db`; created if missing.
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// A PostgreSQL database to keep everything in instead of the SQLite
    /// file: `postgres://USER[:PASSWORD]@HOST:PORT/DB`. One node per
    /// database until clustering lands (issue 18): a second is refused. No
    /// TLS to the database yet. The URL is never logged (its host, port and
    /// database are).
    #[arg(
        long,
        env = "KARTENWAND_DATABASE_URL",
        hide_env_values = true,
        value_parser = database_url
    )]
    pub database_url: Option<DatabaseUrl>,

    /// Public base URL for join links and QR codes, e.g.
    /// `https://kartenwand.example.de`. Default: taken from each request's Host header.
    #[arg(long, env = "KARTENWAND_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// SQLite durability: `normal` survives a crash of the process, `full`
    /// also a power loss, at the cost of an fsync per group commit.
    #[arg(
        long,
        env = "KARTENWAND_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value = "normal"
    )]
    pub sqlite_synchronous: Synchronous,

    /// Largest websocket message accepted, in bytes (larger: close 1009).
    /// 1 KiB to 1 GiB.
    #[arg(
        long,
        env = "KARTENWAND_MAX_FRAME_BYTES",
        default_value_t = 1024 * 1024,
        value_parser = ranged::<usize>(1024, 1 << 30)
    )]
    pub max_frame_bytes: usize,

    /// Largest board document, in bytes of stored updates; beyond it edits
    /// that add content are refused, deletions still go in. 1 KiB to 64 GiB.
    #[arg(
        long,
        env = "KARTENWAND_MAX_DOCUMENT_BYTES",
        default_value_t = 32 * 1024 * 1024,
        value_parser = ranged::<u64>(1024, 1 << 36)
    )]
    pub max_document_bytes: u64,

    /// Websocket connections the whole server accepts (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_MAX_CONNECTIONS",
        default_value_t = 20_000,
        value_parser = ranged::<usize>(1, MAX_COUNT)
    )]
    pub max_connections: usize,

    /// TCP connections open at once, websockets and plain HTTP alike (1 to
    /// 10,000,000). Over it a new connection is answered 503 at once and
    /// closed. Default: --max-connections plus 1,024, so a full house of
    /// websockets still leaves room for page loads and joins.
    #[arg(
        long,
        env = "KARTENWAND_MAX_OPEN_CONNECTIONS",
        value_parser = ranged::<usize>(1, MAX_COUNT)
    )]
    pub max_open_connections: Option<usize>,

    /// Seconds a client has to send a request's head (request line and
    /// headers); also how long a kept-alive connection may wait idle for
    /// its next request (1 to 3,600).
    #[arg(
        long,
        env = "KARTENWAND_HEADER_READ_SECONDS",
        default_value_t = 10,
        value_parser = ranged::<u64>(1, 3600)
    )]
    pub header_read_seconds: u64,

    /// Seconds a client has to send a request's body once its head arrived;
    /// later: 408 and the connection closes (1 to 3,600).
    #[arg(
        long,
        env = "KARTENWAND_BODY_READ_SECONDS",
        default_value_t = 30,
        value_parser = ranged::<u64>(1, 3600)
    )]
    pub body_read_seconds: u64,

    /// Websocket connections one board accepts (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_MAX_CONNECTIONS_PER_BOARD",
        default_value_t = 500,
        value_parser = ranged::<usize>(1, MAX_COUNT)
    )]
    pub max_connections_per_board: usize,

    /// Messages per second one connection may send on average; faster
    /// senders are slowed down and told so, not disconnected (1 to
    /// 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_MESSAGES_PER_SECOND",
        default_value_t = 200,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub messages_per_second: u32,

    /// Messages one connection may send at once before the rate applies
    /// (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_MESSAGE_BURST",
        default_value_t = 400,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub message_burst: u32,

    /// Seconds a board without connections stays in memory (1 to 604,800,
    /// a week).
    #[arg(
        long,
        env = "KARTENWAND_IDLE_ROOM_SECONDS",
        default_value_t = 30,
        value_parser = ranged::<u64>(1, 604_800)
    )]
    pub idle_room_seconds: u64,

    /// Updates appended to a board's log before it is compacted into a
    /// snapshot (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_COMPACT_AFTER_UPDATES",
        default_value_t = 1000,
        value_parser = ranged::<u64>(1, MAX_COUNT)
    )]
    pub compact_after_updates: u64,

    /// Seconds an awareness state (who is online) lives without renewal;
    /// clients renew every 15 s (1 to 86,400).
    #[arg(
        long,
        env = "KARTENWAND_AWARENESS_TIMEOUT_SECONDS",
        default_value_t = 30,
        value_parser = ranged::<u64>(1, 86_400)
    )]
    pub awareness_timeout_seconds: u64,

    /// Bytes that may wait for the sockets of one identity's connections (a
    /// board's participant, its moderator, its viewers), in all; over it the
    /// connection with the most waiting is closed with 1013. Default: twice
    /// what one connection may hold (--max-document-bytes + 4 ×
    /// --max-frame-bytes). 64 KiB to 64 GiB.
    #[arg(
        long,
        env = "KARTENWAND_MAX_WAITING_BYTES_PER_IDENTITY",
        value_parser = ranged::<u64>(64 * 1024, 1 << 36)
    )]
    pub max_waiting_bytes_per_identity: Option<u64>,

    /// Bytes that may wait for the sockets of all connections together;
    /// over it the connection with the most waiting is closed with 1013.
    /// 1 MiB to 1 TiB.
    #[arg(
        long,
        env = "KARTENWAND_MAX_WAITING_BYTES",
        default_value_t = 512 * 1024 * 1024,
        value_parser = ranged::<u64>(1 << 20, 1 << 40)
    )]
    pub max_waiting_bytes: u64,

    /// Seconds a connection may leave what waits for it unread (its socket
    /// takes no byte) before it is closed with 1013; checked with each
    /// ping, so it takes up to one ping interval longer (1 to 86,400).
    #[arg(
        long,
        env = "KARTENWAND_WRITE_TIMEOUT_SECONDS",
        default_value_t = 60,
        value_parser = ranged::<u64>(1, 86_400)
    )]
    pub write_timeout_seconds: u64,

    /// Bytes of one uploaded photo at most (the request body; 64 KiB to
    /// 100 MiB).
    #[arg(
        long,
        env = "KARTENWAND_MAX_PHOTO_BYTES",
        default_value_t = 15 * 1024 * 1024,
        value_parser = ranged::<u64>(64 * 1024, 100 * 1024 * 1024)
    )]
    pub max_photo_bytes: u64,

    /// The privacy notice the join screens show before the first field
    /// (TOML: `[de]` and `[en]` tables of `controller`, `purpose`,
    /// `legal_basis`, `visibility`, `retention`, `rights`, `contact`; what
    /// it leaves out keeps the shipped default). Default: the shipped
    /// German and English texts.
    #[arg(long, env = "KARTENWAND_PRIVACY_NOTICE")]
    pub privacy_notice: Option<PathBuf>,

    /// Days a board is kept after its day (its `"date"`, an event's date,
    /// else the day it was made) unless its moderator chose another day;
    /// a sweep at start and every day deletes what is due (1 to 36,500).
    #[arg(
        long,
        env = "KARTENWAND_RETENTION_DAYS",
        default_value_t = 365,
        value_parser = ranged::<u32>(1, 36_500)
    )]
    pub retention_days: u32,

    /// Photos one board may hold (1 to 10,000).
    #[arg(
        long,
        env = "KARTENWAND_MAX_PHOTOS_PER_BOARD",
        default_value_t = 200,
        value_parser = ranged::<u64>(1, 10_000)
    )]
    pub max_photos_per_board: u64,

    /// Bytes all stored photos (with their thumbnails) may take on the
    /// server together (1 MiB to 1 TiB).
    #[arg(
        long,
        env = "KARTENWAND_MAX_PHOTO_STORAGE_BYTES",
        default_value_t = 2 * 1024 * 1024 * 1024,
        value_parser = ranged::<u64>(1 << 20, 1 << 40)
    )]
    pub max_photo_storage_bytes: u64,

    /// Seconds between pings to each connection; two missed pings close it
    /// (1 to 86,400, a day).
    #[arg(
        long,
        env = "KARTENWAND_PING_SECONDS",
        default_value_t = 30,
        value_parser = ranged::<u64>(1, 86_400)
    )]
    pub ping_seconds: u64,

    /// Board creations (`POST /api/boards`) one client address may make per
    /// minute once its burst is used up (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_BOARD_CREATIONS_PER_MINUTE",
        default_value_t = 300,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub board_creations_per_minute: u32,

    /// Board creations one client address may make at once (1 to
    /// 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_BOARD_CREATION_BURST",
        default_value_t = 100,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub board_creation_burst: u32,

    /// Joins (`POST /api/boards/{board}/join`, refused ones too) one client
    /// address may make per minute once its burst is used up (1 to
    /// 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_JOINS_PER_MINUTE",
        default_value_t = 1200,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub joins_per_minute: u32,

    /// Joins one client address may make at once: a whole venue behind one
    /// address (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_JOIN_BURST",
        default_value_t = 500,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub join_burst: u32,

    /// Join code lookups (`GET /api/codes/{code}`) one client address may
    /// make per minute once its burst is used up (1 to 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_CODE_LOOKUPS_PER_MINUTE",
        default_value_t = 300,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub code_lookups_per_minute: u32,

    /// Join code lookups one client address may make at once (1 to
    /// 10,000,000).
    #[arg(
        long,
        env = "KARTENWAND_CODE_LOOKUP_BURST",
        default_value_t = 500,
        value_parser = ranged::<u32>(1, MAX_COUNT)
    )]
    pub code_lookup_burst: u32,

    /// Reverse proxies whose forwarding header names the client, for the
    /// per-address limits: comma-separated addresses and networks
    /// (`127.0.0.1,10.0.0.0/8,fd00::/8`). Default: none; every client is
    /// its TCP peer. Behind a proxy, set this, or every client counts as
    /// the proxy.
    #[arg(long, env = "KARTENWAND_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<TrustedProxies>,

    /// The header the trusted proxies set: `x-forwarded-for` (nginx,
    /// Caddy) or `forwarded` (RFC 7239). The other one is ignored.
    #[arg(
        long,
        env = "KARTENWAND_FORWARDED_HEADER",
        value_enum,
        default_value = "x-forwarded-for"
    )]
    pub forwarded_header: ForwardedHeader,

    /// Token `/metrics` requires as `Authorization: Bearer TOKEN`. Default:
    /// none, and `/metrics` answers anyone (it holds counts only).
    #[arg(
        long,
        env = "KARTENWAND_METRICS_TOKEN",
        hide_env_values = true,
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub metrics_token: Option<String>,

    /// Who may create boards: `anyone` (rate-limited per address) or
    /// `organisers` (signed in; create the first with `kartenwand
    /// organiser add`).
    #[arg(
        long,
        env = "KARTENWAND_BOARD_CREATION",
        value_enum,
        default_value = "anyone"
    )]
    pub board_creation: BoardCreation,

    /// `text`, or `json`: one object per line with the board id and the
    /// request id as fields.
    #[arg(
        long,
        env = "KARTENWAND_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// A TOML file of settings, keyed by these flags' long names
    /// (`max-frame-bytes = 1048576`); flags and environment override it.
    #[arg(long, env = "KARTENWAND_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Upper bound of the count flags: far beyond any real use, and far below
/// anything that could overflow (`Semaphore::new` panics above
/// `usize::MAX >> 3`; timers and byte limits are multiplied).
const MAX_COUNT: u64 = 10_000_000;

/// A number flag limited to `min..=max`, so nothing computed from it can
/// overflow or panic; clap names the range when a value is outside it.
fn ranged<T>(min: u64, max: u64) -> clap::builder::RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    clap::builder::RangedU64ValueParser::<T>::new().range(min..=max)
}

impl ServeConfig {
    /// The PostgreSQL database of `--database-url`, else the SQLite file
    /// in `--data-dir`.
    pub fn store(&self) -> StoreConfig {
        match &self.database_url {
            Some(url) => StoreConfig::Postgres { url: url.clone() },
            None => store_in(&self.data_dir, self.sqlite_synchronous),
        }
    }

    /// `--max-open-connections`, or its default.
    pub fn max_open_connections(&self) -> usize {
        self.max_open_connections
            .unwrap_or_else(|| self.max_connections.saturating_add(1024))
    }

    /// The budget of what waits for slow sockets (`socket::OutboxBudget`).
    pub fn outbox_budget(&self) -> std::sync::Arc<crate::socket::OutboxBudget> {
        let one = crate::room::outbox_limits(self.max_document_bytes, self.max_frame_bytes).bytes;
        let per_identity = self
            .max_waiting_bytes_per_identity
            .map_or(one.saturating_mul(2), |bytes| {
                usize::try_from(bytes).unwrap_or(usize::MAX)
            });
        let server = usize::try_from(self.max_waiting_bytes).unwrap_or(usize::MAX);
        crate::socket::OutboxBudget::new(per_identity, server)
    }

    /// What uploads of photos may take (`http/photos.rs`).
    pub fn photo_limits(&self) -> crate::http::PhotoLimits {
        crate::http::PhotoLimits {
            max_photo_bytes: usize::try_from(self.max_photo_bytes).unwrap_or(usize::MAX),
            max_per_board: self.max_photos_per_board,
            max_storage_bytes: self.max_photo_storage_bytes,
        }
    }

    /// The per-address limits of `http::throttle`.
    pub fn rates(&self) -> Rates {
        Rates {
            board_creation: Rate {
                per_minute: self.board_creations_per_minute,
                burst: self.board_creation_burst,
            },
            join: Rate {
                per_minute: self.joins_per_minute,
                burst: self.join_burst,
            },
            code_lookup: Rate {
                per_minute: self.code_lookups_per_minute,
                burst: self.code_lookup_burst,
            },
        }
    }

    /// How a request's client is found.
    pub fn client_address(&self) -> ClientAddress {
        ClientAddress {
            trusted_proxies: self.trusted_proxies.clone().unwrap_or_default(),
            header: self.forwarded_header,
        }
    }

    pub fn room_settings(&self) -> RoomSettings {
        RoomSettings {
            max_document_bytes: self.max_document_bytes,
            max_connections_per_board: self.max_connections_per_board,
            idle_room: Duration::from_secs(self.idle_room_seconds),
            compact_after_updates: self.compact_after_updates.max(1),
            outbox: crate::room::outbox_limits(self.max_document_bytes, self.max_frame_bytes),
            awareness_timeout: Duration::from_secs(self.awareness_timeout_seconds),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BackupConfig {
    /// Directory of the database to back up.
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// File to write; must not exist yet.
    #[arg(long, env = "KARTENWAND_BACKUP_TO")]
    pub to: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ExportConfig {
    /// Directory of the database.
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Id of the board to export.
    #[arg(long, env = "KARTENWAND_EXPORT_BOARD")]
    pub board: String,

    /// md, html, pdf, docx, csv or json.
    #[arg(long, env = "KARTENWAND_EXPORT_FORMAT", value_parser = ["md", "html", "pdf", "docx", "csv", "json"])]
    pub format: String,

    /// File to write; default: standard output.
    #[arg(long, env = "KARTENWAND_EXPORT_OUT")]
    pub out: Option<PathBuf>,

    /// Leave the authors of cards and agreements out.
    #[arg(long, env = "KARTENWAND_EXPORT_WITHOUT_AUTHORS")]
    pub without_authors: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportConfig {
    /// Directory of the database; created if missing.
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// A JSON export (`kartenwand export --format json`).
    #[arg(long, env = "KARTENWAND_IMPORT_FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreConfig {
    /// Directory of the database to replace; created if missing.
    #[arg(long, env = "KARTENWAND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// A backup written by `kartenwand backup`.
    #[arg(long, env = "KARTENWAND_RESTORE_FROM")]
    pub from: PathBuf,
}

pub const DATABASE_FILE: &str = "kartenwand.db";

/// `--database-url`: a `postgres://` or `postgresql://` URL that
/// tokio-postgres can read (whether the database answers is found out at
/// start). The error never repeats the value, which may hold a password.
fn database_url(value: &str) -> Result<DatabaseUrl, String> {
    let scheme = value.starts_with("postgres://") || value.starts_with("postgresql://");
    if scheme && value.parse::<tokio_postgres::Config>().is_ok() {
        Ok(DatabaseUrl::new(value))
    } else {
        Err("not a PostgreSQL URL (postgres://USER@HOST:PORT/DB)".to_owned())
    }
}

/// The store of a data directory: the SQLite file [`DATABASE_FILE`] in it.
pub fn store_in(data_dir: &Path, synchronous: Synchronous) -> StoreConfig {
    StoreConfig::Sqlite {
        path: data_dir.join(DATABASE_FILE),
        synchronous,
    }
}

impl BackupConfig {
    pub fn store(&self) -> StoreConfig {
        store_in(&self.data_dir, Synchronous::Normal)
    }
}

impl ExportConfig {
    pub fn store(&self) -> StoreConfig {
        store_in(&self.data_dir, Synchronous::Normal)
    }
}

impl ImportConfig {
    pub fn store(&self) -> StoreConfig {
        store_in(&self.data_dir, Synchronous::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> Result<ServeConfig, clap::Error> {
        let mut argv = vec!["kartenwand", "serve"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv)?.command {
            Command::Serve(config) => Ok(config),
            _ => unreachable!("parsed as serve"),
        }
    }

    #[test]
    fn defaults_parse_and_every_number_flag_has_a_range() {
        let config = serve(&[]).expect("defaults are valid");
        assert_eq!(config.ping_seconds, 30);
        assert_eq!(config.max_connections, 20_000);
        let huge = "18446744073709551615";
        for flag in [
            "--max-frame-bytes",
            "--max-document-bytes",
            "--max-connections",
            "--max-connections-per-board",
            "--messages-per-second",
            "--message-burst",
            "--idle-room-seconds",
            "--compact-after-updates",
            "--ping-seconds",
            "--awareness-timeout-seconds",
            "--max-open-connections",
            "--header-read-seconds",
            "--body-read-seconds",
            "--board-creations-per-minute",
            "--board-creation-burst",
            "--joins-per-minute",
            "--join-burst",
            "--code-lookups-per-minute",
            "--code-lookup-burst",
        ] {
            for value in ["0", huge] {
                let error = serve(&[flag, value]).expect_err("out of range");
                assert_eq!(
                    error.kind(),
                    clap::error::ErrorKind::ValueValidation,
                    "{flag} {value}"
                );
            }
        }
        let config = serve(&["--ping-seconds", "86400", "--max-connections", "10000000"])
            .expect("the largest values are valid");
        assert_eq!(config.ping_seconds, 86_400);
        assert_eq!(config.max_open_connections(), 10_001_024);
    }

    #[test]
    fn trusted_proxies_are_a_list_of_networks() {
        let config =
            serve(&["--trusted-proxies", "127.0.0.1, 10.0.0.0/8,fd00::/8"]).expect("valid");
        let proxies = config.client_address().trusted_proxies;
        assert!(proxies.contains("10.2.3.4".parse().expect("an address")));
        assert!(!proxies.contains("::1".parse().expect("an address")));
        assert!(serve(&[]).expect("defaults").trusted_proxies.is_none());
        let error = serve(&["--trusted-proxies", "10.0.0.0/40"]).expect_err("invalid");
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }

    #[test]
    fn a_database_url_picks_postgresql_and_is_shown_without_its_password() {
        assert!(matches!(
            serve(&[]).expect("defaults").store(),
            StoreConfig::Sqlite { .. }
        ));
        let config = serve(&[
            "--database-url",
            "postgres://kartenwand:secret@db.example:5433/boards",
        ])
        .expect("valid");
        let store = config.store();
        assert!(matches!(store, StoreConfig::Postgres { .. }));
        assert_eq!(
            store.to_string(),
            "PostgreSQL database db.example:5433/boards"
        );
        assert!(!format!("{store:?} {config:?}").contains("secret"));
        for wrong in [
            "mysql://db/boards",
            "db.example:5432",
            "postgres://db:port/x",
        ] {
            let error = serve(&["--database-url", wrong]).expect_err(wrong);
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
        }
    }

    #[test]
    fn the_configuration_file_sets_the_database_url_and_check_hides_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kartenwand.toml");
        std::fs::write(&path, "database-url = \"postgres://k:secret@db/k\"\n").expect("write");
        let text = file::check(&path, &[]).expect("valid");
        assert!(
            text.contains("database-url # set, hidden  # file"),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }
}
