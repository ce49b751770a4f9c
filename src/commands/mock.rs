//! `sfhook mock`: sign and POST a sample now, print the answer. Never
//! logged, as in the dashboard. `--count` turns it into a burst.

use anyhow::Result;

use crate::cli::{MockArgs, TestArgs};
use crate::context::Context;
use crate::core::catalog;
use crate::core::delivery::burst::{Gates, Plan, burst};
use crate::core::delivery::ready;
use crate::core::delivery::sender::{Delivery, Sender};
use crate::core::error::{Failure, Kind, usage};
use crate::core::expect::Expectation;
use crate::core::payload::BodySource;
use crate::ui::delivery::{BurstShown, MockShown, RequestsFile, print_burst, print_mock};
use crate::ui::output::unless_reader_gone;
use crate::ui::report::{self, Case, CaseFailure, ReportTarget, Suite};

pub async fn run(ctx: &Context, args: MockArgs) -> Result<()> {
    let event = catalog::lookup(&args.event)?;
    let source = BodySource::new(event, args.payload.spec_for_mock(&args.body)?)?;
    let sender = ctx
        .mock_sender(
            args.url.as_deref(),
            &args.connection,
            args.concurrency as usize,
        )?
        .with_headers(args.test.headers.clone());
    let tamper = args.test.tamper;
    let expectation = args
        .test
        .expect
        .clone()
        .unwrap_or_else(|| Expectation::default_for(tamper.is_some()));
    report::check_stdout(args.test.report.as_ref(), args.json)?;
    // Every mistake in the command is found before any wait or request.
    if !args.is_burst()
        && let Some(flag) = burst_only_flag(&args.test)
    {
        return Err(usage(format!(
            "{flag} applies to a burst: add --count N (more than 1) or --duration D"
        )));
    }
    if tamper.is_some()
        && (args.test.max_p50.is_some()
            || args.test.max_p95.is_some()
            || args.test.max_p99.is_some())
    {
        return Err(usage(
            "latency gates are over 2xx answers, and a burst with --tamper expects none: use --min-success",
        ));
    }
    if let Some(within) = args.test.wait_for {
        ready::wait_until_listening(sender.endpoint().url(), within).await?;
    }
    if args.is_burst() {
        return fire_burst(ctx, &args, source, sender, expectation).await;
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
            headers: &[],
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
    match &args.test.report {
        Some(target) => {
            let name = match tamper {
                Some(tamper) => format!("{} ({tamper}) → {url}", event.slug),
                None => format!("{} → {url}", event.slug),
            };
            let case = Case::judged(name, &attempted.outcome, &expectation, &url);
            let suite = Suite {
                name: format!("sfhook mock {}", event.slug),
                cases: vec![case],
            };
            if !matches!(target, ReportTarget::Tap) {
                unless_reader_gone(print_mock(&ctx.out, mode, &shown, &attempted))?;
            }
            unless_reader_gone(report::emit(target, &suite))?;
        }
        None => unless_reader_gone(print_mock(&ctx.out, mode, &shown, &attempted))?,
    }
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
    if args.payload.data.is_some() {
        // A sample varies per request; a document does not, and a
        // receiver that deduplicates on the event id sees one event.
        ctx.out.note(
            "note: every request of this burst sends the same --data body, so the same event id",
        );
    }
    let progress = match plan.count {
        Some(count) => ctx.out.progress(count, "{pos}/{len} mocks"),
        None => ctx.out.progress_unbounded("{pos} mocks"),
    };
    let ticker = progress.clone();
    let writer = requests.clone();
    // One testcase per request, when a report is asked for.
    let cases = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let collect = test.report.is_some().then(|| std::sync::Arc::clone(&cases));
    let (judge, target_url) = (expectation.clone(), url.clone());
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
            if let Some(cases) = &collect {
                let name = format!("request {} {}", sent.number, sent.request_id);
                let case = Case::judged(name, sent.outcome, &judge, &target_url);
                if let Ok(mut cases) = cases.lock() {
                    cases.push((sent.number, case));
                }
            }
        },
    )
    .await?;
    progress.finish_and_clear();
    if let Some(requests) = &requests {
        requests.finish()?;
    }
    let judged = gates.judge(&report);
    if !matches!(test.report, Some(ReportTarget::Tap)) {
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
    }
    if let Some(target) = &test.report {
        let mut numbered = std::mem::take(
            &mut *cases
                .lock()
                .map_err(|_| anyhow::anyhow!("a burst worker failed"))?,
        );
        // In the order they were sent, then the gates.
        numbered.sort_by_key(|(number, _)| *number);
        let mut cases: Vec<Case> = numbered.into_iter().map(|(_, case)| case).collect();
        for gate in &judged {
            cases.push(Case {
                name: format!("gate {} (limit {})", gate.gate, gate.limit),
                time: std::time::Duration::ZERO,
                failure: (!gate.passed).then(|| CaseFailure {
                    message: format!(
                        "{} {}, {} the limit {}",
                        gate.gate,
                        gate.actual,
                        if gate.gate == "min-success" {
                            "under"
                        } else {
                            "over"
                        },
                        gate.limit
                    ),
                    detail: format!(
                        "{}, {} met {expectation}",
                        crate::ui::text::count(report.sent, "request", "requests"),
                        report.tally.met
                    ),
                }),
            });
        }
        let suite = Suite {
            name: format!("sfhook mock {event} burst"),
            cases,
        };
        unless_reader_gone(report::emit(target, &suite))?;
    }

    let unmet = report.unmet();
    let sent = report.sent;
    let failed_gates: Vec<String> = judged
        .iter()
        .filter(|g| !g.passed)
        .map(|g| format!("{} {} (limit {})", g.gate, g.actual, g.limit))
        .collect();
    // Nothing answered at all: whatever the gates say, that is no answer.
    if sent > 0 && report.nothing_answered() {
        return Err(Failure::new(
            Kind::Unreachable,
            format!("none of {sent} mocks got an answer from {url}"),
        )
        .into());
    }
    // With --min-success, unmet requests are the gate's to judge.
    if unmet > 0 && gates.min_success.is_none() {
        let kind = if report.tally.unmet_no_answer > 0 {
            Kind::Unreachable
        } else {
            Kind::Rejected
        };
        return Err(Failure::new(
            kind,
            format!(
                "{unmet} of {} mocks to {url} did not get {expectation}{}",
                sent + report.tally.dropped,
                match report.tally.dropped {
                    0 => String::new(),
                    n => format!(" ({n} never sent: no free slot before the deadline)"),
                }
            ),
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
