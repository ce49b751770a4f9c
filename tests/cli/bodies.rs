//! What a delivery's body is made of: the user's `--data` byte for byte
//! (or unchecked with `--raw`), `--set`/`--unset` edits, the body agreeing
//! with X-SF-Event, samples made reproducible by `--seed` and `--at`, and
//! the sample devices of each platform. The real binary against a real
//! server that checks signatures with its own HMAC.

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

const AT: &str = "2026-01-01T00:00:00Z";

/// `mock EVENT` at `server`, with `args`; must exit with `code`.
fn mock(
    home: &TestHome,
    server: &TestServer,
    event: &str,
    args: &[&str],
    code: i32,
) -> std::process::Output {
    run_expecting(home.mock_at(&server.url(), event).args(args), code)
}

/// `name` in `home`, holding `bytes`; its path as an argument.
fn file(home: &TestHome, name: &str, bytes: &[u8]) -> String {
    let path: PathBuf = home.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// The only request `server` got.
fn only(server: &TestServer) -> Received {
    let got = server.received();
    assert_eq!(got.len(), 1, "requests: {got:?}");
    got.into_iter().next().unwrap()
}

fn device(body: &Value) -> &Value {
    &body["data"]["devices"][0]
}

/// Whether a 15-digit IMEI's Luhn check digit is right.
fn luhn_valid(imei: &str) -> bool {
    let sum: u32 = imei
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    imei.len() == 15 && imei.bytes().all(|b| b.is_ascii_digit()) && sum.is_multiple_of(10)
}

// ------------------------------------------------------------------ --data

/// Escapes, an exponent and a duplicate key: everything a re-encoding
/// would change.
const UNUSUAL: &[u8] = b"{\n  \"id\": \"evt-77\",\n  \"event\": \"device.enrolled\",\n  \"note\": \"caf\\u00e9 \\/\",\n  \"n\": 1E5,\n  \"k\": 1,\n  \"k\": 2\n}\n";

#[test]
fn data_arrives_byte_for_byte_from_a_file_and_from_stdin() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let path = file(&home, "doc.json", UNUSUAL);
    mock(&home, &server, "device-enrolled", &["--data", &path], 0);
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--data", "-", "--json"])
            .write_stdin(UNUSUAL),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 2);
    for request in &got {
        assert_eq!(
            request.body,
            UNUSUAL,
            "{}",
            String::from_utf8_lossy(&request.body)
        );
        assert!(request.signature_valid(SECRET));
        assert_eq!(request.header("x-sf-event"), Some("device.enrolled"));
    }
}

#[test]
fn data_with_edits_is_parsed_and_sent_compactly() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let path = file(&home, "doc.json", UNUSUAL);
    mock(
        &home,
        &server,
        "device-enrolled",
        &["--data", &path, "--unset", "n"],
        0,
    );
    let request = only(&server);
    assert_eq!(
        String::from_utf8(request.body.clone()).unwrap(),
        "{\"id\":\"evt-77\",\"event\":\"device.enrolled\",\"note\":\"caf\u{e9} /\",\"k\":2}"
    );
    assert!(request.signature_valid(SECRET));
}

