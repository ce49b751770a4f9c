//! Trust boundaries: a home that another user can write to or owns, links
//! planted where sfhook keeps its files, a config.toml of someone else's,
//! secrets and URL passwords in error messages, and a log that must stay
//! whole when a write is torn or the disk is full.
//!
//! The tests run as root in CI; "another user" is uid 65534 (nobody), which
//! root can hand files to. Run as an ordinary user, the tests that need
//! chown or setuid skip themselves.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::*;

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn chown_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
}

/// Runs `argv` as nobody, as another user of the machine would.
fn as_nobody(argv: &[&str]) {
    let status = std::process::Command::new(argv[0])
        .args(&argv[1..])
        .uid(NOBODY)
        .gid(NOBODY)
        .status()
        .unwrap();
    assert!(status.success(), "{argv:?} as nobody failed");
}

/// A home configured, active and subscribed to device-enrolled, delivering
/// to `server` without retries.
fn delivering_home(server: &TestServer) -> TestHome {
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.set_retries(0);
    home.subscribe(&["device-enrolled"]);
    home
}

/// The problems with a refusal: exit 1, nothing on stdout, one line on
/// stderr that names `path` and says `says`.
fn refusal(out: &Output, path: &Path, says: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!("exit {:?}, not 1", out.status.code()));
    }
    if !out.stdout.is_empty() {
        problems.push("data on stdout".to_string());
    }
    let err = stderr_of(out);
    if err.lines().count() != 1 || !err.starts_with("error: ") {
        problems.push("not one 'error: ' line".to_string());
    }
    if !err.contains(&path.display().to_string()) {
        problems.push(format!("does not name {}", path.display()));
    }
    if !err.contains(says) {
        problems.push(format!("does not say '{says}'"));
    }
    problems
}

