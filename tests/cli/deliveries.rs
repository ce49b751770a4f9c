//! The deliveries capability end to end: `mock`, `send` and its retries,
//! the delivery log's records, `redeliver`, `sign`/`verify`, the built-in
//! receiver `listen`, and `demo`. Every test drives the real binary against
//! a real HTTP server on 127.0.0.1 that checks signatures with its own HMAC.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::Value;
use serde_json::value::RawValue;

const VERSION: &str = env!("CARGO_PKG_VERSION");

// GitHub's published test vector for HMAC-SHA256 webhook signatures.
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_BODY: &str = "Hello, World!";
const GITHUB_SIGNATURE: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// ---------------------------------------------------------------- helpers

fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::parse_str(text).is_ok() && text == text.to_ascii_lowercase()
}

/// The raw lines of the delivery log, each field kept as its exact bytes.
fn raw_records(home: &TestHome) -> Vec<HashMap<String, Box<RawValue>>> {
    let text = std::fs::read_to_string(home.log_path()).unwrap_or_default();
    text.lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("log line does not parse ({e}): {l}"))
        })
        .collect()
}

/// The exact body bytes a log line embeds as `payload`.
fn payload_bytes(raw: &HashMap<String, Box<RawValue>>) -> Vec<u8> {
    raw.get("payload")
        .expect("the record has a payload")
        .get()
        .as_bytes()
        .to_vec()
}

/// Every header of the delivery contract, as a receiver sees it.
fn assert_contract_headers(req: &Received, wire: &str, mock: bool) {
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.header("content-type"),
        Some("application/json"),
        "{req:?}"
    );
    assert_eq!(
        req.header("user-agent"),
        Some(format!("sfhook/{VERSION}").as_str())
    );
    assert_eq!(req.header("x-sf-event"), Some(wire));
    let request_id = req
        .header("x-sf-request-id")
        .expect("X-SF-Request-ID is sent");
    assert!(is_uuid(request_id), "X-SF-Request-ID {request_id}");
    let signature = req
        .header("x-sf-signature")
        .expect("X-SF-Signature is sent");
    assert_eq!(signature.len(), 64);
    assert!(
        signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{signature}"
    );
    if mock {
        assert_eq!(req.header("x-sf-mock"), Some("true"));
    } else {
        assert_eq!(
            req.header("x-sf-mock"),
            None,
            "X-SF-Mock on a real delivery"
        );
    }
}

/// The envelope of the contract, compact, one line, no trailing newline.
fn assert_body_shape(req: &Received, wire: &str) -> Value {
    let body = req.json();
    assert!(
        body["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert_eq!(body["event"], wire);
    let created_at = body["created_at"].as_str().expect("created_at is a string");
    assert!(
        created_at.parse::<jiff::Timestamp>().is_ok(),
        "created_at {created_at}"
    );
    let devices = body["data"]["devices"]
        .as_array()
        .expect("data.devices is an array");
    assert!(!devices.is_empty(), "data.devices is empty");
    assert_eq!(
        serde_json::to_vec(&body).unwrap(),
        req.body,
        "the body is not compact JSON"
    );
    assert!(!req.body.ends_with(b"\n") && !req.body.contains(&b'\n'));
    body
}

/// A server that also notes when each request arrived.
fn timed_server(
    handler: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
) -> (TestServer, Arc<Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let noted = Arc::clone(&arrivals);
    let server = TestServer::with_handler(move |req, n| {
        noted.lock().unwrap().push(Instant::now());
        handler(req, n)
    });
    (server, arrivals)
}

/// Polls `condition` until it holds or `limit` passes.
fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    condition()
}

// ------------------------------------------------------ the wire contract

#[test]
fn send_posts_a_signed_compact_body_with_every_contract_header() {
    let server = TestServer::start(Reply::with_body(200, "thanks"));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 0);

    let got = server.received();
    assert_eq!(got.len(), 1);
    let req = &got[0];
    assert_eq!(req.path, "/payload");
    assert!(
        req.signature_valid(SECRET),
        "the receiver's HMAC differs from X-SF-Signature"
    );
    assert!(!req.signature_valid("another secret"));
    assert_contract_headers(req, "device.enrolled", false);
    let body = assert_body_shape(req, "device.enrolled");
    assert!(is_uuid(body["id"].as_str().unwrap()));
}

#[test]
fn mock_posts_the_same_contract_marked_as_mock_and_logs_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    assert!(!home.log_path().exists());

    // A mock needs no subscription, and writes no log, not even an empty one.
    run_expecting(home.cmd().args(["mock", "device-locked"]), 0);
    assert!(!home.log_path().exists(), "mock created the delivery log");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].signature_valid(SECRET));
    assert_contract_headers(&got[0], "device.locked", true);
    let body = assert_body_shape(&got[0], "device.locked");
    assert_eq!(body["data"]["devices"][0]["locked"], true);

    // With a log in place, a mock leaves it byte for byte as it was.
    home.subscribe(&["device-locked"]);
    run_expecting(home.cmd().args(["send", "device-locked"]), 0);
    let before = std::fs::read(home.log_path()).unwrap();
    assert!(!before.is_empty());
    run_expecting(home.cmd().args(["mock", "device-locked"]), 0);
    run_expecting(home.cmd().args(["mock", "device-enrolled"]), 0);
    assert_eq!(
        std::fs::read(home.log_path()).unwrap(),
        before,
        "mock changed the log"
    );
    assert_eq!(server.received().len(), 4);
}

#[test]
fn a_failed_mock_logs_nothing_either() {
    let server = TestServer::start(Reply::status(500));
    let home = TestHome::new();
    run_expecting(&mut home.mock_at(&server.url(), "device-enrolled"), 3);
    run_expecting(
        &mut home.mock_at(
            &format!("http://127.0.0.1:{}/payload", closed_port()),
            "device-enrolled",
        ),
        4,
    );
    assert!(
        !home.log_path().exists(),
        "a failed mock created the delivery log"
    );
}

// ------------------------------------------------------- sign and verify

