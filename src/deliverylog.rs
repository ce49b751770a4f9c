//! `deliveries.jsonl`: one JSON object per line per HTTP request that `send`
//! or `redeliver` made. Appended under a lock in one write; read by
//! streaming, line by line, in a fixed amount of memory; rewritten only by
//! `prune`, atomically, under the same lock.
//!
//! Records are written with their small fields first and in a fixed order,
//! so that readers can take a record's "head" (everything but the payload
//! and the answer's body) without parsing the rest, and reject lines that
//! cannot match a filter without parsing them at all.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;

use memchr::memmem;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::fsutil;
use crate::home::Home;

/// How much of an answer's body is kept.
pub const RESPONSE_BODY_LIMIT: usize = 4096;

/// One delivery attempt, in the order its fields are written.
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
        Head::parse_fast(line).or_else(|| {
            let record: Record<'a> = serde_json::from_slice(line).ok()?;
            Some(Head::from(record))
        })
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
        Some(Head {
            request_id: Cow::Borrowed(request_id),
            event_id: Cow::Borrowed(event_id),
            event: Cow::Borrowed(event),
            timestamp: Cow::Borrowed(timestamp),
            url: Cow::Borrowed(url),
            response_code,
            success,
            error: error.map(Cow::Borrowed),
            duration_ms,
            attempt,
            redelivery_of: redelivery_of.map(Cow::Borrowed),
            profile: Cow::Borrowed(profile),
        })
    }

    /// The timestamp in the log's fixed-width form, for comparisons as
    /// strings; a record written in another form is normalised first.
    pub fn comparable_timestamp(&self) -> Option<Cow<'_, str>> {
        let ts = self.timestamp.as_ref();
        if ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[19] == b'.' {
            return Some(Cow::Borrowed(ts));
        }
        let parsed: jiff::Timestamp = ts.parse().ok()?;
        Some(Cow::Owned(crate::units::format_timestamp(parsed)))
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

/// A reader of sfhook's own compact layout. Any surprise returns `None`
/// and the caller falls back to a full parse.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn lit(&mut self, expected: &[u8]) -> Option<()> {
        let end = self.i + expected.len();
        (self.s.get(self.i..end)? == expected).then(|| self.i = end)
    }

    /// A string without escapes (escapes send the line to the full parser).
    fn string(&mut self) -> Option<&'a str> {
        self.lit(b"\"")?;
        let rest = &self.s[self.i..];
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        let text = std::str::from_utf8(&rest[..end]).ok()?;
        self.i += end + 1;
        Some(text)
    }

    fn number(&mut self) -> Option<u64> {
        let digits = self.s[self.i..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 19 {
            return None;
        }
        let text = std::str::from_utf8(&self.s[self.i..self.i + digits]).ok()?;
        self.i += digits;
        text.parse().ok()
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.lit(b"true").is_some() {
            Some(true)
        } else {
            self.lit(b"false").map(|()| false)
        }
    }

    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.lit(b"null").is_some() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }
}

/// What a scan saw besides records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ScanReport {
    /// Complete lines that are not records (garbage, or foreign).
    pub unreadable: u64,
    /// The file ends in a line without a newline: a torn write, or one
    /// still under way.
    pub torn_tail: bool,
    /// Where the scan stopped: the end of the last complete line it read.
    pub end_offset: u64,
}

impl ScanReport {
    /// The one warning a reader prints, if there is anything to say.
    pub fn warning(&self, path: &Path) -> Option<String> {
        let skipped = self.unreadable + u64::from(self.torn_tail);
        (skipped > 0).then(|| {
            format!(
                "skipped {skipped} unreadable line{} in {} (a torn write or a line that is not a delivery record)",
                if skipped == 1 { "" } else { "s" },
                path.display()
            )
        })
    }
}

/// One line of the log as a scan hands it out.
pub struct Line<'a> {
    /// The line without its newline.
    pub bytes: &'a [u8],
    /// Where the line starts in the file.
    pub offset: u64,
    pub head: Head<'a>,
}

const READ_CHUNK: usize = 1 << 20;

