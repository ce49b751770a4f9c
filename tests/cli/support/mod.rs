//! Shared by the integration tests: a temporary sfhook home, the real
//! binary run in it, and a real HTTP server on 127.0.0.1 whose behaviour
//! each test chooses. The server computes signatures with its own HMAC code
//! (the hmac and sha2 crates directly), never with sfhook's signing module.
//!
//! `process` runs and reaps sfhook, `contract` holds what the contract
//! fixes (the event catalogue, a record's fields, the log's times, the
//! command tree), `rng` the seeded generator the tests draw data from,
//! `snapshot` what makes output comparable with a committed snapshot, and
//! `doctor` reads `doctor --json`.
#![allow(dead_code)]

mod contract;
mod doctor;
mod process;
mod pty;
mod rng;
mod snapshot;

pub use contract::*;
pub use doctor::*;
pub use process::*;
pub use pty::{pty_run, pty_run_with};
pub use rng::{Rng, mix};
pub use snapshot::*;

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Environment variables that would change sfhook's behaviour: cleared in
/// every test so that the developer's shell cannot leak in.
pub const CLEARED_ENV: &[&str] = &[
    // clap wraps help at $COLUMNS when stdout is not a terminal.
    "COLUMNS",
    "LINES",
    "SFHOOK_HOME",
    "SFHOOK_PROFILE",
    "SFHOOK_SECRET",
    "SFHOOK_URL",
    // Turns a run into a completion request.
    "_SFHOOK_COMPLETE",
    "NO_COLOR",
    // anstream reads these to decide colour, as clap does.
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
];

pub const SECRET: &str = "test-secret-0123456789abcdef";

/// A temporary home for sfhook's files.
pub struct TestHome {
    pub dir: tempfile::TempDir,
}

impl TestHome {
    pub fn new() -> TestHome {
        TestHome {
            dir: tempfile::tempdir().expect("create a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    pub fn log_path(&self) -> PathBuf {
        self.path().join("deliveries.jsonl")
    }

    /// `sfhook` with this home, a clean environment, and stdin closed.
    pub fn cmd(&self) -> Command {
        let mut cmd = sfhook();
        cmd.env("SFHOOK_HOME", self.path());
        cmd
    }

    /// `sfhook` with this home as a std command (for a run the test spawns,
    /// kills or measures): an empty environment but PATH, and stdin from
    /// /dev/null.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std_sfhook();
        cmd.env("SFHOOK_HOME", self.path());
        cmd
    }

    /// configure (with SECRET from stdin, fast retries) and activate.
    pub fn configure_active(&self, url: &str) {
        self.cmd()
            .args([
                "configure",
                "--url",
                url,
                "--secret-stdin",
                "--backoff",
                "10ms",
                "--timeout",
                "5s",
            ])
            .write_stdin(format!("{SECRET}\n"))
            .assert()
            .success();
        self.cmd().arg("activate").assert().success();
    }

    /// A home whose default profile is active, subscribed to
    /// device-enrolled and device-locked, retries nothing and points at
    /// `receiver`, and whose log holds a failed delivery (a 503 from another
    /// endpoint) and then a successful one: every kind of output has
    /// something to show.
    pub fn with_history(receiver: &TestServer) -> TestHome {
        let failing = TestServer::start(Reply::status(503));
        let home = TestHome::new();
        home.configure_active(&failing.url());
        home.set_retries(0);
        home.subscribe(&["device-enrolled", "device-locked"]);
        home.cmd().args(["send", "device-locked"]).assert().code(3);
        home.cmd()
            .args(["configure", "--url", &receiver.url()])
            .assert()
            .success();
        home.cmd()
            .args(["send", "device-enrolled"])
            .assert()
            .success();
        home
    }

    pub fn set_retries(&self, retries: u32) {
        self.cmd()
            .args(["configure", "--retries", &retries.to_string()])
            .assert()
            .success();
    }

    /// `mock EVENT --url URL` in this home, signed with SECRET.
    pub fn mock_at(&self, url: &str, event: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.env("SFHOOK_SECRET", SECRET)
            .args(["mock", event, "--url", url]);
        cmd
    }

    pub fn subscribe(&self, events: &[&str]) {
        self.cmd().arg("subscribe").args(events).assert().success();
    }

    /// `status --json`, of `profile` or of the active one.
    pub fn status_json(&self, profile: Option<&str>) -> serde_json::Value {
        let mut args = vec!["status", "--json"];
        if let Some(profile) = profile {
            args.extend(["--profile", profile]);
        }
        let output = run_ok(self, &args);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("status --json is not JSON ({e}): {}", stdout_of(&output)))
    }

