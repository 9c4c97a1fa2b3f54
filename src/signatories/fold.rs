//! Name folding: the forms under which two spellings count as one signatory.
//!
//! [`fold`] is strict: two names that fold alike are the same name written
//! with other case, accents, letters of the Latin alphabet's extensions (Ł,
//! Ø, ß, Æ…), apostrophes or invisible characters, and a list may not hold
//! both. [`near_key`] is loose: it also ignores punctuation, hyphens,
//! honorifics, company forms and look-alike letters of other scripts, to
//! spot the same person or body written two ways.

use icu_normalizer::DecomposingNormalizerBorrowed;

/// Folds case, accents, Latin letter variants, apostrophes, invisible
/// characters and spacing: "  Sofía   CELI " and "sofia celi", "Łukasz
/// Ørsted" and "Lukasz Orsted", "O’Brien" and "O'Brien" fold alike.
pub fn fold(name: &str) -> String {
    // Most names are ASCII, which has no accents, ligatures or invisible
    // characters to fold: the normaliser is skipped for them, as every entry
    // of a list is folded when it is read or edited.
    if name.is_ascii() {
        return fold_words(name.chars(), name.len(), |c, out| {
            out.push(if is_apostrophe(c) { '\'' } else { c.to_ascii_lowercase() });
        });
    }
    // Compatibility decomposition also splits ligatures (ﬁ) and wide forms.
    let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
    let decomposed = nfkd.normalize(name);
    let kept = decomposed.chars().filter(|&c| !is_combining_mark(c) && !is_invisible(c));
    fold_words(kept, name.len(), |c, out| {
        let c = if is_apostrophe(c) { '\'' } else { c };
        match latin_ascii(c) {
            Some(ascii) => out.extend(ascii.chars().flat_map(char::to_lowercase)),
            None => out.extend(c.to_lowercase()),
        }
    })
}

/// The words of `chars`, each character written by `write`, one space
/// between words whatever the spacing was.
fn fold_words(
    chars: impl Iterator<Item = char>,
    capacity: usize,
    mut write: impl FnMut(char, &mut String),
) -> String {
    let mut out = String::with_capacity(capacity);
    let mut space = false;
    for c in chars {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        write(c, &mut out);
    }
    out
}

