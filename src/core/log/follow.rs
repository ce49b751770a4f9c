//! `tail -f` for the log: reading on as it grows, and across a prune,
//! which replaces the file.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::scan::{Line, READ_CHUNK, ScanReport, open, scan_file};

const POLL: Duration = Duration::from_millis(200);

/// What following the log brings.
pub(crate) enum Followed<'a, 'l> {
    /// A record appended since the last look.
    Line(&'a Line<'l>),
    /// The end of what was there: what the scan saw besides records (a
    /// torn tail is not counted: it may be a line still being written).
    CaughtUp(&'a ScanReport),
}

/// Reads on in the log at `path` from `offset` of `file` (the file read so
/// far) for ever, polling for growth, and hands each new record on. A
/// prune replaces the file; the old one, still open here, tells which lines
/// of the new one were handed on already, and reading goes on after them.
/// Returns only on an error (a reader gone away, say).
pub(crate) fn follow(
    path: &Path,
    mut file: Option<File>,
    mut offset: u64,
    mut news: impl FnMut(Followed<'_, '_>) -> io::Result<()>,
) -> Result<()> {
    loop {
        std::thread::sleep(POLL);
        let Ok(on_disk) = std::fs::metadata(path) else {
            continue; // removed; wait for the next append to create it
        };
        let held = file.as_ref().and_then(|f| f.metadata().ok());
        let same_file = held.is_some_and(|held| is_same_file(&held, &on_disk));
        if same_file && on_disk.len() < offset {
            offset = 0; // truncated in place: all of it is new
        } else if !same_file {
            let Some(new) = open(path)? else {
                continue;
            };
            offset = match &file {
                Some(old) => resume_offset(old, offset, &new)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                None => 0,
            };
            file = Some(new);
        }
        let Some(current) = &file else { continue };
        if current.metadata()?.len() <= offset {
            continue;
        }
        let report = scan_file(current, offset, None, |line| {
            news(Followed::Line(&line))?;
            Ok(ControlFlow::Continue(()))
        })?;
        news(Followed::CaughtUp(&ScanReport {
            torn_tail: false,
            ..report
        }))?;
        offset = report.end_offset;
    }
}

/// Whether two metadata describe the same file (not merely the same path).
#[cfg(unix)]
fn is_same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Without inode numbers: the open file and the one at the path differ in
/// length only if they are two files (or an append fell between the two
/// looks, and then taking them for two costs a re-read, nothing more).
#[cfg(not(unix))]
fn is_same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len()
}

/// Where to read on in `new`, the file that replaced `old` (a prune), after
/// reading `old` up to `seen`: just past the lines of `new` that `old` held
/// before `seen`. A prune keeps the lines it keeps in their order and
/// appends go after them, so those lines are the first ones of `new`, and
/// one pass over each file finds them. Memory: a line of each.
pub(crate) fn resume_offset(old: &File, seen: u64, new: &File) -> io::Result<u64> {
    let (mut old, mut new) = (old, new);
    io::Seek::seek(&mut old, io::SeekFrom::Start(0))?;
    io::Seek::seek(&mut new, io::SeekFrom::Start(0))?;
    let mut old_lines = io::BufReader::with_capacity(READ_CHUNK, old.take(seen));
    let mut new_lines = io::BufReader::with_capacity(READ_CHUNK, new);
    let (mut old_line, mut new_line) = (Vec::new(), Vec::new());
    let mut resume = 0;
    loop {
        new_line.clear();
        let n = new_lines.read_until(b'\n', &mut new_line)?;
        if new_line.last() != Some(&b'\n') {
            return Ok(resume); // the end, or a line still being written
        }
        loop {
            old_line.clear();
            if old_lines.read_until(b'\n', &mut old_line)? == 0 {
                return Ok(resume); // a line that was not read yet
            }
            if old_line == new_line {
                break;
            }
        }
        resume += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resuming_after_a_prune_skips_exactly_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, lines: &[&str]| {
            let path = dir.path().join(name);
            std::fs::write(
                &path,
                lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
            )
            .unwrap();
            File::open(path).unwrap()
        };
        let old = write("old", &["a", "b", "garbage", "c", "d"]);
        let seen = "a\nb\ngarbage\nc\n".len() as u64;
        // The prune dropped a and the garbage; d came after what was read,
        // e after the prune.
        let new = write("new", &["b", "c", "d", "e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 4);
        // The last line read was dropped, a line before it kept.
        let new = write("new2", &["b", "e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 2);
        // Everything dropped; a new line since.
        let new = write("new3", &["e"]);
        assert_eq!(resume_offset(&old, seen, &new).unwrap(), 0);
        // Nothing read yet.
        assert_eq!(resume_offset(&old, 0, &new).unwrap(), 0);
    }
}
