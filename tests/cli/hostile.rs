//! Data from outside sfhook treated as hostile: a receiver that answers
//! with terminal escapes, a delivery log someone tampered with, CSV that a
//! spreadsheet would run, a redelivery under the wrong profile, bodies too
//! deep for the log, and a stdout that cannot be written.
//!
//! The contract (PRODUCT.md, "Trust boundaries"): nothing from the network
//! or the log reaches a terminal raw, in any human format; CSV defuses
//! formulas unless `--format csv-raw`; JSON stays exact; `redeliver` sends
//! a record only with the profile that logged it.

use std::fs::OpenOptions;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::*;

/// Every kind of character that must not reach a terminal raw: an OSC
/// title change ended by BEL, a CSI clear screen, the C1 CSI (U+009B),
/// the bidi override and isolate, the marks, DEL, CR/LF and backspace.
const EVIL: &str =
    "A\u{1b}]0;pwned\u{7}B\u{1b}[2J\u{9b}31mC\u{202e}D\u{2066}E\u{200f}F\u{61c}G\u{7f}H\r\nI\u{8}J";

const STAGING_SECRET: &str = "staging-secret-0123456789";

/// The characters of `bytes` that are controls (C0 but `allowed`, DEL,
/// C1) or bidi controls.
fn raw_controls(bytes: &[u8], allowed: &[char]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c.is_control() && !allowed.contains(&c))
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// Fails unless both streams of a human-format run are free of raw
/// controls; a pipe's lines may hold tabs (TSV).
fn assert_no_raw_controls(what: &str, out: &std::process::Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let found = raw_controls(bytes, &['\n', '\t']);
        assert!(
            found.is_empty(),
            "{what}: raw {found:?} on {stream}:\n{}",
            String::from_utf8_lossy(bytes).escape_debug()
        );
    }
}

/// The same for a terminal's screen, where the pty turns each line feed
/// into CR LF (and TSV separates with tabs). With NO_COLOR, sfhook writes
/// no escape of its own.
fn assert_clean_screen(home: &TestHome, args: &[&str]) -> String {
    // No pager: the screen checked is sfhook's own output, and a pager
    // would wait for a key.
    let run = pty_run(home, args, &[("NO_COLOR", "1"), ("PAGER", "cat")], &[]);
    assert!(run.code.is_some(), "sfhook {args:?} did not finish");
    let found = raw_controls(run.screen.as_bytes(), &['\n', '\r', '\t']);
    assert!(
        found.is_empty(),
        "sfhook {args:?} on a terminal: raw {found:?}:\n{}",
        run.screen.escape_debug()
    );
    run.screen
}

/// A log record as sfhook writes it, with these fields changed.
fn record(request_id: &str, changes: &[(&str, Value)]) -> Value {
    let mut record = json!({
        "request_id": request_id,
        "event_id": "9d2c1f0e-5b6a-4c3d-8e7f-0a1b2c3d4e5f",
        "event": "device.enrolled",
        "timestamp": "2026-03-01T10:00:00.000Z",
        "url": "https://hooks.example.com/in",
        "response_code": 500,
        "success": false,
        "error": null,
        "duration_ms": 12,
        "attempt": 1,
        "redelivery_of": null,
        "profile": "default",
        "payload": {"id": "9d2c1f0e-5b6a-4c3d-8e7f-0a1b2c3d4e5f", "event": "device.enrolled"},
        "response_body": "",
    });
    for (field, value) in changes {
        record[*field] = value.clone();
    }
    record
}

fn write_records(home: &TestHome, records: &[Value]) {
    let mut text = String::new();
    for r in records {
        text.push_str(&serde_json::to_string(r).unwrap());
        text.push('\n');
    }
    write_private(&home.log_path(), text.as_bytes());
}

/// A receiver that answers 503 with escapes everywhere it can put them:
/// the reason phrase (C1 and bidi, which HTTP allows as obs-text), a
/// header and the body.
fn hostile_receiver() -> TestServer {
    let mut answer = format!(
        "HTTP/1.1 503 \u{9b}2J\u{202e} Evil\r\ncontent-length: {}\r\nx-evil: \u{9b}0m\r\nconnection: close\r\n\r\n",
        EVIL.len()
    )
    .into_bytes();
    answer.extend_from_slice(EVIL.as_bytes());
    TestServer::start(Reply::Raw(answer))
}

