//! `openletter check`: a build that writes nothing (PDF export included, so
//! whatever `build` refuses, `check` refuses first with the same message),
//! plus the lints.
//!
//! Exit 0: no errors (warnings are shown); 1: an error, or a warning with
//! `--deny-warnings`; 2: an input could not be read.

use typst::diag::Severity;

use crate::args::CheckArgs;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::plan;
use crate::report;
use crate::signatories::{Level, Problem, lint};
use crate::typeset::{Caches, typeset};
use crate::world::LetterWorld;

pub fn run(args: &CheckArgs) -> Result<u8, Error> {
    let plan = plan::Check::resolve(args)?;
    let (inputs, missing) = Inputs::read(&plan.source)?;
    let list = &inputs.signatories;

    let mut errors: Vec<Problem> = missing.iter().map(|m| m.to_problem()).collect();
    let mut warnings = Vec::new();
    for finding in lint(list) {
        match finding.lint.level() {
            Level::Error => errors.push(finding.problem),
            Level::Warning => warnings.push(finding.problem),
        }
    }
    errors.sort_by_key(|f| f.span.start);

    let mut out = report::stderr();
    report::problems_in(&mut out, &list.path, &list.source, &errors, Severity::Error);
    report::problems_in(&mut out, &list.path, &list.source, &warnings, Severity::Warning);
    let (path, letter) = (list.path.display().to_string(), inputs.letter.display().to_string());
    let (counts, date) = (list.counts(), inputs.date);
    let mut typst_errors = 0;
    for text in &plan.source.texts {
        let world = LetterWorld::new(&inputs, text)?;
        match typeset(&inputs, &world, text, &plan.standards, Caches::Free) {
            Ok(_) => {}
            Err(Error::Typst { rendered, errors }) => {
                report::rendered(&rendered);
                typst_errors += errors;
            }
            Err(other) => return Err(other),
        }
    }

    let errors = errors.len() + typst_errors;
    let warnings = warnings.len();
    if errors + warnings == 0 {
        outln!(
            "{path} and {letter}: no problems ({} signatories, dated {})",
            counts.total,
            date.long()
        )?;
        return Ok(0);
    }
    outln!(
        "{} and {} found in {path} and {letter}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )?;
    Ok(u8::from(errors > 0 || plan.deny_warnings && warnings > 0))
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
