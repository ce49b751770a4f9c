//! The event catalogue: the fourteen events, their categories and the
//! platforms each one supports, exactly as the reference's "Events supported"
//! table lists them. Pure data and lookups; no I/O.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Android,
    Ios,
    Macos,
    Windows,
    Linux,
}

impl Platform {
    /// In the reference's column order, which is also the order used to pick
    /// an event's default platform.
    pub const ALL: [Platform; 5] = [
        Platform::Android,
        Platform::Ios,
        Platform::Macos,
        Platform::Windows,
        Platform::Linux,
    ];

    /// The `os_type` value and the name users type.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
            Platform::Linux => "linux",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Android => "Android",
            Platform::Ios => "iOS",
            Platform::Macos => "macOS",
            Platform::Windows => "Windows",
            Platform::Linux => "Linux",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Enrollment,
    Management,
    DeviceUpdate,
}

impl Category {
    /// In the dashboard's order.
    pub const ALL: [Category; 3] = [
        Category::Enrollment,
        Category::Management,
        Category::DeviceUpdate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Enrollment => "enrollment",
            Category::Management => "management",
            Category::DeviceUpdate => "device-update",
        }
    }

    /// The heading the dashboard uses.
    pub fn display_name(self) -> &'static str {
        match self {
            Category::Enrollment => "Enrollment Events",
            Category::Management => "Management Events",
            Category::DeviceUpdate => "Device Update Events",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Event {
    /// What users type: `device-enrolled`.
    pub slug: &'static str,
    /// What goes on the wire, in `event` and `X-SF-Event`: `device.enrolled`.
    pub wire: &'static str,
    /// What the dashboard shows: `Device Enrolled`.
    pub name: &'static str,
    pub category: Category,
    /// Indexed by `Platform as usize`.
    support: [bool; 5],
}

impl Event {
    pub fn supports(&self, platform: Platform) -> bool {
        self.support[platform.index()]
    }

    pub fn platforms(&self) -> impl Iterator<Item = Platform> + '_ {
        Platform::ALL.into_iter().filter(|p| self.supports(*p))
    }

    /// The first platform, in the reference's column order, that supports
    /// the event: what `mock` and `send` use without `--platform`.
    pub fn default_platform(&self) -> Platform {
        self.platforms()
            .next()
            .expect("every event in the catalogue supports at least one platform")
    }

    /// `platform` if the event supports it, else a usage message naming the
    /// platforms that do.
    pub fn check_platform(&self, platform: Platform) -> Result<(), String> {
        if self.supports(platform) {
            return Ok(());
        }
        let supported: Vec<&str> = self.platforms().map(Platform::name).collect();
        Err(format!(
            "{} is not sent for {} devices; it is supported on {}",
            self.slug,
            platform.display_name(),
            supported.join(", ")
        ))
    }
}

const Y: bool = true;
const N: bool = false;

const fn event(
    slug: &'static str,
    wire: &'static str,
    name: &'static str,
    category: Category,
    support: [bool; 5],
) -> Event {
    Event {
        slug,
        wire,
        name,
        category,
        support,
    }
}

/// The catalogue, in the contract's order. Columns of `support`: Android,
/// iOS, macOS, Windows, Linux, copied from the reference's table.
#[rustfmt::skip]
pub static EVENTS: [Event; 14] = [
    event("device-enrolled", "device.enrolled", "Device Enrolled", Category::Enrollment, [Y, Y, Y, Y, Y]),
    event("device-activated", "device.activated", "Device Activated", Category::Enrollment, [Y, N, N, N, N]),
    event("device-unenrolled", "device.unenrolled", "Device Unenrolled", Category::Enrollment, [N, N, Y, Y, N]),
    event("device-deleted", "device.deleted", "Device Deleted", Category::Enrollment, [Y, Y, Y, Y, Y]),
    event("device-unlocked", "device.unlocked", "Device Unlocked", Category::Management, [Y, Y, Y, N, Y]),
    event("device-locked", "device.locked", "Device Locked", Category::Management, [Y, Y, Y, N, Y]),
    event("device-lost", "device.lost", "Device Lost", Category::Management, [Y, Y, N, Y, N]),
    event("device-found", "device.found", "Device Found", Category::Management, [Y, Y, N, Y, N]),
    event("device-shutdown", "device.shutdown", "Device Shutdown", Category::Management, [Y, Y, Y, Y, Y]),
    event("device-reboot", "device.reboot", "Device Reboot", Category::Management, [Y, Y, Y, Y, Y]),
    event("device-user-signed-in", "device.user_signed_in", "Device User Signed In", Category::DeviceUpdate, [Y, N, Y, Y, N]),
    event("device-user-signed-out", "device.user_signed_out", "Device User Signed Out", Category::DeviceUpdate, [Y, N, Y, Y, N]),
    event(
        "device-custom-properties-updated",
        "device.custom_properties_updated",
        "Device Custom Properties Updated",
        Category::DeviceUpdate,
        [Y, Y, Y, Y, Y],
    ),
    event("device-sim-swap", "device.sim_swap", "Device Sim Swap", Category::DeviceUpdate, [Y, N, N, N, N]),
];

