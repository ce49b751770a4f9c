//! Endpoint faults: what `mock` and `send` do when the endpoint misbehaves.
//! Each test starts a real server on 127.0.0.1 (plain TCP or TLS, one
//! thread per connection) that commits one fault, then drives the real
//! binary at it and checks what a user sees: the exit code, the message,
//! the delivery log's records, how many attempts were made, and that the
//! time taken and the memory used stay bounded.

use std::ffi::CStr;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

const EVENT: &str = "device-enrolled";
/// `send` in these tests retries twice: three attempts in all.
const RETRIES: u32 = 2;
/// Every bound on time is this much more than the timeouts and waits the
/// run is allowed: generous, so that a slow machine does not fail a test,
/// yet a hang does.
const SLACK: Duration = Duration::from_secs(10);

// ------------------------------------------------------------ the fault server

/// What the server does on its turn (one turn per request it reads, or per
/// connection for the faults that act before reading).
#[derive(Clone)]
enum Fault {
    /// A complete HTTP/1.1 answer with Content-Length; the connection stays open.
    Answer {
        code: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// After reading the request, these bytes, then close: no framing at all.
    Raw(Vec<u8>),
    /// Close the connection as soon as it is accepted, before reading.
    CloseOnAccept,
    /// Read the request, then close with SO_LINGER 0: the peer gets a RST.
    ResetAfterRequest,
    /// Read the request and never answer, keeping the connection open.
    Hang,
    /// The status line and headers (Content-Length 100000) at once, then
    /// one byte of body every 200 ms.
    Trickle { code: u16 },
    /// A 200 whose body is `size` bytes, streamed from one 64 KiB buffer.
    Huge { size: u64 },
    /// A plain HTTP server that gets something it cannot parse (a TLS
    /// ClientHello): it reads whatever arrives and answers 400, then closes.
    BadRequestToAnything,
}

impl Fault {
    fn status(code: u16) -> Fault {
        Fault::Answer {
            code,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn with_header(code: u16, name: &'static str, value: &str) -> Fault {
        Fault::Answer {
            code,
            headers: vec![(name, value.to_string())],
            body: Vec::new(),
        }
    }

    fn acts_before_reading(&self) -> bool {
        matches!(self, Fault::CloseOnAccept | Fault::BadRequestToAnything)
    }
}

struct Shared {
    /// Turn n gets faults[n], or the last one once they run out.
    faults: Vec<Fault>,
    turns: AtomicUsize,
    /// The requests read, with when each arrived.
    requests: Mutex<Vec<(Instant, Received)>>,
    connections: AtomicUsize,
    stop: AtomicBool,
}

impl Shared {
    fn fault(&self, turn: usize) -> Fault {
        self.faults[turn.min(self.faults.len() - 1)].clone()
    }
}

struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultServer {
    /// Commits `fault` on every turn.
    fn start(fault: Fault) -> FaultServer {
        FaultServer::sequence(vec![fault])
    }

    /// Commits the faults in order, then the last one forever.
    fn sequence(faults: Vec<Fault>) -> FaultServer {
        FaultServer::serve(faults, None)
    }

    /// Speaks TLS with this configuration, then commits `fault`.
    fn tls(config: Arc<rustls::ServerConfig>, fault: Fault) -> FaultServer {
        FaultServer::serve(vec![fault], Some(config))
    }

    fn serve(faults: Vec<Fault>, tls: Option<Arc<rustls::ServerConfig>>) -> FaultServer {
        assert!(!faults.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            faults,
            turns: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let server = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if server.stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                server.connections.fetch_add(1, Ordering::Relaxed);
                let (shared, tls) = (Arc::clone(&server), tls.clone());
                thread::spawn(move || connection(stream, tls, &shared));
            }
        });
        FaultServer { addr, shared }
    }

    fn url(&self) -> String {
        format!("http://{}/payload", self.addr)
    }

    fn https_url(&self, host: &str) -> String {
        format!("https://{host}:{}/payload", self.addr.port())
    }

    fn requests(&self) -> Vec<Received> {
        let requests = self.shared.requests.lock().unwrap();
        requests.iter().map(|(_, r)| r.clone()).collect()
    }

    fn arrivals(&self) -> Vec<Instant> {
        let requests = self.shared.requests.lock().unwrap();
        requests.iter().map(|(at, _)| *at).collect()
    }

    fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
    }
}

fn connection(stream: TcpStream, tls: Option<Arc<rustls::ServerConfig>>, shared: &Shared) {
    let fd = stream.as_raw_fd();
    let next = shared.fault(shared.turns.load(Ordering::Relaxed));
    if next.acts_before_reading() {
        shared.turns.fetch_add(1, Ordering::Relaxed);
        act_before_reading(stream, &next);
        return;
    }
    match tls {
        None => exchange(stream, fd, shared),
        Some(config) => {
            let session = rustls::ServerConnection::new(config).expect("a TLS session");
            exchange(rustls::StreamOwned::new(session, stream), fd, shared);
        }
    }
}

fn act_before_reading(mut stream: TcpStream, fault: &Fault) {
    if let Fault::BadRequestToAnything = fault {
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
    }
    // Dropping the stream closes it.
}

