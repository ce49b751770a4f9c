//! Long output on a terminal goes through a pager, as `git log` does:
//! `SFHOOK_PAGER`, else `PAGER`, else `less`, run by the shell so that a
//! value with options (`less -S`) works. `less` gets `LESS=FRX` unless the
//! user set `LESS`: it quits by itself when the text fits one screen (F),
//! keeps colours (R) and leaves the text on the screen (X). An empty value
//! or `cat` turns paging off; on a pipe there is none.

use std::io::{self, Write};
use std::process::{Command, Stdio};

use crate::ui::output::{self, Output};

/// Writes `text` to stdout, through the pager when stdout is a terminal
/// and `text` is longer than the screen.
pub fn show(out: &Output, text: &[u8]) -> io::Result<()> {
    match pager(out, text) {
        Some(command) if run(&command, text).is_ok() => Ok(()),
        _ => {
            let mut stdout = output::stdout();
            stdout.write_all(text)?;
            stdout.flush()
        }
    }
}

/// The pager's command line, if this text should be paged.
fn pager(out: &Output, text: &[u8]) -> Option<String> {
    if !out.stdout_is_tty {
        return None;
    }
    let (rows, _) = console::Term::stdout().size_checked()?;
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    if lines < usize::from(rows).saturating_sub(1) {
        return None;
    }
    let chosen = ["SFHOOK_PAGER", "PAGER"]
        .iter()
        .find_map(|var| std::env::var(var).ok())
        .unwrap_or_else(|| "less".to_string());
    let chosen = chosen.trim();
    (!chosen.is_empty() && chosen != "cat").then(|| chosen.to_string())
}

/// Runs the pager on `text`; an error only if it could not be started, so
/// that the text is then printed as it is. Quitting the pager early (a
/// broken pipe) is not an error.
fn run(command: &str, text: &[u8]) -> io::Result<()> {
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(command).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        shell.env("LESS", "FRX");
    }
    let mut child = shell.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(text) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                let _ = child.wait();
                return Err(e);
            }
            _ => {}
        }
    }
    let status = child.wait()?;
    // sh's "command not found" is 127: nothing was shown.
    if status.code() == Some(127) {
        return Err(io::Error::other("the pager was not found"));
    }
    Ok(())
}