#[test]
fn send_data_is_compacted_as_its_log_line_holds_it() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    let path = file(&home, "doc.json", UNUSUAL);
    run_expecting(
        home.cmd()
            .args(["send", "device-enrolled", "--data", &path]),
        0,
    );
    let request = only(&server);
    assert_eq!(
        String::from_utf8(request.body.clone()).unwrap(),
        "{\"id\":\"evt-77\",\"event\":\"device.enrolled\",\"note\":\"caf\u{e9} /\",\"n\":1e+5,\"k\":2}"
    );
    let log = std::fs::read(home.log_path()).unwrap();
    assert_eq!(log.iter().filter(|&&b| b == b'\n').count(), 1);
    assert_eq!(home.log_records()[0]["event_id"], "evt-77");
    // A send takes neither --raw nor the seed and time of samples.
    for flag in [&["--raw"][..], &["--seed", "1"], &["--at", AT]] {
        let out = run_expecting(
            home.cmd()
                .args(["send", "device-enrolled", "--data", &path])
                .args(flag),
            2,
        );
        assert!(
            stderr_of(&out).contains("unexpected argument"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(server.received().len(), 1);
}

// ------------------------------------------------------------------- --raw

#[test]
fn raw_sends_malformed_and_non_utf8_bytes_exactly() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let bodies: [&[u8]; 3] = [
        b"{\"id\": \"evt-1\", \"half\": ",
        b"\xff\xfe{\"not\": \"utf-8 \xc3\x28\"}",
        b"",
    ];
    for (i, bytes) in bodies.iter().enumerate() {
        let path = file(&home, &format!("raw-{i}"), bytes);
        mock(
            &home,
            &server,
            "device-locked",
            &["--data", &path, "--raw"],
            0,
        );
    }
    run_expecting(
        home.mock_at(&server.url(), "device-locked")
            .args(["--raw", "--data", "-"])
            .write_stdin(bodies[1]),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 4);
    for (request, bytes) in got.iter().zip(bodies.iter().chain([&bodies[1]])) {
        assert_eq!(request.body, *bytes);
        assert_eq!(
            request.header("x-sf-signature"),
            Some(hmac_hex(SECRET.as_bytes(), bytes).as_str())
        );
        assert_eq!(request.header("x-sf-event"), Some("device.locked"));
    }
}

#[test]
fn raw_without_data_or_with_edits_is_a_usage_error() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let path = file(&home, "doc.json", b"{}");
    for (args, message) in [
        (
            &["--raw"][..],
            "error: --raw needs --data FILE: it sends a file's bytes unchecked, and a sample is always JSON\n",
        ),
        (
            &["--raw", "--data", &path, "--set", "a=1"],
            "error: --raw cannot be combined with --set or --unset: edits need the body parsed as JSON\n",
        ),
        (
            &["--data", &path, "--unset", "a", "--raw"],
            "error: --raw cannot be combined with --set or --unset: edits need the body parsed as JSON\n",
        ),
    ] {
        let out = mock(&home, &server, "device-enrolled", args, 2);
        assert_eq!(stderr_of(&out), message, "{args:?}");
        assert_eq!(stdout_of(&out), "");
    }
    assert_eq!(server.connections(), 0);
}

// ---------------------------------------------------------- --set, --unset

#[test]
fn unset_removes_a_key_and_an_array_element() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    mock(
        &home,
        &server,
        "device-enrolled",
        &[
            "--unset",
            "data.devices.0.imei_no",
            "--unset",
            "data.devices.0.custom_properties.0",
        ],
        0,
    );
    let request = only(&server);
    assert!(request.signature_valid(SECRET));
    let body = request.json();
    let device = device(&body);
    assert!(device.get("imei_no").is_none(), "{device}");
    assert!(device.get("serial_no").is_some());
    let names: Vec<&str> = device["custom_properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cost Center", "Warranty Expires"]);
}

#[test]
fn unset_works_for_send_and_a_missing_path_is_a_usage_error() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-locked"]);
    run_expecting(
        home.cmd()
            .args(["send", "device-locked", "--unset", "data.devices.0.lock"]),
        0,
    );
    assert!(device(&only(&server).json()).get("lock").is_none());
    assert!(
        device(&home.log_records()[0]["payload"])
            .get("lock")
            .is_none()
    );

    for (command, path, message) in [
        (
            "send",
            "data.devices.0.nope",
            "error: cannot unset 'data.devices.0.nope': 'data.devices.0' has no key 'nope'\n",
        ),
        (
            "mock",
            "data.devices.1",
            "error: cannot unset 'data.devices.1': 'data.devices' has 1 items, so index 1 is out of range\n",
        ),
        (
            "mock",
            "data..x",
            "error: --unset data..x: the path has an empty part; write it like data.devices.0.name (\\. is a dot inside a key)\n",
        ),
    ] {
        let mut cmd = if command == "send" {
            home.cmd()
        } else {
            let mut cmd = home.cmd();
            cmd.env("SFHOOK_SECRET", SECRET);
            cmd
        };
        let out = run_expecting(cmd.args([command, "device-locked", "--unset", path]), 2);
        assert_eq!(stderr_of(&out), message);
    }
    assert_eq!(
        server.received().len(),
        1,
        "a failed --unset made a request"
    );
}

