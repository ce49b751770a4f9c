//! The foundation: configure, activate, subscribe, status and the event
//! catalogue, driven through the real binary in a temporary home. What is
//! asserted is what a user sees: exit codes, messages, file bytes and modes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::*;
use predicates::prelude::*;
use serde_json::Value;

/// The reference's "Events supported" table, copied from the Scalefusion
/// page (reference/scalefusion-webhooks.txt), row for row.
const EVENTS_SUPPORTED: &str = "\
Events | Android | iOS | macOS | Windows | Linux |
Device Enrolled | Yes | Yes | Yes | Yes | Yes |
Device Activated | Yes | No | No | No | No |
Device Unenrolled | No | No | Yes | Yes | No |
Device Deleted | Yes | Yes | Yes | Yes | Yes |
Device Unlocked | Yes | Yes | Yes | No | Yes |
Device Locked | Yes | Yes | Yes | No | Yes |
Device Lost | Yes | Yes | No | Yes | No |
Device Found | Yes | Yes | No | Yes | No |
Device User Signed In | Yes | No | Yes | Yes | No |
Device User Signed Out | Yes | No | Yes | Yes | No |
Device Shutdown | Yes | Yes | Yes | Yes | Yes |
Device Reboot | Yes | Yes | Yes | Yes | Yes |
Device Custom Properties Updated | Yes | Yes | Yes | Yes | Yes |
Device Sim Swap | Yes | No | No | No | No |
";

/// The platform names users type, in the reference's column order.
const PLATFORMS: [&str; 5] = ["android", "ios", "macos", "windows", "linux"];

/// A secret long enough not to warn and distinctive enough that finding it
/// in any output cannot be a coincidence.
const LEAKY: &str = "Zq7-vK2pX9mW4-never-print-me";

/// One event as the reference and the contract describe it.
struct Expected {
    slug: &'static str,
    wire: &'static str,
    category: &'static str,
    name: &'static str,
    /// Platform name → supported, for all five platforms.
    support: BTreeMap<&'static str, bool>,
}

impl Expected {
    fn platforms(&self) -> Vec<&'static str> {
        PLATFORMS.into_iter().filter(|p| self.support[p]).collect()
    }
}

/// The contract's events joined with the reference's table by display name.
fn expected_events() -> Vec<Expected> {
    let mut lines = EVENTS_SUPPORTED.lines();
    let header: Vec<&str> = cells(lines.next().unwrap());
    assert_eq!(
        header,
        ["Events", "Android", "iOS", "macOS", "Windows", "Linux"]
    );
    let table: BTreeMap<&str, Vec<bool>> = lines
        .map(|line| {
            let row = cells(line);
            let support = row[1..]
                .iter()
                .map(|cell| match *cell {
                    "Yes" => true,
                    "No" => false,
                    other => panic!("unexpected cell {other:?} in {line:?}"),
                })
                .collect();
            (row[0], support)
        })
        .collect();
    assert_eq!(table.len(), 14);
    CONTRACT_EVENTS
        .iter()
        .map(
            |&ContractEvent {
                 slug,
                 wire,
                 category,
                 name,
             }| {
                let row = table
                    .get(name)
                    .unwrap_or_else(|| panic!("{name} is not in the reference table"));
                assert_eq!(row.len(), 5, "{name}");
                Expected {
                    slug,
                    wire,
                    category,
                    name,
                    support: PLATFORMS.into_iter().zip(row.iter().copied()).collect(),
                }
            },
        )
        .collect()
}

