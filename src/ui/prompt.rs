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

use crate::core::error::{cancelled, usage};

use crate::ui::output::Output;

/// How many times a line-by-line question is asked again after an answer
/// it cannot use, before giving up.
const ATTEMPTS: usize = 3;

/// Yes or no; no unless the user says yes (Esc and q say no).
pub fn confirm(out: &Output, question: &str) -> Result<bool> {
    require_terminal(out)?;
    interrupt::restore_on_ctrl_c(out.draws_on_stderr());
    if out.draws_on_stderr() {
        let answer = dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact_opt()
            .context("cannot read the answer from the terminal")?;
        return Ok(answer == Some(true));
    }
    let answer = ask_line(&format!("{question} [y/N] "))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// The indices of the items the user ticks. Esc or q leaves the list
/// (a `Kind::Cancelled` failure: nothing is to change).
pub fn choose_many(out: &Output, question: &str, items: &[String]) -> Result<Vec<usize>> {
    require_terminal(out)?;
    interrupt::restore_on_ctrl_c(out.draws_on_stderr());
    if out.draws_on_stderr() {
        let term = console::Term::stderr();
        let (rows, columns) = term.size();
        let (prompt, items) = checklist_lines(
            &format!("{question} (space ticks, enter saves, q quits)"),
            items,
            usize::from(rows),
            usize::from(columns),
        );
        // No report line: it would repeat the cut, padded labels; the
        // command says what changed, one event a line.
        let picked = dialoguer::MultiSelect::new()
            .with_prompt(prompt)
            .report(false)
            .items(&items)
            .interact_on_opt(&term);
        // dialoguer shows the cursor again on Enter and Esc, not when its
        // read fails.
        let _ = term.show_cursor();
        return picked
            .context("cannot read the choice from the terminal")?
            .ok_or_else(|| cancelled("left the checklist; nothing changed"));
    }
    let mut listing = format!("{question}:\n");
    for (i, item) in items.iter().enumerate() {
        listing.push_str(&format!("{:>4}  {item}\n", i + 1));
    }
    eprint!("{listing}");
    for _ in 0..ATTEMPTS {
        let answer =
            ask_line("Numbers to tick, separated by spaces or commas (none: enter; q: leave): ")?;
        if answer.trim().eq_ignore_ascii_case("q") {
            return Err(cancelled("left the checklist; nothing changed"));
        }
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

/// A line typed without echo; Enter ends it.
pub fn hidden(out: &Output, question: &str) -> Result<String> {
    require_terminal(out)?;
    interrupt::restore_on_ctrl_c(out.draws_on_stderr());
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

/// The checklist's question and items, each cut (with …) to one line of
/// the terminal: dialoguer redraws a list by moving up as many lines as it
/// wrote, so an item that wraps leaves copies of itself behind on every key.
/// An item line starts with `> [x] `; a question gets ` [Page 1/2]` when
/// the list is longer than the screen.
fn checklist_lines(
    question: &str,
    items: &[String],
    rows: usize,
    columns: usize,
) -> (String, Vec<String>) {
    const MARKS: usize = "> [x] ".len();
    // Not the last column: some terminals wrap as soon as it is written.
    let usable = columns.saturating_sub(1).max(MARKS + 8);
    let paged = items.len() + 2 > rows;
    let question_room = usable.saturating_sub(1 + if paged { 12 } else { 0 });
    let cut = |text: &str, width: usize| {
        console::truncate_str(text, width, "…")
            .trim_end()
            .to_string()
    };
    let items = items.iter().map(|item| cut(item, usable - MARKS)).collect();
    (cut(question, question_room.max(8)), items)
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

/// Ctrl-C during a question. dialoguer hides the cursor and turns echo
/// off (a secret) or the terminal's line mode off (a checklist), and puts
/// them back only when the question ends normally; SIGINT would end the
/// process in between and leave the terminal so. The handler puts back the
/// terminal's settings from before the first question and the cursor, then
/// lets SIGINT end the process as it would have (the shell sees 130).
/// Nothing is saved while a question is open, so nothing is left half done.
#[cfg(unix)]
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Once, OnceLock};

    static SAVED: OnceLock<libc::termios> = OnceLock::new();
    static SHOW_CURSOR: AtomicBool = AtomicBool::new(false);

    /// `escapes`: whether the question draws with terminal escapes, so
    /// that the cursor may be shown with one.
    pub(super) fn restore_on_ctrl_c(escapes: bool) {
        SHOW_CURSOR.store(escapes, Ordering::SeqCst);
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            let mut settings = std::mem::MaybeUninit::<libc::termios>::uninit();
            // SAFETY: tcgetattr fills the termios it is given, or fails and
            // leaves it alone (then it is not read); signal installs a
            // handler that makes only async-signal-safe calls.
            unsafe {
                if libc::tcgetattr(libc::STDIN_FILENO, settings.as_mut_ptr()) == 0 {
                    let _ = SAVED.set(settings.assume_init());
                }
                libc::signal(
                    libc::SIGINT,
                    on_interrupt as extern "C" fn(libc::c_int) as *const () as libc::sighandler_t,
                );
            }
        });
    }

    extern "C" fn on_interrupt(signal: libc::c_int) {
        const SHOW: &[u8] = b"\x1b[?25h";
        // SAFETY: tcsetattr, write, signal and raise are async-signal-safe;
        // reading a OnceLock that is set is an atomic load; SIGINT is
        // blocked while its handler runs, so the raised one ends the
        // process once the handler returns.
        unsafe {
            if let Some(settings) = SAVED.get() {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, settings);
            }
            if SHOW_CURSOR.load(Ordering::SeqCst) {
                libc::write(libc::STDERR_FILENO, SHOW.as_ptr().cast(), SHOW.len());
            }
            libc::write(libc::STDERR_FILENO, b"\n".as_ptr().cast(), 1);
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

#[cfg(not(unix))]
mod interrupt {
    pub(super) fn restore_on_ctrl_c(_escapes: bool) {}
}

#[cfg(test)]
mod tests {
    use super::{checklist_lines, parse_numbers};

    #[test]
    fn every_checklist_line_fits_the_terminal() {
        let items = vec![
            "device-custom-properties-updated  (subscribed)  device-update".to_string(),
            "device-lost".to_string(),
        ];
        for columns in [20, 40, 60, 120] {
            let question = "Events to subscribe to (space ticks, enter saves, q quits)";
            let (question, lines) = checklist_lines(question, &items, 40, columns);
            assert!(console::measure_text_width(&question) + 1 < columns.max(15));
            for line in &lines {
                assert!(
                    console::measure_text_width(line) + 6 < columns.max(15),
                    "{line}"
                );
            }
            assert_eq!(lines[1], "device-lost");
        }
        // A list longer than the screen gets a page number after the question.
        let (question, _) = checklist_lines(&"q".repeat(100), &items, 3, 60);
        assert!(question.chars().count() + 1 + 12 < 60);
    }

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(parse_numbers("", 5), Ok(vec![]));
        assert_eq!(parse_numbers("3 1,1  5", 5), Ok(vec![0, 2, 4]));
        assert!(parse_numbers("0", 5).is_err());
        assert!(parse_numbers("6", 5).is_err());
        assert!(parse_numbers("two", 5).is_err());
    }
}
