//! `sfhook logs` and its subcommands `summary`, `show` and `prune`: the
//! dashboard's Logs page, for a terminal and for pipelines. Everything
//! streams; nothing holds the log in memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::rc::Rc;

use anyhow::{Context as _, Result};
use comfy_table::{Cell, CellAlignment, Color};
use jiff::Timestamp;
use serde_json::Value;

use crate::cli::{LogFormat, LogShowArgs, LogsArgs, PruneArgs, SummaryArgs};
use crate::context::Context;
use crate::core::error::usage;
use crate::core::filter::{Bound, Filter, parse_when};
use crate::core::log::{self, Head, Record, ScanReport, SummaryBuilder};
use crate::core::units::format_timestamp;
use crate::ui::output::{self, BOLD, DIM, FAIL, Mode, OK, plain, plain_lines};

/// Without --limit, a terminal shows this many of the newest deliveries.
const TERMINAL_LIMIT: usize = 50;
/// Following on a terminal, like `tail -f`, the newest few come first.
const FOLLOW_BACKLOG: usize = 10;

enum Style {
    Json,
    Table,
    Tsv,
    Csv(Box<CsvRows>),
}

/// CSV records, CRLF-terminated as RFC 4180 says, each handed on as soon as
/// it is written (a `--follow` shows it at once). Fields are written as they
/// are stored, so the file parses back to exactly the records; a null is an
/// empty field. One writer serves the whole listing.
struct CsvRows {
    writer: RefCell<csv::Writer<Shared>>,
    written: Rc<RefCell<Vec<u8>>>,
}

/// The buffer the CSV writer writes into, which the listing empties.
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CsvRows {
    fn new() -> CsvRows {
        let written = Rc::new(RefCell::new(Vec::new()));
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Shared(Rc::clone(&written)));
        CsvRows {
            writer: RefCell::new(writer),
            written,
        }
    }

    fn write(&self, out: &mut impl Write, fields: &[&str]) -> std::io::Result<()> {
        let mut writer = self.writer.borrow_mut();
        writer.write_record(fields)?;
        writer.flush()?;
        let mut written = self.written.borrow_mut();
        out.write_all(&written)?;
        written.clear();
        Ok(())
    }
}

fn csv_row(rows: &CsvRows, out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    // The head parsed already; a line whose body does not parse as a
    // record (another tool's layout can still fail here) is skipped like
    // any unreadable line.
    let Ok(record) = serde_json::from_slice::<Record<'_>>(bytes) else {
        return Ok(());
    };
    let code = record
        .response_code
        .map(|c| c.to_string())
        .unwrap_or_default();
    let duration = record.duration_ms.to_string();
    let attempt = record.attempt.to_string();
    rows.write(
        out,
        &[
            &record.request_id,
            &record.event_id,
            &record.event,
            &record.timestamp,
            &record.url,
            &code,
            if record.success { "true" } else { "false" },
            record.error.as_deref().unwrap_or_default(),
            &duration,
            &attempt,
            record.redelivery_of.as_deref().unwrap_or_default(),
            &record.profile,
            record.payload.get(),
            &record.response_body,
        ],
    )
}

