//! The configuration file of `serve --config FILE` (or
//! `KARTENWAND_CONFIG`): TOML, one top-level key per `serve` flag, spelled
//! as the flag's long name (`max-frame-bytes = 1048576`).
//!
//! There is no list of keys here: the keys are whatever `serve` flags clap
//! knows, so a new flag is a new key. A file value becomes that flag's
//! default before the real parse, which gives the order flags >
//! environment > file > built-in default for free (clap reads a flag's
//! environment variable only when the flag is absent, and its default only
//! when both are). Each value is checked first, with the flag's own value
//! parser, so a wrong one is reported with its key and line rather than as
//! a flag the operator never typed.

use super::Cli;
#[cfg(test)]
use super::Command as CliCommand;
use clap::builder::{RangedI64ValueParser, RangedU64ValueParser, ValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// The subcommand whose flags the file sets.
const SERVE: &str = "serve";

/// `serve` flags the file cannot set: the file's own path, and clap's.
const NOT_IN_FILE: [&str; 3] = ["config", "help", "version"];

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The command line itself (or an environment variable) is wrong;
    /// clap prints it with usage.
    #[error(transparent)]
    Arguments(#[from] clap::Error),
    #[error("cannot read configuration file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}, line {line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}, line {line}: unknown key `{key}` (keys are the long names of `kartenwand serve --help`)", path.display())]
    UnknownKey {
        path: PathBuf,
        key: String,
        line: usize,
    },
    #[error("{}, line {line}: `{key}` must be {expected}, not {found}", path.display())]
    WrongType {
        path: PathBuf,
        key: String,
        line: usize,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{}, line {line}: `{key}`: {message}", path.display())]
    InvalidValue {
        path: PathBuf,
        key: String,
        line: usize,
        message: String,
    },
}

/// Parses the process's arguments, with the configuration file if `serve`
/// names one.
pub fn load() -> Result<Cli, FileError> {
    load_from(std::env::args_os())
}

/// [`load`] for the given arguments (the first is the program name).
pub fn load_from(args: impl IntoIterator<Item = impl Into<OsString>>) -> Result<Cli, FileError> {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let first = Cli::command().try_get_matches_from(&args)?;
    let Some((SERVE, serve)) = first.subcommand() else {
        return Ok(Cli::from_arg_matches(&first)?);
    };
    let Some(path) = serve.get_one::<PathBuf>("config").cloned() else {
        return Ok(Cli::from_arg_matches(&first)?);
    };
    let (matches, _) = with_file(&args, &path)?;
    Ok(Cli::from_arg_matches(&matches)?)
}

/// What `kartenwand config check FILE [-- FLAGS]` prints: every `serve`
/// setting as a TOML line, with where its value came from. Secrets (flags
/// whose environment values `--help` hides) show only whether they are set.
pub fn check(file: &Path, serve_flags: &[OsString]) -> Result<String, FileError> {
    let mut args: Vec<OsString> = vec!["kartenwand".into(), SERVE.into(), "--config".into()];
    args.push(file.into());
    args.extend(serve_flags.iter().cloned());
    let (matches, from_file) = with_file(&args, file)?;
    let command = Cli::command();
    let (Some(serve_command), Some(serve)) = (
        command.find_subcommand(SERVE),
        matches.subcommand_matches(SERVE),
    ) else {
        unreachable!("the arguments name serve");
    };
    let mut out = String::new();
    for arg in settable(serve_command) {
        let id = arg.get_id().as_str();
        let value = serve
            .get_raw(id)
            .and_then(|mut values| values.next())
            .map(|value| value.to_string_lossy().into_owned());
        let source = match serve.value_source(id) {
            Some(ValueSource::CommandLine) => "flag",
            Some(ValueSource::EnvVariable) => "environment",
            Some(_) if from_file.contains(id) => "file",
            _ => "default",
        };
        let shown = match value {
            None => "# not set".to_owned(),
            Some(_) if is_secret(arg) => "# set, hidden".to_owned(),
            Some(value) => match Kind::of(arg) {
                Kind::String => format!("= {}", quoted(&value)),
                Kind::Integer | Kind::Boolean => format!("= {value}"),
            },
        };
        let _ = writeln!(out, "{} {shown}  # {source}", long_name(arg));
    }
    Ok(out)
}

/// Parses `args` again with the file's values as the `serve` flags'
/// defaults. Returns the matches and which flag ids the file set.
fn with_file(args: &[OsString], path: &Path) -> Result<(ArgMatches, BTreeSet<String>), FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let values = values(&text, path)?;
    let mut from_file = BTreeSet::new();
    let mut command = Cli::command();
    for (id, value) in values {
        from_file.insert(id.clone());
        command = command.mut_subcommand(SERVE, |serve| {
            serve.mut_arg(&id, |arg| arg.default_value(value))
        });
    }
    Ok((command.try_get_matches_from(args)?, from_file))
}

/// The file's settings as (flag id, value in the flag's spelling), each
/// checked against its flag.
fn values(text: &str, path: &Path) -> Result<Vec<(String, String)>, FileError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let table = DeTable::parse(text).map_err(|error| FileError::Syntax {
        path: path.to_owned(),
        line: error.span().map_or(1, |span| line_of(span.start)),
        message: error.message().to_owned(),
    })?;
    let command = Cli::command();
    let Some(serve) = command.find_subcommand(SERVE) else {
        unreachable!("Cli has a serve subcommand");
    };
    let mut values = Vec::new();
    for (key, value) in table.get_ref() {
        let line = line_of(key.span().start);
        let key = key.get_ref().as_ref();
        let Some(arg) = settable(serve).find(|arg| arg.get_long() == Some(key)) else {
            return Err(FileError::UnknownKey {
                path: path.to_owned(),
                key: key.to_owned(),
                line,
            });
        };
        let kind = Kind::of(arg);
        let text = match (kind, value.get_ref()) {
            (Kind::String, DeValue::String(text)) => text.to_string(),
            (Kind::Boolean, DeValue::Boolean(flag)) => flag.to_string(),
            (Kind::Integer, DeValue::Integer(integer)) => {
                i128::from_str_radix(integer.as_str(), integer.radix())
                    .map_err(|error| FileError::InvalidValue {
                        path: path.to_owned(),
                        key: key.to_owned(),
                        line,
                        message: error.to_string(),
                    })?
                    .to_string()
            }
            (kind, found) => {
                return Err(FileError::WrongType {
                    path: path.to_owned(),
                    key: key.to_owned(),
                    line,
                    expected: kind.expected(),
                    found: found.type_str(),
                });
            }
        };
        if kind != Kind::Boolean {
            check_value(arg, &text).map_err(|message| FileError::InvalidValue {
                path: path.to_owned(),
                key: key.to_owned(),
                line,
                message,
            })?;
        }
        values.push((arg.get_id().as_str().to_owned(), text));
    }
    Ok(values)
}

