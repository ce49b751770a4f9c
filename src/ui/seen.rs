//! What `listen` (and the demo's receiver) shows of each request it
//! answered: one line, as JSON, tab-separated fields, or coloured for a
//! terminal; and the printer that keeps a slow reader of stdout from
//! holding up the answers.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::core::receiver::{Forwarded, Heard, Refused, Seen};
use crate::core::units::{format_timestamp, human_ms, millis};
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output};

/// How the lines are drawn: the output mode, whether deliveries are
/// forwarded (which adds two tab-separated fields), and what each line
/// starts with.
pub(crate) struct View<'a> {
    pub out: &'a Output,
    pub json: bool,
    pub forwarding: bool,
    pub indent: &'a str,
}

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
    payload: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded: Option<ForwardedJson>,
}

/// What the app made of a forwarded delivery: its status, or why none.
#[derive(Serialize)]
struct ForwardedJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    latency_ms: u64,
}

/// `listen --json`: one object per request that was not a delivery.
#[derive(Serialize)]
struct RefusedJson<'a> {
    time: String,
    method: &'a str,
    path: &'a str,
    status: u16,
}

/// `listen --json`'s first line: where it listens.
#[derive(Serialize)]
struct ListeningJson<'a> {
    listening: &'a str,
}

/// The first stdout line of `listen --json`.
pub(crate) fn listening_line(url: &str) -> String {
    serde_json::to_string(&ListeningJson { listening: url }).unwrap_or_default() + "\n"
}

/// One line, with its newline, for what the receiver heard.
pub(crate) fn render(view: &View, heard: &Heard) -> String {
    match heard {
        Heard::Delivery(seen) => render_seen(view, seen),
        Heard::Refused(refused) => render_refused(view, refused),
    }
}

/// Prints one line at once; for the demo, whose stdout is the person
/// watching it.
pub(crate) fn print_heard(view: &View, heard: &Heard) {
    let mut stdout = output::stdout();
    let _ = stdout.write_all(render(view, heard).as_bytes());
    let _ = stdout.flush();
}

/// The body for `--json`'s `payload`: JSON on one line, or else a string
/// of its text. The JSON is checked and its spaces between tokens removed
/// without building the document, whose tree can take fifty times the
/// memory of its text.
fn payload_json(body: &[u8]) -> Box<RawValue> {
    let compact = serde_json::from_slice::<&RawValue>(body)
        .ok()
        .map(|raw| compact_json(raw.get()))
        .and_then(|text| RawValue::from_string(text).ok());
    compact.unwrap_or_else(|| {
        serde_json::value::to_raw_value(&String::from_utf8_lossy(body)).unwrap_or_default()
    })
}

/// Valid JSON `text` without the whitespace between its tokens.
fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

fn render_seen(view: &View, seen: &Seen) -> String {
    let out = view.out;
    let verdict = if seen.signature_valid {
        "valid"
    } else {
        "invalid"
    };
    match out.mode(view.json) {
        Mode::Json => {
            let payload = payload_json(&seen.body);
            let line = SeenJson {
                time: format_timestamp(seen.at),
                event: &seen.event,
                request_id: &seen.request_id,
                mock: seen.mock,
                signature_valid: seen.signature_valid,
                status: seen.status,
                devices: &seen.devices,
                payload,
                forwarded: seen.forwarded.as_ref().map(|f| ForwardedJson {
                    status: f.result.as_ref().ok().copied(),
                    error: f.result.as_ref().err().cloned(),
                    latency_ms: millis(f.latency),
                }),
            };
            // Sized for the payload at once: no copy as it grows.
            let mut text = Vec::with_capacity(line.payload.get().len() + 512);
            let _ = serde_json::to_writer(&mut text, &line);
            text.push(b'\n');
            String::from_utf8(text).unwrap_or_default()
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
            let answered = match &seen.forwarded {
                None if view.forwarding => format!("{} (not forwarded)", seen.status),
                None => seen.status.to_string(),
                Some(Forwarded {
                    result: Ok(status),
                    latency,
                }) => format!("app {status} in {}", human_ms(*latency)),
                Some(Forwarded {
                    result: Err(why),
                    latency,
                }) => out.paint(
                    FAIL,
                    format!(
                        "{} app unreachable after {}: {}",
                        seen.status,
                        human_ms(*latency),
                        output::plain(why)
                    ),
                ),
            };
            format!(
                "{}{}  {}{mock}  {}  {verdict}  → {answered}  {}\n",
                view.indent,
                out.paint(DIM, seen.at.strftime("%H:%M:%S")),
                output::plain(&seen.event),
                output::plain(&seen.request_id),
                output::plain(&seen.devices.join(", "))
            )
        }
        Mode::Pipe => {
            let mut line = format!(
                "{}\t{}\t{}\t{verdict}\t{}\t{}",
                format_timestamp(seen.at),
                output::plain(&seen.event),
                output::plain(&seen.request_id),
                seen.status,
                output::plain(&seen.devices.join(", "))
            );
            if view.forwarding {
                let (app, latency) = match &seen.forwarded {
                    None => ("-".to_string(), "-".to_string()),
                    Some(f) => (
                        match &f.result {
                            Ok(status) => status.to_string(),
                            Err(why) => format!("unreachable: {}", output::plain(why)),
                        },
                        millis(f.latency).to_string(),
                    ),
                };
                line.push_str(&format!("\t{app}\t{latency}"));
            }
            line + "\n"
        }
    }
}

