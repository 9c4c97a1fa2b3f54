//! `openletter signatories diff OLD NEW`: the release note of a re-issue.

use std::path::Path;

use crate::error::Error;
use crate::ledger::Ledger;
use crate::letter::language;
use crate::signatories::diff::diff;
use crate::signatories::{Collator, Signatory, describe_change, load};

pub fn run(old: &Path, new: &Path, json: bool) -> Result<(), Error> {
    let (old_list, new_list) = (load(old)?, load(new)?);
    // Renames made with `edit` are in the newer list's ledger, if it has one.
    let renames = match Ledger::existing(new)? {
        Some(ledger) => ledger.renames()?,
        None => Vec::new(),
    };
    let collator = Collator::new(&language::of_project(new));
    let changes = diff(&old_list, &new_list, &renames, &collator);
    let (old_total, new_total) = (old_list.entries.len(), new_list.entries.len());
    if json {
        let out = changes.to_json(old_total, new_total);
        outln!("{}", serde_json::to_string_pretty(&out).expect("serialises"))?;
        return Ok(());
    }
    let line = |s: &Signatory| match &s.affiliation {
        Some(a) => format!("{}, {a}", s.name),
        None => s.name.clone(),
    };
    if !changes.added.is_empty() {
        outln!("Added ({}):", changes.added.len())?;
        for s in &changes.added {
            outln!("  + {}", line(s))?;
        }
    }
    if !changes.removed.is_empty() {
        outln!("Removed ({}):", changes.removed.len())?;
        for s in &changes.removed {
            outln!("  - {}", line(s))?;
        }
    }
    if !changes.changed.is_empty() {
        outln!("Changed ({}):", changes.changed.len())?;
        for change in &changes.changed {
            let fields: Vec<String> = change.fields.iter().map(describe_change).collect();
            outln!("  ~ {}: {}", change.new.name, fields.join("; "))?;
        }
    }
    if !changes.withdrew.is_empty() {
        outln!("Withdrew ({}):", changes.withdrew.len())?;
        for w in &changes.withdrew {
            let reason = w.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
            outln!("  x {} (on {}{reason})", w.name, w.date)?;
        }
    }
    outln!(
        "{old_total} → {new_total} signatories: {} added, {} removed, {} withdrew, {} changed",
        changes.added.len(),
        changes.removed.len(),
        changes.withdrew.len(),
        changes.changed.len()
    )?;
    Ok(())
}
