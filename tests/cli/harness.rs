//! sfhook as a CI harness: `doctor` as a pre-flight that takes its endpoint
//! and secret from SFHOOK_URL and SFHOOK_SECRET, as `mock` does, with
//! nothing saved.

use crate::support::*;

/// A receiver that holds another secret than SECRET.
const OTHER_SECRET: &str = "the-receiver-holds-another-secret";

/// `doctor --json` in `home`, with SFHOOK_URL and SFHOOK_SECRET as given.
fn doctor_with_env(
    home: &TestHome,
    url: Option<&str>,
    secret: Option<&str>,
) -> (i32, serde_json::Value, Vec<CheckRow>) {
    let mut cmd = home.cmd();
    cmd.args(["doctor", "--json"]);
    if let Some(url) = url {
        cmd.env("SFHOOK_URL", url);
    }
    if let Some(secret) = secret {
        cmd.env("SFHOOK_SECRET", secret);
    }
    doctor_report(&mut cmd)
}

fn statuses(checks: &[CheckRow]) -> Vec<(&str, &str)> {
    checks
        .iter()
        .map(|c| (c.0.as_str(), c.1.as_str()))
        .collect()
}

#[test]
fn doctor_with_the_environment_and_nothing_saved_checks_the_receiver() {
    let receiver = verifying_receiver(SECRET);
    let home = TestHome::new();
    let (code, report, checks) = doctor_with_env(&home, Some(&receiver.url()), Some(SECRET));
    assert_eq!(code, 0, "{checks:#?}");
    assert_eq!(
        statuses(&checks),
        [
            ("config", "skip"),
            ("profile", "skip"),
            ("dns", "pass"),
            ("connect", "pass"),
            // Plain http on this machine has no certificate.
            ("tls", "skip"),
            ("mock", "pass"),
            ("log", "pass"),
        ]
    );
    let (_, _, detail, _) = check_named(&checks, "config");
    assert!(
        detail.contains("nothing saved") && detail.contains("SFHOOK_URL and SFHOOK_SECRET"),
        "{detail}"
    );
    let (_, _, detail, _) = check_named(&checks, "profile");
    assert!(detail.contains("SFHOOK_URL and SFHOOK_SECRET"), "{detail}");
    assert!(check_named(&checks, "mock").2.contains("200 OK"));
    assert_eq!(report["url"], receiver.url());
    assert_eq!(report["profile"], "default");

    // The mock reached the receiver, signed with SFHOOK_SECRET; nothing
    // was saved or logged.
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid(SECRET));
    assert_eq!(received[0].header("x-sf-mock"), Some("true"));
    assert!(!home.config_path().exists());
    assert!(home.log_records().is_empty());

    // On a pipe: a line per check, and the verdict on stderr.
    let out = home
        .cmd()
        .arg("doctor")
        .env("SFHOOK_URL", receiver.url())
        .env("SFHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout_of(&out).lines().count(), 7, "{}", describe(&out));
    assert!(
        stderr_of(&out).contains("no check failed"),
        "{}",
        describe(&out)
    );
    assert_secret_not_printed(SECRET, "doctor", &out);
}