fn staging(home: &TestHome, url: &str) {
    home.cmd()
        .args(["--profile", "staging", "configure", "--url", url])
        .args(["--secret-stdin", "--retries", "0"])
        .write_stdin(STAGING_SECRET)
        .assert()
        .success();
    home.cmd()
        .args(["--profile", "staging", "activate"])
        .assert()
        .success();
}

// ------------------------------------------------------- control characters

#[test]
fn a_tampered_log_reaches_no_human_format_raw() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    let evil = Value::String(EVIL.to_string());
    write_records(
        &home,
        &[
            record(
                &format!("c0ffee00-0000-4000-8000-00000000000{EVIL}"),
                &[
                    ("event_id", evil.clone()),
                    ("url", json!(format!("https://x/{EVIL}"))),
                    ("error", evil.clone()),
                    ("redelivery_of", evil.clone()),
                    ("payload", json!({"note": EVIL, "id": EVIL})),
                    ("response_body", evil.clone()),
                ],
            ),
            record(
                "d00dfeed-0000-4000-8000-000000000002",
                &[("event", json!(format!("device.enrolled{EVIL}")))],
            ),
        ],
    );
    let listings: &[&[&str]] = &[
        &["logs"],
        &["logs", "--format", "table"],
        &["logs", "--format", "tsv"],
        &["logs", "summary"],
        &["logs", "show", "c0ffee00"],
        &["logs", "show", "d00dfeed"],
        &["redeliver", "c0ffee00", "--dry-run"],
        &["redeliver", "d00dfeed", "--dry-run"],
    ];
    for args in listings {
        let out = run(&home, args);
        assert_eq!(exit_code(&out), 0, "{args:?}: {}", describe(&out));
        assert_no_raw_controls(&format!("{args:?}"), &out);
        let screen = assert_clean_screen(&home, args);
        assert!(
            screen.contains("\\u{1b}]0;pwned\\u{7}") || !screen.contains("pwned"),
            "{args:?}: the escape is shown for what it is:\n{screen}"
        );
    }
    // What was hidden is shown, visibly escaped.
    let shown = stdout_of(&run(&home, &["logs", "show", "c0ffee00"]));
    assert!(
        shown.contains("A\\u{1b}]0;pwned\\u{7}B\\u{1b}[2J\\u{9b}31mC\\u{202e}D"),
        "{shown}"
    );
    // The payload stays valid JSON of the same value.
    let payload = shown.split("Payload\n").nth(1).unwrap();
    let payload = &payload[..payload.find("\n}").unwrap() + 2];
    let parsed: Value = serde_json::from_str(payload).expect("the payload shown is JSON");
    assert_eq!(parsed["note"], EVIL);

    // JSON stays exact.
    let out = run(&home, &["logs", "--json"]);
    let first: Value = serde_json::from_str(stdout_of(&out).lines().next().unwrap()).unwrap();
    assert_eq!(first["response_body"], EVIL);

    // Redelivering a tampered record shows it escaped, whatever comes of it.
    for id in ["c0ffee00", "d00dfeed"] {
        let out = run(&home, &["redeliver", id]);
        assert_no_raw_controls(&format!("redeliver {id}"), &out);
        assert_clean_screen(&home, &["redeliver", id]);
    }
}

#[test]
fn a_hostile_receiver_reaches_no_human_format_raw() {
    let receiver = hostile_receiver();
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);

    let mock = ["mock", "device-enrolled", "--url", &receiver.url()];
    let out = run_expecting(home.cmd().env("SFHOOK_SECRET", SECRET).args(mock), 3);
    assert_no_raw_controls("mock", &out);
    let screen = assert_clean_screen(&home, &mock);
    assert!(screen.contains("A\\u{1b}]0;pwned"), "{screen}");

    let out = run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    assert_no_raw_controls("send", &out);
    assert_clean_screen(&home, &["send", "device-enrolled"]);
    let id = home.log_records()[0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        home.log_records()[0]["response_body"],
        EVIL,
        "the log keeps the answer exact"
    );

    for args in [
        vec!["logs"],
        vec!["logs", "--format", "tsv"],
        vec!["logs", "show", &id],
        vec!["status"],
        vec!["redeliver", "--failed", "--dry-run"],
        vec!["redeliver", &id],
    ] {
        let out = run(&home, &args);
        assert_no_raw_controls(&format!("{args:?}"), &out);
        assert_clean_screen(&home, &args);
    }
    // CSV on a terminal: escaped like the other human formats.
    for format in ["csv", "csv-raw"] {
        let screen = assert_clean_screen(&home, &["logs", "--format", format]);
        assert!(screen.contains("A\\u{1b}]0;pwned"), "{screen}");
    }
}

