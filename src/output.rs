//! Writing files so that nothing is ever half-written or lost.
//!
//! Every file is first written in full to a new temporary file beside its
//! target (a unique name, created exclusively), then renamed over it. The
//! outputs of one build are staged together and renamed only once all of
//! them are written, so a failure leaves every earlier file as it was. An
//! edited signatories file keeps its mode, owner, links and hard links.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl WriteError {
    pub fn new(path: &Path, error: io::Error) -> Self {
        Self { path: path.to_owned(), error }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "cannot write `{}`: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for WriteError {}

/// Whether a write waits for the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Flushed to disk first: the file survives a power cut. For everything
    /// that is kept.
    Durable,
    /// Renamed into place straight from the page cache: still never seen
    /// half-written, but a power cut may lose it. For `watch`, which
    /// rewrites its preview on every save.
    Preview,
}

/// The suffix of every temporary file this tool makes, so that its own
/// leftovers can be told from anyone else's files.
const TEMP_SUFFIX: &str = ".openletter.tmp";

/// Temporary files older than this are leftovers of a killed process: no
/// write takes anywhere near as long.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Files written in full but not yet in place; dropped, they are removed.
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Writes `bytes` to a temporary file beside `path`.
    pub fn stage(
        &mut self,
        path: &Path,
        bytes: &[u8],
        durability: Durability,
    ) -> Result<(), WriteError> {
        let fail = |error| WriteError::new(path, error);
        if path.is_dir() {
            return Err(fail(io::Error::new(io::ErrorKind::IsADirectory, "it is a folder")));
        }
        let dir = folder_of(path);
        if !dir.is_dir() {
            let why = format!("folder `{}` does not exist", dir.display());
            return Err(fail(io::Error::new(io::ErrorKind::NotFound, why)));
        }
        remove_stale_temps(path, STALE_AFTER);
        let (temp, mut file) = create_temp(path).map_err(fail)?;
        self.files.push((temp, path.to_owned()));
        file.write_all(bytes).map_err(fail)?;
        if durability == Durability::Durable {
            file.sync_all().map_err(fail)?;
        }
        Ok(())
    }

    /// Renames every staged file into place, in the order staged.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let files = std::mem::take(&mut self.files);
        let mut result = Ok(());
        for (temp, path) in files {
            if result.is_ok() {
                result = fs::rename(&temp, &path).map_err(|error| WriteError::new(&path, error));
            }
            if result.is_err() {
                let _ = fs::remove_file(&temp);
            }
        }
        result
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (temp, _) in &self.files {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Replaces the contents of an existing file that others care about (the
/// signatories list), as the same file: its mode, owner and group stay, a
/// link is followed to its target, and a file with several hard links is
/// rewritten in place so that every name sees the edit. The caller holds
/// the file's lock, so leftovers from killed writers can go at once.
pub fn replace_contents(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |error| WriteError::new(target, error);
    let meta = fs::metadata(target).map_err(fail)?;
    remove_stale_temps(target, Duration::ZERO);
    if hard_links(&meta) > 1 {
        return rewrite_in_place(target, bytes);
    }
    let (temp, mut file) = match create_temp(target) {
        Ok(created) => created,
        // A folder we may not write to, holding a file we may: in place.
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => {
            return rewrite_in_place(target, bytes);
        }
        Err(err) => return Err(fail(err)),
    };
    let written = (|| {
        file.set_permissions(meta.permissions())?;
        if !same_owner(&file, &meta)? {
            return Err(io::Error::from(io::ErrorKind::PermissionDenied));
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    match written {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = fs::remove_file(&temp);
            // Only the owner could not be kept: keep the file, in place.
            if err.kind() == io::ErrorKind::PermissionDenied {
                rewrite_in_place(target, bytes)
            } else {
                Err(fail(err))
            }
        }
    }
}

/// Overwrites the file itself. A copy of the new contents is kept beside it
/// until the write is on disk, so a crash midway loses nothing.
fn rewrite_in_place(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |error| WriteError::new(target, error);
    let mut backup = Staged::default();
    let _ = backup.stage(target, bytes, Durability::Durable);
    let mut file = OpenOptions::new().write(true).open(target).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.set_len(bytes.len() as u64).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(backup);
    Ok(())
}

#[cfg(unix)]
fn hard_links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_: &fs::Metadata) -> u64 {
    1
}

/// Gives `file` the owner and group of `meta`; false if not allowed.
#[cfg(unix)]
fn same_owner(file: &File, meta: &fs::Metadata) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let mine = file.metadata()?;
    if mine.uid() == meta.uid() && mine.gid() == meta.gid() {
        return Ok(true);
    }
    match std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(not(unix))]
fn same_owner(_: &File, _: &fs::Metadata) -> io::Result<bool> {
    Ok(true)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `.NAME.` : the start of every temporary file made for `path`.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.")
}

/// A new file beside `path` with a name no other process or call uses.
fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    if path.file_name().is_none() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "no file name"));
    }
    loop {
        let temp = temp_path(path, "");
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
}

