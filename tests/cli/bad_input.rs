//! Bad input, hostile homes and the secret.
//!
//! Every command refuses what it cannot use with the documented exit code
//! and one line on stderr that says what is wrong (clap's own usage errors
//! keep clap's format, and their first line says what is wrong); none
//! panics or hangs; and saved state is exactly what it was: every refusal
//! here runs between two snapshots of the whole home (names, types, modes
//! and SHA-256 of every file) that must be equal.
//!
//! Homes that sfhook may not read or write are tested as an unprivileged
//! user: root ignores permission bits, so when the tests run as root the
//! sfhook child runs as uid/gid 65534.
//!
//! The secret never appears in the delivery log, in any output, in a
//! `Debug` rendering or in a panic message; only `configure
//! --generate-secret` prints it, once.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sfhook::core::config::{Config, Profile, Store};
use sfhook::core::endpoint::Endpoint;
use sfhook::core::home::Home;
use sfhook::core::secret::Secret;
use sha2::{Digest, Sha256};

use crate::support::*;

// ---------------------------------------------------------------------------
// Running sfhook and judging what it did

/// Long enough for any honest command on a slow machine; a command still
/// running then has hung.
const DEADLINE: Duration = Duration::from_secs(60);

/// The address space an sfhook child may use in the tests of endless and
/// huge input: far more than a 16 MiB body needs (a control below proves
/// it), far less than an unbounded read of /dev/zero reaches.
const MEMORY_CAP: u64 = 1024 * 1024 * 1024;

/// The uid and gid that sfhook runs as in hostile homes when the tests run
/// as root.
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// sfhook with home `home`, as an unprivileged user if the tests run as root.
fn user_cmd(home: &Path) -> assert_cmd::Command {
    let mut std = std_sfhook();
    if is_root() {
        std.uid(NOBODY).gid(NOBODY);
    }
    std.env("SFHOOK_HOME", home);
    let mut cmd = assert_cmd::Command::from_std(std);
    cmd.timeout(DEADLINE);
    cmd
}

/// Runs `cmd` with its address space capped at MEMORY_CAP, and kills it if
/// it is still running after DEADLINE (the test then fails: it hung).
fn run_bounded(cmd: std::process::Command, what: &str) -> Output {
    run_capped(cmd, DEADLINE).unwrap_or_else(|hung| panic!("{what}: {hung}"))
}

/// `run_bounded` with another deadline; a command still running then is
/// killed and reported as an error.
fn run_capped(mut cmd: std::process::Command, deadline: Duration) -> Result<Output, String> {
    // SAFETY: the closure only calls setrlimit, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_CAP as libc::rlim_t,
                rlim_max: MEMORY_CAP as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start sfhook");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for sfhook") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {deadline:?}: it hangs"));
        }
        thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// What is wrong with how sfhook ended, if it panicked or was killed.
fn panic_problems(out: &Output) -> Vec<String> {
    let mut problems = Vec::new();
    match out.status.code() {
        None => problems.push("killed by a signal".to_string()),
        Some(101) => problems.push("exit code 101 (a panic)".to_string()),
        Some(_) => {}
    }
    let err = stderr_of(out);
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        problems.push("a panic message on stderr".to_string());
    }
    problems
}

/// Who answers a bad command line: clap, for pure argument syntax (its
/// multi-line format, whose first line says what is wrong), or sfhook's own
/// checks (exactly one line).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Voice {
    Clap,
    Own,
}

/// What is wrong with a refusal: the exit code, stdout (must be empty), and
/// stderr (first line `error: ` and saying `says`; one line if sfhook's own).
fn refusal_problems(out: &Output, code: i32, says: &str, voice: Voice) -> Vec<String> {
    let mut problems = panic_problems(out);
    if out.status.code() != Some(code) {
        problems.push(format!("exit code {:?}, not {code}", out.status.code()));
    }
    if !out.stdout.is_empty() {
        problems.push("data on stdout".to_string());
    }
    let err = stderr_of(out);
    let first = err.lines().next().unwrap_or_default();
    if !first.starts_with("error: ") {
        problems.push("stderr does not start with 'error: '".to_string());
    }
    if !first.contains(says) {
        problems.push(format!("the first line of stderr does not say '{says}'"));
    }
    let from_clap = err.contains("For more information, try '--help'.");
    match voice {
        Voice::Clap if !from_clap => problems.push("expected clap's usage error".to_string()),
        Voice::Own if from_clap => {
            problems.push("expected sfhook's own one-line error".to_string())
        }
        Voice::Own if err.lines().count() != 1 || !err.ends_with('\n') => {
            problems.push(format!("{} lines on stderr, not one", err.lines().count()))
        }
        _ => {}
    }
    problems
}

fn assert_refused(out: &Output, code: i32, says: &str, voice: Voice, what: &str) {
    let problems = refusal_problems(out, code, says, voice);
    assert!(
        problems.is_empty(),
        "{what}: {}\n{}",
        problems.join("; "),
        describe(out)
    );
}

fn assert_no_panic(out: &Output, what: &str) {
    let problems = panic_problems(out);
    assert!(
        problems.is_empty(),
        "{what}: {}\n{}",
        problems.join("; "),
        describe(out)
    );
}

// ---------------------------------------------------------------------------
// Saved state

/// Everything under a directory that a command could change: each entry's
/// type and mode, and a file's length and SHA-256. Temp files and lock files
/// left behind show up as new entries.
#[derive(Debug, PartialEq)]
struct Snapshot(BTreeMap<PathBuf, String>);

fn snapshot(root: &Path) -> Snapshot {
    let mut entries = BTreeMap::new();
    describe_entry(root, Path::new(""), &mut entries);
    Snapshot(entries)
}

fn describe_entry(path: &Path, relative: &Path, into: &mut BTreeMap<PathBuf, String>) {
    let meta = fs::symlink_metadata(path).unwrap();
    let mode = meta.permissions().mode() & 0o7777;
    let description = if meta.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            let entry = entry.unwrap();
            describe_entry(&entry.path(), &relative.join(entry.file_name()), into);
        }
        format!("dir {mode:o}")
    } else if meta.is_file() {
        let digest = Sha256::digest(fs::read(path).unwrap());
        format!(
            "file {mode:o} {} bytes sha256:{}",
            meta.len(),
            hex::encode(digest)
        )
    } else {
        format!("other {mode:o} -> {:?}", fs::read_link(path).ok())
    };
    into.insert(relative.to_path_buf(), description);
}

fn assert_unchanged(before: &Snapshot, after: &Snapshot, what: &str) {
    assert_eq!(before, after, "{what} changed saved state");
}

// ---------------------------------------------------------------------------
// Fixtures

/// A home with state worth protecting: an active profile subscribed to two
/// events, a second profile, and deliveries in the log.
fn populated_home(server: &TestServer) -> TestHome {
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled", "device-locked"]);
    home.cmd()
        .args(["--profile", "staging", "configure", "--url"])
        .arg(server.url())
        .arg("--generate-secret")
        .assert()
        .success();
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    home.cmd()
        .args(["send", "device-locked"])
        .assert()
        .success();
    assert_eq!(home.log_records().len(), 2);
    home
}

/// Files that bad commands are pointed at, outside the home.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let files = Files {
            dir: tempfile::tempdir().unwrap(),
        };
        files.write("bad.json", b"{bad");
        files.write("empty", b"");
        files.write("non-utf8.json", b"\xff\xfe{}");
        files.write("two.json", br#"{"a":1}{"b":2}"#);
        files.write("deep.json", "[".repeat(100_000).as_bytes());
        files.write("not-pem.pem", b"hello\n");
        files.write("newline-only", b"\n");
        files.write("non-utf8-secret", b"\xff\xfesecret\n");
        fs::create_dir(files.path("a-directory")).unwrap();
        files
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        fs::write(self.path(name), bytes).unwrap();
    }

    /// `size` bytes of spaces: not JSON, and too big anyway.
    fn big_blank(&self, name: &str, size: usize) -> String {
        self.write(name, &vec![b' '; size]);
        self.arg(name)
    }

    /// A valid JSON document of about `size` bytes.
    fn big_json(&self, name: &str, size: usize) -> String {
        let mut doc = br#"{"id":"big","event":"device.enrolled","pad":""#.to_vec();
        doc.resize(size, b'x');
        doc.extend_from_slice(br#""}"#);
        self.write(name, &doc);
        self.arg(name)
    }
}