/// Streams the log from `start` (a line boundary), handing each record to
/// `visit` in file order. Lines that lack `literal` are skipped unparsed;
/// lines that are not records are counted, not fatal. A missing file is an
/// empty log. Memory: one chunk, or the longest line if that is longer.
pub fn scan(
    path: &Path,
    start: u64,
    literal: Option<&[u8]>,
    mut visit: impl FnMut(Line<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    let mut report = ScanReport {
        end_offset: start,
        ..ScanReport::default()
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(e),
    };
    if start > 0 {
        io::Seek::seek(&mut file, io::SeekFrom::Start(start))?;
    }
    let finder = literal.map(memmem::Finder::new);
    let mut buf = vec![0u8; READ_CHUNK];
    let (mut begin, mut end) = (0usize, 0usize);
    let mut offset = start; // file offset of buf[begin]
    loop {
        let n = read_full(&mut file, &mut buf[end..])?;
        end += n;
        let mut lines = memchr::memchr_iter(b'\n', &buf[begin..end]);
        let mut line_start = begin;
        for nl in lines.by_ref() {
            let line_end = begin + nl;
            let bytes = &buf[line_start..line_end];
            let line_offset = offset + (line_start - begin) as u64;
            line_start = line_end + 1;
            if bytes.is_empty() {
                continue;
            }
            if finder.as_ref().is_some_and(|f| f.find(bytes).is_none()) {
                continue;
            }
            match Head::parse(bytes) {
                Some(head) => {
                    let flow = visit(Line {
                        bytes,
                        offset: line_offset,
                        head,
                    })?;
                    if flow.is_break() {
                        report.end_offset = offset + (line_start - begin) as u64;
                        return Ok(report);
                    }
                }
                None => report.unreadable += 1,
            }
        }
        offset += (line_start - begin) as u64;
        begin = line_start;
        if n == 0 {
            // What is left has no newline: a torn write, or a write still
            // under way. Either way it is not a record yet.
            report.torn_tail = end > begin;
            report.end_offset = offset;
            return Ok(report);
        }
        // Keep the partial line; grow the buffer if one line fills it.
        buf.copy_within(begin..end, 0);
        end -= begin;
        begin = 0;
        if end == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
    }
}

/// Reads until `buf` is full or the file ends, so that chunks are large.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Appends one line (newline included) under the log's lock, in one write.
/// If the file ends in a torn line, a newline goes first so that the new
/// record starts on a line of its own. Costs the same whatever the log's size.
pub fn append(home: &Home, line: &[u8]) -> io::Result<()> {
    fsutil::ensure_private_dir(&home.data_dir)?;
    let _lock = fsutil::lock_exclusive(&home.log_lock())?;
    let mut file = fsutil::open_private(&home.log_file(), true)?;
    let len = file.metadata()?.len();
    let healed;
    let bytes = if len > 0 && last_byte(&file, len)? != b'\n' {
        healed = [b"\n".as_slice(), line].concat();
        &healed
    } else {
        line
    };
    file.write_all(bytes)?;
    file.sync_data()
}

fn last_byte(file: &File, len: u64) -> io::Result<u8> {
    let mut byte = [0u8; 1];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut byte, len - 1)?;
    #[cfg(not(unix))]
    {
        let mut f = file;
        io::Seek::seek(&mut f, io::SeekFrom::Start(len - 1))?;
        f.read_exact(&mut byte)?;
    }
    Ok(byte[0])
}

/// What `prune` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PruneReport {
    pub kept: u64,
    pub dropped: u64,
    pub unreadable_dropped: u64,
}

/// Rewrites the log without the records `drop` selects, atomically, under
/// the log's lock: appenders wait, then write to the new file. Lines that
/// are not records go too (they are reported).
pub fn prune(home: &Home, mut drop: impl FnMut(&Head<'_>) -> bool) -> io::Result<PruneReport> {
    let path = home.log_file();
    let mut report = PruneReport::default();
    if !path.exists() {
        return Ok(report);
    }
    let _lock = fsutil::lock_exclusive(&home.log_lock())?;
    fsutil::replace_atomically(&path, |out| {
        let mut writer = io::BufWriter::with_capacity(READ_CHUNK, out);
        let scanned = scan(&path, 0, None, |line| {
            if drop(&line.head) {
                report.dropped += 1;
            } else {
                report.kept += 1;
                writer.write_all(line.bytes)?;
                writer.write_all(b"\n")?;
            }
            Ok(ControlFlow::Continue(()))
        })?;
        report.unreadable_dropped = scanned.unreadable + u64::from(scanned.torn_tail);
        writer.flush()
    })?;
    Ok(report)
}

/// Counts for `logs summary` and `status`.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub total_events: u64,
    pub total_success_events: u64,
    pub total_failed_events: u64,
    /// Keyed by code, or `none` for deliveries that got no answer.
    pub by_response_code: BTreeMap<String, u64>,
    pub by_event: BTreeMap<String, EventCounts>,
}

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct EventCounts {
    pub total: u64,
    pub succeeded: u64,
    pub failed: u64,
}

