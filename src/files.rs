//! Reading input files safely: only regular files, never more than a set
//! size, and the signatories file under a lock, so that a reader never sees
//! an edit half-done and two writers never interleave.
//!
//! The lock is an advisory `flock` on the file itself. Edits replace the
//! file by renaming a new one over it, so whoever obtains the lock checks
//! that the path still names the file it locked, and starts again if not.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest signatories file or letter file read. Far above any real
/// letter; it stops `/dev/zero` or a runaway export from filling memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// A device, pipe, socket or folder where a file was expected.
    NotAFile,
    TooLarge {
        size: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ReadError::Io(err) if err.kind() == io::ErrorKind::PermissionDenied => {
                f.write_str("permission denied")
            }
            ReadError::Io(err) if err.kind() == io::ErrorKind::NotFound => {
                f.write_str("no such file")
            }
            ReadError::Io(err) => err.fmt(f),
            ReadError::NotAFile => f.write_str("not a regular file"),
            ReadError::TooLarge { size } => write!(
                f,
                "{} MiB is larger than the {} MiB an input may be",
                size / (1024 * 1024),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(err: io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// Reads a whole regular file of at most [`MAX_INPUT_BYTES`].
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    // Opening a FIFO for reading blocks until a writer comes: refuse it first.
    if !std::fs::metadata(path)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let file = File::open(path)?;
    read_open(&file)
}

fn read_open(file: &File) -> Result<Vec<u8>, ReadError> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge { size: meta.len() });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The size can change under us; never read past the limit all the same.
    let reader = file;
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge { size: bytes.len() as u64 });
    }
    Ok(bytes)
}

/// How a file is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading: any number at once, none while an edit is under way.
    Shared,
    /// A read-modify-write: one at a time, and no reader meanwhile.
    Exclusive,
}

/// A file read under a lock, which lasts as long as this value.
pub struct Locked {
    /// The file's real path (links resolved): where an edit must be written.
    pub target: PathBuf,
    pub bytes: Vec<u8>,
    /// Held open for its lock, which closing it releases.
    _file: File,
}

/// After this long waiting for another openletter, say what is happening.
const PATIENCE: Duration = Duration::from_secs(1);

impl Locked {
    /// Opens `path` (following links to the real file), locks it and reads
    /// it. Waits for another process's lock, saying so if it takes a while.
    pub fn read(path: &Path, access: Access) -> Result<Self, ReadError> {
        loop {
            let target = std::fs::canonicalize(path)?;
            if !std::fs::metadata(&target)?.is_file() {
                return Err(ReadError::NotAFile);
            }
            let file = match access {
                Access::Shared => File::open(&target)?,
                Access::Exclusive => OpenOptions::new().read(true).write(true).open(&target)?,
            };
            lock(&file, access, path)?;
            // An edit that finished while we waited renamed a new file over
            // the one we locked: lock that one instead.
            if !still_names(&file, &target) {
                continue;
            }
            let bytes = read_open(&file)?;
            return Ok(Locked { target, bytes, _file: file });
        }
    }
}

/// Locks an open file (or folder), waiting for another process's lock and
/// saying so if it takes a while; `path` names it in that note.
pub fn lock(file: &File, access: Access, path: &Path) -> io::Result<()> {
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        let attempt = match access {
            Access::Shared => file.try_lock_shared(),
            Access::Exclusive => file.try_lock(),
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(err)) => return Err(err),
        }
        // Ctrl-C in `watch` ends the wait, not only the next build.
        if crate::signals::interrupted() {
            let why = "stopped while waiting for another openletter command";
            return Err(io::Error::new(io::ErrorKind::Interrupted, why));
        }
        if !told && started.elapsed() >= PATIENCE {
            note!("waiting for another openletter command to finish with `{}`", path.display());
            told = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether an open file is the one a path names now.
fn still_names(file: &File, path: &Path) -> bool {
    let open = file.try_clone().and_then(same_file::Handle::from_file);
    matches!((open, same_file::Handle::from_path(path)), (Ok(a), Ok(b)) if a == b)
}

/// Whether two paths name the same file: the same path once links are
/// resolved, or the same inode (a hard link).
pub fn same_path(a: &Path, b: &Path) -> bool {
    same_file::is_same_file(a, b).unwrap_or(false) || resolve(a) == resolve(b)
}

/// A path made absolute with every link resolved, also for a file that does
/// not exist yet (its folder is resolved and its name appended).
pub fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolve(parent).join(name),
        _ => absolute,
    }
}

/// Whether `path` is `dir` or lies inside it, links resolved.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    resolve(path).starts_with(resolve(dir))
}
