//! Help that teaches: every subcommand's `--help` ends with an Examples
//! section, and every example in it runs successfully, as written, in a
//! prepared home.
//!
//! The prepared home is what a reader of the examples has: a default
//! profile that is configured, active and subscribed to device-enrolled and
//! device-locked, pointing at a real receiver (a test server that answers
//! 200); a second, inactive profile `staging`; a log with one failed and
//! one successful delivery; and, in the working directory, `body.json` (a
//! sample payload), `key.txt` (a secret) and `kiosk.toml` (the scenario of
//! `run`'s help). Each example runs in a fresh
//! copy of it, through `bash -c` with the real binary first on PATH.
//!
//! The examples name `127.0.0.1:8787`, the address `sfhook listen` serves
//! by default; here that address is the test's receiver (or, for `listen`
//! itself, a free port, which also stands in for `--port 0`), so the test
//! does not depend on a fixed port. The app that `listen --forward-to`
//! stands in front of, `127.0.0.1:3000`, is the test's receiver too.
//! Examples that keep running (`listen`, `logs --follow`) must still be
//! running after they have had time to fail; `listen` must also accept a
//! delivery.

use std::fs;
use std::io::Read;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;

/// The example file of `sfhook run --help`.
const KIOSK_SCENARIO: &str = r#"name = "kiosk lifecycle"
platform = "android"
[[step]]
event = "device-enrolled"
set = { "data.devices.0.name" = "Lobby Kiosk" }
[[step]]
event = "device-locked"
tamper = "wrong-signature"
expect = "406"
[[step]]
sleep = "200ms"
[[step]]
event = "device-deleted"
"#;

/// How long a finishing example may take: generous, for a loaded machine.
const EXAMPLE_LIMIT: Duration = Duration::from_secs(60);
const LISTEN_SECRET: &str = "s3cr3t";

/// Every command path but sfhook's own `help` subcommand.
fn command_paths() -> Vec<Vec<String>> {
    crate::support::command_paths()
        .into_iter()
        .filter(|path| !path.iter().any(|name| name == "help"))
        .collect()
}

/// The `$ ` lines of the help's Examples section; `None` without one.
fn examples_in(help: &str) -> Option<Vec<String>> {
    let (_, section) = help.split_once("\nExamples:\n")?;
    let mut examples = Vec::new();
    for line in section.lines() {
        if !line.starts_with("  ") && !line.trim().is_empty() {
            break; // the next section
        }
        if let Some(command) = line.trim_start().strip_prefix("$ ") {
            examples.push(command.to_string());
        }
    }
    Some(examples)
}

fn help_of(path: &[String]) -> String {
    let out = sfhook().args(path).arg("--help").output().unwrap();
    assert!(
        out.status.success(),
        "sfhook {} --help failed",
        path.join(" ")
    );
    stdout_of(&out)
}