/// Reads requests and commits the turn's fault for each, until a fault
/// ends the connection or the peer goes away.
fn exchange<S: Read + Write>(stream: S, fd: RawFd, shared: &Shared) {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let turn = shared.turns.fetch_add(1, Ordering::Relaxed);
        shared
            .requests
            .lock()
            .unwrap()
            .push((Instant::now(), request));
        let stream = reader.get_mut();
        match shared.fault(turn) {
            Fault::Answer {
                code,
                headers,
                body,
            } => {
                if write_answer(stream, code, &headers, &body).is_err() {
                    return;
                }
            }
            Fault::Raw(bytes) => {
                let _ = stream.write_all(&bytes).and_then(|()| stream.flush());
                return;
            }
            Fault::ResetAfterRequest => {
                reset_on_close(fd);
                return;
            }
            Fault::Hang => {
                while !shared.stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            Fault::Trickle { code } => {
                let head = format!(
                    "HTTP/1.1 {code} {}\r\ncontent-length: 100000\r\n\r\n",
                    reason(code)
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                while !shared.stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(200));
                    if stream
                        .write_all(b"x")
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return;
                    }
                }
                return;
            }
            Fault::Huge { size } => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n");
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = size;
                while left > 0 && !shared.stop.load(Ordering::Relaxed) {
                    let n = left.min(chunk.len() as u64) as usize;
                    if stream.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    left -= n as u64;
                }
                return;
            }
            Fault::CloseOnAccept | Fault::BadRequestToAnything => {
                unreachable!("acts before reading")
            }
        }
    }
}

/// Closing this socket will send a RST instead of a FIN.
fn reset_on_close(fd: RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: fd is an open socket owned by the caller; the pointer and
    // length describe a valid `linger`.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt SO_LINGER");
}

// ------------------------------------------------------------ certificates

/// A certificate and its key, ready to serve.
struct Leaf {
    der: CertificateDer<'static>,
    key: KeyPair,
}

impl Leaf {
    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![self.der.clone()], key)
        .expect("a usable certificate");
        Arc::new(config)
    }
}

fn params_for(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("valid names");
    params
        .distinguished_name
        .push(DnType::CommonName, "sfhook fault test");
    params
}

fn self_signed(params: CertificateParams) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Leaf {
        der: cert.der().clone(),
        key,
    }
}

/// A private certificate authority, as a company's internal PKI.
struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl TestCa {
    fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params
            .distinguished_name
            .push(DnType::CommonName, "sfhook test CA");
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    fn issue(&self, params: CertificateParams) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            der: cert.der().clone(),
            key,
        }
    }

    /// The CA's certificate in a PEM file in `home`, for `--cacert`.
    fn pem_file(&self, home: &TestHome) -> std::path::PathBuf {
        let path = home.path().join("ca.pem");
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

// ------------------------------------------------------------ running sfhook

fn assert_within(took: Duration, limit: Duration, what: &str) {
    assert!(took < limit, "{what} took {took:?}, more than {limit:?}");
}

/// A home whose active profile delivers to `url`, subscribed to EVENT,
/// retrying RETRIES times with a 10 ms backoff.
fn sending_home(url: &str) -> TestHome {
    let home = TestHome::new();
    home.configure_active(url);
    home.set_retries(RETRIES);
    home.subscribe(&[EVENT]);
    home
}

fn send(home: &TestHome) -> assert_cmd::Command {
    let mut cmd = home.cmd();
    cmd.args(["send", EVENT]);
    cmd
}

/// The message sfhook ended with: its last `error:` line on stderr.
fn error_line(output: &Output) -> String {
    let stderr = stderr_of(output);
    stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line on stderr: {stderr}"))
        .to_string()
}

/// The records of one `send`: attempts numbered 1.., one event, a fresh
/// request id each, a duration, and the same answer (or none) in each.
fn check_attempts(home: &TestHome, attempts: usize, code: Option<u16>) -> Vec<Value> {
    let records = home.log_records();
    assert_eq!(records.len(), attempts, "records: {records:#?}");
    let mut request_ids = Vec::new();
    for (n, record) in records.iter().enumerate() {
        assert_eq!(record["attempt"], n + 1, "{record}");
        assert_eq!(record["event_id"], records[0]["event_id"], "{record}");
        assert_eq!(record["event"], "device.enrolled", "{record}");
        assert_eq!(record["redelivery_of"], Value::Null, "{record}");
        assert!(record["duration_ms"].is_u64(), "{record}");
        match code {
            Some(code) => assert_eq!(record["response_code"], code, "{record}"),
            None => {
                assert_eq!(record["response_code"], Value::Null, "{record}");
                assert_eq!(record["success"], false, "{record}");
                assert_eq!(record["response_body"], "", "{record}");
            }
        }
        request_ids.push(record["request_id"].as_str().unwrap().to_string());
    }
    request_ids.sort();
    request_ids.dedup();
    assert_eq!(request_ids.len(), attempts, "request ids are not fresh");
    records
}

/// Every record failed with no answer, and its error says `why`.
fn check_no_answer(home: &TestHome, attempts: usize, why: &str) -> Vec<Value> {
    let records = check_attempts(home, attempts, None);
    for record in &records {
        let error = record["error"].as_str().unwrap_or_default();
        assert!(error.contains(why), "error {error:?} does not say {why:?}");
    }
    records
}

/// Every record is an answer with `code` that failed, with no `error`.
fn check_refused(home: &TestHome, attempts: usize, code: u16) -> Vec<Value> {
    let records = check_attempts(home, attempts, Some(code));
    for record in &records {
        assert_eq!(record["success"], false, "{record}");
        assert_eq!(record["error"], Value::Null, "{record}");
    }
    records
}

/// `mock`'s failure: exit `code`, nothing logged, and the error line says `why`.
fn check_mock_fails(home: &TestHome, url: &str, code: i32, why: &str) -> Output {
    let (output, _) = run_timed(&mut home.mock_at(url, EVENT), code);
    let line = error_line(&output);
    assert!(line.contains(why), "{line:?} does not say {why:?}");
    assert!(home.log_records().is_empty(), "a mock was logged");
    output
}

/// Runs `cmd` with its stdout on a pseudo-terminal, as a person at a
/// terminal sees it, and returns its exit code and what it printed there.
fn on_a_terminal(mut cmd: std::process::Command) -> (i32, String) {
    // SAFETY: plain libc calls on a descriptor we own; ptsname_r writes a
    // NUL-terminated name into the buffer whose length it is given.
    let (master, slave_path) = unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(master >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(master), 0, "grantpt");
        assert_eq!(libc::unlockpt(master), 0, "unlockpt");
        let mut name = [0 as libc::c_char; 256];
        assert_eq!(
            libc::ptsname_r(master, name.as_mut_ptr(), name.len()),
            0,
            "ptsname_r"
        );
        let path = CStr::from_ptr(name.as_ptr()).to_str().unwrap().to_string();
        (File::from_raw_fd(master), path)
    };
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave_path)
        .expect("open the terminal's slave side");
    let child = cmd
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(slave)
        .stderr(Stdio::null())
        .spawn()
        .expect("sfhook starts");
    drop(cmd); // our copy of the slave side: the master then sees EIO at the end
    let reader = thread::spawn(move || {
        let mut master = master;
        let mut printed = Vec::new();
        let mut buf = [0u8; 4096];
        // Linux ends a pty's output with EIO once every slave is closed.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            printed.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&printed).into_owned()
    });
    let (code, _) = reap(child, Duration::from_secs(60));
    (code, reader.join().unwrap())
}

