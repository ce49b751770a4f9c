//! `sfhook subscribe` and `sfhook unsubscribe`: idempotent, and they say
//! what changed.

use anyhow::Result;

use crate::catalog::{EVENTS, Event};
use crate::cli::SubscribeArgs;
use crate::config;
use crate::context::Context;
use crate::output::{DIM, OK};

use super::shared::resolve_event;

pub fn run(ctx: &Context, args: SubscribeArgs, subscribe: bool) -> Result<()> {
    // Resolve every name before touching anything: one typo changes nothing.
    let mut wanted: Vec<&'static Event> = Vec::new();
    for name in &args.events {
        let event = resolve_event(name)?;
        if !wanted.contains(&event) {
            wanted.push(event);
        }
    }
    for event in &EVENTS {
        let by_flag = args.all || args.category == Some(event.category);
        if by_flag && !wanted.contains(&event) {
            wanted.push(event);
        }
    }

    let changes = ctx.store().update(|config| {
        config::require_active(config, &ctx.profile)?;
        let subscriptions = &mut config.profile_mut(&ctx.profile).subscriptions;
        Ok(wanted
            .iter()
            .map(|event| {
                let changed = if subscribe {
                    subscriptions.add(event)
                } else {
                    subscriptions.remove(event)
                };
                (*event, changed)
            })
            .collect::<Vec<_>>())
    })?;

    let out = &ctx.out;
    for (event, changed) in changes {
        let line = match (subscribe, changed) {
            (true, true) => format!(
                "{} Subscribed to {} ({})",
                out.paint_stderr(OK, "✓"),
                event.slug,
                event.wire
            ),
            (true, false) => {
                out.paint_stderr(DIM, format!("  Already subscribed to {}", event.slug))
            }
            (false, true) => format!(
                "{} Unsubscribed from {} ({})",
                out.paint_stderr(OK, "✓"),
                event.slug,
                event.wire
            ),
            (false, false) => {
                out.paint_stderr(DIM, format!("  Was not subscribed to {}", event.slug))
            }
        };
        out.note(line);
    }
    Ok(())
}
