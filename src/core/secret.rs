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

/// Takes a string and nothing else; anything else is reported by its type
/// alone, never by its value: serde's own message would print
/// `secret = 12345678` or a URL's password in full.
pub(crate) struct TextOnly(pub &'static str);

impl TextOnly {
    fn refuse<E: serde::de::Error>(&self, found: &str) -> E {
        E::custom(format!(
            "{} must be a string in quotes, not {found} (its value is not shown)",
            self.0
        ))
    }
}

impl<'de> serde::de::Visitor<'de> for TextOnly {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} as a string", self.0)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<String, E> {
        Err(self.refuse("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<String, E> {
        Err(self.refuse("an integer"))
    }

    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<String, E> {
        Err(self.refuse("an integer"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<String, E> {
        Err(self.refuse("an integer"))
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<String, E> {
        Err(self.refuse("an integer"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<String, E> {
        Err(self.refuse("a number"))
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<String, E> {
        Err(self.refuse("bytes"))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<String, E> {
        Err(self.refuse("nothing"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
        Err(self.refuse("nothing"))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.refuse("an array"))
    }

    // TOML hands a date-time over as a one-key table.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.refuse("a table or a date-time"))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.refuse("a table"))
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
