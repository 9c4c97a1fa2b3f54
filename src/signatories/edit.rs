//! Editing `signatories.toml` in place without losing anything.
//!
//! Edits go through `toml_edit`, which keeps every comment, blank line and
//! quoting style it is not asked to change. A new entry is put where a person
//! would put it: in collated position among the entries of its kind. Before
//! anything is written, the result is read back and validated, and must hold
//! exactly the entries expected.
//!
//! New entries are placed all at once when the file is rendered, so that an
//! import of many rows costs a lookup per row, not a pass over the file.
//! An editor opened for additions only writes them into the text as read
//! ([`splice`]) where it can, and reads the file into a document only where
//! it cannot.

mod place;
mod splice;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::load::{BOM, WITHDRAWN, parse_bytes, read_locked, with_bom};
use super::{
    Collator, Counts, Kind, LoadError, Signatories, Signatory, Withdrawal, field, fold, line_col,
    near_key, near_key_folded, near_keys_withdrawn_as, reordered_key,
};
use crate::files::{Access, Locked, ReadError};
use crate::output::{self, WriteError};
use place::{Pending, prefix_of};

/// What `edit` changes in one entry: `Some("")` removes an optional field.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub name: Option<String>,
    pub affiliation: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
    pub kind: Option<Kind>,
}

/// Why an edit was not made.
#[derive(Debug)]
pub enum Refusal {
    /// The same signatory is already listed (names equal once folded), on
    /// a line of the file, or added earlier in this run.
    Duplicate { existing: String, line: Option<usize> },
    /// Probably the same signatory written another way; `--force` adds it.
    NearDuplicate { existing: String, line: Option<usize> },
    /// This person withdrew; `--force` adds them again.
    Withdrawn { name: String, date: String },
    /// No entry of that name.
    NotFound(String),
    /// The entry would break a rule of the file.
    Invalid(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Refusal::Duplicate { existing, line } => {
                write!(f, "is already listed as \"{existing}\" ({})", Where(*line))
            }
            Refusal::NearDuplicate { existing, line } => write!(
                f,
                "looks like \"{existing}\" ({}), already listed; use --force if they differ",
                Where(*line)
            ),
            Refusal::Withdrawn { name, date } => {
                write!(f, "\"{name}\" withdrew on {date}; use --force if they signed again")
            }
            Refusal::NotFound(name) => write!(f, "no signatory is named \"{name}\""),
            Refusal::Invalid(why) => f.write_str(why),
        }
    }
}

/// Where a listed entry is: "line 7", or "added earlier in this run".
struct Where(Option<usize>);

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, "line {line}"),
            None => f.write_str("added earlier in this run"),
        }
    }
}

/// Why the file could not be edited at all.
#[derive(Debug)]
pub enum EditError {
    /// The file does not parse or validate: nothing is edited until it does.
    Load(LoadError),
    /// The file can be read but not written: nothing can be edited.
    NotWritable(PathBuf),
    /// The file is valid, but written in a form edits do not keep intact.
    Shape(String),
    /// The edited text failed to validate; a bug, and nothing was written.
    Verify(String),
    Write(WriteError),
}

/// What an editor will be asked to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Edits {
    /// Only `add`: the file is read into a document only if the additions
    /// cannot be written straight into its text.
    Additions,
    /// Any edit: the document is read at once, beside the model.
    Any,
}

/// Where an entry's table was in the file as read.
#[derive(Clone, Copy)]
struct Written {
    /// The start of its `[[kind]]` header.
    header: usize,
    /// The end of its last value.
    end: usize,
}

/// A signatories file open for editing. It holds the file's exclusive lock
/// from [`Editor::open`] until it is dropped, so no other edit can come in
/// between reading the file and saving it.
pub struct Editor {
    /// The text of the file as read, without a byte-order mark.
    source: String,
    /// Whether it began with a byte-order mark.
    bom: bool,
    /// The entries as the file will hold them, in file order (new ones once
    /// placed), each with where its table was in the file as read (none
    /// for an entry added by this edit).
    entries: Vec<(Signatory, Option<Written>)>,
    /// The withdrawals as the file will hold them.
    withdrawn: Vec<Withdrawal>,
    /// The file as a document that keeps its layout; not read while only
    /// additions were made.
    doc: Option<DocumentMut>,
    lock: Option<Locked>,
    /// Entries added but not yet placed in the document.
    /// Entries added, to be given their tables and places when the file
    /// is made.
    pending: Vec<Signatory>,
    /// Folded and near-duplicate names, for collisions; built on first use.
    index: Option<Index>,
    /// Whether an entry was added or removed, so that the lines of the file
    /// as read are no longer those of the entries after it.
    shifted: bool,
    /// The order additions are placed in: the letter's language's.
    collator: Collator,
}

