//! The failures that decide sfhook's exit code.
//!
//! Command code uses `anyhow` and attaches context freely; when a failure has
//! a documented exit code other than 1 it carries one of these values, and
//! `exit_code` finds it anywhere in the error chain.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Failure {
    /// A check that ran and said no (`verify` mismatch): exit 1.
    #[error("{0}")]
    CheckFailed(String),
    /// Bad arguments or bad input: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The endpoint answered, but not with a 2xx: exit 3.
    #[error("{0}")]
    Rejected(String),
    /// No answer from the endpoint: exit 4.
    #[error("{0}")]
    Unreachable(String),
    /// Something must be set up first (configure, activate, subscribe): exit 5.
    #[error("{0}")]
    Precondition(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::CheckFailed(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Rejected(_) => 3,
            Failure::Unreachable(_) => 4,
            Failure::Precondition(_) => 5,
        }
    }
}

impl Failure {
    /// The same failure, its message followed by what to do about it.
    pub fn with_hint(self, hint: &str) -> Failure {
        let add = |message: String| format!("{message}; {hint}");
        match self {
            Failure::CheckFailed(m) => Failure::CheckFailed(add(m)),
            Failure::Usage(m) => Failure::Usage(add(m)),
            Failure::Rejected(m) => Failure::Rejected(add(m)),
            Failure::Unreachable(m) => Failure::Unreachable(add(m)),
            Failure::Precondition(m) => Failure::Precondition(add(m)),
        }
    }
}

/// The exit code for an error: the first `Failure` in its chain, else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
        .map_or(1, Failure::exit_code)
}

/// What to do about a file that sfhook could not use, by what went wrong:
/// for runtime errors (exit 1) caused by a file operation. Usage errors
/// carry their own advice.
pub fn io_hint(err: &anyhow::Error) -> Option<&'static str> {
    use std::io::ErrorKind as Kind;
    if exit_code(err) != 1 {
        return None;
    }
    let io = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())?;
    Some(match io.kind() {
        Kind::PermissionDenied => {
            "check the owner and permissions of that path and its directory, or use another home with --home DIR"
        }
        Kind::ReadOnlyFilesystem => {
            "that file system is read-only; use another home with --home DIR"
        }
        Kind::NotADirectory => {
            "a part of that path is a file, not a directory; move it away or use another home with --home DIR"
        }
        Kind::IsADirectory => "a directory stands where sfhook keeps a file; move it away",
        Kind::AlreadyExists => {
            "something that is not a directory is in the way; move it away or use another home with --home DIR"
        }
        Kind::StorageFull => "the disk is full; free some space and try again",
        _ => return None,
    })
}

/// Shorthand for the common case of a usage error built from a message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::Usage(message.into()).into()
}

/// Shorthand for a precondition failure built from a message.
pub fn precondition(message: impl Into<String>) -> anyhow::Error {
    Failure::Precondition(message.into()).into()
}
