//! The built-in receiver behind `listen` and `demo`: a small HTTP server on
//! the hyper stack that reqwest already brings. It checks `X-SF-Signature`
//! in constant time and answers like the reference's sample receiver: 200,
//! or 406 "Signatures mismatch".

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
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
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Timestamp,
    pub event: String,
    pub request_id: String,
    pub mock: bool,
    pub signature_valid: bool,
    pub status: u16,
    pub devices: Vec<String>,
    pub body: Bytes,
}

/// Serves until `shutdown` completes, calling `on_delivery` for every POST
/// to the receiver's path.
pub async fn serve<F>(
    listener: TcpListener,
    receiver: Arc<Receiver>,
    on_delivery: F,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    F: Fn(Seen) + Send + Sync + 'static,
{
    let on_delivery = Arc::new(on_delivery);
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
        let on_delivery = Arc::clone(&on_delivery);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let receiver = Arc::clone(&receiver);
                let on_delivery = Arc::clone(&on_delivery);
                async move { Ok::<_, Infallible>(handle(request, &receiver, &*on_delivery).await) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

async fn handle(
    request: Request<Incoming>,
    receiver: &Receiver,
    on_delivery: &(dyn Fn(Seen) + Send + Sync),
) -> Response<Full<Bytes>> {
    if request.uri().path() != receiver.path {
        return answer(StatusCode::NOT_FOUND, "Not Found\n");
    }
    if request.method() != Method::POST {
        return answer(
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
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return answer(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n"),
    };
    let signature_valid = given_signature
        .as_deref()
        .is_some_and(|sig| signature::verify(receiver.secret.expose().as_bytes(), &body, sig));
    let status = if signature_valid {
        StatusCode::OK
    } else {
        StatusCode::NOT_ACCEPTABLE
    };
    on_delivery(Seen {
        at: Timestamp::now(),
        event,
        request_id,
        mock,
        signature_valid,
        status: status.as_u16(),
        devices: device_names(&body),
        body,
    });
    if signature_valid {
        answer(StatusCode::OK, "")
    } else {
        answer(StatusCode::NOT_ACCEPTABLE, "Signatures mismatch")
    }
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