// --------------------------------------------------------------------- CSV

#[test]
fn csv_defuses_formulas_and_csv_raw_keeps_every_field_exact() {
    let home = TestHome::new();
    let fields = [
        ("event_id", "=1+2"),
        ("url", "+cmd|' /C calc'!A0"),
        ("error", "-2+3"),
        ("redelivery_of", "@SUM(A1:A9)"),
        ("profile", "-ops"),
        (
            "response_body",
            "=HYPERLINK(\"https://evil.example\",\"click\")",
        ),
    ];
    let tab = record(
        "\t=tab",
        &[
            ("response_body", json!("\r=carriage")),
            ("event", json!("-")),
        ],
    );
    let mut formulas = record("c0ffee00-0000-4000-8000-000000000001", &[]);
    for (field, value) in fields {
        formulas[field] = json!(value);
    }
    let harmless = record(
        "d00dfeed-0000-4000-8000-000000000002",
        &[("response_body", json!("ok = fine, -1 inside"))],
    );
    write_records(&home, &[formulas.clone(), tab.clone(), harmless.clone()]);

    let rows = |format: &str| -> Vec<csv::StringRecord> {
        let out = run(&home, &["logs", "--format", format]);
        assert_eq!(exit_code(&out), 0, "{}", describe(&out));
        csv::Reader::from_reader(out.stdout.as_slice())
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let column = |name: &str| RECORD_KEYS.iter().position(|f| *f == name).unwrap();
    let defused = rows("csv");
    for (field, value) in fields {
        assert_eq!(&defused[0][column(field)], format!("'{value}"), "{field}");
    }
    assert_eq!(&defused[1][column("request_id")], "'\t=tab");
    assert_eq!(&defused[1][column("response_body")], "'\r=carriage");
    // A lone '-' is a formula start too in some spreadsheets: defused.
    assert_eq!(&defused[1][column("event")], "'-");
    // Text that only holds such a character later, and the numbers sfhook
    // writes itself, are left alone.
    assert_eq!(&defused[2][column("response_body")], "ok = fine, -1 inside");
    assert_eq!(&defused[0][column("response_code")], "500");
    assert_eq!(&defused[0][column("duration_ms")], "12");

    let exact = rows("csv-raw");
    for (row, want) in exact.iter().zip([&formulas, &tab, &harmless]) {
        for (i, name) in RECORD_KEYS.iter().enumerate() {
            let expected = match &want[*name] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Object(_) => continue,
                other => other.to_string(),
            };
            assert_eq!(&row[i], expected, "csv-raw {name}");
        }
    }
    // Off a terminal, CSV keeps controls as data (RFC 4180 quotes them).
    write_records(&home, &[record("e", &[("response_body", json!(EVIL))])]);
    let raw = rows("csv-raw");
    assert_eq!(&raw[0][column("response_body")], EVIL);
}

// --------------------------------------------------------------- redeliver

