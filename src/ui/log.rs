//! How the delivery log is shown: listings as a table, tab-separated
//! lines, JSON lines or CSV; the summary; one record.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;

use anyhow::Result;
use comfy_table::{Cell, CellAlignment, Color};
use serde_json::Value;

use crate::core::log::{Head, Record, Summary};
use crate::core::units::unsafe_to_show;
use crate::ui::output::{self, BOLD, DIM, FAIL, Mode, OK, Output, plain, plain_lines};

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

pub(crate) fn table(out: &Output, lines: &VecDeque<Vec<u8>>) -> comfy_table::Table {
    let mut table = out.table();
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

/// `logs summary`: the dashboard's counts, then by code and by event.
pub(crate) fn print_summary(out: &Output, mode: Mode, summary: &Summary) -> Result<()> {
    let mut stdout = output::stdout();
    match mode {
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
/// payload as sent (`--raw`).
pub(crate) fn print_record(
    out: &Output,
    record: &Record<'_>,
    line: &[u8],
    raw: bool,
    json: bool,
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
    out.write_rows(&mut stdout, true, 14, &rows)?;
    let payload: Value = serde_json::from_str(record.payload.get())?;
    writeln!(
        stdout,
        "\n{}\n{}",
        out.paint(BOLD, "Payload"),
        json_for_people(&payload)?
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
