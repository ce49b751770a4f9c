//! The terminal experience, checked on a real pseudo-terminal: colour only
//! where it belongs (NO_COLOR, --color), checklists and confirmations that
//! work on a terminal and never wait without one, and progress bars on a
//! terminal but not on a pipe.
//!
//! `pty_run` (in `support`) starts the real binary on a new pty, types
//! the given keys and collects everything the program wrote.

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

/// How long a command may wait before the test calls it a hang.
const LIMIT: Duration = Duration::from_secs(60);

/// `TestHome::with_history`, with a body to sign beside it.
fn prepared(receiver: &TestServer) -> TestHome {
    let home = TestHome::with_history(receiver);
    std::fs::write(home.path().join("body.json"), br#"{"a":1}"#).unwrap();
    home
}

/// Command lines that print data, diagnostics, tables and errors.
fn representative(home: &TestHome) -> Vec<Vec<String>> {
    let body = home.path().join("body.json").display().to_string();
    let lines: &[&[&str]] = &[
        &["status"],
        &["events"],
        &["events", "show", "device-sim-swap"],
        &["logs"],
        &["logs", "--follow-not-a-flag"],
        &["logs", "summary"],
        &["logs", "show", "--raw", "nonexistent"],
        &["mock", "device-enrolled"],
        &["mock", "device-enrolled", "--count", "50"],
        &["send", "device-enrolled"],
        &["send", "device-lost"],
        &["doctor"],
        &["subscribe", "device-lost"],
        &["unsubscribe", "device-lost"],
        &["configure", "--timeout", "4s"],
        &["activate"],
        &["sign", &body],
        &["verify", "--signature", &"0".repeat(64), &body],
        &["logs", "prune", "--before", "2000-01-01", "--yes"],
    ];
    lines
        .iter()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn has_escape(text: &str) -> bool {
    text.contains('\x1b')
}

#[test]
fn no_color_keeps_every_escape_off_a_terminal() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    let mut coloured = 0;
    for args in representative(&home) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let plain = pty_run(&home, &args, &[("NO_COLOR", "1")], &[]);
        assert!(plain.code.is_some(), "sfhook {args:?} did not finish");
        assert!(
            !has_escape(&plain.screen),
            "sfhook {args:?} with NO_COLOR=1 wrote an escape:\n{:?}",
            plain.screen
        );
        let never = pty_run(
            &home,
            &[&["--color", "never"], &args[..]].concat(),
            &[],
            &[],
        );
        assert!(
            !has_escape(&never.screen),
            "sfhook --color never {args:?} wrote an escape:\n{:?}",
            never.screen
        );
        // The same command without NO_COLOR: the terminal gets colour, which
        // shows that the check above could fail.
        coloured += usize::from(has_escape(&pty_run(&home, &args, &[], &[]).screen));
    }
    assert!(
        coloured >= 10,
        "only {coloured} commands coloured a terminal"
    );
    // NO_COLOR set to nothing counts as unset.
    assert!(has_escape(
        &pty_run(&home, &["status"], &[("NO_COLOR", "")], &[]).screen
    ));
}

#[test]
fn color_always_colours_a_pipe_and_auto_does_not() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    for args in [&["status"][..], &["doctor"], &["subscribe", "device-lost"]] {
        let always = home
            .cmd()
            .args(["--color", "always"])
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let both = format!("{}{}", stdout_of(&always), stderr_of(&always));
        assert!(
            has_escape(&both),
            "--color always {args:?}: no colour: {both:?}"
        );
        let auto = home.cmd().args(args).output().unwrap();
        let both = format!("{}{}", stdout_of(&auto), stderr_of(&auto));
        assert!(!has_escape(&both), "{args:?} on a pipe coloured: {both:?}");
    }
    // Errors too: the label is coloured when asked.
    let out = home
        .cmd()
        .args(["--color", "always", "send", "nope"])
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).starts_with("\x1b["),
        "{:?}",
        stderr_of(&out)
    );
}

