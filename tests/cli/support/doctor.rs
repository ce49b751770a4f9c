//! `doctor --json` as the tests read it, and the receiver its checks are
//! usually pointed at.

use serde_json::Value;

use super::{Reply, TestServer, describe, exit_code};

/// One check of a report: (check, status, detail, fix), with `fix` empty
/// when there is none.
pub type CheckRow = (String, String, String, String);

/// Runs `cmd`, a `doctor --json`: its exit code, the whole report, and
/// each check as a row. Fails the test if `ok` and the exit code disagree.
pub fn doctor_report(cmd: &mut assert_cmd::Command) -> (i32, Value, Vec<CheckRow>) {
    let out = cmd.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {}", describe(&out)));
    let checks = report["checks"]
        .as_array()
        .expect("checks is an array")
        .iter()
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap_or_default().to_string();
            (text("check"), text("status"), text("detail"), text("fix"))
        })
        .collect::<Vec<_>>();
    let code = exit_code(&out);
    assert_eq!(report["ok"], code == 0, "ok and the exit code disagree");
    (code, report, checks)
}

pub fn check_named<'c>(checks: &'c [CheckRow], name: &str) -> &'c CheckRow {
    checks
        .iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no {name} check in {checks:?}"))
}

/// A receiver like the reference's sample: 200 for a valid signature under
/// `secret`, 406 "Signatures mismatch" otherwise.
pub fn verifying_receiver(secret: &'static str) -> TestServer {
    TestServer::with_handler(move |request, _| {
        if request.signature_valid(secret) {
            Reply::status(200)
        } else {
            Reply::with_body(406, "Signatures mismatch")
        }
    })
}
