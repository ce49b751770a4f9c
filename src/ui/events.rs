//! How the event catalogue is listed: a table on a terminal, tab-separated
//! lines on a pipe, a JSON array with `--json`; and how a sample payload
//! and a schema are printed.

use std::io::Write;

use anyhow::Result;
use comfy_table::CellAlignment;
use serde_json::{Map, Value};

use crate::core::catalog::{Event, Platform};
use crate::core::config::Subscriptions;
use crate::ui::json::EventJson;
use crate::ui::output::{self, BOLD, Column, DIM, Field, Fit, Mode, OK, Output, Tone};

/// `events`: the events given, each marked if the profile is subscribed.
pub(crate) fn print_events(
    out: &Output,
    mode: Mode,
    events: &[&Event],
    subscriptions: &Subscriptions,
    wide: bool,
) -> Result<()> {
    let mut stdout = output::stdout();
    match mode {
        Mode::Json => {
            let list: Vec<EventJson<'_>> = events
                .iter()
                .map(|e| event_json(e, subscriptions))
                .collect();
            writeln!(stdout, "{}", serde_json::to_string(&list)?)?;
        }
        Mode::Terminal => {
            writeln!(stdout, "{}", table(out, events, subscriptions, wide))?;
        }
        Mode::Pipe => {
            // Plain unless the user forced colour (`--color always | less -R`).
            for e in events {
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

/// `events show`: the body pretty-printed, or with `compact` its exact
/// bytes, which a pipe gets without a newline so that `| sfhook sign` signs
/// what `mock` sends; a terminal gets one, so the prompt starts on a line
/// of its own.
pub(crate) fn print_sample(out: &Output, body: &[u8], compact: bool) -> Result<()> {
    let mut stdout = output::stdout();
    if compact {
        stdout.write_all(body)?;
        if out.stdout_is_tty {
            writeln!(stdout)?;
        }
    } else {
        let document: Value = serde_json::from_slice(body)?;
        writeln!(stdout, "{}", serde_json::to_string_pretty(&document)?)?;
    }
    Ok(stdout.flush()?)
}

/// `events schema`: pretty JSON, to read or to save as a file.
pub(crate) fn print_schema(schema: &Value) -> Result<()> {
    let mut stdout = output::stdout();
    writeln!(stdout, "{}", serde_json::to_string_pretty(schema)?)?;
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

/// The columns of `events`, and which give way on a narrow terminal: the
/// slug people type stays; the display name goes first (the slug says
/// it), then the platforms together, then the category; the subscription
/// mark stays with the slug.
fn columns() -> Vec<Column> {
    let center = CellAlignment::Center;
    let mut columns = vec![
        Column::new("Event", Fit::Shrink(16), 4),
        Column::new("Slug", Fit::Whole, 0),
        Column::new("Category", Fit::Whole, 2),
    ];
    columns.extend(
        Platform::ALL
            .iter()
            .map(|p| Column::new(p.display_name(), Fit::Whole, 3).align(center)),
    );
    columns.push(Column::new("Subscribed", Fit::Whole, 0).align(center));
    columns
}

fn table(out: &Output, events: &[&Event], subscriptions: &Subscriptions, wide: bool) -> String {
    let mark = |yes: bool, no: &str| {
        if yes {
            Field::new("✓").tone(Tone::Good)
        } else {
            Field::new(no).tone(Tone::Faint)
        }
    };
    let rows: Vec<Vec<Field>> = events
        .iter()
        .map(|event| {
            let mut row = vec![
                Field::new(event.name),
                Field::new(event.slug),
                Field::new(event.category.display_name()),
            ];
            row.extend(Platform::ALL.iter().map(|p| mark(event.supports(*p), "·")));
            row.push(mark(subscriptions.contains(event), ""));
            row
        })
        .collect();
    out.grid(&columns(), &rows, wide)
}
