//! `sfhook doctor`: runs the checkup and shows each check as it is made;
//! exit 0 only if no check failed. Warnings (a certificate expiring soon)
//! do not fail it. SFHOOK_URL and SFHOOK_SECRET apply as for `mock`, so CI
//! can run it as a pre-flight with nothing saved.

use std::io::Write;

use anyhow::Result;
use jiff::Timestamp;

use crate::cli::DoctorArgs;
use crate::context::Context;
use crate::core::doctor::{self, Checkup, Connection, FromEnv, Status};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, usage};
use crate::core::filter::{Filter, FilterSpec};
use crate::core::probe::Trust;
use crate::ui::doctor::{DoctorJson, check_line};
use crate::ui::output::{self, Mode, OK};

pub async fn run(ctx: &Context, args: DoctorArgs) -> Result<()> {
    // Bad arguments are usage errors before any check runs.
    let now = Timestamp::now();
    let window = Filter::new(
        &FilterSpec {
            since: Some(args.since.clone()),
            ..FilterSpec::default()
        },
        Some(&ctx.profile),
        now,
    )
    .map_err(|e| usage(format!("--since: {e}")))?;
    let env = FromEnv {
        endpoint: ctx
            .env_url()
            .map(|text| Endpoint::parse(text).map_err(|e| usage(format!("SFHOOK_URL: {e}"))))
            .transpose()?,
        secret: ctx.env_secret()?,
    };
    // Read once: a --cacert from a pipe cannot be read again.
    let cacert = args.connection.read_cacert()?;
    let trust = Trust::new(cacert.as_ref(), args.connection.insecure)?;
    if args.connection.insecure {
        ctx.out.warn_insecure();
    }
    let checkup = Checkup {
        home: &ctx.home,
        profile: &ctx.profile,
        since: &args.since,
        window: &window,
        connection: Connection {
            timeout: args.connection.timeout,
            cacert,
            insecure: args.connection.insecure,
        },
        trust: &trust,
        env,
    };
    let mode = ctx.out.mode(args.json);
    // Something moves while a check waits (the mock can take the whole
    // timeout); each line is printed with the spinner out of the way.
    let spinner = ctx.out.spinner("checking…");
    // A reader that is gone (`doctor | head -1`) stops the printing, not
    // the checkup: the exit code is still the verdict a pipeline with
    // pipefail relies on.
    let mut reader_gone = false;
    let mut show = |check: &doctor::Check| -> Result<()> {
        if mode != Mode::Json && !reader_gone {
            let printed = spinner.suspend(|| -> Result<()> {
                let mut stdout = output::stdout();
                writeln!(stdout, "{}", check_line(&ctx.out, mode, check))?;
                Ok(stdout.flush()?)
            });
            match printed {
                Err(e) if output::is_broken_pipe(&e) => reader_gone = true,
                other => other?,
            }
        }
        spinner.reset_elapsed();
        Ok(())
    };
    let findings = doctor::run(&checkup, &mut show).await;
    spinner.finish_and_clear();
    let findings = findings?;
    let checks = findings.checks;
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.check)
        .collect();
    let warned = checks.iter().filter(|c| c.status == Status::Warn).count();
    if mode == Mode::Json {
        let printed = output::print_json(&DoctorJson {
            profile: &ctx.profile,
            url: findings.url,
            ok: failed.is_empty(),
            checks: &checks,
        });
        match printed {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    if !failed.is_empty() {
        return Err(Failure::new(
            Kind::CheckFailed,
            format!(
                "{} of {} checks failed: {}",
                failed.len(),
                checks.len(),
                failed.join(", ")
            ),
        )
        .into());
    }
    let out = &ctx.out;
    let warnings = match warned {
        0 => String::new(),
        1 => " (1 warning)".to_string(),
        n => format!(" ({n} warnings)"),
    };
    out.note(format!(
        "{} no check failed{warnings}",
        out.paint_stderr(OK, "✓")
    ));
    Ok(())
}
