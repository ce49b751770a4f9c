//! How `doctor` shows its checks: a marked, coloured line on a terminal,
//! tab-separated fields on a pipe, one JSON object with `--json`.

use serde::Serialize;

use crate::core::doctor::{Check, Status};
use crate::ui::output::{self, DIM, FAIL, Mode, OK, Output, WARN};

/// `doctor --json`: one object.
#[derive(Serialize)]
pub(crate) struct DoctorJson<'a> {
    pub profile: &'a str,
    pub url: Option<String>,
    pub ok: bool,
    pub checks: &'a [Check],
}

/// One check as a line, for a terminal or a pipe.
pub(crate) fn check_line(out: &Output, mode: Mode, check: &Check) -> String {
    if mode != Mode::Terminal {
        return format!(
            "{}\t{}\t{}\t{}",
            check.check,
            check.status.name(),
            output::plain(&check.detail),
            output::plain(check.fix.as_deref().unwrap_or("-"))
        );
    }
    let (style, mark) = match check.status {
        Status::Pass => (OK, "✓"),
        Status::Warn => (WARN, "!"),
        Status::Fail => (FAIL, "✗"),
        Status::Skip => (DIM, "-"),
    };
    let mut line = format!(
        "{} {:<8} {}",
        out.paint(style, mark),
        check.check,
        output::plain(&check.detail)
    );
    if let Some(fix) = &check.fix {
        line.push_str(&out.paint(DIM, " → "));
        line.push_str(&output::plain(fix));
    }
    line
}
