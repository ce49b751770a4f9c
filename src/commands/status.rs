//! `sfhook status`: the profile's configuration, where the files are, and
//! a summary of its deliveries. The secret appears only as a fingerprint.

use anyhow::{Context as _, Result};

use crate::cli::StatusArgs;
use crate::context::Context;
use crate::core::log::{self, Summary};
use crate::ui::status::{StatusReport, print_status};

pub fn run(ctx: &Context, args: StatusArgs) -> Result<()> {
    let config = ctx.load_config()?;
    let profile = config.profile(&ctx.profile).cloned().unwrap_or_default();
    let summary = profile_summary(ctx)?;
    let config_path = ctx.home.config_file();
    let log_path = ctx.home.log_file();
    print_status(
        &ctx.out,
        ctx.out.mode(args.json),
        &StatusReport {
            name: &ctx.profile,
            profiles: config.profiles.keys().map(String::as_str).collect(),
            profile: &profile,
            summary: &summary,
            config_path: &config_path,
            log_path: &log_path,
        },
    )
}

/// The delivery counts of this profile only.
fn profile_summary(ctx: &Context) -> Result<Summary> {
    let path = ctx.home.log_file();
    let profile = serde_json::to_vec(&ctx.profile)?;
    let needle = log::Needle::new("profile", vec![profile]);
    let (mut summary, report) = log::summarize(&path, Some(&needle), |head| {
        head.profile == ctx.profile.as_str()
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    // An event another profile redelivered (--to-profile) was delivered.
    summary
        .settle_events(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let summary = summary.finish();
    if let Some(warning) = report.warning(&path) {
        ctx.out.warn(warning);
    }
    Ok(summary)
}
