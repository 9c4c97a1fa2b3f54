//! Language tags (BCP 47), as a letter's translations and `--lang` name
//! them: `de`, `en-US`, `zh-Hant`, `sr-Latn-RS`, `de-1996`.

use icu_locale_core::LanguageIdentifier;

/// A tag in its one canonical spelling, or why it is not one. Only the
/// canonical spelling is accepted, so that `en-gb` and `en-GB` can never
/// name two translations of one letter.
pub fn parse_tag(text: &str) -> Result<String, String> {
    let id = LanguageIdentifier::try_from_str(text)
        .map_err(|_| "expected a language tag such as de, fr, en-US or zh-Hant".to_owned())?;
    // Five to eight letters are reserved for registrations that never came:
    // "english" parses, but is no language.
    if id.language.is_unknown() || id.language.as_str().len() > 3 {
        return Err("expected a language tag such as de, fr, en-US or zh-Hant".into());
    }
    let canonical = id.to_string();
    if canonical == text { Ok(canonical) } else { Err(format!("write it as `{canonical}`")) }
}

/// Whether `text` is a language tag in its canonical spelling.
pub fn is_tag(text: &str) -> bool {
    parse_tag(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::parse_tag;

    #[test]
    fn tags_are_parsed_and_spelled_one_way() {
        for tag in ["de", "en-US", "pt-BR", "zh-Hant", "sr-Latn-RS", "de-1996", "fil"] {
            assert_eq!(parse_tag(tag).as_deref(), Ok(tag));
        }
        assert_eq!(parse_tag("en-gb"), Err("write it as `en-GB`".to_owned()));
        for bad in ["", "e", "english", "en_GB", "und", "de-", "x"] {
            assert!(parse_tag(bad).is_err(), "{bad}");
        }
    }
}
