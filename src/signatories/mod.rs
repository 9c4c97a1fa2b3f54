//! The signatories: the validated model of `signatories.toml`.
//!
//! Everything downstream (the Typst data, the commands that list, diff or
//! check) works on [`Signatories`], never on raw TOML, so an entry that made it
//! here has a non-empty name, only known fields, and no duplicate.

mod collate;
pub mod diff;
pub mod edit;
mod fold;
pub mod import;
mod lint;
mod load;

use std::ops::Range;
use std::path::PathBuf;

pub use collate::Collator;
pub use fold::{HONORIFICS, fold, near_key, near_keys_withdrawn_as};
pub use lint::{Level, lint};
pub use load::{LoadError, Problem, load};

/// The fields an entry may have, named once: as written in the file and in
/// messages.
pub mod field {
    pub const NAME: &str = "name";
    pub const AFFILIATION: &str = "affiliation";
    pub const URL: &str = "url";
    pub const SORT_AS: &str = "sort_as";
    /// An entry's fields, in the order the file writes them.
    pub const ENTRY: [&str; 4] = [NAME, AFFILIATION, URL, SORT_AS];
    /// Of a withdrawal: when, and why.
    pub const DATE: &str = "date";
    pub const REASON: &str = "reason";
}

/// The longest text a name, affiliation or sort key may be, in characters:
/// far beyond any real one, short enough that a pasted paragraph is caught.
pub const MAX_TEXT_CHARS: usize = 500;

/// The longest link, in characters: what browsers and PDF readers take.
pub const MAX_URL_CHARS: usize = 2000;

/// What is wrong with the text of field `key`, if anything: control
/// characters (a line break, a NUL, a bell) cannot be printed, and a value
/// of absurd length is a paste gone wrong.
pub fn text_problem(key: &str, value: &str) -> Option<String> {
    if let Some((at, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        let what = match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break",
            '\t' => "a tab",
            _ => "a control character",
        };
        return Some(format!(
            "has {what} (U+{:04X}) at character {}, which cannot be printed",
            c as u32,
            at + 1
        ));
    }
    let limit = if key == field::URL { MAX_URL_CHARS } else { MAX_TEXT_CHARS };
    let length = value.chars().count();
    (length > limit).then(|| format!("is {length} characters long; at most {limit} are allowed"))
}

/// Whether a value starts as a spreadsheet runs a formula: `=`, `+`, `-`
/// or `@` (after spaces), or a tab or carriage return, which some
/// spreadsheets skip before one.
pub fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['\t', '\r']) || text.trim_start().starts_with(['=', '+', '-', '@'])
}

/// The two kinds of entry a letter can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Organisation,
    Individual,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Organisation, Kind::Individual];

    /// The kind a file's key names, if it names one.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// The name of the kind as it appears in the file (`[[organisation]]`).
    pub fn key(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Individual => "individual",
        }
    }
}

/// A string field as written in the file, with the byte range of its value,
/// so that every later complaint can point at the exact line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub value: String,
    pub span: Range<usize>,
}

/// One signatory, as validated.
#[derive(Debug, Clone)]
pub struct Signatory {
    pub kind: Kind,
    pub name: Field,
    pub affiliation: Option<Field>,
    pub url: Option<Field>,
    pub sort_as: Option<Field>,
    /// The byte range of the entry's `[[kind]]` header.
    pub span: Range<usize>,
}

impl Signatory {
    /// The key the list is ordered by: an organisation's name; an
    /// individual's `sort_as`, or else the last word of the name.
    pub fn sort_key(&self) -> &str {
        match self.kind {
            Kind::Organisation => &self.name.value,
            Kind::Individual => match &self.sort_as {
                Some(key) => &key.value,
                None => last_word(&self.name.value),
            },
        }
    }

    /// Every text field with its name, in the order they are printed.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &Field)> {
        [
            (field::NAME, Some(&self.name)),
            (field::AFFILIATION, self.affiliation.as_ref()),
            (field::URL, self.url.as_ref()),
            (field::SORT_AS, self.sort_as.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, field)| field.map(|f| (key, f)))
    }
}

/// The last whitespace-separated word of a name (the default surname).
pub fn last_word(name: &str) -> &str {
    name.split_whitespace().next_back().unwrap_or(name)
}

/// Each entry whose name has the same `key` as an earlier entry's, paired
/// with the first entry that had it.
pub fn same_key(
    entries: &[Signatory],
    key: impl Fn(&str) -> String,
) -> Vec<(&Signatory, &Signatory)> {
    let mut first: std::collections::HashMap<String, &Signatory> = Default::default();
    let mut pairs = Vec::new();
    for entry in entries {
        match first.entry(key(&entry.name.value)) {
            std::collections::hash_map::Entry::Occupied(seen) => pairs.push((entry, *seen.get())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(entry);
            }
        }
    }
    pairs
}

/// How many signatories there are, by kind. Printed in the letter and in the
/// PDF metadata, so nobody types a count by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub total: usize,
    pub organisations: usize,
    pub individuals: usize,
}

/// "109 signatories: 65 organisations, 44 individuals".
impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let n = |count: usize, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}: {}, {}",
            n(self.total, "signatory", "signatories"),
            n(self.organisations, "organisation", "organisations"),
            n(self.individuals, "individual", "individuals")
        )
    }
}

/// The validated contents of a signatories file, in file order.
#[derive(Debug, Clone)]
pub struct Signatories {
    pub path: PathBuf,
    /// The text, without any byte-order mark.
    pub source: String,
    /// Whether the file began with a byte-order mark, kept when it is edited.
    pub bom: bool,
    pub entries: Vec<Signatory>,
    /// Those who signed and then withdrew: never printed, and not added
    /// again by a later `add` or `import`.
    pub withdrawn: Vec<Withdrawal>,
}

/// A signatory who withdrew, as recorded in `[[withdrawn]]`.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    pub name: Field,
    /// YYYY-MM-DD.
    pub date: Field,
    pub reason: Option<Field>,
    pub span: Range<usize>,
}

impl Signatories {
    /// The file's bytes as read: the text, with its byte-order mark if it had one.
    pub fn bytes(&self) -> Vec<u8> {
        let bom = if self.bom { load::BOM } else { "" };
        [bom.as_bytes(), self.source.as_bytes()].concat()
    }

    pub fn counts(&self) -> Counts {
        let organisations = self.entries.iter().filter(|s| s.kind == Kind::Organisation).count();
        Counts {
            total: self.entries.len(),
            organisations,
            individuals: self.entries.len() - organisations,
        }
    }

    /// The withdrawal of someone whose name folds like `name`, if recorded.
    pub fn withdrawal(&self, name: &str) -> Option<&Withdrawal> {
        let folded = fold(name);
        self.withdrawn.iter().find(|w| fold(&w.name.value) == folded)
    }

    /// The entries in the order the letter prints them.
    pub fn collated(&self) -> Vec<&Signatory> {
        let collator = Collator::new();
        let mut sorted: Vec<&Signatory> = self.entries.iter().collect();
        // A stable sort keeps file order for entries that compare equal.
        collator.sort(&mut sorted);
        sorted
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
