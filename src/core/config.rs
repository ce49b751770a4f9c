//! `config.toml`: named profiles, each with an endpoint, a secret, an active
//! flag, subscriptions and delivery settings. Read without a lock (writes are
//! atomic renames); changed only inside `Store::update`, under an exclusive
//! lock, so that concurrent changes to different profiles or events all land.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::core::catalog::{self, Event};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, usage};
use crate::core::fsutil;
use crate::core::home::Home;
use crate::core::secret::{Secret, TextOnly};
use crate::core::units::{format_duration, parse_duration_within};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_RETRIES: u32 = 3;
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);

/// A configuration is a few hundred bytes a profile; anything this large
/// is something else.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
pub const MAX_RETRIES: u32 = 20;
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);

const HEADER: &str = "# sfhook configuration: one table per profile.\n\
# Change it with 'sfhook configure', 'sfhook subscribe' and friends; the secret is\n\
# what signs deliveries, so keep this file mode 0600.\n\n";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Endpoint>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_empty_secret"
    )]
    pub secret: Option<Secret>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub subscriptions: Subscriptions,
    #[serde(default)]
    pub delivery: DeliverySettings,
}

impl Config {
    /// The profile's secret, or a precondition failure saying how to set one.
    pub fn secret_for(&self, profile: &str) -> Result<Secret> {
        self.profile(profile)
            .and_then(|p| p.secret.clone())
            .ok_or_else(|| {
                Failure::new(
                    Kind::Precondition,
                    format!(
                        "no secret: set SFHOOK_SECRET, or run 'sfhook{} configure --generate-secret'",
                        profile_flag(profile)
                    ),
                )
                .into()
            })
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    pub fn profile_mut(&mut self, name: &str) -> &mut Profile {
        self.profiles.entry(name.to_string()).or_default()
    }
}

/// A profile that has both an endpoint and a secret.
pub struct Configured<'a> {
    pub url: &'a Endpoint,
    pub secret: &'a Secret,
    pub profile: &'a Profile,
}

impl Profile {
    pub fn configured(&self) -> Option<Configured<'_>> {
        Some(Configured {
            url: self.url.as_ref()?,
            secret: self.secret.as_ref()?,
            profile: self,
        })
    }
}

/// The profile, configured, or a precondition failure saying what to run.
pub fn require_configured<'a>(config: &'a Config, name: &str) -> Result<Configured<'a>> {
    config
        .profile(name)
        .and_then(Profile::configured)
        .ok_or_else(|| {
            Failure::new(
                Kind::Precondition,
                format!("profile '{name}' is not configured"),
            )
            .with_hint(format!(
                "run 'sfhook{} configure --url URL --generate-secret'",
                profile_flag(name)
            ))
            .into()
        })
}

/// The profile, configured and active, or a precondition failure.
pub fn require_active<'a>(config: &'a Config, name: &str) -> Result<Configured<'a>> {
    let configured = require_configured(config, name)?;
    if !configured.profile.active {
        return Err(Failure::new(
            Kind::Precondition,
            format!("webhooks are not active for profile '{name}'"),
        )
        .with_hint(format!("run 'sfhook{} activate'", profile_flag(name)))
        .into());
    }
    Ok(configured)
}

/// A config file that cannot be used as it is, and what to do about it.
fn broken(message: String, hint: impl Into<String>) -> anyhow::Error {
    Failure::new(Kind::Broken, message).with_hint(hint).into()
}

/// Where a failed real delivery sends the user next: `doctor` checks the
/// profile's endpoint layer by layer.
pub fn doctor_hint(profile: &str) -> String {
    format!(
        "run 'sfhook{} doctor' to see where deliveries break",
        profile_flag(profile)
    )
}

/// ` --profile NAME` for suggested commands, or nothing for the default.
pub fn profile_flag(name: &str) -> String {
    if name == "default" {
        String::new()
    } else {
        format!(" --profile {name}")
    }
}

/// Profile names end up in commands and messages: keep them plain.
pub fn check_profile_name(name: &str) -> Result<()> {
    // Not starting with '-': the hints sfhook prints (`--profile NAME`)
    // must work when pasted, and clap would take `-x` for a flag.
    let valid = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(usage(format!(
            "invalid profile name '{}': use up to 64 letters, digits, '-' and '_', not starting with '-'",
            name.escape_debug()
        )))
    }
}

