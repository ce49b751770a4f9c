//! How the delivery log is shown: listings as a table, tab-separated
//! lines, JSON lines or CSV; the summary; one record.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;

use anyhow::Result;
use comfy_table::{Cell, CellAlignment};
use serde_json::Value;

use crate::core::log::{Attempt, Head, Record, Summary};
use crate::core::units::unsafe_to_show;
use crate::ui::output::{
    self, BOLD, Column, DIM, FAIL, Field, Fit, Mode, OK, Output, Tone, plain, plain_lines,
};
use crate::ui::text::count;

/// How a listing writes its records.
pub(crate) enum Style {
    Json,
    Table,
    Tsv,
    Csv(Box<CsvRows>),
}

/// CSV records, CRLF-terminated as RFC 4180 says, each handed on as soon as
/// it is written (a `--follow` shows it at once); a null is an empty field.
/// One writer serves the whole listing.
///
/// `csv` defuses spreadsheet formulas: a field starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet
/// shows a tampered record or an answer's body as text rather than running
/// it. `csv-raw` writes fields as they are stored, so the file parses back
/// to exactly the records. Either way, on a terminal control characters are
/// escaped as in every human format.
pub(crate) struct CsvRows {
    writer: RefCell<csv::Writer<Shared>>,
    written: Rc<RefCell<Vec<u8>>>,
    defuse: bool,
    escape: bool,
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
    pub(crate) fn new(defuse: bool, escape: bool) -> CsvRows {
        let written = Rc::new(RefCell::new(Vec::new()));
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Shared(Rc::clone(&written)));
        CsvRows {
            writer: RefCell::new(writer),
            written,
            defuse,
            escape,
        }
    }

    pub(crate) fn write(&self, out: &mut impl Write, fields: &[&str]) -> std::io::Result<()> {
        let mut writer = self.writer.borrow_mut();
        let shown: Vec<Cow<'_, str>> = fields.iter().map(|field| self.shown(field)).collect();
        writer.write_record(shown.iter().map(|field| field.as_bytes()))?;
        writer.flush()?;
        let mut written = self.written.borrow_mut();
        out.write_all(&written)?;
        written.clear();
        Ok(())
    }
}

impl CsvRows {
    fn shown<'f>(&self, field: &'f str) -> Cow<'f, str> {
        let field = if self.defuse && starts_formula(field) {
            Cow::Owned(format!("'{field}"))
        } else {
            Cow::Borrowed(field)
        };
        if self.escape && field.contains(unsafe_to_show) {
            Cow::Owned(plain(&field).into_owned())
        } else {
            field
        }
    }
}

