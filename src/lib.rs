//! sfhook: webhooks the way Scalefusion's dashboard does them, from the
//! command line. The binary is a thin `main`; everything lives here.
//!
//! Data flows one way: `cli` → `commands` → domain modules (catalogue,
//! payload, signature, delivery, config, delivery log) → the outside world.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod delivery;
pub mod deliverylog;
pub mod endpoint;
pub mod error;
pub mod filter;
pub mod fsutil;
pub mod home;
pub mod ids;
pub mod output;
pub mod payload;
pub mod probe;
pub mod prompt;
pub mod receiver;
pub mod secret;
pub mod signature;
pub mod units;

use cli::{Cli, Command};
use context::Context;

/// Runs a parsed command line and returns the process's exit code. Errors
/// are printed here, once, as one line.
pub fn run(cli: Cli) -> u8 {
    let ctx = match Context::new(&cli.global) {
        Ok(ctx) => ctx,
        Err(err) => return report(&output::Output::detect(cli.global.color), &err),
    };
    let result =
        runtime_for(&cli.command).and_then(|rt| rt.block_on(commands::dispatch(&ctx, cli.command)));
    match result {
        Ok(()) => 0,
        Err(err) => report(&ctx.out, &err),
    }
}

fn report(out: &output::Output, err: &anyhow::Error) -> u8 {
    if output::is_broken_pipe(err) {
        return 0;
    }
    // One line, whatever the causes carry: user input with newlines, or a
    // library's multi-line message.
    let mut message = format!("{err:#}");
    if let Some(hint) = error::io_hint(err) {
        message.push_str("; ");
        message.push_str(hint);
    }
    let message: String = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    out.error(message.replace(|c: char| c.is_control(), " "));
    error::exit_code(err)
}

/// Commands that fire many requests or serve them get worker threads; the
/// rest run on the calling thread.
fn runtime_for(command: &Command) -> anyhow::Result<tokio::runtime::Runtime> {
    let mut builder = match command {
        Command::Listen(_) | Command::Demo => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    Ok(builder.enable_all().build()?)
}
