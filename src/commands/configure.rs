//! `sfhook configure`: save the endpoint, the secret and delivery settings.

use std::io::{IsTerminal, Read, Write};

use anyhow::Result;

use crate::cli::ConfigureArgs;
use crate::context::Context;
use crate::core::config::profile_flag;
use crate::core::endpoint::Endpoint;
use crate::core::error::usage;
use crate::core::fsutil;
use crate::core::secret::{self, Secret};
use crate::core::units::format_duration;
use crate::ui::json::ConfigureJson;
use crate::ui::output::{self, BOLD, OK};
use crate::ui::prompt;

/// Where the secret came from, for the confirmation message.
enum SecretSource {
    Given(Secret),
    Generated(Secret),
}

pub fn run(ctx: &Context, args: ConfigureArgs) -> Result<()> {
    // Read the saved state first: a broken config fails before any prompt.
    let saved = ctx.load_config()?;
    let current = saved.profile(&ctx.profile).cloned().unwrap_or_default();

    let url = match &args.url {
        Some(text) => Some(Endpoint::parse(text).map_err(usage)?),
        None if current.url.is_some() => None,
        None => Some(prompt_url(ctx)?),
    };
    let secret = match secret_from_args(ctx, &args)? {
        Some(source) => Some(source),
        None if current.secret.is_some() => None,
        None => Some(SecretSource::Given(prompt_secret(ctx)?)),
    };

    if let Some(endpoint) = &url
        && endpoint.is_unencrypted_remote()
    {
        ctx.out.warn(format!(
            "{} uses plain http to another host: deliveries and their signatures will not be encrypted",
            endpoint.redacted()
        ));
    }
    if let Some(SecretSource::Given(secret)) = &secret
        && secret.len() < secret::RECOMMENDED_MIN_LEN
    {
        ctx.out.warn(format!(
            "the secret is only {} characters; use {} or more, or --generate-secret",
            secret.len(),
            secret::RECOMMENDED_MIN_LEN
        ));
    }

    let profile = ctx.store().update(|config| {
        let profile = config.profile_mut(&ctx.profile);
        if let Some(endpoint) = &url {
            profile.url = Some(endpoint.clone());
        }
        match &secret {
            Some(SecretSource::Given(s) | SecretSource::Generated(s)) => {
                profile.secret = Some(s.clone())
            }
            None => {}
        }
        if let Some(timeout) = args.timeout {
            profile.delivery.timeout = timeout;
        }
        if let Some(retries) = args.retries {
            profile.delivery.retries = retries;
        }
        if let Some(backoff) = args.backoff {
            profile.delivery.backoff = backoff;
        }
        Ok(profile.clone())
    })?;

    let generated = match &secret {
        Some(SecretSource::Generated(secret)) => Some(secret),
        _ => None,
    };
    if args.json {
        let result = ConfigureJson {
            profile: &ctx.profile,
            url: profile.url.as_ref().map(|u| u.redacted()),
            secret_fingerprint: profile.secret.as_ref().map(|s| s.fingerprint()),
            generated_secret: generated.map(|s| s.expose()),
            active: profile.active,
            delivery: profile.delivery.into(),
        };
        output::print_json(&result)?;
    } else if let Some(secret) = generated {
        // The secret is the command's data: alone on stdout, so that
        // `sfhook configure --generate-secret > secret.txt` captures it.
        let mut stdout = output::stdout();
        if ctx.out.stdout_is_tty {
            writeln!(
                stdout,
                "Generated secret (shown once; give it to the receiver):"
            )?;
        }
        writeln!(stdout, "{}", secret.expose())?;
        stdout.flush()?;
    }

    let out = &ctx.out;
    let check = out.paint_stderr(OK, "✓");
    out.note(format!(
        "{check} Saved profile '{}' in {}",
        out.paint_stderr(BOLD, &ctx.profile),
        output::plain(&ctx.home.config_file().display().to_string())
    ));
    if let Some(url) = &profile.url {
        out.note(format!("  url       {url}"));
    }
    if let Some(secret) = &profile.secret {
        out.note(format!(
            "  secret    {} ({} characters)",
            secret.fingerprint(),
            secret.len()
        ));
    }
    let d = profile.delivery;
    out.note(format!(
        "  delivery  timeout {}, {}, backoff {}",
        format_duration(d.timeout),
        crate::ui::text::count(d.retries, "retry", "retries"),
        format_duration(d.backoff)
    ));
    if !profile.active {
        out.note(format!(
            "Next: sfhook{} activate",
            profile_flag(&ctx.profile)
        ));
    }
    Ok(())
}

