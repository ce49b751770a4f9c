//! `sfhook run FILE.toml`: scenarios of mocks against a real receiver that
//! checks signatures, one device across the steps, every mistake in the
//! file caught before anything is sent.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

const KIOSK: &str = r#"
name = "kiosk lifecycle"
platform = "android"
[[step]]
event = "device-enrolled"
set = { "data.devices.0.name" = "Lobby Kiosk", "data.devices.0.locked" = false }
[[step]]
event = "device-locked"
tamper = "wrong-signature"
expect = "406"
[[step]]
sleep = "100ms"
[[step]]
event = "device-lost"
[[step]]
event = "device-found"
header = ["X-Tenant: acme"]
[[step]]
event = "device-deleted"
expect = "2xx"
"#;

fn checking_receiver() -> TestServer {
    TestServer::with_handler(|request, _| {
        if request.signature_valid(SECRET) {
            Reply::status(200)
        } else {
            Reply::with_body(406, "Signatures mismatch")
        }
    })
}

fn scenario(home: &TestHome, name: &str, text: &str) -> PathBuf {
    let path = home.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(home: &TestHome, url: &str, file: &PathBuf, extra: &[&str]) -> std::process::Output {
    home.cmd()
        .env("SFHOOK_SECRET", SECRET)
        .env("SFHOOK_URL", url)
        .arg("run")
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_lifecycle_plays_in_order_on_one_device() {
    let server = checking_receiver();
    let home = TestHome::new();
    let file = scenario(&home, "kiosk.toml", KIOSK);
    let out = run(&home, &server.url(), &file, &["--json"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let lines: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "one line per step");
    assert_eq!(lines[1]["response_code"], 406);
    assert_eq!(lines[1]["met"], true);
    assert_eq!(lines[2]["sleep_ms"], 100);

    let got = server.received();
    let events: Vec<String> = got
        .iter()
        .map(|r| r.header("x-sf-event").unwrap().to_string())
        .collect();
    assert_eq!(
        events,
        [
            "device.enrolled",
            "device.locked",
            "device.lost",
            "device.found",
            "device.deleted"
        ]
    );
    // One device: the same id and serial in every body; the first step's
    // `set` edited that step's body only.
    let devices: Vec<Value> = got
        .iter()
        .map(|r| r.json()["data"]["devices"][0].clone())
        .collect();
    for device in &devices {
        assert_eq!(device["id"], devices[0]["id"]);
        assert_eq!(device["serial_no"], devices[0]["serial_no"]);
        assert_eq!(device["os_type"], "android");
    }
    assert_eq!(devices[0]["name"], "Lobby Kiosk");
    assert_eq!(devices[0]["locked"], false);
    assert_ne!(devices[2]["name"], "Lobby Kiosk");
    assert_eq!(got[3].header("x-tenant"), Some("acme"));
    assert!(got.iter().all(|r| r.header("x-sf-mock") == Some("true")));
    // Not logged, like every mock.
    assert!(home.log_records().is_empty());

    // On a pipe: step, event, tamper, code, ok/failed, ms, expected.
    let out = run(&home, &server.url(), &file, &[]);
    assert_eq!(exit_code(&out), 0);
    let second = stdout_of(&out).lines().nth(1).unwrap().to_string();
    let fields: Vec<&str> = second.split('\t').collect();
    assert_eq!(
        fields[..5],
        ["2", "device.locked", "wrong-signature", "406", "ok"]
    );
    assert_eq!(fields[6], "406");
}

#[test]
fn a_step_that_misses_fails_the_scenario_after_every_step_ran() {
    // A receiver that takes everything: the forged step misses.
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let file = scenario(&home, "kiosk.toml", KIOSK);
    let out = run(&home, &server.url(), &file, &[]);
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    let error = stderr_of(&out);
    assert!(
        error.contains("1 of 5 steps of 'kiosk lifecycle' missed: step 2 (device-locked (wrong-signature)): expected 406, got 200 OK"),
        "{error}"
    );
    assert_eq!(server.received().len(), 5, "the steps after it still ran");
    // Nothing listening: exit 4.
    let url = format!("http://127.0.0.1:{}/payload", closed_port());
    let out = run(&home, &url, &file, &[]);
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
}

#[test]
fn mistakes_in_the_file_are_usage_errors_before_anything_is_sent() {
    let server = checking_receiver();
    let home = TestHome::new();
    let cases = [
        (
            "platform = \"android\"\n[[step]]\nevent = \"device-enrolled\"\n[[step]]\nevent = \"device-unenrolled\"",
            "step 2: device-unenrolled is not sent for Android devices",
        ),
        (
            "[[step]]\nevent = \"device-enroled\"",
            "step 1: unknown event 'device-enroled'; did you mean 'device-enrolled'?",
        ),
        (
            "[[step]]\nevent = \"device-lost\"\nexpct = \"2xx\"",
            "unknown field `expct`",
        ),
        (
            "[[step]]\nevent = \"device-lost\"\nexpect = \"2xy\"",
            "step 1: invalid expectation",
        ),
        ("[[step]]\nsleep = \"soon\"", "step 1: invalid duration"),
        ("[[step]\nevent = 1", "line 1"),
        (
            "[[step]]\nevent = \"device-lost\"\ndata = \"missing.json\"",
            "missing.json",
        ),
        (
            "[[step]]\nevent = \"device-lost\"\nset = { \"data.devices.99.name\" = \"x\" }",
            "step 1",
        ),
    ];
    for (text, want) in cases {
        let file = scenario(&home, "bad.toml", text);
        let out = run(&home, &server.url(), &file, &[]);
        assert_eq!(exit_code(&out), 2, "{text:?}: {}", describe(&out));
        assert!(
            stderr_of(&out).contains(want),
            "{text:?}: {}",
            describe(&out)
        );
    }
    let out = run(&home, &server.url(), &home.path().join("nowhere.toml"), &[]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(server.received().is_empty(), "nothing was sent");
}

#[test]
fn the_endpoint_comes_from_the_flag_the_environment_then_the_file() {
    let from_file = TestServer::start(Reply::status(200));
    let from_env = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let text = format!(
        "url = \"{}\"\n[[step]]\nevent = \"device-lost\"\n",
        from_file.url()
    );
    let file = scenario(&home, "where.toml", &text);
    let bare = |extra: &[&str], env_url: Option<&str>| {
        let mut cmd = home.cmd();
        cmd.env("SFHOOK_SECRET", SECRET)
            .arg("run")
            .arg(&file)
            .args(extra);
        if let Some(url) = env_url {
            cmd.env("SFHOOK_URL", url);
        }
        cmd.output().unwrap()
    };
    assert_eq!(exit_code(&bare(&[], None)), 0);
    assert_eq!(from_file.received().len(), 1);
    assert_eq!(exit_code(&bare(&[], Some(&from_env.url()))), 0);
    assert_eq!(from_env.received().len(), 1);
    assert_eq!(exit_code(&bare(&["--url", &from_env.url()], None)), 0);
    assert_eq!(from_env.received().len(), 2);
    assert_eq!(from_file.received().len(), 1);
}

#[test]
fn a_seed_and_a_time_make_a_scenario_byte_identical_run_to_run() {
    let server = checking_receiver();
    let home = TestHome::new();
    let text = "seed = 7\nat = \"2026-01-01T00:00:00Z\"\nplatform = \"ios\"\n\
                [[step]]\nevent = \"device-enrolled\"\nunset = [\"data.devices.0.imei_no\"]\n\
                [[step]]\nevent = \"device-locked\"\n";
    let file = scenario(&home, "seeded.toml", text);
    for _ in 0..2 {
        let out = run(&home, &server.url(), &file, &[]);
        assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    }
    let got = server.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].body, got[2].body, "step 1, twice");
    assert_eq!(got[1].body, got[3].body, "step 2, twice");
    assert_ne!(
        got[0].json()["id"],
        got[1].json()["id"],
        "each step its own event"
    );
    let first = got[0].json();
    assert!(
        first["data"]["devices"][0].get("imei_no").is_none(),
        "unset"
    );
    assert!(got[1].json()["data"]["devices"][0].get("imei_no").is_some());
    assert_eq!(first["created_at"], "2026-01-01T00:00:00Z");
    assert_eq!(
        got[1].json()["data"]["devices"][0]["id"],
        first["data"]["devices"][0]["id"],
        "one device"
    );
}

#[test]
fn a_scenario_reports_one_testcase_per_step() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let file = scenario(&home, "kiosk.toml", KIOSK);
    let junit = home.path().join("kiosk.xml");
    let out = run(
        &home,
        &server.url(),
        &file,
        &["--report", &format!("junit:{}", junit.display())],
    );
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("kiosk lifecycle"));
    assert_eq!(suite.attribute("tests"), Some("5"), "sleeps are not tests");
    assert_eq!(suite.attribute("failures"), Some("1"));
    let out = run(&home, &server.url(), &file, &["--report", "tap"]);
    let tap = stdout_of(&out);
    assert!(
        tap.contains("not ok 2 - step 2: device-locked (wrong-signature)"),
        "{tap}"
    );
}

