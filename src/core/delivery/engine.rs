//! The delivery engine: one HTTP POST of signed bytes, and what came of it.
//! It knows nothing of config files or the log: a request goes in, an
//! outcome comes out.

use std::error::Error as StdError;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use bytes::Bytes;
use jiff::Timestamp;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};

use crate::core::endpoint::redact;
use crate::core::error::usage;
use crate::core::log::RESPONSE_BODY_LIMIT;

use super::extra::ExtraHeader;
use super::outcome::{Answer, NoAnswer, Outcome};
use super::proxy;
use super::tls::describe_tls;

pub const USER_AGENT: &str = concat!("sfhook/", env!("CARGO_PKG_VERSION"));
const MAX_CACERT_BYTES: u64 = 4 * 1024 * 1024;

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
    /// No proxy applies to the endpoint: reqwest need not look one up per
    /// request.
    pub direct: bool,
}

impl EngineOptions {
    /// Options for deliveries to `url`: a timeout, extra CA certificates,
    /// whether to check certificates at all, and connections to keep.
    pub fn for_delivery(
        url: &Url,
        timeout: Duration,
        cacert: Option<CaBundle>,
        insecure: bool,
        idle_connections: usize,
    ) -> EngineOptions {
        EngineOptions {
            cacert,
            insecure,
            idle_connections,
            ..EngineOptions::for_url(url, timeout)
        }
    }

    /// Options for requests to `url`: whether they need TLS (an https
    /// endpoint, or a proxy reached over https) and go direct.
    pub fn for_url(url: &Url, timeout: Duration) -> EngineOptions {
        let proxy = proxy::proxy_for(url);
        EngineOptions {
            timeout,
            tls: url.scheme() == "https" || proxy.as_ref().is_some_and(|p| p.scheme() == "https"),
            direct: proxy.is_none(),
            ..EngineOptions::default()
        }
    }
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
    /// `None` sends no `X-SF-Signature` at all (a forged delivery).
    pub signature: Option<&'a str>,
    /// The wire name, for `X-SF-Event`.
    pub event: &'a str,
    pub mock: bool,
    /// More headers, after sfhook's own.
    pub headers: &'a [ExtraHeader],
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
        if options.direct {
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
        let request_id = crate::core::ids::fresh();
        let started_at = Timestamp::now();
        let clock = Instant::now();
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut builder = self
            .client
            .post(request.url.clone())
            .header(CONTENT_TYPE, "application/json");
        if let Some(signature) = request.signature {
            builder = builder.header("X-SF-Signature", signature);
        }
        builder = builder
            .header("X-SF-Event", request.event)
            .header("X-SF-Request-ID", request_id.to_string())
            .body(request.body.clone());
        if request.mock {
            builder = builder.header("X-SF-Mock", "true");
        }
        for extra in request.headers {
            builder = builder.header(extra.name.clone(), extra.value.clone());
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
            .and_then(|file| crate::core::fsutil::read_at_most(file, MAX_CACERT_BYTES))
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

#[cfg(test)]
mod tests {
    use super::*;

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