// ------------------------------------------------------------ no connection

#[test]
fn connection_refused_is_exit_4_names_the_address_and_is_retried() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/payload");
    let home = TestHome::new();
    let out = check_mock_fails(
        &home,
        &url,
        4,
        &format!("connection refused: nothing is listening at 127.0.0.1:{port}"),
    );
    assert!(stdout_of(&out).contains("failed"), "{}", stdout_of(&out));

    let home = sending_home(&url);
    let (out, took) = run_timed(&mut send(&home), 4);
    assert_within(took, SLACK, "send to a closed port");
    assert!(error_line(&out).contains("refused"), "{}", error_line(&out));
    check_no_answer(&home, 1 + RETRIES as usize, "connection refused");
}

#[test]
fn a_name_that_does_not_resolve_is_a_dns_error() {
    let url = "http://sfhook-test.invalid/payload";
    let home = TestHome::new();
    check_mock_fails(
        &home,
        url,
        4,
        "DNS: cannot resolve the host sfhook-test.invalid",
    );

    let home = sending_home(url);
    let (_, took) = run_timed(send(&home).args(["--timeout", "2s"]), 4);
    assert_within(took, 3 * Duration::from_secs(2) + SLACK, "send to .invalid");
    for record in check_no_answer(&home, 1 + RETRIES as usize, "sfhook-test.invalid") {
        assert!(
            record["error"].as_str().unwrap().starts_with("DNS:"),
            "{record}"
        );
    }
}

// ------------------------------------------------------------ a connection, no answer

#[test]
fn a_reset_before_the_headers_is_exit_4_and_retried() {
    let server = FaultServer::start(Fault::ResetAfterRequest);
    let home = TestHome::new();
    let out = check_mock_fails(&home, &server.url(), 4, "closed the connection");
    assert_eq!(server.requests().len(), 1, "{}", stderr_of(&out));

    let home = sending_home(&server.url());
    let (_, took) = run_timed(send(&home).args(["--timeout", "500ms"]), 4);
    assert_within(took, SLACK, "send to a resetting endpoint");
    check_no_answer(&home, 1 + RETRIES as usize, "closed the connection");
    assert_eq!(server.requests().len(), 2 + RETRIES as usize);
}

#[test]
fn a_close_right_after_accepting_is_exit_4_and_retried() {
    let server = FaultServer::start(Fault::CloseOnAccept);
    let home = TestHome::new();
    check_mock_fails(&home, &server.url(), 4, "closed the connection");
    assert_eq!(server.connections(), 1);

    let home = sending_home(&server.url());
    let (_, took) = run_timed(send(&home).args(["--timeout", "500ms"]), 4);
    assert_within(took, SLACK, "send to an endpoint that hangs up");
    check_no_answer(&home, 1 + RETRIES as usize, "closed the connection");
    assert_eq!(server.connections(), 2 + RETRIES as usize);
    assert!(server.requests().is_empty());
}

#[test]
fn headers_that_never_come_time_out_soon_after_the_timeout() {
    let server = FaultServer::start(Fault::Hang);
    let home = TestHome::new();
    let (out, took) = run_timed(
        home.mock_at(&server.url(), EVENT)
            .args(["--timeout", "500ms"]),
        4,
    );
    assert_within(took, Duration::from_millis(500) + SLACK, "mock");
    assert!(
        took >= Duration::from_millis(500),
        "gave up before the timeout: {took:?}"
    );
    let line = error_line(&out);
    assert!(
        line.contains("timeout: no complete answer within 500ms"),
        "{line}"
    );
    assert!(home.log_records().is_empty());

    let home = sending_home(&server.url());
    let (out, took) = run_timed(send(&home).args(["--timeout", "500ms"]), 4);
    assert_within(took, 3 * Duration::from_millis(500) + SLACK, "send");
    assert!(error_line(&out).contains("timeout"), "{}", error_line(&out));
    for record in check_no_answer(&home, 1 + RETRIES as usize, "timeout") {
        // Each attempt waited for its whole timeout, and not much longer.
        let ms = record["duration_ms"].as_u64().unwrap();
        assert!((500..500 + 10_000).contains(&ms), "{record}");
    }
}

#[test]
fn an_answer_that_is_not_http_is_exit_4() {
    let server = FaultServer::start(Fault::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()));
    let home = TestHome::new();
    let out = check_mock_fails(&home, &server.url(), 4, "not valid HTTP");
    let line = error_line(&out);
    assert!(
        line.contains(&format!("check that {} is a web server", server.addr)),
        "{line}"
    );

    let home = sending_home(&server.url());
    let (_, took) = run_timed(send(&home).args(["--timeout", "500ms"]), 4);
    assert_within(took, SLACK, "send to a non-HTTP endpoint");
    check_no_answer(&home, 1 + RETRIES as usize, "not valid HTTP");
}

// ------------------------------------------------------------ answers, and their bodies

