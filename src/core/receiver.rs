//! The built-in receiver behind `listen` and `demo`: a small HTTP server on
//! the hyper stack that reqwest already brings. It checks `X-SF-Signature`
//! in constant time and answers like the reference's sample receiver: 200,
//! or 406 "Signatures mismatch". With a forward target, a delivery with a
//! valid signature goes on to the app (same body, same end-to-end headers)
//! and the sender gets the app's answer.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

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

/// What one receiver lets senders hold: connections, time, and memory.
/// The defaults keep a receiver on a laptop answering, in well under
/// 64 MB, whatever a sender on the network does (RELIABILITY.md, "listen
/// under attack").
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once. A new one beyond it closes the oldest
    /// connection that is not being answered (still sending its request,
    /// or idle between requests), so stalled connections cannot keep a
    /// real sender out; if every one is being answered, the new one is
    /// closed. 256 is far above what a webhook sender opens (sfhook's own
    /// bursts use 16) and, with 64 KiB of buffer each, at most 16 MiB;
    /// fewer when file descriptors are scarce (`connection_cap`).
    pub max_connections: usize,
    /// Time a sender has to send a request's headers, and again its body;
    /// then the connection is closed (a body too slow is answered 408).
    /// Webhook bodies are kilobytes, sent at once.
    pub read_timeout: Duration,
    /// Bytes of request bodies held at once, over all connections. A body
    /// that would go over it is answered 503 and its connection closed.
    /// One largest body (16 MiB) fits, with 4 MiB to spare for the
    /// kilobyte-sized deliveries that arrive meanwhile.
    pub body_budget: usize,
    /// The most one connection buffers for headers and reads (hyper's
    /// `max_buf_size`); larger headers are answered 431.
    pub max_buffer: usize,
}

/// The default `Limits::read_timeout`, and `listen --read-timeout`'s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The connection cap: 256, or fewer when the process may not open that
/// many files. Each connection takes a descriptor, and with `--forward-to`
/// one more to the app; 32 are kept for the listener, stdio and the
/// runtime. A soft limit below 1024 is first raised towards the hard one,
/// as Go and most servers do.
fn connection_cap() -> usize {
    const WANTED: usize = 256;
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit with a valid pointer to a
        // properly initialised rlimit.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return WANTED;
            }
            if limit.rlim_cur < 1024 && limit.rlim_max > limit.rlim_cur {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max.min(1024),
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        let files = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
        (files.saturating_sub(32) / 2).clamp(8, WANTED)
    }
    #[cfg(not(unix))]
    WANTED
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: connection_cap(),
            read_timeout: DEFAULT_READ_TIMEOUT,
            body_budget: MAX_BODY_BYTES + 4 * 1024 * 1024,
            max_buffer: 64 * 1024,
        }
    }
}

