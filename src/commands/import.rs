//! `openletter signatories import FILE`: a sign-on form's rows, each added,
//! skipped (already listed, or withdrawn) or rejected (unusable), with its
//! line. Exit 0: nothing rejected; 1: some row rejected; 2: unreadable.

use std::collections::HashMap;
use std::path::Path;

use crate::args::{ImportArgs, ImportField};
use crate::cores::on_every_core;
use crate::error::Error;
use crate::fonts::Typefaces;
use crate::inputs::{refuse_entry, typefaces};
use crate::ledger::{self, Keyer, Ledger, Submission};
use crate::letter::language;
use crate::signatories::edit::{Editor, Edits, NameKeys, Refusal};
use crate::signatories::fold;
use crate::signatories::import::Identity;
use crate::signatories::import::{self, Columns, Options};
use crate::signatories::{Kind, Signatory, describe_change};

enum Outcome {
    Added(String),
    Skipped(String, String),
    /// Added, with something to look at.
    Warning(String),
    /// Imported before: (name, where and when).
    Seen(String, String),
    /// Imported before, with other data now: (name, what changed).
    Changed(String, String),
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
    let settings = import::saved::path_of(path);
    let saved = import::saved::load(&settings).map_err(import::ImportError::Settings)?;
    let told = args.mappings.len() + args.kind_map.len() > 0;
    let kind_map: Vec<(String, Kind)> =
        args.kind_map.iter().map(|(value, kind)| (value.clone(), Kind::from(*kind))).collect();
    let form = import::saved::Saved {
        headers: Vec::new(),
        columns: columns.clone(),
        kind_map: kind_map.clone(),
    };
    let options =
        Options { saved, columns, delimiter: args.delimiter, kind_map, encoding: args.encoding };
    let table = import::read(&args.file, &options)?;
    let table_headers = table.headers.clone();
    if let Some(note) = &table.encoding_note {
        note!("note: {note}");
    }
    if table.from_saved {
        note!(
            "note: {} read as saved for this form in {}: {}",
            args.file.display(),
            settings.display(),
            table.columns
        );
    } else if table.joined && !args.dry_run {
        note!("note: {} read as {}", args.file.display(), table.columns);
    }
    if args.dry_run {
        outln!("columns of {}: {}", args.file.display(), table.columns)?;
    }
    let typefaces = typefaces(path)?;
    let mut editor = Editor::open(path, Edits::Additions, &language::of_project(path))?;
    // A dry run only reads the ledger, if there is one.
    let ledger = if args.dry_run { Ledger::existing(path)? } else { Some(Ledger::open(path)?) };
    let file_name = file_name(&args.file);
    let origin = |line: usize| format!("{file_name}:{line}");
    // Every submission known, read at once: a query per row would cost
    // more than the rest of a long import.
    let known: HashMap<String, Submission> = match &ledger {
        Some(ledger) => ledger.submissions()?.into_iter().map(|s| (s.key.clone(), s)).collect(),
        None => HashMap::new(),
    };

