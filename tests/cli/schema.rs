//! `events show --compact` and `events schema`: the sample a receiver
//! developer copies is the body `mock` sends, and every sample of every
//! event on every platform validates against the schema `events schema`
//! prints, as two independent validators (`jsonschema` and `boon`) judge it.

use serde_json::{Value, json};

use crate::support::*;

const SEED: &str = "7";
const AT: &str = "2026-01-01T00:00:00Z";

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout_of(output)))
}

/// Every event's slug with the platforms it supports, from `events --json`.
fn catalogue(home: &TestHome) -> Vec<(String, Vec<String>)> {
    let list = json_of(&run_ok(home, &["events", "--json"]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let platforms = e["platforms"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, on)| on.as_bool().unwrap())
                .map(|(p, _)| p.clone())
                .collect();
            (e["slug"].as_str().unwrap().to_string(), platforms)
        })
        .collect()
}

/// A schema compiled by both validators, with formats asserted.
struct Validators {
    jsonschema: jsonschema::Validator,
    boon: boon::Schemas,
    boon_index: boon::SchemaIndex,
}

impl Validators {
    fn new(schema: &Value) -> Validators {
        let jsonschema = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
            .unwrap_or_else(|e| panic!("jsonschema refuses the schema: {e}"));
        let mut boon = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler
            .add_resource("sfhook.schema.json", schema.clone())
            .unwrap();
        let boon_index = compiler
            .compile("sfhook.schema.json", &mut boon)
            .unwrap_or_else(|e| panic!("boon refuses the schema: {e}"));
        Validators {
            jsonschema,
            boon,
            boon_index,
        }
    }

    /// Both validators' verdicts: the errors each one found, if any.
    fn check(&self, instance: &Value) -> (Result<(), String>, Result<(), String>) {
        let first: Vec<String> = self
            .jsonschema
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        let first = if first.is_empty() {
            Ok(())
        } else {
            Err(first.join("; "))
        };
        let second = self
            .boon
            .validate(instance, self.boon_index)
            .map_err(|e| format!("{e:#}"));
        (first, second)
    }

    fn assert_valid(&self, instance: &Value, what: &str) {
        let (first, second) = self.check(instance);
        assert!(first.is_ok(), "jsonschema: {what}: {}", first.unwrap_err());
        assert!(second.is_ok(), "boon: {what}: {}", second.unwrap_err());
    }

    fn assert_invalid(&self, instance: &Value, what: &str) {
        let (first, second) = self.check(instance);
        assert!(first.is_err(), "jsonschema accepted {what}");
        assert!(second.is_err(), "boon accepted {what}");
    }
}

fn show_compact(home: &TestHome, slug: &str, platform: &str, seeded: bool) -> Vec<u8> {
    let mut args = vec!["events", "show", slug, "--platform", platform, "--compact"];
    if seeded {
        args.extend(["--seed", SEED, "--at", AT]);
    }
    let body = run_ok(home, &args).stdout;
    assert!(!body.ends_with(b"\n"), "a trailing newline on a pipe");
    body
}

#[test]
fn every_sample_on_every_platform_validates_against_its_schema() {
    let home = TestHome::new();
    let all = Validators::new(&json_of(&run_ok(&home, &["events", "schema", "--all"])));
    for (slug, platforms) in catalogue(&home) {
        let schema = json_of(&run_ok(&home, &["events", "schema", &slug]));
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let own = Validators::new(&schema);
        for platform in &platforms {
            for seeded in [false, true] {
                let body = show_compact(&home, &slug, platform, seeded);
                let sample: Value = serde_json::from_slice(&body).unwrap();
                let what = format!("{slug} on {platform} (seeded: {seeded})");
                own.assert_valid(&sample, &what);
                all.assert_valid(&sample, &what);
            }
        }
        // The pretty form is the same document.
        let pretty = json_of(&run_ok(
            &home,
            &[
                "events",
                "show",
                &slug,
                "--seed",
                SEED,
                "--at",
                AT,
                "--platform",
                &platforms[0],
            ],
        ));
        let compact: Value =
            serde_json::from_slice(&show_compact(&home, &slug, &platforms[0], true)).unwrap();
        assert_eq!(pretty, compact, "{slug}");
    }
}

