//! The Typst `World` of a letter: its folder's files, the generated data, the
//! bundled fonts and the letter's date as "today".
//!
//! It is kept alive across builds by `watch`: [`LetterWorld::reset`] makes the
//! next compile look at the disk again, and a changed source is updated in
//! place so that Typst's caches can reuse what did not change.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::data::DATA_PATH;
use crate::date::LetterDate;
use crate::fonts::Fonts;

/// The document every letter folder starts from.
pub const MAIN_FILE: &str = "main.typ";

/// Why a letter folder cannot be compiled at all.
#[derive(Debug)]
pub enum WorldError {
    NoFolder(PathBuf),
    NoMain(PathBuf),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            WorldError::NoFolder(dir) => write!(
                f,
                "letter folder `{}` does not exist (use --letter DIR to name another)",
                dir.display()
            ),
            WorldError::NoMain(main) => {
                write!(f, "letter folder has no `{MAIN_FILE}`: expected `{}`", main.display())
            }
        }
    }
}

impl std::error::Error for WorldError {}

pub struct LetterWorld {
    /// The folder as the user named it, for messages.
    root: PathBuf,
    /// The folder with links resolved: no file outside it is read.
    canonical_root: PathBuf,
    main: FileId,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
    library: LazyHash<Library>,
    fonts: &'static Fonts,
    files: Mutex<HashMap<FileId, Slot>>,
}

impl LetterWorld {
    pub fn new(
        root: &Path,
        fonts: &'static Fonts,
        data: Vec<u8>,
        date: LetterDate,
    ) -> Result<Self, WorldError> {
        let canonical_root = letter_root(root)?;
        Ok(Self {
            root: root.to_owned(),
            canonical_root,
            main: project_file(MAIN_FILE),
            data_id: project_file(DATA_PATH),
            data: Bytes::new(data),
            today: date.datetime(),
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files: Mutex::new(HashMap::new()),
        })
    }

    /// Replaces the generated data (signatories, date) for the next compile.
    pub fn set_data(&mut self, data: Vec<u8>, date: LetterDate) {
        self.data = Bytes::new(data);
        self.today = date.datetime();
    }

    /// Makes the next compile check every file it reads against the disk.
    pub fn reset(&mut self) {
        for slot in self.files.get_mut().expect("file cache lock").values_mut() {
            slot.fresh = false;
        }
    }

    /// The files the last compile read, by name, with the bytes it used.
    pub fn files_read(&self) -> Vec<(String, Bytes)> {
        let files = self.files.lock().expect("file cache lock");
        let mut read: Vec<(String, Bytes)> = files
            .iter()
            .filter(|(_, slot)| slot.fresh)
            .filter_map(|(id, slot)| match &slot.bytes {
                Some(Ok(bytes)) => Some((self.name(*id), bytes.clone())),
                _ => None,
            })
            .collect();
        read.sort_by(|a, b| a.0.cmp(&b.0));
        read
    }

    /// The real path of a file of the letter folder.
    fn path(&self, id: FileId) -> FileResult<PathBuf> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(typst::ecow::eco_format!(
                "{spec} is not available: openletter never downloads packages; \
                     copy the files the letter needs into its folder and import them by path"
            )))));
        }
        let path = id.vpath().realize(&self.root).map_err(FileError::Realize)?;
        let real = path.canonicalize().map_err(|err| FileError::from_io(err, &path))?;
        if !real.starts_with(&self.canonical_root) {
            return Err(FileError::Other(Some(typst::ecow::eco_format!(
                "`{}` leads outside the letter folder, which is all a letter may read",
                path.display()
            ))));
        }
        Ok(real)
    }

    fn with_slot<T>(&self, id: FileId, f: impl FnOnce(&mut Slot) -> T) -> FileResult<T> {
        let mut files = self.files.lock().expect("file cache lock");
        let slot = files.entry(id).or_default();
        if !slot.fresh {
            let read = self.path(id).and_then(|path| {
                std::fs::read(&path).map_err(|err| FileError::from_io(err, &path))
            });
            slot.update(read);
        }
        Ok(f(slot))
    }
}

/// One file as last read, with its parsed source if Typst asked for one.
#[derive(Default)]
struct Slot {
    fresh: bool,
    fingerprint: u128,
    bytes: Option<FileResult<Bytes>>,
    source: Option<FileResult<Source>>,
}

impl Slot {
    fn update(&mut self, read: FileResult<Vec<u8>>) {
        self.fresh = true;
        let fingerprint = typst::utils::hash128(&read);
        if self.bytes.is_some() && fingerprint == self.fingerprint {
            return;
        }
        self.fingerprint = fingerprint;
        self.bytes = Some(read.map(Bytes::new));
        // An edited source is kept and patched, not parsed anew, so that
        // Typst's incremental compilation can reuse its unchanged parts.
        if let Some(Ok(source)) = &mut self.source
            && let Some(Ok(bytes)) = &self.bytes
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            source.replace(text);
        } else {
            self.source = None;
        }
    }

    fn source(&mut self, id: FileId) -> FileResult<Source> {
        if self.source.is_none() {
            let bytes = self.bytes.clone().expect("slot was read");
            self.source = Some(bytes.and_then(|bytes| {
                let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
                Ok(Source::new(id, text.trim_start_matches('\u{feff}').to_owned()))
            }));
        }
        self.source.clone().expect("source was just set")
    }
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.data_id {
            return Err(FileError::NotSource);
        }
        self.with_slot(id, |slot| slot.source(id))?
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        self.with_slot(id, |slot| slot.bytes.clone().expect("slot was read"))?
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    /// The letter's date, so that `datetime.today()` agrees with it and a
    /// rebuild of an old letter does not change.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

impl LetterWorld {
    /// How a file is named in messages: its path as the user would type it.
    pub fn name(&self, id: FileId) -> String {
        if id == self.data_id {
            return format!("{DATA_PATH} (generated from the signatories)");
        }
        match id.root() {
            VirtualRoot::Project => {
                self.root.join(id.vpath().get_without_slash()).display().to_string()
            }
            VirtualRoot::Package(spec) => format!("{spec}{}", id.vpath().get_with_slash()),
        }
    }
}

/// The letter folder with links resolved, once it is known to be a folder
/// holding a `main.typ`.
pub fn letter_root(dir: &Path) -> Result<PathBuf, WorldError> {
    let root = dir.canonicalize().map_err(|_| WorldError::NoFolder(dir.to_owned()))?;
    if !root.is_dir() {
        return Err(WorldError::NoFolder(dir.to_owned()));
    }
    if !root.join(MAIN_FILE).is_file() {
        return Err(WorldError::NoMain(dir.join(MAIN_FILE)));
    }
    Ok(root)
}

/// Every file under the letter folder, recursively, in a stable order: what
/// `watch` looks at and `export-typst` copies.
pub fn letter_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}
