//! Added entries written straight into the file's text as read, exactly
//! where [`super::place::renumber`] puts them in the document: reading a
//! long list into a `toml_edit` document costs many times an addition. Only
//! a file that every addition can be spliced into without doubt goes this
//! way; any other is edited through the document.

use toml_edit::Table;

use std::collections::HashMap;

use super::place::{Pending, Places};
use super::{WITHDRAWN, Written, split_prefix};
use crate::signatories::{Kind, Signatory};

/// A file's text that additions can be spliced into.
pub struct Text<'a> {
    source: &'a str,
    /// Where each entry's table was, by kind, in file order.
    tables: Vec<(Kind, Written)>,
    /// The file's line ending, which added lines take.
    newline: &'static str,
}

impl<'a> Text<'a> {
    /// The text, if entries can be spliced into it: every table is written
    /// `[[kind]]` (the document refuses an inline list), no value spans
    /// lines (a line of one could look like a comment), the file ends a
    /// line, and a file without entries holds no withdrawal either (its
    /// comments then go above the first entry).
    pub fn of(
        source: &'a str,
        entries: &[(Signatory, Option<Written>)],
        withdrawals: usize,
    ) -> Option<Self> {
        let tables: Vec<(Kind, Written)> =
            entries.iter().map(|(s, at)| at.map(|at| (s.kind, at))).collect::<Option<_>>()?;
        if tables.is_empty() && withdrawals > 0
            || !(source.ends_with('\n') || source.trim().is_empty())
            || source.contains("\"\"\"")
            || source.contains("'''")
            || tables.iter().any(|(_, at)| !source[at.header..].starts_with("[["))
            || source.lines().any(inline_list)
        {
            return None;
        }
        let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
        Some(Text { source, tables, newline })
    }

    /// The text with the placed entries in it, and those entries in the
    /// order they are written.
    pub fn with(self, places: Places) -> (String, Vec<Signatory>) {
        let Places { before, mut after } = places;
        if self.tables.is_empty() {
            return self.first_entries(after);
        }
        // (offset, order at one offset, text, entries): after an entry
        // first, then a kind's first entries, then before an entry.
        let mut insertions: Vec<(usize, usize, String, Vec<Signatory>)> = Vec::new();
        // Kinds with no entry yet go at the end, before the file's last
        // comments, in the order of their kinds.
        let end = comments_above(self.source, self.source.len());
        for (order, kind) in Kind::ALL.into_iter().enumerate() {
            if self.tables.iter().any(|(k, _)| *k == kind) {
                continue;
            }
            if let Some(group) = after.remove(&kind) {
                let (text, added) = appended(kind, group);
                insertions.push((end, 1 + order, text, added));
            }
        }
        for ((kind, nth), group) in before {
            let header = self.nth(kind, nth).header;
            let run = &self.source[comments_above(self.source, header)..header];
            let (detached, own) = split_prefix(run.to_owned());
            // A section's comments stay above the first new entry; the
            // entry's own stay with it, set off by a blank line.
            let mut text = if detached.is_empty() { "\n".to_owned() } else { String::new() };
            let mut added = Vec::new();
            for (n, (entry, table)) in group.into_iter().enumerate() {
                if n > 0 {
                    text.push('\n');
                }
                text.push_str(&table_text(kind, &table));
                added.push(entry);
            }
            text.push('\n');
            insertions.push((header - own.len(), usize::MAX, text, added));
        }
        for (kind, group) in after {
            let last = self.tables.iter().filter(|(k, _)| *k == kind).count() - 1;
            let end = self.nth(kind, last).end;
            let at = self.source[end..].find('\n').map_or(self.source.len(), |i| end + i + 1);
            let (text, added) = appended(kind, group);
            insertions.push((at, 0, text, added));
        }
        insertions.sort_by_key(|(at, order, ..)| (*at, *order));
        let mut out = String::with_capacity(self.source.len() + 256 * insertions.len());
        let mut written = 0;
        let mut added = Vec::new();
        for (at, _, text, entries) in insertions {
            out.push_str(&self.source[written..at]);
            if self.newline == "\n" {
                out.push_str(&text);
            } else {
                out.push_str(&text.replace('\n', self.newline));
            }
            written = at;
            added.extend(entries);
        }
        out.push_str(&self.source[written..]);
        (out, added)
    }

    /// A file with no entry yet: its comments, then the new entries.
    fn first_entries(self, mut after: HashMap<Kind, Vec<Pending>>) -> (String, Vec<Signatory>) {
        let comments = self.source.trim_start();
        let mut out = String::new();
        if !comments.trim().is_empty() {
            out.push_str(comments);
            out.push_str(self.newline);
        }
        let mut text = String::new();
        let mut added = Vec::new();
        for kind in Kind::ALL {
            let (tables, entries) = table_texts(kind, after.remove(&kind).unwrap_or_default());
            for table in tables {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&table);
            }
            added.extend(entries);
        }
        if self.newline == "\n" {
            out.push_str(&text);
        } else {
            out.push_str(&text.replace('\n', self.newline));
        }
        (out, added)
    }

    /// Where the `nth` table of `kind` is.
    fn nth(&self, kind: Kind, nth: usize) -> Written {
        let mut of_kind = self.tables.iter().filter(|(k, _)| *k == kind);
        of_kind.nth(nth).expect("a place is among the entries of its kind").1
    }
}

/// New entries after another, each set off by a blank line.
fn appended(kind: Kind, group: Vec<Pending>) -> (String, Vec<Signatory>) {
    let (tables, added) = table_texts(kind, group);
    let mut text = String::new();
    for table in tables {
        text.push('\n');
        text.push_str(&table);
    }
    (text, added)
}

/// The text of each new entry's table (on every core: a long import adds
/// many), and the entries.
fn table_texts(kind: Kind, group: Vec<Pending>) -> (Vec<String>, Vec<Signatory>) {
    let texts = crate::cores::on_every_core(&group, |(_, table)| table_text(kind, table));
    (texts, group.into_iter().map(|(entry, _)| entry).collect())
}

/// A new entry's table as toml_edit writes it: its header, then each field
/// with its value quoted as toml_edit quotes it.
fn table_text(kind: Kind, table: &Table) -> String {
    let mut text = format!("[[{}]]\n", kind.key());
    for (key, item) in table.iter() {
        let value = item.as_value().map(|v| v.to_string()).unwrap_or_default();
        text.push_str(&format!("{key} = {}\n", value.trim()));
    }
    text
}

/// The start of the comment and blank lines right above `header`.
fn comments_above(source: &str, header: usize) -> usize {
    let mut start = header;
    while start > 0 {
        let line_start = source[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = source[line_start..start].trim();
        if !(line.is_empty() || line.starts_with('#')) {
            break;
        }
        start = line_start;
    }
    start
}

/// Whether a line sets one of the list's keys to an inline list.
fn inline_list(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with(['[', '#']) {
        return false;
    }
    let key = line.split('=').next().unwrap_or("").trim().trim_matches(['"', '\'']);
    Kind::ALL.iter().any(|kind| kind.key() == key) || key == WITHDRAWN
}
