//! `sfhook completions SHELL`, `sfhook help [COMMAND...]` and the hidden
//! `sfhook man --out DIR`. They describe the command line only and never
//! load saved state.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, HelpArgs, ManArgs};
use crate::core::error::usage;
use crate::ui::output;

pub fn completions(args: CompletionsArgs) -> Result<()> {
    // clap_complete panics if a write fails, so the script is built in memory
    // and written here, where a closed pipe (`| head`) is an ordinary error.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sfhook", &mut script);
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

pub fn man(args: ManArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut command = Cli::command();
    command.build();
    write_pages(&command, "sfhook", &args.out)
}

/// `sfhook.1`, then `sfhook-<sub>.1` for every visible subcommand, recursively.
fn write_pages(command: &clap::Command, name: &str, dir: &Path) -> Result<()> {
    let command = command.clone().name(name.to_string());
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
