//! Reading `signatories.toml` into the model, refusing anything doubtful.
//!
//! The file is parsed into the `toml` crate's spanned tree rather than
//! deserialised with serde, so that every complaint names the field and points
//! at its line and column, and so that all problems are reported in one go.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Field, Kind, Signatories, Signatory, Withdrawal, field, fold, text_problem};
use crate::files::{Access, Locked, ReadError};

/// Why a signatories file could not be used.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read at all.
    Read { path: PathBuf, error: ReadError },
    /// The file is not TOML.
    Syntax { path: PathBuf, source: String, problem: Box<Problem> },
    /// The file is TOML, but not a valid list of signatories.
    Invalid { path: PathBuf, source: String, problems: Vec<Problem> },
}

/// One thing wrong in the file, located by byte range.
#[derive(Debug, Clone)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    /// Another place the problem involves, such as the first of two duplicates.
    pub related: Option<(Range<usize>, String)>,
}

impl Problem {
    fn new(span: Range<usize>, message: impl Into<String>, label: impl Into<String>) -> Self {
        Self { span, message: message.into(), label: label.into(), related: None }
    }
}

/// Reads and validates a signatories file, under a shared lock so that an
/// edit in progress is never read half-done.
pub fn load(path: &Path) -> Result<Signatories, LoadError> {
    let locked = read_locked(path, Access::Shared)?;
    parse_bytes(path, locked.bytes)
}

/// Locks and reads a signatories file.
pub fn read_locked(path: &Path, access: Access) -> Result<Locked, LoadError> {
    Locked::read(path, access).map_err(|error| LoadError::Read { path: path.to_owned(), error })
}

/// The byte-order mark some editors put first; not part of the text.
pub const BOM: &str = "\u{feff}";

/// Validates the bytes of a signatories file, which must be UTF-8.
pub fn parse_bytes(path: &Path, bytes: Vec<u8>) -> Result<Signatories, LoadError> {
    if let Some(source) = utf16(&bytes) {
        let problem = Problem::new(
            0..0,
            "the file is UTF-16, not UTF-8",
            "save the file as UTF-8 (in Notepad: \"Save as\", encoding UTF-8)",
        );
        return Err(LoadError::Syntax {
            path: path.to_owned(),
            source,
            problem: Box::new(problem),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => parse(path, text),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let byte = err.as_bytes()[at];
            let source = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let problem = Problem::new(
                at..at + '\u{fffd}'.len_utf8(),
                format!("the file is not UTF-8: byte 0x{byte:02X} cannot start a character"),
                "save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
            );
            Err(LoadError::Syntax { path: path.to_owned(), source, problem: Box::new(problem) })
        }
    }
}

/// The text of a UTF-16 file (with a byte-order mark, or ASCII-heavy
/// without), to show in the message that refuses it: never its NULs.
fn utf16(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let nul_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let big_endian = match bytes {
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ if nul_at(0) + nul_at(1) > head.len() / 4 => nul_at(0) > nul_at(1),
        _ => return None,
    };
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .filter(|c| *c != '\u{feff}' && *c != '\0')
        .collect();
    Some(text)
}

/// Validates the text of a signatories file; `path` is only used to name it.
pub fn parse(path: &Path, source: String) -> Result<Signatories, LoadError> {
    // The mark would shift every span; it is put back when the file is saved.
    let (bom, source) = match source.strip_prefix(BOM) {
        Some(rest) => (true, rest.to_owned()),
        None => (false, source),
    };
    let invalid = |source, problems| LoadError::Invalid { path: path.to_owned(), source, problems };
    let table = match DeTable::parse(&source) {
        Ok(table) => table,
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            let message = format!("invalid TOML: {}", err.message().trim_end());
            let problem = Problem::new(span, message, "here");
            return Err(LoadError::Syntax {
                path: path.to_owned(),
                source,
                problem: Box::new(problem),
            });
        }
    };

    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut withdrawn = Vec::new();
    let top_level = [Kind::Organisation.key(), Kind::Individual.key(), WITHDRAWN];
    for (key, value) in table.get_ref().iter() {
        let key_str: &str = key.get_ref().as_ref();
        let kind = match Kind::from_key(key_str) {
            Some(kind) => kind,
            None if key_str == WITHDRAWN => {
                withdrawals(value, &mut withdrawn, &mut problems);
                continue;
            }
            None => {
                let other = key_str;
                let mut problem = Problem::new(
                    key.span(),
                    format!("unknown key `{other}` at the top level"),
                    format!("expected {}", quoted(&top_level)),
                );
                if let Some(near) = suggest(other, &top_level) {
                    problem.label = format!("did you mean `{near}`?");
                }
                problems.push(problem);
                continue;
            }
        };
        let DeValue::Array(items) = value.get_ref() else {
            problems.push(Problem::new(
                value.span(),
                format!("`{}` must be a list of entries, written [[{}]]", kind.key(), kind.key()),
                format!("found {}", describe(value.get_ref())),
            ));
            continue;
        };
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(fields) => {
                    if let Some(entry) = entry(kind, item.span(), fields, &mut problems) {
                        entries.push(entry);
                    }
                }
                other => problems.push(Problem::new(
                    item.span(),
                    format!("each `{}` must be a table with a `name`", kind.key()),
                    format!("found {}", describe(other)),
                )),
            }
        }
    }
    // Spans let the entries be put back in file order, whatever the kinds.
    entries.sort_by_key(|e: &Signatory| e.span.start);
    withdrawn.sort_by_key(|w: &Withdrawal| w.span.start);
    duplicates(&entries, &mut problems);

    if problems.is_empty() {
        Ok(Signatories { path: path.to_owned(), source, bom, entries, withdrawn })
    } else {
        problems.sort_by_key(|p| p.span.start);
        Err(invalid(source, problems))
    }
}