/// Bytes that are not UTF-8, as one command-line argument.
fn non_utf8(prefix: &str) -> OsString {
    let mut bytes = prefix.as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\xfeX");
    OsStr::from_bytes(&bytes).to_os_string()
}

const SIXTY_FOUR_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";

// ---------------------------------------------------------------------------
// The bad-input matrix

/// One bad command line and what sfhook must answer.
struct Case {
    args: Vec<OsString>,
    stdin: Vec<u8>,
    env: Vec<(&'static str, OsString)>,
    code: i32,
    says: String,
    voice: Voice,
}

/// A pure argument-syntax error, which clap answers with exit 2.
fn clap(args: &[&str], says: &str) -> Case {
    Case {
        args: args.iter().map(OsString::from).collect(),
        stdin: Vec::new(),
        env: Vec::new(),
        code: 2,
        says: says.to_string(),
        voice: Voice::Clap,
    }
}

/// An error sfhook itself reports, in one line, with `code`.
fn own(args: &[&str], code: i32, says: &str) -> Case {
    Case {
        voice: Voice::Own,
        code,
        ..clap(args, says)
    }
}

impl Case {
    fn os_args(mut self, args: Vec<OsString>) -> Case {
        self.args = args;
        self
    }

    fn stdin(mut self, bytes: &[u8]) -> Case {
        self.stdin = bytes.to_vec();
        self
    }

    fn env(mut self, var: &'static str, value: impl Into<OsString>) -> Case {
        self.env.push((var, value.into()));
        self
    }

    fn label(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                let text = a.to_string_lossy();
                if text.chars().count() > 80 {
                    format!("{}…", text.chars().take(60).collect::<String>())
                } else {
                    text.into_owned()
                }
            })
            .collect();
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", v.to_string_lossy()))
            .collect();
        format!("{} sfhook {}", env.join(" "), args.join(" "))
            .trim()
            .to_string()
    }
}

/// Runs every case in `home` between two snapshots, checks the refusal and
/// that nothing reached `server`, and reports every failing case at once.
fn check_cases(home: &TestHome, server: &TestServer, cases: Vec<Case>) {
    let requests_before = server.received().len();
    let mut failures = Vec::new();
    for case in &cases {
        let before = snapshot(home.path());
        let mut cmd = home.cmd();
        cmd.args(&case.args).write_stdin(case.stdin.clone());
        for (var, value) in &case.env {
            cmd.env(var, value);
        }
        let out = cmd.output().expect("run sfhook");
        let mut problems = refusal_problems(&out, case.code, &case.says, case.voice);
        if snapshot(home.path()) != before {
            problems.push("saved state changed".to_string());
        }
        if server.received().len() != requests_before {
            problems.push("a request reached the endpoint".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                case.label(),
                problems.join("; "),
                describe(&out)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad command lines were not refused properly:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn bad_global_options_and_profile_names_are_refused() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let long_name = "p".repeat(200);
    #[rustfmt::skip]
    let cases = vec![
        clap(&["--bogus", "status"], "unexpected argument '--bogus'"),
        clap(&["status", "--bogus"], "unexpected argument '--bogus'"),
        clap(&["nosuchcommand"], "unrecognized subcommand 'nosuchcommand'"),
        clap(&["--color", "sometimes", "status"], "invalid value 'sometimes'"),
        clap(&["status", "--color"], "a value is required for '--color"),
        clap(&["status", "--profile"], "a value is required for '--profile"),
        clap(&["status", "--home"], "a value is required for '--home"),
        own(&["--profile", "", "status"], 2, "--profile is empty"),
        own(&["--profile", "   ", "status"], 2, "--profile is empty"),
        own(&["--home", "", "status"], 2, "--home is empty"),
        own(&["--profile", "a/b", "status"], 2, "invalid profile name 'a/b'"),
        own(&["--profile", "..", "status"], 2, "invalid profile name '..'"),
        own(&["--profile", "../etc", "configure", "--url", "https://x.example/"], 2, "invalid profile name"),
        own(&["--profile", "a b", "status"], 2, "invalid profile name 'a b'"),
        own(&["--profile=-x", "configure", "--url", "https://x.example/"], 2, "invalid profile name '-x'"),
        own(&["--profile", &long_name, "status"], 2, "invalid profile name"),
        own(&["--profile", "tab\there", "subscribe", "device-lost"], 2, "invalid profile name"),
        own(&["status"], 2, "invalid profile name").env("SFHOOK_PROFILE", "a/b"),
        clap(&["status"], "invalid UTF-8").os_args(vec!["--profile".into(), non_utf8("p"), "status".into()]),
        own(&["status"], 2, "SFHOOK_PROFILE is not valid UTF-8").env("SFHOOK_PROFILE", non_utf8("p")),
        clap(&["activate", "extra"], "unexpected argument 'extra'"),
        clap(&["deactivate", "--bogus"], "unexpected argument '--bogus'"),
        clap(&["status", "--json=yes"], "unexpected value 'yes'"),
        clap(&["demo", "extra"], "unexpected argument 'extra'"),
        clap(&["completions"], "required arguments were not provided"),
        clap(&["completions", "nosh"], "invalid value 'nosh'"),
        clap(&["completions", ""], "a value is required"),
        clap(&["completions", "bash", "zsh"], "unexpected argument 'zsh'"),
    ];
    check_cases(&home, &server, cases);
}

#[test]
fn bad_configure_arguments_are_refused_and_change_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let files = Files::new();
    let missing_non_utf8 = files.dir.path().join(non_utf8("missing-"));
    fn configure<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["configure"], extra].concat()
    }
    #[rustfmt::skip]
    let cases = vec![
        clap(&configure(&["--url"]), "a value is required for '--url"),
        own(&configure(&["--url", ""]), 2, "invalid URL ''"),
        own(&configure(&["--url", "   "]), 2, "invalid URL"),
        own(&configure(&["--url", "notaurl"]), 2, "invalid URL 'notaurl'"),
        own(&configure(&["--url", "ftp://hooks.example.com/"]), 2, "the scheme must be http or https"),
        own(&configure(&["--url", "http:///payload"]), 2, "it has no host"),
        own(&configure(&["--url", "https://"]), 2, "invalid URL"),
        own(&configure(&["--url", "http://exa mple.com/"]), 2, "invalid URL"),
        own(&configure(&["--url", "http://[::1/"]), 2, "invalid URL"),
        clap(&["configure"], "invalid UTF-8").os_args(vec!["configure".into(), "--url".into(), non_utf8("https://host/")]),
        clap(&configure(&["--timeout", "0"]), "the timeout must be between 1ms and 1h, not 0"),
        clap(&configure(&["--timeout", "99999h"]), "the timeout must be between 1ms and 1h, not 99999h"),
        clap(&configure(&["--timeout", "abc"]), "invalid duration 'abc'"),
        clap(&configure(&["--timeout", "-5s"]), "it is negative"),
        clap(&configure(&["--timeout", ""]), "invalid duration ''"),
        clap(&configure(&["--timeout", "10 parsecs"]), "invalid duration"),
        clap(&configure(&["--backoff", "11m"]), "the backoff must be between"),
        clap(&configure(&["--backoff", "-1s"]), "it is negative"),
        clap(&configure(&["--retries", "-1"]), "retries must be between 0 and 20, not -1"),
        clap(&configure(&["--retries", "1000"]), "retries must be at most 20, not 1000"),
        clap(&configure(&["--retries", "abc"]), "invalid number of retries 'abc'"),
        clap(&configure(&["--retries", "1.5"]), "invalid number of retries '1.5'"),
        clap(&configure(&["--retries", "99999999999999999999"]), "invalid number of retries"),
        clap(&configure(&["--retries"]), "a value is required for '--retries"),
        clap(&configure(&["--secret-stdin", "--generate-secret"]), "cannot be used with"),
        clap(&configure(&["--generate-secret=x"]), "unexpected value"),
        clap(&configure(&["--secret", "x"]), "unexpected argument '--secret'"),
        own(&configure(&["--secret-file", &files.arg("missing")]), 2, "cannot read the secret from"),
        own(&configure(&["--secret-file", &files.arg("a-directory")]), 2, "cannot read the secret from"),
        own(&configure(&["--secret-file", &files.arg("empty")]), 2, "the secret is empty"),
        own(&configure(&["--secret-file", &files.arg("newline-only")]), 2, "the secret is empty"),
        own(&configure(&["--secret-file", &files.arg("non-utf8-secret")]), 2, "the secret is not UTF-8"),
        own(&["configure"], 2, "cannot read the secret from").os_args(vec!["configure".into(), "--secret-file".into(), missing_non_utf8.into_os_string()]),
        own(&configure(&["--secret-stdin"]), 2, "the secret is not UTF-8").stdin(b"\xff\xfe\xfd\n"),
        own(&configure(&["--secret-stdin"]), 2, "the secret is empty").stdin(b""),
        own(&configure(&["--secret-stdin"]), 2, "the secret is empty").stdin(b"\r\n"),
        own(&configure(&["--url", "https://hooks.example.com/"]), 2, "SFHOOK_SECRET: the secret is not UTF-8").env("SFHOOK_SECRET", non_utf8("s")),
    ];
    check_cases(&home, &server, cases);
}

