//! How deliveries are shown: a mock, a burst, each attempt of a real
//! delivery and each redelivery, for a terminal, a pipe and `--json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::core::delivery::Outcome;
use crate::core::delivery::burst::{BurstReport, GateResult, Sent};
use crate::core::delivery::extra::Tamper;
use crate::core::delivery::retry::Try;
use crate::core::delivery::sender::Attempted;
use crate::core::expect::Expectation;
use crate::core::units::millis;
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output, painted_verdict};
use crate::ui::text::{answer_preview, human_ms};

/// What a mock was about, besides its outcome.
pub(crate) struct MockShown<'a> {
    /// The wire name.
    pub event: &'a str,
    /// The endpoint, redacted.
    pub url: &'a str,
    pub event_id: &'a str,
    pub expectation: &'a Expectation,
    pub tamper: Option<Tamper>,
}

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
    signature: Option<&'a str>,
    response_body: &'a str,
    cut_short: Option<String>,
    /// `--expect`, or its default.
    expected: String,
    /// Whether the answer met it: what the exit code says.
    met: bool,
    tamper: Option<&'static str>,
}

/// A mark and a description of an outcome, green when it met the
/// expectation and red when not.
fn judged(out: &Output, outcome: &Outcome, met: bool) -> (String, String) {
    let (style, mark) = if met { (OK, "✓") } else { (FAIL, "✗") };
    (
        out.paint(style, mark),
        out.paint(style, output::plain(&outcome.describe())),
    )
}

pub(crate) fn print_mock(
    out: &Output,
    mode: Mode,
    shown: &MockShown<'_>,
    attempted: &Attempted,
) -> Result<()> {
    let outcome: &Outcome = &attempted.outcome;
    let met = shown.expectation.met(outcome);
    let mut stdout = output::stdout();
    let body_text = outcome.response_body();
    if let Some(note) = outcome.cut_short_note().filter(|_| !out.stdout_is_tty) {
        out.note(note);
    }
    match mode {
        Mode::Json => {
            let result = MockJson {
                mock: true,
                event: shown.event,
                event_id: shown.event_id,
                request_id: outcome.request_id.to_string(),
                url: shown.url,
                response_code: outcome.code(),
                success: outcome.success(),
                error: outcome.error(),
                duration_ms: millis(outcome.duration),
                signature: attempted.signature.as_deref(),
                response_body: &body_text,
                cut_short: outcome.cut_short().map(ToString::to_string),
                expected: shown.expectation.to_string(),
                met,
                tamper: shown.tamper.map(Tamper::name),
            };
            writeln!(stdout, "{}", serde_json::to_string(&result)?)?;
        }
        Mode::Terminal => {
            let (mark, verdict) = judged(out, outcome, met);
            // Say what was expected when it is not the plain 2xx.
            let expected = if shown.expectation.is_default() {
                String::new()
            } else {
                out.paint(DIM, format!(" (expected {})", shown.expectation))
            };
            writeln!(
                stdout,
                "{mark} {verdict}{expected} in {}  {} → {}",
                human_ms(outcome.duration),
                shown.event,
                shown.url
            )?;
            if let Some(tamper) = shown.tamper {
                writeln!(stdout, "  {} {tamper}", out.paint(DIM, "tamper "))?;
            }
            writeln!(
                stdout,
                "  {} {}",
                out.paint(DIM, "request"),
                outcome.request_id
            )?;
            writeln!(stdout, "  {} {}", out.paint(DIM, "event  "), shown.event_id)?;
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
                if met { "ok" } else { "failed" },
                millis(outcome.duration),
                outcome.request_id,
                shown.event_id,
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

/// What a burst was about, besides its report.
pub(crate) struct BurstShown<'a> {
    pub event: &'a str,
    pub url: &'a str,
    pub expectation: &'a Expectation,
    pub gates: &'a [GateResult],
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
    /// Over the 2xx answers.
    latency_ms: LatencyJson,
    expected: String,
    met: u64,
    unmet: u64,
    /// Arrivals of a paced burst never sent.
    dropped: u64,
    gates: Vec<GateJson<'a>>,
}

/// How many arrivals of a paced burst were never sent.
fn dropped_text(dropped: u64) -> String {
    format!("{dropped} (never sent: no free slot before the deadline; raise --concurrency)")
}

#[derive(Serialize)]
struct LatencyJson {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

#[derive(Serialize)]
struct GateJson<'a> {
    gate: &'a str,
    limit: &'a str,
    actual: &'a str,
    passed: bool,
}

pub(crate) fn print_burst(
    out: &Output,
    mode: Mode,
    shown: &BurstShown<'_>,
    report: &BurstReport,
) -> Result<()> {
    let (event, url) = (shown.event, shown.url);
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
            expected: shown.expectation.to_string(),
            met: tally.met,
            unmet: report.unmet(),
            dropped: tally.dropped,
            gates: shown
                .gates
                .iter()
                .map(|g| GateJson {
                    gate: g.gate,
                    limit: &g.limit,
                    actual: &g.actual,
                    passed: g.passed,
                })
                .collect(),
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
    let mut rows = vec![
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
            // Percentiles of nothing would read as a fast receiver.
            if !report.measured() {
                "none: no 2xx answer to measure".to_string()
            } else {
                format!(
                    "p50 {}, p95 {}, p99 {}, max {} (of 2xx answers)",
                    human_ms(latency.p50),
                    human_ms(latency.p95),
                    human_ms(latency.p99),
                    human_ms(latency.max)
                )
            },
        ),
    ];
    if tally.dropped > 0 {
        rows.insert(3, ("dropped", dropped_text(tally.dropped)));
    }
    if !shown.expectation.is_default() {
        rows.push((
            "expected",
            format!("{}: met by {} of {sent}", shown.expectation, tally.met),
        ));
    }
    for gate in shown.gates {
        let verdict = if gate.passed { "passed" } else { "FAILED" };
        rows.push((
            "gate",
            format!(
                "{} {} (limit {}): {verdict}",
                gate.gate, gate.actual, gate.limit
            ),
        ));
    }
    out.write_rows(&mut stdout, mode == Mode::Terminal, 10, &rows)?;
    Ok(stdout.flush()?)
}

/// `--requests FILE`: one JSON line per request of a burst, written as the
/// answers come. Shared by the burst's workers; the first write error is
/// kept and reported at the end rather than stopping the burst.
#[derive(Clone)]
pub(crate) struct RequestsFile {
    path: std::path::PathBuf,
    inner: std::sync::Arc<std::sync::Mutex<RequestsInner>>,
}

struct RequestsInner {
    writer: std::io::BufWriter<std::fs::File>,
    error: Option<std::io::Error>,
}

#[derive(Serialize)]
struct RequestJson<'a> {
    request_id: &'a str,
    event_id: &'a str,
    status: Option<u16>,
    latency_ms: f64,
    error: Option<String>,
    met: bool,
}

