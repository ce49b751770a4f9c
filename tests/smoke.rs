mod common;
use common::*;

#[test]
fn send_reaches_a_real_server_with_a_valid_signature() {
    let server = TestServer::start(Reply::with_body(200, "thanks"));
    let home = TestHome::new();
    home.configure_active(&server.url());
    home.subscribe(&["device-enrolled"]);
    home.cmd()
        .args(["send", "device-enrolled"])
        .assert()
        .success();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].signature_valid(SECRET));
    assert_eq!(home.log_records().len(), 1);
}
