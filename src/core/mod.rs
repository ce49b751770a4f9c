//! The domain: what a webhook is, how it is signed, sent and logged. It
//! knows nothing of clap, terminals or exit codes and never prints: it
//! takes typed values and returns typed results, and its errors carry an
//! optional hint as data for the layer above to show.
//!
//! Modules a fuzz target, a benchmark or an integration test reaches are
//! `pub`; the rest are `pub(crate)`, so the compiler finds dead code.

pub mod catalog;
pub(crate) mod complete;
pub mod config;
pub(crate) mod delivery;
pub(crate) mod doctor;
pub mod endpoint;
pub(crate) mod error;
pub(crate) mod expect;
pub mod filter;
pub(crate) mod fsutil;
pub mod home;
pub(crate) mod ids;
pub mod log;
pub mod payload;
pub(crate) mod probe;
pub(crate) mod receiver;
pub(crate) mod scenario;
pub mod secret;
pub(crate) mod signature;
pub mod units;
