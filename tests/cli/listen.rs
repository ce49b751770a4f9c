//! `sfhook listen` as a receiver developer uses it: in front of an app
//! (`--forward-to`), started by a script (`--json --port 0`,
//! `--ready-file`), with a line for every request it answers, exact
//! signatures, a stdout nobody reads, and signals.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

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

/// One HTTP/1.1 request on a fresh connection; the status and body of the
/// answer.
fn raw_request(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to listen");
    stream.set_read_timeout(Some(HANG)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A delivery signed with `signature`, sent by hand.
fn post_signed(addr: &str, body: &[u8], signature: &str) -> (u16, String) {
    let head = format!(
        "POST /payload HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-SF-Event: device.enrolled\r\nX-SF-Request-Id: by-hand\r\nX-SF-Signature: {signature}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw_request(addr, &head, body)
}

fn mock_json(home: &TestHome, url: &str, extra: &[&str], expected: i32) -> Value {
    let out = run_expecting(
        home.mock_at(url, "device-enrolled")
            .args(["--json"])
            .args(extra),
        expected,
    );
    serde_json::from_str(stdout_of(&out).trim()).unwrap_or_else(|e| {
        panic!("mock --json: {e}\n{}", describe(&out));
    })
}

fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: a signal to our own child, by its pid.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

// ------------------------------------------------------------ --forward-to

#[test]
fn forward_to_hands_valid_deliveries_to_the_app_and_answers_with_its_status() {
    let home = TestHome::new();
    let app = TestServer::with_handler(|_, n| match n {
        0 => Reply::Status {
            code: 202,
            headers: vec![("X-App".to_string(), "yes".to_string())],
            body: b"queued".to_vec(),
        },
        _ => Reply::with_body(500, "app broke"),
    });
    let app_url = format!("http://{}/hooks/sf", app.addr);
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--forward-to", &app_url],
    );

    let accepted = mock_json(&home, &listener.url(), &["-H", "X-Trace: abc-123"], 0);
    assert_eq!(accepted["response_code"], 202, "{accepted}");
    assert_eq!(accepted["response_body"], "queued", "{accepted}");
    let failed = mock_json(&home, &listener.url(), &[], 3);
    assert_eq!(failed["response_code"], 500, "{failed}");
    assert_eq!(failed["response_body"], "app broke", "{failed}");

    let got = app.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let first = &got[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/hooks/sf");
    // The signature still verifies: the body is the sender's, byte for byte.
    assert!(first.signature_valid(SECRET), "{first:?}");
    assert_eq!(first.header("x-sf-event"), Some("device.enrolled"));
    assert_eq!(first.header("x-sf-mock"), Some("true"));
    assert_eq!(
        first.header("x-sf-request-id"),
        accepted["request_id"].as_str()
    );
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("x-trace"), Some("abc-123"));
    assert_eq!(first.header("host"), Some(app.addr.to_string().as_str()));
    assert_eq!(
        first.header("content-length"),
        Some(first.body.len().to_string().as_str())
    );
    let lengths = first
        .headers
        .iter()
        .filter(|(name, _)| name == "content-length")
        .count();
    assert_eq!(lengths, 1, "{first:?}");

    // time, event, request id, verdict, answered, devices, app, latency
    let line = listener.next_line();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields.len(), 8, "{line}");
    assert_eq!(fields[1], "device.enrolled");
    assert_eq!(Some(fields[2]), accepted["request_id"].as_str());
    assert_eq!(fields[3], "valid");
    assert_eq!(fields[4], "202");
    assert_eq!(fields[6], "202");
    assert!(fields[7].parse::<u64>().is_ok(), "{line}");
    let line = listener.next_line();
    assert_eq!(line.split('\t').nth(6), Some("500"), "{line}");
}

#[test]
fn forward_to_refuses_forged_deliveries_without_forwarding() {
    let home = TestHome::new();
    let app = TestServer::start(Reply::status(200));
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--json", "--forward-to", &app.url()],
    );
    // A forged mock expects a 4xx: met, exit 0.
    let forged = mock_json(&home, &listener.url(), &["--tamper", "wrong-signature"], 0);
    assert_eq!(forged["response_code"], 406, "{forged}");
    let seen: Value = serde_json::from_str(&listener.next_line()).unwrap();
    assert_eq!(seen["signature_valid"], false);
    assert_eq!(seen["status"], 406);
    assert!(seen.get("forwarded").is_none(), "{seen}");
    assert!(app.received().is_empty(), "{:?}", app.received());
    assert_eq!(app.connections(), 0);
}

