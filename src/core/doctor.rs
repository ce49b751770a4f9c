//! `doctor`'s checks: why do deliveries fail? One check at a time, in the
//! order a delivery meets them: the config file, the profile, DNS, the
//! connection, the TLS certificate, a mock delivery, and what the log says
//! of recent deliveries. Each names the cause the way the reference does
//! (an expired certificate, a wrong endpoint or secret, an error in the
//! receiver's code) and what to run or change. The checks are data; the
//! command decides how they are shown and what they mean for its exit.
//!
//! As for `mock`, an endpoint and a secret from the environment
//! (SFHOOK_URL, SFHOOK_SECRET) win over the profile's, so that CI can run
//! the checkup as a pre-flight without any saved state.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

use crate::core::catalog::{self, Event};
use crate::core::config::{self, Config, Profile, Store, profile_flag};
use crate::core::delivery::sender::{Delivery, Sender};
use crate::core::delivery::{CaBundle, Engine, EngineOptions, Outcome, Verdict, proxy};
use crate::core::endpoint::Endpoint;
use crate::core::error::split_hint;
use crate::core::filter::Filter;
use crate::core::home::Home;
use crate::core::log;
use crate::core::payload::BodySource;
use crate::core::probe::{self, Trust};
use crate::core::secret::Secret;
use crate::core::units::{answer_preview, human_ms};

/// A certificate this close to expiry is a warning.
const EXPIRY_WARNING_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Pass,
    Warn,
    Fail,
    /// Not run: an earlier check failed, or it does not apply.
    Skip,
}

impl Status {
    /// As in `--json` and on a pipe.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Check {
    pub check: &'static str,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
}

impl Check {
    fn new(check: &'static str, status: Status, detail: impl Into<String>) -> Check {
        Check {
            check,
            status,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

/// What a checkup is about: a home and a profile, the window of the log
/// to look at, and how to connect.
pub(crate) struct Checkup<'a> {
    pub home: &'a Home,
    pub profile: &'a str,
    /// `--since` as typed, for messages, and as a filter.
    pub since: &'a str,
    pub window: &'a Filter,
    pub connection: Connection,
    pub trust: &'a Trust,
    pub env: FromEnv,
}

/// SFHOOK_URL and SFHOOK_SECRET, parsed: what wins over the profile.
pub(crate) struct FromEnv {
    pub endpoint: Option<Endpoint>,
    pub secret: Option<Secret>,
}

impl FromEnv {
    /// Both given: the endpoint checks need nothing saved.
    fn complete(&self) -> bool {
        self.endpoint.is_some() && self.secret.is_some()
    }

    /// The variable a half-given pair lacks.
    fn missing(&self) -> Option<&'static str> {
        match (self.endpoint.is_some(), self.secret.is_some()) {
            (true, false) => Some("SFHOOK_SECRET"),
            (false, true) => Some("SFHOOK_URL"),
            _ => None,
        }
    }
}

/// How to reach the endpoint: the command line's overrides.
pub(crate) struct Connection {
    pub timeout: Option<Duration>,
    pub cacert: Option<CaBundle>,
    pub insecure: bool,
}

impl Checkup<'_> {
    fn load_config(&self) -> Result<Config> {
        Store::new(self.home).load()
    }

    /// Where the URL is changed, for fixes: SFHOOK_URL if it gave the URL,
    /// else the command that saves one.
    fn url_setting(&self) -> String {
        if self.env.endpoint.is_some() {
            "SFHOOK_URL".to_string()
        } else {
            format!("'{}'", configure_url(self))
        }
    }
}

/// What the config check found.
enum Saved {
    Usable(Config),
    /// No config file.
    Missing,
    /// A config file that cannot be used.
    Broken,
}

/// What the endpoint checks use: the environment's endpoint and secret
/// where it gives them, the profile's otherwise.
struct Target {
    endpoint: Endpoint,
    secret: Secret,
    timeout: Duration,
    /// The event the mock carries.
    event: &'static Event,
}

impl Target {
    fn new(
        ctx: &Checkup<'_>,
        endpoint: Endpoint,
        secret: Secret,
        profile: Option<&Profile>,
    ) -> Target {
        Target {
            endpoint,
            secret,
            timeout: ctx
                .connection
                .timeout
                .or(profile.map(|p| p.delivery.timeout))
                .unwrap_or(config::DEFAULT_TIMEOUT),
            event: mock_event(profile),
        }
    }
}

