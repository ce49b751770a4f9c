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
                redact_text(text),
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
        if url.username().is_empty() && url.password().is_none() && hides_user_info(text) {
            return Err(format!(
                "invalid URL '{}': it has an '@' after its host, which is how user info holding \
                 '/', '?' or '#' reads; percent-encode those in a user or password (%2F, %3F, \
                 %23), and an '@' in a path or query as %40",
                redact_text(text)
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

/// `http://admin:123/x@host` parses as host `admin`, port 123 and path
/// `/x@host`, and `http://tok/en@host` as host `tok`: the user meant user
/// info holding a `/`, and would see its start shown as a host or port. So
/// an `@` after the host, in a URL with no user info, is refused; a real
/// one in a path or query can be written `%40`.
fn hides_user_info(text: &str) -> bool {
    let Some((_, rest)) = text.split_once("://") else {
        return false;
    };
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    rest[end..].contains('@')
}

/// For text that did not parse as the URL it was meant to be: everything
/// up to the last `@` may be user info (a password may hold `/`, `?`, `#`
/// and `@` unescaped) and a query may hold a token, so both become `***`.
/// Without an `@`, a port that is not a number may be a password cut short
/// by one of those characters: it goes, and what follows it.
fn redact_text(text: &str) -> String {
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), text),
    };
    if let Some((_, host)) = rest.rsplit_once('@') {
        let host = host.split(['?', '#']).next().unwrap_or_default();
        return format!("{scheme}***@{host}");
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    // A bracketed IPv6 address has colons of its own.
    let port_from = authority.rfind(']').map_or(0, |i| i + 1);
    if let Some(colon) = authority[port_from..].find(':') {
        let (host, port) = authority.split_at(port_from + colon);
        if !port[1..].bytes().all(|b| b.is_ascii_digit()) {
            // The rest may be the password's after a '/'.
            return format!("{scheme}{host}:***");
        }
    }
    format!("{scheme}{authority}{path}")
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
        let text = deserializer.deserialize_any(crate::core::secret::TextOnly("the url"))?;
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

    /// Passwords with each character that ends user info early, and the
    /// pieces of each that must never be shown.
    const TRICKY_PASSWORDS: &[&str] = &[
        "Pw1?Zq9",
        "Pw1#Zq9",
        "Pw1/Zq9",
        "Pw1@Zq9",
        "Pw1%Zq9",
        "Pw1%40Zq9",
        "Pw1 Zq9",
        "Pw1\\Zq9",
        "Pw1:Zq9",
        "Pwé✓Zq9",
        "123/Zq9",
        "9977?Zq9",
    ];

    fn pieces(password: &str) -> Vec<&str> {
        password
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.chars().count() >= 3)
            .collect()
    }

    #[test]
    fn no_piece_of_a_password_is_ever_shown() {
        for password in TRICKY_PASSWORDS {
            for shape in [
                "http://admin:{}@host.example/hook",
                "https://admin:{}@host.example:8443/hook?token=abc",
                "http://{}@host.example/",
                "http://:{}@host.example",
                "htp://admin:{}@host.example/hook",
                "http//admin:{}@host.example/hook",
                "http:admin:{}@host.example",
                "ftp://admin:{}@host.example/",
                "http://admin:{}@",
                "http://admin:{}",
                "  http://admin:{}@host.example/a b  ",
            ] {
                let text = shape.replace("{}", password);
                let shown = match Endpoint::parse(&text) {
                    // Without an '@' there is no user info: `http://admin:123/x`
                    // is host admin, port 123, as the user wrote it.
                    Ok(_) if !text.contains('@') => continue,
                    Ok(endpoint) => format!("{endpoint} {endpoint:?} {}", endpoint.redacted()),
                    Err(message) => message,
                };
                for piece in pieces(password) {
                    assert!(!shown.contains(piece), "{text:?} shows {piece:?}: {shown}");
                }
            }
        }
    }

    #[test]
    fn an_at_sign_after_a_host_and_port_is_refused() {
        assert!(Endpoint::parse("http://admin:123/x@host").is_err());
        assert!(Endpoint::parse("https://h.example:8443/x?mail=a%40b").is_ok());
        assert!(Endpoint::parse("https://h.example/x?mail=a@b").is_err());
        assert!(Endpoint::parse("https://u:p@h.example/x@y").is_ok());
        assert!(Endpoint::parse("http://[::1]:8080/hook").is_ok());
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