/// One open connection, as the accept loop sees it.
struct Connection {
    /// Notified to close the connection, when a newer one needs its place.
    close: Notify,
    /// Set while a request whose body has arrived is being answered
    /// (verified, forwarded): such a connection is not closed for another.
    answering: AtomicBool,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Connections {
    next_id: u64,
    open: BTreeMap<u64, Arc<Connection>>,
}

impl Connections {
    /// Makes room for one more connection and registers it, or `None` if
    /// every open connection is being answered.
    fn admit(&mut self, max: usize) -> Option<(u64, Arc<Connection>)> {
        if self.open.len() >= max {
            let oldest_waiting = self
                .open
                .iter()
                .find(|(_, c)| !c.answering.load(Ordering::Acquire))
                .map(|(id, _)| *id)?;
            if let Some(evicted) = self.open.remove(&oldest_waiting) {
                evicted.close.notify_one();
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let connection = Arc::new(Connection {
            close: Notify::new(),
            answering: AtomicBool::new(false),
        });
        self.open.insert(id, Arc::clone(&connection));
        Some((id, connection))
    }
}

/// Body bytes reserved from the budget; given back when dropped.
struct Reserved {
    budget: Arc<Semaphore>,
    bytes: usize,
}

impl Reserved {
    /// Takes `more` bytes from the budget, or says it cannot.
    fn grow(&mut self, more: usize) -> bool {
        let Ok(more32) = u32::try_from(more) else {
            return false;
        };
        match self.budget.try_acquire_many(more32) {
            Ok(permit) => {
                permit.forget();
                self.bytes += more;
                true
            }
            Err(_) => false,
        }
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        self.budget.add_permits(self.bytes);
    }
}

/// What a request's handler shares with the others.
struct Shared {
    receiver: Arc<Receiver>,
    limits: Limits,
    budget: Arc<Semaphore>,
}

/// Serves with the default limits until `shutdown` completes, calling
/// `on_request` for every request it answers.
pub async fn serve<F>(
    listener: TcpListener,
    receiver: Arc<Receiver>,
    on_request: F,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    F: Fn(Heard) + Send + Sync + 'static,
{
    serve_with(listener, receiver, Limits::default(), on_request, shutdown).await
}

/// Serves within `limits` until `shutdown` completes, calling `on_request`
/// for every request it answers. Connections still open then are left to
/// the runtime's end: the caller does not wait for them.
pub async fn serve_with<F>(
    listener: TcpListener,
    receiver: Arc<Receiver>,
    limits: Limits,
    on_request: F,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    F: Fn(Heard) + Send + Sync + 'static,
{
    let on_request = Arc::new(on_request);
    let budget = Arc::new(Semaphore::new(
        limits.body_budget.min(Semaphore::MAX_PERMITS),
    ));
    let shared = Arc::new(Shared {
        receiver,
        limits,
        budget,
    });
    let connections = Arc::new(Mutex::new(Connections::default()));
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
        let admitted = connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .admit(shared.limits.max_connections);
        // Every open connection is being answered: this one is closed.
        let Some((id, connection)) = admitted else {
            drop(stream);
            continue;
        };
        let shared = Arc::clone(&shared);
        let on_request = Arc::clone(&on_request);
        let connections = Arc::clone(&connections);
        tokio::spawn(async move {
            let this = Arc::clone(&connection);
            let limits = shared.limits.clone();
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                let on_request = Arc::clone(&on_request);
                let this = Arc::clone(&this);
                async move { Ok::<_, Infallible>(handle(request, &shared, &this, &*on_request).await) }
            });
            let serving = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.read_timeout)
                .max_buf_size(limits.max_buffer)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = serving => {}
                () = connection.close.notified() => {}
            }
            connections
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .open
                .remove(&id);
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

/// Why a body was not taken in.
enum NotTaken {
    TooLarge,
    OverBudget,
    TooSlow,
    Broken,
}

/// Reads a body of at most `MAX_BODY_BYTES`, within the read timeout,
/// taking each chunk's bytes from the shared budget; the bytes stay
/// reserved until the returned `Reserved` is dropped.
async fn take_body(
    incoming: Incoming,
    headers: &HeaderMap,
    shared: &Shared,
) -> Result<(Bytes, Reserved), NotTaken> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(NotTaken::TooLarge);
    }
    let mut reserved = Reserved {
        budget: Arc::clone(&shared.budget),
        bytes: 0,
    };
    // The declared length is only a hint for the allocation, so a sender
    // that lies about it costs address space, not memory.
    let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let reading = async {
        let mut incoming = incoming;
        while let Some(frame) = incoming.frame().await {
            let Ok(frame) = frame else {
                return Err(NotTaken::Broken);
            };
            let Ok(chunk) = frame.into_data() else {
                continue; // trailers
            };
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(NotTaken::TooLarge);
            }
            if !reserved.grow(chunk.len()) {
                return Err(NotTaken::OverBudget);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(())
    };
    match tokio::time::timeout(shared.limits.read_timeout, reading).await {
        Ok(Ok(())) => Ok((Bytes::from(body), reserved)),
        Ok(Err(why)) => Err(why),
        Err(_) => Err(NotTaken::TooSlow),
    }
}

/// An answer after which the connection is closed: the rest of the
/// request was not read.
fn answer_and_close(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = answer(status, text);
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// Marks a connection as being answered for as long as it lives.
struct Answering<'a>(&'a Connection);

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.answering.store(false, Ordering::Release);
    }
}

async fn handle(
    request: Request<Incoming>,
    shared: &Shared,
    connection: &Connection,
    on_request: &(dyn Fn(Heard) + Send + Sync),
) -> Response<Full<Bytes>> {
    let receiver = &*shared.receiver;
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
    let (body, _reserved) = match take_body(incoming, &parts.headers, shared).await {
        Ok(taken) => taken,
        Err(why) => {
            let (status, text) = match why {
                NotTaken::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n"),
                NotTaken::OverBudget => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable: too many bodies arriving at once; retry\n",
                ),
                NotTaken::TooSlow => (
                    StatusCode::REQUEST_TIMEOUT,
                    "Request Timeout: the body did not arrive in time\n",
                ),
                // The sender is gone or broke the framing: nobody reads
                // an answer, and there is nothing to show.
                NotTaken::Broken => {
                    return answer_and_close(StatusCode::BAD_REQUEST, "Bad Request\n");
                }
            };
            on_request(Heard::Refused(Refused {
                at: Timestamp::now(),
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                status: status.as_u16(),
            }));
            return answer_and_close(status, text);
        }
    };
    connection.answering.store(true, Ordering::Release);
    let _answering = Answering(connection);
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

/// The names under `/data/devices`, found without building the document:
/// everything else is skipped as it is read, and each device is looked at
/// and let go in turn, so a large body costs little memory beyond itself.
fn device_names(body: &[u8]) -> Vec<String> {
    #[derive(Deserialize)]
    struct Document<'a> {
        #[serde(borrow)]
        data: Option<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct Data {
        devices: Option<Names>,
    }
    serde_json::from_slice::<Document>(body)
        .ok()
        .and_then(|document| document.data)
        .and_then(|data| serde_json::from_str::<Data>(data.get()).ok())
        .and_then(|data| data.devices)
        .map(|names| names.0)
        .unwrap_or_default()
}

/// The `name` strings of an array of devices; devices without one, or
/// that are not objects, are passed over.
struct Names(Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Names, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Names;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of devices")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Names, A::Error> {
                #[derive(Deserialize)]
                struct Device<'a> {
                    #[serde(borrow)]
                    name: Option<&'a RawValue>,
                }
                let mut names = Vec::new();
                while let Some(device) = seq.next_element::<&'de RawValue>()? {
                    let name = serde_json::from_str::<Device>(device.get())
                        .ok()
                        .and_then(|device| device.name)
                        .and_then(|name| serde_json::from_str::<String>(name.get()).ok());
                    names.extend(name);
                }
                Ok(Names(names))
            }
        }
        deserializer.deserialize_seq(Visit)
    }
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