    let mut outcomes: Vec<(usize, Outcome)> =
        table.rejected.into_iter().map(|r| (r.line, Outcome::Rejected(r.why))).collect();
    // The individuals listed before, by the address they wrote from; and
    // those who withdrew, whose address keeps them out under any spelling.
    let address_of = |s: &Submission| s.email.as_ref().map(|e| e.to_lowercase());
    let mut senders: HashMap<String, (String, String)> = (known.values())
        .filter(|s| s.kind == Kind::Individual.key() && s.state == "listed")
        .filter_map(|s| Some((address_of(s)?, (s.origin.clone(), s.name.clone()))))
        .collect();
    let withdrawn_senders: HashMap<String, String> = (known.values())
        .filter(|s| s.state == "withdrawn")
        .filter_map(|s| Some((address_of(s)?, s.entry.clone().unwrap_or_else(|| s.name.clone()))))
        .collect();
    // The names entries had before `edit` renamed them, by folded name.
    // A rename of a rename leads to the name now.
    let mut renamed: HashMap<String, String> = HashMap::new();
    for (old, new) in ledger.as_ref().map(Ledger::renames).transpose()?.unwrap_or_default() {
        for now in renamed.values_mut().filter(|now| fold(now) == fold(&old)) {
            *now = new.clone();
        }
        renamed.insert(fold(&old), new);
    }
    // Rows already taken from this file, by folded and by near-duplicate name.
    let mut taken: HashMap<String, (usize, String)> = HashMap::new();
    // What each row's checks need that depends on the row alone, made on
    // every core before the rows are taken in order.
    let keyer = ledger.as_ref().map(Ledger::keyer);
    // A row seen before needs no checks: a re-import of a long export
    // makes only its keys.
    let prepared = on_every_core(&table.rows, |row| {
        let key = keyer.map(|keyer| submission_key(keyer, &row.identity, &row.entry.name));
        let seen =
            key.as_ref().and_then(|key| known.get(key)).is_some_and(|s| s.state != "rejected");
        let checks = (!seen).then(|| Checks::of(&typefaces, &row.entry));
        (key, checks)
    });
    // Room for every row that may be added, made once.
    let new_rows = prepared.iter().filter(|(_, checks)| checks.is_some()).count();
    taken.reserve(3 * new_rows);
    editor.reserve(new_rows);
    // The rows' submissions are recorded as they are decided, on a thread
    // of the ledger's own; a dry run records nothing.
    let recorder = ledger.filter(|_| !args.dry_run).map(Ledger::recorder);
    for (row, (key, checks)) in table.rows.into_iter().zip(prepared) {
        let name = row.entry.name.clone();
        let address = row.identity.email.as_deref().map(str::to_lowercase);
        let before = key.as_ref().and_then(|key| known.get(key)).cloned();
        // A person who withdrew stays out, whatever name their entry had
        // when they did, and whatever spelling they send from the same
        // address: the row is refused as the list's withdrawal would.
        let withdrew_as = (before.as_ref().filter(|s| s.state == "withdrawn"))
            .map(|s| s.entry.clone().unwrap_or_else(|| name.clone()))
            .or_else(|| withdrawn_senders.get(address.as_ref()?).cloned());
        if let Some(entry) = withdrew_as {
            let date = editor.withdrawal_date(&entry).unwrap_or_else(|| "an earlier day".into());
            let why = Refusal::Withdrawn { name: entry, date }.to_string();
            outcomes.push((row.line, Outcome::Skipped(name, why)));
            continue;
        }
        // A row rejected before is read afresh; so is one whose entry the
        // list no longer holds though no command removed it (the list was
        // edited by hand, or put back from an older copy): nothing is lost.
        // A withdrawal is refused as the list records it.
        let seen = before.filter(|s| match (s.state.as_str(), &s.entry) {
            ("rejected", _) => false,
            ("listed", Some(entry)) => editor.lists(entry),
            _ => true,
        });
        if let Some(seen) = seen {
            let changes = changed(&seen, &row.entry);
            let outcome = if changes.is_empty() {
                Outcome::Seen(name, format!("{}, received {}", seen.origin, seen.received))
            } else {
                Outcome::Changed(name, changes.join(", "))
            };
            outcomes.push((row.line, outcome));
            continue;
        }
        let Checks { refused, warned, keys } =
            checks.unwrap_or_else(|| Checks::of(&typefaces, &row.entry));
        if let Some(why) = refused {
            outcomes.push((row.line, Outcome::Rejected(format!("\"{name}\": {why}"))));
            continue;
        }
        if args.deny_warnings && !warned.is_empty() {
            let why = format!("{} (--deny-warnings)", warned.join("; "));
            outcomes.push((row.line, Outcome::Rejected(why)));
            continue;
        }
        let earlier = (taken.get(&keys.folded))
            .or_else(|| taken.get(&keys.near))
            .or_else(|| taken.get(&keys.reordered))
            .map(|(line, first)| format!("same as \"{first}\" on line {line} of the file"));
        // A name an entry was renamed from, sent again from elsewhere.
        let earlier = earlier.or_else(|| {
            let now = renamed.get(&keys.folded).filter(|now| editor.lists(now))?;
            Some(format!(
                "the list renamed \"{name}\" \"{now}\"; if this is another signatory, add \
                 them with `openletter signatories add`"
            ))
        });
        // A person signs once: another name sent from the same address is
        // most likely theirs, spelt another way.
        let same_sender = address
            .as_ref()
            .filter(|_| row.entry.kind == Kind::Individual)
            .and_then(|address| senders.get(address))
            .filter(|(_, first)| fold(first) != keys.folded)
            .map(|(place, first)| {
                format!(
                    "sent from the same address as \"{first}\" ({place}); if they are two \
                     people, add this one with `openletter signatories add`"
                )
            });
        let record = |state: &str, entry: Option<String>, detail: Option<String>| {
            let (Some(recorder), Some(key)) = (&recorder, key.clone()) else { return };
            recorder.record(Submission {
                key,
                channel: "import".into(),
                origin: origin(row.line),
                received: row.identity.received.clone().unwrap_or_else(ledger::now),
                state: state.into(),
                kind: row.entry.kind.key().into(),
                name: name.clone(),
                affiliation: row.entry.affiliation.clone(),
                url: row.entry.url.clone(),
                entry,
                email: row.identity.email.clone(),
                detail,
                news: None,
            });
        };
        if let Some(why) = earlier.or(same_sender) {
            record("skipped", None, Some(why.clone()));
            outcomes.push((row.line, Outcome::Skipped(name, why)));
            continue;
        }
        let kind = row.entry.kind.key();
        match editor.add_keyed(row.entry.clone(), &keys, false) {
            Ok(()) => {
                if let Some(repair) = &row.repaired {
                    note!("{}:{}: note: {repair}", args.file.display(), row.line);
                }
                record("listed", Some(name.clone()), None);
                let NameKeys { folded, near, reordered } = keys;
                taken.insert(folded, (row.line, name.clone()));
                taken.insert(near, (row.line, name.clone()));
                taken.insert(reordered, (row.line, name.clone()));
                if let Some(address) = address.filter(|_| row.entry.kind == Kind::Individual) {
                    senders.entry(address).or_insert_with(|| (origin(row.line), name.clone()));
                }
                outcomes.push((row.line, Outcome::Added(format!("{kind} \"{name}\""))));
                outcomes.extend(warned.into_iter().map(|w| (row.line, Outcome::Warning(w))));
            }
            Err(Refusal::Invalid(why)) => outcomes.push((row.line, Outcome::Rejected(why))),
            Err(refusal) => {
                let why = refusal.to_string();
                record("skipped", None, Some(why.clone()));
                outcomes.push((row.line, Outcome::Skipped(name, why)));
            }
        }
    }
    outcomes.sort_by_key(|(line, _)| *line);