#[test]
fn subscribe_without_events_offers_a_checklist_on_a_terminal() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    // Down to the third event (device-unenrolled), tick it, confirm.
    let run = pty_run(&home, &["subscribe"], &[], &["\x1b[B", "\x1b[B", " ", "\r"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(run.screen.contains("device-enrolled"), "{}", run.screen);
    assert!(
        run.screen.contains("Subscribed to device-unenrolled"),
        "{}",
        run.screen
    );
    let status = home.cmd().args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        status["subscriptions"],
        serde_json::json!(["device-unenrolled"])
    );

    // unsubscribe offers only what the profile is subscribed to.
    let run = pty_run(&home, &["unsubscribe"], &[], &[" ", "\r"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("Unsubscribed from device-unenrolled"),
        "{}",
        run.screen
    );
    assert!(!run.screen.contains("device-sim-swap"), "{}", run.screen);
}

#[test]
fn destructive_actions_confirm_on_a_terminal() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    let records = home.log_records().len();

    // No: nothing changes.
    let run = pty_run(&home, &["unsubscribe", "--all"], &[], &["n"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen
            .contains("Unsubscribe profile 'default' from all 2 events"),
        "{}",
        run.screen
    );
    let run = pty_run(
        &home,
        &["logs", "prune", "--before", "2099-01-01"],
        &[],
        &["n"],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("Drop 2 of 2 deliveries"),
        "{}",
        run.screen
    );
    assert_eq!(home.log_records().len(), records);
    let status = home.cmd().args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["subscriptions"].as_array().unwrap().len(), 2);

    // Yes: done.
    let run = pty_run(&home, &["unsubscribe", "--all"], &[], &["y"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("Unsubscribed from device-enrolled"),
        "{}",
        run.screen
    );
}

#[test]
fn nothing_waits_on_a_prompt_without_a_terminal() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    let fresh = TestHome::new();
    let cases: &[(&TestHome, &[&str])] = &[
        (&fresh, &["configure"]),
        (
            &fresh,
            &["configure", "--url", "https://hooks.example.com/x"],
        ),
        (&home, &["subscribe"]),
        (&home, &["unsubscribe"]),
        (&home, &["unsubscribe", "--all"]),
        (&home, &["logs", "prune", "--before", "2099-01-01"]),
    ];
    for (home, args) in cases {
        // stdin is a pipe that stays open: a prompt would wait for ever.
        let mut child = Command::new(BIN)
            .args(*args)
            .env("SFHOOK_HOME", home.path())
            .env_remove("SFHOOK_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < LIMIT,
                "sfhook {args:?} waited on stdin without a terminal"
            );
            thread::sleep(Duration::from_millis(20));
        };
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            status.code(),
            Some(2),
            "sfhook {args:?}: {}",
            stderr_of(&out)
        );
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains("--yes")
                || stderr.contains("--url")
                || stderr.contains("name the events")
                || stderr.contains("--secret"),
            "sfhook {args:?} does not say what to pass: {stderr}"
        );
    }
    // Nothing was changed by any of them.
    assert_eq!(home.log_records().len(), 2);
    assert!(!fresh.config_path().exists());
}

#[test]
fn long_work_shows_progress_on_a_terminal_and_none_on_a_pipe() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    let burst = ["mock", "device-enrolled", "--count", "300"];
    let run = pty_run(&home, &burst, &[], &[]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(run.screen.contains("/300 mocks"), "{:?}", run.screen);

    let out = home.cmd().args(burst).output().unwrap();
    assert!(out.status.success());
    assert!(!stderr_of(&out).contains("mocks "), "{}", stderr_of(&out));
    assert!(!has_escape(&stderr_of(&out)));

    // Many redeliveries, by id.
    let ids: Vec<String> = home
        .log_records()
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    let mut args = vec!["redeliver"];
    args.extend(ids.iter().map(String::as_str));
    let run = pty_run(&home, &args, &[], &[]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(run.screen.contains("/2 redeliveries"), "{:?}", run.screen);
}

#[test]
fn without_colour_prompts_ask_line_by_line_without_escapes() {
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    let no_color = [("NO_COLOR", "1")];

    let run = pty_run(&home, &["subscribe"], &no_color, &["x 3\r", "3\r"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(run.screen.contains("Numbers to tick"), "{}", run.screen);
    assert!(
        run.screen.contains("'x' is not a number from 1 to 14"),
        "{}",
        run.screen
    );
    assert!(
        run.screen.contains("Subscribed to device-unenrolled"),
        "{}",
        run.screen
    );
    assert!(!has_escape(&run.screen), "{:?}", run.screen);

    let run = pty_run(&home, &["unsubscribe", "--all"], &no_color, &["n\r"]);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(run.screen.contains("[y/N]"), "{}", run.screen);
    assert!(run.screen.contains("Nothing changed"), "{}", run.screen);
    assert!(!has_escape(&run.screen), "{:?}", run.screen);

    let run = pty_run(
        &home,
        &["logs", "prune", "--before", "2099-01-01"],
        &no_color,
        &["y\r"],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("Dropped 2 deliveries"),
        "{}",
        run.screen
    );
    assert!(!has_escape(&run.screen), "{:?}", run.screen);
    assert!(home.log_records().is_empty());

    // configure asks for what is missing: a URL until one parses, then the
    // secret, hidden (empty: one is generated and shown once).
    let fresh = TestHome::new();
    let run = pty_run(
        &fresh,
        &["configure"],
        &no_color,
        &["not a url\r", "http://127.0.0.1:9/hook\r", "\r"],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("invalid URL 'not a url'"),
        "{}",
        run.screen
    );
    assert!(run.screen.contains("Generated secret"), "{}", run.screen);
    assert!(!has_escape(&run.screen), "{:?}", run.screen);
    let status = fresh.cmd().args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["url"], "http://127.0.0.1:9/hook");
    assert_eq!(status["configured"], true);
}

#[test]
fn nothing_is_asked_when_stderr_is_not_the_terminal() {
    // The question would go where nobody sees it: fail at once instead.
    let receiver = TestServer::start(Reply::status(200));
    let home = prepared(&receiver);
    for args in [
        &["logs", "prune", "--before", "2099-01-01"][..],
        &["unsubscribe", "--all"],
        &["subscribe"],
    ] {
        for env in [&[][..], &[("NO_COLOR", "1")]] {
            let run = pty_run_with(&home, args, env, &[], 120, true);
            assert_eq!(run.code, Some(2), "sfhook {args:?} {env:?}: {}", run.screen);
        }
    }
    assert_eq!(home.log_records().len(), 2);

    // No secret is made up when the question cannot be seen.
    let fresh = TestHome::new();
    let run = pty_run_with(
        &fresh,
        &["configure", "--url", "http://127.0.0.1:9/x"],
        &[],
        &[],
        120,
        true,
    );
    assert_eq!(run.code, Some(2), "{}", run.screen);
    assert!(!fresh.config_path().exists());
}
