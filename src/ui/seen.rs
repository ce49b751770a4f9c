//! What `listen` (and the demo's receiver) shows of each delivery it got:
//! one line, as JSON, tab-separated fields, or coloured for a terminal.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use crate::core::receiver::Seen;
use crate::core::units::format_timestamp;
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output};

/// `listen --json`: one object per delivery.
#[derive(Serialize)]
struct SeenJson<'a> {
    time: String,
    event: &'a str,
    request_id: &'a str,
    mock: bool,
    signature_valid: bool,
    status: u16,
    devices: &'a [String],
    payload: Value,
}

/// One line per delivery on stdout: JSON, tab-separated, or coloured.
pub(crate) fn print_seen(out: &Output, json: bool, seen: &Seen, indent: &str) {
    let mut stdout = output::stdout();
    let verdict = if seen.signature_valid {
        "valid"
    } else {
        "invalid"
    };
    let _ = match out.mode(json) {
        Mode::Json => {
            let payload = serde_json::from_slice::<Value>(&seen.body).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&seen.body).into_owned())
            });
            let line = SeenJson {
                time: format_timestamp(seen.at),
                event: &seen.event,
                request_id: &seen.request_id,
                mock: seen.mock,
                signature_valid: seen.signature_valid,
                status: seen.status,
                devices: &seen.devices,
                payload,
            };
            match serde_json::to_string(&line) {
                Ok(text) => writeln!(stdout, "{text}"),
                Err(e) => Err(std::io::Error::other(e)),
            }
        }
        Mode::Terminal => {
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
        }
        Mode::Pipe => {
            writeln!(
                stdout,
                "{}\t{}\t{}\t{verdict}\t{}\t{}",
                format_timestamp(seen.at),
                output::plain(&seen.event),
                output::plain(&seen.request_id),
                seen.status,
                output::plain(&seen.devices.join(", "))
            )
        }
    };
    let _ = stdout.flush();
}
