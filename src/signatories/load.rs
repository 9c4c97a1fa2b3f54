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

use super::{Kind, Rule, Signatories, Signatory, Spans, Withdrawal, check, field, fold};
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

/// A list's bytes as written: its text, after the byte-order mark it had.
pub fn with_bom(bom: bool, text: &str) -> Vec<u8> {
    let bom = if bom { BOM } else { "" };
    [bom.as_bytes(), text.as_bytes()].concat()
}

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
    let read = match read_halves(&source) {
        Some(read) => read,
        None => match DeTable::parse(&source) {
            Ok(table) => Read::of(table.get_ref(), 0),
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
        },
    };
    let Read { mut problems, mut entries, mut withdrawn, mut values, .. } = read;
    // Spans let the entries be put back in file order, whatever the kinds.
    entries.sort_by_key(|(_, spans): &(Signatory, Spans)| spans.header.start);
    withdrawn.sort_by_key(|(_, start)| *start);
    values.sort_by_key(|span| span.start);
    let (entries, spans): (Vec<Signatory>, Vec<Spans>) = entries.into_iter().unzip();
    duplicates(&entries, &spans, &mut problems);

    if problems.is_empty() {
        let withdrawn = withdrawn.into_iter().map(|(w, _)| w).collect();
        Ok(Signatories { path: path.to_owned(), source, bom, entries, spans, withdrawn, values })
    } else {
        problems.sort_by_key(|p| p.span.start);
        Err(invalid(source, problems))
    }
}

/// The key of the withdrawals' tables: `[[withdrawn]]`.
pub const WITHDRAWN: &str = "withdrawn";

/// What the file's tables hold, as read so far.
#[derive(Default)]
struct Read {
    problems: Vec<Problem>,
    entries: Vec<(Signatory, Spans)>,
    /// Each withdrawal, with where its table starts.
    withdrawn: Vec<(Withdrawal, usize)>,
    values: Vec<Range<usize>>,
    /// Where the text parsed starts in the file.
    offset: usize,
}

impl Read {
    /// What a file's top-level table holds; `offset` is where the text it
    /// was parsed from starts in the file.
    fn of(table: &DeTable, offset: usize) -> Self {
        let mut read = Read { offset, ..Read::default() };
        read.table(table);
        read
    }

