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
    out.error(ui::output::plain(&message));
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
        // As a shell reports a command that Ctrl-C ended.
        Some(Kind::Cancelled) => 130,
    }
}

/// Prints clap's usage error and exits as clap would (2), but never with
/// a value given to a secret flag: `--secret-stdin=VALUE` and
/// `--secret-stdin VALUE` are easy slips, and clap would echo VALUE, the
/// secret, to the terminal and to any CI log.
pub(crate) fn exit_on_usage_error(
    err: clap::Error,
    args: &[std::ffi::OsString],
    color: clap::ColorChoice,
) -> ! {
    let secrets = secret_values(args);
    if secrets.is_empty() || !err.use_stderr() {
        err.exit();
    }
    let mut text = err.render().ansi().to_string();
    for secret in &secrets {
        text = redact_quoted(&text, secret);
    }
    let choice = match color {
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    let mut stderr = anstream::AutoStream::new(std::io::stderr(), choice);
    let _ = std::io::Write::write_all(&mut stderr, text.as_bytes());
    let _ = std::io::Write::flush(&mut stderr);
    std::process::exit(err.exit_code());
}

/// `text` with every `'value'` (clap quotes each value it shows, perhaps
/// with colour inside the quotes) as `'<redacted>'`.
fn redact_quoted(text: &str, value: &str) -> String {
    fn strip_escapes_end(mut s: &str) -> &str {
        while s.ends_with('m') {
            match s.rfind("\x1b[") {
                Some(at)
                    if s[at + 2..s.len() - 1]
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b';') =>
                {
                    s = &s[..at]
                }
                _ => break,
            }
        }
        s
    }
    fn strip_escapes_start(mut s: &str) -> &str {
        while let Some(rest) = s.strip_prefix("\x1b[") {
            match rest.find('m') {
                Some(end) if rest[..end].bytes().all(|b| b.is_ascii_digit() || b == b';') => {
                    s = &rest[end + 1..]
                }
                _ => break,
            }
        }
        s
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(value) {
        let (before, after) = (&rest[..at], &rest[at + value.len()..]);
        let quoted = strip_escapes_end(&format!("{out}{before}")).ends_with('\'')
            && strip_escapes_start(after).starts_with('\'');
        out.push_str(before);
        out.push_str(if quoted { "<redacted>" } else { value });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// What the command line gives a flag that names a secret
/// (`--secret-stdin=VALUE`, `--generate-secret VALUE`, a mistyped
/// `--secret VALUE`): the value after `=`, or the next word if it is not a
/// flag.
fn secret_values(args: &[std::ffi::OsString]) -> Vec<String> {
    let mut values = Vec::new();
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let Some(flag) = word.strip_prefix("--") else {
            continue;
        };
        let (name, value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (flag, None),
        };
        if !name.to_ascii_lowercase().contains("secret") {
            continue;
        }
        match value {
            Some(value) => values.push(value),
            None => {
                if let Some(next) = words.next().filter(|next| !next.starts_with('-')) {
                    values.push(next.into_owned());
                }
            }
        }
    }
    values.retain(|v| !v.is_empty());
    values
}

/// Commands that fire many requests or serve them get worker threads; the
/// rest run on the calling thread. Those that never touch the network get
/// no I/O or timer driver: what admins type most (`logs`, `status`) starts
/// without the epoll set-up it would not use.
fn runtime_for(command: &Command) -> anyhow::Result<tokio::runtime::Runtime> {
    if matches!(
        command,
        Command::Logs(_)
            | Command::Status(_)
            | Command::Events(_)
            | Command::Configure(_)
            | Command::Activate(_)
            | Command::Deactivate(_)
            | Command::Subscribe(_)
            | Command::Unsubscribe(_)
            | Command::Sign(_)
            | Command::Verify(_)
            | Command::Completions(_)
            | Command::Help(_)
    ) {
        return Ok(tokio::runtime::Builder::new_current_thread().build()?);
    }
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
