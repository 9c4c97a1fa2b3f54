//! `openletter signatories import FILE`: a sign-on form's rows, each added,
//! skipped (already listed, or withdrawn) or rejected (unusable), with its
//! line. Exit 0: nothing rejected; 1: some row rejected; 2: unreadable.

use std::collections::HashMap;
use std::path::Path;

use crate::args::{ImportArgs, ImportField};
use crate::error::Error;
use crate::inputs::{refuse_entry, typefaces};
use crate::signatories::Kind;
use crate::signatories::edit::{Editor, Edits, Refusal};
use crate::signatories::import::{self, Columns, Options};
use crate::signatories::{fold, near_key};

enum Outcome {
    Added(String),
    Skipped(String, String),
    Rejected(String),
}

pub fn run(path: &Path, args: &ImportArgs) -> Result<u8, Error> {
    let mut columns = Columns::default();
    for (field, header) in &args.mappings {
        let slot = match field {
            ImportField::Name => &mut columns.name,
            ImportField::Affiliation => &mut columns.affiliation,
            ImportField::Organisation => &mut columns.organisation,
            ImportField::Kind => &mut columns.kind,
            ImportField::Url => &mut columns.url,
            ImportField::SortAs => &mut columns.sort_as,
        };
        if let Some(earlier) = slot.replace(header.clone()) {
            return Err(Error::Usage(format!(
                "--map gives two columns for one field: \"{earlier}\" and \"{header}\""
            )));
        }
    }
    let options = Options {
        columns,
        delimiter: args.delimiter,
        kind_map: args
            .kind_map
            .iter()
            .map(|(value, kind)| (value.clone(), Kind::from(*kind)))
            .collect(),
        encoding: args.encoding,
    };
    let table = import::read(&args.file, &options)?;
    if let Some(note) = &table.encoding_note {
        note!("note: {note}");
    }
    if table.joined && !args.dry_run {
        note!("note: {} read as {}", args.file.display(), table.columns);
    }
    if args.dry_run {
        outln!("columns of {}: {}", args.file.display(), table.columns)?;
    }
    let typefaces = typefaces(path)?;
    let mut editor = Editor::open(path, Edits::Additions)?;

    let mut outcomes: Vec<(usize, Outcome)> =
        table.rejected.into_iter().map(|r| (r.line, Outcome::Rejected(r.why))).collect();
    // Rows already taken from this file, by folded and by near-duplicate name.
    let mut taken: HashMap<String, (usize, String)> = HashMap::new();
    for row in table.rows {
        let name = row.entry.name.clone();
        if let Some(why) = refuse_entry(&typefaces, &row.entry) {
            outcomes.push((row.line, Outcome::Rejected(format!("\"{name}\": {why}"))));
            continue;
        }
        let earlier = taken.get(&fold(&name)).or_else(|| taken.get(&near_key(&name)));
        if let Some((line, first)) = earlier {
            let why = format!("same as \"{first}\" on line {line} of the file");
            outcomes.push((row.line, Outcome::Skipped(name, why)));
            continue;
        }
        let kind = row.entry.kind.key();
        match editor.add(row.entry, false) {
            Ok(()) => {
                if let Some(repair) = row.repaired {
                    note!("{}:{}: note: {repair}", args.file.display(), row.line);
                }
                taken.insert(fold(&name), (row.line, name.clone()));
                taken.insert(near_key(&name), (row.line, name.clone()));
                outcomes.push((row.line, Outcome::Added(format!("{kind} \"{name}\""))));
            }
            Err(Refusal::Invalid(why)) => outcomes.push((row.line, Outcome::Rejected(why))),
            Err(refusal) => outcomes.push((row.line, Outcome::Skipped(name, refusal.to_string()))),
        }
    }
    outcomes.sort_by_key(|(line, _)| *line);

    let file = args.file.display();
    let (mut added, mut skipped, mut rejected) = (0, 0, 0);
    for (line, outcome) in &outcomes {
        match outcome {
            Outcome::Added(what) => {
                added += 1;
                outln!("{file}:{line}: added {what}")?;
            }
            Outcome::Skipped(name, why) => {
                skipped += 1;
                outln!("{file}:{line}: skipped \"{name}\": {why}")?;
            }
            Outcome::Rejected(why) => {
                rejected += 1;
                outln!("{file}:{line}: rejected: {why}")?;
            }
        }
    }
    let code = u8::from(rejected > 0);
    if args.dry_run {
        editor.render()?;
        outln!(
            "dry run: {added} would be added, {skipped} skipped, {rejected} rejected; nothing written"
        )?;
        return Ok(code);
    }
    let counts = if added > 0 { editor.save()?.counts } else { editor.counts() };
    editor.finish();
    outln!("{added} added, {skipped} skipped, {rejected} rejected")?;
    outln!("{counts}")?;
    Ok(code)
}
