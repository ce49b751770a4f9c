//! `sfhook mock`: sign and POST a sample now, print the answer. Never
//! logged, as in the dashboard. `--count` turns it into a burst.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::cli::MockArgs;
use crate::config::{self, profile_flag};
use crate::context::Context;
use crate::delivery::{Engine, Outcome, Request, Verdict};
use crate::endpoint::Endpoint;
use crate::error::{Failure, precondition, usage};
use crate::output::{self, DIM};
use crate::secret::Secret;
use crate::signature;

use super::send::unless_reader_gone;
use super::shared::{
    Body, BodySource, answer_preview, engine_options, human_ms, painted_verdict, profile_secret,
};

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
        None => profile_secret(
            saved.as_ref().unwrap_or(&config::Config::default()),
            &ctx.profile,
        )?,
    };
    Ok(Target {
        endpoint,
        secret,
        timeout: profile.map(|p| p.delivery.timeout),
    })
}

pub async fn run(ctx: &Context, args: MockArgs) -> Result<()> {
    let source = BodySource::from_args(&args.event, &args.payload)?;
    let target = target(ctx, &args)?;
    let options = engine_options(
        ctx,
        &args.connection,
        &target.endpoint,
        target.timeout,
        args.concurrency as usize,
    )?;
    let engine = Engine::new(&options)?;
    if args.count > 1 {
        return burst(ctx, &args, source, target, engine).await;
    }
    let body = source.builder()?.build(0)?;
    let signature = signature::sign(target.secret.expose().as_bytes(), &body.bytes);
    let outcome = engine
        .deliver(&Request {
            url: target.endpoint.url(),
            body: body.bytes.clone(),
            signature: &signature,
            event: source.event.wire,
            mock: true,
        })
        .await;

    let printed = print_outcome(ctx, &args, &source, &target, &body, &signature, &outcome);
    unless_reader_gone(printed)?;
    match outcome.failure(&target.endpoint.redacted()) {
        Some(failure) => Err(failure.into()),
        None => Ok(()),
    }
}

fn print_outcome(
    ctx: &Context,
    args: &MockArgs,
    source: &BodySource,
    target: &Target,
    body: &Body,
    signature: &str,
    outcome: &Outcome,
) -> Result<()> {
    let mut stdout = output::stdout();
    let out = &ctx.out;
    let body_text = outcome.response_body();
    if let Some(note) = outcome.cut_short_note().filter(|_| !out.stdout_is_tty) {
        out.note(note);
    }
    if args.json {
        let result = json!({
            "mock": true,
            "event": source.event.wire,
            "event_id": body.event_id,
            "request_id": outcome.request_id.to_string(),
            "url": target.endpoint.redacted(),
            "response_code": outcome.code(),
            "success": outcome.success(),
            "error": outcome.error(),
            "duration_ms": crate::units::millis(outcome.duration),
            "signature": signature,
            "response_body": body_text,
            "cut_short": outcome.cut_short().map(ToString::to_string),
        });
        writeln!(stdout, "{result}")?;
    } else if out.stdout_is_tty {
        let (mark, verdict) = painted_verdict(out, outcome);
        writeln!(
            stdout,
            "{mark} {verdict} in {}  {} → {}",
            human_ms(outcome.duration),
            source.event.wire,
            target.endpoint.redacted()
        )?;
        writeln!(
            stdout,
            "  {} {}",
            out.paint(DIM, "request"),
            outcome.request_id
        )?;
        writeln!(stdout, "  {} {}", out.paint(DIM, "event  "), body.event_id)?;
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
    } else {
        writeln!(
            stdout,
            "{}\t{}\t{}\t{}\t{}\t{}",
            output::code_or_dash(outcome.code()),
            if outcome.success() { "ok" } else { "failed" },
            crate::units::millis(outcome.duration),
            outcome.request_id,
            body.event_id,
            output::plain(
                &outcome
                    .error()
                    .unwrap_or_else(|| answer_preview(&body_text, 200))
            ),
        )?;
    }
    Ok(stdout.flush()?)
}

