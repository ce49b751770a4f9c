//! The built-in receiver behind `listen` and `demo`: a small HTTP server on
//! the hyper stack that reqwest already brings. It checks `X-SF-Signature`
//! in constant time and answers like the reference's sample receiver: 200,
//! or 406 "Signatures mismatch". With a forward target, a delivery with a
//! valid signature goes on to the app (same body, same end-to-end headers)
//! and the sender gets the app's answer.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use jiff::Timestamp;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::core::payload::MAX_BODY_BYTES;
use crate::core::secret::Secret;
use crate::core::signature;

pub struct Receiver {
    pub secret: Secret,
    /// The path deliveries are posted to, e.g. `/payload`.
    pub path: String,
    /// Where deliveries with a valid signature go on to, if anywhere.
    pub forward: Option<Forward>,
}

/// The app that `listen --forward-to` stands in front of.
pub struct Forward {
    pub url: reqwest::Url,
    client: reqwest::Client,
}

impl Forward {
    /// A forwarder to `url` that gives the app `timeout` to answer and
    /// follows no redirect: the sender gets the app's own answer.
    pub fn new(url: reqwest::Url, timeout: Duration) -> Result<Forward> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            // The app is local; a proxy from the environment would stand
            // between the two for nothing.
            .no_proxy()
            .tcp_nodelay(true)
            .build()?;
        Ok(Forward { url, client })
    }
}

/// What the receiver heard: a delivery, or a request it refused before
/// looking at a signature.
#[derive(Debug, Clone)]
pub enum Heard {
    Delivery(Seen),
    Refused(Refused),
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Timestamp,
    pub event: String,
    pub request_id: String,
    pub mock: bool,
    pub signature_valid: bool,
    /// What the sender was answered.
    pub status: u16,
    pub devices: Vec<String>,
    pub body: Bytes,
    /// What became of it at the app, when forwarding.
    pub forwarded: Option<Forwarded>,
}

/// A delivery handed on to the app.
#[derive(Debug, Clone)]
pub struct Forwarded {
    /// The app's status, or why there was none.
    pub result: Result<u16, String>,
    pub latency: Duration,
}

