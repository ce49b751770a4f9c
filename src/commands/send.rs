//! `sfhook send`: a real delivery. Needs an active profile subscribed to
//! the event; retries per the profile; every attempt is one log record.

use anyhow::Result;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::catalog;
use crate::core::config::{self, doctor_hint, profile_flag};
use crate::core::delivery::retry::{RetryPolicy, deliver_with_retries};
use crate::core::delivery::sender::Delivery;
use crate::core::error::{Failure, Kind};
use crate::core::log;
use crate::core::payload::BodySource;
use crate::ui::delivery::print_attempt;
use crate::ui::output::{DIM, plain, unless_reader_gone};
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
        tamper: None,
        headers: &[],
    };
    let policy = RetryPolicy {
        retries: settings.retries,
        backoff: settings.backoff,
    };
    let mode = ctx.out.mode(args.json);
    let retried = deliver_with_retries(&sender, delivery, policy, |tried| {
        let printed = unless_reader_gone(print_attempt(&ctx.out, mode, tried, (event.wire, &url)));
        if let Some(wait) = tried.next_in.filter(|_| !args.json) {
            ctx.out.note(
                ctx.out
                    .paint_stderr(DIM, format!("  retrying in {}", human_ms(wait))),
            );
        }
        printed
    })
    .await?;
    let lost = retried.report_error.map(|err| {
        err.context(
            "every attempt was made and logged, but the report could not be written to stdout",
        )
    });
    match retried.outcome.failure(&url) {
        // The delivery's exit code says more than the lost report.
        Some(failure) => {
            if let Some(err) = lost {
                ctx.out.error(plain(&format!("{err:#}")));
            }
            Err(failure.with_hint(doctor_hint(&ctx.profile)).into())
        }
        None => lost.map_or(Ok(()), Err),
    }
}
