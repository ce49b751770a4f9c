//! The shapes of what sfhook prints for scripts and people: the TSV, CSV
//! and JSON of every command that lists data, as snapshots. Everything that
//! changes from run to run (ids, times, durations, ports, temporary paths,
//! signatures of bodies that hold fresh ids) is replaced by a placeholder
//! before the comparison; everything else (columns, their order, keys,
//! labels, spacing) must stay exactly as committed.
//!
//! The home is `TestHome::with_history`: a failed delivery (a 503 from
//! another endpoint) and then a successful one.

use crate::support::*;

/// Runs `args` in `home`, which must succeed, and compares the transcript
/// with the snapshot `output-NAME`.
fn check(home: &TestHome, name: &str, args: &[&str]) {
    let out = run(home, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "sfhook {}: {}",
        args.join(" "),
        describe(&out)
    );
    let name = format!("output-{name}");
    with_redactions(&[home.path()], || {
        insta::assert_snapshot!(name, transcript(&out));
    });
}

/// The request id of the successful delivery in a `with_history` home.
fn succeeded_id(home: &TestHome) -> String {
    let records = home.log_records();
    assert_eq!(records.len(), 2, "{records:?}");
    records[1]["request_id"].as_str().unwrap().to_string()
}

#[test]
fn logs_listings_summary_and_show() {
    let receiver = TestServer::start(Reply::with_body(200, "ok"));
    let home = TestHome::with_history(&receiver);
    check(&home, "logs-tsv", &["logs"]);
    check(&home, "logs-json", &["logs", "--json"]);
    check(&home, "logs-csv", &["logs", "--format", "csv"]);
    check(&home, "logs-summary-tsv", &["logs", "summary"]);
    check(&home, "logs-summary-json", &["logs", "summary", "--json"]);
    let id = succeeded_id(&home);
    check(&home, "logs-show", &["logs", "show", &id]);
    check(&home, "logs-show-json", &["logs", "show", &id, "--json"]);
}

#[test]
fn status_and_events() {
    let receiver = TestServer::start(Reply::with_body(200, "ok"));
    let home = TestHome::with_history(&receiver);
    check(&home, "status-tsv", &["status"]);
    check(&home, "status-json", &["status", "--json"]);
    check(&home, "events-tsv", &["events"]);
    check(&home, "events-json", &["events", "--json"]);
}

#[test]
fn mock_send_and_doctor() {
    let receiver = TestServer::start(Reply::with_body(200, "ok"));
    let home = TestHome::with_history(&receiver);
    let url = receiver.url();
    check(
        &home,
        "mock-tsv",
        &["mock", "device-enrolled", "--url", &url],
    );
    check(
        &home,
        "mock-json",
        &["mock", "device-enrolled", "--url", &url, "--json"],
    );
    check(&home, "send-tsv", &["send", "device-enrolled"]);
    check(&home, "send-json", &["send", "device-enrolled", "--json"]);
    check(&home, "doctor-tsv", &["doctor"]);
    check(&home, "doctor-json", &["doctor", "--json"]);
}
