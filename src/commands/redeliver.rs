//! `sfhook redeliver`: re-send logged deliveries byte for byte, each under
//! a fresh request id, logged with `redelivery_of` set.

use std::collections::HashMap;
use std::io::Write;
use std::ops::ControlFlow;

use anyhow::{Context as _, Result, anyhow};
use bytes::Bytes;
use jiff::Timestamp;

use crate::cli::RedeliverArgs;
use crate::config;
use crate::context::Context;
use crate::delivery::{Engine, Request, Verdict};
use crate::deliverylog::{self, Record};
use crate::error::{Failure, usage};
use crate::filter::Filter;
use crate::output;
use crate::signature;

use super::send::{Attempt, log_attempt, unless_reader_gone};
use super::shared::{check_log_writable, engine_options, human_ms, painted_verdict};

pub async fn run(ctx: &Context, args: RedeliverArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let configured = config::require_active(&config, &ctx.profile)?;
    let path = ctx.home.log_file();
    let selected = if args.filter.failed {
        if !args.ids.is_empty() {
            return Err(usage(
                "give request ids, or --failed with filters, not both",
            ));
        }
        // Always this profile's records: they are re-sent to this profile's
        // endpoint under its secret, which another profile's events must not be.
        let filter =
            Filter::from_args(&args.filter, Some(&ctx.profile), Timestamp::now()).map_err(usage)?;
        failed_events(ctx, &filter)?
    } else {
        let filter = Filter::from_args(&args.filter, None, Timestamp::now()).map_err(usage)?;
        if !filter.is_empty() {
            return Err(usage("log filters select deliveries only with --failed"));
        }
        by_request_ids(ctx, &args.ids)?
    };
    if selected.is_empty() {
        ctx.out
            .note("Nothing to redeliver: no event's latest delivery failed under these filters");
        return Ok(());
    }

    check_log_writable(&ctx.home)?;
    let engine = Engine::new(&engine_options(
        ctx,
        &args.connection,
        configured.url,
        Some(configured.profile.delivery.timeout),
        4,
    )?)?;
    let url = configured.url.redacted();
    let progress = if selected.len() > 1 {
        ctx.out
            .progress(selected.len() as u64, "{pos}/{len} redeliveries")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (mut rejected, mut unanswered) = (0usize, 0usize);
    for offset in &selected {
        let line = deliverylog::line_at(&path, *offset)?.ok_or_else(|| {
            anyhow!(
                "{} changed while redelivering (pruned?); run the command again",
                path.display()
            )
        })?;
        let original: Record = serde_json::from_slice(&line).with_context(|| {
            format!(
                "the record at byte {offset} of {} is not readable",
                path.display()
            )
        })?;
        let body = Bytes::copy_from_slice(original.payload.get().as_bytes());
        let signature = signature::sign(configured.secret.expose().as_bytes(), &body);
        let outcome = engine
            .deliver(&Request {
                url: configured.url.url(),
                body: body.clone(),
                signature: &signature,
                event: &original.event,
                mock: false,
            })
            .await;
        let record = log_attempt(
            ctx,
            &outcome,
            &Attempt {
                event_id: &original.event_id,
                event: &original.event,
                url: &url,
                number: 1,
                redelivery_of: Some(&original.request_id),
                body: &body,
            },
        )?;
        match outcome.verdict() {
            Verdict::Delivered => {}
            Verdict::Refused(_) => rejected += 1,
            Verdict::Unanswered(_) => unanswered += 1,
        }
        unless_reader_gone(progress.suspend(|| -> Result<()> {
            // Locked per line: the lock must not be held across a request.
            let mut stdout = output::stdout();
            if args.json {
                stdout.write_all(&record)?;
            } else if ctx.out.stdout_is_tty {
                let (_, verdict) = painted_verdict(&ctx.out, &outcome);
                writeln!(
                    stdout,
                    "{} {} → {verdict} in {}  request {}",
                    original.event,
                    original.request_id,
                    human_ms(outcome.duration),
                    outcome.request_id
                )?;
            } else {
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}\t{}",
                    original.request_id,
                    outcome.request_id,
                    original.event,
                    output::code_or_dash(outcome.code()),
                    if outcome.success() { "ok" } else { "failed" }
                )?;
            }
            Ok(stdout.flush()?)
        }))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    let total = selected.len();
    let hint = super::send::doctor_hint(&ctx.profile);
    if unanswered > 0 {
        Err(Failure::Unreachable(format!(
            "{unanswered} of {total} redeliveries got no answer from {url}"
        ))
        .with_hint(&hint)
        .into())
    } else if rejected > 0 {
        Err(Failure::Rejected(format!(
            "{rejected} of {total} redeliveries were refused by {url}"
        ))
        .with_hint(&hint)
        .into())
    } else {
        Ok(())
    }
}

/// Offsets of the records named by request id (or unique prefix).
fn by_request_ids(ctx: &Context, ids: &[String]) -> Result<Vec<u64>> {
    let prefixes: Vec<String> = ids
        .iter()
        .map(|id| id.trim().to_ascii_lowercase())
        .collect();
    if let Some(empty) = prefixes.iter().position(String::is_empty) {
        return Err(usage(format!("request id #{} is empty", empty + 1)));
    }
    let path = ctx.home.log_file();
    let (found, report) = deliverylog::find_request_ids(&path, &prefixes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(warning) = report.warning(&path) {
        ctx.out.warn(warning);
    }
    let mut offsets = Vec::new();
    for (prefix, matches) in prefixes.iter().zip(found) {
        match matches.as_slice() {
            [] => {
                return Err(usage(format!(
                    "no delivery with request id {prefix} in {}",
                    path.display()
                )));
            }
            [(_, offset)] => offsets.push(*offset),
            many => {
                let shown: Vec<&str> = many.iter().take(3).map(|(id, _)| id.as_str()).collect();
                return Err(usage(format!(
                    "request id prefix {prefix} matches {} deliveries ({}{}); give more characters",
                    many.len(),
                    shown.join(", "),
                    if many.len() > 3 { ", ..." } else { "" }
                )));
            }
        }
    }
    Ok(offsets)
}

/// For `--failed`: each event whose latest attempt failed and matches the
/// filters, once, at the offset of that attempt. Any later attempt decides
/// anew: a success, or a failure the filters do not select, takes the event
/// off the list, so running the command twice does not send twice.
fn failed_events(ctx: &Context, filter: &Filter) -> Result<Vec<u64>> {
    let path = ctx.home.log_file();
    let mut pending: HashMap<String, u64> = HashMap::new();
    let report = deliverylog::scan(&path, 0, None, |line| {
        if !line.head.success && filter.matches(&line.head) {
            pending.insert(line.head.event_id.to_string(), line.offset);
        } else {
            pending.remove(line.head.event_id.as_ref());
        }
        Ok(ControlFlow::Continue(()))
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(warning) = report.warning(&path) {
        ctx.out.warn(warning);
    }
    let mut offsets: Vec<u64> = pending.into_values().collect();
    offsets.sort_unstable();
    Ok(offsets)
}
