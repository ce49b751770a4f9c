//! The delivery log as users and scripts see it: `sfhook logs` and its
//! filters, `logs summary`, `logs show`, `logs prune`, `logs --follow`, and
//! reading a log that another tool, a crash or a concurrent writer touched.
//!
//! The listings are checked against `jq` run on the same file: the records
//! sfhook prints must be exactly the lines `jq -c 'select(...)'` prints.
//! The logs are written here, by the test's own code, in the layout the
//! contract fixes (and some in another key order, as if rewritten by
//! another tool), never by sfhook's log module.

use crate::support::*;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------
// Generated logs

const NO_ANSWER_ERRORS: &[&str] = &[
    "connection refused: nothing is listening at 127.0.0.1:9",
    "timeout: no complete answer within 10s",
    "TLS: certificate for \"hooks.example.com\" expired",
    "DNS: cannot resolve the host höoks.example — ünïcode",
    "the endpoint's answer is not valid HTTP: invalid header \\ backslash",
];

const RESPONSE_BODIES: &[&str] = &[
    "",
    "ok",
    "{\"error\":\"upstream \\\"db\\\" is down\"}",
    "<html><body>Bad \"Gateway\"</body></html>",
    "queued \"later\" — merci, 谢谢",
];

const DEVICE_NAMES: &[&str] = &[
    "Warehouse Tablet 007",
    "Tab \"7\" — café",
    "Kiosk\\Lobby",
    "設備 😀",
    "line\nbreak\tand tab",
    "bell \u{1}\u{1b}[31m",
];

/// Which key order a record is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// The contract's order, as sfhook writes it.
    Native,
    /// Rewritten by another tool: the payload early, `response_code` last.
    CodeLast,
    /// Rewritten by another tool: `success` last.
    SuccessLast,
    /// Rewritten by a tool that puts a space after `:` and `,` (Python's
    /// json.dumps), in the native order.
    Spaced,
}

#[derive(Clone, Debug)]
struct Rec {
    request_id: String,
    event_id: String,
    event: &'static str,
    ts: Timestamp,
    /// As written; normally `ts` in the log's fixed-width form.
    timestamp: String,
    url: String,
    response_code: Option<u16>,
    success: bool,
    error: Option<String>,
    duration_ms: u64,
    attempt: u32,
    redelivery_of: Option<String>,
    profile: String,
    payload: Value,
    response_body: String,
    layout: Layout,
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

impl Rec {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("request_id", json!(self.request_id)),
            ("event_id", json!(self.event_id)),
            ("event", json!(self.event)),
            ("timestamp", json!(self.timestamp)),
            ("url", json!(self.url)),
            ("response_code", json!(self.response_code)),
            ("success", json!(self.success)),
            ("error", json!(self.error)),
            ("duration_ms", json!(self.duration_ms)),
            ("attempt", json!(self.attempt)),
            ("redelivery_of", json!(self.redelivery_of)),
            ("profile", json!(self.profile)),
            ("payload", self.payload.clone()),
            ("response_body", json!(self.response_body)),
        ]
    }

    /// The record as one line of the log, without its newline.
    fn line(&self) -> String {
        let mut fields = self.fields();
        let last = match self.layout {
            Layout::Native | Layout::Spaced => None,
            Layout::CodeLast => Some("response_code"),
            Layout::SuccessLast => Some("success"),
        };
        if let Some(last) = last {
            // Another tool's order: the payload first, then the rest
            // reversed, and one chosen key at the very end.
            let at = fields.iter().position(|(k, _)| *k == "payload").unwrap();
            let payload = fields.remove(at);
            fields.reverse();
            fields.insert(0, payload);
            let at = fields.iter().position(|(k, _)| *k == last).unwrap();
            let moved = fields.remove(at);
            fields.push(moved);
        }
        let map: Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let object = Value::Object(map);
        match self.layout {
            Layout::Spaced => spaced_json(&object),
            _ => serde_json::to_string(&object).unwrap(),
        }
    }
}

/// JSON on one line with `": "` and `", "` separators, like Python's
/// `json.dumps`.
fn spaced_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), spaced_json(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(spaced_json).collect::<Vec<_>>().join(", ")
            )
        }
        other => serde_json::to_string(other).unwrap(),
    }
}

fn payload(rng: &mut Rng, event_id: &str, event: &str, created_at: Timestamp) -> Value {
    let n = rng.below(500);
    let mut device = json!({
        "id": 8_416_200 + n,
        "name": rng.pick(DEVICE_NAMES),
        "serial_no": format!("R52W70{n:05}"),
        "imei_no": if rng.percent(70) { json!(format!("35{:013}", rng.below(10_000_000_000_000))) } else { Value::Null },
        "os_type": rng.pick(&["android", "ios", "macos", "windows", "linux"]),
        "locked": rng.percent(20),
        "battery_status": rng.below(101),
        "group": { "id": 5120 + rng.below(5), "name": "Field Sales — \"EU\"" },
        "custom_properties": [
            { "name": "Asset Tag", "value": format!("AT-{n:05}"), "data_type": "string" },
            { "name": "Cost\\Center", "value": "4410", "data_type": "number" },
        ],
    });
    if rng.percent(15) {
        // A payload that mentions the log's own keys: the log's fields must
        // still be told apart from the payload's.
        device["last_delivery"] = json!({ "response_code": 500, "success": true, "event": "device.lost", "request_id": "0" });
    }
    json!({
        "id": event_id,
        "event": event,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "data": { "devices": [device] },
    })
}

/// Records at the given times (sorted here), with mixed codes, events,
/// profiles, retries, redeliveries and layouts.
fn generate(rng: &mut Rng, mut times: Vec<Timestamp>, foreign_percent: u64) -> Vec<Rec> {
    times.sort();
    let mut records: Vec<Rec> = Vec::with_capacity(times.len());
    for (i, ts) in times.into_iter().enumerate() {
        let retry_of = records
            .last()
            .filter(|prev| !prev.success && prev.attempt < 3 && rng.percent(40))
            .cloned();
        let (event, event_id, attempt, profile) = match &retry_of {
            Some(prev) => (
                prev.event,
                prev.event_id.clone(),
                prev.attempt + 1,
                prev.profile.clone(),
            ),
            None => {
                let profile = match rng.below(10) {
                    0..=5 => "default",
                    6..=8 => "staging",
                    _ => "prod-eu",
                };
                (*rng.pick(&WIRE_EVENTS), rng.uuid(), 1, profile.to_string())
            }
        };
        let (response_code, success, error) = match rng.below(100) {
            0..=39 => (Some(200), true, None),
            40..=49 => (Some(201), true, None),
            50..=56 => (Some(404), false, None),
            57..=61 => (Some(410), false, None),
            62..=69 => (Some(429), false, None),
            70..=79 => (Some(500), false, None),
            80..=87 => (Some(503), false, None),
            88..=89 => (
                Some(200),
                false,
                Some("the endpoint closed the connection before its answer was complete (status 200 came first)".to_string()),
            ),
            _ => (None, false, Some(rng.pick(NO_ANSWER_ERRORS).to_string())),
        };
        let layout = if rng.percent(foreign_percent) {
            *rng.pick(&[Layout::CodeLast, Layout::SuccessLast])
        } else {
            Layout::Native
        };
        let redelivery_of = (retry_of.is_none() && i > 0 && rng.percent(5))
            .then(|| records[rng.below(i as u64) as usize].request_id.clone());
        let url = match profile.as_str() {
            "staging" => "https://***@staging.example.com/hooks/sf?***",
            "prod-eu" => "https://hooks.example.eu/scalefusion",
            _ => "http://127.0.0.1:8787/payload",
        };
        records.push(Rec {
            request_id: rng.uuid(),
            payload: payload(rng, &event_id, event, ts),
            event_id,
            event,
            ts,
            timestamp: log_time(ts),
            url: url.to_string(),
            response_code,
            success,
            error,
            duration_ms: 1 + rng.below(12_000),
            attempt,
            redelivery_of,
            profile,
            response_body: if response_code.is_some() {
                rng.pick(RESPONSE_BODIES).to_string()
            } else {
                String::new()
            },
            layout,
        });
    }
    records
}

