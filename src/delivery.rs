//! The delivery engine: one HTTP POST of signed bytes, and what came of it.
//! It knows nothing of config files or the log: a request goes in, an
//! outcome comes out. Every command that sends uses it.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use bytes::Bytes;
use jiff::Timestamp;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use uuid::Uuid;

use crate::deliverylog::RESPONSE_BODY_LIMIT;
use crate::endpoint::redact;
use crate::error::{Failure, usage};
use crate::units::format_duration;

pub const USER_AGENT: &str = concat!("sfhook/", env!("CARGO_PKG_VERSION"));

/// Retry-After is honoured up to this long; a longer one is cut to it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const MAX_CACERT_BYTES: u64 = 4 * 1024 * 1024;
const MAX_BACKOFF_DELAY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub timeout: Duration,
    /// Extra CA certificates to trust (`--cacert`).
    pub cacert: Option<CaBundle>,
    /// Accept any certificate (a self-signed local endpoint).
    pub insecure: bool,
    /// Connections kept open for reuse (a burst's concurrency).
    pub idle_connections: usize,
    /// Whether TLS may be needed (an https endpoint or proxy). Loading the
    /// system's trust roots costs more than a whole local delivery, so a
    /// plain-http run skips it.
    pub tls: bool,
}

impl EngineOptions {
    /// TLS is needed for an https endpoint, or for a proxy reached over https.
    pub fn tls_needed_for(url: &Url) -> bool {
        url.scheme() == "https"
            || proxies().any(|proxy| proxy.trim().to_ascii_lowercase().starts_with("https:"))
    }
}

/// The proxies the environment sets, as reqwest reads them.
fn proxies() -> impl Iterator<Item = String> {
    [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .filter_map(|var| std::env::var(var).ok())
    .filter(|value| !value.trim().is_empty())
}

/// The proxy a request to `url` goes through, as reqwest picks it from the
/// environment: the scheme's variable, else ALL_PROXY, unless NO_PROXY
/// names the host (exactly, as a domain suffix, or `*`). Shown redacted.
pub fn proxy_for(url: &Url) -> Option<String> {
    let var = |names: &[&str]| {
        names
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.trim().is_empty())
    };
    let proxy = match url.scheme() {
        "https" => var(&["HTTPS_PROXY", "https_proxy"]),
        _ => var(&["HTTP_PROXY", "http_proxy"]),
    }
    .or_else(|| var(&["ALL_PROXY", "all_proxy"]))?;
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let bypassed = var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| {
        list.split(',').map(str::trim).any(|entry| {
            let entry = entry.trim_start_matches("*.").trim_start_matches('.');
            let entry = entry.to_ascii_lowercase();
            entry == "*"
                || (!entry.is_empty() && (host == entry || host.ends_with(&format!(".{entry}"))))
        })
    });
    if bypassed {
        return None;
    }
    Some(Url::parse(proxy.trim()).map_or_else(|_| "(unparsable)".to_string(), |p| redact(&p)))
}

#[derive(Clone)]
pub struct Engine {
    client: reqwest::Client,
    timeout: Duration,
}

/// One HTTP request to make: the exact bytes, already signed.
pub struct Request<'a> {
    pub url: &'a Url,
    pub body: Bytes,
    pub signature: &'a str,
    /// The wire name, for `X-SF-Event`.
    pub event: &'a str,
    pub mock: bool,
}

#[derive(Debug)]
pub struct Outcome {
    /// Fresh for every HTTP request: sent as `X-SF-Request-ID`.
    pub request_id: Uuid,
    pub started_at: Timestamp,
    pub duration: Duration,
    pub result: Result<Answer, NoAnswer>,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub reason: Option<&'static str>,
    /// At most `RESPONSE_BODY_LIMIT` bytes; the rest is never read.
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
    /// The status came, but the body stopped arriving (a timeout, a reset).
    /// The answer still counts: the contract's test is the status.
    pub cut_short: Option<NoAnswer>,
}

/// Why no (complete) answer came, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    Refused {
        address: String,
    },
    Dns {
        host: String,
    },
    Tls(String),
    Timeout(Duration),
    /// Closed or reset before an answer was complete.
    Closed,
    /// The answer was not HTTP: another service on that port, or TLS
    /// spoken back to a plain `http://` request (`plain`).
    Protocol {
        address: String,
        why: String,
        plain: bool,
    },
    Other(String),
}

