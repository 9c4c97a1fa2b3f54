//! `openletter check`: a build that writes nothing (PDF export included, so
//! whatever `build` refuses, `check` refuses first with the same message),
//! plus the lints. Exit 0: clean; 1: problems found; 2: unreadable input.

use crate::args::CheckArgs;
use crate::data::LetterData;
use crate::error::Error;
use crate::fonts;
use crate::inputs::Inputs;
use crate::pipeline::{Caches, Standards, typeset};
use crate::report;
use crate::signatories::{self, Problem, lint};
use crate::world::LetterWorld;

pub fn run(args: &CheckArgs) -> Result<u8, Error> {
    let input = &args.input;
    let standards = Standards::new(&args.standards.pdf_standard)?;
    let date = input.letter_date();
    let list = signatories::load(&input.signatories)?;

    let mut findings: Vec<Problem> =
        fonts::missing_glyphs(fonts::bundled(), &list).iter().map(|m| m.to_problem()).collect();
    findings.extend(lint(&list));
    findings.sort_by_key(|f| f.span.start);

    let data = LetterData::new(&list, date, input.version_label.as_deref()).to_json();
    let world = LetterWorld::new(&input.letter, fonts::bundled(), data, date)?;
    let mut out = report::stderr();
    report::problems_in(
        &mut out,
        &list.path,
        &list.source,
        &findings,
        typst::diag::Severity::Warning,
    );
    let (path, letter) = (list.path.display().to_string(), input.letter.display().to_string());
    let counts = list.counts();
    let inputs = Inputs {
        letter: input.letter.clone(),
        signatories: list,
        date,
        version: input.version_label.clone(),
    };
    let typst_errors = match typeset(&inputs, &world, &standards, Caches::Free) {
        Ok(_) => 0,
        Err(Error::Typst { rendered, errors }) => {
            report::rendered(&rendered);
            errors
        }
        Err(other) => return Err(other),
    };

    let problems = findings.len() + typst_errors;
    if problems == 0 {
        outln!(
            "{path} and {letter}: no problems ({} signatories, dated {})",
            counts.total,
            date.long()
        )?;
        Ok(0)
    } else {
        outln!(
            "{} problem{} found in {path} and {letter}",
            problems,
            if problems == 1 { "" } else { "s" },
        )?;
        Ok(1)
    }
}
