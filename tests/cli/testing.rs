//! `mock` as a test harness for receivers: expectations, forged
//! deliveries, extra headers, and bursts with gates, pacing and a record
//! of every request. Real receivers on 127.0.0.1 that check signatures the
//! way the reference's sample does, or accept everything.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;

const EVENT: &str = "device-enrolled";
const TAMPERS: [&str; 4] = [
    "missing-signature",
    "empty-signature",
    "wrong-signature",
    "modified-body",
];

/// 200 for a valid signature under SECRET, 406 "Signatures mismatch"
/// otherwise, as the reference's sample receiver answers.
fn checking_receiver() -> TestServer {
    TestServer::with_handler(|request, _| {
        if request.signature_valid(SECRET) {
            Reply::status(200)
        } else {
            Reply::with_body(406, "Signatures mismatch")
        }
    })
}

fn mock(home: &TestHome, server: &TestServer, extra: &[&str]) -> std::process::Output {
    home.mock_at(&server.url(), EVENT)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn every_forgery_gets_406_from_a_receiver_that_checks_and_passes() {
    let server = checking_receiver();
    let home = TestHome::new();
    for tamper in TAMPERS {
        let out = mock(&home, &server, &["--tamper", tamper, "--json"]);
        assert_eq!(exit_code(&out), 0, "{tamper}: {}", describe(&out));
        let result: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(result["response_code"], 406, "{tamper}");
        assert_eq!(result["expected"], "4xx");
        assert_eq!(result["met"], true);
        assert_eq!(result["tamper"], tamper);
    }
    let got = server.received();
    assert_eq!(got.len(), 4);
    // What each forgery looked like on the wire.
    assert_eq!(got[0].header("x-sf-signature"), None, "missing-signature");
    assert_eq!(got[1].header("x-sf-signature"), Some(""), "empty-signature");
    let wrong = got[2].header("x-sf-signature").unwrap();
    assert_eq!(wrong.len(), 64, "wrong-signature is a signature");
    assert!(!got[2].signature_valid(SECRET));
    // modified-body: signed, then one byte changed; still JSON.
    assert!(!got[3].signature_valid(SECRET));
    let _ = got[3].json();
    assert!(got.iter().all(|r| r.header("x-sf-mock") == Some("true")));
    // And an honest mock passes the same receiver.
    let out = mock(&home, &server, &[]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
}

#[test]
fn every_forgery_accepted_by_a_careless_receiver_exits_3_naming_the_expectation() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    for tamper in TAMPERS {
        let out = mock(&home, &server, &["--tamper", tamper]);
        assert_eq!(exit_code(&out), 3, "{tamper}: {}", describe(&out));
        let error = stderr_of(&out);
        assert!(
            error.contains("expected 4xx, got 200 OK"),
            "{tamper}: {error}"
        );
        // On a pipe the line says the test failed.
        assert_eq!(stdout_of(&out).split('\t').nth(1), Some("failed"));
    }
}

#[test]
fn expect_takes_codes_classes_and_none() {
    let server = checking_receiver();
    let home = TestHome::new();
    let cases: [(&[&str], i32, &str); 6] = [
        (&["--expect", "200"], 0, ""),
        (&["--expect", "2xx,406"], 0, ""),
        (&["--expect", "406"], 3, "expected 406, got 200 OK"),
        (&["--expect", "none"], 3, "expected no answer, got 200 OK"),
        (
            &["--tamper", "wrong-signature", "--expect", "2xx"],
            3,
            "expected 2xx, got 406 Not Acceptable",
        ),
        (&["--expect", "abc"], 2, "invalid expectation 'abc'"),
    ];
    for (extra, code, message) in cases {
        let out = mock(&home, &server, extra);
        assert_eq!(exit_code(&out), code, "{extra:?}: {}", describe(&out));
        assert!(
            stderr_of(&out).contains(message),
            "{extra:?}: {}",
            describe(&out)
        );
    }
    // Nothing listening: no answer, which --expect none accepts.
    let url = format!("http://127.0.0.1:{}/payload", closed_port());
    let out = home.mock_at(&url, EVENT).output().unwrap();
    assert_eq!(exit_code(&out), 4);
    let out = home
        .mock_at(&url, EVENT)
        .args(["--expect", "none"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let out = home
        .mock_at(&url, EVENT)
        .args(["--expect", "406"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert!(stderr_of(&out).contains("expected 406, got no answer"));
}

#[test]
fn extra_headers_arrive_and_delivery_headers_cannot_be_replaced() {
    let server = checking_receiver();
    let home = TestHome::new();
    let out = mock(
        &home,
        &server,
        &[
            "-H",
            "Authorization: Bearer t0k",
            "--header",
            "X-Tenant:  acme ",
        ],
    );
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let got = &server.received()[0];
    assert_eq!(got.header("authorization"), Some("Bearer t0k"));
    assert_eq!(got.header("x-tenant"), Some("acme"));
    for bad in [
        "X-SF-Signature: 00",
        "x-sf-event: device.locked",
        "Content-Type: text/plain",
        "nocolon",
    ] {
        let out = mock(&home, &server, &["--header", bad]);
        assert_eq!(exit_code(&out), 2, "{bad}: {}", describe(&out));
    }
    assert_eq!(server.received().len(), 1, "refused headers send nothing");
}

#[test]
fn a_burst_writes_every_request_and_counts_expectations() {
    // Every third request is refused: 500.
    let server = TestServer::with_handler(|_, n| Reply::status(if n % 3 == 2 { 500 } else { 200 }));
    let home = TestHome::new();
    let requests = home.path().join("requests.jsonl");
    let out = mock(
        &home,
        &server,
        &[
            "--count",
            "30",
            "--concurrency",
            "1",
            "--json",
            "--requests",
            requests.to_str().unwrap(),
        ],
    );
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    assert!(
        stderr_of(&out).contains("10 of 30 mocks"),
        "{}",
        describe(&out)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["sent"], 30);
    assert_eq!(summary["succeeded"], 20);
    assert_eq!(summary["met"], 20);
    assert_eq!(summary["unmet"], 10);
    assert_eq!(summary["failed_by"]["500"], 10);
    assert!(summary["requests_per_second"].is_number());
    let lines: Vec<Value> = std::fs::read_to_string(&requests)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 30);
    let ids: std::collections::HashSet<&str> = lines
        .iter()
        .map(|l| l["request_id"].as_str().unwrap())
        .collect();
    let seen: std::collections::HashSet<String> = server
        .received()
        .iter()
        .map(|r| r.header("x-sf-request-id").unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 30);
    assert_eq!(ids, seen.iter().map(String::as_str).collect());
    assert_eq!(lines.iter().filter(|l| l["status"] == 500).count(), 10);
    assert!(lines.iter().all(|l| l["latency_ms"].is_number()));

    // With --min-success the share decides: 66.7% passes 60 and fails 90.
    let out = mock(
        &home,
        &server,
        &["--count", "30", "--concurrency", "1", "--min-success", "60"],
    );
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let out = mock(
        &home,
        &server,
        &["--count", "30", "--concurrency", "1", "--min-success", "90"],
    );
    assert_eq!(exit_code(&out), 6, "{}", describe(&out));
    assert!(
        stderr_of(&out).contains("min-success"),
        "{}",
        describe(&out)
    );
}

#[test]
fn latency_gates_exit_6_and_name_the_gate() {
    let server = TestServer::with_handler(|_, _| {
        std::thread::sleep(Duration::from_millis(30));
        Reply::status(200)
    });
    let home = TestHome::new();
    let out = mock(&home, &server, &["--count", "8", "--max-p50", "1ms"]);
    assert_eq!(exit_code(&out), 6, "{}", describe(&out));
    assert!(stderr_of(&out).contains("max-p50"), "{}", describe(&out));
    let out = mock(
        &home,
        &server,
        &["--count", "8", "--max-p99", "20s", "--json"],
    );
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["gates"][0]["gate"], "max-p99");
    assert_eq!(summary["gates"][0]["passed"], true);
    // A latency percentile is over 2xx answers: the sleep shows in it.
    assert!(summary["latency_ms"]["p50"].as_f64().unwrap() >= 30.0);
}

#[test]
fn a_paced_burst_sends_about_rate_times_duration() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = mock(
        &home,
        &server,
        &["--duration", "1s", "--rate", "20", "--json"],
    );
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Due times 0, 50 ms, ..., 950 ms: exactly twenty fall inside 1 s.
    assert_eq!(summary["sent"], 20, "{summary}");
    assert_eq!(server.received().len(), 20);
    // --count caps a paced burst too.
    let out = mock(&home, &server, &["--count", "5", "--rate", "50"]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(server.received().len(), 25);
}

#[test]
fn burst_flags_without_a_burst_are_usage_errors() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    for flags in [
        &["--rate", "5"][..],
        &["--max-p99", "1s"],
        &["--min-success", "90"],
        &["--requests", "r.jsonl"],
    ] {
        let out = mock(&home, &server, flags);
        assert_eq!(exit_code(&out), 2, "{flags:?}: {}", describe(&out));
        assert!(stderr_of(&out).contains("applies to a burst"));
    }
    for flags in [
        &["--rate", "0"][..],
        &["--rate", "-1"],
        &["--min-success", "101"],
        &["--tamper", "forged"],
    ] {
        let out = mock(&home, &server, flags);
        assert_eq!(exit_code(&out), 2, "{flags:?}: {}", describe(&out));
    }
    assert!(server.received().is_empty());
}

#[test]
fn wait_for_holds_the_first_request_until_the_receiver_listens() {
    let home = TestHome::new();
    // A port that a receiver takes two seconds from now.
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/payload");
    let late = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        // The wait's own connection brings no request; the mock's does.
        loop {
            let (mut stream, _) = listener.accept().unwrap();
            let reader = &mut std::io::BufReader::new(stream.try_clone().unwrap());
            if let Some(request) = read_request(reader) {
                write_answer(&mut stream, 200, &[] as &[(&str, &str)], b"").unwrap();
                return request;
            }
        }
    });
    let started = std::time::Instant::now();
    let out = home
        .mock_at(&url, EVENT)
        .args(["--wait-for", "10s"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "it waited"
    );
    let request = late.join().unwrap();
    assert_eq!(request.header("x-sf-event"), Some("device.enrolled"));

    // Nothing ever listens: exit 4 naming the URL, after about the wait.
    let url = format!("http://127.0.0.1:{}/payload", closed_port());
    let started = std::time::Instant::now();
    let out = home
        .mock_at(&url, EVENT)
        .args(["--wait-for", "1s"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    assert!(stderr_of(&out).contains(&url), "{}", describe(&out));
    assert!(took >= Duration::from_millis(900), "gave up after {took:?}");
}

#[test]
fn reports_are_junit_files_and_tap_on_stdout() {
    let server = checking_receiver();
    let home = TestHome::new();
    let junit = home.path().join("reports/mock.xml");
    let out = mock(
        &home,
        &server,
        &[
            "--tamper",
            "missing-signature",
            "--expect",
            "401",
            "--report",
            &format!("junit:{}", junit.display()),
        ],
    );
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure element");
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("expected 401, got 406"),
        "{xml}"
    );
    assert!(
        failure
            .text()
            .unwrap_or_default()
            .contains("Signatures mismatch")
    );

    // A burst: one testcase per request, and one per gate.
    let out = mock(
        &home,
        &server,
        &["--count", "5", "--max-p99", "30s", "--report", "tap"],
    );
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let tap = stdout_of(&out);
    assert!(tap.starts_with("TAP version 13\n1..6\n"), "{tap}");
    assert_eq!(
        tap.lines().filter(|l| l.starts_with("ok ")).count(),
        6,
        "{tap}"
    );
    assert!(tap.contains("- gate max-p99"), "{tap}");

    // TAP and --json both want stdout.
    let out = mock(&home, &server, &["--report", "tap", "--json"]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    let out = mock(&home, &server, &["--report", "xml"]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
}

#[test]
fn a_paced_burst_ends_at_its_duration_when_the_receiver_cannot_keep_up() {
    // Half a second per answer, two slots, 100 arrivals a second: most
    // arrivals find no free slot before the deadline and are dropped.
    let server = TestServer::with_handler(|_, _| {
        std::thread::sleep(Duration::from_millis(500));
        Reply::status(200)
    });
    let home = TestHome::new();
    let started = std::time::Instant::now();
    let out = mock(
        &home,
        &server,
        &[
            "--duration",
            "1s",
            "--rate",
            "100",
            "--concurrency",
            "2",
            "--json",
        ],
    );
    let took = started.elapsed();
    assert_eq!(exit_code(&out), 3, "{}", describe(&out));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (sent, dropped) = (
        summary["sent"].as_u64().unwrap(),
        summary["dropped"].as_u64().unwrap(),
    );
    assert!(sent <= 6, "{summary}");
    assert_eq!(sent + dropped, 100, "{summary}");
    assert_eq!(summary["unmet"], dropped, "{summary}");
    assert!(stderr_of(&out).contains("never sent"), "{}", describe(&out));
}

#[test]
fn mistakes_are_found_before_waiting_and_nothing_answered_is_exit_4() {
    let home = TestHome::new();
    let url = format!("http://127.0.0.1:{}/payload", closed_port());
    let started = std::time::Instant::now();
    let out = home
        .mock_at(&url, EVENT)
        .args(["--wait-for", "5s", "--rate", "5"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no wait before a usage error"
    );
    let out = home
        .mock_at(&url, EVENT)
        .args(["--count", "5", "--min-success", "90"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 4, "{}", describe(&out));
    for flags in [
        &[
            "--count",
            "3",
            "--tamper",
            "wrong-signature",
            "--max-p99",
            "1s",
        ][..],
        &["--rate", "1e-20", "--count", "2"],
        &["--header", "Content-Length: 5"],
        &["--header", "Transfer-Encoding: chunked"],
    ] {
        let out = home.mock_at(&url, EVENT).args(flags).output().unwrap();
        assert_eq!(exit_code(&out), 2, "{flags:?}: {}", describe(&out));
    }
}

#[test]
fn bidi_controls_in_an_answer_never_reach_the_output_raw() {
    let server = TestServer::start(Reply::with_body(
        200,
        "ok \u{202e}evil\u{2066} \u{1b}[31mred",
    ));
    let home = TestHome::new();
    let out = mock(&home, &server, &[]);
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    let line = stdout_of(&out);
    for c in ['\u{202e}', '\u{2066}', '\u{1b}'] {
        assert!(!line.contains(c), "{c:?} in {line:?}");
    }
    assert!(line.contains("evil"), "{line}");
}
