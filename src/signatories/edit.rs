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

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::load::{WITHDRAWN, parse, parse_bytes, read_locked, url_problem};
use super::{
    Collator, Field, Kind, LoadError, Signatories, Signatory, field, fold, line_col, near_key,
    near_keys_withdrawn_as, text_problem,
};
use crate::files::{Access, Locked, ReadError};
use crate::output::{self, WriteError};

/// An entry to add, as given on the command line or in an imported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: Kind,
    pub name: String,
    pub affiliation: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
}

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
    /// The same signatory is already listed (names equal once folded).
    Duplicate { existing: String, line: usize },
    /// Probably the same signatory written another way; `--force` adds it.
    NearDuplicate { existing: String, line: usize },
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
            Refusal::Duplicate { existing, line: 0 } => {
                write!(f, "is already listed as \"{existing}\" (added earlier in this run)")
            }
            Refusal::Duplicate { existing, line } => {
                write!(f, "is already listed as \"{existing}\" (line {line})")
            }
            Refusal::NearDuplicate { existing, line } => write!(
                f,
                "looks like \"{existing}\" (line {line}), already listed; use --force if they differ"
            ),
            Refusal::Withdrawn { name, date } => {
                write!(f, "\"{name}\" withdrew on {date}; use --force if they signed again")
            }
            Refusal::NotFound(name) => write!(f, "no signatory is named \"{name}\""),
            Refusal::Invalid(why) => f.write_str(why),
        }
    }
}

/// Why the file could not be edited at all.
#[derive(Debug)]
pub enum EditError {
    /// The file does not parse or validate: nothing is edited until it does.
    Load(LoadError),
    /// The file can be read but not written: nothing can be edited.
    NotWritable(std::path::PathBuf),
    /// The file is valid, but written in a form edits do not keep intact.
    Shape(String),
    /// The edited text failed to validate; a bug, and nothing was written.
    Verify(String),
    Write(WriteError),
}

/// A signatories file open for editing. It holds the file's exclusive lock
/// from [`Editor::open`] until it is dropped, so no other edit can come in
/// between reading the file and saving it.
pub struct Editor {
    /// The entries as the file will hold them (new ones once placed).
    pub list: Signatories,
    doc: DocumentMut,
    lock: Option<Locked>,
    /// Entries added but not yet placed in the document.
    pending: Vec<(Signatory, Table)>,
    /// Folded and near-duplicate names, for collisions; built on first use.
    index: Option<Index>,
}

/// The names listed, by folded and by near-duplicate key: (name, line).
#[derive(Default)]
struct Index {
    folded: HashMap<String, (String, usize)>,
    near: HashMap<String, (String, usize)>,
    /// The withdrawals' near-duplicate keys, with (name, date).
    withdrawn: Vec<(String, (String, String))>,
}

impl Editor {
    pub fn open(path: &Path) -> Result<Self, EditError> {
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
        let list = parse_bytes(path, bytes).map_err(EditError::Load)?;
        let mut editor = Self::from_list(list)?;
        editor.lock = Some(lock);
        Ok(editor)
    }

    fn from_list(list: Signatories) -> Result<Self, EditError> {
        let doc: DocumentMut = list.source.parse().map_err(|err: toml_edit::TomlError| {
            EditError::Verify(format!("toml_edit cannot read a file toml accepted: {err}"))
        })?;
        for key in [Kind::Organisation.key(), Kind::Individual.key(), WITHDRAWN] {
            let Some(item) = doc.get(key) else { continue };
            if !item.is_array_of_tables() {
                let line = list
                    .entries
                    .iter()
                    .find(|s| s.kind.key() == key)
                    .map(|s| format!(" (line {})", line_col(&list.source, s.span.start).0))
                    .unwrap_or_default();
                return Err(EditError::Shape(format!(
                    "`{key}` is written as an inline list{line}; edits keep only entries written \
                     [[{key}]], one table each: rewrite them so and try again"
                )));
            }
        }
        Ok(Self { list, doc, lock: None, pending: Vec::new(), index: None })
    }

    pub fn path(&self) -> &Path {
        &self.list.path
    }

