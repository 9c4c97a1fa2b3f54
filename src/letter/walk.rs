//! Every file under a letter folder, as a build would see it: what `watch`
//! looks at, `export-typst` copies and the font choice reads.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::LetterError;

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

/// Every file under the letter folder, recursively, sorted by path. Links
/// are followed only while they stay inside the folder, each real folder
/// once; a dangling link is passed over (the build says so if it is used).
pub fn letter_files(dir: &Path) -> Result<Vec<LetterFile>, LetterError> {
    let walk_error = |why: String| LetterError::Walk { dir: dir.to_owned(), why };
    let root = dir.canonicalize().map_err(|err| walk_error(err.to_string()))?;
    let mut seen = HashSet::from([root.clone()]);
    let mut files = Vec::new();
    let mut walk = WalkDir::new(dir).min_depth(1).follow_links(true).into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            // A link back to a folder above it: that folder is walked already.
            Err(err) if err.loop_ancestor().is_some() => continue,
            Err(err) if is_dangling(&err) => continue,
            Err(err) => {
                let place = err.path().unwrap_or(dir).display().to_string();
                let why = err.io_error().map_or_else(|| err.to_string(), ToString::to_string);
                return Err(walk_error(format!("cannot list `{place}`: {why}")));
            }
        };
        let path = entry.path();
        let reach = match path.canonicalize() {
            Ok(real) if !real.starts_with(&root) => {
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                Reach::Outside
            }
            Ok(real) if entry.file_type().is_dir() => {
                if !seen.insert(real) {
                    walk.skip_current_dir();
                }
                continue;
            }
            Ok(real) if real.is_file() => Reach::Inside,
            Ok(_) => Reach::NotAFile,
            Err(_) => continue,
        };
        files.push(LetterFile { path: path.to_owned(), reach });
        if files.len() > MAX_LETTER_FILES {
            return Err(walk_error(format!("holds more than {MAX_LETTER_FILES} files")));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Whether a walk error is a link to nothing.
fn is_dangling(err: &walkdir::Error) -> bool {
    let missing = err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    missing && err.path().is_some_and(|p| p.symlink_metadata().is_ok_and(|m| m.is_symlink()))
}