#[test]
fn sign_gives_githubs_published_vector_from_stdin_and_from_a_file() {
    let home = TestHome::new();
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .arg("sign")
            .write_stdin(GITHUB_BODY),
        0,
    );
    assert_eq!(stdout_of(&out).trim_end(), GITHUB_SIGNATURE);

    let file = home.path().join("body.txt");
    std::fs::write(&file, GITHUB_BODY).unwrap();
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .arg("sign")
            .arg(&file),
        0,
    );
    assert_eq!(stdout_of(&out).trim_end(), GITHUB_SIGNATURE);
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .args(["sign", "-"])
            .write_stdin(GITHUB_BODY),
        0,
    );
    assert_eq!(stdout_of(&out).trim_end(), GITHUB_SIGNATURE);

    // The signature is of the exact bytes: a trailing newline changes it.
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .arg("sign")
            .write_stdin(format!("{GITHUB_BODY}\n")),
        0,
    );
    assert_ne!(stdout_of(&out).trim_end(), GITHUB_SIGNATURE);
    assert_eq!(
        stdout_of(&out).trim_end(),
        hmac_hex(
            GITHUB_SECRET.as_bytes(),
            format!("{GITHUB_BODY}\n").as_bytes()
        )
    );
}

#[test]
fn sign_and_verify_use_the_profiles_secret_unless_sfhook_secret_is_set() {
    let home = TestHome::new();
    home.configure_active("http://127.0.0.1:9/payload");
    let out = run_expecting(home.cmd().arg("sign").write_stdin(GITHUB_BODY), 0);
    let signature = hmac_hex(SECRET.as_bytes(), GITHUB_BODY.as_bytes());
    assert_eq!(stdout_of(&out).trim_end(), signature);
    run_expecting(
        home.cmd()
            .args(["verify", "--signature", &signature])
            .write_stdin(GITHUB_BODY),
        0,
    );
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .arg("sign")
            .write_stdin(GITHUB_BODY),
        0,
    );
    assert_eq!(stdout_of(&out).trim_end(), GITHUB_SIGNATURE);
    // What people paste: upper case, a GitHub-style prefix.
    for pasted in [
        GITHUB_SIGNATURE.to_uppercase(),
        format!("sha256={GITHUB_SIGNATURE}"),
    ] {
        run_expecting(
            home.cmd()
                .env("SFHOOK_SECRET", GITHUB_SECRET)
                .args(["verify", "--signature", &pasted])
                .write_stdin(GITHUB_BODY),
            0,
        );
    }
    // No secret anywhere: a precondition.
    run_expecting(
        TestHome::new().cmd().arg("sign").write_stdin(GITHUB_BODY),
        5,
    );
}

#[test]
fn verify_accepts_the_vector_rejects_a_changed_byte_and_refuses_a_malformed_signature() {
    let home = TestHome::new();
    let verify = |body: &str, signature: &str| {
        let mut cmd = home.cmd();
        cmd.env("SFHOOK_SECRET", GITHUB_SECRET)
            .args(["verify", "--signature", signature])
            .write_stdin(body.to_string());
        cmd
    };
    run_expecting(&mut verify(GITHUB_BODY, GITHUB_SIGNATURE), 0);
    run_expecting(&mut verify("Hello, World?", GITHUB_SIGNATURE), 1);
    run_expecting(&mut verify("hello, World!", GITHUB_SIGNATURE), 1);
    let file = home.path().join("body.txt");
    std::fs::write(&file, GITHUB_BODY).unwrap();
    run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .args(["verify", "--signature", GITHUB_SIGNATURE])
            .arg(&file),
        0,
    );
    std::fs::write(&file, "Hello, World!!").unwrap();
    run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", GITHUB_SECRET)
            .args(["verify", "--signature", GITHUB_SIGNATURE])
            .arg(&file),
        1,
    );
    // Another secret: a mismatch, not an error.
    run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", "not it")
            .args(["verify", "--signature", GITHUB_SIGNATURE])
            .write_stdin(GITHUB_BODY),
        1,
    );
    for malformed in [
        "zz",
        &GITHUB_SIGNATURE[..63],
        &format!("{GITHUB_SIGNATURE}0"),
        "",
        &"g".repeat(64),
    ] {
        let out = run_expecting(&mut verify(GITHUB_BODY, malformed), 2);
        assert!(
            stderr_of(&out).contains("signature"),
            "{malformed}: {}",
            stderr_of(&out)
        );
    }
}

// ------------------------------------------------------ answers and exit codes

#[test]
fn a_500_is_exit_3_and_a_closed_port_is_exit_4() {
    let server = TestServer::start(Reply::with_body(500, "boom"));
    let home = TestHome::new();
    let out = run_expecting(&mut home.mock_at(&server.url(), "device-enrolled"), 3);
    assert!(stderr_of(&out).contains("500"), "{}", stderr_of(&out));
    assert_eq!(server.received().len(), 1);
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled").arg("--json"),
        3,
    );
    let printed: Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON object");
    assert_eq!(printed["response_code"], 500);
    assert_eq!(printed["success"], false);
    assert_eq!(printed["response_body"], "boom");

    let closed = format!("http://127.0.0.1:{}/payload", closed_port());
    let out = run_expecting(&mut home.mock_at(&closed, "device-enrolled"), 4);
    assert!(stderr_of(&out).contains("refused"), "{}", stderr_of(&out));

    // send: the same codes, and a record even when no answer came.
    let home = TestHome::new();
    home.configure_active(&closed);
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 4);
    let records = home.log_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["response_code"], Value::Null);
    assert_eq!(records[0]["success"], false);
    assert!(
        records[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("refused")),
        "{}",
        records[0]
    );
}

#[test]
fn a_server_that_never_answers_is_exit_4_soon_after_the_timeout() {
    let server = TestServer::start(Reply::Hang);
    let home = TestHome::new();
    let started = Instant::now();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--timeout", "500ms"]),
        4,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr_of(&out).contains("timeout"), "{}", stderr_of(&out));

    // send: the profile's timeout applies to every attempt.
    home.cmd()
        .args([
            "configure",
            "--url",
            &server.url(),
            "--secret-stdin",
            "--timeout",
            "500ms",
            "--retries",
            "1",
            "--backoff",
            "10ms",
        ])
        .write_stdin(SECRET)
        .assert()
        .success();
    home.cmd().arg("activate").assert().success();
    home.subscribe(&["device-enrolled"]);
    let started = Instant::now();
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 4);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    let records = home.log_records();
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(record["response_code"], Value::Null);
        assert!(
            record["error"]
                .as_str()
                .is_some_and(|e| e.contains("timeout")),
            "{record}"
        );
    }
}

