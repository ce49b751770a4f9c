//! The JSON Schema (draft 2020-12) of each event's payload, derived from
//! the samples themselves so that the two cannot drift: the properties,
//! their types and which are required come from the event's sample on
//! every platform it supports; what a type cannot say (a description for
//! every property, formats, enums) comes from the tables below, keyed by
//! the property's path. A sample property without a description is an
//! error, and a unit test builds every schema, so a new field cannot ship
//! undocumented. Pure: no I/O.
//!
//! Objects accept properties the schema does not list (no
//! `additionalProperties: false`): a receiver should tolerate fields a later
//! version adds, and a schema that forbade them would teach the opposite.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::core::catalog::{EVENTS, Event, Platform};

use super::{DEVICE_STATUSES, sample};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

const TOLERANT: &str = "Objects may carry properties not listed here: a later version may add fields, so ignore those you do not know.";

/// What a schema adds to a property's inferred type.
#[derive(Clone, Copy)]
enum Kind {
    Plain,
    DateTime,
    Uuid,
    Email,
    OneOf(&'static [&'static str]),
    /// The event's own wire name: one value per event.
    Wire,
    /// A string, or null where the device has none: a sample of one
    /// platform may show only one of the two.
    TextOrNull,
}

struct Field {
    path: &'static str,
    kind: Kind,
    description: &'static str,
}

const fn field(path: &'static str, kind: Kind, description: &'static str) -> Field {
    Field {
        path,
        kind,
        description,
    }
}

const PLATFORMS: &[&str] = &["android", "ios", "macos", "windows", "linux"];
const DATA_TYPES: &[&str] = &["string", "number", "date"];

use Kind::{DateTime, Email, OneOf, Plain, TextOrNull, Uuid, Wire};

/// The envelope, by path from the document's root.
const ENVELOPE: &[Field] = &[
    field(
        "id",
        Uuid,
        "The event's id: the same across retries and redeliveries, so deduplicate on it.",
    ),
    field(
        "event",
        Wire,
        "The event's wire name, as in the X-SF-Event header.",
    ),
    field(
        "created_at",
        DateTime,
        "When the event happened (RFC 3339, UTC, seconds).",
    ),
    field("data", Plain, "The event's data."),
    field(
        "data.devices",
        Plain,
        "The devices the event is about, shaped like Scalefusion's device API.",
    ),
];