#[test]
fn a_2xx_whose_body_trickles_past_the_timeout_is_a_success_cut_short() {
    let server = FaultServer::start(Fault::Trickle { code: 200 });
    let home = TestHome::new();
    let (out, took) = run_timed(
        home.mock_at(&server.url(), EVENT)
            .args(["--timeout", "1s", "--json"]),
        0,
    );
    assert_within(took, Duration::from_secs(1) + SLACK, "mock");
    let printed: Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON object");
    assert_eq!(printed["response_code"], 200);
    assert_eq!(printed["success"], true);
    assert_eq!(printed["error"], Value::Null);
    assert!(
        printed["cut_short"]
            .as_str()
            .unwrap_or_default()
            .contains("timeout"),
        "{printed}"
    );
    assert!(
        stderr_of(&out).contains("cut short"),
        "scripts are told too"
    );
    assert!(home.log_records().is_empty());

    // A person at a terminal is told the body did not all come.
    let mut cmd = home.std_cmd();
    cmd.env("SFHOOK_SECRET", SECRET).args([
        "mock",
        EVENT,
        "--url",
        &server.url(),
        "--timeout",
        "1s",
    ]);
    let (code, printed) = on_a_terminal(cmd);
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains("200 OK") && printed.contains("cut short") && printed.contains("timeout"),
        "{printed}"
    );

    let home = sending_home(&server.url());
    let (out, took) = run_timed(send(&home).args(["--timeout", "1s"]), 0);
    assert_within(took, Duration::from_secs(1) + SLACK, "send");
    assert!(stderr_of(&out).contains("cut short"), "{}", stderr_of(&out));
    let records = check_attempts(&home, 1, Some(200));
    let record = &records[0];
    assert_eq!(record["success"], true, "{record}");
    assert_eq!(record["error"], Value::Null, "{record}");
    // About five bytes came in the second; what came is kept.
    let body = record["response_body"].as_str().unwrap();
    assert!(
        !body.is_empty() && body.len() < 100 && body.bytes().all(|b| b == b'x'),
        "{record}"
    );
    assert!(record["duration_ms"].as_u64().unwrap() >= 1000, "{record}");

    let mut cmd = home.std_cmd();
    cmd.args(["send", EVENT, "--timeout", "1s"]);
    let (code, printed) = on_a_terminal(cmd);
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("cut short"), "{printed}");
}

#[test]
fn a_5xx_whose_body_trickles_is_exit_3_and_retried() {
    let server = FaultServer::start(Fault::Trickle { code: 500 });
    let home = TestHome::new();
    let (out, took) = run_timed(
        home.mock_at(&server.url(), EVENT).args(["--timeout", "1s"]),
        3,
    );
    assert_within(took, Duration::from_secs(1) + SLACK, "mock");
    let line = error_line(&out);
    assert!(line.contains("500") && line.contains("cut short"), "{line}");

    let home = sending_home(&server.url());
    let (_, took) = run_timed(send(&home).args(["--timeout", "1s"]), 3);
    assert_within(took, 3 * Duration::from_secs(1) + SLACK, "send");
    for record in check_refused(&home, 1 + RETRIES as usize, 500) {
        assert!(
            record["response_body"].as_str().unwrap().starts_with('x'),
            "{record}"
        );
    }
}

#[test]
fn redirects_are_failures_never_followed_nor_retried() {
    let elsewhere = FaultServer::start(Fault::status(200));
    for code in [301, 302, 307, 308] {
        let server = FaultServer::start(Fault::with_header(code, "Location", &elsewhere.url()));
        let home = TestHome::new();
        let out = check_mock_fails(&home, &server.url(), 3, &code.to_string());
        let line = error_line(&out);
        assert!(
            line.contains("redirect") && line.contains(&elsewhere.url()),
            "{line}"
        );

        let home = sending_home(&server.url());
        run_timed(&mut send(&home), 3);
        check_refused(&home, 1, code);
        assert_eq!(server.requests().len(), 2, "{code}: retried");
    }
    assert_eq!(elsewhere.connections(), 0, "a redirect was followed");
}

#[test]
fn client_errors_are_exit_3_and_not_retried() {
    for code in [400, 401, 404, 410] {
        let server = FaultServer::start(Fault::Answer {
            code,
            headers: Vec::new(),
            body: b"{\"error\":\"no\"}".to_vec(),
        });
        let home = TestHome::new();
        let out = check_mock_fails(&home, &server.url(), 3, &format!("answered {code}"));
        assert!(stdout_of(&out).contains("{\"error\":\"no\"}"));

        let home = sending_home(&server.url());
        let (out, _) = run_timed(&mut send(&home), 3);
        assert!(
            error_line(&out).contains(&code.to_string()),
            "{}",
            error_line(&out)
        );
        let records = check_refused(&home, 1, code);
        assert_eq!(records[0]["response_body"], "{\"error\":\"no\"}");
        assert_eq!(server.requests().len(), 2, "{code}: retried");
    }
}

#[test]
fn server_errors_are_exit_3_and_retried_with_exponential_backoff() {
    for code in [500, 502, 503] {
        let server = FaultServer::start(Fault::status(code));
        let home = TestHome::new();
        check_mock_fails(&home, &server.url(), 3, &format!("answered {code}"));
        assert_eq!(server.requests().len(), 1);

        let home = sending_home(&server.url());
        home.cmd()
            .args(["configure", "--backoff", "200ms"])
            .assert()
            .success();
        let (_, took) = run_timed(&mut send(&home), 3);
        // Waits of at most 1.5 × (200 + 400) ms.
        assert_within(took, Duration::from_millis(900) + SLACK, "send");
        check_refused(&home, 1 + RETRIES as usize, code);
        let arrivals = server.arrivals();
        assert_eq!(arrivals.len(), 2 + RETRIES as usize);
        // Backoff 200 ms then 400 ms, each times a factor of at least 0.5.
        let (first, second) = (arrivals[2] - arrivals[1], arrivals[3] - arrivals[2]);
        assert!(first >= Duration::from_millis(100), "first wait {first:?}");
        assert!(
            second >= Duration::from_millis(200),
            "second wait {second:?}"
        );
    }
}

