//! How deliveries are shown: a mock, a burst, each attempt of a real
//! delivery and each redelivery, for a terminal, a pipe and `--json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::core::delivery::Outcome;
use crate::core::delivery::burst::BurstReport;
use crate::core::delivery::retry::Try;
use crate::core::delivery::sender::Attempted;
use crate::core::units::millis;
use crate::ui::output::{self, DIM, Mode, Output, painted_verdict};
use crate::ui::text::{answer_preview, human_ms};

/// `mock --json`: one object.
#[derive(Serialize)]
struct MockJson<'a> {
    mock: bool,
    event: &'a str,
    event_id: &'a str,
    request_id: String,
    url: &'a str,
    response_code: Option<u16>,
    success: bool,
    error: Option<String>,
    duration_ms: u64,
    signature: &'a str,
    response_body: &'a str,
    cut_short: Option<String>,
}

pub(crate) fn print_mock(
    out: &Output,
    mode: Mode,
    event: &str,
    url: &str,
    event_id: &str,
    attempted: &Attempted,
) -> Result<()> {
    let outcome: &Outcome = &attempted.outcome;
    let mut stdout = output::stdout();
    let body_text = outcome.response_body();
    if let Some(note) = outcome.cut_short_note().filter(|_| !out.stdout_is_tty) {
        out.note(note);
    }
    match mode {
        Mode::Json => {
            let result = MockJson {
                mock: true,
                event,
                event_id,
                request_id: outcome.request_id.to_string(),
                url,
                response_code: outcome.code(),
                success: outcome.success(),
                error: outcome.error(),
                duration_ms: crate::core::units::millis(outcome.duration),
                signature: &attempted.signature,
                response_body: &body_text,
                cut_short: outcome.cut_short().map(ToString::to_string),
            };
            writeln!(stdout, "{}", serde_json::to_string(&result)?)?;
        }
        Mode::Terminal => {
            let (mark, verdict) = painted_verdict(out, outcome);
            writeln!(
                stdout,
                "{mark} {verdict} in {}  {event} → {url}",
                human_ms(outcome.duration),
            )?;
            writeln!(
                stdout,
                "  {} {}",
                out.paint(DIM, "request"),
                outcome.request_id
            )?;
            writeln!(stdout, "  {} {}", out.paint(DIM, "event  "), event_id)?;
            if !body_text.is_empty() {
                writeln!(
                    stdout,
                    "  {} {}",
                    out.paint(DIM, "answer "),
                    answer_preview(&body_text, 200)
                )?;
            }
            writeln!(
                stdout,
                "  {}",
                out.paint(DIM, "mock: not written to the delivery log")
            )?;
        }
        Mode::Pipe => {
            writeln!(
                stdout,
                "{}\t{}\t{}\t{}\t{}\t{}",
                output::code_or_dash(outcome.code()),
                if outcome.success() { "ok" } else { "failed" },
                crate::core::units::millis(outcome.duration),
                outcome.request_id,
                event_id,
                output::plain(
                    &outcome
                        .error()
                        .unwrap_or_else(|| answer_preview(&body_text, 200))
                ),
            )?;
        }
    }
    Ok(stdout.flush()?)
}

/// `mock --count N --json`: one object.
#[derive(Serialize)]
struct BurstJson<'a> {
    mock: bool,
    event: &'a str,
    url: &'a str,
    sent: u64,
    succeeded: u64,
    failed: u64,
    failed_by: &'a BTreeMap<String, u64>,
    concurrency: u32,
    elapsed_ms: f64,
    requests_per_second: f64,
    latency_ms: LatencyJson,
}