#[test]
fn forward_to_an_app_that_is_down_answers_502_and_says_so() {
    let home = TestHome::new();
    let app_url = format!("http://127.0.0.1:{}/hooks", closed_port());
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--forward-to", &app_url],
    );
    let answer = mock_json(&home, &listener.url(), &[], 3);
    assert_eq!(answer["response_code"], 502, "{answer}");
    let body = answer["response_body"].as_str().unwrap();
    assert!(body.contains("could not reach the app"), "{body}");
    assert_eq!(body.trim_end().lines().count(), 1, "{body}");
    let line = listener.next_line();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields[4], "502", "{line}");
    assert!(fields[6].starts_with("unreachable: "), "{line}");
}

#[test]
fn forward_to_must_be_an_http_url() {
    let home = TestHome::new();
    let out = run_expecting(
        home.cmd().env("SFHOOK_SECRET", SECRET).args([
            "listen",
            "--port",
            "0",
            "--forward-to",
            "ftp://x/y",
        ]),
        2,
    );
    assert!(
        stderr_of(&out).contains("--forward-to"),
        "{}",
        describe(&out)
    );
}

// ------------------------------------------------- scripts and every request

#[test]
fn json_prints_where_it_listens_first_then_a_line_per_request() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &["--json"]);
    let first: Value = serde_json::from_str(listener.listening.as_deref().unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::json!({ "listening": listener.announced.clone() })
    );
    assert_eq!(listener.announced, listener.url());

    let (status, _) = raw_request(
        &listener.addr,
        "GET /payload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 405);
    let line: Value = serde_json::from_str(&listener.next_line()).unwrap();
    assert_eq!(line["method"], "GET");
    assert_eq!(line["path"], "/payload");
    assert_eq!(line["status"], 405);

    let (status, _) = raw_request(
        &listener.addr,
        "POST /wrong%1b[31m HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 404);
    let line: Value = serde_json::from_str(&listener.next_line()).unwrap();
    assert_eq!(line["method"], "POST");
    assert_eq!(line["path"], "/wrong%1b[31m");
    assert_eq!(line["status"], 404);
}

#[test]
fn a_pipe_gets_a_line_for_404_405_and_413() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &[]);
    let (status, _) = raw_request(
        &listener.addr,
        "DELETE /payload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 405);
    let line = listener.next_line();
    assert!(
        line.ends_with("\t-\t-\tunchecked\t405\tDELETE /payload"),
        "{line}"
    );

    let (status, _) = raw_request(
        &listener.addr,
        "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 404);
    let line = listener.next_line();
    assert!(line.ends_with("\tunchecked\t404\tGET /nope"), "{line}");

    let big = vec![b'x'; 64 * 1024 * 1024];
    let head = format!(
        "POST /payload HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    );
    let mut stream = TcpStream::connect(&listener.addr).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // listen may answer and close before all of it is written.
    let _ = stream.write_all(&big);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let line = listener.next_line();
    assert!(line.ends_with("\tunchecked\t413\tPOST /payload"), "{line}");
}

#[test]
fn ready_file_holds_the_url_once_connections_are_accepted() {
    let home = TestHome::new();
    let ready = home.path().join("ready").join("listen.url");
    std::fs::create_dir_all(ready.parent().unwrap()).unwrap();
    let mut child = home
        .std_cmd()
        .env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", "0", "--ready-file"])
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(HANG, || ready.exists()),
        "no ready file appeared"
    );
    let text = std::fs::read_to_string(&ready).unwrap();
    assert!(text.ends_with('\n'), "{text:?}");
    let url = text.trim_end();
    let addr = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/payload"))
        .unwrap_or_else(|| panic!("not listen's URL: {text:?}"));
    // Right away: no retry, no wait.
    TcpStream::connect(addr).expect("listen accepts as soon as the file is there");
    let answer = mock_json(&home, url, &[], 0);
    assert_eq!(answer["response_code"], 200);
    // Nothing but the file itself: the temp file was renamed over it.
    let names: Vec<_> = std::fs::read_dir(ready.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("listen.url")]);
    let _ = child.kill();
    let _ = child.wait();
}

