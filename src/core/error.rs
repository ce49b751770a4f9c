//! Failures with a meaning the caller acts on.
//!
//! Code uses `anyhow` and attaches context freely; when a failure means
//! more than "something broke" it carries a `Failure` somewhere in its
//! chain: what kind it is (the CLI maps kinds to exit codes), what went
//! wrong, and what to do about it as a separate hint. `doctor` shows the
//! hint as a check's fix; the CLI prints it after the message.

use std::fmt;

use thiserror::Error;

/// What kind of failure, for whoever decides what follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A check that ran and said no (a signature that does not match).
    CheckFailed,
    /// Bad arguments or bad input.
    Usage,
    /// The endpoint answered, but not with a 2xx.
    Rejected,
    /// No answer from the endpoint.
    Unreachable,
    /// Something must be set up first (configure, activate, subscribe).
    Precondition,
    /// Saved state that cannot be used as it is (a broken config file).
    Broken,
    /// The endpoint answered, but not well enough (a latency or success
    /// gate of a burst).
    Gate,
    /// The user left a question (Esc or q on a checklist): nothing changed.
    Cancelled,
}

#[derive(Debug, Error)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    /// What to do about it, e.g. `run 'sfhook activate'`.
    pub hint: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_with_hint(f, &self.message, self.hint.as_deref())
    }
}

/// What failed, then what to do about it after `; `: the one line people
/// read, wherever a hint is kept apart.
pub(crate) fn write_with_hint(
    f: &mut fmt::Formatter<'_>,
    message: &str,
    hint: Option<&str>,
) -> fmt::Result {
    f.write_str(message)?;
    match hint {
        Some(hint) => write!(f, "; {hint}"),
        None => Ok(()),
    }
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// The same failure with what to do about it; a second hint follows
    /// the first.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        let hint = hint.into();
        self.hint = Some(match self.hint.take() {
            Some(first) => format!("{first}; {hint}"),
            None => hint,
        });
        self
    }
}

/// The first `Failure` in an error's chain, including one that a file
/// operation carries inside its `io::Error` (an untrusted home).
pub fn failure_of(err: &anyhow::Error) -> Option<&Failure> {
    err.chain().find_map(failure_in)
}

fn failure_in<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a Failure> {
    cause.downcast_ref::<Failure>().or_else(|| {
        cause
            .downcast_ref::<std::io::Error>()?
            .get_ref()?
            .downcast_ref::<Failure>()
    })
}

/// The kind of an error: its first `Failure`'s, if it has one.
pub fn kind_of(err: &anyhow::Error) -> Option<Kind> {
    failure_of(err).map(|f| f.kind)
}

/// An error as one line without its hint, and the hint apart: for a
/// report that shows what failed and how to fix it in two places.
pub fn split_hint(err: &anyhow::Error) -> (String, Option<String>) {
    let Some(failure) = failure_of(err) else {
        return (format!("{err:#}"), None);
    };
    let parts: Vec<String> = err
        .chain()
        .map(|cause| match failure_in(cause) {
            Some(f) if std::ptr::eq(f, failure) => f.message.clone(),
            _ => cause.to_string(),
        })
        .collect();
    (parts.join(": "), failure.hint.clone())
}

/// What to do about a file that sfhook could not use, by what went wrong:
/// for unexpected errors caused by a file operation. Failures of a known
/// kind carry their own advice.
pub fn io_hint(err: &anyhow::Error) -> Option<&'static str> {
    use std::io::ErrorKind as IoKind;
    if failure_of(err).is_some_and(|f| f.kind != Kind::Broken || f.hint.is_some()) {
        return None;
    }
    let io = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())?;
    Some(match io.kind() {
        IoKind::PermissionDenied => {
            "check the owner and permissions of that path and its directory, or use another home with --home DIR"
        }
        IoKind::ReadOnlyFilesystem => {
            "that file system is read-only; use another home with --home DIR"
        }
        IoKind::NotADirectory => {
            "a part of that path is a file, not a directory; move it away or use another home with --home DIR"
        }
        IoKind::IsADirectory => "a directory stands where sfhook keeps a file; move it away",
        IoKind::AlreadyExists => {
            "something that is not a directory is in the way; move it away or use another home with --home DIR"
        }
        IoKind::StorageFull => "the disk is full; free some space and try again",
        _ => return None,
    })
}

/// A usage failure built from a message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::new(Kind::Usage, message).into()
}

/// The user left a question without an answer.
pub fn cancelled(message: impl Into<String>) -> anyhow::Error {
    Failure::new(Kind::Cancelled, message).into()
}

/// A precondition failure built from a message.
pub fn precondition(message: impl Into<String>) -> anyhow::Error {
    Failure::new(Kind::Precondition, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_follows_the_message_and_comes_apart_again() {
        let err = anyhow::Error::from(
            Failure::new(Kind::Precondition, "not active").with_hint("run 'sfhook activate'"),
        )
        .context("cannot send");
        assert_eq!(
            format!("{err:#}"),
            "cannot send: not active; run 'sfhook activate'"
        );
        let (detail, hint) = split_hint(&err);
        assert_eq!(detail, "cannot send: not active");
        assert_eq!(hint.as_deref(), Some("run 'sfhook activate'"));
        assert_eq!(kind_of(&err), Some(Kind::Precondition));
    }
}
