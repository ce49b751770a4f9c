//! The committed shell completions (`completions/`) and man pages (`man/`)
//! are what the built binary generates. When they drift, the test fails and
//! says how to regenerate them; with `SFHOOK_BLESS=1` it rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;

const REGENERATE: &str = "SFHOOK_BLESS=1 cargo test --test cli generated";

/// clap_complete's shell names and the file each one's script is committed as.
const SHELLS: [(&str, &str); 5] = [
    ("bash", "sfhook.bash"),
    ("zsh", "_sfhook"),
    ("fish", "sfhook.fish"),
    ("powershell", "_sfhook.ps1"),
    ("elvish", "sfhook.elv"),
];

fn committed_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn blessing() -> bool {
    std::env::var_os("SFHOOK_BLESS").is_some_and(|v| v == "1")
}

/// The regular, non-hidden files of `dir` by name (none if it does not exist).
fn read_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| entry.expect("list a directory"))
        .filter(|entry| entry.file_type().unwrap().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

/// Compares `generated` with the files committed in `dir`: every file must
/// be there, byte for byte, and no other. With SFHOOK_BLESS=1, makes it so.
fn check_against_committed(dir: &Path, generated: &BTreeMap<String, Vec<u8>>) {
    let committed = read_files(dir);
    let mut problems = Vec::new();
    for (name, bytes) in generated {
        match committed.get(name) {
            None => problems.push(format!("{name} is missing")),
            Some(old) if old != bytes => {
                problems.push(format!("{name} differs from the binary's output"))
            }
            Some(_) => {}
        }
    }
    for name in committed
        .keys()
        .filter(|name| !generated.contains_key(*name))
    {
        problems.push(format!("{name} is not generated any more"));
    }
    if problems.is_empty() {
        return;
    }
    if blessing() {
        std::fs::create_dir_all(dir).unwrap();
        for (name, bytes) in generated {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        for name in committed
            .keys()
            .filter(|name| !generated.contains_key(*name))
        {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        eprintln!("rewrote {}: {}", dir.display(), problems.join("; "));
        return;
    }
    panic!(
        "{} is out of date with the binary:\n  {}\nRegenerate with: {REGENERATE}\n(and commit the result)",
        dir.display(),
        problems.join("\n  ")
    );
}

#[test]
fn committed_completions_match_the_binary() {
    let mut generated = BTreeMap::new();
    for (shell, file) in SHELLS {
        let output = sfhook().args(["completions", shell]).output().unwrap();
        assert!(
            output.status.success(),
            "completions {shell}: {}",
            stderr_of(&output)
        );
        assert!(
            !output.stdout.is_empty(),
            "completions {shell} printed nothing"
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("subscribe"),
            "completions {shell} know the subcommands"
        );
        generated.insert(file.to_string(), output.stdout);
    }
    check_against_committed(&committed_dir("completions"), &generated);
}

#[test]
fn committed_man_pages_match_the_binary() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("man");
    let output = sfhook().args(["man", "--out"]).arg(&dir).output().unwrap();
    assert!(output.status.success(), "man --out: {}", stderr_of(&output));
    let generated = read_files(&dir);
    for page in [
        "sfhook.1",
        "sfhook-configure.1",
        "sfhook-subscribe.1",
        "sfhook-events-show.1",
    ] {
        assert!(
            generated.contains_key(page),
            "man --out wrote {page}: {:?}",
            generated.keys()
        );
    }
    assert!(
        !generated.contains_key("sfhook-man.1"),
        "the hidden 'man' command has no page"
    );
    assert!(
        !generated.keys().any(|k| k.contains("help")),
        "no pages for 'help'"
    );
    check_against_committed(&committed_dir("man"), &generated);
}
