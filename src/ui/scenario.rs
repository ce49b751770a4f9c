//! How `run` shows a scenario: one line per step, for a terminal, a pipe
//! (tab-separated: step, event, tamper, code, ok or failed, ms, expected)
//! or `--json` (one object per step).

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::core::delivery::extra::Tamper;
use crate::core::delivery::sender::Attempted;
use crate::core::scenario::MockStep;
use crate::core::units::millis;
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output};
use crate::ui::text::human_ms;

/// A step that was played.
pub(crate) struct StepDone<'a> {
    /// From 1, as in messages.
    pub number: usize,
    pub step: &'a MockStep,
    pub event_id: &'a str,
    pub attempted: &'a Attempted,
    pub met: bool,
}

#[derive(Serialize)]
struct StepJson<'a> {
    step: usize,
    event: &'a str,
    tamper: Option<&'static str>,
    expected: String,
    response_code: Option<u16>,
    met: bool,
    duration_ms: u64,
    request_id: String,
    event_id: &'a str,
    error: Option<String>,
}

#[derive(Serialize)]
struct SleepJson {
    step: usize,
    sleep_ms: u64,
}

pub(crate) fn print_step(out: &Output, mode: Mode, done: &StepDone<'_>) -> Result<()> {
    let outcome = &done.attempted.outcome;
    let step = done.step;
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => {
            let line = StepJson {
                step: done.number,
                event: step.event.wire,
                tamper: step.tamper.map(Tamper::name),
                expected: step.expect.to_string(),
                response_code: outcome.code(),
                met: done.met,
                duration_ms: millis(outcome.duration),
                request_id: outcome.request_id.to_string(),
                event_id: done.event_id,
                error: outcome.error(),
            };
            writeln!(stdout, "{}", serde_json::to_string(&line)?)?;
        }
        Mode::Terminal => {
            let (style, mark) = if done.met { (OK, "✓") } else { (FAIL, "✗") };
            let expected = if step.expect_given || step.tamper.is_some() || !done.met {
                out.paint(DIM, format!(" (expected {})", step.expect))
            } else {
                String::new()
            };
            writeln!(
                stdout,
                "{} {:>2} {:<34} {}{expected} in {}",
                out.paint(style, mark),
                done.number,
                step.title(),
                out.paint(style, outcome.describe()),
                human_ms(outcome.duration)
            )?;
        }
        Mode::Pipe => writeln!(
            stdout,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            done.number,
            step.event.wire,
            step.tamper.map_or("-", Tamper::name),
            output::code_or_dash(outcome.code()),
            if done.met { "ok" } else { "failed" },
            millis(outcome.duration),
            step.expect
        )?,
    }
    Ok(stdout.flush()?)
}

pub(crate) fn print_sleep(out: &Output, mode: Mode, number: usize, pause: Duration) -> Result<()> {
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => {
            let line = SleepJson {
                step: number,
                sleep_ms: millis(pause),
            };
            writeln!(stdout, "{}", serde_json::to_string(&line)?)?;
        }
        Mode::Terminal => writeln!(
            stdout,
            "{}",
            out.paint(DIM, format!("· {number:>2} sleep {}", human_ms(pause)))
        )?,
        Mode::Pipe => writeln!(stdout, "{number}\tsleep\t-\t-\tok\t{}\t-", millis(pause))?,
    }
    Ok(stdout.flush()?)
}
