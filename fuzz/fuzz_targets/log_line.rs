//! Delivery-log lines: the fast reader and the full JSON parse agree on
//! every line, and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfhook::core::log::{Head, Record};

fuzz_target!(|data: &[u8]| {
    let head = Head::parse(data);
    let full = serde_json::from_slice::<Record>(data).ok().map(Head::from);
    if let (Some(head), Some(full)) = (&head, &full) {
        assert_eq!(format!("{head:?}"), format!("{full:?}"));
    }
    if full.is_some() {
        assert!(head.is_some(), "a record the full parser reads must be readable");
    }
    if let Some(head) = head {
        let _ = head.comparable_timestamp();
    }
});
