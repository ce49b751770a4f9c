//! The few file-system operations that keep saved state whole and the
//! user's own: private, trusted directories, files opened without following
//! links, exclusive locks, and atomic replacement.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::core::error::{Failure, Kind};

/// Creates `dir` and any missing parents with mode 0700, then checks that
/// it can be trusted (`check_trusted_dir`). An existing directory is left
/// as it is if it passes: it may be the user's own (`--home ~/work`).
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    check_trusted_dir(dir)
}

/// Refuses a directory of sfhook's state that another user could have
/// put files in: one that belongs to someone else, or that its group or
/// everyone may write to. Such a user could plant a link where the log
/// belongs (and have sfhook append to any file), or a `config.toml` of
/// their own (and have deliveries go to their URL, signed with their
/// secret). A link to the directory itself is followed: what counts is
/// the directory it leads to.
pub fn check_trusted_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(dir)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", dir.display()),
            ));
        }
        if meta.uid() != effective_uid() {
            return Err(untrusted(
                format!(
                    "refusing to use {}: it belongs to another user (uid {}), who could read or replace sfhook's files in it",
                    dir.display(),
                    meta.uid()
                ),
                format!(
                    "use a directory of your own with --home DIR, or run 'sudo chown $(id -u) {}'",
                    dir.display()
                ),
            ));
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(untrusted(
                format!(
                    "refusing to use {}: other users can write to it (mode {mode:04o}), so they could plant links or files where sfhook keeps its state",
                    dir.display()
                ),
                format!("run 'chmod go-w {}' and try again", dir.display()),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The user sfhook runs as, whose files alone it trusts.
#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// A file or directory that sfhook will not use, with the fix: a failure
/// of saved state (exit 1) rather than a bare I/O error, so that the
/// message keeps its own hint.
fn untrusted(message: String, fix: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        Failure::new(Kind::Broken, message).with_hint(fix),
    )
}

/// The directory `path` is in, if it exists, must be trusted; a missing
/// one holds nothing to be misled by.
fn check_trusted_parent(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    match check_trusted_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Opens one of sfhook's own files for appending or locking, creating it
/// with mode 0600, without following a link: a link where the log or a
/// lock belongs is refused and its target left alone. The file must be a
/// regular file of the user's, in a trusted directory.
pub fn open_private(path: &Path, append: bool) -> io::Result<File> {
    check_trusted_parent(path)?;
    let mut options = OpenOptions::new();
    options.create(true).read(true);
    if append {
        options.append(true);
    } else {
        options.write(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    open_state(path, &mut options)
}

/// Opens one of sfhook's own files for reading, without following a link;
/// `None` if there is none. The same checks as `open_private`.
pub fn open_state_file(path: &Path) -> io::Result<Option<File>> {
    check_trusted_parent(path)?;
    match open_state(path, OpenOptions::new().read(true)) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `options.open(path)` with neither links followed nor a wait on a pipe,
/// then the checks on what was opened (not on what the name pointed to a
/// moment before).
fn open_state(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
    );
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(symlink_refused(path)),
        Err(e) => return Err(e),
    };
    check_own_regular_file(path, &file.metadata()?)?;
    Ok(file)
}

fn symlink_refused(path: &Path) -> io::Error {
    untrusted(
        format!(
            "refusing to use {}: it is a symbolic link, and sfhook does not follow links to its own files",
            path.display()
        ),
        "remove the link (what it points to is left alone) and try again".to_string(),
    )
}

/// A regular file that belongs to the user; anything else is an error.
fn check_own_regular_file(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    if meta.file_type().is_symlink() {
        return Err(symlink_refused(path));
    }
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory, not a file",
        ));
    }
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is a pipe, socket or device, not a regular file; move it away",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != effective_uid() {
            return Err(untrusted(
                format!(
                    "refusing to use {}: it belongs to another user (uid {}), so what it holds is theirs, not yours",
                    path.display(),
                    meta.uid()
                ),
                format!(
                    "move it away, or run 'sudo chown $(id -u) {}' if it is yours",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Opens a lock file and takes an exclusive lock, held until the returned
/// file is dropped. The lock is advisory and released by the kernel if the
/// process dies.
pub fn lock_exclusive(lock_path: &Path) -> io::Result<File> {
    regular_file_exists(lock_path)?;
    let file = match open_private(lock_path, false) {
        Ok(file) => file,
        // A lock works on a file opened only for reading too: an existing
        // lock file in a read-only home still serialises its readers.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) && !is_refusal(&e) =>
        {
            open_state_file(lock_path)?.ok_or(e)?
        }
        Err(e) => return Err(e),
    };
    file.lock()?;
    Ok(file)
}

/// Whether sfhook's own file `path` exists as a regular file of the user's,
/// in a trusted directory. Anything else there is an error: a link (never
/// followed), a directory, a pipe (opening one blocks), a device (which may
/// never end), or a file of another user.
pub fn regular_file_exists(path: &Path) -> io::Result<bool> {
    check_trusted_parent(path)?;
    match fs::symlink_metadata(path) {
        Ok(meta) => check_own_regular_file(path, &meta).map(|()| true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Everything `reader` holds if that is at most `limit` bytes; `None` if
/// there is more, so that an endless source costs `limit` and no more.
pub fn read_at_most(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The random part of a temp file's name: `.{name}.XXXXXX.tmp`.
const TEMP_RAND_LEN: usize = 6;

/// Replaces `path` with `bytes` so that a reader, or a crash at any moment,
/// sees either the old file or the new one, never a mixture: a temp file in
/// the same directory (mode 0600), fsync, rename over, fsync the directory.
///
/// Callers hold the lock that every writer of `path` takes, so a temp file
/// of `path` found here belongs to a writer that was killed before its
/// rename: it is removed first, so that crashes do not pile up copies of
/// the config (secrets included) or of a whole log.
pub fn replace_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    remove_stale_temps(dir, &name);
    // tempfile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .rand_bytes(TEMP_RAND_LEN)
        .tempfile_in(dir)?;
    write(temp.as_file_mut())?;
    temp.as_file_mut().flush()?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Removes what `replace_atomically` would have named a temp file of `name`
/// in `dir`, and nothing else. Best effort: a leftover that cannot be
/// removed costs space, not correctness, and must not stop the write.
fn remove_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_temp = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
            .is_some_and(|rand| {
                rand.len() == TEMP_RAND_LEN && rand.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The permission bits of a file that others than its owner may use, if any.
pub fn loose_permissions(meta: &fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// `result` with `what` said first, as `.with_context` does, unless sfhook
/// refused an untrusted home or file: that refusal says it all already.
pub fn or_refusal<T>(result: io::Result<T>, what: impl FnOnce() -> String) -> anyhow::Result<T> {
    result.map_err(|e| {
        if is_refusal(&e) {
            anyhow::Error::from(e)
        } else {
            anyhow::Error::from(e).context(what())
        }
    })
}

/// Whether a file operation failed because sfhook refused an untrusted
/// home or file: such an error names the path and says what to do itself.
pub fn is_refusal(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Failure>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_removes_temp_files_that_killed_writers_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let names = [
            ".config.toml.a1B2c3.tmp",
            ".config.toml.ZZZZZZ.tmp",
            ".config.toml.x.tmp",
            ".config.toml.abcdef.bak",
            ".deliveries.jsonl.a1B2c3.tmp",
            "config.toml.a1B2c3.tmp",
        ];
        for name in names {
            fs::write(dir.path().join(name), "left behind").unwrap();
        }
        fs::create_dir(dir.path().join(".config.toml.dir123.tmp")).unwrap();
        replace_atomically(&path, |f| f.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".config.toml.abcdef.bak",
                ".config.toml.dir123.tmp",
                ".config.toml.x.tmp",
                ".deliveries.jsonl.a1B2c3.tmp",
                "config.toml",
                "config.toml.a1B2c3.tmp",
            ],
            "only this file's own temp files go"
        );
    }
}