/// The forms a name is compared under: [`fold`], [`near_key`] and
/// [`reordered_key`], folded once for all.
pub struct NameKeys {
    pub folded: String,
    pub near: String,
    pub reordered: String,
}

impl NameKeys {
    pub fn of(name: &str) -> Self {
        let folded = fold(name);
        let near = near_key_folded(name, &folded);
        let reordered = reordered_key(name, &near);
        NameKeys { folded, near, reordered }
    }
}

/// Each added entry with the table that will hold it.
fn tabled(pending: Vec<Signatory>) -> Vec<Pending> {
    let tables = crate::cores::on_every_core(&pending, |entry| {
        let mut table = Table::new();
        for (key, text) in entry.fields() {
            table.insert(key, value(text));
        }
        table
    });
    pending.into_iter().zip(tables).collect()
}

/// The names listed, by folded and by near-duplicate key, each with where
/// its entry's header was in the file as read.
#[derive(Default)]
struct Index {
    folded: HashMap<String, (String, Option<Written>)>,
    near: HashMap<String, (String, Option<Written>)>,
    /// By [`reordered_key`]: the same words in another order, or without
    /// an acronym in brackets.
    reordered: HashMap<String, (String, Option<Written>)>,
    /// The withdrawals' near-duplicate and reordered keys, with (name,
    /// date).
    withdrawn: Vec<(String, String, (String, String))>,
}

/// An entry taken out of the list, and the line it was on.
pub struct Removed {
    pub entry: Signatory,
    pub line: Option<usize>,
}

impl Editor {
    /// Opens the list at `path` for `edits`, placing additions in the order
    /// of `language` (the letter's).
    pub fn open(path: &Path, edits: Edits, language: &str) -> Result<Self, EditError> {
        let mut lock = read_locked(path, Access::Exclusive).map_err(|err| match err {
            // Locked for an edit, it is opened for writing too: a file that
            // can only be read is not "unreadable".
            LoadError::Read { path, error: ReadError::Io(io) }
                if io.kind() == std::io::ErrorKind::PermissionDenied
                    && std::fs::File::open(&path).is_ok() =>
            {
                EditError::NotWritable(path)
            }
            err => EditError::Load(err),
        })?;
        let bytes = std::mem::take(&mut lock.bytes);
        let mut editor = if edits == Edits::Additions {
            Self::without_document(parse_bytes(path, bytes).map_err(EditError::Load)?, language)
        } else {
            // The file is read twice, validated into the model and into the
            // document that keeps its layout: on a long list each takes a
            // while, and they take it together on two cores.
            let (list, doc) = std::thread::scope(|scope| {
                let doc = scope.spawn(|| {
                    let text = std::str::from_utf8(&bytes).ok()?;
                    Some(document(text.strip_prefix(BOM).unwrap_or(text)))
                });
                let list = parse_bytes(path, bytes.clone());
                (list, doc.join().expect("parsing does not panic"))
            });
            let list = list.map_err(EditError::Load)?;
            // Not UTF-8 (no document) fails the first reading too, above.
            let doc = doc.expect("a file that parsed is UTF-8")?;
            let mut editor = Self::without_document(list, language);
            editor.check_shape(&doc)?;
            editor.doc = Some(doc);
            editor
        };
        editor.lock = Some(lock);
        Ok(editor)
    }

    #[cfg(test)]
    fn from_list(list: Signatories) -> Result<Self, EditError> {
        let mut editor = Self::without_document(list, "en");
        editor.document()?;
        Ok(editor)
    }

    fn without_document(list: Signatories, language: &str) -> Self {
        let Signatories { source, bom, entries, spans, withdrawn, .. } = list;
        let written = spans
            .iter()
            .map(|spans| Some(Written { header: spans.header.start, end: spans.end() }));
        Self {
            entries: entries.into_iter().zip(written).collect(),
            withdrawn,
            source,
            bom,
            doc: None,
            lock: None,
            pending: Vec::new(),
            index: None,
            shifted: false,
            collator: Collator::new(language),
        }
    }

