//! The bundled fonts: compiled into the binary, so a build never depends on
//! what a machine has installed, and the same inputs give the same PDF.

use std::ops::Range;
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::signatories::{Problem, Signatories, Signatory, field};

/// The fields the letter prints as text (a link and a sort key are not).
pub const PRINTED_FIELDS: [&str; 2] = [field::NAME, field::AFFILIATION];

/// The font files under `fonts/`, embedded at compile time, by name.
pub const FILES: [(&str, &[u8]); 4] = [
    ("fonts/NotoSans-Regular.ttf", include_bytes!("../fonts/NotoSans-Regular.ttf")),
    ("fonts/NotoSans-Bold.ttf", include_bytes!("../fonts/NotoSans-Bold.ttf")),
    ("fonts/NotoSans-Italic.ttf", include_bytes!("../fonts/NotoSans-Italic.ttf")),
    ("fonts/NotoSans-BoldItalic.ttf", include_bytes!("../fonts/NotoSans-BoldItalic.ttf")),
];

/// The bundled fonts, parsed once per process.
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

static BUNDLED: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> =
        FILES.iter().flat_map(|(_, data)| Font::iter(Bytes::new(*data))).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

/// The fonts every letter is set in.
pub fn bundled() -> &'static Fonts {
    &BUNDLED
}

impl Fonts {
    /// Whether some bundled font can draw `c`. Typst would print a blank box
    /// for a character none has, and only warn.
    pub fn covers(&self, c: char) -> bool {
        c.is_control() || self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }

    /// The first character of `text` that no bundled font has.
    pub fn first_missing(&self, text: &str) -> Option<char> {
        text.chars().find(|c| !self.covers(*c))
    }
}

/// A character in the signatories that no bundled font can draw.
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
            label: "Typst would print a blank here; add a font with it to fonts/".into(),
            related: None,
        }
    }
}

/// Finds every character the letter could not print, one report per field.
pub fn missing_glyphs(fonts: &Fonts, list: &Signatories) -> Vec<MissingGlyph> {
    // A long list repeats the same few hundred characters: look each up once.
    let mut known: std::collections::HashMap<char, bool> = Default::default();
    let mut covers = |c: char| *known.entry(c).or_insert_with(|| fonts.covers(c));
    list.entries.iter().flat_map(|entry| missing_in_entry(&mut covers, entry)).collect()
}

fn missing_in_entry(covers: &mut impl FnMut(char) -> bool, entry: &Signatory) -> Vec<MissingGlyph> {
    entry
        .fields()
        .filter(|(key, _)| PRINTED_FIELDS.contains(key))
        .filter_map(|(field, value)| {
            let character = value.value.chars().find(|c| !covers(*c))?;
            Some(MissingGlyph {
                entry: entry.name.value.clone(),
                field,
                character,
                span: value.span.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_latin_greek_and_cyrillic() {
        let fonts = bundled();
        for c in "Fundação Śródka Ελληνικά Кириллица ŁØÆßğ".chars() {
            assert!(fonts.covers(c), "{c}");
        }
        assert!(!fonts.covers('漢'));
    }
}
