//! `sfhook listen`: a local receiver for developing against sfhook.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Result;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::cli::ListenArgs;
use crate::context::Context;
use crate::error::usage;
use crate::output::{self, DIM, FAIL, OK, Output};
use crate::receiver::{self, Receiver, Seen};
use crate::units::format_timestamp;

use super::shared::secret_from_env_or_profile;

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
    let secret = secret_from_env_or_profile(ctx)?;
    let listener = bind(&args.host, args.port).await?;
    let address = listener.local_addr()?;
    let source = if ctx.env_secret()?.is_some() {
        "SFHOOK_SECRET".to_string()
    } else {
        format!("profile '{}'", ctx.profile)
    };
    ctx.out.note(format!(
        "Listening on http://{address}{} (verifying X-SF-Signature with the secret of {source}); Ctrl-C to stop",
        args.path
    ));
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    let out = ctx.out.clone();
    let json = args.json;
    let receiver = Arc::new(Receiver {
        secret,
        path: args.path,
    });
    receiver::serve(
        listener,
        receiver,
        move |seen| {
            counter.fetch_add(1, Ordering::Relaxed);
            print_seen(&out, json, &seen, "");
        },
        receiver::shutdown_signal(),
    )
    .await?;
    ctx.out.note(format!(
        "Stopped after {} deliveries",
        received.load(Ordering::Relaxed)
    ));
    Ok(())
}

pub async fn bind(host: &str, port: u16) -> Result<TcpListener> {
    match TcpListener::bind((host, port)).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(anyhow::anyhow!(
            "{host}:{port} is already in use; pick another port with --port (0 picks a free one)"
        )),
        // The advice is about the address, not a file: the error is carried
        // as text so that no file-permission hint is added to it.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(anyhow::anyhow!(
            "cannot listen on {host}:{port}: {e}; ports below 1024 need privileges, so pick another with --port (0 picks a free one)"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => Err(anyhow::anyhow!(
            "cannot listen on {host}:{port}: {e}; give an address of this machine with --host, such as 127.0.0.1"
        )),
        Err(e) => Err(usage(format!("cannot listen on {host}:{port}: {e}"))),
    }
}

/// One line per delivery on stdout: JSON, tab-separated, or coloured.
pub fn print_seen(out: &Output, json: bool, seen: &Seen, indent: &str) {
    let mut stdout = output::stdout();
    let verdict = if seen.signature_valid {
        "valid"
    } else {
        "invalid"
    };
    let _ = if json {
        let payload = serde_json::from_slice::<Value>(&seen.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&seen.body).into_owned()));
        let line = json!({
            "time": format_timestamp(seen.at),
            "event": seen.event,
            "request_id": seen.request_id,
            "mock": seen.mock,
            "signature_valid": seen.signature_valid,
            "status": seen.status,
            "devices": seen.devices,
            "payload": payload,
        });
        writeln!(stdout, "{line}")
    } else if out.stdout_is_tty {
        let verdict = if seen.signature_valid {
            out.paint(OK, format!("✓ signature {verdict}"))
        } else {
            out.paint(FAIL, format!("✗ signature {verdict}"))
        };
        let mock = if seen.mock {
            out.paint(DIM, " (mock)")
        } else {
            String::new()
        };
        writeln!(
            stdout,
            "{indent}{}  {}{mock}  {}  {verdict}  → {}  {}",
            out.paint(DIM, seen.at.strftime("%H:%M:%S")),
            output::plain(&seen.event),
            output::plain(&seen.request_id),
            seen.status,
            output::plain(&seen.devices.join(", "))
        )
    } else {
        writeln!(
            stdout,
            "{}\t{}\t{}\t{verdict}\t{}\t{}",
            format_timestamp(seen.at),
            output::plain(&seen.event),
            output::plain(&seen.request_id),
            seen.status,
            output::plain(&seen.devices.join(", "))
        )
    };
    let _ = stdout.flush();
}