#[test]
fn bad_events_and_subscription_arguments_are_refused_and_change_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    #[rustfmt::skip]
    let cases = vec![
        clap(&["events", "--category", "nope"], "invalid value 'nope' for '--category"),
        clap(&["events", "--platform", "beos"], "invalid value 'beos' for '--platform"),
        clap(&["events", "--category"], "a value is required for '--category"),
        clap(&["events", "--platform", ""], "a value is required for '--platform"),
        clap(&["events", "nope"], "unrecognized subcommand 'nope'"),
        clap(&["events", "show"], "required arguments were not provided"),
        own(&["events", "show", "nope"], 2, "unknown event 'nope'"),
        own(&["events", "show", "device-enroled"], 2, "did you mean 'device-enrolled'"),
        own(&["events", "show", ""], 2, "the event name is empty"),
        own(&["events", "show", "device-lost", "--platform", "linux"], 2, "android, ios, windows"),
        clap(&["events"], "invalid UTF-8").os_args(vec!["events".into(), "show".into(), non_utf8("device-")]),
        // No events and no terminal for a checklist: never a prompt.
        own(&["subscribe"], 2, "name the events to subscribe to"),
        own(&["unsubscribe"], 2, "name the events to unsubscribe from"),
        own(&["unsubscribe", "--all"], 2, "confirm with --yes"),
        own(&["subscribe", "device-enroled"], 2, "did you mean 'device-enrolled'"),
        // One bad name among good ones changes nothing.
        own(&["subscribe", "device-lost", "nope", "device-found"], 2, "unknown event 'nope'"),
        own(&["unsubscribe", "device-enrolled", ""], 2, "the event name is empty"),
        own(&["subscribe", &"x".repeat(100_000)], 2, "unknown event 'xxxx"),
        clap(&["subscribe", "--all", "device-lost"], "cannot be used with"),
        clap(&["subscribe", "--category", "nope"], "invalid value 'nope' for '--category"),
        clap(&["subscribe"], "invalid UTF-8").os_args(vec!["subscribe".into(), non_utf8("device-")]),
    ];
    check_cases(&home, &server, cases);
}

#[test]
fn bad_mock_and_send_arguments_are_refused_before_any_request() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let files = Files::new();
    let dir = files.arg("a-directory");
    fn mock<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["mock", "device-enrolled"], extra].concat()
    }
    fn send<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["send", "device-enrolled"], extra].concat()
    }
    #[rustfmt::skip]
    let mut cases = vec![
        clap(&["mock"], "required arguments were not provided"),
        own(&["mock", "nope"], 2, "unknown event 'nope'"),
        own(&["mock", ""], 2, "the event name is empty"),
        clap(&["mock"], "invalid UTF-8").os_args(vec!["mock".into(), non_utf8("device-")]),
        clap(&mock(&["--count", "0"]), "0 is not in 1..=10000000"),
        clap(&mock(&["--count", "99999999999"]), "99999999999 is not in 1..=10000000"),
        clap(&mock(&["--count", "-1"]), "-1 is not in 1..=10000000"),
        clap(&mock(&["--count", "many"]), "invalid value 'many' for '--count"),
        clap(&mock(&["--concurrency", "0"]), "0 is not in 1..=1024"),
        clap(&mock(&["--concurrency", "2000"]), "2000 is not in 1..=1024"),
        clap(&mock(&["--timeout", "0"]), "the timeout must be between"),
        clap(&mock(&["--timeout", "99999h"]), "the timeout must be between"),
        clap(&mock(&["--timeout", "abc"]), "invalid duration 'abc'"),
        own(&mock(&["--url", ""]), 2, "invalid URL ''"),
        own(&mock(&["--url", "notaurl"]), 2, "invalid URL 'notaurl'"),
        own(&mock(&["--url", "ftp://hooks.example.com/"]), 2, "the scheme must be http or https"),
        own(&mock(&["--url", "https://user:pa55@"]), 2, "invalid URL"),
        own(&["mock", "device-enrolled"], 2, "invalid URL 'notaurl'").env("SFHOOK_URL", "notaurl"),
        clap(&["mock"], "invalid UTF-8").os_args(vec!["mock".into(), "device-enrolled".into(), "--url".into(), non_utf8("http://127.0.0.1/")]),
        own(&["mock", "device-enrolled"], 2, "SFHOOK_SECRET: the secret is not UTF-8").env("SFHOOK_SECRET", non_utf8("s")),
        clap(&mock(&["--platform", "beos"]), "invalid value 'beos' for '--platform"),
        own(&["mock", "device-lost", "--platform", "linux"], 2, "android, ios, windows"),
        own(&mock(&["--set", "nothing"]), 2, "expected PATH=TEXT or PATH:=JSON"),
        own(&mock(&["--set", ""]), 2, "expected PATH=TEXT or PATH:=JSON"),
        own(&mock(&["--set", "=x"]), 2, "the path has an empty part"),
        own(&mock(&["--set", "a..b=1"]), 2, "the path has an empty part"),
        own(&mock(&["--set", "id:=notjson"]), 2, "not valid JSON"),
        own(&mock(&["--set", "data=5", "--set", "data.x=1"]), 2, "'data' is a string, not an object or array"),
        own(&mock(&["--set", "data.devices.0.name.first=x"]), 2, "is a string, not an object or array"),
        own(&mock(&["--set", "data.devices.99.name=x"]), 2, "index 99 is out of range"),
        own(&mock(&["--set", "data.devices.-1.name=x"]), 2, "must be an index"),
        own(&mock(&["--data", &files.arg("bad.json")]), 2, "not valid JSON"),
        own(&mock(&["--data", &files.arg("empty")]), 2, "not valid JSON"),
        own(&mock(&["--data", &files.arg("non-utf8.json")]), 2, "not valid JSON"),
        own(&mock(&["--data", &files.arg("two.json")]), 2, "not valid JSON"),
        own(&mock(&["--data", &files.arg("deep.json")]), 2, "not valid JSON"),
        own(&mock(&["--data", &files.arg("missing.json")]), 2, "cannot read --data from"),
        own(&mock(&["--data", &dir]), 2, "cannot read --data from"),
        own(&mock(&["--data", "-"]), 2, "--data stdin: not valid JSON").stdin(b"\xff\xfe"),
        own(&["mock"], 2, "cannot read --data from").os_args(vec!["mock".into(), "device-enrolled".into(), "--data".into(), files.dir.path().join(non_utf8("missing-")).into_os_string()]),
        clap(&mock(&["--data", ""]), "a value is required for '--data"),
        own(&mock(&["--cacert", &files.arg("missing.pem")]), 2, "--cacert"),
        own(&mock(&["--cacert", &dir]), 2, "--cacert"),
        own(&mock(&["--cacert", &files.arg("not-pem.pem")]), 2, "no PEM certificate"),
        clap(&["send"], "required arguments were not provided"),
        own(&["send", "nope"], 2, "unknown event 'nope'"),
        own(&["send", "device-lost"], 5, "not subscribed to device-lost"),
        own(&["--profile", "staging", "send", "device-enrolled"], 5, "not active"),
        own(&["--profile", "nobody", "send", "device-enrolled"], 2, "no profile 'nobody'"),
        own(&send(&["--data", &files.arg("bad.json")]), 2, "not valid JSON"),
        own(&send(&["--data", &dir]), 2, "cannot read --data from"),
        own(&send(&["--set", "data=5", "--set", "data.x=1"]), 2, "is a string, not an object or array"),
        own(&send(&["--cacert", &files.arg("not-pem.pem")]), 2, "no PEM certificate"),
        clap(&send(&["--timeout", "0"]), "the timeout must be between"),
        clap(&send(&["--platform", "beos"]), "invalid value 'beos'"),
        clap(&send(&["--count", "2"]), "unexpected argument '--count'"),
    ];
    // Bodies over the limit, valid JSON or not.
    let big_blank = files.big_blank("big-20MiB", 20 * 1024 * 1024);
    let big_json = files.big_json("big-17MiB.json", 17 * 1024 * 1024);
    for (command, path) in [
        ("mock", &big_blank),
        ("mock", &big_json),
        ("send", &big_json),
    ] {
        cases.push(own(
            &[command, "device-enrolled", "--data", path],
            2,
            "is larger than 16 MiB",
        ));
    }
    check_cases(&home, &server, cases);
}

