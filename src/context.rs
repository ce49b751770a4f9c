//! What every command gets: where the files are, which profile, and how to
//! talk to the user. Built once from the global options; loads nothing.

use std::ffi::OsString;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::cli::{ConnectionArgs, GlobalArgs};
use crate::core::config::{self, Config, Configured, Store, profile_flag};
use crate::core::delivery::sender::{LogTarget, Sender};
use crate::core::delivery::{CaBundle, Engine, EngineOptions};
use crate::core::endpoint::Endpoint;
use crate::core::error::{Failure, Kind, precondition, usage};
use crate::core::home::Home;
use crate::core::secret::Secret;
use crate::ui::output::Output;

/// Where a mock goes and what signs it.
pub struct MockTarget {
    pub endpoint: Endpoint,
    pub secret: Secret,
    pub timeout: Option<Duration>,
}

pub struct Context {
    pub home: Home,
    pub profile: String,
    /// The user named the profile (flag or environment), rather than
    /// getting `default`: listings of the shared log then keep to it.
    pub profile_explicit: bool,
    pub out: Output,
    /// SFHOOK_SECRET and SFHOOK_URL, read once at start-up; parsed only by
    /// the commands that use them, so a bad value cannot break the others.
    env_secret: Option<OsString>,
    env_url: Option<String>,
}

