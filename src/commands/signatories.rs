//! `openletter signatories list | add | remove`: the everyday edits, each one
//! command that cannot drop a name or list one twice.

use std::path::Path;

use serde::Serialize;

use crate::args::{AddArgs, SignatoriesAction, SignatoriesArgs};
use crate::data::{self, Entry};
use crate::error::Error;
use crate::inputs::{load_signatories, refuse_entry};
use crate::signatories::edit::{Editor, NewEntry};
use crate::signatories::{Counts, Kind, Signatories, fold, line_col};

use super::{diff, import};

pub fn run(args: SignatoriesArgs) -> Result<(), Error> {
    let path = &args.signatories;
    match args.action {
        SignatoriesAction::List { json } => list(&load_signatories(path)?, json),
        SignatoriesAction::Add(add_args) => add(path, add_args),
        SignatoriesAction::Remove { name } => remove(path, &name),
        SignatoriesAction::Import(import_args) => import::run(path, &import_args),
        SignatoriesAction::Diff { old, new, json } => diff::run(&old, &new, json),
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    counts: Counts,
    signatories: Vec<Entry<'a>>,
}

fn list(list: &Signatories, json: bool) -> Result<(), Error> {
    let entries = data::entries(list);
    if json {
        let out = ListJson { counts: list.counts(), signatories: entries };
        outln!("{}", serde_json::to_string_pretty(&out).expect("serialises"))?;
        return Ok(());
    }
    for entry in &entries {
        match entry.affiliation {
            Some(affiliation) => outln!("{}, {affiliation}", entry.name)?,
            None => outln!("{}", entry.name)?,
        }
    }
    outln!("{}", list.counts())?;
    Ok(())
}

fn add(path: &Path, args: AddArgs) -> Result<(), Error> {
    let (kind, name) = match (args.organisation, args.individual) {
        (Some(name), None) => (Kind::Organisation, name),
        (None, Some(name)) => (Kind::Individual, name),
        _ => unreachable!("clap requires exactly one of --organisation and --individual"),
    };
    let entry = NewEntry {
        kind,
        name,
        affiliation: args.affiliation,
        url: args.url,
        sort_as: args.sort_as,
    };
    if let Some(why) = refuse_entry(&entry) {
        return Err(Error::Refused(format!("not added: \"{}\": {why}", entry.name)));
    }
    let mut editor = Editor::open(path)?;
    let name = entry.name.clone();
    editor
        .add(entry, args.force)
        .map_err(|refusal| Error::Refused(format!("not added: \"{name}\" {refusal}")))?;
    let saved = editor.save()?;
    drop(editor);
    let line = saved
        .entries
        .iter()
        .find(|s| fold(&s.name.value) == fold(&name))
        .map_or(0, |s| line_col(&saved.source, s.span.start).0);
    outln!("added {} \"{name}\" to {} at line {line}", kind.key(), path.display())?;
    outln!("{}", saved.counts())?;
    Ok(())
}

fn remove(path: &Path, name: &str) -> Result<(), Error> {
    let mut editor = Editor::open(path)?;
    let removed = editor
        .remove(name)
        .map_err(|refusal| Error::Refused(format!("nothing removed: {refusal}")))?;
    let line = line_col(&editor.list.source, removed.span.start).0;
    let saved = editor.save()?;
    drop(editor);
    let describe = match &removed.affiliation {
        Some(a) => format!("\"{}\" ({})", removed.name.value, a.value),
        None => format!("\"{}\"", removed.name.value),
    };
    outln!("removed {} {describe}, which was at line {line}", removed.kind.key())?;
    outln!("{}", saved.counts())?;
    Ok(())
}
