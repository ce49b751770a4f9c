//! What a delivery carries: the sample document of each event (or the
//! user's own), edited by `--set` and `--unset`, serialised compactly.
//! Pure: no I/O.
//!
//! Every sample has the same envelope, `{id, event, created_at, data:
//! {devices: [...]}}`, and devices shaped like Scalefusion's device API; each
//! event adds to its devices what a receiver of that event needs (see the
//! README's table).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::core::catalog::{Event, Platform};
use crate::core::units::format_timestamp_seconds;

mod body;
mod edit;
mod schema;

pub(crate) use body::{BodyBuilder, BodySource, PayloadSpec};
pub use edit::{Assignment, Removal, compact, event_id_of, parse_document};
pub(crate) use schema::{all_schema, event_schema};

/// A device's `status`: `active`, or what the event made of it. The schema's
/// enum; a sample with another status fails the schema tests.
pub(crate) const DEVICE_STATUSES: &[&str] = &["active", "unenrolled", "deleted", "lost"];

/// Bodies larger than this are refused: a webhook is a notification, and
/// the whole body is held in memory, signed and logged.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The sample document for `event` on `platform`. `device_no` varies the
/// device (id, name, serial, IMEI, ...) so that a burst looks like a mass
/// enrollment rather than one device enrolling many times; the platform
/// varies it too, so that no two platforms share a device.
pub fn sample(
    event: &Event,
    platform: Platform,
    event_id: &str,
    created_at: Timestamp,
    device_no: u32,
) -> Value {
    let mut sample = Sample::new(event, platform, created_at);
    sample.stamp(event_id, device_no);
    sample.document
}

/// A sample document that can be stamped with another event id and device
/// in place: a burst builds the document once and re-stamps it for every
/// request instead of building thousands of documents.
#[derive(Debug, Clone)]
pub struct Sample {
    document: Value,
    platform: Platform,
}

impl Sample {
    pub fn new(event: &Event, platform: Platform, created_at: Timestamp) -> Sample {
        let mut device = device(platform, created_at);
        add_event_details(&mut device, event, platform, created_at);
        let document = json!({
            "id": "",
            "event": event.wire,
            "created_at": format_timestamp_seconds(created_at),
            "data": { "devices": [Value::Object(device)] },
        });
        let mut sample = Sample { document, platform };
        sample.stamp("", 0);
        sample
    }

    /// Sets the event id and the device's identity. An edit may have
    /// removed the device; then only the id is set.
    pub fn stamp(&mut self, event_id: &str, device_no: u32) {
        if let Value::Object(document) = &mut self.document {
            document.insert("id".to_string(), Value::String(event_id.to_string()));
        }
        if let Some(Value::Object(device)) = self.document.pointer_mut("/data/devices/0") {
            set_identity(device, self.platform, device_no);
        }
    }

    pub fn document(&self) -> &Value {
        &self.document
    }

    pub fn document_mut(&mut self) -> &mut Value {
        &mut self.document
    }
}

struct Model {
    make: &'static str,
    model: &'static str,
    os_version: &'static str,
    name: &'static str,
    /// Device 0's id; the others follow it. Twenty million apart, so that
    /// no burst (at most ten million, after a seed's offset) reaches the
    /// next platform's devices.
    first_id: u64,
    serial_prefix: &'static str,
    /// The IMEI's type allocation code (8 digits), for models with a modem.
    imei_tac: Option<&'static str>,
    group: &'static str,
    profile: &'static str,
    enrollment_method: &'static str,
}