/// Accumulates a summary without allocating per record: codes and events
/// are counted in fixed tables and turned into maps at the end.
pub struct SummaryBuilder {
    total: u64,
    succeeded: u64,
    codes: Vec<u64>,
    no_answer: u64,
    events: Vec<(String, EventCounts)>,
}

impl Default for SummaryBuilder {
    fn default() -> Self {
        SummaryBuilder {
            total: 0,
            succeeded: 0,
            codes: vec![0; 1000],
            no_answer: 0,
            events: crate::catalog::EVENTS
                .iter()
                .map(|e| (e.wire.to_string(), EventCounts::default()))
                .collect(),
        }
    }
}

impl SummaryBuilder {
    pub fn add(&mut self, head: &Head<'_>) {
        self.total += 1;
        self.succeeded += u64::from(head.success);
        match head.response_code {
            Some(code) if usize::from(code) < self.codes.len() => {
                self.codes[usize::from(code)] += 1
            }
            Some(_) | None => self.no_answer += 1,
        }
        let counts = match self
            .events
            .iter_mut()
            .find(|(name, _)| name.as_str() == head.event.as_ref())
        {
            Some((_, counts)) => counts,
            None => {
                self.events
                    .push((head.event.to_string(), EventCounts::default()));
                &mut self.events.last_mut().expect("just pushed").1
            }
        };
        counts.total += 1;
        counts.succeeded += u64::from(head.success);
        counts.failed += u64::from(!head.success);
    }

    pub fn finish(self) -> Summary {
        let mut by_response_code: BTreeMap<String, u64> = self
            .codes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| (code.to_string(), *n))
            .collect();
        if self.no_answer > 0 {
            by_response_code.insert("none".to_string(), self.no_answer);
        }
        Summary {
            total_events: self.total,
            total_success_events: self.succeeded,
            total_failed_events: self.total - self.succeeded,
            by_response_code,
            by_event: self
                .events
                .into_iter()
                .filter(|(_, c)| c.total > 0)
                .collect(),
        }
    }
}

/// The record line that starts at `offset`, if there is one.
pub fn line_at(path: &Path, offset: u64) -> io::Result<Option<Vec<u8>>> {
    let mut found = None;
    scan(path, offset, None, |line| {
        found = Some(line.bytes.to_vec());
        Ok(ControlFlow::Break(()))
    })?;
    Ok(found)
}

/// A request id and the offset of its record's line.
pub type IdAt = (String, u64);

/// Finds the records whose request id starts with each of `prefixes`
/// (lowercase), in one pass. For each prefix: the distinct request ids that
/// matched, with the offset of each one's line.
pub fn find_request_ids(
    path: &Path,
    prefixes: &[String],
) -> io::Result<(Vec<Vec<IdAt>>, ScanReport)> {
    let mut found: Vec<Vec<IdAt>> = vec![Vec::new(); prefixes.len()];
    // A single full id can be found without parsing the other lines.
    let literal = match prefixes {
        [one] if one.len() == 36 => Some(format!("\"request_id\":\"{one}\"").into_bytes()),
        _ => None,
    };
    let report = scan(path, 0, literal.as_deref(), |line| {
        for (prefix, matches) in prefixes.iter().zip(found.iter_mut()) {
            if line.head.request_id.starts_with(prefix.as_str())
                && !matches.iter().any(|(id, _)| *id == line.head.request_id)
            {
                matches.push((line.head.request_id.to_string(), line.offset));
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok((found, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record<'a>(payload: &'a RawValue, error: Option<&'a str>) -> Record<'a> {
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
        for line in [
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
    fn summary_counts_codes_and_events() {
        let payload = RawValue::from_string("{}".into()).unwrap();
        let mut builder = SummaryBuilder::default();
        for error in [None, None, Some("refused")] {
            let line = record(&payload, error).to_line();
            builder.add(&Head::parse(&line[..line.len() - 1]).unwrap());
        }
        let summary = builder.finish();
        assert_eq!(
            (
                summary.total_events,
                summary.total_success_events,
                summary.total_failed_events
            ),
            (3, 2, 1)
        );
        assert_eq!(summary.by_response_code["200"], 2);
        assert_eq!(summary.by_response_code["none"], 1);
        assert_eq!(summary.by_event["device.enrolled"].failed, 1);
    }
}
