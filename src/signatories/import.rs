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

use super::Kind;
use super::edit::NewEntry;
use crate::files::{self, ReadError};

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

/// How to read the file.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub columns: Columns,
    /// The field separator; detected from the header when not given.
    pub delimiter: Option<char>,
    /// Kind values the form uses beyond the known ones, lower-cased.
    pub kind_map: Vec<(String, Kind)>,
}

/// Headers recognised when no column is named, compared without case,
/// surrounding spaces, a trailing colon or a note in brackets.
const NAME_HEADERS: &[&str] =
    &["name", "full name", "your name", "signatory", "signatory name", "nom", "nombre", "nome"];
const AFFILIATION_HEADERS: &[&str] =
    &["affiliation", "institution", "title", "position", "zugehörigkeit", "affiliazione"];
const ORGANISATION_HEADERS: &[&str] = &[
    "organisation",
    "organization",
    "organisation name",
    "organization name",
    "company",
    "org",
    "organisme",
    "organización",
    "organizzazione",
    "organisatie",
    "organização",
    "organizacja",
];
const KIND_HEADERS: &[&str] =
    &["type", "kind", "signing as", "signing on behalf of", "category", "typ", "art", "tipo"];
const URL_HEADERS: &[&str] = &["url", "website", "web site", "link", "homepage", "webseite"];
const SORT_HEADERS: &[&str] =
    &["sort as", "sort_as", "surname", "last name", "family name", "nachname", "nom de famille"];

/// Kind values recognised in the languages of the letter kit.
const INDIVIDUAL_WORDS: &[&str] = &[
    "individual",
    "person",
    "expert",
    "individual expert",
    "private person",
    "myself",
    "einzelperson",
    "privatperson",
    "particulier",
    "personne",
    "individu",
    "persona",
    "individuo",
    "particular",
    "persoon",
    "indivíduo",
    "pessoa",
    "osoba",
    "osoba prywatna",
    "privatperson",
    "individ",
];
const ORGANISATION_WORDS: &[&str] = &[
    "organisation",
    "organization",
    "org",
    "company",
    "group",
    "ngo",
    "institution",
    "my organisation",
    "my organization",
    "an organisation",
    "an organization",
    "verband",
    "unternehmen",
    "entreprise",
    "association",
    "organización",
    "organizacion",
    "empresa",
    "organizzazione",
    "organisatie",
    "organização",
    "organizacao",
    "organizacja",
];

/// A row that became an entry to add, with the line it starts on.
pub struct Row {
    pub line: usize,
    pub entry: NewEntry,
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
}

