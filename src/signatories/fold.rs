//! Name folding: the form under which two spellings count as one signatory.

use icu_normalizer::DecomposingNormalizerBorrowed;

/// Folds case, accents and spacing: "  Sofía   CELI " and "sofia celi" fold
/// alike. Used to refuse listing one signatory twice.
pub fn fold(name: &str) -> String {
    let nfd = DecomposingNormalizerBorrowed::new_nfd();
    let decomposed = nfd.normalize(name);
    let mut out = String::with_capacity(name.len());
    for word in decomposed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().filter(|c| !is_combining_mark(*c)) {
            out.extend(c.to_lowercase());
        }
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

/// A looser fold for spotting near-duplicates: also drops punctuation,
/// honorifics and leading "The" / trailing company suffixes, so that the same
/// person or body written two ways collides.
pub fn near_key(name: &str) -> String {
    let folded = fold(name);
    let mut words: Vec<String> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1 && (HONORIFICS.contains(&words[0].as_str()) || words[0] == "the") {
        words.remove(0);
    }
    while words.len() > 1 && ORGANISATION_NOISE.contains(&words[words.len() - 1].as_str()) {
        words.pop();
    }
    words.join(" ")
}

/// Combining diacritical marks, the blocks that NFD leaves accents in for
/// Latin, Greek and Cyrillic names.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_accents_and_spaces() {
        assert_eq!(fold("  Sofía   CELI "), "sofia celi");
        assert_eq!(fold("Fundação Getulio"), "fundacao getulio");
        assert_eq!(fold("Ångström"), fold("angstrom"));
        assert_ne!(fold("Ian Brown"), fold("Ian Browne"));
    }

    #[test]
    fn near_keys_ignore_honorifics_and_company_forms() {
        use super::near_key;
        assert_eq!(near_key("Dr Monica Horten"), near_key("Monica Hörten"));
        assert_eq!(near_key("Prof. J.W. Verret"), near_key("Professor J.W. Verret"));
        assert_eq!(near_key("The Tor Project"), near_key("Tor Project, Inc."));
        assert_eq!(near_key("Quilibrium Inc"), near_key("Quilibrium"));
        assert_ne!(near_key("Internet Society UK England"), near_key("Internet Society"));
    }
}