/// A name beside `path` that no other process or call uses:
/// `.NAME.{what}PID-N-NANOS.openletter.tmp`.
fn temp_path(path: &Path, what: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos =
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name =
        format!("{}{what}{}-{n}-{nanos:09}{TEMP_SUFFIX}", temp_prefix(path), std::process::id());
    folder_of(path).join(name)
}

/// Removes this tool's temporary files for `path` that are older than
/// `age`: what a process killed while writing left behind.
fn remove_stale_temps(path: &Path, age: Duration) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(folder_of(path)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(&prefix) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|elapsed| elapsed >= age);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The file that marks a folder as written whole by this tool, so that a
/// later run may replace it whole.
pub const FOLDER_MARK: &str = ".openletter";

/// Whether a folder written whole may be replaced whole by a later run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// A generated folder (an export): marked, and replaced next time.
    Generated,
    /// The user's from now on (a new project): never replaced.
    Users,
}

/// Writes a folder of files all at once: they are written into a new
/// folder beside `dir`, which then takes its place. `dir` may be missing,
/// empty, or a generated folder this tool wrote before; anything else is
/// refused, so no file of the user's is ever replaced.
pub fn write_folder(
    dir: &Path,
    files: &[(PathBuf, Vec<u8>)],
    kind: Folder,
) -> Result<(), WriteError> {
    let fail = |path: &Path, error| WriteError::new(path, error);
    let exists = dir.exists();
    if exists {
        let mut entries = fs::read_dir(dir).map_err(|e| fail(dir, e))?;
        let empty = entries.next().is_none();
        let replaceable = kind == Folder::Generated && dir.join(FOLDER_MARK).is_file();
        if !empty && !replaceable {
            let why = match kind {
                Folder::Generated => {
                    "it is not empty, and not a folder openletter wrote: name a new folder"
                }
                Folder::Users => "it is not empty: name a new or empty folder",
            };
            return Err(fail(dir, io::Error::new(io::ErrorKind::AlreadyExists, why)));
        }
    }
    if dir.file_name().is_none() {
        return Err(fail(dir, io::ErrorKind::InvalidInput.into()));
    }
    let staging = temp_path(dir, "new-");
    fs::create_dir(&staging).map_err(|e| fail(dir, e))?;
    let filled = (|| {
        // All are written before any is synced: the first sync then commits
        // every new file's metadata at once, and the rest only flush data.
        let mut written = Vec::new();
        for (relative, bytes) in files {
            let path = staging.join(relative);
            if let Some(folder) = path.parent() {
                fs::create_dir_all(folder).map_err(|e| fail(&dir.join(relative), e))?;
            }
            // A file the last run wrote alike (a font, an unchanged PDF) is
            // linked, not written again: it is already whole on disk.
            let previous = dir.join(relative);
            if exists && has_contents(&previous, bytes) && fs::hard_link(&previous, &path).is_ok() {
                continue;
            }
            let mut file = File::create_new(&path).map_err(|e| fail(&dir.join(relative), e))?;
            file.write_all(bytes).map_err(|e| fail(&dir.join(relative), e))?;
            written.push((relative, file));
        }
        for (relative, file) in written {
            file.sync_all().map_err(|e| fail(&dir.join(relative), e))?;
        }
        if kind == Folder::Users {
            return Ok(());
        }
        fs::write(
            staging.join(FOLDER_MARK),
            "written whole by openletter; replaced whole on the next run\n",
        )
        .map_err(|e| fail(dir, e))
    })();
    if let Err(err) = filled {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    if !exists {
        return fs::rename(&staging, dir).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            fail(dir, e)
        });
    }
    let old = temp_path(dir, "old-");
    if let Err(e) = fs::rename(dir, &old) {
        let _ = fs::remove_dir_all(&staging);
        return Err(fail(dir, e));
    }
    if let Err(e) = fs::rename(&staging, dir) {
        let _ = fs::rename(&old, dir);
        let _ = fs::remove_dir_all(&staging);
        return Err(fail(dir, e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Whether `path` is a regular file (not a link) holding exactly `bytes`.
fn has_contents(path: &Path, bytes: &[u8]) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|on_disk| on_disk == bytes)
}

/// Fills `{name}` placeholders of an output pattern such as
/// `out/{slug}-{date}.pdf`. Each value becomes one safe file-name component
/// (no folder separators, no leading dot), so a label cannot lead the file
/// elsewhere. An unknown placeholder is an error, not a literal, so a typo
/// cannot silently name every build alike; `values` holds every placeholder
/// there is (`None` for one this run gives no value), so the error lists them
/// all.
pub fn expand<V: AsRef<str>>(
    pattern: &str,
    values: &[(&str, Option<V>)],
) -> Result<PathBuf, String> {
    if pattern.trim().is_empty() {
        return Err("an output path is empty".into());
    }
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("output pattern `{pattern}` has an unclosed `{{`"))?;
        let name = &rest[open + 1..open + close];
        let value = match values.iter().find(|(key, _)| *key == name) {
            Some((_, Some(value))) => value.as_ref(),
            Some((_, None)) if name == "version" => {
                return Err(format!(
                    "output pattern `{pattern}` uses `{{version}}`: give --version-label"
                ));
            }
            Some((_, None)) => {
                return Err(format!("output pattern `{pattern}` uses `{{{name}}}`, unknown yet"));
            }
            None => {
                let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
                return Err(format!(
                    "output pattern `{pattern}` uses `{{{name}}}`; known: {}",
                    known.join(", ")
                ));
            }
        };
        out.push_str(&file_component(value, name));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(PathBuf::from(out))
}