impl RequestsFile {
    pub(crate) fn create(path: &std::path::Path) -> Result<RequestsFile> {
        use anyhow::Context as _;
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write --requests {}", path.display()))?;
        Ok(RequestsFile {
            path: path.to_path_buf(),
            inner: std::sync::Arc::new(std::sync::Mutex::new(RequestsInner {
                writer: std::io::BufWriter::new(file),
                error: None,
            })),
        })
    }

    pub(crate) fn write(&self, sent: &Sent<'_>) {
        let line = RequestJson {
            request_id: &sent.request_id,
            event_id: sent.event_id,
            status: sent.outcome.code(),
            latency_ms: (sent.latency.as_secs_f64() * 1_000_000.0).round() / 1000.0,
            error: sent.outcome.error(),
            met: sent.met,
        };
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.error.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut inner.writer, &line)
            .map_err(std::io::Error::from)
            .and_then(|()| inner.writer.write_all(b"\n"));
        if let Err(e) = written {
            inner.error = Some(e);
        }
    }

    /// Flushes the file; fails, naming it, if any line could not be written.
    pub(crate) fn finish(&self) -> Result<()> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| anyhow::anyhow!("--requests {}: a writer failed", self.path.display()))?;
        let flushed = inner.writer.flush();
        match inner.error.take().map_or(flushed, Err) {
            Ok(()) => Ok(()),
            Err(e) => Err(anyhow::anyhow!(
                "cannot write --requests {}: {e}",
                self.path.display()
            )),
        }
    }
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
        let line = format!(
            "{mark} {verdict} in {}{of}  {event} → {url}",
            human_ms(outcome.duration)
        );
        let tail = format!("request {}", outcome.request_id);
        writeln!(stdout, "{line}{}{tail}", out.before_tail(&line, &tail))?;
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
    // Both come from the log, which anyone who can write it may have
    // tampered with.
    let (event, original_id) = (output::plain(event), output::plain(original_id));
    // Locked per line: the lock must not be held across a request.
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => stdout.write_all(attempted.record.as_deref().unwrap_or_default())?,
        Mode::Terminal => {
            let (_, verdict) = painted_verdict(out, outcome);
            let line = format!(
                "{event} {original_id} → {verdict} in {}",
                human_ms(outcome.duration)
            );
            let tail = format!("request {}", outcome.request_id);
            writeln!(stdout, "{line}{}{tail}", out.before_tail(&line, &tail))?;
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

/// A logged delivery that `redeliver` is about to re-send, and the
/// profile it goes with.
#[derive(Serialize)]
pub(crate) struct Planned {
    /// Where the record starts in the log.
    #[serde(skip)]
    pub offset: u64,
    pub request_id: String,
    pub event: String,
    pub event_id: String,
    pub profile: String,
    /// The original delivery's code, and its error if no answer came.
    pub response_code: Option<u16>,
    pub error: Option<String>,
}

/// `redeliver --dry-run`: what would be re-sent, one line each. The fields
/// come from the log, so every human format shows them plain.
pub(crate) fn print_planned(out: &Output, mode: Mode, planned: &[Planned]) -> Result<()> {
    let mut stdout = output::stdout();
    for p in planned {
        let was = match (p.response_code, &p.error) {
            (Some(code), _) => code.to_string(),
            (None, Some(error)) => {
                output::plain(error.split(':').next().unwrap_or(error)).into_owned()
            }
            (None, None) => "-".to_string(),
        };
        match mode {
            Mode::Json => writeln!(stdout, "{}", serde_json::to_string(p)?)?,
            Mode::Terminal => writeln!(
                stdout,
                "{}  {}  {} {}  {} {was}",
                output::plain(&p.request_id),
                output::plain(&p.event),
                out.paint(DIM, "profile"),
                output::plain(&p.profile),
                out.paint(DIM, "was"),
            )?,
            Mode::Pipe => writeln!(
                stdout,
                "{}\t{}\t{}\t{}",
                output::plain(&p.request_id),
                output::plain(&p.event),
                output::plain(&p.profile),
                output::code_or_dash(p.response_code),
            )?,
        }
    }
    Ok(stdout.flush()?)
}
