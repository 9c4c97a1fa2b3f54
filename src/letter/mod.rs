//! The letter folder on disk: its texts (the original `main.typ` and its
//! translations `main.LANG.typ`) and the files a build may read.

pub mod language;
pub mod starter;
mod walk;

use std::fmt;
use std::path::{Path, PathBuf};

pub use walk::{Reach, letter_files};

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

    /// The folder of its page in a published site: the original's at the
    /// top, each translation's in a folder named by its language.
    pub fn site_folder(&self) -> String {
        match self {
            Text::Original => String::new(),
            Text::Translation(lang) => format!("{lang}/"),
        }
    }

    /// The translations in a letter folder, by language tag, sorted.
    pub fn translations(dir: &Path) -> Vec<Text> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut langs: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| {
                let lang = name.strip_prefix("main.")?.strip_suffix(".typ")?.to_owned();
                crate::lang::is_tag(&lang).then_some(lang)
            })
            .collect();
        langs.sort();
        langs.into_iter().map(Text::Translation).collect()
    }

    /// The original and every translation in a letter folder.
    pub fn all(dir: &Path) -> Vec<Text> {
        std::iter::once(Text::Original).chain(Text::translations(dir)).collect()
    }
}

/// Why a letter folder cannot be used at all.
#[derive(Debug)]
pub enum LetterError {
    NoFolder(PathBuf),
    NotAFolder(PathBuf),
    NoMain(PathBuf),
    /// `--lang` names a translation the folder lacks.
    NoTranslation {
        file: PathBuf,
        available: Vec<String>,
    },
    /// A text's file is there, but is no file: a folder, a pipe, a device.
    NotAFile {
        file: PathBuf,
        what: &'static str,
    },
    /// Two translations of one language, its tag spelt two ways
    /// (`main.en-GB.typ` and `main.en-gb.typ`): which is the text is not
    /// for us to guess.
    SameLanguage {
        files: Vec<PathBuf>,
    },
    /// A translation's tag spelt otherwise than its canonical way, which
    /// every other place spells canonically (`--lang en-GB`, `{lang}`).
    Misspelt {
        file: PathBuf,
        canonical: PathBuf,
    },
    /// The folder cannot be listed, or holds more than a letter can.
    Walk {
        dir: PathBuf,
        why: String,
    },
}

impl fmt::Display for LetterError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LetterError::NoFolder(dir) => write!(
                f,
                "letter folder `{}` does not exist (use --letter DIR to name another)",
                dir.display()
            ),
            LetterError::NotAFolder(path) => write!(
                f,
                "--letter `{}` is a file; name the letter's folder, which holds `{MAIN_FILE}`",
                path.display()
            ),
            LetterError::NoMain(main) => {
                write!(f, "letter folder has no `{MAIN_FILE}`: expected `{}`", main.display())
            }
            LetterError::NoTranslation { file, available } => {
                write!(f, "there is no translation `{}`", file.display())?;
                if available.is_empty() {
                    write!(f, "; the letter has none yet (add main.LANG.typ beside main.typ)")
                } else {
                    write!(f, "; the letter's translations are: {}", available.join(", "))
                }
            }
            LetterError::NotAFile { file, what } => {
                write!(
                    f,
                    "`{}` is {what}, not a file: a text is a file of Typst markup",
                    file.display()
                )
            }
            LetterError::SameLanguage { files } => {
                let names: Vec<String> =
                    files.iter().map(|file| format!("`{}`", file.display())).collect();
                write!(
                    f,
                    "{} are one language in two files (tags ignore case): keep one of them",
                    names.join(" and ")
                )
            }
            LetterError::Misspelt { file, canonical } => write!(
                f,
                "`{}` names its language otherwise than language tags are written: rename it \
                 `{}`",
                file.display(),
                canonical.display()
            ),
            LetterError::Walk { dir, why } => {
                write!(f, "letter folder `{}`: {why}", dir.display())
            }
        }
    }
}

impl std::error::Error for LetterError {}

/// The letter folder with links resolved, once it is known to be a folder
/// holding a `main.typ`.
pub fn letter_root(dir: &Path) -> Result<PathBuf, LetterError> {
    let root = dir.canonicalize().map_err(|_| LetterError::NoFolder(dir.to_owned()))?;
    if !root.is_dir() {
        return Err(LetterError::NotAFolder(dir.to_owned()));
    }
    if !root.join(MAIN_FILE).is_file() {
        let main = dir.join(MAIN_FILE);
        return Err(match not_a_file(&root.join(MAIN_FILE)) {
            Some(what) => LetterError::NotAFile { file: main, what },
            None => LetterError::NoMain(main),
        });
    }
    Ok(root)
}

/// Refuses a translation whose tag is spelt otherwise than its canonical
/// way (`main.en-gb.typ`), which would be passed over: as one language in
/// two files when the canonical one is there too, else naming the spelling.
fn misspelt_translations(dir: &Path, root: &Path) -> Result<(), LetterError> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(()) };
    let mut tags: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some(name.strip_prefix("main.")?.strip_suffix(".typ")?.to_owned()))
        .collect();
    tags.sort();
    for tag in &tags {
        let Ok(id) = icu_locale_core::LanguageIdentifier::try_from_str(tag) else { continue };
        let canonical = id.to_string();
        if canonical == *tag || !crate::lang::is_tag(&canonical) {
            continue;
        }
        let file = |tag: &str| dir.join(Text::Translation(tag.to_owned()).file());
        return Err(if tags.contains(&canonical) {
            LetterError::SameLanguage { files: vec![file(&canonical), file(tag)] }
        } else {
            LetterError::Misspelt { file: file(tag), canonical: file(&canonical) }
        });
    }
    Ok(())
}

/// What is at `path` when it is there but is not a regular file (links
/// followed), in words.
fn not_a_file(path: &Path) -> Option<&'static str> {
    let Ok(meta) = std::fs::metadata(path) else {
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
        return link.then_some("a link to nothing");
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a pipe (FIFO)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// The folder of `text` with links resolved, refusing a translation the
/// letter lacks (naming those it has).
pub fn text_root(dir: &Path, text: &Text) -> Result<PathBuf, LetterError> {
    let root = letter_root(dir)?;
    let main = text.file();
    let is_file = root.join(&main).is_file();
    if !is_file && let Some(what) = not_a_file(&root.join(&main)) {
        return Err(LetterError::NotAFile { file: dir.join(main), what });
    }
    misspelt_translations(dir, &root)?;
    if !is_file {
        let available = Text::translations(&root)
            .into_iter()
            .filter_map(|t| match t {
                Text::Translation(lang) => Some(lang),
                Text::Original => None,
            })
            .collect();
        return Err(LetterError::NoTranslation { file: dir.join(main), available });
    }
    Ok(root)
}
