//! Running sfhook: to its end, with a deadline, spawned to be killed, or
//! reaped with its peak memory; and describing how a run ended.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use super::{TestHome, stderr_of, stdout_of};

/// The sfhook binary that cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_sfhook");

/// Long enough for a loaded machine, short enough to call a hang a hang
/// (a lock left behind by a killed process would be one).
pub const HANG: Duration = Duration::from_secs(30);

/// The sfhook binary as a std command with an empty environment (PATH
/// aside) and stdin from /dev/null.
pub fn std_sfhook() -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_clear().stdin(Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

/// Runs a prepared command to its end; a run that outlives the command's
/// timeout is killed and fails the test as a hang.
pub fn finish(cmd: &mut assert_cmd::Command) -> Output {
    let output = cmd.output().expect("run sfhook");
    assert!(
        output.status.code().is_some(),
        "{cmd:?} did not finish in time (a hang? a stale lock?): {}",
        stderr_of(&output)
    );
    output
}

/// `sfhook ARGS` in `home`, which must end within HANG.
pub fn run(home: &TestHome, args: &[&str]) -> Output {
    finish(home.cmd().timeout(HANG).args(args))
}

/// `run`, which must succeed.
pub fn run_ok(home: &TestHome, args: &[&str]) -> Output {
    let output = run(home, args);
    assert!(
        output.status.success(),
        "sfhook {} exited {:?}: {}",
        args.join(" "),
        output.status.code(),
        stderr_of(&output)
    );
    output
}

/// Runs `cmd`, which must exit with `expected`.
pub fn run_expecting(cmd: &mut assert_cmd::Command, expected: i32) -> Output {
    run_timed(cmd, expected).0
}

/// `run_expecting`, and how long the run took.
pub fn run_timed(cmd: &mut assert_cmd::Command, expected: i32) -> (Output, Duration) {
    let started = Instant::now();
    let output = finish(cmd);
    let took = started.elapsed();
    assert_eq!(
        exit_code(&output),
        expected,
        "exit code\nstdout: {}\nstderr: {}",
        stdout_of(&output),
        stderr_of(&output)
    );
    (output, took)
}

/// An sfhook run in `home` that the test may kill: a clean environment, no
/// stdin, output discarded.
pub fn spawn(home: &TestHome, args: &[&str]) -> Child {
    home.std_cmd()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sfhook")
}

pub fn exit_code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("the process exited, not killed by a signal")
}

/// Where `exit_code_and_peak_rss` hands a command to `peak_rss_probe`.
const PROBE_VAR: &str = "SFHOOK_TEST_PEAK_RSS_OF";

/// Runs `cmd` (whose environment must be explicit, as `std_sfhook`'s is)
/// with no stdin and its output discarded; returns its exit code and its
/// own peak RSS in KiB.
///
/// Linux carries the peak RSS of the process that execs into the new
/// program, and this test process is large and grows as tests run: a child
/// forked from it would report this process's peak, not sfhook's. So a fresh
/// copy of this binary, which is small, runs `peak_rss_probe`, which
/// starts sfhook and reports what wait4 says of it.
pub fn exit_code_and_peak_rss(cmd: &std::process::Command) -> (i32, i64) {
    let text = |s: &std::ffi::OsStr| s.to_str().expect("a UTF-8 command line").to_string();
    let spec = serde_json::json!({
        "program": text(cmd.get_program()),
        "args": cmd.get_args().map(text).collect::<Vec<_>>(),
        "env": cmd
            .get_envs()
            .filter_map(|(name, value)| Some((text(name), text(value?))))
            .collect::<std::collections::BTreeMap<_, _>>(),
    });
    let probe = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "support::process::peak_rss_probe", "--nocapture"])
        .args(["--test-threads", "1", "--include-ignored"])
        .env_clear()
        .env(PROBE_VAR, spec.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("start the probe");
    let stdout = stdout_of(&probe);
    let report = stdout
        .lines()
        .find_map(|line| Some(line.split_once("peak-rss-probe: ")?.1))
        .unwrap_or_else(|| panic!("the probe reported nothing\n{}", describe(&probe)));
    let (code, kib) = report.split_once(' ').expect("code and KiB");
    (code.parse().unwrap(), kib.parse().unwrap())
}

