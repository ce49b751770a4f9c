//! A webhook endpoint: an absolute http(s) URL with a host. It is shown
//! everywhere with credentials and query redacted, since either may carry a
//! token.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl Endpoint {
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let text = text.trim();
        let url = Url::parse(text).map_err(|e| {
            format!(
                "invalid URL '{}': {e}; give an absolute URL such as https://example.com/webhooks",
                redact_text(text)
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "invalid URL '{}': the scheme must be http or https, not {}",
                redact(&url),
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) || !names_a_host(text) {
            return Err(format!(
                "invalid URL '{}': it has no host; write it as {}://HOST/PATH",
                redact_text(text),
                url.scheme()
            ));
        }
        Ok(Endpoint(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// Plain http to anything but this machine: deliveries and their
    /// signatures cross the network unencrypted.
    pub fn is_unencrypted_remote(&self) -> bool {
        self.0.scheme() == "http" && !is_loopback(&self.0)
    }
}

/// The WHATWG parser forgives `http:host`, `http:/host` and `http:///path`
/// by taking the first word it finds as the host, so `http:///hook` would
/// deliver to a machine called `hook`. A webhook URL must say `scheme://host`.
fn names_a_host(text: &str) -> bool {
    text.split_once(':')
        .and_then(|(_, rest)| rest.strip_prefix("//"))
        .is_some_and(|authority| !authority.is_empty() && !authority.starts_with(['/', '\\']))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            // A trailing dot is the same name, fully qualified.
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// The URL with user, password and query replaced by `***`; the fragment,
/// which is never sent, is dropped.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_fragment(None);
    if shown.query().is_some() {
        shown.set_query(Some("***"));
    }
    if !shown.username().is_empty() || shown.password().is_some() {
        let _ = shown.set_password(None);
        let _ = shown.set_username("***");
    }
    shown.to_string()
}

/// For text that did not even parse as a URL: drop everything from the first
/// `?` and anything before an `@`, which is where secrets would sit.
fn redact_text(text: &str) -> String {
    let without_query = text.split(['?', '#']).next().unwrap_or_default();
    match without_query.rsplit_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://***@{after}"),
            None => format!("***@{after}"),
        },
        None => without_query.to_string(),
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.redacted())
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Endpoint, D::Error> {
        let text = String::deserialize(deserializer)?;
        Endpoint::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_with_a_host() {
        assert!(Endpoint::parse("https://example.com/hook").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:8787/payload").is_ok());
        for bad in [
            "example.com/hook",
            "ftp://example.com/",
            "https://",
            "http:///payload",
            "https:/example.com/hook",
            "https:example.com/hook",
            "http:\\\\example.com\\hook",
            "/payload",
            "",
            "mailto:a@b.c",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_and_query_are_redacted() {
        let e = Endpoint::parse("https://user:pa55@example.com/hook?token=abc#frag").unwrap();
        assert_eq!(e.redacted(), "https://***@example.com/hook?***");
        assert!(!format!("{e:?} {e}").contains("pa55"));
        let err = Endpoint::parse("htp//user:pa55@host?token=abc").unwrap_err();
        assert!(!err.contains("pa55") && !err.contains("abc"), "{err}");
    }

    #[test]
    fn loopback_is_not_remote() {
        assert!(
            !Endpoint::parse("http://localhost:3000/")
                .unwrap()
                .is_unencrypted_remote()
        );
        assert!(
            !Endpoint::parse("http://127.0.0.1/")
                .unwrap()
                .is_unencrypted_remote()
        );
        assert!(
            !Endpoint::parse("http://[::1]/")
                .unwrap()
                .is_unencrypted_remote()
        );
        for local in ["http://localhost./", "http://[::ffff:127.0.0.1]/"] {
            assert!(
                !Endpoint::parse(local).unwrap().is_unencrypted_remote(),
                "{local}"
            );
        }
        assert!(
            Endpoint::parse("http://example.com/")
                .unwrap()
                .is_unencrypted_remote()
        );
        assert!(
            !Endpoint::parse("https://example.com/")
                .unwrap()
                .is_unencrypted_remote()
        );
    }
}