    /// The document, read from the text on first use.
    fn document(&mut self) -> Result<&mut DocumentMut, EditError> {
        if self.doc.is_none() {
            let doc = document(&self.source)?;
            self.check_shape(&doc)?;
            self.doc = Some(doc);
        }
        Ok(self.doc.as_mut().expect("just read"))
    }

    /// The document of an editor that may make any edit ([`Edits::Any`]).
    fn doc(&mut self) -> &mut DocumentMut {
        self.doc.as_mut().expect("an editor that edits or removes was opened for any edit")
    }

    /// Refuses a file whose entries are not all tables of their own.
    fn check_shape(&self, doc: &DocumentMut) -> Result<(), EditError> {
        for key in [Kind::Organisation.key(), Kind::Individual.key(), WITHDRAWN] {
            let Some(item) = doc.get(key) else { continue };
            if !item.is_array_of_tables() {
                let line = (self.entries.iter())
                    .find_map(|(s, at)| at.filter(|_| s.kind.key() == key))
                    .map(|at| format!(" (line {})", line_col(&self.source, at.header).0))
                    .unwrap_or_default();
                return Err(EditError::Shape(format!(
                    "`{key}` is written as an inline list{line}; edits keep only entries written \
                     [[{key}]], one table each: rewrite them so and try again"
                )));
            }
        }
        Ok(())
    }

    /// The entries as the file will hold them, by kind.
    pub fn counts(&self) -> Counts {
        Counts::of(self.entries.iter().map(|(s, _)| s).chain(&self.pending))
    }

    /// The line of a byte offset in the file as read.
    fn line(&self, at: Option<Written>) -> Option<usize> {
        at.map(|at| line_col(&self.source, at.header).0)
    }

    fn index(&mut self) -> &mut Index {
        if self.index.is_none() {
            let mut index = Index::default();
            let keys = crate::cores::on_every_core(&self.entries, |(s, _)| NameKeys::of(&s.name));
            for ((s, at), NameKeys { folded, near, reordered }) in self.entries.iter().zip(keys) {
                let seen = (s.name.clone(), *at);
                index.reordered.entry(reordered).or_insert_with(|| seen.clone());
                index.near.entry(near).or_insert_with(|| seen.clone());
                index.folded.entry(folded).or_insert(seen);
            }
            index.withdrawn = (self.withdrawn.iter())
                .map(|w| {
                    let near = near_key(&w.name);
                    let reordered = reordered_key(&w.name, &near);
                    (near, reordered, (w.name.clone(), w.date.clone()))
                })
                .collect();
            self.index = Some(index);
        }
        self.index.as_mut().expect("just built")
    }

    /// Room for `more` entries, so that a long import does not grow the
    /// index step by step as it adds.
    pub fn reserve(&mut self, more: usize) {
        let index = self.index();
        for keys in [&mut index.folded, &mut index.near, &mut index.reordered] {
            keys.reserve(more);
        }
        self.pending.reserve(more);
    }

    /// The date the person of this name withdrew, as the list records it.
    pub fn withdrawal_date(&self, name: &str) -> Option<String> {
        let folded = fold(name);
        self.withdrawn.iter().find(|w| fold(&w.name) == folded).map(|w| w.date.clone())
    }

    /// Whether the list holds an entry of this name (case and accents
    /// ignored), added in this run or before.
    pub fn lists(&mut self, name: &str) -> bool {
        let folded = fold(name);
        self.index().folded.contains_key(&folded)
    }

    /// Whether a name with these [`NameKeys`] collides with a listed or
    /// withdrawn signatory other than `except` (the entry being edited).
    fn collision(&mut self, keys: &NameKeys, except: Option<&str>) -> Option<Refusal> {
        let except = except.map(fold);
        let index = self.index();
        let other = |hit: Option<&(String, Option<Written>)>| {
            hit.filter(|(existing, _)| except.as_ref().is_none_or(|e| *e != fold(existing)))
                .cloned()
        };
        if let Some((existing, at)) = other(index.folded.get(&keys.folded)) {
            return Some(Refusal::Duplicate { existing, line: self.line(at) });
        }
        if let Some((existing, at)) = other(index.near.get(&keys.near))
            .or_else(|| other(index.reordered.get(&keys.reordered)))
        {
            return Some(Refusal::NearDuplicate { existing, line: self.line(at) });
        }
        (index.withdrawn.iter())
            .find(|(near, reordered, _)| {
                near_keys_withdrawn_as(&keys.near, near) || keys.reordered == *reordered
            })
            .map(|(_, _, (name, date))| Refusal::Withdrawn {
                name: name.clone(),
                date: date.clone(),
            })
    }