#[test]
fn bad_redeliver_and_logs_arguments_are_refused_and_change_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let id = home.log_records()[0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    #[rustfmt::skip]
    let cases = vec![
        clap(&["redeliver"], "required arguments were not provided"),
        own(&["redeliver", ""], 2, "request id #1 is empty"),
        own(&["redeliver", "zzzz"], 2, "no delivery with request id zzzz"),
        clap(&["redeliver"], "invalid UTF-8").os_args(vec!["redeliver".into(), non_utf8("ab")]),
        own(&["redeliver", &id, "--since", "1d"], 2, "log filters select deliveries only with --failed"),
        own(&["redeliver", &id, "--failed"], 2, "not both"),
        own(&["redeliver", "--failed", "--since", "2026-02-30"], 2, "invalid time '2026-02-30'"),
        own(&["redeliver", "--failed", "--code", "6xx"], 2, "invalid response code '6xx'"),
        own(&["--profile", "staging", "redeliver", &id], 2, "logged by profile 'default'"),
        own(&["redeliver", &id, "--to-profile", "staging"], 5, "not active"),
        own(&["logs", "--since", "2026-02-30"], 2, "invalid time '2026-02-30'"),
        own(&["logs", "--until", "2026-13-01"], 2, "invalid time '2026-13-01'"),
        own(&["logs", "--since", "2026-11-29T25:00:00Z"], 2, "invalid time"),
        own(&["logs", "--since", "nonsense"], 2, "invalid time 'nonsense'"),
        own(&["logs", "--since", ""], 2, "invalid time ''"),
        own(&["logs", "--since", "-5d"], 2, "invalid time '-5d'"),
        own(&["logs", "--until", "-5d"], 2, "invalid time '-5d'"),
        own(&["logs", "--since", "99999999999d"], 2, "invalid time"),
        own(&["logs", "--since", "2d", "--until", "3d"], 2, "is after --until"),
        clap(&["logs", "--since"], "a value is required for '--since"),
        clap(&["logs"], "invalid UTF-8").os_args(vec!["logs".into(), "--since".into(), non_utf8("2026")]),
        own(&["logs", "--code", "6xx"], 2, "invalid response code '6xx'"),
        own(&["logs", "--code", "99"], 2, "invalid response code '99'"),
        own(&["logs", "--code", "600"], 2, "invalid response code '600'"),
        own(&["logs", "--code", ""], 2, "invalid response code ''"),
        own(&["logs", "--code", "500,abc"], 2, "invalid response code 'abc'"),
        clap(&["logs", "--limit", "-1"], "invalid limit '-1'"),
        clap(&["logs", "-n", "-3"], "invalid limit '-3'"),
        clap(&["logs", "--limit", "abc"], "invalid limit 'abc'"),
        clap(&["logs", "--limit", "99999999999999999999999"], "invalid limit"),
        own(&["logs", "--event", "nope"], 2, "unknown event 'nope'"),
        own(&["logs", "--event", ""], 2, "the event name is empty"),
        own(&["logs", "--request-id", ""], 2, "--request-id is empty"),
        clap(&["logs", "--failed", "--succeeded"], "cannot be used with"),
        clap(&["logs", "nope"], "unrecognized subcommand 'nope'"),
        own(&["logs", "summary", "--since", "nonsense"], 2, "invalid time 'nonsense'"),
        own(&["logs", "summary", "--code", "6xx"], 2, "invalid response code '6xx'"),
        clap(&["logs", "summary", "--limit", "1"], "unexpected argument '--limit'"),
        clap(&["logs", "show"], "required arguments were not provided"),
        own(&["logs", "show", ""], 2, "the request id is empty"),
        own(&["logs", "show", "zzzz"], 2, "no delivery with request id zzzz"),
        clap(&["logs", "show", "--raw", "--json", &id], "cannot be used with"),
        clap(&["logs", "show"], "invalid UTF-8").os_args(vec!["logs".into(), "show".into(), non_utf8("ab")]),
        clap(&["logs", "prune"], "required arguments were not provided"),
        clap(&["logs", "prune", "--yes"], "required arguments were not provided"),
        own(&["logs", "prune", "--before", "2026-02-30", "--yes"], 2, "invalid time '2026-02-30'"),
        own(&["logs", "prune", "--before", "", "--yes"], 2, "invalid time ''"),
        own(&["logs", "prune", "--before", "-1d", "--yes"], 2, "invalid time '-1d'"),
        own(&["logs", "prune", "--before", "1d"], 2, "confirm with --yes"),
    ];
    check_cases(&home, &server, cases);
}

#[test]
fn bad_sign_verify_and_listen_arguments_are_refused_and_change_nothing() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let files = Files::new();
    #[rustfmt::skip]
    let cases = vec![
        own(&["sign", &files.arg("missing")], 2, "cannot read the body from"),
        own(&["sign", &files.arg("a-directory")], 2, "cannot read the body from"),
        clap(&["sign", ""], "a value is required for '[FILE]'"),
        clap(&["sign", "a", "b"], "unexpected argument 'b'"),
        own(&["sign"], 2, "cannot read the body from").os_args(vec!["sign".into(), files.dir.path().join(non_utf8("missing-")).into_os_string()]),
        own(&["sign"], 2, "SFHOOK_SECRET: the secret is not UTF-8").env("SFHOOK_SECRET", non_utf8("s")),
        clap(&["verify"], "required arguments were not provided"),
        clap(&["verify", "--signature"], "a value is required for '--signature"),
        own(&["verify", "--signature", "xyz"], 2, "--signature must be 64 hex digits"),
        own(&["verify", "--signature", ""], 2, "--signature must be 64 hex digits"),
        own(&["verify", "--signature", &"g".repeat(64)], 2, "--signature must be 64 hex digits"),
        own(&["verify", "--signature", SIXTY_FOUR_HEX, &files.arg("missing")], 2, "cannot read the body from"),
        // A signature that does not match is a failed check: exit 1.
        own(&["verify", "--signature", SIXTY_FOUR_HEX], 1, "the signature does not match").stdin(b"{}"),
        clap(&["listen", "--port", "99999"], "99999 is not in 0..=65535"),
        clap(&["listen", "--port", "-1"], "-1 is not in 0..=65535"),
        clap(&["listen", "--port", "abc"], "invalid value 'abc' for '--port"),
        clap(&["listen", "--port", ""], "invalid value '' for '--port"),
        own(&["listen", "--port", "0", "--path", "nope"], 2, "--path must start with '/'"),
        own(&["listen", "--port", "0", "--path", ""], 2, "--path must start with '/'"),
        own(&["listen", "--port", "0", "--path", "/a b"], 2, "--path must start with '/'"),
        own(&["listen", "--port", "0", "--path", "/a\nb"], 2, "--path must start with '/'"),
        clap(&["listen"], "invalid UTF-8").os_args(vec!["listen".into(), "--path".into(), non_utf8("/p")]),
        clap(&["listen"], "invalid UTF-8").os_args(vec!["listen".into(), "--host".into(), non_utf8("h")]),
    ];
    check_cases(&home, &server, cases);
}

// ---------------------------------------------------------------------------
// Bytes that are not UTF-8, where they are legitimate

#[test]
fn bodies_on_stdin_are_bytes_and_need_not_be_utf8() {
    let body: &[u8] = b"\xff\xfe{\"not\": \"utf-8\"}\x00\x80";
    let expected = hmac_hex(SECRET.as_bytes(), body);
    let out = sfhook()
        .arg("sign")
        .env("SFHOOK_SECRET", SECRET)
        .write_stdin(body)
        .output()
        .unwrap();
    assert_no_panic(&out, "sign");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout_of(&out), format!("{expected}\n"));

    let verify = |signature: &str| {
        sfhook()
            .args(["verify", "--signature", signature])
            .env("SFHOOK_SECRET", SECRET)
            .write_stdin(body)
            .output()
            .unwrap()
    };
    let out = verify(&expected);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = verify(&hmac_hex(b"another secret", body));
    assert_refused(
        &out,
        1,
        "does not match",
        Voice::Own,
        "verify a wrong signature",
    );
}

