//! How `status` shows a profile: aligned rows and a next step on a
//! terminal, `key<TAB>value` lines on a pipe, one object with `--json`.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::core::catalog::EVENTS;
use crate::core::config::{Profile, profile_flag};
use crate::core::log::Summary;
use crate::core::units::format_duration;
use crate::ui::json::{LogCountsJson, PathsJson, StatusJson};
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output};

/// The width of the labels on a terminal.
const LABEL_WIDTH: usize = 14;

/// What `status` found.
pub(crate) struct StatusReport<'a> {
    /// The profile's name.
    pub name: &'a str,
    /// Every profile in the configuration.
    pub profiles: Vec<&'a str>,
    pub profile: &'a Profile,
    /// This profile's deliveries.
    pub summary: &'a Summary,
    pub config_path: &'a Path,
    pub log_path: &'a Path,
}

pub(crate) fn print_status(out: &Output, mode: Mode, report: &StatusReport<'_>) -> Result<()> {
    let profile = report.profile;
    let summary = report.summary;
    let (config_path, log_path) = (report.config_path, report.log_path);
    let configured = profile.configured().is_some();
    let d = profile.delivery;

    let mut stdout = output::stdout();
    if mode == Mode::Json {
        let status = StatusJson {
            profile: report.name,
            profiles: report.profiles.clone(),
            configured,
            url: profile.url.as_ref().map(|u| u.redacted()),
            secret_fingerprint: profile.secret.as_ref().map(|s| s.fingerprint()),
            active: profile.active,
            subscriptions: profile.subscriptions.iter().map(|e| e.slug).collect(),
            delivery: d.into(),
            paths: PathsJson {
                config: config_path.to_string_lossy().into_owned(),
                log: log_path.to_string_lossy().into_owned(),
            },
            log: LogCountsJson {
                total_events: summary.total_events,
                total_success_events: summary.total_success_events,
                total_failed_events: summary.total_failed_events,
                events: summary.events,
            },
        };
        return Ok(output::print_json(&status)?);
    }

    let yes_no = |flag: bool, yes: &str, no: &str| {
        if flag {
            out.paint(OK, yes)
        } else {
            out.paint(FAIL, no)
        }
    };
    let subscriptions = if profile.subscriptions.is_empty() {
        "none".to_string()
    } else {
        let count = profile.subscriptions.len();
        let mut words: Vec<String> = profile
            .subscriptions
            .iter()
            .enumerate()
            .map(|(n, e)| {
                let comma = if n + 1 < count { "," } else { "" };
                format!("{}{comma}", e.slug)
            })
            .collect();
        words.push(format!("({count} of {})", EVENTS.len()));
        match out.terminal_width().filter(|_| mode == Mode::Terminal) {
            // The slugs people copy never break across lines: the list
            // wraps between them, under the value's column.
            Some(width) => output::wrap_words(&words, width, LABEL_WIDTH + 1),
            None => words.join(" "),
        }
    };
    let rows: Vec<(&str, String)> = vec![
        ("profile", report.name.to_string()),
        (
            "url",
            profile
                .url
                .as_ref()
                .map_or_else(|| "not configured".to_string(), |u| u.redacted()),
        ),
        (
            "secret",
            profile
                .secret
                .as_ref()
                .map_or_else(|| "not configured".to_string(), |s| s.fingerprint()),
        ),
        ("active", yes_no(profile.active, "yes", "no")),
        ("subscriptions", subscriptions),
        (
            "delivery",
            format!(
                "timeout {}, {}, backoff {}",
                format_duration(d.timeout),
                crate::ui::text::count(d.retries, "retry", "retries"),
                format_duration(d.backoff)
            ),
        ),
        // A home may be any bytes: no control character reaches the screen.
        (
            "config",
            output::plain(&config_path.display().to_string()).into_owned(),
        ),
        (
            "log",
            output::plain(&log_path.display().to_string()).into_owned(),
        ),
        (
            "events",
            format!(
                "{}, {} delivered, {} not delivered",
                crate::ui::text::count(summary.events.total, "event", "events"),
                summary.events.delivered,
                summary.events.undelivered
            ),
        ),
        (
            "deliveries",
            format!(
                "{} total, {} succeeded, {} failed",
                summary.total_events, summary.total_success_events, summary.total_failed_events
            ),
        ),
    ];
    // On a pipe, painted only with --color always; every part is plain already.
    out.write_rows(&mut stdout, mode == Mode::Terminal, LABEL_WIDTH, &rows)?;
    stdout.flush()?;

    if mode == Mode::Terminal {
        let flag = profile_flag(report.name);
        let hint = if !configured {
            Some(format!(
                "Next: sfhook{flag} configure --url URL --generate-secret"
            ))
        } else if !profile.active {
            Some(format!("Next: sfhook{flag} activate"))
        } else if profile.subscriptions.is_empty() {
            Some(format!("Next: sfhook{flag} subscribe EVENT"))
        } else {
            None
        };
        if let Some(hint) = hint {
            out.note(out.paint_stderr(DIM, hint));
        }
    }
    Ok(())
}
