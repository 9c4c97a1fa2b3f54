//! What CLDR (through ICU4X's compiled data) says of a language beyond its
//! dates: how it writes a count (its digits and grouping), which plural form
//! a count takes, and how it joins a short list. The template's label sets
//! word counts with these, so that "١٠٩ موقّعين" and "5 sygnatariuszy" come
//! from the language's own rules, not ours.

use std::collections::BTreeMap;

use fixed_decimal::Decimal;
use icu_decimal::DecimalFormatter;
use icu_list::ListFormatter;
use icu_list::options::{ListFormatterOptions, ListLength};
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};
use serde::Serialize;

/// One language's way of counting the numbers a letter prints, and of
/// joining a list, as the template reads it (`data.cldr.<tag>`).
#[derive(Serialize, Debug, PartialEq)]
pub struct Counting {
    /// Each number, by its digits in ASCII ("109"), as the language writes
    /// it ("١٠٩", "1 234").
    pub numbers: BTreeMap<String, String>,
    /// Each number's plural category: "zero", "one", "two", "few", "many"
    /// or "other".
    pub plurals: BTreeMap<String, &'static str>,
    /// Every plural category the language has, so the template can check
    /// that a label set gives a form for each.
    pub categories: Vec<&'static str>,
    /// A list of two, and of more: the text before, between and after the
    /// items (`more` has the separators after the first, in the middle and
    /// before the last).
    pub list: ListPattern,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct ListPattern {
    /// Before the first item, between the two, after the second.
    pub two: [String; 3],
    /// Before the first, after the first, between middle ones, before the
    /// last, after the last.
    pub more: [String; 5],
}

impl Counting {
    /// How `language` (a BCP 47 tag) writes `numbers`. A tag CLDR has no data
    /// for falls back as ICU4X falls back (to its parent language, then to
    /// the root: ASCII digits, and every count "other"); `None` for a tag
    /// that is not a language.
    pub fn new(language: &str, numbers: &[u64]) -> Option<Counting> {
        let locale: Locale = language.parse().ok()?;
        let decimal = DecimalFormatter::try_new((&locale).into(), Default::default()).ok()?;
        let rules = PluralRules::try_new_cardinal((&locale).into()).ok()?;
        // The counts by kind ("65 organisations and 44 individuals"): CLDR's
        // list joined with "and" (its unit lists join a measure's parts, as
        // Chinese does with nothing between them).
        let options = ListFormatterOptions::default().with_length(ListLength::Wide);
        let list = ListFormatter::try_new_and((&locale).into(), options).ok()?;
        let mut counting = Counting {
            numbers: BTreeMap::new(),
            plurals: BTreeMap::new(),
            categories: rules.categories().map(category).collect(),
            list: pattern(&list)?,
        };
        for &n in numbers {
            let digits = Decimal::from(n);
            counting.numbers.insert(n.to_string(), decimal.format(&digits).to_string());
            counting.plurals.insert(n.to_string(), category(rules.category_for(n)));
        }
        Some(counting)
    }
}

/// CLDR's name of a plural category.
fn category(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// The pattern of a list, found by formatting lists of private-use
/// characters, which no pattern holds, and cutting at them.
fn pattern(list: &ListFormatter) -> Option<ListPattern> {
    const ITEMS: [&str; 4] = ["\u{E000}", "\u{E001}", "\u{E002}", "\u{E003}"];
    let pieces = |count: usize| -> Option<Vec<String>> {
        let text = list.format_to_string(ITEMS[..count].iter());
        let mut pieces = Vec::with_capacity(count + 1);
        let mut rest = text.as_str();
        for item in &ITEMS[..count] {
            let (before, after) = rest.split_once(item)?;
            pieces.push(before.to_owned());
            rest = after;
        }
        pieces.push(rest.to_owned());
        Some(pieces)
    };
    let two: [String; 3] = pieces(2)?.try_into().ok()?;
    let more: [String; 5] = pieces(4)?.try_into().ok()?;
    Some(ListPattern { two, more })
}

#[cfg(test)]
mod tests {
    use super::Counting;

    /// The plural category of each count, as CLDR has it.
    fn categories(language: &str, numbers: &[u64]) -> Vec<&'static str> {
        let counting = Counting::new(language, numbers).unwrap();
        numbers.iter().map(|n| counting.plurals[&n.to_string()]).collect()
    }

    #[test]
    fn plural_categories_of_arabic_polish_and_english() {
        let numbers = [0, 1, 2, 3, 11, 100];
        assert_eq!(categories("ar", &numbers), ["zero", "one", "two", "few", "many", "other"]);
        assert_eq!(categories("pl", &numbers), ["many", "one", "few", "few", "many", "many"]);
        assert_eq!(
            categories("en", &numbers),
            ["other", "one", "other", "other", "other", "other"]
        );
    }

    #[test]
    fn digits_and_lists_as_the_language_writes_them() {
        // CLDR writes Arabic in Egypt with Arabic-Indic digits, and `ar`
        // alone with ASCII ones.
        let egypt = Counting::new("ar-EG", &[109, 1234]).unwrap();
        assert_eq!(egypt.numbers["109"], "١٠٩");
        assert_eq!(egypt.numbers["1234"], "١٬٢٣٤");
        assert_eq!(egypt.list.two[1], " و");
        assert_eq!(egypt.list.more[2], " و");
        let english = Counting::new("en-GB", &[1234]).unwrap();
        assert_eq!(english.numbers["1234"], "1,234");
        assert_eq!(english.list.two, ["", " and ", ""].map(String::from));
        assert_eq!(Counting::new("fr", &[1234]).unwrap().numbers["1234"], "1\u{202f}234");
        assert!(Counting::new("not a tag", &[1]).is_none());
    }
}
