//! What changed between two versions of a signatories file: the release note
//! of a re-issued letter.

use std::collections::HashMap;

use serde::Serialize;

use super::{
    Collator, FieldChange, Signatories, Signatory, Withdrawal, fold, near_key, reordered_key,
};

/// One signatory present in both versions with different details.
pub struct Change<'a> {
    pub new: &'a Signatory,
    /// Every field that differs.
    pub fields: Vec<FieldChange>,
}

pub struct Diff<'a> {
    pub added: Vec<&'a Signatory>,
    pub removed: Vec<&'a Signatory>,
    pub changed: Vec<Change<'a>>,
    /// Withdrawals recorded since the old version (their entries are gone
    /// too, and not counted as removed).
    pub withdrew: Vec<&'a Withdrawal>,
}

/// Matches entries by folded name, then pairs what is left by near-duplicate
/// key (or the same words in another order), so "Dr Jane Doe" renamed "Jane
/// Doe" is a change, not a swap; then by `renames` (old name, new name, as
/// the ledger recorded `edit` making them), so "Ligue des droits de
/// l'Homme" renamed "LDH" is one too.
pub fn diff<'a>(
    old: &'a Signatories,
    new: &'a Signatories,
    renames: &[(String, String)],
    collator: &Collator,
) -> Diff<'a> {
    let mut unmatched_old: Vec<&Signatory> = Vec::new();
    let by_fold: HashMap<String, &Signatory> =
        new.entries.iter().map(|s| (fold(&s.name), s)).collect();
    let mut matched_new: Vec<&Signatory> = Vec::new();
    let mut changed = Vec::new();
    for o in &old.entries {
        match by_fold.get(&fold(&o.name)) {
            Some(n) => {
                matched_new.push(n);
                push_change(o, n, &mut changed);
            }
            None => unmatched_old.push(o),
        }
    }
    let mut unmatched_new: Vec<&Signatory> =
        new.entries.iter().filter(|n| !matched_new.iter().any(|m| std::ptr::eq(*m, *n))).collect();
    let mut removed = Vec::new();
    for o in unmatched_old {
        let key = near_key(&o.name);
        let reordered = reordered_key(&o.name, &key);
        let renamed = renamed_to(&o.name, renames);
        let found = (unmatched_new.iter().position(|n| near_key(&n.name) == key))
            .or_else(|| {
                unmatched_new
                    .iter()
                    .position(|n| reordered_key(&n.name, &near_key(&n.name)) == reordered)
            })
            .or_else(|| unmatched_new.iter().position(|n| renamed.contains(&fold(&n.name))));
        match found {
            Some(i) => push_change(o, unmatched_new.remove(i), &mut changed),
            None => removed.push(o),
        }
    }
    let withdrew: Vec<&Withdrawal> =
        new.withdrawn.iter().filter(|w| old.withdrawal(&w.name).is_none()).collect();
    removed.retain(|r| !withdrew.iter().any(|w| fold(&w.name) == fold(&r.name)));
    unmatched_new.sort_by(|a, b| collator.compare_signatories(a, b));
    removed.sort_by(|a, b| collator.compare_signatories(a, b));
    changed.sort_by(|a: &Change, b: &Change| collator.compare_signatories(a.new, b.new));
    Diff { added: unmatched_new, removed, changed, withdrew }
}

/// Every name (folded) an entry named `name` was given later, following
/// renames of renames.
fn renamed_to(name: &str, renames: &[(String, String)]) -> Vec<String> {
    let mut names = vec![fold(name)];
    for (old, new) in renames {
        if names.contains(&fold(old)) && !names.contains(&fold(new)) {
            names.push(fold(new));
        }
    }
    names.split_off(1)
}

fn push_change<'a>(old: &'a Signatory, new: &'a Signatory, out: &mut Vec<Change<'a>>) {
    let fields = old.changes_to(new);
    if !fields.is_empty() {
        out.push(Change { new, fields });
    }
}

/// The JSON form of a diff, for scripts and CI.
#[derive(Serialize)]
pub struct DiffJson {
    pub added: Vec<EntryJson>,
    pub removed: Vec<EntryJson>,
    pub changed: Vec<ChangeJson>,
    pub withdrew: Vec<WithdrewJson>,
    pub counts: CountsJson,
}

#[derive(Serialize)]
pub struct WithdrewJson {
    pub name: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct EntryJson {
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
}

#[derive(Serialize)]
pub struct ChangeJson {
    pub name: String,
    pub fields: Vec<FieldChangeJson>,
}

#[derive(Serialize)]
pub struct FieldChangeJson {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Serialize)]
pub struct CountsJson {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub withdrew: usize,
    pub old_total: usize,
    pub new_total: usize,
}

impl EntryJson {
    pub fn from(s: &Signatory) -> Self {
        Self { kind: s.kind.key(), name: s.name.clone(), affiliation: s.affiliation.clone() }
    }
}

impl Diff<'_> {
    pub fn to_json(&self, old_total: usize, new_total: usize) -> DiffJson {
        DiffJson {
            added: self.added.iter().map(|s| EntryJson::from(s)).collect(),
            removed: self.removed.iter().map(|s| EntryJson::from(s)).collect(),
            changed: self
                .changed
                .iter()
                .map(|c| ChangeJson {
                    name: c.new.name.clone(),
                    fields: c
                        .fields
                        .iter()
                        .map(|(field, old, new)| FieldChangeJson {
                            field,
                            old: old.clone(),
                            new: new.clone(),
                        })
                        .collect(),
                })
                .collect(),
            withdrew: self
                .withdrew
                .iter()
                .map(|w| WithdrewJson {
                    name: w.name.clone(),
                    date: w.date.clone(),
                    reason: w.reason.clone(),
                })
                .collect(),
            counts: CountsJson {
                added: self.added.len(),
                removed: self.removed.len(),
                changed: self.changed.len(),
                withdrew: self.withdrew.len(),
                old_total,
                new_total,
            },
        }
    }
}
