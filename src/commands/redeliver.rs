//! `sfhook redeliver`: re-send logged deliveries byte for byte, each under
//! a fresh request id, logged with `redelivery_of` set.
use std::collections::HashMap;
use std::ops::ControlFlow;

use anyhow::{Context as _, Result, anyhow};
use bytes::Bytes;
use jiff::Timestamp;

use crate::cli::RedeliverArgs;
use crate::context::Context;
use crate::core::config::{self, doctor_hint};
use crate::core::delivery::Verdict;
use crate::core::delivery::sender::Delivery;
use crate::core::error::{Failure, Kind, usage};
use crate::core::filter::Filter;
use crate::core::log::{self, Record};
use crate::ui::delivery::print_redelivery;
use crate::ui::output::unless_reader_gone;

pub async fn run(ctx: &Context, args: RedeliverArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let configured = config::require_active(&config, &ctx.profile)?;
    let path = ctx.home.log_file();
    let spec = args.filter.spec();
    let selected = if args.filter.failed {
        if !args.ids.is_empty() {
            return Err(usage(
                "give request ids, or --failed with filters, not both",
            ));
        }
        // Always this profile's records: they are re-sent to this profile's
        // endpoint under its secret, which another profile's events must not be.
        let filter = Filter::new(&spec, Some(&ctx.profile), Timestamp::now()).map_err(usage)?;
        failed_events(ctx, &filter)?
    } else {
        let filter = Filter::new(&spec, None, Timestamp::now()).map_err(usage)?;
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

    log::check_writable(&ctx.home)?;
    let sender = ctx.logged_sender(&configured, &args.connection, 4)?;
    let url = configured.url.redacted();
    let progress = if selected.len() > 1 {
        ctx.out
            .progress(selected.len() as u64, "{pos}/{len} redeliveries")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (mut rejected, mut unanswered) = (0usize, 0usize);
    for offset in &selected {
        let line = log::line_at(&path, *offset)?.ok_or_else(|| {
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
        let attempted = sender
            .attempt(&Delivery {
                body,
                event: &original.event,
                event_id: &original.event_id,
                attempt: 1,
                redelivery_of: Some(&original.request_id),
                tamper: None,
                headers: &[],
            })
            .await?;
        let outcome = &attempted.outcome;
        match outcome.verdict() {
            Verdict::Delivered => {}
            Verdict::Refused(_) => rejected += 1,
            Verdict::Unanswered(_) => unanswered += 1,
        }
        let mode = ctx.out.mode(args.json);
        let original_of = (original.event.as_ref(), original.request_id.as_ref());
        unless_reader_gone(
            progress.suspend(|| print_redelivery(&ctx.out, mode, original_of, &attempted)),
        )?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    let total = selected.len();
    let hint = doctor_hint(&ctx.profile);
    if unanswered > 0 {
        Err(Failure::new(
            Kind::Unreachable,
            format!("{unanswered} of {total} redeliveries got no answer from {url}"),
        )
        .with_hint(hint.as_str())
        .into())
    } else if rejected > 0 {
        Err(Failure::new(
            Kind::Rejected,
            format!("{rejected} of {total} redeliveries were refused by {url}"),
        )
        .with_hint(hint.as_str())
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
    log::resolve_ids(&path, &prefixes, |report| {
        if let Some(warning) = report.warning(&path) {
            ctx.out.warn(warning);
        }
    })
}

/// For `--failed`: each event whose latest attempt failed and matches the
/// filters, once, at the offset of that attempt. Any later attempt decides
/// anew: a success, or a failure the filters do not select, takes the event
/// off the list, so running the command twice does not send twice.
fn failed_events(ctx: &Context, filter: &Filter) -> Result<Vec<u64>> {
    let path = ctx.home.log_file();
    let mut pending: HashMap<String, u64> = HashMap::new();
    let report = log::scan(&path, 0, None, |line| {
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
