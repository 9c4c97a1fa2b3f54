//! The order the letter prints: Unicode collation (ICU, root locale), so
//! "Çelik" sorts with "Celik" and "cyberstorm.mu" with "Cybersecurity", not
//! after every capital letter as a byte-wise sort would put it.

use std::cmp::Ordering;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{CollatorBorrowed, CollatorPreferences};

use super::Signatory;

/// Compares sort keys the way a reader expects an index to run.
pub struct Collator {
    /// Ignores case and accents: the order of the list.
    primary: CollatorBorrowed<'static>,
    /// Breaks ties that the primary level leaves, so the order is total.
    tertiary: CollatorBorrowed<'static>,
}

impl Collator {
    pub fn new() -> Self {
        Self { primary: collator(Strength::Primary), tertiary: collator(Strength::Tertiary) }
    }

    /// Orders by sort key, then by full name; case and accents only decide
    /// between entries that are otherwise equal.
    pub fn compare_signatories(&self, a: &Signatory, b: &Signatory) -> Ordering {
        self.primary
            .compare(a.sort_key(), b.sort_key())
            .then_with(|| self.primary.compare(&a.name, &b.name))
            .then_with(|| self.tertiary.compare(a.sort_key(), b.sort_key()))
            .then_with(|| self.tertiary.compare(&a.name, &b.name))
    }
}

impl Collator {
    /// Sorts a list in [`Collator::compare_signatories`]' order, stably.
    /// Each entry's primary-level sort keys are made once and compared as
    /// bytes; only entries whose keys are equal are compared in full.
    pub fn sort<'a>(&self, list: &mut [&'a Signatory]) {
        let mut keyed: Vec<(Vec<u8>, &'a Signatory)> =
            list.iter().map(|s| (self.primary_key(s), *s)).collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        for group in keyed.chunk_by_mut(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            group.sort_by(|a, b| self.compare_signatories(a.1, b.1));
        }
        for (slot, (_, s)) in list.iter_mut().zip(keyed) {
            *slot = s;
        }
    }

    /// The primary-level sort keys of the sort key and the name, each ended
    /// by a zero byte (which no sort key holds), so that bytes compare as
    /// the primary comparisons of `compare_signatories` do.
    fn primary_key(&self, s: &Signatory) -> Vec<u8> {
        let mut key = Vec::with_capacity(2 * (s.sort_key().len() + s.name.len()) + 2);
        for text in [s.sort_key(), &s.name] {
            let Ok(()) = self.primary.write_sort_key_to(text, &mut key);
            key.push(0);
        }
        key
    }
}

impl Default for Collator {
    fn default() -> Self {
        Self::new()
    }
}

fn collator(strength: Strength) -> CollatorBorrowed<'static> {
    let mut options = CollatorOptions::default();
    options.strength = Some(strength);
    // The root collation is compiled into the crate, so this cannot fail.
    CollatorBorrowed::try_new(CollatorPreferences::default(), options)
        .expect("the compiled-in root collation loads")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signatories::Kind;

    fn person(name: &str) -> Signatory {
        Signatory::new(Kind::Individual, name)
    }

    #[test]
    fn sorting_by_keys_gives_the_compared_order() {
        let names = [
            "Ann Celik",
            "ann celik",
            "Ann Çelik",
            "Bo Celik",
            "Ann Celi",
            "Ann Celikk",
            "Zoë Ørsted",
            "Zoe Orsted",
            "Łukasz Olejnik",
            "Lukasz Olejnik",
            "Ann cyberstorm.mu",
            "Ann Cybersecurity",
            "Eve Zed",
            "Eve zed",
            "李雷",
            "Σοφία Παπαδάκη",
            "Смирнов Иван",
            "A",
            "AB",
            "A B",
            "",
        ];
        let collator = Collator::new();
        let people: Vec<Signatory> = names.iter().map(|n| person(n)).collect();
        for a in &people {
            for b in &people {
                let keys = collator.primary_key(a).cmp(&collator.primary_key(b));
                let full = collator.compare_signatories(a, b);
                assert!(keys.is_eq() || keys == full, "{:?} vs {:?}", a.name, b.name);
            }
        }
        let mut sorted: Vec<&Signatory> = people.iter().collect();
        collator.sort(&mut sorted);
        let mut expected: Vec<&Signatory> = people.iter().collect();
        expected.sort_by(|a, b| collator.compare_signatories(a, b));
        let names = |v: &[&Signatory]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&sorted), names(&expected));
    }
}