fn write_log(path: &Path, records: &[Rec]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for record in records {
        bytes.extend_from_slice(record.line().as_bytes());
        bytes.push(b'\n');
    }
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// A few days in March 2025, with records on and around every day boundary
/// and around noon, to the millisecond.
fn historic_log(rng: &mut Rng) -> Vec<Rec> {
    let start = ts("2025-03-01T00:00:00Z");
    let day = SignedDuration::from_hours(24);
    let mut times: Vec<Timestamp> = (0..420)
        .map(|_| start + SignedDuration::from_millis(rng.below(6 * 86_400_000) as i64))
        .collect();
    for d in 0..=6 {
        let midnight = start + day * d;
        let noon = midnight + SignedDuration::from_hours(12);
        for edge in [midnight, noon] {
            for ms in [-1, 0, 1] {
                times.push(edge + SignedDuration::from_millis(ms));
            }
        }
    }
    let mut records = generate(rng, times, 8);
    // Two request ids that share a prefix, for the ambiguous-prefix checks.
    let shared = records[30].request_id[..7].to_string();
    records[200].request_id = format!("{shared}{}", &records[200].request_id[7..]);
    // At least one failure that still got a 2xx (the body broke off).
    records[100].response_code = Some(200);
    records[100].success = false;
    records[100].error = Some(
        "the endpoint closed the connection before its answer was complete (status 200 came first)"
            .into(),
    );
    records
}

/// Ages, relative to now, that stay clear of the relative bounds the tests
/// use (30m, 2h, 7d), so that the seconds between writing the log and
/// running sfhook cannot move a record across one.
fn recent_log(rng: &mut Rng, now: Timestamp) -> Vec<Rec> {
    let edges = [30 * 60, 2 * 3600, 7 * 86_400];
    let clear = |age: i64| edges.iter().all(|edge| (age - edge).abs() > 300);
    let mut ages: Vec<i64> = vec![
        60,
        600,
        45 * 60,
        90 * 60,
        150 * 60,
        7 * 86_400 - 3600,
        7 * 86_400 + 3600,
    ];
    while ages.len() < 300 {
        let age = 60 + rng.below(10 * 86_400) as i64;
        if clear(age) {
            ages.push(age);
        }
    }
    let times = ages
        .into_iter()
        .map(|age| {
            now - SignedDuration::from_secs(age)
                + SignedDuration::from_millis(rng.below(1000) as i64)
        })
        .collect();
    generate(rng, times, 8)
}

// ---------------------------------------------------------------------------
// Running sfhook and jq

fn run_env(home: &TestHome, args: &[String], env: &[(String, String)]) -> Output {
    let mut cmd = home.cmd();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run sfhook")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    stdout_of(output).lines().map(str::to_string).collect()
}

/// Whether the jq tests can run: without jq they are skipped with a note,
/// unless SFHOOK_REQUIRE_JQ is set (CI), where a missing jq is a failure.
fn jq_available() -> bool {
    let found = std::process::Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SFHOOK_REQUIRE_JQ").is_none(),
            "SFHOOK_REQUIRE_JQ is set but jq is not on PATH: install jq (e.g. apt-get install jq) to run the delivery-log tests"
        );
        eprintln!(
            "note: jq is not on PATH; skipping this test (set SFHOOK_REQUIRE_JQ=1 to make that a failure)"
        );
    }
    found
}

fn jq(args: &[&str], file: &Path) -> String {
    let output = std::process::Command::new("jq")
        .args(args)
        .arg(file)
        .output()
        .expect("run jq");
    assert!(
        output.status.success(),
        "jq {args:?}: {}",
        stderr_of(&output)
    );
    stdout_of(&output)
}

/// The lines of `file` that `jq -c 'select(FILTER)'` selects.
fn jq_select(file: &Path, filter: &str) -> Vec<String> {
    jq(&["-c", &format!("select({filter})")], file)
        .lines()
        .map(str::to_string)
        .collect()
}

/// What `logs summary --json` should say, computed by jq.
fn jq_summary(file: &Path, filter: &str) -> Value {
    let program = format!(
        r#". as $all | map(select({filter})) | {{
            total_events: length,
            total_success_events: (map(select(.success)) | length),
            total_failed_events: (map(select(.success | not)) | length),
            by_response_code: (group_by(.response_code) | map({{
                key: (if .[0].response_code == null then "none" else (.[0].response_code | tostring) end),
                value: length}}) | from_entries),
            by_event: (group_by(.event) | map({{
                key: .[0].event,
                value: {{total: length,
                        succeeded: (map(select(.success)) | length),
                        failed: (map(select(.success | not)) | length)}}}}) | from_entries),
            events: ((map(.event_id) | unique) as $ids
                | ($all | map(select(.success) | .event_id) | unique) as $ok
                | ($ids | map(select(. as $i | ($ok | bsearch($i)) >= 0)) | length) as $d
                | {{total: ($ids | length), delivered: $d, undelivered: (($ids | length) - $d)}})
        }}"#
    );
    serde_json::from_str(&jq(&["-s", "-c", &program], file)).unwrap()
}

fn assert_same_lines(what: &str, got: &[String], want: &[String]) {
    if got == want {
        return;
    }
    let first = got
        .iter()
        .zip(want)
        .position(|(g, w)| g != w)
        .unwrap_or(got.len().min(want.len()));
    panic!(
        "{what}: sfhook printed {} lines, expected {}; first difference at line {first}:\n  sfhook:   {}\n  expected: {}",
        got.len(),
        want.len(),
        got.get(first).map_or("(none)", String::as_str),
        want.get(first).map_or("(none)", String::as_str),
    );
}

/// The documented tab-separated columns: timestamp, event, request id, code
/// ('-' if none), 'ok'/'failed', duration_ms, attempt, profile, error ('-').
/// Tabs, newlines and other control characters in a field become spaces.
fn expected_tsv(json_line: &str) -> String {
    let r: Value = serde_json::from_str(json_line).unwrap();
    let text = |v: &Value| v.as_str().map(plain).unwrap_or_else(|| "-".to_string());
    [
        text(&r["timestamp"]),
        text(&r["event"]),
        text(&r["request_id"]),
        r["response_code"]
            .as_u64()
            .map_or("-".to_string(), |c| c.to_string()),
        if r["success"].as_bool().unwrap() {
            "ok"
        } else {
            "failed"
        }
        .to_string(),
        r["duration_ms"].to_string(),
        r["attempt"].to_string(),
        text(&r["profile"]),
        text(&r["error"]),
    ]
    .join("\t")
}