#[test]
fn every_subcommand_help_ends_with_examples() {
    let mut problems = Vec::new();
    for path in command_paths() {
        let name = format!("sfhook {}", path.join(" "));
        let help = help_of(&path);
        let Some((_, section)) = help.split_once("\nExamples:\n") else {
            problems.push(format!("{name}: no Examples section"));
            continue;
        };
        let examples = examples_in(&help).unwrap_or_default();
        if examples.is_empty() {
            problems.push(format!("{name}: the Examples section has no '$ ' line"));
        }
        // Subcommands end with their examples; sfhook's own help goes on
        // to exit codes and the environment.
        let ends = section
            .lines()
            .all(|l| l.starts_with("  ") || l.trim().is_empty());
        if !path.is_empty() && !ends {
            problems.push(format!("{name}: something follows the examples"));
        }
        for example in &examples {
            if !example.contains("sfhook ") {
                problems.push(format!("{name}: '{example}' does not run sfhook"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The prepared home, its working directory and its receiver.
struct Prepared {
    template: tempfile::TempDir,
    receiver: TestServer,
}

impl Prepared {
    fn new() -> Prepared {
        // A receiver that checks signatures as the reference's sample does,
        // under any secret the examples use, so a forged mock gets its 406.
        let receiver = TestServer::with_handler(|request, _| {
            let secrets = [
                SECRET,
                "staging-secret-0123456789",
                LISTEN_SECRET,
                "a-file-secret-0123456789",
            ];
            if secrets.iter().any(|s| request.signature_valid(s)) {
                Reply::status(200)
            } else {
                Reply::with_body(406, "Signatures mismatch")
            }
        });
        let template = tempfile::tempdir().unwrap();
        let home = TestHome::with_history(&receiver);
        home.cmd()
            .args([
                "--profile",
                "staging",
                "configure",
                "--url",
                &receiver.url(),
            ])
            .args(["--secret-stdin"])
            .write_stdin("staging-secret-0123456789")
            .assert()
            .success();

        let root = template.path();
        copy_dir(home.path(), &root.join("sfhook"));
        let work = root.join("work");
        fs::create_dir_all(&work).unwrap();
        let sample = sfhook()
            .args(["events", "show", "device-enrolled"])
            .output()
            .unwrap();
        fs::write(work.join("body.json"), sample.stdout).unwrap();
        fs::write(work.join("key.txt"), "a-file-secret-0123456789\n").unwrap();
        // The scenario `run`'s help shows, as its reader would save it.
        fs::write(work.join("kiosk.toml"), KIOSK_SCENARIO).unwrap();
        fs::create_dir_all(root.join("user/.config/fish/completions")).unwrap();
        Prepared { template, receiver }
    }

    /// A fresh copy of everything, for one example.
    fn copy(&self) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for part in ["sfhook", "work", "user"] {
            copy_dir(&self.template.path().join(part), &dir.path().join(part));
        }
        dir
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    fs::set_permissions(to, fs::Permissions::from_mode(0o700)).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap(); // keeps the mode
        }
    }
}

/// `bash -c example` in a copy of the prepared home.
fn shell(dir: &Path, example: &str) -> Command {
    let bin = PathBuf::from(BIN);
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.arg("-c")
        .arg(example)
        .current_dir(dir.join("work"))
        .env("PATH", path)
        .env("HOME", dir.join("user"))
        .env("SFHOOK_HOME", dir.join("sfhook"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    cmd
}

fn interrupt(child: &Child) {
    // The whole group: bash and the sfhook it started.
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a negative pid signals that process group, which
    // this test created for the child; no memory is involved.
    unsafe {
        libc::kill(-pid, libc::SIGINT);
    }
    thread::sleep(Duration::from_millis(200));
    // SAFETY: as above.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

fn finish(mut child: Child, limit: Duration) -> Result<Output, String> {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Ok(child.wait_with_output().unwrap());
        }
        if started.elapsed() > limit {
            interrupt(&child);
            let out = child.wait_with_output().unwrap();
            return Err(format!(
                "still running after {limit:?}\n--- stderr\n{}",
                stderr_of(&out)
            ));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Runs an example that should finish, with exit 0.
fn run_finishing(dir: &Path, example: &str) -> Result<(), String> {
    let child = shell(dir, example).spawn().unwrap();
    let out = finish(child, EXAMPLE_LIMIT)?;
    if out.status.success() {
        Ok(())
    } else {
        Err(describe(&out))
    }
}

/// Runs an example that keeps running: it must still run once it has had
/// time to fail, and a listener must accept a signed delivery.
fn run_lasting(dir: &Path, example: &str, port: u16) -> Result<(), String> {
    let mut child = shell(dir, example).spawn().unwrap();
    let listening = example.contains("sfhook listen");
    let deadline = Instant::now() + Duration::from_secs(20);
    if listening {
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                interrupt(&child);
                let out = child.wait_with_output().unwrap();
                return Err(format!("never listened on {port}\n{}", describe(&out)));
            }
            thread::sleep(Duration::from_millis(50));
        }
        // Signed with the secret the example's receiver holds.
        let mut mock = sfhook();
        mock.env("SFHOOK_HOME", dir.join("sfhook")).args([
            "mock",
            "device-enrolled",
            "--url",
            &format!("http://127.0.0.1:{port}/payload"),
        ]);
        if example.contains(&format!("SFHOOK_SECRET={LISTEN_SECRET}")) {
            mock.env("SFHOOK_SECRET", LISTEN_SECRET);
        }
        let fired = mock.output().unwrap();
        if !fired.status.success() {
            interrupt(&child);
            let _ = child.wait();
            return Err(format!("the listener refused a mock\n{}", describe(&fired)));
        }
    }
    thread::sleep(Duration::from_millis(800));
    if child.try_wait().unwrap().is_some() {
        let out = child.wait_with_output().unwrap();
        return Err(format!("stopped on its own\n{}", describe(&out)));
    }
    interrupt(&child);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let _ = child.wait();
    if listening && !stdout.contains("device.enrolled") {
        return Err(format!("the listener printed no delivery:\n{stdout}"));
    }
    Ok(())
}

fn have_jq() -> bool {
    Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn every_example_runs_in_a_prepared_home() {
    let prepared = Prepared::new();
    let jq = have_jq();
    assert!(
        jq || std::env::var_os("SFHOOK_REQUIRE_JQ").is_none(),
        "jq is required (SFHOOK_REQUIRE_JQ is set) but not installed"
    );
    let receiver = prepared.receiver.addr.to_string();
    let mut ran = 0;
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in command_paths() {
        for example in examples_in(&help_of(&path)).unwrap_or_default() {
            if !seen.insert(example.clone()) {
                continue; // the same line in two helps runs once
            }
            if example.contains("| jq") && !jq {
                eprintln!("skipped (no jq): {example}");
                continue;
            }
            let dir = prepared.copy();
            let lasting = example.contains("sfhook listen") || example.contains("--follow");
            let result = if lasting {
                let port = closed_port();
                let line = if example.contains("--port 8787") {
                    example.replace("--port 8787", &format!("--port {port}"))
                } else if example.contains("--port 0") {
                    example.replace("--port 0", &format!("--port {port}"))
                } else {
                    example.replace("sfhook listen", &format!("sfhook listen --port {port}"))
                };
                let line = line.replace("http://127.0.0.1:3000", &format!("http://{receiver}"));
                run_lasting(dir.path(), &line, port)
            } else {
                run_finishing(dir.path(), &example.replace("127.0.0.1:8787", &receiver))
            };
            ran += 1;
            if let Err(why) = result {
                failures.push(format!("$ {example}\n{why}"));
            }
        }
    }
    assert!(ran >= 40, "only {ran} examples ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} examples failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
