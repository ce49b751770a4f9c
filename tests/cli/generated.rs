//! The committed shell completions (`completions/`) and man pages (`man/`)
//! are what the command-line definitions generate: the completions are the
//! registration scripts `sfhook completions SHELL` prints (small shims that
//! ask `sfhook` for candidates at every Tab), the man pages are rendered
//! here from `Cli::command()`. When they drift, the test fails and says how
//! to regenerate them; with `SFHOOK_BLESS=1` it rewrites them, atomically
//! and never through a symlink.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;

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
            write_atomically(dir, name, bytes);
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

/// Replaces `dir/name` with `bytes` by a rename, so that a reader never
/// sees half a file; refuses a symlink at `dir` or at the file, so that
/// blessing never writes outside the repository.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) {
    for path in [dir.to_path_buf(), dir.join(name)] {
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        assert!(
            !is_link,
            "{} is a symlink: not writing through it",
            path.display()
        );
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir).unwrap();
    temp.write_all(bytes).unwrap();
    temp.as_file().sync_all().unwrap();
    std::fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    temp.persist(dir.join(name)).unwrap();
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
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains(&format!("_SFHOOK_COMPLETE={shell}"))
                || script.contains(&format!("_SFHOOK_COMPLETE=\"{shell}\""))
                || script.contains(&format!("$env:_SFHOOK_COMPLETE = \"{shell}\"")),
            "completions {shell} ask sfhook for the candidates:\n{script}"
        );
        // The same script as the one the completion engine itself prints
        // when asked by the environment, but calling `sfhook` on the PATH
        // rather than this build.
        let from_env = sfhook().env("_SFHOOK_COMPLETE", shell).output().unwrap();
        assert!(from_env.status.success(), "_SFHOOK_COMPLETE={shell} sfhook");
        assert_eq!(
            String::from_utf8_lossy(&from_env.stdout).replace(BIN, "sfhook"),
            script,
            "completions {shell} print what the engine registers"
        );
        generated.insert(file.to_string(), output.stdout);
    }
    check_against_committed(&committed_dir("completions"), &generated);
}

#[test]
fn committed_man_pages_match_the_definitions() {
    let mut command = sfhook::cli::Cli::command();
    command.build();
    let mut generated = BTreeMap::new();
    render_pages(&command, "sfhook", &mut generated);
    for page in [
        "sfhook.1",
        "sfhook-configure.1",
        "sfhook-subscribe.1",
        "sfhook-events-show.1",
        "sfhook-logs-prune.1",
    ] {
        assert!(
            generated.contains_key(page),
            "a page {page}: {:?}",
            generated.keys()
        );
    }
    assert!(
        !generated.keys().any(|k| k.contains("help")),
        "no pages for 'help'"
    );
    check_against_committed(&committed_dir("man"), &generated);
}

/// `sfhook.1`, then `sfhook-<sub>.1` for every visible subcommand, recursively.
fn render_pages(command: &clap::Command, name: &str, pages: &mut BTreeMap<String, Vec<u8>>) {
    let command = command.clone().name(name.to_string());
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .unwrap();
    pages.insert(format!("{name}.1"), page);
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        render_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

#[test]
fn there_is_no_man_command_to_write_files_where_it_stands() {
    // It used to write 22 pages into ./man, through symlinks, unasked.
    let dir = tempfile::tempdir().unwrap();
    let output = sfhook()
        .current_dir(dir.path())
        .args(["man", "--out", "pages"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    let output = sfhook()
        .current_dir(dir.path())
        .arg("man")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