fn non_empty_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Secret>, D::Error> {
    let text = deserializer.deserialize_any(TextOnly("the secret"))?;
    Secret::new(text).map(Some).map_err(|_| {
        serde::de::Error::custom("the secret is empty; run 'sfhook configure --generate-secret'")
    })
}

/// Subscribed events, kept in catalogue order without duplicates; stored as slugs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Subscriptions(Vec<&'static Event>);

impl Subscriptions {
    pub fn contains(&self, event: &Event) -> bool {
        self.0.iter().any(|e| e.slug == event.slug)
    }

    /// True if the event was not subscribed before.
    pub fn add(&mut self, event: &'static Event) -> bool {
        if self.contains(event) {
            return false;
        }
        self.0.push(event);
        self.0
            .sort_by_key(|e| catalog::EVENTS.iter().position(|c| c.slug == e.slug));
        true
    }

    /// True if the event was subscribed before.
    pub fn remove(&mut self, event: &Event) -> bool {
        let before = self.0.len();
        self.0.retain(|e| e.slug != event.slug);
        self.0.len() != before
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static Event> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Subscriptions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|e| e.slug))
    }
}

impl<'de> Deserialize<'de> for Subscriptions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Subscriptions, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        let mut subscriptions = Subscriptions::default();
        for name in names {
            let event = catalog::resolve(&name).map_err(serde::de::Error::custom)?;
            subscriptions.add(event);
        }
        Ok(subscriptions)
    }
}

/// How `send` delivers: per-request timeout, retries after a failure, and the
/// first backoff delay (doubling, with jitter, after each retry).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    #[serde(default = "default_timeout", with = "timeout_text")]
    pub timeout: Duration,
    #[serde(default = "default_retries", deserialize_with = "bounded_retries")]
    pub retries: u32,
    #[serde(default = "default_backoff", with = "backoff_text")]
    pub backoff: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            backoff: DEFAULT_BACKOFF,
        }
    }
}

fn default_timeout() -> Duration {
    DEFAULT_TIMEOUT
}
fn default_retries() -> u32 {
    DEFAULT_RETRIES
}
fn default_backoff() -> Duration {
    DEFAULT_BACKOFF
}

pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    parse_duration_within("the timeout", text, MIN_TIMEOUT, MAX_TIMEOUT)
}

pub fn parse_backoff(text: &str) -> Result<Duration, String> {
    parse_duration_within("the backoff", text, Duration::ZERO, MAX_BACKOFF)
}

pub fn check_retries(retries: u32) -> Result<u32, String> {
    if retries > MAX_RETRIES {
        return Err(format!(
            "retries must be at most {MAX_RETRIES}, not {retries}"
        ));
    }
    Ok(retries)
}

fn bounded_retries<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    check_retries(u32::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

macro_rules! duration_text {
    ($module:ident, $parse:path) => {
        mod $module {
            use super::*;
            pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&format_duration(*d))
            }
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
                $parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}
duration_text!(timeout_text, parse_timeout);
duration_text!(backoff_text, parse_backoff);

/// Reads and changes `config.toml` for one home.
pub struct Store<'h> {
    home: &'h Home,
}

