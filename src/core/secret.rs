//! The signing secret, wrapped so that it cannot be printed by accident:
//! `Debug` shows a placeholder, there is no `Display`, and the only way to the
//! text is the deliberately named `expose`.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Secrets shorter than this get a warning: HMAC keys should be long and random.
pub const RECOMMENDED_MIN_LEN: usize = 16;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Refuses an empty secret; anything else is the user's choice.
    pub fn new(text: String) -> Result<Secret, &'static str> {
        if text.is_empty() {
            return Err("the secret is empty");
        }
        Ok(Secret(text))
    }

    /// A secret from a file or stdin: exactly one trailing newline (`\n` or
    /// `\r\n`) is dropped, because editors and `echo` add one; nothing else is
    /// trimmed, since spaces may be part of a secret.
    pub fn from_input(bytes: Vec<u8>) -> Result<Secret, &'static str> {
        let mut bytes = bytes;
        if bytes.ends_with(b"\r\n") {
            bytes.truncate(bytes.len() - 2);
        } else if bytes.ends_with(b"\n") {
            bytes.truncate(bytes.len() - 1);
        }
        let text = String::from_utf8(bytes).map_err(|_| "the secret is not UTF-8 text")?;
        Secret::new(text)
    }

    /// 32 random bytes from the operating system, as 64 lowercase hex digits.
    pub fn generate() -> Secret {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Secret(hex::encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// In characters, as users count them and as messages report them; a
    /// byte count would call ten accented letters "20 characters".
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Enough to tell two secrets apart, too little to recover one:
    /// `sha256:` and the first 12 hex digits of its SHA-256.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        format!("sha256:{}", &hex::encode(digest)[..12])
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = Secret::new("hunter2-hunter2-hunter2".into()).unwrap();
        let rendered = format!("{secret:?} {:?}", Some(&secret));
        assert!(!rendered.contains("hunter2"), "{rendered}");
    }

    #[test]
    fn input_loses_one_trailing_newline_only() {
        assert_eq!(
            Secret::from_input(b"abc\n".to_vec()).unwrap().expose(),
            "abc"
        );
        assert_eq!(
            Secret::from_input(b"abc\r\n".to_vec()).unwrap().expose(),
            "abc"
        );
        assert_eq!(
            Secret::from_input(b"abc\n\n".to_vec()).unwrap().expose(),
            "abc\n"
        );
        assert_eq!(
            Secret::from_input(b" abc ".to_vec()).unwrap().expose(),
            " abc "
        );
        assert!(Secret::from_input(b"\n".to_vec()).is_err());
        assert!(Secret::from_input(vec![0xff, 0xfe]).is_err());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(Secret::new("é".repeat(10)).unwrap().len(), 10);
    }

    #[test]
    fn generated_secrets_are_64_hex_digits_and_distinct() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_eq!(a.len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
