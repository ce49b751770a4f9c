//! Writing the log: one whole line per attempt, appended under the log's
//! lock in one write; `prune` rewrites it atomically under the same lock.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::ops::ControlFlow;

use anyhow::Result;

use crate::core::fsutil;
use crate::core::home::Home;

use super::scan::{Line, READ_CHUNK, scan};

/// The log's lock, with the lock file named when it cannot be taken.
fn lock(home: &Home) -> io::Result<File> {
    let path = home.log_lock();
    fsutil::lock_exclusive(&path).map_err(|e| {
        if fsutil::is_refusal(&e) {
            e
        } else {
            io::Error::new(e.kind(), format!("cannot lock {}: {e}", path.display()))
        }
    })
}

/// A last line longer than this is no record a reader accepts.
const MAX_TAIL: u64 = 32 << 20;

/// Appends one line (newline included) under the log's lock, in one write,
/// so that every line of the log parses afterwards. If the file ends in a
/// line without a newline, that line is either a whole record (JSON that
/// lacks only its newline: it is kept, and a newline goes first) or what
/// a writer killed mid-write left (it is cut off, and set aside in
/// `deliveries.torn`). A write that fails half-way (a full disk) is cut
/// off too: the log is left as it was.
pub fn append(home: &Home, line: &[u8]) -> io::Result<()> {
    fsutil::ensure_private_dir(&home.data_dir)?;
    let _lock = lock(home)?;
    let path = home.log_file();
    // A pipe in the log's place would block the open for ever.
    fsutil::regular_file_exists(&path)?;
    let mut file = fsutil::open_private(&path, true)?;
    let mut len = file.metadata()?.len();
    let mut bytes = Cow::Borrowed(line);
    if len > 0 && last_byte(&file, len)? != b'\n' {
        let start = last_line_start(&file, len)?;
        if is_json(&file, start, len)? {
            bytes = Cow::Owned([b"\n".as_slice(), line].concat());
        } else {
            set_aside(home, &file, start, len);
            file.set_len(start)?;
            len = start;
        }
    }
    if let Err(e) = file.write_all(&bytes).and_then(|()| file.sync_data()) {
        // Whatever part of the line went in would be a torn line.
        let _ = file.set_len(len).and_then(|()| file.sync_data());
        return Err(e);
    }
    Ok(())
}

/// Where the file's last line starts: after the last newline, or at 0.
/// Costs the length of that line, not of the log.
fn last_line_start(file: &File, len: u64) -> io::Result<u64> {
    const CHUNK: u64 = 64 * 1024;
    let mut buf = vec![0u8; CHUNK as usize];
    let mut end = len;
    while end > 0 {
        let begin = end.saturating_sub(CHUNK);
        let chunk = &mut buf[..(end - begin) as usize];
        read_exact_at(file, chunk, begin)?;
        if let Some(at) = memchr::memrchr(b'\n', chunk) {
            return Ok(begin + at as u64 + 1);
        }
        end = begin;
    }
    Ok(0)
}

/// Whether the bytes from `start` to `end` are one JSON value.
fn is_json(file: &File, start: u64, end: u64) -> io::Result<bool> {
    if end - start > MAX_TAIL {
        return Ok(false);
    }
    let mut bytes = vec![0u8; (end - start) as usize];
    read_exact_at(file, &mut bytes, start)?;
    Ok(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok())
}

/// Keeps a torn last line in `deliveries.torn`, one per line, for whoever
/// wants to reconcile the request it began to record (its request id comes
/// first); at most MAX_TAIL bytes of it. Best effort: the log must be whole
/// again whether or not this copy can be made.
fn set_aside(home: &Home, file: &File, start: u64, end: u64) {
    let copy = || -> io::Result<()> {
        let mut torn = vec![0u8; (end - start).min(MAX_TAIL) as usize];
        read_exact_at(file, &mut torn, start)?;
        torn.push(b'\n');
        let mut out = fsutil::open_private(&home.torn_file(), true)?;
        out.write_all(&torn)?;
        out.sync_data()
    };
    let _ = copy();
}

fn last_byte(file: &File, len: u64) -> io::Result<u8> {
    let mut byte = [0u8; 1];
    read_exact_at(file, &mut byte, len - 1)?;
    Ok(byte[0])
}

fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)?;
    #[cfg(not(unix))]
    {
        let mut f = file;
        io::Seek::seek(&mut f, io::SeekFrom::Start(at))?;
        io::Read::read_exact(&mut f, buf)?;
    }
    Ok(())
}

/// What `prune` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PruneReport {
    pub kept: u64,
    pub dropped: u64,
    pub unreadable_dropped: u64,
}

/// Rewrites the log without the records `drop` selects, atomically, under
/// the log's lock: appenders wait, then write to the new file. Lines that
/// are not records go too (they are reported).
/// Rewrites the log without the records `drop` selects; `drop` sees each
/// line with its offset, which a caller can show as progress.
pub fn prune(home: &Home, mut drop: impl FnMut(&Line<'_>) -> bool) -> io::Result<PruneReport> {
    let path = home.log_file();
    let mut report = PruneReport::default();
    if !fsutil::regular_file_exists(&path)? {
        return Ok(report);
    }
    let _lock = lock(home)?;
    fsutil::replace_atomically(&path, |out| {
        let mut writer = io::BufWriter::with_capacity(READ_CHUNK, out);
        let scanned = scan(&path, 0, None, |line| {
            if drop(&line) {
                report.dropped += 1;
            } else {
                report.kept += 1;
                writer.write_all(line.bytes)?;
                writer.write_all(b"\n")?;
            }
            Ok(ControlFlow::Continue(()))
        })?;
        report.unreadable_dropped = scanned.unreadable + u64::from(scanned.torn_tail);
        writer.flush()
    })?;
    Ok(report)
}

/// Fails, naming the file, if the log could not take a record: checked
/// before a request goes out, because a delivery that cannot be logged
/// must not be made. Creates the log and its lock file if missing.
pub(crate) fn check_writable(home: &Home) -> Result<()> {
    check_lock(home)?;
    let log = home.log_file();
    // A pipe in the log's place would block the open below for ever.
    fsutil::or_refusal(
        fsutil::regular_file_exists(&log).and_then(|_| fsutil::open_private(&log, true)),
        || format!("cannot write to {}", log.display()),
    )?;
    Ok(())
}

/// Fails, naming it, if the log's lock file cannot be opened; the log
/// itself would otherwise take the blame.
pub(crate) fn check_lock(home: &Home) -> Result<()> {
    let dir = &home.data_dir;
    fsutil::or_refusal(fsutil::ensure_private_dir(dir), || {
        format!("cannot create {}", dir.display())
    })?;
    let lock = home.log_lock();
    fsutil::or_refusal(
        fsutil::regular_file_exists(&lock).and_then(|_| fsutil::open_private(&lock, false)),
        || format!("cannot open the lock file {}", lock.display()),
    )?;
    Ok(())
}