    /// Where a span of the text parsed is in the file.
    fn at(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    fn table(&mut self, table: &DeTable) {
        let top_level = [Kind::Organisation.key(), Kind::Individual.key(), WITHDRAWN];
        for (key, value) in table.iter() {
            let key_str: &str = key.get_ref().as_ref();
            let kind = match Kind::from_key(key_str) {
                Some(kind) => kind,
                None if key_str == WITHDRAWN => {
                    self.withdrawals(value);
                    continue;
                }
                None => {
                    let other = key_str;
                    let mut problem = Problem::new(
                        self.at(key.span()),
                        format!("unknown key `{other}` at the top level"),
                        format!("expected {}", quoted(&top_level)),
                    );
                    if let Some(near) = suggest(other, &top_level) {
                        problem.label = format!("did you mean `{near}`?");
                    }
                    self.problems.push(problem);
                    continue;
                }
            };
            let DeValue::Array(items) = value.get_ref() else {
                self.problems.push(Problem::new(
                    self.at(value.span()),
                    format!(
                        "`{}` must be a list of entries, written [[{}]]",
                        kind.key(),
                        kind.key()
                    ),
                    format!("found {}", describe(value.get_ref())),
                ));
                continue;
            };
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(fields) => self.entry(kind, self.at(item.span()), fields),
                    other => self.problems.push(Problem::new(
                        self.at(item.span()),
                        format!("each `{}` must be a table with a `name`", kind.key()),
                        format!("found {}", describe(other)),
                    )),
                }
            }
        }
    }

    /// Reads `[[withdrawn]]` tables: a name and an ISO date, and perhaps a reason.
    fn withdrawals(&mut self, value: &Spanned<DeValue>) {
        let DeValue::Array(items) = value.get_ref() else {
            self.problems.push(Problem::new(
                self.at(value.span()),
                format!("`{WITHDRAWN}` must be a list of entries, written [[{WITHDRAWN}]]"),
                format!("found {}", describe(value.get_ref())),
            ));
            return;
        };
        let allowed = [field::NAME, field::DATE, field::REASON];
        for item in items.iter() {
            let DeValue::Table(fields) = item.get_ref() else {
                self.problems.push(Problem::new(
                    self.at(item.span()),
                    format!("each `{WITHDRAWN}` must be a table with a `name` and a `date`"),
                    format!("found {}", describe(item.get_ref())),
                ));
                continue;
            };
            let mut found: HashMap<&str, (String, Range<usize>)> = HashMap::new();
            for (key, value) in fields.iter() {
                let key_str = key.get_ref().as_ref();
                let Some(&known) = allowed.iter().find(|k| **k == key_str) else {
                    self.problems.push(Problem::new(
                        self.at(key.span()),
                        format!("unknown field `{key_str}` in a withdrawal"),
                        format!("allowed: {}", quoted(&allowed)),
                    ));
                    continue;
                };
                if let Some(field) =
                    self.string_field(known, &|| "this withdrawal".to_owned(), value)
                {
                    found.insert(known, field);
                }
            }
            let (Some((name, _)), Some((date, date_span))) =
                (found.remove(field::NAME), found.remove(field::DATE))
            else {
                self.problems.push(Problem::new(
                    self.at(item.span()),
                    format!("a withdrawal needs a `{}` and a `{}`", field::NAME, field::DATE),
                    "add the missing field",
                ));
                continue;
            };
            if crate::date::LetterDate::parse_iso(&date).is_err() {
                self.problems.push(Problem::new(
                    date_span,
                    format!("field `{}` of a withdrawal is not a date", field::DATE),
                    "write it YYYY-MM-DD",
                ));
                continue;
            }
            let reason = found.remove(field::REASON).map(|(text, _)| text);
            self.withdrawn.push((Withdrawal { name, date, reason }, self.at(item.span()).start));
        }
    }

    /// Reads one entry's table: its fields by the rules of its kind.
    fn entry(&mut self, kind: Kind, header: Range<usize>, fields: &DeTable) {
        // Made only for a message: most entries need none.
        let name_for_messages = || match fields.get(field::NAME).map(|v| v.get_ref()) {
            Some(DeValue::String(name)) if !name.trim().is_empty() => {
                format!("{} \"{}\"", kind.key(), name.trim())
            }
            _ => format!("this {}", kind.key()),
        };

        // By the field's place in `field::ENTRY`.
        let mut found: [Option<(String, Range<usize>)>; 4] = Default::default();
        for (key, value) in fields.iter() {
            let key_str = key.get_ref().as_ref();
            let Some(&known) = kind.fields().iter().find(|k| **k == key_str) else {
                let label = match suggest(key_str, kind.fields()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("allowed: {}", quoted(kind.fields())),
                };
                self.problems.push(Problem::new(
                    self.at(key.span()),
                    format!("unknown field `{key_str}` in {}", name_for_messages()),
                    label,
                ));
                continue;
            };
            if let Some(field) = self.string_field(known, &name_for_messages, value) {
                let slot = field::ENTRY.iter().position(|k| *k == known).expect("a field");
                found[slot] = Some(field);
            }
        }

        let [name, affiliation, url, sort_as] = found;
        let Some((name, name_span)) = name else {
            if !fields.contains_key(field::NAME) {
                self.problems.push(Problem::new(
                    header,
                    format!("missing field `name` in this {}", kind.key()),
                    "every entry needs a `name`",
                ));
            }
            return;
        };
        let (affiliation, affiliation_span) = affiliation.unzip();
        let (url, url_span) = url.unzip();
        let (sort_as, sort_as_span) = sort_as.unzip();
        let entry = Signatory { kind, name, affiliation, url, sort_as };
        let spans = Spans {
            header,
            name: name_span,
            affiliation: affiliation_span,
            url: url_span,
            sort_as: sort_as_span,
        };
        // Kept even if an optional field was refused, so that a duplicate
        // name is still reported alongside.
        self.entries.push((entry, spans));
    }

    /// A field's value, which must be a string that keeps the rules of
    /// [`check`], with where it is.
    fn string_field(
        &mut self,
        key: &str,
        entry: &dyn Fn() -> String,
        value: &Spanned<DeValue>,
    ) -> Option<(String, Range<usize>)> {
        let DeValue::String(text) = value.get_ref() else {
            let entry = entry();
            self.problems.push(Problem::new(
                self.at(value.span()),
                format!("field `{key}` of {entry} must be a string"),
                format!("found {}; put it in quotes", describe(value.get_ref())),
            ));
            return None;
        };
        self.values.push(self.at(value.span()));
        let Some(rule) = check(key, text) else {
            return Some((text.to_string(), self.at(value.span())));
        };
        let entry = entry();
        let (message, label) = match rule {
            Rule::Empty => {
                let label = if key == field::NAME {
                    "a name is required"
                } else {
                    "give a value or delete the line"
                };
                (format!("field `{key}` of {entry} is empty"), label.to_owned())
            }
            Rule::Text(why) => {
                (format!("field `{key}` of {entry} {why}"), "fix or remove it here".to_owned())
            }
            Rule::Link(why) => {
                (format!("field `{key}` of {entry} is not a web address"), why.to_owned())
            }
        };
        self.problems.push(Problem::new(self.at(value.span()), message, label));
        None
    }
}

/// From how long a file is parsed in two halves, one per core.
const HALVES_FROM: usize = 256 * 1024;

