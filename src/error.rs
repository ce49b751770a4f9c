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

/// The exit code for an error: the first `Failure` in its chain, else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
        .map_or(1, Failure::exit_code)
}

/// Shorthand for the common case of a usage error built from a message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::Usage(message.into()).into()
}

/// Shorthand for a precondition failure built from a message.
pub fn precondition(message: impl Into<String>) -> anyhow::Error {
    Failure::Precondition(message.into()).into()
}
