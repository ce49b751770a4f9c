//! sfhook's integration tests: one binary that drives the real `sfhook`
//! executable in temporary homes, one module per topic, and the helpers
//! they share in `support`.
//!
//! `cargo test` runs the quick tests; the long soaks (kill rounds, floods)
//! are ignored there and run with `cargo test -- --include-ignored`, as
//! `.ci/run` does.

mod support;

mod admins;
mod bad_input;
mod bodies;
mod completion;
mod crash;
mod deliveries;
mod examples;
mod faults;
mod foundation;
mod generated;
mod harness;
mod help;
mod hostile;
mod layout;
mod listen;
mod listen_hardening;
mod log_seek;
mod logs;
mod properties;
mod scenarios;
mod schema;
mod shapes;
mod terminal;
mod testing;
mod trust;
mod usage_errors;
