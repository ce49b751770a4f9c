//! What sfhook asks on a terminal: a yes/no, a checklist, a line of text,
//! a hidden secret. Callers ask only when `Output::can_prompt` (stdin and
//! stderr are a terminal) and fail at once otherwise; each function checks
//! it again, so that no question can wait unseen.
//!
//! With colour on, dialoguer draws the questions and redraws them as keys
//! arrive. With colour off (NO_COLOR, `--color never`), the same questions
//! are asked line by line, without a single terminal escape: people turn
//! colour off for screen readers, dumb terminals and recorded sessions,
//! where cursor movements are as unwelcome as colour.

use std::io::{self, BufRead, Write};

use anyhow::{Context as _, Result, bail};

use crate::core::error::usage;

use crate::ui::output::Output;

/// How many times a line-by-line question is asked again after an answer
/// it cannot use, before giving up.
const ATTEMPTS: usize = 3;

/// Yes or no; no unless the user says yes.
pub fn confirm(out: &Output, question: &str) -> Result<bool> {
    require_terminal(out)?;
    if out.draws_on_stderr() {
        return dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .context("cannot read the answer from the terminal");
    }
    let answer = ask_line(&format!("{question} [y/N] "))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// The indices of the items the user ticks.
pub fn choose_many(out: &Output, question: &str, items: &[String]) -> Result<Vec<usize>> {
    require_terminal(out)?;
    if out.draws_on_stderr() {
        return dialoguer::MultiSelect::new()
            .with_prompt(format!("{question} (space to tick, enter to confirm)"))
            .items(items)
            .interact()
            .context("cannot read the choice from the terminal");
    }
    let mut listing = format!("{question}:\n");
    for (i, item) in items.iter().enumerate() {
        listing.push_str(&format!("{:>4}  {item}\n", i + 1));
    }
    eprint!("{listing}");
    for _ in 0..ATTEMPTS {
        let answer = ask_line("Numbers to tick, separated by spaces or commas (none: enter): ")?;
        match parse_numbers(&answer, items.len()) {
            Ok(picked) => return Ok(picked),
            Err(why) => eprintln!("{why}"),
        }
    }
    Err(usage(format!("no usable answer after {ATTEMPTS} tries")))
}

/// A line of text that `check` accepts.
pub fn text(
    out: &Output,
    question: &str,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<String> {
    require_terminal(out)?;
    if out.draws_on_stderr() {
        return dialoguer::Input::<String>::new()
            .with_prompt(question)
            .validate_with(|text: &String| check(text))
            .interact_text()
            .context("cannot read the answer from the terminal");
    }
    for _ in 0..ATTEMPTS {
        let answer = ask_line(&format!("{question}: "))?;
        let answer = answer.trim();
        match check(answer) {
            Ok(()) => return Ok(answer.to_string()),
            Err(why) => eprintln!("{why}"),
        }
    }
    Err(usage(format!("no usable answer after {ATTEMPTS} tries")))
}

/// A line typed without echo.
pub fn hidden(out: &Output, question: &str) -> Result<String> {
    require_terminal(out)?;
    if out.draws_on_stderr() {
        return dialoguer::Password::new()
            .with_prompt(question)
            .allow_empty_password(true)
            .interact()
            .context("cannot read the secret from the terminal");
    }
    eprint!("{question}: ");
    let line = console::Term::stderr()
        .read_secure_line()
        .context("cannot read the secret from the terminal")?;
    Ok(line)
}

fn require_terminal(out: &Output) -> Result<()> {
    if out.can_prompt() {
        Ok(())
    } else {
        bail!("cannot ask: stdin and stderr must both be a terminal")
    }
}

fn ask_line(question: &str) -> Result<String> {
    eprint!("{question}");
    io::stderr().flush()?;
    let mut line = String::new();
    let read = io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the answer from the terminal")?;
    if read == 0 {
        bail!("the terminal closed before an answer came");
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// `1 3,5` → [0, 2, 4]: each once, in the order of the list.
fn parse_numbers(answer: &str, count: usize) -> Result<Vec<usize>, String> {
    let mut picked = Vec::new();
    for word in answer.split([' ', ',', '\t']).filter(|w| !w.is_empty()) {
        let n: usize = word
            .parse()
            .ok()
            .filter(|n| (1..=count).contains(n))
            .ok_or_else(|| format!("'{word}' is not a number from 1 to {count}"))?;
        if !picked.contains(&(n - 1)) {
            picked.push(n - 1);
        }
    }
    picked.sort_unstable();
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::parse_numbers;

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(parse_numbers("", 5), Ok(vec![]));
        assert_eq!(parse_numbers("3 1,1  5", 5), Ok(vec![0, 2, 4]));
        assert!(parse_numbers("0", 5).is_err());
        assert!(parse_numbers("6", 5).is_err());
        assert!(parse_numbers("two", 5).is_err());
    }
}