fn check_refusals(home: &TestHome, commands: &[&[&str]], path: &Path, says: &str) {
    let mut failures = Vec::new();
    for args in commands {
        let out = home.cmd().args(*args).output().unwrap();
        let problems = refusal(&out, path, says);
        if !problems.is_empty() {
            failures.push(format!(
                "{args:?}: {}\n{}",
                problems.join("; "),
                describe(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every file under `dir` with its bytes, so that a test sees any change.
fn contents(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut all: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = fs::symlink_metadata(&path)
                .unwrap()
                .is_file()
                .then(|| fs::read(&path).unwrap());
            (path, bytes)
        })
        .collect();
    all.sort();
    all
}

const READERS_AND_WRITERS: &[&[&str]] = &[
    &["status"],
    &["status", "--json"],
    &["events", "--subscribed"],
    &["logs"],
    &["logs", "summary"],
    &["logs", "prune", "--before", "1d", "--yes"],
    &["subscribe", "device-locked"],
    &["deactivate"],
    &["configure", "--retries", "1"],
    &["send", "device-enrolled"],
    &["mock", "device-enrolled"],
];

// ---------------------------------------------------------------------------
// A home that others can write to, or that is theirs

#[test]
fn a_home_that_others_can_write_to_is_refused_with_chmod_go_w() {
    if !is_root() {
        return;
    }
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let sent = server.received().len();
    for mode in [0o777, 0o1777, 0o770, 0o730, 0o702] {
        set_mode(home.path(), mode);
        let before = contents(home.path());
        check_refusals(
            &home,
            READERS_AND_WRITERS,
            home.path(),
            &format!("chmod go-w {}", home.path().display()),
        );
        assert_eq!(
            contents(home.path()),
            before,
            "mode {mode:o}: state changed"
        );
    }
    assert_eq!(server.received().len(), sent, "a delivery went out");
    // The fix the message gives works.
    set_mode(home.path(), 0o777);
    std::process::Command::new("chmod")
        .args(["go-w", &home.path().display().to_string()])
        .status()
        .unwrap();
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    // What needs no saved state still works in an untrusted home.
    set_mode(home.path(), 0o777);
    for args in [&["events", "show", "device-enrolled"][..], &["--help"]] {
        home.cmd().args(args).assert().success();
    }
    home.cmd()
        .args(["mock", "device-enrolled", "--url", &server.url()])
        .env("SFHOOK_SECRET", SECRET)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "ignoring the saved configuration",
        ));
}

#[test]
fn a_home_of_another_user_is_refused_with_chown() {
    if !is_root() {
        return;
    }
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    // Its files are the user's; the directory is nobody's.
    chown_to_nobody(home.path());
    let before = contents(home.path());
    check_refusals(&home, READERS_AND_WRITERS, home.path(), "chown");
    let out = home.cmd().arg("status").output().unwrap();
    assert!(stderr_of(&out).contains("belongs to another user (uid 65534)"));
    assert_eq!(contents(home.path()), before);
    assert!(server.received().is_empty());
}

#[test]
fn in_a_world_writable_home_another_users_links_reach_nothing() {
    if !is_root() {
        return;
    }
    // The attack as it happened: another user plants links in a shared
    // home; `send` appended a record to the link's target, and the locks
    // created files where they pointed.
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    let _ = fs::remove_file(home.path().join("deliveries.lock"));
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    fs::write(&victim, "the victim's own text\n").unwrap();
    set_mode(elsewhere.path(), 0o777);
    set_mode(home.path(), 0o777);
    let plant = |name: &str, target: &Path| {
        as_nobody(&[
            "ln",
            "-sf",
            &target.display().to_string(),
            &home.path().join(name).display().to_string(),
        ])
    };
    plant("deliveries.jsonl", &victim);
    plant("deliveries.lock", &elsewhere.path().join("made-by-lock"));
    let _ = fs::remove_file(home.path().join("config.lock"));
    plant("config.lock", &elsewhere.path().join("made-by-config-lock"));
    for args in [
        &["send", "device-enrolled"][..],
        &["subscribe", "device-locked"],
        &["logs"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        let problems = refusal(&out, home.path(), "chmod go-w");
        assert!(
            problems.is_empty(),
            "{args:?}: {problems:?}\n{}",
            describe(&out)
        );
    }
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "the victim's own text\n"
    );
    assert!(!elsewhere.path().join("made-by-lock").exists());
    assert!(!elsewhere.path().join("made-by-config-lock").exists());
    assert!(server.received().is_empty());
}

// ---------------------------------------------------------------------------
// Links where sfhook's files belong, in the user's own home

#[test]
fn a_link_where_a_state_file_belongs_is_refused_and_its_target_is_unchanged() {
    let server = TestServer::start(Reply::status(200));
    let cases: &[(&str, &[&[&str]])] = &[
        (
            "config.toml",
            &[
                &["status"],
                &["send", "device-enrolled"],
                &["subscribe", "device-locked"],
                &["configure", "--retries", "1"],
                &["mock", "device-enrolled"],
            ],
        ),
        (
            "deliveries.jsonl",
            &[
                &["send", "device-enrolled"],
                &["logs"],
                &["status"],
                &["logs", "prune", "--before", "1d", "--yes"],
            ],
        ),
        ("deliveries.lock", &[&["send", "device-enrolled"]]),
        ("config.lock", &[&["subscribe", "device-locked"]]),
    ];
    for (name, commands) in cases {
        for target_exists in [true, false] {
            let home = delivering_home(&server);
            home.cmd()
                .args(["send", "device-enrolled"])
                .assert()
                .success();
            let sent = server.received().len();
            let elsewhere = tempfile::tempdir().unwrap();
            let target = elsewhere.path().join("target");
            let path = home.path().join(name);
            // The real file moves to the link's target, as a user would
            // keep it in a dotfiles repository.
            if target_exists {
                fs::rename(&path, &target).unwrap();
            } else {
                let _ = fs::remove_file(&path);
            }
            std::os::unix::fs::symlink(&target, &path).unwrap();
            let before = fs::read(&target).ok();
            check_refusals(&home, commands, &path, "symbolic link");
            assert_eq!(
                fs::read(&target).ok(),
                before,
                "{name}: the link's target changed"
            );
            assert_eq!(server.received().len(), sent, "{name}: a delivery went out");
            // Replacing the link by the file is the fix.
            fs::remove_file(&path).unwrap();
            if target_exists {
                fs::rename(&target, &path).unwrap();
            }
            home.cmd().arg("status").assert().success();
        }
    }
}

#[test]
fn a_link_where_the_torn_line_is_set_aside_is_not_followed() {
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("target");
    fs::write(&target, "untouched\n").unwrap();
    std::os::unix::fs::symlink(&target, home.path().join("deliveries.torn")).unwrap();
    let mut log = fs::OpenOptions::new()
        .append(true)
        .open(home.log_path())
        .unwrap();
    std::io::Write::write_all(&mut log, b"{\"request_id\":\"torn-").unwrap();
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&target).unwrap(), "untouched\n");
    assert_eq!(home.log_records().len(), 2, "the log is whole again");
}

