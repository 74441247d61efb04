use anyhow::Context;
use clap::Parser;
use kartenwand::config::{Cli, Command};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
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
