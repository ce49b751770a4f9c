//! Counting the log for `logs summary` and `status`: one thread per core
//! on a large log, since counts do not depend on order.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use super::record::Head;
use super::scan::{Needle, ScanReport, open, read_full_at, scan, scan_range};

/// Counts the log's records that `keep` selects (after `needle`), with one
/// thread per core on a large log: the counts do not depend on order, so
/// each thread takes a slice of the file that starts at a line.
pub fn summarize(
    path: &Path,
    needle: Option<&Needle>,
    keep: impl Fn(&Head<'_>) -> bool + Sync,
) -> io::Result<(SummaryBuilder, ScanReport)> {
    // Below this, a thread costs more than it saves.
    summarize_in_slices(path, needle, keep, 64 << 20)
}

fn summarize_in_slices(
    path: &Path,
    needle: Option<&Needle>,
    keep: impl Fn(&Head<'_>) -> bool + Sync,
    min_slice: u64,
) -> io::Result<(SummaryBuilder, ScanReport)> {
    let Some(file) = open(path)? else {
        return Ok((SummaryBuilder::default(), ScanReport::default()));
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
    Ok((total, report))
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

/// Counts for `logs summary` and `status`.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub total_events: u64,
    pub total_success_events: u64,
    pub total_failed_events: u64,
    /// Keyed by code, or `none` for deliveries that got no answer.
    pub by_response_code: BTreeMap<String, u64>,
    pub by_event: BTreeMap<String, EventCounts>,
    /// Distinct events (`event_id`), whatever number of requests each took.
    pub events: EventTotals,
}

/// Events rather than requests: an event is delivered when any of its
/// attempts or redeliveries succeeded.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct EventTotals {
    pub total: u64,
    pub delivered: u64,
    pub undelivered: u64,
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
    outcomes: Outcomes,
}

/// Whether each distinct event id was delivered, kept as one `u64` per
/// request: a 63-bit digest of the event id and a success bit. Sorting
/// them groups an event's requests; a million requests cost 8 MB and a
/// sort, where a map of ids cost a gigabyte-second.
///
/// The digest of an sfhook event id (a random UUID) is its own bits; any
/// other id is hashed. Two distinct ids share a digest with probability
/// about n²/2⁶⁴ (5·10⁻⁸ for a million events): an approximation no count
/// of real events will meet, written down rather than hidden.
#[derive(Default)]
struct Outcomes {
    marks: Vec<u64>,
    /// `marks` is sorted with one entry per event.
    settled: bool,
}

impl Outcomes {
    fn digest(event_id: &str) -> u64 {
        // Only the canonical spelling is a UUID's bits: ids are compared as
        // the text they are, so `ABC…` and `abc…` stay two events, as in jq.
        let canonical = event_id.len() == 36 && !event_id.bytes().any(|b| b.is_ascii_uppercase());
        let bits = match uuid::Uuid::try_parse(event_id).ok().filter(|_| canonical) {
            Some(id) => {
                let (hi, lo) = id.as_u64_pair();
                hi ^ lo
            }
            None => {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::hash::DefaultHasher::new();
                event_id.hash(&mut hasher);
                hasher.finish()
            }
        };
        bits >> 1
    }

    fn add(&mut self, event_id: &str, success: bool) {
        self.marks
            .push(Outcomes::digest(event_id) << 1 | u64::from(success));
        self.settled = false;
    }

    fn merge(&mut self, other: Outcomes) {
        self.marks.extend(other.marks);
        self.settled = false;
    }

    /// One entry per event, sorted, delivered if any request was.
    fn settle(&mut self) {
        if !self.settled {
            self.marks.sort_unstable();
            self.marks.dedup_by(|later, kept| {
                let same = *later >> 1 == *kept >> 1;
                if same {
                    *kept |= *later & 1;
                }
                same
            });
            self.settled = true;
        }
    }

    fn all_delivered(&mut self) -> bool {
        self.settle();
        self.marks.iter().all(|m| m & 1 == 1)
    }

    /// Marks an event already counted as delivered; an event the selection
    /// did not count is not added.
    fn mark_delivered(&mut self, event_id: &str) {
        self.settle();
        let digest = Outcomes::digest(event_id);
        if let Ok(at) = self.marks.binary_search_by_key(&digest, |m| m >> 1) {
            self.marks[at] |= 1;
        }
    }

    fn totals(&mut self) -> EventTotals {
        self.settle();
        let total = self.marks.len() as u64;
        let delivered = self.marks.iter().filter(|m| *m & 1 == 1).count() as u64;
        EventTotals {
            total,
            delivered,
            undelivered: total - delivered,
        }
    }
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
            outcomes: Outcomes::default(),
            events: crate::core::catalog::EVENTS
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
        self.outcomes.add(&head.event_id, head.success);
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

    /// Settles whether the selected events were delivered by looking at
    /// the whole log: a filter (`--failed`, a `--since` window that cuts
    /// off a retry, one profile's requests when another redelivered) may
    /// leave out the request that delivered an event, and an event counts
    /// as delivered if any of its requests succeeded. Reads only the
    /// successful records, and nothing when every event is settled.
    pub fn settle_events(&mut self, path: &Path) -> io::Result<()> {
        if self.outcomes.all_delivered() {
            return Ok(());
        }
        let needle = Needle::new("success", vec![b"true".to_vec()]);
        scan(path, 0, Some(&needle), |line| {
            if line.head.success {
                self.outcomes.mark_delivered(&line.head.event_id);
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(())
    }

    /// Adds the counts of another builder (another slice of the log).
    pub fn merge(&mut self, other: SummaryBuilder) {
        self.total += other.total;
        self.succeeded += other.succeeded;
        self.no_answer += other.no_answer;
        self.outcomes.merge(other.outcomes);
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

    pub fn finish(mut self) -> Summary {
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
            events: self.outcomes.totals(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::log::record::tests::record;
    use crate::core::log::scan::scan;
    use serde_json::value::RawValue;

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
    fn events_are_delivered_when_any_attempt_succeeded() {
        let mut builder = SummaryBuilder::default();
        let mut other = SummaryBuilder::default();
        let uuid = "6b1f3c1e-1111-4a5b-9c1d-000000000001";
        // Event 1: fails, then (in another slice) succeeds. Event 2: a
        // foreign id that only fails. Event 3: succeeds at once.
        builder.outcomes.add(uuid, false);
        other.outcomes.add(uuid, true);
        // Another spelling of the same UUID is another id, as jq sees it.
        builder.outcomes.add(&uuid.to_uppercase(), false);
        builder.outcomes.add("not-a-uuid", false);
        other.outcomes.add("not-a-uuid", false);
        other
            .outcomes
            .add("6b1f3c1e-1111-4a5b-9c1d-000000000003", true);
        builder.merge(other);
        let totals = builder.outcomes.totals();
        assert_eq!(
            (totals.total, totals.delivered, totals.undelivered),
            (4, 2, 2)
        );
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
            assert_eq!(summary.finish(), one, "min_slice {min_slice}");
            assert_eq!(report, expected, "min_slice {min_slice}");
        }
        assert_eq!((one.total_events, expected.unreadable), (200, 4));
        assert!(expected.torn_tail);
    }
}
