//! Which way a request goes: straight to the endpoint, or through a proxy
//! from the environment. The decision is hyper-util's `Matcher`, the one
//! reqwest itself makes per request, so `doctor` and real deliveries can
//! never disagree (CIDR ranges in `NO_PROXY` included).

use hyper_util::client::proxy::matcher::Matcher;
use reqwest::Url;

use crate::core::endpoint::redact;

/// The proxy a request to `url` goes through, if any, as a URL.
pub(crate) fn proxy_for(url: &Url) -> Option<Url> {
    let uri: hyper::Uri = url.as_str().parse().ok()?;
    let intercept = Matcher::from_system().intercept(&uri)?;
    Url::parse(&intercept.uri().to_string()).ok()
}

/// `proxy_for`, redacted for people to read.
pub(crate) fn shown_proxy_for(url: &Url) -> Option<String> {
    proxy_for(url).map(|proxy| redact(&proxy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_ranges_and_domains_are_honoured() {
        let matcher = Matcher::builder()
            .all("http://127.0.0.1:9")
            .no("127.0.0.0/8, .internal.example")
            .build();
        let routed = |url: &str| matcher.intercept(&url.parse().unwrap()).is_some();
        assert!(!routed("https://127.0.0.1:8443/hook"));
        assert!(!routed("https://127.9.9.9/hook"));
        assert!(!routed("https://api.internal.example/hook"));
        assert!(routed("https://hooks.example.com/hook"));
    }
}
