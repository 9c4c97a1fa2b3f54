//! Reading a sign-on form's export (CSV from Google Forms, Microsoft Forms,
//! Typeform, a spreadsheet) into entries to add.
//!
//! Exports come as they come: comma, semicolon or tab separated; UTF-8 with
//! or without a byte-order mark, UTF-16, or Windows-1252 from an older
//! spreadsheet; LF or CRLF. Line numbers are the file's physical lines. A
//! row that cannot be read is rejected with its line and the reason, and
//! the rows after it still import: a quote left open never swallows them.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Kind, Signatory};
use crate::files::{self, ReadError};

mod columns;
mod decode;
mod records;
pub mod saved;
mod vocabulary;

use columns::Found;
pub use columns::{Columns, Identity};
use decode::decode;
use records::{Records, detect_delimiter};

/// How to read the file.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub columns: Columns,
    /// The field separator; detected from the header when not given.
    pub delimiter: Option<char>,
    /// Kind values the form uses beyond the known ones, lower-cased.
    pub kind_map: Vec<(String, Kind)>,
    /// The file's encoding; recognised when not given.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// How forms were read before, used for a form with the same headers
    /// when no column is named.
    pub saved: Vec<saved::Saved>,
}

/// A row that became an entry to add, with the line it starts on.
pub struct Row {
    pub line: usize,
    pub entry: Signatory,
    /// What was repaired on the way, to be said.
    pub repaired: Option<String>,
    /// Who sent it and when: for the private ledger only.
    pub identity: Identity,
}

/// A row that cannot be an entry, and why.
pub struct Rejected {
    pub line: usize,
    pub why: String,
}

/// What a file held.
pub struct Table {
    pub rows: Vec<Row>,
    pub rejected: Vec<Rejected>,
    /// How the file was decoded, when that is worth saying.
    pub encoding_note: Option<String>,
    /// Which column holds what: `name = "Prénom" + "Nom", kind = "Type"`.
    pub columns: String,
    /// Whether the name is joined from several columns.
    pub joined: bool,
    /// The header row, as the form wrote it.
    pub headers: Vec<String>,
    /// Whether the columns were read as saved for this form.
    pub from_saved: bool,
}

#[derive(Debug)]
pub enum ImportError {
    Read {
        path: PathBuf,
        error: ReadError,
    },
    Encoding {
        path: PathBuf,
        why: String,
    },
    Empty {
        path: PathBuf,
    },
    /// A header row and nothing under it: an export made before anyone
    /// signed, or a file whose line ends were not read as such.
    NoRows {
        path: PathBuf,
    },
    NoColumn {
        path: PathBuf,
        what: &'static str,
        wanted: String,
        headers: Vec<String>,
    },
    /// Which columns hold the name cannot be told from the headers; `name`
    /// is the columns most likely meant, to suggest.
    Unclear {
        path: PathBuf,
        why: String,
        headers: Vec<String>,
        name: Option<Vec<String>>,
    },
    /// The project's settings file cannot be read.
    Settings(saved::SettingsError),
    /// Several columns could be the one meant: (1-based index, header);
    /// `alike` when their headers are the same, so no flag can choose.
    TwoColumns {
        path: PathBuf,
        what: &'static str,
        alike: bool,
        columns: Vec<(usize, String)>,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ImportError::Read { path, error } => {
                write!(f, "cannot read `{}`: {error}", path.display())
            }
            ImportError::Encoding { path, why } => {
                write!(f, "cannot read `{}`: {why}", path.display())
            }
            ImportError::Empty { path } => write!(f, "`{}` has no header row", path.display()),
            ImportError::NoRows { path } => write!(
                f,
                "`{}` has a header row and no row under it: nothing to import",
                path.display()
            ),
            ImportError::NoColumn { path, what, wanted, headers } => write!(
                f,
                "`{}` has no {what} column ({wanted}); its headers are: {}",
                path.display(),
                headers.join(", ")
            ),
            ImportError::Settings(saved::SettingsError { path, why }) => {
                write!(f, "cannot read `{}`: {why}", path.display())
            }
            ImportError::Unclear { path, why, headers, name } => {
                let numbered: Vec<String> = (headers.iter().enumerate())
                    .map(|(i, h)| format!("{} \"{}\"", i + 1, shorten(h)))
                    .collect();
                write!(
                    f,
                    "cannot tell which columns of `{}` hold the name: {why}; its headers are {}; \
                     say which with --map name=",
                    path.display(),
                    numbered.join(", ")
                )?;
                match name {
                    Some(columns) => {
                        let quoted: Vec<String> =
                            columns.iter().map(|c| format!("\"{}\"", shorten(c))).collect();
                        write!(f, "{}", quoted.join("+"))
                    }
                    None => f.write_str("\"HEADER\" (or \"GIVEN\"+\"FAMILY\")"),
                }
            }
            ImportError::TwoColumns { path, what, alike, columns } => {
                let list = columns
                    .iter()
                    .map(|(i, header)| format!("\"{}\" (column {i})", shorten(header)))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let path = path.display();
                if *alike {
                    write!(
                        f,
                        "`{path}` has {} columns headed alike: {list}; rename one",
                        columns.len()
                    )
                } else {
                    let field = if *what == "sort" { "sort-as" } else { what };
                    let first = &columns[0].1;
                    write!(
                        f,
                        "`{path}` has {} {what} columns: {list}; say which to use, as in \
                         --map {field}=\"{}\"",
                        columns.len(),
                        shorten(first)
                    )
                }
            }
        }
    }
}

