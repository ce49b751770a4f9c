//! `sfhook mock`: sign and POST a sample now, print the answer. Never
//! logged, as in the dashboard. `--count` turns it into a burst.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::cli::MockArgs;
use crate::context::Context;
use crate::core::catalog;
use crate::core::config::{self, profile_flag};
use crate::core::delivery::burst::{BurstReport, burst};
use crate::core::delivery::sender::{Attempted, Delivery, Sender};
use crate::core::delivery::{Engine, Outcome};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, precondition, usage};
use crate::core::payload::BodySource;
use crate::core::secret::Secret;
use crate::ui::output::{self, DIM, Mode, painted_verdict, unless_reader_gone};
use crate::ui::text::{answer_preview, human_ms};

struct Target {
    endpoint: Endpoint,
    secret: Secret,
    timeout: Option<Duration>,
}

/// `--url`, SFHOOK_URL and SFHOOK_SECRET first, so that CI needs no saved
/// state; the profile fills in whatever they leave open.
fn target(ctx: &Context, args: &MockArgs) -> Result<Target> {
    let url_text = args.url.as_deref().or(ctx.env_url());
    let endpoint = url_text
        .map(|t| Endpoint::parse(t).map_err(usage))
        .transpose()?;
    let env_secret = ctx.env_secret()?;
    let saved = if endpoint.is_none() || env_secret.is_none() || args.connection.timeout.is_none() {
        // A broken config must not stop a CI run that brings everything itself.
        match ctx.load_config() {
            Ok(config) => Some(config),
            Err(err) if endpoint.is_some() && env_secret.is_some() => {
                ctx.out
                    .warn(format!("ignoring the saved configuration: {err:#}"));
                None
            }
            Err(err) => return Err(err),
        }
    } else {
        None
    };
    let profile = saved.as_ref().and_then(|c| c.profile(&ctx.profile));
    let endpoint = match endpoint.or_else(|| profile.and_then(|p| p.url.clone())) {
        Some(endpoint) => endpoint,
        None => {
            return Err(precondition(format!(
                "no endpoint: pass --url URL, set SFHOOK_URL, or run 'sfhook{} configure'",
                profile_flag(&ctx.profile)
            )));
        }
    };
    let secret = match env_secret {
        Some(secret) => secret,
        None => saved
            .as_ref()
            .unwrap_or(&config::Config::default())
            .secret_for(&ctx.profile)?,
    };
    Ok(Target {
        endpoint,
        secret,
        timeout: profile.map(|p| p.delivery.timeout),
    })
}

pub async fn run(ctx: &Context, args: MockArgs) -> Result<()> {
    let event = catalog::lookup(&args.event)?;
    let source = BodySource::new(event, args.payload.spec()?)?;
    let target = target(ctx, &args)?;
    let cacert = args.connection.read_cacert()?;
    let options = ctx.engine_options(
        &args.connection,
        cacert,
        &target.endpoint,
        target.timeout,
        args.concurrency as usize,
    );
    let sender = Sender::mock(Engine::new(&options)?, target.endpoint, target.secret);
    if args.count > 1 {
        return fire_burst(ctx, &args, source, sender).await;
    }
    let body = source.builder()?.build(0)?;
    let attempted = sender
        .attempt(&Delivery {
            body: body.bytes.clone(),
            event: event.wire,
            event_id: &body.event_id,
            attempt: 1,
            redelivery_of: None,
        })
        .await?;
    let url = sender.endpoint().redacted();
    let printed = print_outcome(ctx, &args, event.wire, &url, &body.event_id, &attempted);
    unless_reader_gone(printed)?;
    match attempted.outcome.failure(&url) {
        Some(failure) => Err(failure.into()),
        None => Ok(()),
    }
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
    signature: &'a str,
    response_body: &'a str,
    cut_short: Option<String>,
}

fn print_outcome(
    ctx: &Context,
    args: &MockArgs,
    event: &str,
    url: &str,
    event_id: &str,
    attempted: &Attempted,
) -> Result<()> {
    let outcome: &Outcome = &attempted.outcome;
    let mut stdout = output::stdout();
    let out = &ctx.out;
    let body_text = outcome.response_body();
    if let Some(note) = outcome.cut_short_note().filter(|_| !out.stdout_is_tty) {
        out.note(note);
    }
    match out.mode(args.json) {
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

async fn fire_burst(
    ctx: &Context,
    args: &MockArgs,
    source: BodySource,
    sender: Sender,
) -> Result<()> {
    let count = args.count;
    let event = source.event.wire;
    let url = sender.endpoint().redacted();
    let progress = ctx.out.progress(u64::from(count), "{pos}/{len} mocks");
    let ticker = progress.clone();
    let report = burst(sender, source, count, args.concurrency, move || {
        ticker.inc(1)
    })
    .await?;
    progress.finish_and_clear();
    unless_reader_gone(report_burst(ctx, args, event, &url, &report))?;

    let failed = report.failed();
    if report.tally.no_answer > 0 {
        Err(Failure::new(
            Kind::Unreachable,
            format!(
                "{} of {count} mocks got no answer from {url}",
                report.tally.no_answer
            ),
        )
        .into())
    } else if failed > 0 {
        Err(Failure::new(
            Kind::Rejected,
            format!("{failed} of {count} mocks were refused by {url}"),
        )
        .into())
    } else {
        Ok(())
    }
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

fn report_burst(
    ctx: &Context,
    args: &MockArgs,
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
    if args.json {
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
        if ctx.out.stdout_is_tty {
            writeln!(
                stdout,
                "{} {value}",
                ctx.out.paint(output::BOLD, format!("{key:<10}"))
            )?;
        } else {
            writeln!(stdout, "{key}\t{value}")?;
        }
    }
    Ok(stdout.flush()?)
}
