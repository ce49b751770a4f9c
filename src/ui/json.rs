//! The `--json` shapes of the commands that report state: each a
//! `Serialize` struct, so a shape is written down once and its field order
//! is the order here. The README documents them; tests pin them.

use serde::Serialize;

use crate::core::config::DeliverySettings;

/// A profile's delivery settings, as `configure` and `status` show them.
#[derive(Serialize)]
pub(crate) struct DeliveryJson {
    pub timeout_ms: u64,
    pub retries: u32,
    pub backoff_ms: u64,
}

impl From<DeliverySettings> for DeliveryJson {
    fn from(d: DeliverySettings) -> DeliveryJson {
        DeliveryJson {
            timeout_ms: d.timeout.as_millis() as u64,
            retries: d.retries,
            backoff_ms: d.backoff.as_millis() as u64,
        }
    }
}

/// `activate --json` and `deactivate --json`.
#[derive(Serialize)]
pub(crate) struct ActivationJson<'a> {
    pub profile: &'a str,
    pub active: bool,
    pub changed: bool,
}

/// `configure --json`.
#[derive(Serialize)]
pub(crate) struct ConfigureJson<'a> {
    pub profile: &'a str,
    pub url: Option<String>,
    pub secret_fingerprint: Option<String>,
    /// Shown once, as without --json: the receiver needs it.
    pub generated_secret: Option<&'a str>,
    pub active: bool,
    pub delivery: DeliveryJson,
}

/// `subscribe --json` and `unsubscribe --json`.
#[derive(Serialize)]
pub(crate) struct SubscriptionsJson<'a> {
    pub profile: &'a str,
    pub changed: Vec<&'a str>,
    pub subscriptions: Vec<&'a str>,
}

/// `sign --json`.
#[derive(Serialize)]
pub(crate) struct SignedJson<'a> {
    pub signature: &'a str,
    pub bytes: usize,
}

/// `verify --json`.
#[derive(Serialize)]
pub(crate) struct VerifiedJson {
    pub valid: bool,
    pub bytes: usize,
}

/// `status --json`.
#[derive(Serialize)]
pub(crate) struct StatusJson<'a> {
    pub profile: &'a str,
    pub profiles: Vec<&'a str>,
    pub configured: bool,
    pub url: Option<String>,
    pub secret_fingerprint: Option<String>,
    pub active: bool,
    pub subscriptions: Vec<&'a str>,
    pub delivery: DeliveryJson,
    pub paths: PathsJson,
    pub log: LogCountsJson,
}

/// Where the files are. A home may be any bytes (`--home` on Unix); JSON
/// holds text only.
#[derive(Serialize)]
pub(crate) struct PathsJson {
    pub config: String,
    pub log: String,
}

#[derive(Serialize)]
pub(crate) struct LogCountsJson {
    pub total_events: u64,
    pub total_success_events: u64,
    pub total_failed_events: u64,
    /// Distinct events, as `logs summary` counts them.
    pub events: crate::core::log::EventTotals,
}

/// One event of `events --json`.
#[derive(Serialize)]
pub(crate) struct EventJson<'a> {
    pub slug: &'a str,
    pub event: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    /// Platform name → supported, in the reference's column order.
    pub platforms: serde_json::Map<String, serde_json::Value>,
    pub subscribed: bool,
}