/// What every human format shows of outside text: tabs and line breaks
/// as spaces, other controls and bidi controls as visible escapes.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => " ".to_string(),
            c if c.is_control()
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                format!("\\u{{{:x}}}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Filters against jq

/// One filter: sfhook's arguments and the same selection in jq.
struct Case {
    args: Vec<String>,
    env: Vec<(String, String)>,
    jq: String,
    limit: Option<usize>,
    /// Whether an empty result is what the case is about.
    may_be_empty: bool,
}

fn case(args: &[&str], jq: &str) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        jq: jq.to_string(),
        limit: None,
        may_be_empty: false,
    }
}

impl Case {
    fn limit(mut self, n: usize) -> Case {
        self.limit = Some(n);
        self
    }

    fn env(mut self, key: &str, value: &str) -> Case {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    fn may_be_empty(mut self) -> Case {
        self.may_be_empty = true;
        self
    }
}

/// Runs every case through `logs --json`, `logs` (tab-separated) and
/// `logs summary --json`, and compares with jq on the same file.
fn check_cases(home: &TestHome, cases: &[Case]) {
    let file = home.log_path();
    let total = jq_select(&file, "true").len();
    for c in cases {
        let what = format!(
            "sfhook logs {}{}",
            c.args.join(" "),
            if c.env.is_empty() {
                String::new()
            } else {
                format!(" with {:?}", c.env)
            }
        );
        let mut want = jq_select(&file, &c.jq);
        if let Some(n) = c.limit {
            want.drain(..want.len().saturating_sub(n));
        }
        if !c.may_be_empty {
            assert!(
                !want.is_empty(),
                "{what}: the generated log has no record for this case; the test data must cover it"
            );
        }
        if c.jq != "true" && c.limit.is_none() {
            assert!(
                want.len() < total,
                "{what}: selects every record; the test data must tell it apart"
            );
        }

        let mut json_args = vec!["logs".to_string(), "--json".to_string()];
        json_args.extend(c.args.iter().cloned());
        let output = run_env(home, &json_args, &c.env);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what} --json: {}",
            stderr_of(&output)
        );
        assert_eq!(stderr_of(&output), "", "{what} --json: nothing on stderr");
        assert_same_lines(&format!("{what} --json"), &stdout_lines(&output), &want);

        let mut tsv_args = vec!["logs".to_string()];
        tsv_args.extend(c.args.iter().cloned());
        let output = run_env(home, &tsv_args, &c.env);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: {}",
            stderr_of(&output)
        );
        let want_tsv: Vec<String> = want.iter().map(|l| expected_tsv(l)).collect();
        assert_same_lines(
            &format!("{what} (tab-separated)"),
            &stdout_lines(&output),
            &want_tsv,
        );

        if !c.args.iter().any(|a| a == "--limit" || a == "-n") {
            let mut summary_args = vec![
                "logs".to_string(),
                "summary".to_string(),
                "--json".to_string(),
            ];
            summary_args.extend(c.args.iter().cloned());
            let output = run_env(home, &summary_args, &c.env);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{what} summary: {}",
                stderr_of(&output)
            );
            let got: Value = serde_json::from_str(&stdout_of(&output)).unwrap_or_else(|e| {
                panic!(
                    "{what}: logs summary --json is not one JSON object ({e}): {}",
                    stdout_of(&output)
                )
            });
            let expected = jq_summary(&file, &c.jq);
            assert_eq!(
                got, expected,
                "{what}: logs summary --json differs from jq's counts"
            );
        }
    }
}

fn since(t: &str) -> String {
    format!(".timestamp >= \"{t}\"")
}

fn until(t: &str) -> String {
    format!(".timestamp <= \"{t}\"")
}