impl fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoAnswer::Refused { address } => {
                write!(f, "connection refused: nothing is listening at {address}")
            }
            NoAnswer::Dns { host } => write!(f, "DNS: cannot resolve the host {host}"),
            NoAnswer::Tls(why) => write!(f, "TLS: {why}"),
            NoAnswer::Timeout(limit) => write!(
                f,
                "timeout: no complete answer within {}",
                format_duration(*limit)
            ),
            NoAnswer::Closed => {
                f.write_str("the endpoint closed the connection before its answer was complete")
            }
            NoAnswer::Protocol {
                address,
                why,
                plain,
            } => {
                write!(
                    f,
                    "the endpoint's answer is not valid HTTP ({why}): check that {address} is a web server's address"
                )?;
                if *plain {
                    f.write_str("; if it serves HTTPS, use an https:// URL")?;
                }
                Ok(())
            }
            NoAnswer::Other(why) => f.write_str(why),
        }
    }
}

impl NoAnswer {
    /// A short name for tallies: `refused`, `dns`, `tls`, `timeout`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            NoAnswer::Refused { .. } => "refused",
            NoAnswer::Dns { .. } => "dns",
            NoAnswer::Tls(_) => "tls",
            NoAnswer::Timeout(_) => "timeout",
            NoAnswer::Closed => "closed",
            NoAnswer::Protocol { .. } => "protocol",
            NoAnswer::Other(_) => "error",
        }
    }
}

/// What an outcome means: the three ways a delivery can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// A 2xx answer.
    Delivered,
    /// Another answer: its status.
    Refused(u16),
    /// No answer at all.
    Unanswered(&'a NoAnswer),
}

impl Outcome {
    pub fn code(&self) -> Option<u16> {
        self.result.as_ref().ok().map(|a| a.status)
    }

    pub fn verdict(&self) -> Verdict<'_> {
        match &self.result {
            Ok(answer) if (200..300).contains(&answer.status) => Verdict::Delivered,
            Ok(answer) => Verdict::Refused(answer.status),
            Err(no_answer) => Verdict::Unanswered(no_answer),
        }
    }

    /// Why the answer's body stopped arriving, if it did.
    pub fn cut_short(&self) -> Option<&NoAnswer> {
        self.result.as_ref().ok().and_then(|a| a.cut_short.as_ref())
    }

    /// For output that is not a terminal, where `describe` is not shown:
    /// a diagnostic line when the answer's body was cut short.
    pub fn cut_short_note(&self) -> Option<String> {
        self.cut_short()
            .map(|e| format!("note: the answer's body was cut short: {e}"))
    }

    /// Any 2xx answer, as the contract says.
    pub fn success(&self) -> bool {
        self.verdict() == Verdict::Delivered
    }

    /// Why no answer came, for the log's `error`.
    pub fn error(&self) -> Option<String> {
        self.result.as_ref().err().map(NoAnswer::to_string)
    }

    pub fn response_body(&self) -> String {
        match &self.result {
            Ok(answer) => String::from_utf8_lossy(&answer.body).into_owned(),
            Err(_) => String::new(),
        }
    }

    /// One line for people: `200 OK` or `timeout: ...`.
    pub fn describe(&self) -> String {
        match &self.result {
            Ok(answer) => {
                let mut text = match answer.reason {
                    Some(reason) => format!("{} {reason}", answer.status),
                    None => answer.status.to_string(),
                };
                if let Some(location) = &answer.location {
                    text.push_str(&format!(
                        " (redirect to {location} not followed: sfhook never follows redirects; \
                         use the URL it redirects to)"
                    ));
                }
                if let Some(e) = &answer.cut_short {
                    text.push_str(&format!(" (its body was cut short: {e})"));
                }
                text
            }
            Err(no_answer) => no_answer.to_string(),
        }
    }

    /// The failure this outcome means for the exit code, if any: 3 when an
    /// answer said no, 4 when no answer came.
    pub fn failure(&self, target: &str) -> Option<Failure> {
        match self.verdict() {
            Verdict::Delivered => None,
            Verdict::Refused(_) => Some(Failure::Rejected(format!(
                "{target} answered {}",
                self.describe()
            ))),
            Verdict::Unanswered(_) => Some(Failure::Unreachable(format!(
                "no answer from {target}: {}",
                self.describe()
            ))),
        }
    }

    /// A certificate problem will not fix itself in a few seconds; the rest may.
    fn is_permanent(&self) -> bool {
        matches!(self.result, Err(NoAnswer::Tls(_)))
    }
}

