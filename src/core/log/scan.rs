//! Reading the log: streamed line by line in a fixed amount of memory,
//! with a needle that rejects lines a filter cannot select before they are
//! parsed.

use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use memchr::memmem;

use crate::core::fsutil;

use super::record::Head;

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

pub(super) const READ_CHUNK: usize = 1 << 20;

/// Opens the log for reading; `None` if there is no log yet.
pub fn open(path: &Path) -> io::Result<Option<File>> {
    // Opened without following a link and checked after opening, so that
    // what is read is what was checked.
    fsutil::open_state_file(path)
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
pub(super) fn scan_range(
    file: &File,
    start: u64,
    stop: u64,
    needle: Option<&Needle>,
    mut visit: impl FnMut(Line<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    scan_items(file, start, stop, needle, |item| match item {
        Item::Record(line) => visit(line),
        Item::Unreadable => Ok(ControlFlow::Continue(())),
    })
}

/// What `scan_items` hands out: a record, or a line it counts as
/// unreadable.
// Handed by value to the visitor, never stored: boxing the line would cost
// an allocation per record.
#[allow(clippy::large_enum_variant)]
pub(super) enum Item<'a> {
    Record(Line<'a>),
    Unreadable,
}

/// `scan_range` that also hands out each line it counts as unreadable,
/// where it is, so that a reader of part of the log can count only those
/// in that part. Lines the needle skips are handed out as nothing, as
/// `scan_range` does; `report.unreadable` counts the `Unreadable` items.
pub(super) fn scan_items(
    file: &File,
    start: u64,
    stop: u64,
    needle: Option<&Needle>,
    mut visit: impl FnMut(Item<'_>) -> io::Result<ControlFlow<()>>,
) -> io::Result<ScanReport> {
    let mut report = ScanReport {
        end_offset: start,
        ..ScanReport::default()
    };
    // A short span (the end of the log) gets a buffer its size: a whole
    // chunk would be read, and its pages touched, for nothing. The buffer
    // grows by doubling from a power of two, so a line is dropped as too
    // long at exactly MAX_LINE whatever the start.
    let span = file
        .metadata()
        .map_or(u64::MAX, |m| m.len().min(stop).saturating_sub(start));
    let first = usize::try_from(span.saturating_add(1))
        .unwrap_or(READ_CHUNK)
        .clamp(MIN_READ, READ_CHUNK)
        .next_power_of_two();
    let mut buf = vec![0u8; first];
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
            let flow = match head {
                Some(head) => visit(Item::Record(Line {
                    bytes,
                    offset: line_offset,
                    head,
                }))?,
                None => {
                    report.unreadable += 1;
                    visit(Item::Unreadable)?
                }
            };
            if flow.is_break() {
                report.end_offset = offset + (line_start - begin) as u64;
                return Ok(report);
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
                if visit(Item::Unreadable)?.is_break() {
                    report.end_offset = offset;
                    return Ok(report);
                }
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
pub(super) const MAX_LINE: usize = 32 << 20;
/// The smallest buffer a scan starts with.
const MIN_READ: usize = 64 << 10;

/// Reads from `at` until `buf` is full or the file ends, so that chunks are large.
pub(super) fn read_full_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
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

/// The record line that starts at `offset`, if there is one.
pub fn line_at(path: &Path, offset: u64) -> io::Result<Option<Vec<u8>>> {
    let mut found = None;
    scan(path, offset, None, |line| {
        found = Some(line.bytes.to_vec());
        Ok(ControlFlow::Break(()))
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::log::lookup::request_id_needle;
    use crate::core::log::record::tests::record;
    use serde_json::value::RawValue;

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
}