/// The checks, and the URL they were about (redacted), if there was one.
pub(crate) struct Findings {
    pub checks: Vec<Check>,
    pub url: Option<String>,
}

/// The checks so far; each goes to `seen` as soon as it is made, so a
/// terminal can show progress.
struct Report<'s> {
    seen: &'s mut dyn FnMut(&Check) -> Result<()>,
    checks: Vec<Check>,
}

impl Report<'_> {
    fn add(&mut self, check: Check) -> Result<()> {
        (self.seen)(&check)?;
        self.checks.push(check);
        Ok(())
    }

    fn skip_rest(&mut self, names: &[&'static str], why: &str) -> Result<()> {
        for name in names {
            self.add(Check::new(name, Status::Skip, why))?;
        }
        Ok(())
    }
}

/// Runs every check, handing each to `seen` as it is made.
pub(crate) async fn run(
    ctx: &Checkup<'_>,
    seen: &mut dyn FnMut(&Check) -> Result<()>,
) -> Result<Findings> {
    let mut report = Report {
        seen,
        checks: Vec::new(),
    };
    let saved = check_config(ctx, &mut report)?;
    let target = check_profile(ctx, &saved, &mut report)?;
    match &target {
        Some(target) => check_endpoint(ctx, target, &mut report).await?,
        None => {
            let why = if matches!(saved, Saved::Usable(_)) {
                "skipped: the profile has no endpoint and secret"
            } else {
                "skipped: no usable configuration"
            };
            report.skip_rest(&["dns", "connect", "tls", "mock"], why)?
        }
    }
    check_log(ctx, ctx.since, ctx.window, &mut report)?;
    let saved_url = match &saved {
        Saved::Usable(config) => config.profile(ctx.profile).and_then(|p| p.url.as_ref()),
        Saved::Missing | Saved::Broken => None,
    };
    let url = match &target {
        Some(target) => Some(&target.endpoint),
        None => ctx.env.endpoint.as_ref().or(saved_url),
    };
    Ok(Findings {
        checks: report.checks,
        url: url.map(Endpoint::redacted),
    })
}

fn check_config(ctx: &Checkup<'_>, report: &mut Report<'_>) -> Result<Saved> {
    let path = ctx.home.config_file();
    let exists = crate::core::fsutil::regular_file_exists(&path).unwrap_or(true);
    let env = &ctx.env;
    match ctx.load_config() {
        Err(err) => {
            let (detail, hint) = split_hint(&err);
            // As for `mock`: a broken file must not stop a run that brings
            // everything itself, but it is worth fixing before `send`.
            let check = if env.complete() {
                Check::new(
                    "config",
                    Status::Warn,
                    format!(
                        "{detail}; ignored, since SFHOOK_URL and SFHOOK_SECRET give the endpoint and secret"
                    ),
                )
            } else {
                Check::new("config", Status::Fail, detail)
            };
            report.add(Check { fix: hint, ..check })?;
            Ok(Saved::Broken)
        }
        Ok(_) if !exists => {
            // Nothing saved is what a CI pre-flight looks like: not a
            // failure, and not a pass either, since nothing was checked.
            let check = if env.complete() {
                Check::new(
                    "config",
                    Status::Skip,
                    format!(
                        "nothing saved at {}: SFHOOK_URL and SFHOOK_SECRET give the endpoint and secret",
                        path.display()
                    ),
                )
            } else {
                let detail = match env.missing() {
                    Some(missing) => format!(
                        "no configuration at {}, and {missing} is not set",
                        path.display()
                    ),
                    None => format!("no configuration at {}", path.display()),
                };
                Check::new("config", Status::Fail, detail).fix(format!(
                    "run '{} --generate-secret', or set SFHOOK_URL and SFHOOK_SECRET",
                    configure_url(ctx)
                ))
            };
            report.add(check)?;
            Ok(Saved::Missing)
        }
        Ok(config) => {
            let overridden = match (env.endpoint.is_some(), env.secret.is_some()) {
                (true, true) => "; SFHOOK_URL and SFHOOK_SECRET override its endpoint and secret",
                (true, false) => "; SFHOOK_URL overrides its endpoint",
                (false, true) => "; SFHOOK_SECRET overrides its secret",
                (false, false) => "",
            };
            report.add(Check::new(
                "config",
                Status::Pass,
                format!("{}, private to its owner{overridden}", path.display()),
            ))?;
            Ok(Saved::Usable(config))
        }
    }
}

