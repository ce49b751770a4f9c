//! Reading only the end of the log, for what admins ask most: the newest
//! N deliveries (`logs`, `logs --limit N`) and a recent window
//! (`logs --since 1h`). The log is appended in time order, so both answers
//! lie at its end.
//!
//! **The newest N** are the last N matching records in file order, which
//! is what a full scan keeps, whatever the timestamps say: `newest` reads
//! the log backwards in segments (128 KiB, doubling up to 8 MiB), each
//! scanned forward with the same scanner, needle and rules as a full scan,
//! and stops once it has N. Exact on any file.
//!
//! **A window** (`--since S`) starts reading at a record B, found by
//! bisecting on timestamps, whose timestamp plus its duration plus
//! `SLACK_MS` (5 minutes) is before S. Skipping everything before B is
//! exact when every record before B is older than S. sfhook's own appends
//! give that, because of invariant (P): a record is appended after its
//! request ends, so for records R before Q in the file,
//! `R.timestamp <= Q.timestamp + Q.duration_ms + SLACK_MS` (slack for the
//! wait on the lock and clock jitter). Concurrent senders interleave their
//! records out of timestamp order; (P) still holds.
//!
//! A merged, sorted-otherwise or hand-edited log can break (P). That cannot
//! be seen without reading the whole file, so `since_start` checks (P) on
//! every record it does read before deciding to skip: the first record,
//! each bisection probe, and one record at each 64th of the part before B,
//! in file order. Any pair out of order, or a probe not older than S, and
//! it returns 0: a full scan, with the full scan's answer. What is
//! guaranteed, precisely: the listing equals a full scan's whenever (P)
//! holds between every record before B and B itself (every log sfhook
//! wrote, while the clock did not step back by more than the slack), and
//! whenever the disorder shows among the records probed (a first record
//! newer than S; two overlapping logs concatenated, when their overlap
//! spans more than a 64th of the file). Disorder confined between probes,
//! such as one record hand-moved into the middle of the skipped part, goes
//! unseen, and such a record is then not listed.
//!
//! Warnings: a listing that reads only the end of the log counts the
//! unreadable lines in the part it read, that is the lines after the
//! oldest delivery listed (all of them from the start point when fewer
//! than N match) for the newest N, and the lines after B for a window;
//! a torn last line always.

use std::fs::File;
use std::io;
use std::ops::ControlFlow;

use super::record::Head;
use super::scan::{Item, MAX_LINE, Needle, ScanReport, read_full_at, scan_items};

/// How far, beyond a record's own duration, an append may lag its request.
const SLACK_MS: i64 = 5 * 60 * 1000;
/// The part of the log skipped for a window is checked at this many points.
const PROBES: u64 = 64;
/// Bisection stops when the boundary is known within this many bytes.
const BISECT_STOP: u64 = 64 << 10;
/// A probe reads this much first, doubling up to `PROBE_BUDGET` to find a
/// whole record.
const PROBE_READ: usize = 4 << 10;
const PROBE_BUDGET: usize = 1 << 20;
const FIRST_SEGMENT: u64 = 128 << 10;
const MAX_SEGMENT: u64 = 8 << 20;

/// The newest matching records, oldest first, as a full scan would keep them.
pub struct Newest {
    pub lines: Vec<Vec<u8>>,
    /// Whether an older match exists (looked for only when asked).
    pub more: bool,
    /// Unreadable lines counted as the module says; `end_offset` is the end
    /// of the last complete line, where following goes on.
    pub report: ScanReport,
}