    /// Adds an entry, to be placed in collated position among its kind. A
    /// near-duplicate or a withdrawn name is refused unless `force`; an
    /// exact duplicate always is, since the file would then not build.
    pub fn add(&mut self, entry: Signatory, force: bool) -> Result<(), Refusal> {
        let keys = NameKeys::of(&entry.name);
        self.add_keyed(entry, &keys, force)
    }

    /// [`Editor::add`], with the entry's name's keys already made (a long
    /// import makes them on every core).
    pub fn add_keyed(
        &mut self,
        entry: Signatory,
        keys: &NameKeys,
        force: bool,
    ) -> Result<(), Refusal> {
        if let Some(why) = entry.problem() {
            return Err(Refusal::Invalid(why));
        }
        match self.collision(keys, None) {
            Some(Refusal::NearDuplicate { .. } | Refusal::Withdrawn { .. }) if force => {}
            Some(refusal) => return Err(refusal),
            None => {}
        }
        let index = self.index();
        let seen = (entry.name.clone(), None);
        index.reordered.entry(keys.reordered.clone()).or_insert_with(|| seen.clone());
        index.near.entry(keys.near.clone()).or_insert_with(|| seen.clone());
        index.folded.entry(keys.folded.clone()).or_insert(seen);
        self.pending.push(entry);
        self.shifted = true;
        Ok(())
    }

    /// The position of the one entry whose folded name equals `name`'s.
    fn find(&self, name: &str) -> Result<usize, Refusal> {
        let folded = fold(name);
        self.entries
            .iter()
            .position(|(s, _)| fold(&s.name) == folded)
            .ok_or_else(|| Refusal::NotFound(name.to_owned()))
    }

    /// Which of its kind entry `index` is: its table's place in the array.
    fn nth_of_kind(&self, index: usize) -> usize {
        let kind = self.entries[index].0.kind;
        self.entries[..index].iter().filter(|(s, _)| s.kind == kind).count()
    }

    /// Removes the one entry whose folded name equals `name`'s.
    pub fn remove(&mut self, name: &str) -> Result<Removed, Refusal> {
        let index = self.find(name)?;
        let nth = self.nth_of_kind(index);
        let (entry, at) = self.entries.remove(index);
        self.index = None;
        self.shifted = true;
        let removed = self.array(entry.kind).remove(nth);
        let (detached, _own) = split_prefix(prefix_of(&removed));
        // Comments set off by a blank line head a section, not this entry:
        // they stay, on whatever now follows.
        if !detached.trim().is_empty() {
            match self.next_table_after(removed.position()) {
                Some(next) => {
                    let rest = prefix_of(next).trim_start_matches('\n').to_owned();
                    next.decor_mut().set_prefix(format!("{detached}{rest}"));
                }
                None => {
                    let doc = self.doc();
                    let trailing = doc.trailing().as_str().unwrap_or("").to_owned();
                    doc.set_trailing(format!("{detached}{trailing}"));
                }
            }
        }
        Ok(Removed { entry, line: self.line(at) })
    }

    /// Removes an entry and records that they withdrew on `date`, so that a
    /// later add or import of the same name is refused.
    pub fn withdraw(&mut self, name: &str, date: &str) -> Result<Removed, Refusal> {
        let removed = self.remove(name)?;
        let mut table = Table::new();
        table.insert(field::NAME, value(&removed.entry.name));
        table.insert(field::DATE, value(date));
        table.decor_mut().set_prefix("\n");
        table.set_position(self.max_position() + 1);
        let item = self
            .doc()
            .as_table_mut()
            .entry(WITHDRAWN)
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        item.as_array_of_tables_mut().expect("checked when opened").push(table);
        self.withdrawn.push(Withdrawal {
            name: removed.entry.name.clone(),
            date: date.to_owned(),
            reason: None,
        });
        Ok(removed)
    }

