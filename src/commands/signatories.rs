//! `openletter signatories list | add | edit | remove`: the everyday edits,
//! each one command that cannot drop a name or list one twice.

use std::path::Path;

use crate::args::{AddArgs, EditArgs, RemoveArgs, SignatoriesAction, SignatoriesArgs};
use crate::data;
use crate::date::LetterDate;
use crate::error::Error;
use crate::inputs::{load_signatories, refuse_entry, typefaces};
use crate::ledger::{self, Ledger, Submission};
use crate::letter::language;
use crate::signatories::edit::{Changes, Editor, Edits};
use crate::signatories::{
    Collator, Kind, Signatories, Signatory, describe_change, field, text_problem,
};

use super::{diff, import, ledger as ledger_command};

/// Runs a signatories command; `Ok` holds the exit code.
pub fn run(args: SignatoriesArgs) -> Result<u8, Error> {
    let path = &args.signatories;
    match args.action {
        SignatoriesAction::List { json } => {
            list(&load_signatories(path)?, &language::of_project(path), json).map(|()| 0)
        }
        SignatoriesAction::Add(add_args) => add(path, add_args).map(|()| 0),
        SignatoriesAction::Edit(edit_args) => edit(path, &edit_args).map(|()| 0),
        SignatoriesAction::Remove(remove_args) => remove(path, &remove_args).map(|()| 0),
        SignatoriesAction::Import(import_args) => import::run(path, &import_args),
        SignatoriesAction::Diff { old, new, json } => diff::run(&old, &new, json).map(|()| 0),
        SignatoriesAction::History { name } => ledger_command::history(path, &name).map(|()| 0),
    }
}

