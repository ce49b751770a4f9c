//! What a test of a receiver expects of its answers (`--expect`): codes,
//! classes, or no answer at all. A met expectation is a pass whatever the
//! code; an unmet one is a failure that says what was expected and what
//! came.

use std::fmt;
use std::str::FromStr;

use crate::core::delivery::{Outcome, Verdict};
use crate::core::error::{Failure, Kind};

/// One acceptable answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accept {
    Code(u16),
    /// `2xx`: the hundreds digit.
    Class(u16),
    /// No answer came (refused, timeout, TLS, ...).
    NoAnswer,
}

/// The answers that count as success, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expectation(Vec<Accept>);

impl Expectation {
    /// What a mock expects unless told otherwise: a 2xx, or a 4xx for a
    /// delivery a correct receiver must refuse.
    pub(crate) fn default_for(tampered: bool) -> Expectation {
        Expectation(vec![Accept::Class(if tampered { 4 } else { 2 })])
    }

    /// Whether an answer with `code` (or none) meets it.
    pub(crate) fn met_by(&self, code: Option<u16>) -> bool {
        self.0.iter().any(|accept| match (accept, code) {
            (Accept::Code(want), Some(got)) => *want == got,
            (Accept::Class(hundreds), Some(got)) => got / 100 == *hundreds,
            (Accept::NoAnswer, None) => true,
            _ => false,
        })
    }

    /// Whether this outcome meets it.
    pub(crate) fn met(&self, outcome: &Outcome) -> bool {
        self.met_by(outcome.code())
    }

    /// The failure an outcome that does not meet it means: rejected when an
    /// answer came, unreachable when none did; `None` when it is met.
    /// `target` names the endpoint.
    pub(crate) fn judge(&self, outcome: &Outcome, target: &str) -> Option<Failure> {
        if self.met(outcome) {
            return None;
        }
        Some(match outcome.verdict() {
            Verdict::Unanswered(_) => Failure::new(
                Kind::Unreachable,
                format!(
                    "expected {self}, got no answer from {target}: {}",
                    outcome.describe()
                ),
            ),
            Verdict::Delivered | Verdict::Refused(_) => Failure::new(
                Kind::Rejected,
                format!("expected {self}, got {} from {target}", outcome.describe()),
            ),
        })
    }

    /// The default 2xx, which needs no mention.
    pub(crate) fn is_default(&self) -> bool {
        *self == Expectation::default_for(false)
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, accept) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            match accept {
                Accept::Code(code) => write!(f, "{code}")?,
                Accept::Class(hundreds) => write!(f, "{hundreds}xx")?,
                Accept::NoAnswer => f.write_str("no answer")?,
            }
        }
        Ok(())
    }
}

impl FromStr for Expectation {
    type Err = String;

    /// `406`, `2xx`, `none`, comma-separated: `2xx,404`.
    fn from_str(text: &str) -> Result<Expectation, String> {
        let mut accepts = Vec::new();
        for part in text.split(',').map(str::trim) {
            let lower = part.to_ascii_lowercase();
            let accept = match lower.as_bytes() {
                b"none" => Accept::NoAnswer,
                [d @ b'1'..=b'5', b'x', b'x'] => Accept::Class(u16::from(d - b'0')),
                _ => match lower.parse::<u16>() {
                    Ok(code) if (100..=599).contains(&code) => Accept::Code(code),
                    _ => {
                        return Err(format!(
                            "invalid expectation '{}': use codes (406), classes (2xx, 4xx) or 'none', comma-separated",
                            part.escape_debug()
                        ));
                    }
                },
            };
            if !accepts.contains(&accept) {
                accepts.push(accept);
            }
        }
        Ok(Expectation(accepts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classes_and_none_parse_and_match() {
        let e: Expectation = "406, 2xx ,none".parse().unwrap();
        assert!(e.met_by(Some(406)));
        assert!(e.met_by(Some(204)));
        assert!(e.met_by(None));
        assert!(!e.met_by(Some(401)));
        assert_eq!(e.to_string(), "406 or 2xx or no answer");
        let four: Expectation = "4XX".parse().unwrap();
        assert!(four.met_by(Some(406)) && !four.met_by(Some(500)) && !four.met_by(None));
        assert_eq!(Expectation::default_for(true), four);
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "abc", "99", "600", "6xx", "2x", "406,", "2xxx"] {
            assert!(bad.parse::<Expectation>().is_err(), "{bad}");
        }
    }
}