#[test]
fn a_429_is_retried_after_its_retry_after() {
    let server = FaultServer::sequence(vec![
        Fault::with_header(429, "Retry-After", "1"),
        Fault::status(200),
    ]);
    let home = sending_home(&server.url());
    let (out, took) = run_timed(&mut send(&home), 0);
    assert_within(took, Duration::from_secs(1) + SLACK, "send");
    assert!(
        stderr_of(&out).contains("retrying in"),
        "{}",
        stderr_of(&out)
    );
    let records = home.log_records();
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(records[0]["response_code"], 429);
    assert_eq!(records[0]["success"], false);
    assert_eq!(records[1]["response_code"], 200);
    assert_eq!(records[1]["success"], true);
    assert_eq!(records[1]["attempt"], 2);
    let arrivals = server.arrivals();
    let waited = arrivals[1] - arrivals[0];
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}, before its Retry-After of 1 s"
    );

    // mock makes one request, and the 429 is its answer.
    let server = FaultServer::start(Fault::with_header(429, "Retry-After", "1"));
    let home = TestHome::new();
    check_mock_fails(&home, &server.url(), 3, "429");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_1_gb_answer_is_streamed_in_bounded_memory() {
    const SIZE: u64 = 1024 * 1024 * 1024;
    const PEAK_KIB: i64 = 64 * 1024;
    let server = FaultServer::start(Fault::Huge { size: SIZE });
    let home = sending_home(&server.url());
    let started = Instant::now();
    let (code, peak_kib) = exit_code_and_peak_rss(home.std_cmd().args(["send", EVENT]));
    let took = started.elapsed();
    assert_eq!(code, 0);
    assert_within(took, SLACK, "send with a 1 GB answer");
    assert!(peak_kib < PEAK_KIB, "send: peak RSS {peak_kib} KiB");
    eprintln!("1 GB answer, send: {took:?}, peak RSS {peak_kib} KiB");
    let records = check_attempts(&home, 1, Some(200));
    assert_eq!(records[0]["success"], true);
    assert_eq!(records[0]["response_body"].as_str().unwrap().len(), 4096);

    let started = Instant::now();
    let (code, peak_kib) =
        exit_code_and_peak_rss(home.std_cmd().env("SFHOOK_SECRET", SECRET).args([
            "mock",
            EVENT,
            "--url",
            &server.url(),
        ]));
    let took = started.elapsed();
    assert_eq!(code, 0);
    assert_within(took, SLACK, "mock with a 1 GB answer");
    assert!(peak_kib < PEAK_KIB, "mock: peak RSS {peak_kib} KiB");
    eprintln!("1 GB answer, mock: {took:?}, peak RSS {peak_kib} KiB");
}

#[test]
fn a_body_that_is_not_utf8_is_logged_as_valid_json() {
    let mut body = vec![0xff, 0xfe, b'{', 0x80, b'"', b'\\', 0x00, 0x1b];
    body.extend_from_slice("é".as_bytes());
    body.push(0xc3); // half a character at the end
    let server = FaultServer::start(Fault::Answer {
        code: 200,
        headers: vec![("content-type", "application/octet-stream".into())],
        body,
    });
    let home = TestHome::new();
    let (out, _) = run_timed(home.mock_at(&server.url(), EVENT).arg("--json"), 0);
    let printed: Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON object");
    let expected = "\u{fffd}\u{fffd}{\u{fffd}\"\\\u{0}\u{1b}é\u{fffd}";
    assert_eq!(printed["response_body"], expected);

    let home = sending_home(&server.url());
    run_timed(&mut send(&home), 0);
    // The line parses (log_records panics otherwise), and so does every
    // line `logs --json` prints.
    let records = check_attempts(&home, 1, Some(200));
    assert_eq!(records[0]["response_body"], expected);
    let (out, _) = run_timed(home.cmd().args(["logs", "--json"]), 0);
    let stdout = stdout_of(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    for line in lines {
        let record: Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(record["response_body"], expected);
    }
}

#[test]
fn an_http_1_0_answer_delimited_by_closing_is_read_whole() {
    let server = FaultServer::start(Fault::Raw(
        b"HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nthanks, all of it".to_vec(),
    ));
    let home = TestHome::new();
    let (out, _) = run_timed(home.mock_at(&server.url(), EVENT).arg("--json"), 0);
    let printed: Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON object");
    assert_eq!(printed["response_body"], "thanks, all of it");

    let home = sending_home(&server.url());
    run_timed(&mut send(&home), 0);
    let records = check_attempts(&home, 1, Some(200));
    assert_eq!(records[0]["success"], true);
    assert_eq!(records[0]["response_body"], "thanks, all of it");
}

// ------------------------------------------------------------ TLS

#[test]
fn a_self_signed_certificate_is_refused_with_a_hint_and_accepted_with_insecure() {
    let leaf = self_signed(params_for(&["localhost", "127.0.0.1"]));
    let server = FaultServer::tls(leaf.server_config(), Fault::status(200));
    let url = server.https_url("127.0.0.1");
    let home = TestHome::new();
    let out = check_mock_fails(&home, &url, 4, "TLS: ");
    let line = error_line(&out);
    assert!(
        line.contains("self-signed") && line.contains("--cacert") && line.contains("--insecure"),
        "{line}"
    );
    assert!(server.requests().is_empty());

    let (out, _) = run_timed(home.mock_at(&url, EVENT).arg("--insecure"), 0);
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("warning") && stderr.contains("--insecure"),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 1);

    // send does not retry a certificate problem: it will not fix itself.
    let home = sending_home(&url);
    run_timed(&mut send(&home), 4);
    check_no_answer(&home, 1, "--cacert");
    let (out, _) = run_timed(send(&home).arg("--insecure"), 0);
    assert!(stderr_of(&out).contains("warning"), "{}", stderr_of(&out));
    assert_eq!(home.log_records()[1]["success"], true);
}

