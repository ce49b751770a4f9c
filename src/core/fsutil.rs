//! The few file-system operations that keep saved state whole: private
//! directories, exclusive locks, and atomic replacement.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// Creates `dir` and any missing parents with mode 0700. An existing
/// directory is left as it is: it may be the user's own (`--home ~/work`).
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens a file for appending or locking, creating it with mode 0600.
pub fn open_private(path: &Path, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).read(true);
    if append {
        options.append(true);
    } else {
        options.write(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// An exclusive lock held until the returned file is dropped. The lock is
/// advisory and released by the kernel if the process dies.
pub fn lock_exclusive(lock_path: &Path) -> io::Result<File> {
    // Opening a pipe would block before the lock is even tried.
    regular_file_exists(lock_path)?;
    let file = match open_private(lock_path, false) {
        Ok(file) => file,
        // A lock works on a file opened only for reading too: an existing
        // lock file in a read-only home still serialises its readers.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            File::open(lock_path).map_err(|_| e)?
        }
        Err(e) => return Err(e),
    };
    file.lock()?;
    Ok(file)
}

/// Whether `path` exists as a regular file. Anything else there (a
/// directory, a pipe, a device) is an error: opening a pipe blocks, and a
/// device may never end.
pub fn regular_file_exists(path: &Path) -> io::Result<bool> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(true),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory, not a file",
        )),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is a pipe, socket or device, not a regular file; move it away",
        )),
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
pub fn loose_permissions(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
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