    let file = args.file.display();
    let (mut added, mut skipped, mut rejected, mut seen, mut warnings) = (0, 0, 0, 0, 0);
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
            Outcome::Seen(name, when) => {
                seen += 1;
                outln!("{file}:{line}: seen before \"{name}\" ({when})")?;
            }
            Outcome::Changed(name, what) => {
                seen += 1;
                outln!(
                    "{file}:{line}: changed since the last import \"{name}\": {what} (not \
                     added again; `openletter signatories edit` takes a change)"
                )?;
            }
            Outcome::Rejected(why) => {
                rejected += 1;
                outln!("{file}:{line}: rejected: {why}")?;
            }
            Outcome::Warning(what) => {
                warnings += 1;
                outln!("{file}:{line}: warning: {what}")?;
            }
        }
    }
    let code = u8::from(rejected > 0);
    let verb = if args.dry_run { "would be added" } else { "added" };
    let mut tally = format!("{added} {verb}, {skipped} skipped, {rejected} rejected");
    if seen > 0 {
        tally.push_str(&format!(", {seen} seen before"));
    }
    if warnings > 0 {
        tally.push_str(&format!("; {warnings} warning(s), --deny-warnings rejects those rows"));
    }
    if args.dry_run {
        editor.render()?;
        outln!("dry run: {tally}; nothing written")?;
        return Ok(code);
    }
    let mut recorder = recorder.expect("recording unless a dry run");
    // The list is made while the ledger records the last rows; it is
    // written only once every submission is recorded, and the ledger
    // committed only after.
    let (rendered, recorded) = std::thread::scope(|scope| {
        let rendered = scope.spawn(|| if added > 0 { editor.render().map(Some) } else { Ok(None) });
        let recorded = recorder.recorded();
        (rendered.join().expect("rendering does not panic"), recorded)
    });
    recorded?;
    let counts = match rendered? {
        Some(rendered) => {
            editor.write(&rendered)?;
            rendered.counts
        }
        None => editor.counts(),
    };
    recorder.commit()?;
    // What the user told this import is kept for the same form's next
    // export, under the list's lock like the list itself.
    if told {
        let form = import::saved::Saved { headers: table_headers, ..form };
        import::saved::save(&settings, &form).map_err(import::ImportError::Settings)?;
        note!("note: saved how this form is read in {}", settings.display());
    }
    editor.finish();
    outln!("{tally}")?;
    outln!("{counts}")?;
    Ok(code)
}

/// What a row's checks need that depends on it alone.
struct Checks {
    /// Why no font can print it, if none can.
    refused: Option<String>,
    warned: Vec<String>,
    keys: NameKeys,
}

impl Checks {
    fn of(typefaces: &Typefaces, entry: &Signatory) -> Self {
        Checks {
            refused: refuse_entry(typefaces, entry),
            warned: import::warnings(entry),
            keys: NameKeys::of(&entry.name),
        }
    }
}

/// A row's key in the ledger: the form's response id, else who sent it,
/// when, under what name.
fn submission_key(keyer: &Keyer, identity: &Identity, name: &str) -> String {
    match &identity.response {
        Some(id) => keyer.key(&["response", id]),
        None => keyer.key(&[
            "row",
            identity.received.as_deref().unwrap_or(""),
            &identity.email.as_deref().unwrap_or("").to_lowercase(),
            name,
        ]),
    }
}

/// What differs between a submission as first read and the row now.
fn changed(seen: &Submission, entry: &Signatory) -> Vec<String> {
    let first = Signatory {
        kind: Kind::from_key(&seen.kind).unwrap_or(entry.kind),
        name: seen.name.clone(),
        affiliation: seen.affiliation.clone(),
        url: seen.url.clone(),
        // The ledger keeps no sort key: a form's row has none of its own.
        sort_as: entry.sort_as.clone(),
    };
    first.changes_to(entry).iter().map(describe_change).collect()
}

/// A file's name without its folder, as the ledger records where a row
/// came from.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