/// Folds the three spellings of a name onto one: `Device Enrolled`,
/// `device.enrolled` and `device-enrolled` all become `device-enrolled`.
fn normalise(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '.' | '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Finds an event by slug, wire name or display name, case-insensitively.
/// The error is a one-line usage message suggesting the closest slug.
pub fn resolve(name: &str) -> Result<&'static Event, String> {
    let wanted = normalise(name);
    if wanted.is_empty() {
        return Err(format!(
            "the event name is empty; give a slug such as device-enrolled ('sfhook events' lists all {})",
            EVENTS.len()
        ));
    }
    if let Some(event) = EVENTS.iter().find(|e| e.slug == wanted) {
        return Ok(event);
    }
    // No slug is longer than this: a longer name is compared by its start,
    // which keeps a pasted paragraph from costing a quadratic comparison.
    const LONGEST: usize = 64;
    let start: String = wanted.chars().take(LONGEST).collect();
    let closest = EVENTS
        .iter()
        .min_by_key(|e| strsim::levenshtein(&start, e.slug))
        .expect("the catalogue is not empty");
    let shown = name.trim();
    let shown = match shown.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", shown[..cut].escape_debug()),
        None => shown.escape_debug().to_string(),
    };
    Err(format!(
        "unknown event '{shown}'; did you mean '{}'? ('sfhook events' lists all {})",
        closest.slug,
        EVENTS.len()
    ))
}

/// `resolve`, failing as a usage error: the event a user typed.
pub(crate) fn lookup(name: &str) -> anyhow::Result<&'static Event> {
    resolve(name).map_err(crate::core::error::usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_resolves() {
        for event in &EVENTS {
            for spelling in [event.slug, event.wire, event.name] {
                assert_eq!(resolve(spelling).unwrap(), event);
                assert_eq!(resolve(&spelling.to_uppercase()).unwrap(), event);
            }
        }
    }

    #[test]
    fn empty_and_overlong_names_get_short_messages() {
        let err = resolve("  ").unwrap_err();
        assert!(err.starts_with("the event name is empty"), "{err}");
        let err = resolve(&"device-enrolled-".repeat(10_000)).unwrap_err();
        assert!(err.len() < 300, "{err}");
        assert!(err.contains("did you mean"), "{err}");
    }

    #[test]
    fn typo_suggests_the_closest_slug() {
        let err = resolve("device-enroled").unwrap_err();
        assert!(err.contains("did you mean 'device-enrolled'"), "{err}");
        let err = resolve("sim swap").unwrap_err();
        assert!(err.contains("'device-sim-swap'"), "{err}");
    }

    #[test]
    fn slugs_and_wire_names_correspond() {
        for event in &EVENTS {
            assert_eq!(event.slug, normalise(event.wire));
            assert_eq!(event.slug, normalise(event.name));
            assert!(event.platforms().next().is_some());
        }
    }

    #[test]
    fn default_platform_is_the_first_supported() {
        assert_eq!(
            resolve("device-unenrolled").unwrap().default_platform(),
            Platform::Macos
        );
        assert_eq!(
            resolve("device-enrolled").unwrap().default_platform(),
            Platform::Android
        );
        let err = resolve("device-sim-swap")
            .unwrap()
            .check_platform(Platform::Ios)
            .unwrap_err();
        assert!(err.contains("supported on android"), "{err}");
    }
}
