//! The real binary on `127.0.0.1:0`: start, signal, restart on the same
//! data directory, read what it stored; and boards and joins through its
//! API.

use super::WAIT;
use super::doc::contains_bytes;
use super::http::{exchange, http_request};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// The database and its write-ahead log: everything the server stores.
const DATABASE_FILES: [&str; 2] = ["kartenwand.db", "kartenwand.db-wal"];

/// The binary under test. KARTENWAND_BIN: a copy of it, for when the
/// target directory is shared and may be rebuilt while tests run.
pub fn binary() -> PathBuf {
    std::env::var_os("KARTENWAND_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_kartenwand")))
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

/// The address a started `serve` (stdout piped) printed on its first line,
/// and that line.
pub async fn listening_address(child: &mut tokio::process::Child) -> (SocketAddr, String) {
    let stdout = child.stdout.take().expect("stdout is piped");
    let line = tokio::time::timeout(WAIT, BufReader::new(stdout).lines().next_line())
        .await
        .expect("server printed its address within the wait")
        .expect("stdout readable")
        .expect("server printed a line");
    let addr = line
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    (addr, line)
}

/// SIGTERM to a `serve` started with stderr piped; everything it wrote to
/// stderr once it exited.
pub async fn terminate_and_read_stderr(mut child: tokio::process::Child) -> String {
    let pid = child.id().expect("running");
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().expect("piped");
    tokio::time::timeout(WAIT, pipe.read_to_string(&mut stderr))
        .await
        .expect("stderr ends when the server exits")
        .expect("readable");
    tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("exits")
        .expect("wait");
    stderr
}

impl Server {
    /// Starts the binary on a fresh temporary data directory.
    pub async fn start(extra_args: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().to_owned();
        let mut server = Server::start_in(&dir, extra_args).await;
        server._temp = Some(temp);
        server
    }

    /// Starts the binary on an existing data directory.
    pub async fn start_in(data_dir: &Path, extra_args: &[&str]) -> Server {
        let rust_log = std::env::var("KARTENWAND_TEST_LOG").unwrap_or_else(|_| "warn".into());
        Server::spawn(data_dir, extra_args, &rust_log, Stdio::inherit()).await
    }

    /// Starts the binary on a fresh temporary data directory with
    /// `RUST_LOG=rust_log` and its stderr piped, for
    /// [`Server::terminate_and_read_log`].
    pub async fn start_logged(rust_log: &str) -> Server {
        Server::start_logged_with(rust_log, &[]).await
    }

    /// [`Server::start_logged`] with further flags.
    pub async fn start_logged_with(rust_log: &str, extra_args: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().to_owned();
        let mut server = Server::spawn(&dir, extra_args, rust_log, Stdio::piped()).await;
        server._temp = Some(temp);
        server
    }

    /// SIGTERM; everything the server (started with
    /// [`Server::start_logged`]) logged.
    pub async fn terminate_and_read_log(self) -> String {
        terminate_and_read_stderr(self.child).await
    }

