//! The error of a whole command: one variant per stage of the pipeline, each
//! wrapping that stage's own error type. `report` turns them into text.

use std::fmt;

use crate::console::StdoutError;
use crate::fonts::FontError;
use crate::inputs::MissingGlyph;
use crate::ledger::LedgerError;
use crate::letter::LetterError;
use crate::output::{FolderError, WriteError};
use crate::signatories::edit::EditError;
use crate::signatories::import::ImportError;
use crate::signatories::{LoadError, Signatories};

#[derive(Debug)]
pub enum Error {
    /// A command-line value that does not make sense.
    Usage(String),
    Signatories(LoadError),
    /// Characters in the signatories that no bundled font can print.
    Glyphs {
        list: Box<Signatories>,
        missing: Vec<MissingGlyph>,
    },
    Letter(LetterError),
    /// A font of the project's that cannot be used.
    Fonts(FontError),
    /// Typst's diagnostics, rendered by `report` while their world existed,
    /// and how many errors they hold.
    Typst {
        rendered: String,
        errors: usize,
    },
    Write(WriteError),
    /// An edit of the signatories file that was refused.
    Refused(String),
    Import(ImportError),
    /// The private ledger could not be read or written: nothing was changed.
    Ledger(LedgerError),
    Stdout(StdoutError),
}

impl Error {
    /// 2 when an input could not be read at all; 3 when the command's
    /// change is made but stdout could not be written; 1 for everything
    /// else (nothing was changed).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Stdout(_) if crate::console::has_changed() => 3,
            Error::Signatories(LoadError::Read { .. } | LoadError::Syntax { .. })
            | Error::Letter(_)
            | Error::Fonts(_)
            | Error::Import(_)
            | Error::Ledger(_) => 2,
            _ => 1,
        }
    }
}

impl From<StdoutError> for Error {
    fn from(err: StdoutError) -> Self {
        Error::Stdout(err)
    }
}

impl From<LoadError> for Error {
    fn from(err: LoadError) -> Self {
        Error::Signatories(err)
    }
}

impl From<FolderError> for Error {
    fn from(err: FolderError) -> Self {
        match err {
            FolderError::Refused(why) => Error::Refused(why),
            FolderError::Write(err) => Error::Write(err),
        }
    }
}

impl From<LetterError> for Error {
    fn from(err: LetterError) -> Self {
        Error::Letter(err)
    }
}

impl From<WriteError> for Error {
    fn from(err: WriteError) -> Self {
        Error::Write(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::Usage(message) => f.write_str(message),
            Error::Typst { .. } => f.write_str("the letter did not compile"),
            Error::Stdout(err) if crate::console::has_changed() => {
                write!(f, "{err}; the change itself was made (exit code 3)")
            }
            Error::Stdout(err) => err.fmt(f),
            Error::Letter(err) => err.fmt(f),
            Error::Fonts(err) => err.fmt(f),
            Error::Write(err) => err.fmt(f),
            Error::Refused(why) => f.write_str(why),
            Error::Import(err) => err.fmt(f),
            Error::Ledger(err) => err.fmt(f),
            Error::Signatories(LoadError::Read { path, error }) => {
                write!(f, "cannot read signatories file `{}`: {error}", path.display())
            }
            Error::Signatories(LoadError::Syntax { path, .. }) => {
                write!(f, "`{}` is not valid TOML", path.display())
            }
            Error::Signatories(LoadError::Invalid { path, problems, .. }) => {
                write!(f, "`{}` has {}", path.display(), plural(problems.len(), "problem"))
            }
            Error::Glyphs { list, missing } => write!(
                f,
                "`{}` has {} the bundled fonts cannot print",
                list.path.display(),
                plural(missing.len(), "character")
            ),
        }
    }
}

impl std::error::Error for Error {}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

impl From<EditError> for Error {
    fn from(err: EditError) -> Self {
        match err {
            EditError::Load(err) => Error::Signatories(err),
            EditError::Write(err) => Error::Write(err),
            EditError::NotWritable(path) => Error::Refused(format!(
                "nothing changed: `{}` can be read but not written (check its permissions)",
                path.display()
            )),
            EditError::Shape(why) => Error::Refused(format!("nothing changed: {why}")),
            EditError::Verify(why) => {
                Error::Refused(format!("edit abandoned, file unchanged: {why}"))
            }
        }
    }
}

impl From<LedgerError> for Error {
    fn from(err: LedgerError) -> Self {
        Error::Ledger(err)
    }
}

impl From<ImportError> for Error {
    fn from(err: ImportError) -> Self {
        Error::Import(err)
    }
}