pub fn list(ctx: &Context, args: LogsArgs) -> Result<()> {
    let filter =
        Filter::new(&args.filter.spec(), ctx.log_profile(), Timestamp::now()).map_err(usage)?;
    let style = match args.format {
        _ if args.json => Style::Json,
        Some(LogFormat::Json) => Style::Json,
        Some(LogFormat::Csv) => Style::Csv(Box::new(CsvRows::new())),
        Some(LogFormat::Table) => Style::Table,
        Some(LogFormat::Tsv) => Style::Tsv,
        None if ctx.out.stdout_is_tty => Style::Table,
        None => Style::Tsv,
    };
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None if matches!(style, Style::Table) && args.follow => Some(FOLLOW_BACKLOG),
        None if matches!(style, Style::Table) => Some(TERMINAL_LIMIT),
        None => None,
    };
    // A table needs its last row before it can be drawn; following, rows
    // are printed as lines instead.
    let draw_table = matches!(style, Style::Table) && !args.follow;
    let path = ctx.home.log_file();
    let needle = filter.needle();

    // Keep only what will be shown: the newest `limit` lines, or, for a
    // table, every row (bounded by the limit on a terminal).
    let mut kept: VecDeque<Vec<u8>> = VecDeque::new();
    let mut matched: u64 = 0;
    let mut one_id = log::OneId::new(filter.request_id_prefix());
    let mut stdout = output::stdout();
    // Until a request id prefix is known to name one delivery, nothing is
    // printed.
    let buffer = limit.is_some() || draw_table || filter.request_id_prefix().is_some();
    // Following reads on from this very file, even if a prune replaces it.
    let file = log::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Style::Csv(rows) = &style {
        rows.write(&mut stdout, &log::FIELDS)?;
    }
    let visit = |line: log::Line<'_>| {
        if !filter.matches(&line.head) {
            return Ok(ControlFlow::Continue(()));
        }
        if one_id.admit(&line.head).is_break() {
            return Ok(ControlFlow::Break(()));
        }
        matched += 1;
        if buffer {
            if limit.is_some_and(|n| kept.len() == n) {
                kept.pop_front();
            }
            kept.push_back(line.bytes.to_vec());
        } else {
            write_line(ctx, &style, &mut stdout, line.bytes, &line.head)?;
        }
        Ok(ControlFlow::Continue(()))
    };
    let report = match &file {
        Some(file) => log::scan_file(file, 0, needle.as_ref(), visit)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => ScanReport::default(),
    };
    one_id.check()?;
    warn_unreadable(ctx, &report, &path);

    if draw_table {
        if kept.is_empty() {
            ctx.out.note(if filter.is_empty() {
                "No deliveries yet"
            } else {
                "No deliveries match"
            });
        } else {
            writeln!(stdout, "{}", table(ctx, &kept))?;
        }
    } else {
        for bytes in &kept {
            if let Some(head) = Head::parse(bytes) {
                write_line(ctx, &style, &mut stdout, bytes, &head)?;
            }
        }
    }
    stdout.flush()?;
    if draw_table && (kept.len() as u64) < matched {
        ctx.out.note(ctx.out.paint_stderr(
            DIM,
            format!(
                "Showing the newest {} of {matched} deliveries; --limit 0 shows all",
                kept.len()
            ),
        ));
    }
    if args.follow {
        follow(ctx, &filter, &style, file, report.end_offset)?;
    }
    Ok(())
}

fn warn_unreadable(ctx: &Context, report: &ScanReport, path: &Path) {
    if let Some(warning) = report.warning(path) {
        ctx.out.warn(warning);
    }
}

fn code_text(head: &Head<'_>) -> String {
    output::code_or_dash(head.response_code)
}

/// One delivery as a line: the stored JSON, a tab-separated record, or a
/// coloured line for `--follow` on a terminal.
fn write_line(
    ctx: &Context,
    style: &Style,
    out: &mut impl Write,
    bytes: &[u8],
    head: &Head<'_>,
) -> std::io::Result<()> {
    match style {
        Style::Json => {
            out.write_all(bytes)?;
            out.write_all(b"\n")?;
        }
        Style::Csv(rows) => csv_row(rows, out, bytes)?,
        Style::Tsv => writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            plain(&head.timestamp),
            plain(&head.event),
            plain(&head.request_id),
            code_text(head),
            if head.success { "ok" } else { "failed" },
            head.duration_ms,
            head.attempt,
            plain(&head.profile),
            plain(head.error.as_deref().unwrap_or("-")),
        )?,
        Style::Table => {
            let o = &ctx.out;
            let code = if head.success {
                o.paint(OK, code_text(head))
            } else {
                o.paint(FAIL, code_text(head))
            };
            let error = head
                .error
                .as_deref()
                .map(|e| format!("  {}", o.paint(DIM, plain(e))))
                .unwrap_or_default();
            writeln!(
                out,
                "{}  {:<34} {}  {code:>3}  {:>6} ms{error}",
                plain(&head.timestamp),
                plain(&head.event),
                plain(&head.request_id),
                head.duration_ms
            )?;
        }
    }
    Ok(())
}

fn table(ctx: &Context, lines: &VecDeque<Vec<u8>>) -> comfy_table::Table {
    let mut table = ctx.out.table();
    table.set_header([
        "Date & Time (UTC)",
        "Event Type",
        "Request ID",
        "Response Code",
        "Duration",
    ]);
    for bytes in lines {
        let Some(head) = Head::parse(bytes) else {
            continue;
        };
        let code = match (head.response_code, head.error.as_deref()) {
            (Some(code), _) => code.to_string(),
            (None, Some(error)) => {
                format!("- ({})", plain(error.split(':').next().unwrap_or(error)))
            }
            (None, None) => "-".to_string(),
        };
        let code = Cell::new(code).fg(if head.success {
            Color::Green
        } else {
            Color::Red
        });
        table.add_row(vec![
            Cell::new(
                plain(&head.timestamp)
                    .replace('T', " ")
                    .trim_end_matches('Z'),
            ),
            Cell::new(plain(&head.event)),
            Cell::new(plain(&head.request_id)),
            code.set_alignment(CellAlignment::Right),
            Cell::new(format!("{} ms", head.duration_ms)).set_alignment(CellAlignment::Right),
        ]);
    }
    table
}

