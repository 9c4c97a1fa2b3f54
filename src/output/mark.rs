//! The `.openletter` file in a folder openletter wrote: what kind of folder
//! it is (a site, a Typst export) and the sha256 of every file it wrote
//! there. A later run replaces only a folder of its own kind, only the files
//! the record names, and only while they hold what was written: anything
//! else in the folder is the user's.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The record's file name, in the folder it describes.
pub const MARK: &str = ".openletter";

/// What a marked folder holds, and so which command may write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `publish` (and `watch --publish`).
    Site,
    /// `export-typst`.
    TypstExport,
    /// `new`: the user's from the start, so never marked, and written only
    /// into a new or empty folder.
    #[serde(skip)]
    Project,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Site => "a web site written by `openletter publish`",
            Kind::TypstExport => "a Typst project written by `openletter export-typst`",
            Kind::Project => "a letter project written by `openletter new`",
        }
    }
}

/// The record itself, as JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    /// For whoever opens the file.
    #[serde(default)]
    about: String,
    pub kind: Kind,
    /// Each file written, by its `/`-separated path inside the folder, with
    /// the sha256 of what was written: two while a replacement is under way,
    /// so that a run cut short leaves every file recognised as openletter's.
    pub files: BTreeMap<String, Vec<String>>,
}

const ABOUT: &str = "openletter wrote the files listed here; it replaces them (and only them, \
                     while unchanged) on its next run, and keeps every other file";

/// The first words of the plain-text mark of openletter before the record.
const EARLIER: &str = "written whole by openletter";

impl Mark {
    pub fn new(kind: Kind) -> Self {
        Mark { about: ABOUT.to_owned(), kind, files: BTreeMap::new() }
    }

    /// Whether the record says openletter wrote what has hash `sha256` at
    /// `key`.
    pub fn wrote(&self, key: &str, sha256: &str) -> bool {
        self.files.get(key).is_some_and(|hashes| hashes.iter().any(|h| h == sha256))
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("the record serialises");
        json.push(b'\n');
        json
    }
}

/// Why a folder's `.openletter` cannot be believed.
#[derive(Debug)]
pub enum Unreadable {
    /// The plain mark of an earlier openletter, which did not record which
    /// files it wrote.
    Earlier,
    Invalid(String),
}

/// The record in `dir`, if it has one.
pub fn read(dir: &Path) -> Result<Option<Mark>, Unreadable> {
    let path = dir.join(MARK);
    match fs::symlink_metadata(&path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Unreadable::Invalid(err.to_string())),
        Ok(meta) if !meta.is_file() => {
            return Err(Unreadable::Invalid("it is not a regular file".into()));
        }
        Ok(_) => {}
    }
    let bytes = crate::files::read_regular(&path)
        .map_err(|err| Unreadable::Invalid(format!("cannot read it: {err}")))?;
    if bytes.starts_with(EARLIER.as_bytes()) {
        return Err(Unreadable::Earlier);
    }
    let mark: Mark = serde_json::from_slice(&bytes)
        .map_err(|err| Unreadable::Invalid(format!("it is not openletter's record: {err}")))?;
    if let Some(key) = mark.files.keys().find(|key| relative(key).is_none()) {
        return Err(Unreadable::Invalid(format!(
            "it names `{key}`, which is not inside the folder"
        )));
    }
    Ok(Some(mark))
}

/// A record's key as a path inside the folder: plain names only, so an
/// edited record cannot point outside it.
pub fn relative(key: &str) -> Option<PathBuf> {
    let path = Path::new(key);
    let plain = !key.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| path.to_owned())
}

/// A path inside the folder as the record's key.
pub fn key(relative: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/"))
}
