//! The Typst `World` of a letter: its folder's files, the generated data, the
//! fonts chosen for it and the letter's date as "today".
//!
//! It is kept alive across builds by `watch`: [`LetterWorld::reset`] makes the
//! next compile look at the disk again, and a changed source is updated in
//! place so that Typst's caches can reuse what did not change.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::data::DATA_PATH;
use crate::date::LetterDate;
use crate::files::{self, ReadError};
use crate::fonts::Fonts;

/// The document every letter folder starts from.
pub const MAIN_FILE: &str = "main.typ";

/// One text of the letter: the original (`main.typ`) or a translation
/// (`main.LANG.typ` beside it, sharing its template, fonts and list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Original,
    Translation(String),
}

impl Text {
    /// The file in the letter folder.
    pub fn file(&self) -> String {
        match self {
            Text::Original => MAIN_FILE.to_owned(),
            Text::Translation(lang) => format!("main.{lang}.typ"),
        }
    }

    /// The translations in a letter folder, by language tag, sorted.
    pub fn translations(dir: &Path) -> Vec<Text> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut langs: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| {
                let lang = name.strip_prefix("main.")?.strip_suffix(".typ")?.to_owned();
                is_language_tag(&lang).then_some(lang)
            })
            .collect();
        langs.sort();
        langs.into_iter().map(Text::Translation).collect()
    }
}

/// A BCP 47-like tag: `de`, `en-US`, `pt-BR`, `zh-Hant`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Why a letter folder cannot be compiled at all.
#[derive(Debug)]
pub enum WorldError {
    NoFolder(PathBuf),
    NotAFolder(PathBuf),
    NoMain(PathBuf),
    /// `--lang` names a translation the folder lacks.
    NoTranslation {
        file: PathBuf,
        available: Vec<String>,
    },
    /// The folder cannot be listed, or holds more than a letter can.
    Walk {
        dir: PathBuf,
        why: String,
    },
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            WorldError::NoFolder(dir) => write!(
                f,
                "letter folder `{}` does not exist (use --letter DIR to name another)",
                dir.display()
            ),
            WorldError::NotAFolder(path) => write!(
                f,
                "--letter `{}` is a file; name the letter's folder, which holds `{MAIN_FILE}`",
                path.display()
            ),
            WorldError::NoMain(main) => {
                write!(f, "letter folder has no `{MAIN_FILE}`: expected `{}`", main.display())
            }
            WorldError::NoTranslation { file, available } => {
                write!(f, "there is no translation `{}`", file.display())?;
                if available.is_empty() {
                    write!(f, "; the letter has none yet (add main.LANG.typ beside main.typ)")
                } else {
                    write!(f, "; the letter's translations are: {}", available.join(", "))
                }
            }
            WorldError::Walk { dir, why } => {
                write!(f, "letter folder `{}`: {why}", dir.display())
            }
        }
    }
}

impl std::error::Error for WorldError {}

/// Typst's standard library, made once per run: for pages, and for the web
/// (with the HTML export enabled).
static PAGED_LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));
static WEB_LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    let features = [typst::Feature::Html].into_iter().collect();
    LazyHash::new(Library::builder().with_features(features).build())
});

pub struct LetterWorld {
    /// The folder the letter may read (its project, or its own folder), as
    /// the user named it, for messages.
    root: PathBuf,
    /// That folder with links resolved: no file outside it is read.
    canonical_root: PathBuf,
    main: FileId,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
    library: &'static LazyHash<Library>,
    fonts: &'static Fonts,
    files: Mutex<HashMap<FileId, Slot>>,
}

impl LetterWorld {
    /// The world of one text of the letter in folder `letter`. A letter may
    /// read the files of its project folder (`project`, the folder of its
    /// signatories file: so several letters can share one style) when the
    /// letter folder is inside it, else only those of its own folder.
    pub fn new(
        letter: &Path,
        project: &Path,
        text: &Text,
        fonts: &'static Fonts,
        data: Bytes,
        date: LetterDate,
    ) -> Result<Self, WorldError> {
        let canonical_letter = letter_root(letter)?;
        let main = text.file();
        if !canonical_letter.join(&main).is_file() {
            let available = Text::translations(&canonical_letter)
                .into_iter()
                .filter_map(|t| match t {
                    Text::Translation(lang) => Some(lang),
                    Text::Original => None,
                })
                .collect();
            return Err(WorldError::NoTranslation { file: letter.join(main), available });
        }
        let project_dir = if project.as_os_str().is_empty() { Path::new(".") } else { project };
        let (root, canonical_root) = match project_dir.canonicalize() {
            Ok(project_root) if canonical_letter.starts_with(&project_root) => {
                (project.to_owned(), project_root)
            }
            _ => (letter.to_owned(), canonical_letter.clone()),
        };
        let inside = canonical_letter.strip_prefix(&canonical_root).expect("checked above");
        let main_path = inside.join(&main);
        let main_path = main_path.to_str().ok_or_else(|| WorldError::Walk {
            dir: letter.to_owned(),
            why: "its path is not UTF-8".into(),
        })?;
        Ok(Self {
            root,
            canonical_root,
            main: project_file(&format!("/{main_path}")),
            data_id: project_file(DATA_PATH),
            data,
            today: date.datetime(),
            library: &PAGED_LIBRARY,
            fonts,
            files: Mutex::new(HashMap::new()),
        })
    }

