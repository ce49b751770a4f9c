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
use std::io::{self, BufRead, Read, Write};
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

/// Opens the log for reading; `None` if there is no log yet.
pub fn open(path: &Path) -> io::Result<Option<File>> {
    if !fsutil::regular_file_exists(path)? {
        return Ok(None);
    }
    match File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The log's lock, with the lock file named when it cannot be taken.
fn lock(home: &Home) -> io::Result<File> {
    let path = home.log_lock();
    fsutil::lock_exclusive(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot lock {}: {e}", path.display())))
}

/// A test that a line must pass to be parsed at all, so that a filtered
/// scan reads most lines without parsing them: the line holds `key` (a JSON
/// key), followed after the colon and any whitespace by a value that starts
/// with one of `values` (JSON text: `500`, `"device.enrolled"`, `true`).
/// Whatever the layout (key order, spacing), every record whose own field
/// has such a value passes, as long as the key and the value are written
/// without `\u` escapes; a line without the key at all is not a record.
#[derive(Clone, Debug)]
pub struct Needle {
    key: memmem::Finder<'static>,
    values: Vec<Vec<u8>>,
}

impl Needle {
    pub fn new(key: &str, values: Vec<Vec<u8>>) -> Needle {
        let quoted = serde_json::to_vec(key).expect("a string serialises");
        Needle {
            key: memmem::Finder::new(&quoted).into_owned(),
            values,
        }
    }

    fn verdict(&self, line: &[u8]) -> Verdict {
        // In sfhook's own layout the small fields come first, and a quoted
        // key cannot occur inside a string (its quotes would be escaped):
        // the first occurrence is the record's own field, and the rest of
        // the line, mostly payload, need not be searched.
        let own_layout = line.starts_with(b"{\"request_id\":");
        let first = self.key.find(line);
        let rest = first.filter(|_| !own_layout).into_iter().flat_map(|at| {
            self.key
                .find_iter(&line[at + 1..])
                .map(move |next| at + 1 + next)
        });
        let mut verdict = Verdict::NotARecord;
        for at in first.into_iter().chain(rest) {
            verdict = Verdict::Skip;
            let mut i = at + self.key.needle().len();
            let skip_space = |i: &mut usize| {
                while line
                    .get(*i)
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r'))
                {
                    *i += 1;
                }
            };
            skip_space(&mut i);
            if line.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            skip_space(&mut i);
            if self.values.iter().any(|v| line[i..].starts_with(v)) {
                return Verdict::Parse;
            }
        }
        verdict
    }
}

/// What a scan does with a line before parsing it.
enum Verdict {
    Parse,
    /// It cannot interest the visitor.
    Skip,
    /// It is not a record.
    NotARecord,
}

/// Streams the log from `start` (a line boundary), handing each record to
/// `visit` in file order. With a needle, lines that cannot pass it are
/// skipped unparsed, whatever their layout; a line without the needle's key
/// at all is counted as unreadable, like any line that is not a record.
/// A missing file is an empty log. Memory: one chunk, or the longest line
/// if that is longer.
pub fn scan(
    path: &Path,
    start: u64,
    needle: Option<&Needle>,
    visit: impl FnMut(Line<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    match open(path)? {
        Some(file) => scan_file(&file, start, needle, visit),
        None => Ok(ScanReport {
            end_offset: start,
            ..ScanReport::default()
        }),
    }
}

/// `scan` of a file already open, from `start`.
pub fn scan_file(
    file: &File,
    start: u64,
    needle: Option<&Needle>,
    visit: impl FnMut(Line<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    scan_range(file, start, u64::MAX, needle, visit)
}

/// `scan_file` of the lines that start in `start..stop`. Reads are
/// positional, so several threads can scan one open file.
fn scan_range(
    file: &File,
    start: u64,
    stop: u64,
    needle: Option<&Needle>,
    mut visit: impl FnMut(Line<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    let mut report = ScanReport {
        end_offset: start,
        ..ScanReport::default()
    };
    let mut buf = vec![0u8; READ_CHUNK];
    let (mut begin, mut end) = (0usize, 0usize);
    let mut offset = start; // file offset of buf[begin]
    let mut next_read = start;
    // Inside a line longer than any record: dropping its bytes until its end.
    let mut skipping = false;
    loop {
        let n = read_full_at(file, &mut buf[end..], next_read)?;
        next_read += n as u64;
        end += n;
        if skipping && end > begin {
            let cut = match memchr::memchr(b'\n', &buf[begin..end]) {
                Some(nl) => {
                    skipping = false;
                    begin + nl + 1
                }
                None => end,
            };
            offset += (cut - begin) as u64;
            begin = cut;
        }
        let mut line_start = begin;
        for nl in memchr::memchr_iter(b'\n', &buf[begin..end]) {
            let line_end = begin + nl;
            let line_offset = offset + (line_start - begin) as u64;
            if line_offset >= stop {
                break;
            }
            let bytes = &buf[line_start..line_end];
            line_start = line_end + 1;
            if bytes.is_empty() {
                continue;
            }
            let verdict = needle.map_or(Verdict::Parse, |n| n.verdict(bytes));
            let head = match verdict {
                Verdict::Parse => Head::parse(bytes),
                Verdict::Skip => continue,
                Verdict::NotARecord => None,
            };
            match head {
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
        if offset >= stop {
            report.end_offset = offset;
            return Ok(report);
        }
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
            if buf.len() >= MAX_LINE {
                // Longer than any record, so not one: count it and drop
                // its bytes as they come rather than hold them.
                report.unreadable += 1;
                skipping = true;
                offset += end as u64;
                end = 0;
            } else {
                buf.resize(buf.len() * 2, 0);
            }
        }
    }
}

/// A record holds at most a 16 MiB body and a 4 KiB answer; a line longer
/// than this is something else.
const MAX_LINE: usize = 32 << 20;

/// Reads from `at` until `buf` is full or the file ends, so that chunks are large.
fn read_full_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_at(file, &mut buf[filled..], at + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Counts the log's records that `keep` selects (after `needle`), with one
/// thread per core on a large log: the counts do not depend on order, so
/// each thread takes a slice of the file that starts at a line.
pub fn summarize(
    path: &Path,
    needle: Option<&Needle>,
    keep: impl Fn(&Head<'_>) -> bool + Sync,
) -> io::Result<(Summary, ScanReport)> {
    // Below this, a thread costs more than it saves.
    summarize_in_slices(path, needle, keep, 64 << 20)
}

fn summarize_in_slices(
    path: &Path,
    needle: Option<&Needle>,
    keep: impl Fn(&Head<'_>) -> bool + Sync,
    min_slice: u64,
) -> io::Result<(Summary, ScanReport)> {
    let Some(file) = open(path)? else {
        return Ok((Summary::default(), ScanReport::default()));
    };
    let len = file.metadata()?.len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as u64;
    let slices = (len / min_slice).clamp(1, threads);
    let mut starts = vec![0];
    for i in 1..slices {
        let at = line_start_from(&file, len * i / slices)?;
        if at > *starts.last().expect("starts is not empty") && at < len {
            starts.push(at);
        }
    }
    let results: Vec<io::Result<(SummaryBuilder, ScanReport)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let stop = starts.get(i + 1).copied().unwrap_or(u64::MAX);
                let (file, keep) = (&file, &keep);
                scope.spawn(move || {
                    let mut builder = SummaryBuilder::default();
                    let report = scan_range(file, start, stop, needle, |line| {
                        if keep(&line.head) {
                            builder.add(&line.head);
                        }
                        Ok(ControlFlow::Continue(()))
                    })?;
                    Ok((builder, report))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a summary thread failed")))
            })
            .collect()
    });
    let mut total = SummaryBuilder::default();
    let mut report = ScanReport::default();
    for result in results {
        let (builder, part) = result?;
        total.merge(builder);
        report.unreadable += part.unreadable;
        report.torn_tail = part.torn_tail;
        report.end_offset = part.end_offset;
    }
    Ok((total.finish(), report))
}

/// The first line start at or after `at`.
fn line_start_from(file: &File, at: u64) -> io::Result<u64> {
    if at == 0 {
        return Ok(0);
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut pos = at - 1;
    loop {
        let n = read_full_at(file, &mut buf, pos)?;
        if n == 0 {
            return Ok(pos);
        }
        if let Some(nl) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(pos + nl as u64 + 1);
        }
        pos += n as u64;
    }
}

/// Appends one line (newline included) under the log's lock, in one write.
/// If the file ends in a torn line, a newline goes first so that the new
/// record starts on a line of its own. Costs the same whatever the log's size.
pub fn append(home: &Home, line: &[u8]) -> io::Result<()> {
    fsutil::ensure_private_dir(&home.data_dir)?;
    let _lock = lock(home)?;
    // A pipe in the log's place would block the open for ever.
    fsutil::regular_file_exists(&home.log_file())?;
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
/// Rewrites the log without the records `drop` selects; `drop` sees each
/// line with its offset, which a caller can show as progress.
pub fn prune(home: &Home, mut drop: impl FnMut(&Line<'_>) -> bool) -> io::Result<PruneReport> {
    let path = home.log_file();
    let mut report = PruneReport::default();
    if !fsutil::regular_file_exists(&path)? {
        return Ok(report);
    }
    let _lock = lock(home)?;
    fsutil::replace_atomically(&path, |out| {
        let mut writer = io::BufWriter::with_capacity(READ_CHUNK, out);
        let scanned = scan(&path, 0, None, |line| {
            if drop(&line) {
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
            // Every u16, so that a code another tool wrote (or a
            // nonstandard one) is counted as itself.
            codes: vec![0; usize::from(u16::MAX) + 1],
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
            Some(code) => self.codes[usize::from(code)] += 1,
            None => self.no_answer += 1,
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

    /// Adds the counts of another builder (another slice of the log).
    pub fn merge(&mut self, other: SummaryBuilder) {
        self.total += other.total;
        self.succeeded += other.succeeded;
        self.no_answer += other.no_answer;
        for (mine, theirs) in self.codes.iter_mut().zip(other.codes) {
            *mine += theirs;
        }
        for (name, counts) in other.events {
            match self.events.iter_mut().find(|(mine, _)| *mine == name) {
                Some((_, mine)) => {
                    mine.total += counts.total;
                    mine.succeeded += counts.succeeded;
                    mine.failed += counts.failed;
                }
                None => self.events.push((name, counts)),
            }
        }
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

/// Where to read on in `new`, the file that replaced `old` (a prune), after
/// reading `old` up to `seen`: just past the lines of `new` that `old` held
/// before `seen`. A prune keeps the lines it keeps in their order and
/// appends go after them, so those lines are the first ones of `new`, and
/// one pass over each file finds them. Memory: a line of each.
pub fn resume_offset(old: &File, seen: u64, new: &File) -> io::Result<u64> {
    let (mut old, mut new) = (old, new);
    io::Seek::seek(&mut old, io::SeekFrom::Start(0))?;
    io::Seek::seek(&mut new, io::SeekFrom::Start(0))?;
    let mut old_lines = io::BufReader::with_capacity(READ_CHUNK, old.take(seen));
    let mut new_lines = io::BufReader::with_capacity(READ_CHUNK, new);
    let (mut old_line, mut new_line) = (Vec::new(), Vec::new());
    let mut resume = 0;
    loop {
        new_line.clear();
        let n = new_lines.read_until(b'\n', &mut new_line)?;
        if new_line.last() != Some(&b'\n') {
            return Ok(resume); // the end, or a line still being written
        }
        loop {
            old_line.clear();
            if old_lines.read_until(b'\n', &mut old_line)? == 0 {
                return Ok(resume); // a line that was not read yet
            }
            if old_line == new_line {
                break;
            }
        }
        resume += n as u64;
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

/// Lines whose request id starts with one of `prefixes`.
pub fn request_id_needle(prefixes: &[String]) -> Needle {
    let values = prefixes
        .iter()
        .map(|prefix| {
            let mut value = serde_json::to_vec(prefix).expect("a string serialises");
            value.pop(); // the closing quote: the id may go on
            value
        })
        .collect();
    Needle::new("request_id", values)
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
    let needle = request_id_needle(prefixes);
    let report = scan(path, 0, Some(&needle), |line| {
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
    fn a_needle_passes_its_records_in_any_layout() {
        let needle = Needle::new("response_code", vec![b"500".to_vec(), b"null".to_vec()]);
        let pass = [
            &br#"{"request_id":"x","response_code":500,"success":false}"#[..],
            br#"{"success":false, "response_code" :  500}"#,
            br#"{"payload":{"response_code":200},"response_code":null}"#,
        ];
        for line in pass {
            assert!(
                matches!(needle.verdict(line), Verdict::Parse),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let skip = [
            &br#"{"request_id":"x","response_code":503,"success":false}"#[..],
            br#"{"response_code": 200, "note": "500"}"#,
            br#"{"response_code" "500"}"#,
        ];
        for line in skip {
            assert!(
                matches!(needle.verdict(line), Verdict::Skip),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        assert!(matches!(
            needle.verdict(b"garbage 500"),
            Verdict::NotARecord
        ));
        let ids = request_id_needle(&["6f1c".to_string()]);
        assert!(matches!(
            ids.verdict(br#"{"request_id": "6f1c2a7e"}"#),
            Verdict::Parse
        ));
        assert!(matches!(
            ids.verdict(br#"{"request_id":"06f1c2a7e"}"#),
            Verdict::Skip
        ));
    }

    #[test]
    fn resuming_after_a_prune_skips_exactly_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, lines: &[&str]| {
            let path = dir.path().join(name);
            std::fs::write(
                &path,
                lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
            )
            .unwrap();
            File::open(path).unwrap()
        };
        let old = write("old", &["a", "b", "garbage", "c", "d"]);
        let seen = "a\nb\ngarbage\nc\n".len() as u64;
        // The prune dropped a and the garbage; d came after what was read,
        // e after the prune.
        let new = write("new", &["b", "c", "d", "e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 4);
        // The last line read was dropped, a line before it kept.
        let new = write("new2", &["b", "e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 2);
        // Everything dropped; a new line since.
        let new = write("new3", &["e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 0);
        // Nothing read yet.
        assert_eq!(resume_offset(&old, 0, &new).unwrap(), 0);
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

    #[test]
    fn a_line_longer_than_any_record_is_skipped_without_being_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let payload = RawValue::from_string("{}".into()).unwrap();
        let good = record(&payload, None).to_line();
        let mut bytes = good.clone();
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE + READ_CHUNK + 17));
        bytes.push(b'\n');
        bytes.extend_from_slice(&good);
        bytes.extend(std::iter::repeat_n(b'y', MAX_LINE + 5)); // and a torn one at the end
        std::fs::write(&path, &bytes).unwrap();
        let mut offsets = Vec::new();
        let report = scan(&path, 0, None, |line| {
            offsets.push(line.offset);
            Ok(ControlFlow::Continue(()))
        })
        .unwrap();
        let second = (good.len() + MAX_LINE + READ_CHUNK + 17 + 1) as u64;
        assert_eq!(offsets, [0, second]);
        assert_eq!(report.unreadable, 2);
        assert_eq!(report.end_offset, bytes.len() as u64);
    }

    #[test]
    fn a_summary_in_slices_counts_what_one_pass_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let payload = RawValue::from_string("{}".into()).unwrap();
        let mut bytes = Vec::new();
        for i in 0..200 {
            let error = (i % 7 == 0).then_some("refused");
            bytes.extend_from_slice(&record(&payload, error).to_line());
            if i % 50 == 25 {
                bytes.extend_from_slice(b"garbage\n");
            }
        }
        bytes.extend_from_slice(b"{\"request_id\":\"torn"); // a torn tail
        std::fs::write(&path, &bytes).unwrap();
        let mut one = SummaryBuilder::default();
        let expected = scan(&path, 0, None, |line| {
            one.add(&line.head);
            Ok(ControlFlow::Continue(()))
        })
        .unwrap();
        let one = one.finish();
        for min_slice in [1, 100, 997, 4096, 1 << 30] {
            let (summary, report) = summarize_in_slices(&path, None, |_| true, min_slice).unwrap();
            assert_eq!(summary, one, "min_slice {min_slice}");
            assert_eq!(report, expected, "min_slice {min_slice}");
        }
        assert_eq!((one.total_events, expected.unreadable), (200, 4));
        assert!(expected.torn_tail);
    }
}
