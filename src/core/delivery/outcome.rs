//! What came of one request: an answer, or why none came, in words a user
//! can act on.

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use uuid::Uuid;

use crate::core::error::{Failure, Kind};
use crate::core::units::format_duration;

use super::tls::TlsProblem;

#[derive(Debug)]
pub struct Outcome {
    /// Fresh for every HTTP request: sent as `X-SF-Request-ID`.
    pub request_id: Uuid,
    pub started_at: Timestamp,
    pub duration: Duration,
    pub result: Result<Answer, NoAnswer>,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub reason: Option<&'static str>,
    /// At most `RESPONSE_BODY_LIMIT` bytes; the rest is never read.
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
    /// The status came, but the body stopped arriving (a timeout, a reset).
    /// The answer still counts: the contract's test is the status.
    pub cut_short: Option<NoAnswer>,
}

/// Why no (complete) answer came, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    Refused {
        address: String,
    },
    Dns {
        host: String,
    },
    Tls(TlsProblem),
    Timeout(Duration),
    /// Closed or reset before an answer was complete.
    Closed,
    /// The answer was not HTTP: another service on that port, or TLS
    /// spoken back to a plain `http://` request (`plain`).
    Protocol {
        address: String,
        why: String,
        plain: bool,
    },
    Other(String),
}

impl fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoAnswer::Refused { address } => {
                write!(f, "connection refused: nothing is listening at {address}")
            }
            NoAnswer::Dns { host } => write!(f, "DNS: cannot resolve the host {host}"),
            NoAnswer::Tls(why) => write!(f, "TLS: {why}"),
            NoAnswer::Timeout(limit) => write!(
                f,
                "timeout: no complete answer within {}",
                format_duration(*limit)
            ),
            NoAnswer::Closed => {
                f.write_str("the endpoint closed the connection before its answer was complete")
            }
            NoAnswer::Protocol {
                address,
                why,
                plain,
            } => {
                write!(
                    f,
                    "the endpoint's answer is not valid HTTP ({why}): check that {address} is a web server's address"
                )?;
                if *plain {
                    f.write_str("; if it serves HTTPS, use an https:// URL")?;
                }
                Ok(())
            }
            NoAnswer::Other(why) => f.write_str(why),
        }
    }
}

impl NoAnswer {
    /// A short name for tallies: `refused`, `dns`, `tls`, `timeout`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            NoAnswer::Refused { .. } => "refused",
            NoAnswer::Dns { .. } => "dns",
            NoAnswer::Tls(_) => "tls",
            NoAnswer::Timeout(_) => "timeout",
            NoAnswer::Closed => "closed",
            NoAnswer::Protocol { .. } => "protocol",
            NoAnswer::Other(_) => "error",
        }
    }
}

/// What an outcome means: the three ways a delivery can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// A 2xx answer.
    Delivered,
    /// Another answer: its status.
    Refused(u16),
    /// No answer at all.
    Unanswered(&'a NoAnswer),
}

impl Outcome {
    pub fn code(&self) -> Option<u16> {
        self.result.as_ref().ok().map(|a| a.status)
    }

    pub fn verdict(&self) -> Verdict<'_> {
        match &self.result {
            Ok(answer) if (200..300).contains(&answer.status) => Verdict::Delivered,
            Ok(answer) => Verdict::Refused(answer.status),
            Err(no_answer) => Verdict::Unanswered(no_answer),
        }
    }

    /// Why the answer's body stopped arriving, if it did.
    pub fn cut_short(&self) -> Option<&NoAnswer> {
        self.result.as_ref().ok().and_then(|a| a.cut_short.as_ref())
    }

    /// For output that is not a terminal, where `describe` is not shown:
    /// a diagnostic line when the answer's body was cut short.
    pub fn cut_short_note(&self) -> Option<String> {
        self.cut_short()
            .map(|e| format!("note: the answer's body was cut short: {e}"))
    }

    /// Any 2xx answer, as the contract says.
    pub fn success(&self) -> bool {
        self.verdict() == Verdict::Delivered
    }

    /// Why no answer came, for the log's `error`.
    pub fn error(&self) -> Option<String> {
        self.result.as_ref().err().map(NoAnswer::to_string)
    }

    pub fn response_body(&self) -> String {
        match &self.result {
            Ok(answer) => String::from_utf8_lossy(&answer.body).into_owned(),
            Err(_) => String::new(),
        }
    }

    /// One line for people: `200 OK` or `timeout: ...`.
    pub fn describe(&self) -> String {
        match &self.result {
            Ok(answer) => {
                let mut text = match answer.reason {
                    Some(reason) => format!("{} {reason}", answer.status),
                    None => answer.status.to_string(),
                };
                if let Some(location) = &answer.location {
                    text.push_str(&format!(
                        " (redirect to {location} not followed: sfhook never follows redirects; \
                         use the URL it redirects to)"
                    ));
                }
                if let Some(e) = &answer.cut_short {
                    text.push_str(&format!(" (its body was cut short: {e})"));
                }
                text
            }
            Err(no_answer) => no_answer.to_string(),
        }
    }

    /// The failure this outcome means, if any: rejected when an answer
    /// said no, unreachable when no answer came.
    pub fn failure(&self, target: &str) -> Option<Failure> {
        match self.verdict() {
            Verdict::Delivered => None,
            Verdict::Refused(_) => Some(Failure::new(
                Kind::Rejected,
                format!("{target} answered {}", self.describe()),
            )),
            Verdict::Unanswered(_) => Some(Failure::new(
                Kind::Unreachable,
                format!("no answer from {target}: {}", self.describe()),
            )),
        }
    }

    /// A certificate problem will not fix itself in a few seconds; the rest may.
    pub(super) fn is_permanent(&self) -> bool {
        matches!(self.result, Err(NoAnswer::Tls(_)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn answered(status: u16) -> Outcome {
        Outcome {
            request_id: Uuid::nil(),
            started_at: Timestamp::UNIX_EPOCH,
            duration: Duration::ZERO,
            result: Ok(Answer {
                status,
                reason: None,
                body: Vec::new(),
                retry_after: None,
                location: None,
                cut_short: None,
            }),
        }
    }

    #[test]
    fn an_answer_that_is_not_http_points_at_the_port_and_at_https() {
        let mut no_answer = NoAnswer::Protocol {
            address: "127.0.0.1:22".into(),
            why: "invalid HTTP version parsed".into(),
            plain: true,
        };
        let text = no_answer.to_string();
        assert!(
            text.contains("127.0.0.1:22") && text.contains("https://"),
            "{text}"
        );
        if let NoAnswer::Protocol { plain, .. } = &mut no_answer {
            *plain = false;
        }
        assert!(!no_answer.to_string().contains("https://"));
    }
}