impl Engine {
    pub fn new(options: &EngineOptions) -> Result<Engine> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .connect_timeout(options.timeout)
            .pool_max_idle_per_host(options.idle_connections.max(1))
            .tcp_nodelay(true);
        if proxies().next().is_none() {
            // Without proxy variables there is nothing to look up per request.
            builder = builder.no_proxy();
        }
        if let Some(bundle) = &options.cacert {
            let certificates = reqwest::Certificate::from_pem_bundle(&bundle.pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| bundle.no_certificate())?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if options.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if !options.tls {
            builder = builder.tls_built_in_root_certs(false);
        }
        let client = builder.build().context("cannot set up the HTTP client")?;
        Ok(Engine {
            client,
            timeout: options.timeout,
        })
    }

    /// POSTs the bytes. The timeout covers everything from connecting to the
    /// last byte of the answer that is read.
    pub async fn deliver(&self, request: &Request<'_>) -> Outcome {
        let request_id = crate::ids::fresh();
        let started_at = Timestamp::now();
        let clock = Instant::now();
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut builder = self
            .client
            .post(request.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("X-SF-Signature", request.signature)
            .header("X-SF-Event", request.event)
            .header("X-SF-Request-ID", request_id.to_string())
            .body(request.body.clone());
        if request.mock {
            builder = builder.header("X-SF-Mock", "true");
        }
        let result = match tokio::time::timeout_at(deadline, builder.send()).await {
            Err(_) => Err(NoAnswer::Timeout(self.timeout)),
            Ok(Err(err)) => Err(classify(&err, request.url, self.timeout)),
            Ok(Ok(response)) => {
                Ok(read_answer(response, deadline, request.url, self.timeout).await)
            }
        };
        Outcome {
            request_id,
            started_at,
            duration: clock.elapsed(),
            result,
        }
    }
}

/// A `--cacert` file, read once (it may be a pipe, which cannot be read
/// twice): its path, for messages, and its bytes.
#[derive(Debug, Clone)]
pub struct CaBundle {
    pub path: PathBuf,
    pub pem: Vec<u8>,
}

impl CaBundle {
    /// A bundle of every public CA is about 250 KiB; a bounded read keeps
    /// `--cacert /dev/zero` from eating memory.
    pub fn read(path: &Path) -> Result<CaBundle> {
        let pem = std::fs::File::open(path)
            .and_then(|file| crate::fsutil::read_at_most(file, MAX_CACERT_BYTES))
            .map_err(|e| usage(format!("--cacert {}: {e}", path.display())))?
            .ok_or_else(|| {
                usage(format!(
                    "--cacert {} is larger than {} MiB; give a PEM file of CA certificates",
                    path.display(),
                    MAX_CACERT_BYTES / (1024 * 1024)
                ))
            })?;
        Ok(CaBundle {
            path: path.to_path_buf(),
            pem,
        })
    }