#[test]
fn an_expired_certificate_names_its_expiry_date() {
    let mut params = params_for(&["localhost", "127.0.0.1"]);
    params.not_before = date_time_ymd(2023, 1, 1);
    params.not_after = date_time_ymd(2024, 1, 1);
    let expected = "TLS: the endpoint's certificate expired on 2024-01-01";

    // Signed by a CA the user trusts: only its dates are wrong.
    let ca = TestCa::new();
    let server = FaultServer::tls(ca.issue(params.clone()).server_config(), Fault::status(200));
    let url = server.https_url("localhost");
    let home = TestHome::new();
    let cacert = ca.pem_file(&home);
    let (out, _) = run_timed(home.mock_at(&url, EVENT).arg("--cacert").arg(&cacert), 4);
    assert!(error_line(&out).contains(expected), "{}", error_line(&out));

    let home = sending_home(&url);
    let cacert = ca.pem_file(&home);
    run_timed(send(&home).arg("--cacert").arg(&cacert), 4);
    check_no_answer(&home, 1, expected);

    // Self-signed and expired: the expiry is what the user must hear of first.
    let server = FaultServer::tls(self_signed(params).server_config(), Fault::status(200));
    let home = TestHome::new();
    check_mock_fails(&home, &server.https_url("127.0.0.1"), 4, expected);
    assert!(server.requests().is_empty());
}

#[test]
fn a_certificate_for_another_host_names_the_hosts_it_is_for() {
    let ca = TestCa::new();
    let leaf = ca.issue(params_for(&["other.example", "www.other.example"]));
    let server = FaultServer::tls(leaf.server_config(), Fault::status(200));
    for host in ["127.0.0.1", "localhost"] {
        let url = server.https_url(host);
        let home = TestHome::new();
        let cacert = ca.pem_file(&home);
        let (out, _) = run_timed(home.mock_at(&url, EVENT).arg("--cacert").arg(&cacert), 4);
        let line = error_line(&out);
        let expected = format!(
            "TLS: the endpoint's certificate is for other.example, www.other.example, not {host}"
        );
        assert!(line.contains(&expected), "{line}");

        let home = sending_home(&url);
        let cacert = ca.pem_file(&home);
        run_timed(send(&home).arg("--cacert").arg(&cacert), 4);
        check_no_answer(&home, 1, &expected);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_private_ca_is_trusted_with_cacert_and_only_with_it() {
    let ca = TestCa::new();
    let leaf = ca.issue(params_for(&["localhost", "127.0.0.1"]));
    let server = FaultServer::tls(
        leaf.server_config(),
        Fault::with_header(200, "x-tls", "yes"),
    );
    for host in ["localhost", "127.0.0.1"] {
        let url = server.https_url(host);
        let home = TestHome::new();
        let cacert = ca.pem_file(&home);
        check_mock_fails(&home, &url, 4, "--cacert");
        run_timed(home.mock_at(&url, EVENT).arg("--cacert").arg(&cacert), 0);

        let home = sending_home(&url);
        let cacert = ca.pem_file(&home);
        run_timed(&mut send(&home), 4);
        check_no_answer(&home, 1, "not signed by a trusted authority");
        run_timed(send(&home).arg("--cacert").arg(&cacert), 0);
        assert_eq!(home.log_records()[1]["success"], true);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.signature_valid(SECRET)));
}

#[test]
fn https_to_a_plain_http_server_says_so() {
    let server = FaultServer::start(Fault::BadRequestToAnything);
    let url = server.https_url("127.0.0.1");
    let home = TestHome::new();
    let out = check_mock_fails(&home, &url, 4, "TLS: ");
    let line = error_line(&out);
    assert!(line.contains("use an http:// URL"), "{line}");

    let home = sending_home(&url);
    let (_, took) = run_timed(&mut send(&home), 4);
    assert_within(took, SLACK, "send");
    check_no_answer(&home, 1, "use an http:// URL");
}

#[test]
fn http_to_a_tls_server_says_so() {
    let leaf = self_signed(params_for(&["localhost", "127.0.0.1"]));
    let server = FaultServer::tls(leaf.server_config(), Fault::status(200));
    let url = server.url();
    let home = TestHome::new();
    let out = check_mock_fails(&home, &url, 4, "https://");
    assert!(server.requests().is_empty(), "{}", stderr_of(&out));

    let home = sending_home(&url);
    let (_, took) = run_timed(send(&home).args(["--timeout", "500ms"]), 4);
    assert_within(took, 3 * Duration::from_millis(500) + SLACK, "send");
    // Retried, as any answer that is not HTTP may be a passing fault.
    check_no_answer(&home, 1 + RETRIES as usize, "https://");
}

// ------------------------------------------------------------ doctor

/// `sfhook doctor --json` in `home`, with extra arguments: its exit code
/// and each check as (name, status, detail, fix).
fn doctor(home: &TestHome, extra: &[&str]) -> (i32, Vec<CheckRow>) {
    let mut cmd = home.cmd();
    cmd.args(["doctor", "--json"]).args(extra);
    let (code, _, checks) = doctor_report(&mut cmd);
    (code, checks)
}

#[test]
fn doctor_passes_every_check_against_a_good_endpoint() {
    let receiver = verifying_receiver(SECRET);
    let home = sending_home(&receiver.url());
    run_timed(&mut send(&home), 0);
    let (code, checks) = doctor(&home, &[]);
    let names: Vec<&str> = checks.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        ["config", "profile", "dns", "connect", "tls", "mock", "log"]
    );
    assert_eq!(code, 0, "{checks:?}");
    for (name, status, detail, _) in &checks {
        // Plain http on this machine has no certificate: tls is skipped.
        let expected = if name == "tls" { "skip" } else { "pass" };
        assert_eq!(status, expected, "{name}: {detail}");
    }
    assert!(check_named(&checks, "mock").2.contains("200 OK"));
    assert!(check_named(&checks, "log").2.contains("all delivered"));
    // The mock reached the receiver signed, and was not logged.
    assert_eq!(receiver.received().len(), 2);
    assert_eq!(home.log_records().len(), 1);

    // On a pipe: one tab-separated line per check.
    let out = home.cmd().arg("doctor").output().unwrap();
    assert_eq!(exit_code(&out), 0);
    let lines: Vec<String> = stdout_of(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 7, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.split('\t').count() == 4),
        "{lines:?}"
    );
}

