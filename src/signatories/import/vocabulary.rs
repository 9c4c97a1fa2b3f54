//! The words of sign-on forms: the headers each column is recognised by,
//! and the values that say whether a row is a person or an organisation,
//! in the languages of the letter kit.

use crate::signatories::Kind;

/// Headers recognised when no column is named, compared without case,
/// surrounding spaces, a trailing colon or a note in brackets.
pub const NAME_HEADERS: &[&str] =
    &["name", "full name", "your name", "signatory", "signatory name", "nom", "nombre", "nome"];
pub const AFFILIATION_HEADERS: &[&str] =
    &["affiliation", "institution", "title", "position", "zugehörigkeit", "affiliazione"];
pub const ORGANISATION_HEADERS: &[&str] = &[
    "organisation",
    "organization",
    "organisation name",
    "organization name",
    "company",
    "org",
    "organisme",
    "organización",
    "organizzazione",
    "organisatie",
    "organização",
    "organizacja",
];
pub const KIND_HEADERS: &[&str] =
    &["type", "kind", "signing as", "signing on behalf of", "category", "typ", "art", "tipo"];
pub const URL_HEADERS: &[&str] = &["url", "website", "web site", "link", "homepage", "webseite"];
pub const SORT_HEADERS: &[&str] =
    &["sort as", "sort_as", "surname", "last name", "family name", "nachname", "nom de famille"];

/// Kind values recognised in the languages of the letter kit.
pub const INDIVIDUAL_WORDS: &[&str] = &[
    "individual",
    "person",
    "expert",
    "individual expert",
    "private person",
    "myself",
    "einzelperson",
    "privatperson",
    "particulier",
    "personne",
    "individu",
    "persona",
    "individuo",
    "particular",
    "persoon",
    "indivíduo",
    "pessoa",
    "osoba",
    "osoba prywatna",
    "privatperson",
    "individ",
];
pub const ORGANISATION_WORDS: &[&str] = &[
    "organisation",
    "organization",
    "org",
    "company",
    "group",
    "ngo",
    "institution",
    "my organisation",
    "my organization",
    "an organisation",
    "an organization",
    "verband",
    "unternehmen",
    "entreprise",
    "association",
    "organización",
    "organizacion",
    "empresa",
    "organizzazione",
    "organisatie",
    "organização",
    "organizacao",
    "organizacja",
];

/// A header without case, brackets, a trailing colon or a question mark.
pub fn plain_header(header: &str) -> String {
    let header = header.trim().trim_start_matches('\u{feff}');
    let header = header.split(['(', '[']).next().unwrap_or(header);
    header.trim().trim_end_matches([':', '?', '*']).trim().to_lowercase()
}

pub fn parse_kind(value: &str, kind_map: &[(String, Kind)]) -> Result<Kind, String> {
    let lower = value.to_lowercase();
    if let Some((_, kind)) = kind_map.iter().find(|(v, _)| *v == lower) {
        return Ok(*kind);
    }
    if INDIVIDUAL_WORDS.contains(&lower.as_str()) {
        return Ok(Kind::Individual);
    }
    if ORGANISATION_WORDS.contains(&lower.as_str()) {
        return Ok(Kind::Organisation);
    }
    if lower.is_empty() {
        return Err("the kind is empty (expected organisation or individual)".into());
    }
    let value = super::shorten(value);
    Err(format!(
        "unknown kind \"{value}\" (expected organisation or individual; \
         --kind-map \"{value}=individual\" names another)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_in_other_languages_and_mapped() {
        assert_eq!(parse_kind("Einzelperson", &[]).unwrap(), Kind::Individual);
        assert_eq!(parse_kind("Organización", &[]).unwrap(), Kind::Organisation);
        assert!(parse_kind("Verein", &[]).is_err());
        assert_eq!(
            parse_kind("Verein", &[("verein".into(), Kind::Organisation)]).unwrap(),
            Kind::Organisation
        );
    }
}
