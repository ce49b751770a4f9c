//! TLS failures in words a user can act on, with the fix kept apart so
//! that `doctor` can show it as one.

use std::fmt;

use jiff::Timestamp;

/// What went wrong with TLS, and what to do about it if sfhook knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsProblem {
    pub what: String,
    pub fix: Option<String>,
}

impl TlsProblem {
    fn new(what: impl Into<String>) -> TlsProblem {
        TlsProblem {
            what: what.into(),
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> TlsProblem {
        self.fix = Some(fix.into());
        self
    }
}

impl From<&str> for TlsProblem {
    fn from(what: &str) -> TlsProblem {
        TlsProblem::new(what)
    }
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::core::error::write_with_hint(f, &self.what, self.fix.as_deref())
    }
}

/// A TLS failure in words a user can act on.
pub fn describe_tls(err: &rustls::Error, host: &str) -> TlsProblem {
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
    let what = match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::ExpiredContext { not_after, .. } => {
                format!(
                    "the endpoint's certificate expired on {}",
                    date(not_after.as_secs())
                )
            }
            C::Expired => "the endpoint's certificate has expired".to_string(),
            C::NotValidYetContext { not_before, .. } => {
                format!(
                    "the endpoint's certificate is not valid until {}",
                    date(not_before.as_secs())
                )
            }
            C::NotValidYet => "the endpoint's certificate is not valid yet".to_string(),
            C::UnknownIssuer => {
                return TlsProblem::new(
                    "the endpoint's certificate is not signed by a trusted authority \
                     (self-signed, or a private CA)",
                )
                .fix(
                    "pass --cacert FILE to trust its CA, or --insecure for a local test endpoint",
                );
            }
            C::NotValidForNameContext { presented, .. } if presented.is_empty() => {
                format!("the endpoint's certificate names no host, so it is not valid for {host}")
            }
            C::NotValidForNameContext { presented, .. } => {
                return TlsProblem::new(format!(
                    "the endpoint's certificate is for {}, not {host}",
                    presented.iter().map(|name| presented_name(name)).collect::<Vec<_>>().join(", ")
                ))
                .fix(format!(
                    "use one of those names in the URL, or give the endpoint a certificate for {host}"
                ));
            }
            C::NotValidForName => format!("the endpoint's certificate is not valid for {host}"),
            C::Revoked => "the endpoint's certificate has been revoked".to_string(),
            C::BadSignature => "the endpoint's certificate has a bad signature".to_string(),
            other => format!("the endpoint's certificate was refused: {other:?}"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the endpoint did not answer with TLS: if it serves plain HTTP, use an http:// URL"
                .to_string()
        }
        rustls::Error::AlertReceived(alert) => {
            format!("the endpoint refused the TLS handshake ({alert:?})")
        }
        other => other.to_string(),
    };
    TlsProblem::new(what)
}

/// webpki lists a certificate's names as `DnsName("example.com")` or
/// `IpAddress(192.0.2.1)`; people want the names alone.
fn presented_name(entry: &str) -> &str {
    entry
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map_or(entry, |inner| inner.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            describe_tls(&err, "127.0.0.1").to_string().starts_with(
                "the endpoint's certificate is for a.example, 10.0.0.1, not 127.0.0.1;"
            ),
            "{}",
            describe_tls(&err, "127.0.0.1")
        );
    }
}
