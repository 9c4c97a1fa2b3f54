//! Writing a folder of files (a site, a Typst export, a new project) into
//! a folder that may hold files of the user's.
//!
//! The folder itself is never replaced: files are swapped in one by one,
//! all or none, so a link to it stays a link, its mode, owner and group
//! stay, and a mount point or the current folder can be written. A command
//! writes only into a new or empty folder, or one its own kind of run wrote
//! (its `.openletter` record says so); there it replaces only the files it
//! wrote while they still hold what it wrote, and keeps every other file.
//! Runs into one folder take turns, under a lock on the folder above it.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::mark::{self, Kind, MARK, Mark, Unreadable};
use super::{Durability, STALE_AFTER, Staged, TEMP_SUFFIX, WriteError, remove_temps_in};
use crate::files::{self, Access};
use crate::manifest::sha256;

/// Why a folder was not written.
#[derive(Debug)]
pub enum FolderError {
    /// Refused before anything was written, with why and what to do.
    Refused(String),
    Write(WriteError),
}

impl fmt::Display for FolderError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            FolderError::Refused(why) => f.write_str(why),
            FolderError::Write(err) => err.fmt(f),
        }
    }
}

impl From<WriteError> for FolderError {
    fn from(err: WriteError) -> Self {
        FolderError::Write(err)
    }
}

/// The most files a refusal names before "and N more".
const NAMED: usize = 8;

/// Writes `files` (paths inside the folder, with their bytes) into `dir`,
/// as a folder of `kind`. Files of the user's there, or files openletter
/// wrote that were changed since, stop it, naming them, unless
/// `replace_edited`.
pub fn write_folder(
    dir: &Path,
    files: &[(PathBuf, Vec<u8>)],
    kind: Kind,
    replace_edited: bool,
) -> Result<(), FolderError> {
    let refuse = |why: String| {
        FolderError::Refused(format!(
            "cannot write into `{}`: {why}; nothing was written",
            dir.display()
        ))
    };
    let real = real_folder(dir).map_err(refuse)?;
    let parent = real.parent().ok_or_else(|| refuse("it is the root folder".into()))?;
    let io_error = |error| FolderError::Write(WriteError::new(dir, error));
    // A folder we may not read, or a file system without locks (NFS takes
    // none on a folder opened to read): written unlocked, and said so.
    let lock = File::open(parent).and_then(|f| files::lock(&f, Access::Exclusive, dir).map(|()| f));
    if let Err(err) = &lock {
        note!(
            "cannot lock `{}` ({err}): a run writing into `{}` at the same time is not waited for",
            parent.display(),
            dir.display()
        );
    }
    // Our temporary files from before the lock belong to no running run;
    // unlocked, only old ones are surely leftovers.
    let locked = match lock {
        Ok(_) => SystemTime::now(),
        Err(_) => SystemTime::now() - STALE_AFTER,
    };
    remove_leftovers(parent, &real, locked);
    let made = match fs::symlink_metadata(&real) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fs::create_dir(&real).map_err(io_error)?;
            true
        }
        Err(err) => return Err(io_error(err)),
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => return Err(refuse("it is a file; name a folder".into())),
    };
    let folder = Folder { real: &real, shown: dir, kind, locked };
    let written = folder.fill(files, replace_edited).map_err(|err| match err {
        FolderError::Refused(why) => refuse(why),
        other => other,
    });
    if written.is_err() && made {
        let _ = fs::remove_dir_all(&real);
    }
    written
}

/// The folder to write in: `dir` with links followed and `.` resolved, so
/// that its files are written where they are served from.
fn real_folder(dir: &Path) -> Result<PathBuf, String> {
    if let Ok(real) = fs::canonicalize(dir) {
        return Ok(real);
    }
    if let Ok(to) = fs::read_link(dir) {
        return Err(format!(
            "it is a link to `{}`, which does not exist: make that folder first",
            to.display()
        ));
    }
    let absolute = std::path::absolute(dir).map_err(|err| err.to_string())?;
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Err("name the folder by its name".into());
    };
    match fs::canonicalize(parent) {
        Ok(parent) => Ok(parent.join(name)),
        Err(_) => Err(format!("the folder `{}` it goes in does not exist", parent.display())),
    }
}

