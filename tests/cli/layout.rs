//! What an admin sees at a terminal of a given width: tables that fit it
//! without breaking the identifiers people copy, a checklist that fits it
//! and can be left, and secrets that are never echoed.
//!
//! Each command runs on a new pseudo-terminal of a set size (its
//! controlling terminal, as in a real session). `Screen` then lays the
//! output out as that terminal would: escapes dropped, lines wrapped at
//! the width; a string found on one screen line was shown whole.

use crate::support::*;

struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    /// stdout and stderr together, as the terminal received them.
    bytes: String,
    /// The terminal's settings once the program has gone.
    echo_after: bool,
    width: usize,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.code
    }

    /// The lines of the screen: escapes dropped, carriage returns honoured
    /// as line starts, long lines wrapped at the terminal's width.
    fn screen(&self) -> Vec<String> {
        let text = strip_escapes(&self.bytes);
        let mut lines = Vec::new();
        for line in text.split('\n') {
            // What a carriage return overwrote is gone; what is left of
            // the line is its last part.
            let line = line
                .rsplit('\r')
                .find(|part| !part.is_empty())
                .unwrap_or("");
            let chars: Vec<char> = line.chars().collect();
            if chars.is_empty() {
                lines.push(String::new());
            }
            for chunk in chars.chunks(self.width) {
                lines.push(chunk.iter().collect());
            }
        }
        lines
    }

    /// Panics if a line is longer than the terminal is wide: the terminal
    /// would wrap it wherever the width falls.
    fn assert_fits(&self) {
        let text = strip_escapes(&self.bytes);
        for line in text.split(['\n', '\r']) {
            assert!(
                line.chars().count() <= self.width,
                "a line is wider than {} columns:\n{line}",
                self.width
            );
        }
    }

    /// Panics unless `needle` is shown whole on one line of the screen.
    fn assert_whole(&self, needle: &str, what: &str) {
        let screen = self.screen();
        assert!(
            screen.iter().any(|line| line.contains(needle)),
            "{what} {needle:?} is not whole on one line at {} columns:\n{}",
            self.width,
            screen.join("\n")
        );
    }
}

/// Drops CSI sequences (colour, cursor movement) and two-byte escapes;
/// what is left is what the screen shows.
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

/// Runs sfhook in `home` on a new pty of `width` columns and 40 rows,
/// typing `keys` (each after a pause, so that a prompt is drawn first).
fn on_terminal(home: &TestHome, width: u16, args: &[&str], keys: &[&str]) -> Run {
    let run = pty_run_with(home, args, &[], keys, width, false);
    Run {
        code: run.code,
        signal: run.signal,
        bytes: run.screen,
        echo_after: run.echo_after,
        width: usize::from(width),
    }
}

/// A home whose log holds the longest event name, a delivery retried
/// three times (attempts 1, 2, 3), a 503 and a 200; subscribed to six
/// events, the longest slug among them.
fn busy_home(receiver: &TestServer) -> TestHome {
    let home = TestHome::with_history(receiver);
    let failing = TestServer::start(Reply::status(500));
    home.subscribe(&[
        "device-custom-properties-updated",
        "device-user-signed-out",
        "device-sim-swap",
        "device-lost",
    ]);
    home.cmd()
        .args(["configure", "--url", &failing.url(), "--retries", "2"])
        .assert()
        .success();
    home.cmd()
        .args(["send", "device-custom-properties-updated"])
        .assert()
        .code(3);
    home.cmd()
        .args(["configure", "--url", &receiver.url()])
        .assert()
        .success();
    home.cmd()
        .args(["send", "device-user-signed-out"])
        .assert()
        .success();
    home
}

const WIDTHS: [u16; 4] = [60, 80, 100, 120];

#[test]
fn logs_show_every_request_id_timestamp_and_event_whole_at_any_width() {
    let receiver = TestServer::start(Reply::status(200));
    let home = busy_home(&receiver);
    let records = home.log_records();
    assert_eq!(records.len(), 6);
    for width in WIDTHS {
        for wide in [false, true] {
            let args: &[&str] = if wide { &["logs", "--wide"] } else { &["logs"] };
            let run = on_terminal(&home, width, args, &[]);
            assert_eq!(run.code(), Some(0), "{}", run.bytes);
            for record in &records {
                let id = record["request_id"].as_str().unwrap();
                run.assert_whole(id, "request id");
                let time = record["timestamp"].as_str().unwrap();
                run.assert_whole(&time.replace('T', " ").replace('Z', ""), "timestamp");
                run.assert_whole(record["event"].as_str().unwrap(), "event");
            }
            run.assert_fits();
            // Retries are told apart from other events.
            run.assert_whole("Attempt", "column");
            if wide {
                run.assert_whole("Duration", "column");
                run.assert_whole("Error", "column");
            }
        }
    }
}

