//! `sfhook listen`: a local receiver for developing against sfhook.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Result;

use crate::cli::ListenArgs;
use crate::context::Context;
use crate::core::error::usage;
use crate::core::receiver::{self, Receiver};
use crate::ui::seen::print_seen;

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
    let secret = ctx.secret_from_env_or_profile()?;
    let listener = receiver::bind(&args.host, args.port).await?;
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