/// The key of the withdrawals' tables: `[[withdrawn]]`.
pub const WITHDRAWN: &str = "withdrawn";

/// Reads `[[withdrawn]]` tables: a name and an ISO date, and perhaps a reason.
fn withdrawals(value: &Spanned<DeValue>, out: &mut Vec<Withdrawal>, problems: &mut Vec<Problem>) {
    let DeValue::Array(items) = value.get_ref() else {
        problems.push(Problem::new(
            value.span(),
            format!("`{WITHDRAWN}` must be a list of entries, written [[{WITHDRAWN}]]"),
            format!("found {}", describe(value.get_ref())),
        ));
        return;
    };
    let allowed = [field::NAME, field::DATE, field::REASON];
    for item in items.iter() {
        let DeValue::Table(fields) = item.get_ref() else {
            problems.push(Problem::new(
                item.span(),
                format!("each `{WITHDRAWN}` must be a table with a `name` and a `date`"),
                format!("found {}", describe(item.get_ref())),
            ));
            continue;
        };
        let mut found: HashMap<&str, Field> = HashMap::new();
        for (key, value) in fields.iter() {
            let key_str = key.get_ref().as_ref();
            let Some(&known) = allowed.iter().find(|k| **k == key_str) else {
                problems.push(Problem::new(
                    key.span(),
                    format!("unknown field `{key_str}` in a withdrawal"),
                    format!("allowed: {}", quoted(&allowed)),
                ));
                continue;
            };
            if let Some(field) = string_field(known, "this withdrawal", value, problems) {
                found.insert(known, field);
            }
        }
        let (Some(name), Some(date)) = (found.remove(field::NAME), found.remove(field::DATE))
        else {
            problems.push(Problem::new(
                item.span(),
                format!("a withdrawal needs a `{}` and a `{}`", field::NAME, field::DATE),
                "add the missing field",
            ));
            continue;
        };
        if crate::date::LetterDate::parse_iso(&date.value).is_err() {
            problems.push(Problem::new(
                date.span.clone(),
                format!("field `{}` of a withdrawal is not a date", field::DATE),
                "write it YYYY-MM-DD",
            ));
            continue;
        }
        out.push(Withdrawal { name, date, reason: found.remove(field::REASON), span: item.span() });
    }
}

/// The fields each kind of entry may have; `name` is required.
fn allowed(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Organisation => &[field::NAME, field::URL],
        Kind::Individual => &[field::NAME, field::AFFILIATION, field::URL, field::SORT_AS],
    }
}

fn entry(
    kind: Kind,
    span: Range<usize>,
    fields: &DeTable,
    problems: &mut Vec<Problem>,
) -> Option<Signatory> {
    let name_for_messages = match fields.get(field::NAME).map(|v| v.get_ref()) {
        Some(DeValue::String(name)) if !name.trim().is_empty() => {
            format!("{} \"{}\"", kind.key(), name.trim())
        }
        _ => format!("this {}", kind.key()),
    };

    let mut found: HashMap<&str, Field> = HashMap::new();
    for (key, value) in fields.iter() {
        let key_str = key.get_ref().as_ref();
        let Some(&known) = allowed(kind).iter().find(|k| **k == key_str) else {
            let label = match suggest(key_str, allowed(kind)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("allowed: {}", quoted(allowed(kind))),
            };
            problems.push(Problem::new(
                key.span(),
                format!("unknown field `{key_str}` in {name_for_messages}"),
                label,
            ));
            continue;
        };
        if let Some(field) = string_field(known, &name_for_messages, value, problems) {
            found.insert(known, field);
        }
    }

    let Some(name) = found.remove(field::NAME) else {
        if !fields.contains_key(field::NAME) {
            problems.push(Problem::new(
                span.clone(),
                format!("missing field `name` in this {}", kind.key()),
                "every entry needs a `name`",
            ));
        }
        return None;
    };
    let entry = Signatory {
        kind,
        name,
        affiliation: found.remove(field::AFFILIATION),
        url: found.remove(field::URL),
        sort_as: found.remove(field::SORT_AS),
        span,
    };
    if let Some(url) = &entry.url
        && let Some(why) = url_problem(&url.value)
    {
        problems.push(Problem::new(
            url.span.clone(),
            format!("field `url` of {name_for_messages} is not a web address"),
            why,
        ));
    }
    // Returned even if an optional field was refused, so that a duplicate
    // name is still reported alongside.
    Some(entry)
}