impl Context {
    pub fn new(global: &GlobalArgs) -> Result<Context> {
        let out = Output::detect(global.color);
        // SFHOOK_PROFILE and SFHOOK_HOME are read here rather than by
        // clap: clap counts a value from the environment as typed, and
        // its usage lines then read `sfhook logs show --home <DIR> ...`.
        // A variable set to nothing counts as unset, as with NO_COLOR; an
        // empty flag is a mistake.
        let named = match global.profile.as_deref() {
            Some(flag) if flag.trim().is_empty() => {
                return Err(usage(
                    "--profile is empty: give a profile name, or leave it out to use 'default'",
                ));
            }
            Some(flag) => Some(flag.trim().to_string()),
            None => match std::env::var("SFHOOK_PROFILE") {
                Ok(value) => Some(value.trim().to_string()).filter(|v| !v.is_empty()),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(usage("SFHOOK_PROFILE is not valid UTF-8"));
                }
            },
        };
        let profile_explicit = named.is_some();
        let profile = named.unwrap_or_else(|| "default".to_string());
        config::check_profile_name(&profile)?;
        let home_dir = match &global.home {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(usage(
                    "--home is empty: give a directory, or leave it out to use the platform's directories",
                ));
            }
            Some(dir) => Some(dir.clone()),
            None => std::env::var_os("SFHOOK_HOME")
                .filter(|value| !value.to_string_lossy().trim().is_empty())
                .map(std::path::PathBuf::from),
        };
        Ok(Context {
            home: Home::locate(home_dir.as_deref())?,
            profile,
            profile_explicit,
            out,
            env_secret: std::env::var_os("SFHOOK_SECRET").filter(|v| !v.is_empty()),
            env_url: std::env::var("SFHOOK_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
        })
    }

    /// A context for a separate home that ignores the environment's secret
    /// and URL: the demo's throwaway home.
    pub fn isolated(home: Home, out: Output) -> Context {
        Context {
            home,
            profile: "default".to_string(),
            profile_explicit: false,
            out,
            env_secret: None,
            env_url: None,
        }
    }

    /// SFHOOK_SECRET, if set.
    pub fn env_secret(&self) -> Result<Option<Secret>> {
        match &self.env_secret {
            None => Ok(None),
            Some(value) => Secret::from_input(value.clone().into_encoded_bytes())
                .map(Some)
                .map_err(|why| usage(format!("SFHOOK_SECRET: {why}"))),
        }
    }

    /// SFHOOK_URL, if set.
    pub fn env_url(&self) -> Option<&str> {
        self.env_url.as_deref()
    }

    pub fn store(&self) -> Store<'_> {
        Store::new(&self.home)
    }

    pub fn load_config(&self) -> Result<Config> {
        self.store().load()
    }

    /// The profile to restrict log listings to, if the user named one.
    pub fn log_profile(&self) -> Option<&str> {
        self.profile_explicit.then_some(self.profile.as_str())
    }

    /// A profile the user named must exist, in the config or in the log:
    /// `--profile defualt logs` would otherwise list nothing and exit 0.
    /// `default` always exists; `configure` is how a new profile is made.
    pub fn require_known_profile(&self) -> Result<()> {
        if !self.profile_explicit || self.profile == "default" {
            return Ok(());
        }
        let config = self.load_config()?;
        if config.profile(&self.profile).is_some() {
            return Ok(());
        }
        let log = self.home.log_file();
        if crate::core::log::has_profile(&log, &self.profile)
            .with_context(|| format!("cannot read {}", log.display()))?
        {
            return Ok(());
        }
        let name = &self.profile;
        let mut known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
        if !known.contains(&"default") {
            known.push("default");
        }
        let wanted = name.to_lowercase();
        let closest = known
            .iter()
            .map(|k| (strsim::damerau_levenshtein(&wanted, &k.to_lowercase()), *k))
            .min();
        let create = format!("to create it, run 'sfhook --profile {name} configure'");
        let hint = match closest {
            // Close enough to be a slip of the fingers (or of the shift key).
            Some((distance, k)) if distance <= 2.max(name.len() / 3) => {
                format!("did you mean '{k}'? ({create})")
            }
            _ => format!("the profiles are: {}; {create}", known.join(", ")),
        };
        Err(Failure::new(
            Kind::Usage,
            format!("no profile '{name}' in the config or the log"),
        )
        .with_hint(hint)
        .into())
    }

    /// SFHOOK_SECRET if set, else the profile's secret. Reads the config
    /// only when the environment does not answer.
    pub fn secret_from_env_or_profile(&self) -> Result<Secret> {
        if let Some(secret) = self.env_secret()? {
            return Ok(secret);
        }
        self.load_config()?.secret_for(&self.profile)
    }

    /// `--url`, SFHOOK_URL and SFHOOK_SECRET first, so that CI needs no saved
    /// state; the profile fills in whatever they leave open.
    pub fn mock_target(&self, url: Option<&str>, timeout_given: bool) -> Result<MockTarget> {
        let ctx = self;
        let url_text = url.or(ctx.env_url());
        let endpoint = url_text
            .map(|t| Endpoint::parse(t).map_err(usage))
            .transpose()?;
        let env_secret = ctx.env_secret()?;
        let saved = if endpoint.is_none() || env_secret.is_none() || !timeout_given {
            // A broken config must not stop a CI run that brings everything itself.
            match ctx.load_config() {
                Ok(config) => Some(config),
                Err(err) if endpoint.is_some() && env_secret.is_some() => {
                    ctx.out
                        .warn(format!("ignoring the saved configuration: {err:#}"));
                    None
                }
                Err(err) => return Err(err),
            }
        } else {
            None
        };
        let profile = saved.as_ref().and_then(|c| c.profile(&ctx.profile));
        let endpoint = match endpoint.or_else(|| profile.and_then(|p| p.url.clone())) {
            Some(endpoint) => endpoint,
            None => {
                return Err(precondition(format!(
                    "no endpoint: pass --url URL, set SFHOOK_URL, or run 'sfhook{} configure'",
                    profile_flag(&ctx.profile)
                )));
            }
        };
        let secret = match env_secret {
            Some(secret) => secret,
            None => saved
                .as_ref()
                .unwrap_or(&config::Config::default())
                .secret_for(&ctx.profile)?,
        };
        Ok(MockTarget {
            endpoint,
            secret,
            timeout: profile.map(|p| p.delivery.timeout),
        })
    }

    /// A sender of mocks: to `url`, SFHOOK_URL or the profile's endpoint,
    /// signed with SFHOOK_SECRET or the profile's secret.
    pub fn mock_sender(
        &self,
        url: Option<&str>,
        args: &ConnectionArgs,
        idle: usize,
    ) -> Result<Sender> {
        let target = self.mock_target(url, args.timeout.is_some())?;
        let cacert = args.read_cacert()?;
        let options = self.engine_options(args, cacert, &target.endpoint, target.timeout, idle);
        Ok(Sender::mock(
            Engine::new(&options)?,
            target.endpoint,
            target.secret,
        ))
    }

    /// A sender of real deliveries to the profile's endpoint, each attempt
    /// logged under the profile; `idle` connections are kept for reuse.
    pub fn logged_sender(
        &self,
        configured: &Configured<'_>,
        args: &ConnectionArgs,
        idle: usize,
    ) -> Result<Sender> {
        self.logged_sender_as(&self.profile, configured, args, idle)
    }

    /// `logged_sender` for `profile`, which may not be the command's:
    /// `redeliver` sends each record with the profile that logged it.
    pub fn logged_sender_as(
        &self,
        profile: &str,
        configured: &Configured<'_>,
        args: &ConnectionArgs,
        idle: usize,
    ) -> Result<Sender> {
        let cacert = args.read_cacert()?;
        let options = self.engine_options(
            args,
            cacert,
            configured.url,
            Some(configured.profile.delivery.timeout),
            idle,
        );
        Ok(Sender::logged(
            Engine::new(&options)?,
            configured.url.clone(),
            configured.secret.clone(),
            LogTarget {
                home: self.home.clone(),
                profile: profile.to_string(),
            },
        ))
    }

    /// The delivery engine's options from the command line and, where it
    /// has one, the profile; `--insecure` is warned about here, once.
    pub fn engine_options(
        &self,
        args: &ConnectionArgs,
        cacert: Option<CaBundle>,
        endpoint: &Endpoint,
        profile_timeout: Option<std::time::Duration>,
        idle: usize,
    ) -> EngineOptions {
        if args.insecure {
            self.out.warn_insecure();
        }
        let timeout = args
            .timeout
            .or(profile_timeout)
            .unwrap_or(config::DEFAULT_TIMEOUT);
        EngineOptions::for_delivery(endpoint.url(), timeout, cacert, args.insecure, idle)
    }
}
