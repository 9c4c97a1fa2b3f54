//! Editing `signatories.toml` in place without losing anything.
//!
//! Edits go through `toml_edit`, which keeps every comment, blank line and
//! quoting style it is not asked to change. A new entry is put where a person
//! would put it: in collated position among the entries of its kind. Before
//! anything is written, the result is read back and validated, and must hold
//! exactly the old entries plus or minus the one edited.

use std::fmt;
use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::load::{BOM, parse, parse_bytes, read_locked, url_problem};
use super::{
    Collator, Field, Kind, LoadError, Signatories, Signatory, field, fold, line_col, near_key,
    text_problem,
};
use crate::files::{Access, Locked};
use crate::output::{self, WriteError};

/// An entry to add, as given on the command line or in an imported row.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: Kind,
    pub name: String,
    pub affiliation: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
}

/// Why an edit was not made.
#[derive(Debug)]
pub enum Refusal {
    /// The same signatory is already listed (names equal once folded).
    Duplicate { existing: String, line: usize },
    /// Probably the same signatory written another way; `--force` adds it.
    NearDuplicate { existing: String, line: usize },
    /// `remove` found no entry of that name.
    NotFound(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Refusal::Duplicate { existing, line } => {
                write!(f, "is already listed as \"{existing}\" (line {line})")
            }
            Refusal::NearDuplicate { existing, line } => write!(
                f,
                "looks like \"{existing}\" (line {line}), already listed; use --force if they differ"
            ),
            Refusal::NotFound(name) => write!(f, "no signatory is named \"{name}\""),
        }
    }
}

/// Why the file could not be edited at all.
#[derive(Debug)]
pub enum EditError {
    /// The file does not parse or validate: nothing is edited until it does.
    Load(LoadError),
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
    pub list: Signatories,
    doc: DocumentMut,
    /// How many entries the file must hold when saved.
    expected: usize,
    lock: Option<Locked>,
}

impl Editor {
    pub fn open(path: &Path) -> Result<Self, EditError> {
        let mut lock = read_locked(path, Access::Exclusive).map_err(EditError::Load)?;
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
        for kind in [Kind::Organisation, Kind::Individual] {
            let Some(item) = doc.get(kind.key()) else { continue };
            if !item.is_array_of_tables() {
                let line = list
                    .entries
                    .iter()
                    .find(|s| s.kind == kind)
                    .map(|s| format!(" (line {})", line_col(&list.source, s.span.start).0))
                    .unwrap_or_default();
                return Err(EditError::Shape(format!(
                    "`{}` is written as an inline list{line}; edits keep only entries written \
                     [[{}]], one table each: rewrite them so and try again",
                    kind.key(),
                    kind.key()
                )));
            }
        }
        let expected = list.entries.len();
        Ok(Self { list, doc, expected, lock: None })
    }

    pub fn path(&self) -> &Path {
        &self.list.path
    }

    /// Whether `entry` collides with a listed signatory, exactly or nearly.
    pub fn collision(&self, entry: &NewEntry) -> Option<Refusal> {
        let folded = fold(&entry.name);
        let near = near_key(&entry.name);
        let line = |s: &Signatory| line_col(&self.list.source, s.span.start).0;
        if let Some(s) = self.list.entries.iter().find(|s| fold(&s.name.value) == folded) {
            return Some(Refusal::Duplicate { existing: s.name.value.clone(), line: line(s) });
        }
        self.list
            .entries
            .iter()
            .find(|s| near_key(&s.name.value) == near)
            .map(|s| Refusal::NearDuplicate { existing: s.name.value.clone(), line: line(s) })
    }

    /// Adds an entry in collated position among its kind. A near-duplicate is
    /// refused unless `force`; an exact duplicate always is, since the file
    /// would then no longer build.
    pub fn add(&mut self, entry: NewEntry, force: bool) -> Result<(), Refusal> {
        match self.collision(&entry) {
            Some(Refusal::NearDuplicate { .. }) if force => {}
            Some(refusal) => return Err(refusal),
            None => {}
        }
        let mut table = Table::new();
        for (key, text) in entry.fields() {
            table.insert(key, value(text));
        }
        self.insert_collated(&entry, table);
        self.list.entries.push(as_signatory(&entry));
        self.expected += 1;
        Ok(())
    }

