//! `sfhook logs` and its subcommands `summary`, `show` and `prune`: the
//! dashboard's Logs page, for a terminal and for pipelines. Everything
//! streams; nothing holds the log in memory.

use std::collections::VecDeque;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use comfy_table::{Cell, CellAlignment, Color};
use jiff::Timestamp;
use serde_json::Value;

use crate::cli::{LogShowArgs, LogsArgs, PruneArgs, SummaryArgs};
use crate::context::Context;
use crate::deliverylog::{self, Head, Record, ScanReport, SummaryBuilder};
use crate::error::usage;
use crate::filter::{Bound, Filter, parse_when};
use crate::output::{self, BOLD, DIM, FAIL, OK};
use crate::units::format_timestamp;

/// Without --limit, a terminal shows this many of the newest deliveries.
const TERMINAL_LIMIT: usize = 50;
/// Following on a terminal, like `tail -f`, the newest few come first.
const FOLLOW_BACKLOG: usize = 10;
const FOLLOW_POLL: Duration = Duration::from_millis(200);

enum Style {
    Json,
    Table,
    Tsv,
}

pub fn list(ctx: &Context, args: LogsArgs) -> Result<()> {
    let filter =
        Filter::from_args(&args.filter, ctx.log_profile(), Timestamp::now()).map_err(usage)?;
    let style = if args.json {
        Style::Json
    } else if ctx.out.stdout_is_tty {
        Style::Table
    } else {
        Style::Tsv
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
    let literal = filter.required_literal();

    // Keep only what will be shown: the newest `limit` lines, or, for a
    // table, every row (bounded by the limit on a terminal).
    let mut kept: VecDeque<Vec<u8>> = VecDeque::new();
    let mut matched: u64 = 0;
    let mut ids: Vec<String> = Vec::new();
    let mut stdout = output::stdout();
    let buffer = limit.is_some() || draw_table || filter.request_id_prefix().is_some();
    let report = deliverylog::scan(&path, 0, literal.as_deref(), |line| {
        if !filter.matches(&line.head) {
            return Ok(ControlFlow::Continue(()));
        }
        matched += 1;
        if filter.request_id_prefix().is_some() && !ids.iter().any(|id| *id == line.head.request_id)
        {
            ids.push(line.head.request_id.to_string());
        }
        if buffer {
            if limit.is_some_and(|n| kept.len() == n) {
                kept.pop_front();
            }
            kept.push_back(line.bytes.to_vec());
        } else {
            write_line(ctx, &style, &mut stdout, line.bytes, &line.head)?;
        }
        Ok(ControlFlow::Continue(()))
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    warn_unreadable(ctx, &report, &path);
    if let (Some(prefix), [_, _, ..]) = (filter.request_id_prefix(), ids.as_slice()) {
        return Err(usage(format!(
            "request id prefix {prefix} matches {} deliveries ({}...); give more characters",
            ids.len(),
            ids.iter()
                .take(3)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }

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
        follow(ctx, &filter, &style, report)?;
    }
    Ok(())
}

fn warn_unreadable(ctx: &Context, report: &ScanReport, path: &Path) {
    if let Some(warning) = report.warning(path) {
        ctx.out.warn(warning);
    }
}

fn code_text(head: &Head<'_>) -> String {
    head.response_code
        .map_or_else(|| "-".to_string(), |c| c.to_string())
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
        Style::Tsv => writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            head.timestamp,
            head.event,
            head.request_id,
            code_text(head),
            if head.success { "ok" } else { "failed" },
            head.duration_ms,
            head.attempt,
            output::tsv_field(&head.profile),
            output::tsv_field(head.error.as_deref().unwrap_or("-")),
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
                .map(|e| format!("  {}", o.paint(DIM, e)))
                .unwrap_or_default();
            writeln!(
                out,
                "{}  {:<34} {}  {code:>3}  {:>6} ms{error}",
                head.timestamp, head.event, head.request_id, head.duration_ms
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
            (None, Some(error)) => format!("- ({})", error.split(':').next().unwrap_or(error)),
            (None, None) => "-".to_string(),
        };
        let code = Cell::new(code).fg(if head.success {
            Color::Green
        } else {
            Color::Red
        });
        table.add_row(vec![
            Cell::new(head.timestamp.replace('T', " ").trim_end_matches('Z')),
            Cell::new(head.event.as_ref()),
            Cell::new(head.request_id.as_ref()),
            code.set_alignment(CellAlignment::Right),
            Cell::new(format!("{} ms", head.duration_ms)).set_alignment(CellAlignment::Right),
        ]);
    }
    table
}

/// `tail -f` for the log: polls for growth, and when a prune replaces the
/// file, finds the last record it saw in the new file and goes on after it.
fn follow(ctx: &Context, filter: &Filter, style: &Style, mut report: ScanReport) -> Result<()> {
    let path = ctx.home.log_file();
    let mut offset = report.end_offset;
    let mut identity = file_identity(&path);
    let mut last_seen: Option<String> = None;
    let mut stdout = output::stdout();
    loop {
        std::thread::sleep(FOLLOW_POLL);
        let now = file_identity(&path);
        let replaced = now.is_some_and(|(ino, len)| {
            identity.is_some_and(|(old_ino, _)| old_ino != ino) || len < offset
        });
        if replaced {
            offset = match &last_seen {
                Some(id) => resume_after(&path, id)?,
                None => 0,
            };
        }
        identity = now;
        if identity.is_none_or(|(_, len)| len <= offset) {
            continue;
        }
        report = deliverylog::scan(&path, offset, None, |line| {
            last_seen = Some(line.head.request_id.to_string());
            if filter.matches(&line.head) {
                write_line(ctx, style, &mut stdout, line.bytes, &line.head)?;
            }
            Ok(ControlFlow::Continue(()))
        })?;
        stdout.flush()?;
        if report.unreadable > 0 {
            warn_unreadable(
                ctx,
                &ScanReport {
                    torn_tail: false,
                    ..report
                },
                &path,
            );
        }
        offset = report.end_offset;
    }
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0;
    Some((ino, meta.len()))
}

/// After a prune: the offset just past the record `request_id`, or the start
/// of the file if the prune dropped it (everything left is newer).
fn resume_after(path: &Path, request_id: &str) -> Result<u64> {
    let literal = format!("\"request_id\":\"{request_id}\"");
    let mut resume = 0;
    deliverylog::scan(path, 0, Some(literal.as_bytes()), |line| {
        if line.head.request_id == request_id {
            resume = line.offset + line.bytes.len() as u64 + 1;
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(resume)
}

pub fn summary(ctx: &Context, args: SummaryArgs) -> Result<()> {
    let filter =
        Filter::from_args(&args.filter, ctx.log_profile(), Timestamp::now()).map_err(usage)?;
    let path = ctx.home.log_file();
    let mut builder = SummaryBuilder::default();
    let literal = filter.required_literal();
    let check = !filter.is_empty();
    let report = deliverylog::scan(&path, 0, literal.as_deref(), |line| {
        if !check || filter.matches(&line.head) {
            builder.add(&line.head);
        }
        Ok(ControlFlow::Continue(()))
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    warn_unreadable(ctx, &report, &path);
    let summary = builder.finish();
    let mut stdout = output::stdout();
    let out = &ctx.out;
    if args.json {
        writeln!(stdout, "{}", serde_json::to_string(&summary)?)?;
    } else if out.stdout_is_tty {
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
                    Cell::new(event),
                    Cell::new(c.total).set_alignment(CellAlignment::Right),
                    Cell::new(c.succeeded).set_alignment(CellAlignment::Right),
                    Cell::new(c.failed).set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(stdout, "\n{codes}\n\n{events}")?;
        }
    } else {
        writeln!(stdout, "total\t{}", summary.total_events)?;
        writeln!(stdout, "succeeded\t{}", summary.total_success_events)?;
        writeln!(stdout, "failed\t{}", summary.total_failed_events)?;
        for (code, n) in &summary.by_response_code {
            writeln!(stdout, "code\t{code}\t{n}")?;
        }
        for (event, c) in &summary.by_event {
            writeln!(
                stdout,
                "event\t{event}\t{}\t{}\t{}",
                c.total, c.succeeded, c.failed
            )?;
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
    let (found, report) = deliverylog::find_request_ids(&path, std::slice::from_ref(&prefix))
        .with_context(|| format!("cannot read {}", path.display()))?;
    warn_unreadable(ctx, &report, &path);
    let offset = match found[0].as_slice() {
        [] => {
            return Err(usage(format!(
                "no delivery with request id {prefix} in {}",
                path.display()
            )));
        }
        [(_, offset)] => *offset,
        many => {
            return Err(usage(format!(
                "request id prefix {prefix} matches {} deliveries ({}...); give more characters",
                many.len(),
                many.iter()
                    .take(3)
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let line = deliverylog::line_at(&path, offset)?.with_context(|| {
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
        ("request id", record.request_id.to_string()),
        ("event", record.event.to_string()),
        ("event id", record.event_id.to_string()),
        ("time", record.timestamp.to_string()),
        ("url", record.url.to_string()),
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
        ("profile", record.profile.to_string()),
    ];
    if let Some(error) = &record.error {
        rows.push(("error", error.to_string()));
    }
    if let Some(original) = &record.redelivery_of {
        rows.push(("redelivery of", original.to_string()));
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
            record.response_body
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
        if !ctx.out.stdin_is_tty {
            return Err(usage(
                "logs prune deletes records: confirm with --yes (sfhook asks only on a terminal)",
            ));
        }
        let (mut total, mut dropping) = (0u64, 0u64);
        let report = deliverylog::scan(&path, 0, None, |line| {
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
        let confirmed = dialoguer::Confirm::new()
            .with_prompt(format!(
                "Drop {dropping} of {total} deliveries logged before {shown_cutoff}?"
            ))
            .default(false)
            .interact()
            .context("cannot read the answer from the terminal")?;
        if !confirmed {
            ctx.out.note("Nothing pruned");
            return Ok(());
        }
    }
    let report = deliverylog::prune(&ctx.home, |head| older.matches(head))
        .with_context(|| format!("cannot prune {}", path.display()))?;
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
