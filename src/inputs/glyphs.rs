//! The characters of the signatories that no font of the project can
//! print: a check of the list against the fonts, before Typst would print
//! a blank in their place.

use std::collections::HashSet;
use std::ops::Range;

use crate::fonts::{PROJECT_FONTS, Typefaces};
use crate::signatories::{Problem, Signatories, Signatory, Spans, field};

/// The fields the letter prints as text (a link and a sort key are not).
pub const PRINTED_FIELDS: [&str; 2] = [field::NAME, field::AFFILIATION];

/// A character in the signatories that no available font can draw.
#[derive(Debug, Clone)]
pub struct MissingGlyph {
    pub entry: String,
    pub field: &'static str,
    pub character: char,
    /// Where the field's value is in the signatories file.
    pub span: Range<usize>,
}

impl MissingGlyph {
    /// As a problem in the signatories file, for `report` and `check`.
    pub fn to_problem(&self) -> Problem {
        let c = self.character;
        Problem {
            span: self.span.clone(),
            message: format!(
                "signatory \"{}\": field `{}` has '{c}' (U+{:04X}), which no bundled font can print",
                self.entry, self.field, c as u32
            ),
            label: format!(
                "Typst would print a blank here; put a font that has it in `{PROJECT_FONTS}/` \
                 beside the signatories file"
            ),
            related: None,
        }
    }
}

/// Every distinct character the list prints, found in one pass. A long list
/// repeats the same few hundred characters: each is then looked up once,
/// for the glyph check and for the choice of fonts alike.
pub struct Printed {
    /// The ASCII characters, one bit each: most of any list, kept apart
    /// from the set for speed.
    ascii: u128,
    other: HashSet<char>,
}

impl Printed {
    pub fn of(list: &Signatories) -> Self {
        let mut printed = Printed { ascii: 0, other: HashSet::new() };
        let fields = list.entries.iter().flat_map(|entry| {
            entry.fields().filter(|(key, _)| PRINTED_FIELDS.contains(key)).map(|(_, f)| f)
        });
        for field in fields {
            for c in field.chars() {
                if c.is_ascii() {
                    printed.ascii |= 1 << (c as u32);
                } else {
                    printed.other.insert(c);
                }
            }
        }
        printed
    }

    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        let ascii = (0..128u32).filter(|i| self.ascii & (1 << i) != 0).filter_map(char::from_u32);
        ascii.chain(self.other.iter().copied())
    }
}

/// Finds every character the letter could not print, one report per field.
pub fn missing_glyphs(
    typefaces: &Typefaces,
    list: &Signatories,
    printed: &Printed,
) -> Vec<MissingGlyph> {
    let uncovered: HashSet<char> = printed.chars().filter(|c| !typefaces.covers(*c)).collect();
    if uncovered.is_empty() {
        return Vec::new();
    }
    let mut covers = |c: char| !uncovered.contains(&c);
    list.located().flat_map(|(entry, spans)| missing_in_entry(&mut covers, entry, spans)).collect()
}

fn missing_in_entry(
    covers: &mut impl FnMut(char) -> bool,
    entry: &Signatory,
    spans: &Spans,
) -> Vec<MissingGlyph> {
    entry
        .fields()
        .filter(|(key, _)| PRINTED_FIELDS.contains(key))
        .filter_map(|(field, value)| {
            let character = value.chars().find(|c| !covers(*c))?;
            Some(MissingGlyph {
                entry: entry.name.clone(),
                field,
                character,
                span: spans.of(field)?,
            })
        })
        .collect()
}

/// Why an entry cannot go into the list: a rule of the file format, or a
/// character no font of the project could print.
pub fn refuse_entry(typefaces: &Typefaces, entry: &Signatory) -> Option<String> {
    if let Some(why) = entry.problem() {
        return Some(why);
    }
    entry
        .fields()
        .filter(|(key, _)| PRINTED_FIELDS.contains(key))
        .find_map(|(key, text)| Some((key, text.chars().find(|c| !typefaces.covers(*c))?)))
        .map(|(key, c)| {
            format!("`{key}` has '{c}' (U+{:04X}), which no bundled font can print", c as u32)
        })
}
