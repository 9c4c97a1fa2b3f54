//! Reading a sign-on form's CSV export into entries to add.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Kind;
use super::edit::NewEntry;

/// Which column holds what; `None` means "recognise it by its header".
#[derive(Debug, Default, Clone)]
pub struct Columns {
    pub name: Option<String>,
    pub affiliation: Option<String>,
    pub kind: Option<String>,
    pub url: Option<String>,
}

/// Headers recognised when no column is named, compared case-insensitively.
const NAME_HEADERS: &[&str] = &["name", "full name", "signatory", "signatory name"];
const AFFILIATION_HEADERS: &[&str] =
    &["affiliation", "organisation", "organization", "institution"];
const KIND_HEADERS: &[&str] = &["type", "kind", "signing as", "category"];
const URL_HEADERS: &[&str] = &["url", "website", "web site", "link"];

/// A row that became an entry to add, with the line it came from.
pub struct Row {
    pub line: u64,
    pub entry: NewEntry,
}

/// A row that cannot be an entry, and why.
pub struct Rejected {
    pub line: u64,
    pub why: String,
}

#[derive(Debug)]
pub enum ImportError {
    Read { path: PathBuf, error: csv::Error },
    NoColumn { path: PathBuf, what: &'static str, wanted: String, headers: Vec<String> },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ImportError::Read { path, error } => {
                write!(f, "cannot read `{}`: {error}", path.display())
            }
            ImportError::NoColumn { path, what, wanted, headers } => write!(
                f,
                "`{}` has no {what} column ({wanted}); its headers are: {}",
                path.display(),
                headers.join(", ")
            ),
        }
    }
}

/// Reads every row; rows that cannot be entries are returned as rejected.
pub fn read(path: &Path, columns: &Columns) -> Result<(Vec<Row>, Vec<Rejected>), ImportError> {
    let read_error = |error| ImportError::Read { path: path.to_owned(), error };
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(read_error)?;
    let headers: Vec<String> =
        reader.headers().map_err(read_error)?.iter().map(|h| h.trim().to_owned()).collect();
    let find = |what: &'static str, given: &Option<String>, known: &[&str], required: bool| {
        let index = match given {
            Some(name) => headers.iter().position(|h| h.eq_ignore_ascii_case(name)),
            None => headers.iter().position(|h| known.iter().any(|k| h.eq_ignore_ascii_case(k))),
        };
        match (index, given) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(name)) => Err(no_column(path, what, format!("`{name}`"), &headers)),
            (None, None) if required => {
                Err(no_column(path, what, format!("headed {}", known.join(" or ")), &headers))
            }
            (None, None) => Ok(None),
        }
    };
    let name_col = find("name", &columns.name, NAME_HEADERS, true)?.expect("required");
    let affiliation_col = find("affiliation", &columns.affiliation, AFFILIATION_HEADERS, false)?;
    let kind_col = find("kind", &columns.kind, KIND_HEADERS, false)?;
    let url_col = find("url", &columns.url, URL_HEADERS, false)?;

    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for record in reader.records() {
        let record = record.map_err(read_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let kind = match kind_col {
            None => Ok(Kind::Individual),
            Some(i) => parse_kind(record.get(i).unwrap_or("").trim()),
        };
        let kind = match kind {
            Ok(kind) => kind,
            Err(why) => {
                rejected.push(Rejected { line, why });
                continue;
            }
        };
        let Some(name) = cell(Some(name_col)) else {
            rejected.push(Rejected { line, why: "the name is empty".into() });
            continue;
        };
        let mut affiliation = cell(affiliation_col);
        // Forms often repeat an organisation's name in its "Organisation" column.
        if kind == Kind::Organisation && affiliation.as_deref() == Some(name.as_str()) {
            affiliation = None;
        }
        let entry = NewEntry { kind, name, affiliation, url: cell(url_col), sort_as: None };
        match entry.problems() {
            Some(why) => {
                rejected.push(Rejected { line, why: format!("\"{}\": {why}", entry.name) })
            }
            None => rows.push(Row { line, entry }),
        }
    }
    Ok((rows, rejected))
}

fn no_column(path: &Path, what: &'static str, wanted: String, headers: &[String]) -> ImportError {
    ImportError::NoColumn { path: path.to_owned(), what, wanted, headers: headers.to_vec() }
}

fn parse_kind(value: &str) -> Result<Kind, String> {
    match value.to_lowercase().as_str() {
        "organisation" | "organization" | "org" | "company" | "group" => Ok(Kind::Organisation),
        "individual" | "person" | "expert" | "individual expert" => Ok(Kind::Individual),
        "" => Err("the kind is empty (expected organisation or individual)".into()),
        other => Err(format!("unknown kind \"{other}\" (expected organisation or individual)")),
    }
}