/// What a burst measured.
#[derive(Default)]
struct Tally {
    succeeded: u64,
    /// Failures by response code or by cause (`timeout`, `refused`, ...).
    failed: BTreeMap<String, u64>,
    no_answer: u64,
    latencies_us: Vec<u64>,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.latencies_us.push(outcome.duration.as_micros() as u64);
        let key = match outcome.verdict() {
            Verdict::Delivered => {
                self.succeeded += 1;
                return;
            }
            Verdict::Refused(status) => status.to_string(),
            Verdict::Unanswered(no_answer) => {
                self.no_answer += 1;
                no_answer.kind().to_string()
            }
        };
        *self.failed.entry(key).or_default() += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.succeeded += other.succeeded;
        self.no_answer += other.no_answer;
        for (key, n) in other.failed {
            *self.failed.entry(key).or_default() += n;
        }
        self.latencies_us.extend(other.latencies_us);
    }
}

async fn burst(
    ctx: &Context,
    args: &MockArgs,
    source: BodySource,
    target: Target,
    engine: Engine,
) -> Result<()> {
    let count = args.count;
    let concurrency = args.concurrency.min(count);
    let progress = ctx.out.progress(u64::from(count), "{pos}/{len} mocks");
    let shared = Arc::new((source, target, engine, AtomicU32::new(0), progress.clone()));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency as usize);
    for _ in 0..concurrency {
        let shared = Arc::clone(&shared);
        workers.push(tokio::spawn(async move {
            let (source, target, engine, next, progress) = &*shared;
            let mut tally = Tally::default();
            let mut bodies = source.builder()?;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let body = bodies.build(n)?;
                let signature = signature::sign(target.secret.expose().as_bytes(), &body.bytes);
                let outcome = engine
                    .deliver(&Request {
                        url: target.endpoint.url(),
                        body: body.bytes,
                        signature: &signature,
                        event: source.event.wire,
                        mock: true,
                    })
                    .await;
                tally.add(&outcome);
                progress.inc(1);
            }
            anyhow::Ok(tally)
        }));
    }
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await??);
    }
    let elapsed = started.elapsed();
    progress.finish_and_clear();
    let (source, target, ..) = &*shared;
    unless_reader_gone(report_burst(ctx, args, source, target, &mut tally, elapsed))?;

    let failed: u64 = tally.failed.values().sum();
    let url = target.endpoint.redacted();
    if tally.no_answer > 0 {
        Err(Failure::Unreachable(format!(
            "{} of {count} mocks got no answer from {url}",
            tally.no_answer
        ))
        .into())
    } else if failed > 0 {
        Err(Failure::Rejected(format!("{failed} of {count} mocks were refused by {url}")).into())
    } else {
        Ok(())
    }
}

fn percentile(sorted: &[u64], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Duration::from_micros(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn report_burst(
    ctx: &Context,
    args: &MockArgs,
    source: &BodySource,
    target: &Target,
    tally: &mut Tally,
    elapsed: Duration,
) -> Result<()> {
    tally.latencies_us.sort_unstable();
    let sorted = &tally.latencies_us;
    let sent = sorted.len() as u64;
    let failed: u64 = tally.failed.values().sum();
    let rate = sent as f64 / elapsed.as_secs_f64().max(1e-9);
    let [p50, p95, p99] = [50.0, 95.0, 99.0].map(|p| percentile(sorted, p));
    let max = percentile(sorted, 100.0);
    let mut stdout = output::stdout();
    if args.json {
        let ms = |d: Duration| (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
        let summary = json!({
            "mock": true,
            "event": source.event.wire,
            "url": target.endpoint.redacted(),
            "sent": sent,
            "succeeded": tally.succeeded,
            "failed": failed,
            "failed_by": tally.failed,
            "concurrency": args.concurrency.min(args.count),
            "elapsed_ms": ms(elapsed),
            "requests_per_second": rate.round(),
            "latency_ms": { "p50": ms(p50), "p95": ms(p95), "p99": ms(p99), "max": ms(max) },
        });
        writeln!(stdout, "{summary}")?;
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
        (
            "sent",
            format!(
                "{sent} {} mocks to {}",
                source.event.wire,
                target.endpoint.redacted()
            ),
        ),
        ("succeeded", tally.succeeded.to_string()),
        ("failed", format!("{failed}{failures}")),
        (
            "elapsed",
            format!(
                "{} at concurrency {} ({rate:.0} requests/s)",
                human_ms(elapsed),
                args.concurrency.min(args.count)
            ),
        ),
        (
            "latency",
            format!(
                "p50 {}, p95 {}, p99 {}, max {}",
                human_ms(p50),
                human_ms(p95),
                human_ms(p99),
                human_ms(max)
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
