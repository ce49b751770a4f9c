//! One record of the log: its fields, once, in the order they are written,
//! and a fast reader of a record's "head" (everything but the payload and
//! the answer's body) from sfhook's own compact layout.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// How much of an answer's body is kept.
pub const RESPONSE_BODY_LIMIT: usize = 4096;

/// Every field of a record, in the order they are written: the CSV header,
/// and what tests check a record against.
pub const FIELDS: [&str; 14] = [
    "request_id",
    "event_id",
    "event",
    "timestamp",
    "url",
    "response_code",
    "success",
    "error",
    "duration_ms",
    "attempt",
    "redelivery_of",
    "profile",
    "payload",
    "response_body",
];

/// One delivery attempt, in the order its fields are written (`FIELDS`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Record<'a> {
    #[serde(borrow)]
    pub request_id: Cow<'a, str>,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub event: Cow<'a, str>,
    #[serde(borrow)]
    pub timestamp: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Cow<'a, str>,
    pub response_code: Option<u16>,
    pub success: bool,
    #[serde(borrow)]
    pub error: Option<Cow<'a, str>>,
    pub duration_ms: u64,
    pub attempt: u32,
    #[serde(borrow)]
    pub redelivery_of: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub profile: Cow<'a, str>,
    #[serde(borrow)]
    pub payload: &'a RawValue,
    #[serde(borrow)]
    pub response_body: Cow<'a, str>,
}

impl Record<'_> {
    /// The record as one line, newline included, ready for `append`.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).expect("a record always serialises");
        line.push(b'\n');
        line
    }
}

/// Everything of a record but its payload and answer body: what filters,
/// listings and summaries need.
#[derive(Debug, Clone)]
pub struct Head<'a> {
    pub request_id: Cow<'a, str>,
    pub event_id: Cow<'a, str>,
    pub event: Cow<'a, str>,
    pub timestamp: Cow<'a, str>,
    pub url: Cow<'a, str>,
    pub response_code: Option<u16>,
    pub success: bool,
    pub error: Option<Cow<'a, str>>,
    pub duration_ms: u64,
    pub attempt: u32,
    pub redelivery_of: Option<Cow<'a, str>>,
    pub profile: Cow<'a, str>,
}