#[test]
fn redeliver_sends_a_record_only_with_the_profile_that_logged_it() {
    let production = TestServer::start(Reply::status(200));
    let staging_receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&production.url());
    home.subscribe(&["device-enrolled"]);
    staging(&home, &staging_receiver.url());
    home.cmd()
        .args(["--profile", "staging", "subscribe", "device-locked"])
        .assert()
        .success();
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 0);
    let prod_id = home.log_records()[0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let log_before = std::fs::read(home.log_path()).unwrap();

    // A staging shell redelivering a production record: refused.
    for by_flag in [false, true] {
        let mut cmd = home.cmd();
        if by_flag {
            cmd.args(["--profile", "staging"]);
        } else {
            cmd.env("SFHOOK_PROFILE", "staging");
        }
        let out = run_expecting(cmd.args(["redeliver", &prod_id]), 2);
        let err = stderr_of(&out);
        for part in ["'default'", "'staging'", "--to-profile staging"] {
            assert!(err.contains(part), "{part} not in: {err}");
        }
    }
    assert!(
        staging_receiver.received().is_empty(),
        "sent to staging's endpoint"
    );
    assert_eq!(production.received().len(), 1);
    assert_eq!(std::fs::read(home.log_path()).unwrap(), log_before);

    // No profile named: the record's own.
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_PROFILE", "")
            .args(["redeliver", &prod_id]),
        0,
    );
    assert_no_raw_controls("redeliver", &out);
    let got = production.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].body, got[0].body);
    assert!(got[1].signature_valid(SECRET));
    assert_eq!(home.log_records()[1]["profile"], "default");

    // Naming the record's own profile is fine.
    run_expecting(
        home.cmd()
            .args(["--profile", "default", "redeliver", &prod_id]),
        0,
    );
    assert_eq!(production.received().len(), 3);

    // --to-profile says it on purpose: staging's endpoint and secret.
    run_expecting(
        home.cmd().env("SFHOOK_PROFILE", "staging").args([
            "redeliver",
            &prod_id,
            "--to-profile",
            "staging",
        ]),
        0,
    );
    let got = staging_receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, production.received()[0].body);
    assert!(got[0].signature_valid(STAGING_SECRET));
    let records = home.log_records();
    assert_eq!(records.last().unwrap()["profile"], "staging");
    assert_eq!(records.last().unwrap()["redelivery_of"], prod_id.as_str());

    // A staging record, redelivered from a shell that names no profile,
    // goes to staging, not to default.
    run_expecting(
        home.cmd()
            .args(["--profile", "staging", "send", "device-locked"]),
        0,
    );
    let staging_id = home.log_records().last().unwrap()["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    run_expecting(home.cmd().args(["redeliver", &staging_id]), 0);
    let got = staging_receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got[2].signature_valid(STAGING_SECRET));
    assert_eq!(production.received().len(), 3);

    // A bad --to-profile is a usage error; an unknown one is not configured.
    run_expecting(
        home.cmd()
            .args(["redeliver", &prod_id, "--to-profile", "no way"]),
        2,
    );
    run_expecting(
        home.cmd()
            .args(["redeliver", &prod_id, "--to-profile", "nobody"]),
        5,
    );
    assert_eq!(production.received().len(), 3);
}

/// `n` failed deliveries of device-enrolled, logged by `send`.
fn failed_sends(home: &TestHome, n: usize) {
    for _ in 0..n {
        run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    }
}

fn failing_home(receiver: &TestServer) -> TestHome {
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);
    home
}

#[test]
fn redeliver_dry_run_lists_the_set_and_sends_and_logs_nothing() {
    let receiver = TestServer::start(Reply::status(503));
    let home = failing_home(&receiver);
    failed_sends(&home, 3);
    let ids: Vec<String> = home
        .log_records()
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    let log_before = std::fs::read(home.log_path()).unwrap();

    let out = run_expecting(home.cmd().args(["redeliver", "--failed", "--dry-run"]), 0);
    let lines: Vec<String> = stdout_of(&out).lines().map(str::to_string).collect();
    let want: Vec<String> = ids
        .iter()
        .map(|id| format!("{id}\tdevice.enrolled\tdefault\t503"))
        .collect();
    assert_eq!(lines, want);
    assert!(
        stderr_of(&out).contains("nothing was sent"),
        "{}",
        stderr_of(&out)
    );

    let out = run_expecting(
        home.cmd()
            .args(["redeliver", "--failed", "--dry-run", "--json"]),
        0,
    );
    let planned: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(planned.len(), 3);
    assert_eq!(planned[0]["request_id"], ids[0].as_str());
    assert_eq!(planned[0]["profile"], "default");
    assert_eq!(planned[0]["response_code"], 503);

    let screen = assert_clean_screen(&home, &["redeliver", &ids[1], "--dry-run"]);
    assert!(screen.contains(&ids[1]), "{screen}");

    assert_eq!(receiver.received().len(), 3, "a dry run sent something");
    assert_eq!(std::fs::read(home.log_path()).unwrap(), log_before);
}