    /// Removes the one entry whose folded name equals `name`'s.
    pub fn remove(&mut self, name: &str) -> Result<Signatory, Refusal> {
        let folded = fold(name);
        let index = self
            .list
            .entries
            .iter()
            .position(|s| fold(&s.name.value) == folded)
            .ok_or_else(|| Refusal::NotFound(name.to_owned()))?;
        let entry = self.list.entries.remove(index);
        let nth = self.list.entries[..index].iter().filter(|s| s.kind == entry.kind).count();
        let array = self.array(entry.kind);
        let removed = array.remove(nth);
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
        self.expected -= 1;
        Ok(entry)
    }

    /// The file as it will be, read back from its new text and checked
    /// before anything is written.
    pub fn render(&self) -> Result<Signatories, EditError> {
        let text = self.doc.to_string();
        // New lines written by toml_edit end in LF: a CRLF file stays CRLF.
        let text = if self.list.source.contains("\r\n") { crlf(&text) } else { text };
        let check = parse(self.path(), text).map_err(|err| {
            EditError::Verify(format!("the edited file does not validate: {err:?}"))
        })?;
        if check.entries.len() != self.expected {
            return Err(EditError::Verify(format!(
                "the edited file holds {} entries, not the expected {}",
                check.entries.len(),
                self.expected
            )));
        }
        let mut want: Vec<String> = self.list.entries.iter().map(|s| fold(&s.name.value)).collect();
        let mut have: Vec<String> = check.entries.iter().map(|s| fold(&s.name.value)).collect();
        want.sort();
        have.sort();
        if want != have {
            return Err(EditError::Verify(
                "the edited file does not hold the expected names".into(),
            ));
        }
        Ok(check)
    }

    /// Writes the edited file atomically, after [`Editor::render`]'s checks.
    /// Returns the file as saved, so callers need not read it again.
    pub fn save(&self) -> Result<Signatories, EditError> {
        let mut saved = self.render()?;
        saved.bom = self.list.bom;
        let lock = self.lock.as_ref().expect("an editor that saves was opened from a file");
        let bytes = if saved.bom { format!("{BOM}{}", saved.source) } else { saved.source.clone() };
        output::replace_contents(&lock.target, bytes.as_bytes()).map_err(EditError::Write)?;
        Ok(saved)
    }

    fn array(&mut self, kind: Kind) -> &mut ArrayOfTables {
        let item = self
            .doc
            .as_table_mut()
            .entry(kind.key())
            .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
        item.as_array_of_tables_mut().expect("validated: the key holds [[entries]]")
    }