#[test]
fn filters_select_exactly_what_jq_selects() {
    if !jq_available() {
        return;
    }
    let home = TestHome::new();
    let mut rng = Rng(0x5f_4800_c0de);
    let records = historic_log(&mut rng);
    write_log(&home.log_path(), &records);
    assert!(
        records.iter().any(|r| r.layout != Layout::Native),
        "some records are in another tool's key order"
    );

    let ids: Vec<&str> = records.iter().map(|r| r.request_id.as_str()).collect();
    let shared = &records[200].request_id[..7];
    assert_eq!(
        ids.iter().filter(|id| id.starts_with(shared)).count(),
        2,
        "the ambiguous prefix matches exactly two ids"
    );
    // A record in another layout, found by its full id and by a unique prefix.
    let foreign = records
        .iter()
        .find(|r| r.layout != Layout::Native && !r.success)
        .expect("a failed foreign record");
    let full = foreign.request_id.as_str();
    let unique = (4..36)
        .map(|n| &full[..n])
        .find(|p| ids.iter().filter(|id| id.starts_with(p)).count() == 1)
        .unwrap();
    let succeeded = records.iter().find(|r| r.success).unwrap();
    let succeeded_prefix = &succeeded.request_id[..12];
    let by_prefix = |p: &str| format!("(.request_id | startswith(\"{p}\"))");

    let code5 = "(.response_code != null and (.response_code / 100 | floor) == 5)";
    let code2 = "(.response_code != null and (.response_code / 100 | floor) == 2)";
    let code4 = "(.response_code != null and (.response_code / 100 | floor) == 4)";
    let upper = full.to_ascii_uppercase();
    let cases = vec![
        case(&[], "true"),
        case(
            &["--since", "2025-03-03"],
            &since("2025-03-03T00:00:00.000Z"),
        ),
        case(
            &["--until", "2025-03-03"],
            &until("2025-03-03T23:59:59.999Z"),
        ),
        case(
            &["--since", "2025-03-03", "--until", "2025-03-03"],
            &format!(
                "{} and {}",
                since("2025-03-03T00:00:00.000Z"),
                until("2025-03-03T23:59:59.999Z")
            ),
        ),
        case(
            &["--since", "2025-03-02T12:00:00+02:00"],
            &since("2025-03-02T10:00:00.000Z"),
        ),
        case(
            &["--until", "2025-03-04T01:30:00-05:00"],
            &until("2025-03-04T06:30:00.000Z"),
        ),
        case(
            &["--since", "2025-03-02T23:59:59.9995Z"],
            &since("2025-03-03T00:00:00.000Z"),
        ),
        case(
            &["--until", "2025-03-03T00:00:00.0005Z"],
            &until("2025-03-03T00:00:00.000Z"),
        ),
        case(
            &[
                "--since",
                "2025-03-03T00:00:00.001Z",
                "--until",
                "2025-03-04T11:59:59.999Z",
            ],
            &format!(
                "{} and {}",
                since("2025-03-03T00:00:00.001Z"),
                until("2025-03-04T11:59:59.999Z")
            ),
        ),
        case(
            &[
                "--since",
                "2025-03-04T12:00:00Z",
                "--until",
                "2025-03-04T12:00:00Z",
            ],
            ".timestamp == \"2025-03-04T12:00:00.000Z\"",
        ),
        case(
            &["--until", "2025-03-01T00:00:00.000Z"],
            &until("2025-03-01T00:00:00.000Z"),
        ),
        case(
            &["--since", "2025-03-03T10:30"],
            &since("2025-03-03T10:30:00.000Z"),
        ),
        case(
            &["--until", "2025-03-03 10:30:00"],
            &until("2025-03-03T10:30:00.000Z"),
        ),
        case(
            &["--since", "2025-03-03t10:30:00.25z"],
            &since("2025-03-03T10:30:00.250Z"),
        ),
        case(&["--code", "500"], ".response_code == 500"),
        case(&["--code", "5xx"], code5),
        case(
            &["--code", "404,500"],
            "(.response_code == 404 or .response_code == 500)",
        ),
        case(&["--code", "none"], ".response_code == null"),
        case(&["--code", "2xx"], code2),
        case(
            &["--code", "4XX", "--code", "none"],
            &format!("({code4} or .response_code == null)"),
        ),
        case(&["--code", "201"], ".response_code == 201"),
        case(
            &["--code", "410", "--event", "device.lost"],
            ".response_code == 410 and .event == \"device.lost\"",
        )
        .may_be_empty(),
        case(
            &["--event", "device-enrolled"],
            ".event == \"device.enrolled\"",
        ),
        case(
            &["--event", "device.sim_swap"],
            ".event == \"device.sim_swap\"",
        ),
        case(
            &["--event", "Device Lost", "--event", "DEVICE-FOUND"],
            "(.event == \"device.lost\" or .event == \"device.found\")",
        ),
        case(
            &["--event", "device.enrolled", "--code", "500"],
            ".event == \"device.enrolled\" and .response_code == 500",
        ),
        case(&["--failed"], ".success == false"),
        case(&["--succeeded"], ".success == true"),
        case(
            &["--failed", "--code", "2xx"],
            &format!(".success == false and {code2}"),
        ),
        case(&["--limit", "7"], "true").limit(7),
        case(&["--failed", "--limit", "3"], ".success == false").limit(3),
        case(&["-n", "1", "--code", "none"], ".response_code == null").limit(1),
        case(&["--limit", "0"], "true"),
        case(&["--profile", "staging"], ".profile == \"staging\""),
        case(&["--profile", "default"], ".profile == \"default\""),
        case(&[], ".profile == \"prod-eu\"").env("SFHOOK_PROFILE", "prod-eu"),
        case(&["--request-id", full], &by_prefix(full)),
        case(&["--request-id", unique], &by_prefix(unique)),
        case(&["--request-id", &upper], &by_prefix(full)),
        case(
            &["--request-id", succeeded_prefix, "--failed"],
            &format!("{} and .success == false", by_prefix(succeeded_prefix)),
        )
        .may_be_empty(),
        case(
            &[
                "--since",
                "2025-03-02",
                "--until",
                "2025-03-05",
                "--code",
                "5xx,none",
                "--event",
                "device-enrolled",
                "--event",
                "device.locked",
                "--event",
                "device-reboot",
                "--failed",
                "--profile",
                "default",
            ],
            &format!(
                "{} and {} and ({code5} or .response_code == null) and (.event == \"device.enrolled\" or .event == \"device.locked\" or .event == \"device.reboot\") and .success == false and .profile == \"default\"",
                since("2025-03-02T00:00:00.000Z"),
                until("2025-03-05T23:59:59.999Z")
            ),
        ),
        case(
            &[
                "--since",
                "2025-03-03T06:00:00+01:00",
                "--code",
                "2xx",
                "--succeeded",
                "--profile",
                "staging",
                "--limit",
                "5",
            ],
            &format!(
                "{} and {code2} and .success == true and .profile == \"staging\"",
                since("2025-03-03T05:00:00.000Z")
            ),
        )
        .limit(5),
    ];
    check_cases(&home, &cases);

    // A prefix that two deliveries share names neither: a usage error, in
    // every command that takes one.
    for args in [
        vec!["logs", "--request-id", shared],
        vec!["logs", "--json", "--request-id", shared],
        vec!["logs", "summary", "--request-id", shared],
        vec!["logs", "show", shared],
    ] {
        let output = run(&home, &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert_eq!(stdout_of(&output), "", "{args:?}");
        assert_eq!(
            stderr_of(&output).lines().count(),
            1,
            "{args:?}: one line: {}",
            stderr_of(&output)
        );
        assert!(
            stderr_of(&output).contains(shared),
            "{args:?}: {}",
            stderr_of(&output)
        );
    }
}

#[test]
fn relative_times_select_exactly_what_jq_selects() {
    if !jq_available() {
        return;
    }
    let home = TestHome::new();
    let now = Timestamp::now();
    let mut rng = Rng(0xfeed_f00d);
    write_log(&home.log_path(), &recent_log(&mut rng, now));
    let ago = |secs: i64| log_time(now - SignedDuration::from_secs(secs));
    let (m30, h2, d7) = (ago(30 * 60), ago(2 * 3600), ago(7 * 86_400));
    let cases = vec![
        case(&["--since", "30m"], &since(&m30)),
        case(&["--since", "2h"], &since(&h2)),
        case(&["--since", "7d"], &since(&d7)),
        case(&["--until", "2h"], &until(&h2)),
        case(&["--until", "7d"], &until(&d7)),
        case(
            &["--since", "7d", "--until", "30m"],
            &format!("{} and {}", since(&d7), until(&m30)),
        ),
        case(
            &["--since", "2h", "--failed"],
            &format!("{} and .success == false", since(&h2)),
        )
        .may_be_empty(),
        case(
            &["--since", "7d", "--code", "5xx", "--profile", "staging"],
            &format!(
                "{} and .response_code >= 500 and .response_code < 600 and .profile == \"staging\"",
                since(&d7)
            ),
        ),
        case(
            &["--since", "7d", "--succeeded", "--limit", "4"],
            &format!("{} and .success", since(&d7)),
        )
        .limit(4),
    ];
    check_cases(&home, &cases);
}

// ---------------------------------------------------------------------------
// Reading what other tools wrote

/// Lines written with spaces, in another key order and with an offset in
/// the timestamp are records like any other: every filter finds them (this
/// needs no jq: the expected records are computed here).
#[test]
fn rewritten_records_are_filtered_like_native_ones() {
    let home = TestHome::new();
    let mut rng = Rng(42);
    let start = ts("2025-05-01T00:00:00Z");
    let times = (0..60)
        .map(|i| start + SignedDuration::from_mins(i * 97))
        .collect();
    let mut records = generate(&mut rng, times, 0);
    for (i, r) in records.iter_mut().enumerate() {
        r.layout = match i % 4 {
            0 => Layout::Native,
            1 => Layout::Spaced,
            2 => Layout::CodeLast,
            _ => Layout::SuccessLast,
        };
        if i % 5 == 0 {
            // The same instant written with an offset, as another tool might.
            r.timestamp =
                r.ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)))
                    .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
                    .to_string();
        }
    }
    write_log(&home.log_path(), &records);

    let check = |args: &[&str], keep: &dyn Fn(&Rec) -> bool| {
        let want: Vec<String> = records.iter().filter(|r| keep(r)).map(Rec::line).collect();
        assert!(
            !want.is_empty() && want.len() < records.len(),
            "{args:?}: the data must tell this filter apart"
        );
        let mut full = vec!["logs", "--json"];
        full.extend_from_slice(args);
        let output = run(&home, &full);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert_eq!(stderr_of(&output), "", "{args:?}");
        assert_same_lines(
            &format!("logs --json {args:?}"),
            &stdout_lines(&output),
            &want,
        );
        let mut summary = vec!["logs", "summary", "--json"];
        summary.extend_from_slice(args);
        let output = run(&home, &summary);
        let got: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
        assert_eq!(
            got["total_events"],
            json!(want.len()),
            "logs summary {args:?}"
        );
    };
    let cutoff = ts("2025-05-02T12:00:00Z");
    for code in [200u16, 201, 404, 429, 500, 503] {
        let text = code.to_string();
        if records.iter().any(|r| r.response_code == Some(code)) {
            check(&["--code", &text], &|r| r.response_code == Some(code));
        }
    }
    check(&["--code", "5xx"], &|r| {
        r.response_code.is_some_and(|c| c / 100 == 5)
    });
    check(&["--code", "none"], &|r| r.response_code.is_none());
    check(&["--failed"], &|r| !r.success);
    check(&["--succeeded"], &|r| r.success);
    check(&["--since", "2025-05-02T12:00:00Z"], &|r| r.ts >= cutoff);
    check(&["--until", "2025-05-02T14:00:00+02:00"], &|r| {
        r.ts <= cutoff
    });
    for event in ["device.enrolled", "device.locked", "device.reboot"] {
        if records.iter().any(|r| r.event == event) {
            check(&["--event", event], &|r| r.event == event);
        }
    }
    for r in records.iter().take(8) {
        let id = r.request_id.clone();
        check(&["--request-id", &id], &|x| x.request_id == id);
        // logs show finds it too, and --json prints the line as stored.
        let output = run(&home, &["logs", "show", &id, "--json"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "logs show {id} ({:?}): {}",
            r.layout,
            stderr_of(&output)
        );
        assert_eq!(stdout_of(&output), format!("{}\n", r.line()));
        let output = run(&home, &["logs", "show", &id, "--raw"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "logs show {id} --raw ({:?})",
            r.layout
        );
        let raw: Value = serde_json::from_slice(&output.stdout).expect("--raw prints the payload");
        assert_eq!(raw, r.payload, "logs show {id} --raw ({:?})", r.layout);
    }
}

// ---------------------------------------------------------------------------
// Output on a pipe

#[test]
fn piped_output_is_plain_tab_separated_text_without_colour() {
    let home = TestHome::new();
    let mut rng = Rng(7);
    let start = ts("2025-06-01T08:00:00Z");
    let mut records = generate(
        &mut rng,
        (0..40)
            .map(|i| start + SignedDuration::from_secs(i * 61))
            .collect(),
        10,
    );
    // Data that would be coloured on a terminal, and data that carries
    // escape sequences of its own.
    records[3].success = false;
    records[3].response_code = None;
    records[3].error = Some("\u{1b}[31mred alert\u{1b}[0m:\tcaught\r\nnext line".into());
    records[4].profile = "stag\u{1b}[1ming".into();
    records[5].success = true;
    records[5].response_code = Some(201);
    records[5].error = None;
    write_log(&home.log_path(), &records);

    for args in [
        vec!["logs"],
        vec!["logs", "--failed"],
        vec!["logs", "--color", "auto"],
        vec!["logs", "--limit", "10"],
        vec!["logs", "summary"],
        vec!["logs", "summary", "--failed"],
        vec!["logs", "show", records[3].request_id.as_str()],
        vec!["logs", "show", records[4].request_id.as_str()],
        vec!["logs", "show", records[5].request_id.as_str()],
    ] {
        let output = run(&home, &args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&output)
        );
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !bytes.contains(&0x1b),
                "{args:?}: escape codes on {stream} through a pipe:\n{}",
                String::from_utf8_lossy(bytes).escape_debug()
            );
        }
    }

    // The documented columns, one line per record, each with nine fields.
    let output = run(&home, &["logs"]);
    let got = stdout_lines(&output);
    let want: Vec<String> = records.iter().map(|r| expected_tsv(&r.line())).collect();
    assert_same_lines("logs on a pipe", &got, &want);
    for line in &got {
        assert_eq!(line.split('\t').count(), 9, "nine columns: {line:?}");
    }
    let fields: Vec<&str> = got[3].split('\t').collect();
    assert_eq!(fields[3], "-", "no code");
    assert_eq!(fields[4], "failed");
    assert_eq!(
        fields[8],
        "\\u{1b}[31mred alert\\u{1b}[0m: caught  next line"
    );
    let fields: Vec<&str> = got[5].split('\t').collect();
    assert_eq!((fields[3], fields[4], fields[8]), ("201", "ok", "-"));
    assert_eq!(fields[0], records[5].timestamp);
    assert_eq!(fields[1], records[5].event);
    assert_eq!(fields[2], records[5].request_id);
    assert_eq!(fields[5], records[5].duration_ms.to_string());
    assert_eq!(fields[6], records[5].attempt.to_string());
    assert_eq!(fields[7], records[5].profile);
}