// ---------------------------------------------------------------- signatures

#[test]
fn an_uppercase_hex_signature_gets_406() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &[]);
    let body = br#"{"event":"device.enrolled"}"#;
    let signature = hmac_hex(SECRET.as_bytes(), body);
    let (status, answer) = post_signed(&listener.addr, body, &signature.to_uppercase());
    assert_eq!((status, answer.as_str()), (406, "Signatures mismatch"));
    let (status, _) = post_signed(&listener.addr, body, &signature);
    assert_eq!(status, 200);
    let refused = listener.next_line();
    assert_eq!(refused.split('\t').nth(3), Some("invalid"), "{refused}");
    let accepted = listener.next_line();
    assert_eq!(accepted.split('\t').nth(3), Some("valid"), "{accepted}");
}

// ------------------------------------------------ a slow or absent stdout

/// `listen --json` whose stdout is a pipe that nobody reads: kept open
/// and never drained, or closed at once. Its URL and its stderr lines.
fn listen_with_unread_stdout(
    home: &TestHome,
    close: bool,
) -> (
    Child,
    Option<std::process::ChildStdout>,
    String,
    Receiver<String>,
) {
    let mut child = home
        .std_cmd()
        .env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take();
    let stdout = if close { None } else { stdout };
    let stderr = lines_of(child.stderr.take().unwrap());
    let line = stderr
        .recv_timeout(HANG)
        .expect("listen says where it listens");
    let url = line
        .strip_prefix("Listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    (child, stdout, url, stderr)
}

fn answers_a_flood_despite(close: bool) {
    let home = TestHome::new();
    let (mut child, _stdout, url, stderr) = listen_with_unread_stdout(&home, close);
    // Each JSON line carries its payload: far more than a pipe holds, and
    // more than the lines listen keeps waiting for stdout.
    let burst = mock_json(&home, &url, &["--count", "3000"], 0);
    assert_eq!(burst["sent"], 3000, "{burst}");
    assert_eq!(burst["succeeded"], 3000, "{burst}");
    signal(&child, libc::SIGINT);
    assert!(
        wait_until(HANG, || child.try_wait().unwrap().is_some()),
        "listen did not stop"
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let said = drain(&stderr).join("\n");
    assert!(said.contains("Stopped after 3000 deliveries"), "{said}");
    if !close {
        assert!(said.contains("lines not printed"), "{said}");
    }
}

#[test]
fn a_stdout_nobody_reads_does_not_stop_answering() {
    answers_a_flood_despite(false);
}

#[test]
fn a_closed_stdout_does_not_stop_answering() {
    answers_a_flood_despite(true);
}

// ------------------------------------------------------------------ signals

#[test]
fn sigterm_stops_it_within_a_second_even_mid_forward() {
    let home = TestHome::new();
    let app = TestServer::start(Reply::Hang);
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--forward-to", &app.url()],
    );
    let mut sender = home
        .std_cmd()
        .env("SFHOOK_SECRET", SECRET)
        .args(["mock", "device-enrolled", "--url", &listener.url()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(HANG, || !app.received().is_empty()),
        "the delivery never reached the app"
    );
    let mut listener = listener;
    let started = Instant::now();
    signal(&listener.child, libc::SIGTERM);
    assert!(
        wait_until(Duration::from_secs(1), || listener
            .child
            .try_wait()
            .unwrap()
            .is_some()),
        "listen still running a second after SIGTERM"
    );
    let took = started.elapsed();
    assert_eq!(listener.child.wait().unwrap().code(), Some(0));
    let said = drain(&listener.stderr);
    assert!(
        said.iter().any(|l| l.starts_with("Stopped after ")),
        "{said:?} after {took:?}"
    );
    let _ = sender.kill();
    let _ = sender.wait();
}
