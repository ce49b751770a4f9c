//! Delivering signed bytes: the HTTP engine, what came of a request, the
//! retry policy, which way a request goes (proxy), waiting for a receiver
//! to listen (ready), TLS failures in plain words, and the `Sender` that
//! every command sending a webhook uses.

pub(crate) mod burst;
mod engine;
pub(crate) mod extra;
mod outcome;
pub(crate) mod proxy;
pub(crate) mod ready;
pub(crate) mod retry;
pub(crate) mod sender;
mod tls;

pub(crate) use engine::{CaBundle, Engine, EngineOptions, Request};
pub(crate) use outcome::{Outcome, Verdict};
pub(crate) use tls::{TlsProblem, describe_tls};