/// The profile, as `send` would use it, and what the endpoint checks use.
///
/// With SFHOOK_URL and SFHOOK_SECRET both set, the checks that follow are
/// about the receiver they name, as a mock would be; the saved profile is
/// what `send` uses, and nothing below depends on it. A CI pre-flight with
/// nothing saved then gets a skipped profile check, whose reason says
/// where the endpoint and secret come from: not a pass, which would claim
/// a profile was checked, nor a failure, which would fail every such
/// pipeline. A saved profile that could not send is a warning there.
fn check_profile(
    ctx: &Checkup<'_>,
    saved: &Saved,
    report: &mut Report<'_>,
) -> Result<Option<Target>> {
    let env = &ctx.env;
    let from_env_only = |report: &mut Report<'_>, what: &str| -> Result<Option<Target>> {
        report.add(Check::new(
            "profile",
            Status::Skip,
            format!(
                "{what}: the checks below use SFHOOK_URL and SFHOOK_SECRET \
                 ('send' needs a saved, active profile)"
            ),
        ))?;
        Ok(env
            .endpoint
            .clone()
            .zip(env.secret.clone())
            .map(|(endpoint, secret)| Target::new(ctx, endpoint, secret, None)))
    };
    let config = match saved {
        Saved::Usable(config) => config,
        Saved::Missing if env.complete() => {
            return from_env_only(report, &format!("no saved profile '{}'", ctx.profile));
        }
        Saved::Broken if env.complete() => {
            return from_env_only(report, "the config file is ignored");
        }
        Saved::Missing => {
            report.skip_rest(&["profile"], "skipped: nothing is configured")?;
            return Ok(None);
        }
        Saved::Broken => {
            report.skip_rest(&["profile"], "skipped: the config file cannot be used")?;
            return Ok(None);
        }
    };
    let flag = profile_flag(ctx.profile);
    let saved_profile = config.profile(ctx.profile);
    let endpoint = env
        .endpoint
        .clone()
        .or_else(|| saved_profile.and_then(|p| p.url.clone()));
    let secret = env
        .secret
        .clone()
        .or_else(|| saved_profile.and_then(|p| p.secret.clone()));
    let (Some(endpoint), Some(secret)) = (endpoint, secret) else {
        let missing = match saved_profile {
            None => "does not exist",
            Some(p) if p.url.is_none() && p.secret.is_none() => "has no URL and no secret",
            Some(p) if p.url.is_none() => "has no URL",
            Some(_) => "has no secret",
        };
        let (unset, fix) = match env.missing() {
            Some(var) => (
                format!(", and {var} is not set"),
                format!(
                    "set {var}, or run '{} --generate-secret'",
                    configure_url(ctx)
                ),
            ),
            None => (
                String::new(),
                format!("run '{} --generate-secret'", configure_url(ctx)),
            ),
        };
        report.add(
            Check::new(
                "profile",
                Status::Fail,
                format!("profile '{}' {missing}{unset}", ctx.profile),
            )
            .fix(fix),
        )?;
        return Ok(None);
    };
    let Some(profile) = saved_profile else {
        return from_env_only(report, &format!("no saved profile '{}'", ctx.profile));
    };
    let target = Target::new(ctx, endpoint, secret, Some(profile));
    let count = profile.subscriptions.len();
    let subscribed = format!(
        "subscribed to {count} event{}",
        if count == 1 { "" } else { "s" }
    );
    // Either makes every 'send' fail: a failed check, not a warning.
    let check = if !profile.active {
        Check::new(
            "profile",
            Status::Fail,
            format!(
                "'{}' is not active, so 'send' delivers nothing; {subscribed}",
                ctx.profile
            ),
        )
        .fix(format!("run 'sfhook{flag} activate'"))
    } else if count == 0 {
        Check::new(
            "profile",
            Status::Fail,
            format!(
                "'{}' is active but subscribed to no event, so 'send' delivers nothing",
                ctx.profile
            ),
        )
        .fix(format!(
            "run 'sfhook{flag} subscribe EVENT' ('sfhook events' lists them)"
        ))
    } else {
        Check::new(
            "profile",
            Status::Pass,
            format!("'{}' is active, {subscribed}", ctx.profile),
        )
    };
    let check = if check.status == Status::Fail && env.complete() {
        Check {
            status: Status::Warn,
            detail: format!(
                "{}; the checks below use SFHOOK_URL and SFHOOK_SECRET",
                check.detail
            ),
            ..check
        }
    } else {
        check
    };
    report.add(check)?;
    Ok(Some(target))
}

