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
            .then_with(|| self.primary.compare(&a.name.value, &b.name.value))
            .then_with(|| self.tertiary.compare(a.sort_key(), b.sort_key()))
            .then_with(|| self.tertiary.compare(&a.name.value, &b.name.value))
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