    /// Changes one entry in place: its position, comments and every other
    /// byte of the file stay. Returns the entry as it was and as it is.
    pub fn edit(
        &mut self,
        name: &str,
        changes: &Changes,
        force: bool,
    ) -> Result<(Signatory, Signatory), Refusal> {
        let index = self.find(name)?;
        let old = self.entries[index].0.clone();
        let optional = |change: &Option<String>, was: &Option<String>| match change {
            Some(text) if text.is_empty() => None,
            Some(text) => Some(text.clone()),
            None => was.clone(),
        };
        let new = Signatory {
            kind: changes.kind.unwrap_or(old.kind),
            name: changes.name.clone().unwrap_or_else(|| old.name.clone()),
            affiliation: optional(&changes.affiliation, &old.affiliation),
            url: optional(&changes.url, &old.url),
            sort_as: optional(&changes.sort_as, &old.sort_as),
        };
        if let Some(why) = new.problem() {
            return Err(Refusal::Invalid(why));
        }
        let keys = NameKeys::of(&new.name);
        if keys.folded != fold(&old.name) {
            match self.collision(&keys, Some(&old.name)) {
                Some(Refusal::NearDuplicate { .. } | Refusal::Withdrawn { .. }) if force => {}
                Some(refusal) => return Err(refusal),
                None => {}
            }
        }
        let nth = self.nth_of_kind(index);
        let table = self.array(old.kind).get_mut(nth).expect("model and file agree");
        for key in field::ENTRY {
            match (new.get(key), table.get_mut(key)) {
                (None, Some(_)) => {
                    table.remove(key);
                }
                (None, None) => {}
                (Some(text), Some(item)) => {
                    if item.as_str() != Some(text) {
                        // The new value keeps the old one's spacing and comment.
                        let decor = item.as_value().map(|v| v.decor().clone());
                        *item = value(text);
                        if let (Some(decor), Some(v)) = (decor, item.as_value_mut()) {
                            *v.decor_mut() = decor;
                        }
                    }
                }
                (Some(text), None) => {
                    table.insert(key, value(text));
                }
            }
        }
        if new.kind != old.kind {
            let moved = self.array(old.kind).remove(nth);
            // Its position keeps it where it was among all the tables.
            self.array(new.kind).push(moved);
        }
        self.entries[index].0 = new.clone();
        self.index = None;
        Ok((old, new))
    }

    /// The file as it will be. Every value in it was checked when read or
    /// given, and every name against the others; what rendering could
    /// still get wrong, a table lost or written twice, is checked by
    /// counting the tables written. The whole file is not read back: on a
    /// long list that would cost many times the edit.
    pub fn render(&mut self) -> Result<Rendered, EditError> {
        let source = match self.spliced() {
            Some(source) => source,
            None => {
                self.place_pending()?;
                let text = self.doc().to_string();
                // New lines written by toml_edit end in LF: a CRLF file
                // stays CRLF.
                if self.source.contains("\r\n") { crlf(&text) } else { text }
            }
        };
        let expected = |key: &str| match Kind::from_key(key) {
            Some(kind) => self.entries.iter().filter(|(s, _)| s.kind == kind).count(),
            None => self.withdrawn.len(),
        };
        for key in [Kind::Organisation.key(), Kind::Individual.key(), WITHDRAWN] {
            let written = tables_written(&source, key);
            if written != expected(key) {
                return Err(EditError::Verify(format!(
                    "the edited file holds {written} [[{key}]] tables, not the {} expected",
                    expected(key)
                )));
            }
        }
        let counts = self.counts();
        Ok(Rendered { source, bom: self.bom, counts })
    }

    /// Writes the edited file, after [`Editor::render`]'s checks, as the
    /// same file (links, mode, owner, byte-order mark kept).
    pub fn save(&mut self) -> Result<Rendered, EditError> {
        let saved = self.render()?;
        self.write(&saved)?;
        Ok(saved)
    }

    /// Writes a file [`Editor::render`] made.
    pub fn write(&self, rendered: &Rendered) -> Result<(), EditError> {
        let lock = self.lock.as_ref().expect("an editor that saves was opened from a file");
        output::replace_contents(&lock.target, &rendered.bytes()).map_err(EditError::Write)
    }

    /// The line of the header of the entry named `name` in the rendered
    /// file: where it was read, when no entry was added or removed before
    /// it (an edit moves none); else where its table is written, found by
    /// its name (none if written otherwise than toml_edit writes it).
    pub fn line_of(&self, rendered: &Rendered, name: &str) -> Option<usize> {
        match self.entries.iter().find(|(s, _)| s.name == name)? {
            (_, Some(at)) if !self.shifted => self.line(Some(*at)),
            _ => {
                // A table is written `[[kind]]`, then its name.
                let written = format!("\n{} = {}", field::NAME, toml_edit::Value::from(name));
                let at = rendered.source.find(&written)?;
                Some(line_col(&rendered.source, at).0)
            }
        }
    }

