//! `doctor`'s checks: why do deliveries fail? One check at a time, in the
//! order a delivery meets them: the config file, the profile, DNS, the
//! connection, the TLS certificate, a mock delivery, and what the log says
//! of recent deliveries. Each names the cause the way the reference does
//! (an expired certificate, a wrong endpoint or secret, an error in the
//! receiver's code) and what to run or change. The checks are data; the
//! command decides how they are shown and what they mean for its exit.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

use crate::core::catalog::{self, Event};
use crate::core::config::{self, Config, Configured, Store, profile_flag};
use crate::core::delivery::sender::{Delivery, Sender};
use crate::core::delivery::{CaBundle, Engine, EngineOptions, Outcome, Verdict, proxy};
use crate::core::error::split_hint;
use crate::core::filter::Filter;
use crate::core::home::Home;
use crate::core::log;
use crate::core::payload::BodySource;
use crate::core::probe::{self, Trust};
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

/// Runs every check, handing each to `seen` as it is made. Returns them
/// all, and the configuration if it could be read.
pub(crate) async fn run(
    ctx: &Checkup<'_>,
    seen: &mut dyn FnMut(&Check) -> Result<()>,
) -> Result<(Vec<Check>, Option<Config>)> {
    let mut report = Report {
        seen,
        checks: Vec::new(),
    };
    let config = check_config(ctx, &mut report)?;
    let configured = match &config {
        Some(config) => check_profile(ctx, config, &mut report)?,
        None => None,
    };
    match configured {
        Some(configured) => check_endpoint(ctx, &configured, &mut report).await?,
        None => {
            let why = if config.is_some() {
                "skipped: the profile has no endpoint and secret"
            } else {
                "skipped: no usable configuration"
            };
            report.skip_rest(&["dns", "connect", "tls", "mock"], why)?
        }
    }
    check_log(ctx, ctx.since, ctx.window, &mut report)?;
    Ok((report.checks, config))
}

fn check_config(ctx: &Checkup<'_>, report: &mut Report<'_>) -> Result<Option<Config>> {
    let path = ctx.home.config_file();
    let exists = crate::core::fsutil::regular_file_exists(&path).unwrap_or(true);
    match ctx.load_config() {
        Err(err) => {
            let (detail, hint) = split_hint(&err);
            let mut check = Check::new("config", Status::Fail, detail);
            check.fix = hint;
            report.add(check)?;
            report.skip_rest(&["profile"], "skipped: the config file cannot be used")?;
            Ok(None)
        }
        Ok(_) if !exists => {
            report.add(
                Check::new(
                    "config",
                    Status::Fail,
                    format!("no configuration at {}", path.display()),
                )
                .fix(format!("run '{} --generate-secret'", configure_url(ctx))),
            )?;
            report.skip_rest(&["profile"], "skipped: nothing is configured")?;
            Ok(None)
        }
        Ok(config) => {
            report.add(Check::new(
                "config",
                Status::Pass,
                format!("{}, private to its owner", path.display()),
            ))?;
            Ok(Some(config))
        }
    }
}

fn check_profile<'c>(
    ctx: &Checkup<'_>,
    config: &'c Config,
    report: &mut Report<'_>,
) -> Result<Option<Configured<'c>>> {
    let flag = profile_flag(ctx.profile);
    let Ok(configured) = config::require_configured(config, ctx.profile) else {
        let missing = match config.profile(ctx.profile) {
            None => "does not exist".to_string(),
            Some(p) if p.url.is_none() && p.secret.is_none() => "has no URL and no secret".into(),
            Some(p) if p.url.is_none() => "has no URL".into(),
            Some(_) => "has no secret".into(),
        };
        report.add(
            Check::new(
                "profile",
                Status::Fail,
                format!("profile '{}' {missing}", ctx.profile),
            )
            .fix(format!("run '{} --generate-secret'", configure_url(ctx))),
        )?;
        return Ok(None);
    };
    let profile = configured.profile;
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
    report.add(check)?;
    Ok(Some(configured))
}

async fn check_endpoint(
    ctx: &Checkup<'_>,
    configured: &Configured<'_>,
    report: &mut Report<'_>,
) -> Result<()> {
    let url = configured.url.url();
    let connection = &ctx.connection;
    let options = EngineOptions::for_delivery(
        url,
        connection
            .timeout
            .unwrap_or(configured.profile.delivery.timeout),
        connection.cacert.clone(),
        connection.insecure,
        1,
    );
    let trust = ctx.trust;
    let timeout = options.timeout;
    let engine = Engine::new(&options)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let configure = configure_url(ctx);

    if let Some(proxy) = proxy::shown_proxy_for(url) {
        // The checks below look at the endpoint directly, which is not the
        // way deliveries go; the mock goes the proxy's way.
        report.skip_rest(
            &["dns", "connect", "tls"],
            &format!("skipped: deliveries go through the proxy {proxy}; the mock checks that way"),
        )?;
        return report.add(check_mock(ctx, configured, &engine).await?);
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
                "check the host name in the URL ('{configure}') and this machine's DNS"
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
                "start the receiver, or check the port in the URL ('{configure}') and any firewall between"
            )))?;
            return report.skip_rest(&["tls", "mock"], "skipped: no connection");
        }
    };

    let tls = check_tls(configured, stream, trust, timeout).await;
    let tls_failed = tls.status == Status::Fail;
    report.add(tls)?;
    if tls_failed {
        return report.skip_rest(&["mock"], "skipped: a delivery cannot get past TLS");
    }

    report.add(check_mock(ctx, configured, &engine).await?)
}

async fn check_tls(
    configured: &Configured<'_>,
    stream: tokio::net::TcpStream,
    trust: &Trust,
    timeout: std::time::Duration,
) -> Check {
    let url = configured.url.url();
    if url.scheme() == "http" {
        return if configured.url.is_unencrypted_remote() {
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
fn mock_event(configured: &Configured<'_>) -> &'static Event {
    configured
        .profile
        .subscriptions
        .iter()
        .next()
        .unwrap_or(&catalog::EVENTS[0])
}

async fn check_mock(
    ctx: &Checkup<'_>,
    configured: &Configured<'_>,
    engine: &Engine,
) -> Result<Check> {
    let event = mock_event(configured);
    let body = BodySource::sample(event)?.builder()?.build(0)?;
    let sender = Sender::mock(
        engine.clone(),
        configured.url.clone(),
        configured.secret.clone(),
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
            let fix = match code {
                404 => format!("check the URL's path: run '{}' with the path the receiver serves", configure_url(ctx)),
                401 | 403 | 406 => format!(
                    "check that both sides hold the same secret ('sfhook{flag} configure --secret-stdin' or the receiver's setting)"
                ),
                500..=599 => "look at the receiver's logs for the error; 'sfhook events show EVENT' prints the payload it got".to_string(),
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