#[test]
fn a_home_and_files_named_with_non_utf8_bytes_work() {
    let server = TestServer::start(Reply::status(200));
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join(non_utf8("home-"));
    let secret_file = root.path().join(non_utf8("secret-"));
    fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let data_file = root.path().join(non_utf8("data-"));
    fs::write(
        &data_file,
        br#"{"id":"fixed-id","event":"device.enrolled"}"#,
    )
    .unwrap();

    let run = |args: &[&OsStr]| {
        let out = sfhook()
            .arg("--home")
            .arg(&home)
            .args(args)
            .output()
            .unwrap();
        assert_no_panic(&out, &format!("{args:?}"));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        out
    };
    let url = server.url();
    run(&[
        "configure".as_ref(),
        "--url".as_ref(),
        url.as_ref(),
        "--secret-file".as_ref(),
        secret_file.as_os_str(),
    ]);
    run(&["activate".as_ref()]);
    run(&["subscribe".as_ref(), "device-enrolled".as_ref()]);
    run(&[
        "send".as_ref(),
        "device-enrolled".as_ref(),
        "--data".as_ref(),
        data_file.as_os_str(),
    ]);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid(SECRET));
    assert_eq!(
        received[0].body,
        br#"{"id":"fixed-id","event":"device.enrolled"}"#
    );

    // Paths that are not UTF-8 are shown as well as text allows.
    let status = run(&["status".as_ref(), "--json".as_ref()]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let config = status["paths"]["config"].as_str().unwrap();
    assert!(
        config.contains("home-\u{FFFD}") && config.ends_with("config.toml"),
        "{config}"
    );
    assert!(stdout_of(&run(&["status".as_ref()])).contains("home-"));
    assert_eq!(stdout_of(&run(&["logs".as_ref()])).lines().count(), 1);

    // The same home through the environment.
    let out = sfhook()
        .env("SFHOOK_HOME", &home)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    // SFHOOK_PROFILE= is no profile: the default one.
    let out = home
        .cmd()
        .args(["status", "--json"])
        .env("SFHOOK_PROFILE", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["profile"], "default");
    assert_eq!(status["configured"], true);

    // SFHOOK_HOME= is no home: the platform's directories, here under a
    // throwaway HOME.
    let fake_home = tempfile::tempdir().unwrap();
    let out = sfhook()
        .args(["status", "--json"])
        .env("SFHOOK_HOME", "")
        .env("HOME", fake_home.path())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = status["paths"]["config"].as_str().unwrap();
    assert!(
        config.starts_with(fake_home.path().to_str().unwrap()),
        "{config}"
    );
}

// ---------------------------------------------------------------------------
// Endless and huge input

