//! A real PostgreSQL server for the tests, started once per test process
//! and gone with it. The store's contract tests (`server/src/store/postgres/`)
//! and the system tests (`tests/system/postgres.rs`) include this file with
//! `#[path]`; it needs nothing but the standard library and PostgreSQL's
//! own programs.
//!
//! The server runs in a temporary directory on a free loopback port, with
//! `fsync=off` (a test's data does not need to survive a power loss).
//! Debian's `initdb` refuses to run as root, so as root the server runs as
//! the `postgres` user (`runuser`). It is started by a small shell that
//! stops it and removes its directory when its standard input closes: the
//! write end is held by this process and closes when it ends, however it
//! ends, so no server outlives `cargo test`.
//!
//! Without PostgreSQL the tests fail (never skip) and say how to install it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The running server of this test process.
pub struct Server {
    bin: PathBuf,
    pub port: u16,
    /// The shell that stops the server at the end of its standard input,
    /// which this process holds open (`Child::stdin`) until it ends.
    _keeper: Mutex<Child>,
}

/// A database of its own for one test; dropped (with any connection still
/// open to it) when the guard goes.
pub struct Database {
    pub name: String,
    /// `postgres://postgres@127.0.0.1:PORT/NAME`.
    pub url: String,
}

/// The server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(start)
}

/// A new, empty database on [`server`].
pub fn database() -> Database {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = server();
    let name = format!(
        "kartenwand_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    server.client_program("createdb", &[&name]);
    Database {
        url: format!("postgres://postgres@127.0.0.1:{}/{name}", server.port),
        name,
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Never a panic here: the guard also drops while a failed test
        // unwinds, and a second panic would abort the whole test process.
        if let Err(error) = server().try_client_program("dropdb", &["--force", &self.name]) {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

impl Server {
    /// Runs `psql` on database `database` with `sql`; its output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.client_program(
            "psql",
            &[
                "--no-psqlrc",
                "-qAt",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                database,
                "-c",
                sql,
            ],
        )
    }

    /// One of PostgreSQL's client programs against this server, as the
    /// `postgres` user; its output, or a panic with its error.
    fn client_program(&self, program: &str, args: &[&str]) -> String {
        self.try_client_program(program, args)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    fn try_client_program(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let port = self.port.to_string();
        let output = Command::new(self.bin.join(program))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres"])
            .args(args)
            .output()
            .map_err(|error| format!("cannot run {program}: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "{program} {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// The newest installed PostgreSQL's programs (Debian's layout).
fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .and_then(|version| version.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): \
             install postgresql: apt-get install postgresql"
        )
    })
}

/// Runs `sh -c script` with `args` ($1, $2, ...), as `postgres` when this
/// process is root.
fn as_server_user(script: &str, args: &[&str]) -> Command {
    let mut command = if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", "sh"]);
        command
    } else {
        Command::new("sh")
    };
    command.args(["-c", script, "sh"]).args(args);
    command
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

fn start() -> Server {
    let bin = bin_dir();
    let dir = std::env::temp_dir().join(format!("kartenwand-postgres-{}", std::process::id()));
    // A killed run of the same process id may have left one behind.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory for PostgreSQL");
    let dir_text = dir
        .to_str()
        .expect("a UTF-8 temporary directory")
        .to_owned();
    let bin_text = bin.to_str().expect("a UTF-8 path").to_owned();
    // The server's user owns its directory (as root: hand it over).
    if is_root() {
        let chown = Command::new("chown")
            .args(["postgres:postgres", &dir_text])
            .status();
        assert!(
            chown.is_ok_and(|status| status.success()),
            "chown {dir_text}"
        );
    }
    let initdb = as_server_user(
        r#""$1/initdb" -D "$2/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$2/initdb.log" 2>&1"#,
        &[&bin_text, &dir_text],
    )
    .status()
    .expect("runs initdb");
    assert!(
        initdb.success(),
        "initdb failed; see {}/initdb.log",
        dir.display()
    );
    let port = free_port();
    let keeper = as_server_user(
        r#""$1/postgres" -D "$2/data" -p "$3" -k "$2" -c listen_addresses=127.0.0.1 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=200 >"$2/server.log" 2>&1 &
           server=$!
           read _ignored
           kill -INT "$server"; wait "$server"; rm -rf "$2""#,
        &[&bin_text, &dir_text, &port.to_string()],
    )
    .stdin(Stdio::piped())
    .spawn()
    .expect("starts PostgreSQL");
    let server = Server {
        bin,
        port,
        _keeper: Mutex::new(keeper),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = Command::new(server.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "PostgreSQL did not start; see {}/server.log",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
