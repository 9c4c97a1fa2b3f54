//! The first stage of every command: reading the inputs and refusing bad ones
//! before Typst sees anything.

use std::path::PathBuf;

use crate::args::InputArgs;
use crate::data::LetterData;
use crate::date::LetterDate;
use crate::error::Error;
use crate::fonts;
use crate::signatories::edit::NewEntry;
use crate::signatories::{self, Signatories};

/// A letter's validated inputs.
pub struct Inputs {
    pub letter: PathBuf,
    pub signatories: Signatories,
    pub date: LetterDate,
    pub version: Option<String>,
    /// The JSON the template reads.
    pub data: Vec<u8>,
}

impl Inputs {
    pub fn load(args: &InputArgs) -> Result<Self, Error> {
        let list = signatories::load(&args.signatories)?;
        let (date, version) = (args.letter_date(), args.version_label.clone());
        // The glyph check and the collated data are independent: one each
        // per core, which a long list notices.
        let (missing, data) = std::thread::scope(|scope| {
            let missing = scope.spawn(|| fonts::missing_glyphs(fonts::bundled(), &list));
            let data = LetterData::new(&list, date, version.as_deref()).to_json();
            (missing.join().expect("the glyph check does not panic"), data)
        });
        if !missing.is_empty() {
            return Err(Error::Glyphs { list: Box::new(list), missing });
        }
        Ok(Self { letter: args.letter.clone(), signatories: list, date, version, data })
    }
}

/// Loads a signatories file and checks that every character can be printed.
pub fn load_signatories(path: &std::path::Path) -> Result<Signatories, Error> {
    let list = signatories::load(path)?;
    let missing = fonts::missing_glyphs(fonts::bundled(), &list);
    if missing.is_empty() { Ok(list) } else { Err(Error::Glyphs { list: Box::new(list), missing }) }
}

/// Why an entry to be added cannot go into the file: a rule of the file
/// format, or a character the letter could not print.
pub fn refuse_entry(entry: &NewEntry) -> Option<String> {
    if let Some(why) = entry.problems() {
        return Some(why);
    }
    let fonts = fonts::bundled();
    entry
        .fields()
        .filter(|(key, _)| fonts::PRINTED_FIELDS.contains(key))
        .find_map(|(key, text)| Some((key, fonts.first_missing(text)?)))
        .map(|(key, c)| {
            format!("`{key}` has '{c}' (U+{:04X}), which no bundled font can print", c as u32)
        })
}