/// Reads every row; rows that cannot be entries are returned as rejected.
pub fn read(path: &Path, options: &Options) -> Result<Table, ImportError> {
    let bytes = files::read_regular(path)
        .map_err(|error| ImportError::Read { path: path.to_owned(), error })?;
    let (text, recognised) = decode(&bytes, options.encoding)
        .map_err(|why| ImportError::Encoding { path: path.to_owned(), why })?;
    let encoding_note = recognised.map(|encoding| {
        format!(
            "`{}` is not UTF-8: read as {} (recognised from its text; --encoding names another)",
            path.display(),
            encoding.name()
        )
    });
    let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let mut records = Records { text: &text, pos: 0, line: 1, delimiter, width: 0 };
    let header = loop {
        match records.next() {
            None => return Err(ImportError::Empty { path: path.to_owned() }),
            Some(Ok(record)) if record.fields.iter().all(|f| f.trim().is_empty()) => continue,
            Some(Ok(record)) => break record.fields,
            Some(Err(_)) => return Err(ImportError::Empty { path: path.to_owned() }),
        }
    };
    records.width = header.len();
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let named = options.columns != Columns::default();
    let saved = options.saved.iter().find(|s| !named && s.headers == headers);
    let given = saved.map_or(&options.columns, |s| &s.columns);
    let columns = Found::find(path, &headers, given)?;
    let kind_map: Vec<(String, Kind)> = (options.kind_map.iter())
        .chain(saved.iter().flat_map(|s| s.kind_map.iter()))
        .cloned()
        .collect();

    let mut table = Table {
        rows: Vec::new(),
        rejected: Vec::new(),
        encoding_note,
        columns: columns.describe(&headers),
        joined: columns.joined(),
        headers: headers.clone(),
        from_saved: saved.is_some(),
    };
    let width = records.width;
    let mut any = false;
    for record in records {
        any = true;
        let record = match record {
            Ok(record) => record,
            Err(rejected) => {
                table.rejected.push(rejected);
                continue;
            }
        };
        if record.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.fields.len() < width
            && let Some(other) = record.other_delimiter
        {
            let why = format!(
                "the row has {} of the header's {} columns and holds {}: it seems separated \
                 by {} while the header is separated by {} (--delimiter chooses one)",
                record.fields.len(),
                width,
                describe_delimiter(other),
                describe_delimiter(other),
                describe_delimiter(delimiter)
            );
            table.rejected.push(Rejected { line: record.line, why });
            continue;
        }
        match columns.entry(&record.fields, &kind_map) {
            // Not echoed: an address is private, wherever it was written.
            Ok(entry) if let Some(field) = address_in(&entry) => table.rejected.push(Rejected {
                line: record.line,
                why: format!(
                    "the {field} looks like an e-mail address, which the list would publish: \
                     the row is left out"
                ),
            }),
            Ok(entry) => match entry.problem().or_else(|| suspicious(&entry)) {
                Some(why) => table.rejected.push(Rejected {
                    line: record.line,
                    why: format!("\"{}\": {why}", shorten(&entry.name).escape_debug()),
                }),
                None => {
                    let given = columns.url(&record.fields);
                    let repaired = (entry.url.as_deref().zip(given))
                        .filter(|(url, given)| url != given)
                        .map(|(url, given)| format!("the link \"{given}\" was read as {url}"));
                    let identity = columns.identity(&record.fields);
                    table.rows.push(Row { line: record.line, entry, repaired, identity })
                }
            },
            Err(why) => table.rejected.push(Rejected { line: record.line, why }),
        }
    }
    if !any || table.rows.is_empty() && table.rejected.is_empty() {
        return Err(ImportError::NoRows { path: path.to_owned() });
    }
    Ok(table)
}

