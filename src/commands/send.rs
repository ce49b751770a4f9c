//! `sfhook send`: a real delivery. Needs an active profile subscribed to
//! the event; retries per the profile; every attempt is one log record.

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::SendArgs;
use crate::config::{self, profile_flag};
use crate::context::Context;
use crate::delivery::{self, Engine, Outcome, Request};
use crate::deliverylog::{self, Record};
use crate::error::precondition;
use crate::output::{self, DIM};
use crate::signature;
use crate::units::{format_timestamp, millis};

use super::shared::{BodySource, check_log_writable, engine_options, human_ms, painted_verdict};

pub async fn run(ctx: &Context, args: SendArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let configured = config::require_active(&config, &ctx.profile)?;
    let source = BodySource::from_args(&args.event, &args.payload)?;
    let event = source.event;
    if !configured.profile.subscriptions.contains(event) {
        return Err(precondition(format!(
            "profile '{}' is not subscribed to {}; run 'sfhook{} subscribe {}'",
            ctx.profile,
            event.slug,
            profile_flag(&ctx.profile),
            event.slug
        )));
    }
    let settings = configured.profile.delivery;
    let engine = Engine::new(&engine_options(
        ctx,
        &args.connection,
        configured.url,
        Some(settings.timeout),
        1,
    )?)?;
    let body = source.builder()?.build(0)?;
    check_log_writable(&ctx.home)?;
    let signature = signature::sign(configured.secret.expose().as_bytes(), &body.bytes);
    let url = configured.url.redacted();
    let request = Request {
        url: configured.url.url(),
        body: body.bytes.clone(),
        signature: &signature,
        event: event.wire,
        mock: false,
    };
    let attempts = 1 + settings.retries;
    let mut last: Option<Outcome> = None;
    for attempt in 1..=attempts {
        let outcome = engine.deliver(&request).await;
        let line = log_attempt(
            ctx,
            &outcome,
            &Attempt {
                event_id: &body.event_id,
                event: event.wire,
                url: &url,
                number: attempt,
                redelivery_of: None,
                body: &body.bytes,
            },
        )?;
        let attempt_of = (attempt, attempts);
        unless_reader_gone(report_attempt(
            ctx,
            &args,
            &outcome,
            attempt_of,
            (event.wire, &url),
            &line,
        ))?;
        let retry = attempt < attempts && delivery::should_retry(&outcome);
        if retry {
            let retry_after = outcome.result.as_ref().ok().and_then(|a| a.retry_after);
            let wait = delivery::backoff_delay(
                attempt,
                settings.backoff,
                retry_after,
                delivery::random_unit(),
            );
            if !args.json {
                ctx.out.note(
                    ctx.out
                        .paint_stderr(DIM, format!("  retrying in {}", human_ms(wait))),
                );
            }
            tokio::time::sleep(wait).await;
        }
        last = Some(outcome);
        if !retry {
            break;
        }
    }
    let outcome = last.expect("at least one attempt is made");
    match outcome.failure(&url) {
        Some(failure) => Err(failure.with_hint(&doctor_hint(&ctx.profile)).into()),
        None => Ok(()),
    }
}

/// Where a failed real delivery sends the user next: `doctor` checks the
/// profile's endpoint layer by layer.
pub fn doctor_hint(profile: &str) -> String {
    format!(
        "run 'sfhook{} doctor' to see where deliveries break",
        config::profile_flag(profile)
    )
}

/// Lets a delivery go on when the reader of stdout has gone away
/// (`sfhook send ... | head -1`): the report is lost, but the retries still
/// happen and the exit code still says how the delivery went.
pub fn unless_reader_gone(result: Result<()>) -> Result<()> {
    match result {
        Err(err) if output::is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

/// What the log records of one attempt besides its outcome.
pub struct Attempt<'a> {
    pub event_id: &'a str,
    /// The wire name.
    pub event: &'a str,
    /// The endpoint, redacted.
    pub url: &'a str,
    pub number: u32,
    pub redelivery_of: Option<&'a str>,
    /// The exact bytes that were signed and sent.
    pub body: &'a [u8],
}

/// Appends the record of one attempt to the log, and returns its line. The
/// payload is embedded as the exact bytes that were signed.
pub fn log_attempt(ctx: &Context, outcome: &Outcome, attempt: &Attempt<'_>) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(attempt.body).context("the body is not UTF-8")?;
    let payload = serde_json::value::RawValue::from_string(text.to_string())
        .context("the body is not JSON")?;
    let error = outcome.error();
    let request_id = outcome.request_id.to_string();
    let record = Record {
        request_id: request_id.as_str().into(),
        event_id: attempt.event_id.into(),
        event: attempt.event.into(),
        timestamp: format_timestamp(outcome.started_at).into(),
        url: attempt.url.into(),
        response_code: outcome.code(),
        success: outcome.success(),
        error: error.as_deref().map(Into::into),
        duration_ms: millis(outcome.duration),
        attempt: attempt.number,
        redelivery_of: attempt.redelivery_of.map(Into::into),
        profile: ctx.profile.as_str().into(),
        payload: &payload,
        response_body: outcome.response_body().into(),
    };
    let line = record.to_line();
    deliverylog::append(&ctx.home, &line).with_context(|| {
        format!(
            "the request was made, but its record cannot be written to {}",
            ctx.home.log_file().display()
        )
    })?;
    Ok(line)
}

/// One line per attempt: a progress note on stderr, the result on stdout.
/// With --json, the stored record itself.
fn report_attempt(
    ctx: &Context,
    args: &SendArgs,
    outcome: &Outcome,
    (attempt, attempts): (u32, u32),
    (event, url): (&str, &str),
    line: &[u8],
) -> Result<()> {
    let mut stdout = output::stdout();
    if let Some(note) = outcome.cut_short_note().filter(|_| !ctx.out.stdout_is_tty) {
        ctx.out.note(note);
    }
    if args.json {
        stdout.write_all(line)?;
        return Ok(stdout.flush()?);
    }
    let out = &ctx.out;
    // A first attempt that worked needs no count.
    let of = if attempts > 1 && (attempt > 1 || !outcome.success()) {
        format!(" (attempt {attempt}/{attempts})")
    } else {
        String::new()
    };
    if out.stdout_is_tty {
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
