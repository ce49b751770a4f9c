//! Scenarios (`sfhook run FILE.toml`): a device's life as a receiver sees
//! it, step by step, each step a mock with its own expectation. The whole
//! file is checked before anything is sent: an unknown key or event, or an
//! event the scenario's platform does not send, is a usage error naming
//! the step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;
use serde::Deserialize;

use crate::core::catalog::{self, Event, Platform};
use crate::core::delivery::extra::{ExtraHeader, Tamper};
use crate::core::error::usage;
use crate::core::expect::Expectation;
use crate::core::fsutil;
use crate::core::units::parse_duration_within;

/// A scenario file is small; a larger one is something else.
const MAX_SCENARIO_BYTES: u64 = 1024 * 1024;
/// A step may pause the scenario this long at most.
const MAX_SLEEP: Duration = Duration::from_secs(3600);

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Option<String>,
    url: Option<String>,
    platform: Option<String>,
    seed: Option<u64>,
    at: Option<String>,
    #[serde(default)]
    step: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    event: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
    #[serde(default)]
    unset: Vec<String>,
    data: Option<PathBuf>,
    tamper: Option<String>,
    expect: Option<String>,
    #[serde(default)]
    header: Vec<String>,
    sleep: Option<String>,
}

/// A checked scenario.
#[derive(Debug)]
pub(crate) struct Scenario {
    /// The file's `name`, else its file name.
    pub name: String,
    /// Where to send, unless the command line or the environment says.
    pub url: Option<String>,
    /// The one device's platform.
    pub platform: Platform,
    /// With `at`: every body byte-identical run to run.
    pub seed: Option<u64>,
    pub at: Option<Timestamp>,
    pub steps: Vec<Step>,
}

#[derive(Debug)]
pub(crate) enum Step {
    Mock(MockStep),
    Sleep(Duration),
}

/// One mock of a scenario.
#[derive(Debug)]
pub(crate) struct MockStep {
    pub event: &'static Event,
    /// `--set` edits, in the command line's spelling (`path=text`,
    /// `path:=json`).
    pub set: Vec<String>,
    pub unset: Vec<String>,
    /// A document to send instead of the sample, relative to the file.
    pub data: Option<PathBuf>,
    pub tamper: Option<Tamper>,
    pub expect: Expectation,
    /// Whether `expect` was written, rather than the default.
    pub expect_given: bool,
    pub headers: Vec<ExtraHeader>,
}

impl MockStep {
    /// How a step is named in output: its event, and its forgery if any.
    pub(crate) fn title(&self) -> String {
        match self.tamper {
            Some(tamper) => format!("{} ({tamper})", self.event.slug),
            None => self.event.slug.to_string(),
        }
    }
}