#[test]
fn endless_and_huge_input_is_refused_with_a_size_message_in_bounded_memory() {
    let server = TestServer::start(Reply::status(200));
    let home = populated_home(&server);
    let files = Files::new();
    let sfhook_in = |args: &[&str], stdin: Stdio| {
        let mut cmd = std_sfhook();
        cmd.env("SFHOOK_HOME", home.path()).args(args).stdin(stdin);
        cmd
    };
    let zero = || Stdio::from(File::open("/dev/zero").unwrap());

    // The control: a body just under the limit goes through under the same
    // memory cap, so the refusals below come from sfhook's bounds.
    let near_limit = files.big_json("15MiB.json", 15 * 1024 * 1024);
    let out = run_bounded(
        sfhook_in(
            &["mock", "device-enrolled", "--data", &near_limit],
            Stdio::null(),
        ),
        "mock with a 15 MiB body",
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(server.received().last().unwrap().body.len() > 15 * 1024 * 1024);
    let requests_before = server.received().len();

    let before = snapshot(home.path());
    let cases: Vec<(Vec<&str>, bool, &str)> = vec![
        (
            vec!["mock", "device-enrolled", "--data", "/dev/zero"],
            false,
            "larger than 16 MiB",
        ),
        (
            vec!["mock", "device-enrolled", "--data", "-"],
            true,
            "larger than 16 MiB",
        ),
        (
            vec!["send", "device-enrolled", "--data", "/dev/zero"],
            false,
            "larger than 16 MiB",
        ),
        (
            vec!["send", "device-enrolled", "--data", "-"],
            true,
            "larger than 16 MiB",
        ),
        (vec!["sign", "/dev/zero"], false, "larger than 16 MiB"),
        (vec!["sign"], true, "larger than 16 MiB"),
        (
            vec!["verify", "--signature", SIXTY_FOUR_HEX, "/dev/zero"],
            false,
            "larger than 16 MiB",
        ),
        (
            vec!["verify", "--signature", SIXTY_FOUR_HEX],
            true,
            "larger than 16 MiB",
        ),
        (
            vec!["configure", "--secret-file", "/dev/zero"],
            false,
            "longer than 64 KiB",
        ),
        (
            vec!["configure", "--secret-stdin"],
            true,
            "longer than 64 KiB",
        ),
    ];
    for (args, endless_stdin, says) in cases {
        let what = format!(
            "sfhook {}{}",
            args.join(" "),
            if endless_stdin { " < /dev/zero" } else { "" }
        );
        let stdin = if endless_stdin { zero() } else { Stdio::null() };
        let out = run_bounded(sfhook_in(&args, stdin), &what);
        assert_refused(&out, 2, says, Voice::Own, &what);
    }
    assert_unchanged(&before, &snapshot(home.path()), "endless input");
    assert_eq!(
        server.received().len(),
        requests_before,
        "a request went out"
    );
}

/// `--cacert` names a PEM file; pointed at an endless one it must stop
/// reading, like every other input.
#[test]
fn an_endless_cacert_is_refused_in_bounded_memory() {
    let mut cmd = std_sfhook();
    cmd.env("SFHOOK_SECRET", SECRET).args([
        "mock",
        "device-enrolled",
        "--url",
        "https://127.0.0.1:9/",
        "--cacert",
        "/dev/zero",
    ]);
    let out = run_bounded(cmd, "mock --cacert /dev/zero");
    assert_refused(
        &out,
        2,
        "--cacert /dev/zero",
        Voice::Own,
        "mock --cacert /dev/zero",
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("larger than") && !err.contains("out of memory"),
        "the read is not bounded: {err}"
    );
}

/// A state file that is a device or a pipe cannot be read to its end:
/// sfhook must refuse it instead of waiting forever or filling memory.
#[test]
fn state_files_that_are_not_regular_files_are_refused_without_hanging() {
    // Reading an empty home takes milliseconds; this only catches a hang.
    let deadline = Duration::from_secs(20);
    let mut failures = Vec::new();
    let cases: [(&str, &[&str]); 5] = [
        ("config.toml", &["status"]),
        ("deliveries.jsonl", &["logs"]),
        ("deliveries.jsonl", &["send", "device-enrolled"]),
        ("config.lock", &["subscribe", "device-locked"]),
        ("deliveries.lock", &["send", "device-enrolled"]),
    ];
    for (file, command) in cases {
        for special in ["a link to /dev/zero", "a named pipe"] {
            let home = TestHome::new();
            if command[0] != "status" && command[0] != "logs" {
                // A profile that would deliver, so that the file is reached.
                home.configure_active(&format!("http://127.0.0.1:{}/payload", closed_port()));
                home.subscribe(&["device-enrolled"]);
                // The lock files exist once sfhook has run; creating one is
                // not a change of state.
                fs::write(home.path().join("deliveries.lock"), "").unwrap();
                let _ = fs::remove_file(home.path().join(file));
            }
            let path = home.path().join(file);
            if special == "a named pipe" {
                let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
                // SAFETY: c_path is a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
            } else {
                std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            }
            let before = snapshot(home.path());
            let mut cmd = std_sfhook();
            cmd.env("SFHOOK_HOME", home.path()).args(command);
            let what = format!("sfhook {} with {file} {special}", command.join(" "));
            let out = match run_capped(cmd, deadline) {
                Ok(out) => out,
                Err(hung) => {
                    failures.push(format!("{what}: {hung}"));
                    continue;
                }
            };
            let mut problems = refusal_problems(&out, 1, file, Voice::Own);
            if stderr_of(&out).contains("out of memory") {
                problems.push("an unbounded read".to_string());
            }
            if snapshot(home.path()) != before {
                problems.push("saved state changed".to_string());
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{what}: {}\n{}",
                    problems.join("; "),
                    describe(&out)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// Hostile homes

/// A temp directory that the unprivileged user may enter, with a home in it
/// that the user owns.
struct UserHome {
    root: tempfile::TempDir,
    home: PathBuf,
}

impl UserHome {
    fn new() -> UserHome {
        let root = tempfile::tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let home = root.path().join("home");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
        give_to_user(&home);
        UserHome { root, home }
    }

    /// Configured, active, subscribed, with one delivery to `server` logged.
    fn configured(server: &TestServer) -> UserHome {
        let home = UserHome::new();
        home.cmd()
            .args([
                "configure",
                "--url",
                &server.url(),
                "--secret-stdin",
                "--retries",
                "0",
            ])
            .write_stdin(format!("{SECRET}\n"))
            .assert()
            .success();
        home.cmd().arg("activate").assert().success();
        home.cmd()
            .args(["subscribe", "device-enrolled"])
            .assert()
            .success();
        home.cmd()
            .args(["send", "device-enrolled"])
            .assert()
            .success();
        home
    }

    fn cmd(&self) -> assert_cmd::Command {
        user_cmd(&self.home)
    }

    fn snapshot(&self) -> Snapshot {
        snapshot(self.root.path())
    }

    fn request_id(&self) -> String {
        let log = fs::read_to_string(self.home.join("deliveries.jsonl")).unwrap();
        let record: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
        record["request_id"].as_str().unwrap().to_string()
    }

    /// Replaces a file of the home with an empty directory the user owns.
    fn replace_with_directory(&self, name: &str) {
        let path = self.home.join(name);
        if path.exists() {
            fs::remove_file(&path).unwrap();
        }
        fs::create_dir(&path).unwrap();
        give_to_user(&path);
    }
}

fn give_to_user(path: &Path) {
    if is_root() {
        std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    }
}

/// Sets modes and puts the old ones back when dropped, so that a failing
/// test still leaves a temp dir that can be removed.
struct Modes(Vec<(PathBuf, u32)>);

impl Modes {
    fn set(changes: &[(&Path, u32)]) -> Modes {
        let mut old = Vec::new();
        for (path, mode) in changes {
            let was = fs::metadata(path).unwrap().permissions().mode() & 0o7777;
            old.push((path.to_path_buf(), was));
            fs::set_permissions(path, fs::Permissions::from_mode(*mode)).unwrap();
        }
        old.reverse();
        Modes(old)
    }
}

impl Drop for Modes {
    fn drop(&mut self) {
        for (path, mode) in &self.0 {
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(*mode));
        }
    }
}

/// Runs each command line with `cmd` and checks that it fails with exit 1
/// and one line naming `path` and saying `hint`.
fn check_hostile(
    cmd: impl Fn() -> assert_cmd::Command,
    commands: &[&[&str]],
    path: &Path,
    hint: &str,
) -> Vec<String> {
    let shown = path.display().to_string();
    let mut failures = Vec::new();
    for args in commands {
        let out = cmd().args(*args).output().expect("run sfhook");
        let mut problems = refusal_problems(&out, 1, "", Voice::Own);
        let err = stderr_of(&out);
        if !err.contains(&shown) {
            problems.push(format!("does not name {shown}"));
        }
        if !err.contains(hint) {
            problems.push(format!("does not say '{hint}'"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{args:?}: {}\n{}",
                problems.join("; "),
                describe(&out)
            ));
        }
    }
    failures
}

fn assert_no_failures(failures: Vec<String>, what: &str) {
    assert!(failures.is_empty(), "{what}:\n\n{}", failures.join("\n\n"));
}

const GENERATE: &[&str] = &[
    "configure",
    "--url",
    "https://hooks.example.com/new",
    "--generate-secret",
];

#[test]
fn an_unreadable_home_is_refused_by_every_command_that_needs_it() {
    let server = TestServer::start(Reply::status(200));
    let home = UserHome::configured(&server);
    let id = home.request_id();
    let requests = server.received().len();
    let before = home.snapshot();
    {
        let _modes = Modes::set(&[(&home.home, 0o000)]);
        let failures = check_hostile(
            || home.cmd(),
            &[
                &["status"],
                &["status", "--json"],
                &["events"],
                &["logs"],
                &["logs", "--json"],
                &["logs", "summary"],
                &["logs", "show", &id],
                &["logs", "prune", "--before", "1d", "--yes"],
                &["subscribe", "device-lost"],
                &["unsubscribe", "device-enrolled"],
                &["activate"],
                &["deactivate"],
                &["configure", "--retries", "1"],
                GENERATE,
                &["send", "device-enrolled"],
                &["redeliver", &id],
                &["redeliver", "--failed"],
                &["mock", "device-enrolled"],
                &["sign", "/dev/null"],
                &["listen", "--port", "0"],
            ],
            &home.home,
            "permissions",
        );
        assert_no_failures(failures, "an unreadable home");

        // What needs no saved state still works.
        for args in [
            &["events", "show", "device-enrolled"][..],
            &["completions", "bash"],
            &["--help"],
        ] {
            let out = home.cmd().args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        }
        let out = home
            .cmd()
            .arg("sign")
            .env("SFHOOK_SECRET", SECRET)
            .write_stdin("{}")
            .output()
            .unwrap();
        assert_eq!(
            stdout_of(&out),
            format!("{}\n", hmac_hex(SECRET.as_bytes(), b"{}"))
        );
        // CI that brings the URL and the secret fires anyway, with a warning.
        let out = home
            .cmd()
            .args(["mock", "device-enrolled", "--url", &server.url()])
            .env("SFHOOK_SECRET", SECRET)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(stderr_of(&out).contains("ignoring the saved configuration"));
    }
    assert_unchanged(&before, &home.snapshot(), "commands in an unreadable home");
    assert_eq!(
        server.received().len(),
        requests + 1,
        "only the CI mock went out"
    );
}

#[test]
fn a_read_only_home_can_be_read_but_not_changed() {
    let server = TestServer::start(Reply::status(200));
    let home = UserHome::configured(&server);
    let id = home.request_id();
    let requests = server.received().len();
    let mut read_only: Vec<(PathBuf, u32)> = fs::read_dir(&home.home)
        .unwrap()
        .map(|e| (e.unwrap().path(), 0o400))
        .collect();
    read_only.push((home.home.clone(), 0o500));
    let before = home.snapshot();
    {
        let changes: Vec<(&Path, u32)> = read_only.iter().map(|(p, m)| (p.as_path(), *m)).collect();
        let _modes = Modes::set(&changes);
        let before_read_only = home.snapshot();

        // Reading works.
        let read = |args: &[&str]| {
            let out = home.cmd().args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
            stdout_of(&out)
        };
        assert!(read(&["status"]).contains(&server.url()));
        let status: serde_json::Value = serde_json::from_str(&read(&["status", "--json"])).unwrap();
        assert_eq!(status["active"], true);
        assert_eq!(status["log"]["total_events"], 1);
        assert!(read(&["events", "--subscribed"]).starts_with("device-enrolled\t"));
        assert_eq!(read(&["logs"]).lines().count(), 1);
        assert_eq!(read(&["logs", "--json"]).lines().count(), 1);
        assert!(read(&["logs", "summary"]).contains("total\t1"));
        assert!(read(&["logs", "show", &id]).contains(&id));
        // Changing does not, and no delivery goes out that cannot be logged.
        let failures = check_hostile(
            || home.cmd(),
            &[
                &["subscribe", "device-lost"],
                &["unsubscribe", "device-enrolled"],
                &["deactivate"],
                &["configure", "--retries", "1"],
                GENERATE,
                &["send", "device-enrolled"],
                &["redeliver", &id],
                &["logs", "prune", "--before", "1d", "--yes"],
            ],
            &home.home,
            "permissions",
        );
        assert_no_failures(failures, "a read-only home");
        assert_eq!(
            server.received().len(),
            requests,
            "a delivery went out that could not be logged"
        );
        assert_unchanged(
            &before_read_only,
            &home.snapshot(),
            "commands in a read-only home",
        );
    }
    assert_unchanged(&before, &home.snapshot(), "commands in a read-only home");
}

#[test]
fn a_config_toml_that_is_a_directory_is_refused() {
    let server = TestServer::start(Reply::status(200));
    let home = UserHome::configured(&server);
    home.replace_with_directory("config.toml");
    let requests = server.received().len();
    let before = home.snapshot();
    let failures = check_hostile(
        || home.cmd(),
        &[
            &["status"],
            &["events"],
            &["subscribe", "device-lost"],
            &["activate"],
            &["configure", "--retries", "1"],
            GENERATE,
            &["send", "device-enrolled"],
            &["redeliver", "--failed"],
            &["mock", "device-enrolled"],
            &["sign", "/dev/null"],
            &["listen", "--port", "0"],
        ],
        &home.home.join("config.toml"),
        "move it away",
    );
    assert_no_failures(failures, "config.toml is a directory");
    // The log does not need the config.
    let out = home.cmd().arg("logs").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout_of(&out).lines().count(), 1);
    assert_unchanged(
        &before,
        &home.snapshot(),
        "commands with config.toml a directory",
    );
    assert_eq!(server.received().len(), requests);
}

#[test]
fn a_deliveries_jsonl_that_is_a_directory_is_refused() {
    let server = TestServer::start(Reply::status(200));
    let home = UserHome::configured(&server);
    let id = home.request_id();
    home.replace_with_directory("deliveries.jsonl");
    let requests = server.received().len();
    let before = home.snapshot();
    let failures = check_hostile(
        || home.cmd(),
        &[
            &["status"],
            &["logs"],
            &["logs", "summary"],
            &["logs", "show", &id],
            &["logs", "prune", "--before", "1d", "--yes"],
            &["send", "device-enrolled"],
            &["redeliver", &id],
            &["redeliver", "--failed"],
        ],
        &home.home.join("deliveries.jsonl"),
        "move it away",
    );
    assert_no_failures(failures, "deliveries.jsonl is a directory");
    assert_eq!(
        server.received().len(),
        requests,
        "a delivery went out that could not be logged"
    );
    let out = home
        .cmd()
        .args(["events", "--subscribed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_unchanged(
        &before,
        &home.snapshot(),
        "commands with deliveries.jsonl a directory",
    );
}

#[test]
fn lock_files_that_are_directories_are_refused_naming_the_lock() {
    let server = TestServer::start(Reply::status(200));

    let home = UserHome::configured(&server);
    home.replace_with_directory("config.lock");
    let before = home.snapshot();
    let failures = check_hostile(
        || home.cmd(),
        &[
            &["subscribe", "device-lost"],
            &["unsubscribe", "device-enrolled"],
            &["deactivate"],
            &["configure", "--retries", "1"],
            GENERATE,
        ],
        &home.home.join("config.lock"),
        "move it away",
    );
    assert_no_failures(failures, "config.lock is a directory");
    for args in [&["status"][..], &["events"], &["logs"]] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
    }
    assert_unchanged(
        &before,
        &home.snapshot(),
        "commands with config.lock a directory",
    );

    let home = UserHome::configured(&server);
    let id = home.request_id();
    home.replace_with_directory("deliveries.lock");
    let requests = server.received().len();
    let before = home.snapshot();
    let failures = check_hostile(
        || home.cmd(),
        &[
            &["send", "device-enrolled"],
            &["redeliver", &id],
            &["logs", "prune", "--before", "1d", "--yes"],
        ],
        &home.home.join("deliveries.lock"),
        "move it away",
    );
    assert_no_failures(failures, "deliveries.lock is a directory");
    assert_eq!(
        server.received().len(),
        requests,
        "a delivery went out that could not be logged"
    );
    assert_unchanged(
        &before,
        &home.snapshot(),
        "commands with deliveries.lock a directory",
    );
    for args in [&["status"][..], &["logs"], &["subscribe", "device-lost"]] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
    }
}

#[test]
fn a_home_that_is_a_file_or_under_a_file_is_refused() {
    let server = TestServer::start(Reply::status(200));
    let root = UserHome::new();
    let file = root.root.path().join("not-a-directory");
    fs::write(&file, "precious\n").unwrap();
    give_to_user(&file);
    for home in [file.clone(), file.join("sub").join("home")] {
        let before = root.snapshot();
        let failures = check_hostile(
            || user_cmd(&home),
            &[
                &["status"],
                &["events"],
                &["logs"],
                &["logs", "summary"],
                &["logs", "prune", "--before", "1d", "--yes"],
                &["subscribe", "device-lost"],
                &["activate"],
                &["configure", "--url", &server.url(), "--secret-stdin"],
                GENERATE,
                &["send", "device-enrolled"],
                &["redeliver", "--failed"],
                &["mock", "device-enrolled"],
                &["sign", "/dev/null"],
            ],
            &file,
            "--home DIR",
        );
        assert_no_failures(failures, &format!("home {}", home.display()));
        assert_unchanged(
            &before,
            &root.snapshot(),
            &format!("commands with home {}", home.display()),
        );
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious\n");
    assert!(server.received().is_empty());
}

// ---------------------------------------------------------------------------
// The secret

#[test]
fn a_config_readable_by_group_or_others_is_refused_with_a_chmod_hint() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    let path = home.config_path();
    for mode in [0o640, 0o604, 0o660] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let before = snapshot(home.path());
        let mut failures = Vec::new();
        for args in [
            &["status"][..],
            &["status", "--json"],
            &["events"],
            &["subscribe", "device-lost"],
            &["deactivate"],
            &["configure", "--retries", "1"],
            &["send", "device-enrolled"],
            &["mock", "device-enrolled"],
            &["sign", "/dev/null"],
            &["listen", "--port", "0"],
        ] {
            let out = home.cmd().args(args).output().unwrap();
            let mut problems = refusal_problems(&out, 1, "chmod 600", Voice::Own);
            let err = stderr_of(&out);
            if !err.contains(&path.display().to_string()) || !err.contains(&format!("{mode:04o}")) {
                problems.push("does not name the file and its mode".to_string());
            }
            if err.contains(SECRET) {
                problems.push("shows the secret".to_string());
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{args:?}: {}\n{}",
                    problems.join("; "),
                    describe(&out)
                ));
            }
        }
        assert_no_failures(failures, &format!("config.toml mode {mode:04o}"));
        assert_unchanged(
            &before,
            &snapshot(home.path()),
            &format!("config.toml mode {mode:04o}"),
        );
    }
    assert!(server.received().is_empty());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    home.cmd().arg("status").assert().success();
}