    pub fn no_certificate(&self) -> anyhow::Error {
        usage(format!(
            "--cacert {}: no PEM certificate in the file",
            self.path.display()
        ))
    }
}

async fn read_answer(
    mut response: reqwest::Response,
    deadline: tokio::time::Instant,
    url: &Url,
    timeout: Duration,
) -> Answer {
    let status = response.status();
    let headers = response.headers();
    let retry_after = retry_after(headers, Timestamp::now());
    let location = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| {
            url.join(l)
                .map(|u| redact(&u))
                .unwrap_or_else(|_| l.chars().take(200).collect())
        });
    let mut body = Vec::new();
    let cut_short = loop {
        if body.len() >= RESPONSE_BODY_LIMIT {
            // Enough: dropping the response closes the connection, so an
            // endless answer costs nothing more.
            break None;
        }
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => break Some(NoAnswer::Timeout(timeout)),
            Ok(Ok(Some(chunk))) => {
                let take = chunk.len().min(RESPONSE_BODY_LIMIT - body.len());
                body.extend_from_slice(&chunk[..take]);
            }
            Ok(Ok(None)) => break None,
            Ok(Err(err)) => break Some(classify(&err, url, timeout)),
        }
    };
    Answer {
        status: status.as_u16(),
        reason: status.canonical_reason(),
        body,
        retry_after,
        location,
        cut_short,
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = now.duration_until(when);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Walks the error's causes for the one a user can act on.
fn classify(err: &reqwest::Error, url: &Url, timeout: Duration) -> NoAnswer {
    if err.is_timeout() {
        return NoAnswer::Timeout(timeout);
    }
    let host = url.host_str().unwrap_or_default().to_string();
    let address = format!("{host}:{}", url.port_or_known_default().unwrap_or(0));
    let mut dns = false;
    let mut cause: Option<&(dyn StdError + 'static)> = Some(err);
    let mut last = err.to_string();
    while let Some(e) = cause {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return NoAnswer::Tls(describe_tls(tls, &host));
        }
        let mut next = e.source();
        if let Some(io_err) = e.downcast_ref::<io::Error>() {
            match io_err.kind() {
                io::ErrorKind::ConnectionRefused => return NoAnswer::Refused { address },
                io::ErrorKind::TimedOut => return NoAnswer::Timeout(timeout),
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return NoAnswer::Closed,
                _ => {}
            }
            // io::Error's own source() skips the error it wraps.
            if let Some(inner) = io_err.get_ref() {
                next = Some(inner as &(dyn StdError + 'static));
            }
        }
        if let Some(hyper_err) = e.downcast_ref::<hyper::Error>() {
            if hyper_err.is_incomplete_message() || hyper_err.is_closed() {
                return NoAnswer::Closed;
            }
            if hyper_err.is_parse() || hyper_err.is_parse_status() {
                return NoAnswer::Protocol {
                    address,
                    why: hyper_err.to_string(),
                    plain: url.scheme() == "http",
                };
            }
            if hyper_err.is_timeout() {
                return NoAnswer::Timeout(timeout);
            }
        }
        let text = e.to_string();
        dns |= text == "dns error";
        last = text;
        cause = next;
    }
    if dns {
        return NoAnswer::Dns { host };
    }
    NoAnswer::Other(last)
}

/// A TLS failure in words a user can act on.
pub fn describe_tls(err: &rustls::Error, host: &str) -> String {
    use rustls::CertificateError as C;
    let date = |secs: u64| {
        i64::try_from(secs)
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .map_or_else(
                || "an unknown date".to_string(),
                |ts| ts.strftime("%Y-%m-%d").to_string(),
            )
    };
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::ExpiredContext { not_after, .. } => {
                format!("the endpoint's certificate expired on {}", date(not_after.as_secs()))
            }
            C::Expired => "the endpoint's certificate has expired".to_string(),
            C::NotValidYetContext { not_before, .. } => {
                format!("the endpoint's certificate is not valid until {}", date(not_before.as_secs()))
            }
            C::NotValidYet => "the endpoint's certificate is not valid yet".to_string(),
            C::UnknownIssuer => "the endpoint's certificate is not signed by a trusted authority \
                                 (self-signed, or a private CA); pass --cacert FILE to trust its CA, \
                                 or --insecure for a local test endpoint"
                .to_string(),
            C::NotValidForNameContext { presented, .. } if presented.is_empty() => {
                format!("the endpoint's certificate names no host, so it is not valid for {host}")
            }
            C::NotValidForNameContext { presented, .. } => format!(
                "the endpoint's certificate is for {}, not {host}; use one of those names in the URL, \
                 or give the endpoint a certificate for {host}",
                presented.iter().map(|name| presented_name(name)).collect::<Vec<_>>().join(", ")
            ),
            C::NotValidForName => format!("the endpoint's certificate is not valid for {host}"),
            C::Revoked => "the endpoint's certificate has been revoked".to_string(),
            C::BadSignature => "the endpoint's certificate has a bad signature".to_string(),
            other => format!("the endpoint's certificate was refused: {other:?}"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the endpoint did not answer with TLS: if it serves plain HTTP, use an http:// URL"
                .to_string()
        }
        rustls::Error::AlertReceived(alert) => format!("the endpoint refused the TLS handshake ({alert:?})"),
        other => other.to_string(),
    }
}

/// webpki lists a certificate's names as `DnsName("example.com")` or
/// `IpAddress(192.0.2.1)`; people want the names alone.
fn presented_name(entry: &str) -> &str {
    entry
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map_or(entry, |inner| inner.trim_matches('"'))
}

/// Whether `send` tries again after this outcome: not after a success, a
/// certificate problem, a redirect, a 410, or a 4xx other than 408 and 429.
pub fn should_retry(outcome: &Outcome) -> bool {
    if outcome.success() || outcome.is_permanent() {
        return false;
    }
    match outcome.verdict() {
        Verdict::Delivered => false,
        Verdict::Refused(408 | 429) => true,
        Verdict::Refused(300..=499) => false,
        Verdict::Refused(_) | Verdict::Unanswered(_) => true,
    }
}

/// The wait before retry number `retry` (1 for the first): Retry-After if
/// the endpoint gave one (at most 60 s), else `base` doubled per retry,
/// times a jitter factor in [0.5, 1.5) from `jitter` in [0, 1).
pub fn backoff_delay(
    retry: u32,
    base: Duration,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(MAX_RETRY_AFTER);
    }
    let doubled = base.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    doubled
        .mul_f64(0.5 + jitter.clamp(0.0, 1.0))
        .min(MAX_BACKOFF_DELAY)
}

/// A uniform number in [0, 1), for jitter: it needs spread, not secrecy.
pub fn random_unit() -> f64 {
    fastrand::f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> Outcome {
        Outcome {
            request_id: Uuid::nil(),
            started_at: Timestamp::UNIX_EPOCH,
            duration: Duration::ZERO,
            result: Ok(Answer {
                status,
                reason: None,
                body: Vec::new(),
                retry_after: None,
                location: None,
                cut_short: None,
            }),
        }
    }

    #[test]
    fn retry_rules() {
        for (status, retry) in [
            (200, false),
            (301, false),
            (400, false),
            (404, false),
            (408, true),
            (410, false),
            (429, true),
            (500, true),
            (503, true),
        ] {
            assert_eq!(should_retry(&answered(status)), retry, "{status}");
        }
        let mut refused = answered(0);
        refused.result = Err(NoAnswer::Refused {
            address: "x:1".into(),
        });
        assert!(should_retry(&refused));
        refused.result = Err(NoAnswer::Tls("expired".into()));
        assert!(!should_retry(&refused));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let base = Duration::from_secs(1);
        assert_eq!(backoff_delay(1, base, None, 0.5), Duration::from_secs(1));
        assert_eq!(backoff_delay(2, base, None, 0.5), Duration::from_secs(2));
        assert_eq!(backoff_delay(3, base, None, 0.0), Duration::from_secs(2));
        assert!(backoff_delay(3, base, None, 0.999) < Duration::from_secs(6));
        assert_eq!(
            backoff_delay(1, base, Some(Duration::from_secs(7)), 0.9),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff_delay(1, base, Some(Duration::from_secs(3600)), 0.9),
            MAX_RETRY_AFTER
        );
        assert_eq!(backoff_delay(40, base, None, 0.9), MAX_BACKOFF_DELAY);
        let r = random_unit();
        assert!((0.0..1.0).contains(&r));
    }

    #[test]
    fn certificate_names_are_shown_bare() {
        assert_eq!(
            presented_name("DnsName(\"other.example\")"),
            "other.example"
        );
        assert_eq!(presented_name("IpAddress(192.0.2.1)"), "192.0.2.1");
        assert_eq!(presented_name("Unsupported(0x81)"), "0x81");
        assert_eq!(presented_name("odd"), "odd");
        let err =
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
                expected: rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
                presented: vec![
                    "DnsName(\"a.example\")".into(),
                    "IpAddress(10.0.0.1)".into(),
                ],
            });
        assert!(
            describe_tls(&err, "127.0.0.1").starts_with(
                "the endpoint's certificate is for a.example, 10.0.0.1, not 127.0.0.1;"
            ),
            "{}",
            describe_tls(&err, "127.0.0.1")
        );
    }

    #[test]
    fn an_answer_that_is_not_http_points_at_the_port_and_at_https() {
        let mut no_answer = NoAnswer::Protocol {
            address: "127.0.0.1:22".into(),
            why: "invalid HTTP version parsed".into(),
            plain: true,
        };
        let text = no_answer.to_string();
        assert!(
            text.contains("127.0.0.1:22") && text.contains("https://"),
            "{text}"
        );
        if let NoAnswer::Protocol { plain, .. } = &mut no_answer {
            *plain = false;
        }
        assert!(!no_answer.to_string().contains("https://"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(
            retry_after(&headers, Timestamp::UNIX_EPOCH),
            Some(Duration::from_secs(120))
        );
        headers.insert(
            RETRY_AFTER,
            "Thu, 01 Jan 1970 00:00:30 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after(&headers, Timestamp::UNIX_EPOCH),
            Some(Duration::from_secs(30))
        );
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, Timestamp::UNIX_EPOCH), None);
    }
}
