//! `sfhook events`, `sfhook events show` and `sfhook events schema`.

use anyhow::{Result, anyhow};

use crate::cli::{EventSchemaArgs, EventShowArgs, EventsArgs};
use crate::context::Context;
use crate::core::catalog::{self, EVENTS, Event};
use crate::core::payload::{self, BodySource};
use crate::ui::events::{print_events, print_sample, print_schema};

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
    print_events(
        &ctx.out,
        ctx.out.mode(args.json),
        &events,
        &subscriptions,
        args.wide,
    )
}

/// The body `mock` would send with the same flags, built the same way (one
/// `BodySource`, request 0), so the two cannot differ.
pub fn show(ctx: &Context, args: EventShowArgs) -> Result<()> {
    let event = catalog::lookup(&args.event)?;
    let source = BodySource::new(event, args.spec())?;
    let body = source.builder()?.build(0)?;
    print_sample(&ctx.out, &body.bytes, args.compact)
}

pub fn schema(_ctx: &Context, args: EventSchemaArgs) -> Result<()> {
    let schema = match &args.event {
        Some(name) if !args.all => payload::event_schema(catalog::lookup(name)?),
        _ => payload::all_schema(),
    }
    .map_err(|why| anyhow!("cannot build the schema: {why}"))?;
    print_schema(&schema)
}
