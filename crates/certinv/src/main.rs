//! certinv: a thin binary over `certinv-core` (pure logic) and `certinv-aws`
//! (discovery). It parses arguments, runs one command, and maps the outcome
//! to a documented exit code.

mod cli;
mod commands;
mod exit;
mod plan;
mod progress;

use std::process::ExitCode;

use certinv_core::report::View;
use clap::Parser;

use crate::cli::{Cli, Command, CoordCommand};

/// The SDK's signing and HTTP crates print signed headers at `trace`, so they
/// are capped at `debug` whatever `RUST_LOG` asks for.
const CAPPED_AT_DEBUG: &[&str] = &[
    "aws_sigv4",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_smithy_http",
    "aws_config",
    "aws_credential_types",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
];

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::filter::LevelFilter;
    let mut filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::WARN.into())
        .from_env_lossy();
    if filter.max_level_hint() == Some(LevelFilter::TRACE) {
        for target in CAPPED_AT_DEBUG {
            if let Ok(d) = format!("{target}=debug").parse() {
                filter = filter.add_directive(d);
            }
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Resolves on SIGINT or SIGTERM with the shell's exit code for it.
async fn interrupted() -> u8 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => exit::INTERRUPTED,
            _ = term.recv() => exit::TERMINATED,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        exit::INTERRUPTED
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::UNREADABLE);
        }
    };
    let result = runtime.block_on(async {
        let work = async {
            match cli.command {
                Command::Inventory(args) => commands::report::run(View::Inventory, args).await,
                Command::Expiring { days, args } => {
                    commands::report::run(View::Expiring { days }, args).await
                }
                Command::Triage {
                    by,
                    owner_tag,
                    args,
                } => {
                    let grouping = by.map(|by| commands::report::Grouping { by, owner_tag });
                    commands::report::run_grouped(View::Triage, args, grouping).await
                }
                Command::Pipeline(args) => commands::pipeline::run(args).await,
                Command::Verify { run_dir, pubkey } => {
                    commands::verify::run(&run_dir, pubkey.as_deref())
                }
                Command::Keygen { out } => commands::keys::keygen(&out),
                Command::Trend { certs_dir, output } => commands::trend::run(&certs_dir, output),
                Command::Completions { shell } => commands::shell::completions(shell),
                Command::Man => commands::shell::man(),
                Command::Locate { query, args } => commands::locate::run(&query, args).await,
                Command::Diff {
                    run_a,
                    run_b,
                    output,
                } => commands::diff::run(&run_a, &run_b, output),
                Command::Coord(CoordCommand::Sign {
                    project,
                    role,
                    by,
                    criteria,
                    evidence_dir,
                }) => {
                    commands::coord::sign(&project, role, &by, criteria.as_deref(), &evidence_dir)
                }
            }
        };
        // Dropping `work` cancels every AWS call in flight. Files are only
        // ever written synchronously between awaits, so a cancelled run can
        // leave no half-written file; an unsealed pack stays `.partial`.
        tokio::select! {
            result = work => result,
            code = interrupted() => Err(commands::report::Failure {
                code,
                message: "interrupted; no evidence pack was sealed by this run".into(),
            }),
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
