//! Where added entries go in the file: first chosen (before the first
//! entry of their kind that collates after them, else after the last of
//! their kind), then the file's tables renumbered so that toml_edit writes
//! them in that order, with the comments around them where they belong.

use std::collections::HashMap;

use toml_edit::{DocumentMut, Item, Table};

use super::split_prefix;
use crate::signatories::{Collator, Kind, Signatory};

/// An entry to place, with the table that will hold it.
pub type Pending = (Signatory, Table);

/// The places chosen for the new entries.
pub struct Places {
    /// The new entries going before the i-th entry of a kind (its i-th
    /// table), in collated order.
    pub(super) before: HashMap<(Kind, usize), Vec<Pending>>,
    /// The new entries going after the last entry of a kind.
    pub(super) after: HashMap<Kind, Vec<Pending>>,
}

/// Chooses each new entry's place among `entries` (the file's, in file
/// order): before the first entry of its kind that collates after it,
/// else after the last of its kind.
pub fn choose(entries: &[&Signatory], pending: Vec<Pending>, collator: &Collator) -> Places {
    let mut places = Places { before: HashMap::new(), after: HashMap::new() };
    let mut pending = pending;
    for kind in Kind::ALL {
        let existing: Vec<&Signatory> =
            entries.iter().copied().filter(|s| s.kind == kind).collect();
        // The greatest entry so far, by index: a running maximum is sorted,
        // so the first entry after a new one is found by halving.
        let mut greatest: Vec<usize> = Vec::with_capacity(existing.len());
        for (i, entry) in existing.iter().enumerate() {
            let keep = greatest
                .last()
                .copied()
                .filter(|&g| collator.compare_signatories(entry, existing[g]).is_le());
            greatest.push(keep.unwrap_or(i));
        }
        let (of_kind, rest): (Vec<Pending>, Vec<Pending>) =
            pending.into_iter().partition(|(s, _)| s.kind == kind);
        pending = rest;
        for (entry, table) in of_kind {
            // Where the running maximum first exceeds the new entry, the
            // entry there is the maximum: the first that collates after.
            let follower = greatest
                .partition_point(|&g| !collator.compare_signatories(existing[g], &entry).is_gt());
            if follower < existing.len() {
                places.before.entry((kind, follower)).or_default().push((entry, table));
            } else {
                places.after.entry(kind).or_default().push((entry, table));
            }
        }
    }
    for group in places.before.values_mut().chain(places.after.values_mut()) {
        // By sort keys, made once each: a long import places many entries.
        let entries: Vec<&Signatory> = group.iter().map(|(s, _)| s).collect();
        let order = collator.order(&entries);
        let mut taken: Vec<Option<Pending>> = std::mem::take(group).into_iter().map(Some).collect();
        group.extend(order.into_iter().map(|i| taken[i].take().expect("each index once")));
    }
    places
}

/// Numbers every table of `doc` and the new ones in their new order, and
/// moves comments that head a section above the first new entry placed
/// under them. `counts` are the entries of each kind the file holds.
/// Returns the new entries in file order, for their kind's array.
pub fn renumber(
    doc: &mut DocumentMut,
    places: Places,
    counts: &HashMap<Kind, usize>,
) -> Vec<Pending> {
    let Places { mut before, mut after } = places;
    let was_empty = counts.values().all(|n| *n == 0);
    // Every table of the file, in order.
    let mut order: Vec<(String, usize)> = Vec::new();
    for (key, item) in doc.as_table().iter() {
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
    order.sort_by_key(|slot| position(doc, slot));
    let mut next = 0isize;
    let mut placed: Vec<Pending> = Vec::new();
    let trailing = doc.trailing().as_str().unwrap_or("").to_owned();
    for (key, i) in order {
        let kind = Kind::from_key(&key);
        if let Some(group) = kind.and_then(|k| before.remove(&(k, i))) {
            let table = doc[key.as_str()]
                .as_array_of_tables_mut()
                .and_then(|a| a.get_mut(i))
                .expect("listed above");
            // A section's comments go above the first new entry; the
            // entry's own stay with it.
            let (detached, own) = split_prefix(prefix_of(table));
            table.decor_mut().set_prefix(format!("\n{own}"));
            let detached = if detached.is_empty() { "\n".to_owned() } else { detached };
            for (n, pending) in group.into_iter().enumerate() {
                let prefix = if n == 0 { detached.clone() } else { "\n".into() };
                put(pending, prefix, &mut next, &mut placed);
            }
        }
        next += 1;
        if let Some(table) = doc[key.as_str()].as_array_of_tables_mut().and_then(|a| a.get_mut(i)) {
            table.set_position(next);
        }
        if let Some(kind) = kind
            && i + 1 == counts[&kind]
            && let Some(group) = after.remove(&kind)
        {
            for pending in group {
                put(pending, "\n".into(), &mut next, &mut placed);
            }
        }
    }
    // Kinds with no entry yet go at the end of the file.
    for kind in Kind::ALL {
        for pending in after.remove(&kind).unwrap_or_default() {
            put(pending, "\n".into(), &mut next, &mut placed);
        }
    }
    // In a file with no entries yet, its comments are all "trailing":
    // they belong above the first entry, not below.
    if was_empty && let Some((_, first)) = placed.iter_mut().min_by_key(|(_, t)| t.position()) {
        doc.set_trailing("");
        let gap = if trailing.trim().is_empty() { "" } else { "\n" };
        first.decor_mut().set_prefix(format!("{}{gap}", trailing.trim_start()));
    }
    placed
}

/// Gives a new entry's table the next position and the text above it.
fn put(mut pending: Pending, prefix: String, next: &mut isize, placed: &mut Vec<Pending>) {
    pending.1.decor_mut().set_prefix(prefix);
    *next += 1;
    pending.1.set_position(*next);
    placed.push(pending);
}

/// The text before a table's `[[header]]`.
pub fn prefix_of(table: &Table) -> String {
    table.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned()
}
