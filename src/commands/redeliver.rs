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
use crate::core::delivery::sender::Sender;
use crate::core::error::{Failure, Kind, usage};
use crate::core::filter::Filter;
use crate::core::log::{self, Record};
use crate::ui::delivery::{Planned, print_planned, print_redelivery};
use crate::ui::output::{plain, unless_reader_gone};
use crate::ui::prompt;

pub async fn run(ctx: &Context, args: RedeliverArgs) -> Result<()> {
    let config = ctx.load_config()?;
    if let Some(to) = &args.to_profile {
        config::check_profile_name(to)?;
    }
    let path = ctx.home.log_file();
    let spec = args.filter.spec();
    let selected = if args.filter.failed {
        if !args.ids.is_empty() {
            return Err(usage(
                "give request ids, or --failed with filters, not both",
            ));
        }
        // Only the named profile's records (or default's): each is re-sent
        // with the profile that logged it, so the set never mixes profiles.
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
    let planned = plan(ctx, &args, &selected)?;
    let mode = ctx.out.mode(args.json);
    if args.dry_run {
        unless_reader_gone(print_planned(&ctx.out, mode, &planned))?;
        ctx.out.note(format!(
            "Dry run: {} {} would be re-sent; nothing was sent or logged",
            planned.len(),
            if planned.len() == 1 {
                "delivery"
            } else {
                "deliveries"
            }
        ));
        return Ok(());
    }
    if planned.len() > CONFIRM_ABOVE && !args.yes && ctx.out.can_prompt() {
        let profiles = distinct_profiles(&planned).join("', '");
        let question = format!(
            "Re-send {} deliveries with profile '{profiles}'?",
            planned.len()
        );
        if !prompt::confirm(&ctx.out, &question)? {
            ctx.out.note("Nothing sent");
            return Ok(());
        }
    }

    log::check_writable(&ctx.home)?;
    // Every profile is checked, and its sender built, before anything is sent.
    let mut senders: HashMap<&str, (Sender, String)> = HashMap::new();
    for profile in distinct_profiles(&planned) {
        let configured = config::require_active(&config, profile)?;
        let sender = ctx.logged_sender_as(profile, &configured, &args.connection, 4)?;
        senders.insert(profile, (sender, configured.url.redacted()));
    }
    let progress = if planned.len() > 1 {
        ctx.out
            .progress(planned.len() as u64, "{pos}/{len} redeliveries")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (mut rejected, mut unanswered) = (0usize, 0usize);
    let mut failing_profile: Option<&str> = None;
    let mut report_error: Option<anyhow::Error> = None;
    for planned in &planned {
        let changed = || {
            anyhow!(
                "{} changed while redelivering (pruned?); run the command again",
                path.display()
            )
        };
        let line = log::line_at(&path, planned.offset)?.ok_or_else(changed)?;
        let original: Record = serde_json::from_slice(&line).with_context(|| {
            format!(
                "the record at byte {} of {} is not readable",
                planned.offset,
                path.display()
            )
        })?;
        if original.request_id != planned.request_id {
            return Err(changed());
        }
        let (sender, _) = &senders[planned.profile.as_str()];
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
        if !outcome.success() {
            failing_profile.get_or_insert(planned.profile.as_str());
        }
        let original_of = (original.event.as_ref(), original.request_id.as_ref());
        // A report that cannot be written stops no redelivery.
        let printed = unless_reader_gone(
            progress.suspend(|| print_redelivery(&ctx.out, mode, original_of, &attempted)),
        );
        if report_error.is_none() {
            report_error = printed.err();
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let total = planned.len();
    let lost = report_error.map(|err| {
        err.context(
            "every redelivery was made and logged, but the report could not be written to stdout",
        )
    });
    let Some(profile) = failing_profile else {
        return lost.map_or(Ok(()), Err);
    };
    // The redeliveries' exit code says more than the lost report.
    if let Some(err) = lost {
        ctx.out.error(plain(&format!("{err:#}")));
    }
    let hint = doctor_hint(profile);
    let url = if senders.len() == 1 {
        senders[profile].1.clone()
    } else {
        "their endpoints".to_string()
    };
    if unanswered > 0 {
        Err(Failure::new(
            Kind::Unreachable,
            format!(
                "{unanswered} of {} got no answer from {url}",
                crate::ui::text::count(total as u64, "redelivery", "redeliveries")
            ),
        )
        .with_hint(hint.as_str())
        .into())
    } else if rejected > 0 {
        Err(Failure::new(
            Kind::Rejected,
            format!(
                "{rejected} of {} refused by {url}",
                crate::ui::text::count(total as u64, "redelivery was", "redeliveries were")
            ),
        )
        .with_hint(hint.as_str())
        .into())
    } else {
        Ok(())
    }
}

/// On a terminal, re-sending more deliveries than this asks first.
const CONFIRM_ABOVE: usize = 10;

/// Reads each selected record and decides the profile it goes with: the
/// one that logged it, or `--to-profile`. A profile named by `--profile`
/// or SFHOOK_PROFILE that is not the record's is refused: a production
/// payload must not reach staging's endpoint under staging's secret by a
/// forgotten environment variable.
fn plan(ctx: &Context, args: &RedeliverArgs, selected: &[u64]) -> Result<Vec<Planned>> {
    let path = ctx.home.log_file();
    let mut planned = Vec::with_capacity(selected.len());
    for &offset in selected {
        let line = log::record_line(&path, offset)?;
        let record = log::parse_record(&line, offset, &path)?;
        let request_id = plain(&record.request_id).into_owned();
        config::check_profile_name(&record.profile).with_context(|| {
            format!(
                "delivery {request_id} names no usable profile; redeliver it with --to-profile NAME"
            )
        })?;
        let profile = match &args.to_profile {
            Some(to) => to.clone(),
            None if ctx.profile_explicit && ctx.profile != record.profile => {
                return Err(Failure::new(
                    Kind::Usage,
                    format!(
                        "delivery {request_id} was logged by profile '{}', but --profile or SFHOOK_PROFILE names '{}': \
                         a delivery is re-sent only with the profile that logged it",
                        record.profile, ctx.profile
                    ),
                )
                .with_hint(format!(
                    "leave the profile out to re-send it with '{}', or add --to-profile {} to send it with '{}' anyway",
                    record.profile, ctx.profile, ctx.profile
                ))
                .into());
            }
            None => record.profile.to_string(),
        };
        planned.push(Planned {
            offset,
            request_id: record.request_id.to_string(),
            event: record.event.to_string(),
            event_id: record.event_id.to_string(),
            profile,
            response_code: record.response_code,
            error: record.error.as_deref().map(str::to_string),
        });
    }
    Ok(planned)
}

/// The profiles a set goes with, each once, in order of first use.
fn distinct_profiles(planned: &[Planned]) -> Vec<&str> {
    let mut profiles: Vec<&str> = Vec::new();
    for p in planned {
        if !profiles.contains(&p.profile.as_str()) {
            profiles.push(&p.profile);
        }
    }
    profiles
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
