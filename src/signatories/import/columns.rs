//! Which column of a form export holds what: chosen by the flags that name
//! them, else recognised by their headers.

use std::path::Path;

use super::ImportError;
use super::vocabulary::*;
use crate::signatories::{Kind, Signatory};

/// Which column holds what; `None` means "recognise it by its header".
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The name's column, or columns joined with `+` (`First name+Last
    /// name`), whose values are joined with a space in that order.
    pub name: Option<String>,
    pub affiliation: Option<String>,
    pub organisation: Option<String>,
    pub kind: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
}

/// The columns found, by index.
pub struct Found {
    /// The name's columns, joined in this order.
    name: Vec<usize>,
    /// A family name column whose value sorts the entry, when the name is
    /// joined from two columns or a family name column stands beside it.
    family: Option<usize>,
    affiliation: Option<usize>,
    organisation: Option<usize>,
    kind: Option<usize>,
    url: Option<usize>,
    sort_as: Option<usize>,
    /// What identifies a submission, for the private ledger only.
    email: Option<usize>,
    received: Option<usize>,
    response: Option<usize>,
}

/// What identifies a row's submission: never printed, never listed.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub email: Option<String>,
    pub received: Option<String>,
    pub response: Option<String>,
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
        let (name, family) = match given.name.as_deref().map(unquoted) {
            None => names(path, headers, &plain)?,
            // A header with a `+` in it is one column; else `+` joins them.
            Some(named) if plain.contains(&plain_header(named)) => {
                (vec![find("name", &Some(named.to_owned()), &[], true)?.expect("required")], None)
            }
            Some(named) => {
                let mut name = Vec::new();
                for header in named.split('+').map(unquoted) {
                    let column = find("name", &Some(header.to_owned()), &[], true)?;
                    name.push(column.expect("required"));
                }
                (name, None)
            }
        };
        let sort_as = find("sort", &given.sort_as, SORT_HEADERS, false)?;
        Ok(Found {
            name,
            family: if sort_as.is_some() { None } else { family },
            affiliation: find("affiliation", &given.affiliation, AFFILIATION_HEADERS, false)?,
            organisation: find("organisation", &given.organisation, ORGANISATION_HEADERS, false)?,
            kind: find("kind", &given.kind, KIND_HEADERS, false)?,
            url: find("url", &given.url, URL_HEADERS, false)?,
            sort_as,
            email: find("e-mail", &None, EMAIL_HEADERS, false)?,
            received: find("timestamp", &None, TIMESTAMP_HEADERS, false)?,
            response: find("response id", &None, RESPONSE_HEADERS, false)?,
        })
    }

    /// Who sent a row and when, as far as the form says.
    pub fn identity(&self, fields: &[String]) -> Identity {
        let cell = |i: Option<usize>| {
            i.and_then(|i| fields.get(i)).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
        };
        Identity {
            email: cell(self.email),
            received: cell(self.received),
            response: cell(self.response),
        }
    }

    /// The link of a row as the form holds it.
    pub fn url<'a>(&self, fields: &'a [String]) -> Option<&'a str> {
        self.url.and_then(|i| fields.get(i)).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// Whether the name is joined from several columns.
    pub fn joined(&self) -> bool {
        self.name.len() > 1
    }

    /// The columns used, for a message: `name = "Prénom" + "Nom", kind = "Type"`.
    pub fn describe(&self, headers: &[String]) -> String {
        let quote = |i: usize| format!("\"{}\"", headers[i]);
        let name: Vec<String> = self.name.iter().map(|&i| quote(i)).collect();
        let mut parts = vec![format!("name = {}", name.join(" + "))];
        let others = [
            ("sort-as", self.sort_as.or(self.family)),
            ("affiliation", self.affiliation),
            ("organisation", self.organisation),
            ("kind", self.kind),
            ("url", self.url),
        ];
        for (field, column) in others {
            if let Some(i) = column {
                parts.push(format!("{field} = {}", quote(i)));
            }
        }
        parts.join(", ")
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
        let used = [self.affiliation, self.organisation, self.url, self.sort_as, self.family];
        let used = self.name.iter().copied().chain(used.into_iter().flatten());
        if let Some(i) = used.into_iter().find(|&i| {
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
        let person = self.name.iter().filter_map(|&i| cell(Some(i))).reduce(|name, part| {
            // A name column that already ends with the family name beside it
            // ("Jane Doe" and "Doe") is the whole name.
            if name.to_lowercase().ends_with(&format!(" {}", part.to_lowercase())) {
                name
            } else {
                format!("{name} {part}")
            }
        });
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
        let sort_as = match (kind, cell(self.sort_as), cell(self.family)) {
            (Kind::Organisation, ..) => None,
            (_, Some(sort_as), _) => Some(sort_as),
            // Said only where the last word of the name would sort it otherwise.
            (_, None, Some(family))
                if !name.ends_with(&format!(" {family}")) || family.contains(' ') =>
            {
                Some(family)
            }
            _ => None,
        };
        Ok(Signatory { kind, name, affiliation, url: cell(self.url).map(with_scheme), sort_as })
    }
}

/// Which columns hold the name, by their headers: a whole name; else a given
/// and a family name, joined given first; a family name column beside a
/// whole name sorts it. Anything else is refused, showing the headers.
fn names(
    path: &Path,
    headers: &[String],
    plain: &[String],
) -> Result<(Vec<usize>, Option<usize>), ImportError> {
    let of = |known: &[&str]| -> Vec<usize> {
        (0..plain.len()).filter(|&i| known.contains(&plain[i].as_str())).collect()
    };
    let (full, bare, given, family) = (
        of(FULL_NAME_HEADERS),
        of(PLAIN_NAME_HEADERS),
        of(GIVEN_NAME_HEADERS),
        of(FAMILY_NAME_HEADERS),
    );
    let unclear = |why: String, suggestion: Option<Vec<usize>>| ImportError::Unclear {
        path: path.to_owned(),
        why,
        headers: headers.to_vec(),
        name: suggestion.map(|columns| columns.iter().map(|&i| headers[i].clone()).collect()),
    };
    let listed = |columns: &[usize]| {
        let quoted: Vec<String> = columns.iter().map(|&i| format!("\"{}\"", headers[i])).collect();
        quoted.join(", ")
    };
    let whole: Vec<usize> = full.iter().chain(&bare).copied().collect();
    if whole.len() > 1 && given.is_empty() && family.is_empty() {
        return Err(ImportError::TwoColumns {
            path: path.to_owned(),
            what: "name",
            alike: whole.iter().all(|&i| plain[i] == plain[whole[0]]),
            columns: whole.iter().map(|&i| (i + 1, headers[i].clone())).collect(),
        });
    }
    let is_full = |i: usize| full.contains(&i);
    match (&whole[..], &given[..], &family[..]) {
        ([w], [], []) => Ok((vec![*w], None)),
        // A whole name, and a family name that sorts it.
        ([w], _, [f]) if is_full(*w) && given.len() <= 1 => Ok((vec![*w], Some(*f))),
        ([w], [_], []) if is_full(*w) => Ok((vec![*w], None)),
        // "Nombre" beside "Apellidos" is the given name, "Nom" beside
        // "Prénom" the family name.
        ([w], [], [f]) => Ok((vec![*w, *f], Some(*f))),
        ([w], [g], []) => Ok((vec![*g, *w], Some(*w))),
        ([], [g], [f]) => Ok((vec![*g, *f], Some(*f))),
        _ => {
            let found: Vec<usize> = whole.iter().chain(&given).chain(&family).copied().collect();
            let why = if found.is_empty() {
                "no column is headed as a name".to_owned()
            } else {
                format!("{} could each be the name or part of it", listed(&found))
            };
            let suggestion = match (given.first(), family.first(), full.first()) {
                (Some(&g), Some(&f), _) => Some(vec![g, f]),
                (_, _, Some(&w)) => Some(vec![w]),
                _ => bare.first().map(|&w| vec![w]),
            };
            Err(unclear(why, suggestion))
        }
    }
}

/// A header as written in `--map`, without the quotes a shell passed on
/// (`name='"First name"+"Last name"'`).
fn unquoted(header: &str) -> &str {
    let header = header.trim();
    ['"', '\'']
        .iter()
        .find_map(|q| header.strip_prefix(*q).and_then(|h| h.strip_suffix(*q)))
        .filter(|inner| !inner.contains(['"', '\'']))
        .unwrap_or(header)
}

/// A link as forms collect it, often without its scheme ("example.org",
/// "www.example.org/about"): made an address with `https://`, which the
/// import reports. Anything else is left for the link check to judge.
fn with_scheme(url: String) -> String {
    let host = url.split('/').next().unwrap_or("");
    let bare = !url.contains("://")
        && host.contains('.')
        && !host.starts_with('.')
        && !url.chars().any(|c| c.is_whitespace() || c == ':' || c == '@');
    if bare { format!("https://{url}") } else { url }
}

fn no_column(path: &Path, what: &'static str, wanted: String, headers: &[String]) -> ImportError {
    ImportError::NoColumn { path: path.to_owned(), what, wanted, headers: headers.to_vec() }
}