// ---------------------------------------------------------------------------
// config.toml of another user

#[test]
fn a_config_toml_of_another_user_is_refused_even_at_mode_0600() {
    if !is_root() {
        return;
    }
    // Another user's file, 0600 but readable by root: their URL, signed
    // with their secret.
    let theirs = TestServer::start(Reply::status(200));
    let ours = TestServer::start(Reply::status(200));
    let home = delivering_home(&ours);
    let config = home.config_path();
    write_private(
        &config,
        format!(
            "[profiles.default]\nurl = \"{}\"\nsecret = \"their-secret-0123456789\"\nactive = true\nsubscriptions = [\"device-enrolled\"]\n",
            theirs.url()
        )
        .as_bytes(),
    );
    chown_to_nobody(&config);
    let before = contents(home.path());
    check_refusals(
        &home,
        &[
            &["status"],
            &["status", "--json"],
            &["events"],
            &["send", "device-enrolled"],
            &["mock", "device-enrolled"],
            &["subscribe", "device-locked"],
            &["configure", "--retries", "1"],
            &["sign", "/dev/null"],
            &["listen", "--port", "0"],
        ],
        &config,
        "belongs to another user",
    );
    let out = home.cmd().args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout_of(&out).contains("belongs to another user"));
    assert!(!stdout_of(&out).contains("their-secret"));
    // `logs` reads only the log, which is the user's: it still works.
    home.cmd().arg("logs").assert().success();
    assert_eq!(contents(home.path()), before);
    assert!(theirs.received().is_empty(), "a delivery went to their URL");
    assert!(ours.received().is_empty());
}

#[test]
fn a_log_of_another_user_is_refused() {
    if !is_root() {
        return;
    }
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    chown_to_nobody(&home.log_path());
    check_refusals(
        &home,
        &[&["send", "device-enrolled"], &["logs"], &["status"]],
        &home.log_path(),
        "belongs to another user",
    );
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_fresh_home_is_created_private_and_reading_creates_nothing() {
    let root = tempfile::tempdir().unwrap();
    let fresh = root.path().join("a/b/home");
    sfhook()
        .env("SFHOOK_HOME", &fresh)
        .arg("status")
        .assert()
        .success();
    assert!(!root.path().join("a").exists(), "status created the home");
    sfhook()
        .env("SFHOOK_HOME", &fresh)
        .args([
            "configure",
            "--url",
            "https://example.com/hook",
            "--generate-secret",
        ])
        .assert()
        .success();
    for dir in [
        root.path().join("a"),
        root.path().join("a/b"),
        fresh.clone(),
    ] {
        let mode = fs::metadata(&dir).unwrap().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", dir.display());
    }
    let config = fs::metadata(fresh.join("config.toml")).unwrap();
    assert_eq!(config.mode() & 0o777, 0o600);
}

// ---------------------------------------------------------------------------
// Secrets and URL passwords in errors

/// Values of every TOML type, each holding a marker that must not be shown.
const SECRET_VALUES: &[&str] = &[
    "12345678",
    "-98765432",
    "0x7a3f9b",
    "31415.9265",
    "6.02e23",
    "true",
    "[\"Zq9Xw8\", 1]",
    "[[\"Zq9Xw8\"]]",
    "{ key = \"Zq9Xw8\" }",
    "1979-05-27T07:32:00Z",
    "1979-05-27",
    "07:32:00",
    "\"\"\"Zq9Xw8\"\"\"x",
    "\"Zq9Xw8",
    "'Zq9Xw8",
];

/// The parts of a value a reader could recognise it by.
fn markers(value: &str) -> Vec<String> {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| p.len() >= 4 && !["true", "false", "key"].contains(p))
        .map(str::to_string)
        .collect()
}

