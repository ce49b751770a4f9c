//! Writing the log: one whole line per attempt, appended under the log's
//! lock in one write; `prune` rewrites it atomically under the same lock.

use std::fs::File;
use std::io::{self, Write};
use std::ops::ControlFlow;

use anyhow::{Context as _, Result};

use crate::core::fsutil;
use crate::core::home::Home;

use super::scan::{Line, READ_CHUNK, scan};

/// The log's lock, with the lock file named when it cannot be taken.
fn lock(home: &Home) -> io::Result<File> {
    let path = home.log_lock();
    fsutil::lock_exclusive(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot lock {}: {e}", path.display())))
}

/// Appends one line (newline included) under the log's lock, in one write.
/// If the file ends in a torn line, a newline goes first so that the new
/// record starts on a line of its own. Costs the same whatever the log's size.
pub fn append(home: &Home, line: &[u8]) -> io::Result<()> {
    fsutil::ensure_private_dir(&home.data_dir)?;
    let _lock = lock(home)?;
    // A pipe in the log's place would block the open for ever.
    fsutil::regular_file_exists(&home.log_file())?;
    let mut file = fsutil::open_private(&home.log_file(), true)?;
    let len = file.metadata()?.len();
    let healed;
    let bytes = if len > 0 && last_byte(&file, len)? != b'\n' {
        healed = [b"\n".as_slice(), line].concat();
        &healed
    } else {
        line
    };
    file.write_all(bytes)?;
    file.sync_data()
}

fn last_byte(file: &File, len: u64) -> io::Result<u8> {
    let mut byte = [0u8; 1];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut byte, len - 1)?;
    #[cfg(not(unix))]
    {
        let mut f = file;
        io::Seek::seek(&mut f, io::SeekFrom::Start(len - 1))?;
        f.read_exact(&mut byte)?;
    }
    Ok(byte[0])
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
    fsutil::regular_file_exists(&log)
        .and_then(|_| fsutil::open_private(&log, true))
        .with_context(|| format!("cannot write to {}", log.display()))?;
    Ok(())
}

/// Fails, naming it, if the log's lock file cannot be opened; the log
/// itself would otherwise take the blame.
pub(crate) fn check_lock(home: &Home) -> Result<()> {
    let dir = &home.data_dir;
    fsutil::ensure_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock = home.log_lock();
    fsutil::regular_file_exists(&lock)
        .and_then(|_| fsutil::open_private(&lock, false))
        .with_context(|| format!("cannot open the lock file {}", lock.display()))?;
    Ok(())
}
