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
}