/// `sfhook logs | head -n 1`: sfhook is still writing when head exits; it
/// must end quietly, with 0.
#[test]
fn a_reader_that_stops_early_ends_sfhook_quietly() {
    let home = TestHome::new();
    let mut file = std::io::BufWriter::new(std::fs::File::create(home.log_path()).unwrap());
    let mut rng = Rng(99);
    let start = ts("2025-01-01T00:00:00Z");
    let template = generate(&mut rng, vec![start], 0).remove(0);
    let records = 20_000;
    for i in 0..records {
        let mut r = template.clone();
        r.request_id = rng.uuid();
        r.ts = start + SignedDuration::from_secs(i);
        r.timestamp = log_time(r.ts);
        writeln!(file, "{}", r.line()).unwrap();
    }
    file.flush().unwrap();
    drop(file);

    for args in [
        vec!["logs"],
        vec!["logs", "--json"],
        vec!["logs", "--code", "5xx,2xx,4xx,none"],
    ] {
        let mut sfhook = home
            .std_cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let head = std::process::Command::new("head")
            .args(["-n", "1"])
            .stdin(sfhook.stdout.take().unwrap())
            .stdout(Stdio::piped())
            .output()
            .expect("run head");
        let output = sfhook.wait_with_output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&head.stdout).lines().count(),
            1,
            "{args:?}"
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: sfhook's own exit status: {}",
            stderr_of(&output)
        );
        assert_eq!(stderr_of(&output), "", "{args:?}: nothing on stderr");
    }
}

// ---------------------------------------------------------------------------
// Robustness

/// `line` cut just after a `}` inside its payload, at or after `into` bytes
/// from the payload's start: what is left ends like a JSON object.
fn cut_inside_payload(line: &str, into: usize) -> &str {
    let payload = line.find("\"payload\":").unwrap() + 10;
    let end = line.find(",\"response_body\":").unwrap();
    let at = payload + into.min(end - payload - 1);
    let brace = line[at..end].find('}').unwrap();
    &line[..at + brace + 1]
}

