//! `sfhook logs` and its subcommands `summary`, `show` and `prune`: the
//! dashboard's Logs page, for a terminal and for pipelines. Everything
//! streams; nothing holds the log in memory.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::cli::{LogFormat, LogShowArgs, LogsArgs, PruneArgs, SummaryArgs};
use crate::context::Context;
use crate::core::error::usage;
use crate::core::filter::{Bound, Filter, parse_when};
use crate::core::log::{self, Head, ScanReport, SummaryBuilder};
use crate::core::units::format_timestamp;
use crate::ui::log::{CsvRows, Style, print_record, print_summary, table, write_line};
use crate::ui::output::{self, DIM, OK};
use crate::ui::text::count;

/// Without --limit, a terminal shows this many of the newest deliveries.
const TERMINAL_LIMIT: usize = 50;
/// Following on a terminal, like `tail -f`, the newest few come first.
const FOLLOW_BACKLOG: usize = 10;

pub fn list(ctx: &Context, args: LogsArgs) -> Result<()> {
    let filter =
        Filter::new(&args.filter.spec(), ctx.log_profile(), Timestamp::now()).map_err(usage)?;
    let style = match args.format {
        _ if args.json => Style::Json,
        Some(LogFormat::Json) => Style::Json,
        Some(format @ (LogFormat::Csv | LogFormat::CsvRaw)) => Style::Csv(Box::new(CsvRows::new(
            format == LogFormat::Csv,
            ctx.out.stdout_is_tty,
        ))),
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
            write_line(&ctx.out, &style, &mut stdout, line.bytes, &line.head)?;
        }
        Ok(ControlFlow::Continue(()))
    };
    // What admins ask most, the newest few and a recent window, is read
    // from the end of the log (see core::log::seek); a request id must be
    // known to name one delivery in the whole log, so it reads it all.
    let whole = filter.request_id_prefix().is_some();
    let start = match (&file, filter.since_bound()) {
        (Some(file), Some(since)) if !whole => log::since_start(file, since)
            .with_context(|| format!("cannot read {}", path.display()))?,
        _ => 0,
    };
    let mut more = false;
    let report = match (&file, limit) {
        (Some(file), Some(n)) if !whole => {
            let newest = log::newest(file, start, needle.as_ref(), n, draw_table, |head| {
                filter.matches(head)
            })
            .with_context(|| format!("cannot read {}", path.display()))?;
            kept = newest.lines.into();
            more = newest.more;
            newest.report
        }
        (Some(file), _) => {
            let report = log::scan_file(file, start, needle.as_ref(), visit)
                .with_context(|| format!("cannot read {}", path.display()))?;
            more = (kept.len() as u64) < matched;
            report
        }
        (None, _) => ScanReport::default(),
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
            writeln!(stdout, "{}", table(&ctx.out, &kept, args.wide))?;
        }
    } else {
        for bytes in &kept {
            if let Some(head) = Head::parse(bytes) {
                write_line(&ctx.out, &style, &mut stdout, bytes, &head)?;
            }
        }
    }
    stdout.flush()?;
    // The newest few are read from the end: how many more there are is not
    // known without reading the whole log (`logs summary` counts them).
    if draw_table && more {
        ctx.out.note(ctx.out.paint_stderr(
            DIM,
            format!(
                "Showing the newest {}; --limit 0 shows all",
                count(kept.len() as u64, "delivery", "deliveries")
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
            write_line(&ctx.out, style, &mut stdout, line.bytes, &line.head)
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
    let (mut builder, report) = if filter.request_id_prefix().is_some() {
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
        (builder, report)
    } else {
        log::summarize(&path, needle.as_ref(), |head| {
            !check || filter.matches(head)
        })
        .with_context(|| format!("cannot read {}", path.display()))?
    };
    // The filter chose the events; whether each was delivered is the
    // whole log's answer (a --failed summary is not "nothing delivered").
    if check {
        builder
            .settle_events(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    warn_unreadable(ctx, &report, &path);
    print_summary(&ctx.out, ctx.out.mode(args.json), &builder.finish())
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
    let line = log::record_line(&path, offset)?;
    let record = log::parse_record(&line, offset, &path)?;
    let (attempts, total) = if args.raw || args.json {
        (Vec::new(), 0)
    } else {
        log::attempts_of(&path, &record.event_id)
            .with_context(|| format!("cannot read {}", path.display()))?
    };
    print_record(
        &ctx.out,
        &record,
        &line,
        args.raw,
        args.json,
        (&attempts, total),
    )
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
            &format!(
                "Drop {dropping} of {} logged before {shown_cutoff}?",
                count(total, "delivery", "deliveries")
            ),
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
        "{} Dropped {} logged before {shown_cutoff}; kept {}",
        ctx.out.paint_stderr(OK, "✓"),
        count(report.dropped, "delivery", "deliveries"),
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
