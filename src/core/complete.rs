//! What shell completion offers from saved state: the profiles in the
//! config and the newest request ids in the log. A shell waits on these
//! while the user types, so they read without locks, read at most the
//! log's last MiB, and give up quietly: anything unreadable is no
//! candidates, never an error.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use crate::core::config::Store;
use crate::core::fsutil;
use crate::core::home::Home;
use crate::core::log::Head;

/// How much of the log's end is read for request ids.
const LOG_TAIL_BYTES: u64 = 1024 * 1024;

/// The profile every command uses unless told otherwise; offered even
/// before anything is saved.
const DEFAULT_PROFILE: &str = "default";

/// The saved profiles' names, `default` among them, sorted.
pub fn profile_names(home: &Home) -> Vec<String> {
    let mut names: Vec<String> = Store::new(home)
        .load()
        .map(|config| config.profiles.into_keys().collect())
        .unwrap_or_default();
    if !names.iter().any(|n| n == DEFAULT_PROFILE) {
        names.push(DEFAULT_PROFILE.to_string());
    }
    names.sort();
    names
}

/// A logged delivery as completion describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentDelivery {
    pub request_id: String,
    /// The event's wire name, as logged.
    pub event: String,
    pub response_code: Option<u16>,
    pub timestamp: String,
}

/// Up to `limit` of the newest deliveries in the log, newest first, one per
/// request id; only what the log's last MiB holds.
pub fn recent_deliveries(home: &Home, limit: usize) -> Vec<RecentDelivery> {
    let path = home.log_file();
    // Anything but a regular file (a pipe would block) is no log.
    if !fsutil::regular_file_exists(&path).unwrap_or(false) {
        return Vec::new();
    }
    let Ok(tail) = File::open(&path).and_then(read_tail) else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in tail.split(|&b| b == b'\n').rev() {
        if out.len() >= limit {
            break;
        }
        let Some(head) = Head::parse(line) else {
            continue;
        };
        let id = head.request_id.as_ref();
        if !is_plain_word(id) || !seen.insert(id.to_string()) {
            continue;
        }
        out.push(RecentDelivery {
            request_id: id.to_string(),
            event: printable(&head.event),
            response_code: head.response_code,
            timestamp: printable(&head.timestamp),
        });
    }
    out
}

/// The whole lines among the file's last `LOG_TAIL_BYTES`: a line cut by
/// the start of the window is dropped.
fn read_tail(mut file: File) -> std::io::Result<Vec<u8>> {
    let len = file.metadata()?.len();
    let start = len.saturating_sub(LOG_TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(LOG_TAIL_BYTES).read_to_end(&mut bytes)?;
    if start > 0 {
        let first_newline = memchr::memchr(b'\n', &bytes).map_or(bytes.len(), |i| i + 1);
        bytes.drain(..first_newline);
    }
    Ok(bytes)
}

/// A value a shell can take as one word as it is: sfhook's request ids are
/// UUIDs; a hand-edited log may hold anything.
fn is_plain_word(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Text for a description: control characters, which would break the
/// shell's listing, become spaces.
fn printable(text: &str) -> String {
    text.chars()
        .take(64)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_in(dir: &std::path::Path) -> Home {
        Home::locate(Some(dir)).unwrap()
    }

    #[test]
    fn default_is_offered_without_a_config() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(profile_names(&home_in(dir.path())), ["default"]);
    }

    #[test]
    fn no_log_and_a_log_of_junk_offer_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let home = home_in(dir.path());
        assert!(recent_deliveries(&home, 10).is_empty());
        std::fs::write(home.log_file(), b"not json\n{\"request_id\":\"a b\"}\n").unwrap();
        assert!(recent_deliveries(&home, 10).is_empty());
    }

    #[test]
    fn a_line_cut_by_the_window_is_dropped() {
        let mut file = tempfile::tempfile().unwrap();
        let filler = vec![b'x'; LOG_TAIL_BYTES as usize];
        std::io::Write::write_all(&mut file, &filler).unwrap();
        std::io::Write::write_all(&mut file, b"\nwhole line\n").unwrap();
        assert_eq!(read_tail(file).unwrap(), b"whole line\n");
    }
}
