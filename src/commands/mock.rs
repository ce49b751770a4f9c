//! `sfhook mock`: sign and POST a sample now, print the answer. Never
//! logged, as in the dashboard. `--count` turns it into a burst.
use std::time::Duration;

use anyhow::Result;

use crate::cli::{MockArgs, TestArgs};
use crate::context::Context;
use crate::core::catalog;
use crate::core::config::{self, profile_flag};
use crate::core::delivery::Engine;
use crate::core::delivery::burst::{Gates, Plan, burst};
use crate::core::delivery::sender::{Delivery, Sender};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, precondition, usage};
use crate::core::expect::Expectation;
use crate::core::payload::BodySource;
use crate::core::secret::Secret;
use crate::ui::delivery::{BurstShown, MockShown, RequestsFile, print_burst, print_mock};
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
    let sender = Sender::mock(Engine::new(&options)?, target.endpoint, target.secret)
        .with_headers(args.test.headers.clone());
    let tamper = args.test.tamper;
    let expectation = args
        .test
        .expect
        .clone()
        .unwrap_or_else(|| Expectation::default_for(tamper.is_some()));
    if args.is_burst() {
        return fire_burst(ctx, &args, source, sender, expectation).await;
    }
    if let Some(flag) = burst_only_flag(&args.test) {
        return Err(usage(format!(
            "{flag} applies to a burst: add --count N or --duration D"
        )));
    }
    let body = source.builder()?.build(0)?;
    let attempted = sender
        .attempt(&Delivery {
            body: body.bytes.clone(),
            event: event.wire,
            event_id: &body.event_id,
            attempt: 1,
            redelivery_of: None,
            tamper,
        })
        .await?;
    let url = sender.endpoint().redacted();
    let mode = ctx.out.mode(args.json);
    let shown = MockShown {
        event: event.wire,
        url: &url,
        event_id: &body.event_id,
        expectation: &expectation,
        tamper,
    };
    unless_reader_gone(print_mock(&ctx.out, mode, &shown, &attempted))?;
    // A plain mock fails as any delivery does ("... answered 500"); a test
    // that set an expectation says what it expected.
    let failure = if args.test.expect.is_none() && tamper.is_none() {
        attempted.outcome.failure(&url)
    } else {
        expectation.judge(&attempted.outcome, &url)
    };
    match failure {
        Some(failure) => Err(failure.into()),
        None => Ok(()),
    }
}

/// A flag that means something only for a burst, if one was given.
fn burst_only_flag(test: &TestArgs) -> Option<&'static str> {
    [
        ("--rate", test.rate.is_some()),
        ("--max-p50", test.max_p50.is_some()),
        ("--max-p95", test.max_p95.is_some()),
        ("--max-p99", test.max_p99.is_some()),
        ("--min-success", test.min_success.is_some()),
        ("--requests", test.requests.is_some()),
    ]
    .into_iter()
    .find_map(|(flag, given)| given.then_some(flag))
}

async fn fire_burst(
    ctx: &Context,
    args: &MockArgs,
    source: BodySource,
    sender: Sender,
    expectation: Expectation,
) -> Result<()> {
    let test = &args.test;
    let plan = Plan {
        count: args.count.map(u64::from),
        duration: test.duration,
        concurrency: args.concurrency,
        rate: test.rate,
    };
    let gates = Gates {
        max_p50: test.max_p50,
        max_p95: test.max_p95,
        max_p99: test.max_p99,
        min_success: test.min_success,
    };
    let requests = match &test.requests {
        Some(path) => Some(RequestsFile::create(path)?),
        None => None,
    };
    let event = source.event.wire;
    let url = sender.endpoint().redacted();
    let progress = match plan.count {
        Some(count) => ctx.out.progress(count, "{pos}/{len} mocks"),
        None => ctx.out.progress_unbounded("{pos} mocks"),
    };
    let ticker = progress.clone();
    let writer = requests.clone();
    let report = burst(
        sender,
        source,
        plan,
        expectation.clone(),
        test.tamper,
        move |sent| {
            ticker.inc(1);
            if let Some(writer) = &writer {
                writer.write(sent);
            }
        },
    )
    .await?;
    progress.finish_and_clear();
    if let Some(requests) = &requests {
        requests.finish()?;
    }
    let judged = gates.judge(&report);
    unless_reader_gone(print_burst(
        &ctx.out,
        ctx.out.mode(args.json),
        &BurstShown {
            event,
            url: &url,
            expectation: &expectation,
            gates: &judged,
        },
        &report,
    ))?;

    let unmet = report.unmet();
    let sent = report.sent;
    let failed_gates: Vec<String> = judged
        .iter()
        .filter(|g| !g.passed)
        .map(|g| format!("{} {} (limit {})", g.gate, g.actual, g.limit))
        .collect();
    // With --min-success, unmet requests are the gate's to judge.
    if unmet > 0 && gates.min_success.is_none() {
        let kind = if report.tally.unmet_no_answer > 0 {
            Kind::Unreachable
        } else {
            Kind::Rejected
        };
        return Err(Failure::new(
            kind,
            format!("{unmet} of {sent} mocks to {url} did not get {expectation}"),
        )
        .into());
    }
    if !failed_gates.is_empty() {
        return Err(Failure::new(
            Kind::Gate,
            format!("the burst to {url} failed {}", failed_gates.join(", ")),
        )
        .into());
    }
    Ok(())
}
