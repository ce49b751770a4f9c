//! Pieces several commands use: event names from the user, input from a
//! file or stdin, and the secret for commands that honour SFHOOK_SECRET.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use jiff::Timestamp;
use serde_json::Value;

use crate::catalog::{self, Event, Platform};
use crate::cli::{ConnectionArgs, PayloadArgs};
use crate::config::{self, Config};
use crate::context::Context;
use crate::delivery::{CaBundle, EngineOptions, Outcome};
use crate::endpoint::Endpoint;
use crate::error::{precondition, usage};
use crate::fsutil;
use crate::home::Home;
use crate::ids;
use crate::output::{FAIL, OK, Output};
use crate::payload::{self, Assignment, MAX_BODY_BYTES, Sample};
use crate::secret::Secret;

pub fn resolve_event(name: &str) -> Result<&'static Event> {
    catalog::resolve(name).map_err(usage)
}

/// The bytes of FILE, or of stdin for `-` or no file, up to the body limit.
pub fn read_input(file: Option<&Path>, what: &str) -> Result<Vec<u8>> {
    let limit = MAX_BODY_BYTES as u64;
    let (read, from) = match file.filter(|p| p.as_os_str() != "-") {
        Some(path) => (
            std::fs::File::open(path).and_then(|file| fsutil::read_at_most(file, limit)),
            path.display().to_string(),
        ),
        None => (
            fsutil::read_at_most(std::io::stdin(), limit),
            "stdin".to_string(),
        ),
    };
    read.map_err(|e| usage(format!("cannot read {what} from {from}: {e}")))?
        .ok_or_else(|| {
            usage(format!(
                "{what} from {from} is larger than {} MiB",
                limit / (1024 * 1024)
            ))
        })
}

/// Fails, naming the file, if the delivery log could not take a record:
/// checked before a request goes out, because a delivery that cannot be
/// logged must not be made. Creates the log and its lock file if missing.
pub fn check_log_writable(home: &Home) -> Result<()> {
    check_log_lock(home)?;
    let log = home.log_file();
    // A pipe in the log's place would block the open below for ever.
    fsutil::regular_file_exists(&log)
        .and_then(|_| fsutil::open_private(&log, true))
        .with_context(|| format!("cannot write to {}", log.display()))?;
    Ok(())
}

/// Fails, naming it, if the log's lock file cannot be opened; the log
/// itself would otherwise take the blame.
pub fn check_log_lock(home: &Home) -> Result<()> {
    let dir = &home.data_dir;
    fsutil::ensure_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock = home.log_lock();
    fsutil::regular_file_exists(&lock)
        .and_then(|_| fsutil::open_private(&lock, false))
        .with_context(|| format!("cannot open the lock file {}", lock.display()))?;
    Ok(())
}

/// SFHOOK_SECRET if set, else the profile's secret. Reads the config only
/// when the environment does not answer.
pub fn secret_from_env_or_profile(ctx: &Context) -> Result<Secret> {
    if let Some(secret) = ctx.env_secret()? {
        return Ok(secret);
    }
    let config = ctx.load_config()?;
    profile_secret(&config, &ctx.profile)
}

pub fn profile_secret(config: &Config, profile: &str) -> Result<Secret> {
    config
        .profile(profile)
        .and_then(|p| p.secret.clone())
        .ok_or_else(|| {
            precondition(format!(
                "no secret: set SFHOOK_SECRET, or run 'sfhook{} configure --generate-secret'",
                config::profile_flag(profile)
            ))
        })
}

/// The body of a delivery as the user asked for it: the event's sample on
/// a platform, or their own document, plus `--set` edits. Checked once,
/// before anything is sent.
pub struct BodySource {
    pub event: &'static Event,
    platform: Platform,
    document: Option<Value>,
    edits: Vec<Assignment>,
}

/// One body, ready to sign and send.
pub struct Body {
    pub bytes: Bytes,
    pub event_id: String,
}

impl BodySource {
    pub fn from_args(event_name: &str, args: &PayloadArgs) -> Result<BodySource> {
        let event = resolve_event(event_name)?;
        let platform = args.platform.unwrap_or_else(|| event.default_platform());
        event.check_platform(platform).map_err(usage)?;
        let document = match &args.data {
            Some(path) => {
                let bytes = read_input(Some(path), "--data")?;
                let shown = if path.as_os_str() == "-" {
                    "stdin".to_string()
                } else {
                    path.display().to_string()
                };
                Some(
                    payload::parse_document(&bytes)
                        .map_err(|why| usage(format!("--data {shown}: {why}")))?,
                )
            }
            None => None,
        };
        let edits = args
            .set
            .iter()
            .map(|s| Assignment::parse(s))
            .collect::<Result<_, _>>()
            .map_err(usage)?;
        let source = BodySource {
            event,
            platform,
            document,
            edits,
        };
        // An edit that cannot apply fails here, before any request.
        source.builder()?.build(0)?;
        Ok(source)
    }