/// Removes what openletter runs killed while writing `real` left beside it
/// (the staging folders of earlier versions): only names of ours, made
/// before the lock was taken, when no run of ours was writing.
fn remove_leftovers(parent: &Path, real: &Path, locked: SystemTime) {
    let Some(name) = real.file_name().map(|n| n.to_string_lossy().into_owned()) else { return };
    let Ok(entries) = fs::read_dir(parent) else { return };
    let prefixes = [format!(".{name}.new-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let entry_name = entry_name.to_string_lossy();
        let ours = prefixes.iter().any(|prefix| entry_name.starts_with(prefix.as_str()))
            && entry_name.ends_with(TEMP_SUFFIX);
        // Only our names are looked at on disk: the parent may be a big folder.
        if !ours {
            continue;
        }
        let before = fs::symlink_metadata(entry.path())
            .ok()
            .filter(fs::Metadata::is_dir)
            .and_then(|meta| meta.modified().ok())
            .is_some_and(|made| made < locked);
        if before {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

struct Folder<'a> {
    real: &'a Path,
    shown: &'a Path,
    kind: Kind,
    locked: SystemTime,
}

impl Folder<'_> {
    fn fill(&self, files: &[(PathBuf, Vec<u8>)], replace_edited: bool) -> Result<(), FolderError> {
        let refuse = |why: String| Err(FolderError::Refused(why));
        let old = match mark::read(self.real) {
            Ok(Some(mark)) if mark.kind == self.kind => Some(mark),
            Ok(Some(mark)) => {
                return refuse(format!(
                    "it holds {}, which this command never replaces; name another folder",
                    mark.kind.describe()
                ));
            }
            Ok(None) => None,
            Err(Unreadable::Earlier) if replace_edited => Some(Mark::new(self.kind)),
            Err(Unreadable::Earlier) => {
                return refuse(
                    "an earlier openletter wrote it without recording which files it wrote: \
                     give --replace-edited to replace the files this run writes and keep every \
                     other file, or name another folder"
                        .into(),
                );
            }
            Err(Unreadable::Invalid(why)) => {
                return refuse(format!(
                    "it holds a `{MARK}` file that openletter cannot read ({why}), so it cannot \
                     tell which files are yours: name another folder"
                ));
            }
        };
        if old.is_none() && !self.is_empty()? {
            return refuse(match self.kind {
                Kind::Project => "it is not empty: name a new or empty folder".into(),
                _ => format!(
                    "it is not empty, and not a folder openletter wrote (it holds no `{MARK}` \
                     record): name a new or empty folder"
                ),
            });
        }
        // A record on disk that this run leaves as it is need not be written.
        let recorded = old.as_ref().filter(|mark| !mark.files.is_empty()).is_some();
        let old = old.unwrap_or_else(|| Mark::new(self.kind));

        // What killed runs left beside the files: temporary files of ours,
        // made before the lock was taken; once per folder, however many
        // files it holds.
        let mut folders = BTreeSet::from([self.real.to_owned()]);
        let relatives = files.iter().map(|(relative, _)| relative.clone());
        for relative in relatives.chain(old.files.keys().filter_map(|key| mark::relative(key))) {
            if let (Some(parent), Ok(())) =
                (self.real.join(&relative).parent(), self.check_folders(&relative))
            {
                folders.insert(parent.to_owned());
            }
        }
        for folder in &folders {
            remove_temps_in(folder, ".", self.locked);
        }

        let mut record = Mark::new(self.kind);
        let mut writes: Vec<(PathBuf, &[u8])> = Vec::new();
        let mut theirs = Vec::new();
        for (relative, bytes) in files {
            let Some(key) = mark::key(relative) else {
                return refuse(format!("`{}` is not a UTF-8 file name", relative.display()));
            };
            self.check_folders(relative)?;
            let target = self.real.join(relative);
            let mut hashes = vec![sha256(bytes)];
            match fs::symlink_metadata(&target) {
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    writes.push((target, bytes));
                }
                Err(err) => return Err(WriteError::new(&target, err).into()),
                Ok(meta) if meta.is_dir() => {
                    return refuse(format!(
                        "`{}` is a folder where a file goes",
                        self.shown.join(relative).display()
                    ));
                }
                Ok(meta) => {
                    // A link is never one of ours: openletter writes files.
                    let on_disk = meta.is_file().then(|| files::read_regular(&target).ok());
                    match on_disk.flatten() {
                        Some(on_disk) if on_disk == *bytes => {}
                        on_disk => {
                            let hash = on_disk.map(|on_disk| sha256(&on_disk));
                            match hash {
                                Some(hash) if old.wrote(&key, &hash) => hashes.push(hash),
                                _ => theirs.push(self.shown.join(relative)),
                            }
                            writes.push((target, bytes));
                        }
                    }
                }
            }
            record.files.insert(key, hashes);
        }
        if !theirs.is_empty() {
            let named = names(&theirs);
            if !replace_edited {
                return refuse(format!(
                    "it would replace {} that openletter did not write or that changed since it \
                     wrote them: {named}; give --replace-edited to replace them, or move them \
                     away",
                    count(theirs.len())
                ));
            }
            note!("replacing, as --replace-edited asks: {named}");
        }

        // Files the last run wrote that this one does not: removed while
        // they hold what was written, else kept as the user's.
        let mut stale = Vec::new();
        for (key, hashes) in &old.files {
            if record.files.contains_key(key) {
                continue;
            }
            let Some(relative) = mark::relative(key) else { continue };
            let target = self.real.join(&relative);
            if self.check_folders(&relative).is_err() || !target.is_file() {
                continue;
            }
            match files::read_regular(&target) {
                Ok(on_disk) if old.wrote(key, &sha256(&on_disk)) => {
                    record.files.insert(key.clone(), hashes.clone());
                    stale.push((key.clone(), target));
                }
                _ => note!(
                    "kept `{}`: openletter no longer writes it, and it changed since it did",
                    self.shown.join(&relative).display()
                ),
            }
        }

        let mut made = Vec::new();
        let written = self.swap(&record, &writes, &mut made);
        if written.is_err() {
            for dir in made.iter().rev() {
                let _ = fs::remove_dir(dir);
            }
            return written;
        }
        for (key, target) in stale {
            let _ = fs::remove_file(&target);
            record.files.remove(&key);
            let mut dir = target.parent();
            while let Some(folder) = dir.filter(|d| *d != self.real) {
                if fs::remove_dir(folder).is_err() {
                    break;
                }
                dir = folder.parent();
            }
        }
        for hashes in record.files.values_mut() {
            hashes.truncate(1);
        }
        if writes.is_empty() && record.files == old.files && recorded {
            return Ok(());
        }
        self.write_record(&record, Durability::Durable)?;
        crate::console::changed();
        Ok(())
    }

    /// Writes the record naming both the old and the new files, then swaps
    /// the new files in, all or none.
    fn swap(
        &self,
        record: &Mark,
        writes: &[(PathBuf, &[u8])],
        made: &mut Vec<PathBuf>,
    ) -> Result<(), FolderError> {
        for (target, _) in writes {
            let mut missing = Vec::new();
            let mut dir = target.parent();
            while let Some(folder) = dir.filter(|d| !d.is_dir()) {
                missing.push(folder.to_owned());
                dir = folder.parent();
            }
            for folder in missing.into_iter().rev() {
                fs::create_dir(&folder).map_err(|err| WriteError::new(&folder, err))?;
                made.push(folder);
            }
        }
        if writes.is_empty() {
            return Ok(());
        }
        // Not flushed: it only spares a run killed midway the next run's
        // question about files it would see as edited.
        self.write_record(record, Durability::Preview)?;
        let mut staged = Staged::cleaned();
        for (target, bytes) in writes {
            staged.stage(target, bytes, Durability::Preview)?;
        }
        // Flushed once all are written: the first flush commits every new
        // file's metadata at once, and the rest only flush data.
        staged.sync()?;
        Ok(staged.commit()?)
    }

    fn write_record(&self, record: &Mark, durability: Durability) -> Result<(), FolderError> {
        if self.kind == Kind::Project {
            return Ok(());
        }
        let mut staged = Staged::cleaned();
        staged.stage(&self.real.join(MARK), &record.to_json(), durability)?;
        Ok(staged.commit()?)
    }

    /// Whether the folder holds nothing but leftovers of ours.
    fn is_empty(&self) -> Result<bool, FolderError> {
        let entries = fs::read_dir(self.real).map_err(|err| WriteError::new(self.shown, err))?;
        Ok(entries.flatten().all(|e| e.file_name().to_string_lossy().ends_with(TEMP_SUFFIX)))
    }

    /// Refuses a file whose folders inside the folder are not real folders
    /// (a link would lead the write elsewhere; a file is in the way).
    fn check_folders(&self, relative: &Path) -> Result<(), FolderError> {
        let mut inside = self.real.to_owned();
        let parts: Vec<_> = relative.components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            inside.push(part);
            match fs::symlink_metadata(&inside) {
                Ok(meta) if !meta.is_dir() => {
                    let shown = self.shown.join(inside.strip_prefix(self.real).unwrap_or(&inside));
                    return Err(FolderError::Refused(format!(
                        "`{}` is in the way: openletter writes a folder there, of its own",
                        shown.display()
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn count(n: usize) -> String {
    if n == 1 { "1 file".into() } else { format!("{n} files") }
}

/// Paths as a refusal names them: the first few, and how many more.
fn names(paths: &[PathBuf]) -> String {
    let mut named: Vec<String> =
        paths.iter().take(NAMED).map(|p| format!("`{}`", p.display())).collect();
    if paths.len() > NAMED {
        named.push(format!("and {} more", paths.len() - NAMED));
    }
    named.join(", ")
}