#[test]
fn a_redirect_is_a_failure_and_its_location_is_never_requested() {
    let elsewhere = TestServer::start(Reply::status(200));
    let server = TestServer::start(Reply::with_header(301, "Location", &elsewhere.url()));
    let home = TestHome::new();
    let out = run_expecting(&mut home.mock_at(&server.url(), "device-enrolled"), 3);
    assert!(stderr_of(&out).contains("301"), "{}", stderr_of(&out));

    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    // No retry after a redirect either: one request from mock, one from send.
    assert_eq!(server.received().len(), 2);
    let records = home.log_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["response_code"], 301);
    assert_eq!(records[0]["success"], false);
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
    assert!(elsewhere.received().is_empty());
}

#[test]
fn a_100_mb_answer_is_not_held_in_memory() {
    const SIZE: u64 = 100 * 1024 * 1024;
    let server = TestServer::start(Reply::Huge { size: SIZE });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);

    let started = Instant::now();
    let (code, peak_kib) = exit_code_and_peak_rss(home.std_cmd().args(["send", "device-enrolled"]));
    assert_eq!(code, 0);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        peak_kib < 48 * 1024,
        "peak RSS {peak_kib} KiB for a 100 MB answer"
    );
    let records = home.log_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["success"], true);
    assert_eq!(records[0]["response_body"].as_str().unwrap().len(), 4096);

    let (code, peak_kib) =
        exit_code_and_peak_rss(home.std_cmd().env("SFHOOK_SECRET", SECRET).args([
            "mock",
            "device-enrolled",
            "--url",
            &server.url(),
        ]));
    assert_eq!(code, 0);
    assert!(
        peak_kib < 48 * 1024,
        "mock: peak RSS {peak_kib} KiB for a 100 MB answer"
    );
}

// ------------------------------------------------------------ send and the log

#[test]
fn send_to_an_unsubscribed_event_is_exit_5_and_sends_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    let out = run_expecting(home.cmd().args(["send", "device-locked"]), 5);
    assert!(
        stderr_of(&out).contains("subscribe device-locked"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(server.connections(), 0);
    assert!(home.log_records().is_empty());

    // Deactivated: a precondition too.
    home.cmd().arg("deactivate").assert().success();
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 5);
    assert_eq!(server.connections(), 0);
}

#[test]
fn events_may_be_named_by_wire_or_display_name() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device.custom_properties_updated"]);
    run_expecting(
        home.cmd()
            .args(["send", "Device Custom Properties Updated"]),
        0,
    );
    run_expecting(
        home.cmd()
            .args(["send", "DEVICE-CUSTOM-PROPERTIES-UPDATED"]),
        0,
    );
    run_expecting(
        &mut home.mock_at(&server.url(), "device.custom_properties_updated"),
        0,
    );
    for req in server.received() {
        assert_eq!(
            req.header("x-sf-event"),
            Some("device.custom_properties_updated")
        );
        assert_eq!(req.json()["event"], "device.custom_properties_updated");
    }
    let out = run_expecting(home.cmd().args(["send", "device-enroled"]), 2);
    assert!(
        stderr_of(&out).contains("device-enrolled"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(server.received().len(), 3);
}

#[test]
fn send_logs_one_record_per_request_in_the_documented_schema() {
    let server = TestServer::start(Reply::with_body(201, "{\"ok\":\"yes\"}"));
    let home = TestHome::new();
    let port = server.addr.port();
    let url = format!("http://hook-user:hunter-qq@127.0.0.1:{port}/payload?token=tok-zzz");
    home.configure_active(&url);
    home.subscribe(&["device-sim-swap"]);
    let before = jiff::Timestamp::now();
    run_expecting(home.cmd().args(["send", "device-sim-swap"]), 0);
    let after = jiff::Timestamp::now();

    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/payload?token=tok-zzz");
    assert!(got[0].signature_valid(SECRET));
    let body = assert_body_shape(&got[0], "device.sim_swap");

    let records = home.log_records();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    for key in RECORD_KEYS {
        assert!(r.get(key).is_some(), "the record lacks {key}: {r}");
    }
    assert_eq!(r["request_id"], got[0].header("x-sf-request-id").unwrap());
    assert_eq!(r["event_id"], body["id"]);
    assert_eq!(r["event"], "device.sim_swap");
    let timestamp = r["timestamp"].as_str().unwrap();
    let bytes = timestamp.as_bytes();
    assert!(
        timestamp.len() == 24 && bytes[10] == b'T' && bytes[19] == b'.' && timestamp.ends_with('Z'),
        "timestamp {timestamp} is not RFC 3339 UTC with milliseconds"
    );
    let at: jiff::Timestamp = timestamp.parse().unwrap();
    let slack = jiff::SignedDuration::from_millis(1);
    assert!(
        at >= before - slack && at <= after + slack,
        "timestamp {timestamp} outside the run"
    );
    assert_eq!(r["url"], format!("http://***@127.0.0.1:{port}/payload?***"));
    assert_eq!(r["response_code"], 201);
    assert_eq!(r["success"], true);
    assert_eq!(r["error"], Value::Null);
    assert!(r["duration_ms"].is_u64());
    assert_eq!(r["attempt"], 1);
    assert_eq!(r["redelivery_of"], Value::Null);
    assert_eq!(r["profile"], "default");
    assert_eq!(r["response_body"], "{\"ok\":\"yes\"}");
    assert_eq!(r["payload"], body);
    // The payload is embedded as the exact bytes on the wire.
    let raw = raw_records(&home);
    assert_eq!(payload_bytes(&raw[0]), got[0].body);

    let text = std::fs::read_to_string(home.log_path()).unwrap();
    assert!(text.ends_with('\n') && text.lines().count() == 1);
    for secret in [SECRET, "hunter-qq", "tok-zzz", "hook-user"] {
        assert!(!text.contains(secret), "the log contains {secret}");
    }
}

#[test]
fn a_failing_endpoint_gets_one_plus_retries_attempts_of_one_event() {
    let server = TestServer::start(Reply::with_body(500, "down"));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.set_retries(2);
    home.subscribe(&["device-enrolled"]);
    let out = run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    assert!(stderr_of(&out).contains("500"), "{}", stderr_of(&out));

    let got = server.received();
    assert_eq!(got.len(), 3);
    let records = home.log_records();
    assert_eq!(records.len(), 3);
    let raw = raw_records(&home);
    let event_id = &records[0]["event_id"];
    let mut request_ids = HashSet::new();
    for (i, ((record, raw), req)) in records.iter().zip(&raw).zip(&got).enumerate() {
        assert_eq!(&record["event_id"], event_id);
        assert_eq!(record["attempt"], i + 1);
        assert_eq!(record["response_code"], 500);
        assert_eq!(record["success"], false);
        assert_eq!(record["response_body"], "down");
        assert_eq!(record["request_id"], req.header("x-sf-request-id").unwrap());
        request_ids.insert(record["request_id"].as_str().unwrap().to_string());
        assert!(req.signature_valid(SECRET));
        assert_eq!(req.body, got[0].body, "a retry changed the body");
        assert_eq!(payload_bytes(raw), req.body);
        assert_eq!(req.json()["id"], *event_id);
    }
    assert_eq!(request_ids.len(), 3, "request ids repeat across attempts");
}

#[test]
fn no_retry_after_a_404_or_a_410() {
    for code in [404, 410, 400] {
        let server = TestServer::start(Reply::status(code));
        let home = TestHome::new();
        home.configure_active(&server.url());
        home.subscribe(&["device-reboot"]);
        run_expecting(home.cmd().args(["send", "device-reboot"]), 3);
        assert_eq!(server.received().len(), 1, "{code} was retried");
        let records = home.log_records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["response_code"], code);
    }
}

