//! `sfhook status`: the profile's configuration, where the files are, and
//! a summary of its deliveries. The secret appears only as a fingerprint.

use std::io::Write;

use anyhow::{Context as _, Result};

use crate::cli::StatusArgs;
use crate::context::Context;
use crate::core::catalog::EVENTS;
use crate::core::config::profile_flag;
use crate::core::log::{self, Summary};
use crate::core::units::format_duration;
use crate::ui::json::{LogCountsJson, PathsJson, StatusJson};
use crate::ui::output::{self, BOLD, DIM, FAIL, OK};

pub fn run(ctx: &Context, args: StatusArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let profile = config.profile(&ctx.profile).cloned().unwrap_or_default();
    let summary = profile_summary(ctx)?;
    let config_path = ctx.home.config_file();
    let log_path = ctx.home.log_file();
    let configured = profile.configured().is_some();
    let d = profile.delivery;
    let mut stdout = output::stdout();

    if args.json {
        let status = StatusJson {
            profile: &ctx.profile,
            profiles: config.profiles.keys().map(String::as_str).collect(),
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
            },
        };
        return Ok(output::print_json(&status)?);
    }

    let out = &ctx.out;
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
        format!(
            "{} ({} of {})",
            profile
                .subscriptions
                .iter()
                .map(|e| e.slug)
                .collect::<Vec<_>>()
                .join(", "),
            profile.subscriptions.len(),
            EVENTS.len()
        )
    };
    let rows: Vec<(&str, String)> = vec![
        ("profile", ctx.profile.clone()),
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
                "timeout {}, {} retries, backoff {}",
                format_duration(d.timeout),
                d.retries,
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
            "deliveries",
            format!(
                "{} total, {} succeeded, {} failed",
                summary.total_events, summary.total_success_events, summary.total_failed_events
            ),
        ),
    ];
    for (key, value) in rows {
        if out.stdout_is_tty {
            writeln!(stdout, "{} {value}", out.paint(BOLD, format!("{key:<14}")))?;
        } else {
            // Painted only with --color always; every part is plain already.
            writeln!(stdout, "{key}\t{value}")?;
        }
    }
    stdout.flush()?;

    if out.stdout_is_tty {
        let flag = profile_flag(&ctx.profile);
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

/// The delivery counts of this profile only.
fn profile_summary(ctx: &Context) -> Result<Summary> {
    let path = ctx.home.log_file();
    let profile = serde_json::to_vec(&ctx.profile)?;
    let needle = log::Needle::new("profile", vec![profile]);
    let (summary, report) = log::summarize(&path, Some(&needle), |head| {
        head.profile == ctx.profile.as_str()
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(warning) = report.warning(&path) {
        ctx.out.warn(warning);
    }
    Ok(summary)
}
