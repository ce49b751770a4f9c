//! `sfhook completions SHELL` and `sfhook help [COMMAND...]`. They describe
//! the command line only and never load saved state. (The man pages in
//! `man/` are rendered by tests/cli/generated.rs, not by a command.)

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, HelpArgs};
use crate::core::error::usage;
use crate::ui::{complete, output};

/// The shell's registration script: at each Tab it asks `sfhook` for the
/// candidates (see `ui::complete`). Built in memory and written here, where
/// a closed pipe (`| head`) is an ordinary error.
pub fn completions(args: CompletionsArgs) -> Result<()> {
    let script = complete::registration(args.shell)?;
    let mut stdout = output::stdout();
    stdout.write_all(&script)?;
    Ok(stdout.flush()?)
}

/// The long help of the named subcommand, as `sfhook COMMAND... --help`
/// prints it, coloured as the rest of the output is.
pub fn help(args: HelpArgs, color: bool) -> Result<()> {
    let command = Cli::command().color(if color {
        clap::ColorChoice::Always
    } else {
        clap::ColorChoice::Never
    });
    let argv = std::iter::once("sfhook".to_string())
        .chain(args.command)
        .chain(std::iter::once("--help".to_string()));
    match command.try_get_matches_from(argv) {
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let text = if color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let mut stdout = output::stdout();
            stdout.write_all(text.as_bytes())?;
            Ok(stdout.flush()?)
        }
        Err(e) => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("unknown command");
            Err(usage(first.trim_start_matches("error: ").to_string()))
        }
        Ok(_) => Err(usage("no help to show")),
    }
}
