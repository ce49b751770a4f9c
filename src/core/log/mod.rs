//! `deliveries.jsonl`: one JSON object per line per HTTP request that `send`
//! or `redeliver` made. Appended under a lock in one write; read by
//! streaming, line by line, in a fixed amount of memory; rewritten only by
//! `prune`, atomically, under the same lock.
//!
//! Records are written with their small fields first and in a fixed order,
//! so that readers can take a record's "head" (everything but the payload
//! and the answer's body) without parsing the rest, and reject lines that
//! cannot match a filter without parsing them at all.

mod follow;
mod lookup;
mod record;
mod scan;
mod seek;
mod summary;
mod write;

pub(crate) use follow::{Followed, follow};
pub(crate) use lookup::{
    Attempt, OneId, attempts_of, has_profile, parse_record, record_line, request_id_needle,
    resolve_ids,
};
pub use record::{FIELDS, Head, RESPONSE_BODY_LIMIT, Record};
pub(crate) use scan::{Line, Needle, ScanReport, line_at, open, scan, scan_file};
pub(crate) use seek::{newest, since_start};
pub(crate) use summary::{EventTotals, Summary, SummaryBuilder, summarize};
pub(crate) use write::{append, check_lock, check_writable, prune};