/// A device, by path from the device object; `[]` stands for an array's items.
const DEVICE: &[Field] = &[
    field("", Plain, "A device, shaped like Scalefusion's device API."),
    field("id", Plain, "The device's numeric id in the dashboard."),
    field("name", Plain, "The device's name."),
    field("serial_no", Plain, "The device's serial number."),
    field(
        "imei_no",
        TextOrNull,
        "The device's 15-digit IMEI; null for devices without a modem.",
    ),
    field("make", Plain, "The manufacturer."),
    field("model", Plain, "The model name."),
    field("os_type", OneOf(PLATFORMS), "The device's platform."),
    field(
        "os_version",
        Plain,
        "The operating system's version, as the device reports it.",
    ),
    field(
        "status",
        OneOf(DEVICE_STATUSES),
        "The device's management status.",
    ),
    field("locked", Plain, "Whether the device is locked."),
    field("enrollment_date", DateTime, "When the device was enrolled."),
    field(
        "last_connected_at",
        DateTime,
        "When the device last reached the server.",
    ),
    field("group", Plain, "The device group it belongs to."),
    field("group.id", Plain, "The group's id."),
    field("group.name", Plain, "The group's name."),
    field("device_profile", Plain, "The device profile applied to it."),
    field("device_profile.id", Plain, "The profile's id."),
    field("device_profile.name", Plain, "The profile's name."),
    field("battery_status", Plain, "Battery charge, in percent."),
    field("battery_charging", Plain, "Whether the device is charging."),
    field("ip_address", Plain, "The device's last known IP address."),
    field("mac_address", Plain, "The device's Wi-Fi MAC address."),
    field(
        "custom_properties",
        Plain,
        "The device's custom properties, as set in the dashboard.",
    ),
    field("custom_properties[]", Plain, "One custom property."),
    field("custom_properties[].name", Plain, "The property's name."),
    field(
        "custom_properties[].value",
        Plain,
        "The property's value, as text whatever its data type.",
    ),
    field(
        "custom_properties[].data_type",
        OneOf(DATA_TYPES),
        "How to read the value.",
    ),
    // device.enrolled
    field("enrollment", Plain, "How the device was enrolled."),
    field("enrollment.method", Plain, "The enrollment method."),
    field(
        "enrollment.enrolled_by",
        Email,
        "The admin who enrolled it.",
    ),
    field("enrollment.enrolled_at", DateTime, "When it was enrolled."),
    // device.activated
    field("activation", Plain, "The license activation."),
    field(
        "activation.activated_at",
        DateTime,
        "When the license was activated.",
    ),
    field("activation.license_type", Plain, "The license's type."),
    field(
        "activation.kiosk_mode",
        Plain,
        "Whether the device runs in kiosk mode.",
    ),
    // device.unenrolled
    field("unenrollment", Plain, "The unenrollment."),
    field(
        "unenrollment.unenrolled_at",
        DateTime,
        "When the device was unenrolled.",
    ),
    field(
        "unenrollment.unenrolled_by",
        Email,
        "The admin who unenrolled it.",
    ),
    field("unenrollment.reason", Plain, "Why, as the admin wrote it."),
    // device.deleted
    field("deletion", Plain, "The deletion."),
    field(
        "deletion.deleted_at",
        DateTime,
        "When the device was deleted.",
    ),
    field("deletion.deleted_by", Email, "The admin who deleted it."),
    field("deletion.reason", Plain, "Why, as the admin wrote it."),
    // device.locked, device.unlocked
    field("lock", Plain, "The lock or unlock."),
    field("lock.locked", Plain, "Whether the device is locked now."),
    field("lock.locked_at", DateTime, "When the device was locked."),
    field("lock.locked_by", Email, "The admin who locked it."),
    field(
        "lock.message",
        Plain,
        "The message shown on the locked screen.",
    ),
    field(
        "lock.unlocked_at",
        DateTime,
        "When the device was unlocked.",
    ),
    field("lock.unlocked_by", Email, "The admin who unlocked it."),
    // device.lost, device.found
    field("lost_mode", Plain, "Lost mode."),
    field("lost_mode.enabled", Plain, "Whether lost mode is on now."),
    field(
        "lost_mode.enabled_at",
        DateTime,
        "When lost mode was switched on.",
    ),
    field(
        "lost_mode.enabled_by",
        Email,
        "The admin who switched it on.",
    ),
    field(
        "lost_mode.message",
        Plain,
        "The message shown on the lost device.",
    ),
    field(
        "lost_mode.phone_number",
        Plain,
        "The number the finder should call.",
    ),
    field(
        "lost_mode.footnote",
        Plain,
        "The footnote shown under the message.",
    ),
    field(
        "lost_mode.disabled_at",
        DateTime,
        "When lost mode was switched off.",
    ),
    field(
        "lost_mode.disabled_by",
        Email,
        "The admin who switched it off.",
    ),
    field("location", Plain, "The device's last location."),
    field("location.latitude", Plain, "Latitude, in degrees."),
    field("location.longitude", Plain, "Longitude, in degrees."),
    field("location.accuracy_m", Plain, "Accuracy, in metres."),
    field(
        "location.captured_at",
        DateTime,
        "When the location was captured.",
    ),
    // device.shutdown, device.reboot
    field("power", Plain, "The power action."),
    field("power.action", Plain, "What was asked: shutdown or reboot."),
    field("power.requested_at", DateTime, "When it was asked."),
    field("power.requested_by", Email, "The admin who asked."),
    field(
        "power.uptime_seconds",
        Plain,
        "The device's uptime when asked, in seconds.",
    ),
    // device.user_signed_in, device.user_signed_out
    field("user", Plain, "The user who signed in or out."),
    field("user.id", Plain, "The user's id."),
    field("user.name", Plain, "The user's name."),
    field("user.email", Email, "The user's email address."),
    field("user.signed_in_at", DateTime, "When the user signed in."),
    field("user.signed_out_at", DateTime, "When the user signed out."),
    // device.custom_properties_updated
    field(
        "changed_properties",
        Plain,
        "The custom properties that changed.",
    ),
    field("changed_properties[]", Plain, "One change."),
    field("changed_properties[].name", Plain, "The property's name."),
    field("changed_properties[].old_value", Plain, "Its value before."),
    field("changed_properties[].new_value", Plain, "Its value now."),
    field(
        "changed_properties[].data_type",
        OneOf(DATA_TYPES),
        "How to read the values.",
    ),
    field("updated_by", Email, "The admin who changed them."),
    // device.sim_swap
    field("sim_swap", Plain, "The SIM swap."),
    field(
        "sim_swap.detected_at",
        DateTime,
        "When the swap was detected.",
    ),
    field("sim_swap.old_sim", Plain, "The SIM before."),
    field("sim_swap.old_sim.slot", Plain, "The SIM slot, from 1."),
    field("sim_swap.old_sim.iccid", Plain, "The SIM's ICCID."),
    field("sim_swap.old_sim.operator", Plain, "The mobile operator."),
    field(
        "sim_swap.old_sim.phone_number",
        Plain,
        "The SIM's phone number.",
    ),
    field("sim_swap.new_sim", Plain, "The SIM now."),
    field("sim_swap.new_sim.slot", Plain, "The SIM slot, from 1."),
    field("sim_swap.new_sim.iccid", Plain, "The SIM's ICCID."),
    field("sim_swap.new_sim.operator", Plain, "The mobile operator."),
    field(
        "sim_swap.new_sim.phone_number",
        Plain,
        "The SIM's phone number.",
    ),
];

