//! `X-SF-Signature`: lowercase hex of HMAC-SHA256(secret, body bytes), no
//! prefix. Pure functions of bytes; nothing here knows where they came from.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

pub fn sign(secret: &[u8], body: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// Checks a signature in constant time. Hex digits may be in either case and
/// surrounding whitespace is ignored (a header value copied from a terminal);
/// anything that is not 64 hex digits is simply a mismatch.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else {
        return false;
    };
    mac(secret, body).verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // GitHub's published test vector for its own HMAC-SHA256 webhook signatures.
    const SECRET: &[u8] = b"It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const SIGNATURE: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn matches_the_published_vector() {
        assert_eq!(sign(SECRET, BODY), SIGNATURE);
    }

    #[test]
    fn verify_accepts_the_vector_and_rejects_changes() {
        assert!(verify(SECRET, BODY, SIGNATURE));
        assert!(verify(SECRET, BODY, &SIGNATURE.to_uppercase()));
        assert!(!verify(SECRET, b"Hello, World?", SIGNATURE));
        assert!(!verify(b"another secret", BODY, SIGNATURE));
        assert!(!verify(SECRET, BODY, &SIGNATURE[..63]));
        assert!(!verify(SECRET, BODY, "sha256=zz"));
        assert!(!verify(SECRET, BODY, ""));
    }
}
