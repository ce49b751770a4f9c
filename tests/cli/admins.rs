//! What admins meet at the prompt: summaries that count events as well as
//! requests, a mistyped profile, values in any case, and unsubscribing a
//! profile that is switched off.

use crate::support::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

fn expect_code(out: &std::process::Output, expected: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(expected),
        "{what}: {}",
        stderr_of(out)
    );
}

fn summary_json(home: &TestHome) -> Value {
    let output = run_ok(home, &["logs", "summary", "--json"]);
    serde_json::from_slice(&output.stdout).expect("logs summary --json is JSON")
}

fn counts(summary: &Value) -> [u64; 6] {
    let n = |v: &Value| v.as_u64().expect("a count");
    [
        n(&summary["events"]["total"]),
        n(&summary["events"]["delivered"]),
        n(&summary["events"]["undelivered"]),
        n(&summary["total_events"]),
        n(&summary["total_success_events"]),
        n(&summary["total_failed_events"]),
    ]
}

#[test]
fn a_summary_counts_events_once_however_many_requests_they_took() {
    // The receiver fails the next `fail` requests, then accepts.
    let fail = Arc::new(AtomicUsize::new(0));
    let gate = Arc::clone(&fail);
    let receiver = TestServer::with_handler(move |_, _| {
        let failing = gate
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        Reply::status(if failing { 503 } else { 200 })
    });
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(3);
    home.subscribe(&["device-enrolled"]);
    let send = |expected: i32| {
        home.cmd()
            .args(["send", "device-enrolled"])
            .assert()
            .code(expected);
    };
    // 20 delivered at once, 5 after one retry, 6 never (4 attempts each).
    for _ in 0..20 {
        send(0);
    }
    for _ in 0..5 {
        fail.store(1, Ordering::SeqCst);
        send(0);
    }
    for _ in 0..6 {
        fail.store(4, Ordering::SeqCst);
        send(3);
    }
    assert_eq!(fail.load(Ordering::SeqCst), 0);
    assert_eq!(receiver.received().len(), 20 + 5 * 2 + 6 * 4);
    let before = summary_json(&home);
    assert_eq!(counts(&before), [31, 25, 6, 54, 25, 29], "{before}");

    // Redelivering the six failed events delivers them: the events are
    // now all delivered, the earlier requests are counted as before, and
    // the six new requests are added.
    run_ok(&home, &["redeliver", "--failed"]);
    let after = summary_json(&home);
    assert_eq!(counts(&after), [31, 31, 0, 60, 31, 29], "{after}");
    assert_eq!(
        before["by_response_code"]["503"],
        after["by_response_code"]["503"]
    );

    // The human summary leads with events; the pipe format keys them.
    let pipe = stdout_of(&run_ok(&home, &["logs", "summary"]));
    assert!(
        pipe.starts_with("events\t31\ndelivered\t31\nundelivered\t0\ntotal\t60\n"),
        "{pipe}"
    );
}