#[derive(Serialize)]
struct LatencyJson {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

pub(crate) fn print_burst(
    out: &Output,
    mode: Mode,
    event: &str,
    url: &str,
    report: &BurstReport,
) -> Result<()> {
    let tally = &report.tally;
    let sent = report.sent;
    let failed = report.failed();
    let rate = report.requests_per_second();
    let latency = &report.latency;
    let mut stdout = output::stdout();
    if mode == Mode::Json {
        let ms = |d: Duration| (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
        let summary = BurstJson {
            mock: true,
            event,
            url,
            sent,
            succeeded: tally.succeeded,
            failed,
            failed_by: &tally.failed,
            concurrency: report.concurrency,
            elapsed_ms: ms(report.elapsed),
            requests_per_second: rate.round(),
            latency_ms: LatencyJson {
                p50: ms(latency.p50),
                p95: ms(latency.p95),
                p99: ms(latency.p99),
                max: ms(latency.max),
            },
        };
        writeln!(stdout, "{}", serde_json::to_string(&summary)?)?;
        return Ok(stdout.flush()?);
    }
    let failures = if tally.failed.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = tally
            .failed
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    let rows = [
        ("sent", format!("{sent} {event} mocks to {url}")),
        ("succeeded", tally.succeeded.to_string()),
        ("failed", format!("{failed}{failures}")),
        (
            "elapsed",
            format!(
                "{} at concurrency {} ({rate:.0} requests/s)",
                human_ms(report.elapsed),
                report.concurrency
            ),
        ),
        (
            "latency",
            format!(
                "p50 {}, p95 {}, p99 {}, max {}",
                human_ms(latency.p50),
                human_ms(latency.p95),
                human_ms(latency.p99),
                human_ms(latency.max)
            ),
        ),
    ];
    for (key, value) in rows {
        if mode == Mode::Terminal {
            writeln!(
                stdout,
                "{} {value}",
                out.paint(output::BOLD, format!("{key:<10}"))
            )?;
        } else {
            writeln!(stdout, "{key}\t{value}")?;
        }
    }
    Ok(stdout.flush()?)
}

/// One line per attempt: a progress note on stderr, the result on stdout.
/// With --json, the stored record itself.
pub(crate) fn print_attempt(
    out: &Output,
    mode: Mode,
    tried: &Try<'_>,
    (event, url): (&str, &str),
) -> Result<()> {
    let outcome: &Outcome = &tried.attempted.outcome;
    let (attempt, attempts) = (tried.number, tried.of);
    let mut stdout = output::stdout();
    if let Some(note) = outcome.cut_short_note().filter(|_| !out.stdout_is_tty) {
        out.note(note);
    }
    if mode == Mode::Json {
        stdout.write_all(tried.attempted.record.as_deref().unwrap_or_default())?;
        return Ok(stdout.flush()?);
    }
    // A first attempt that worked needs no count.
    let of = if attempts > 1 && (attempt > 1 || !outcome.success()) {
        format!(" (attempt {attempt}/{attempts})")
    } else {
        String::new()
    };
    if mode == Mode::Terminal {
        let (mark, verdict) = painted_verdict(out, outcome);
        writeln!(
            stdout,
            "{mark} {verdict} in {}{of}  {event} → {url}  request {}",
            human_ms(outcome.duration),
            outcome.request_id
        )?;
    } else {
        writeln!(
            stdout,
            "{}\t{}\t{}\t{}\t{attempt}\t{}",
            output::code_or_dash(outcome.code()),
            if outcome.success() { "ok" } else { "failed" },
            millis(outcome.duration),
            outcome.request_id,
            output::plain(&outcome.error().unwrap_or_else(|| "-".to_string())),
        )?;
    }
    Ok(stdout.flush()?)
}

/// One redelivery: which logged delivery it re-sent, and what came of it.
/// With `--json`, the new attempt's stored record.
pub(crate) fn print_redelivery(
    out: &Output,
    mode: Mode,
    (event, original_id): (&str, &str),
    attempted: &Attempted,
) -> Result<()> {
    let outcome = &attempted.outcome;
    // Locked per line: the lock must not be held across a request.
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => stdout.write_all(attempted.record.as_deref().unwrap_or_default())?,
        Mode::Terminal => {
            let (_, verdict) = painted_verdict(out, outcome);
            writeln!(
                stdout,
                "{event} {original_id} → {verdict} in {}  request {}",
                human_ms(outcome.duration),
                outcome.request_id
            )?;
        }
        Mode::Pipe => writeln!(
            stdout,
            "{original_id}\t{}\t{event}\t{}\t{}",
            outcome.request_id,
            output::code_or_dash(outcome.code()),
            if outcome.success() { "ok" } else { "failed" }
        )?,
    }
    Ok(stdout.flush()?)
}
