//! Snapshots of output that is the contract (help, usage errors, TSV, CSV
//! and JSON shapes), compared with the files committed in
//! `tests/cli/snapshots/`. What changes from run to run is replaced by a
//! placeholder first: `[HOME]` and `[TMP]` for temporary paths, and in data
//! `[PORT]`, `[UUID]`, `[TIMESTAMP]`, `[MS]` for durations and
//! `[SIGNATURE]` for HMACs of bodies that hold fresh ids.
//!
//! With `CI=true` insta never writes a snapshot, so a missing or changed one
//! fails. To accept a deliberate change: `INSTA_UPDATE=always cargo test`,
//! then read the diff of `tests/cli/snapshots/` before committing it.

use std::path::Path;
use std::process::Output;

use super::{stderr_of, stdout_of};

/// How a run ended, as one text to snapshot: the exit code, then stdout and
/// stderr, each under a header (and `(empty)` when nothing was printed).
pub fn transcript(out: &Output) -> String {
    let section = |text: String| {
        if text.is_empty() {
            "(empty)\n".to_string()
        } else if text.ends_with('\n') {
            text
        } else {
            format!("{text}\n(no newline at the end)\n")
        }
    };
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        section(stdout_of(out)),
        section(stderr_of(out))
    )
}

/// `text` with every regex meta-character escaped.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The filters, in the order they apply: paths first (a temp path may hold
/// anything), then, with `volatile`, the values that change with every run.
fn filters(homes: &[&Path], volatile: bool) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    for home in homes {
        filters.push((literal(&home.to_string_lossy()), "[HOME]".to_string()));
    }
    let tmp = std::env::temp_dir();
    let tmp = literal(tmp.to_string_lossy().trim_end_matches('/'));
    filters.push((format!(r"{tmp}/\.tmp[A-Za-z0-9]+"), "[TMP]".to_string()));
    if !volatile {
        return filters;
    }
    let fixed = [
        // Ports the tests' servers got from the kernel.
        (r"(127\.0\.0\.1|localhost):\d+", "${1}:[PORT]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UUID]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
            "[TIMESTAMP]",
        ),
        // The signature of a body that holds fresh ids.
        (r"\b[0-9a-f]{64}\b", "[SIGNATURE]"),
        // How long a request took: in JSON, in the column after the
        // result in TSV (`200 ok 12`, `503 failed 38`), after `success` and
        // `error` in CSV, and in text (`(3ms)`, `in 12ms`, `duration 12ms`).
        (r#"("duration_ms":\s*)\d+"#, "${1}[MS]"),
        (r"(\t(?:ok|failed)\t)\d+\t", "${1}[MS]\t"),
        (r"(,(?:true|false),[^,\n]*,)\d+,", "${1}[MS],"),
        (r"(\(|\bin |\bduration +)\d+ ?ms\b", "${1}[MS]"),
    ];
    for (pattern, replacement) in fixed {
        filters.push((pattern.to_string(), replacement.to_string()));
    }
    filters
}

/// Settings every snapshot shares: files named after the snapshot alone,
/// with no assertion expression in their header.
fn base_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// Runs `check` (which makes insta assertions) comparing output exactly,
/// for output with nothing volatile in it, such as help.
pub fn exactly<R>(check: impl FnOnce() -> R) -> R {
    base_settings().bind(check)
}

/// Runs `check` (which makes insta assertions) with the filters that
/// replace what changes from run to run; `homes` are the temporary homes
/// whose paths may appear.
pub fn with_redactions<R>(homes: &[&Path], check: impl FnOnce() -> R) -> R {
    redacted(homes, true, check)
}

/// Runs `check` (which makes insta assertions) with only the temporary
/// paths replaced: for output that holds no ids, times or ports, such as
/// usage errors, where a time in a message is an example to keep.
pub fn with_paths_redacted<R>(homes: &[&Path], check: impl FnOnce() -> R) -> R {
    redacted(homes, false, check)
}

fn redacted<R>(homes: &[&Path], volatile: bool, check: impl FnOnce() -> R) -> R {
    let mut settings = base_settings();
    for (pattern, replacement) in filters(homes, volatile) {
        settings.add_filter(&pattern, replacement);
    }
    settings.bind(check)
}