fn list(list: &Signatories, language: &str, json: bool) -> Result<(), Error> {
    let entries = data::entries(list.collated(&Collator::new(language)));
    if json {
        let withdrawn = data::withdrawn(list);
        let out = data::Listing {
            counts: list.counts(),
            signatories: entries,
            withdrawn: Some(withdrawn),
            updated: None,
        };
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
    if !list.withdrawn.is_empty() {
        outln!("withdrawn ({}, not printed):", list.withdrawn.len())?;
        for w in data::withdrawn(list) {
            let reason = w.reason.map(|r| format!(": {r}")).unwrap_or_default();
            outln!("  {} (withdrew on {}{reason})", w.name, w.date)?;
        }
    }
    Ok(())
}

fn add(path: &Path, args: AddArgs) -> Result<(), Error> {
    let (kind, name) = match (args.organisation, args.individual) {
        (Some(name), None) => (Kind::Organisation, name),
        (None, Some(name)) => (Kind::Individual, name),
        _ => unreachable!("clap requires exactly one of --organisation and --individual"),
    };
    let entry = Signatory {
        kind,
        name,
        affiliation: args.affiliation,
        url: args.url,
        sort_as: args.sort_as,
    };
    if let Some(why) = refuse_entry(&typefaces(path)?, &entry) {
        return Err(Error::Refused(format!("not added: \"{}\": {why}", entry.name)));
    }
    let mut editor = Editor::open(path, Edits::Additions, &language::of_project(path))?;
    let name = entry.name.clone();
    let (kind_key, affiliation, url) = (kind.key(), entry.affiliation.clone(), entry.url.clone());
    editor
        .add(entry, args.force)
        .map_err(|refusal| Error::Refused(format!("not added: \"{name}\" {refusal}")))?;
    let result = if args.dry_run {
        editor.render()?
    } else {
        let mut ledger = Ledger::open(path)?;
        let received = ledger::now();
        let key = ledger.keyer().key(&["add", &received, &name]);
        let changes = ledger.begin()?;
        changes.record(&Submission {
            key,
            channel: "add".into(),
            origin: "signatories add".into(),
            received,
            state: "listed".into(),
            kind: kind_key.into(),
            name: name.clone(),
            affiliation,
            url,
            entry: Some(name.clone()),
            email: None,
            detail: None,
            news: None,
        })?;
        let saved = editor.save()?;
        changes.commit()?;
        saved
    };
    let at = editor.line_of(&result, &name).map(|line| format!(" at line {line}"));
    editor.finish();
    let verb = if args.dry_run { "would add" } else { "added" };
    outln!("{verb} {} \"{name}\" to {}{}", kind.key(), path.display(), at.unwrap_or_default())?;
    outln!("{}", result.counts)?;
    if args.dry_run {
        outln!("dry run: nothing written")?;
    }
    Ok(())
}

fn edit(path: &Path, args: &EditArgs) -> Result<(), Error> {
    let changes = Changes {
        name: args.name.clone(),
        affiliation: args.affiliation.clone(),
        url: args.url.clone(),
        sort_as: args.sort_as.clone(),
        kind: args.kind.map(Kind::from),
    };
    let mut editor = Editor::open(path, Edits::Any, &language::of_project(path))?;
    let refused =
        |why: String| Error::Refused(format!("not changed: \"{}\": {why}", args.signatory));
    let (old, new) =
        editor.edit(&args.signatory, &changes, args.force).map_err(|r| refused(r.to_string()))?;
    if let Some(why) = refuse_entry(&typefaces(path)?, &new) {
        return Err(refused(why));
    }
    if old == new {
        outln!("\"{}\" is unchanged", old.name)?;
        return Ok(());
    }
    let result = if args.dry_run {
        editor.render()?
    } else {
        let mut ledger = Ledger::open(path)?;
        let changes = ledger.begin()?;
        let at = ledger::now();
        if old.name != new.name {
            changes.rename(&old.name, &new.name, &at)?;
        }
        // A rename is recorded as one, above.
        for change in describe_changes(&old, &new, &["kind", field::NAME]) {
            changes.event(&new.name, &at, &change, None)?;
        }
        let saved = editor.save()?;
        changes.commit()?;
        saved
    };
    let at = editor.line_of(&result, &new.name).map(|line| format!(" at line {line}"));
    editor.finish();
    let verb = if args.dry_run { "would change" } else { "changed" };
    outln!("{verb} \"{}\"{}:", old.name, at.unwrap_or_default())?;
    if old.kind != new.kind {
        outln!("  kind {} → {}", old.kind.key(), new.kind.key())?;
    }
    for change in describe_changes(&old, &new, &["kind"]) {
        outln!("  {change}")?;
    }
    if args.dry_run {
        outln!("dry run: nothing written")?;
    }
    Ok(())
}

/// Each field an edit changed but those in `but`, as `affiliation "A" → "B"`.
fn describe_changes(old: &Signatory, new: &Signatory, but: &[&str]) -> Vec<String> {
    let changes = old.changes_to(new).into_iter().filter(|(field, ..)| !but.contains(field));
    changes.map(|change| describe_change(&change)).collect()
}

fn remove(path: &Path, args: &RemoveArgs) -> Result<(), Error> {
    let mut editor = Editor::open(path, Edits::Any, &language::of_project(path))?;
    let date = args.on.unwrap_or_else(LetterDate::today).iso();
    if let Some(why) = args.reason.as_deref().and_then(|r| text_problem(field::REASON, r)) {
        return Err(Error::Refused(format!("nothing removed: the reason {why}")));
    }
    // The reason is private correspondence: kept in the ledger, never in
    // the list, which is published.
    let removed =
        if args.withdrawn { editor.withdraw(&args.name, &date) } else { editor.remove(&args.name) }
            .map_err(|refusal| Error::Refused(format!("nothing removed: {refusal}")))?;
    let mut ledger = Ledger::open(path)?;
    let changes = ledger.begin()?;
    let name = &removed.entry.name;
    if args.withdrawn {
        changes.event(
            name,
            &ledger::now(),
            &format!("withdrew on {date}"),
            args.reason.as_deref(),
        )?;
        changes.unlist(name, "withdrawn")?;
    } else {
        changes.event(name, &ledger::now(), "removed", None)?;
        changes.unlist(name, "removed")?;
    }
    let saved = editor.save()?;
    changes.commit()?;
    editor.finish();
    let entry = &removed.entry;
    let describe = match &entry.affiliation {
        Some(a) => format!("\"{}\" ({a})", entry.name),
        None => format!("\"{}\"", entry.name),
    };
    let at = removed.line.map(|line| format!(", which was at line {line}")).unwrap_or_default();
    let how = if args.withdrawn { ", and recorded the withdrawal" } else { "" };
    outln!("removed {} {describe}{at}{how}", entry.kind.key())?;
    outln!("{}", saved.counts)?;
    Ok(())
}
