//! `openletter check`: everything a build validates, plus the lints, without
//! writing anything. Exit 0: clean; 1: problems found; 2: unreadable input.

use std::io::Write;

use typst::diag::SourceDiagnostic;

use crate::args::InputArgs;
use crate::compile;
use crate::data::LetterData;
use crate::date::LetterDate;
use crate::error::Error;
use crate::fonts;
use crate::report;
use crate::signatories::{self, Problem, lint};
use crate::world::LetterWorld;

pub fn run(args: &InputArgs) -> Result<u8, Error> {
    let date = LetterDate::from_env(args.date.as_deref())?;
    let list = signatories::load(&args.signatories)?;

    let mut findings: Vec<Problem> =
        fonts::missing_glyphs(fonts::bundled(), &list).iter().map(|m| m.to_problem()).collect();
    findings.extend(lint(&list));
    findings.sort_by_key(|f| f.span.start);

    let data = LetterData::new(&list, date, args.version_label.as_deref()).to_json();
    let world = LetterWorld::new(&args.letter, fonts::bundled(), data, date)?;
    let typst_errors: Vec<SourceDiagnostic> = match compile::compile(&world) {
        Ok(compiled) => compiled.warnings.into_iter().collect(),
        Err(err) => err.errors.into_iter().chain(err.warnings).collect(),
    };

    let mut out = report::stderr();
    report::problems_in(
        &mut out,
        &list.path,
        &list.source,
        &findings,
        typst::diag::Severity::Warning,
    );
    if !typst_errors.is_empty() {
        let _ = write!(out, "{}", report::typst(&world, &typst_errors));
    }
    let problems = findings.len() + typst_errors.len();
    let counts = list.counts();
    if problems == 0 {
        println!(
            "{} and {}: no problems ({} signatories, dated {})",
            list.path.display(),
            args.letter.display(),
            counts.total,
            date.long()
        );
        Ok(0)
    } else {
        println!(
            "{} problem{} found in {} and {}",
            problems,
            if problems == 1 { "" } else { "s" },
            list.path.display(),
            args.letter.display()
        );
        Ok(1)
    }
}
