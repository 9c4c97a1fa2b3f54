//! The first stage of every command that makes a letter: reading the inputs
//! the plan names and refusing bad ones before Typst sees anything.

mod glyphs;

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;

use crate::data::LetterData;
use crate::date::LetterDate;
use crate::error::Error;
use crate::fonts::{Fonts, PROJECT_FONTS, Typefaces};
use crate::letter::{Reach, Text, language, letter_files};
use crate::plan::Source;
use crate::signatories::{self, Signatories};

pub use glyphs::{MissingGlyph, refuse_entry};
use glyphs::{Printed, missing_glyphs};

/// From how many signatories the inputs are checked on two cores.
const PARALLEL_FROM: usize = 2000;

/// A letter's validated inputs.
pub struct Inputs {
    pub letter: PathBuf,
    pub signatories: Signatories,
    pub date: LetterDate,
    pub version: Option<String>,
    /// The languages of the original (first: the order the list keeps in
    /// files) and of the texts to make.
    pub languages: Vec<String>,
    /// The JSON the template reads, shared with every world made from it.
    pub data: Bytes,
    /// The fonts the letter is set in.
    pub fonts: &'static Fonts,
}

impl Inputs {
    /// The original's language.
    pub fn language(&self) -> &str {
        &self.languages[0]
    }

    /// The project folder: the one holding the signatories file.
    pub fn project(&self) -> &Path {
        self.signatories.path.parent().unwrap_or(Path::new(""))
    }

    /// The inputs, refusing a character no font can print.
    pub fn load(source: &Source) -> Result<Self, Error> {
        let (inputs, missing) = Self::read(source)?;
        if missing.is_empty() {
            Ok(inputs)
        } else {
            Err(Error::Glyphs { list: Box::new(inputs.signatories), missing })
        }
    }

    /// The inputs, and the characters no font can print (for `check`,
    /// which reports them beside its other findings).
    pub fn read(source: &Source) -> Result<(Self, Vec<MissingGlyph>), Error> {
        // The letter's own text is read on the other core while the list
        // is loaded: both decide which fonts the letter needs.
        let (list, letter_text) = std::thread::scope(|scope| {
            let letter_text = scope.spawn(|| letter_text(&source.letter));
            let list = signatories::load(&source.signatories);
            (list, letter_text.join().expect("reading the letter does not panic"))
        });
        let list = list?;
        let typefaces = typefaces(&source.signatories)?;
        let (date, version) = (source.date, source.version.clone());
        let label = version.as_deref().unwrap_or_default();
        if let Some(c) = label.chars().find(|c| !c.is_whitespace() && !typefaces.covers(*c)) {
            return Err(Error::Usage(format!(
                "--version-label has '{c}' (U+{:04X}), which no font can print: put a font \
                 that has it in `{PROJECT_FONTS}/` beside the signatories file",
                c as u32
            )));
        }
        // The original's language first, then the languages of the texts
        // to make, each of which prints the list in its own order and the
        // date in its own words (whose script may need a font of its own).
        let languages: Vec<String> = std::iter::once(&Text::Original)
            .chain(source.texts.iter().filter(|text| **text != Text::Original))
            .map(|text| language::of_text(&source.letter, text))
            .collect();
        let dates: String = languages.iter().filter_map(|l| date.long_in(l)).collect();
        // The fonts (with the glyph check) and the collated data are
        // independent: one each per core, which a long list notices (a
        // short one, re-read on every save in `watch`, is quicker without
        // starting a thread).
        let data = || LetterData::new(&list, date, version.as_deref(), &languages).to_json();
        let fonts = || {
            let printed = Printed::of(&list);
            let missing = missing_glyphs(&typefaces, &list, &printed);
            let text = (printed.chars().chain(letter_text.chars()))
                .chain(label.chars())
                .chain(dates.chars());
            (missing, typefaces.select(text))
        };
        let ((missing, fonts), data) = if list.entries.len() < PARALLEL_FROM {
            (fonts(), data())
        } else {
            std::thread::scope(|scope| {
                let fonts = scope.spawn(fonts);
                let data = data();
                (fonts.join().expect("the glyph check does not panic"), data)
            })
        };
        let data = Bytes::new(data);
        let inputs = Self {
            letter: source.letter.clone(),
            signatories: list,
            date,
            version,
            languages,
            data,
            fonts,
        };
        Ok((inputs, missing))
    }
}

/// The fonts available to the project of a signatories file: the bundled
/// ones and those in `fonts/` beside it.
pub fn typefaces(signatories: &Path) -> Result<Typefaces, Error> {
    let project = signatories.parent().filter(|p| !p.as_os_str().is_empty());
    Typefaces::load(project.unwrap_or(Path::new("."))).map_err(Error::Fonts)
}

/// The text of the letter's sources (`.typ` files), whose characters the
/// letter's fonts must print as well as the names.
fn letter_text(letter: &Path) -> String {
    let mut text = String::new();
    for file in letter_files(letter).unwrap_or_default() {
        let is_source = file.path.extension().is_some_and(|e| e == "typ");
        if file.reach == Reach::Inside
            && is_source
            && let Ok(bytes) = crate::files::read_regular(&file.path)
        {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

/// Loads a signatories file and checks that every character can be printed.
pub fn load_signatories(path: &Path) -> Result<Signatories, Error> {
    let list = signatories::load(path)?;
    let missing = missing_glyphs(&typefaces(path)?, &list, &Printed::of(&list));
    if missing.is_empty() { Ok(list) } else { Err(Error::Glyphs { list: Box::new(list), missing }) }
}
