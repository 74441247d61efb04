//! The configuration file: `kartenwand config check` prints what `serve
//! --config FILE` would use, in the order flags > environment > file >
//! defaults; bad files are refused with the key and its line; `serve`
//! really reads the file; the example file in `deploy/` states the
//! defaults and names every key.

use crate::common::http::http_request;
use crate::common::server::{binary, listening_address};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/kartenwand.example.toml"
);

/// `kartenwand config check FILE -- FLAGS` with only the given `KARTENWAND_`
/// variables set.
fn check(file: &Path, env: &[(&str, &str)], flags: &[&str]) -> Output {
    let mut command = std::process::Command::new(binary());
    command.args(["config", "check"]).arg(file);
    if !flags.is_empty() {
        command.arg("--").args(flags);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("KARTENWAND_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("the binary runs")
}

/// `key → (value, source)` from `config check`'s lines `key = value  # source`
/// (or `key # not set  # source`).
fn settings(output: &Output) -> BTreeMap<String, (String, String)> {
    assert!(
        output.status.success(),
        "config check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let (setting, source) = line.rsplit_once("  # ").expect("a source");
            let (key, value) = setting
                .split_once(" = ")
                .or_else(|| setting.split_once(' '))
                .expect("key and value");
            (key.to_owned(), (value.to_owned(), source.to_owned()))
        })
        .collect()
}

fn write(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("kartenwand.toml");
    std::fs::write(&path, text).expect("write the file");
    path
}

#[test]
fn the_example_file_states_the_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let defaults = settings(&check(&write(dir.path(), ""), &[], &[]));
    let example = settings(&check(Path::new(EXAMPLE), &[], &[]));
    let text = std::fs::read_to_string(EXAMPLE).expect("the example");
    assert!(defaults.len() >= 15, "{defaults:?}");
    for (key, (value, _)) in &defaults {
        assert!(
            text.contains(&format!("\n{key} = ")) || text.contains(&format!("\n# {key} = ")),
            "the example file does not name `{key}`"
        );
        assert_eq!(
            &example[key].0, value,
            "the example's `{key}` is not the default"
        );
    }
    assert_eq!(
        example["max-frame-bytes"],
        ("1048576".into(), "file".into())
    );
    assert_eq!(example["public-url"].1, "default", "commented out");
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(
        dir.path(),
        "ping-seconds = 45\nmax-connections = 10\nmessage-burst = 7\nsqlite-synchronous = \"full\"\n",
    );
    let effective = settings(&check(
        &file,
        &[
            ("KARTENWAND_MAX_CONNECTIONS", "11"),
            ("KARTENWAND_MESSAGE_BURST", "8"),
        ],
        &["--message-burst", "9"],
    ));
    let expect = |key: &str, value: &str, source: &str| {
        assert_eq!(
            effective[key],
            (value.to_owned(), source.to_owned()),
            "{key}"
        );
    };
    expect("ping-seconds", "45", "file");
    expect("sqlite-synchronous", "\"full\"", "file");
    expect("max-connections", "11", "environment");
    expect("message-burst", "9", "flag");
    expect("idle-room-seconds", "30", "default");
}

#[test]
fn bad_files_are_refused_with_the_key_and_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "ping-seconds = 45\n\n# a comment\nmax-frame-byte = 2048\n",
            "line 4: unknown key `max-frame-byte`",
        ),
        (
            "ping-seconds = 45\nmax_frame_bytes = 2048\n",
            "line 2: unknown key `max_frame_bytes`",
        ),
        (
            "\nmax-connections = \"many\"\n",
            "line 2: `max-connections` must be an integer, not string",
        ),
        (
            "addr = 8080\n",
            "line 1: `addr` must be a string, not integer",
        ),
        ("ping-seconds = 45\nping-seconds = 0\n", "line 2"),
        (
            "max-frame-bytes = 12\n",
            "line 1: `max-frame-bytes`: invalid value '12'",
        ),
        (
            "sqlite-synchronous = \"sometimes\"\n",
            "line 1: `sqlite-synchronous`: invalid value 'sometimes'",
        ),
    ];
    for (text, expected) in cases {
        let file = write(dir.path(), text);
        let output = check(&file, &[], &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{text:?} was accepted");
        assert!(
            stderr.contains(expected) && stderr.contains("kartenwand.toml"),
            "{text:?}: {stderr}"
        );
    }
    let missing = check(&dir.path().join("missing.toml"), &[], &[]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read configuration file"));
}

/// `serve` itself reads the file (named in `KARTENWAND_CONFIG`), and a flag
/// still wins over it.
#[tokio::test]
async fn serve_uses_the_file_named_in_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("from-file");
    let file = write(
        dir.path(),
        &format!(
            "addr = \"127.0.0.1:1\"\ndata-dir = {}\n",
            serde_json::to_string(&data.to_string_lossy()).expect("quoted")
        ),
    );
    let mut child = tokio::process::Command::new(binary())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("KARTENWAND_CONFIG", &file)
        .env_remove("KARTENWAND_DATA_DIR")
        .env_remove("KARTENWAND_ADDR")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let (addr, line) = listening_address(&mut child).await;
    assert!(
        line.starts_with("kartenwand listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(!line.ends_with(":1"), "the flag's port 0 wins: {line}");
    // Answered only once the store is open.
    let (status, _) = http_request(addr, "GET", "/healthz", None).await;
    assert_eq!(status, 200);
    assert!(
        data.join("kartenwand.db").exists(),
        "the file's data-dir is used"
    );
    child.kill().await.expect("kill");
}
