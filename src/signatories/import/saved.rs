//! The columns of each form, as an import was told to read them, kept in
//! the project's `openletter.toml` so that the next export of the same form
//! needs no flags. A form is known by its exact header row.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, value};

use super::Columns;
use crate::output::{Durability, Staged, WriteError, replace_contents};
use crate::signatories::Kind;

/// The project's settings file, beside the list.
pub const FILE: &str = "openletter.toml";

/// How one form is read.
#[derive(Debug, Clone, Default)]
pub struct Saved {
    pub headers: Vec<String>,
    pub columns: Columns,
    pub kind_map: Vec<(String, Kind)>,
}

/// Why the settings could not be read or written.
#[derive(Debug)]
pub struct SettingsError {
    pub path: PathBuf,
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    import: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Entry {
    headers: Vec<String>,
    name: Option<String>,
    affiliation: Option<String>,
    organisation: Option<String>,
    kind: Option<String>,
    url: Option<String>,
    sort_as: Option<String>,
    #[serde(default)]
    kind_map: std::collections::BTreeMap<String, String>,
}

/// Where the settings of the project whose list is `signatories` are.
pub fn path_of(signatories: &Path) -> PathBuf {
    let project = signatories.parent().filter(|p| !p.as_os_str().is_empty());
    project.unwrap_or(Path::new(".")).join(FILE)
}

/// The forms' saved columns; none when there is no settings file.
pub fn load(path: &Path) -> Result<Vec<Saved>, SettingsError> {
    let fail = |why: String| SettingsError { path: path.to_owned(), why };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fail(e.to_string())),
    };
    let file: File = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let mut saved = Vec::new();
    for entry in file.import {
        let mut kind_map = Vec::new();
        for (form_value, kind) in entry.kind_map {
            let kind = Kind::from_key(&kind).ok_or_else(|| {
                fail(format!(
                    "kind-map gives `{kind}` for \"{form_value}\": organisation or individual"
                ))
            })?;
            kind_map.push((form_value.to_lowercase(), kind));
        }
        saved.push(Saved {
            headers: entry.headers,
            columns: Columns {
                name: entry.name,
                affiliation: entry.affiliation,
                organisation: entry.organisation,
                kind: entry.kind,
                url: entry.url,
                sort_as: entry.sort_as,
            },
            kind_map,
        });
    }
    Ok(saved)
}

/// Saves how a form is read, replacing what was saved for the same headers
/// and keeping everything else in the file as it was written.
pub fn save(path: &Path, form: &Saved) -> Result<(), SettingsError> {
    let fail = |why: String| SettingsError { path: path.to_owned(), why };
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e.to_string())),
    };
    let mut doc: DocumentMut = match &existing {
        Some(text) => text.parse().map_err(|e: toml_edit::TomlError| fail(e.to_string()))?,
        None => "# How `openletter signatories import` reads each form's export: written\n\
                 # by it when --map or --kind-map is given, read when the headers match.\n"
            .parse()
            .expect("a comment is TOML"),
    };
    let forms = doc
        .entry("import")
        .or_insert_with(|| Item::ArrayOfTables(Default::default()))
        .as_array_of_tables_mut()
        .ok_or_else(|| fail("`import` must be a list of [[import]] tables".into()))?;
    let same = |table: &Table| {
        table.get("headers").and_then(Item::as_array).is_some_and(|headers| {
            headers.iter().map(|h| h.as_str()).eq(form.headers.iter().map(|h| Some(h.as_str())))
        })
    };
    let mut table = Table::new();
    table.insert("headers", value(form.headers.iter().collect::<Array>()));
    let c = &form.columns;
    let fields = [
        ("name", &c.name),
        ("affiliation", &c.affiliation),
        ("organisation", &c.organisation),
        ("kind", &c.kind),
        ("url", &c.url),
        ("sort-as", &c.sort_as),
    ];
    for (key, column) in fields {
        if let Some(column) = column {
            table.insert(key, value(column.as_str()));
        }
    }
    if !form.kind_map.is_empty() {
        let mut map = InlineTable::new();
        for (form_value, kind) in &form.kind_map {
            map.insert(form_value, kind.key().into());
        }
        table.insert("kind-map", value(map));
    }
    let found = forms.iter().position(same);
    match found {
        Some(i) => *forms.get_mut(i).expect("just found") = table,
        None => forms.push(table),
    }
    let bytes = doc.to_string().into_bytes();
    let written: Result<(), WriteError> = if existing.is_some() {
        replace_contents(path, &bytes)
    } else {
        let mut staged = Staged::cleaned();
        staged.stage(path, &bytes, Durability::Durable).and_then(|()| staged.commit())
    };
    written.map_err(|e| fail(e.to_string()))
}