    /// Puts `table` before the first entry of its kind that collates after
    /// it, else after the last of its kind, else at the end of the file.
    fn insert_collated(&mut self, entry: &NewEntry, mut table: Table) {
        let probe = as_signatory(entry);
        let collator = Collator::new();
        let same_kind: Vec<&Signatory> =
            self.list.entries.iter().filter(|s| s.kind == entry.kind).collect();
        let follower =
            same_kind.iter().position(|s| collator.compare_signatories(s, &probe).is_gt());
        let array = self.array(entry.kind);
        match follower {
            Some(index) => {
                let next = array.get_mut(index).expect("model and file agree");
                let position = next.position().unwrap_or(0);
                let (detached, own) = split_prefix(prefix_of(next));
                next.decor_mut().set_prefix(format!("\n{own}"));
                let detached = if detached.is_empty() { "\n".to_owned() } else { detached };
                table.decor_mut().set_prefix(detached);
                self.shift_positions_from(position);
                table.set_position(position);
            }
            None => {
                let last = array.iter().filter_map(Table::position).max();
                let position = match last {
                    Some(p) => p + 1,
                    None => self.max_position() + 1,
                };
                self.shift_positions_from(position);
                table.set_position(position);
                // In a file with no entries yet, its comments are all
                // "trailing": they belong above the first entry, not below.
                if self.list.entries.is_empty() {
                    let comments = self.doc.trailing().as_str().unwrap_or("").to_owned();
                    self.doc.set_trailing("");
                    let gap = if comments.trim().is_empty() { "" } else { "\n" };
                    table.decor_mut().set_prefix(format!("{}{gap}", comments.trim_start()));
                } else {
                    table.decor_mut().set_prefix("\n");
                }
            }
        }
        self.array(entry.kind).push(table);
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

    fn shift_positions_from(&mut self, from: isize) {
        for table in self.tables_mut() {
            if let Some(p) = table.position().filter(|p| *p >= from) {
                table.set_position(p + 1);
            }
        }
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
            return Some("an organisation has no affiliation or sort_as".into());
        }
        let url = self.url.as_deref()?;
        url_problem(url).map(|why| format!("`{}` \"{url}\": {why}", field::URL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(text: &str) -> Editor {
        Editor::from_list(parse(Path::new("s.toml"), text.into()).unwrap()).unwrap()
    }

    fn individual(name: &str) -> NewEntry {
        NewEntry {
            kind: Kind::Individual,
            name: name.into(),
            affiliation: None,
            url: None,
            sort_as: None,
        }
    }

    const FILE: &str = "# header\n\n# --- People ---\n\n[[individual]]\nname = \"Ann Alpha\" # first\n\n# a note on Cy\n[[individual]]\nname = \"Cy Gamma\"\n\n# trailing\n";

    #[test]
    fn adds_in_collated_position_keeping_comments() {
        let mut e = editor(FILE);
        e.add(individual("Bea Beta"), false).unwrap();
        let text = e.render().unwrap().source;
        let ann = text.find("Ann Alpha").unwrap();
        let bea = text.find("Bea Beta").unwrap();
        let cy = text.find("Cy Gamma").unwrap();
        assert!(ann < bea && bea < cy, "{text}");
        for comment in ["# header", "# --- People ---", "# first", "# a note on Cy", "# trailing"] {
            assert!(text.contains(comment), "{comment} lost:\n{text}");
        }
        assert!(text.find("# a note on Cy").unwrap() > bea, "{text}");
    }

    #[test]
    fn adds_before_the_first_entry_after_its_section_comment() {
        let mut e = editor(FILE);
        e.add(individual("Aaron Aardvark"), false).unwrap();
        let text = e.render().unwrap().source;
        assert!(
            text.find("# --- People ---").unwrap() < text.find("Aaron Aardvark").unwrap(),
            "{text}"
        );
        assert!(text.find("Aaron Aardvark").unwrap() < text.find("Ann Alpha").unwrap(), "{text}");
    }

    #[test]
    fn removing_keeps_section_comments_and_drops_only_the_entrys_own() {
        let mut e = editor(FILE);
        e.remove("ann alpha").unwrap();
        let text = e.render().unwrap().source;
        assert!(!text.contains("Ann Alpha"));
        assert!(text.contains("# header") && text.contains("# --- People ---"), "{text}");
        let mut e = editor(FILE);
        e.remove("Cy Gamma").unwrap();
        let text = e.render().unwrap().source;
        assert!(!text.contains("# a note on Cy") && text.contains("# trailing"), "{text}");
    }

    #[test]
    fn the_first_entry_of_a_new_file_goes_below_its_comments() {
        let mut e = editor("# Signatories of the letter\n");
        e.add(individual("Ann Alpha"), false).unwrap();
        let text = e.render().unwrap().source;
        assert_eq!(text, "# Signatories of the letter\n\n[[individual]]\nname = \"Ann Alpha\"\n");
    }

    #[test]
    fn refuses_to_edit_inline_lists_rather_than_panic() {
        let list = parse(Path::new("s.toml"), "organisation = [ { name = \"A\" } ]\n".into());
        assert!(matches!(Editor::from_list(list.unwrap()), Err(EditError::Shape(_))));
        let list = parse(Path::new("s.toml"), "individual = []\n".into());
        assert!(matches!(Editor::from_list(list.unwrap()), Err(EditError::Shape(_))));
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let mut e = editor("[[individual]]\r\nname = \"Ann Alpha\"\r\n");
        e.add(individual("Bea Beta"), false).unwrap();
        let text = e.render().unwrap().source;
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
        assert!(text.contains("Bea Beta"));
    }

    #[test]
    fn refuses_duplicates_and_near_duplicates() {
        let mut e = editor(FILE);
        assert!(matches!(e.add(individual("ANN  ALPHA"), false), Err(Refusal::Duplicate { .. })));
        assert!(matches!(
            e.add(individual("Dr Ann Alpha"), false),
            Err(Refusal::NearDuplicate { line: 5, .. })
        ));
        e.add(individual("Dr Ann Alpha"), true).unwrap();
        assert_eq!(e.render().unwrap().source.matches("Ann Alpha").count(), 2);
    }
}
