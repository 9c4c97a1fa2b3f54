//! Which column of a form export holds what: chosen by the flags that name
//! them, else recognised by their headers.

use std::path::Path;

use super::ImportError;
use super::vocabulary::*;
use crate::signatories::{Kind, Signatory};

/// Which column holds what; `None` means "recognise it by its header".
#[derive(Debug, Default, Clone)]
pub struct Columns {
    pub name: Option<String>,
    pub affiliation: Option<String>,
    pub organisation: Option<String>,
    pub kind: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
}

/// The columns found, by index.
pub struct Found {
    name: usize,
    affiliation: Option<usize>,
    organisation: Option<usize>,
    kind: Option<usize>,
    url: Option<usize>,
    sort_as: Option<usize>,
}

impl Found {
    pub fn find(path: &Path, headers: &[String], given: &Columns) -> Result<Self, ImportError> {
        let plain: Vec<String> = headers.iter().map(|h| plain_header(h)).collect();
        let find = |what: &'static str, given: &Option<String>, known: &[&str], required: bool| {
            let matching: Vec<usize> = match given {
                Some(name) => {
                    let name = plain_header(name);
                    (0..plain.len()).filter(|&i| plain[i] == name).collect()
                }
                None => (0..plain.len()).filter(|&i| known.contains(&plain[i].as_str())).collect(),
            };
            if matching.len() > 1 {
                let columns = matching.iter().map(|&i| (i + 1, headers[i].clone())).collect();
                return Err(ImportError::TwoColumns {
                    path: path.to_owned(),
                    what,
                    alike: given.is_some()
                        || matching.iter().all(|&i| plain[i] == plain[matching[0]]),
                    columns,
                });
            }
            match (matching.first().copied(), given) {
                (Some(i), _) => Ok(Some(i)),
                (None, Some(name)) => Err(no_column(path, what, format!("`{name}`"), headers)),
                (None, None) if required => {
                    Err(no_column(path, what, format!("headed {}", known.join(" or ")), headers))
                }
                (None, None) => Ok(None),
            }
        };
        Ok(Found {
            name: find("name", &given.name, NAME_HEADERS, true)?.expect("required"),
            affiliation: find("affiliation", &given.affiliation, AFFILIATION_HEADERS, false)?,
            organisation: find("organisation", &given.organisation, ORGANISATION_HEADERS, false)?,
            kind: find("kind", &given.kind, KIND_HEADERS, false)?,
            url: find("url", &given.url, URL_HEADERS, false)?,
            sort_as: find("sort", &given.sort_as, SORT_HEADERS, false)?,
        })
    }

    /// The entry a row stands for. An organisation signing through a
    /// contact person takes its name from the organisation column; the
    /// person is not printed. E-mail, timestamps and every other column
    /// never reach the list.
    pub fn entry(
        &self,
        fields: &[String],
        kind_map: &[(String, Kind)],
    ) -> Result<Signatory, String> {
        let cell = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        // A tab or carriage return first is how a spreadsheet may be made
        // to run a formula; trimmed away, the value would hide it.
        let used = [Some(self.name), self.affiliation, self.organisation, self.url, self.sort_as];
        if let Some(i) = used.into_iter().flatten().find(|&i| {
            fields.get(i).is_some_and(|v| v.starts_with(['\t', '\r']) && !v.trim().is_empty())
        }) {
            return Err(format!(
                "column {} starts with a tab or carriage return, as a spreadsheet formula may",
                i + 1
            ));
        }
        let kind = match self.kind {
            None => Kind::Individual,
            Some(i) => parse_kind(fields.get(i).map_or("", |v| v.trim()), kind_map)?,
        };
        let organisation = cell(self.organisation);
        let person = cell(Some(self.name));
        let (name, affiliation) = match kind {
            // The person who filled in the form is only the contact: never
            // printed, so never the organisation's name.
            Kind::Organisation => match (self.organisation, organisation, person) {
                (_, Some(name), _) | (None, None, Some(name)) => (name, None),
                (Some(column), None, Some(contact)) => {
                    return Err(format!(
                        "the organisation column (column {}) is empty; \"{}\" in the name \
                         column is the contact person, who is never printed",
                        column + 1,
                        super::shorten(&contact)
                    ));
                }
                (_, None, None) => return Err("the organisation's name is empty".into()),
            },
            Kind::Individual => match person {
                // A form with only an "Organisation" column uses it for a
                // person's affiliation.
                Some(name) => (name, cell(self.affiliation).or(organisation)),
                None => return Err("the name is empty".into()),
            },
        };
        let sort_as = if kind == Kind::Individual { cell(self.sort_as) } else { None };
        Ok(Signatory { kind, name, affiliation, url: cell(self.url), sort_as })
    }
}

fn no_column(path: &Path, what: &'static str, wanted: String, headers: &[String]) -> ImportError {
    ImportError::NoColumn { path: path.to_owned(), what, wanted, headers: headers.to_vec() }
}