async fn check_endpoint(ctx: &Checkup<'_>, target: &Target, report: &mut Report<'_>) -> Result<()> {
    let url = target.endpoint.url();
    let connection = &ctx.connection;
    let options = EngineOptions::for_delivery(
        url,
        target.timeout,
        connection.cacert.clone(),
        connection.insecure,
        1,
    );
    let trust = ctx.trust;
    let timeout = options.timeout;
    let engine = Engine::new(&options)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let url_setting = ctx.url_setting();

    if let Some(proxy) = proxy::shown_proxy_for(url) {
        // The checks below look at the endpoint directly, which is not the
        // way deliveries go; the mock goes the proxy's way.
        report.skip_rest(
            &["dns", "connect", "tls"],
            &format!("skipped: deliveries go through the proxy {proxy}; the mock checks that way"),
        )?;
        return report.add(check_mock(ctx, target, &engine).await?);
    }

    let addrs = match probe::resolve(url, timeout).await {
        Ok(addrs) => {
            let detail = if matches!(url.host(), Some(url::Host::Domain(_))) {
                let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
                format!("{host} resolves to {}", shown.join(", "))
            } else {
                format!("{host} is an address: nothing to resolve")
            };
            report.add(Check::new("dns", Status::Pass, detail))?;
            addrs
        }
        Err(why) => {
            report.add(Check::new("dns", Status::Fail, why).fix(format!(
                "check the host name in the URL ({url_setting}) and this machine's DNS"
            )))?;
            return report.skip_rest(
                &["connect", "tls", "mock"],
                "skipped: the host does not resolve",
            );
        }
    };

    let stream = match probe::connect(&addrs, timeout).await {
        Ok((stream, addr, took)) => {
            report.add(Check::new(
                "connect",
                Status::Pass,
                format!("{addr} accepts a connection ({})", human_ms(took)),
            ))?;
            stream
        }
        Err(why) => {
            report.add(Check::new("connect", Status::Fail, why).fix(format!(
                "start the receiver, or check the port in the URL ({url_setting}) and any firewall between"
            )))?;
            return report.skip_rest(&["tls", "mock"], "skipped: no connection");
        }
    };

    let tls = check_tls(&target.endpoint, stream, trust, timeout).await;
    let tls_failed = tls.status == Status::Fail;
    report.add(tls)?;
    if tls_failed {
        return report.skip_rest(&["mock"], "skipped: a delivery cannot get past TLS");
    }

    report.add(check_mock(ctx, target, &engine).await?)
}

async fn check_tls(
    endpoint: &Endpoint,
    stream: tokio::net::TcpStream,
    trust: &Trust,
    timeout: std::time::Duration,
) -> Check {
    let url = endpoint.url();
    if url.scheme() == "http" {
        return if endpoint.is_unencrypted_remote() {
            Check::new(
                "tls",
                Status::Warn,
                "plain http to another machine: payloads and signatures cross the network unencrypted",
            )
            .fix("serve the receiver over https and configure the https:// URL")
        } else {
            Check::new(
                "tls",
                Status::Skip,
                "plain http on this machine: no certificate",
            )
        };
    }
    let Some(host) = url.host() else {
        return Check::new("tls", Status::Fail, "the URL has no host");
    };
    let host_text = url.host_str().unwrap_or_default();
    let tls = match probe::inspect_tls(stream, &host, trust, timeout).await {
        Ok(tls) => tls,
        Err(why) => {
            return Check::new("tls", Status::Fail, why)
                .fix("check that the URL's port serves HTTPS, and the receiver's TLS set-up");
        }
    };
    let expiry = tls.certificate.as_ref().map(|cert| {
        let days = cert.not_after.duration_since(Timestamp::now()).as_hours() / 24;
        (days, cert.not_after.strftime("%Y-%m-%d").to_string())
    });
    match (tls.verdict, expiry) {
        (Some(Err(problem)), expiry) => {
            let detail = match expiry {
                Some((days, _)) if days < 0 => format!("{}, {} days ago", problem.what, -days),
                _ => problem.what.clone(),
            };
            let fix = match problem.fix {
                Some(fix) => fix,
                None if detail.contains("expired") => {
                    "renew the receiver's certificate: every delivery fails until then".to_string()
                }
                None => format!("give the receiver a certificate valid for {host_text}"),
            };
            Check::new("tls", Status::Fail, detail).fix(fix)
        }
        (None, Some((days, date))) if days < 0 => Check::new(
            "tls",
            Status::Warn,
            format!(
                "certificate not checked (--insecure); it expired on {date}, {} days ago",
                -days
            ),
        )
        .fix("renew the receiver's certificate: only --insecure lets deliveries through"),
        (verdict, Some((days, date))) => {
            let unchecked = verdict.is_none();
            let valid = if unchecked {
                "not checked (--insecure)".to_string()
            } else {
                format!("valid for {host_text}")
            };
            let detail = format!("certificate {valid}, expires in {days} days ({date})");
            if days < EXPIRY_WARNING_DAYS {
                Check::new("tls", Status::Warn, detail).fix(format!(
                    "renew it before {date}: deliveries fail once it expires"
                ))
            } else if unchecked {
                Check::new("tls", Status::Warn, detail).fix("leave out --insecure to check it")
            } else {
                Check::new("tls", Status::Pass, detail)
            }
        }
        (Some(Ok(())), None) => Check::new(
            "tls",
            Status::Warn,
            format!("certificate valid for {host_text}, but its expiry date cannot be read"),
        ),
        (None, None) => Check::new("tls", Status::Warn, "certificate not checked (--insecure)"),
    }
}