/// The last `n` records at or after `start` (a line start) that pass the
/// needle and `wants`, in file order. With `peek`, also whether there is
/// one more before them.
pub fn newest(
    file: &File,
    start: u64,
    needle: Option<&Needle>,
    n: usize,
    peek: bool,
    mut wants: impl FnMut(&Head<'_>) -> bool,
) -> io::Result<Newest> {
    enum Seen {
        Match(Vec<u8>),
        Unreadable,
    }
    let size = file.metadata()?.len().max(start);
    let mut picked: Vec<Vec<u8>> = Vec::new(); // newest first
    let mut more = false;
    let mut report = ScanReport {
        end_offset: start,
        ..ScanReport::default()
    };
    let mut upper: Option<u64> = None; // where the previous segment began
    let mut segment = FIRST_SEGMENT;
    'segments: loop {
        let top = upper.unwrap_or(size);
        let from = line_start_at_or_before(file, top.saturating_sub(segment).max(start), start)?;
        let mut seen = Vec::new();
        // The first segment reads on to the end of the file as it is then.
        let stop = upper.unwrap_or(u64::MAX);
        let part = scan_items(file, from, stop, needle, |item| {
            match item {
                Item::Record(line) if wants(&line.head) => {
                    seen.push(Seen::Match(line.bytes.to_vec()));
                }
                Item::Record(_) => {}
                Item::Unreadable => seen.push(Seen::Unreadable),
            }
            Ok(ControlFlow::Continue(()))
        })?;
        if upper.is_none() {
            report.torn_tail = part.torn_tail;
            report.end_offset = part.end_offset;
        }
        for item in seen.into_iter().rev() {
            match item {
                Seen::Match(_) if picked.len() == n => {
                    more = true;
                    break 'segments;
                }
                Seen::Match(bytes) => picked.push(bytes),
                Seen::Unreadable if picked.len() < n => report.unreadable += 1,
                Seen::Unreadable => {}
            }
            if picked.len() == n && !peek {
                break 'segments;
            }
        }
        if from <= start {
            break;
        }
        upper = Some(from);
        segment = (segment * 2).min(MAX_SEGMENT);
    }
    picked.reverse();
    Ok(Newest {
        lines: picked,
        more,
        report,
    })
}

/// The greatest line start at or before `at`, but not before `floor` (a
/// line start itself). Reads backwards without holding a long line.
fn line_start_at_or_before(file: &File, at: u64, floor: u64) -> io::Result<u64> {
    const BLOCK: u64 = 16 << 10;
    let mut buf = vec![0u8; BLOCK as usize];
    let mut end = at;
    while end > floor {
        let begin = end.saturating_sub(BLOCK).max(floor);
        let len = (end - begin) as usize;
        let n = read_full_at(file, &mut buf[..len], begin)?;
        if let Some(i) = memchr::memrchr(b'\n', &buf[..n]) {
            return Ok(begin + i as u64 + 1);
        }
        end = begin;
    }
    Ok(floor)
}

/// A record read at a probe point: where it is and its times.
#[derive(Clone, Copy, Debug)]
struct Probe {
    offset: u64,
    /// Where the next line starts.
    end: u64,
    /// The timestamp, in milliseconds.
    at: i64,
    /// The latest any record before this one can be stamped, by (P).
    late: i64,
}

/// Where a listing of the records at or after `since` (the filter's bound,
/// in the log's fixed-width form) can start reading: the start of the line
/// after record B, or 0 to read the whole log. See the module's comment
/// for what is checked and what is guaranteed.
pub fn since_start(file: &File, since: &str) -> io::Result<u64> {
    let Some(since) = millis(since) else {
        return Ok(0);
    };
    let size = file.metadata()?.len();
    let Some(first) = probe(file, 0)? else {
        return Ok(0);
    };
    if first.late >= since {
        return Ok(0);
    }
    let mut probes = vec![first];
    let mut best = first;
    // Records before `lo` are known to have a probe with late < since at
    // or after them; the boundary is before `hi`.
    let (mut lo, mut hi) = (first.end, size);
    while hi > lo && hi - lo > BISECT_STOP {
        let mid = lo + (hi - lo) / 2;
        match probe(file, mid)? {
            Some(p) if p.offset < hi => {
                probes.push(p);
                if p.late < since {
                    best = p;
                    lo = p.end;
                } else {
                    hi = mid;
                }
            }
            _ => hi = mid,
        }
    }
    for k in 1..PROBES {
        let at = best.offset / PROBES * k + best.offset % PROBES * k / PROBES;
        if let Some(p) = probe(file, at)?
            && p.offset < best.offset
        {
            probes.push(p);
        }
    }
    probes.sort_by_key(|p| p.offset);
    probes.dedup_by_key(|p| p.offset);
    let mut newest = i64::MIN;
    for p in &probes {
        if newest > p.late {
            return Ok(0);
        }
        newest = newest.max(p.at);
    }
    Ok(best.end)
}

