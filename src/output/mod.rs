//! Writing files so that nothing is ever half-written or lost.
//!
//! Every file is first written in full to a new temporary file beside its
//! target (a unique name, created exclusively), then renamed over it. The
//! outputs of one build are staged together and renamed only once all of
//! them are written; a rename that fails puts back the files renamed before
//! it, so a failure leaves every earlier file as it was. An edited
//! signatories file keeps its mode, owner, links and hard links. A folder
//! of files (a site, an export, a new project) is written by `folder`, which
//! keeps what openletter did not write there (`mark`).

mod folder;
mod mark;

pub use folder::{FolderError, write_folder};
pub use mark::Kind;

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
    /// The caller removed the leftovers of killed runs already.
    cleaned: bool,
}

impl Staged {
    /// Staging where the caller has removed killed runs' leftovers (under
    /// a lock every writer of these files takes).
    pub fn cleaned() -> Self {
        Staged { files: Vec::new(), cleaned: true }
    }

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
        if names_a_folder(path) {
            let why = "the path ends with `/`, naming a folder: give a file name";
            return Err(fail(io::Error::new(io::ErrorKind::InvalidInput, why)));
        }
        let dir = folder_of(path);
        if !dir.is_dir() {
            let why = format!("folder `{}` does not exist", dir.display());
            return Err(fail(io::Error::new(io::ErrorKind::NotFound, why)));
        }
        if !self.cleaned {
            remove_stale_temps(path, SystemTime::now() - STALE_AFTER);
        }
        let (temp, mut file) = create_temp(path).map_err(fail)?;
        self.files.push((temp, path.to_owned()));
        file.write_all(bytes).map_err(fail)?;
        if durability == Durability::Durable {
            file.sync_all().map_err(fail)?;
        }
        Ok(())
    }

    /// Waits until every staged file is on disk.
    pub fn sync(&self) -> Result<(), WriteError> {
        for (temp, path) in &self.files {
            // Opened for writing: Windows flushes only a file it may write.
            fs::OpenOptions::new()
                .write(true)
                .open(temp)
                .and_then(|file| file.sync_all())
                .map_err(|e| WriteError::new(path, e))?;
        }
        Ok(())
    }

    /// Renames every staged file into place, in the order staged. Each
    /// file replaced is first kept under a temporary name, so that when a
    /// rename fails (a file another user owns in a sticky folder, a mount
    /// point) the files already renamed are put back: all or none.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let files = std::mem::take(&mut self.files);
        let mut done: Vec<(&Path, Option<PathBuf>)> = Vec::new();
        let mut failed = None;
        // The last file's old copy would only be needed if a later rename
        // failed, and none comes after it.
        let last = files.len().saturating_sub(1);
        for (i, (temp, path)) in files.iter().enumerate() {
            let kept = if i < last { keep_old(path) } else { Ok(None) };
            let swapped = kept.and_then(|old| match fs::rename(temp, path) {
                Ok(()) => Ok(old),
                Err(err) => {
                    if let Some(old) = old {
                        let _ = fs::remove_file(old);
                    }
                    Err(err)
                }
            });
            match swapped {
                Ok(old) => done.push((path, old)),
                Err(error) => {
                    failed = Some(WriteError::new(path, error));
                    break;
                }
            }
        }
        if let Some(err) = failed {
            for (path, old) in done.into_iter().rev() {
                let _ = match old {
                    Some(old) => fs::rename(old, path),
                    None => fs::remove_file(path),
                };
            }
            for (temp, _) in &files {
                let _ = fs::remove_file(temp);
            }
            return Err(err);
        }
        for old in done.into_iter().filter_map(|(_, old)| old) {
            let _ = fs::remove_file(old);
        }
        crate::console::changed();
        Ok(())
    }
}

/// Keeps the file at `path`, if any, under a new temporary name beside it
/// (a second link to it, or a copy where links cannot be made), to put
/// back if the replacement of a later file fails.
fn keep_old(path: &Path) -> io::Result<Option<PathBuf>> {
    match fs::symlink_metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
        Ok(_) => {}
    }
    let old = temp_path(path, "old-");
    if fs::hard_link(path, &old).is_err() {
        fs::copy(path, &old)?;
    }
    Ok(Some(old))
}

/// Whether a path names a folder by its form (`out/`, `out/.`), whether or
/// not the folder exists.
pub fn names_a_folder(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    text.ends_with(std::path::is_separator) || text.ends_with("/.") || text == "."
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
    remove_stale_temps(target, SystemTime::now());
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
        Ok(()) => {
            crate::console::changed();
            Ok(())
        }
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

/// Overwrites the file itself: the one write here that is not atomic,
/// used only where a new file cannot take the old one's place (several hard
/// links, a folder we may not write to, an owner we may not give). A crash
/// in the middle of it can leave the file cut short.
fn rewrite_in_place(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |error| WriteError::new(target, error);
    let mut file = OpenOptions::new().write(true).open(target).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.set_len(bytes.len() as u64).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    crate::console::changed();
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

/// Removes this tool's temporary files for `path` made before `before`:
/// what a process killed while writing left behind.
fn remove_stale_temps(path: &Path, before: SystemTime) {
    remove_temps_in(folder_of(path), &temp_prefix(path), before);
}

/// Removes this tool's temporary files in `dir` whose names start with
/// `prefix`, made before `before`.
fn remove_temps_in(dir: &Path, prefix: &str, before: SystemTime) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .is_some_and(|made| made < before);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
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
