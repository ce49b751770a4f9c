//! Shell completion that knows the domain: clap_complete's dynamic engine
//! asks the binary itself for candidates at every Tab, so event slugs,
//! categories and platforms come from the catalogue, profiles from the
//! config and request ids from the log.
//!
//! `sfhook completions SHELL` prints a small registration script; the
//! shell then runs `_SFHOOK_COMPLETE=SHELL sfhook -- WORDS...`, which
//! `answer_the_shell` answers before anything else happens. Completion must
//! never get in the user's way: it prints nothing but candidates, takes no
//! lock, and ends quietly on any error.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::CommandFactory as _;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
use clap_complete::{CompleteEnv, Shell};

use crate::cli::Cli;
use crate::core::catalog::{Category, EVENTS, Platform};
use crate::core::complete::{profile_names, recent_deliveries};
use crate::core::home::Home;

/// The variable that turns a run of sfhook into a completion request.
/// sfhook's own, so that a `COMPLETE` meant for another program cannot
/// change what `sfhook` does.
const VAR: &str = "_SFHOOK_COMPLETE";

/// How many of the log's newest request ids are offered.
const REQUEST_IDS: usize = 200;

/// The home named on the command line being completed (`--home DIR`), if
/// any; set once, before the engine asks for candidates.
static HOME_WORD: OnceLock<Option<PathBuf>> = OnceLock::new();

/// If the shell is asking for completions, answers and exits; otherwise
/// returns at once. Called first thing in `main`.
pub fn answer_the_shell() {
    if std::env::var_os(VAR).is_none_or(|v| v.is_empty() || v == "0") {
        return;
    }
    // Nothing but candidates may reach the terminal, not even a panic's.
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<OsString> = std::env::args_os().collect();
    let _ = HOME_WORD.set(home_word(&args));
    let fresh_word = completing_a_fresh_word(&args);
    let current_dir = std::env::current_dir().ok();
    let answered = std::panic::catch_unwind(|| {
        CompleteEnv::with_factory(|| {
            let mut command = Cli::command();
            if fresh_word {
                command.build();
                command = values_first(command);
            }
            command
        })
        .var(VAR)
        .try_complete(args, current_dir.as_deref())
    });
    match answered {
        Ok(Ok(true)) => std::process::exit(0),
        Ok(Ok(false)) => {
            let _ = std::panic::take_hook();
        }
        Ok(Err(_)) | Err(_) => std::process::exit(1),
    }
}

/// The registration script for `shell`, as `sfhook completions` prints it:
/// it calls `sfhook` on the PATH, so it stays right when sfhook is
/// upgraded, and is the same bytes whatever binary printed it.
pub fn registration(shell: Shell) -> std::io::Result<Vec<u8>> {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Elvish => &Elvish,
        _ => return Err(std::io::Error::other("this shell is not supported")),
    };
    let mut script = Vec::new();
    completer.write_registration(VAR, "sfhook", "sfhook", "sfhook", &mut script)?;
    script.flush()?;
    Ok(script)
}

/// Whether the word being completed is empty (a Tab after a space). The
/// shell passes the words after `--`; bash, zsh and elvish say which one is
/// being completed in `_CLAP_COMPLETE_INDEX`, fish and PowerShell pass the
/// words up to it.
fn completing_a_fresh_word(args: &[OsString]) -> bool {
    let words: Vec<&OsString> = args.iter().skip_while(|a| *a != "--").skip(1).collect();
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(words.len().saturating_sub(1));
    words.get(index).is_none_or(|word| word.is_empty())
}

/// The command with every flag and option hidden, for a fresh word: the
/// engine offers hidden candidates only when there is nothing else, so
/// `mock <Tab>` offers the events, `sfhook <Tab>` the subcommands, and
/// flags come with a `-` or when nothing else fits. Called after `build`,
/// so that `--help` and the global options are hidden too.
fn values_first(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| {
            if arg.is_positional() {
                arg
            } else {
                arg.hide(true)
            }
        })
        .mut_subcommands(values_first)
}

/// The value of the last `--home DIR` / `--home=DIR` among the words
/// before `--` (the shell passes the words after sfhook's own `--`).
fn home_word(args: &[OsString]) -> Option<PathBuf> {
    let words = args.iter().skip_while(|a| *a != "--").skip(1);
    let mut home = None;
    let mut words = words.skip(1).peekable(); // the program's name
    while let Some(word) = words.next() {
        let Some(text) = word.to_str() else { continue };
        if text == "--" {
            break;
        }
        if text == "--home" {
            if let Some(value) = words.peek() {
                home = Some(PathBuf::from(value));
            }
        } else if let Some(value) = text.strip_prefix("--home=") {
            home = Some(PathBuf::from(value));
        }
    }
    home.map(|dir| expand_tilde(&dir))
        .filter(|d| !d.as_os_str().is_empty())
}

/// `~/x` as the shell would expand it: the words arrive as typed.
fn expand_tilde(dir: &Path) -> PathBuf {
    match (dir.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(user_home)) => PathBuf::from(user_home).join(rest),
        _ => dir.to_path_buf(),
    }
}

/// The home being completed for: `--home` on the command line, else
/// SFHOOK_HOME, else the platform's directories.
fn home() -> Option<Home> {
    let word = HOME_WORD.get().cloned().flatten();
    let env = std::env::var_os("SFHOOK_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    Home::locate(word.or(env).as_deref()).ok()
}

/// Event slugs, described by their display names.
pub fn events() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        EVENTS
            .iter()
            .map(|e| CompletionCandidate::new(e.slug).help(Some(e.name.into())))
            .collect::<Vec<_>>()
    })
}

pub fn categories() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        Category::ALL
            .iter()
            .map(|c| CompletionCandidate::new(c.name()).help(Some(c.display_name().into())))
            .collect::<Vec<_>>()
    })
}

pub fn platforms() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        Platform::ALL
            .iter()
            .map(|p| CompletionCandidate::new(p.name()).help(Some(p.display_name().into())))
            .collect::<Vec<_>>()
    })
}

/// The config's profiles (and `default`).
pub fn profiles() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let names = match home() {
            Some(home) => profile_names(&home),
            None => vec!["default".to_string()],
        };
        names
            .into_iter()
            .map(CompletionCandidate::new)
            .collect::<Vec<_>>()
    })
}

/// The log's newest request ids, newest first, each described by its
/// event, answer and time.
pub fn request_ids() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let Some(home) = home() else {
            return Vec::new();
        };
        recent_deliveries(&home, REQUEST_IDS)
            .into_iter()
            .map(|d| {
                let answer = match d.response_code {
                    Some(code) => code.to_string(),
                    None => "no answer".to_string(),
                };
                let help = format!("{} {answer} {}", d.event, d.timestamp);
                CompletionCandidate::new(d.request_id).help(Some(help.into()))
            })
            .collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_home_word_is_read_from_the_words_after_the_escape() {
        let args = words(&["sfhook", "--", "sfhook", "--home", "/h", "logs", "show", ""]);
        assert_eq!(home_word(&args), Some(PathBuf::from("/h")));
        let args = words(&["sfhook", "--", "sfhook", "--home=/a", "--home=/b", "x"]);
        assert_eq!(home_word(&args), Some(PathBuf::from("/b")));
        let args = words(&["sfhook", "--", "sfhook", "logs", "--", "--home", "/h"]);
        assert_eq!(home_word(&args), None);
        // The program's own flags (before the escape) are not the user's.
        let args = words(&["sfhook", "--home", "/x", "--", "sfhook", "logs"]);
        assert_eq!(home_word(&args), None);
    }
}
