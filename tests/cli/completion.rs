//! Shell completion that knows the domain, driven through real shells: the
//! script `sfhook completions bash` prints is sourced in a real bash, its
//! completion function called as readline would call it (COMP_WORDS,
//! COMP_CWORD), and what it puts in COMPREPLY is what the user would be
//! offered. The script calls `sfhook` on the PATH: the built binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The directory of the built binary, first on the PATH the shells get.
fn bin_dir() -> PathBuf {
    Path::new(BIN).parent().unwrap().to_path_buf()
}

/// What a Tab at the end of `words` offers in bash. `words` starts with
/// `sfhook`; the last one is the word being completed ("" for a fresh one).
/// `env` is all the environment sfhook gets besides PATH and HOME.
fn bash_complete(env: &[(&str, &Path)], words: &[&str]) -> Vec<String> {
    let output = bash_complete_output(env, words);
    assert!(
        output.status.success(),
        "bash completing {words:?}: {}",
        stderr_of(&output)
    );
    assert_eq!(
        stderr_of(&output),
        "",
        "completing {words:?} printed nothing but candidates"
    );
    stdout_of(&output).lines().map(str::to_string).collect()
}

fn bash_complete_output(env: &[(&str, &Path)], words: &[&str]) -> std::process::Output {
    const SCRIPT: &str = r#"
source <(sfhook completions bash) || exit 9
complete -p sfhook >/dev/null || exit 8
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
_clap_complete_sfhook sfhook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
"#;
    let user_home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir().display()))
        .env("HOME", user_home.path())
        .args(["--norc", "--noprofile", "-c", SCRIPT, "bash"])
        .args(words)
        .stdin(std::process::Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("run bash")
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

fn slugs() -> Vec<String> {
    sorted(EVENT_SLUGS.iter().map(|s| s.to_string()).collect())
}

/// Only the values among candidates, not the flags offered beside them.
fn values(candidates: Vec<String>) -> Vec<String> {
    candidates
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

#[test]
fn subscribe_completes_event_slugs() {
    let home = TestHome::new();
    let env = [("SFHOOK_HOME", home.path())];
    let offered = bash_complete(&env, &["sfhook", "subscribe", "dev"]);
    assert_eq!(sorted(offered), slugs());
    let offered = bash_complete(&env, &["sfhook", "subscribe", "device-lo"]);
    assert_eq!(sorted(offered), ["device-locked", "device-lost"]);
    // Every command that takes an event, and the --event filters.
    for words in [
        &["sfhook", "unsubscribe", "device-s"][..],
        &["sfhook", "mock", "device-s"],
        &["sfhook", "send", "device-s"],
        &["sfhook", "events", "show", "device-s"],
        &["sfhook", "events", "schema", "device-s"],
        &["sfhook", "logs", "--event", "device-s"],
        &["sfhook", "logs", "summary", "--event", "device-s"],
        &["sfhook", "redeliver", "--event", "device-s"],
    ] {
        assert_eq!(
            sorted(bash_complete(&env, words)),
            ["device-shutdown", "device-sim-swap"],
            "{words:?}"
        );
    }
}

#[test]
fn mock_tab_offers_events_and_never_types_a_lone_dash() {
    let home = TestHome::new();
    let env = [("SFHOOK_HOME", home.path())];
    let offered = bash_complete(&env, &["sfhook", "mock", ""]);
    // The events alone: flags come after a '-'.
    assert_eq!(sorted(offered.clone()), slugs());
    // readline inserts the candidates' common prefix: the start of an
    // event's name, never a dash.
    let common = offered.iter().fold(offered[0].clone(), |prefix, c| {
        prefix
            .chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    assert!(
        !common.starts_with('-'),
        "mock <Tab> types {common:?} by itself"
    );
    let flags = bash_complete(&env, &["sfhook", "mock", "-"]);
    for flag in ["--platform", "--url", "--expect", "-H", "--profile"] {
        assert!(flags.iter().any(|f| f == flag), "{flag} in {flags:?}");
    }
    // Where no value fits any more, the flags are offered at once.
    let offered = bash_complete(&env, &["sfhook", "events", "show", "device-enrolled", ""]);
    assert!(offered.iter().any(|f| f == "--compact"), "{offered:?}");
}

#[test]
fn the_subcommands_are_offered_and_man_is_not_among_them() {
    let home = TestHome::new();
    let env = [("SFHOOK_HOME", home.path())];
    let offered = bash_complete(&env, &["sfhook", ""]);
    let expected: Vec<String> = command_paths()
        .into_iter()
        .filter(|path| path.len() == 1)
        .map(|path| path[0].clone())
        .collect();
    assert_eq!(sorted(offered), sorted(expected));
    assert_eq!(bash_complete(&env, &["sfhook", "ma"]), Vec::<String>::new());
    assert_eq!(bash_complete(&env, &["sfhook", "m"]), ["mock"]);
    assert_eq!(
        bash_complete(&env, &["sfhook", "logs", ""]),
        ["summary", "show", "prune"]
    );
}

#[test]
fn categories_and_platforms_complete_from_the_catalogue() {
    let home = TestHome::new();
    let env = [("SFHOOK_HOME", home.path())];
    assert_eq!(
        sorted(bash_complete(&env, &["sfhook", "events", "--category", ""])),
        ["device-update", "enrollment", "management"]
    );
    assert_eq!(
        sorted(bash_complete(
            &env,
            &["sfhook", "subscribe", "--category", "m"]
        )),
        ["management"]
    );
    assert_eq!(
        sorted(bash_complete(&env, &["sfhook", "events", "--platform", ""])),
        ["android", "ios", "linux", "macos", "windows"]
    );
    for words in [
        &["sfhook", "mock", "device-enrolled", "--platform", "i"][..],
        &["sfhook", "send", "device-enrolled", "--platform", "i"],
        &[
            "sfhook",
            "events",
            "show",
            "device-enrolled",
            "--platform",
            "i",
        ],
    ] {
        assert_eq!(bash_complete(&env, words), ["ios"], "{words:?}");
    }
}

#[test]
fn profile_completes_the_configured_profiles() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    for profile in ["staging", "prod-eu"] {
        home.cmd()
            .args(["--profile", profile, "configure", "--url", &receiver.url()])
            .arg("--generate-secret")
            .assert()
            .success();
    }
    let all = ["default", "prod-eu", "staging"];
    // From SFHOOK_HOME, anywhere on the line.
    let env = [("SFHOOK_HOME", home.path())];
    assert_eq!(
        sorted(bash_complete(&env, &["sfhook", "--profile", ""])),
        all
    );
    assert_eq!(
        sorted(bash_complete(&env, &["sfhook", "status", "--profile", ""])),
        all
    );
    assert_eq!(
        bash_complete(&env, &["sfhook", "--profile", "st"]),
        ["staging"]
    );
    // From --home on the line being completed, which wins over SFHOOK_HOME.
    let elsewhere = TestHome::new();
    let home_arg = home.path().to_str().unwrap();
    assert_eq!(
        sorted(bash_complete(
            &[],
            &["sfhook", "--home", home_arg, "--profile", ""]
        )),
        all
    );
    assert_eq!(
        sorted(bash_complete(
            &[("SFHOOK_HOME", elsewhere.path())],
            &[
                "sfhook",
                "logs",
                &format!("--home={home_arg}"),
                "--profile",
                ""
            ]
        )),
        all
    );
    // Nothing saved there: the default profile only.
    assert_eq!(
        bash_complete(
            &[("SFHOOK_HOME", elsewhere.path())],
            &["sfhook", "--profile", ""]
        ),
        ["default"]
    );
}

#[test]
fn a_broken_home_completes_quietly_and_does_not_block() {
    let home = TestHome::new();
    // A config that is not TOML, and a log that is a FIFO (opening one
    // for reading blocks until a writer comes).
    write_private(&home.config_path(), b"this is [not toml");
    let fifo = std::ffi::CString::new(home.log_path().to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let env = [("SFHOOK_HOME", home.path())];
    assert_eq!(
        bash_complete(&env, &["sfhook", "--profile", ""]),
        ["default"]
    );
    assert_eq!(
        bash_complete(&env, &["sfhook", "logs", "show", "0"]),
        Vec::<String>::new()
    );
    // A home that is a file, and one that does not exist.
    let file = home.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    for dir in [file.clone(), home.path().join("missing")] {
        let env = [("SFHOOK_HOME", dir.as_path())];
        assert_eq!(
            bash_complete(&env, &["sfhook", "--profile", ""]),
            ["default"]
        );
        assert_eq!(
            bash_complete(&env, &["sfhook", "redeliver", "--request-id", ""]),
            Vec::<String>::new()
        );
    }
}

/// The request ids in the log, newest first.
fn logged_ids_newest_first(home: &TestHome) -> Vec<String> {
    let mut ids: Vec<String> = home
        .log_records()
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    ids.reverse();
    ids
}

#[test]
fn logs_show_and_redeliver_complete_request_ids_newest_first() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&receiver);
    home.cmd()
        .args(["send", "device-locked"])
        .assert()
        .success();
    let ids = logged_ids_newest_first(&home);
    assert_eq!(ids.len(), 3);
    let env = [("SFHOOK_HOME", home.path())];
    for words in [
        &["sfhook", "logs", "show", ""][..],
        &["sfhook", "redeliver", ""],
        &["sfhook", "logs", "--request-id", ""],
        &["sfhook", "redeliver", "--request-id", ""],
    ] {
        assert_eq!(bash_complete(&env, words), ids, "{words:?}");
    }
    // A prefix narrows them down.
    let newest = &ids[0];
    let offered = bash_complete(&env, &["sfhook", "logs", "show", &newest[..8]]);
    assert_eq!(offered, std::slice::from_ref(newest));
}

#[test]
fn request_ids_come_from_the_end_of_a_large_log() {
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.subscribe(&["device-enrolled"]);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    // A real record, copied with new ids until the log is over 3 MiB.
    let line = std::fs::read_to_string(home.log_path()).unwrap();
    let line = line.trim_end();
    let id = logged_ids_newest_first(&home).remove(0);
    let copies = (3 * 1024 * 1024) / line.len() + 1;
    let mut log = String::new();
    let mut newest = Vec::new();
    for i in 0..copies {
        let new_id = format!("{i:08x}-0000-4000-8000-000000000000");
        log.push_str(&line.replace(&id, &new_id));
        log.push('\n');
        newest.push(new_id);
    }
    write_private(&home.log_path(), log.as_bytes());
    newest.reverse();
    newest.truncate(200);

    let env = [("SFHOOK_HOME", home.path())];
    let offered = bash_complete(&env, &["sfhook", "logs", "show", ""]);
    assert_eq!(offered, newest, "the 200 newest, newest first");
}

#[test]
fn fish_completes_events_profiles_and_request_ids() {
    if Command::new("fish").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "fish is not installed; .ci/run installs it"
        );
        eprintln!("skipped: fish is not installed");
        return;
    }
    let receiver = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&receiver);
    home.cmd()
        .args([
            "--profile",
            "staging",
            "configure",
            "--url",
            &receiver.url(),
        ])
        .arg("--generate-secret")
        .assert()
        .success();
    let fish = |line: &str| -> Vec<String> {
        let user_home = tempfile::tempdir().unwrap();
        let output = Command::new("fish")
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir().display()))
            .env("HOME", user_home.path())
            .env("XDG_CONFIG_HOME", user_home.path())
            .env("XDG_DATA_HOME", user_home.path())
            .env("SFHOOK_HOME", home.path())
            .args(["--no-config", "-c"])
            .arg(format!(
                "sfhook completions fish | source; complete -C '{line}'"
            ))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success(), "fish: {}", stderr_of(&output));
        stdout_of(&output).lines().map(str::to_string).collect()
    };
    let offered = fish("sfhook subscribe device-lo");
    assert_eq!(
        offered,
        ["device-locked\tDevice Locked", "device-lost\tDevice Lost"]
    );
    assert_eq!(values(fish("sfhook --profile ")), ["default", "staging"]);
    let ids: Vec<String> = values(fish("sfhook logs show "))
        .into_iter()
        .map(|c| c.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(ids, logged_ids_newest_first(&home));
}
