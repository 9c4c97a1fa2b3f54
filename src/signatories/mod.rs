//! The signatories: the validated model of `signatories.toml`.
//!
//! Everything downstream (the Typst data, the commands that list, diff or
//! check) works on [`Signatories`], never on raw TOML, so an entry that made it
//! here has a non-empty name, only known fields, and no duplicate.

mod collate;
pub mod diff;
pub mod edit;
mod entry;
mod fold;
pub mod import;
mod lint;
mod load;

use std::ops::Range;
use std::path::PathBuf;

pub use collate::Collator;
pub use entry::{
    FieldChange, Kind, Rule, Signatory, check, describe_change, field, last_word,
    starts_like_formula, text_problem,
};
pub use fold::{
    HONORIFICS, fold, near_key, near_key_folded, near_keys_withdrawn_as, reordered_key,
};
pub use lint::{Level, lint};
pub use load::{LoadError, Problem, load, parse, parse_bytes};

/// Where an entry is in its file: byte ranges of its `[[kind]]` header and
/// of each field's value, so that every complaint can point at the exact
/// line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spans {
    pub header: Range<usize>,
    pub name: Range<usize>,
    pub affiliation: Option<Range<usize>>,
    pub url: Option<Range<usize>>,
    pub sort_as: Option<Range<usize>>,
}

impl Spans {
    /// Where the value of field `key` is, if the entry has it.
    pub fn of(&self, key: &str) -> Option<Range<usize>> {
        match key {
            field::NAME => Some(self.name.clone()),
            field::AFFILIATION => self.affiliation.clone(),
            field::URL => self.url.clone(),
            field::SORT_AS => self.sort_as.clone(),
            _ => None,
        }
    }

    /// Where the entry's last value ends.
    pub fn end(&self) -> usize {
        [Some(&self.name), self.affiliation.as_ref(), self.url.as_ref(), self.sort_as.as_ref()]
            .into_iter()
            .flatten()
            .map(|span| span.end)
            .max()
            .unwrap_or(self.header.end)
    }
}

/// The index of each entry whose name has the same `key` as an earlier
/// entry's, paired with the index of the first entry that had it.
pub fn same_key(entries: &[Signatory], key: impl Fn(&str) -> String) -> Vec<(usize, usize)> {
    let mut first: std::collections::HashMap<String, usize> = Default::default();
    let mut pairs = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match first.entry(key(&entry.name)) {
            std::collections::hash_map::Entry::Occupied(seen) => pairs.push((i, *seen.get())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(i);
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
        write!(f, "{}: {}", counted(self.total, "signatory", "signatories"), self.by_kind())
    }
}

/// "1 organisation", "2 organisations": a count with its English noun.
pub fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl Counts {
    /// "65 organisations, 44 individuals".
    pub fn by_kind(&self) -> String {
        format!(
            "{}, {}",
            counted(self.organisations, "organisation", "organisations"),
            counted(self.individuals, "individual", "individuals")
        )
    }

    /// The counts of these entries.
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Signatory>) -> Self {
        let (mut organisations, mut individuals) = (0, 0);
        for entry in entries {
            match entry.kind {
                Kind::Organisation => organisations += 1,
                Kind::Individual => individuals += 1,
            }
        }
        Counts { total: organisations + individuals, organisations, individuals }
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
    /// Where each entry is in `source`, by index of `entries`.
    pub spans: Vec<Spans>,
    /// Those who signed and then withdrew: never printed, and not added
    /// again by a later `add` or `import`.
    pub withdrawn: Vec<Withdrawal>,
    /// Where every value of the file is (entries' and withdrawals'), in
    /// file order: text that is data, never a comment.
    pub values: Vec<Range<usize>>,
}

/// A signatory who withdrew, as recorded in `[[withdrawn]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub name: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub reason: Option<String>,
}

impl Signatories {
    /// The file's bytes as read: the text, with its byte-order mark if it had one.
    pub fn bytes(&self) -> Vec<u8> {
        load::with_bom(self.bom, &self.source)
    }

    pub fn counts(&self) -> Counts {
        Counts::of(&self.entries)
    }

    /// Each entry with where it is in the file.
    pub fn located(&self) -> impl Iterator<Item = (&Signatory, &Spans)> {
        self.entries.iter().zip(&self.spans)
    }

    /// The withdrawal of someone whose name folds like `name`, if recorded.
    pub fn withdrawal(&self, name: &str) -> Option<&Withdrawal> {
        let folded = fold(name);
        self.withdrawn.iter().find(|w| fold(&w.name) == folded)
    }

    /// The entries in the order a letter in `collator`'s language prints
    /// them.
    pub fn collated(&self, collator: &Collator) -> Vec<&Signatory> {
        collator.order(&self.entries).into_iter().map(|i| &self.entries[i]).collect()
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