#[test]
fn a_408_a_429_and_a_5xx_are_retried_until_success() {
    for code in [408, 429, 500, 502, 503] {
        let server = TestServer::with_handler(move |_, n| {
            if n < 2 {
                Reply::status(code)
            } else {
                Reply::with_body(200, "ok")
            }
        });
        let home = TestHome::new();
        home.configure_active(&server.url());
        home.subscribe(&["device-reboot"]);
        run_expecting(home.cmd().args(["send", "device-reboot"]), 0);
        assert_eq!(server.received().len(), 3, "{code}");
        let codes: Vec<Value> = home
            .log_records()
            .iter()
            .map(|r| r["response_code"].clone())
            .collect();
        assert_eq!(
            codes,
            [Value::from(code), Value::from(code), Value::from(200)]
        );
    }
}

#[test]
fn retry_after_is_honoured() {
    let (server, arrivals) = timed_server(|_, n| {
        if n == 0 {
            Reply::with_header(429, "Retry-After", "1")
        } else {
            Reply::status(204)
        }
    });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-found"]);
    run_expecting(home.cmd().args(["send", "device-found"]), 0);
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2);
    let gap = arrivals[1] - arrivals[0];
    // The backoff is 10ms: only Retry-After can make the gap a second.
    assert!(
        gap >= Duration::from_millis(990),
        "the retry came after {gap:?}"
    );
    let records = home.log_records();
    assert_eq!(records[0]["response_code"], 429);
    assert_eq!(records[1]["response_code"], 204);
    assert_eq!(records[1]["success"], true);
}

#[test]
fn send_json_prints_each_stored_record() {
    let server = TestServer::with_handler(|_, n| {
        if n == 0 {
            Reply::status(503)
        } else {
            Reply::status(200)
        }
    });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    let out = run_expecting(home.cmd().args(["send", "device-enrolled", "--json"]), 0);
    let printed: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    assert_eq!(printed, home.log_records());
    assert_eq!(printed.len(), 2);
}

#[test]
fn send_timeout_flag_overrides_the_profiles() {
    let server = TestServer::start(Reply::Hang);
    let home = TestHome::new();
    home.configure_active(&server.url()); // a 5s timeout
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);
    run_expecting(
        home.cmd()
            .args(["send", "device-enrolled", "--timeout", "300ms"]),
        4,
    );
    let records = home.log_records();
    assert_eq!(records.len(), 1);
    let error = records[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("timeout") && error.contains("300ms"),
        "{error}"
    );
}

#[test]
fn concurrent_sends_each_append_one_whole_record() {
    let server = TestServer::start(Reply::status(200));
    let home = Arc::new(TestHome::new());
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let home = Arc::clone(&home);
            thread::spawn(move || run_expecting(home.cmd().args(["send", "device-enrolled"]), 0))
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let seen: HashSet<String> = server
        .received()
        .iter()
        .map(|r| r.header("x-sf-request-id").unwrap().to_string())
        .collect();
    let logged: HashSet<String> = home
        .log_records()
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.len(), 8);
    assert_eq!(logged, seen);
}

/// Runs `cmd` with its stdout a pipe whose reader is already gone, as in
/// `sfhook send ... | head -0`; returns the exit code.
fn exit_code_with_stdout_gone(cmd: &mut std::process::Command) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = cmd
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .expect("sfhook runs");
    out.status.code().expect("sfhook exited")
}

#[test]
fn a_reader_that_goes_away_neither_stops_retries_nor_hides_a_failure() {
    let server = TestServer::start(Reply::status(500));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.set_retries(2);
    home.subscribe(&["device-enrolled"]);
    assert_eq!(
        exit_code_with_stdout_gone(home.std_cmd().args(["send", "device-enrolled"])),
        3
    );
    assert_eq!(server.received().len(), 3, "retries stopped with stdout");
    assert_eq!(home.log_records().len(), 3);

    let ids: Vec<String> = home.log_records()[..2]
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        exit_code_with_stdout_gone(home.std_cmd().arg("redeliver").args(&ids)),
        3
    );
    assert_eq!(
        server.received().len(),
        5,
        "redeliveries stopped with stdout"
    );

    let mock = |extra: &[&str]| {
        let mut cmd = home.std_cmd();
        cmd.env("SFHOOK_SECRET", SECRET)
            .args(["mock", "device-enrolled", "--url", &server.url()])
            .args(extra);
        exit_code_with_stdout_gone(&mut cmd)
    };
    assert_eq!(mock(&[]), 3);
    assert_eq!(mock(&["--json"]), 3);
    assert_eq!(mock(&["--count", "3"]), 3);
    assert_eq!(server.received().len(), 10);
}