fn assert_none_shown(markers: &[String], what: &str, out: &Output) {
    let all = format!("{}{}", stdout_of(out), stderr_of(out));
    for marker in markers {
        assert!(
            !all.contains(marker.as_str()),
            "{what} shows {marker:?}:\n{}",
            describe(out)
        );
    }
    assert!(!all.contains("panicked"), "{what} panicked");
}

#[test]
fn a_secret_of_any_type_in_config_toml_is_never_shown() {
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    for value in SECRET_VALUES {
        for table in ["[profiles.default]", "[profiles.staging]"] {
            write_private(
                &home.config_path(),
                format!(
                    "{table}\nurl = \"{}\"\nactive = true\nsecret = {value}\n",
                    server.url()
                )
                .as_bytes(),
            );
            for args in [
                &["status"][..],
                &["status", "--json"],
                &["doctor"],
                &["doctor", "--json"],
                &["send", "device-enrolled"],
                &["--profile", "staging", "status"],
            ] {
                let out = home.cmd().args(args).output().unwrap();
                let what = format!("secret = {value}: sfhook {}", args.join(" "));
                assert_none_shown(&markers(value), &what, &out);
                assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(&out));
            }
        }
    }
    assert!(server.received().is_empty());
}

/// Passwords with each character that ends user info early, and the
/// pieces of each that must never be shown.
const PASSWORDS: &[&str] = &[
    "S3c?r3tQ",
    "S3c#r3tQ",
    "S3c/r3tQ",
    "S3c@r3tQ",
    "S3c%r3tQ",
    "S3c%40r3tQ",
    "S3c r3tQ",
    "S3c\\r3tQ",
    "S3c:r3tQ",
    "Sécr3t✓Q",
    "1234/r3tQ",
];

fn url_shapes(password: &str, port: u16) -> Vec<String> {
    [
        "http://admin:{}@127.0.0.1:PORT/hook",
        "https://admin:{}@127.0.0.1:PORT/hook?token=abc",
        "http://{}@127.0.0.1:PORT/",
        "htp://admin:{}@127.0.0.1:PORT/hook",
        "http:admin:{}@127.0.0.1:PORT",
        "ftp://admin:{}@127.0.0.1:PORT/",
        "http://admin:{}@",
    ]
    .iter()
    .map(|shape| {
        shape
            .replace("{}", password)
            .replace("PORT", &port.to_string())
    })
    .collect()
}

