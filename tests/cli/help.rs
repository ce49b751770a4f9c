//! Help is the contract a person reads first: `sfhook --help` and the
//! `--help` of every subcommand, nested ones included, are snapshots,
//! compared byte for byte. They run without a terminal, with NO_COLOR and
//! without COLUMNS (`sfhook()` clears it): clap wraps help at $COLUMNS when
//! stdout is not a terminal, so the snapshots would otherwise follow the
//! width of the terminal the tests happen to run in.

use crate::support::*;

#[test]
fn every_command_help_is_its_snapshot() {
    let paths = command_paths();
    assert!(paths.len() > 20, "the command tree: {paths:?}");
    for path in paths {
        let out = sfhook()
            .args(&path)
            .arg("--help")
            .env("NO_COLOR", "1")
            .output()
            .expect("run sfhook");
        let name = ["help", "sfhook"]
            .into_iter()
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
        assert_eq!(stderr_of(&out), "", "{name} prints help on stdout only");
        exactly(|| insta::assert_snapshot!(name, stdout_of(&out)));
    }
}