    /// Something that makes bodies: once per command, or per worker of a burst.
    pub fn builder(&self) -> Result<BodyBuilder<'_>> {
        Ok(match &self.document {
            Some(document) => {
                // The user's document is the same for every request: edit
                // and serialise it once.
                let mut document = document.clone();
                for edit in &self.edits {
                    edit.apply(&mut document).map_err(usage)?;
                }
                BodyBuilder::Fixed {
                    event_id: payload::event_id_of(&document).map(str::to_string),
                    bytes: checked_size(payload::compact(&document))?,
                }
            }
            None => BodyBuilder::Sample {
                sample: Sample::new(self.event, self.platform, Timestamp::now()),
                edits: &self.edits,
            },
        })
    }
}

/// Makes the bodies of one command or one burst worker.
pub enum BodyBuilder<'a> {
    Fixed {
        bytes: Bytes,
        event_id: Option<String>,
    },
    Sample {
        sample: Sample,
        edits: &'a [Assignment],
    },
}

impl BodyBuilder<'_> {
    /// The body for device number `device_no` (a burst varies it): the
    /// sample with a fresh event id, or the user's document as it is.
    pub fn build(&mut self, device_no: u32) -> Result<Body> {
        let fresh_id = || ids::fresh().to_string();
        match self {
            BodyBuilder::Fixed { bytes, event_id } => Ok(Body {
                bytes: bytes.clone(),
                event_id: event_id.clone().unwrap_or_else(fresh_id),
            }),
            BodyBuilder::Sample { sample, edits } => {
                sample.stamp(&fresh_id(), device_no);
                for edit in edits.iter() {
                    edit.apply(sample.document_mut()).map_err(usage)?;
                }
                let document = sample.document();
                let event_id = payload::event_id_of(document).map_or_else(fresh_id, str::to_string);
                Ok(Body {
                    bytes: checked_size(payload::compact(document))?,
                    event_id,
                })
            }
        }
    }
}

fn checked_size(bytes: Vec<u8>) -> Result<Bytes> {
    if bytes.len() > payload::MAX_BODY_BYTES {
        return Err(usage(format!(
            "the body is larger than {} MiB",
            payload::MAX_BODY_BYTES / (1024 * 1024)
        )));
    }
    Ok(Bytes::from(bytes))
}

/// The engine's options from the command line and, where it has one, the
/// profile. `--cacert` is read here, once.
pub fn engine_options(
    ctx: &Context,
    args: &ConnectionArgs,
    endpoint: &Endpoint,
    profile_timeout: Option<Duration>,
    idle: usize,
) -> Result<EngineOptions> {
    let cacert = read_cacert(args)?;
    Ok(engine_options_with(
        ctx,
        args,
        cacert,
        endpoint,
        profile_timeout,
        idle,
    ))
}

/// `--cacert`'s bundle, if given.
pub fn read_cacert(args: &ConnectionArgs) -> Result<Option<CaBundle>> {
    args.cacert.as_deref().map(CaBundle::read).transpose()
}

/// `engine_options` with `--cacert` read already.
pub fn engine_options_with(
    ctx: &Context,
    args: &ConnectionArgs,
    cacert: Option<CaBundle>,
    endpoint: &Endpoint,
    profile_timeout: Option<Duration>,
    idle: usize,
) -> EngineOptions {
    if args.insecure {
        ctx.out.warn("--insecure: the endpoint's TLS certificate is not checked; use it only for a local test endpoint");
    }
    EngineOptions {
        timeout: args
            .timeout
            .or(profile_timeout)
            .unwrap_or(config::DEFAULT_TIMEOUT),
        cacert,
        insecure: args.insecure,
        idle_connections: idle,
        tls: EngineOptions::tls_needed_for(endpoint.url()),
    }
}

/// The outcome for a terminal: a mark and its description, green for a
/// delivery and red for anything else.
pub fn painted_verdict(out: &Output, outcome: &Outcome) -> (String, String) {
    let (style, mark) = if outcome.success() {
        (OK, "✓")
    } else {
        (FAIL, "✗")
    };
    (out.paint(style, mark), out.paint(style, outcome.describe()))
}

/// How long ago, for people: `12 ms`, `1.24 s`.
pub fn human_ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The start of an answer's body on one line, for a terminal.
pub fn answer_preview(body: &str, max_chars: usize) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() > max_chars {
        format!("{}…", flat.chars().take(max_chars).collect::<String>())
    } else {
        flat.to_string()
    }
}
