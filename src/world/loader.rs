//! Where a letter's files come from: its project folder, and nothing
//! outside it. typst-kit's `FileStore` caches what this loader reads (and
//! patches edited sources in place for `watch`); its own `FsRoot` is not
//! used, because a link inside the folder could lead it anywhere.

use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::Bytes;
use typst::syntax::{FileId, VirtualRoot};
use typst_kit::files::FileLoader;

use crate::files::{self, ReadError};

/// The regular files of one folder, links resolved and kept inside it.
pub struct ProjectFiles {
    /// The folder as the user named it, for messages.
    pub root: PathBuf,
    /// That folder with links resolved: no file outside it is read.
    pub canonical_root: PathBuf,
}

impl ProjectFiles {
    /// The real path of a file of the project.
    pub fn path(&self, id: FileId) -> FileResult<PathBuf> {
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
                self.shown_root().display()
            ))));
        }
        Ok(real)
    }
}

impl ProjectFiles {
    /// The folder as messages name it: as the user named it, unless that is
    /// the current folder, which has no name of its own to show.
    fn shown_root(&self) -> &Path {
        let here = self.root.as_os_str().is_empty() || self.root == Path::new(".");
        if here { &self.canonical_root } else { &self.root }
    }
}

impl FileLoader for ProjectFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let path = self.path(id)?;
        files::read_regular(&path).map(Bytes::new).map_err(|err| file_error(&path, err))
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