#[test]
fn the_schema_rejects_a_wrong_os_type_a_missing_field_and_a_wrong_event() {
    let home = TestHome::new();
    let schema = json_of(&run_ok(&home, &["events", "schema", "device-locked"]));
    let all = json_of(&run_ok(&home, &["events", "schema", "--all"]));
    let sample: Value =
        serde_json::from_slice(&show_compact(&home, "device-locked", "ios", true)).unwrap();
    for validators in [Validators::new(&schema), Validators::new(&all)] {
        validators.assert_valid(&sample, "the sample");

        let mut wrong_os = sample.clone();
        wrong_os["data"]["devices"][0]["os_type"] = json!("chromeos");
        validators.assert_invalid(&wrong_os, "os_type chromeos");

        let mut missing = sample.clone();
        missing["data"]["devices"][0]
            .as_object_mut()
            .unwrap()
            .remove("serial_no");
        validators.assert_invalid(&missing, "a device without serial_no");

        let mut no_id = sample.clone();
        no_id.as_object_mut().unwrap().remove("id");
        validators.assert_invalid(&no_id, "a body without id");

        let mut wrong_event = sample.clone();
        wrong_event["event"] = json!("device.exploded");
        validators.assert_invalid(&wrong_event, "event device.exploded");

        let mut wrong_status = sample.clone();
        wrong_status["data"]["devices"][0]["status"] = json!("sleepy");
        validators.assert_invalid(&wrong_status, "status sleepy");

        let mut bad_time = sample.clone();
        bad_time["created_at"] = json!("yesterday");
        validators.assert_invalid(&bad_time, "created_at yesterday");

        // A field a later version adds is tolerated.
        let mut extra = sample.clone();
        extra["data"]["devices"][0]["new_field"] = json!(1);
        validators.assert_valid(&extra, "an unknown device field");
    }
    // The one event's schema names only its own wire name.
    let mut other_event = sample.clone();
    other_event["event"] = json!("device.unlocked");
    Validators::new(&schema).assert_invalid(&other_event, "device.unlocked under device.locked");
}

#[test]
fn every_property_of_every_schema_is_described() {
    fn walk(schema: &Value, path: &str) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                let here = format!("{path}.{key}");
                assert!(
                    property["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{here} has no description"
                );
                walk(property, &here);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{path}[]"));
        }
    }
    let home = TestHome::new();
    let all = json_of(&run_ok(&home, &["events", "schema", "--all"]));
    for (name, definition) in all["$defs"].as_object().unwrap() {
        walk(definition, name);
    }
}

#[test]
fn the_all_schema_has_all_fourteen_events() {
    let home = TestHome::new();
    let all = json_of(&run_ok(&home, &["events", "schema", "--all"]));
    let defs = all["$defs"].as_object().unwrap();
    assert_eq!(defs.len(), 14);
    assert_eq!(all["oneOf"].as_array().unwrap().len(), 14);
    let mut wires: Vec<&str> = defs
        .values()
        .map(|d| d["properties"]["event"]["enum"][0].as_str().unwrap())
        .collect();
    wires.sort_unstable();
    wires.dedup();
    assert_eq!(wires.len(), 14);
    for event in json_of(&run_ok(&home, &["events", "--json"]))
        .as_array()
        .unwrap()
    {
        let wire = event["event"].as_str().unwrap();
        assert!(wires.contains(&wire), "{wire} is missing");
    }
}

#[test]
fn events_schema_needs_an_event_or_all() {
    let home = TestHome::new();
    let out = run(&home, &["events", "schema"]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    let out = run(&home, &["events", "schema", "device-lockd"]);
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(stderr_of(&out).contains("device-locked"));
}

/// What `events show X --compact | sfhook sign` prints is the signature a
/// seeded mock of X carried on the wire, and the body is the same bytes.
#[test]
fn the_compact_sample_signs_as_the_mock_on_the_wire() {
    let home = TestHome::new();
    let server = TestServer::start(Reply::status(200));
    let cases = [
        ("device-enrolled", "android"),
        ("device-locked", "ios"),
        ("device-sim-swap", "android"),
        ("device-user-signed-in", "windows"),
        ("device-custom-properties-updated", "linux"),
    ];
    for (n, (slug, platform)) in cases.iter().enumerate() {
        home.mock_at(&server.url(), slug)
            .args(["--platform", platform, "--seed", SEED, "--at", AT])
            .assert()
            .success();
        let received = server.received();
        let wire = &received[n];

        let body = show_compact(&home, slug, platform, true);
        assert_eq!(body, wire.body, "{slug} on {platform}: the bytes differ");
        let signed = home
            .cmd()
            .env("SFHOOK_SECRET", SECRET)
            .arg("sign")
            .write_stdin(body)
            .output()
            .unwrap();
        assert!(signed.status.success(), "{}", describe(&signed));
        assert_eq!(
            stdout_of(&signed).trim(),
            wire.header("x-sf-signature").unwrap(),
            "{slug} on {platform}"
        );
    }
}