#[test]
fn torn_and_garbage_lines_are_skipped_with_one_warning() {
    let home = TestHome::new();
    let mut rng = Rng(1234);
    let start = ts("2025-02-01T00:00:00Z");
    let mut records = generate(
        &mut rng,
        (0..12)
            .map(|i| start + SignedDuration::from_mins(i))
            .collect(),
        25,
    );
    // A garbage line; a record whose write was cut inside its payload and
    // later ended by an append (it starts like a record, it is not one);
    // and a last line torn inside its payload, with no newline.
    records[3].layout = Layout::Native;
    records[11].layout = Layout::Native;
    let garbage = "this is not a delivery {\"request_id\":";
    let cut_line = records[3].line();
    let cut = cut_inside_payload(&cut_line, usize::MAX);
    let torn_line = records[11].line();
    let torn = cut_inside_payload(&torn_line, 200);
    let mut bytes = String::new();
    for (i, r) in records[..11].iter().enumerate() {
        if i == 3 {
            bytes.push_str(cut);
            bytes.push('\n');
            continue;
        }
        bytes.push_str(&r.line());
        bytes.push('\n');
        if i == 6 {
            bytes.push_str(garbage);
            bytes.push('\n');
        }
    }
    bytes.push_str(torn);
    std::fs::write(home.log_path(), &bytes).unwrap();
    let cut_record = records.remove(3);
    let intact: Vec<String> = records[..10].iter().map(Rec::line).collect();

    // Unfiltered, all three are counted. A filtered listing does not parse
    // the lines its filter rules out (that is what makes it fast), so the
    // cut line, which starts like a record, counts only if it could match.
    let one_warning = |what: &str, output: &Output, count: usize| {
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: {}",
            stderr_of(output)
        );
        let stderr = stderr_of(output);
        assert_eq!(
            stderr.lines().count(),
            1,
            "{what}: exactly one warning: {stderr}"
        );
        assert!(
            stderr.contains("warning") && stderr.contains(&format!(" {count} ")),
            "{what}: the warning counts {count} lines: {stderr}"
        );
    };
    let output = run(&home, &["logs", "--json"]);
    one_warning("logs --json", &output, 3);
    assert_same_lines("logs --json", &stdout_lines(&output), &intact);
    let output = run(&home, &["logs"]);
    one_warning("logs", &output, 3);
    assert_eq!(stdout_lines(&output).len(), 10);
    let failed: Vec<String> = records[..10]
        .iter()
        .filter(|r| !r.success)
        .map(Rec::line)
        .collect();
    let output = run(&home, &["logs", "--json", "--failed"]);
    one_warning(
        "logs --json --failed",
        &output,
        2 + usize::from(!cut_record.success),
    );
    assert_same_lines("logs --json --failed", &stdout_lines(&output), &failed);
    let output = run(&home, &["logs", "summary", "--json"]);
    one_warning("logs summary --json", &output, 3);
    let summary: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(summary["total_events"], json!(10));
    assert_eq!(summary["total_failed_events"], json!(failed.len()));
    let output = run(&home, &["logs", "summary", "--json", "--code", "none"]);
    one_warning(
        "logs summary --code none",
        &output,
        2 + usize::from(cut_record.response_code.is_none()),
    );
    let output = run(&home, &["logs", "show", &records[7].request_id, "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), format!("{}\n", records[7].line()));
    assert_eq!(
        std::fs::read_to_string(home.log_path()).unwrap(),
        bytes,
        "reading changes nothing"
    );

    // A real delivery now: the torn last line is cut off (and set aside),
    // the new record parses on a line of its own, and nothing before the
    // torn line changed.
    let server = TestServer::start(Reply::with_body(200, "ok"));
    home.configure_active(&server.url());
    home.subscribe(&["device-locked"]);
    home.cmd()
        .args(["send", "device-locked"])
        .assert()
        .success();
    let after = std::fs::read_to_string(home.log_path()).unwrap();
    let kept = bytes.strip_suffix(torn).unwrap();
    let appended = after
        .strip_prefix(kept)
        .expect("the old bytes are kept as they were");
    assert!(
        appended.ends_with('\n') && appended.matches('\n').count() == 1,
        "one new line: {appended:?}"
    );
    let new: Value = serde_json::from_str(appended.trim_end()).expect("the new record parses");
    assert_eq!(
        new["request_id"].as_str(),
        server.received()[0].header("x-sf-request-id")
    );
    for line in after.lines() {
        assert_ne!(line, torn, "the torn line is still in the log");
        if line != garbage && line != cut {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|e| panic!("a line does not parse ({e}): {line}"));
        }
    }
    let output = run(&home, &["logs", "--json"]);
    one_warning("logs --json after send", &output, 2);
    let mut all = intact.clone();
    all.push(appended.trim_end().to_string());
    assert_same_lines("logs --json after send", &stdout_lines(&output), &all);
}