impl<'a> Head<'a> {
    /// Parses a line: the fast path reads sfhook's own layout field by
    /// field and stops at the payload; anything else (other key order,
    /// escapes) gets a full JSON parse. `None` if the line is not a record.
    pub fn parse(line: &'a [u8]) -> Option<Head<'a>> {
        Head::parse_fast(line).or_else(|| Head::parse_full(line))
    }

    /// The full JSON parse, for lines in any layout.
    fn parse_full(line: &'a [u8]) -> Option<Head<'a>> {
        let record: Record<'a> = serde_json::from_slice(line).ok()?;
        Some(Head::from(record))
    }

    fn parse_fast(line: &'a [u8]) -> Option<Head<'a>> {
        if line.last() != Some(&b'}') {
            return None;
        }
        let mut c = Cursor { s: line, i: 0 };
        c.lit(b"{\"request_id\":")?;
        let request_id = c.string()?;
        c.lit(b",\"event_id\":")?;
        let event_id = c.string()?;
        c.lit(b",\"event\":")?;
        let event = c.string()?;
        c.lit(b",\"timestamp\":")?;
        let timestamp = c.string()?;
        c.lit(b",\"url\":")?;
        let url = c.string()?;
        c.lit(b",\"response_code\":")?;
        let response_code = c
            .nullable(Cursor::number)?
            .map(u16::try_from)
            .transpose()
            .ok()?;
        c.lit(b",\"success\":")?;
        let success = c.boolean()?;
        c.lit(b",\"error\":")?;
        let error = c.nullable(Cursor::string)?;
        c.lit(b",\"duration_ms\":")?;
        let duration_ms = c.number()?;
        c.lit(b",\"attempt\":")?;
        let attempt = u32::try_from(c.number()?).ok()?;
        c.lit(b",\"redelivery_of\":")?;
        let redelivery_of = c.nullable(Cursor::string)?;
        c.lit(b",\"profile\":")?;
        let profile = c.string()?;
        c.lit(b",\"payload\":")?;
        // The payload is not parsed; but a line torn inside the payload or
        // the answer's body, and ended later by an append, starts like a
        // record too. Its end tells it apart.
        if has_control(&line[..c.i]) || !ends_like_a_record(&line[c.i..]) {
            return None;
        }
        // One UTF-8 check for the whole head; the strings in it start and
        // end at quotes, so they are whole characters.
        let head = std::str::from_utf8(&line[..c.i]).ok()?;
        let text = |span: Span| head.get(span.0..span.1).map(Cow::Borrowed);
        let error = match error {
            Some(span) => Some(text(span)?),
            None => None,
        };
        let redelivery_of = match redelivery_of {
            Some(span) => Some(text(span)?),
            None => None,
        };
        Some(Head {
            request_id: text(request_id)?,
            event_id: text(event_id)?,
            event: text(event)?,
            timestamp: text(timestamp)?,
            url: text(url)?,
            response_code,
            success,
            error,
            duration_ms,
            attempt,
            redelivery_of,
            profile: text(profile)?,
        })
    }

    /// The timestamp in the log's fixed-width form, for comparisons as
    /// strings; a record written in another form is normalised first.
    pub fn comparable_timestamp(&self) -> Option<Cow<'_, str>> {
        let ts = self.timestamp.as_ref();
        let b = ts.as_bytes();
        if b.len() == 24 && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z' {
            return Some(Cow::Borrowed(ts));
        }
        let parsed: jiff::Timestamp = ts.parse().ok()?;
        Some(Cow::Owned(crate::core::units::format_timestamp(parsed)))
    }
}

impl<'a> From<Record<'a>> for Head<'a> {
    fn from(r: Record<'a>) -> Head<'a> {
        Head {
            request_id: r.request_id,
            event_id: r.event_id,
            event: r.event,
            timestamp: r.timestamp,
            url: r.url,
            response_code: r.response_code,
            success: r.success,
            error: r.error,
            duration_ms: r.duration_ms,
            attempt: r.attempt,
            redelivery_of: r.redelivery_of,
            profile: r.profile,
        }
    }
}

/// Whether what follows `"payload":` in a line ends the way sfhook ends a
/// record: a payload, then `,"response_body":"..."}` with a whole string.
/// Cheap: it reads the line backwards over the answer's body only; the
/// payload is only checked to be there.
fn ends_like_a_record(rest: &[u8]) -> bool {
    const KEY: &[u8] = b",\"response_body\":";
    let Some(body) = rest.strip_suffix(b"\"}") else {
        return false;
    };
    // The string's opening quote: the last quote that no backslash escapes.
    let mut end = body.len();
    let open = loop {
        let Some(quote) = memchr::memrchr(b'"', &body[..end]) else {
            return false;
        };
        let backslashes = body[..quote]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            break quote;
        }
        end = quote;
    };
    open > KEY.len() && body[..open].ends_with(KEY) && is_string_content(&body[open + 1..])
}

/// Whether `text`, which holds no unescaped quote, is the whole content of
/// a JSON string: it does not escape the closing quote, and it has no bare
/// control character.
fn is_string_content(text: &[u8]) -> bool {
    let trailing_backslashes = text.iter().rev().take_while(|b| **b == b'\\').count();
    trailing_backslashes % 2 == 0 && !has_control(text)
}

/// Whether `bytes` hold a control character, which JSON allows only
/// escaped. Branch-free, so that it runs wide.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |seen, b| seen | (*b < 0x20))
}

/// Where a string's content is in a line: start and end.
#[derive(Clone, Copy)]
struct Span(usize, usize);