    fn index(&mut self) -> &mut Index {
        if self.index.is_none() {
            let mut index = Index::default();
            for s in &self.list.entries {
                let line = line_col(&self.list.source, s.span.start).0;
                let seen = (s.name.value.clone(), line);
                index.near.entry(near_key(&s.name.value)).or_insert_with(|| seen.clone());
                index.folded.entry(fold(&s.name.value)).or_insert(seen);
            }
            index.withdrawn = (self.list.withdrawn.iter())
                .map(|w| (near_key(&w.name.value), (w.name.value.clone(), w.date.value.clone())))
                .collect();
            self.index = Some(index);
        }
        self.index.as_mut().expect("just built")
    }

    /// Whether `name` collides with a listed or withdrawn signatory other
    /// than `except` (the entry being edited).
    fn collision(&mut self, name: &str, except: Option<&str>) -> Option<Refusal> {
        let (folded, near) = (fold(name), near_key(name));
        let except = except.map(fold);
        let index = self.index();
        let other = |hit: Option<&(String, usize)>| {
            hit.filter(|(existing, _)| Some(fold(existing)) != except).cloned()
        };
        if let Some((existing, line)) = other(index.folded.get(&folded)) {
            return Some(Refusal::Duplicate { existing, line });
        }
        if let Some((existing, line)) = other(index.near.get(&near)) {
            return Some(Refusal::NearDuplicate { existing, line });
        }
        (index.withdrawn.iter())
            .find(|(theirs, _)| near_keys_withdrawn_as(&near, theirs))
            .map(|(_, (name, date))| Refusal::Withdrawn { name: name.clone(), date: date.clone() })
    }

    /// Adds an entry, to be placed in collated position among its kind. A
    /// near-duplicate or a withdrawn name is refused unless `force`; an
    /// exact duplicate always is, since the file would then not build.
    pub fn add(&mut self, entry: NewEntry, force: bool) -> Result<(), Refusal> {
        match self.collision(&entry.name, None) {
            Some(Refusal::NearDuplicate { .. } | Refusal::Withdrawn { .. }) if force => {}
            Some(refusal) => return Err(refusal),
            None => {}
        }
        let mut table = Table::new();
        for (key, text) in entry.fields() {
            table.insert(key, value(text));
        }
        let index = self.index();
        let seen = (entry.name.clone(), 0);
        index.near.entry(near_key(&entry.name)).or_insert_with(|| seen.clone());
        index.folded.entry(fold(&entry.name)).or_insert(seen);
        self.pending.push((as_signatory(&entry), table));
        Ok(())
    }

    /// The position of the one entry whose folded name equals `name`'s.
    fn find(&self, name: &str) -> Result<usize, Refusal> {
        let folded = fold(name);
        self.list
            .entries
            .iter()
            .position(|s| fold(&s.name.value) == folded)
            .ok_or_else(|| Refusal::NotFound(name.to_owned()))
    }

    /// The table of entry `index` (of `list.entries`): the n-th of its kind.
    fn table_of(&mut self, index: usize) -> &mut Table {
        let kind = self.list.entries[index].kind;
        let nth = self.list.entries[..index].iter().filter(|s| s.kind == kind).count();
        self.array(kind).get_mut(nth).expect("model and file agree")
    }