fn cells(line: &str) -> Vec<&str> {
    line.split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// Asserts the exit code and shows both streams when it is not the expected one.
fn expect_code(output: &Output, expected: i32, what: &str) {
    assert_eq!(
        exit_code(output),
        expected,
        "{what}: exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout_of(output),
        stderr_of(output)
    );
}

fn subscriptions(status: &Value) -> Vec<String> {
    status["subscriptions"]
        .as_array()
        .expect("subscriptions is an array")
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// configure with `secret` on stdin.
fn configure_with_secret(home: &TestHome, url: &str, secret: &str) -> Output {
    finish(
        home.cmd()
            .args(["configure", "--url", url, "--secret-stdin"])
            .write_stdin(secret.to_string()),
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn slugs_of_json_list(stdout: &[u8]) -> Vec<String> {
    let list: Value = serde_json::from_slice(stdout).expect("events --json prints a JSON array");
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|e| e["slug"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// The dashboard's flow

#[test]
fn configure_activate_subscribe_status_unsubscribe_deactivate() {
    let home = TestHome::new();
    let url = "https://hooks.example.com/scalefusion";

    let out = finish(
        home.cmd()
            .args(["configure", "--url", url, "--secret-stdin"])
            .write_stdin(format!("{SECRET}\n")),
    );
    expect_code(&out, 0, "configure");
    let err = stderr_of(&out);
    assert!(err.contains("Saved profile 'default'"), "{err}");
    assert!(err.contains(url), "{err}");
    assert!(err.contains(&fingerprint(SECRET.as_bytes())), "{err}");
    assert!(
        err.contains("sfhook activate"),
        "configure says what to do next: {err}"
    );
    assert!(
        !err.contains("warning"),
        "https and a long secret give no warning: {err}"
    );
    assert_eq!(
        stdout_of(&out),
        "",
        "configure prints no data when no secret was generated"
    );

    let status = home.status_json(None);
    assert_eq!(status["configured"], true);
    assert_eq!(status["active"], false);
    assert_eq!(status["url"], url);

    let out = finish(home.cmd().arg("activate"));
    expect_code(&out, 0, "activate");
    let err = stderr_of(&out);
    assert!(err.contains("active"), "{err}");
    assert!(
        err.contains(url),
        "activate says where deliveries go: {err}"
    );
    assert_eq!(home.status_json(None)["active"], true);

    let out = finish(
        home.cmd()
            .args(["subscribe", "device-enrolled", "device-locked"]),
    );
    expect_code(&out, 0, "subscribe");
    let err = stderr_of(&out);
    assert!(err.contains("Subscribed to device-enrolled"), "{err}");
    assert!(err.contains("Subscribed to device-locked"), "{err}");

    let status = home.status_json(None);
    assert_eq!(status["profile"], "default");
    assert_eq!(status["configured"], true);
    assert_eq!(status["active"], true);
    assert_eq!(status["url"], url);
    assert_eq!(status["secret_fingerprint"], fingerprint(SECRET.as_bytes()));
    assert_eq!(subscriptions(&status), ["device-enrolled", "device-locked"]);

    let out = finish(home.cmd().args(["unsubscribe", "device-locked"]));
    expect_code(&out, 0, "unsubscribe");
    assert!(
        stderr_of(&out).contains("Unsubscribed from device-locked"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(subscriptions(&home.status_json(None)), ["device-enrolled"]);

    let out = finish(home.cmd().arg("deactivate"));
    expect_code(&out, 0, "deactivate");
    assert!(
        stderr_of(&out).contains("deactivated"),
        "{}",
        stderr_of(&out)
    );
    let status = home.status_json(None);
    assert_eq!(status["active"], false);
    assert_eq!(
        subscriptions(&status),
        ["device-enrolled"],
        "deactivating keeps subscriptions"
    );

    // Not active any more: changing subscriptions is refused.
    let out = finish(home.cmd().args(["subscribe", "device-lost"]));
    expect_code(&out, 5, "subscribe after deactivate");
}

#[test]
fn status_on_a_pipe_is_one_tab_separated_line_per_field() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled", "device-locked"]);
    let out = finish(home.cmd().arg("status"));
    expect_code(&out, 0, "status");
    let text = stdout_of(&out);
    assert!(!text.contains('\u{1b}'), "no colour on a pipe: {text:?}");
    let fields: BTreeMap<&str, &str> = text
        .lines()
        .map(|line| {
            line.split_once('\t')
                .unwrap_or_else(|| panic!("not key<TAB>value: {line:?}"))
        })
        .collect();
    assert_eq!(fields["profile"], "default");
    assert_eq!(fields["url"], "https://hooks.example.com/x");
    assert_eq!(fields["secret"], fingerprint(SECRET.as_bytes()));
    assert_eq!(fields["active"], "yes");
    assert!(
        fields["subscriptions"].contains("device-enrolled, device-locked"),
        "{text}"
    );
    assert_eq!(fields["config"], home.config_path().display().to_string());
}

// ---------------------------------------------------------------------------
// The catalogue

#[test]
fn events_json_lists_the_fourteen_events_with_the_reference_platforms() {
    let home = TestHome::new();
    let out = finish(home.cmd().args(["events", "--json"]));
    expect_code(&out, 0, "events --json");
    let list: Value = serde_json::from_slice(&out.stdout).expect("events --json is JSON");
    let list = list.as_array().expect("a JSON array");
    let expected = expected_events();
    assert_eq!(list.len(), 14);

    let mut cells_checked = 0;
    for (got, want) in list.iter().zip(&expected) {
        assert_eq!(got["slug"], want.slug);
        assert_eq!(got["event"], want.wire, "{}", want.slug);
        assert_eq!(got["name"], want.name, "{}", want.slug);
        assert_eq!(got["category"], want.category, "{}", want.slug);
        assert_eq!(got["subscribed"], false, "{}", want.slug);
        let platforms = got["platforms"]
            .as_object()
            .expect("platforms is an object");
        assert_eq!(
            platforms.keys().map(String::as_str).collect::<Vec<_>>(),
            PLATFORMS,
            "{}: all five platforms, in the reference's order",
            want.slug
        );
        for platform in PLATFORMS {
            assert_eq!(
                platforms[platform],
                Value::Bool(want.support[platform]),
                "{} on {platform}",
                want.slug
            );
            cells_checked += 1;
        }
    }
    assert_eq!(cells_checked, 70);
}

#[test]
fn events_on_a_pipe_are_tab_separated_lines_without_colour() {
    let home = TestHome::new();
    let out = finish(home.cmd().arg("events"));
    expect_code(&out, 0, "events");
    let text = stdout_of(&out);
    assert!(!text.contains('\u{1b}'), "no escapes on a pipe: {text:?}");
    let expected = expected_events();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 14, "{text}");
    for (line, want) in lines.iter().zip(&expected) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields,
            [
                want.slug,
                want.wire,
                want.name,
                want.category,
                &want.platforms().join(","),
                "-"
            ],
            "{line:?}"
        );
    }

    // NO_COLOR set and --color auto: still plain.
    let out = finish(home.cmd().arg("events").env("NO_COLOR", "1"));
    assert!(!stdout_of(&out).contains('\u{1b}'));
    let out = finish(home.cmd().args(["events", "--color", "never"]));
    assert!(!stdout_of(&out).contains('\u{1b}'));
}

#[test]
fn color_always_colours_a_pipe_and_overrides_no_color() {
    let home = TestHome::new();
    for extra_env in [None, Some(("NO_COLOR", "1"))] {
        let mut cmd = home.cmd();
        cmd.args(["events", "--color", "always"]);
        if let Some((k, v)) = extra_env {
            cmd.env(k, v);
        }
        let out = finish(&mut cmd);
        expect_code(&out, 0, "events --color always");
        let text = stdout_of(&out);
        assert!(
            text.contains("\u{1b}["),
            "--color always ({extra_env:?}) gives escapes: {text:?}"
        );
        // Still one line per event, still six fields once the escapes are gone.
        assert_eq!(text.lines().count(), 14);
        assert!(text.lines().all(|l| l.split('\t').count() == 6), "{text:?}");
    }
    // Diagnostics too.
    home.configure_active("https://hooks.example.com/x");
    let out = finish(
        home.cmd()
            .args(["subscribe", "device-enrolled", "--color", "always"]),
    );
    expect_code(&out, 0, "subscribe --color always");
    assert!(stderr_of(&out).contains("\u{1b}["), "{:?}", stderr_of(&out));
    let out = finish(home.cmd().args(["subscribe", "device-locked"]));
    assert!(!stderr_of(&out).contains('\u{1b}'), "{:?}", stderr_of(&out));
}

#[test]
fn events_filters_by_category_platform_and_subscription() {
    let home = TestHome::new();
    let expected = expected_events();
    let listed = |args: &[&str]| -> Vec<String> {
        let out = finish(home.cmd().arg("events").args(args).arg("--json"));
        expect_code(&out, 0, &format!("events {args:?}"));
        slugs_of_json_list(&out.stdout)
    };
    let piped = |args: &[&str]| -> Vec<String> {
        let out = finish(home.cmd().arg("events").args(args));
        expect_code(&out, 0, &format!("events {args:?}"));
        stdout_of(&out)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };

    for category in ["enrollment", "management", "device-update"] {
        let want: Vec<&str> = expected
            .iter()
            .filter(|e| e.category == category)
            .map(|e| e.slug)
            .collect();
        assert!(!want.is_empty());
        assert_eq!(
            listed(&["--category", category]),
            want,
            "--category {category}"
        );
        assert_eq!(
            piped(&["--category", category]),
            want,
            "--category {category}"
        );
    }
    for platform in PLATFORMS {
        let want: Vec<&str> = expected
            .iter()
            .filter(|e| e.support[platform])
            .map(|e| e.slug)
            .collect();
        assert_eq!(
            listed(&["--platform", platform]),
            want,
            "--platform {platform}"
        );
        assert_eq!(
            piped(&["--platform", platform]),
            want,
            "--platform {platform}"
        );
    }
    let want: Vec<&str> = expected
        .iter()
        .filter(|e| e.category == "management" && e.support["windows"])
        .map(|e| e.slug)
        .collect();
    assert_eq!(
        listed(&["--category", "management", "--platform", "windows"]),
        want
    );

    // Nothing subscribed yet (and nothing configured): --subscribed is empty.
    assert!(listed(&["--subscribed"]).is_empty());
    assert!(piped(&["--subscribed"]).is_empty());

    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-sim-swap", "device-enrolled", "device-lost"]);
    assert_eq!(
        listed(&["--subscribed"]),
        ["device-enrolled", "device-lost", "device-sim-swap"]
    );
    assert_eq!(
        listed(&["--subscribed", "--category", "management"]),
        ["device-lost"]
    );
    assert_eq!(
        listed(&["--subscribed", "--platform", "ios"]),
        ["device-enrolled", "device-lost"]
    );

    // The marks on a pipe and in JSON.
    let out = finish(home.cmd().arg("events"));
    for line in stdout_of(&out).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let subscribed = ["device-enrolled", "device-lost", "device-sim-swap"].contains(&fields[0]);
        assert_eq!(
            fields[5],
            if subscribed { "subscribed" } else { "-" },
            "{line}"
        );
    }
    let out = finish(home.cmd().args(["events", "--json"]));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    for event in list.as_array().unwrap() {
        let subscribed = ["device-enrolled", "device-lost", "device-sim-swap"]
            .contains(&event["slug"].as_str().unwrap());
        assert_eq!(event["subscribed"], subscribed, "{event}");
    }

    // A filter value that is not a category or platform is a usage error.
    home.cmd()
        .args(["events", "--platform", "blackberry"])
        .assert()
        .code(2);
    home.cmd()
        .args(["events", "--category", "billing"])
        .assert()
        .code(2);
}

#[test]
fn events_show_prints_a_sample_for_each_supported_platform_and_refuses_the_others() {
    let home = TestHome::new();
    let mut checked = 0;
    for event in expected_events() {
        for platform in PLATFORMS {
            let out =
                finish(
                    home.cmd()
                        .args(["events", "show", event.slug, "--platform", platform]),
                );
            if event.support[platform] {
                expect_code(
                    &out,
                    0,
                    &format!("events show {} --platform {platform}", event.slug),
                );
                let text = stdout_of(&out);
                assert!(text.starts_with("{\n  \""), "pretty JSON: {text}");
                let document: Value = serde_json::from_str(&text).expect("events show prints JSON");
                assert_eq!(document["event"], event.wire);
                assert_eq!(
                    document["data"]["devices"][0]["os_type"], platform,
                    "{}",
                    event.slug
                );
            } else {
                expect_code(
                    &out,
                    2,
                    &format!("events show {} --platform {platform}", event.slug),
                );
                assert_eq!(stdout_of(&out), "");
                let err = stderr_of(&out);
                for supported in event.platforms() {
                    assert!(err.contains(supported), "names {supported}: {err}");
                }
            }
            checked += 1;
        }

        // Without --platform: the first platform that supports the event.
        let out = finish(home.cmd().args(["events", "show", event.name]));
        expect_code(&out, 0, &format!("events show {:?}", event.name));
        let document: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            document["data"]["devices"][0]["os_type"],
            event.platforms()[0],
            "{}",
            event.slug
        );
    }
    assert_eq!(checked, 70);

    // The issue's example, exactly.
    let out = finish(
        home.cmd()
            .args(["events", "show", "device-sim-swap", "--platform", "ios"]),
    );
    expect_code(&out, 2, "events show device-sim-swap --platform ios");
    assert!(stderr_of(&out).contains("android"), "{}", stderr_of(&out));

    let out = finish(home.cmd().args(["events", "show", "device-enroled"]));
    expect_code(&out, 2, "events show with a typo");
    assert!(
        stderr_of(&out).contains("device-enrolled"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn events_are_named_by_slug_wire_name_or_display_name_in_any_case() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["DEVICE.LOCKED", "Device User Signed In", "device-sim-swap"]);
    assert_eq!(
        subscriptions(&home.status_json(None)),
        ["device-locked", "device-user-signed-in", "device-sim-swap"]
    );
}

// ---------------------------------------------------------------------------
// configure without a terminal

#[test]
fn configure_without_a_terminal_or_url_fails_at_once_when_stdin_is_closed() {
    let home = TestHome::new();
    let out = finish(home.cmd().arg("configure").timeout(Duration::from_secs(5)));
    expect_code(&out, 2, "configure with stdin closed");
    assert!(
        stderr_of(&out).contains("--url"),
        "says which flag is missing: {}",
        stderr_of(&out)
    );
    assert!(!home.config_path().exists(), "nothing saved");

    // A URL but no secret: the same, naming the ways to give one.
    let out = finish(
        home.cmd()
            .args(["configure", "--url", "https://hooks.example.com/x"])
            .timeout(Duration::from_secs(5)),
    );
    expect_code(&out, 2, "configure --url with stdin closed");
    assert!(
        stderr_of(&out).contains("--secret-stdin"),
        "{}",
        stderr_of(&out)
    );
    assert!(!home.config_path().exists(), "nothing saved");
}

/// Runs sfhook with stdin an open pipe that is never written to, and fails
/// the test if the process has not finished within `bound`.
fn run_with_silent_stdin(home: &TestHome, args: &[&str], bound: Duration) -> Output {
    let mut child = home
        .std_cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sfhook");
    // Held open, never written, until the end of this function.
    let stdin = child.stdin.take().expect("a piped stdin");
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let result = finished.recv_timeout(bound);
    if result.is_err() {
        // Only the child this test started, by its id.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("sfhook {args:?} was still running after {bound:?} with a silent stdin");
    }
    drop(stdin);
    result.unwrap().expect("wait for sfhook")
}

#[test]
fn configure_without_a_terminal_or_url_fails_at_once_when_stdin_is_open_but_silent() {
    let home = TestHome::new();
    let bound = Duration::from_secs(5);
    for args in [
        &["configure"][..],
        &["configure", "--url", "https://hooks.example.com/x"][..],
        &["configure", "--secret-stdin"][..],
        &["configure", "--generate-secret"][..],
    ] {
        let out = run_with_silent_stdin(&home, args, bound);
        expect_code(&out, 2, &format!("{args:?} with a silent stdin"));
        assert!(stderr_of(&out).contains("error:"), "{}", stderr_of(&out));
        assert_eq!(
            stdout_of(&out),
            "",
            "{args:?}: no secret printed for nothing saved"
        );
        assert!(!home.config_path().exists(), "{args:?} saved nothing");
    }
}

// ---------------------------------------------------------------------------
// Files: modes, corruption, atomicity

#[cfg(unix)]
#[test]
fn config_is_0600_in_a_new_0700_directory() {
    let base = tempfile::tempdir().unwrap();
    let home = base.path().join("new/home");
    sfhook()
        .args([
            "configure",
            "--url",
            "https://hooks.example.com/x",
            "--secret-stdin",
        ])
        .arg("--home")
        .arg(&home)
        .write_stdin(SECRET)
        .assert()
        .success();
    let config = home.join("config.toml");
    assert_eq!(mode(&home), 0o700, "the home directory");
    assert_eq!(mode(&base.path().join("new")), 0o700, "its new parent");
    assert_eq!(mode(&config), 0o600, "config.toml after configure");

    // Rewritten by activate and subscribe, and still private, with no temp
    // file left behind.
    sfhook()
        .arg("--home")
        .arg(&home)
        .arg("activate")
        .assert()
        .success();
    sfhook()
        .arg("--home")
        .arg(&home)
        .args(["subscribe", "--all"])
        .assert()
        .success();
    assert_eq!(mode(&config), 0o600, "config.toml after rewrites");
    assert_eq!(mode(&home), 0o700);
    for name in file_names(&home) {
        assert!(
            !name.ends_with(".tmp"),
            "a temp file was left behind: {name}"
        );
        assert_eq!(mode(&home.join(&name)) & 0o077, 0, "{name} is private");
    }
}

/// The commands that read config.toml, and each must refuse a corrupt one.
const CONFIG_READERS: &[&[&str]] = &[
    &["status"],
    &["status", "--json"],
    &["subscribe", "device-enrolled"],
    &["unsubscribe", "--all"],
    &[
        "configure",
        "--url",
        "https://hooks.example.com/new",
        "--generate-secret",
    ],
    &["activate"],
    &["deactivate"],
    &["events"],
    &["events", "--json"],
];

#[cfg(unix)]
fn assert_corrupt_config_refused(text: &str, line: usize) {
    let home = TestHome::new();
    write_private(&home.config_path(), text.as_bytes());
    let before_names = file_names(home.path());
    for args in CONFIG_READERS {
        let out = finish(home.cmd().args(*args));
        expect_code(&out, 1, &format!("{args:?} with a corrupt config"));
        let err = stderr_of(&out);
        assert!(
            err.contains(&home.config_path().display().to_string()),
            "{args:?} names the file: {err}"
        );
        assert!(
            err.contains(&format!("line {line}")),
            "{args:?} names line {line}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: one line of error: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            stdout_of(&out),
            "",
            "{args:?} prints no data (and no secret)"
        );
        assert_eq!(
            std::fs::read(home.config_path()).unwrap(),
            text.as_bytes(),
            "{args:?} left config.toml byte for byte as it was"
        );
        assert_eq!(mode(&home.config_path()), 0o600);
        for name in file_names(home.path()) {
            assert!(
                before_names.contains(&name) || name == "config.lock",
                "{args:?} left {name} behind"
            );
        }
    }
    // Commands that need no state still work.
    home.cmd().args(["completions", "bash"]).assert().success();
    home.cmd().arg("--help").assert().success();
    home.cmd()
        .args(["events", "show", "device-enrolled"])
        .assert()
        .success();
}

#[cfg(unix)]
#[test]
fn config_that_is_not_toml_is_refused_naming_file_and_line_and_left_unchanged() {
    assert_corrupt_config_refused(
        "[profiles.default]\nurl = \"https://hooks.example.com/x\"\nactive = tru\n",
        3,
    );
    assert_corrupt_config_refused(
        "# my notes\n\n[profiles.default\nurl = \"https://x.example\"\n",
        3,
    );
}

#[cfg(unix)]
#[test]
fn config_with_a_wrong_type_is_refused_naming_file_and_line_and_left_unchanged() {
    assert_corrupt_config_refused("[profiles.default]\nactive = true\nurl = 5\n", 3);
    assert_corrupt_config_refused(
        "[profiles.default]\nurl = \"https://hooks.example.com/x\"\n\n[profiles.default.delivery]\nretries = \"three\"\n",
        5,
    );
}

#[cfg(unix)]
#[test]
fn config_readable_by_others_is_refused_with_a_chmod_hint() {
    use std::os::unix::fs::PermissionsExt;
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    let path = home.config_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = std::fs::read(&path).unwrap();
    for args in [
        &["status"][..],
        &["subscribe", "device-enrolled"][..],
        &["events"][..],
    ] {
        let out = finish(home.cmd().args(args));
        expect_code(&out, 1, &format!("{args:?} with a 0644 config"));
        let err = stderr_of(&out);
        assert!(err.contains("chmod 600"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(!err.contains(SECRET), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        mode(&path),
        0o644,
        "sfhook does not change the mode behind the user's back"
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    home.cmd().arg("status").assert().success();
}

// ---------------------------------------------------------------------------
// The secret

/// Every stream of `output` is free of the secret.

#[test]
fn the_secret_appears_in_no_output() {
    let home = TestHome::new();
    let out = configure_with_secret(&home, "https://hooks.example.com/x", &format!("{LEAKY}\n"));
    expect_code(&out, 0, "configure");
    assert_secret_not_printed(LEAKY, "configure", &out);
    assert!(
        stderr_of(&out).contains(&fingerprint(LEAKY.as_bytes())),
        "{}",
        stderr_of(&out)
    );
    assert!(
        std::fs::read_to_string(home.config_path())
            .unwrap()
            .contains(LEAKY),
        "the secret is saved"
    );

    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut record =
        |what: &str, cmd: &mut assert_cmd::Command| outputs.push((what.to_string(), finish(cmd)));
    record("activate", home.cmd().arg("activate"));
    record(
        "subscribe",
        home.cmd().args(["subscribe", "device-enrolled"]),
    );
    record("status", home.cmd().arg("status"));
    record("status --json", home.cmd().args(["status", "--json"]));
    record(
        "status --color always",
        home.cmd().args(["status", "--color", "always"]),
    );
    record("events", home.cmd().arg("events"));
    record("events --json", home.cmd().args(["events", "--json"]));
    record(
        "events show",
        home.cmd().args(["events", "show", "device-enrolled"]),
    );
    record(
        "configure (new URL)",
        home.cmd()
            .args(["configure", "--url", "https://hooks.example.com/y"]),
    );
    record(
        "configure (settings)",
        home.cmd()
            .args(["configure", "--timeout", "3s", "--retries", "1"]),
    );
    record(
        "configure (bad URL)",
        home.cmd()
            .args(["configure", "--url", "ftp://hooks.example.com/"]),
    );
    record(
        "subscribe (typo)",
        home.cmd().args(["subscribe", "device-enroled"]),
    );
    record(
        "unsubscribe",
        home.cmd().args(["unsubscribe", "device-enrolled"]),
    );
    record("deactivate", home.cmd().arg("deactivate"));
    record(
        "subscribe (inactive)",
        home.cmd().args(["subscribe", "device-lost"]),
    );
    record(
        "configure (unreadable secret file)",
        home.cmd()
            .args(["configure", "--secret-file"])
            .arg(home.path().join("missing")),
    );
    for (what, out) in &outputs {
        assert_secret_not_printed(LEAKY, what, out);
    }
    let codes: Vec<i32> = outputs.iter().map(|(_, o)| exit_code(o)).collect();
    assert_eq!(
        codes,
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 5, 2],
        "{outputs:?}"
    );

    // Error messages about a config.toml that holds the secret.
    let secret_line = format!("secret = \"{LEAKY}\"\n");
    for text in [
        format!("[profiles.default]\n{secret_line}{secret_line}"),
        format!("[profiles.default]\n{secret_line}url = 5\n"),
        format!("[profiles.default]\n{secret_line}sceret = \"{LEAKY}\"\n"),
        format!("[profiles.default]\nsecret = \"{LEAKY}\n"),
        format!("[profiles.default]\n{secret_line}subscriptions = [\"device-enroled\"]\n"),
        format!("[profiles.default]\n{secret_line}"), // configured without a URL
    ] {
        write_private(&home.config_path(), text.as_bytes());
        for args in [
            &["status"][..],
            &["activate"][..],
            &["subscribe", "device-enrolled"][..],
            &["events"][..],
        ] {
            let out = finish(home.cmd().args(args));
            assert_secret_not_printed(LEAKY, &format!("{args:?} with config {text:?}"), &out);
        }
    }

    // The 0644 refusal.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        write_private(
            &home.config_path(),
            format!("[profiles.default]\n{secret_line}").as_bytes(),
        );
        std::fs::set_permissions(home.config_path(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let out = finish(home.cmd().arg("status"));
        expect_code(&out, 1, "status with 0644");
        assert_secret_not_printed(LEAKY, "status with 0644", &out);
    }
}

#[test]
fn generate_secret_prints_the_secret_once_and_only_then() {
    let home = TestHome::new();
    let out = finish(home.cmd().args([
        "configure",
        "--url",
        "https://hooks.example.com/x",
        "--generate-secret",
    ]));
    expect_code(&out, 0, "configure --generate-secret");
    let stdout = stdout_of(&out);
    let secret = stdout.strip_suffix('\n').expect("one line");
    assert!(
        !secret.contains('\n'),
        "only the secret on stdout: {stdout:?}"
    );
    assert_eq!(secret.len(), 64, "{stdout:?}");
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()), "{stdout:?}");
    assert!(!stderr_of(&out).contains(secret), "not repeated on stderr");
    assert_eq!(
        home.status_json(None)["secret_fingerprint"],
        fingerprint(secret.as_bytes())
    );

    // Two generations differ, and nothing else ever shows it again.
    let again = finish(home.cmd().args(["configure", "--generate-secret"]));
    expect_code(&again, 0, "configure --generate-secret again");
    assert_ne!(stdout_of(&again).trim(), secret);
    let second = stdout_of(&again).trim().to_string();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["events"],
        &["configure", "--timeout", "2s"],
        &["activate"],
    ] {
        let out = finish(home.cmd().args(args));
        expect_code(&out, 0, &format!("{args:?}"));
        for text in [stdout_of(&out), stderr_of(&out)] {
            assert!(!text.contains(&second), "{args:?} shows the secret: {text}");
        }
    }
}

#[test]
fn secret_file_and_stdin_drop_exactly_one_trailing_newline() {
    let cases: [(&[u8], &[u8]); 6] = [
        (b"0123456789abcdefXYZ\n", b"0123456789abcdefXYZ"),
        (b"0123456789abcdefXYZ\r\n", b"0123456789abcdefXYZ"),
        (b"0123456789abcdefXYZ\n\n", b"0123456789abcdefXYZ\n"),
        (b"0123456789abcdefXYZ", b"0123456789abcdefXYZ"),
        (b"  0123456789 abcdef XYZ  \n", b"  0123456789 abcdef XYZ  "),
        (b"0123456789abcdefXYZ\r", b"0123456789abcdefXYZ\r"),
    ];
    for (input, secret) in cases {
        let home = TestHome::new();
        configure_with_secret_file(&home, input);
        assert_eq!(
            home.status_json(None)["secret_fingerprint"],
            fingerprint(secret),
            "--secret-file holding {:?}",
            String::from_utf8_lossy(input)
        );

        let home = TestHome::new();
        home.cmd()
            .args([
                "configure",
                "--url",
                "https://hooks.example.com/x",
                "--secret-stdin",
            ])
            .write_stdin(input)
            .assert()
            .success();
        assert_eq!(
            home.status_json(None)["secret_fingerprint"],
            fingerprint(secret),
            "--secret-stdin given {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn an_empty_secret_is_refused() {
    let home = TestHome::new();
    let empty_file = home.path().join("empty");
    std::fs::write(&empty_file, "").unwrap();
    let newline_file = home.path().join("newline");
    std::fs::write(&newline_file, "\n").unwrap();
    let url = "https://hooks.example.com/x";
    let attempts: Vec<(&str, Output)> = vec![
        (
            "empty stdin",
            finish(
                home.cmd()
                    .args(["configure", "--url", url, "--secret-stdin"])
                    .write_stdin(""),
            ),
        ),
        (
            "newline on stdin",
            finish(
                home.cmd()
                    .args(["configure", "--url", url, "--secret-stdin"])
                    .write_stdin("\n"),
            ),
        ),
        (
            "empty file",
            finish(
                home.cmd()
                    .args(["configure", "--url", url, "--secret-file"])
                    .arg(&empty_file),
            ),
        ),
        (
            "file with a newline",
            finish(
                home.cmd()
                    .args(["configure", "--url", url, "--secret-file"])
                    .arg(&newline_file),
            ),
        ),
        (
            "empty SFHOOK_SECRET",
            finish(
                home.cmd()
                    .args(["configure", "--url", url])
                    .env("SFHOOK_SECRET", ""),
            ),
        ),
    ];
    for (what, out) in attempts {
        expect_code(&out, 2, what);
        assert!(
            stderr_of(&out).contains("secret"),
            "{what}: {}",
            stderr_of(&out)
        );
        assert!(!home.config_path().exists(), "{what}: nothing saved");
    }

    // An empty secret does not replace a good one either.
    home.cmd()
        .args(["configure", "--url", url, "--secret-stdin"])
        .write_stdin(SECRET)
        .assert()
        .success();
    let before = std::fs::read(home.config_path()).unwrap();
    home.cmd()
        .args(["configure", "--secret-stdin"])
        .write_stdin("\n")
        .assert()
        .code(2);
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);
}

#[test]
fn a_short_secret_is_saved_with_a_warning() {
    let url = "https://hooks.example.com/x";
    for (secret, warns) in [
        ("short", true),
        ("fifteen-chars-x", true),
        // Ten characters, twenty bytes: still short.
        ("éééééééééé", true),
        ("sixteen-chars-xy", false),
    ] {
        let home = TestHome::new();
        let out = configure_with_secret(&home, url, secret);
        expect_code(&out, 0, secret);
        let err = stderr_of(&out);
        assert_eq!(err.contains("warning:"), warns, "{secret:?}: {err}");
        if warns {
            assert!(
                err.contains("16"),
                "says how long a secret should be: {err}"
            );
        }
        assert_eq!(
            home.status_json(None)["secret_fingerprint"],
            fingerprint(secret.as_bytes())
        );
    }

    let home = TestHome::new();
    let out = finish(
        home.cmd()
            .args(["configure", "--url", url])
            .env("SFHOOK_SECRET", "tiny"),
    );
    expect_code(&out, 0, "SFHOOK_SECRET=tiny");
    assert!(stderr_of(&out).contains("warning:"), "{}", stderr_of(&out));
    assert_eq!(
        home.status_json(None)["secret_fingerprint"],
        fingerprint(b"tiny")
    );
}

// ---------------------------------------------------------------------------
// URLs

#[test]
fn configure_refuses_urls_that_are_not_absolute_http_with_a_host() {
    let home = TestHome::new();
    for bad in [
        "ftp://hooks.example.com/x",
        "hooks.example.com/x",
        "/payload",
        "https://",
        "http:///payload",
        "https:/hooks.example.com/x",
        "https:hooks.example.com/x",
        "mailto:ops@example.com",
        "",
    ] {
        let out = finish(
            home.cmd()
                .args(["configure", "--url", bad, "--generate-secret"]),
        );
        expect_code(&out, 2, &format!("--url {bad:?}"));
        assert!(
            stderr_of(&out).contains("URL"),
            "{bad:?}: {}",
            stderr_of(&out)
        );
        assert_eq!(
            stdout_of(&out),
            "",
            "{bad:?}: no secret generated and printed"
        );
        assert!(!home.config_path().exists(), "{bad:?}: nothing saved");
    }

    // A bad URL leaves a saved configuration as it was.
    home.cmd()
        .args([
            "configure",
            "--url",
            "https://hooks.example.com/x",
            "--secret-stdin",
        ])
        .write_stdin(SECRET)
        .assert()
        .success();
    let before = std::fs::read(home.config_path()).unwrap();
    home.cmd()
        .args(["configure", "--url", "ftp://hooks.example.com/"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);
}

#[test]
fn plain_http_to_another_host_warns() {
    for (url, warns) in [
        ("http://hooks.example.com/x", true),
        ("http://203.0.113.7:8080/x", true),
        ("https://hooks.example.com/x", false),
        ("http://127.0.0.1:8787/payload", false),
        ("http://localhost:3000/x", false),
        ("http://[::1]:3000/x", false),
        ("http://localhost.:3000/x", false),
        ("http://[::ffff:127.0.0.1]:3000/x", false),
        ("http://[::ffff:203.0.113.7]:3000/x", true),
    ] {
        let home = TestHome::new();
        let out = configure_with_secret(&home, url, SECRET);
        expect_code(&out, 0, url);
        let err = stderr_of(&out);
        assert_eq!(err.contains("warning:"), warns, "{url}: {err}");
        if warns {
            assert!(err.contains("plain http"), "{err}");
        }
        assert_eq!(
            home.status_json(None)["configured"],
            true,
            "{url}: saved even with a warning"
        );
    }
}

#[test]
fn delivery_settings_are_saved_and_bad_values_refused() {
    let home = TestHome::new();
    home.cmd()
        .args([
            "configure",
            "--url",
            "https://hooks.example.com/x",
            "--generate-secret",
        ])
        .args(["--timeout", "500ms", "--retries", "0", "--backoff", "2m"])
        .assert()
        .success();
    let delivery = home.status_json(None)["delivery"].clone();
    assert_eq!(
        delivery,
        serde_json::json!({"timeout_ms": 500, "retries": 0, "backoff_ms": 120_000})
    );
    let before = std::fs::read(home.config_path()).unwrap();
    for bad in [
        &["--timeout", "0"][..],
        &["--timeout", "2h"],
        &["--timeout", "soon"],
        &["--retries", "21"],
        &["--retries", "many"],
        &["--backoff", "11m"],
    ] {
        let out = finish(home.cmd().arg("configure").args(bad));
        expect_code(&out, 2, &format!("configure {bad:?}"));
        assert!(stderr_of(&out).contains(bad[0]), "{}", stderr_of(&out));
    }
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);
    // A bare number is seconds.
    home.cmd()
        .args(["configure", "--timeout", "7"])
        .assert()
        .success();
    assert_eq!(home.status_json(None)["delivery"]["timeout_ms"], 7000);
}

#[test]
fn credentials_and_query_in_the_url_are_redacted_in_output() {
    let home = TestHome::new();
    let url = "https://bob:pa55word@hooks.example.com/x?token=t0ken";
    let out = configure_with_secret(&home, url, SECRET);
    expect_code(&out, 0, "configure");
    let out2 = finish(home.cmd().arg("status"));
    let out3 = finish(home.cmd().args(["status", "--json"]));
    for out in [&out, &out2, &out3] {
        for text in [stdout_of(out), stderr_of(out)] {
            assert!(
                !text.contains("pa55word") && !text.contains("t0ken"),
                "{text}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Preconditions and subscriptions

#[test]
fn activate_without_configuration_says_to_configure() {
    let home = TestHome::new();
    for command in ["activate", "deactivate"] {
        let out = finish(home.cmd().arg(command));
        expect_code(&out, 5, command);
        assert!(
            stderr_of(&out).contains("sfhook configure"),
            "{}",
            stderr_of(&out)
        );
        assert!(!home.config_path().exists(), "{command} saved nothing");
    }
    // A named profile that does not exist is a usage error (a typo must
    // not pass), with the flag in the hint to create it.
    let out = finish(home.cmd().args(["activate", "--profile", "staging"]));
    expect_code(&out, 2, "activate --profile staging");
    assert!(
        stderr_of(&out).contains("sfhook --profile staging configure"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn subscribe_needs_an_active_configuration() {
    let home = TestHome::new();
    let out = finish(home.cmd().args(["subscribe", "device-enrolled"]));
    expect_code(&out, 5, "subscribe before configure");
    assert!(
        stderr_of(&out).contains("sfhook configure"),
        "{}",
        stderr_of(&out)
    );

    home.cmd()
        .args([
            "configure",
            "--url",
            "https://hooks.example.com/x",
            "--secret-stdin",
        ])
        .write_stdin(SECRET)
        .assert()
        .success();
    let before = std::fs::read(home.config_path()).unwrap();
    for args in [
        &["subscribe", "device-enrolled"][..],
        &["subscribe", "--all"],
    ] {
        let out = finish(home.cmd().args(args));
        expect_code(&out, 5, &format!("{args:?} before activate"));
        assert!(
            stderr_of(&out).contains("sfhook activate"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(
        std::fs::read(home.config_path()).unwrap(),
        before,
        "nothing changed"
    );
    assert!(subscriptions(&home.status_json(None)).is_empty());
}

#[test]
fn an_unknown_event_is_a_usage_error_suggesting_the_closest() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    let before = std::fs::read(home.config_path()).unwrap();
    let out = finish(home.cmd().args(["subscribe", "device-enroled"]));
    expect_code(&out, 2, "subscribe device-enroled");
    assert!(
        stderr_of(&out).contains("device-enrolled"),
        "{}",
        stderr_of(&out)
    );

    // One typo among good names changes nothing.
    let out = finish(
        home.cmd()
            .args(["subscribe", "device-locked", "device-sim-swp"]),
    );
    expect_code(&out, 2, "subscribe with one typo");
    assert!(
        stderr_of(&out).contains("device-sim-swap"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);

    let out = finish(home.cmd().args(["unsubscribe", "device-lockd"]));
    expect_code(&out, 2, "unsubscribe device-lockd");
    assert!(
        stderr_of(&out).contains("device-locked"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn subscribe_and_unsubscribe_are_idempotent() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled"]);
    let before = std::fs::read(home.config_path()).unwrap();

    let out = finish(
        home.cmd()
            .args(["subscribe", "device-enrolled", "device.enrolled"]),
    );
    expect_code(&out, 0, "subscribe again");
    assert!(
        stderr_of(&out).contains("Already subscribed to device-enrolled"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        std::fs::read(home.config_path()).unwrap(),
        before,
        "no change, no rewrite"
    );
    assert_eq!(subscriptions(&home.status_json(None)), ["device-enrolled"]);

    let out = finish(home.cmd().args(["unsubscribe", "device-lost"]));
    expect_code(&out, 0, "unsubscribe what is not subscribed");
    assert!(
        stderr_of(&out).contains("Was not subscribed to device-lost"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);

    for _ in 0..2 {
        home.cmd()
            .args(["unsubscribe", "device-enrolled"])
            .assert()
            .success();
        assert!(subscriptions(&home.status_json(None)).is_empty());
    }
    // Activating twice is fine too.
    let out = finish(home.cmd().arg("activate"));
    expect_code(&out, 0, "activate again");
    assert!(
        stderr_of(&out).contains("already active"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn subscribe_all_and_by_category() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    let expected = expected_events();
    let all: Vec<&str> = expected.iter().map(|e| e.slug).collect();
    let of = |category: &str| -> Vec<&str> {
        expected
            .iter()
            .filter(|e| e.category == category)
            .map(|e| e.slug)
            .collect()
    };

    home.cmd()
        .args(["subscribe", "--category", "management"])
        .assert()
        .success();
    assert_eq!(subscriptions(&home.status_json(None)), of("management"));

    home.cmd()
        .args([
            "subscribe",
            "--category",
            "device-update",
            "device-enrolled",
        ])
        .assert()
        .success();
    let mut want: Vec<&str> = vec!["device-enrolled"];
    want.extend(of("management"));
    want.extend(of("device-update"));
    assert_eq!(
        subscriptions(&home.status_json(None)),
        want,
        "kept in catalogue order"
    );

    home.cmd().args(["subscribe", "--all"]).assert().success();
    assert_eq!(subscriptions(&home.status_json(None)), all);

    home.cmd()
        .args(["unsubscribe", "--category", "management"])
        .assert()
        .success();
    let remaining: Vec<&str> = all
        .iter()
        .copied()
        .filter(|s| !of("management").contains(s))
        .collect();
    assert_eq!(subscriptions(&home.status_json(None)), remaining);

    home.cmd()
        .args(["unsubscribe", "--all", "--yes"])
        .assert()
        .success();
    assert!(subscriptions(&home.status_json(None)).is_empty());

    // Nothing named is a usage error; so is --all with names.
    home.cmd().arg("subscribe").assert().code(2);
    home.cmd()
        .args(["subscribe", "--all", "device-lost"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------
// Profiles and global options

#[test]
fn profiles_hold_different_endpoints_and_subscriptions() {
    let home = TestHome::new();
    let staging = "https://staging.example.com/hook";
    let production = "https://production.example.com/hook";
    home.cmd()
        .args([
            "configure",
            "--url",
            staging,
            "--secret-stdin",
            "--profile",
            "staging",
        ])
        .write_stdin("staging-secret-0123456789")
        .assert()
        .success();
    home.cmd()
        .args(["configure", "--url", production, "--secret-stdin"])
        .env("SFHOOK_PROFILE", "production")
        .write_stdin("production-secret-0123456789")
        .assert()
        .success();
    home.cmd()
        .args(["--profile", "staging", "activate"])
        .assert()
        .success();
    home.cmd()
        .arg("activate")
        .env("SFHOOK_PROFILE", "production")
        .assert()
        .success();
    home.cmd()
        .args(["subscribe", "device-lost", "--profile", "staging"])
        .assert()
        .success();
    home.cmd()
        .args(["subscribe", "--category", "enrollment"])
        .env("SFHOOK_PROFILE", "production")
        .assert()
        .success();

    let s = home.status_json(Some("staging"));
    assert_eq!(s["profile"], "staging");
    assert_eq!(s["url"], staging);
    assert_eq!(
        s["secret_fingerprint"],
        fingerprint(b"staging-secret-0123456789")
    );
    assert_eq!(subscriptions(&s), ["device-lost"]);

    let out = finish(
        home.cmd()
            .args(["status", "--json"])
            .env("SFHOOK_PROFILE", "production"),
    );
    expect_code(&out, 0, "status --json (production)");
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["profile"], "production");
    assert_eq!(p["url"], production);
    assert_eq!(
        p["secret_fingerprint"],
        fingerprint(b"production-secret-0123456789")
    );
    assert_eq!(
        subscriptions(&p),
        [
            "device-enrolled",
            "device-activated",
            "device-unenrolled",
            "device-deleted"
        ]
    );
    assert_eq!(p["profiles"], serde_json::json!(["production", "staging"]));

    // The default profile is untouched by both.
    let d = home.status_json(None);
    assert_eq!(d["configured"], false);
    assert_eq!(d["url"], Value::Null);
    home.cmd()
        .args(["subscribe", "device-lost"])
        .assert()
        .code(5);

    // Changing one leaves the other alone; --profile beats SFHOOK_PROFILE.
    home.cmd()
        .args(["unsubscribe", "--all", "--yes", "--profile", "staging"])
        .env("SFHOOK_PROFILE", "production")
        .assert()
        .success();
    home.cmd()
        .args([
            "configure",
            "--url",
            "https://staging2.example.com/hook",
            "--profile",
            "staging",
        ])
        .assert()
        .success();
    home.cmd()
        .arg("deactivate")
        .env("SFHOOK_PROFILE", "staging")
        .assert()
        .success();
    let s = home.status_json(Some("staging"));
    assert!(subscriptions(&s).is_empty());
    assert_eq!(s["url"], "https://staging2.example.com/hook");
    assert_eq!(s["active"], false);
    let out = finish(
        home.cmd()
            .args(["status", "--json"])
            .env("SFHOOK_PROFILE", "production"),
    );
    let p2: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p2, p, "production is exactly as it was");

    // events --subscribed follows the profile.
    let out = finish(
        home.cmd()
            .args(["events", "--subscribed", "--json"])
            .env("SFHOOK_PROFILE", "production"),
    );
    assert_eq!(slugs_of_json_list(&out.stdout).len(), 4);
    let out = finish(
        home.cmd()
            .args(["events", "--subscribed", "--json", "--profile", "staging"]),
    );
    assert!(slugs_of_json_list(&out.stdout).is_empty());

    // A profile name that could not be typed back is refused.
    home.cmd()
        .args(["status", "--profile", "../evil"])
        .assert()
        .code(2);
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let base = tempfile::tempdir().unwrap();
    let before_home = base.path().join("before");
    let after_home = base.path().join("after");

    // --home before and after.
    sfhook()
        .arg("--home")
        .arg(&before_home)
        .args([
            "configure",
            "--url",
            "https://before.example.com/x",
            "--secret-stdin",
        ])
        .write_stdin(SECRET)
        .assert()
        .success();
    sfhook()
        .args([
            "configure",
            "--url",
            "https://after.example.com/x",
            "--secret-stdin",
            "--home",
        ])
        .arg(&after_home)
        .write_stdin(SECRET)
        .assert()
        .success();
    assert!(before_home.join("config.toml").exists());
    assert!(after_home.join("config.toml").exists());

    // --profile before and after, with --home on the other side.
    sfhook()
        .args([
            "--profile",
            "p1",
            "configure",
            "--url",
            "https://p1.example.com/x",
            "--secret-stdin",
            "--home",
        ])
        .arg(&before_home)
        .write_stdin(SECRET)
        .assert()
        .success();
    sfhook()
        .arg("--home")
        .arg(&before_home)
        .args([
            "configure",
            "--url",
            "https://p2.example.com/x",
            "--secret-stdin",
            "--profile",
            "p2",
        ])
        .write_stdin(SECRET)
        .assert()
        .success();
    let status = |args: &[&str]| -> Value {
        let out = finish(sfhook().args(args));
        expect_code(&out, 0, &format!("{args:?}"));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let h = before_home.to_str().unwrap();
    assert_eq!(
        status(&["--home", h, "--profile", "p1", "status", "--json"])["url"],
        "https://p1.example.com/x"
    );
    assert_eq!(
        status(&["status", "--json", "--profile", "p2", "--home", h])["url"],
        "https://p2.example.com/x"
    );
    assert_eq!(
        status(&["status", "--json", "--home", h])["url"],
        "https://before.example.com/x"
    );
    assert_eq!(
        status(&["status", "--home", after_home.to_str().unwrap(), "--json"])["url"],
        "https://after.example.com/x"
    );

    // On a nested subcommand too.
    let out = finish(sfhook().args([
        "events",
        "show",
        "device-lost",
        "--home",
        h,
        "--platform",
        "ios",
    ]));
    expect_code(&out, 0, "events show ... --home");

    // --color before and after.
    for args in [
        &["--color", "always", "--home", h, "events"][..],
        &["events", "--home", h, "--color", "always"][..],
    ] {
        let out = finish(sfhook().args(args));
        expect_code(&out, 0, &format!("{args:?}"));
        assert!(
            stdout_of(&out).contains('\u{1b}'),
            "{args:?}: {}",
            stdout_of(&out)
        );
    }
    for args in [
        &["--color", "never", "events", "--home", h][..],
        &["events", "--color=never", "--home", h][..],
    ] {
        let out = finish(sfhook().args(args));
        expect_code(&out, 0, &format!("{args:?}"));
        assert!(!stdout_of(&out).contains('\u{1b}'), "{args:?}");
    }
    sfhook()
        .args(["events", "--color", "sometimes", "--home", h])
        .assert()
        .code(2);
}

#[test]
fn help_and_completions_do_not_need_a_home() {
    let home = TestHome::new();
    write_private_or_plain(&home.config_path(), b"this is not toml");
    home.cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("subscribe"));
    home.cmd().args(["configure", "--help"]).assert().success();
    home.cmd()
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sfhook"));
    home.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("sfhook "));
    assert_eq!(
        std::fs::read(home.config_path()).unwrap(),
        b"this is not toml"
    );
}

fn write_private_or_plain(path: &Path, bytes: &[u8]) {
    #[cfg(unix)]
    write_private(path, bytes);
    #[cfg(not(unix))]
    std::fs::write(path, bytes).unwrap();
}

#[cfg(unix)]
#[test]
fn a_secret_source_that_never_ends_is_refused_promptly() {
    let home = TestHome::new();
    let out = finish(
        home.cmd()
            .args([
                "configure",
                "--url",
                "https://hooks.example.com/x",
                "--secret-file",
                "/dev/zero",
            ])
            .timeout(Duration::from_secs(5)),
    );
    expect_code(&out, 2, "--secret-file /dev/zero");
    assert!(stderr_of(&out).contains("/dev/zero"), "{}", stderr_of(&out));
    assert!(!home.config_path().exists());

    let out = finish(
        home.cmd()
            .args([
                "configure",
                "--url",
                "https://hooks.example.com/x",
                "--secret-stdin",
            ])
            .write_stdin(vec![b'k'; 1024 * 1024])
            .timeout(Duration::from_secs(5)),
    );
    expect_code(&out, 2, "a megabyte on --secret-stdin");
    assert!(!home.config_path().exists());
}

#[test]
fn a_secret_with_quotes_escapes_and_control_characters_is_kept_exactly() {
    let secret: &[u8] = "q\"uote\\back\ttab\u{0}nul\u{1b}[31m é ''' \"\"\" end".as_bytes();
    let home = TestHome::new();
    configure_with_secret_file(&home, secret);
    home.cmd().arg("activate").assert().success();
    home.cmd()
        .args(["subscribe", "device-lost"])
        .assert()
        .success();
    assert_eq!(
        home.status_json(None)["secret_fingerprint"],
        fingerprint(secret)
    );
}

#[test]
fn json_output_stays_plain_json_under_color_always() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.subscribe(&["device-enrolled"]);
    for args in [
        &["status", "--json"][..],
        &["events", "--json"],
        &["events", "show", "device-lost"],
    ] {
        let out = finish(home.cmd().args(args).args(["--color", "always"]));
        expect_code(&out, 0, &format!("{args:?}"));
        assert!(
            !stdout_of(&out).contains('\u{1b}'),
            "{args:?}: {}",
            stdout_of(&out)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("only JSON on stdout");
    }
}

#[test]
fn concurrent_changes_to_different_events_and_profiles_all_land() {
    let home = TestHome::new();
    home.configure_active("https://hooks.example.com/x");
    home.cmd()
        .args([
            "configure",
            "--url",
            "https://other.example.com/x",
            "--generate-secret",
            "--profile",
            "other",
        ])
        .assert()
        .success();
    home.cmd()
        .args(["activate", "--profile", "other"])
        .assert()
        .success();

    let expected = expected_events();
    let spawn = |args: &[&str]| {
        home.std_cmd()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sfhook")
    };
    let mut children = Vec::new();
    for event in &expected {
        children.push(spawn(&["subscribe", event.slug]));
        children.push(spawn(&["subscribe", event.slug, "--profile", "other"]));
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let all: Vec<&str> = expected.iter().map(|e| e.slug).collect();
    assert_eq!(subscriptions(&home.status_json(None)), all);
    assert_eq!(subscriptions(&home.status_json(Some("other"))), all);
    #[cfg(unix)]
    assert_eq!(mode(&home.config_path()), 0o600);
    let leftovers: Vec<String> = file_names(home.path())
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `configure` with a URL and a secret read from a file holding `bytes`.
fn configure_with_secret_file(home: &TestHome, bytes: &[u8]) {
    let file = home.path().join("secret.txt");
    std::fs::write(&file, bytes).unwrap();
    home.cmd()
        .args([
            "configure",
            "--url",
            "https://hooks.example.com/x",
            "--secret-file",
        ])
        .arg(&file)
        .assert()
        .success();
}
