//! Running the real binary on a pseudo-terminal of a given size: stdin,
//! stdout and stderr on the slave side (its controlling terminal, which
//! dialoguer reads keys from), keys typed into the master side, and
//! everything the program wrote collected, with the terminal's settings
//! as the program left them.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::{BIN, CLEARED_ENV, TestHome};

const LIMIT: Duration = Duration::from_secs(60);

pub struct PtyRun {
    /// The exit code; `None` if a signal ended it or it was killed at the
    /// time limit.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// stdout and stderr together, as the terminal received them.
    pub screen: String,
    /// Whether the terminal still echoes once the program has gone.
    pub echo_after: bool,
}

/// Runs sfhook in `home` on a new 120-column pty, typing `keys` (each
/// after a pause, so that a prompt is drawn first).
pub fn pty_run(home: &TestHome, args: &[&str], env: &[(&str, &str)], keys: &[&str]) -> PtyRun {
    pty_run_with(home, args, env, keys, 120, false)
}

/// `pty_run` on a pty `width` columns wide and 40 rows high; with
/// `stderr_elsewhere`, stderr goes to /dev/null instead, as in
/// `sfhook ... 2>errors.txt` typed at a terminal.
pub fn pty_run_with(
    home: &TestHome,
    args: &[&str],
    env: &[(&str, &str)],
    keys: &[&str],
    width: u16,
    stderr_elsewhere: bool,
) -> PtyRun {
    let (master, slave) = open_pty(width);
    let mut cmd = Command::new(BIN);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.args(args)
        .env("SFHOOK_HOME", home.path())
        .env("TERM", "xterm-256color");
    for (var, value) in env {
        cmd.env(var, value);
    }
    let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().unwrap());
    cmd.stdin(stdio(&slave)).stdout(stdio(&slave));
    if stderr_elsewhere {
        cmd.stderr(Stdio::null());
    } else {
        cmd.stderr(stdio(&slave));
    }
    // SAFETY: setsid and ioctl are async-signal-safe; between fork and exec
    // the child only makes itself a session leader with the pty (its stdin)
    // as the controlling terminal.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("start sfhook on a pty");
    drop(cmd);

    let mut reader = File::from(master.try_clone().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        // EIO once every copy of the slave side is closed.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        let _ = tx.send(all);
    });
    let mut writer = File::from(master);
    for key in keys {
        thread::sleep(Duration::from_millis(600));
        let _ = writer.write_all(key.as_bytes());
    }
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    // The slave side stayed open here so that the terminal's settings can
    // be read after the program has gone; closing it ends the reader.
    let echo_after = {
        let mut settings = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills the termios on success, and only then is
        // it read.
        unsafe {
            assert_eq!(libc::tcgetattr(slave.as_raw_fd(), settings.as_mut_ptr()), 0);
            settings.assume_init().c_lflag & libc::ECHO != 0
        }
    };
    drop(slave);
    drop(writer);
    let bytes = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    PtyRun {
        code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        screen: String::from_utf8_lossy(&bytes).into_owned(),
        echo_after,
    }
}

fn open_pty(width: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: width,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors into the integers passed; name
    // and termios may be null; the winsize outlives the call.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}
