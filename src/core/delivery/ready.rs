//! `--wait-for`: before the first request, wait until something accepts a
//! connection where the request will go. A receiver started by the same CI
//! job as sfhook may still be booting; a TCP connect is enough to know it
//! listens, and sends it nothing it would have to answer or log.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::core::endpoint::redact;
use crate::core::units::format_duration;

use super::proxy;

/// How long to pause between two tries.
const RETRY_EVERY: Duration = Duration::from_millis(100);
/// The most one try (name lookup and connects) may take: a host that drops
/// packets should not make a try outlast the whole wait by much.
const TRY_AT_MOST: Duration = Duration::from_secs(2);
/// The least a try is given, even at the very end of the wait, so that the
/// last one can still succeed.
const TRY_AT_LEAST: Duration = Duration::from_millis(200);

/// Waits until the endpoint of `url` accepts a TCP connection (the proxy's,
/// if a proxy applies to it), trying every ~100 ms whatever stood in the
/// way: a refused connection, a name that does not resolve yet, a network
/// that is not up yet. Returns how long it waited; after `within` (and at
/// most one short try more), a one-line error naming the URL.
pub(crate) async fn wait_for_listener(url: &Url, within: Duration) -> Result<Duration, String> {
    wait_for(&Waypoint::of(url, proxy::proxy_for(url)), within).await
}

/// `wait_for_listener` as a failure of its own kind: no answer, exit 4.
pub(crate) async fn wait_until_listening(url: &Url, within: Duration) -> anyhow::Result<Duration> {
    wait_for_listener(url, within).await.map_err(|why| {
        crate::core::error::Failure::new(crate::core::error::Kind::Unreachable, why).into()
    })
}

/// Where a request to a URL first connects: the endpoint itself, or the
/// proxy it goes through.
struct Waypoint {
    host: String,
    port: u16,
    /// For the error: the URL, and the proxy in the way if any.
    shown: String,
}

impl Waypoint {
    fn of(url: &Url, proxy: Option<Url>) -> Waypoint {
        let via = proxy.as_ref().unwrap_or(url);
        let host = match via.host() {
            // The brackets of an IPv6 host belong to the URL, not the address.
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => via.host_str().unwrap_or_default().to_string(),
        };
        let shown = match &proxy {
            Some(proxy) => format!("the proxy {} (for {})", redact(proxy), redact(url)),
            None => redact(url),
        };
        Waypoint {
            host,
            port: via.port_or_known_default().unwrap_or(80),
            shown,
        }
    }
}

async fn wait_for(waypoint: &Waypoint, within: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    let deadline = start + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let budget = left.clamp(TRY_AT_LEAST, TRY_AT_MOST);
        let why = match tokio::time::timeout(budget, try_connect(waypoint)).await {
            Ok(Ok(())) => return Ok(start.elapsed()),
            Ok(Err(why)) => why,
            Err(_) => format!("no connection within {}", format_duration(budget)),
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(format!(
                "nothing listening at {} after {} (last try: {why})",
                waypoint.shown,
                format_duration(within)
            ));
        }
        tokio::time::sleep_until((now + RETRY_EVERY).min(deadline)).await;
    }
}

/// One try: resolve the host, connect to each address until one accepts,
/// and close again at once.
async fn try_connect(waypoint: &Waypoint) -> Result<(), String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((waypoint.host.as_str(), waypoint.port))
        .await
        .map_err(|e| format!("cannot resolve {}: {e}", waypoint.host))?
        .collect();
    let mut why = format!("{} resolves to no address", waypoint.host);
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                why = format!("connection refused at {addr}");
            }
            Err(e) => why = format!("cannot connect to {addr}: {e}"),
        }
    }
    Err(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port on 127.0.0.1 that nothing listens on (yet).
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn url(port: u16) -> Url {
        Url::parse(&format!("http://127.0.0.1:{port}/hook?token=abc")).unwrap()
    }

    #[tokio::test]
    async fn waits_for_a_listener_that_starts_late() {
        let port = free_port();
        let late = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            // Accept the connection, and keep listening until the test ends.
            let (_stream, _) = listener.accept().await.unwrap();
            listener
        });
        let waited = wait_for_listener(&url(port), Duration::from_secs(10))
            .await
            .unwrap();
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
        late.await.unwrap();
    }

    #[tokio::test]
    async fn a_listener_already_there_costs_no_wait() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let waited = wait_for_listener(&url(port), Duration::ZERO).await.unwrap();
        assert!(waited < Duration::from_secs(1), "{waited:?}");
    }

    #[tokio::test]
    async fn gives_up_after_the_time_given_naming_the_url_redacted() {
        let port = free_port();
        let clock = std::time::Instant::now();
        let why = wait_for_listener(&url(port), Duration::from_millis(500))
            .await
            .unwrap_err();
        let took = clock.elapsed();
        assert!(took >= Duration::from_millis(500), "{took:?}");
        assert!(took < Duration::from_millis(500) + TRY_AT_MOST, "{took:?}");
        assert!(
            why.starts_with(&format!(
                "nothing listening at http://127.0.0.1:{port}/hook?*** after 500ms"
            )),
            "{why}"
        );
        assert!(why.contains("connection refused"), "{why}");
        assert!(!why.contains('\n') && !why.contains("abc"), "{why}");
    }

    #[tokio::test]
    async fn with_a_proxy_it_waits_for_the_proxy() {
        let proxy_port = free_port();
        let endpoint = Url::parse("http://hooks.internal.invalid/hook").unwrap();
        let proxy = Url::parse(&format!("http://u:p@127.0.0.1:{proxy_port}")).unwrap();
        let waypoint = Waypoint::of(&endpoint, Some(proxy));
        assert_eq!(
            (waypoint.host.as_str(), waypoint.port),
            ("127.0.0.1", proxy_port)
        );
        let why = wait_for(&waypoint, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(
            why.starts_with(&format!(
                "nothing listening at the proxy http://***@127.0.0.1:{proxy_port}/ \
                 (for http://hooks.internal.invalid/hook) after 200ms"
            )),
            "{why}"
        );

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", proxy_port))
            .await
            .unwrap();
        assert!(wait_for(&waypoint, Duration::from_secs(5)).await.is_ok());
        drop(listener);
    }

    #[test]
    fn an_ipv6_host_loses_its_brackets_and_a_default_port_is_filled_in() {
        let waypoint = Waypoint::of(&Url::parse("https://[::1]/hook").unwrap(), None);
        assert_eq!((waypoint.host.as_str(), waypoint.port), ("::1", 443));
    }
}