#[test]
fn doctor_names_an_expired_certificate() {
    let mut params = params_for(&["localhost"]);
    params.not_before = date_time_ymd(2023, 1, 1);
    params.not_after = date_time_ymd(2024, 1, 1);
    let ca = TestCa::new();
    let server = FaultServer::tls(ca.issue(params).server_config(), Fault::status(200));
    let home = sending_home(&server.https_url("localhost"));
    let cacert = ca.pem_file(&home);
    let (code, checks) = doctor(&home, &["--cacert", cacert.to_str().unwrap()]);
    assert_eq!(code, 1);
    let (_, status, detail, fix) = check_named(&checks, "tls");
    assert_eq!(status, "fail");
    assert!(
        detail.contains("certificate expired on 2024-01-01"),
        "{detail}"
    );
    assert!(detail.contains("days ago"), "{detail}");
    assert!(fix.contains("renew"), "{fix}");
    assert_eq!(check_named(&checks, "connect").1, "pass");
    assert_eq!(check_named(&checks, "mock").1, "skip");
    assert!(server.requests().is_empty(), "nothing was sent past TLS");
}

#[test]
fn doctor_warns_of_a_certificate_about_to_expire() {
    // Midnight (UTC) of the day 11 days from now: 10 whole days and some hours away.
    let soon = jiff::tz::TimeZone::UTC
        .to_datetime(
            jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(24 * 11))
                .unwrap(),
        )
        .date();
    let mut params = params_for(&["localhost"]);
    params.not_after = date_time_ymd(i32::from(soon.year()), soon.month() as u8, soon.day() as u8);
    let ca = TestCa::new();
    let server = FaultServer::tls(ca.issue(params).server_config(), Fault::status(200));
    let home = sending_home(&server.https_url("localhost"));
    let cacert = ca.pem_file(&home);
    let (code, checks) = doctor(&home, &["--cacert", cacert.to_str().unwrap()]);
    let (_, status, detail, fix) = check_named(&checks, "tls");
    assert_eq!(status, "warn", "{detail}");
    assert!(detail.contains("valid for localhost"), "{detail}");
    assert!(detail.contains("expires in 10 days"), "{detail}");
    assert!(fix.contains("renew it before"), "{fix}");
    // A warning does not fail the run: the mock still got through.
    assert_eq!(check_named(&checks, "mock").1, "pass");
    assert_eq!(code, 0, "{checks:?}");
}

#[test]
fn doctor_names_a_wrong_path_a_wrong_secret_and_a_failing_receiver() {
    let cases: [(TestServer, &str, &str); 3] = [
        (
            TestServer::start(Reply::with_body(404, "Not Found")),
            "404 Not Found",
            "wrong path",
        ),
        (
            verifying_receiver("the-receiver-holds-another-secret"),
            "406 Not Acceptable",
            "the receiver rejects the signature",
        ),
        (
            TestServer::start(Reply::with_body(500, "NoMethodError")),
            "500 Internal Server Error",
            "the receiver's code failed",
        ),
    ];
    for (server, answer, cause) in &cases {
        let home = sending_home(&server.url());
        let (code, checks) = doctor(&home, &[]);
        assert_eq!(code, 1, "{checks:?}");
        let (_, status, detail, fix) = check_named(&checks, "mock");
        assert_eq!(status, "fail");
        assert!(detail.contains(answer), "{detail}");
        assert!(detail.contains(cause), "{detail}");
        assert!(!fix.is_empty());
        if *cause == "the receiver rejects the signature" {
            assert!(fix.contains("same secret"), "{fix}");
        }
        // Every other check passed: the failure is pinned on the receiver.
        for name in ["config", "profile", "dns", "connect"] {
            assert_eq!(check_named(&checks, name).1, "pass", "{name}");
        }
    }
}

#[test]
fn doctor_groups_recent_failures_in_the_log_by_cause() {
    let failing = FaultServer::start(Fault::status(500));
    let home = sending_home(&failing.url());
    home.cmd()
        .args(["configure", "--retries", "0"])
        .assert()
        .success();
    run_timed(&mut send(&home), 3);
    run_timed(&mut send(&home), 3);
    drop(failing);
    let receiver = verifying_receiver(SECRET);
    home.cmd()
        .args(["configure", "--url", &receiver.url()])
        .assert()
        .success();
    let (code, checks) = doctor(&home, &[]);
    let (_, status, detail, fix) = check_named(&checks, "log");
    // The receiver works now, but the latest delivery failed.
    assert_eq!(status, "fail");
    assert!(
        detail.contains(
            "2 of 2 deliveries in the last 7d failed: 2× 500 (the receiver's code failed)"
        ),
        "{detail}"
    );
    assert!(fix.contains("redeliver --failed"), "{fix}");
    assert_eq!(code, 1);

    // After a successful delivery the old failures are a warning.
    run_timed(&mut send(&home), 0);
    let (code, checks) = doctor(&home, &[]);
    let (_, status, detail, _) = check_named(&checks, "log");
    assert_eq!(status, "warn", "{detail}");
    assert!(detail.contains("2 of 3"), "{detail}");
    assert_eq!(code, 0);
}