#[test]
fn a_mistyped_profile_is_a_usage_error_suggesting_the_real_one() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&receiver);
    for args in [
        &["--profile", "defualt", "logs"][..],
        &["logs", "summary", "--profile", "Default"],
        &["status", "--profile", "defualt"],
        &["send", "device-enrolled", "--profile", "defautl"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        expect_code(&out, 2, &args.join(" "));
        let err = stderr_of(&out);
        assert!(err.contains("did you mean 'default'?"), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    // Nothing close: the known profiles are listed, and how to make one.
    let out = home
        .cmd()
        .args(["--profile", "zz", "status"])
        .output()
        .unwrap();
    expect_code(&out, 2, "--profile zz status");
    assert!(
        stderr_of(&out).contains("sfhook --profile zz configure"),
        "{}",
        stderr_of(&out)
    );
    // A profile that is only in the log (its config was removed) is known.
    let mut log = std::fs::read_to_string(home.log_path()).unwrap();
    log = log.replace("\"profile\":\"default\"", "\"profile\":\"retired\"");
    write_private(&home.log_path(), log.as_bytes());
    let out = run_ok(&home, &["--profile", "retired", "logs", "--json"]);
    assert_eq!(stdout_of(&out).lines().count(), 2);
}

#[test]
fn platforms_and_categories_are_taken_as_the_tables_print_them() {
    let home = TestHome::new();
    let lines = |args: &[&str]| stdout_of(&run_ok(&home, args)).lines().count();
    let ios = lines(&["events", "--platform", "ios"]);
    assert!(ios > 0);
    for spelling in ["iOS", "IOS", "Ios"] {
        assert_eq!(
            lines(&["events", "--platform", spelling]),
            ios,
            "{spelling}"
        );
    }
    let management = lines(&["events", "--category", "management"]);
    assert!(management > 0);
    for spelling in ["Management", "MANAGEMENT", "Management Events"] {
        assert_eq!(
            lines(&["events", "--category", spelling]),
            management,
            "{spelling}"
        );
    }
    assert_eq!(
        lines(&["events", "--category", "Device Update"]),
        lines(&["events", "--category", "device-update"])
    );
    // A mock for the platform as printed.
    let receiver = TestServer::start(Reply::status(200));
    home.mock_at(&receiver.url(), "device-enrolled")
        .args(["--platform", "IOS"])
        .assert()
        .success();
    let body = receiver.received()[0].json().to_string();
    assert!(body.contains("\"os_type\":\"ios\""), "{body}");
}

#[test]
fn unsubscribe_works_on_a_deactivated_profile_and_leaves_it_off() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled", "device-locked"]);
    run_ok(&home, &["deactivate"]);
    let out = run_ok(&home, &["unsubscribe", "device-locked"]);
    assert!(stderr_of(&out).contains("Unsubscribed from device-locked"));
    run_ok(&home, &["unsubscribe", "--all", "--yes"]);
    let status = home.status_json(None);
    assert_eq!(status["active"], false, "{status}");
    assert_eq!(status["subscriptions"], serde_json::json!([]), "{status}");
    // Subscribing still needs the profile switched on.
    let out = home
        .cmd()
        .args(["subscribe", "device-lost"])
        .output()
        .unwrap();
    expect_code(&out, 5, "subscribe on an inactive profile");
}

#[test]
fn try_it_names_the_event_just_subscribed_to() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled"]);
    let out = run_ok(&home, &["subscribe", "device-sim-swap"]);
    assert!(
        stderr_of(&out).contains("Try it: sfhook mock device-sim-swap"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn the_environment_does_not_fill_usage_lines() {
    let home = TestHome::new();
    // SFHOOK_HOME and SFHOOK_PROFILE are set; the usage line shows only
    // what was typed.
    let out = home
        .cmd()
        .env("SFHOOK_PROFILE", "default")
        .args(["logs", "show"])
        .output()
        .unwrap();
    expect_code(&out, 2, "logs show without an id");
    let err = stderr_of(&out);
    assert!(err.contains("Usage: sfhook logs show <ID>"), "{err}");
    assert!(
        !err.contains("--home <DIR>") && !err.contains("--profile <NAME>"),
        "{err}"
    );
    // `sfhook` alone prints its help, with the environment set or not.
    for with_env in [false, true] {
        let mut cmd = if with_env { home.cmd() } else { sfhook() };
        let out = cmd.output().unwrap();
        expect_code(&out, 2, "sfhook alone");
        assert!(stderr_of(&out).contains("Usage: sfhook [OPTIONS] <COMMAND>"));
    }
}

#[test]
fn help_is_a_subcommand_of_commands_with_subcommands() {
    let home = TestHome::new();
    for (args, usage) in [
        (&["logs", "help"][..], "Usage: sfhook logs"),
        (&["events", "help"], "Usage: sfhook events"),
        (&["logs", "help", "prune"], "Usage: sfhook logs prune"),
        (&["help", "logs", "show"], "Usage: sfhook logs show"),
    ] {
        let out = run_ok(&home, args);
        assert!(
            stdout_of(&out).contains(usage),
            "{args:?}: {}",
            stdout_of(&out)
        );
    }
}

#[test]
fn yesterday_and_today_are_times() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&receiver);
    let count = |args: &[&str]| stdout_of(&run_ok(&home, args)).lines().count();
    assert_eq!(count(&["logs", "--since", "today"]), 2);
    assert_eq!(count(&["logs", "--since", "yesterday"]), 2);
    assert_eq!(count(&["logs", "--until", "yesterday"]), 0);
}

#[test]
fn logs_show_leads_with_the_outcome_and_the_events_other_requests() {
    let receiver = TestServer::with_handler(|_, n| {
        if n == 0 {
            Reply::with_body(503, "busy, try later")
        } else {
            Reply::with_body(200, "stored")
        }
    });
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(2);
    home.subscribe(&["device-enrolled"]);
    run_ok(&home, &["send", "device-enrolled"]);
    let records = home.log_records();
    assert_eq!(records.len(), 2);
    let (first, second) = (
        records[0]["request_id"].as_str().unwrap(),
        records[1]["request_id"].as_str().unwrap(),
    );
    let shown = stdout_of(&run_ok(&home, &["logs", "show", first]));
    assert!(shown.starts_with("✗ failed: 503"), "{shown}");
    assert!(
        shown.contains(&format!("delivered later by {second}")),
        "{shown}"
    );
    assert!(shown.contains("Requests for this event (2)"), "{shown}");
    let at = |text: &str| {
        shown
            .find(text)
            .unwrap_or_else(|| panic!("{text}: {shown}"))
    };
    assert!(at(second) < at("Answer"));
    assert!(at("busy, try later") < at("Payload"));
    // The delivered one says nothing more about delivery.
    let shown = stdout_of(&run_ok(&home, &["logs", "show", second]));
    assert!(shown.starts_with("✓ succeeded: 200"), "{shown}");
    assert!(!shown.contains("delivered later by"), "{shown}");
}

#[test]
fn a_long_logs_show_goes_through_the_pager_on_a_terminal_only() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&receiver);
    let id = home.log_records()[1]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let paged = home.path().join("paged.txt");
    let pager = format!("cat > '{}'", paged.display());
    let run = pty_run(
        &home,
        &["logs", "show", &id],
        &[("SFHOOK_PAGER", pager.as_str()), ("NO_COLOR", "1")],
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    let text = std::fs::read_to_string(&paged).expect("the pager ran");
    assert!(text.starts_with("✓ succeeded: 200"), "{text}");
    assert!(text.contains("Payload"), "{text}");
    assert!(!run.screen.contains("Payload"), "{}", run.screen);
    // On a pipe there is no pager, whatever PAGER says.
    std::fs::remove_file(&paged).unwrap();
    let out = home
        .cmd()
        .env("SFHOOK_PAGER", &pager)
        .args(["logs", "show", &id])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("Payload"));
    assert!(!paged.exists());
}

#[test]
fn a_filtered_summary_counts_an_event_delivered_by_a_request_it_left_out() {
    let receiver = TestServer::with_handler(|_, n| Reply::status(if n == 0 { 503 } else { 200 }));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(1);
    home.subscribe(&["device-enrolled"]);
    run_ok(&home, &["send", "device-enrolled"]);
    let failed = stdout_of(&run_ok(&home, &["logs", "summary", "--failed", "--json"]));
    let failed: Value = serde_json::from_str(&failed).unwrap();
    // One failed request, of one event that its retry delivered.
    assert_eq!(counts(&failed), [1, 1, 0, 1, 0, 1], "{failed}");
}

#[test]
fn doctor_keeps_its_verdict_when_the_reader_leaves_early() {
    let receiver = TestServer::start(Reply::status(503));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.subscribe(&["device-enrolled"]);
    for json in ["", " --json"] {
        let script = format!("set -o pipefail; '{BIN}' doctor{json} | head -c 1 >/dev/null");
        let out = std::process::Command::new("bash")
            .args(["-c", &script])
            .env("SFHOOK_HOME", home.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "doctor{json} | head: {}",
            stderr_of(&out)
        );
    }
}