// ------------------------------------------------------------------- mock

#[test]
fn mock_needs_no_saved_state_with_a_url_and_sfhook_secret() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    run_expecting(&mut home.mock_at(&server.url(), "device-enrolled"), 0);
    // SFHOOK_URL instead of --url.
    run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", SECRET)
            .env("SFHOOK_URL", server.url())
            .args(["mock", "device.activated"]),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 2);
    for req in &got {
        assert!(req.signature_valid(SECRET));
    }
    assert_contract_headers(&got[0], "device.enrolled", true);
    assert_contract_headers(&got[1], "device.activated", true);
    assert!(!home.config_path().exists(), "mock saved a configuration");
    assert!(!home.log_path().exists(), "mock created the delivery log");

    // --url wins over a saved profile's URL.
    let saved = TestServer::start(Reply::status(200));
    home.configure_active(&saved.url());
    run_expecting(
        home.cmd()
            .args(["mock", "device-enrolled", "--url", &server.url()]),
        0,
    );
    assert_eq!(server.received().len(), 3);
    assert_eq!(saved.connections(), 0);
}

#[test]
fn mock_without_a_url_is_exit_5() {
    let home = TestHome::new();
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", SECRET)
            .args(["mock", "device-enrolled"]),
        5,
    );
    assert!(stderr_of(&out).contains("--url"), "{}", stderr_of(&out));
    // A URL without any secret is a precondition too.
    let server = TestServer::start(Reply::status(200));
    run_expecting(
        home.cmd()
            .args(["mock", "device-enrolled", "--url", &server.url()]),
        5,
    );
    assert_eq!(server.connections(), 0);
}

#[test]
fn mock_data_sends_the_users_document_as_it_is() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let document = "{\n  \"id\": \"evt-42\",\n  \"event\": \"device.enrolled\",\n  \"data\": { \"devices\": [ { \"id\": 7, \"name\": \"Mine\" } ] }\n}\n";
    let file = home.path().join("doc.json");
    std::fs::write(&file, document).unwrap();

    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .arg("--data")
            .arg(&file),
        0,
    );
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--data", "-"])
            .write_stdin(document),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 2);
    for req in &got {
        assert_eq!(
            req.body,
            document.as_bytes(),
            "{}",
            String::from_utf8_lossy(&req.body)
        );
        assert!(req.signature_valid(SECRET));
    }

    for bad in ["{\"id\": ", "not json", ""] {
        std::fs::write(&file, bad).unwrap();
        let out = run_expecting(
            home.mock_at(&server.url(), "device-enrolled")
                .arg("--data")
                .arg(&file),
            2,
        );
        assert!(stderr_of(&out).contains("JSON"), "{}", stderr_of(&out));
        run_expecting(
            home.mock_at(&server.url(), "device-enrolled")
                .args(["--data", "-"])
                .write_stdin(bad),
            2,
        );
    }
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--data", "/no/such/file.json"]),
        2,
    );
    assert_eq!(server.received().len(), 2, "invalid --data made a request");
}

#[test]
fn mock_set_edits_the_sample_and_refuses_impossible_paths() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled").args([
            "--set",
            "data.devices.0.name=Kiosk",
            "--set",
            "data.devices.0.locked:=true",
            "--set",
            "meta.note=from CI",
        ]),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].signature_valid(SECRET));
    let body = assert_body_shape(&got[0], "device.enrolled");
    assert_eq!(body["data"]["devices"][0]["name"], "Kiosk");
    assert_eq!(body["data"]["devices"][0]["locked"], true);
    assert_eq!(body["meta"]["note"], "from CI");

    for bad in [
        "id.x=1",
        "data.devices.x=1",
        "data.devices.3.name=x",
        "noequals",
        "a:={",
    ] {
        let out = run_expecting(
            home.mock_at(&server.url(), "device-enrolled")
                .args(["--set", bad]),
            2,
        );
        assert!(
            stderr_of(&out).contains("--set") || stderr_of(&out).contains("cannot set"),
            "{bad}: {}",
            stderr_of(&out)
        );
    }
    assert_eq!(
        server.received().len(),
        1,
        "an impossible --set made a request"
    );
}

#[test]
fn mock_for_an_unsupported_platform_is_exit_2_naming_the_supported_ones() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-sim-swap")
            .args(["--platform", "ios"]),
        2,
    );
    assert!(stderr_of(&out).contains("android"), "{}", stderr_of(&out));
    assert_eq!(server.connections(), 0);

    run_expecting(
        home.mock_at(&server.url(), "device-unenrolled")
            .args(["--platform", "windows"]),
        0,
    );
    let body = server.received()[0].json();
    assert_eq!(body["data"]["devices"][0]["os_type"], "windows");
    // Without --platform, the first platform that supports the event.
    run_expecting(&mut home.mock_at(&server.url(), "device-unenrolled"), 0);
    assert_eq!(
        server.received()[1].json()["data"]["devices"][0]["os_type"],
        "macos"
    );
}

#[test]
fn mock_json_prints_one_object() {
    let server = TestServer::start(Reply::with_body(202, "queued"));
    let home = TestHome::new();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled").arg("--json"),
        0,
    );
    let text = stdout_of(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let printed: Value = serde_json::from_str(&text).expect("one JSON object");
    let got = server.received();
    assert_eq!(
        printed["request_id"],
        got[0].header("x-sf-request-id").unwrap()
    );
    assert_eq!(printed["event_id"], got[0].json()["id"]);
    assert_eq!(printed["response_code"], 202);
    assert_eq!(printed["success"], true);
    assert_eq!(printed["response_body"], "queued");
    assert_eq!(
        printed["signature"],
        got[0].header("x-sf-signature").unwrap()
    );
}