    /// The same world, for the web: Typst's HTML export enabled, and the data
    /// of the page (see [`crate::data::with_site`]).
    pub fn for_web(mut self, data: Bytes) -> Self {
        self.library = &WEB_LIBRARY;
        self.data = data;
        self
    }

    /// Replaces the generated data (signatories, date) for the next compile.
    pub fn set_data(&mut self, data: Bytes, date: LetterDate, fonts: &'static Fonts) {
        self.data = data;
        self.today = date.datetime();
        self.fonts = fonts;
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

    /// The files the last compile read from outside the letter folder `dir`
    /// (a style shared in the project), as the user would name them.
    pub fn read_outside(&self, dir: &Path) -> Vec<String> {
        let Ok(dir) = dir.canonicalize() else { return Vec::new() };
        let files = self.files.lock().expect("file cache lock");
        let mut outside: Vec<String> = files
            .iter()
            .filter(|(_, slot)| slot.fresh && matches!(slot.bytes, Some(Ok(_))))
            .filter(|(id, _)| self.path(**id).is_ok_and(|real| !real.starts_with(&dir)))
            .map(|(id, _)| self.name(*id))
            .collect();
        outside.sort();
        outside
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
        let real = path.canonicalize().map_err(|err| file_error(&path, ReadError::Io(err)))?;
        if !real.starts_with(&self.canonical_root) {
            return Err(FileError::Other(Some(typst::ecow::eco_format!(
                "`{}` leads outside the project folder `{}`, which is all a letter may read",
                path.display(),
                self.root.display()
            ))));
        }
        Ok(real)
    }

    fn with_slot<T>(&self, id: FileId, f: impl FnOnce(&mut Slot) -> T) -> FileResult<T> {
        let mut files = self.files.lock().expect("file cache lock");
        let slot = files.entry(id).or_default();
        if !slot.fresh {
            let read = self
                .path(id)
                .and_then(|path| files::read_regular(&path).map_err(|err| file_error(&path, err)));
            slot.update(read);
        }
        Ok(f(slot))
    }
}

/// A file that cannot be read, named with its path (Typst's own message for
/// a denied read names none).
fn file_error(path: &Path, err: ReadError) -> FileError {
    match err {
        ReadError::Io(err) if err.kind() == std::io::ErrorKind::NotFound => {
            FileError::NotFound(path.to_owned())
        }
        ReadError::Io(err) if err.kind() == std::io::ErrorKind::IsADirectory => {
            FileError::IsDirectory
        }
        err => FileError::Other(Some(typst::ecow::eco_format!("`{}`: {err}", path.display()))),
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
        return Err(WorldError::NotAFolder(dir.to_owned()));
    }
    if !root.join(MAIN_FILE).is_file() {
        return Err(WorldError::NoMain(dir.join(MAIN_FILE)));
    }
    Ok(root)
}

/// The most files a letter folder may hold: far more than any letter
/// needs, few enough that a link to `/` cannot stall a command.
pub const MAX_LETTER_FILES: usize = 10_000;

/// An entry of the letter folder, as the build would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// A regular file inside the folder, links resolved.
    Inside,
    /// A link that leads outside the folder: the build refuses to read it.
    Outside,
    /// A pipe, device or socket: nothing a letter can read.
    NotAFile,
}

/// One entry under the letter folder.
#[derive(Debug, Clone)]
pub struct LetterFile {
    /// The path as listed under the folder (through links, not resolved).
    pub path: PathBuf,
    pub reach: Reach,
}

/// Every file under the letter folder, recursively, in a stable order: what
/// `watch` looks at and `export-typst` copies. Links are followed only
/// while they stay inside the folder, each real folder once.
pub fn letter_files(dir: &Path) -> Result<Vec<LetterFile>, WorldError> {
    let walk_error = |why: String| WorldError::Walk { dir: dir.to_owned(), why };
    let root = dir.canonicalize().map_err(|err| walk_error(err.to_string()))?;
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::from([root.clone()]);
    let mut dirs = vec![dir.to_owned()];
    while let Some(current) = dirs.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|err| walk_error(format!("cannot list `{}`: {err}", current.display())))?;
        for entry in entries {
            let path = entry.map_err(|err| walk_error(err.to_string()))?.path();
            let reach = match path.canonicalize() {
                Ok(real) if !real.starts_with(&root) => Reach::Outside,
                Ok(real) if real.is_dir() => {
                    if seen.insert(real) {
                        dirs.push(path);
                    }
                    continue;
                }
                Ok(real) if real.is_file() => Reach::Inside,
                Ok(_) => Reach::NotAFile,
                // A dangling link reads as nothing; the build says so if used.
                Err(_) => continue,
            };
            files.push(LetterFile { path, reach });
            if files.len() > MAX_LETTER_FILES {
                return Err(walk_error(format!("holds more than {MAX_LETTER_FILES} files")));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}