const DEVICE_PATH: &str = "data.devices[]";

fn lookup(path: &str) -> Option<&'static Field> {
    let device = if path == DEVICE_PATH {
        Some("")
    } else {
        path.strip_prefix("data.devices[].")
    };
    match device {
        Some(rest) => DEVICE.iter().find(|f| f.path == rest),
        None => ENVELOPE.iter().find(|f| f.path == path),
    }
}

/// The schema of one event's payload, a document of its own.
pub(crate) fn event_schema(event: &Event) -> Result<Value, String> {
    let mut schema = Map::new();
    schema.insert("$schema".to_string(), json!(DRAFT));
    schema.extend(body_schema(event)?);
    Ok(Value::Object(schema))
}

/// Every event's schema in one document: a `$defs` entry per event, named
/// as a type would be (`DeviceEnrolled`), and a `oneOf` of them. A receiver
/// validates any body against this one document, and code generators
/// (quicktype, datamodel-code-generator, json-schema-to-typescript) turn it
/// into one named type per event and a union of them, told apart by
/// `event`, whose enum has one value per definition.
pub(crate) fn all_schema() -> Result<Value, String> {
    let mut defs = Map::new();
    let mut one_of = Vec::new();
    for event in &EVENTS {
        let name = type_name(event);
        one_of.push(json!({ "$ref": format!("#/$defs/{name}") }));
        defs.insert(name, Value::Object(body_schema(event)?));
    }
    Ok(json!({
        "$schema": DRAFT,
        "title": "sfhook webhook payload",
        "description": format!("The body of any sfhook delivery; `event` tells which definition applies. {TOLERANT}"),
        "oneOf": one_of,
        "$defs": defs,
    }))
}