#[test]
fn a_missing_log_is_an_empty_one() {
    let home = TestHome::new();
    for args in [
        vec!["logs"],
        vec!["logs", "--json", "--failed"],
        vec!["logs", "--request-id", "abc"],
    ] {
        let output = run(&home, &args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert_eq!(stdout_of(&output), "", "{args:?}");
    }
    let output = run(&home, &["logs", "summary", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let summary: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(summary["total_events"], json!(0));
    assert_eq!(summary["by_response_code"], json!({}));
    let output = run(&home, &["logs", "show", "abc"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    let output = run(&home, &["logs", "prune", "--before", "2025-01-01", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(!home.log_path().exists(), "prune creates no log");
}

#[test]
fn bad_input_is_a_usage_error_on_one_line() {
    let home = TestHome::new();
    let mut rng = Rng(5);
    let records = generate(
        &mut rng,
        vec![ts("2025-03-01T10:00:00Z"), ts("2025-03-02T10:00:00Z")],
        0,
    );
    let bytes = write_log(&home.log_path(), &records);
    for args in [
        vec!["logs", "--since", "2026-02-30"],
        vec!["logs", "--until", "2026-02-30"],
        vec!["logs", "--since", "2026-13-01"],
        vec!["logs", "--since", "2026-03-01T24:30:00Z"],
        vec!["logs", "--since", "tomorrow"],
        vec!["logs", "--since=-2h"],
        vec!["logs", "--code", "6xx"],
        vec!["logs", "--code", "600"],
        vec!["logs", "--code", "5x"],
        vec!["logs", "--code", "500,"],
        vec!["logs", "--event", "device-enroled"],
        vec!["logs", "--request-id", " "],
        vec!["logs", "--since", "2026-03-02", "--until", "2026-03-01"],
        vec![
            "logs",
            "--since",
            "2026-03-01T10:00:00Z",
            "--until",
            "2026-03-01T09:59:59.999Z",
        ],
        vec!["logs", "--since", "2h", "--until", "3h"],
        vec!["logs", "summary", "--code", "6xx"],
        vec!["logs", "summary", "--since", "2026-02-30"],
        vec!["logs", "--follow", "--until", "2026-02-30"],
        vec!["logs", "prune", "--before", "2026-02-30", "--yes"],
        vec!["logs", "prune", "--before", "soon", "--yes"],
        vec!["logs", "show", "ffffffff"],
    ] {
        let output = run(&home, &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert_eq!(stdout_of(&output), "", "{args:?}");
        let stderr = stderr_of(&output);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let output = run(&home, &["logs", "--event", "device-enroled"]);
    assert!(
        stderr_of(&output).contains("device-enrolled"),
        "suggests the closest event: {}",
        stderr_of(&output)
    );
    let output = run(&home, &["logs", "--since", "2026-02-30"]);
    assert!(
        stderr_of(&output).contains("2026-02-30"),
        "names the bad input: {}",
        stderr_of(&output)
    );
    assert_eq!(
        std::fs::read(home.log_path()).unwrap(),
        bytes,
        "the log is unchanged"
    );
}

// ---------------------------------------------------------------------------
// Prune

#[test]
fn prune_drops_exactly_the_older_records_and_keeps_the_rest_byte_for_byte() {
    let home = TestHome::new();
    let mut rng = Rng(0xdead);
    let records = historic_log(&mut rng);
    let bytes = write_log(&home.log_path(), &records);
    let kept_after = |cutoff: Timestamp| -> Vec<u8> {
        records
            .iter()
            .filter(|r| r.ts >= cutoff)
            .flat_map(|r| format!("{}\n", r.line()).into_bytes())
            .collect()
    };

    // Without a terminal and without --yes: refused, nothing changes.
    let output = run(&home, &["logs", "prune", "--before", "2025-03-03"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output).lines().count(),
        1,
        "{}",
        stderr_of(&output)
    );
    assert!(
        stderr_of(&output).contains("--yes"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(
        std::fs::read(home.log_path()).unwrap(),
        bytes,
        "the log is unchanged"
    );

    for (before, cutoff) in [
        ("2025-03-03", ts("2025-03-03T00:00:00Z")),
        ("2025-03-04T02:00:00+02:00", ts("2025-03-04T00:00:00Z")),
        ("2025-03-04T12:00:00.0005Z", ts("2025-03-04T12:00:00.0005Z")),
        ("2025-03-05T00:00:00.001Z", ts("2025-03-05T00:00:00.001Z")),
    ] {
        let want = kept_after(cutoff);
        let before_prune = std::fs::read(home.log_path()).unwrap();
        assert!(
            want.len() < before_prune.len(),
            "{before}: something to drop"
        );
        let output = run(&home, &["logs", "prune", "--before", before, "--yes"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "prune --before {before}: {}",
            stderr_of(&output)
        );
        let after = std::fs::read(home.log_path()).unwrap();
        assert!(
            after == want,
            "prune --before {before}: kept {} bytes, expected {}",
            after.len(),
            want.len()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(home.log_path())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode & 0o077, 0, "the pruned log is private: {mode:o}");
        }
    }
    // Nothing older left: nothing changes.
    let before_prune = std::fs::read(home.log_path()).unwrap();
    let output = run(&home, &["logs", "prune", "--before", "2025-03-05", "--yes"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read(home.log_path()).unwrap(), before_prune);
}

/// Four processes send in a loop while prunes run: every record a sender
/// wrote (by its own output and by what the server received) is in the log
/// afterwards; only the old, pre-generated records are gone.
#[test]
fn prune_loses_no_record_of_concurrent_senders() {
    let server = TestServer::start(Reply::with_body(200, "ok"));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&[
        "device-enrolled",
        "device-locked",
        "device-lost",
        "device-reboot",
    ]);
    let mut rng = Rng(77);
    let old_start = ts("2020-06-01T00:00:00Z");
    let recent_start = Timestamp::now() - SignedDuration::from_hours(48);
    let mut times: Vec<Timestamp> = (0..200)
        .map(|i| old_start + SignedDuration::from_mins(i * 7))
        .collect();
    times.extend((0..50).map(|i| recent_start + SignedDuration::from_mins(i * 11)));
    let records = generate(&mut rng, times, 10);
    write_log(&home.log_path(), &records);
    let cutoff = ts("2021-01-01T00:00:00Z");
    let recent: BTreeSet<String> = records
        .iter()
        .filter(|r| r.ts >= cutoff)
        .map(|r| r.request_id.clone())
        .collect();

    const SENDERS: usize = 4;
    const SENDS: usize = 15;
    let running = AtomicUsize::new(SENDERS);
    let mut prunes_while_sending = 0;
    let written: Vec<String> = std::thread::scope(|s| {
        let senders: Vec<_> = [
            "device-enrolled",
            "device-locked",
            "device-lost",
            "device-reboot",
        ]
        .into_iter()
        .map(|event| {
            let (home, running) = (&home, &running);
            s.spawn(move || {
                let mut ids = Vec::new();
                for _ in 0..SENDS {
                    let output = home.cmd().args(["send", event, "--json"]).output().unwrap();
                    assert_eq!(
                        output.status.code(),
                        Some(0),
                        "send {event}: {}",
                        stderr_of(&output)
                    );
                    for line in stdout_of(&output).lines() {
                        let record: Value =
                            serde_json::from_str(line).expect("send --json prints records");
                        ids.push(record["request_id"].as_str().unwrap().to_string());
                    }
                }
                running.fetch_sub(1, Ordering::SeqCst);
                ids
            })
        })
        .collect();
        while running.load(Ordering::SeqCst) > 0 {
            let output = run(&home, &["logs", "prune", "--before", "2021-01-01", "--yes"]);
            assert_eq!(
                output.status.code(),
                Some(0),
                "prune: {}",
                stderr_of(&output)
            );
            prunes_while_sending += 1;
        }
        senders
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        prunes_while_sending > 0,
        "the prunes ran while the senders did"
    );
    assert_eq!(
        written.len(),
        SENDERS * SENDS,
        "each send logged its one attempt"
    );

    let received: BTreeSet<String> = server
        .received()
        .iter()
        .map(|r| r.header("x-sf-request-id").unwrap().to_string())
        .collect();
    let written: BTreeSet<String> = written.into_iter().collect();
    assert_eq!(
        received, written,
        "the server got exactly the requests the senders logged"
    );

    let logged: Vec<String> = home
        .log_records()
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    let logged_set: BTreeSet<String> = logged.iter().cloned().collect();
    assert_eq!(logged.len(), logged_set.len(), "no record is duplicated");
    let want: BTreeSet<String> = recent.union(&written).cloned().collect();
    let lost: Vec<&String> = want.difference(&logged_set).collect();
    let extra: Vec<&String> = logged_set.difference(&want).collect();
    assert!(lost.is_empty(), "{} records lost: {lost:?}", lost.len());
    assert!(
        extra.is_empty(),
        "{} records that should have been pruned: {extra:?}",
        extra.len()
    );
}

// ---------------------------------------------------------------------------
// Show

#[test]
fn show_prints_metadata_payload_and_the_exact_body() {
    let server = TestServer::with_handler(|_, n| {
        if n == 0 {
            Reply::with_body(200, "{\"received\":\"yes \\\"really\\\"\"}")
        } else {
            Reply::with_body(503, "busy")
        }
    });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-sim-swap", "device-enrolled"]);
    home.cmd()
        .args(["send", "device-sim-swap"])
        .assert()
        .success();
    let got = server.received();
    let request = &got[0];
    let id = request.header("x-sf-request-id").unwrap().to_string();
    let stored_line = std::fs::read_to_string(home.log_path())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();

    let output = run(&home, &["logs", "show", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    for needle in [
        id.as_str(),
        "device.sim_swap",
        "200",
        request.json()["id"].as_str().unwrap(),
        "default",
        "{\"received\":\"yes \\\"really\\\"\"}",
    ] {
        assert!(
            text.contains(needle),
            "logs show prints {needle:?}:\n{text}"
        );
    }
    let pretty = serde_json::to_string_pretty(&request.json()).unwrap();
    assert!(
        text.contains(&pretty),
        "logs show prints the payload pretty:\n{text}"
    );

    // --raw: the bytes that were signed, so that sign reproduces the
    // signature the server received.
    let output = run(&home, &["logs", "show", &id, "--raw"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, request.body, "--raw prints the exact body");
    let signed = home
        .cmd()
        .arg("sign")
        .write_stdin(output.stdout.clone())
        .output()
        .unwrap();
    assert_eq!(signed.status.code(), Some(0), "{}", stderr_of(&signed));
    assert_eq!(
        stdout_of(&signed).trim_end(),
        request.header("x-sf-signature").unwrap()
    );
    // The same through a real pipe.
    let mut show = home
        .std_cmd()
        .args(["logs", "show", &id, "--raw"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let sign = home
        .std_cmd()
        .arg("sign")
        .stdin(show.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(show.wait().unwrap().success());
    assert_eq!(
        stdout_of(&sign).trim_end(),
        request.header("x-sf-signature").unwrap()
    );

    // --json: the stored line; a unique prefix finds it too.
    let output = run(&home, &["logs", "show", &id[..8], "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), format!("{stored_line}\n"));

    // A failed delivery shows its code and result.
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .code(3);
    let failed = home.log_records().last().unwrap()["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let output = run(&home, &["logs", "show", &failed.to_ascii_uppercase()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains("503") && stdout_of(&output).contains("busy"),
        "{}",
        stdout_of(&output)
    );

    let output = run(&home, &["logs", "show", "0000"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an id that is not in the log: {}",
        stderr_of(&output)
    );
}

// ---------------------------------------------------------------------------
// Follow

/// `logs --follow` as a child process whose stdout lines arrive on a channel.
struct Follower {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Follower {
    fn start(home: &TestHome, args: &[&str]) -> Follower {
        let mut child = home
            .std_cmd()
            .args(["logs", "--follow"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Follower { child, lines }
    }

    /// The next line, waiting up to 20 s for it.
    fn next(&self, what: &str) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("logs --follow printed nothing for {what}"))
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn last_line(home: &TestHome) -> String {
    std::fs::read_to_string(home.log_path())
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string()
}

/// Sends `event` and returns its stored line.
fn send(home: &TestHome, event: &str) -> String {
    home.cmd().args(["send", event]).assert().success();
    last_line(home)
}

fn prune_yes(home: &TestHome, before: &str) {
    let output = run(home, &["logs", "prune", "--before", before, "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
}

#[test]
fn follow_prints_new_records_and_survives_prunes() {
    let server = TestServer::start(Reply::with_body(200, "ok"));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled", "device-lost"]);
    let mut rng = Rng(3);
    let old = generate(
        &mut rng,
        (0..3)
            .map(|i| ts("2020-01-01T00:00:00Z") + SignedDuration::from_hours(i))
            .collect(),
        0,
    );
    write_log(&home.log_path(), &old);
    let first = send(&home, "device-enrolled");

    let follower = Follower::start(&home, &["--json"]);
    for r in &old {
        assert_eq!(follower.next("the backlog"), r.line());
    }
    assert_eq!(follower.next("the backlog"), first);

    // A prune before anything new arrived, then a new record: only the new
    // record is printed (nothing pruned, nothing printed twice).
    prune_yes(&home, "2021-01-01");
    assert_eq!(
        std::fs::read_to_string(home.log_path()).unwrap(),
        format!("{first}\n")
    );
    let second = send(&home, "device-lost");
    assert_eq!(follower.next("a record sent after a prune"), second);
    let third = send(&home, "device-enrolled");
    assert_eq!(follower.next("the next record"), third);

    // Appends, then a prune, then more appends, as they come.
    let fourth = send(&home, "device-enrolled");
    assert_eq!(follower.next("the fourth record"), fourth);
    prune_yes(&home, "2021-01-01");
    let fifth = send(&home, "device-lost");
    assert_eq!(follower.next("a record sent after the second prune"), fifth);
    // A prune that drops records the follower has printed, immediately
    // followed by an append.
    let cutoff = log_time(Timestamp::now() + SignedDuration::from_millis(1));
    prune_yes(&home, &cutoff);
    assert_eq!(
        std::fs::read_to_string(home.log_path()).unwrap(),
        "",
        "everything was pruned"
    );
    let sixth = send(&home, "device-enrolled");
    assert_eq!(
        follower.next("a record sent after everything was pruned"),
        sixth
    );
    let seventh = send(&home, "device-lost");
    assert_eq!(follower.next("the last record"), seventh);
}

#[test]
fn follow_keeps_to_its_filter_on_a_pipe() {
    let server = TestServer::with_handler(|r, _| {
        if r.header("x-sf-event") == Some("device.lost") {
            Reply::status(500)
        } else {
            Reply::status(200)
        }
    });
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.cmd()
        .args(["configure", "--retries", "0"])
        .assert()
        .success();
    home.subscribe(&["device-enrolled", "device-lost"]);
    let follower = Follower::start(&home, &["--failed"]);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    home.cmd().args(["send", "device-lost"]).assert().code(3);
    let lost = last_line(&home);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    home.cmd().args(["send", "device-lost"]).assert().code(3);
    let lost2 = last_line(&home);
    assert_eq!(follower.next("a failed delivery"), expected_tsv(&lost));
    assert_eq!(
        follower.next("another failed delivery"),
        expected_tsv(&lost2)
    );
    let counts: BTreeMap<bool, usize> =
        home.log_records().iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(r["success"].as_bool().unwrap()).or_default() += 1;
            m
        });
    assert_eq!(
        counts.get(&true),
        Some(&2),
        "the successes were logged but not followed"
    );
}

#[test]
fn csv_parses_back_to_exactly_the_records() {
    let home = TestHome::new();
    let mut rng = Rng(4180);
    let mut records = historic_log(&mut rng);
    // Everything RFC 4180 must quote: commas, quotes, CR, LF, in the
    // fields that hold outside text.
    records[3].response_body = "a, \"quoted\" answer\r\nover two lines\n".into();
    records[4].error = Some("refused, \"twice\"\nand more".into());
    records[5].response_body = ",\",\r".into();
    write_log(&home.log_path(), &records);

    let out = run(&home, &["logs", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout.ends_with(b"\r\n"), "records end in CRLF");
    let header_end = out.stdout.windows(2).position(|w| w == b"\r\n").unwrap();
    assert_eq!(
        std::str::from_utf8(&out.stdout[..header_end]).unwrap(),
        "request_id,event_id,event,timestamp,url,response_code,success,error,duration_ms,\
         attempt,redelivery_of,profile,payload,response_body"
    );

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), records.len());
    for (row, rec) in rows.iter().zip(&records) {
        let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
        let want = [
            rec.request_id.clone(),
            rec.event_id.clone(),
            rec.event.to_string(),
            rec.timestamp.clone(),
            rec.url.clone(),
            rec.response_code.map(|c| c.to_string()).unwrap_or_default(),
            rec.success.to_string(),
            or_empty(&rec.error),
            rec.duration_ms.to_string(),
            rec.attempt.to_string(),
            or_empty(&rec.redelivery_of),
            rec.profile.clone(),
        ];
        for (i, want) in want.iter().enumerate() {
            assert_eq!(&row[i], want, "column {i} of {}", rec.request_id);
        }
        let payload: Value = serde_json::from_str(&row[12]).expect("the payload is JSON");
        assert_eq!(payload, rec.payload, "payload of {}", rec.request_id);
        assert_eq!(
            &row[13], rec.response_body,
            "response_body of {}",
            rec.request_id
        );
    }

    // Filters apply as to every format; the header comes even for no rows.
    let failed = run(&home, &["logs", "--format", "csv", "--failed"]);
    let mut reader = csv::Reader::from_reader(failed.stdout.as_slice());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let want: Vec<String> = records
        .iter()
        .filter(|r| !r.success)
        .map(|r| r.request_id.clone())
        .collect();
    assert_eq!(ids, want);
    let none = run(&home, &["logs", "--format", "csv", "--since", "2099-01-01"]);
    assert_eq!(
        csv::Reader::from_reader(none.stdout.as_slice())
            .records()
            .count(),
        0
    );
    assert!(none.stdout.starts_with(b"request_id,"));

    // --json is --format json; the two together are a usage error.
    let both = run(&home, &["logs", "--json", "--format", "csv"]);
    assert_eq!(both.status.code(), Some(2));
}