#[test]
fn a_burst_delivers_distinct_events_and_devices_and_summarises() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled").args([
            "--count",
            "50",
            "--concurrency",
            "8",
        ]),
        0,
    );
    let got = server.received();
    assert_eq!(got.len(), 50);
    let mut event_ids = HashSet::new();
    let mut device_ids = HashSet::new();
    let mut request_ids = HashSet::new();
    for req in &got {
        assert!(req.signature_valid(SECRET));
        assert_contract_headers(req, "device.enrolled", true);
        let body = assert_body_shape(req, "device.enrolled");
        event_ids.insert(body["id"].as_str().unwrap().to_string());
        device_ids.insert(body["data"]["devices"][0]["id"].as_u64().unwrap());
        request_ids.insert(req.header("x-sf-request-id").unwrap().to_string());
    }
    assert_eq!(event_ids.len(), 50);
    assert_eq!(device_ids.len(), 50);
    assert_eq!(request_ids.len(), 50);
    let summary = stdout_of(&out);
    assert!(summary.lines().any(|l| l == "succeeded\t50"), "{summary}");
    assert!(summary.contains("sent\t50"), "{summary}");
    assert!(!home.log_path().exists());

    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled").args([
            "--count",
            "10",
            "--concurrency",
            "4",
            "--json",
        ]),
        0,
    );
    let summary: Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON object");
    assert_eq!(summary["sent"], 10);
    assert_eq!(summary["succeeded"], 10);
    assert_eq!(summary["failed"], 0);
}

#[test]
fn a_burst_against_a_failing_server_is_exit_3() {
    let server = TestServer::start(Reply::status(500));
    let home = TestHome::new();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled").args([
            "--count",
            "12",
            "--concurrency",
            "3",
        ]),
        3,
    );
    assert_eq!(server.received().len(), 12);
    let summary = stdout_of(&out);
    assert!(
        summary.lines().any(|l| l.starts_with("failed\t12")),
        "{summary}"
    );
    let closed = format!("http://127.0.0.1:{}/payload", closed_port());
    run_expecting(
        home.mock_at(&closed, "device-enrolled")
            .args(["--count", "5"]),
        4,
    );
}

// -------------------------------------------------------------- redeliver

#[test]
fn redeliver_resends_the_same_bytes_under_a_new_request_id() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-user-signed-in"]);
    run_expecting(
        home.cmd().args([
            "send",
            "device-user-signed-in",
            "--set",
            "note=caf\u{e9} \u{2603} \"quoted\"",
        ]),
        0,
    );
    let original = home.log_records()[0].clone();
    let original_id = original["request_id"].as_str().unwrap().to_string();

    run_expecting(home.cmd().args(["redeliver", &original_id]), 0);
    // A unique prefix names it too.
    run_expecting(home.cmd().args(["redeliver", &original_id[..8]]), 0);

    let got = server.received();
    assert_eq!(got.len(), 3);
    let records = home.log_records();
    let raw = raw_records(&home);
    assert_eq!(records.len(), 3);
    for i in 1..3 {
        assert_eq!(got[i].body, got[0].body, "a redelivery changed the body");
        assert!(got[i].signature_valid(SECRET));
        assert_contract_headers(&got[i], "device.user_signed_in", false);
        assert_eq!(
            records[i]["request_id"],
            got[i].header("x-sf-request-id").unwrap()
        );
        assert_ne!(records[i]["request_id"], original["request_id"]);
        assert_eq!(records[i]["redelivery_of"], original_id.as_str());
        assert_eq!(records[i]["event_id"], original["event_id"]);
        assert_eq!(records[i]["event"], "device.user_signed_in");
        assert_eq!(records[i]["success"], true);
        assert_eq!(payload_bytes(&raw[i]), got[0].body);
    }
    assert_ne!(
        got[1].header("x-sf-request-id"),
        got[2].header("x-sf-request-id")
    );

    // Ids and filters do not mix.
    run_expecting(
        home.cmd()
            .args(["redeliver", &original_id, "--code", "200"]),
        2,
    );
    run_expecting(home.cmd().args(["redeliver", &original_id, "--failed"]), 2);
    run_expecting(home.cmd().args(["redeliver", "  "]), 2);
    let out = run_expecting(
        home.cmd()
            .args(["redeliver", "ffffffff-0000-4000-8000-000000000000"]),
        2,
    );
    assert!(
        stderr_of(&out).contains("no delivery"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(server.received().len(), 3);
}

#[test]
fn redeliver_failed_resends_each_failed_event_once() {
    let healthy = Arc::new(AtomicBool::new(false));
    let state = Arc::clone(&healthy);
    let server = TestServer::with_handler(move |_, _| {
        if state.load(Ordering::SeqCst) {
            Reply::status(200)
        } else {
            Reply::status(503)
        }
    });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.set_retries(1);
    home.subscribe(&["device-enrolled", "device-locked", "device-reboot"]);
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    run_expecting(home.cmd().args(["send", "device-locked"]), 3);
    healthy.store(true, Ordering::SeqCst);
    run_expecting(home.cmd().args(["send", "device-reboot"]), 0);
    healthy.store(false, Ordering::SeqCst);
    let sent = server.received();
    assert_eq!(sent.len(), 5);
    let failed_bodies: HashSet<Vec<u8>> = [sent[0].body.clone(), sent[2].body.clone()].into();

    // Still failing: each failed event once, not once per attempt.
    run_expecting(home.cmd().args(["redeliver", "--failed"]), 3);
    assert_eq!(server.received().len(), 7);

    healthy.store(true, Ordering::SeqCst);
    run_expecting(home.cmd().args(["redeliver", "--failed"]), 0);
    let got = server.received();
    assert_eq!(got.len(), 9);
    let resent: HashSet<Vec<u8>> = got[7..].iter().map(|r| r.body.clone()).collect();
    assert_eq!(resent, failed_bodies);
    for req in &got[5..] {
        assert!(req.signature_valid(SECRET));
        assert_eq!(req.header("x-sf-mock"), None);
    }
    let records = home.log_records();
    assert_eq!(records.len(), 9);
    for record in &records[5..] {
        assert!(record["redelivery_of"].is_string(), "{record}");
    }

    // Recovered: nothing more to send.
    run_expecting(home.cmd().args(["redeliver", "--failed"]), 0);
    assert_eq!(server.received().len(), 9);
    assert_eq!(home.log_records().len(), 9);
}

// ------------------------------------------------------------------ listen

/// One HTTP/1.1 POST written by hand; returns the status code.
fn raw_post(addr: &str, body: &[u8], signature: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect to the receiver");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /payload HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-SF-Signature: {signature}\r\n\
         X-SF-Event: device.enrolled\r\nX-SF-Request-ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca427\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .expect("an HTTP status line");
    status
        .parse()
        .unwrap_or_else(|_| panic!("not an HTTP answer: {answer}"))
}

#[test]
fn listen_accepts_sfhooks_deliveries_and_refuses_a_tampered_body() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &[]);
    run_expecting(&mut home.mock_at(&listener.url(), "device-enrolled"), 0);
    let line = listener.next_line();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(
        (fields[1], fields[3], fields[4]),
        ("device.enrolled", "valid", "200"),
        "{line}"
    );
    assert!(is_uuid(fields[2]), "{line}");

    let body = br#"{"id":"e1","event":"device.enrolled","created_at":"2026-01-01T00:00:00Z","data":{"devices":[{"id":1,"name":"A"}]}}"#;
    let signature = hmac_hex(SECRET.as_bytes(), body);
    assert_eq!(raw_post(&listener.addr, body, &signature), 200);
    assert!(listener.next_line().contains("\tvalid\t200\t"));
    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|&b| b == b'A').unwrap();
    tampered[at] = b'B';
    assert_eq!(raw_post(&listener.addr, &tampered, &signature), 406);
    assert!(listener.next_line().contains("\tinvalid\t406\t"));
    assert_eq!(
        raw_post(&listener.addr, body, &hmac_hex(b"another secret", body)),
        406
    );
    assert!(listener.next_line().contains("\tinvalid\t406\t"));

    // A sender with another secret is refused: mock sees the 406, exit 3.
    run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", "wrong-secret-0123456789")
            .args(["mock", "device-enrolled", "--url", &listener.url()]),
        3,
    );
}