    async fn spawn(data_dir: &Path, extra_args: &[&str], rust_log: &str, stderr: Stdio) -> Server {
        let mut child = Command::new(binary())
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra_args)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("the kartenwand binary starts");
        let (addr, _) = listening_address(&mut child).await;
        Server {
            child,
            addr,
            data_dir: data_dir.to_owned(),
            _temp: None,
        }
    }

    /// Keeps the temporary directory alive past this server (for restarts).
    pub fn take_temp_dir(&mut self) -> Option<tempfile::TempDir> {
        self._temp.take()
    }

    pub fn ws_url(&self, board: &str, token: &str) -> String {
        format!("ws://{}/ws/{board}?token={token}", self.addr)
    }

    /// SIGKILL: no chance to flush anything.
    pub async fn kill(mut self) -> Option<tempfile::TempDir> {
        self.child.kill().await.expect("kill");
        self._temp.take()
    }

    /// SIGKILL, then a new server on the same data directory: what it
    /// serves is exactly what was stored.
    pub async fn restart(self, extra_args: &[&str]) -> Server {
        let data_dir = self.data_dir.clone();
        let temp = self.kill().await;
        let mut server = Server::start_in(&data_dir, extra_args).await;
        server._temp = temp;
        server
    }

    /// Whether these bytes appear in the database file or its write-ahead
    /// log.
    pub fn stores(&self, text: impl AsRef<[u8]>) -> bool {
        DATABASE_FILES.iter().any(|name| {
            let stored = std::fs::read(self.data_dir.join(name)).unwrap_or_default();
            contains_bytes(&stored, text.as_ref())
        })
    }

    /// Bytes of the database and its write-ahead log.
    pub fn stored_bytes(&self) -> u64 {
        DATABASE_FILES
            .iter()
            .filter_map(|name| std::fs::metadata(self.data_dir.join(name)).ok())
            .map(|metadata| metadata.len())
            .sum()
    }

    /// The process's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        let pid = self.child.id().expect("running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }

    /// Sends a signal (`"TERM"`, `"KILL"`) to the process.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("running");
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {pid}");
    }

    /// Waits for the process to exit; panics after `limit`.
    pub async fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("the server did not exit within {limit:?}"))
            .expect("wait")
    }

    /// Waits for the server (started with [`Server::start_logged`]) to end
    /// by itself within `limit`: its exit status and everything it logged.
    pub async fn exit_and_read_log(
        mut self,
        limit: Duration,
    ) -> (std::process::ExitStatus, String) {
        let mut stderr = String::new();
        let mut pipe = self.child.stderr.take().expect("piped");
        tokio::time::timeout(limit, pipe.read_to_string(&mut stderr))
            .await
            .unwrap_or_else(|_| panic!("the server did not end within {limit:?}"))
            .expect("readable");
        (self.wait_exit(limit).await, stderr)
    }

    /// SIGTERM, then wait for a clean exit.
    pub async fn terminate(self) -> (std::process::ExitStatus, Option<tempfile::TempDir>) {
        self.terminate_within(Duration::from_secs(10)).await
    }

    /// SIGTERM; panics unless the process exits within `limit`.
    pub async fn terminate_within(
        mut self,
        limit: Duration,
    ) -> (std::process::ExitStatus, Option<tempfile::TempDir>) {
        self.signal("TERM");
        let exit = self.wait_exit(limit).await;
        (exit, self._temp.take())
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        http_request(self.addr, method, path, body).await
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> (u16, String) {
        let raw = format!(
            "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let response = exchange(self.addr, raw.as_bytes()).await;
        let text = String::from_utf8_lossy(&response).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    pub async fn create_board(&self, title: &str) -> Board {
        let (status, body) = self
            .request(
                "POST",
                "/api/boards",
                Some(&serde_json::json!({"title": title, "district": "Sandow"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Board {
            id: body["board"].as_str().expect("board").to_owned(),
            moderator_token: body["moderator_token"].as_str().expect("token").to_owned(),
            viewer_token: body["viewer_token"].as_str().expect("viewer").to_owned(),
            join_code: body["join_code"].as_str().expect("code").to_owned(),
        }
    }

    /// Joins as a participant; returns (participant id, token).
    pub async fn join(&self, board: &Board, name: &str) -> (String, String) {
        let (status, body) = self
            .request(
                "POST",
                &format!("/api/boards/{}/join", board.id),
                Some(&serde_json::json!({
                    "join_code": board.join_code, "name": name,
                    "organisation": "Kita Sonnenschein", "sector": "stadtteil"
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        (
            body["participant_id"].as_str().expect("id").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Board {
    pub id: String,
    pub moderator_token: String,
    pub viewer_token: String,
    pub join_code: String,
}

/// The binary run once with `args` (a command that is not `serve`), with
/// warnings only in its log.
pub fn kartenwand(args: &[&str]) -> std::process::Output {
    std::process::Command::new(binary())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the kartenwand binary runs")
}

/// `kartenwand import` of `file` into `data_dir`, which must succeed; the
/// moderator token it prints.
pub fn import(data_dir: &Path, file: &Path) -> String {
    let imported = kartenwand(&[
        "import",
        "--data-dir",
        data_dir.to_str().expect("path"),
        "--file",
        file.to_str().expect("path"),
    ]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    String::from_utf8(imported.stdout)
        .expect("UTF-8")
        .lines()
        .find_map(|line| line.strip_prefix("moderator_token ").map(str::to_owned))
        .expect("the moderator token is printed")
}

/// Each board of a `POST /api/events` answer: its id and moderator token.
pub fn event_boards(created: &serde_json::Value) -> Vec<(String, String)> {
    created["boards"]
        .as_array()
        .expect("boards")
        .iter()
        .map(|b| {
            (
                b["board"].as_str().expect("board").to_owned(),
                b["moderator_token"].as_str().expect("token").to_owned(),
            )
        })
        .collect()
}