/// Honorifics that say nothing about who a person is: "Dr Jane Doe" and
/// "Professor Jane Doe" are one signatory.
pub const HONORIFICS: &[&str] =
    &["dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "rev", "hon"];

/// Words that say nothing about which organisation is meant: "The Tor
/// Project" and "Tor Project Inc." are one signatory.
const ORGANISATION_NOISE: &[&str] =
    &["the", "inc", "ltd", "llc", "limited", "gmbh", "plc", "corp", "co", "sa", "ag", "bv"];

/// A looser fold for spotting near-duplicates: also reads look-alike
/// letters of other scripts as Latin, treats hyphens and dashes as spaces,
/// drops punctuation, honorifics and leading "The" / trailing company
/// suffixes, so that the same person or body written two ways collides.
pub fn near_key(name: &str) -> String {
    // An invisible joiner or zero-width space between two words prints as
    // no space at all, but stands where one was: "Jane\u{200D}Doe" is Jane Doe.
    if name.contains(breaks_words) {
        let spaced: String = name.chars().map(|c| if breaks_words(c) { ' ' } else { c }).collect();
        return near_key_of_fold(&fold(&spaced));
    }
    near_key_of_fold(&fold(name))
}

/// [`near_key`] of `name`, whose [`fold`] is known: a list's names are
/// folded once for both keys.
pub fn near_key_folded(name: &str, folded: &str) -> String {
    if name.contains(breaks_words) { near_key(name) } else { near_key_of_fold(folded) }
}

/// [`near_key`] of a folded name without invisible word breaks.
fn near_key_of_fold(folded: &str) -> String {
    let words: String = folded
        .chars()
        .map(|c| confusable_latin(c).unwrap_or(c))
        .map(|c| if is_dash(c) || c == ',' { ' ' } else { c })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    let words: Vec<&str> = words.split_whitespace().collect();
    let (mut first, mut end) = (0, words.len());
    while end - first > 1 && (HONORIFICS.contains(&words[first]) || words[first] == "the") {
        first += 1;
    }
    while end - first > 1 && ORGANISATION_NOISE.contains(&words[end - 1]) {
        end -= 1;
    }
    words[first..end].join(" ")
}

/// A looser key still, from a name and its [`near_key`]: the same words in
/// any order ("Dubois, Claire" and "Claire Dubois"), and an organisation
/// with or without its acronym in brackets ("Ligue des droits de l'Homme"
/// and "Ligue des droits de l'Homme (LDH)").
pub fn reordered_key(name: &str, near: &str) -> String {
    let trimmed = name.trim_end();
    let acronym = trimmed.strip_suffix(')').and_then(|rest| rest.rsplit_once('(')).filter(
        |(before, inside)| {
            !before.trim().is_empty()
                && !inside.trim().is_empty()
                && inside.chars().count() <= 12
                && !inside.trim().contains(char::is_whitespace)
        },
    );
    let base = match acronym {
        Some((before, _)) => near_key(before),
        None => near.to_owned(),
    };
    let mut words: Vec<&str> = base.split(' ').collect();
    words.sort_unstable();
    words.join(" ")
}

/// Whether `name` could be how someone who withdrew as `withdrawn` is
/// written again: a near-duplicate, or the same name with given names left
/// out or shortened to initials ("Basu.", "S. Basu" for "Professor Subhajit
/// Basu"). Looser than a near-duplicate of a listed entry, because a
/// withdrawal is a request not to be listed under any form of the name.
#[cfg(test)]
pub fn withdrawn_as(name: &str, withdrawn: &str) -> bool {
    near_keys_withdrawn_as(&near_key(name), &near_key(withdrawn))
}

/// [`withdrawn_as`], of the two names' [`near_key`]s.
pub fn near_keys_withdrawn_as(name: &str, withdrawn: &str) -> bool {
    if name == withdrawn {
        return true;
    }
    let words: Vec<&str> = name.split(' ').collect();
    let theirs: Vec<&str> = withdrawn.split(' ').collect();
    // The surname must be there, last; each other word must stand for one
    // of theirs, in order, whole or as its initial.
    let (Some(last), Some(their_last)) = (words.last(), theirs.last()) else { return false };
    if last != their_last || words.len() > theirs.len() {
        return false;
    }
    let mut rest = theirs[..theirs.len() - 1].iter();
    words[..words.len() - 1].iter().all(|word| {
        rest.any(|their| their == word || word.chars().count() == 1 && their.starts_with(word))
    })
}

/// Invisible characters that can stand between two words in place of a
/// space: the zero-width space, joiners and word joiner.
fn breaks_words(c: char) -> bool {
    matches!(c, '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Combining marks, where NFD leaves accents for Latin, Greek and Cyrillic.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Characters that print as nothing: soft hyphen, zero-width spaces and
/// joiners, word joiner, byte-order mark, and the bidirectional controls.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
        | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
}

/// The bidirectional controls, which can make a name display other than
/// it reads.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\u{2018}'
            | '\u{2019}'
            | '\u{201A}'
            | '\u{201B}'
            | '\u{2032}'
            | '\u{02BC}'
            | '\u{02B9}'
            | '\u{0060}'
            | '\u{00B4}'
            | '\u{FF07}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}')
}

/// Latin letters that do not decompose into a base letter and a mark, as
/// Unicode's Latin-ASCII transliteration writes them.
fn latin_ascii(c: char) -> Option<&'static str> {
    Some(match c {
        'Æ' => "AE",
        'æ' => "ae",
        'Œ' => "OE",
        'œ' => "oe",
        'ß' => "ss",
        'ẞ' => "SS",
        'Þ' => "TH",
        'þ' => "th",
        'Ł' => "L",
        'ł' => "l",
        'Ø' => "O",
        'ø' => "o",
        'Đ' | 'Ð' => "D",
        'đ' | 'ð' => "d",
        'Ħ' => "H",
        'ħ' => "h",
        'Ŧ' => "T",
        'ŧ' => "t",
        'Ŋ' => "N",
        'ŋ' => "n",
        'Ŀ' => "L",
        'ŀ' => "l",
        'ı' => "i",
        'ȷ' => "j",
        'ſ' => "s",
        'ƒ' => "f",
        'Ƒ' => "F",
        'Ɓ' => "B",
        'ɓ' => "b",
        'Ƈ' => "C",
        'ƈ' => "c",
        'Ɗ' => "D",
        'ɗ' => "d",
        'Ɲ' => "N",
        'ɲ' => "n",
        'Ƴ' => "Y",
        'ƴ' => "y",
        'Ʒ' => "Z",
        'ʒ' => "z",
        _ => return None,
    })
}

