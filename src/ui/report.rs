//! `--report`: what a CI system reads of a run, as a JUnit XML file or TAP
//! on stdout. One test case per request of a mock or burst, or per step of
//! a scenario; a case fails when its expectation was not met.
//!
//! Names, messages and details carry text from the network (an answer's
//! body), so both writers make any text safe: XML that every parser reads,
//! TAP whose lines stay lines.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::core::fsutil;

/// Where a report goes: `junit:FILE` or `tap` (stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReportTarget {
    Junit(PathBuf),
    Tap,
}

const REPORT_FORMS: &str = "give junit:FILE (a JUnit XML file) or tap (TAP on stdout)";

impl FromStr for ReportTarget {
    type Err = String;

    fn from_str(text: &str) -> Result<ReportTarget, String> {
        let (kind, file) = match text.split_once(':') {
            Some((kind, file)) => (kind, Some(file)),
            None => (text, None),
        };
        match (kind.to_ascii_lowercase().as_str(), file) {
            ("tap", None) => Ok(ReportTarget::Tap),
            ("tap", Some(_)) => Err(format!(
                "'{}': TAP goes to stdout and takes no file; give tap, or junit:FILE for a file",
                text.escape_debug()
            )),
            ("junit", None | Some("")) => Err(format!(
                "'{}': junit needs a file to write, e.g. junit:reports/sfhook.xml",
                text.escape_debug()
            )),
            ("junit", Some(file)) => {
                let path = PathBuf::from(file);
                // Found now rather than after every request has been sent.
                if file.ends_with(std::path::is_separator) || path.is_dir() {
                    return Err(format!(
                        "junit:{}: a directory; name the file to write, e.g. junit:{}",
                        file.escape_debug(),
                        path.join("sfhook.xml").display()
                    ));
                }
                Ok(ReportTarget::Junit(path))
            }
            _ => Err(format!(
                "unknown report '{}': {REPORT_FORMS}",
                text.escape_debug()
            )),
        }
    }
}

/// One test: a request or a scenario step.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub name: String,
    pub time: Duration,
    /// Why it failed; `None` for a met expectation.
    pub failure: Option<CaseFailure>,
}

/// An unmet expectation: a one-line `message` (`expected 406, got 200`),
/// and the `detail` a person needs to see why (the answer, its body).
#[derive(Debug, Clone)]
pub(crate) struct CaseFailure {
    pub message: String,
    pub detail: String,
}

/// A run: a mock, a burst or a scenario.
#[derive(Debug, Clone)]
pub(crate) struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

impl Suite {
    pub(crate) fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }

    /// The cases' times added up: a burst's cases overlap, so this is the
    /// time spent in requests, not the wall-clock time of the run.
    pub(crate) fn time(&self) -> Duration {
        self.cases.iter().map(|c| c.time).sum()
    }
}

/// Writes the JUnit XML of `suite` to `path`, replacing it atomically: a CI
/// step that reads it meanwhile sees the old report or the new, never half
/// of one. Missing parent directories are created, as test runners do for
/// `reports/junit.xml`.
pub(crate) fn write_junit(path: &Path, suite: &Suite) -> Result<()> {
    let xml = junit_xml(suite, Timestamp::now());
    replace_file(path, xml.as_bytes())
        .with_context(|| format!("cannot write the JUnit report {}", path.display()))
}

/// Like `fsutil::replace_atomically`, but a report is not private (other
/// CI steps read it, so the umask decides its mode) and no lock guards it,
/// so another run's temp file beside it is left alone.
fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    fsutil::sync_dir(dir)
}