/// Runs the flag's own value parser (ranges, enums, addresses) on `value`,
/// in a command of that one flag without its environment variable.
fn check_value(arg: &Arg, value: &str) -> Result<(), String> {
    let long = long_name(arg);
    let alone = clap::Command::new(SERVE).no_binary_name(true).arg(
        arg.clone()
            .env(None::<&'static str>)
            .default_value(None::<&'static str>)
            .required(false),
    );
    alone
        .try_get_matches_from([format!("--{long}"), value.to_owned()])
        .map(|_| ())
        .map_err(|error| {
            let text = error.to_string();
            let first = text.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_owned()
        })
}

/// The `serve` flags a file may set: every one with a long name but the
/// file's own and clap's.
fn settable(serve: &clap::Command) -> impl Iterator<Item = &Arg> {
    serve.get_arguments().filter(|arg| {
        arg.get_long()
            .is_some_and(|long| !NOT_IN_FILE.contains(&long))
    })
}

fn long_name(arg: &Arg) -> &str {
    arg.get_long().unwrap_or_else(|| arg.get_id().as_str())
}

/// A flag whose value `config check` must not print: one whose environment
/// value `--help` hides, or one named for a token.
fn is_secret(arg: &Arg) -> bool {
    arg.is_hide_env_values_set() || long_name(arg).contains("token")
}

/// What TOML type a flag's value takes in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An on/off flag (`--without-authors`).
    Boolean,
    /// A number flag (any integer value parser).
    Integer,
    /// Everything else: addresses, paths, URLs, choices.
    String,
}

impl Kind {
    fn of(arg: &Arg) -> Kind {
        if matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse) {
            return Kind::Boolean;
        }
        let id = arg.get_value_parser().type_id();
        let integers = [
            ValueParser::new(RangedU64ValueParser::<u16>::new()),
            ValueParser::new(RangedU64ValueParser::<u32>::new()),
            ValueParser::new(RangedU64ValueParser::<u64>::new()),
            ValueParser::new(RangedU64ValueParser::<usize>::new()),
            ValueParser::new(RangedI64ValueParser::<i64>::new()),
        ];
        if integers.iter().any(|parser| parser.type_id() == id) {
            Kind::Integer
        } else {
            Kind::String
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Boolean => "true or false",
            Kind::Integer => "an integer",
            Kind::String => "a string",
        }
    }
}