impl Scenario {
    /// Reads and checks the scenario at `path`.
    pub(crate) fn load(path: &Path) -> Result<Scenario> {
        let shown = path.display();
        let bytes = std::fs::File::open(path)
            .and_then(|file| fsutil::read_at_most(file, MAX_SCENARIO_BYTES))
            .map_err(|e| usage(format!("cannot read the scenario {shown}: {e}")))?
            .ok_or_else(|| {
                usage(format!(
                    "the scenario {shown} is larger than {} KiB",
                    MAX_SCENARIO_BYTES / 1024
                ))
            })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| usage(format!("the scenario {shown} is not UTF-8 text")))?;
        let file: ScenarioFile = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let place = line.map(|l| format!(" line {l}")).unwrap_or_default();
            usage(format!(
                "{shown}{place}: {}",
                e.message().trim_end_matches('\n').replace('\n', "; ")
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Scenario::check(file, dir, path).map_err(|why| usage(format!("{shown}: {why}")))
    }

    fn check(file: ScenarioFile, dir: &Path, path: &Path) -> Result<Scenario, String> {
        let platform = file
            .platform
            .as_deref()
            .map(|name| {
                Platform::ALL
                    .into_iter()
                    .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
                    .ok_or_else(|| {
                        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                        format!(
                            "unknown platform '{}': use one of {}",
                            name.escape_debug(),
                            names.join(", ")
                        )
                    })
            })
            .transpose()?;
        if file.step.is_empty() {
            return Err("no [[step]]: a scenario needs at least one".to_string());
        }
        // One device on one platform: the one named, else the first that
        // sends every event of the file (as a mock picks the first that
        // sends its event).
        let platform = match platform {
            Some(platform) => platform,
            None => common_platform(&file.step)?,
        };
        let mut steps = Vec::with_capacity(file.step.len());
        for (i, step) in file.step.into_iter().enumerate() {
            let step =
                check_step(step, platform, dir).map_err(|why| format!("step {}: {why}", i + 1))?;
            steps.push(step);
        }
        let at = file
            .at
            .as_deref()
            .map(|text| {
                text.trim().parse::<Timestamp>().map_err(|_| {
                    format!(
                        "invalid at '{}': use an RFC 3339 time such as 2026-01-01T00:00:00Z",
                        text.escape_debug()
                    )
                })
            })
            .transpose()?;
        let name = file.name.unwrap_or_else(|| {
            path.file_stem().map_or_else(
                || "scenario".to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        });
        Ok(Scenario {
            name,
            url: file.url,
            platform,
            seed: file.seed,
            at,
            steps,
        })
    }
}

/// The first platform that sends every event the steps name.
fn common_platform(steps: &[StepFile]) -> Result<Platform, String> {
    let mut events = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if let Some(name) = &step.event {
            events.push(catalog::resolve(name).map_err(|why| format!("step {}: {why}", i + 1))?);
        }
    }
    Platform::ALL
        .into_iter()
        .find(|platform| events.iter().all(|event| event.supports(*platform)))
        .ok_or_else(|| {
            "no platform sends every event of this scenario: split it, or set platform and drop the steps it does not send"
                .to_string()
        })
}

fn check_step(step: StepFile, platform: Platform, dir: &Path) -> Result<Step, String> {
    if let Some(sleep) = step.sleep {
        let alone = step.event.is_none()
            && step.set.is_empty()
            && step.unset.is_empty()
            && step.data.is_none()
            && step.tamper.is_none()
            && step.expect.is_none()
            && step.header.is_empty();
        if !alone {
            return Err("'sleep' stands alone in its step".to_string());
        }
        return parse_duration_within("sleep", &sleep, Duration::ZERO, MAX_SLEEP).map(Step::Sleep);
    }
    let name = step.event.ok_or("give an event (or a sleep)".to_string())?;
    let event = catalog::resolve(&name)?;
    event.check_platform(platform)?;
    let tamper = step.tamper.map(|t| t.parse::<Tamper>()).transpose()?;
    let expect_given = step.expect.is_some();
    let expect = match step.expect {
        Some(text) => text.parse()?,
        None => Expectation::default_for(tamper.is_some()),
    };
    let headers = step
        .header
        .iter()
        .map(|h| h.parse::<ExtraHeader>())
        .collect::<Result<_, _>>()?;
    let set = step
        .set
        .into_iter()
        .map(|(path, value)| match value {
            toml::Value::String(text) => Ok(format!("{path}={text}")),
            other => toml_to_json(other).map(|json| format!("{path}:={json}")),
        })
        .collect::<Result<_, String>>()?;
    Ok(Step::Mock(MockStep {
        event,
        set,
        unset: step.unset,
        data: step.data.map(|data| dir.join(data)),
        tamper,
        expect,
        expect_given,
        headers,
    }))
}

/// A TOML value as JSON text, for `set` values that are not strings.
fn toml_to_json(value: toml::Value) -> Result<String, String> {
    let json = match value {
        toml::Value::Datetime(when) => serde_json::Value::String(when.to_string()),
        other => serde_json::to_value(other).map_err(|e| format!("set: {e}"))?,
    };
    Ok(json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario, String> {
        let file: ScenarioFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        Scenario::check(
            file,
            Path::new("/scenarios"),
            Path::new("/scenarios/kiosk.toml"),
        )
    }

    #[test]
    fn the_contract_example_is_a_scenario() {
        let scenario = parse(
            r#"
            name = "kiosk lifecycle"
            platform = "android"
            [[step]]
            event = "device-enrolled"
            set = { "data.devices.0.name" = "Lobby Kiosk", "data.devices.0.locked" = true }
            [[step]]
            event = "device-locked"
            tamper = "wrong-signature"
            expect = "406"
            [[step]]
            sleep = "200ms"
            [[step]]
            event = "device-lost"
            [[step]]
            event = "device-deleted"
            expect = "2xx"
            "#,
        )
        .unwrap();
        assert_eq!(scenario.name, "kiosk lifecycle");
        assert_eq!(scenario.platform, Platform::Android);
        assert_eq!(scenario.steps.len(), 5);
        let Step::Mock(first) = &scenario.steps[0] else {
            panic!("a mock")
        };
        assert_eq!(
            first.set,
            [
                "data.devices.0.locked:=true",
                "data.devices.0.name=Lobby Kiosk"
            ]
        );
        assert!(first.expect.met_by(Some(200)));
        let Step::Mock(second) = &scenario.steps[1] else {
            panic!("a mock")
        };
        assert_eq!(second.tamper, Some(Tamper::WrongSignature));
        assert!(second.expect.met_by(Some(406)) && !second.expect.met_by(Some(401)));
        assert!(matches!(scenario.steps[2], Step::Sleep(d) if d == Duration::from_millis(200)));
    }

    #[test]
    fn mistakes_name_their_step() {
        let cases = [
            (
                "[[step]]\nevent = \"device-unenrolled\"\nplatform = \"android\"",
                "unknown field",
            ),
            (
                "platform = \"android\"\n[[step]]\nevent = \"device-unenrolled\"",
                "step 1: device-unenrolled is not sent for Android",
            ),
            (
                "[[step]]\nevent = \"device-enrolled\"\n[[step]]\nevent = \"device-enrolld\"",
                "step 2: unknown event",
            ),
            (
                "[[step]]\nsleep = \"1s\"\nevent = \"device-lost\"",
                "step 1: 'sleep' stands alone",
            ),
            ("[[step]]\nexpect = \"2xx\"", "step 1: give an event"),
            (
                "[[step]]\nevent = \"device-lost\"\ntamper = \"nope\"",
                "step 1: invalid tamper",
            ),
            (
                "[[step]]\nevent = \"device-lost\"\nheader = [\"X-SF-Event: x\"]",
                "step 1: --header cannot set",
            ),
            (
                "platform = \"symbian\"\n[[step]]\nevent = \"device-lost\"",
                "unknown platform",
            ),
            ("name = \"empty\"", "no [[step]]"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