/// `Device Sim Swap` → `DeviceSimSwap`.
fn type_name(event: &Event) -> String {
    event
        .name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn body_schema(event: &Event) -> Result<Map<String, Value>, String> {
    // Any fixed time: only the samples' shapes matter here.
    let at = Timestamp::UNIX_EPOCH;
    let id = "00000000-0000-4000-8000-000000000000";
    let samples: Vec<Value> = event
        .platforms()
        .map(|platform: Platform| sample(event, platform, id, at, 0))
        .collect();
    let values: Vec<&Value> = samples.iter().collect();
    let mut missing = Vec::new();
    let mut schema = infer(event, &values, "", &mut missing);
    if !missing.is_empty() {
        return Err(format!(
            "no description for {} in {}",
            missing.join(", "),
            event.wire
        ));
    }
    schema.insert("title".to_string(), json!(event.name));
    schema.insert(
        "description".to_string(),
        json!(format!("The body of a {} delivery. {TOLERANT}", event.wire)),
    );
    // Title and description first, as a reader expects.
    let mut ordered = Map::new();
    for key in ["title", "description"] {
        if let Some(value) = schema.remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    ordered.extend(schema);
    Ok(ordered)
}

/// The schema of the values found at `path` in every sample: their types,
/// and for objects the union of their properties, required if every value
/// has it; for arrays the schema of all their items together.
fn infer(
    event: &Event,
    values: &[&Value],
    path: &str,
    missing: &mut Vec<String>,
) -> Map<String, Value> {
    let mut schema = Map::new();
    if !path.is_empty() {
        match lookup(path) {
            Some(field) => {
                schema.insert("description".to_string(), json!(field.description));
                match field.kind {
                    Kind::Plain | Kind::TextOrNull => {}
                    Kind::DateTime => {
                        schema.insert("format".to_string(), json!("date-time"));
                    }
                    Kind::Uuid => {
                        schema.insert("format".to_string(), json!("uuid"));
                    }
                    Kind::Email => {
                        schema.insert("format".to_string(), json!("email"));
                    }
                    Kind::OneOf(names) => {
                        schema.insert("enum".to_string(), json!(names));
                    }
                    Kind::Wire => {
                        schema.insert("enum".to_string(), json!([event.wire]));
                    }
                }
            }
            None => missing.push(path.to_string()),
        }
    }
    let mut types: Vec<&str> = Vec::new();
    for value in values {
        let name = type_of(value);
        if !types.contains(&name) {
            types.push(name);
        }
    }
    // An integer in one sample and a fraction in another is a number.
    if types.contains(&"number") {
        types.retain(|t| *t != "integer");
    }
    if matches!(lookup(path), Some(f) if matches!(f.kind, Kind::TextOrNull)) {
        types = vec!["string", "null"];
    }
    schema.insert(
        "type".to_string(),
        match types.as_slice() {
            [one] => json!(one),
            many => json!(many),
        },
    );

    let objects: Vec<&Map<String, Value>> = values.iter().filter_map(|v| v.as_object()).collect();
    if !objects.is_empty() {
        let mut keys: Vec<&String> = Vec::new();
        for object in &objects {
            for key in object.keys() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        for key in keys {
            let found: Vec<&Value> = objects.iter().filter_map(|o| o.get(key)).collect();
            if found.len() == objects.len() {
                required.push(json!(key));
            }
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            properties.insert(
                key.clone(),
                Value::Object(infer(event, &found, &child, missing)),
            );
        }
        schema.insert("properties".to_string(), Value::Object(properties));
        schema.insert("required".to_string(), Value::Array(required));
    }

    let arrays: Vec<&Vec<Value>> = values.iter().filter_map(|v| v.as_array()).collect();
    if !arrays.is_empty() {
        let items: Vec<&Value> = arrays.iter().flat_map(|a| a.iter()).collect();
        let child = format!("{path}[]");
        schema.insert(
            "items".to_string(),
            Value::Object(infer(event, &items, &child, missing)),
        );
        // Every event is about at least one device.
        if path == "data.devices" {
            schema.insert("minItems".to_string(), json!(1));
        }
    }
    schema
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_field_is_described() {
        for event in &EVENTS {
            event_schema(event).unwrap();
        }
        all_schema().unwrap();
    }

    /// Every described path is in some sample: the table holds no field
    /// that the samples lost.
    #[test]
    fn every_description_is_used() {
        let all = all_schema().unwrap().to_string();
        for field in DEVICE.iter().chain(ENVELOPE) {
            let last = field
                .path
                .rsplit('.')
                .next()
                .unwrap()
                .trim_end_matches("[]");
            if !last.is_empty() {
                assert!(all.contains(&format!("\"{last}\"")), "{}", field.path);
            }
        }
    }

    /// A timestamp in a sample has `format: date-time`, so that the table
    /// cannot forget one.
    #[test]
    fn every_timestamp_has_the_date_time_format() {
        fn walk(value: &Value, path: &str, found: &mut Vec<String>) {
            match value {
                Value::String(s) if s.parse::<Timestamp>().is_ok() => found.push(path.to_string()),
                Value::Object(map) => {
                    for (key, child) in map {
                        let child_path = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        walk(child, &child_path, found);
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        walk(item, &format!("{path}[]"), found);
                    }
                }
                _ => {}
            }
        }
        for event in &EVENTS {
            for platform in event.platforms() {
                let mut found = Vec::new();
                walk(
                    &sample(event, platform, "e", Timestamp::UNIX_EPOCH, 0),
                    "",
                    &mut found,
                );
                for path in found {
                    let field = lookup(&path).unwrap();
                    assert!(matches!(field.kind, Kind::DateTime), "{path}");
                }
            }
        }
    }

    #[test]
    fn the_envelope_is_typed() {
        let event = crate::core::catalog::resolve("device-sim-swap").unwrap();
        let schema = event_schema(event).unwrap();
        assert_eq!(schema["$schema"], DRAFT);
        assert_eq!(schema["properties"]["id"]["format"], "uuid");
        assert_eq!(schema["properties"]["event"]["enum"], json!([event.wire]));
        assert_eq!(schema["properties"]["created_at"]["format"], "date-time");
        let device = &schema["properties"]["data"]["properties"]["devices"]["items"];
        assert_eq!(device["properties"]["os_type"]["enum"], json!(PLATFORMS));
        assert!(
            device["required"]
                .as_array()
                .unwrap()
                .contains(&json!("sim_swap"))
        );
        assert_eq!(
            PLATFORMS,
            Platform::ALL.map(Platform::name).as_slice(),
            "os_type's enum is the five platforms"
        );
    }
}