/// A TOML basic string: JSON's escapes are TOML's.
fn quoted(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServeConfig;

    fn serve_with(file: &str, flags: &[&str]) -> Result<ServeConfig, FileError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kartenwand.toml");
        std::fs::write(&path, file).expect("write");
        let mut args = vec![
            "kartenwand".to_owned(),
            "serve".to_owned(),
            "--config".to_owned(),
        ];
        args.push(path.display().to_string());
        args.extend(flags.iter().map(|flag| (*flag).to_owned()));
        match load_from(args)?.command {
            CliCommand::Serve(config) => Ok(config),
            _ => unreachable!("parsed as serve"),
        }
    }

    #[test]
    fn file_values_apply_and_flags_override_them() {
        let config = serve_with(
            "max-frame-bytes = 2048\nsqlite-synchronous = \"full\"\npublic-url = \"https://file.example\"\n",
            &["--public-url", "https://flag.example"],
        )
        .expect("valid");
        assert_eq!(config.max_frame_bytes, 2048);
        assert_eq!(config.sqlite_synchronous, crate::store::Synchronous::Full);
        assert_eq!(config.public_url.as_deref(), Some("https://flag.example"));
        assert_eq!(config.ping_seconds, 30, "untouched: the default");
    }

    #[test]
    fn unknown_keys_wrong_types_and_bad_values_name_key_and_line() {
        let cases = [
            (
                "\n\nmax-frame-byte = 2048\n",
                "line 3: unknown key `max-frame-byte`",
            ),
            (
                "ping-seconds = \"30\"\n",
                "line 1: `ping-seconds` must be an integer",
            ),
            (
                "\nlog-format = 1\n",
                "line 2: `log-format` must be a string",
            ),
            (
                "ping-seconds = 0\n",
                "line 1: `ping-seconds`: invalid value '0'",
            ),
            ("config = \"other.toml\"\n", "line 1: unknown key `config`"),
            ("[serve]\naddr = \"x\"\n", "line 1: unknown key `serve`"),
            ("addr = \n", "line 1:"),
        ];
        for (file, expected) in cases {
            let error = serve_with(file, &[]).expect_err(file).to_string();
            assert!(error.contains(expected), "{file:?}: {error}");
        }
    }

    #[test]
    fn check_names_sources_and_hides_nothing_it_need_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kartenwand.toml");
        std::fs::write(&path, "ping-seconds = 45\nmax-connections = 10\n").expect("write");
        let text = check(&path, &["--max-connections".into(), "20".into()]).expect("valid");
        assert!(text.contains("ping-seconds = 45  # file"), "{text}");
        assert!(text.contains("max-connections = 20  # flag"), "{text}");
        assert!(text.contains("log-format = \"text\"  # default"), "{text}");
        assert!(text.contains("public-url # not set  # default"), "{text}");
        assert!(!text.contains("\nconfig"), "{text}");
    }

    #[test]
    fn tokens_and_hidden_environment_values_are_secrets() {
        assert!(is_secret(&Arg::new("metrics_token").long("metrics-token")));
        assert!(is_secret(
            &Arg::new("password").long("password").hide_env_values(true)
        ));
        assert!(!is_secret(&Arg::new("addr").long("addr")));
    }
}