#[derive(Debug)]
pub enum ImportError {
    Read { path: PathBuf, error: ReadError },
    Encoding { path: PathBuf, why: String },
    Empty { path: PathBuf },
    NoColumn { path: PathBuf, what: &'static str, wanted: String, headers: Vec<String> },
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
pub fn read(path: &Path, options: &Options) -> Result<Table, ImportError> {
    let bytes = files::read_regular(path)
        .map_err(|error| ImportError::Read { path: path.to_owned(), error })?;
    let (text, encoding_note) =
        decode(&bytes).map_err(|why| ImportError::Encoding { path: path.to_owned(), why })?;
    let encoding_note =
        encoding_note.map(|e| format!("`{}` is not UTF-8: read as {e}", path.display()));
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
    let columns = Found::find(path, &headers, &options.columns)?;

    let mut table = Table { rows: Vec::new(), rejected: Vec::new(), encoding_note };
    for record in records {
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
        match columns.entry(&record.fields, &options.kind_map) {
            Ok(entry) => match entry.problems().or_else(|| suspicious(&entry)) {
                Some(why) => table.rejected.push(Rejected {
                    line: record.line,
                    why: format!("\"{}\": {why}", entry.name.escape_debug()),
                }),
                None => table.rows.push(Row { line: record.line, entry }),
            },
            Err(why) => table.rejected.push(Rejected { line: record.line, why }),
        }
    }
    Ok(table)
}

/// Why a row's text should not be taken from a form unseen: a value a
/// spreadsheet would run as a formula, or a bidirectional control that
/// makes a name display other than it reads. (`check` reports them too.)
fn suspicious(entry: &NewEntry) -> Option<String> {
    entry.fields().find_map(|(key, text)| {
        if text.trim_start().starts_with(['=', '+', '@']) {
            Some(format!("`{key}` starts like a spreadsheet formula"))
        } else {
            text.chars()
                .find(|c| super::fold::is_bidi_control(*c))
                .map(|c| format!("`{key}` has a bidirectional control (U+{:04X})", c as u32))
        }
    })
}

/// The columns found, by index.
struct Found {
    name: usize,
    affiliation: Option<usize>,
    organisation: Option<usize>,
    kind: Option<usize>,
    url: Option<usize>,
    sort_as: Option<usize>,
}

impl Found {
    fn find(path: &Path, headers: &[String], given: &Columns) -> Result<Self, ImportError> {
        let plain: Vec<String> = headers.iter().map(|h| plain_header(h)).collect();
        let find = |what: &'static str, given: &Option<String>, known: &[&str], required: bool| {
            let index = match given {
                Some(name) => plain.iter().position(|h| *h == plain_header(name)),
                None => plain.iter().position(|h| known.contains(&h.as_str())),
            };
            match (index, given) {
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
    fn entry(&self, fields: &[String], kind_map: &[(String, Kind)]) -> Result<NewEntry, String> {
        let cell = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let kind = match self.kind {
            None => Kind::Individual,
            Some(i) => parse_kind(fields.get(i).map_or("", |v| v.trim()), kind_map)?,
        };
        let organisation = cell(self.organisation);
        let person = cell(Some(self.name));
        let (name, affiliation) = match kind {
            Kind::Organisation => match organisation.or(person) {
                Some(name) => (name, None),
                None => return Err("the organisation's name is empty".into()),
            },
            Kind::Individual => match person {
                // A form with only an "Organisation" column uses it for a
                // person's affiliation.
                Some(name) => (name, cell(self.affiliation).or(organisation)),
                None => return Err("the name is empty".into()),
            },
        };
        let sort_as = if kind == Kind::Individual { cell(self.sort_as) } else { None };
        Ok(NewEntry { kind, name, affiliation, url: cell(self.url), sort_as })
    }
}

/// A header without case, brackets, a trailing colon or a question mark.
fn plain_header(header: &str) -> String {
    let header = header.trim().trim_start_matches('\u{feff}');
    let header = header.split(['(', '[']).next().unwrap_or(header);
    header.trim().trim_end_matches([':', '?', '*']).trim().to_lowercase()
}

fn no_column(path: &Path, what: &'static str, wanted: String, headers: &[String]) -> ImportError {
    ImportError::NoColumn { path: path.to_owned(), what, wanted, headers: headers.to_vec() }
}

fn parse_kind(value: &str, kind_map: &[(String, Kind)]) -> Result<Kind, String> {
    let lower = value.to_lowercase();
    if let Some((_, kind)) = kind_map.iter().find(|(v, _)| *v == lower) {
        return Ok(*kind);
    }
    if INDIVIDUAL_WORDS.contains(&lower.as_str()) {
        return Ok(Kind::Individual);
    }
    if ORGANISATION_WORDS.contains(&lower.as_str()) {
        return Ok(Kind::Organisation);
    }
    if lower.is_empty() {
        return Err("the kind is empty (expected organisation or individual)".into());
    }
    Err(format!(
        "unknown kind \"{value}\" (expected organisation or individual; \
         --kind-map \"{value}=individual\" names another)"
    ))
}

/// The text of the file, and the encoding it was read as when that was a
/// guess worth reporting.
fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>), String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map(|text| (text, None)).map_err(|err| {
            format!("it starts as UTF-8 but byte {} is not", err.utf8_error().valid_up_to() + 3)
        });
    }
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        if !rest.len().is_multiple_of(2) {
            return Err("it is UTF-16 with an odd number of bytes".to_owned());
        }
        let units = rest.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(|text| (text, None))
            .map_err(|_| "it is UTF-16 with a broken character".to_owned())
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.iter().take(512).filter(|b| **b == 0).count() > 8 {
        return Err("it looks like UTF-16 without a byte-order mark; save it as UTF-8".into());
    }
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok((text, None)),
        Err(_) => Ok((bytes.iter().map(|b| windows_1252(*b)).collect(), Some("Windows-1252"))),
    }
}

/// A Windows-1252 byte as a character: Latin-1 but for 0x80 to 0x9F.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The separator the header line uses most, outside quotes: comma,
/// semicolon (spreadsheets where the comma is the decimal mark) or tab.
fn detect_delimiter(text: &str) -> char {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(',', 0), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(slot) = counts.iter_mut().find(|(d, _)| *d == c) {
            slot.1 += 1;
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(',', |(d, _)| *d)
}

/// One record and the physical line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// The records of the text, one at a time. A quoted field may run over
/// several lines only if it closes and the record then has as many fields
/// as the header; otherwise the quote was left open by mistake: the line it
/// opened on is rejected, and reading resumes on the next line.
struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delimiter: char,
    /// The header's field count, once known.
    width: usize,
}