    /// Ends the edit: the file's lock is released, and the model of a long
    /// list is left for the process's end to free, which is faster than
    /// freeing each of its parts.
    pub fn finish(self) {
        let Editor { lock, doc, entries, .. } = self;
        drop(lock);
        std::mem::forget((doc, entries));
    }

    fn array(&mut self, kind: Kind) -> &mut ArrayOfTables {
        let item = self
            .doc()
            .as_table_mut()
            .entry(kind.key())
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        item.as_array_of_tables_mut().expect("checked when opened: the key holds [[entries]]")
    }

    /// The file with the added entries written straight into its text,
    /// where [`Editor::place_pending`] would put them; none where it cannot.
    fn spliced(&mut self) -> Option<String> {
        if self.doc.is_some() || self.pending.is_empty() {
            return None;
        }
        let spliced = splice::Text::of(&self.source, &self.entries, self.withdrawn.len())?;
        let pending = tabled(std::mem::take(&mut self.pending));
        let entries: Vec<&Signatory> = self.entries.iter().map(|(s, _)| s).collect();
        let places = place::choose(&entries, pending, &self.collator);
        drop(entries);
        let (source, added) = spliced.with(places);
        self.entries.extend(added.into_iter().map(|entry| (entry, None)));
        Some(source)
    }

    /// Places every added entry ([`place`]) and adds it to the model.
    fn place_pending(&mut self) -> Result<(), EditError> {
        self.document()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = tabled(std::mem::take(&mut self.pending));
        let entries: Vec<&Signatory> = self.entries.iter().map(|(s, _)| s).collect();
        let counts: HashMap<Kind, usize> = Kind::ALL
            .into_iter()
            .map(|k| (k, entries.iter().filter(|s| s.kind == k).count()))
            .collect();
        let places = place::choose(&entries, pending, &self.collator);
        drop(entries);
        for (entry, table) in place::renumber(self.doc(), places, &counts) {
            self.array(entry.kind).push(table);
            self.entries.push((entry, None));
        }
        Ok(())
    }

    fn tables_mut(&mut self) -> impl Iterator<Item = &mut Table> {
        self.doc()
            .as_table_mut()
            .iter_mut()
            .filter_map(|(_, item)| match item {
                Item::ArrayOfTables(array) => Some(array.iter_mut()),
                _ => None,
            })
            .flatten()
    }

    fn max_position(&mut self) -> isize {
        self.tables_mut().filter_map(|t| t.position()).max().unwrap_or(0)
    }

    fn next_table_after(&mut self, position: Option<isize>) -> Option<&mut Table> {
        let position = position?;
        self.tables_mut()
            .filter(|t| t.position().is_some_and(|p| p > position))
            .min_by_key(|t| t.position())
    }
}

/// The text as a document that keeps its comments and layout.
fn document(text: &str) -> Result<DocumentMut, EditError> {
    text.parse().map_err(|err: toml_edit::TomlError| {
        EditError::Verify(format!("toml_edit cannot read a file toml accepted: {err}"))
    })
}

/// A file as an edit renders it, before or after it is written.
pub struct Rendered {
    /// The text, without any byte-order mark.
    pub source: String,
    bom: bool,
    pub counts: Counts,
}

impl Rendered {
    /// The bytes to write: the text, with the byte-order mark the file had.
    pub fn bytes(&self) -> Vec<u8> {
        with_bom(self.bom, &self.source)
    }
}

/// How many `[[key]]` tables `text` holds, by their header lines.
fn tables_written(text: &str, key: &str) -> usize {
    text.lines()
        .filter(|line| {
            let header = line.split('#').next().unwrap_or("").trim();
            header
                .strip_prefix("[[")
                .and_then(|h| h.strip_suffix("]]"))
                .is_some_and(|h| h.trim().trim_matches(['"', '\'']) == key)
        })
        .count()
}

/// Every line ending as CRLF, whether it was LF or CRLF.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Splits the text before a `[[header]]` into what heads a section (up to
/// the last blank line) and the comment lines attached to the entry itself.
fn split_prefix(prefix: String) -> (String, String) {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    match lines.iter().rposition(|l| l.trim().is_empty()) {
        Some(blank) => (lines[..=blank].concat(), lines[blank + 1..].concat()),
        None => (String::new(), prefix),
    }
}

#[cfg(test)]
mod tests;