/// The command that changes the endpoint, for fixes.
fn configure_url(ctx: &Checkup<'_>) -> String {
    format!("sfhook{} configure --url URL", profile_flag(ctx.profile))
}

/// The event the mock carries: the first the profile is subscribed to, as
/// `send` would deliver, or the first of the catalogue.
fn mock_event(profile: Option<&Profile>) -> &'static Event {
    profile
        .and_then(|p| p.subscriptions.iter().next())
        .unwrap_or(&catalog::EVENTS[0])
}

async fn check_mock(ctx: &Checkup<'_>, target: &Target, engine: &Engine) -> Result<Check> {
    let event = target.event;
    let body = BodySource::sample(event)?.builder()?.build(0)?;
    let sender = Sender::mock(
        engine.clone(),
        target.endpoint.clone(),
        target.secret.clone(),
    );
    let attempted = sender
        .attempt(&Delivery {
            body: body.bytes,
            event: event.wire,
            event_id: &body.event_id,
            attempt: 1,
            redelivery_of: None,
            tamper: None,
            headers: &[],
        })
        .await?;
    Ok(judge_mock(ctx, event, &attempted.outcome))
}

fn judge_mock(ctx: &Checkup<'_>, event: &Event, outcome: &Outcome) -> Check {
    let flag = profile_flag(ctx.profile);
    let answered = format!(
        "a {} mock got {} in {}",
        event.wire,
        outcome.describe(),
        human_ms(outcome.duration)
    );
    let said = outcome
        .result
        .as_ref()
        .ok()
        .map(|answer| answer_preview(&String::from_utf8_lossy(&answer.body), 120))
        .filter(|text| !text.is_empty())
        .map(|text| format!(" ('{text}')"))
        .unwrap_or_default();
    match outcome.verdict() {
        Verdict::Delivered => Check::new("mock", Status::Pass, answered),
        Verdict::Refused(code) => {
            let cause = cause_of_code(code);
            let from_env = (ctx.env.endpoint.is_some(), ctx.env.secret.is_some());
            let fix = match code {
                404 if from_env.0 => "check the URL's path: set SFHOOK_URL with the path the receiver serves".to_string(),
                404 => format!("check the URL's path: run '{}' with the path the receiver serves", configure_url(ctx)),
                401 | 403 | 406 if from_env.1 => "check that both sides hold the same secret (SFHOOK_SECRET or the receiver's setting)".to_string(),
                401 | 403 | 406 => format!(
                    "check that both sides hold the same secret ('sfhook{flag} configure --secret-stdin' or the receiver's setting)"
                ),
                500..=599 => "look at the receiver's logs for the error; 'sfhook events show EVENT' prints the payload it got".to_string(),
                300..=399 if from_env.0 => "set SFHOOK_URL to the URL it redirects to".to_string(),
                300..=399 => format!("configure the URL it redirects to: '{}'", configure_url(ctx)),
                _ => "check what the receiver expects; its answer may say".to_string(),
            };
            Check::new("mock", Status::Fail, format!("{answered}: {cause}{said}")).fix(fix)
        }
        Verdict::Unanswered(why) => Check::new(
            "mock",
            Status::Fail,
            format!("a {} mock got no answer: {why}", event.wire),
        )
        .fix("check that the receiver is up and answers within the timeout ('--timeout' or 'sfhook configure --timeout')"),
    }
}

