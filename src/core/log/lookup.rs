//! Finding deliveries by request id: a prefix names one delivery or it is
//! an error, with one rule and one message wherever an id is typed.

use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::core::error::{Failure, Kind, usage};

use super::record::{Head, Record};
use super::scan::{Needle, ScanReport, scan};

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

/// The one rule, wherever a request id is typed: a prefix names exactly one
/// delivery. This is the error when it names several (`shown` are some of
/// them; `more` if there may be others).
fn ambiguous(prefix: &str, shown: &[&str], more: bool) -> anyhow::Error {
    Failure::new(
        Kind::Usage,
        format!(
            "request id prefix {prefix} matches more than one delivery ({}{})",
            shown.join(", "),
            if more { ", ..." } else { "" }
        ),
    )
    .with_hint("give more characters")
    .into()
}

/// The offsets of the records that `prefixes` (lowercase, not empty) name,
/// one each, found in one pass; a prefix that names no delivery, or more
/// than one, is an error. `seen` hears what the scan saw besides records
/// first, so a warning about them comes before any error.
pub(crate) fn resolve_ids(
    path: &Path,
    prefixes: &[String],
    seen: impl FnOnce(&ScanReport),
) -> Result<Vec<u64>> {
    let (found, report) = find_request_ids(path, prefixes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    seen(&report);
    let mut offsets = Vec::with_capacity(prefixes.len());
    for (prefix, matches) in prefixes.iter().zip(found) {
        match matches.as_slice() {
            [] => {
                return Err(usage(format!(
                    "no delivery with request id {prefix} in {}",
                    path.display()
                )));
            }
            [(_, offset)] => offsets.push(*offset),
            many => {
                let shown: Vec<&str> = many.iter().take(3).map(|(id, _)| id.as_str()).collect();
                return Err(ambiguous(prefix, &shown, many.len() > 3));
            }
        }
    }
    Ok(offsets)
}

/// The same rule for a scan filtered by `--request-id`: notes the distinct
/// ids that match, to stop at the second.
pub(crate) struct OneId<'f> {
    prefix: Option<&'f str>,
    first: Option<String>,
    second: Option<String>,
}

impl<'f> OneId<'f> {
    pub(crate) fn new(prefix: Option<&'f str>) -> OneId<'f> {
        OneId {
            prefix,
            first: None,
            second: None,
        }
    }

    /// Notes a matching record; `Break` once the prefix is ambiguous.
    pub(crate) fn admit(&mut self, head: &Head<'_>) -> ControlFlow<()> {
        if self.prefix.is_none() {
            return ControlFlow::Continue(());
        }
        match &self.first {
            None => self.first = Some(head.request_id.to_string()),
            Some(first) if *first != head.request_id => {
                self.second = Some(head.request_id.to_string());
                return ControlFlow::Break(());
            }
            Some(_) => {}
        }
        ControlFlow::Continue(())
    }

    /// The error, once the scan is over, if the prefix named several.
    pub(crate) fn check(&self) -> Result<()> {
        match (self.prefix, &self.first, &self.second) {
            (Some(prefix), Some(first), Some(second)) => {
                Err(ambiguous(prefix, &[first, second], true))
            }
            _ => Ok(()),
        }
    }
}

/// Whether any record of the log was logged under `profile`: a profile
/// that was removed from the config still names its deliveries.
pub fn has_profile(path: &Path, profile: &str) -> io::Result<bool> {
    let value = serde_json::to_vec(profile).expect("a string serialises");
    let needle = Needle::new("profile", vec![value]);
    let mut found = false;
    scan(path, 0, Some(&needle), |line| {
        found = line.head.profile == profile;
        Ok(if found {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        })
    })?;
    Ok(found)
}

/// One request made for an event, as `logs show` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub request_id: String,
    pub timestamp: String,
    pub attempt: u32,
    pub response_code: Option<u16>,
    pub success: bool,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub redelivery_of: Option<String>,
}

/// More than this many requests for one event is a log someone wrote by
/// hand; the first ones are enough to read.
pub const ATTEMPTS_SHOWN: usize = 100;

/// The requests logged for `event_id`, in log order: the first attempts,
/// the retries and any redeliveries, up to `ATTEMPTS_SHOWN`; and how many
/// there were in all.
pub fn attempts_of(path: &Path, event_id: &str) -> io::Result<(Vec<Attempt>, usize)> {
    let value = serde_json::to_vec(event_id).expect("a string serialises");
    let needle = Needle::new("event_id", vec![value]);
    let mut attempts = Vec::new();
    let mut total = 0;
    scan(path, 0, Some(&needle), |line| {
        let head = &line.head;
        if head.event_id == event_id {
            total += 1;
            if attempts.len() < ATTEMPTS_SHOWN {
                attempts.push(Attempt {
                    request_id: head.request_id.to_string(),
                    timestamp: head.timestamp.to_string(),
                    attempt: head.attempt,
                    response_code: head.response_code,
                    success: head.success,
                    error: head.error.as_ref().map(|e| e.to_string()),
                    duration_ms: head.duration_ms,
                    redelivery_of: head.redelivery_of.as_ref().map(|r| r.to_string()),
                });
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok((attempts, total))
}

/// The line of the record found at `offset` (by `resolve_ids` or a scan),
/// or an error saying that the log changed since (a prune, say).
pub fn record_line(path: &Path, offset: u64) -> Result<Vec<u8>> {
    super::scan::line_at(path, offset)?.with_context(|| {
        format!(
            "{} changed while reading it (pruned?); run the command again",
            path.display()
        )
    })
}

/// `line`, read by `record_line`, as a record.
pub fn parse_record<'l>(line: &'l [u8], offset: u64, path: &Path) -> Result<Record<'l>> {
    serde_json::from_slice(line).with_context(|| {
        format!(
            "the record at byte {offset} of {} is not readable",
            path.display()
        )
    })
}