/// The field of an entry that holds what looks like an e-mail address.
fn address_in(entry: &Signatory) -> Option<&'static str> {
    entry.fields().find_map(|(key, text)| {
        let (user, host) = text.trim().split_once('@')?;
        let plain = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        (plain(user) && plain(host) && host.contains('.') && !text.contains("://")).then_some(key)
    })
}

/// What looks wrong in a row's entry though it can be listed, each with
/// the fix: a name in capitals, family name first, an honorific in the
/// name, two spaces in a row.
pub fn warnings(entry: &Signatory) -> Vec<String> {
    let name = entry.name.as_str();
    let shown = shorten(name);
    let mut found = Vec::new();
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let cased = letters.iter().any(|c| c.is_uppercase() || c.is_lowercase());
    if entry.kind == Kind::Individual
        && cased
        && letters.len() > 3
        && letters.iter().all(|c| !c.is_lowercase())
    {
        found.push(format!(
            "\"{shown}\" is in capitals: write it as the person does (signatories edit \
             \"{shown}\" --name …)"
        ));
    }
    if entry.kind == Kind::Individual
        && let Some((family, given)) = name.split_once(',')
        && !given.contains(',')
        && !family.trim().is_empty()
        && !given.trim().is_empty()
    {
        found.push(format!(
            "\"{shown}\" looks like family name first: the letter prints \"{} {}\" only if \
             written so",
            given.trim(),
            family.trim()
        ));
    }
    let first = name.split_whitespace().next().unwrap_or("");
    let bare = first.trim_end_matches('.').to_lowercase();
    if entry.kind == Kind::Individual && super::fold::HONORIFICS.contains(&bare.as_str()) {
        found.push(format!(
            "\"{shown}\" starts with the honorific \"{first}\": keep it only if the letter \
             prints titles for everyone"
        ));
    }
    if name.contains("  ") {
        found.push(format!("\"{shown}\" has two spaces in a row"));
    }
    found
}

/// Why a row's text should not be taken from a form unseen: a value a
/// spreadsheet would run as a formula, or a bidirectional control that
/// makes a name display other than it reads. (`check` reports them too.)
fn suspicious(entry: &Signatory) -> Option<String> {
    entry.fields().find_map(|(key, text)| {
        if super::starts_like_formula(text) {
            Some(format!("`{key}` starts like a spreadsheet formula"))
        } else {
            text.chars()
                .find(|c| super::fold::is_bidi_control(*c))
                .map(|c| format!("`{key}` has a bidirectional control (U+{:04X})", c as u32))
        }
    })
}

/// A separator as a message names it.
fn describe_delimiter(delimiter: char) -> &'static str {
    match delimiter {
        ',' => "commas",
        ';' => "semicolons",
        '\t' => "tabs",
        _ => "another character",
    }
}

/// The characters of a value a message shows: a pasted page is not echoed
/// whole.
const SHOWN_CHARS: usize = 80;

/// `text`, cut to its first [`SHOWN_CHARS`] characters if longer, saying so.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => {
            format!("{}… ({} characters in all)", &text[..cut], text.chars().count())
        }
    }
}