fn render_refused(view: &View, refused: &Refused) -> String {
    let out = view.out;
    match out.mode(view.json) {
        Mode::Json => {
            let line = RefusedJson {
                time: format_timestamp(refused.at),
                method: &refused.method,
                path: &refused.path,
                status: refused.status,
            };
            serde_json::to_string(&line).unwrap_or_default() + "\n"
        }
        Mode::Terminal => format!(
            "{}{}  {} {}  → {} {}\n",
            view.indent,
            out.paint(DIM, refused.at.strftime("%H:%M:%S")),
            output::plain(&refused.method),
            output::plain(&refused.path),
            refused.status,
            out.paint(DIM, "(not a delivery)")
        ),
        Mode::Pipe => {
            let extra = if view.forwarding { "\t-\t-" } else { "" };
            format!(
                "{}\t-\t-\tunchecked\t{}\t{} {}{extra}\n",
                format_timestamp(refused.at),
                refused.status,
                output::plain(&refused.method),
                output::plain(&refused.path),
            )
        }
    }
}

/// Lines waiting for stdout; beyond this many, new ones are dropped.
const BACKLOG: usize = 1024;

/// Bytes of lines waiting for stdout; a line that would take the queue
/// over it is dropped. `--json` lines carry whole payloads (up to 16 MiB
/// each), so a count of lines alone would not bound the memory they hold.
/// One largest payload fits.
const BACKLOG_BYTES: usize = 20 * 1024 * 1024;

/// Prints lines on stdout from a thread of its own, so that answering a
/// request never waits for whoever reads stdout. When they fall behind by
/// `BACKLOG` lines, further lines are dropped and counted; when they are
/// gone (a broken pipe), printing stops and serving goes on.
pub(crate) struct Printer {
    lines: Mutex<Option<SyncSender<String>>>,
    dropped: AtomicU64,
    queued_bytes: Arc<AtomicUsize>,
    /// Lines taken but not yet written whole: at the stop, they count as
    /// not printed.
    pending: Arc<AtomicU64>,
    done: Mutex<mpsc::Receiver<()>>,
}

impl Printer {
    pub(crate) fn start() -> Printer {
        let (lines, queue) = mpsc::sync_channel::<String>(BACKLOG);
        let (finished, done) = mpsc::channel();
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let written = Arc::clone(&queued_bytes);
        let pending = Arc::new(AtomicU64::new(0));
        let printed = Arc::clone(&pending);
        thread::spawn(move || {
            let stdout = std::io::stdout();
            // Ends once the printer is finished and the queue is empty.
            while let Ok(line) = queue.recv() {
                let mut locked = stdout.lock();
                let result = locked
                    .write_all(line.as_bytes())
                    .and_then(|()| locked.flush());
                written.fetch_sub(line.len(), Ordering::AcqRel);
                if result.is_err() {
                    break; // nobody reads stdout any more
                }
                printed.fetch_sub(1, Ordering::AcqRel);
            }
            let _ = finished.send(());
        });
        Printer {
            lines: Mutex::new(Some(lines)),
            dropped: AtomicU64::new(0),
            queued_bytes,
            pending,
            done: Mutex::new(done),
        }
    }

    /// Queues `line` (with its newline), or drops it if the queue is full.
    pub(crate) fn print(&self, line: String) {
        let guard = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lines) = guard.as_ref() {
            let len = line.len();
            let before = self.queued_bytes.fetch_add(len, Ordering::AcqRel);
            if before + len > BACKLOG_BYTES {
                self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                self.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            self.pending.fetch_add(1, Ordering::AcqRel);
            match lines.try_send(line) {
                Ok(()) => {}
                Err(TrySendError::Disconnected(_)) => {
                    self.pending.fetch_sub(1, Ordering::AcqRel);
                    self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                }
                Err(TrySendError::Full(_)) => {
                    self.pending.fetch_sub(1, Ordering::AcqRel);
                    self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Stops taking lines and gives what is queued up to `wait` to reach
    /// stdout; returns how many lines were dropped or are still waiting.
    pub(crate) fn finish(&self, wait: Duration) -> u64 {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).take();
        let _ = self
            .done
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .recv_timeout(wait);
        self.dropped.load(Ordering::Relaxed) + self.pending.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_one_line_of_the_same_json() {
        let pretty =
            "{\n  \"a b\": [1, 2.50, {\"q\": \"say \\\"hi\\\" \\\\ \"}],\r\n\t\"n\": null }\n";
        let line = payload_json(pretty.as_bytes());
        assert_eq!(
            line.get(),
            r#"{"a b":[1,2.50,{"q":"say \"hi\" \\ "}],"n":null}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(line.get()).unwrap();
        assert_eq!(
            parsed,
            serde_json::from_str::<serde_json::Value>(pretty).unwrap()
        );
    }

    #[test]
    fn a_payload_that_is_not_json_is_a_string() {
        assert_eq!(payload_json(b"a=1 \"b\"\n").get(), r#""a=1 \"b\"\n""#);
        assert_eq!(payload_json(b"").get(), r#""""#);
    }
}