    /// Removes the one entry whose folded name equals `name`'s.
    pub fn remove(&mut self, name: &str) -> Result<Signatory, Refusal> {
        let index = self.find(name)?;
        let entry = self.list.entries[index].clone();
        let nth = self.list.entries[..index].iter().filter(|s| s.kind == entry.kind).count();
        self.list.entries.remove(index);
        self.index = None;
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
                    let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
                    self.doc.set_trailing(format!("{detached}{trailing}"));
                }
            }
        }
        Ok(entry)
    }

    /// Removes an entry and records that they withdrew on `date`, so that a
    /// later add or import of the same name is refused.
    pub fn withdraw(
        &mut self,
        name: &str,
        date: &str,
        reason: Option<&str>,
    ) -> Result<Signatory, Refusal> {
        if let Some(why) = reason.and_then(|r| text_problem(field::REASON, r)) {
            return Err(Refusal::Invalid(format!("the reason {why}")));
        }
        let removed = self.remove(name)?;
        let mut table = Table::new();
        table.insert(field::NAME, value(&removed.name.value));
        table.insert(field::DATE, value(date));
        if let Some(reason) = reason {
            table.insert(field::REASON, value(reason));
        }
        table.decor_mut().set_prefix("\n");
        table.set_position(self.max_position() + 1);
        let item = self
            .doc
            .as_table_mut()
            .entry(WITHDRAWN)
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        item.as_array_of_tables_mut().expect("checked when opened").push(table);
        let span = 0..0;
        let field = |text: &str| Field { value: text.to_owned(), span: span.clone() };
        self.list.withdrawn.push(super::Withdrawal {
            name: field(&removed.name.value),
            date: field(date),
            reason: reason.map(field),
            span: usize::MAX..usize::MAX,
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
    ) -> Result<(NewEntry, NewEntry), Refusal> {
        let index = self.find(name)?;
        let old = as_new_entry(&self.list.entries[index]);
        let optional = |change: &Option<String>, was: &Option<String>| match change {
            Some(text) if text.is_empty() => None,
            Some(text) => Some(text.clone()),
            None => was.clone(),
        };
        let new = NewEntry {
            kind: changes.kind.unwrap_or(old.kind),
            name: changes.name.clone().unwrap_or_else(|| old.name.clone()),
            affiliation: optional(&changes.affiliation, &old.affiliation),
            url: optional(&changes.url, &old.url),
            sort_as: optional(&changes.sort_as, &old.sort_as),
        };
        if let Some(why) = new.problems() {
            return Err(Refusal::Invalid(why));
        }
        if fold(&new.name) != fold(&old.name) {
            match self.collision(&new.name, Some(&old.name)) {
                Some(Refusal::NearDuplicate { .. } | Refusal::Withdrawn { .. }) if force => {}
                Some(refusal) => return Err(refusal),
                None => {}
            }
        }
        let table = self.table_of(index);
        for key in [field::NAME, field::AFFILIATION, field::URL, field::SORT_AS] {
            let text = new.fields().find(|(k, _)| *k == key).map(|(_, text)| text.clone());
            match (text, table.get_mut(key)) {
                (None, Some(_)) => {
                    table.remove(key);
                }
                (None, None) => {}
                (Some(text), Some(item)) => {
                    if item.as_str() != Some(&text) {
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
            let nth = self.list.entries[..index].iter().filter(|s| s.kind == old.kind).count();
            let moved = self.array(old.kind).remove(nth);
            // Its position keeps it where it was among all the tables.
            self.array(new.kind).push(moved);
        }
        let span = self.list.entries[index].span.clone();
        self.list.entries[index] = Signatory { span, ..as_signatory(&new) };
        self.index = None;
        Ok((old, new))
    }

    /// The file as it will be, read back from its new text and checked
    /// before anything is written.
    pub fn render(&mut self) -> Result<Signatories, EditError> {
        self.place_pending();
        let text = self.doc.to_string();
        // New lines written by toml_edit end in LF: a CRLF file stays CRLF.
        let text = if self.list.source.contains("\r\n") { crlf(&text) } else { text };
        let check = parse(self.path(), text).map_err(|err| {
            EditError::Verify(format!("the edited file does not validate: {err:?}"))
        })?;
        let names = |list: &Signatories| {
            let mut names: Vec<(&'static str, String)> =
                list.entries.iter().map(|s| (s.kind.key(), fold(&s.name.value))).collect();
            names.extend(list.withdrawn.iter().map(|w| (WITHDRAWN, fold(&w.name.value))));
            names.sort();
            names
        };
        if names(&check) != names(&self.list) {
            return Err(EditError::Verify(format!(
                "the edited file holds {} entries and {} withdrawals, not the {} and {} expected",
                check.entries.len(),
                check.withdrawn.len(),
                self.list.entries.len(),
                self.list.withdrawn.len()
            )));
        }
        Ok(check)
    }

    /// Writes the edited file, after [`Editor::render`]'s checks, as the
    /// same file (links, mode, owner, byte-order mark kept). Returns the
    /// file as saved, so callers need not read it again.
    pub fn save(&mut self) -> Result<Signatories, EditError> {
        let mut saved = self.render()?;
        saved.bom = self.list.bom;
        let lock = self.lock.as_ref().expect("an editor that saves was opened from a file");
        let bytes = saved.bytes();
        output::replace_contents(&lock.target, &bytes).map_err(EditError::Write)?;
        Ok(saved)
    }

    fn array(&mut self, kind: Kind) -> &mut ArrayOfTables {
        let item = self
            .doc
            .as_table_mut()
            .entry(kind.key())
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        item.as_array_of_tables_mut().expect("checked when opened: the key holds [[entries]]")
    }

    /// Puts every added entry before the first entry of its kind (in file
    /// order) that collates after it, else after the last of its kind, else
    /// at the end of the file; then numbers all tables in their new order.
    fn place_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let collator = Collator::new();
        let pending = std::mem::take(&mut self.pending);
        let was_empty = self.list.entries.is_empty();
        // For each kind: the new entries going before its i-th entry, and
        // those going after its last.
        let mut before: HashMap<(Kind, usize), Vec<(Signatory, Table)>> = HashMap::new();
        let mut after: HashMap<Kind, Vec<(Signatory, Table)>> = HashMap::new();
        for kind in [Kind::Organisation, Kind::Individual] {
            let existing: Vec<&Signatory> =
                self.list.entries.iter().filter(|s| s.kind == kind).collect();
            // The greatest entry so far, by index: a running maximum is
            // sorted, so the first entry after a new one is found by halving.
            let mut greatest: Vec<usize> = Vec::with_capacity(existing.len());
            for (i, entry) in existing.iter().enumerate() {
                let keep = greatest
                    .last()
                    .copied()
                    .filter(|&g| collator.compare_signatories(entry, existing[g]).is_le());
                greatest.push(keep.unwrap_or(i));
            }
            for (entry, table) in pending.iter().filter(|(s, _)| s.kind == kind).cloned() {
                // Where the running maximum first exceeds the new entry, the
                // entry there is the maximum: the first that collates after.
                let follower = greatest.partition_point(|&g| {
                    !collator.compare_signatories(existing[g], &entry).is_gt()
                });
                if follower < existing.len() {
                    before.entry((kind, follower)).or_default().push((entry, table));
                } else {
                    after.entry(kind).or_default().push((entry, table));
                }
            }
        }
        for group in before.values_mut().chain(after.values_mut()) {
            group.sort_by(|a, b| collator.compare_signatories(&a.0, &b.0));
        }

        // Every table of the file, in order, with the new ones among them.
        let mut order: Vec<(String, usize)> = Vec::new();
        for (key, item) in self.doc.as_table().iter() {
            if let Some(array) = item.as_array_of_tables() {
                order.extend((0..array.len()).map(|i| (key.to_owned(), i)));
            }
        }
        let position = |doc: &DocumentMut, (key, i): &(String, usize)| {
            doc.get(key)
                .and_then(Item::as_array_of_tables)
                .and_then(|a| a.get(*i))
                .and_then(Table::position)
                .unwrap_or(isize::MAX)
        };
        order.sort_by_key(|slot| position(&self.doc, slot));
        let counts: HashMap<Kind, usize> = [Kind::Organisation, Kind::Individual]
            .into_iter()
            .map(|k| (k, self.list.entries.iter().filter(|s| s.kind == k).count()))
            .collect();
        let mut next = 0isize;
        let mut placed: Vec<(Signatory, Table)> = Vec::new();
        let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
        for (key, i) in order {
            let kind = [Kind::Organisation, Kind::Individual].into_iter().find(|k| k.key() == key);
            if let Some(group) = kind.and_then(|k| before.remove(&(k, i))) {
                let table = self.doc[key.as_str()]
                    .as_array_of_tables_mut()
                    .and_then(|a| a.get_mut(i))
                    .expect("listed above");
                let (detached, own) = split_prefix(prefix_of(table));
                table.decor_mut().set_prefix(format!("\n{own}"));
                let detached = if detached.is_empty() { "\n".to_owned() } else { detached };
                for (n, (entry, mut new)) in group.into_iter().enumerate() {
                    new.decor_mut().set_prefix(if n == 0 { detached.clone() } else { "\n".into() });
                    next += 1;
                    new.set_position(next);
                    placed.push((entry, new));
                }
            }
            next += 1;
            if let Some(table) =
                self.doc[key.as_str()].as_array_of_tables_mut().and_then(|a| a.get_mut(i))
            {
                table.set_position(next);
            }
            if let Some(kind) = kind
                && i + 1 == counts[&kind]
                && let Some(group) = after.remove(&kind)
            {
                for (entry, mut new) in group {
                    new.decor_mut().set_prefix("\n");
                    next += 1;
                    new.set_position(next);
                    placed.push((entry, new));
                }
            }
        }
        // Kinds with no entry yet go at the end of the file.
        for kind in [Kind::Organisation, Kind::Individual] {
            for (entry, mut new) in after.remove(&kind).unwrap_or_default() {
                new.decor_mut().set_prefix("\n");
                next += 1;
                new.set_position(next);
                placed.push((entry, new));
            }
        }
        // In a file with no entries yet, its comments are all "trailing":
        // they belong above the first entry, not below.
        if was_empty && let Some((_, first)) = placed.iter_mut().min_by_key(|(_, t)| t.position()) {
            self.doc.set_trailing("");
            let gap = if trailing.trim().is_empty() { "" } else { "\n" };
            first.decor_mut().set_prefix(format!("{}{gap}", trailing.trim_start()));
        }
        for (entry, table) in placed {
            self.array(entry.kind).push(table);
            self.list.entries.push(entry);
        }
    }

    fn tables_mut(&mut self) -> impl Iterator<Item = &mut Table> {
        self.doc
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

/// Every line ending as CRLF, whether it was LF or CRLF.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn prefix_of(table: &Table) -> String {
    table.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned()
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

/// The new entry as the model sees it, for collation and the name checks.
fn as_signatory(entry: &NewEntry) -> Signatory {
    let field = |text: &String| Field { value: text.clone(), span: 0..0 };
    Signatory {
        kind: entry.kind,
        name: field(&entry.name),
        affiliation: entry.affiliation.as_ref().map(field),
        url: entry.url.as_ref().map(field),
        sort_as: entry.sort_as.as_ref().map(field),
        span: usize::MAX..usize::MAX,
    }
}

fn as_new_entry(entry: &Signatory) -> NewEntry {
    let text = |f: &Option<Field>| f.as_ref().map(|f| f.value.clone());
    NewEntry {
        kind: entry.kind,
        name: entry.name.value.clone(),
        affiliation: text(&entry.affiliation),
        url: text(&entry.url),
        sort_as: text(&entry.sort_as),
    }
}

impl NewEntry {
    /// Each field given, with its name, in the order the file writes them.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            (field::NAME, Some(&self.name)),
            (field::AFFILIATION, self.affiliation.as_ref()),
            (field::URL, self.url.as_ref()),
            (field::SORT_AS, self.sort_as.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, text)| Some((key, text?)))
    }

    /// The same rules a build applies to a field in the file.
    pub fn problems(&self) -> Option<String> {
        if self.name.trim().is_empty() {
            return Some("the name is empty".into());
        }
        for (key, text) in self.fields() {
            if text.trim().is_empty() {
                return Some(format!("`{key}` is empty"));
            }
            if let Some(why) = text_problem(key, text) {
                return Some(format!("`{key}` {why}"));
            }
        }
        if self.kind == Kind::Organisation && (self.affiliation.is_some() || self.sort_as.is_some())
        {
            return Some(format!(
                "an organisation has no `{}` or `{}`",
                field::AFFILIATION,
                field::SORT_AS
            ));
        }
        let url = self.url.as_deref()?;
        url_problem(url).map(|why| format!("`{}` \"{url}\": {why}", field::URL))
    }
}

#[cfg(test)]
mod tests;