#[test]
fn set_at_an_arrays_length_appends() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    mock(
        &home,
        &server,
        "device-enrolled",
        &[
            "--set",
            r#"data.devices.0.custom_properties.3:={"name":"Floor","value":"2","data_type":"number"}"#,
            "--set",
            "data.devices.1.name=Second",
        ],
        0,
    );
    let body = only(&server).json();
    let properties = device(&body)["custom_properties"].as_array().unwrap();
    assert_eq!(properties.len(), 4);
    assert_eq!(properties[3]["name"], "Floor");
    assert_eq!(
        body["data"]["devices"][1],
        serde_json::json!({ "name": "Second" })
    );

    let out = mock(
        &home,
        &server,
        "device-enrolled",
        &["--set", "data.devices.0.custom_properties.4:=1"],
        2,
    );
    assert_eq!(
        stderr_of(&out),
        "error: cannot set 'data.devices.0.custom_properties.4': 'data.devices.0.custom_properties' has 3 items, so index 4 is out of range (index 3 appends)\n"
    );
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_backslash_escapes_a_dot_in_a_key() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    mock(
        &home,
        &server,
        "device-enrolled",
        &["--set", r"data.devices.0.custom_properties.0.a\.b=1"],
        0,
    );
    mock(
        &home,
        &server,
        "device-enrolled",
        &[
            "--set",
            r"meta.x\.y=2",
            "--set",
            r"meta.z=3",
            "--unset",
            r"meta.x\.y",
        ],
        0,
    );
    let got = server.received();
    let first = got[0].json();
    let property = &device(&first)["custom_properties"][0];
    assert_eq!(property["a.b"], "1", "{property}");
    assert!(property.get("a").is_none());
    assert_eq!(got[1].json()["meta"], serde_json::json!({ "z": "3" }));
}

// ------------------------------------------------- the body names the event

#[test]
fn a_body_naming_another_event_is_exit_2_and_nothing_is_sent() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = mock(
        &home,
        &server,
        "device-enrolled",
        &["--set", "event=device.locked"],
        2,
    );
    assert_eq!(
        stderr_of(&out),
        "error: --set event=device.locked: the body's event is device.locked but the command names device-enrolled; name device-locked instead\n"
    );
    let lost = file(&home, "lost.json", br#"{"event":"device.lost","data":{}}"#);
    let out = mock(&home, &server, "device-found", &["--data", &lost], 2);
    assert_eq!(
        stderr_of(&out),
        format!(
            "error: --data {lost}: the body's event is device.lost but the command names device-found; name device-lost instead\n"
        )
    );
    let out = mock(
        &home,
        &server,
        "device-found",
        &["--set", "event=whatever"],
        2,
    );
    assert_eq!(
        stderr_of(&out),
        "error: --set event=whatever: the body's event is \"whatever\" but X-SF-Event is device.found; they must agree: set the body's event to device.found\n"
    );
    assert_eq!(server.connections(), 0, "a mismatched body was sent");

    // With --raw the bytes go as they are; without an event key, too.
    mock(
        &home,
        &server,
        "device-found",
        &["--data", &lost, "--raw"],
        0,
    );
    let no_event = file(&home, "plain.json", br#"{"id":"e-1"}"#);
    mock(&home, &server, "device-found", &["--data", &no_event], 0);
    mock(&home, &server, "device-found", &["--unset", "event"], 0);
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].body, br#"{"event":"device.lost","data":{}}"#);
    assert!(
        got.iter()
            .all(|r| r.header("x-sf-event") == Some("device.found"))
    );
    assert!(got[2].json().get("event").is_none());
}

// ----------------------------------------------------------- --seed, --at

#[test]
fn seed_and_at_give_the_same_body_and_signature_every_run() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let args = ["--seed", "7", "--at", AT];
    mock(&home, &server, "device-enrolled", &args, 0);
    mock(&home, &server, "device-enrolled", &args, 0);
    mock(
        &home,
        &server,
        "device-enrolled",
        &["--seed", "8", "--at", AT],
        0,
    );
    let got = server.received();
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[0].header("x-sf-signature"),
        got[1].header("x-sf-signature")
    );
    assert!(got[0].signature_valid(SECRET));
    assert_ne!(
        got[0].header("x-sf-request-id"),
        got[1].header("x-sf-request-id"),
        "the request id stays fresh"
    );
    let body = got[0].json();
    assert_eq!(body["created_at"], AT);
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());

    let other = got[2].json();
    assert_ne!(got[2].body, got[0].body);
    assert_ne!(other["id"], body["id"]);
    assert_ne!(device(&other)["id"], device(&body)["id"]);
    assert_ne!(device(&other)["imei_no"], device(&body)["imei_no"]);
    assert_eq!(other["created_at"], AT);
}

