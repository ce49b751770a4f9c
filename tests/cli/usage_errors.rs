//! Usage errors are a contract too: scripts read the exit code and people
//! read the message. A representative set of refusals, each with its exact
//! stderr, stdout and exit code, is a snapshot. `bad_input` checks many
//! more for their code, their one line and for leaving state unchanged.

use crate::support::*;

/// Name of the snapshot, and sfhook's arguments.
const CASES: &[(&str, &[&str])] = &[
    ("no-subcommand", &[]),
    ("unknown-subcommand", &["nosuchcommand"]),
    ("unknown-option", &["status", "--bogus"]),
    ("bad-color", &["--color", "sometimes", "status"]),
    ("empty-profile", &["--profile", "", "status"]),
    ("invalid-profile-name", &["--profile", "a/b", "status"]),
    (
        "unknown-event-with-suggestion",
        &["subscribe", "device-enroled"],
    ),
    ("unknown-event", &["mock", "nope"]),
    ("empty-event-name", &["unsubscribe", "device-enrolled", ""]),
    (
        "event-on-unsupported-platform",
        &["events", "show", "device-lost", "--platform", "linux"],
    ),
    ("subscribe-nothing", &["subscribe"]),
    (
        "subscribe-all-and-events",
        &["subscribe", "--all", "device-lost"],
    ),
    ("unsubscribe-all-unconfirmed", &["unsubscribe", "--all"]),
    ("bad-since", &["logs", "--since", "nonsense"]),
    ("impossible-date", &["logs", "--since", "2026-02-30"]),
    (
        "since-after-until",
        &["logs", "--since", "2d", "--until", "3d"],
    ),
    ("bad-code", &["logs", "--code", "6xx"]),
    ("bad-limit", &["logs", "--limit", "-1"]),
    ("failed-and-succeeded", &["logs", "--failed", "--succeeded"]),
    ("logs-show-unknown-id", &["logs", "show", "zzzz"]),
    ("prune-unconfirmed", &["logs", "prune", "--before", "1d"]),
    ("configure-bad-url", &["configure", "--url", "notaurl"]),
    (
        "configure-ftp-url",
        &["configure", "--url", "ftp://hooks.example.com/"],
    ),
    ("configure-bad-timeout", &["configure", "--timeout", "0"]),
    (
        "configure-timeout-unit",
        &["configure", "--timeout", "10 parsecs"],
    ),
    ("configure-bad-retries", &["configure", "--retries", "1000"]),
    (
        "configure-two-secret-sources",
        &["configure", "--secret-stdin", "--generate-secret"],
    ),
    (
        "mock-count-out-of-range",
        &["mock", "device-enrolled", "--count", "0"],
    ),
    (
        "set-without-value",
        &["mock", "device-enrolled", "--set", "nothing"],
    ),
    (
        "set-into-a-string",
        &[
            "send",
            "device-enrolled",
            "--set",
            "data=5",
            "--set",
            "data.x=1",
        ],
    ),
    (
        "set-index-out-of-range",
        &["mock", "device-enrolled", "--set", "data.devices.99.name=x"],
    ),
    ("send-unsubscribed", &["send", "device-lost"]),
    ("redeliver-without-ids", &["redeliver"]),
    (
        "redeliver-ids-and-failed",
        &["redeliver", "0123abcd", "--failed"],
    ),
    ("verify-bad-signature", &["verify", "--signature", "xyz"]),
    (
        "listen-bad-path",
        &["listen", "--port", "0", "--path", "nope"],
    ),
    ("completions-unknown-shell", &["completions", "nosh"]),
];

#[test]
fn usage_errors_are_their_snapshots() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled"]);
    let config = std::fs::read(home.config_path()).unwrap();
    for (name, args) in CASES {
        let out = finish(home.cmd().args(*args));
        assert_ne!(out.status.code(), Some(0), "{name}: {}", describe(&out));
        assert!(
            !stderr_of(&out).contains("panicked"),
            "{name}: {}",
            describe(&out)
        );
        let name = format!("usage-{name}");
        with_paths_redacted(&[home.path()], || {
            insta::assert_snapshot!(name, transcript(&out));
        });
    }
    assert_eq!(
        std::fs::read(home.config_path()).unwrap(),
        config,
        "a refusal changed the configuration"
    );
}