impl Iterator for Records<'_> {
    type Item = Result<Record, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let rest = &self.text[start..];
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut field_start = true;
        // A closing quote followed by more text: the quote did not end a field.
        let mut stray_close = false;
        let mut just_closed = false;
        let mut lines = 0;
        let mut end = rest.len();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        just_closed = true;
                    }
                    '\n' => {
                        lines += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            if just_closed && c != self.delimiter && c != '\n' && c != '\r' {
                stray_close = true;
            }
            just_closed = false;
            match c {
                '"' if field_start => {
                    quoted = true;
                    field_start = false;
                }
                '\n' => {
                    end = i + 1;
                    break;
                }
                '\r' if chars.peek().is_some_and(|(_, n)| *n == '\n') => {}
                c if c == self.delimiter => {
                    fields.push(std::mem::take(&mut field));
                    field_start = true;
                }
                _ => {
                    field.push(c);
                    field_start = false;
                }
            }
        }
        fields.push(field);
        let over_lines = lines > 0;
        if over_lines && (quoted || stray_close || self.width > 0 && fields.len() != self.width) {
            // Resume on the line after the one the quote opened on.
            let next_line = rest.find('\n').map_or(rest.len(), |n| n + 1);
            self.pos = start + next_line;
            self.line = line + 1;
            return Some(Err(Rejected {
                line,
                why: "a quote opened on this line is not closed on it; the row is skipped \
                      and reading goes on with the next line"
                    .into(),
            }));
        }
        if quoted {
            self.pos = self.text.len();
            return Some(Err(Rejected {
                line,
                why: "a quote opened on this line is never closed".into(),
            }));
        }
        self.pos = start + end;
        self.line = line + lines + 1;
        Some(Ok(Record { line, fields }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as (line, fields), or a rejection as (line, why).
    type Parsed = Result<(usize, Vec<String>), (usize, String)>;

    fn records(text: &str, width: usize) -> Vec<Parsed> {
        Records { text, pos: 0, line: 1, delimiter: ',', width }
            .map(|r| r.map(|r| (r.line, r.fields)).map_err(|r| (r.line, r.why)))
            .collect()
    }

    #[test]
    fn physical_lines_with_crlf_and_quoted_line_breaks() {
        let got = records("a,b\r\n\"x\r\ny\",z\r\nc,d\r\n", 2);
        assert_eq!(got[0], Ok((1, vec!["a".into(), "b".into()])));
        assert_eq!(got[1], Ok((2, vec!["x\r\ny".into(), "z".into()])));
        assert_eq!(got[2], Ok((4, vec!["c".into(), "d".into()])));
    }

    #[test]
    fn an_unclosed_quote_swallows_nothing() {
        let got = records("Name,Org\n\"Jane Doe,Acme\nJohn Roe,Beta\nAnn Poe,Gamma\n", 2);
        assert_eq!(got[0], Ok((1, vec!["Name".into(), "Org".into()])));
        assert!(matches!(&got[1], Err((2, why)) if why.contains("not closed")), "{got:?}");
        assert_eq!(got[2], Ok((3, vec!["John Roe".into(), "Beta".into()])));
        assert_eq!(got[3], Ok((4, vec!["Ann Poe".into(), "Gamma".into()])));
    }

    #[test]
    fn a_quote_closed_by_the_next_field_s_quote_swallows_nothing() {
        let got = records("Name,Org\n\"Broken,Nowhere\nBo Beta,Elsewhere\nCy,\"Dept, Uni\"\n", 2);
        assert!(matches!(&got[1], Err((2, _))), "{got:?}");
        assert_eq!(got[2], Ok((3, vec!["Bo Beta".into(), "Elsewhere".into()])));
        assert_eq!(got[3], Ok((4, vec!["Cy".into(), "Dept, Uni".into()])));
    }

    #[test]
    fn decodes_bom_utf16_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFName").unwrap(), ("Name".into(), None));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zoë".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap().0, "Zoë");
        assert_eq!(decode(b"Ren\xE9 \x80").unwrap(), ("René €".into(), Some("Windows-1252")));
    }

    #[test]
    fn detects_the_separator() {
        assert_eq!(detect_delimiter("Name;Affiliation;Type\n"), ';');
        assert_eq!(detect_delimiter("Name\tAffiliation\n"), '\t');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), ',');
        assert_eq!(detect_delimiter("Name\n"), ',');
    }

    #[test]
    fn kinds_in_other_languages_and_mapped() {
        assert_eq!(parse_kind("Einzelperson", &[]).unwrap(), Kind::Individual);
        assert_eq!(parse_kind("Organización", &[]).unwrap(), Kind::Organisation);
        assert!(parse_kind("Verein", &[]).is_err());
        assert_eq!(
            parse_kind("Verein", &[("verein".into(), Kind::Organisation)]).unwrap(),
            Kind::Organisation
        );
    }
}
