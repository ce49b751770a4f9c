//! `sfhook events` and `sfhook events show`.

use std::io::Write;

use anyhow::Result;
use comfy_table::{Cell, CellAlignment, Color};
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::cli::{EventShowArgs, EventsArgs};
use crate::context::Context;
use crate::core::catalog::{EVENTS, Event, Platform};
use crate::core::config::Subscriptions;
use crate::core::error::usage;
use crate::core::payload;
use crate::ui::json::EventJson;
use crate::ui::output::{self, BOLD, DIM, Mode, OK};

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
    let mut stdout = output::stdout();
    match ctx.out.mode(args.json) {
        Mode::Json => {
            let list: Vec<EventJson<'_>> = events
                .iter()
                .map(|e| event_json(e, &subscriptions))
                .collect();
            writeln!(stdout, "{}", serde_json::to_string(&list)?)?;
        }
        Mode::Terminal => {
            writeln!(stdout, "{}", table(ctx, &events, &subscriptions))?;
        }
        Mode::Pipe => {
            // Plain unless the user forced colour (`--color always | less -R`).
            let out = &ctx.out;
            for e in &events {
                let platforms: Vec<&str> = e.platforms().map(Platform::name).collect();
                let mark = if subscriptions.contains(e) {
                    out.paint(OK, "subscribed")
                } else {
                    out.paint(DIM, "-")
                };
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}\t{}\t{mark}",
                    out.paint(BOLD, e.slug),
                    e.wire,
                    e.name,
                    e.category,
                    platforms.join(",")
                )?;
            }
        }
    }
    Ok(stdout.flush()?)
}

fn event_json<'e>(event: &'e Event, subscriptions: &Subscriptions) -> EventJson<'e> {
    let platforms: Map<String, Value> = Platform::ALL
        .iter()
        .map(|p| (p.name().to_string(), Value::Bool(event.supports(*p))))
        .collect();
    EventJson {
        slug: event.slug,
        event: event.wire,
        name: event.name,
        category: event.category.name(),
        platforms,
        subscribed: subscriptions.contains(event),
    }
}

fn table(ctx: &Context, events: &[&Event], subscriptions: &Subscriptions) -> comfy_table::Table {
    let mut table = ctx.out.table();
    let mut header = vec![
        "Event".to_string(),
        "Slug".to_string(),
        "Category".to_string(),
    ];
    header.extend(Platform::ALL.iter().map(|p| p.display_name().to_string()));
    header.push("Subscribed".to_string());
    table.set_header(header);
    for event in events {
        let mut row = vec![
            Cell::new(event.name),
            Cell::new(event.slug),
            Cell::new(event.category.display_name()),
        ];
        for platform in Platform::ALL {
            let cell = if event.supports(platform) {
                Cell::new("✓").fg(Color::Green)
            } else {
                Cell::new("·").fg(Color::DarkGrey)
            };
            row.push(cell.set_alignment(CellAlignment::Center));
        }
        let subscribed = if subscriptions.contains(event) {
            Cell::new("✓").fg(Color::Green)
        } else {
            Cell::new("")
        };
        row.push(subscribed.set_alignment(CellAlignment::Center));
        table.add_row(row);
    }
    table
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
