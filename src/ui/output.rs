//! What the user sees: colour decided once at start-up, tables on a
//! terminal, tab-separated lines on a pipe, diagnostics on stderr.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::{ContentArrangement, Table, presets};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0
    Auto,
    /// Colour even on a pipe, whatever NO_COLOR says
    Always,
    /// No colour anywhere
    Never,
}

pub const OK: Style = AnsiColor::Green.on_default();
pub const FAIL: Style = AnsiColor::Red.on_default();
pub const WARN: Style = AnsiColor::Yellow.on_default();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();
pub const ACCENT: Style = AnsiColor::Cyan.on_default();

/// Where data goes and so how it is written, decided once per command:
/// JSON when asked, a layout for people on a terminal, tab-separated
/// fields for a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Json,
    Terminal,
    Pipe,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub stdin_is_tty: bool,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    color: bool,
    stderr_color: bool,
}

impl Output {
    /// Decides, once, whether each stream gets colour: `--color always`
    /// and `never` say so; `auto` asks anstream, as clap does for its own
    /// help and errors, so the two agree: no colour when NO_COLOR is set,
    /// CLICOLOR=0 or TERM=dumb. The contract adds that `auto` colours only
    /// a terminal, so CLICOLOR_FORCE does not colour a pipe.
    pub fn detect(choice: ColorChoice) -> Output {
        let decide = |tty: bool, auto: anstream::ColorChoice| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && auto != anstream::ColorChoice::Never,
        };
        let stdout_is_tty = io::stdout().is_terminal();
        let stderr_is_tty = io::stderr().is_terminal();
        Output {
            stdin_is_tty: io::stdin().is_terminal(),
            stdout_is_tty,
            stderr_is_tty,
            color: decide(stdout_is_tty, anstream::AutoStream::choice(&io::stdout())),
            stderr_color: decide(stderr_is_tty, anstream::AutoStream::choice(&io::stderr())),
        }
    }

    /// The output mode for a command: `--json` wins, then whether stdout
    /// is a terminal.
    pub fn mode(&self, json: bool) -> Mode {
        if json {
            Mode::Json
        } else if self.stdout_is_tty {
            Mode::Terminal
        } else {
            Mode::Pipe
        }
    }

    pub fn color(&self) -> bool {
        self.color
    }

    /// `text` in `style` if stdout gets colour, else as it is.
    pub fn paint(&self, style: Style, text: impl Display) -> String {
        paint(self.color, style, text)
    }

    /// A table for stdout, with colour and width only when they belong.
    pub fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        // Wrap to the terminal's width when there is a sensible one; a pty
        // without a size (script, some CI runners) reports 0.
        match table.width().filter(|w| *w >= 40) {
            Some(width) if self.stdout_is_tty => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
            _ => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        if self.color {
            table.enforce_styling();
        } else {
            // comfy-table styles whenever it sees a terminal; NO_COLOR and
            // --color never must win.
            table.force_no_tty();
        }
        table
    }

    pub fn warn(&self, message: impl Display) {
        let label = paint(self.stderr_color, WARN.bold(), "warning:");
        let _ = writeln!(io::stderr(), "{label} {message}");
    }

    /// `--insecure` is said once per command that connects.
    pub fn warn_insecure(&self) {
        self.warn("--insecure: the endpoint's TLS certificate is not checked; use it only for a local test endpoint");
    }

    pub fn error(&self, message: impl Display) {
        let label = paint(self.stderr_color, FAIL.bold(), "error:");
        let _ = writeln!(io::stderr(), "{label} {message}");
    }

    /// A plain diagnostic line on stderr: progress, hints, what changed.
    pub fn note(&self, message: impl Display) {
        let _ = writeln!(io::stderr(), "{message}");
    }

    /// Labelled rows: a bold label padded to `width` and its value on a
    /// terminal, `label<TAB>value` elsewhere.
    pub fn write_rows(
        &self,
        out: &mut impl Write,
        terminal: bool,
        width: usize,
        rows: &[(&str, String)],
    ) -> io::Result<()> {
        for (key, value) in rows {
            if terminal {
                writeln!(
                    out,
                    "{} {value}",
                    self.paint(BOLD, format!("{key:<width$}"))
                )?;
            } else {
                writeln!(out, "{key}\t{value}")?;
            }
        }
        Ok(())
    }

    /// A progress bar on stderr for work of `len` units, drawn only on a
    /// terminal: on a pipe or in a log file it would be noise. A bar redraws
    /// itself with terminal escapes, so NO_COLOR and `--color never`, which
    /// people set to keep escapes out of their terminal, turn it off too.
    /// `units` is the template's middle, e.g. `{pos}/{len} mocks`.
    pub fn progress(&self, len: u64, units: &str) -> indicatif::ProgressBar {
        if !self.draws_on_stderr() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(len),
            indicatif::ProgressDrawTarget::stderr(),
        );
        let template = format!("{{bar:40}} {units}  {{per_sec}}  eta {{eta}}");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    /// A spinner-like counter on stderr for work of unknown size (a burst
    /// for a duration), under the same conditions as `progress`.
    pub fn progress_unbounded(&self, units: &str) -> indicatif::ProgressBar {
        if !self.draws_on_stderr() {
            return indicatif::ProgressBar::hidden();
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        let template = format!("{{spinner}} {units}  {{per_sec}}  {{elapsed}}");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    /// Whether sfhook may ask: the answer comes from stdin, and the question
    /// goes to stderr, so both must be a terminal. Otherwise a question
    /// would wait unseen, or read a script's data as an answer.
    pub fn can_prompt(&self) -> bool {
        self.stdin_is_tty && self.stderr_is_tty
    }

    /// Whether prompts and progress may redraw stderr with terminal
    /// escapes: only on a terminal, and only with colour on there.
    pub fn draws_on_stderr(&self) -> bool {
        self.stderr_is_tty && self.stderr_color
    }

    pub fn paint_stderr(&self, style: Style, text: impl Display) -> String {
        paint(self.stderr_color, style, text)
    }
}

fn paint(enabled: bool, style: Style, text: impl Display) -> String {
    if enabled {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// Buffered stdout for data. Writes return errors instead of panicking, so a
/// closed pipe (`sfhook logs | head`) ends the command quietly.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// One JSON value on its own line on stdout: what `--json` prints.
pub fn print_json(value: &impl serde::Serialize) -> io::Result<()> {
    let mut out = stdout();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// Lets work go on when the reader of stdout has gone away (`sfhook send
/// ... | head -1`): the report is lost, but retries still happen and the
/// exit code still says how the delivery went.
pub fn unless_reader_gone(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

/// An outcome for a terminal: a mark and its description, green for a
/// delivery and red for anything else.
pub fn painted_verdict(out: &Output, outcome: &crate::core::delivery::Outcome) -> (String, String) {
    let (style, mark) = if outcome.success() {
        (OK, "✓")
    } else {
        (FAIL, "✗")
    };
    (
        out.paint(style, mark),
        out.paint(style, plain(&outcome.describe())),
    )
}

/// True if the error is the reader of our stdout having gone away.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// A response code for tab-separated output: the number, or `-` when no
/// answer came.
pub fn code_or_dash(code: Option<u16>) -> String {
    code.map_or_else(|| "-".to_string(), |c| c.to_string())
}

/// Text from outside (a record, a payload, an answer, a path) made safe to
/// print on one line: controls (C0, DEL, C1) and bidi controls, which could
/// smuggle terminal escapes, reorder the line or break the structure that
/// `cut` and `awk` rely on, are shown as escapes (`\u{1b}`); tabs and line
/// breaks become spaces. The one sanitiser of every human format.
pub fn plain(text: &str) -> Cow<'_, str> {
    crate::core::units::escape_unsafe(text, &[])
}

/// `plain`, keeping the line breaks and tabs of a multi-line text.
pub fn plain_lines(text: &str) -> Cow<'_, str> {
    crate::core::units::escape_unsafe(text, &['\n', '\t'])
}