fn model(platform: Platform) -> Model {
    match platform {
        Platform::Android => Model {
            make: "Samsung",
            model: "Galaxy Tab Active4 Pro (SM-T636B)",
            os_version: "14",
            name: "Warehouse Tablet",
            first_id: 8_416_200,
            serial_prefix: "R52W70",
            imei_tac: Some("35209911"),
            group: "Warehouse Scanners",
            profile: "Warehouse Kiosk - Android",
            enrollment_method: "Android Zero-Touch",
        },
        Platform::Ios => Model {
            make: "Apple",
            model: "iPhone 15",
            os_version: "17.6.1",
            // Non-ASCII (U+2019, as iOS writes it), so that a default mock
            // exercises a receiver's UTF-8.
            name: "Ana\u{2019}s iPhone",
            first_id: 29_102_400,
            serial_prefix: "F4GZK2",
            imei_tac: Some("35395810"),
            group: "Field Sales",
            profile: "Sales Baseline - iOS",
            enrollment_method: "Apple Automated Device Enrollment",
        },
        Platform::Macos => Model {
            make: "Apple",
            model: "MacBook Air (M2, 2022)",
            os_version: "14.6.1",
            name: "Design MacBook",
            first_id: 49_733_100,
            serial_prefix: "C02GQ1",
            imei_tac: None,
            group: "Design Studio",
            profile: "Design Workstations - macOS",
            enrollment_method: "Apple Automated Device Enrollment",
        },
        Platform::Windows => Model {
            make: "Dell",
            model: "Latitude 5440",
            os_version: "Windows 11 Pro 23H2 (22631.4037)",
            name: "Front Desk PC",
            first_id: 70_254_800,
            serial_prefix: "7ZK2Q",
            imei_tac: None,
            group: "Reception",
            profile: "Front Desk - Windows",
            enrollment_method: "Windows Autopilot",
        },
        Platform::Linux => Model {
            make: "Lenovo",
            model: "ThinkCentre M70q Gen 4",
            os_version: "Ubuntu 22.04.4 LTS",
            name: "Lobby Kiosk",
            first_id: 90_871_500,
            serial_prefix: "MJ0GK",
            imei_tac: None,
            group: "Lobby Kiosks",
            profile: "Kiosk - Linux",
            enrollment_method: "Enrollment script",
        },
    }
}