/// The pieces of a password someone could recognise: those with a letter.
fn password_markers(password: &str) -> Vec<String> {
    password
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.chars().count() >= 3 && p.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_url_password_is_never_shown_wherever_the_url_comes_from() {
    let home = TestHome::new();
    let scenario = home.path().join("scenario.toml");
    let port = closed_port();
    for password in PASSWORDS {
        let hidden = password_markers(password);
        for url in url_shapes(password, port) {
            let toml_url = toml::Value::String(url.clone()).to_string();
            let out = home
                .cmd()
                .args(["configure", "--url", &url, "--generate-secret"])
                .output()
                .unwrap();
            assert_none_shown(&hidden, &format!("configure --url {url:?}"), &out);
            let refused = out.status.code() == Some(2);
            let _ = fs::remove_file(home.config_path());
            let mut runs: Vec<(String, assert_cmd::Command)> = Vec::new();
            let mut cmd = home.cmd();
            cmd.args(["mock", "device-enrolled", "--url", &url])
                .env("SFHOOK_SECRET", SECRET);
            runs.push(("mock --url".into(), cmd));
            let mut cmd = home.cmd();
            cmd.args(["mock", "device-enrolled"])
                .env("SFHOOK_SECRET", SECRET)
                .env("SFHOOK_URL", &url);
            runs.push(("SFHOOK_URL for mock".into(), cmd));
            let mut cmd = home.cmd();
            cmd.args(["doctor", "--json"])
                .env("SFHOOK_SECRET", SECRET)
                .env("SFHOOK_URL", &url);
            runs.push(("SFHOOK_URL for doctor".into(), cmd));
            if refused {
                // A URL that parses would have listen serve for ever.
                let mut cmd = home.cmd();
                cmd.args(["listen", "--port", "0", "--forward-to", &url])
                    .env("SFHOOK_SECRET", SECRET);
                runs.push(("listen --forward-to".into(), cmd));
            }
            fs::write(
                &scenario,
                format!("url = {toml_url}\n[[step]]\nevent = \"device-enrolled\"\n"),
            )
            .unwrap();
            let mut cmd = home.cmd();
            cmd.args(["run", &scenario.display().to_string()])
                .env("SFHOOK_SECRET", SECRET);
            runs.push(("a scenario's url".into(), cmd));
            for (what, mut cmd) in runs {
                let out = cmd.output().unwrap();
                assert_none_shown(&hidden, &format!("{what} {url:?}"), &out);
            }
            // In config.toml, read by status, doctor and send.
            write_private(
                &home.config_path(),
                format!(
                    "[profiles.default]\nurl = {toml_url}\nsecret = \"{SECRET}\"\nactive = true\nsubscriptions = [\"device-enrolled\"]\n[profiles.default.delivery]\nretries = 0\n"
                )
                .as_bytes(),
            );
            for args in [
                &["status"][..],
                &["doctor", "--json"],
                &["send", "device-enrolled"],
                &["logs"],
            ] {
                let out = home.cmd().args(args).output().unwrap();
                assert_none_shown(&hidden, &format!("config.toml url {url:?}: {args:?}"), &out);
            }
            let _ = fs::remove_file(home.config_path());
        }
    }
    // The reported case, exactly.
    let out = home
        .cmd()
        .args([
            "configure",
            "--url",
            "http://admin:S3c?r3t@host",
            "--generate-secret",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(!stderr_of(&out).contains("S3c"), "{}", describe(&out));
}

#[test]
fn a_value_given_to_a_secret_flag_is_never_echoed() {
    let home = TestHome::new();
    let value = "hunter2-Zq9Xw8";
    for args in [
        vec!["configure", "--secret-stdin=hunter2-Zq9Xw8"],
        vec!["configure", "--generate-secret=hunter2-Zq9Xw8"],
        vec!["configure", "--secret-stdin", "hunter2-Zq9Xw8"],
        vec!["configure", "--generate-secret", "hunter2-Zq9Xw8"],
        vec![
            "configure",
            "--url",
            "https://example.com/h",
            "--secret-stdin",
            "hunter2-Zq9Xw8",
        ],
        vec!["configure", "--secret=hunter2-Zq9Xw8"],
        vec!["configure", "--secret", "hunter2-Zq9Xw8"],
        vec![
            "configure",
            "--secret-stdin=hunter2-Zq9Xw8",
            "--generate-secret",
        ],
        vec![
            "--color",
            "always",
            "configure",
            "--secret-stdin=hunter2-Zq9Xw8",
        ],
        vec![
            "configure",
            "--color=always",
            "--secret-stdin",
            "hunter2-Zq9Xw8",
        ],
        vec!["configure", "--secret-stdin=x"],
    ] {
        let out = home.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        let shown = args.last().unwrap().trim_start_matches("--secret-stdin=");
        assert_secret_not_printed(value, &format!("{args:?}"), &out);
        if shown == "x" {
            assert!(
                stderr_of(&out).contains("'<redacted>'"),
                "{}",
                describe(&out)
            );
        }
    }
    // A secret typed where the file's name belongs.
    let out = home
        .cmd()
        .args([
            "configure",
            "--url",
            "https://example.com/h",
            "--secret-file",
            value,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert_secret_not_printed(value, "--secret-file VALUE", &out);
    assert!(!home.config_path().exists());
}

// ---------------------------------------------------------------------------
// The log stays whole

#[test]
fn a_torn_last_line_is_cut_off_by_the_next_send_and_set_aside() {
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let whole = fs::read(home.log_path()).unwrap();
    let torn = &whole[..whole.len() / 2];
    let mut bytes = whole.clone();
    bytes.extend_from_slice(torn);
    write_private(&home.log_path(), &bytes);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let log = fs::read(home.log_path()).unwrap();
    assert!(log.starts_with(&whole), "an earlier record was lost");
    assert!(log.ends_with(b"\n"));
    let records = home.log_records(); // every line parses
    assert_eq!(records.len(), 2);
    // No warning about the log any more.
    let out = home.cmd().arg("logs").output().unwrap();
    assert!(stderr_of(&out).is_empty(), "{}", describe(&out));
    // The torn part is kept aside, one line per torn write.
    let aside = fs::read(home.path().join("deliveries.torn")).unwrap();
    assert_eq!(aside, [torn, b"\n"].concat());
    let meta = fs::metadata(home.path().join("deliveries.torn")).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
}

#[test]
fn a_whole_last_record_without_its_newline_is_kept() {
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let whole = fs::read(home.log_path()).unwrap();
    write_private(&home.log_path(), &whole[..whole.len() - 1]);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let log = fs::read(home.log_path()).unwrap();
    assert!(log.starts_with(&whole));
    assert_eq!(home.log_records().len(), 2);
    assert!(!home.path().join("deliveries.torn").exists());
}

#[test]
fn a_record_the_full_disk_cannot_take_is_named_for_reconciliation() {
    let server = TestServer::start(Reply::status(200));
    let home = delivering_home(&server);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let before = fs::read(home.log_path()).unwrap();
    // A file-size limit just above the log: the next record goes in part
    // way and then cannot, as on a full disk. SIGXFSZ is ignored so that
    // the write fails with EFBIG rather than killing sfhook.
    let limit = before.len() as u64 + 100;
    let mut cmd = home.std_cmd();
    cmd.args(["send", "device-enrolled"]);
    // SAFETY: the closure calls only signal and setrlimit, which are
    // async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let received = server.received();
    assert_eq!(received.len(), 2, "the request went out");
    let request_id = received[1].header("x-sf-request-id").unwrap().to_string();
    let event_id = received[1].json()["id"].as_str().unwrap().to_string();
    let err = stderr_of(&out);
    let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(error_lines.len(), 1, "{}", describe(&out));
    for id in [&request_id, &event_id] {
        assert!(
            error_lines[0].contains(id.as_str()),
            "does not name {id}: {err}"
        );
    }
    assert!(error_lines[0].contains("answered 200"), "{err}");
    // Nothing torn is left behind: the log is as it was.
    assert_eq!(fs::read(home.log_path()).unwrap(), before);
}