    /// Every line of the delivery log, parsed.
    pub fn log_records(&self) -> Vec<serde_json::Value> {
        match std::fs::read_to_string(self.log_path()) {
            Ok(text) => text
                .lines()
                .map(|l| {
                    serde_json::from_str(l)
                        .unwrap_or_else(|e| panic!("log line does not parse ({e}): {l}"))
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The sfhook binary with a clean environment and no home set.
pub fn sfhook() -> Command {
    let mut cmd = Command::new(BIN);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// Writes `bytes` as sfhook would find its own file: mode 0600 from the
/// start, replacing whatever was there.
pub fn write_private(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write a private file");
}

/// How `status` names a secret: `sha256:` and the first 12 hex digits of
/// its SHA-256.
pub fn fingerprint(secret: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", &hex::encode(Sha256::digest(secret))[..12])
}

/// Fails the test if `bytes` (what `what` printed or wrote) hold `secret`.
pub fn assert_secret_absent(secret: &str, what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains(secret),
        "{what} shows the secret:\n{}",
        truncated(&text)
    );
}

/// `assert_secret_absent` for both streams of a run.
pub fn assert_secret_not_printed(secret: &str, what: &str, out: &std::process::Output) {
    assert_secret_absent(secret, &format!("{what} (stdout)"), &out.stdout);
    assert_secret_absent(secret, &format!("{what} (stderr)"), &out.stderr);
}

/// HMAC-SHA256 as lowercase hex, computed here and not by sfhook.
pub fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// One request as the test server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// Whether X-SF-Signature is the HMAC of the body under `secret`.
    pub fn signature_valid(&self, secret: &str) -> bool {
        self.header("x-sf-signature") == Some(hmac_hex(secret.as_bytes(), &self.body).as_str())
    }
}

/// What the server does with a request.
#[derive(Clone)]
pub enum Reply {
    /// A complete answer with Content-Length.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// These bytes, then close the connection.
    Raw(Vec<u8>),
    /// Never answer; keep the connection open.
    Hang,
    /// Close the connection without answering.
    Close,
    /// The status line and headers, then one byte of body every `interval`.
    Trickle { code: u16, interval: Duration },
    /// A 200 whose body is `size` bytes, streamed.
    Huge { size: u64 },
}

impl Reply {
    pub fn status(code: u16) -> Reply {
        Reply::Status {
            code,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_body(code: u16, body: &str) -> Reply {
        Reply::Status {
            code,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(code: u16, name: &str, value: &str) -> Reply {
        Reply::Status {
            code,
            headers: vec![(name.to_string(), value.to_string())],
            body: Vec::new(),
        }
    }
}

type Handler = dyn Fn(&Received, usize) -> Reply + Send + Sync;

/// A real HTTP/1.1 server on 127.0.0.1, one thread per connection.
pub struct TestServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    /// Answers every request with `reply`.
    pub fn start(reply: Reply) -> TestServer {
        TestServer::with_handler(move |_, _| reply.clone())
    }

    /// Answers request number `n` (from 0) with `handler(request, n)`.
    pub fn with_handler(
        handler: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (r, c, s) = (
            Arc::clone(&received),
            Arc::clone(&connections),
            Arc::clone(&stop),
        );
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::Relaxed);
                let (r, h, s) = (Arc::clone(&r), Arc::clone(&handler), Arc::clone(&s));
                thread::spawn(move || serve_connection(stream, &r, &*h, &s));
            }
        });
        TestServer {
            addr,
            received,
            connections,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/payload", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
    }
}

fn serve_connection(
    stream: TcpStream,
    received: &Mutex<Vec<Received>>,
    handler: &Handler,
    stop: &AtomicBool,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let index = {
            let mut all = received.lock().unwrap();
            all.push(request.clone());
            all.len() - 1
        };
        match handler(&request, index) {
            Reply::Status {
                code,
                headers,
                body,
            } => {
                if write_answer(&mut writer, code, &headers, &body).is_err() {
                    return;
                }
            }
            Reply::Raw(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Hang => {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            Reply::Close => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Trickle { code, interval } => {
                let head = format!(
                    "HTTP/1.1 {code} {}\r\ncontent-length: 100000\r\n\r\n",
                    reason(code)
                );
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(interval);
                    if writer.write_all(b"x").is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::Huge { size } => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n");
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = size;
                while left > 0 {
                    let n = left.min(chunk.len() as u64) as usize;
                    if writer.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    left -= n as u64;
                }
                return;
            }
        }
    }
}

/// A complete HTTP/1.1 answer with a Content-Length body.
pub fn write_answer<N: std::fmt::Display, V: std::fmt::Display>(
    out: &mut impl Write,
    code: u16,
    headers: &[(N, V)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {code} {}\r\ncontent-length: {}\r\n",
        reason(code),
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

/// One HTTP/1.1 request with a Content-Length body, or None when the peer
/// closed or sent something else.
pub fn read_request(reader: &mut impl BufRead) -> Option<Received> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}

pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// A port on 127.0.0.1 with nothing listening on it (free to listen on).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The stdout of a finished command as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