/// Whether a spreadsheet would read a CSV field as a formula (OWASP's list).
/// Every field that starts so is defused, numbers included: `-1+2` is a
/// formula too, and the numbers sfhook writes itself are never negative.
fn starts_formula(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r'])
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

fn code_text(head: &Head<'_>) -> String {
    output::code_or_dash(head.response_code)
}

/// One delivery as a line: the stored JSON, a tab-separated record, or a
/// coloured line for `--follow` on a terminal.
pub(crate) fn write_line(
    o: &Output,
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

/// The columns of the `logs` table, and which give way on a narrow
/// terminal: the time, the event, the request id and the code stay
/// (people copy the id into `logs show` and `redeliver`); then the attempt,
/// which tells a retry from another event, then the error (cut to its
/// width; `logs show` has all of it), then the duration.
const LISTING: [Column; 7] = [
    Column::new("Date & Time (UTC)", Fit::Whole, 0),
    Column::new("Event Type", Fit::Whole, 0),
    Column::new("Request ID", Fit::Whole, 0),
    Column::new("Code", Fit::Whole, 0).align(CellAlignment::Right),
    Column::new("Attempt", Fit::Whole, 1).align(CellAlignment::Right),
    Column::new("Duration", Fit::Whole, 3).align(CellAlignment::Right),
    Column::new("Error", Fit::Shrink(10), 2),
];

/// The `logs` listing on a terminal, fitted to its width (`wide`: every
/// column).
pub(crate) fn table(out: &Output, lines: &VecDeque<Vec<u8>>, wide: bool) -> String {
    let mut rows = Vec::with_capacity(lines.len());
    for bytes in lines {
        let Some(head) = Head::parse(bytes) else {
            continue;
        };
        let tone = if head.success { Tone::Good } else { Tone::Bad };
        // Why no answer came, in short: the cause before its details.
        let error = head
            .error
            .as_deref()
            .map(|e| plain(e.split(':').next().unwrap_or(e)).into_owned())
            .unwrap_or_default();
        rows.push(vec![
            Field::new(
                plain(&head.timestamp)
                    .replace('T', " ")
                    .trim_end_matches('Z'),
            ),
            Field::new(plain(&head.event)),
            Field::new(plain(&head.request_id)),
            Field::new(code_text(&head)).tone(tone),
            Field::new(head.attempt.to_string()),
            Field::new(format!("{} ms", head.duration_ms)),
            Field::new(error).tone(Tone::Bad),
        ]);
    }
    out.grid(&LISTING, &rows, wide)
}

/// `logs summary`: the dashboard's counts, then by code and by event.
pub(crate) fn print_summary(out: &Output, mode: Mode, summary: &Summary) -> Result<()> {
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => {
            writeln!(stdout, "{}", serde_json::to_string(&summary)?)?;
        }
        Mode::Terminal => {
            // Events first (what an admin asks: did it arrive?), then the
            // requests it took, as the dashboard counts them.
            let events = &summary.events;
            let rows = [
                ("Events", events.total, BOLD),
                ("  delivered", events.delivered, OK),
                ("  not delivered", events.undelivered, FAIL),
                ("Requests", summary.total_events, BOLD),
                ("  succeeded", summary.total_success_events, OK),
                ("  failed", summary.total_failed_events, FAIL),
            ];
            for (label, n, style) in rows {
                // A zero is good news or no news: never in red or green.
                let style = if n == 0 && style != BOLD { DIM } else { style };
                writeln!(
                    stdout,
                    "{} {}",
                    out.paint(BOLD, format!("{label:<16}")),
                    out.paint(style, format!("{n:>7}"))
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
                // The event's name stays whole; on a narrow terminal the
                // succeeded count, which total and failed imply, goes.
                let right = CellAlignment::Right;
                let columns = [
                    Column::new("Event Type", Fit::Whole, 0),
                    Column::new("Requests", Fit::Whole, 0).align(right),
                    Column::new("Succeeded", Fit::Whole, 1).align(right),
                    Column::new("Failed", Fit::Whole, 0).align(right),
                ];
                let rows: Vec<Vec<Field>> = summary
                    .by_event
                    .iter()
                    .map(|(event, c)| {
                        vec![
                            Field::new(plain(event)),
                            Field::new(c.total.to_string()),
                            Field::new(c.succeeded.to_string()),
                            Field::new(c.failed.to_string()),
                        ]
                    })
                    .collect();
                let events = out.grid(&columns, &rows, false);
                writeln!(stdout, "\n{codes}\n\n{events}")?;
            }
        }
        Mode::Pipe => {
            writeln!(stdout, "events\t{}", summary.events.total)?;
            writeln!(stdout, "delivered\t{}", summary.events.delivered)?;
            writeln!(stdout, "undelivered\t{}", summary.events.undelivered)?;
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

/// Indented JSON for a person to read. serde_json escapes C0 controls but
/// leaves DEL, C1 and bidi controls raw; only strings can hold them, so a
/// `\u` escape there keeps the text valid JSON of the same value.
fn json_for_people(value: &Value) -> serde_json::Result<String> {
    let pretty = serde_json::to_string_pretty(value)?;
    let escaped = |c: char| c != '\n' && unsafe_to_show(c);
    if !pretty.contains(escaped) {
        return Ok(pretty);
    }
    let mut shown = String::with_capacity(pretty.len() + 16);
    for c in pretty.chars() {
        if escaped(c) {
            shown.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            shown.push(c);
        }
    }
    Ok(shown)
}

/// `logs show`: one record for people, its stored line (`--json`) or its
/// payload as sent (`--raw`). For people it leads with what they came for:
/// the outcome, every request made for the same event (did a later one
/// get through?), and the receiver's answer; the payload comes last, and
/// all of it goes through the pager when it is longer than the screen.
pub(crate) fn print_record(
    out: &Output,
    record: &Record<'_>,
    line: &[u8],
    raw: bool,
    json: bool,
    attempts: (&[Attempt], usize),
) -> Result<()> {
    let mut stdout = output::stdout();
    if raw {
        stdout.write_all(record.payload.get().as_bytes())?;
        return Ok(stdout.flush()?);
    }
    if json {
        stdout.write_all(line)?;
        stdout.write_all(b"\n")?;
        return Ok(stdout.flush()?);
    }
    drop(stdout);
    let mut text = Vec::new();
    write_record(out, &mut text, record, attempts)?;
    Ok(crate::ui::pager::show(out, &text)?)
}

fn write_record(
    out: &Output,
    text: &mut Vec<u8>,
    record: &Record<'_>,
    (attempts, total): (&[Attempt], usize),
) -> Result<()> {
    let answered = match (record.response_code, &record.error) {
        (Some(code), _) => format!("{code} in {} ms", record.duration_ms),
        (None, Some(error)) => format!("no answer: {}", plain(error)),
        (None, None) => "no answer".to_string(),
    };
    let outcome = if record.success {
        out.paint(OK, format!("✓ succeeded: {answered}"))
    } else {
        out.paint(FAIL, format!("✗ failed: {answered}"))
    };
    writeln!(text, "{outcome}")?;
    // Whether the event got through in the end, which this one request
    // cannot tell.
    let delivered_by = attempts.iter().find(|a| a.success);
    let verdict = match delivered_by {
        Some(a) if a.request_id == record.request_id => None,
        // Short enough that the id stays whole on a 60-column screen.
        Some(a) => Some(out.paint(OK, format!("  delivered later by {}", plain(&a.request_id)))),
        None if total > 0 => Some(out.paint(
            FAIL,
            format!(
                "  the event was not delivered ({}, none succeeded)",
                count(total as u64, "request", "requests")
            ),
        )),
        None => None,
    };
    if let Some(verdict) = verdict {
        writeln!(text, "{verdict}")?;
    }
    writeln!(text)?;
    let mut rows: Vec<(&str, String)> = vec![
        ("request id", plain(&record.request_id).into_owned()),
        ("event", plain(&record.event).into_owned()),
        ("event id", plain(&record.event_id).into_owned()),
        ("time", plain(&record.timestamp).into_owned()),
        ("url", plain(&record.url).into_owned()),
        ("attempt", record.attempt.to_string()),
        ("profile", plain(&record.profile).into_owned()),
    ];
    if let Some(original) = &record.redelivery_of {
        rows.push(("redelivery of", plain(original).into_owned()));
    }
    out.write_rows(text, true, 14, &rows)?;
    if total > 1 {
        let narrow = out.terminal_width().is_some_and(|w| w < 84);
        writeln!(
            text,
            "\n{}",
            out.paint(BOLD, format!("Requests for this event ({total})"))
        )?;
        for a in attempts {
            let code = a
                .response_code
                .map_or_else(|| "none".to_string(), |c| c.to_string());
            let code = out.paint(if a.success { OK } else { FAIL }, format!("{code:>4}"));
            let how = match &a.redelivery_of {
                Some(_) => "redelivery".to_string(),
                None => format!("attempt {}", a.attempt),
            };
            let this = if a.request_id == record.request_id {
                out.paint(BOLD, "  ← this one")
            } else {
                String::new()
            };
            // One line where it fits (82 columns); else the request id on
            // a line of its own, so that it is never broken.
            let joint = if narrow { "\n    " } else { "  " };
            writeln!(
                text,
                "  {}  {:<12} {code}{joint}{}{this}",
                plain(&a.timestamp),
                how,
                plain(&a.request_id),
            )?;
        }
        if total > attempts.len() {
            writeln!(text, "  … and {} more", total - attempts.len())?;
        }
    }
    if !record.response_body.is_empty() {
        writeln!(
            text,
            "\n{}\n{}",
            out.paint(BOLD, "Answer"),
            plain_lines(&record.response_body)
        )?;
    }
    let payload: Value = serde_json::from_str(record.payload.get())?;
    writeln!(
        text,
        "\n{}\n{}",
        out.paint(BOLD, "Payload"),
        json_for_people(&payload)?
    )?;
    Ok(())
}
