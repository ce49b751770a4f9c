//! `sfhook send`: a real delivery. Needs an active profile subscribed to
//! the event; retries per the profile; every attempt is one log record.

use std::io::Write;

use anyhow::Result;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::catalog;
use crate::core::config::{self, doctor_hint, profile_flag};
use crate::core::delivery::Outcome;
use crate::core::delivery::retry::{RetryPolicy, Try, deliver_with_retries};
use crate::core::delivery::sender::Delivery;
use crate::core::error::{Failure, Kind};
use crate::core::log;
use crate::core::payload::BodySource;
use crate::core::units::millis;
use crate::ui::output::{self, DIM, painted_verdict, unless_reader_gone};
use crate::ui::text::human_ms;

pub async fn run(ctx: &Context, args: SendArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let configured = config::require_active(&config, &ctx.profile)?;
    let event = catalog::lookup(&args.event)?;
    let source = BodySource::new(event, args.payload.spec()?)?;
    if !configured.profile.subscriptions.contains(event) {
        return Err(Failure::new(
            Kind::Precondition,
            format!(
                "profile '{}' is not subscribed to {}",
                ctx.profile, event.slug
            ),
        )
        .with_hint(format!(
            "run 'sfhook{} subscribe {}'",
            profile_flag(&ctx.profile),
            event.slug
        ))
        .into());
    }
    let settings = configured.profile.delivery;
    let sender = ctx.logged_sender(&configured, &args.connection, 1)?;
    let body = source.builder()?.build(0)?;
    log::check_writable(&ctx.home)?;
    let url = configured.url.redacted();
    let delivery = Delivery {
        body: body.bytes.clone(),
        event: event.wire,
        event_id: &body.event_id,
        attempt: 1,
        redelivery_of: None,
    };
    let policy = RetryPolicy {
        retries: settings.retries,
        backoff: settings.backoff,
    };
    let outcome = deliver_with_retries(&sender, delivery, policy, |tried| {
        unless_reader_gone(report_attempt(ctx, &args, tried, (event.wire, &url)))?;
        if let Some(wait) = tried.next_in.filter(|_| !args.json) {
            ctx.out.note(
                ctx.out
                    .paint_stderr(DIM, format!("  retrying in {}", human_ms(wait))),
            );
        }
        Ok(())
    })
    .await?;
    match outcome.failure(&url) {
        Some(failure) => Err(failure.with_hint(doctor_hint(&ctx.profile)).into()),
        None => Ok(()),
    }
}

/// One line per attempt: a progress note on stderr, the result on stdout.
/// With --json, the stored record itself.
fn report_attempt(
    ctx: &Context,
    args: &SendArgs,
    tried: &Try<'_>,
    (event, url): (&str, &str),
) -> Result<()> {
    let outcome: &Outcome = &tried.attempted.outcome;
    let (attempt, attempts) = (tried.number, tried.of);
    let mut stdout = output::stdout();
    if let Some(note) = outcome.cut_short_note().filter(|_| !ctx.out.stdout_is_tty) {
        ctx.out.note(note);
    }
    if args.json {
        stdout.write_all(tried.attempted.record.as_deref().unwrap_or_default())?;
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
