//! The Typst `World` of one text of a letter: its project's files (through
//! [`loader`]), the generated data, the fonts chosen for it and the
//! letter's date as "today".
//!
//! It is kept alive across builds by `watch`: [`LetterWorld::reset`] makes
//! the next compile look at the disk again, and an edited source is patched
//! in place so that Typst's caches can reuse what did not change.

mod loader;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::FileStore;

use crate::data::DATA_PATH;
use crate::fonts::Fonts;
use crate::inputs::Inputs;
use crate::letter::{LetterError, Text, text_root};
use loader::ProjectFiles;

/// Typst's standard library, made once per run: for pages, and for the web
/// (with the HTML export enabled).
static PAGED_LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));
static WEB_LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    let features = [typst::Feature::Html].into_iter().collect();
    LazyHash::new(Library::builder().with_features(features).build())
});

pub struct LetterWorld {
    main: FileId,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
    library: &'static LazyHash<Library>,
    fonts: &'static Fonts,
    files: FileStore<ProjectFiles>,
}

impl LetterWorld {
    /// The world of one text of a letter. A letter may read the files of
    /// its project folder (the folder of its signatories file: so several
    /// letters can share one style) when the letter folder is inside it,
    /// else only those of its own folder.
    pub fn new(inputs: &Inputs, text: &Text) -> Result<Self, LetterError> {
        let letter = &inputs.letter;
        let canonical_letter = text_root(letter, text)?;
        let project = inputs.project();
        let project_dir = if project.as_os_str().is_empty() { Path::new(".") } else { project };
        let (root, canonical_root) = match project_dir.canonicalize() {
            Ok(project_root) if canonical_letter.starts_with(&project_root) => {
                (project.to_owned(), project_root)
            }
            _ => (letter.to_owned(), canonical_letter.clone()),
        };
        let inside = canonical_letter.strip_prefix(&canonical_root).expect("checked above");
        // A virtual path is written with `/` on every system; Windows
        // writes a real one with `\`.
        let parts: Option<Vec<&str>> =
            inside.components().map(|part| part.as_os_str().to_str()).collect();
        let file = text.file();
        let main_path = parts
            .map(|parts| parts.into_iter().chain([file.as_str()]).collect::<Vec<_>>().join("/"))
            .ok_or_else(|| LetterError::Walk {
                dir: letter.to_owned(),
                why: "its path is not UTF-8".into(),
            })?;
        Ok(Self {
            main: project_file(&format!("/{main_path}")),
            data_id: project_file(DATA_PATH),
            data: inputs.data.clone(),
            today: inputs.date.datetime(),
            library: &PAGED_LIBRARY,
            fonts: inputs.fonts,
            files: FileStore::new(ProjectFiles { root, canonical_root }),
        })
    }

    /// Makes the next compile one of pages, with `data` (the letter's, or
    /// its card's: [`crate::data::with_card`]).
    pub fn set_paged_data(&mut self, data: Bytes) {
        self.library = &PAGED_LIBRARY;
        self.data = data;
    }

    /// Makes the next compile one for the web: Typst's HTML export enabled,
    /// and the data of the page (see [`crate::data::with_site`]).
    pub fn set_web_data(&mut self, data: Bytes) {
        self.library = &WEB_LIBRARY;
        self.data = data;
    }

    /// Takes the generated data (signatories, date) and fonts of new inputs
    /// for the next compile.
    pub fn set_inputs(&mut self, inputs: &Inputs) {
        self.data = inputs.data.clone();
        self.today = inputs.date.datetime();
        self.fonts = inputs.fonts;
    }

    /// Makes the next compile check every file it reads against the disk.
    pub fn reset(&mut self) {
        self.files.reset();
    }

    /// The files the last compile read, by name, with the bytes it used.
    pub fn files_read(&mut self) -> Vec<(String, Bytes)> {
        let ids: Vec<FileId> = self.files.dependencies().1.collect();
        let mut read: Vec<(String, Bytes)> = ids
            .into_iter()
            .filter_map(|id| Some((self.name(id), self.files.file(id).ok()?)))
            .collect();
        read.sort_by(|a, b| a.0.cmp(&b.0));
        read
    }

    /// The files the last compile read from outside the letter folder `dir`
    /// (a style shared in the project), as the user would name them.
    pub fn read_outside(&mut self, dir: &Path) -> Vec<String> {
        let Ok(dir) = dir.canonicalize() else { return Vec::new() };
        let ids: Vec<FileId> = self.files.dependencies().1.collect();
        let loader = self.files.loader();
        let mut outside: Vec<String> = ids
            .into_iter()
            .filter(|id| self.files.file(*id).is_ok())
            .filter(|id| loader.path(*id).is_ok_and(|real| !real.starts_with(&dir)))
            .map(|id| self.name(id))
            .collect();
        outside.sort();
        outside
    }

    /// Typst's "file is not valid UTF-8", with the file and the line and
    /// column of the first byte that is not (a text saved as Latin-1).
    fn not_utf8(&self, id: FileId) -> FileError {
        let Ok(bytes) = self.files.file(id) else { return FileError::InvalidUtf8 };
        let Err(err) = std::str::from_utf8(&bytes) else { return FileError::InvalidUtf8 };
        let good = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
        let (line, column) = crate::signatories::line_col(good, good.len());
        FileError::Other(Some(typst::ecow::eco_format!(
            "`{}` is not UTF-8: byte 0x{:02X} at line {line}, column {column} is not; save it \
             as UTF-8 (it may be Latin-1 or Windows-1252)",
            self.name(id),
            bytes[err.valid_up_to()]
        )))
    }

    /// How a file is named in messages: its path as the user would type it.
    pub fn name(&self, id: FileId) -> String {
        if id == self.data_id {
            return format!("{DATA_PATH} (generated from the signatories)");
        }
        match id.root() {
            VirtualRoot::Project => {
                let root: &PathBuf = &self.files.loader().root;
                root.join(id.vpath().get_without_slash()).display().to_string()
            }
            VirtualRoot::Package(spec) => format!("{spec}{}", id.vpath().get_with_slash()),
        }
    }
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
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
        self.files.source(id).map_err(|err| match err {
            FileError::InvalidUtf8 => self.not_utf8(id),
            err => err,
        })
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        self.files.file(id)
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

fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}
