//! `sfhook sign` and `sfhook verify`: the signature of a body, for people
//! writing receivers. The secret is SFHOOK_SECRET or the profile's.

use std::io::Write;

use anyhow::Result;

use crate::cli::{SignArgs, VerifyArgs};
use crate::context::Context;
use crate::core::error::{Failure, Kind, usage};
use crate::core::signature;
use crate::ui::json::{SignedJson, VerifiedJson};
use crate::ui::output::{self, OK};

use crate::cli::read_input;

pub fn sign(ctx: &Context, args: SignArgs) -> Result<()> {
    let secret = ctx.secret_from_env_or_profile()?;
    let body = read_input(args.file.as_deref(), "the body")?;
    let signature = signature::sign(secret.expose().as_bytes(), &body);
    let mut stdout = output::stdout();
    if args.json {
        let signed = SignedJson {
            signature: &signature,
            bytes: body.len(),
        };
        writeln!(stdout, "{}", serde_json::to_string(&signed)?)?;
    } else {
        writeln!(stdout, "{signature}")?;
    }
    Ok(stdout.flush()?)
}

pub fn verify(ctx: &Context, args: VerifyArgs) -> Result<()> {
    // Accept what people paste: surrounding space, either case, or a
    // GitHub-style `sha256=` prefix. Anything else is not a signature at all.
    let given = args.signature.trim();
    let given = given.strip_prefix("sha256=").unwrap_or(given);
    if given.len() != 64 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(usage(format!(
            "--signature must be 64 hex digits (HMAC-SHA256), not a {}-character value",
            given.chars().count()
        )));
    }
    let secret = ctx.secret_from_env_or_profile()?;
    let body = read_input(args.file.as_deref(), "the body")?;
    let valid = signature::verify(secret.expose().as_bytes(), &body, given);
    if args.json {
        output::print_json(&VerifiedJson {
            valid,
            bytes: body.len(),
        })?;
    }
    if valid {
        ctx.out.note(format!(
            "{} The signature matches the body",
            ctx.out.paint_stderr(OK, "✓")
        ));
        Ok(())
    } else {
        Err(Failure::new(
            Kind::CheckFailed,
            format!(
                "the signature does not match the body ({} bytes) under this secret",
                body.len()
            ),
        )
        .into())
    }
}