#[test]
fn listen_json_prints_one_object_per_delivery() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &["--json"]);
    let out = run_expecting(
        home.mock_at(&listener.url(), "device-locked").arg("--json"),
        0,
    );
    let fired: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let seen: Value =
        serde_json::from_str(&listener.next_line()).expect("one JSON object per line");
    assert_eq!(seen["event"], "device.locked");
    assert_eq!(seen["request_id"], fired["request_id"]);
    assert_eq!(seen["mock"], true);
    assert_eq!(seen["signature_valid"], true);
    assert_eq!(seen["status"], 200);
    assert_eq!(seen["payload"]["id"], fired["event_id"]);

    let body = br#"{"id":"e2","event":"device.enrolled","data":{"devices":[]}}"#;
    assert_eq!(raw_post(&listener.addr, body, &"0".repeat(64)), 406);
    let seen: Value =
        serde_json::from_str(&listener.next_line()).expect("one JSON object per line");
    assert_eq!(seen["signature_valid"], false);
    assert_eq!(seen["status"], 406);
    assert_eq!(seen["request_id"], "1b4e28ba-2fa1-41d2-883f-0016d3cca427");
    assert_eq!(seen["payload"]["id"], "e2");
}

#[test]
fn listen_takes_a_burst() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &["--json"]);
    run_expecting(
        home.mock_at(&listener.url(), "device-enrolled").args([
            "--count",
            "40",
            "--concurrency",
            "8",
        ]),
        0,
    );
    let mut ids = HashSet::new();
    for _ in 0..40 {
        let seen: Value = serde_json::from_str(&listener.next_line()).unwrap();
        assert_eq!(seen["signature_valid"], true);
        ids.insert(seen["request_id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 40);
}

#[test]
fn listen_uses_the_profiles_secret_for_send() {
    let home = TestHome::new();
    let receiver_home = TestHome::new();
    let listener = Listener::start(&receiver_home, &[("SFHOOK_SECRET", SECRET)], &["--json"]);
    home.configure_active(&listener.url());
    home.subscribe(&["device-shutdown"]);
    run_expecting(home.cmd().args(["send", "device-shutdown"]), 0);
    let seen: Value = serde_json::from_str(&listener.next_line()).unwrap();
    assert_eq!(seen["mock"], false);
    assert_eq!(seen["signature_valid"], true);
    let records = home.log_records();
    assert_eq!(seen["request_id"], records[0]["request_id"]);
    assert_eq!(seen["payload"], records[0]["payload"]);
}

#[test]
fn listen_stops_cleanly_on_sigterm() {
    let home = TestHome::new();
    let mut listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &[]);
    run_expecting(&mut home.mock_at(&listener.url(), "device-enrolled"), 0);
    listener.next_line();
    let pid = libc::pid_t::try_from(listener.child.id()).unwrap();
    // SAFETY: a signal to our own child, by its pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut status = None;
    assert!(
        wait_until(Duration::from_secs(20), || {
            status = listener.child.try_wait().unwrap();
            status.is_some()
        }),
        "listen did not stop on SIGTERM"
    );
    assert_eq!(status.unwrap().code(), Some(0));
    let said = drain(&listener.stderr);
    assert!(
        said.iter().any(|l| l.contains("Stopped after 1 deliver")),
        "{said:?}"
    );
}

#[test]
fn listen_on_a_port_in_use_fails_with_a_hint() {
    let home = TestHome::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = home
        .std_cmd()
        .env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", &port])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr_of(&out).contains("--port"), "{}", stderr_of(&out));
    // Without any secret it cannot check signatures: a precondition.
    let out = home
        .std_cmd()
        .args(["listen", "--port", "0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
}

// -------------------------------------------------------------------- demo

#[test]
fn demo_runs_the_whole_flow_and_leaves_nothing_behind() {
    // A cleared environment, with HOME and TMPDIR pointing at empty
    // directories: the demo must touch neither the user's files nor leave
    // its throwaway home.
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = sfhook();
    cmd.env_clear()
        .env("HOME", home.path())
        .env("TMPDIR", tmp.path());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let out = run_expecting(cmd.arg("demo"), 0);
    let stderr = stderr_of(&out);
    assert!(stderr.contains("Demo complete"), "{stderr}");
    assert!(
        stderr.contains(&tmp.path().display().to_string()),
        "the demo did not use TMPDIR: {stderr}"
    );
    // The receiver printed what it saw: two valid deliveries and one refused.
    let stdout = stdout_of(&out);
    assert_eq!(stdout.matches("\tvalid\t200\t").count(), 2, "{stdout}");
    assert_eq!(stdout.matches("\tinvalid\t406\t").count(), 1, "{stdout}");
    let left = |dir: &std::path::Path| std::fs::read_dir(dir).unwrap().count();
    assert_eq!(left(home.path()), 0, "the demo wrote into HOME");
    assert_eq!(left(tmp.path()), 0, "the demo left its throwaway home");
}

// --------------------------------------------------------------------- TLS

#[test]
fn insecure_warns_and_a_cacert_without_a_certificate_is_exit_2() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .arg("--insecure"),
        0,
    );
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("warning") && stderr.contains("--insecure"),
        "{stderr}"
    );

    let not_pem = home.path().join("empty.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let out = run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .arg("--cacert")
            .arg(&not_pem),
        2,
    );
    assert!(stderr_of(&out).contains("--cacert"), "{}", stderr_of(&out));
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--cacert", "/no/such/ca.pem"]),
        2,
    );
    assert_eq!(
        server.received().len(),
        1,
        "a bad --cacert still sent a request"
    );

    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    run_expecting(
        home.cmd()
            .args(["send", "device-enrolled", "--cacert"])
            .arg(&not_pem),
        2,
    );
    assert_eq!(server.received().len(), 1);
    assert!(home.log_records().is_empty());
}