/// A field's value, which must be a non-blank string.
fn string_field(
    key: &str,
    entry: &str,
    value: &Spanned<DeValue>,
    problems: &mut Vec<Problem>,
) -> Option<Field> {
    match value.get_ref() {
        DeValue::String(text) if text.trim().is_empty() => {
            let label = if key == field::NAME {
                "a name is required"
            } else {
                "give a value or delete the line"
            };
            problems.push(Problem::new(
                value.span(),
                format!("field `{key}` of {entry} is empty"),
                label,
            ));
            None
        }
        DeValue::String(text) => match text_problem(key, text) {
            Some(why) => {
                problems.push(Problem::new(
                    value.span(),
                    format!("field `{key}` of {entry} {why}"),
                    "fix or remove it here",
                ));
                None
            }
            None => Some(Field { value: text.to_string(), span: value.span() }),
        },
        other => {
            problems.push(Problem::new(
                value.span(),
                format!("field `{key}` of {entry} must be a string"),
                format!("found {}; put it in quotes", describe(other)),
            ));
            None
        }
    }
}

/// Two entries whose names fold alike (case, accents, spaces) are one person
/// or body listed twice; both places are named.
fn duplicates(entries: &[Signatory], problems: &mut Vec<Problem>) {
    for (entry, first) in super::same_key(entries, fold) {
        problems.push(Problem {
            span: entry.name.span.clone(),
            message: format!(
                "duplicate signatory: \"{}\" is already listed as \"{}\"",
                entry.name.value, first.name.value
            ),
            label: "listed again here".into(),
            related: Some((first.name.span.clone(), "first listed here".into())),
        });
    }
}

/// Why a `url` field would make a broken link, if it would.
pub fn url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return Some("a link must start with https:// or http://");
    };
    if url.chars().any(char::is_whitespace) {
        return Some("a link cannot contain spaces");
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return Some("it is not a web address a browser can open");
    };
    // A parser reads "https:///path" as the host "path": the host must be
    // written where it belongs.
    let written = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = parsed.host_str().unwrap_or("");
    let named = host.contains('.') || host == "localhost";
    if written.is_empty() || !named {
        return Some("the address has no host name (such as example.org)");
    }
    None
}

fn describe(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn quoted(keys: &[&str]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// The allowed key closest to a typo, if one is close enough to be meant.
fn suggest<'a>(typo: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|k| (strsim::levenshtein(typo, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        match parse(Path::new("s.toml"), text.to_owned()) {
            Err(LoadError::Invalid { problems, .. }) => problems,
            Err(LoadError::Syntax { problem, .. }) => vec![*problem],
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn accepts_both_kinds_in_file_order() {
        let text = "[[individual]]\nname = \"B A\"\n[[organisation]]\nname = \"Z\"\n";
        let list = parse(Path::new("s.toml"), text.into()).unwrap();
        assert_eq!(list.entries[0].name.value, "B A");
        assert_eq!(list.entries[1].kind, Kind::Organisation);
    }

    #[test]
    fn suggests_the_field_a_typo_meant() {
        let p = problems("[[individual]]\nname = \"A\"\nafiliation = \"X\"\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("`afiliation`"), "{}", p[0].message);
        assert_eq!(p[0].label, "did you mean `affiliation`?");
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(url_problem("https://example.org/x").is_none());
        assert!(url_problem("example.org").is_some());
        assert!(url_problem("https://exa mple.org").is_some());
        assert!(url_problem("https:///path").is_some());
        assert!(url_problem("https://exa[mple.org").is_some());
        assert!(url_problem("http://localhost:8080/x").is_none());
    }

    #[test]
    fn reports_every_problem_at_once() {
        let p = problems("[[organisation]]\nname = 3\n[[individual]]\nname = \"\"\n");
        assert_eq!(p.len(), 2);
    }
}
