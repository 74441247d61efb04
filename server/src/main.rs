use anyhow::Context;
use kartenwand::config::file::FileError;
use kartenwand::config::{Command, ConfigCommand, LogFormat, OrganiserCommand};
use tokio_util::sync::CancellationToken;

/// glibc's malloc raises its mmap threshold each time a large block is
/// freed, up to 32 MiB; afterwards the big buffers (a sync answer as large
/// as a board, an export) come from its arenas and their memory stays with
/// the process once freed: 230 to 300 MiB after unread connections on a
/// 10 MiB board had gone, against 35 MiB with the threshold fixed at its
/// initial 128 KiB (docs/benchmarks.md, "Abuse"). glibc reads the setting
/// from the environment at start only, so the server starts itself again
/// with it set, unless the operator set it (to anything) already. Other C
/// libraries ignore the variable.
const MMAP_THRESHOLD_VARIABLE: &str = "MALLOC_MMAP_THRESHOLD_";
const MMAP_THRESHOLD: &str = "131072";

fn main() -> anyhow::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os(MMAP_THRESHOLD_VARIABLE).is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            // Returns only if the new image could not be started: then this
            // one carries on with the default.
            let _ = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(MMAP_THRESHOLD_VARIABLE, MMAP_THRESHOLD)
                .exec();
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = match kartenwand::config::file::load() {
        Ok(cli) => cli,
        // Usage errors and --help print as clap prints them.
        Err(FileError::Arguments(error)) => error.exit(),
        Err(error) => return Err(error.into()),
    };
    let log_format = match &cli.command {
        Command::Serve(config) => config.log_format,
        _ => LogFormat::Text,
    };
    kartenwand::logging::init(log_format);
    match cli.command {
        Command::Serve(config) => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            let address = listener.local_addr()?;
            // Tests and scripts read the chosen port from this line.
            println!("kartenwand listening on http://{address}");
            let shutdown = CancellationToken::new();
            tokio::spawn(cancel_on_signal(shutdown.clone()));
            kartenwand::serve(config, listener, shutdown).await
        }
        Command::Backup(config) => {
            kartenwand::commands::backup(&config)?;
            println!("backup written to {}", config.to.display());
            Ok(())
        }
        Command::Restore(config) => {
            kartenwand::commands::restore(&config)?;
            println!(
                "{} restored into {}",
                config.from.display(),
                config.data_dir.display()
            );
            Ok(())
        }
        Command::Export(config) => Ok(kartenwand::commands::export_board(&config)?),
        Command::Import(config) => {
            let imported = kartenwand::commands::import_board(&config).await?;
            // The tokens exist only here: they are stored hashed.
            println!("board {} imported", imported.board);
            println!("moderator_token {}", imported.moderator_token);
            println!("viewer_token {}", imported.viewer_token);
            println!("join_code {}", imported.join_code);
            Ok(())
        }
        Command::Organiser(OrganiserCommand::Add(config)) => {
            let secret = match std::env::var("KARTENWAND_ORGANISER_PASSWORD") {
                Ok(secret) => secret,
                Err(_) => {
                    eprintln!("password (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let email = kartenwand::commands::add_organiser(&config, &secret)?;
            println!("organiser {email} added");
            Ok(())
        }
        Command::Config(ConfigCommand::Check { file, serve_flags }) => {
            print!("{}", kartenwand::config::file::check(&file, &serve_flags)?);
            Ok(())
        }
    }
}
/// Cancels `shutdown` on SIGINT or SIGTERM.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    shutdown.cancel();
}