/// The JUnit XML of `suite`, run at `at`: a `<testsuites>` root holding one
/// `<testsuite>`, as Jenkins, GitLab and GitHub's reporters read it.
fn junit_xml(suite: &Suite, at: Timestamp) -> String {
    let seconds = |d: Duration| format!("{:.3}", d.as_secs_f64());
    let name = xml_attr(&suite.name);
    let (tests, failures, time) = (suite.cases.len(), suite.failures(), seconds(suite.time()));
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">"
    );
    // The schema's timestamp has no zone; it is UTC.
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time}\" timestamp=\"{}\">",
        at.strftime("%Y-%m-%dT%H:%M:%S")
    );
    for case in &suite.cases {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{name}\" time=\"{}\"",
            xml_attr(&case.name),
            seconds(case.time)
        );
        match &case.failure {
            None => xml.push_str("/>\n"),
            Some(failure) => {
                let _ = writeln!(
                    xml,
                    ">\n      <failure message=\"{}\" type=\"unmet expectation\">{}</failure>\n    </testcase>",
                    xml_attr(&failure.message),
                    xml_text(&failure.detail)
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// Characters no report shows as they are: controls other than tab, line
/// feed and carriage return (XML 1.0 forbids C0 and discourages C1; all
/// can drive a terminal that shows the report), the bidirectional
/// overrides, which reorder what a reader sees, and U+FFFE and U+FFFF,
/// which XML forbids.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}')
}

/// Text for an attribute value: line breaks and tabs as references, which
/// an XML parser would otherwise turn into spaces.
fn xml_attr(text: &str) -> String {
    xml_escape(text, true)
}

/// Text for an element's content.
fn xml_text(text: &str) -> String {
    xml_escape(text, false)
}

fn xml_escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A parser turns a raw CR into a line feed, even in content.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if unsafe_char(c) => shown_as_escape(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// `\u{1b}`: visible, and legal in any document.
fn shown_as_escape(c: char, out: &mut String) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Writes `suite` as TAP version 13: a plan, a line per case, and for each
/// failure a YAML block with its message and detail.
pub(crate) fn write_tap(out: &mut impl Write, suite: &Suite) -> io::Result<()> {
    writeln!(out, "TAP version 13")?;
    writeln!(out, "1..{}", suite.cases.len())?;
    for (n, case) in suite.cases.iter().enumerate() {
        let verdict = if case.failure.is_some() {
            "not ok"
        } else {
            "ok"
        };
        let name = tap_description(&case.name);
        if name.is_empty() {
            writeln!(out, "{verdict} {}", n + 1)?;
        } else {
            writeln!(out, "{verdict} {} - {name}", n + 1)?;
        }
        if let Some(failure) = &case.failure {
            writeln!(out, "  ---")?;
            writeln!(out, "  message: {}", yaml_string(&failure.message))?;
            if !failure.detail.is_empty() {
                writeln!(out, "  detail: {}", yaml_string(&failure.detail))?;
            }
            writeln!(out, "  ...")?;
        }
    }
    out.flush()
}

/// A test's description on its `ok` line: one line, and no `#`, which
/// would start a directive (`# SKIP`); TAP escapes it as `\#`.
fn tap_description(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '#' => out.push_str("\\#"),
            c if c.is_control() || unsafe_char(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A YAML double-quoted scalar: any text on one line, escapes for the rest.
fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Case {
    /// A request or step judged by an expectation: its failure, if it
    /// missed, says what was expected and what came.
    pub(crate) fn judged(
        name: String,
        outcome: &crate::core::delivery::Outcome,
        expectation: &crate::core::expect::Expectation,
        target: &str,
    ) -> Case {
        let failure = expectation.judge(outcome, target).map(|failure| {
            let body = outcome.response_body();
            let mut detail = outcome.describe();
            if !body.is_empty() {
                detail.push('\n');
                detail.push_str(&body);
            }
            CaseFailure {
                message: failure.message,
                detail,
            }
        });
        Case {
            name,
            time: outcome.duration,
            failure,
        }
    }
}

/// TAP goes to stdout, where `--json` writes too: the two cannot go
/// together.
pub(crate) fn check_stdout(target: Option<&ReportTarget>, json: bool) -> Result<()> {
    if json && matches!(target, Some(ReportTarget::Tap)) {
        return Err(crate::core::error::usage(
            "--report tap writes TAP on stdout, where --json writes JSON: use one, or --report junit:FILE",
        ));
    }
    Ok(())
}

/// Writes `suite` where `target` says: a JUnit file, or TAP on stdout.
pub(crate) fn emit(target: &ReportTarget, suite: &Suite) -> Result<()> {
    match target {
        ReportTarget::Junit(path) => write_junit(path, suite),
        ReportTarget::Tap => {
            let mut stdout = crate::ui::output::stdout();
            write_tap(&mut stdout, suite)?;
            Ok(stdout.flush()?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, millis: u64, failure: Option<(&str, &str)>) -> Case {
        Case {
            name: name.to_string(),
            time: Duration::from_millis(millis),
            failure: failure.map(|(message, detail)| CaseFailure {
                message: message.to_string(),
                detail: detail.to_string(),
            }),
        }
    }

    /// Everything an answer's body might throw at a report.
    fn hostile() -> String {
        let bytes: &[u8] = b"]]> <tag a=\"b\" c='d'> & &amp; \x00\x01\x07\x08\x0b\x0c\x1b[31m\x7f \
            \r\n\ttab \xff\xfe not utf-8 \xe2\x80\xae bidi \xef\xbf\xbe end";
        String::from_utf8_lossy(bytes).into_owned() + "\u{85}\u{9f}\u{ffff}"
    }

    fn hostile_suite() -> Suite {
        let text = hostile();
        Suite {
            name: format!("kiosk {text}"),
            cases: vec![
                case("device-enrolled", 12, None),
                case(&format!("device-locked {text}"), 1500, Some((&text, &text))),
            ],
        }
    }

    #[test]
    fn report_targets_parse_and_say_what_is_wrong() {
        assert_eq!("tap".parse(), Ok(ReportTarget::Tap));
        assert_eq!("TAP".parse(), Ok(ReportTarget::Tap));
        assert_eq!(
            "junit:reports/sfhook.xml".parse(),
            Ok(ReportTarget::Junit(PathBuf::from("reports/sfhook.xml")))
        );
        assert_eq!(
            "junit:a:b.xml".parse(),
            Ok(ReportTarget::Junit(PathBuf::from("a:b.xml")))
        );
        let error = |text: &str| text.parse::<ReportTarget>().unwrap_err();
        assert_eq!(
            error("junit"),
            "'junit': junit needs a file to write, e.g. junit:reports/sfhook.xml"
        );
        assert!(error("junit:").contains("needs a file"));
        assert_eq!(
            error("xml:out.xml"),
            "unknown report 'xml:out.xml': give junit:FILE (a JUnit XML file) or tap (TAP on stdout)"
        );
        assert!(error("").starts_with("unknown report ''"));
        assert!(error("tap:out.tap").contains("takes no file"));
        assert!(error("junit:reports/").contains("a directory"));
        let dir = tempfile::tempdir().unwrap();
        let as_dir = format!("junit:{}", dir.path().display());
        assert!(error(&as_dir).contains("a directory"), "{}", error(&as_dir));
    }

    #[test]
    fn junit_is_exactly_this() {
        let suite = Suite {
            name: "mock device.locked".to_string(),
            cases: vec![
                case("request 1", 12, None),
                case(
                    "request 2",
                    1500,
                    Some(("expected 406, got 200", "200 OK\nbody: \"ok\"")),
                ),
            ],
        };
        let at: Timestamp = "2026-11-29T17:21:28.5Z".parse().unwrap();
        assert_eq!(
            junit_xml(&suite, at),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mock device.locked" tests="2" failures="1" errors="0" time="1.512">
  <testsuite name="mock device.locked" tests="2" failures="1" errors="0" skipped="0" time="1.512" timestamp="2026-11-29T17:21:28">
    <testcase name="request 1" classname="mock device.locked" time="0.012"/>
    <testcase name="request 2" classname="mock device.locked" time="1.500">
      <failure message="expected 406, got 200" type="unmet expectation">200 OK
body: &quot;ok&quot;</failure>
    </testcase>
  </testsuite>
</testsuites>
"#
        );
    }

    #[test]
    fn junit_with_hostile_text_is_well_formed_and_keeps_what_it_can() {
        let suite = hostile_suite();
        let xml = junit_xml(&suite, Timestamp::UNIX_EPOCH);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(suites.len(), 1);
        let testsuite = suites[0];
        assert_eq!(testsuite.attribute("tests"), Some("2"));
        assert_eq!(testsuite.attribute("failures"), Some("1"));
        assert_eq!(
            testsuite.attribute("timestamp"),
            Some("1970-01-01T00:00:00")
        );
        let cases: Vec<_> = testsuite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 2);
        let failure = cases[1]
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("a failure element");
        assert!(cases[0].children().all(|n| !n.has_tag_name("failure")));
        // What a parser reads back: the text, with the unshowable shown as
        // escapes and everything else (line breaks, tabs, CR) exact.
        let shown = "]]> <tag a=\"b\" c='d'> & &amp; \\u{0}\\u{1}\\u{7}\\u{8}\\u{b}\\u{c}\\u{1b}[31m\\u{7f} \
            \r\n\ttab \u{fffd}\u{fffd} not utf-8 \\u{202e} bidi \\u{fffe} end\\u{85}\\u{9f}\\u{ffff}";
        assert_eq!(failure.attribute("message"), Some(shown));
        assert_eq!(failure.text(), Some(shown));
        assert_eq!(
            cases[1].attribute("name"),
            Some(format!("device-locked {shown}").as_str())
        );
        assert_eq!(
            testsuite.attribute("name"),
            Some(format!("kiosk {shown}").as_str())
        );
    }

    #[test]
    fn junit_is_written_whole_into_a_new_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/ci/sfhook.xml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "an older report").unwrap();
        write_junit(&path, &hostile_suite()).unwrap();
        let xml = std::fs::read_to_string(&path).unwrap();
        roxmltree::Document::parse(&xml).unwrap();
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["sfhook.xml"], "no temp file is left");

        let fresh = dir.path().join("new/dir/junit.xml");
        write_junit(&fresh, &hostile_suite()).unwrap();
        assert!(fresh.is_file());

        let blocked = dir.path().join("reports/ci/sfhook.xml/inside.xml");
        let err = write_junit(&blocked, &hostile_suite()).unwrap_err();
        assert!(
            format!("{err:#}").starts_with(&format!(
                "cannot write the JUnit report {}",
                blocked.display()
            )),
            "{err:#}"
        );
    }

    #[test]
    fn tap_is_exactly_this() {
        let suite = Suite {
            name: "kiosk lifecycle".to_string(),
            cases: vec![
                case("step 1: device-enrolled", 12, None),
                case(
                    "step 2: device-locked #2 (wrong-signature)",
                    30,
                    Some(("expected 406, got 200", "200 OK\nbody: \"ok\"\\")),
                ),
                case("", 1, None),
                case(
                    "step 4: device-lost\n\u{1b}[2Jnot ok 9",
                    1,
                    Some(("no answer", "")),
                ),
            ],
        };
        let mut out = Vec::new();
        write_tap(&mut out, &suite).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TAP version 13\n\
             1..4\n\
             ok 1 - step 1: device-enrolled\n\
             not ok 2 - step 2: device-locked \\#2 (wrong-signature)\n  \
             ---\n  \
             message: \"expected 406, got 200\"\n  \
             detail: \"200 OK\\nbody: \\\"ok\\\"\\\\\"\n  \
             ...\n\
             ok 3\n\
             not ok 4 - step 4: device-lost  [2Jnot ok 9\n  \
             ---\n  \
             message: \"no answer\"\n  \
             ...\n"
        );
    }

    #[test]
    fn tap_keeps_hostile_text_inside_its_lines() {
        let mut out = Vec::new();
        write_tap(&mut out, &hostile_suite()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + 2 + 4, "{text}");
        assert!(
            lines[3].starts_with("not ok 2 - device-locked ]]> <tag"),
            "{text}"
        );
        assert!(
            !text.contains(|c: char| unsafe_char(c) || c == '\r'),
            "{text:?}"
        );
        assert!(
            lines[5].starts_with("  message: \"]]> <tag a=\\\"b\\\" c='d'> & &amp; \\u0000\\u0001"),
            "{}",
            lines[5]
        );
        assert!(lines[5].contains("\\u001b[31m\\u007f \\r\\n\\ttab \u{fffd}\u{fffd} not utf-8 \\u202e bidi \\ufffe end\\u0085\\u009f\\uffff\""), "{}", lines[5]);
    }
}
