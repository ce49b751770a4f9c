//! What a test may add to or take from a delivery: extra headers, and
//! forgeries a correct receiver must refuse (`--tamper`).

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};

/// A delivery a correct receiver must refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tamper {
    /// No `X-SF-Signature` header at all.
    MissingSignature,
    /// The header, empty.
    EmptySignature,
    /// Signed with a random secret that is not the receiver's.
    WrongSignature,
    /// Signed, then one byte of the body changed.
    ModifiedBody,
}

impl Tamper {
    pub(crate) const ALL: [Tamper; 4] = [
        Tamper::MissingSignature,
        Tamper::EmptySignature,
        Tamper::WrongSignature,
        Tamper::ModifiedBody,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Tamper::MissingSignature => "missing-signature",
            Tamper::EmptySignature => "empty-signature",
            Tamper::WrongSignature => "wrong-signature",
            Tamper::ModifiedBody => "modified-body",
        }
    }

    /// The signature header to send with `body`, whose true signature is
    /// `signature`: `None` for no header.
    pub(crate) fn signature(self, body: &[u8], signature: String) -> Option<String> {
        match self {
            Tamper::MissingSignature => None,
            Tamper::EmptySignature => Some(String::new()),
            Tamper::WrongSignature => {
                let other = crate::core::secret::Secret::generate();
                Some(crate::core::signature::sign(
                    other.expose().as_bytes(),
                    body,
                ))
            }
            Tamper::ModifiedBody => Some(signature),
        }
    }

    /// The body to send after signing `body`: changed by one byte for
    /// `modified-body`, as it is otherwise. The byte changed is a hex digit
    /// of the event id when there is one, so the body stays valid JSON and
    /// a receiver that parses before it verifies still reaches the check.
    pub(crate) fn body(self, body: &Bytes) -> Bytes {
        if self != Tamper::ModifiedBody || body.is_empty() {
            return body.clone();
        }
        let mut bytes = body.to_vec();
        let at = memchr::memmem::find(&bytes, b"\"id\":\"")
            .map(|start| start + 6)
            .filter(|&at| bytes.get(at).is_some_and(u8::is_ascii_hexdigit))
            .unwrap_or(bytes.len() - 1);
        bytes[at] = match bytes[at] {
            b'0' => b'1',
            b if b.is_ascii_hexdigit() => b'0',
            b => b ^ 1,
        };
        Bytes::from(bytes)
    }
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Tamper {
    type Err = String;

    fn from_str(text: &str) -> Result<Tamper, String> {
        Tamper::ALL
            .into_iter()
            .find(|t| t.name() == text.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Tamper::ALL.iter().map(|t| t.name()).collect();
                format!(
                    "invalid tamper '{}': use one of {}",
                    text.escape_debug(),
                    names.join(", ")
                )
            })
    }
}

/// An extra request header from `--header 'Name: value'`. The headers that
/// make a delivery what it is (`X-SF-*`, `Content-Type`) cannot be
/// replaced: a test that needs them different uses `--tamper`.
#[derive(Clone, Debug)]
pub(crate) struct ExtraHeader {
    pub name: HeaderName,
    pub value: HeaderValue,
}

impl FromStr for ExtraHeader {
    type Err = String;

    fn from_str(text: &str) -> Result<ExtraHeader, String> {
        let shown = text.escape_debug();
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| format!("invalid header '{shown}': write it as 'Name: value'"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("invalid header name in '{shown}'"))?;
        use reqwest::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING};
        // The delivery's own, and those that frame the body or the
        // connection: a wrong Content-Length would cut the signed bytes.
        let framing = [
            CONTENT_TYPE,
            CONTENT_LENGTH,
            TRANSFER_ENCODING,
            CONNECTION,
            HOST,
        ];
        if name.as_str().starts_with("x-sf-") || framing.contains(&name) {
            return Err(format!(
                "--header cannot set {}: sfhook sets it for every delivery (use --tamper for a forged signature)",
                name.as_str()
            ));
        }
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| format!("invalid header value in '{shown}'"))?;
        Ok(ExtraHeader { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modified_body_differs_by_one_byte_and_stays_json() {
        let body = Bytes::from_static(br#"{"id":"0c9d3a52","event":"device.enrolled"}"#);
        let changed = Tamper::ModifiedBody.body(&body);
        let differing = body
            .iter()
            .zip(changed.iter())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(differing, 1);
        assert!(serde_json::from_slice::<serde_json::Value>(&changed).is_ok());
        let odd = Bytes::from_static(b"not json");
        assert_ne!(Tamper::ModifiedBody.body(&odd), odd);
        assert_eq!(Tamper::WrongSignature.body(&body), body);
    }

    #[test]
    fn signatures_are_missing_empty_or_wrong() {
        let body = b"{}";
        let right = crate::core::signature::sign(b"secret", body);
        assert_eq!(
            Tamper::MissingSignature.signature(body, right.clone()),
            None
        );
        assert_eq!(
            Tamper::EmptySignature
                .signature(body, right.clone())
                .as_deref(),
            Some("")
        );
        let wrong = Tamper::WrongSignature
            .signature(body, right.clone())
            .unwrap();
        assert_eq!(wrong.len(), 64);
        assert_ne!(wrong, right);
        assert_eq!(
            Tamper::ModifiedBody.signature(body, right.clone()),
            Some(right)
        );
    }

    #[test]
    fn headers_parse_and_the_delivery_headers_are_refused() {
        let h: ExtraHeader = "Authorization:  Bearer t0k".parse().unwrap();
        assert_eq!(h.name, "authorization");
        assert_eq!(h.value, "Bearer t0k");
        for bad in [
            "X-SF-Signature: x",
            "x-sf-event: y",
            "Content-Type: text/plain",
            "NoColon",
            "Bad Name: v",
        ] {
            assert!(bad.parse::<ExtraHeader>().is_err(), "{bad}");
        }
    }
}
