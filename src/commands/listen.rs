//! `sfhook listen`: a local receiver for developing against sfhook, or a
//! verifying gate in front of the app (`--forward-to`).

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::cli::ListenArgs;
use crate::context::Context;
use crate::core::config::DEFAULT_TIMEOUT;
use crate::core::endpoint::Endpoint;
use crate::core::error::usage;
use crate::core::fsutil;
use crate::core::receiver::{self, DEFAULT_READ_TIMEOUT, Forward, Heard, Limits, Receiver};
use crate::ui::seen::{Printer, View, listening_line, render};

/// How long lines still queued at the stop may take to reach stdout.
const FINAL_FLUSH: Duration = Duration::from_millis(500);

pub async fn run(ctx: &Context, args: ListenArgs) -> Result<()> {
    // A request line cannot carry spaces or control characters, so such a
    // path would never match a delivery.
    if !args.path.starts_with('/')
        || args
            .path
            .contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(usage(format!(
            "--path must start with '/' and hold no spaces, like /payload, not '{}'",
            args.path.escape_debug()
        )));
    }
    let forward = match &args.forward_to {
        None => None,
        Some(text) => {
            let app = Endpoint::parse(text).map_err(|e| usage(format!("--forward-to: {e}")))?;
            let forward = Forward::new(app.url().clone(), args.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .context("cannot set up forwarding")?;
            Some((forward, app.redacted()))
        }
    };
    let secret = ctx.secret_from_env_or_profile()?;
    let listener = receiver::bind(&args.host, args.port).await?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        ctx.out.warn(format!(
            "listening on {address} takes requests from other machines too, not only this one; --host 127.0.0.1 keeps it local"
        ));
    }
    let url = format!("http://{address}{}", args.path);
    let source = if ctx.env_secret()?.is_some() {
        "SFHOOK_SECRET".to_string()
    } else {
        format!("profile '{}'", ctx.profile)
    };
    let forwarding = match &forward {
        Some((_, app)) => format!(", forwarding valid deliveries to {app}"),
        None => String::new(),
    };
    // The socket is listening: a connection made from now on is accepted.
    if let Some(path) = &args.ready_file {
        write_ready_file(path, &url)?;
    }
    let printer = Arc::new(Printer::start());
    if args.json {
        printer.print(listening_line(&url));
    }
    ctx.out.note(format!(
        "Listening on {url} (verifying X-SF-Signature with the secret of {source}{forwarding}); Ctrl-C to stop"
    ));
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    let out = ctx.out.clone();
    let json = args.json;
    let is_forwarding = forward.is_some();
    let line_printer = Arc::clone(&printer);
    let receiver = Arc::new(Receiver {
        secret,
        path: args.path,
        forward: forward.map(|(forward, _)| forward),
    });
    let limits = Limits {
        read_timeout: args.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
        ..Limits::default()
    };
    receiver::serve_with(
        listener,
        receiver,
        limits,
        move |heard| {
            if matches!(heard, Heard::Delivery(_)) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            let view = View {
                out: &out,
                json,
                forwarding: is_forwarding,
                indent: "",
            };
            line_printer.print(render(&view, &heard));
        },
        receiver::shutdown_signal(),
    )
    .await?;
    let dropped = printer.finish(FINAL_FLUSH);
    let received = received.load(Ordering::Relaxed);
    let dropped = if dropped > 0 {
        format!(" ({dropped} lines not printed: stdout did not keep up)")
    } else {
        String::new()
    };
    let stopped = format!(
        "Stopped after {received} {}{dropped}",
        if received == 1 {
            "delivery"
        } else {
            "deliveries"
        }
    );
    note_without_waiting(ctx, stopped, FINAL_FLUSH);
    Ok(())
}

/// Says `line` on stderr from a thread of its own and waits for it at most
/// `wait`: stderr may be the same full pipe as stdout (`2>&1 | less`), and
/// a write there must not keep the process from exiting.
fn note_without_waiting(ctx: &Context, line: String, wait: Duration) {
    let out = ctx.out.clone();
    let (said, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        out.note(line);
        let _ = said.send(());
    });
    let _ = done.recv_timeout(wait);
}

/// The URL and a newline, replacing `path` in one rename so that a script
/// waiting for the file never reads half of it.
fn write_ready_file(path: &std::path::Path, url: &str) -> Result<()> {
    let absolute = std::path::absolute(path)
        .with_context(|| format!("cannot write the ready file {}", path.display()))?;
    fsutil::replace_atomically(&absolute, |file| writeln!(file, "{url}"))
        .with_context(|| format!("cannot write the ready file {}", path.display()))
}