/// A reader of sfhook's own compact layout. Any surprise returns `None`
/// and the caller falls back to a full parse.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn lit(&mut self, expected: &[u8]) -> Option<()> {
        let end = self.i + expected.len();
        (self.s.get(self.i..end)? == expected).then(|| self.i = end)
    }

    /// Where a string without escapes is (escapes send the line to the
    /// full parser). Control characters and UTF-8 are checked once, over
    /// the whole head.
    #[inline(always)]
    fn string(&mut self) -> Option<Span> {
        self.lit(b"\"")?;
        let start = self.i;
        let end = start + memchr::memchr2(b'"', b'\\', &self.s[start..])?;
        if self.s[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        Some(Span(start, end))
    }

    #[inline(always)]
    fn number(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        let start = self.i;
        while let Some(digit) = self.s.get(self.i).filter(|b| b.is_ascii_digit()) {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
            self.i += 1;
        }
        (self.i > start).then_some(value)
    }

    #[inline(always)]
    fn boolean(&mut self) -> Option<bool> {
        if self.lit(b"true").is_some() {
            Some(true)
        } else {
            self.lit(b"false").map(|()| false)
        }
    }

    #[inline(always)]
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.lit(b"null").is_some() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use memchr::memmem;

    pub(crate) fn record<'a>(payload: &'a RawValue, error: Option<&'a str>) -> Record<'a> {
        Record {
            request_id: "6f1c2a7e-3b7d-4f0e-9a51-0b8d2f5e7c11".into(),
            event_id: "0c9d3a52-8e4b-4b6a-b7a1-2d6f7e8a9b10".into(),
            event: "device.enrolled".into(),
            timestamp: "2026-11-29T17:21:28.123Z".into(),
            url: "https://example.com/hook?***".into(),
            response_code: error.is_none().then_some(200),
            success: error.is_none(),
            error: error.map(Cow::Borrowed),
            duration_ms: 12,
            attempt: 1,
            redelivery_of: None,
            profile: "default".into(),
            payload,
            response_body: "ok".into(),
        }
    }

    #[test]
    fn fast_and_full_parses_agree() {
        let payload =
            RawValue::from_string(r#"{"id":"x","response_code":500,"data":{"devices":[]}}"#.into())
                .unwrap();
        for error in [
            None,
            Some("timeout: no answer within 10s"),
            Some("a \"quoted\" cause"),
        ] {
            let line = record(&payload, error).to_line();
            let line = &line[..line.len() - 1];
            let full = Head::from(serde_json::from_slice::<Record>(line).unwrap());
            let head = Head::parse(line).unwrap();
            assert_eq!(format!("{head:?}"), format!("{full:?}"));
            assert_eq!(head.error.as_deref(), error);
        }
        assert!(
            Head::parse_fast(&record(&payload, None).to_line()).is_none(),
            "a line with its newline is not a record"
        );
    }

    #[test]
    fn payload_bytes_survive_the_round_trip() {
        let body = r#"{"id":"e","event":"device.enrolled","data":{"devices":[{"name":"Tab \"7\"\u00e9"}]}}"#;
        let payload = RawValue::from_string(body.into()).unwrap();
        let line = record(&payload, None).to_line();
        let back: Record = serde_json::from_slice(&line).unwrap();
        assert_eq!(back.payload.get(), body);
    }

    #[test]
    fn garbage_is_not_a_record() {
        let payload = RawValue::from_string("{}".into()).unwrap();
        let bare_escape = record(&payload, Some("red \u{1b}[31m"))
            .to_line()
            .iter()
            .map(|b| if *b == b'\\' { b'\x1b' } else { *b })
            .collect::<Vec<u8>>();
        for line in [
            &bare_escape[..bare_escape.len() - 1],
            &b""[..],
            b"{}",
            b"garbage",
            b"{\"request_id\":\"x\"",
            b"[1,2]",
        ] {
            assert!(
                Head::parse(line).is_none(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn a_line_cut_inside_its_payload_is_not_a_record() {
        let payload =
            RawValue::from_string(r#"{"id":"e","data":{"devices":[{"name":"a\"}"}]}}"#.into())
                .unwrap();
        let mut full = record(&payload, None);
        full.response_body = r#"{"ok":"yes \"really\"}"#.into();
        let line = full.to_line();
        let line = &line[..line.len() - 1];
        assert!(Head::parse(line).is_some());
        let payload_at = memmem::find(line, b"\"payload\":").unwrap();
        for end in payload_at..line.len() {
            assert!(
                Head::parse(&line[..end]).is_none(),
                "cut at {end}: {}",
                String::from_utf8_lossy(&line[..end])
            );
        }
    }

    #[test]
    fn fields_are_the_serialised_order() {
        let payload = RawValue::from_string("{}".into()).unwrap();
        let value: serde_json::Value =
            serde_json::from_slice(&record(&payload, None).to_line()).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, FIELDS);
    }
}
