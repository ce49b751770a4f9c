//! Durations and timestamps as users type them and as sfhook writes them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp};

/// Parses a duration: a bare number of seconds (`10`, `2.5`) or a number with
/// a unit (`500ms`, `10s`, `2m`, `1h`, `7d`, and jiff's other friendly forms).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid =
        || format!("invalid duration '{text}': use seconds or a unit, e.g. 500ms, 10s, 2m");
    if text.is_empty() {
        return Err(invalid());
    }
    let signed = if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let seconds: f64 = text.parse().map_err(|_| invalid())?;
        SignedDuration::try_from_secs_f64(seconds).map_err(|_| invalid())?
    } else {
        let span: Span = text.parse().map_err(|_| invalid())?;
        span.to_duration(SpanRelativeTo::days_are_24_hours())
            .map_err(|_| invalid())?
    };
    Duration::try_from(signed).map_err(|_| format!("invalid duration '{text}': it is negative"))
}

/// A duration within `min..=max`, for settings where zero or a year makes no sense.
pub fn parse_duration_within(
    what: &str,
    text: &str,
    min: Duration,
    max: Duration,
) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration < min || duration > max {
        return Err(format!(
            "{what} must be between {} and {}, not {}",
            format_duration(min),
            format_duration(max),
            text.trim()
        ));
    }
    Ok(duration)
}

/// `10s`, `500ms`, `1m 30s`: the friendly form, which `parse_duration` reads back.
pub fn format_duration(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_string();
    }
    match SignedDuration::try_from(duration) {
        Ok(signed) => format!("{signed:#}"),
        Err(_) => format!("{}s", duration.as_secs()),
    }
}

/// How the log writes a timestamp: RFC 3339, UTC, exactly three fractional
/// digits. Fixed width, so that comparing two such strings compares times.
pub fn format_timestamp(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// RFC 3339 UTC without fractional seconds, as `created_at` in a payload.
pub fn format_timestamp_seconds(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Milliseconds, rounded up from any leftover microseconds so that a short
/// request does not show as `0 ms` unless it really was under one.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros().div_ceil(1000)).unwrap_or(u64::MAX)
}

/// Characters that must not reach a terminal raw from outside: controls
/// (C0, DEL, C1), which break lines or smuggle escapes, and the bidi
/// controls, which reorder what is shown around them.
pub fn unsafe_to_show(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A count and its noun, singular or plural: `1 event`, `3 events`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// How long, for people: `12 ms`, `2560 ms`, `12.4 s`. One unit up to
/// ten seconds, so that latencies side by side (p50 and p99, one attempt
/// and the next) compare at a glance; beyond that, nobody needs the
/// milliseconds.
pub fn human_ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 9999.5 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// `text` made safe to show: each character `unsafe_to_show` becomes a
/// visible escape (`\u{1b}`, `\u{202e}`), so a tampered record or a
/// hostile answer neither drives the terminal nor hides what it tried;
/// tab, line feed and carriage return, which only move the cursor, become
/// a space unless `keep` holds them.
pub fn escape_unsafe<'t>(text: &'t str, keep: &[char]) -> Cow<'t, str> {
    let escaped = |c: char| unsafe_to_show(c) && !keep.contains(&c);
    if !text.contains(escaped) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if !escaped(c) => shown.push(c),
            '\t' | '\n' | '\r' => shown.push(' '),
            c => {
                let _ = write!(shown, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(shown)
}

/// The start of an answer's body on one line, for a terminal.
pub fn answer_preview(body: &str, max_chars: usize) -> String {
    let flat = escape_unsafe(body, &[]);
    let flat = flat.trim();
    if flat.chars().count() > max_chars {
        format!("{}…", flat.chars().take(max_chars).collect::<String>())
    } else {
        flat.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1u32, "retry", "retries"), "1 retry");
        assert_eq!(count(0u32, "retry", "retries"), "0 retries");
        assert_eq!(count(41u64, "event", "events"), "41 events");
    }

    #[test]
    fn durations_keep_one_unit_below_ten_seconds() {
        let ms = |n| human_ms(Duration::from_millis(n));
        assert_eq!(
            [ms(0), ms(529), ms(2560), ms(9999), ms(10_000), ms(61_260)],
            ["0 ms", "529 ms", "2560 ms", "9999 ms", "10.0 s", "61.3 s"]
        );
    }

    #[test]
    fn durations_parse_with_and_without_units() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2.5").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert_eq!(parse_duration(" 1h ").unwrap(), Duration::from_secs(3600));
        for bad in ["", "abc", "-5s", "10 parsecs", "1.2.3", "."] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds_are_enforced() {
        let (min, max) = (Duration::from_millis(1), Duration::from_secs(3600));
        assert!(parse_duration_within("timeout", "0", min, max).is_err());
        assert!(parse_duration_within("timeout", "2h", min, max).is_err());
        assert!(parse_duration_within("timeout", "1h", min, max).is_ok());
    }

    #[test]
    fn formatted_durations_parse_back() {
        for d in [
            Duration::from_secs(10),
            Duration::from_millis(500),
            Duration::from_secs(90),
        ] {
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d);
        }
    }

    #[test]
    fn controls_and_bidi_are_escaped_visibly() {
        let hostile = "a\u{1b}]0;t\u{7}b\u{9b}2J\u{7f}\u{202e}c\u{2066}\u{200f}\u{61c}\r\n\td";
        assert_eq!(
            escape_unsafe(hostile, &[]),
            "a\\u{1b}]0;t\\u{7}b\\u{9b}2J\\u{7f}\\u{202e}c\\u{2066}\\u{200f}\\u{61c}   d"
        );
        assert_eq!(escape_unsafe("x\ny\tz\r", &['\n', '\t']), "x\ny\tz ");
        assert!(matches!(escape_unsafe("plain é ✓", &[]), Cow::Borrowed(_)));
        assert_eq!(answer_preview("  ok\u{1b}[2J  ", 200), "ok\\u{1b}[2J");
    }

    #[test]
    fn timestamps_are_fixed_width() {
        let ts: Timestamp = "2026-11-29T17:21:28Z".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2026-11-29T17:21:28.000Z");
        assert_eq!(format_timestamp_seconds(ts), "2026-11-29T17:21:28Z");
    }
}