#[test]
fn doctor_without_a_configuration_says_what_to_run() {
    let home = TestHome::new();
    let (code, checks) = doctor(&home, &[]);
    assert_eq!(code, 1);
    let (_, status, detail, fix) = check_named(&checks, "config");
    assert_eq!(status, "fail");
    assert!(detail.contains("no configuration"), "{detail}");
    assert!(fix.contains("sfhook configure --url URL"), "{fix}");
    for name in ["dns", "connect", "tls", "mock"] {
        assert_eq!(check_named(&checks, name).1, "skip", "{name}");
    }
}

#[test]
fn doctor_fails_a_profile_that_cannot_send() {
    let receiver = verifying_receiver(SECRET);
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    // Active, but subscribed to nothing: 'send' refuses every event.
    let (code, checks) = doctor(&home, &[]);
    assert_eq!(code, 1);
    let (_, status, detail, fix) = check_named(&checks, "profile");
    assert_eq!(status, "fail", "{detail}");
    assert!(fix.contains("sfhook subscribe"), "{fix}");
    // The endpoint itself is fine, and says so.
    assert_eq!(check_named(&checks, "mock").1, "pass");

    home.subscribe(&[EVENT]);
    home.cmd().arg("deactivate").assert().success();
    let (code, checks) = doctor(&home, &[]);
    assert_eq!(code, 1);
    let (_, status, _, fix) = check_named(&checks, "profile");
    assert_eq!(status, "fail");
    assert!(fix.contains("sfhook activate"), "{fix}");
}

#[test]
fn doctor_puts_the_advice_of_a_config_error_in_its_fix() {
    let home = TestHome::new();
    home.configure_active("http://127.0.0.1:9/payload");
    let config = home.config_path();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let (code, checks) = doctor(&home, &[]);
    assert_eq!(code, 1);
    let (_, status, detail, fix) = check_named(&checks, "config");
    assert_eq!(status, "fail");
    assert!(detail.contains("accessible to other users"), "{detail}");
    assert!(fix.starts_with("run 'chmod 600"), "{fix}");
    assert_eq!(
        check_named(&checks, "dns").2,
        "skipped: no usable configuration"
    );
}

#[test]
fn doctor_checks_deliveries_through_a_proxy_the_way_they_go() {
    // The host does not resolve here; only the proxy (a test server that
    // answers 200) can reach it, as on a corporate network.
    let proxy = TestServer::start(Reply::status(200));
    let home = sending_home("http://hooks.internal.invalid/payload");
    let out = home
        .cmd()
        .args(["doctor", "--json"])
        .env("http_proxy", format!("http://{}", proxy.addr))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(exit_code(&out), 0, "{report}");
    for check in report["checks"].as_array().unwrap() {
        let name = check["check"].as_str().unwrap();
        let expected = match name {
            "dns" | "connect" | "tls" => "skip",
            _ => "pass",
        };
        assert_eq!(check["status"], expected, "{check}");
    }
    assert_eq!(proxy.received().len(), 1, "the mock went through the proxy");
}

#[test]
fn doctor_with_insecure_still_names_an_expired_certificate() {
    let mut params = params_for(&["localhost"]);
    params.not_before = date_time_ymd(2023, 1, 1);
    params.not_after = date_time_ymd(2024, 1, 1);
    let server = FaultServer::tls(self_signed(params).server_config(), Fault::status(200));
    let home = sending_home(&server.https_url("localhost"));
    let (code, checks) = doctor(&home, &["--insecure"]);
    let (_, status, detail, fix) = check_named(&checks, "tls");
    assert_eq!(status, "warn", "{detail}");
    assert!(detail.contains("expired on 2024-01-01"), "{detail}");
    assert!(!detail.contains("expires in -"), "{detail}");
    assert!(fix.contains("only --insecure"), "{fix}");
    assert_eq!(check_named(&checks, "mock").1, "pass");
    assert_eq!(code, 0);
}

#[test]
fn a_range_in_no_proxy_sends_mock_and_doctor_direct() {
    // An HTTPS_PROXY where nothing listens: whatever goes its way fails.
    let dead_proxy = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let ca = TestCa::new();
    let leaf = ca.issue(params_for(&["127.0.0.1"]));
    let server = FaultServer::tls(leaf.server_config(), Fault::status(200));
    let url = server.https_url("127.0.0.1");
    let home = sending_home(&url);
    let cacert = ca.pem_file(&home);
    let cacert = cacert.to_str().unwrap();
    let doctor_via = |no_proxy: Option<&str>| -> Value {
        let mut cmd = home.cmd();
        cmd.args(["doctor", "--json", "--cacert", cacert])
            .env("HTTPS_PROXY", &dead_proxy);
        if let Some(range) = no_proxy {
            cmd.env("NO_PROXY", range);
        }
        let out = cmd.output().unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {}", describe(&out)))
    };
    let status_of = |report: &Value, name: &str| -> String {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {name} check in {report}"))
    };

    // Without NO_PROXY both take the dead proxy's way, so the test can
    // tell a direct request from one through the proxy.
    let mut mock = home.mock_at(&url, EVENT);
    mock.args(["--cacert", cacert])
        .env("HTTPS_PROXY", &dead_proxy);
    run_timed(&mut mock, 4);
    let report = doctor_via(None);
    for name in ["dns", "connect", "tls"] {
        assert_eq!(status_of(&report, name), "skip", "{report}");
    }
    assert_eq!(status_of(&report, "mock"), "fail", "{report}");
    assert!(server.requests().is_empty());

    // The loopback range in NO_PROXY: both go direct, as CIDR matching says.
    let mut mock = home.mock_at(&url, EVENT);
    mock.args(["--cacert", cacert])
        .env("HTTPS_PROXY", &dead_proxy)
        .env("NO_PROXY", "127.0.0.0/8");
    run_timed(&mut mock, 0);
    let report = doctor_via(Some("127.0.0.0/8"));
    for name in ["dns", "connect", "tls", "mock"] {
        assert_eq!(status_of(&report, name), "pass", "{report}");
    }
    assert_eq!(
        server.requests().len(),
        2,
        "the mock and doctor's mock came direct"
    );
}