/// `tail -f` for the log, each new line shown as the listing shows it.
fn follow(
    ctx: &Context,
    filter: &Filter,
    style: &Style,
    file: Option<File>,
    offset: u64,
) -> Result<()> {
    let path = ctx.home.log_file();
    let mut stdout = output::stdout();
    log::follow(&path, file, offset, |news| match news {
        log::Followed::Line(line) if filter.matches(&line.head) => {
            write_line(ctx, style, &mut stdout, line.bytes, &line.head)
        }
        log::Followed::Line(_) => Ok(()),
        log::Followed::CaughtUp(report) => {
            stdout.flush()?;
            if report.unreadable > 0 {
                warn_unreadable(ctx, report, &path);
            }
            Ok(())
        }
    })
}

pub fn summary(ctx: &Context, args: SummaryArgs) -> Result<()> {
    let filter =
        Filter::new(&args.filter.spec(), ctx.log_profile(), Timestamp::now()).map_err(usage)?;
    let path = ctx.home.log_file();
    let needle = filter.needle();
    let check = !filter.is_empty();
    let (summary, report) = if filter.request_id_prefix().is_some() {
        // One delivery, and an ambiguous prefix must be caught: in order.
        let mut builder = SummaryBuilder::default();
        let mut one_id = log::OneId::new(filter.request_id_prefix());
        let report = log::scan(&path, 0, needle.as_ref(), |line| {
            if filter.matches(&line.head) {
                if one_id.admit(&line.head).is_break() {
                    return Ok(ControlFlow::Break(()));
                }
                builder.add(&line.head);
            }
            Ok(ControlFlow::Continue(()))
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
        one_id.check()?;
        (builder.finish(), report)
    } else {
        log::summarize(&path, needle.as_ref(), |head| {
            !check || filter.matches(head)
        })
        .with_context(|| format!("cannot read {}", path.display()))?
    };
    warn_unreadable(ctx, &report, &path);
    let mut stdout = output::stdout();
    let out = &ctx.out;
    match out.mode(args.json) {
        Mode::Json => {
            writeln!(stdout, "{}", serde_json::to_string(&summary)?)?;
        }
        Mode::Terminal => {
            let rows = [
                ("Total Events", summary.total_events, BOLD),
                ("Total Success Events", summary.total_success_events, OK),
                ("Total Failed Events", summary.total_failed_events, FAIL),
            ];
            for (label, n, style) in rows {
                writeln!(
                    stdout,
                    "{} {}",
                    out.paint(BOLD, format!("{label:<21}")),
                    out.paint(style, n)
                )?;
            }
            if summary.total_events > 0 {
                let mut codes = out.table();
                codes.set_header(["Response Code", "Deliveries"]);
                for (code, n) in &summary.by_response_code {
                    codes.add_row(vec![
                        Cell::new(code),
                        Cell::new(n).set_alignment(CellAlignment::Right),
                    ]);
                }
                let mut events = out.table();
                events.set_header(["Event Type", "Total", "Succeeded", "Failed"]);
                for (event, c) in &summary.by_event {
                    events.add_row(vec![
                        Cell::new(plain(event)),
                        Cell::new(c.total).set_alignment(CellAlignment::Right),
                        Cell::new(c.succeeded).set_alignment(CellAlignment::Right),
                        Cell::new(c.failed).set_alignment(CellAlignment::Right),
                    ]);
                }
                writeln!(stdout, "\n{codes}\n\n{events}")?;
            }
        }
        Mode::Pipe => {
            writeln!(stdout, "total\t{}", summary.total_events)?;
            writeln!(stdout, "succeeded\t{}", summary.total_success_events)?;
            writeln!(stdout, "failed\t{}", summary.total_failed_events)?;
            for (code, n) in &summary.by_response_code {
                writeln!(stdout, "code\t{code}\t{n}")?;
            }
            for (event, c) in &summary.by_event {
                writeln!(
                    stdout,
                    "event\t{}\t{}\t{}\t{}",
                    plain(event),
                    c.total,
                    c.succeeded,
                    c.failed
                )?;
            }
        }
    }
    Ok(stdout.flush()?)
}

pub fn show(ctx: &Context, args: LogShowArgs) -> Result<()> {
    let path = ctx.home.log_file();
    let prefix = args.id.trim().to_ascii_lowercase();
    if prefix.is_empty() {
        return Err(usage("the request id is empty"));
    }
    let offset = log::resolve_ids(&path, std::slice::from_ref(&prefix), |report| {
        warn_unreadable(ctx, report, &path)
    })?[0];
    let line = log::line_at(&path, offset)?.with_context(|| {
        format!(
            "{} changed while reading it; run the command again",
            path.display()
        )
    })?;
    let record: Record = serde_json::from_slice(&line).with_context(|| {
        format!(
            "the record at byte {offset} of {} is not readable",
            path.display()
        )
    })?;
    let mut stdout = output::stdout();
    if args.raw {
        stdout.write_all(record.payload.get().as_bytes())?;
        return Ok(stdout.flush()?);
    }
    if args.json {
        stdout.write_all(&line)?;
        stdout.write_all(b"\n")?;
        return Ok(stdout.flush()?);
    }
    let out = &ctx.out;
    let code = record
        .response_code
        .map_or_else(|| "none".to_string(), |c| c.to_string());
    let code = if record.success {
        out.paint(OK, &code)
    } else {
        out.paint(FAIL, &code)
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("request id", plain(&record.request_id).into_owned()),
        ("event", plain(&record.event).into_owned()),
        ("event id", plain(&record.event_id).into_owned()),
        ("time", plain(&record.timestamp).into_owned()),
        ("url", plain(&record.url).into_owned()),
        ("response code", code),
        (
            "result",
            if record.success {
                out.paint(OK, "succeeded")
            } else {
                out.paint(FAIL, "failed")
            },
        ),
        ("duration", format!("{} ms", record.duration_ms)),
        ("attempt", record.attempt.to_string()),
        ("profile", plain(&record.profile).into_owned()),
    ];
    if let Some(error) = &record.error {
        rows.push(("error", plain(error).into_owned()));
    }
    if let Some(original) = &record.redelivery_of {
        rows.push(("redelivery of", plain(original).into_owned()));
    }
    for (key, value) in rows {
        writeln!(stdout, "{} {value}", out.paint(BOLD, format!("{key:<14}")))?;
    }
    let payload: Value = serde_json::from_str(record.payload.get())?;
    writeln!(
        stdout,
        "\n{}\n{}",
        out.paint(BOLD, "Payload"),
        serde_json::to_string_pretty(&payload)?
    )?;
    if !record.response_body.is_empty() {
        writeln!(
            stdout,
            "\n{}\n{}",
            out.paint(BOLD, "Answer"),
            plain_lines(&record.response_body)
        )?;
    }
    Ok(stdout.flush()?)
}

pub fn prune(ctx: &Context, args: PruneArgs) -> Result<()> {
    let cutoff = parse_when(&args.before, Bound::Start, Timestamp::now()).map_err(usage)?;
    let older = Filter::before(cutoff);
    let path = ctx.home.log_file();
    let shown_cutoff = format_timestamp(cutoff);
    if !args.yes {
        if !ctx.out.can_prompt() {
            return Err(usage(
                "logs prune deletes records: confirm with --yes (sfhook asks only on a terminal)",
            ));
        }
        let (mut total, mut dropping) = (0u64, 0u64);
        let report = log::scan(&path, 0, None, |line| {
            total += 1;
            dropping += u64::from(older.matches(&line.head));
            Ok(ControlFlow::Continue(()))
        })
        .with_context(|| format!("cannot read {}", path.display()))?;
        warn_unreadable(ctx, &report, &path);
        if dropping == 0 {
            ctx.out.note(format!(
                "Nothing to prune: no delivery before {shown_cutoff}"
            ));
            return Ok(());
        }
        let confirmed = crate::ui::prompt::confirm(
            &ctx.out,
            &format!("Drop {dropping} of {total} deliveries logged before {shown_cutoff}?"),
        )?;
        if !confirmed {
            ctx.out.note("Nothing pruned");
            return Ok(());
        }
    }
    // A log that cannot even be looked at is not an empty one: say so
    // rather than report that nothing was pruned.
    match std::fs::metadata(&path) {
        Ok(_) => log::check_lock(&ctx.home)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let progress = ctx.out.progress(size, "{bytes}/{total_bytes} pruned");
    let mut seen = 0u32;
    let report = log::prune(&ctx.home, |line| {
        seen = seen.wrapping_add(1);
        if seen.is_multiple_of(1024) {
            progress.set_position(line.offset);
        }
        older.matches(&line.head)
    })
    .with_context(|| format!("cannot prune {}", path.display()))?;
    progress.finish_and_clear();
    let mut message = format!(
        "{} Dropped {} deliveries logged before {shown_cutoff}; kept {}",
        ctx.out.paint_stderr(OK, "✓"),
        report.dropped,
        report.kept
    );
    if report.unreadable_dropped > 0 {
        message.push_str(&format!(
            ", and dropped {} unreadable lines",
            report.unreadable_dropped
        ));
    }
    ctx.out.note(message);
    Ok(())
}