/// A request that was not a delivery: wrong path, wrong method, too large.
#[derive(Debug, Clone)]
pub struct Refused {
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// Serves until `shutdown` completes, calling `on_request` for every
/// request it answers.
pub async fn serve<F>(
    listener: TcpListener,
    receiver: Arc<Receiver>,
    on_request: F,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    F: Fn(Heard) + Send + Sync + 'static,
{
    let on_request = Arc::new(on_request);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: pass, then go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let receiver = Arc::clone(&receiver);
        let on_request = Arc::clone(&on_request);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let receiver = Arc::clone(&receiver);
                let on_request = Arc::clone(&on_request);
                async move { Ok::<_, Infallible>(handle(request, &receiver, &*on_request).await) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(status: StatusCode, text: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(text.into()));
    *response.status_mut() = status;
    response
}

/// Headers that belong to one connection, not to the message (RFC 9110
/// 7.6.1), plus those the next hop sets itself.
fn hop_by_hop(name: &HeaderName, connection: &HeaderMap) -> bool {
    const HOP: &[&str] = &[
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    ];
    HOP.contains(&name.as_str())
        || connection
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case(name.as_str()))
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    headers
        .iter()
        .filter(|(name, _)| !hop_by_hop(name, headers))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// The most of an app's answer that is passed back to the sender.
const MAX_APP_ANSWER_BYTES: usize = 1024 * 1024;

/// Hands a delivery to the app; the answer for the sender, and what
/// happened.
async fn forward(
    to: &Forward,
    headers: &HeaderMap,
    body: Bytes,
) -> (Response<Full<Bytes>>, Forwarded) {
    let started = Instant::now();
    let sent = to
        .client
        .post(to.url.clone())
        .headers(end_to_end(headers))
        .body(body)
        .send()
        .await;
    let failed = |why: String, started: Instant| {
        let response = answer(
            StatusCode::BAD_GATEWAY,
            format!(
                "Bad Gateway: sfhook listen could not reach the app at {}: {why}\n",
                crate::core::endpoint::redact(&to.url)
            ),
        );
        let forwarded = Forwarded {
            result: Err(why),
            latency: started.elapsed(),
        };
        (response, forwarded)
    };
    let app = match sent {
        Ok(app) => app,
        Err(e) => return failed(describe(&e), started),
    };
    let status = app.status();
    let app_headers = end_to_end(app.headers());
    let mut body = Vec::new();
    let mut app = app;
    loop {
        match app.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_APP_ANSWER_BYTES {
                    return failed(
                        format!("its answer is over {MAX_APP_ANSWER_BYTES} bytes"),
                        started,
                    );
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return failed(describe(&e), started),
        }
    }
    let latency = started.elapsed();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    *response.headers_mut() = app_headers;
    let forwarded = Forwarded {
        result: Ok(status.as_u16()),
        latency,
    };
    (response, forwarded)
}

/// A forwarding failure in a few words: what reqwest knows, without its
/// nesting of "error sending request for url (...)".
fn describe(e: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = e;
    while let Some(source) = root.source() {
        root = source;
    }
    let why = if e.is_timeout() {
        "no answer in time (timed out)".to_string()
    } else if e.is_connect() {
        format!("cannot connect: {root}")
    } else {
        root.to_string()
    };
    // The 502's body is one line.
    why.replace(char::is_control, " ")
}

async fn handle(
    request: Request<Incoming>,
    receiver: &Receiver,
    on_request: &(dyn Fn(Heard) + Send + Sync),
) -> Response<Full<Bytes>> {
    let refuse = |status: StatusCode, text: &'static str| {
        on_request(Heard::Refused(Refused {
            at: Timestamp::now(),
            method: request.method().to_string(),
            path: request.uri().path().to_string(),
            status: status.as_u16(),
        }));
        answer(status, text)
    };
    if request.uri().path() != receiver.path {
        return refuse(StatusCode::NOT_FOUND, "Not Found\n");
    }
    if request.method() != Method::POST {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed: deliveries are POSTed\n",
        );
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let given_signature = header("x-sf-signature");
    let event = header("x-sf-event").unwrap_or_default();
    let request_id = header("x-sf-request-id").unwrap_or_default();
    let mock = header("x-sf-mock").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let (parts, incoming) = request.into_parts();
    let body = match Limited::new(incoming, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            on_request(Heard::Refused(Refused {
                at: Timestamp::now(),
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                status: StatusCode::PAYLOAD_TOO_LARGE.as_u16(),
            }));
            return answer(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n");
        }
    };
    let signature_valid = given_signature
        .as_deref()
        .is_some_and(|sig| verify_exactly(&receiver.secret, &body, sig));
    let (response, forwarded) = match (&receiver.forward, signature_valid) {
        (_, false) => (
            answer(StatusCode::NOT_ACCEPTABLE, "Signatures mismatch"),
            None,
        ),
        (None, true) => (answer(StatusCode::OK, ""), None),
        (Some(to), true) => {
            let (response, forwarded) = forward(to, &parts.headers, body.clone()).await;
            (response, Some(forwarded))
        }
    };
    on_request(Heard::Delivery(Seen {
        at: Timestamp::now(),
        event,
        request_id,
        mock,
        signature_valid,
        status: response.status().as_u16(),
        devices: device_names(&body),
        body,
        forwarded,
    }));
    response
}

/// As real receivers compare: the signature must be the exact text sfhook
/// sends, 64 lowercase hex digits; an uppercase one is a mismatch.
fn verify_exactly(secret: &Secret, body: &[u8], given: &str) -> bool {
    given.len() == 64
        && given
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && signature::verify(secret.expose().as_bytes(), body, given)
}

fn device_names(body: &[u8]) -> Vec<String> {
    let Ok(document) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    document
        .pointer("/data/devices")
        .and_then(Value::as_array)
        .map(|devices| {
            devices
                .iter()
                .filter_map(|d| d.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Completes on Ctrl-C, or on SIGTERM where there is one.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}

/// A listener on `host:port`, or why not, with what to do about it.
pub(crate) async fn bind(host: &str, port: u16) -> Result<TcpListener> {
    match TcpListener::bind((host, port)).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(anyhow::anyhow!(
            "{host}:{port} is already in use; pick another port with --port (0 picks a free one)"
        )),
        // The advice is about the address, not a file: the error is carried
        // as text so that no file-permission hint is added to it.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(anyhow::anyhow!(
            "cannot listen on {host}:{port}: {e}; ports below 1024 need privileges, so pick another with --port (0 picks a free one)"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => Err(anyhow::anyhow!(
            "cannot listen on {host}:{port}: {e}; give an address of this machine with --host, such as 127.0.0.1"
        )),
        Err(e) => Err(crate::core::error::usage(format!(
            "cannot listen on {host}:{port}: {e}"
        ))),
    }
}