/// `value` as one file-name component: letters, digits, `.`, `_`, `+` and
/// `-` kept, anything else a `-`, no leading dot or dash; `fallback` if
/// nothing is left.
pub fn file_component(value: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-');
        let c = if keep { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_start_matches(['.', '-']).trim_end_matches('-');
    if out.is_empty() { fallback.to_owned() } else { out.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_refuses_unknown_ones() {
        let values = [("date", Some("2025-02-13")), ("slug", Some("letter")), ("version", None)];
        assert_eq!(
            expand("out/{slug}-{date}.pdf", &values).unwrap().to_str(),
            Some("out/letter-2025-02-13.pdf")
        );
        assert!(expand("{dat}.pdf", &values).unwrap_err().contains("{dat}"));
        assert!(expand("{dat}.pdf", &values).unwrap_err().contains("{version}"));
        assert!(expand("{version}.pdf", &values).unwrap_err().contains("--version-label"));
        assert!(expand("{date.pdf", &values).is_err());
        assert!(expand("", &values).is_err());
    }

    #[test]
    fn a_value_is_one_safe_component() {
        let values = [("version", Some("../../escaped")), ("slug", Some("!!!"))];
        assert_eq!(expand("out/{version}.pdf", &values).unwrap().to_str(), Some("out/escaped.pdf"));
        assert_eq!(expand("out/{slug}.pdf", &values).unwrap().to_str(), Some("out/slug.pdf"));
        assert_eq!(file_component("v1.2 / rc", "x"), "v1.2-rc");
        assert_eq!(file_component("..", "x"), "x");
    }
}