/// The first record that starts at or after `from`, if one does within
/// `PROBE_BUDGET` bytes. Lines that are not records, or whose timestamp is
/// not in the log's own form, are passed over; a line without its newline
/// (torn, or still being written) is not a record.
fn probe(file: &File, from: u64) -> io::Result<Option<Probe>> {
    // Reading from the byte before `from` tells whether a line starts there.
    let base = from.saturating_sub(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut line_start = (from == 0).then_some(0usize);
    let mut searched = 0usize;
    loop {
        while let Some(nl) = memchr::memchr(b'\n', &buf[searched..]).map(|i| searched + i) {
            searched = nl + 1;
            if let Some(start) = line_start
                && let Some((at, late)) = times(&buf[start..nl])
            {
                return Ok(Some(Probe {
                    offset: base + start as u64,
                    end: base + nl as u64 + 1,
                    at,
                    late,
                }));
            }
            line_start = Some(nl + 1);
        }
        if buf.len() >= PROBE_BUDGET {
            return Ok(None);
        }
        let old = buf.len();
        buf.resize(old + old.max(PROBE_READ), 0);
        let n = read_full_at(file, &mut buf[old..], base + old as u64)?;
        buf.truncate(old + n);
        if n == 0 {
            return Ok(None);
        }
    }
}

/// A record's timestamp and the latest timestamp (P) allows before it.
fn times(line: &[u8]) -> Option<(i64, i64)> {
    if line.is_empty() || line.len() >= MAX_LINE {
        return None;
    }
    let head = Head::parse(line)?;
    let at = millis(&head.comparable_timestamp()?)?;
    let took = i64::try_from(head.duration_ms).unwrap_or(i64::MAX);
    Some((at, at.saturating_add(took).saturating_add(SLACK_MS)))
}

/// Milliseconds of a timestamp in the log's fixed-width form with a
/// four-digit year, the only form that compares as a string the way it
/// compares as a time.
fn millis(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 24 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ts: jiff::Timestamp = text.parse().ok()?;
    Some(ts.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn line(ts: &str, id: usize, duration: u64) -> String {
        format!(
            "{{\"request_id\":\"{id:08x}\",\"event_id\":\"e{id}\",\"event\":\"device.locked\",\"timestamp\":\"{ts}\",\"url\":\"http://x/\",\"response_code\":200,\"success\":true,\"error\":null,\"duration_ms\":{duration},\"attempt\":1,\"redelivery_of\":null,\"profile\":\"default\",\"payload\":{{}},\"response_body\":\"\"}}\n"
        )
    }

    fn log(lines: &[String]) -> (tempfile::TempDir, File) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut f = File::create(&path).unwrap();
        for l in lines {
            f.write_all(l.as_bytes()).unwrap();
        }
        (dir, File::open(&path).unwrap())
    }

    fn stamp(minute: i64) -> String {
        let ts = jiff::Timestamp::from_second(1_780_000_000 + minute * 60).unwrap();
        crate::core::units::format_timestamp(ts)
    }

    #[test]
    fn a_window_starts_after_the_last_record_safely_older() {
        let lines: Vec<String> = (0..20_000)
            .map(|i| line(&stamp(i), i as usize, 10))
            .collect();
        let (_dir, file) = log(&lines);
        let start = since_start(&file, &stamp(19_990)).unwrap();
        let ends: Vec<u64> = lines
            .iter()
            .scan(0u64, |end, l| {
                *end += l.len() as u64;
                Some(*end)
            })
            .collect();
        // A line start, at most the bisection's granularity (and the slack)
        // before the first record in the window, and not after it.
        assert!(ends.contains(&start), "{start} is a line start");
        assert!(start <= ends[19_989]);
        assert!(ends[19_989] - start < BISECT_STOP + 20 * lines[0].len() as u64);
    }

    #[test]
    fn a_first_record_newer_than_the_bound_means_a_full_scan() {
        let mut lines: Vec<String> = (0..20_000)
            .map(|i| line(&stamp(i), i as usize, 10))
            .collect();
        lines[0] = line(&stamp(50_000), 0, 10);
        let (_dir, file) = log(&lines);
        assert_eq!(since_start(&file, &stamp(19_990)).unwrap(), 0);
    }

    #[test]
    fn the_newest_are_the_last_in_file_order() {
        let lines: Vec<String> = (0..5_000)
            .map(|i| line(&stamp(5_000 - i), i as usize, 10))
            .collect();
        let (_dir, file) = log(&lines);
        let newest = newest(&file, 0, None, 3, true, |_| true).unwrap();
        let want: Vec<Vec<u8>> = lines[4_997..]
            .iter()
            .map(|l| l.trim_end().as_bytes().to_vec())
            .collect();
        assert_eq!(newest.lines, want);
        assert!(newest.more);
        // All of them: nothing more, and read back to the start.
        let all = super::newest(&file, 0, None, 5_000, true, |_| true).unwrap();
        assert_eq!(all.lines.len(), 5_000);
        assert!(!all.more);
        let none = super::newest(&file, 0, None, 3, true, |_| false).unwrap();
        assert!(none.lines.is_empty() && !none.more);
    }
}
