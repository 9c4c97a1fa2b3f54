//! `openletter signatories import FILE.csv`: a sign-on form's rows, each
//! added, skipped (already listed) or rejected (unusable), with its line.

use std::collections::HashMap;
use std::path::Path;

use crate::args::ImportArgs;
use crate::error::Error;
use crate::inputs::refuse_entry;
use crate::signatories::edit::Editor;
use crate::signatories::import::{self, Columns};
use crate::signatories::{fold, near_key};

enum Outcome {
    Added(String),
    Skipped(String, String),
    Rejected(String),
}

pub fn run(path: &Path, args: &ImportArgs) -> Result<(), Error> {
    let mut editor = Editor::open(path)?;
    let columns = Columns {
        name: args.name_column.clone(),
        affiliation: args.affiliation_column.clone(),
        kind: args.kind_column.clone(),
        url: args.url_column.clone(),
    };
    let (rows, rejected) = import::read(&args.file, &columns)?;

    let mut outcomes: Vec<(u64, Outcome)> =
        rejected.into_iter().map(|r| (r.line, Outcome::Rejected(r.why))).collect();
    // Rows already taken from this CSV, by folded and by near-duplicate name.
    let mut taken: HashMap<String, (u64, String)> = HashMap::new();
    for row in rows {
        let name = row.entry.name.clone();
        if let Some(why) = refuse_entry(&row.entry) {
            outcomes.push((row.line, Outcome::Rejected(format!("\"{name}\": {why}"))));
            continue;
        }
        let earlier = taken.get(&fold(&name)).or_else(|| taken.get(&near_key(&name)));
        if let Some((line, first)) = earlier {
            let why = format!("same as \"{first}\" on line {line} of the CSV");
            outcomes.push((row.line, Outcome::Skipped(name, why)));
            continue;
        }
        match editor.add(row.entry.clone(), false) {
            Ok(()) => {
                taken.insert(fold(&name), (row.line, name.clone()));
                taken.insert(near_key(&name), (row.line, name.clone()));
                outcomes.push((
                    row.line,
                    Outcome::Added(format!("{} \"{name}\"", row.entry.kind.key())),
                ));
            }
            Err(refusal) => {
                outcomes.push((row.line, Outcome::Skipped(name, refusal.to_string())));
            }
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
    if args.dry_run {
        editor.render()?;
        outln!(
            "dry run: {added} would be added, {skipped} skipped, {rejected} rejected; nothing written"
        )?;
        return Ok(());
    }
    let saved = if added > 0 { editor.save()? } else { editor.list.clone() };
    drop(editor);
    outln!("{added} added, {skipped} skipped, {rejected} rejected")?;
    outln!("{}", saved.counts())?;
    Ok(())
}
