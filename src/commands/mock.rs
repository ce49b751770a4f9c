//! `sfhook mock`: sign and POST a sample now, print the answer. Never
//! logged, as in the dashboard. `--count` turns it into a burst.
use std::time::Duration;

use anyhow::Result;

use crate::cli::MockArgs;
use crate::context::Context;
use crate::core::catalog;
use crate::core::config::{self, profile_flag};
use crate::core::delivery::Engine;
use crate::core::delivery::burst::burst;
use crate::core::delivery::sender::{Delivery, Sender};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, precondition, usage};
use crate::core::payload::BodySource;
use crate::core::secret::Secret;
use crate::ui::delivery::{print_burst, print_mock};
use crate::ui::output::unless_reader_gone;

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
    let source = BodySource::new(event, args.payload.spec_for_mock(&args.body)?)?;
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
    let mode = ctx.out.mode(args.json);
    let printed = print_mock(&ctx.out, mode, event.wire, &url, &body.event_id, &attempted);
    unless_reader_gone(printed)?;
    match attempted.outcome.failure(&url) {
        Some(failure) => Err(failure.into()),
        None => Ok(()),
    }
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
    unless_reader_gone(print_burst(
        &ctx.out,
        ctx.out.mode(args.json),
        event,
        &url,
        &report,
    ))?;

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