fn assert_output_free_of(secret: &str, what: &str, out: &Output) {
    assert_no_panic(out, what);
    assert_secret_not_printed(secret, what, out);
}

#[test]
fn the_secret_appears_in_no_output_and_not_in_the_log() {
    let ok = TestServer::start(Reply::with_body(200, "thanks"));
    let failing = TestServer::start(Reply::with_body(500, "boom"));
    let home = TestHome::new();
    home.configure_active(&ok.url());
    home.subscribe(&["device-enrolled", "device-locked"]);
    let files = Files::new();

    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |what: &str, cmd: &mut assert_cmd::Command| {
        let out = cmd.output().unwrap();
        outputs.push((what.to_string(), out.clone()));
        out
    };
    let sent = run("send", home.cmd().args(["send", "device-enrolled"]));
    assert_eq!(sent.status.code(), Some(0), "{}", describe(&sent));
    run(
        "send --json",
        home.cmd().args(["send", "device-locked", "--json"]),
    );
    run(
        "send --color always",
        home.cmd()
            .args(["send", "device-enrolled", "--color", "always"]),
    );
    run("mock", home.cmd().args(["mock", "device-enrolled"]));
    run(
        "mock --json",
        home.cmd().args(["mock", "device-sim-swap", "--json"]),
    );
    run(
        "mock burst",
        home.cmd().args([
            "mock",
            "device-enrolled",
            "--count",
            "20",
            "--concurrency",
            "4",
        ]),
    );
    run(
        "mock burst --json",
        home.cmd()
            .args(["mock", "device-enrolled", "--count", "20", "--json"]),
    );
    let url = failing.url();
    run(
        "mock refused --json",
        home.cmd()
            .args(["mock", "device-enrolled", "--json", "--url", &url]),
    );
    run(
        "mock refused burst",
        home.cmd()
            .args(["mock", "device-enrolled", "--count", "5", "--url", &url]),
    );
    let closed = format!("http://127.0.0.1:{}/", closed_port());
    run(
        "mock unanswered --json",
        home.cmd()
            .args(["mock", "device-enrolled", "--json", "--url", &closed]),
    );
    run("status", home.cmd().arg("status"));
    run("status --json", home.cmd().args(["status", "--json"]));
    run("events", home.cmd().arg("events"));
    run("events --json", home.cmd().args(["events", "--json"]));
    run(
        "events show",
        home.cmd().args(["events", "show", "device-enrolled"]),
    );
    run("sign", home.cmd().arg("sign").write_stdin("{}"));
    let signature = hmac_hex(SECRET.as_bytes(), b"{}");
    run(
        "verify",
        home.cmd()
            .args(["verify", "--signature", &signature])
            .write_stdin("{}"),
    );
    run(
        "verify mismatch",
        home.cmd()
            .args(["verify", "--signature", SIXTY_FOUR_HEX])
            .write_stdin("{}"),
    );
    run(
        "verify not a signature",
        home.cmd().args(["verify", "--signature", "xyz"]),
    );
    run(
        "configure (bad URL)",
        home.cmd().args(["configure", "--url", "ftp://x/"]),
    );
    run(
        "mock (bad data)",
        home.cmd()
            .args(["mock", "device-enrolled", "--data", &files.arg("bad.json")]),
    );
    run("send (unknown)", home.cmd().args(["send", "nope"]));
    run(
        "send (unsubscribed)",
        home.cmd().args(["send", "device-lost"]),
    );
    run(
        "subscribe (typo)",
        home.cmd().args(["subscribe", "device-enroled"]),
    );

    // Failed deliveries, their retries and redeliveries.
    run(
        "configure (failing URL)",
        home.cmd()
            .args(["configure", "--url", &url, "--retries", "2"]),
    );
    run(
        "send (refused) --json",
        home.cmd().args(["send", "device-enrolled", "--json"]),
    );
    run("send (refused)", home.cmd().args(["send", "device-locked"]));
    run(
        "redeliver --failed --json",
        home.cmd().args(["redeliver", "--failed", "--json"]),
    );
    let first_id = home.log_records()[0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    run("redeliver ID", home.cmd().args(["redeliver", &first_id]));
    run("logs", home.cmd().arg("logs"));
    run("logs --json", home.cmd().args(["logs", "--json"]));
    run(
        "logs --failed --color always",
        home.cmd().args(["logs", "--failed", "--color", "always"]),
    );
    run("logs summary", home.cmd().args(["logs", "summary"]));
    run(
        "logs summary --json",
        home.cmd().args(["logs", "summary", "--json"]),
    );
    run("logs show", home.cmd().args(["logs", "show", &first_id]));
    run(
        "logs show --json",
        home.cmd().args(["logs", "show", "--json", &first_id]),
    );
    run(
        "logs show --raw",
        home.cmd().args(["logs", "show", "--raw", &first_id]),
    );

    for (what, out) in &outputs {
        assert_output_free_of(SECRET, what, out);
    }
    let codes: Vec<Option<i32>> = outputs.iter().map(|(_, o)| o.status.code()).collect();
    assert!(codes.contains(&Some(3)) && codes.contains(&Some(4)) && codes.contains(&Some(2)));

    // The secret was in use all along: every request is signed with it.
    let received: Vec<Received> = ok
        .received()
        .into_iter()
        .chain(failing.received())
        .collect();
    assert!(received.len() > 40);
    assert!(received.iter().all(|r| r.signature_valid(SECRET)));

    let log = fs::read(home.log_path()).unwrap();
    assert!(home.log_records().len() >= 8);
    assert_secret_absent(SECRET, "deliveries.jsonl", &log);
    assert!(
        fs::read_to_string(home.config_path())
            .unwrap()
            .contains(SECRET)
    );
}

#[test]
fn listen_shows_deliveries_but_never_the_secret() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    for extra in [&[][..], &["--json"]] {
        let listener = Listener::start(&home, &[], extra);
        assert!(
            listener.preamble.is_empty(),
            "listen's first line says where it listens: {:?}",
            listener.preamble
        );
        assert!(
            !listener.announcement.contains(SECRET),
            "listen shows the secret: {}",
            listener.announcement
        );
        let url = listener.announced.clone();
        let valid = home
            .cmd()
            .args(["mock", "device-enrolled", "--url", &url])
            .output()
            .unwrap();
        assert_eq!(valid.status.code(), Some(0), "{}", describe(&valid));
        let invalid = home
            .cmd()
            .args(["mock", "device-locked", "--url", &url])
            .env("SFHOOK_SECRET", "some other secret")
            .output()
            .unwrap();
        assert_eq!(invalid.status.code(), Some(3), "{}", describe(&invalid));
        let (text, stderr) = listener.stop(DEADLINE);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "listen {extra:?} printed: {text}");
        if extra.is_empty() {
            assert!(
                lines[0].contains("\tvalid\t200\t") && lines[1].contains("\tinvalid\t406\t"),
                "{text}"
            );
        } else {
            assert!(lines[0].contains(r#""signature_valid":true"#), "{text}");
            assert!(lines[1].contains(r#""signature_valid":false"#), "{text}");
        }
        assert_secret_absent(
            SECRET,
            &format!("listen {extra:?} (stdout)"),
            text.as_bytes(),
        );
        assert_secret_absent(
            SECRET,
            &format!("listen {extra:?} (stderr)"),
            stderr.as_bytes(),
        );
        for out in [&valid, &invalid] {
            assert_output_free_of(SECRET, "mock into listen", out);
        }
    }
}

#[test]
fn a_generated_secret_is_printed_once_and_never_again() {
    let server = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    let out = home
        .cmd()
        .args([
            "configure",
            "--url",
            &server.url(),
            "--generate-secret",
            "--backoff",
            "10ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let printed = stdout_of(&out);
    let secret = printed.trim_end_matches('\n');
    assert_eq!(printed.lines().count(), 1, "{printed}");
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()), "{secret}");
    assert_secret_absent(secret, "configure --generate-secret (stderr)", &out.stderr);

    let mut outputs = Vec::new();
    for args in [
        &["activate"][..],
        &["subscribe", "device-enrolled"],
        &["status"],
        &["status", "--json"],
        &["send", "device-enrolled", "--json"],
        &["mock", "device-enrolled", "--json"],
        &["mock", "device-enrolled", "--count", "3"],
        &["logs", "--json"],
        &["logs", "summary"],
        &["configure", "--url", &server.url()],
        &["configure", "--retries", "1"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        outputs.push((format!("{args:?}"), out));
    }
    for (what, out) in &outputs {
        assert_output_free_of(secret, what, out);
    }
    assert!(server.received().iter().all(|r| r.signature_valid(secret)));
    assert_secret_absent(
        secret,
        "deliveries.jsonl",
        &fs::read(home.log_path()).unwrap(),
    );
}

#[test]
fn debug_renderings_and_panic_messages_never_show_the_secret() {
    let secret = Secret::new(SECRET.to_string()).unwrap();
    let mut config = Config::default();
    let profile = config.profile_mut("default");
    profile.secret = Some(secret.clone());
    profile.url =
        Some(Endpoint::parse("https://user:pa55word@hooks.example.com/x?token=t0ken").unwrap());
    let profile = config.profile("default").unwrap().clone();
    for rendered in [
        format!("{secret:?}"),
        format!("{secret:#?}"),
        format!("{:?}", Some(&secret)),
        format!("{profile:?}"),
        format!("{profile:#?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", profile.configured().map(|c| c.secret)),
    ] {
        assert!(!rendered.contains(SECRET), "{rendered}");
        assert!(
            !rendered.contains("pa55word") && !rendered.contains("t0ken"),
            "{rendered}"
        );
    }
    assert!(format!("{profile:?}").contains("redacted"));

    // A configuration loaded from disk, as commands hold it.
    let home_dir = TestHome::new();
    home_dir.configure_active("https://hooks.example.com/x");
    let home = Home::locate(Some(home_dir.path())).unwrap();
    let loaded = Store::new(&home).load().unwrap();
    assert!(!format!("{loaded:?} {loaded:#?}").contains(SECRET));

    // A panic that renders a secret (an unwrap on the wrong variant) shows
    // the placeholder. black_box keeps the results opaque, as real ones are.
    use std::hint::black_box;
    for payload in [
        std::panic::catch_unwind(|| black_box(Ok::<Secret, ()>(secret.clone())).unwrap_err())
            .unwrap_err(),
        std::panic::catch_unwind(|| black_box(Err::<(), Profile>(profile.clone())).unwrap())
            .unwrap_err(),
        std::panic::catch_unwind(|| panic!("bad profile: {loaded:?}")).unwrap_err(),
    ] {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap();
        assert!(!message.contains(SECRET), "{message}");
        assert!(message.contains("redacted"), "{message}");
    }
}
