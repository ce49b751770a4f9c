//! `sfhook demo`: the whole flow, in a throwaway home, against the built-in
//! receiver. Each step is a real sfhook command line, printed and then run
//! through the same dispatcher as if it had been typed.

use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow};
use clap::Parser;
use tokio::net::TcpListener;

use crate::cli::Cli;
use crate::context::Context;
use crate::core::home::Home;
use crate::core::receiver::{self, Receiver};
use crate::ui::output::{ACCENT, BOLD, DIM};

use crate::ui::seen::{View, print_heard};

pub async fn run(ctx: &Context) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("sfhook-demo-")
        .tempdir()
        .context("cannot create a throwaway home for the demo")?;
    let demo = Context::isolated(Home::locate(Some(dir.path()))?, ctx.out.clone());
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("cannot start the demo's receiver")?;
    let port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}/payload");
    let out = &ctx.out;
    out.note(out.paint_stderr(
        BOLD,
        format!(
            "sfhook demo: a throwaway home in {} and a receiver at {url}",
            dir.path().display()
        ),
    ));

    step(
        &demo,
        &[
            "configure",
            "--url",
            &url,
            "--generate-secret",
            "--backoff",
            "200ms",
        ],
        0,
    )
    .await?;

    // The receiver knows the secret the way a real one would: it was shared
    // with it at configuration time.
    let config = demo.load_config()?;
    let secret = config.secret_for("default")?;
    narrate(
        &demo,
        &format!("sfhook listen --port {port} &"),
        "the built-in receiver, checking signatures",
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let receiver_out = ctx.out.clone();
    let server = tokio::spawn(receiver::serve(
        listener,
        Arc::new(Receiver {
            secret,
            path: "/payload".to_string(),
            forward: None,
        }),
        move |heard| {
            let view = View {
                out: &receiver_out,
                json: false,
                forwarding: false,
                indent: "  receiver ← ",
            };
            print_heard(&view, &heard);
        },
        async {
            let _ = stopped.await;
        },
    ));

    let result = async {
        step(&demo, &["activate"], 0).await?;
        step(&demo, &["subscribe", "device-enrolled", "device-locked"], 0).await?;
        step(&demo, &["events", "--subscribed"], 0).await?;
        step(&demo, &["mock", "device-enrolled"], 0).await?;
        step(&demo, &["send", "device-enrolled"], 0).await?;
        narrate(
            &demo,
            "# rotate the secret: the receiver still checks the old one",
            "",
        );
        step(&demo, &["configure", "--generate-secret"], 0).await?;
        step(&demo, &["send", "device-locked"], 3).await?;
        step(&demo, &["logs"], 0).await?;
        step(&demo, &["logs", "summary"], 0).await
    }
    .await;

    let _ = stop.send(());
    let _ = server.await;
    result?;
    out.note(out.paint_stderr(
        BOLD,
        "\nDemo complete: one mock (not logged), one delivery accepted, one refused for its signature. \
         The throwaway home is removed.",
    ));
    Ok(())
}

fn narrate(ctx: &Context, command: &str, why: &str) {
    let why = if why.is_empty() {
        String::new()
    } else {
        ctx.out.paint_stderr(DIM, format!("   # {why}"))
    };
    ctx.out.note(format!(
        "\n{}{why}",
        ctx.out.paint_stderr(ACCENT, format!("$ {command}"))
    ));
}

/// Runs one command line in the demo's home and checks its exit code.
async fn step(ctx: &Context, args: &[&str], expected: u8) -> Result<()> {
    narrate(ctx, &format!("sfhook {}", args.join(" ")), "");
    let cli = Cli::try_parse_from(std::iter::once("sfhook").chain(args.iter().copied()))
        .map_err(|e| anyhow!("demo step 'sfhook {}' does not parse: {e}", args.join(" ")))?;
    let result = Box::pin(super::dispatch(ctx, cli.command)).await;
    let code = match &result {
        Ok(()) => 0,
        Err(err) => {
            if expected == 0 {
                return result
                    .with_context(|| format!("demo step 'sfhook {}' failed", args.join(" ")));
            }
            ctx.out
                .note(ctx.out.paint_stderr(DIM, format!("  ({err:#})")));
            crate::exit_code(err)
        }
    };
    if code != expected {
        return Err(anyhow!(
            "demo step 'sfhook {}' exited {code}, expected {expected}",
            args.join(" ")
        ));
    }
    if expected != 0 {
        ctx.out.note(
            ctx.out
                .paint_stderr(DIM, format!("  exit code {code}, as expected")),
        );
    }
    Ok(())
}