/// The Latin letter a Cyrillic or Greek lower-case letter is drawn like, for
/// the letters drawn the same in common fonts.
pub fn confusable_latin(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'һ' => 'h',
        'ԁ' => 'd',
        'ο' => 'o',
        'ν' => 'v',
        'α' => 'a',
        'ι' => 'i',
        'κ' => 'k',
        'τ' => 't',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{fold, near_key, withdrawn_as};

    #[test]
    fn folds_case_accents_and_spaces() {
        assert_eq!(fold("  Sofía   CELI "), "sofia celi");
        assert_eq!(fold("Fundação Getulio"), "fundacao getulio");
        assert_eq!(fold("Ångström"), fold("angstrom"));
        assert_ne!(fold("Ian Brown"), fold("Ian Browne"));
    }

    #[test]
    fn folds_latin_letters_apostrophes_and_invisibles() {
        assert_eq!(fold("Łukasz Olejnik"), fold("Lukasz Olejnik"));
        assert_eq!(fold("Zoë Ørsted"), fold("Zoe Orsted"));
        assert_eq!(fold("Đorđe Straße"), "dorde strasse");
        assert_eq!(fold("Æsa Œuvre Þór"), "aesa oeuvre thor");
        assert_eq!(fold("Mary O’Brien"), fold("Mary O'Brien"));
        assert_eq!(fold("Ma\u{00AD}ry Smith"), fold("Mary Smith"));
        assert_eq!(fold("Mary\u{200B} Smith"), fold("Mary Smith"));
        assert_eq!(fold("ﬁne"), "fine");
        assert_ne!(fold("Jean-Luc Picard"), fold("Jean Luc Picard"));
    }

    #[test]
    fn near_keys_ignore_honorifics_company_forms_dashes_and_look_alikes() {
        assert_eq!(near_key("Dr Monica Horten"), near_key("Monica Hörten"));
        assert_eq!(near_key("Prof. J.W. Verret"), near_key("Professor J.W. Verret"));
        assert_eq!(near_key("The Tor Project"), near_key("Tor Project, Inc."));
        assert_eq!(near_key("Quilibrium Inc"), near_key("Quilibrium"));
        assert_ne!(near_key("Internet Society UK England"), near_key("Internet Society"));
        assert_eq!(near_key("Jean-Luc Picard"), near_key("Jean Luc Picard"));
        assert_eq!(near_key("Jean–Luc Picard"), near_key("Jean Luc Picard"));
        // A Cyrillic "а" inside a Latin name.
        assert_eq!(near_key("M\u{0430}ry Smith"), near_key("Mary Smith"));
    }

    #[test]
    fn ascii_names_fold_as_every_other_name() {
        for name in ["  Ann   ALPHA ", "O`Brien", "a\tb\x0bc", "X\x01Y", "", " ", "Dr. J.W. Verret"]
        {
            // A non-ASCII character that folds away takes the general path.
            let general = fold(&format!("{name}\u{00AD}"));
            assert_eq!(fold(name), general, "{name:?}");
        }
    }

    #[test]
    fn an_invisible_joiner_between_words_is_a_space_to_near_keys() {
        assert_eq!(near_key("Jane\u{200D}Doe"), near_key("Jane Doe"));
        assert_eq!(near_key("Access\u{200B}Now"), near_key("Access Now"));
        assert_eq!(fold("Jane\u{200D}Doe"), fold("JaneDoe"));
    }

    #[test]
    fn a_withdrawal_covers_every_form_of_the_name() {
        let who = "Professor Subhajit Basu";
        for again in ["Prof. Subhajit Basu", "Subhajit Basu", "Subhajit-Basu", "Basu.", "S. Basu"] {
            assert!(withdrawn_as(again, who), "{again}");
        }
        assert!(withdrawn_as("Subhajit B\u{0430}su", who));
        assert!(withdrawn_as("Article-19", "ARTICLE 19"));
        for other in ["Anna Basu", "Subhajit Bose", "Basu Subhajit", "T. Basu"] {
            assert!(!withdrawn_as(other, who), "{other}");
        }
    }
}
