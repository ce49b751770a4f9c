//! `sfhook run FILE.toml`: play a scenario, one mock per step, each judged
//! by its own expectation. Not logged, like every mock.

use anyhow::Result;

use crate::cli::{RunArgs, read_input};
use crate::context::Context;
use crate::core::delivery::ready;
use crate::core::delivery::sender::Delivery;
use crate::core::error::{Failure, Kind};
use crate::core::payload::{BodySource, PayloadSpec};
use crate::core::scenario::{MockStep, Scenario, Step};
use crate::ui::output::unless_reader_gone;
use crate::ui::report::{self, Case, ReportTarget, Suite};
use crate::ui::scenario::{StepDone, print_sleep, print_step};

/// A step ready to play: its body checked already.
enum Planned<'s> {
    Sleep(std::time::Duration),
    Mock(&'s MockStep, BodySource),
}

pub async fn run(ctx: &Context, args: RunArgs) -> Result<()> {
    let scenario = Scenario::load(&args.file)?;
    // The command line and the environment choose the receiver under test
    // over what the file was written against.
    let url = args
        .url
        .as_deref()
        .or(ctx.env_url().map_or(scenario.url.as_deref(), |_| None));
    // Bodies first: a --data file that is missing or not JSON is found
    // before anything is sent, like every other mistake in the file.
    let mut planned = Vec::with_capacity(scenario.steps.len());
    for (i, step) in scenario.steps.iter().enumerate() {
        let mock = match step {
            Step::Sleep(pause) => {
                planned.push(Planned::Sleep(*pause));
                continue;
            }
            Step::Mock(mock) => mock,
        };
        let data = match &mock.data {
            Some(path) => Some((read_input(Some(path), "data")?, path.display().to_string())),
            None => None,
        };
        // As for mock: a data file is sent as it is unless edited; one
        // seed and time make the whole scenario reproducible.
        let spec = PayloadSpec {
            platform: Some(scenario.platform),
            data,
            set: mock.set.clone(),
            unset: mock.unset.clone(),
            raw: false,
            compact_data: false,
            seed: scenario.seed,
            at: scenario.at,
        };
        let source = BodySource::new(mock.event, spec)
            .map_err(|e| e.context(format!("{} step {}", args.file.display(), i + 1)))?;
        planned.push(Planned::Mock(mock, source));
    }
    report::check_stdout(args.report.as_ref(), args.json)?;
    let sender = ctx.mock_sender(url, &args.connection, 1)?;
    let url = sender.endpoint().redacted();
    if let Some(within) = args.wait_for {
        ready::wait_until_listening(sender.endpoint().url(), within).await?;
    }
    let tap = matches!(args.report, Some(ReportTarget::Tap));
    let mode = ctx.out.mode(args.json);
    let mut cases = Vec::new();
    let mut missed = Vec::new();
    let mut no_answer = false;
    for (i, step) in planned.iter().enumerate() {
        let number = i + 1;
        let (mock, source) = match step {
            Planned::Sleep(pause) => {
                if !tap {
                    unless_reader_gone(print_sleep(&ctx.out, mode, number, *pause))?;
                }
                tokio::time::sleep(*pause).await;
                continue;
            }
            Planned::Mock(mock, source) => (*mock, source),
        };
        // Device number 0 in every step: one device across the scenario;
        // event number the step's, so a seed gives each step its own id.
        let step_no = u32::try_from(i).unwrap_or(u32::MAX);
        let body = source.builder()?.build_of(step_no, 0)?;
        let attempted = sender
            .attempt(&Delivery {
                body: body.bytes.clone(),
                event: mock.event.wire,
                event_id: &body.event_id,
                attempt: 1,
                redelivery_of: None,
                tamper: mock.tamper,
                headers: &mock.headers,
            })
            .await?;
        let met = mock.expect.met(&attempted.outcome);
        cases.push(Case::judged(
            format!("step {number}: {}", mock.title()),
            &attempted.outcome,
            &mock.expect,
            &url,
        ));
        if !met {
            no_answer |= attempted.outcome.code().is_none();
            if let Some(failure) = mock.expect.judge(&attempted.outcome, &url) {
                missed.push(format!(
                    "step {number} ({}): {}",
                    mock.title(),
                    failure.message
                ));
            }
        }
        if tap {
            continue;
        }
        unless_reader_gone(print_step(
            &ctx.out,
            mode,
            &StepDone {
                number,
                step: mock,
                event_id: &body.event_id,
                attempted: &attempted,
                met,
            },
        ))?;
    }
    if let Some(target) = &args.report {
        let suite = Suite {
            name: scenario.name.clone(),
            cases,
        };
        unless_reader_gone(report::emit(target, &suite))?;
    }
    if missed.is_empty() {
        return Ok(());
    }
    let steps = scenario
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Mock(_)))
        .count();
    let kind = if no_answer {
        Kind::Unreachable
    } else {
        Kind::Rejected
    };
    Err(Failure::new(
        kind,
        format!(
            "{} of {steps} steps of '{}' missed: {}",
            missed.len(),
            scenario.name,
            missed.join("; ")
        ),
    )
    .into())
}
