//! sfhook: webhooks the way Scalefusion's dashboard does them, from the
//! command line. The binary is a thin `main`; everything lives here.
//!
//! Data flows one way: `cli` → `commands` → domain modules (catalogue,
//! payload, signature, delivery, config, delivery log) → the outside world.

pub mod cli;
mod commands;
mod context;
pub mod core;
mod ui;

use cli::{Cli, Command};
use context::Context;

/// When the shell runs sfhook to complete a command line, answers it and
/// exits; otherwise returns at once. `main` calls it before parsing.
pub fn complete_if_asked() {
    ui::complete::answer_the_shell();
}

/// Runs a parsed command line and returns the process's exit code. Errors
/// are printed here, once, as one line.
pub fn run(cli: Cli) -> u8 {
    let ctx = match Context::new(&cli.global) {
        Ok(ctx) => ctx,
        Err(err) => return report(&ui::output::Output::detect(cli.global.color), &err),
    };
    let result = runtime_for(&cli.command).and_then(|rt| {
        let result = rt.block_on(commands::dispatch(&ctx, cli.command));
        // A name lookup abandoned at a timeout (--wait-for, doctor) may
        // still hold a blocking thread: exit without waiting for it.
        rt.shutdown_background();
        result
    });
    match result {
        Ok(()) => 0,
        Err(err) => report(&ctx.out, &err),
    }
}

fn report(out: &ui::output::Output, err: &anyhow::Error) -> u8 {
    if ui::output::is_broken_pipe(err) {
        return 0;
    }
    // One line, whatever the causes carry: user input with newlines, or a
    // library's multi-line message.
    let mut message = format!("{err:#}");
    if let Some(hint) = crate::core::error::io_hint(err) {
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
    exit_code(err)
}

/// The documented exit code for an error: its failure's kind, else 1.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    use crate::core::error::{Kind, kind_of};
    match kind_of(err) {
        None | Some(Kind::Broken) => 1,
        Some(Kind::CheckFailed) => 1,
        Some(Kind::Usage) => 2,
        Some(Kind::Rejected) => 3,
        Some(Kind::Unreachable) => 4,
        Some(Kind::Precondition) => 5,
        Some(Kind::Gate) => 6,
    }
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
        // A burst signs and sends on every core the machine has. Against a
        // receiver on the same two cores this costs throughput (BENCHMARKS.md);
        // against one elsewhere, signing no longer waits on a single core.
        Command::Mock(args) if args.is_burst() => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    Ok(builder.enable_all().build()?)
}