impl<'h> Store<'h> {
    pub fn new(home: &'h Home) -> Store<'h> {
        Store { home }
    }

    /// The saved configuration; an empty one if there is no file yet.
    pub fn load(&self) -> Result<Config> {
        let path = self.home.config_file();
        // Opened without following a link, and only if it and its directory
        // are the user's alone: another user's file would send deliveries
        // to their URL, signed with their secret.
        let file = match fsutil::open_state_file(&path) {
            Ok(Some(file)) => file,
            Ok(None) => return Ok(Config::default()),
            Err(e) if e.kind() == io::ErrorKind::IsADirectory => {
                return Err(broken(format!("{}: {e}", path.display()), "move it away"));
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                return Err(anyhow!("{}: {e}", path.display()));
            }
            Err(e) if fsutil::is_refusal(&e) => return Err(e.into()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let text = fsutil::read_at_most(&file, MAX_CONFIG_BYTES)
            .with_context(|| format!("cannot read {}", path.display()))?
            .ok_or_else(|| {
                broken(
                    format!(
                        "{} is larger than {} KiB, so it is not sfhook's configuration",
                        path.display(),
                        MAX_CONFIG_BYTES / 1024
                    ),
                    "move it away",
                )
            })?;
        let meta = file
            .metadata()
            .with_context(|| format!("cannot read the permissions of {}", path.display()))?;
        if let Some(mode) = fsutil::loose_permissions(&meta) {
            return Err(broken(
                format!(
                    "{} is accessible to other users (mode {mode:04o}) and holds the signing secret",
                    path.display()
                ),
                format!("run 'chmod 600 {}' and try again", path.display()),
            ));
        }
        let text = String::from_utf8(text).map_err(|e| {
            broken(
                format!(
                    "{}: not UTF-8 text (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
                "fix or remove the file",
            )
        })?;
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let place = line.map(|l| format!(" line {l}")).unwrap_or_default();
            broken(
                format!(
                    "{}{place}: {}",
                    path.display(),
                    e.message().trim_end_matches('\n').replace('\n', "; ")
                ),
                "fix the file by hand, or move it away and run 'sfhook configure'",
            )
        })
    }

    /// Read-modify-write under the config lock. The file is rewritten only if
    /// `change` changed something, and always atomically.
    pub fn update<T>(&self, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        let dir = &self.home.config_dir;
        fsutil::or_refusal(fsutil::ensure_private_dir(dir), || {
            format!("cannot create {}", dir.display())
        })?;
        let lock = self.home.config_lock();
        let _lock = fsutil::or_refusal(fsutil::lock_exclusive(&lock), || {
            format!("cannot lock {}", lock.display())
        })?;
        let mut config = self.load()?;
        let before = render(&config)?;
        let result = change(&mut config)?;
        let after = render(&config)?;
        if after != before {
            let path = self.home.config_file();
            fsutil::replace_atomically(&path, |file| file.write_all(after.as_bytes()))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(result)
    }
}

fn render(config: &Config) -> Result<String> {
    let body = toml::to_string(config).context("cannot render the configuration as TOML")?;
    Ok(format!("{HEADER}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn round_trips_a_profile() {
        let mut config = Config::default();
        let profile = config.profile_mut("staging");
        profile.url = Some(Endpoint::parse("https://example.com/hook").unwrap());
        profile.secret = Some(Secret::new("s3cret-s3cret-s3cret".into()).unwrap());
        profile.active = true;
        profile
            .subscriptions
            .add(catalog::resolve("device-locked").unwrap());
        profile
            .subscriptions
            .add(catalog::resolve("device-enrolled").unwrap());
        profile.delivery.timeout = Duration::from_millis(2500);
        let text = render(&config).unwrap();
        let back = parse(&text).unwrap();
        let profile = back.profile("staging").unwrap();
        assert_eq!(
            profile
                .subscriptions
                .iter()
                .map(|e| e.slug)
                .collect::<Vec<_>>(),
            ["device-enrolled", "device-locked"]
        );
        assert_eq!(profile.delivery.timeout, Duration::from_millis(2500));
        assert_eq!(profile.delivery.retries, DEFAULT_RETRIES);
        assert!(profile.active);
    }

    #[test]
    fn wrong_types_and_unknown_events_are_errors() {
        assert!(parse("[profiles.default]\nurl = 5\n").is_err());
        assert!(parse("[profiles.default]\nsubscriptions = [\"device-enroled\"]\n").is_err());
        assert!(parse("[profiles.default]\nsecret = \"\"\n").is_err());
        assert!(parse("[profiles.default]\nsceret = \"x\"\n").is_err());
        assert!(parse("[profiles.default.delivery]\nretries = 1000\n").is_err());
        assert!(parse("[profiles.default.delivery]\ntimeout = \"0s\"\n").is_err());
    }

    #[test]
    fn subscriptions_stay_in_catalogue_order_without_duplicates() {
        let mut subs = Subscriptions::default();
        assert!(subs.add(catalog::resolve("device-sim-swap").unwrap()));
        assert!(subs.add(catalog::resolve("device-enrolled").unwrap()));
        assert!(!subs.add(catalog::resolve("device.enrolled").unwrap()));
        assert_eq!(
            subs.iter().map(|e| e.slug).collect::<Vec<_>>(),
            ["device-enrolled", "device-sim-swap"]
        );
        assert!(subs.remove(catalog::resolve("device-sim-swap").unwrap()));
        assert!(!subs.remove(catalog::resolve("device-sim-swap").unwrap()));
    }

    #[test]
    fn profile_names_are_plain() {
        assert!(check_profile_name("staging-2").is_ok());
        assert!(check_profile_name("").is_err());
        assert!(check_profile_name("a b").is_err());
        assert!(check_profile_name("../x").is_err());
    }
}
