//! Numbers and text from outside, written for people.

use std::time::Duration;

/// How long, for people: `12 ms`, `1.24 s`.
pub(crate) fn human_ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The start of an answer's body on one line, for a terminal.
pub(crate) fn answer_preview(body: &str, max_chars: usize) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() > max_chars {
        format!("{}…", flat.chars().take(max_chars).collect::<String>())
    } else {
        flat.to_string()
    }
}
