//! sfhook's integration tests: one binary that drives the real `sfhook`
//! executable in temporary homes, one module per topic, and the helpers
//! they share in `support`.
//!
//! `cargo test` runs the quick tests; the long soaks (kill rounds, floods)
//! are ignored there and run with `cargo test -- --include-ignored`, as
//! `.ci/run` does.

mod support;

mod bad_input;
mod bodies;
mod crash;
mod deliveries;
mod examples;
mod faults;
mod foundation;
mod generated;
mod harness;
mod help;
mod listen;
mod log_seek;
mod logs;
mod properties;
mod scenarios;
mod schema;
mod shapes;
mod terminal;
mod testing;
mod usage_errors;
