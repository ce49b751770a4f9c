//! `sfhook subscribe` and `sfhook unsubscribe`: idempotent, and they say
//! what changed. Without event names on a terminal they offer a checklist;
//! unsubscribing from everything asks first, or needs `--yes`.

use anyhow::Result;

use crate::cli::{EventSelection, SubscribeArgs, UnsubscribeArgs};
use crate::context::Context;
use crate::core::catalog::{EVENTS, Event};
use crate::core::config::{self, profile_flag};
use crate::core::error::usage;
use crate::ui::json::SubscriptionsJson;
use crate::ui::output::{self, DIM, OK};
use crate::ui::prompt;

use crate::core::catalog;

pub fn subscribe(ctx: &Context, args: SubscribeArgs) -> Result<()> {
    let wanted = if args.which.is_empty() {
        require_terminal(ctx, "subscribe to")?;
        let subscribed = current(ctx, true)?;
        let offered: Vec<&'static Event> = EVENTS.iter().collect();
        // The mark before the category: on a narrow terminal the end of a
        // line is cut.
        let slug_width = offered.iter().map(|e| e.slug.len()).max().unwrap_or(0);
        let labels: Vec<String> = offered
            .iter()
            .map(|e| {
                let mark = if subscribed.contains(e) {
                    "(subscribed)"
                } else {
                    ""
                };
                format!("{:<slug_width$}  {mark:<12}  {}", e.slug, e.category)
            })
            .collect();
        choose(ctx, "subscribe to", &offered, &labels)?
    } else {
        selected(&args.which)?
    };
    change(ctx, &wanted, true, args.json)
}

pub fn unsubscribe(ctx: &Context, args: UnsubscribeArgs) -> Result<()> {
    let wanted = if args.which.is_empty() {
        require_terminal(ctx, "unsubscribe from")?;
        let offered = current(ctx, false)?;
        if offered.is_empty() {
            ctx.out.note(format!(
                "Profile '{}' is subscribed to no event",
                ctx.profile
            ));
            return change(ctx, &[], false, args.json);
        }
        let labels: Vec<String> = offered.iter().map(|e| e.slug.to_string()).collect();
        choose(ctx, "unsubscribe from", &offered, &labels)?
    } else {
        selected(&args.which)?
    };
    if args.which.all && !args.yes {
        // The saved state first: a broken or inactive profile is the news.
        let count = current(ctx, false)?.len();
        if !ctx.out.can_prompt() {
            return Err(usage(
                "unsubscribe --all removes every subscription: confirm with --yes (sfhook asks only on a terminal)",
            ));
        }
        if count > 0 {
            let confirmed = prompt::confirm(
                &ctx.out,
                &format!(
                    "Unsubscribe profile '{}' from {} it is subscribed to?",
                    ctx.profile,
                    match count {
                        1 => "the 1 event".to_string(),
                        n => format!("all {n} events"),
                    }
                ),
            )?;
            if !confirmed {
                ctx.out.note("Nothing changed");
                return Ok(());
            }
        }
    }
    change(ctx, &wanted, false, args.json)
}

/// A checklist needs a terminal to draw on and read from; without one,
/// a usage error that says what to type instead.
fn require_terminal(ctx: &Context, verb: &str) -> Result<()> {
    if ctx.out.can_prompt() {
        return Ok(());
    }
    Err(usage(format!(
        "name the events to {verb} (slugs, wire names or display names), or use --all or --category; \
         'sfhook events' lists them (sfhook offers a checklist only on a terminal)"
    )))
}

/// The events the flags and names select, each once, in catalogue order for
/// the flags. Every name is resolved first: one typo changes nothing.
fn selected(which: &EventSelection) -> Result<Vec<&'static Event>> {
    let mut wanted: Vec<&'static Event> = Vec::new();
    for name in &which.events {
        let event = catalog::lookup(name)?;
        if !wanted.contains(&event) {
            wanted.push(event);
        }
    }
    for event in &EVENTS {
        let by_flag = which.all || which.category == Some(event.category);
        if by_flag && !wanted.contains(&event) {
            wanted.push(event);
        }
    }
    Ok(wanted)
}

/// The profile's subscriptions, once it is known to be able to take the
/// change: a checklist is offered only where a change can be saved.
fn current(ctx: &Context, subscribe: bool) -> Result<Vec<&'static Event>> {
    let config = ctx.load_config()?;
    let configured = require_ready(&config, &ctx.profile, subscribe)?;
    Ok(configured.profile.subscriptions.iter().collect())
}

/// Subscribing needs an active profile (a subscription is a promise of
/// deliveries); unsubscribing only a configured one, so that a profile
/// switched off with `deactivate` can be trimmed without switching live
/// deliveries back on.
fn require_ready<'c>(
    config: &'c config::Config,
    profile: &str,
    subscribe: bool,
) -> Result<config::Configured<'c>> {
    if subscribe {
        config::require_active(config, profile)
    } else {
        config::require_configured(config, profile)
    }
}

/// The events ticked on a checklist.
fn choose(
    ctx: &Context,
    verb: &str,
    offered: &[&'static Event],
    labels: &[String],
) -> Result<Vec<&'static Event>> {
    require_terminal(ctx, verb)?;
    let picked = prompt::choose_many(&ctx.out, &format!("Events to {verb}"), labels)?;
    if picked.is_empty() {
        ctx.out.note("Nothing chosen; nothing changed");
    }
    Ok(picked.into_iter().map(|i| offered[i]).collect())
}

fn change(ctx: &Context, wanted: &[&'static Event], subscribe: bool, json: bool) -> Result<()> {
    let (changes, subscriptions) = ctx.store().update(|config| {
        require_ready(config, &ctx.profile, subscribe)?;
        let subscriptions = &mut config.profile_mut(&ctx.profile).subscriptions;
        let changes: Vec<(&'static Event, bool)> = wanted
            .iter()
            .map(|event| {
                let changed = if subscribe {
                    subscriptions.add(event)
                } else {
                    subscriptions.remove(event)
                };
                (*event, changed)
            })
            .collect();
        let now: Vec<&'static str> = subscriptions.iter().map(|e| e.slug).collect();
        Ok((changes, now))
    })?;
    if json {
        let changed: Vec<&str> = changes
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(e, _)| e.slug)
            .collect();
        let result = SubscriptionsJson {
            profile: &ctx.profile,
            changed,
            subscriptions: subscriptions.clone(),
        };
        output::print_json(&result)?;
    }

    let out = &ctx.out;
    for &(event, changed) in &changes {
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
    // Suggest the event just subscribed to, not whichever sorts first.
    if let Some((event, _)) = changes.iter().find(|(_, changed)| subscribe && *changed) {
        out.note(out.paint_stderr(
            DIM,
            format!(
                "Try it: sfhook{} mock {}",
                profile_flag(&ctx.profile),
                event.slug
            ),
        ));
    }
    Ok(())
}
