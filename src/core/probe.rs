//! An endpoint looked at from the outside, one layer at a time: does its
//! host resolve, does it accept a connection, and what TLS certificate does
//! it present. `doctor` uses these to say *where* a delivery breaks, which
//! a single failed request cannot: reqwest reports the first error only.
//! Nothing here sends HTTP; the delivery engine does that.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use jiff::Timestamp;
use reqwest::Url;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;

use crate::core::delivery::{CaBundle, TlsProblem, describe_tls};

/// The addresses the URL's host stands for, in the resolver's order.
pub async fn resolve(url: &Url, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let port = url.port_or_known_default().unwrap_or(80);
    let name = match url.host() {
        Some(url::Host::Ipv4(ip)) => return Ok(vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(url::Host::Ipv6(ip)) => return Ok(vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(url::Host::Domain(name)) => name.to_string(),
        None => return Err("the URL has no host".to_string()),
    };
    match tokio::time::timeout(timeout, tokio::net::lookup_host((name.as_str(), port))).await {
        Err(_) => Err(format!(
            "no answer from the resolver for {name} within {}",
            crate::core::units::format_duration(timeout)
        )),
        Ok(Err(e)) => Err(format!("cannot resolve {name}: {}", lookup_error(&e))),
        Ok(Ok(addrs)) => {
            let mut found: Vec<SocketAddr> = Vec::new();
            for addr in addrs {
                if !found.contains(&addr) {
                    found.push(addr);
                }
            }
            if found.is_empty() {
                Err(format!("{name} resolves to no address"))
            } else {
                Ok(found)
            }
        }
    }
}

/// The resolver's words without the libc prefix noise.
fn lookup_error(err: &io::Error) -> String {
    let text = err.to_string();
    text.strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text)
        .to_string()
}

/// A connection to the first address that takes one, and how long it took.
pub async fn connect(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr, Duration), String> {
    let mut last = String::from("no address to connect to");
    for &addr in addrs {
        let clock = Instant::now();
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok((stream, addr, clock.elapsed())),
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = format!("connection refused: nothing is listening at {addr}");
            }
            Ok(Err(e)) => last = format!("cannot connect to {addr}: {e}"),
            Err(_) => {
                last = format!(
                    "no connection to {addr} within {} (a firewall dropping packets, or the host is down)",
                    crate::core::units::format_duration(timeout)
                );
            }
        }
    }
    Err(last)
}

/// Which certificates to trust: what the delivery engine trusts.
pub struct Trust {
    roots: Option<Arc<RootCertStore>>,
}

impl Trust {
    /// The public CAs, the system's store and `cacert`'s certificates;
    /// with `insecure`, nothing is checked, as in a delivery.
    pub fn new(cacert: Option<&CaBundle>, insecure: bool) -> Result<Trust> {
        if insecure {
            return Ok(Trust { roots: None });
        }
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // A system store that cannot be read leaves the public CAs, as in
        // reqwest: the check then says what is not trusted.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        if let Some(bundle) = cacert {
            let extra: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bundle.pem)
                .filter_map(Result::ok)
                .collect();
            if extra.is_empty() {
                return Err(bundle.no_certificate());
            }
            roots.add_parsable_certificates(extra);
        }
        Ok(Trust {
            roots: Some(Arc::new(roots)),
        })
    }
}

/// The certificate an endpoint presented.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub not_after: Timestamp,
}

/// What a TLS handshake showed.
#[derive(Debug)]
pub struct TlsReport {
    /// `None` if the certificate could not be read.
    pub certificate: Option<Certificate>,
    /// Whether the certificate is trusted for the host (`None`: not checked,
    /// `--insecure`), in the delivery engine's words.
    pub verdict: Option<Result<(), TlsProblem>>,
}

/// Shakes hands over `stream` and reports the server's certificate and
/// whether a delivery would accept it. The handshake always completes if
/// the server speaks TLS, so an expired certificate still shows its dates;
/// nothing is sent after it.
pub async fn inspect_tls(
    stream: TcpStream,
    host: &url::Host<&str>,
    trust: &Trust,
    timeout: Duration,
) -> Result<TlsReport, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (server_name, host_text): (ServerName<'static>, String) = match host {
        url::Host::Domain(name) => (
            ServerName::try_from(name.to_string()).map_err(|e| format!("{name}: {e}"))?,
            name.to_string(),
        ),
        url::Host::Ipv4(ip) => (
            ServerName::IpAddress(IpAddr::V4(*ip).into()),
            ip.to_string(),
        ),
        url::Host::Ipv6(ip) => (
            ServerName::IpAddress(IpAddr::V6(*ip).into()),
            ip.to_string(),
        ),
    };
    let checker = match &trust.roots {
        Some(roots) => Some(
            WebPkiServerVerifier::builder_with_provider(Arc::clone(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| format!("no usable trusted certificates: {e}"))?,
        ),
        None => None,
    };
    let recorder = Arc::new(Recorder {
        checker,
        provider: Arc::clone(&provider),
        seen: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&recorder) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = connector.connect(server_name, stream);
    match tokio::time::timeout(timeout, handshake).await {
        Err(_) => {
            return Err(format!(
                "no TLS handshake within {}",
                crate::core::units::format_duration(timeout)
            ));
        }
        Ok(Err(e)) => {
            let why = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .map_or_else(
                    || e.to_string(),
                    |tls| describe_tls(tls, &host_text).to_string(),
                );
            return Err(why);
        }
        Ok(Ok(_session)) => {}
    }
    let seen = recorder.seen.lock().map_or(None, |mut seen| seen.take());
    let Some((der, verdict)) = seen else {
        return Err("the endpoint presented no certificate".to_string());
    };
    Ok(TlsReport {
        certificate: parse_certificate(&der),
        verdict: verdict.map(|v| v.map_err(|e| describe_tls(&e, &host_text))),
    })
}

fn parse_certificate(der: &[u8]) -> Option<Certificate> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let not_after = Timestamp::from_second(cert.validity().not_after.timestamp()).ok()?;
    Some(Certificate { not_after })
}

/// Accepts every certificate, after noting it and what a delivery's
/// verifier says of it.
#[derive(Debug)]
struct Recorder {
    checker: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    #[allow(clippy::type_complexity)]
    seen: Mutex<Option<(Vec<u8>, Option<Result<(), rustls::Error>>)>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.checker.as_ref().map(|checker| {
            checker
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ())
        });
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((end_entity.to_vec(), verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
