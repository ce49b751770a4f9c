//! `sfhook listen` under attack (RELIABILITY.md, "listen under attack"):
//! a stdout or stderr nobody reads, stalled connections, slow and large
//! bodies, and an address that other machines can reach. Each test runs
//! the real receiver on 127.0.0.1 and attacks it with real sockets.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

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

fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: a signal to our own child, by its pid.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

/// A field of /proc/PID/status in KiB, such as VmHWM (the peak resident
/// set) or VmRSS.
fn status_kib(child: &Child, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// The status of the HTTP answer on `stream`, if one comes before EOF or
/// `HANG`.
fn answer_status(stream: &mut TcpStream) -> Option<u16> {
    stream.set_read_timeout(Some(HANG)).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The head of a delivery of `length` bytes signed with `signature`.
fn delivery_head(addr: &str, length: usize, signature: &str) -> String {
    format!(
        "POST /payload HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-SF-Event: device.enrolled\r\nX-SF-Request-Id: attack\r\nX-SF-Signature: {signature}\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
}

/// One signed delivery on a fresh connection; the status answered.
fn post_signed(addr: &str, body: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).expect("connect to listen");
    let head = delivery_head(addr, body.len(), &hmac_hex(SECRET.as_bytes(), body));
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    answer_status(&mut stream)
}

/// A valid delivery of about `size` bytes: the mock payload's shape with a
/// padding field.
fn padded_body(size: usize) -> Vec<u8> {
    let mut body =
        br#"{"event":"device.enrolled","data":{"devices":[{"name":"Pixel"}]},"pad":""#.to_vec();
    body.resize(size - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}

/// Sends SIGTERM and waits up to 5 s for the exit; how long it took and
/// the exit code.
fn terminate(child: &mut Child) -> (Duration, Option<i32>) {
    let started = Instant::now();
    signal(child, libc::SIGTERM);
    let stopped = wait_until(Duration::from_secs(5), || {
        child.try_wait().unwrap().is_some()
    });
    let took = started.elapsed();
    if !stopped {
        let _ = child.kill();
        let _ = child.wait();
        panic!("listen still running {took:?} after SIGTERM");
    }
    (took, child.wait().unwrap().code())
}

// ------------------------------------------------ an output nobody reads

/// 200 signed deliveries of 8 KiB: each line of `--json` is larger than a
/// pipe's atomic write, so the pipe ends up full to the last byte.
fn flood(addr: &str) {
    let body = padded_body(8 * 1024);
    for n in 0..200 {
        assert_eq!(post_signed(addr, &body), Some(200), "delivery {n}");
    }
}

#[test]
fn an_unread_stdout_still_answers_deliveries_and_sigterm_stops_it() {
    let home = TestHome::new();
    let mut child = home
        .std_cmd()
        .env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", "0", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _unread = child.stdout.take();
    let stderr = lines_of(child.stderr.take().unwrap());
    let mut child = KillOnDrop(child);
    let line = stderr
        .recv_timeout(HANG)
        .expect("listen says where it listens");
    let addr = line
        .strip_prefix("Listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    flood(&addr);
    let (took, code) = terminate(&mut child.0);
    eprintln!("listen with an unread stdout stopped {took:?} after SIGTERM");
    assert_eq!(code, Some(0));
    let said = drain(&stderr).join("\n");
    assert!(said.contains("Stopped after 200 deliveries"), "{said}");
    assert!(said.contains("lines not printed"), "{said}");
}

#[test]
fn stdout_and_stderr_in_one_unread_pipe_do_not_keep_it_from_stopping() {
    // `sfhook listen 2>&1 | less`, with less never scrolled: the last
    // note has nowhere to go.
    let home = TestHome::new();
    let ready = home.path().join("listen.url");
    let (reader, writer) = std::io::pipe().unwrap();
    let mut cmd = home.std_cmd();
    cmd.env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", "0", "--json", "--ready-file"])
        .arg(&ready)
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    let mut child = KillOnDrop(cmd.spawn().unwrap());
    drop(cmd); // our copies of the pipe's writing end
    assert!(
        wait_until(HANG, || ready.exists()),
        "listen wrote no ready file"
    );
    let url = std::fs::read_to_string(&ready).unwrap();
    let addr = url
        .trim()
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    flood(&addr);
    let (took, code) = terminate(&mut child.0);
    eprintln!("listen 2>&1 into an unread pipe stopped {took:?} after SIGTERM");
    assert_eq!(code, Some(0));
    drop(reader);
}

// ------------------------------------------------------ stalled connections

/// Opens `count` connections that stall: half stop in the middle of their
/// headers, half in the middle of their body.
fn stall(addr: &str, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|n| {
            let mut stream = TcpStream::connect(addr).expect("connect to listen");
            let partial = if n % 2 == 0 {
                "POST /payload HTTP/1.1\r\nHost: x\r\nX-SF-Ev".to_string()
            } else {
                delivery_head(addr, 1000, &"0".repeat(64)) + "{\"event\":"
            };
            stream.write_all(partial.as_bytes()).unwrap();
            stream
        })
        .collect()
}

/// A child that is killed if the test fails before it stops.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `sfhook listen --port 0` with at most `files` file descriptors, as on
/// a machine whose `ulimit -n` is low; its address once it listens.
fn listen_with_few_files(home: &TestHome, files: libc::rlim_t) -> (KillOnDrop, String) {
    use std::os::unix::process::CommandExt as _;
    let ready = home.path().join("few-files.url");
    let mut cmd = home.std_cmd();
    cmd.env("SFHOOK_SECRET", SECRET)
        .args(["listen", "--port", "0", "--ready-file"])
        .arg(&ready)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: files,
                rlim_max: files,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let child = KillOnDrop(cmd.spawn().unwrap());
    assert!(
        wait_until(HANG, || ready.exists()),
        "listen wrote no ready file"
    );
    let url = std::fs::read_to_string(&ready).unwrap();
    let addr = url
        .trim()
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    (child, addr)
}

#[test]
fn five_hundred_stalled_connections_do_not_keep_a_real_sender_out() {
    // With 256 files, listen once ran out of descriptors: every new
    // connection waited in the kernel's queue, the real sender's too.
    let home = TestHome::new();
    let (mut child, addr) = listen_with_few_files(&home, 256);
    let url = format!("http://{addr}/payload");
    let _stalled = stall(&addr, 500);
    let started = Instant::now();
    run_expecting(
        home.mock_at(&url, "device-enrolled")
            .args(["--timeout", "5s"]),
        0,
    );
    eprintln!(
        "a mock behind 500 stalled connections answered in {:?}",
        started.elapsed()
    );
    // A second wave takes the places of the first without harm.
    let _second = stall(&addr, 500);
    run_expecting(
        home.mock_at(&url, "device-enrolled")
            .args(["--timeout", "5s"]),
        0,
    );
    let (_, code) = terminate(&mut child.0);
    assert_eq!(code, Some(0));
}

// ------------------------------------------------------------ slow requests

#[test]
fn a_body_too_slow_gets_408_after_the_read_timeout() {
    let home = TestHome::new();
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--read-timeout", "1s"],
    );
    let mut stream = TcpStream::connect(&listener.addr).unwrap();
    let head = delivery_head(&listener.addr, 1000, &"0".repeat(64));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(b"{\"event\":").unwrap();
    let started = Instant::now();
    // A byte now and then does not reset the clock: the whole body counts.
    let trickle = stream.try_clone().unwrap();
    let trickler = thread::spawn(move || {
        let mut trickle = trickle;
        for _ in 0..20 {
            thread::sleep(Duration::from_millis(200));
            if trickle.write_all(b" ").is_err() {
                break;
            }
        }
    });
    assert_eq!(answer_status(&mut stream), Some(408));
    eprintln!("a slow body was answered 408 after {:?}", started.elapsed());
    let _ = trickler.join();
    let line = listener.next_line();
    assert!(line.contains("\t408\tPOST /payload"), "{line}");
}

#[test]
fn headers_too_slow_close_the_connection_after_the_read_timeout() {
    let home = TestHome::new();
    let listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--read-timeout", "1s"],
    );
    let mut stream = TcpStream::connect(&listener.addr).unwrap();
    stream
        .write_all(b"POST /payload HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    // Well short of hyper's former 30 s.
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut buf = Vec::new();
    let read = stream.read_to_end(&mut buf);
    assert!(
        read.is_ok(),
        "the connection was still open after {:?}: {read:?}",
        started.elapsed()
    );
    eprintln!("slow headers were cut off after {:?}", started.elapsed());
    // Still answering.
    assert_eq!(post_signed(&listener.addr, &padded_body(512)), Some(200));
}

#[test]
fn read_timeout_must_be_a_duration() {
    let home = TestHome::new();
    let out = run_expecting(
        home.cmd()
            .env("SFHOOK_SECRET", SECRET)
            .args(["listen", "--read-timeout", "soon"]),
        2,
    );
    assert!(
        stderr_of(&out).contains("--read-timeout"),
        "{}",
        describe(&out)
    );
}

// ------------------------------------------------------------------ memory

#[test]
fn fifty_large_slow_bodies_stay_under_64_mb() {
    const SIZE: usize = 15 * 1024 * 1024;
    let home = TestHome::new();
    let mut listener = Listener::start(
        &home,
        &[("SFHOOK_SECRET", SECRET)],
        &["--read-timeout", "60s"],
    );
    let idle = status_kib(&listener.child, "VmRSS");
    let body = Arc::new(padded_body(SIZE));
    let signature = Arc::new(hmac_hex(SECRET.as_bytes(), &body));
    let senders: Vec<_> = (0..50)
        .map(|_| {
            let addr = listener.addr.clone();
            let body = Arc::clone(&body);
            let signature = Arc::clone(&signature);
            thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                let head = delivery_head(&addr, SIZE, &signature);
                if stream.write_all(head.as_bytes()).is_ok() {
                    for chunk in body.chunks(512 * 1024) {
                        if stream.write_all(chunk).is_err() {
                            break; // answered early, and closed
                        }
                        thread::sleep(Duration::from_millis(50));
                    }
                }
                let _ = stream.shutdown(Shutdown::Write);
                answer_status(&mut stream)
            })
        })
        .collect();
    let statuses: Vec<Option<u16>> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    let peak = status_kib(&listener.child, "VmHWM");
    let now = status_kib(&listener.child, "VmRSS");
    let count = |code| statuses.iter().filter(|s| **s == Some(code)).count();
    eprintln!(
        "50 slow 15 MiB bodies: {} answered 200, {} 503, {} other; RSS idle {idle} KiB, peak {peak} KiB, after {now} KiB",
        count(200),
        count(503),
        statuses.len() - count(200) - count(503)
    );
    assert!(
        peak < 64 * 1024,
        "listen peaked at {peak} KiB (idle {idle} KiB)"
    );
    // A refused sender that keeps writing may see a reset instead of
    // its 503: listen's own lines tell what it answered.
    assert!(
        statuses.iter().all(|s| matches!(s, Some(200 | 503) | None)),
        "{statuses:?}"
    );
    // The budget is given back: a delivery afterwards is taken.
    assert_eq!(post_signed(&listener.addr, &padded_body(4096)), Some(200));
    let (_, code) = terminate(&mut listener.child);
    assert_eq!(code, Some(0));
    let lines = drain(&listener.stdout);
    let refused = lines
        .iter()
        .filter(|l| l.contains("\t503\tPOST /payload"))
        .count();
    let taken = lines
        .iter()
        .filter(|l| l.contains("\tvalid\t200\t"))
        .count();
    eprintln!("listen's lines: {taken} deliveries taken, {refused} refused with 503");
    assert!(refused > 0, "the budget never refused a body: {lines:?}");
    assert_eq!(taken + refused, 51, "{lines:?}");
}

// ---------------------------------------------------------- beyond loopback

#[test]
fn an_address_other_machines_reach_is_warned_about() {
    let home = TestHome::new();
    let listener = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &["--host", "0.0.0.0"]);
    let warning = listener.preamble.join("\n");
    assert!(
        warning.contains("warning: listening on 0.0.0.0:") && warning.contains("other machines"),
        "{warning}"
    );
    let local = Listener::start(&home, &[("SFHOOK_SECRET", SECRET)], &[]);
    assert!(local.preamble.is_empty(), "{:?}", local.preamble);
}