#[test]
fn doctor_with_a_wrong_secret_in_the_environment_fails_the_mock_on_its_signature() {
    let receiver = verifying_receiver(OTHER_SECRET);
    let home = TestHome::new();
    let (code, _, checks) = doctor_with_env(&home, Some(&receiver.url()), Some(SECRET));
    assert_eq!(code, 1, "{checks:#?}");
    let (_, status, detail, fix) = check_named(&checks, "mock");
    assert_eq!(status, "fail");
    assert!(detail.contains("406 Not Acceptable"), "{detail}");
    assert!(
        detail.contains("the receiver rejects the signature"),
        "{detail}"
    );
    assert!(detail.contains("Signatures mismatch"), "{detail}");
    // The fix names where the secret came from.
    assert!(
        fix.contains("same secret") && fix.contains("SFHOOK_SECRET"),
        "{fix}"
    );
    for name in ["dns", "connect"] {
        assert_eq!(check_named(&checks, name).1, "pass", "{name}");
    }

    let out = home
        .cmd()
        .arg("doctor")
        .env("SFHOOK_URL", receiver.url())
        .env("SFHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 1);
    assert!(
        stderr_of(&out).contains("1 of 7 checks failed: mock"),
        "{}",
        describe(&out)
    );
}

#[test]
fn doctor_json_with_the_environment_has_this_shape() {
    let receiver = verifying_receiver(SECRET);
    let home = TestHome::new();
    let out = home
        .cmd()
        .args(["doctor", "--json"])
        .env("SFHOOK_URL", format!("{}?token=abc", receiver.url()))
        .env("SFHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 0, "{}", describe(&out));
    with_redactions(&[home.path()], || {
        insta::assert_snapshot!("output-doctor-env-json", transcript(&out));
    });
}

#[test]
fn the_environment_wins_over_the_saved_profile_and_the_log_is_still_read() {
    // The saved profile points at a receiver that is gone, and logged a
    // failure and a success; the environment names a live receiver with
    // another secret.
    let saved = TestServer::start(Reply::status(200));
    let home = TestHome::with_history(&saved);
    drop(saved);
    let receiver = verifying_receiver(OTHER_SECRET);
    let (code, report, checks) = doctor_with_env(&home, Some(&receiver.url()), Some(OTHER_SECRET));
    assert_eq!(code, 0, "{checks:#?}");
    assert_eq!(report["url"], receiver.url());
    let (_, status, detail, _) = check_named(&checks, "config");
    assert_eq!(status, "pass");
    assert!(
        detail.contains("SFHOOK_URL and SFHOOK_SECRET override its endpoint and secret"),
        "{detail}"
    );
    assert_eq!(check_named(&checks, "profile").1, "pass");
    assert_eq!(check_named(&checks, "mock").1, "pass");
    let (_, status, detail, _) = check_named(&checks, "log");
    assert_eq!(status, "warn", "{detail}");
    assert!(detail.contains("1 of 2 deliveries"), "{detail}");
    // The mock carries the profile's first subscription, as 'send' would.
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("x-sf-event"), Some("device.enrolled"));
    assert!(received[0].signature_valid(OTHER_SECRET));
}

#[test]
fn half_the_environment_fills_in_from_the_profile() {
    // SFHOOK_SECRET alone: the saved URL, the environment's secret.
    let receiver = verifying_receiver(OTHER_SECRET);
    let home = TestHome::new();
    home.configure_active(&receiver.url());
    home.subscribe(&["device-locked"]);
    let (code, report, checks) = doctor_with_env(&home, None, Some(OTHER_SECRET));
    assert_eq!(code, 0, "{checks:#?}");
    assert_eq!(report["url"], receiver.url());
    let (_, _, detail, _) = check_named(&checks, "config");
    assert!(
        detail.ends_with("; SFHOOK_SECRET overrides its secret"),
        "{detail}"
    );
    assert!(receiver.received()[0].signature_valid(OTHER_SECRET));

    // SFHOOK_URL alone with nothing saved: no secret to sign with.
    let empty = TestHome::new();
    let (code, report, checks) = doctor_with_env(&empty, Some(&receiver.url()), None);
    assert_eq!(code, 1);
    assert_eq!(report["url"], receiver.url());
    let (_, status, detail, fix) = check_named(&checks, "config");
    assert_eq!(status, "fail");
    assert!(
        detail.ends_with(", and SFHOOK_SECRET is not set"),
        "{detail}"
    );
    assert!(fix.contains("SFHOOK_SECRET"), "{fix}");
    assert_eq!(check_named(&checks, "mock").1, "skip");
    assert_eq!(receiver.received().len(), 1, "nothing more was sent");
}

#[test]
fn a_saved_state_that_cannot_send_is_only_a_warning_when_the_environment_brings_everything() {
    let receiver = verifying_receiver(SECRET);

    // A config file that others may read: mock ignores it, so does doctor.
    let home = TestHome::new();
    home.configure_active("http://127.0.0.1:9/payload");
    let config = home.config_path();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let (code, _, checks) = doctor_with_env(&home, Some(&receiver.url()), Some(SECRET));
    assert_eq!(code, 0, "{checks:#?}");
    let (_, status, detail, fix) = check_named(&checks, "config");
    assert_eq!(status, "warn");
    assert!(detail.contains("accessible to other users"), "{detail}");
    assert!(detail.contains("ignored"), "{detail}");
    assert!(fix.starts_with("run 'chmod 600"), "{fix}");
    assert_eq!(check_named(&checks, "profile").1, "skip");
    assert_eq!(check_named(&checks, "mock").1, "pass");

    // An active profile subscribed to nothing: 'send' cannot deliver, which
    // the profile check says, but the receiver under test is fine.
    let home = TestHome::new();
    home.configure_active("http://127.0.0.1:9/payload");
    let (code, _, checks) = doctor_with_env(&home, Some(&receiver.url()), Some(SECRET));
    assert_eq!(code, 0, "{checks:#?}");
    let (_, status, detail, fix) = check_named(&checks, "profile");
    assert_eq!(status, "warn");
    assert!(detail.contains("subscribed to no event"), "{detail}");
    assert!(fix.contains("sfhook subscribe"), "{fix}");
    assert_eq!(check_named(&checks, "mock").1, "pass");
}

#[test]
fn a_bad_sfhook_url_is_a_usage_error_before_any_check() {
    let home = TestHome::new();
    let out = home
        .cmd()
        .arg("doctor")
        .env("SFHOOK_URL", "ftp://user:pa55@example.com/hook")
        .env("SFHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 2, "{}", describe(&out));
    assert!(stdout_of(&out).is_empty(), "{}", describe(&out));
    let stderr = stderr_of(&out);
    assert!(stderr.contains("SFHOOK_URL: invalid URL"), "{stderr}");
    assert!(!stderr.contains("pa55"), "{stderr}");
}