#[test]
fn without_a_platform_a_scenario_keeps_to_one_that_sends_every_step() {
    let server = checking_receiver();
    let home = TestHome::new();
    // device-unenrolled is sent for macOS and Windows only.
    let text = "seed = 3\n[[step]]\nevent = \"device-locked\"\n[[step]]\nevent = \"device-unenrolled\"\n\
                [[step]]\nevent = \"device-locked\"\n";
    let file = scenario(&home, "mixed.toml", text);
    let out = run(&home, &server.url(), &file, &[]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let bodies: Vec<Value> = server.received().iter().map(|r| r.json()).collect();
    let devices: Vec<&Value> = bodies.iter().map(|b| &b["data"]["devices"][0]).collect();
    assert!(
        devices.iter().all(|d| d["os_type"] == "macos"),
        "{devices:?}"
    );
    assert!(
        devices.iter().all(|d| d["id"] == devices[0]["id"]),
        "one device"
    );
    // Two device-locked steps under one seed are still two events.
    assert_ne!(bodies[0]["id"], bodies[2]["id"]);
    let impossible = scenario(
        &home,
        "impossible.toml",
        "[[step]]\nevent = \"device-unenrolled\"\n[[step]]\nevent = \"device-sim-swap\"\n",
    );
    let out = run(&home, &server.url(), &impossible, &[]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(
        stderr_of(&out).contains("no platform sends every event"),
        "{}",
        describe(&out)
    );
    assert_eq!(server.received().len(), 3, "nothing more was sent");
}