#[test]
fn redeliver_asks_before_resending_more_than_ten_on_a_terminal() {
    let receiver = TestServer::start(Reply::status(503));
    let home = failing_home(&receiver);
    failed_sends(&home, 11);

    // Enter takes the default, no: nothing is sent (with and without colour,
    // dialoguer's prompt and the line prompt).
    for env in [&[][..], &[("NO_COLOR", "1")][..]] {
        let run = pty_run(&home, &["redeliver", "--failed"], env, &["\r"]);
        assert_eq!(run.code, Some(0), "{}", run.screen);
        assert!(
            run.screen.contains("Re-send 11 deliveries"),
            "{}",
            run.screen
        );
        assert!(run.screen.contains("Nothing sent"), "{}", run.screen);
        assert_eq!(receiver.received().len(), 11);
    }
    // Yes sends them all.
    let run = pty_run(
        &home,
        &["redeliver", "--failed"],
        &[("NO_COLOR", "1")],
        &["y\r"],
    );
    assert_eq!(run.code, Some(3), "{}", run.screen);
    assert_eq!(receiver.received().len(), 22);
    // --yes, and a script without a terminal, are not asked.
    let run = pty_run(&home, &["redeliver", "--failed", "--yes"], &[], &[]);
    assert_eq!(run.code, Some(3), "{}", run.screen);
    assert!(!run.screen.contains("Re-send"), "{}", run.screen);
    assert_eq!(receiver.received().len(), 33);
    run_expecting(home.cmd().args(["redeliver", "--failed"]), 3);
    assert_eq!(receiver.received().len(), 44);
    // Ten or fewer are not asked about.
    let few = failing_home(&receiver);
    failed_sends(&few, 2);
    let run = pty_run(&few, &["redeliver", "--failed"], &[], &[]);
    assert_eq!(run.code, Some(3), "{}", run.screen);
    assert!(!run.screen.contains("Re-send"), "{}", run.screen);
}

// ------------------------------------------------------------------ bodies

/// A dotted path `levels` keys deep.
fn deep_path(levels: usize) -> String {
    vec!["k"; levels].join(".")
}

#[test]
fn a_body_deeper_than_the_log_can_read_back_is_refused_at_input() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.subscribe(&["device-enrolled"]);

    // As deep as allowed: sent, logged, and shown again.
    let set = format!("{}=x", deep_path(100));
    run_expecting(
        home.cmd().args(["send", "device-enrolled", "--set", &set]),
        0,
    );
    let id = home.log_records()[0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    run_expecting(home.cmd().args(["logs", "show", &id]), 0);
    run_expecting(home.cmd().args(["redeliver", &id]), 0);

    let deep_file = home.path().join("deep.json");
    std::fs::write(
        &deep_file,
        format!("{}{}", "[".repeat(101), "]".repeat(101)),
    )
    .unwrap();
    let deep_file = deep_file.display().to_string();
    let deep_value = format!("k:={}1{}", "[".repeat(100), "]".repeat(100));
    for extra in [
        vec!["--set".to_string(), format!("{}=x", deep_path(101))],
        vec!["--set".to_string(), format!("{}=x", deep_path(300))],
        vec!["--set".to_string(), format!("{}=x", deep_path(60_000))],
        vec!["--set".to_string(), deep_value],
        vec!["--unset".to_string(), deep_path(300)],
        vec!["--data".to_string(), deep_file],
    ] {
        let out = run_expecting(home.cmd().args(["send", "device-enrolled"]).args(&extra), 2);
        let err = stderr_of(&out);
        assert!(err.contains("at most 100"), "{err}");
        assert!(err.len() < 400, "the message repeats the whole path: {err}");
    }
    assert_eq!(receiver.received().len(), 2);
    assert_eq!(home.log_records().len(), 2);
}

// ------------------------------------------------------------------ stdout

#[test]
fn a_full_stdout_does_not_stop_the_retries() {
    let receiver = TestServer::start(Reply::status(503));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.set_retries(3);
    home.subscribe(&["device-enrolled"]);
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = home
        .std_cmd()
        .args(["send", "device-enrolled"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 3, "{}", stderr_of(&out));
    assert_eq!(receiver.received().len(), 4, "every attempt is made");
    let records = home.log_records();
    assert_eq!(records.len(), 4, "every attempt is logged");
    assert_eq!(records[3]["attempt"], 4);
    let err = stderr_of(&out);
    assert!(err.contains("could not be written to stdout"), "{err}");

    // A delivery that worked, but whose report was lost, says so.
    let ok = TestServer::start(Reply::status(200));
    home.cmd()
        .args(["configure", "--url", &ok.url()])
        .assert()
        .success();
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = home
        .std_cmd()
        .args(["send", "device-enrolled"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    assert_eq!(ok.received().len(), 1);
    assert!(
        stderr_of(&out).contains("could not be written"),
        "{}",
        stderr_of(&out)
    );
}
