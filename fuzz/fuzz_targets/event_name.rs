//! Event names: any text resolves to an event or to a one-line error that
//! suggests a known slug (or says the name is empty).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfhook::core::catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else { return };
    match catalog::resolve(name) {
        Ok(event) => assert!(catalog::EVENTS.contains(event)),
        Err(message) => {
            assert!(!message.contains('\n'));
            assert!(message.contains("did you mean '") || message.contains("is empty"));
        }
    }
});