/// A 15-digit IMEI with a valid Luhn check digit, so that receivers that
/// validate IMEIs accept the sample: the model's type allocation code and
/// a serial number from `device_no`.
fn imei(tac: &str, device_no: u32) -> String {
    let body = format!("{tac}{:06}", device_no % 1_000_000);
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn at(ts: Timestamp, seconds_before: i64) -> Value {
    let ts = ts
        .checked_sub(SignedDuration::from_secs(seconds_before))
        .unwrap_or(ts);
    Value::String(format_timestamp_seconds(ts))
}

/// What tells one device from another; `Sample::stamp` sets these.
fn set_identity(device: &mut Map<String, Value>, platform: Platform, device_no: u32) {
    let m = model(platform);
    let number = u64::from(device_no) + 1;
    let mut set = |key: &str, value: Value| {
        if let Some(slot) = device.get_mut(key) {
            *slot = value;
        }
    };
    set("id", Value::from(m.first_id + u64::from(device_no)));
    set("name", Value::String(device_name(platform, m.name, number)));
    set(
        "serial_no",
        Value::String(format!("{}{number:05}", m.serial_prefix)),
    );
    set(
        "imei_no",
        match m.imei_tac {
            Some(tac) => Value::String(imei(tac, device_no)),
            None => Value::Null,
        },
    );
    set(
        "ip_address",
        Value::String(format!(
            "10.20.{}.{}",
            30 + platform as u32,
            10 + number % 240
        )),
    );
    set(
        "mac_address",
        Value::String(format!(
            "3c:22:fb:{:02x}:{:02x}:{:02x}",
            platform as u32,
            (number >> 8) & 0xff,
            number & 0xff
        )),
    );
    if let Some(tag) = device
        .get_mut("custom_properties")
        .and_then(|properties| properties.pointer_mut("/0/value"))
    {
        *tag = Value::String(format!("AT-{number:05}"));
    }
}

/// The name of device number `number` (from 1): fleet devices are
/// numbered; a phone is someone's, and iOS names a second one with the
/// same name as it does, with " (2)".
fn device_name(platform: Platform, name: &str, number: u64) -> String {
    match (platform, number) {
        (Platform::Ios, 1) => name.to_string(),
        (Platform::Ios, _) => format!("{name} ({number})"),
        _ => format!("{name} {number:03}"),
    }
}

/// A device of the platform's model; its identity is set by `set_identity`.
fn device(platform: Platform, now: Timestamp) -> Map<String, Value> {
    let m = model(platform);
    let object = json!({
        "id": 0,
        "name": "",
        "serial_no": "",
        "imei_no": null,
        "make": m.make,
        "model": m.model,
        "os_type": platform.name(),
        "os_version": m.os_version,
        "status": "active",
        "locked": false,
        "enrollment_date": "2026-03-14T09:12:44Z",
        "last_connected_at": at(now, 42),
        "group": { "id": 5120 + platform as u64, "name": m.group },
        "device_profile": { "id": 7301 + platform as u64, "name": m.profile },
        "battery_status": 82,
        "battery_charging": false,
        "ip_address": "",
        "mac_address": "",
        "custom_properties": [
            { "name": "Asset Tag", "value": "", "data_type": "string" },
            { "name": "Cost Center", "value": "4410", "data_type": "number" },
            { "name": "Warranty Expires", "value": "2028-06-30", "data_type": "date" },
        ],
    });
    match object {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

const ADMIN: &str = "it-admin@acme.example";

fn add_event_details(
    device: &mut Map<String, Value>,
    event: &Event,
    platform: Platform,
    now: Timestamp,
) {
    let m = model(platform);
    let mut set = |key: &str, value: Value| {
        device.insert(key.to_string(), value);
    };
    match event.slug {
        "device-enrolled" => set(
            "enrollment",
            json!({ "method": m.enrollment_method, "enrolled_by": ADMIN, "enrolled_at": at(now, 0) }),
        ),
        "device-activated" => set(
            "activation",
            json!({ "activated_at": at(now, 0), "license_type": "Enterprise", "kiosk_mode": true }),
        ),
        "device-unenrolled" => {
            set("status", json!("unenrolled"));
            set(
                "unenrollment",
                json!({ "unenrolled_at": at(now, 0), "unenrolled_by": ADMIN, "reason": "Device returned to IT" }),
            );
        }
        "device-deleted" => {
            set("status", json!("deleted"));
            set(
                "deletion",
                json!({ "deleted_at": at(now, 0), "deleted_by": ADMIN, "reason": "Device retired" }),
            );
        }
        "device-locked" => {
            set("locked", json!(true));
            set(
                "lock",
                json!({
                    "locked": true,
                    "locked_at": at(now, 0),
                    "locked_by": ADMIN,
                    "message": "This device is locked by IT. Call +1 555 0100.",
                }),
            );
        }
        "device-unlocked" => set(
            "lock",
            json!({ "locked": false, "unlocked_at": at(now, 0), "unlocked_by": ADMIN }),
        ),
        "device-lost" => {
            set("status", json!("lost"));
            set("locked", json!(true));
            set(
                "lost_mode",
                json!({
                    "enabled": true,
                    "enabled_at": at(now, 0),
                    "enabled_by": ADMIN,
                    "message": "This device is lost. Please call the number below.",
                    "phone_number": "+1 555 0100",
                    "footnote": "Acme Corp IT",
                }),
            );
            set("location", location(now, 180));
        }
        "device-found" => {
            set(
                "lost_mode",
                json!({ "enabled": false, "enabled_at": at(now, 86_400), "disabled_at": at(now, 0), "disabled_by": ADMIN }),
            );
            set("location", location(now, 30));
        }
        "device-shutdown" => set(
            "power",
            json!({ "action": "shutdown", "requested_at": at(now, 5), "requested_by": ADMIN, "uptime_seconds": 412_877 }),
        ),
        "device-reboot" => set(
            "power",
            json!({ "action": "reboot", "requested_at": at(now, 5), "requested_by": ADMIN, "uptime_seconds": 86_212 }),
        ),
        "device-user-signed-in" => set("user", user(now, "signed_in_at")),
        "device-user-signed-out" => set("user", user(now, "signed_out_at")),
        "device-custom-properties-updated" => {
            set(
                "custom_properties",
                json!([
                    { "name": "Asset Tag", "value": "", "data_type": "string" },
                    { "name": "Cost Center", "value": "4420", "data_type": "number" },
                    { "name": "Warranty Expires", "value": "2029-06-30", "data_type": "date" },
                ]),
            );
            set(
                "changed_properties",
                json!([
                    { "name": "Cost Center", "old_value": "4410", "new_value": "4420", "data_type": "number" },
                    { "name": "Warranty Expires", "old_value": "2028-06-30", "new_value": "2029-06-30", "data_type": "date" },
                ]),
            );
            set("updated_by", json!(ADMIN));
        }
        "device-sim-swap" => set(
            "sim_swap",
            json!({
                "detected_at": at(now, 0),
                "old_sim": { "slot": 1, "iccid": "8901260882310045716", "operator": "T-Mobile", "phone_number": "+1 555 0142" },
                "new_sim": { "slot": 1, "iccid": "8901410327518833104", "operator": "AT&T", "phone_number": "+1 555 0199" },
            }),
        ),
        _ => {}
    }
}

fn location(now: Timestamp, seconds_before: i64) -> Value {
    json!({ "latitude": 37.774_929, "longitude": -122.419_416, "accuracy_m": 12, "captured_at": at(now, seconds_before) })
}

fn user(now: Timestamp, when_key: &str) -> Value {
    let mut user =
        json!({ "id": 3381, "name": "Priya Raman", "email": "priya.raman@acme.example" });
    user[when_key] = at(now, 0);
    user
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::catalog::{EVENTS, resolve};

    pub(crate) fn now() -> Timestamp {
        "2026-11-29T17:21:28Z".parse().unwrap()
    }

    #[test]
    fn every_event_has_a_distinct_sample_on_every_supported_platform() {
        let mut seen = std::collections::HashSet::new();
        for event in &EVENTS {
            for platform in event.platforms() {
                let doc = sample(event, platform, "e1", now(), 0);
                assert_eq!(doc["event"], event.wire);
                assert_eq!(doc["created_at"], "2026-11-29T17:21:28Z");
                let device = &doc["data"]["devices"][0];
                assert_eq!(device["os_type"], platform.name());
                assert!(device["id"].is_u64());
                let extras: Vec<&String> = device
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| {
                        !sample(
                            resolve("device-enrolled").unwrap(),
                            platform,
                            "e1",
                            now(),
                            0,
                        )["data"]["devices"][0]
                            .as_object()
                            .unwrap()
                            .contains_key(*k)
                    })
                    .collect();
                assert!(
                    event.slug == "device-enrolled"
                        || !extras.is_empty()
                        || event.slug.contains("lock"),
                    "{}",
                    event.slug
                );
            }
            seen.insert(compact(&sample(
                event,
                event.default_platform(),
                "e1",
                now(),
                0,
            )));
        }
        assert_eq!(seen.len(), EVENTS.len());
    }

    #[test]
    fn burst_devices_differ() {
        let event = resolve("device-enrolled").unwrap();
        let a = sample(event, Platform::Android, "e", now(), 0);
        let b = sample(event, Platform::Android, "e", now(), 1);
        for key in ["id", "name", "serial_no", "imei_no"] {
            assert_ne!(
                a["data"]["devices"][0][key], b["data"]["devices"][0][key],
                "{key}"
            );
        }
    }

    #[test]
    fn platforms_have_devices_of_their_own() {
        let event = resolve("device-enrolled").unwrap();
        let devices: Vec<Value> = Platform::ALL
            .into_iter()
            .map(|p| sample(event, p, "e", now(), 0)["data"]["devices"][0].clone())
            .collect();
        for key in ["id", "name", "serial_no"] {
            let distinct: std::collections::HashSet<String> =
                devices.iter().map(|d| d[key].to_string()).collect();
            assert_eq!(distinct.len(), devices.len(), "{key}");
        }
        // Phones have IMEIs, and not the same ones.
        let android = &devices[Platform::Android as usize]["imei_no"];
        let ios = &devices[Platform::Ios as usize]["imei_no"];
        assert!(android.is_string() && ios.is_string());
        assert_ne!(android, ios);
        // The last device of the largest burst is still not the next
        // platform's first.
        let last = sample(event, Platform::Android, "e", now(), 10_100_000);
        let next = &devices[Platform::Ios as usize]["id"];
        assert!(last["data"]["devices"][0]["id"].as_u64() < next.as_u64());
    }

    #[test]
    fn the_ios_sample_is_anas_iphone() {
        let event = resolve("device-locked").unwrap();
        let name =
            |n| sample(event, Platform::Ios, "e", now(), n)["data"]["devices"][0]["name"].clone();
        assert_eq!(name(0), "Ana\u{2019}s iPhone");
        assert_eq!(name(1), "Ana\u{2019}s iPhone (2)");
        assert!(
            compact(&sample(event, Platform::Ios, "e", now(), 0))
                .windows(3)
                .any(|w| w == "\u{2019}".as_bytes())
        );
    }

    #[test]
    fn imeis_pass_the_luhn_check() {
        for (tac, n) in [
            ("35209911", 0),
            ("35209911", 1),
            ("35395810", 77),
            ("35395810", 999_999),
            ("35395810", u32::MAX),
        ] {
            let imei = imei(tac, n);
            assert!(imei.starts_with(tac));
            assert_eq!(imei.len(), 15);
            let sum: u32 = imei
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, b)| {
                    let d = u32::from(b - b'0');
                    if i % 2 == 1 {
                        (d * 2) / 10 + (d * 2) % 10
                    } else {
                        d
                    }
                })
                .sum();
            assert_eq!(sum % 10, 0, "{imei}");
        }
    }
}
