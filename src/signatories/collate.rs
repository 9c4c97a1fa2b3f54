//! The order the letter prints: Unicode collation (ICU) in the letter's
//! language, so "Çelik" sorts with "Celik" and "cyberstorm.mu" with
//! "Cybersecurity", not after every capital letter as a byte-wise sort would
//! put them, and a Swedish list ends in Å Ä Ö, a Polish one puts Ł after L.

use std::borrow::Borrow;
use std::cmp::Ordering;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{CollatorBorrowed, CollatorPreferences};
use icu_locale_core::Locale;

use super::Signatory;

/// Compares sort keys the way a reader expects an index to run.
pub struct Collator {
    /// Ignores case and accents: the order of the list.
    primary: CollatorBorrowed<'static>,
    /// Breaks ties that the primary level leaves, so the order is total.
    tertiary: CollatorBorrowed<'static>,
}

impl Collator {
    /// The order of a language (`sv`, `zh-TW`); CLDR's root order for a
    /// language it has no tailoring for, which is that language's order.
    pub fn new(language: &str) -> Self {
        let locale = Locale::try_from_str(language).unwrap_or(Locale::UNKNOWN);
        let prefs = CollatorPreferences::from(&locale);
        Self {
            primary: collator(prefs, Strength::Primary),
            tertiary: collator(prefs, Strength::Tertiary),
        }
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
    /// The indices of `list` in [`Collator::compare_signatories`]' order,
    /// stably. Each entry's primary-level sort keys are made once and
    /// compared as bytes; only entries whose keys are equal are compared in
    /// full.
    pub fn order<S: Borrow<Signatory> + Sync>(&self, list: &[S]) -> Vec<usize> {
        let keys = crate::cores::on_every_core(list, |s| self.primary_key(s.borrow()));
        let mut keyed: Vec<(Vec<u8>, usize)> = keys.into_iter().zip(0..).collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        for group in keyed.chunk_by_mut(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            group.sort_by(|a, b| self.compare_signatories(list[a.1].borrow(), list[b.1].borrow()));
        }
        keyed.into_iter().map(|(_, i)| i).collect()
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

fn collator(prefs: CollatorPreferences, strength: Strength) -> CollatorBorrowed<'static> {
    let mut options = CollatorOptions::default();
    options.strength = Some(strength);
    // Every collation is compiled into the crate, with the root one as the
    // fallback of any locale, so this cannot fail.
    CollatorBorrowed::try_new(prefs, options).expect("the compiled-in collations load")
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
        let collator = Collator::new("en");
        let people: Vec<Signatory> = names.iter().map(|n| person(n)).collect();
        for a in &people {
            for b in &people {
                let keys = collator.primary_key(a).cmp(&collator.primary_key(b));
                let full = collator.compare_signatories(a, b);
                assert!(keys.is_eq() || keys == full, "{:?} vs {:?}", a.name, b.name);
            }
        }
        let sorted: Vec<&Signatory> =
            collator.order(&people).into_iter().map(|i| &people[i]).collect();
        let mut expected: Vec<&Signatory> = people.iter().collect();
        expected.sort_by(|a, b| collator.compare_signatories(a, b));
        let names = |v: &[&Signatory]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&sorted), names(&expected));
    }

    #[test]
    fn each_language_sorts_by_its_own_alphabet() {
        let sorted = |language: &str, names: &[&str]| {
            let people: Vec<Signatory> = names.iter().map(|n| person(n)).collect();
            let order = Collator::new(language).order(&people);
            order.into_iter().map(|i| people[i].name.clone()).collect::<Vec<_>>()
        };
        let swedish = ["Åsa", "Örjan", "Zlatan", "Ärla", "Anna"];
        assert_eq!(sorted("sv", &swedish), ["Anna", "Zlatan", "Åsa", "Ärla", "Örjan"]);
        assert_eq!(sorted("en", &swedish), ["Anna", "Ärla", "Åsa", "Örjan", "Zlatan"]);
        let polish = ["Łukasz", "Lech", "Marek", "Ludwik"];
        assert_eq!(sorted("pl", &polish), ["Lech", "Ludwik", "Łukasz", "Marek"]);
        assert_eq!(sorted("en", &polish), ["Lech", "Ludwik", "Łukasz", "Marek"]);
        let polish = ["Łukasz", "Lech", "Lutosław"];
        assert_eq!(sorted("pl", &polish), ["Lech", "Lutosław", "Łukasz"]);
        assert_eq!(sorted("en", &polish), ["Lech", "Łukasz", "Lutosław"]);
        // A language CLDR does not tailor, and a tag it cannot read: root.
        assert_eq!(sorted("ga", &swedish), sorted("en", &swedish));
        assert_eq!(sorted("not a tag", &swedish), sorted("en", &swedish));
    }
}