#[test]
fn a_wide_terminal_shows_the_attempt_of_each_retry_in_its_row() {
    let receiver = TestServer::start(Reply::status(200));
    let home = busy_home(&receiver);
    let run = on_terminal(&home, 120, &["logs"], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.bytes);
    let screen = run.screen();
    for record in home.log_records() {
        let id = record["request_id"].as_str().unwrap();
        let row = screen
            .iter()
            .find(|line| line.contains(id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", screen.join("\n")));
        let attempt = record["attempt"].to_string();
        let cells: Vec<&str> = row.split(['┆', '│']).map(str::trim).collect();
        assert!(cells.contains(&attempt.as_str()), "{row}");
    }
}

#[test]
fn events_show_every_slug_whole_and_wide_shows_every_column() {
    let home = TestHome::new();
    for width in WIDTHS {
        let run = on_terminal(&home, width, &["events"], &[]);
        assert_eq!(run.code(), Some(0), "{}", run.bytes);
        for slug in ALL_SLUGS {
            run.assert_whole(slug, "slug");
        }
        run.assert_fits();
        let run = on_terminal(&home, width, &["events", "--wide"], &[]);
        assert_eq!(run.code(), Some(0), "{}", run.bytes);
        for slug in ALL_SLUGS {
            run.assert_whole(slug, "slug");
        }
        for column in ["Category", "Android", "Linux", "Subscribed"] {
            run.assert_whole(column, "column");
        }
        run.assert_whole("Device Custom Properties Updated", "name");
    }
}

#[test]
fn status_wraps_subscriptions_between_slugs() {
    let receiver = TestServer::start(Reply::status(200));
    let home = busy_home(&receiver);
    let subscribed = home.status_json(None)["subscriptions"].clone();
    let subscribed: Vec<&str> = subscribed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(subscribed.len(), 6);
    for width in WIDTHS {
        let run = on_terminal(&home, width, &["status"], &[]);
        assert_eq!(run.code(), Some(0), "{}", run.bytes);
        for slug in &subscribed {
            run.assert_whole(slug, "slug");
        }
        run.assert_whole("(6 of 14)", "count");
    }
}

#[test]
fn checklist_lines_fit_the_terminal_and_esc_or_q_leaves_it() {
    let receiver = TestServer::start(Reply::status(200));
    let home = busy_home(&receiver);
    let before = std::fs::read(home.config_path()).unwrap();
    for (width, leave) in [(60, "\x1b"), (40, "q"), (120, "\x1b")] {
        // Down, tick, down: the list is redrawn, then left.
        let run = on_terminal(
            &home,
            width,
            &["subscribe"],
            &["\x1b[B", " ", "\x1b[B", leave],
        );
        assert_eq!(run.code(), Some(130), "{}", run.bytes);
        assert!(run.bytes.contains("nothing changed"), "{}", run.bytes);
        // Every line dialoguer writes fits: a wrapped one would leave
        // copies behind on each redraw.
        let text = strip_escapes(&run.bytes);
        for line in text.split(['\n', '\r']) {
            if line.contains("[ ]") || line.contains("[x]") || line.contains("Events to") {
                assert!(
                    line.chars().count() < usize::from(width),
                    "{line:?} does not fit {width} columns"
                );
            }
        }
        assert!(text.contains("device-enrolled"), "{text}");
        assert_cursor_shown(&run);
    }
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);
}

#[test]
fn ctrl_c_leaves_the_cursor_shown_and_the_terminal_echoing() {
    let receiver = TestServer::start(Reply::status(200));
    let home = busy_home(&receiver);
    let before = std::fs::read(home.config_path()).unwrap();
    let run = on_terminal(&home, 80, &["subscribe"], &["\x1b[B", " ", "\x03"]);
    assert_eq!(run.signal, Some(libc::SIGINT), "{}", run.bytes);
    assert!(
        run.bytes.contains("\x1b[?25l"),
        "the checklist hid no cursor"
    );
    assert_cursor_shown(&run);
    assert!(run.echo_after);
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);

    // In the middle of a hidden secret, echo is off: Ctrl-C turns it on.
    let run = on_terminal(
        &home,
        80,
        &["configure", "--secret-stdin"],
        &["half-typed", "\x03"],
    );
    assert_eq!(run.signal, Some(libc::SIGINT));
    assert!(run.echo_after, "echo is off after Ctrl-C: {:?}", run.bytes);
    assert!(!run.bytes.contains("half-typed"), "{:?}", run.bytes);
    assert_eq!(std::fs::read(home.config_path()).unwrap(), before);
}

fn assert_cursor_shown(run: &Run) {
    let hidden = run.bytes.rfind("\x1b[?25l");
    let shown = run.bytes.rfind("\x1b[?25h");
    assert!(
        hidden.is_none() || shown > hidden,
        "the cursor is left hidden: {:?}",
        run.bytes
    );
}

#[test]
fn a_secret_typed_for_secret_stdin_is_hidden_and_ends_at_enter() {
    let home = TestHome::new();
    let secret = "typed-at-the-terminal-0123456789abcdef";
    for colour in [true, false] {
        let mut args = vec![
            "configure",
            "--url",
            "http://127.0.0.1:9/hook",
            "--secret-stdin",
        ];
        if !colour {
            args.splice(0..0, ["--color", "never"]);
        }
        let run = on_terminal(&home, 80, &args, &[&format!("{secret}\r")]);
        assert_eq!(run.code(), Some(0), "{}", run.bytes);
        assert!(run.bytes.contains("Secret key"), "no prompt: {}", run.bytes);
        assert!(
            !run.bytes.contains(secret),
            "the secret was echoed: {}",
            run.bytes
        );
        assert!(run.echo_after);
        let config = std::fs::read_to_string(home.config_path()).unwrap();
        assert!(config.contains(&format!("\"{secret}\"")), "{config}");
    }

    // A pipe still gives the whole of stdin, less one newline.
    home.cmd()
        .args(["configure", "--secret-stdin"])
        .write_stdin("piped-secret-0123456789abcdef0123\n")
        .assert()
        .success();
    let config = std::fs::read_to_string(home.config_path()).unwrap();
    assert!(
        config.contains("\"piped-secret-0123456789abcdef0123\""),
        "{config}"
    );
}

const ALL_SLUGS: [&str; 14] = [
    "device-enrolled",
    "device-activated",
    "device-unenrolled",
    "device-deleted",
    "device-unlocked",
    "device-locked",
    "device-lost",
    "device-found",
    "device-shutdown",
    "device-reboot",
    "device-user-signed-in",
    "device-user-signed-out",
    "device-custom-properties-updated",
    "device-sim-swap",
];