#[test]
fn redeliver_failed_keeps_to_the_profile_it_runs_under() {
    let production = TestServer::start(Reply::status(503));
    let staging = TestServer::start(Reply::status(503));
    let home = TestHome::new();
    home.configure_active(&production.url());
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);
    home.cmd()
        .args([
            "--profile",
            "staging",
            "configure",
            "--url",
            &staging.url(),
            "--secret-stdin",
            "--retries",
            "0",
        ])
        .write_stdin("staging-secret-0123456789")
        .assert()
        .success();
    home.cmd()
        .args(["--profile", "staging", "activate"])
        .assert()
        .success();
    home.cmd()
        .args(["--profile", "staging", "subscribe", "device-locked"])
        .assert()
        .success();
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    run_expecting(
        home.cmd()
            .args(["--profile", "staging", "send", "device-locked"]),
        3,
    );
    assert_eq!(production.received().len(), 1);
    assert_eq!(staging.received().len(), 1);

    // The default profile's failures only, to the default profile's endpoint.
    run_expecting(home.cmd().args(["redeliver", "--failed"]), 3);
    let got = production.received();
    assert_eq!(
        got.len(),
        2,
        "another profile's failed event was sent to this profile's endpoint"
    );
    assert_eq!(got[1].header("x-sf-event"), Some("device.enrolled"));
    assert_eq!(staging.received().len(), 1);

    run_expecting(
        home.cmd()
            .args(["--profile", "staging", "redeliver", "--failed"]),
        3,
    );
    assert_eq!(production.received().len(), 2);
    let got = staging.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].header("x-sf-event"), Some("device.locked"));
    assert!(got[1].signature_valid("staging-secret-0123456789"));
}

#[test]
fn redeliver_failed_filters_apply_to_each_events_latest_attempt() {
    // Attempt 1 answers 500, attempt 2 answers 503: the latest is a 503.
    let server = TestServer::with_handler(|_, n| Reply::status(if n == 0 { 500 } else { 503 }));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.set_retries(1);
    home.subscribe(&["device-enrolled"]);
    run_expecting(home.cmd().args(["send", "device-enrolled"]), 3);
    assert_eq!(server.received().len(), 2);

    run_expecting(
        home.cmd().args(["redeliver", "--failed", "--code", "500"]),
        0,
    );
    assert_eq!(
        server.received().len(),
        2,
        "an event whose latest attempt was a 503 was selected by --code 500"
    );
    run_expecting(
        home.cmd().args(["redeliver", "--failed", "--code", "5xx"]),
        3,
    );
    assert_eq!(server.received().len(), 3);
}

#[test]
fn mock_data_keeps_the_users_numbers_exactly() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let document = r#"{ "big": 12345678901234567890123, "money": 1.10, "tiny": 0.1000000000000000055511151231257827, "n": -7 }"#;
    // An edit has the document parsed and re-serialised.
    run_expecting(
        home.mock_at(&server.url(), "device-enrolled")
            .args(["--data", "-", "--set", "note=edited"])
            .write_stdin(document),
        0,
    );
    let got = server.received();
    assert_eq!(
        String::from_utf8_lossy(&got[0].body),
        r#"{"big":12345678901234567890123,"money":1.10,"tiny":0.1000000000000000055511151231257827,"n":-7,"note":"edited"}"#
    );
}

#[test]
fn proxy_variables_are_honoured() {
    // The test server plays an HTTP proxy: it gets the request in absolute
    // form and answers it itself.
    let proxy = TestServer::start(Reply::with_body(200, "via proxy"));
    let home = TestHome::new();
    let target = "http://sfhook-proxied.invalid/payload";
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        home.cmd()
            .env("SFHOOK_SECRET", SECRET)
            .env(var, format!("http://{}", proxy.addr))
            .args(["mock", "device-enrolled", "--url", target])
            .assert()
            .success();
    }
    let got = proxy.received();
    assert_eq!(got.len(), 3);
    for request in &got {
        assert_eq!(
            request.path, target,
            "absolute-form request line through the proxy"
        );
        assert!(request.signature_valid(SECRET));
    }

    // NO_PROXY sends the listed host direct.
    let direct = TestServer::start(Reply::status(200));
    home.cmd()
        .env("SFHOOK_SECRET", SECRET)
        .env("HTTP_PROXY", format!("http://{}", proxy.addr))
        .env("NO_PROXY", "127.0.0.1")
        .args(["mock", "device-enrolled", "--url", &direct.url()])
        .assert()
        .success();
    assert_eq!(direct.received().len(), 1);
    assert_eq!(proxy.received().len(), 3);
}
