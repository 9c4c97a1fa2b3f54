//! The first stage of every command: reading the inputs and refusing bad ones
//! before Typst sees anything.

use std::path::PathBuf;

use crate::args::InputArgs;
use crate::data::LetterData;
use crate::date::LetterDate;
use crate::error::Error;
use crate::fonts;
use crate::signatories::{self, Signatories};

/// A letter's validated inputs.
pub struct Inputs {
    pub letter: PathBuf,
    pub signatories: Signatories,
    pub date: LetterDate,
    pub version: Option<String>,
}

impl Inputs {
    pub fn load(args: &InputArgs) -> Result<Self, Error> {
        let date = LetterDate::from_env(args.date.as_deref())?;
        let signatories = load_signatories(&args.signatories)?;
        Ok(Self {
            letter: args.letter.clone(),
            signatories,
            date,
            version: args.version_label.clone(),
        })
    }

    /// The JSON the template reads.
    pub fn data(&self) -> Vec<u8> {
        LetterData::new(&self.signatories, self.date, self.version.as_deref()).to_json()
    }
}

/// Loads a signatories file and checks that every character can be printed.
pub fn load_signatories(path: &std::path::Path) -> Result<Signatories, Error> {
    let list = signatories::load(path)?;
    let missing = fonts::missing_glyphs(fonts::bundled(), &list);
    if missing.is_empty() { Ok(list) } else { Err(Error::Glyphs { list: Box::new(list), missing }) }
}
