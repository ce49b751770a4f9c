//! Property tests over the parsers that take outside input: config.toml,
//! delivery-log lines, event names, `--set` edits and times. They run in CI
//! with every `cargo test`; the same parsers have cargo-fuzz targets in
//! `fuzz/` for longer runs.

use std::borrow::Cow;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::value::RawValue;
use sfhook::core::catalog::{self, EVENTS, Platform};
use sfhook::core::config::Config;
use sfhook::core::endpoint::Endpoint;
use sfhook::core::filter::{Bound, parse_when};
use sfhook::core::log::{Head, Record};
use sfhook::core::payload::{self, Assignment};
use sfhook::core::secret::Secret;
use sfhook::core::units::format_timestamp;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[a-zA-Z0-9 ._\\-\"\\\\]{0,40}",
        proptest::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
    ]
}

proptest! {
    // The regressions file sits beside this source file. proptest's default
    // would look for a main.rs above it, find tests/cli/main.rs, and use
    // tests/proptest-regressions/properties.txt instead.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// Any text is a config or an error, never a panic.
    #[test]
    fn config_text_never_panics(text in any_text()) {
        let _ = toml::from_str::<Config>(&text);
        let _ = toml::from_str::<Config>(&format!("[profiles.default]\n{text}"));
    }

    /// A profile with any secret, events and settings survives a round trip
    /// through config.toml exactly.
    #[test]
    fn config_round_trips(
        name in "[a-z][a-z0-9_-]{0,20}",
        secret in ".+",
        host in "[a-z]{1,10}(\\.[a-z]{2,5}){0,2}",
        path in "(/[a-zA-Z0-9_-]{0,8}){0,3}",
        active: bool,
        events in proptest::sample::subsequence((0..EVENTS.len()).collect::<Vec<_>>(), 0..EVENTS.len()),
        timeout_ms in 1u64..=3_600_000,
        retries in 0u32..=20,
        backoff_ms in 0u64..=600_000,
    ) {
        let mut config = Config::default();
        let profile = config.profile_mut(&name);
        profile.url = Some(Endpoint::parse(&format!("https://{host}{path}")).unwrap());
        profile.secret = Some(Secret::new(secret.clone()).unwrap());
        profile.active = active;
        for i in &events {
            profile.subscriptions.add(&EVENTS[*i]);
        }
        profile.delivery.timeout = Duration::from_millis(timeout_ms);
        profile.delivery.retries = retries;
        profile.delivery.backoff = Duration::from_millis(backoff_ms);
        let text = toml::to_string(&config).unwrap();
        let back: Config = toml::from_str(&text).unwrap();
        let got = back.profile(&name).unwrap();
        prop_assert_eq!(got.secret.as_ref().unwrap().expose(), secret.as_str());
        prop_assert_eq!(got.active, active);
        prop_assert_eq!(got.subscriptions.len(), events.len());
        prop_assert_eq!(got.delivery, config.profile(&name).unwrap().delivery);
        prop_assert_eq!(got.url.as_ref(), config.profile(&name).unwrap().url.as_ref());
    }

    /// Any bytes are a log record or not, never a panic.
    #[test]
    fn log_line_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Some(head) = Head::parse(&bytes) {
            let _ = head.comparable_timestamp();
        }
    }

    /// Whatever the strings hold (quotes, backslashes, any Unicode), the
    /// head read back from a written line equals what was written, whether
    /// the fast reader or the full parse handles it.
    #[test]
    fn log_lines_read_back_what_was_written(
        request_id in any_text(),
        event in any_text(),
        url in any_text(),
        error in proptest::option::of(any_text()),
        code in proptest::option::of(100u16..600),
        success: bool,
        duration_ms: u64,
        attempt: u32,
        redelivery_of in proptest::option::of(any_text()),
        profile in any_text(),
        body in any_text(),
        millis in 0i64..4_000_000_000_000,
    ) {
        let payload = serde_json::to_string(&serde_json::json!({ "body": body })).unwrap();
        let payload = RawValue::from_string(payload).unwrap();
        let timestamp = format_timestamp(Timestamp::from_millisecond(millis).unwrap());
        let record = Record {
            request_id: Cow::Borrowed(&request_id),
            event_id: Cow::Borrowed("e"),
            event: Cow::Borrowed(&event),
            timestamp: Cow::Borrowed(&timestamp),
            url: Cow::Borrowed(&url),
            response_code: code,
            success,
            error: error.as_deref().map(Cow::Borrowed),
            duration_ms,
            attempt,
            redelivery_of: redelivery_of.as_deref().map(Cow::Borrowed),
            profile: Cow::Borrowed(&profile),
            payload: &payload,
            response_body: Cow::Borrowed(&body),
        };
        let line = record.to_line();
        prop_assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1, "one line, one newline");
        let head = Head::parse(&line[..line.len() - 1]).expect("a written record reads back");
        prop_assert_eq!(head.request_id.as_ref(), request_id.as_str());
        prop_assert_eq!(head.event.as_ref(), event.as_str());
        prop_assert_eq!(head.url.as_ref(), url.as_str());
        prop_assert_eq!(head.error.as_deref(), error.as_deref());
        prop_assert_eq!(head.response_code, code);
        prop_assert_eq!(head.success, success);
        prop_assert_eq!(head.duration_ms, duration_ms);
        prop_assert_eq!(head.attempt, attempt);
        prop_assert_eq!(head.redelivery_of.as_deref(), redelivery_of.as_deref());
        prop_assert_eq!(head.profile.as_ref(), profile.as_str());
        let comparable = head.comparable_timestamp().unwrap().into_owned();
        prop_assert_eq!(comparable, timestamp);
        let full: Record = serde_json::from_slice(&line).unwrap();
        prop_assert_eq!(full.payload.get(), payload.get());
    }

    /// Every spelling of every event resolves to it, in any case and with
    /// any of the separators people type.
    #[test]
    fn event_spellings_resolve(index in 0..EVENTS.len(), upper in proptest::collection::vec(any::<bool>(), 64), sep in "[-._ ]") {
        let event = &EVENTS[index];
        for spelling in [event.slug, event.wire, event.name] {
            let mixed: String = spelling
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            prop_assert_eq!(catalog::resolve(&mixed).unwrap(), event);
            let separated = mixed.replace(['-', '.', '_', ' '], &sep);
            prop_assert_eq!(catalog::resolve(&separated).unwrap(), event);
        }
    }

    /// Any other name is an error that suggests a real slug.
    #[test]
    fn unknown_names_get_a_suggestion(name in any_text()) {
        match catalog::resolve(&name) {
            Ok(event) => prop_assert!(EVENTS.contains(event)),
            Err(message) if name.trim().is_empty() => prop_assert!(message.contains("is empty"), "{}", message),
            Err(message) => {
                let suggests = EVENTS.iter().any(|e| message.contains(&format!("did you mean '{}'", e.slug)));
                prop_assert!(suggests, "{}", message);
                prop_assert!(!message.contains('\n'));
            }
        }
    }

    /// A `--set` on fresh keys creates them and the value reads back; any
    /// edit that fails leaves the document exactly as it was.
    #[test]
    fn set_paths_create_and_read_back(keys in proptest::collection::vec("[a-z_]{1,6}", 1..5), value in any_text()) {
        let mut document = serde_json::json!({});
        let edit = Assignment::parse(&format!("{}={value}", keys.join("."))).unwrap();
        edit.apply(&mut document).unwrap();
        let pointer = format!("/{}", keys.join("/"));
        prop_assert_eq!(document.pointer(&pointer).and_then(|v| v.as_str()), Some(value.as_str()));
    }

    #[test]
    fn set_edits_fail_cleanly(text in any_text()) {
        let event = catalog::resolve("device-lost").unwrap();
        let mut document = payload::sample(event, Platform::Android, "id", Timestamp::UNIX_EPOCH, 0);
        let before = document.clone();
        if let Ok(edit) = Assignment::parse(&text)
            && edit.apply(&mut document).is_err()
        {
            prop_assert_eq!(document, before);
        }
    }

    /// RFC 3339 times read back as themselves, at any offset.
    #[test]
    fn rfc3339_times_parse(seconds in -1_000_000_000i64..4_000_000_000, offset_minutes in -720i32..=840) {
        let ts = Timestamp::from_second(seconds).unwrap();
        let offset = jiff::tz::Offset::from_seconds(offset_minutes * 60).unwrap();
        let text = ts.display_with_offset(offset).to_string();
        prop_assert_eq!(parse_when(&text, Bound::Start, Timestamp::now()).unwrap(), ts);
    }

    /// A date covers its whole day: from its first to its last millisecond.
    #[test]
    fn dates_cover_whole_days(days in -200_000i32..200_000) {
        let date = jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
        let text = date.to_string();
        let start = parse_when(&text, Bound::Start, Timestamp::now()).unwrap();
        let end = parse_when(&text, Bound::End, Timestamp::now()).unwrap();
        prop_assert_eq!(end - start, SignedDuration::from_millis(86_400_000 - 1));
    }

    /// Any text is a time or an error; never a panic.
    #[test]
    fn when_never_panics(text in any_text()) {
        let now = Timestamp::now();
        if let (Ok(start), Ok(end)) = (parse_when(&text, Bound::Start, now), parse_when(&text, Bound::End, now)) {
            prop_assert!(start <= end);
        }
    }
}