/// The cause a response code names, in the reference's terms.
fn cause_of_code(code: u16) -> &'static str {
    match code {
        404 => "wrong path",
        401 | 403 | 406 => "the receiver rejects the signature",
        410 => "the receiver says the endpoint is gone",
        408 => "the receiver timed out reading the request",
        429 => "the receiver is rate-limiting",
        300..=399 => "a redirect, which deliveries never follow",
        500..=599 => "the receiver's code failed",
        _ => "the receiver refused the delivery",
    }
}

/// Why a logged delivery failed, as a tally key: its code's cause, or the
/// first words of its error (`timeout`, `connection refused`, `TLS`, ...).
fn cause_of_record(code: Option<u16>, error: Option<&str>) -> String {
    match code {
        Some(code) => format!("{code} ({})", cause_of_code(code)),
        None => error
            .and_then(|e| e.split(':').next())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .unwrap_or("no answer")
            .to_string(),
    }
}

/// `3 deliveries`, `1 delivery`.
fn deliveries(n: u64) -> String {
    format!("{n} deliver{}", if n == 1 { "y" } else { "ies" })
}

/// `in the last 7d` for an age, `since 2026-11-01` for a date.
fn window_words(since: &str) -> String {
    let age = since.starts_with(|c: char| c.is_ascii_digit())
        && since.ends_with(|c: char| c.is_ascii_alphabetic())
        && !since.contains(['-', ':']);
    if age {
        format!("in the last {since}")
    } else {
        format!("since {since}")
    }
}

fn check_log(
    ctx: &Checkup<'_>,
    since: &str,
    filter: &Filter,
    report: &mut Report<'_>,
) -> Result<()> {
    let window = window_words(since);
    let path = ctx.home.log_file();
    let mut total = 0u64;
    let mut causes: BTreeMap<String, u64> = BTreeMap::new();
    let mut latest: Option<(String, bool)> = None;
    let scanned = log::scan(&path, 0, filter.needle().as_ref(), |line| {
        let head = &line.head;
        if filter.matches(head) {
            total += 1;
            if !head.success {
                *causes
                    .entry(cause_of_record(head.response_code, head.error.as_deref()))
                    .or_default() += 1;
            }
            let ts = head.comparable_timestamp().unwrap_or_default();
            if latest
                .as_ref()
                .is_none_or(|(at, _)| ts.as_ref() >= at.as_str())
            {
                latest = Some((ts.into_owned(), head.success));
            }
        }
        Ok(ControlFlow::Continue(()))
    });
    let check = match scanned {
        Err(e) => Check::new(
            "log",
            Status::Fail,
            format!("cannot read {}: {e}", path.display()),
        ),
        Ok(_) if total == 0 => Check::new(
            "log",
            Status::Pass,
            format!("no deliveries for '{}' {window}", ctx.profile),
        ),
        Ok(_) if causes.is_empty() => Check::new(
            "log",
            Status::Pass,
            format!("{} {window}, all delivered", deliveries(total)),
        ),
        Ok(_) => {
            let failed: u64 = causes.values().sum();
            let mut tally: Vec<(String, u64)> = causes.into_iter().collect();
            tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let tally: Vec<String> = tally
                .into_iter()
                .map(|(cause, n)| format!("{n}× {cause}"))
                .collect();
            let newest_ok = latest.is_some_and(|(_, ok)| ok);
            let status = if newest_ok {
                Status::Warn
            } else {
                Status::Fail
            };
            let latest_said = if newest_ok {
                "the latest succeeded"
            } else {
                "the latest failed"
            };
            Check::new(
                "log",
                status,
                format!(
                    "{failed} of {} {window} failed: {}; {latest_said}",
                    deliveries(total),
                    tally.join(", ")
                ),
            )
            .fix(format!(
                "once fixed, run 'sfhook{} redeliver --failed --since {since}'",
                profile_flag(ctx.profile)
            ))
        }
    };
    report.add(check)
}
