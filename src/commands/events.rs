//! `sfhook events` and `sfhook events show`.

use std::io::Write;

use anyhow::Result;
use jiff::Timestamp;

use crate::cli::{EventShowArgs, EventsArgs};
use crate::context::Context;
use crate::core::catalog::{EVENTS, Event};
use crate::core::error::usage;
use crate::core::payload;
use crate::ui::events::print_events;
use crate::ui::output;

use crate::core::catalog;

pub fn list(ctx: &Context, args: EventsArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let subscriptions = config
        .profile(&ctx.profile)
        .map(|p| p.subscriptions.clone())
        .unwrap_or_default();
    let events: Vec<&Event> = EVENTS
        .iter()
        .filter(|e| args.category.is_none_or(|c| e.category == c))
        .filter(|e| args.platform.is_none_or(|p| e.supports(p)))
        .filter(|e| !args.subscribed || subscriptions.contains(e))
        .collect();
    print_events(&ctx.out, ctx.out.mode(args.json), &events, &subscriptions)
}

pub fn show(_ctx: &Context, args: EventShowArgs) -> Result<()> {
    let event = catalog::lookup(&args.event)?;
    let platform = args.platform.unwrap_or_else(|| event.default_platform());
    event.check_platform(platform).map_err(usage)?;
    let id = crate::core::ids::fresh().to_string();
    let document = payload::sample(event, platform, &id, Timestamp::now(), 0);
    let mut stdout = output::stdout();
    writeln!(stdout, "{}", serde_json::to_string_pretty(&document)?)?;
    Ok(stdout.flush()?)
}
