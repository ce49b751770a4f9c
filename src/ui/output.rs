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

    /// The width of the terminal stdout is on, if it is one and says.
    /// A pty without a size (script, some CI runners) reports 0.
    pub fn terminal_width(&self) -> Option<usize> {
        if !self.stdout_is_tty {
            return None;
        }
        Table::new()
            .width()
            .map(usize::from)
            .filter(|width| *width > 0)
    }

    /// What goes between a line and the identifier that ends it (`request
    /// ID`): two spaces where the whole still fits the terminal, else a new
    /// indented line, so that a soft wrap never breaks the id people copy.
    pub fn before_tail(&self, line: &str, tail: &str) -> &'static str {
        let visible = |s: &str| anstream::adapter::strip_str(s).to_string().chars().count();
        match self.terminal_width() {
            Some(width) if visible(line) + 2 + visible(tail) > width => "\n  ",
            _ => "  ",
        }
    }

    /// A listing laid out for the terminal's width, the way `gh` and
    /// `kubectl` do it: identifiers are never cut or wrapped, free text
    /// gives way first (cut with …), then whole columns, by priority. When
    /// even the columns that stay do not fit, each row becomes a block of
    /// `header value` lines (psql's expanded display), so that nothing a
    /// person copies is ever split. `wide` keeps every column. Off a
    /// terminal (`--format table | less`) every column has its full width.
    pub fn grid(&self, columns: &[Column], rows: &[Vec<Field>], wide: bool) -> String {
        let natural: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                rows.iter()
                    .filter_map(|row| row.get(i))
                    .map(|field| console::measure_text_width(&field.text))
                    .chain([console::measure_text_width(column.header)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        match plan_widths(columns, &natural, self.terminal_width(), wide) {
            Some(widths) => self.grid_table(columns, rows, &widths),
            None => self.grid_blocks(columns, rows),
        }
    }

    fn grid_table(
        &self,
        columns: &[Column],
        rows: &[Vec<Field>],
        widths: &[Option<usize>],
    ) -> String {
        let mut table = self.table();
        // The widths are decided here; comfy-table only draws.
        table.set_content_arrangement(ContentArrangement::Disabled);
        let shown: Vec<usize> = (0..columns.len())
            .filter(|i| widths[*i].is_some())
            .collect();
        table.set_header(shown.iter().map(|i| columns[*i].header));
        for row in rows {
            table.add_row(shown.iter().map(|&i| {
                let field = row.get(i).cloned().unwrap_or_default();
                let width = widths[i].unwrap_or(usize::MAX);
                let text = console::truncate_str(&field.text, width, "…");
                let mut cell = comfy_table::Cell::new(text).set_alignment(columns[i].align);
                if let Some(color) = field.tone.color() {
                    cell = cell.fg(color);
                }
                cell
            }));
        }
        table.to_string()
    }

    fn grid_blocks(&self, columns: &[Column], rows: &[Vec<Field>]) -> String {
        let label_width = columns
            .iter()
            .map(|c| console::measure_text_width(c.header))
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        for (n, row) in rows.iter().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            for (column, field) in columns.iter().zip(row) {
                let label = format!("{:<label_width$}", column.header);
                let value = match field.tone.style() {
                    Some(style) => self.paint(style, &field.text),
                    None => field.text.clone(),
                };
                text.push_str(&format!("{}  {value}\n", self.paint(BOLD, label)));
            }
        }
        text.truncate(text.trim_end_matches('\n').len());
        text
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
        let template = format!("{{bar:40}} {units}  {{per_sec}}  eta {{eta}}");
        self.stderr_bar(Some(len), &template)
            .unwrap_or_else(indicatif::ProgressBar::hidden)
    }

    /// A spinner-like counter on stderr for work of unknown size (a burst
    /// for a duration), under the same conditions as `progress`.
    pub fn progress_unbounded(&self, units: &str) -> indicatif::ProgressBar {
        let template = format!("{{spinner}} {units}  {{per_sec}}  {{elapsed}}");
        self.stderr_bar(None, &template)
            .unwrap_or_else(indicatif::ProgressBar::hidden)
    }

    /// A spinner on stderr while something slow runs (doctor's checks),
    /// under the same conditions as `progress`; it ticks by itself.
    pub fn spinner(&self, message: &str) -> indicatif::ProgressBar {
        let Some(spinner) = self.stderr_bar(None, "{spinner} {msg} {elapsed}") else {
            return indicatif::ProgressBar::hidden();
        };
        spinner.set_message(message.to_string());
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        spinner
    }

    /// A bar drawn on stderr with `template`, of `len` units or of unknown
    /// size; `None` where nothing may be drawn (see `progress`).
    fn stderr_bar(&self, len: Option<u64>, template: &str) -> Option<indicatif::ProgressBar> {
        if !self.draws_on_stderr() {
            return None;
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(len, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Some(bar)
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

/// `words` joined by spaces, broken between words (never inside one) so
/// that no line is longer than `width`; every line starts at column
/// `indent`, the first one by the caller's doing.
pub fn wrap_words(words: &[String], width: usize, indent: usize) -> String {
    let room = width.saturating_sub(indent);
    let mut text = String::new();
    let mut line_width = 0;
    for word in words {
        let word_width = console::measure_text_width(word);
        if line_width > 0 && line_width + 1 + word_width > room {
            text.push('\n');
            text.push_str(&" ".repeat(indent));
            line_width = 0;
        } else if line_width > 0 {
            text.push(' ');
            line_width += 1;
        }
        text.push_str(word);
        line_width += word_width;
    }
    text
}

/// A column of `Output::grid`.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub fit: Fit,
    /// 0: always shown. On a narrow terminal the columns with the highest
    /// number go first, all of one number together (the platforms of
    /// `events`).
    pub drop: u8,
    pub align: comfy_table::CellAlignment,
}

impl Column {
    pub const fn new(header: &'static str, fit: Fit, drop: u8) -> Column {
        Column {
            header,
            fit,
            drop,
            align: comfy_table::CellAlignment::Left,
        }
    }

    pub const fn align(mut self, align: comfy_table::CellAlignment) -> Column {
        self.align = align;
        self
    }
}

/// How a column gives way on a narrow terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Something people read and copy whole (a slug, a request id, a
    /// timestamp, a count): never cut or wrapped.
    Whole,
    /// Free text (a name, an error): cut with … down to this many
    /// columns, or its header's width if that is more.
    Shrink(usize),
}

/// One value of a grid row and how it is coloured.
#[derive(Clone, Debug, Default)]
pub struct Field {
    pub text: String,
    pub tone: Tone,
}

impl Field {
    pub fn new(text: impl Into<String>) -> Field {
        Field {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub fn tone(mut self, tone: Tone) -> Field {
        self.tone = tone;
        self
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tone {
    #[default]
    Plain,
    Good,
    Bad,
    Faint,
}

impl Tone {
    fn color(self) -> Option<comfy_table::Color> {
        match self {
            Tone::Plain => None,
            Tone::Good => Some(comfy_table::Color::Green),
            Tone::Bad => Some(comfy_table::Color::Red),
            Tone::Faint => Some(comfy_table::Color::DarkGrey),
        }
    }

    fn style(self) -> Option<Style> {
        match self {
            Tone::Plain => None,
            Tone::Good => Some(OK),
            Tone::Bad => Some(FAIL),
            Tone::Faint => Some(DIM),
        }
    }
}

/// What a boxed table (UTF8_FULL_CONDENSED, one space of padding) costs
/// beyond its columns' contents: a border and two spaces per column, and
/// the closing border.
fn frame_width(columns: usize) -> usize {
    3 * columns + 1
}

/// The width of each column (None: dropped), or None when even the
/// columns that always stay do not fit `available`.
fn plan_widths(
    columns: &[Column],
    natural: &[usize],
    available: Option<usize>,
    wide: bool,
) -> Option<Vec<Option<usize>>> {
    let Some(available) = available else {
        return Some(natural.iter().map(|w| Some(*w)).collect());
    };
    let least = |i: usize| match columns[i].fit {
        Fit::Whole => natural[i],
        Fit::Shrink(min) => natural[i].min(min.max(console::measure_text_width(columns[i].header))),
    };
    let mut shown: Vec<bool> = vec![true; columns.len()];
    loop {
        let count = shown.iter().filter(|s| **s).count();
        let need: usize = (0..columns.len())
            .filter(|i| shown[*i])
            .map(least)
            .sum::<usize>()
            + frame_width(count);
        if need <= available {
            // What is left goes to the free text, in column order.
            let mut spare = available - need;
            let widths = (0..columns.len())
                .map(|i| {
                    shown[i].then(|| {
                        let extra = (natural[i] - least(i)).min(spare);
                        spare -= extra;
                        least(i) + extra
                    })
                })
                .collect();
            return Some(widths);
        }
        let next = (0..columns.len())
            .filter(|i| shown[*i] && columns[*i].drop > 0)
            .map(|i| columns[i].drop)
            .max();
        match next {
            Some(group) if !wide => {
                for (i, column) in columns.iter().enumerate() {
                    if column.drop == group {
                        shown[i] = false;
                    }
                }
            }
            _ => return None,
        }
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