/// A secret is a key, not a document: anything longer is a wrong file (or
/// `/dev/zero`), and reading stops here rather than filling memory.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

fn secret_from_args(ctx: &Context, args: &ConfigureArgs) -> Result<Option<SecretSource>> {
    if args.generate_secret {
        return Ok(Some(SecretSource::Generated(Secret::generate())));
    }
    if args.secret_stdin {
        if ctx.out.stdin_is_tty {
            return typed_secret(ctx, "stdin").map(Some);
        }
        return read_secret(std::io::stdin(), "stdin").map(Some);
    }
    if let Some(path) = &args.secret_file {
        let from = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                // The name is not shown: typed where a path belongs, it may
                // be the secret itself.
                usage(
                    "cannot read the secret from the file given to --secret-file: there is no \
                     such file (its name is not shown, in case it is the secret)",
                )
            } else {
                usage(format!("cannot read the secret from {from}: {e}"))
            }
        })?;
        if file.is_terminal() {
            // `--secret-file /dev/tty`: a person types it, as for stdin.
            return typed_secret(ctx, &from).map(Some);
        }
        return read_secret(file, &from).map(Some);
    }
    Ok(ctx.env_secret()?.map(SecretSource::Given))
}

/// A secret that a person types at the terminal: one line, never echoed,
/// ended by Enter, asked for on stderr. Reading to the end of input, as
/// for a pipe, would echo every key and wait for Ctrl-D.
fn typed_secret(ctx: &Context, from: &str) -> Result<SecretSource> {
    if !ctx.out.can_prompt() {
        return Err(usage(format!(
            "{from} is a terminal, but stderr is not, so the question could not be seen; \
             pipe the secret in (printf '%s' \"$SECRET\" | sfhook configure --secret-stdin) or use --secret-file FILE"
        )));
    }
    let typed = prompt::hidden(&ctx.out, "Secret key (hidden; Enter ends it)")?;
    Secret::new(typed).map(SecretSource::Given).map_err(usage)
}

fn read_secret(input: impl Read, from: &str) -> Result<SecretSource> {
    let bytes = fsutil::read_at_most(input, MAX_SECRET_BYTES)
        .map_err(|e| usage(format!("cannot read the secret from {from}: {e}")))?
        .ok_or_else(|| {
            usage(format!(
                "the secret read from {from} is longer than {} KiB; give only the secret",
                MAX_SECRET_BYTES / 1024
            ))
        })?;
    Secret::from_input(bytes)
        .map(SecretSource::Given)
        .map_err(|why| usage(format!("{why} (read from {from})")))
}

fn prompt_url(ctx: &Context) -> Result<Endpoint> {
    if !ctx.out.can_prompt() {
        return Err(usage(
            "no URL: pass --url URL (sfhook prompts for it only on a terminal)",
        ));
    }
    let text = prompt::text(&ctx.out, "Webhook URL", |text| {
        Endpoint::parse(text).map(|_| ())
    })?;
    Endpoint::parse(&text).map_err(usage)
}

fn prompt_secret(ctx: &Context) -> Result<Secret> {
    if !ctx.out.can_prompt() {
        return Err(usage(
            "no secret: pass --secret-stdin, --secret-file FILE or --generate-secret, or set SFHOOK_SECRET",
        ));
    }
    let text = prompt::hidden(&ctx.out, "Secret key (hidden; leave empty to generate one)")?;
    if text.is_empty() {
        let secret = Secret::generate();
        ctx.out.note(format!(
            "Generated secret (shown once; give it to the receiver): {}",
            secret.expose()
        ));
        return Ok(secret);
    }
    Secret::new(text).map_err(usage)
}