/// Only in the fresh process that `exit_code_and_peak_rss` starts: runs the
/// command it was handed and prints its exit code and peak RSS. In a test
/// run it has nothing to do.
#[test]
fn peak_rss_probe() {
    let Some(spec) = std::env::var_os(PROBE_VAR) else {
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(spec.to_str().unwrap()).unwrap();
    let mut cmd = std::process::Command::new(spec["program"].as_str().unwrap());
    cmd.env_clear();
    for arg in spec["args"].as_array().unwrap() {
        cmd.arg(arg.as_str().unwrap());
    }
    for (name, value) in spec["env"].as_object().unwrap() {
        cmd.env(name, value.as_str().unwrap());
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sfhook starts");
    let (code, kib) = reap(child, Duration::from_secs(60));
    println!("peak-rss-probe: {code} {kib}");
}

/// Waits for `child` to exit, killing it if it outlives `limit`, and
/// returns its exit code and its own peak RSS in KiB.
pub fn reap(child: Child, limit: Duration) -> (i32, i64) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let deadline = Instant::now() + limit;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: wait4 on our own child's pid with valid pointers.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if waited == pid {
            break;
        }
        assert_eq!(waited, 0, "wait4 failed");
        if Instant::now() > deadline {
            // SAFETY: the child is ours and not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("sfhook still running after {limit:?}: killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert!(
        libc::WIFEXITED(status),
        "sfhook did not exit normally: {status}"
    );
    drop(child); // already reaped by wait4
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// How a run ended, for a failure message: its exit code, stdout and
/// stderr, each cut at 2000 bytes.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        truncated(&stdout_of(out)),
        truncated(&stderr_of(out))
    )
}

/// `text`, cut at 2000 bytes with a note of its length when longer.
pub fn truncated(text: &str) -> String {
    if text.len() > 2000 {
        let cut = (0..=2000)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap();
        format!("{}… ({} bytes)", &text[..cut], text.len())
    } else {
        text.to_string()
    }
}

/// The lines of `stream` as they come (bytes that are not UTF-8 shown as
/// U+FFFD), read on a thread of their own.
pub fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.last() == Some(&b'\n') {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
            }
            if tx
                .send(String::from_utf8_lossy(&line).into_owned())
                .is_err()
            {
                break;
            }
        }
    });
    rx
}

/// `sfhook listen --port 0` as a child process; killed when dropped.
pub struct Listener {
    pub child: Child,
    /// The URL listen announced.
    pub announced: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// What listen printed on stderr before it announced its address.
    pub preamble: Vec<String>,
    /// The line that announced it.
    pub announcement: String,
    /// With `--json`, the first stdout line, `{"listening": URL}`; the
    /// stdout lines that follow are the requests'.
    pub listening: Option<String>,
    pub stdout: Receiver<String>,
    pub stderr: Receiver<String>,
}

impl Listener {
    /// Starts `sfhook listen --port 0 EXTRA` in `home` with `env` set, and
    /// waits until it says where it listens.
    pub fn start(home: &TestHome, env: &[(&str, &str)], extra: &[&str]) -> Listener {
        let mut cmd = home.std_cmd();
        for (name, value) in env {
            cmd.env(name, value);
        }
        let mut child = cmd
            .args(["listen", "--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sfhook listen starts");
        let stderr = lines_of(child.stderr.take().unwrap());
        let mut preamble = Vec::new();
        let (announcement, announced) = loop {
            match stderr.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("Listening on ") {
                        let url = rest.split_whitespace().next().unwrap_or("").to_string();
                        break (line, url);
                    }
                    preamble.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("listen printed no address; stderr: {preamble:?}");
                }
            }
        };
        let addr = announced
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("listen announced no http URL: {announcement}"))
            .to_string();
        let stdout = lines_of(child.stdout.take().unwrap());
        let listening = extra.contains(&"--json").then(|| {
            stdout
                .recv_timeout(Duration::from_secs(20))
                .expect("listen --json prints where it listens first")
        });
        Listener {
            child,
            announced,
            addr,
            preamble,
            announcement,
            listening,
            stdout,
            stderr,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/payload", self.addr)
    }

    pub fn next_line(&self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(20))
            .expect("listen printed a line for the delivery")
    }

    /// Ctrl-C, which must end it with 0 within `limit`; then everything it
    /// printed on stdout (lines, each with its newline) and on stderr after
    /// its announcement.
    pub fn stop(mut self, limit: Duration) -> (String, String) {
        // SAFETY: kill with a valid pid and signal number.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("listen did not stop on Ctrl-C");
            }
            thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "listen after Ctrl-C");
        let stdout: String = drain(&self.stdout)
            .into_iter()
            .map(|line| line + "\n")
            .collect();
        let stderr = drain(&self.stderr).join("\n");
        (stdout, stderr)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every line until the stream ends (the process has exited).
pub fn drain(lines: &Receiver<String>) -> Vec<String> {
    let mut all = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) {
        all.push(line);
    }
    all
}
