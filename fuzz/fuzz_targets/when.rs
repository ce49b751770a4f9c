//! Times for --since, --until and prune --before: any text is a time or an
//! error, never a panic; an end bound is never before the start bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfhook::core::filter::{Bound, CodeMatch, parse_when};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = jiff::Timestamp::UNIX_EPOCH;
    if let (Ok(start), Ok(end)) = (parse_when(text, Bound::Start, now), parse_when(text, Bound::End, now)) {
        assert!(start <= end);
    }
    let _ = CodeMatch::parse(text);
});
