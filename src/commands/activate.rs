//! `sfhook activate` and `sfhook deactivate`.

use anyhow::Result;

use crate::cli::ActivateArgs;
use crate::context::Context;
use crate::core::config::{self, profile_flag};
use crate::ui::json::ActivationJson;
use crate::ui::output::{self, OK};

pub fn run(ctx: &Context, args: ActivateArgs, active: bool) -> Result<()> {
    let (changed, url) = ctx.store().update(|config| {
        let configured = config::require_configured(config, &ctx.profile)?;
        let url = configured.url.redacted();
        let profile = config.profile_mut(&ctx.profile);
        let changed = profile.active != active;
        profile.active = active;
        Ok((changed, url))
    })?;
    if args.json {
        output::print_json(&ActivationJson {
            profile: &ctx.profile,
            active,
            changed,
        })?;
    }
    let out = &ctx.out;
    let name = &ctx.profile;
    let flag = profile_flag(name);
    match (active, changed) {
        (true, true) => {
            out.note(format!(
                "{} Webhooks active for profile '{name}': deliveries go to {url}",
                out.paint_stderr(OK, "✓")
            ));
            out.note(format!(
                "Next: sfhook{flag} subscribe EVENT (see 'sfhook events')"
            ));
        }
        (true, false) => out.note(format!("Webhooks were already active for profile '{name}'")),
        (false, true) => out.note(format!(
            "{} Webhooks deactivated for profile '{name}'; subscriptions are kept",
            out.paint_stderr(OK, "✓")
        )),
        (false, false) => out.note(format!(
            "Webhooks were already inactive for profile '{name}'"
        )),
    }
    Ok(())
}