#[test]
fn at_alone_fixes_the_times_and_seed_alone_the_ids() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    for _ in 0..2 {
        mock(&home, &server, "device-locked", &["--at", AT], 0);
    }
    for _ in 0..2 {
        mock(&home, &server, "device-locked", &["--seed", "42"], 0);
    }
    let got: Vec<Value> = server.received().iter().map(Received::json).collect();
    // --at: the same times, fresh event ids.
    assert_eq!(got[0]["created_at"], AT);
    assert_eq!(device(&got[0])["lock"]["locked_at"], AT);
    assert_eq!(device(&got[0])["last_connected_at"], "2025-12-31T23:59:18Z");
    assert_eq!(got[0]["data"], got[1]["data"]);
    assert_ne!(got[0]["id"], got[1]["id"]);
    // --seed: the same ids and device, now's time.
    assert_eq!(got[2]["id"], got[3]["id"]);
    assert_eq!(device(&got[2])["id"], device(&got[3])["id"]);
    assert_eq!(device(&got[2])["serial_no"], device(&got[3])["serial_no"]);
    assert_ne!(got[2]["created_at"], AT);
    let created: jiff::Timestamp = got[2]["created_at"].as_str().unwrap().parse().unwrap();
    assert!((jiff::Timestamp::now() - created).as_secs().abs() < 600);
}

#[test]
fn a_seeded_burst_is_reproducible_with_an_event_and_device_per_request() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let args = [
        "--seed",
        "7",
        "--at",
        AT,
        "--count",
        "3",
        "--concurrency",
        "3",
    ];
    mock(&home, &server, "device-enrolled", &args, 0);
    mock(&home, &server, "device-enrolled", &args, 0);
    let got = server.received();
    assert_eq!(got.len(), 6);
    // Workers race, so the order of arrival is not the order of requests.
    let first: HashSet<&[u8]> = got[..3].iter().map(|r| r.body.as_slice()).collect();
    let second: HashSet<&[u8]> = got[3..].iter().map(|r| r.body.as_slice()).collect();
    assert_eq!(first.len(), 3);
    assert_eq!(first, second);
    let bodies: Vec<Value> = got[..3].iter().map(Received::json).collect();
    let ids: HashSet<String> = bodies.iter().map(|b| b["id"].to_string()).collect();
    let devices: HashSet<String> = bodies.iter().map(|b| device(b)["id"].to_string()).collect();
    let imeis: HashSet<String> = bodies
        .iter()
        .map(|b| device(b)["imei_no"].to_string())
        .collect();
    assert_eq!((ids.len(), devices.len(), imeis.len()), (3, 3, 3));
    assert!(got.iter().all(|r| r.signature_valid(SECRET)));
}

#[test]
fn bad_seeds_and_times_are_usage_errors() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = mock(&home, &server, "device-enrolled", &["--at", "yesterday"], 2);
    assert!(
        stderr_of(&out).contains(
            "invalid value 'yesterday' for '--at <TIME>': invalid time 'yesterday': use RFC 3339, e.g. 2026-01-01T00:00:00Z"
        ),
        "{}",
        stderr_of(&out)
    );
    for seed in ["-1", "x", "18446744073709551616"] {
        let out = mock(&home, &server, "device-enrolled", &["--seed", seed], 2);
        assert!(
            stderr_of(&out).contains("for '--seed <N>'"),
            "{seed}: {}",
            stderr_of(&out)
        );
    }
    assert_eq!(server.connections(), 0);
}

// ------------------------------------------------------- sample devices

#[test]
fn the_ios_sample_is_anas_iphone_in_utf8_on_the_wire() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    mock(&home, &server, "device-enrolled", &["--platform", "ios"], 0);
    let request = only(&server);
    let name = "Ana\u{2019}s iPhone";
    assert!(
        request
            .body
            .windows(name.len())
            .any(|w| w == name.as_bytes()),
        "{}",
        String::from_utf8_lossy(&request.body)
    );
    assert_eq!(device(&request.json())["name"], name);
    assert!(request.signature_valid(SECRET));
}

#[test]
fn each_platform_has_devices_of_its_own() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let platforms = ["android", "ios", "macos", "windows", "linux"];
    for platform in platforms {
        mock(
            &home,
            &server,
            "device-enrolled",
            &["--platform", platform],
            0,
        );
    }
    let bodies: Vec<Value> = server.received().iter().map(Received::json).collect();
    assert_eq!(bodies.len(), platforms.len());
    for key in ["id", "serial_no", "name"] {
        let values: HashSet<String> = bodies.iter().map(|b| device(b)[key].to_string()).collect();
        assert_eq!(values.len(), platforms.len(), "{key}: {values:?}");
    }
    let imeis: Vec<&str> = bodies
        .iter()
        .filter_map(|b| device(b)["imei_no"].as_str())
        .collect();
    assert_eq!(imeis.len(), 2, "phones and tablets have IMEIs: {imeis:?}");
    assert_ne!(imeis[0], imeis[1]);
    assert!(imeis.iter().all(|imei| luhn_valid(imei)), "{imeis:?}");
}
