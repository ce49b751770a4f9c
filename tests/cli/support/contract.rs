//! What the contract fixes, written out once: the event catalogue, the
//! fields of a delivery-log record, how the log writes times, and the
//! command tree. Tests compare sfhook against these,
//! never against sfhook's own tables.

use clap::CommandFactory;
use sfhook::cli::Cli;

/// One row of the contract's event table (PRODUCT.md).
#[derive(Debug, Clone, Copy)]
pub struct ContractEvent {
    pub slug: &'static str,
    pub wire: &'static str,
    pub category: &'static str,
    pub name: &'static str,
}

const fn event(
    slug: &'static str,
    wire: &'static str,
    category: &'static str,
    name: &'static str,
) -> ContractEvent {
    ContractEvent {
        slug,
        wire,
        category,
        name,
    }
}

/// The contract's event table, in its order: the catalogue's order, which
/// is the order subscriptions are kept in.
pub const CONTRACT_EVENTS: [ContractEvent; 14] = [
    event(
        "device-enrolled",
        "device.enrolled",
        "enrollment",
        "Device Enrolled",
    ),
    event(
        "device-activated",
        "device.activated",
        "enrollment",
        "Device Activated",
    ),
    event(
        "device-unenrolled",
        "device.unenrolled",
        "enrollment",
        "Device Unenrolled",
    ),
    event(
        "device-deleted",
        "device.deleted",
        "enrollment",
        "Device Deleted",
    ),
    event(
        "device-unlocked",
        "device.unlocked",
        "management",
        "Device Unlocked",
    ),
    event(
        "device-locked",
        "device.locked",
        "management",
        "Device Locked",
    ),
    event("device-lost", "device.lost", "management", "Device Lost"),
    event("device-found", "device.found", "management", "Device Found"),
    event(
        "device-shutdown",
        "device.shutdown",
        "management",
        "Device Shutdown",
    ),
    event(
        "device-reboot",
        "device.reboot",
        "management",
        "Device Reboot",
    ),
    event(
        "device-user-signed-in",
        "device.user_signed_in",
        "device-update",
        "Device User Signed In",
    ),
    event(
        "device-user-signed-out",
        "device.user_signed_out",
        "device-update",
        "Device User Signed Out",
    ),
    event(
        "device-custom-properties-updated",
        "device.custom_properties_updated",
        "device-update",
        "Device Custom Properties Updated",
    ),
    event(
        "device-sim-swap",
        "device.sim_swap",
        "device-update",
        "Device Sim Swap",
    ),
];

/// The fourteen slugs, in catalogue order.
pub const EVENT_SLUGS: [&str; 14] = {
    let mut slugs = [""; 14];
    let mut i = 0;
    while i < slugs.len() {
        slugs[i] = CONTRACT_EVENTS[i].slug;
        i += 1;
    }
    slugs
};

/// The fourteen wire names, in catalogue order.
pub const WIRE_EVENTS: [&str; 14] = {
    let mut wires = [""; 14];
    let mut i = 0;
    while i < wires.len() {
        wires[i] = CONTRACT_EVENTS[i].wire;
        i += 1;
    }
    wires
};

/// Every field of a delivery-log record, as the contract lists them.
pub const RECORD_KEYS: [&str; 14] = [
    "request_id",
    "event_id",
    "event",
    "timestamp",
    "url",
    "response_code",
    "success",
    "error",
    "duration_ms",
    "attempt",
    "redelivery_of",
    "profile",
    "payload",
    "response_body",
];

/// `at` as the log writes times: RFC 3339 UTC with exactly three
/// fractional digits.
pub fn log_time(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Every command path: `[]` for sfhook itself, `["logs", "show"]`, ...,
/// in the order `sfhook --help` lists them.
pub fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), &mut Vec::new(), &mut out);
    out
}
