//! `--set` edits: parsing and applying any edit to a sample either works or
//! is an error that leaves the document as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfhook::core::catalog::{self, Platform};
use sfhook::core::payload::{self, Assignment};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(edit) = Assignment::parse(text) else { return };
    let event = catalog::resolve("device-enrolled").unwrap();
    let ts = jiff::Timestamp::UNIX_EPOCH;
    let mut document = payload::sample(event, Platform::Android, "id", ts, 0);
    let before = document.clone();
    if edit.apply(&mut document).is_err() {
        assert_eq!(document, before);
    }
    let _ = payload::compact(&document);
});