/// A long file read in two halves at once, split before a `[[` header near
/// its middle; none when it is short, or when either half does not parse
/// or a key has values in both that the whole file might read otherwise
/// (only lists of `[[tables]]` continue from one half into the other), so
/// that the whole file is parsed and its problems are found as one.
fn read_halves(source: &str) -> Option<Read> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if source.len() < HALVES_FROM || cores < 2 {
        return None;
    }
    let middle = source.ceil_char_boundary(source.len() / 2);
    let split = middle + source[middle..].find("\n[[")? + 1;
    let (first, second) = source.split_at(split);
    let half = |text: &str, offset: usize| {
        let table = DeTable::parse(text).ok()?;
        // Each top-level key, and whether it holds a list of `[[tables]]`.
        let keys: Vec<(String, bool)> = (table.get_ref().iter())
            .map(|(key, value)| {
                let tables = matches!(value.get_ref(), DeValue::Array(items)
                    if !items.is_empty()
                        && items.iter().all(|item| text[item.span().start..].starts_with("[[")));
                (key.get_ref().to_string(), tables)
            })
            .collect();
        Some((Read::of(table.get_ref(), offset), keys))
    };
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| half(second, split));
        (half(first, 0), second.join().expect("parsing does not panic"))
    });
    let ((mut read, first_keys), (rest, second_keys)) = (first?, second?);
    for (key, tables) in &second_keys {
        if let Some((_, tables_before)) = first_keys.iter().find(|(k, _)| k == key)
            && !(*tables && *tables_before)
        {
            return None;
        }
    }
    read.problems.extend(rest.problems);
    read.entries.extend(rest.entries);
    read.withdrawn.extend(rest.withdrawn);
    read.values.extend(rest.values);
    Some(read)
}

/// Two entries whose names fold alike (case, accents, spaces) are one person
/// or body listed twice; both places are named.
fn duplicates(entries: &[Signatory], spans: &[Spans], problems: &mut Vec<Problem>) {
    for (again, first) in super::same_key(entries, fold) {
        problems.push(Problem {
            span: spans[again].name.clone(),
            message: format!(
                "duplicate signatory: \"{}\" is already listed as \"{}\"",
                entries[again].name, entries[first].name
            ),
            label: "listed again here".into(),
            related: Some((spans[first].name.clone(), "first listed here".into())),
        });
    }
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
        assert_eq!(list.entries[0].name, "B A");
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
    fn reports_every_problem_at_once() {
        let p = problems("[[organisation]]\nname = 3\n[[individual]]\nname = \"\"\n");
        assert_eq!(p.len(), 2);
    }

    /// A long list with the given text somewhere in each half.
    fn long(first: &str, second: &str) -> String {
        let entry = |i: usize| format!("[[individual]]\nname = \"Person {i}\"\n# note {i}\n\n");
        let half: String = (0..3000).map(entry).collect();
        let rest: String = (3000..6000).map(entry).collect();
        format!("# list\n{first}{half}{rest}{second}")
    }

    #[test]
    fn a_long_file_read_in_halves_reads_as_one() {
        let bad_entry = "[[organisation]]\nname = \"Org\"\nurl = \"not a url\"\nextra = 1\n";
        let withdrawn = "[[withdrawn]]\nname = \"Gone\"\ndate = \"2025-02-14\"\n";
        let cases = [
            // Valid, and problems in both halves: read in halves.
            (String::new(), String::new(), true),
            (format!("{bad_entry}{withdrawn}"), format!("{bad_entry}{withdrawn}"), true),
            ("[[individual]]\nname = \"Person 1\"\n".into(), String::new(), true),
            // The whole file reads these otherwise: read as one.
            ("individual = []\n".into(), String::new(), false),
            (String::new(), "[organisation]\nname = \"X\"\n".into(), true),
            (String::new(), "[[individual.extra]]\nx = 1\n".into(), true),
            ("organisation = [{ name = \"A\" }]\n".into(), bad_entry.into(), false),
            (String::new(), "name = = \"broken\"\n".into(), false),
            ("note = \"\"\"\n[[individual]]\n".into(), String::new(), false),
        ];
        for (first, second, halves) in cases {
            let text = long(&first, &second);
            let whole = DeTable::parse(&text).map(|t| Read::of(t.get_ref(), 0));
            let split = read_halves(&text);
            assert_eq!(split.is_some(), halves, "{first:?} {second:?}");
            if let (Some(split), Ok(whole)) = (split, whole) {
                let show = |r: Read| format!("{:?} {:?} {:?}", r.entries, r.withdrawn, r.values);
                let problems = |r: &Read| {
                    let mut p: Vec<String> = r.problems.iter().map(|p| format!("{p:?}")).collect();
                    p.sort();
                    p
                };
                assert_eq!(problems(&split), problems(&whole), "{first:?} {second:?}");
                let (mut split, mut whole) = (split, whole);
                for read in [&mut split, &mut whole] {
                    read.entries.sort_by_key(|(_, spans)| spans.header.start);
                    read.withdrawn.sort_by_key(|(_, start)| *start);
                    read.values.sort_by_key(|span| span.start);
                }
                assert_eq!(show(split), show(whole), "{first:?} {second:?}");
            }
        }
    }
}
