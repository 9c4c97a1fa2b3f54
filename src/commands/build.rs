//! `openletter build`: inputs → data → world → pages → PDF file.

use typst::diag::SourceDiagnostic;
use typst::model::Document;

use crate::args::BuildArgs;
use crate::compile::{self, CompileError, Compiled, PdfSettings};
use crate::error::Error;
use crate::fonts;
use crate::inputs::Inputs;
use crate::output;
use crate::report;
use crate::world::LetterWorld;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let inputs = Inputs::load(&args.input)?;
    let world = LetterWorld::new(
        &inputs.letter,
        fonts::bundled(),
        inputs.data(None),
        inputs.date,
    )?;
    let compiled = compile::compile(&world).map_err(|err| typst_error(&world, err))?;
    report::warnings(&world, &compiled.warnings);

    let slug = slug(&compiled, &inputs);
    let settings = PdfSettings {
        ident: &slug,
        date: world_date(&inputs),
        standards: typst_pdf::PdfStandards::default(),
    };
    let pdf = compile::export_pdf(&compiled, &settings).map_err(|err| typst_error(&world, err))?;
    let path = output::expand(
        &args.output,
        &[("date", &inputs.date.iso()), ("slug", &slug)],
    )
    .map_err(Error::Usage)?;
    output::write_atomically(&path, &pdf)?;

    let counts = inputs.signatories.counts();
    eprintln!(
        "{} pages, {} signatories ({} organisations, {} individuals), dated {}",
        compiled.document.pages().len(),
        counts.total,
        counts.organisations,
        counts.individuals,
        inputs.date.long()
    );
    println!("{}", path.display());
    Ok(())
}

/// Renders Typst's errors and warnings now, while the world that can show
/// their source is at hand.
pub fn typst_error(world: &LetterWorld, err: CompileError) -> Error {
    let all: Vec<SourceDiagnostic> = err.errors.into_iter().chain(err.warnings).collect();
    Error::Typst(report::typst(world, &all))
}

/// A name for the letter, from its title: `open-letter-to-...`.
fn slug(compiled: &Compiled, inputs: &Inputs) -> String {
    let title = compiled.document.info().title.as_deref().map(str::to_owned);
    let title = title.unwrap_or_else(|| inputs.letter.display().to_string());
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn world_date(inputs: &Inputs) -> typst::foundations::Datetime {
    use chrono::Datelike;
    let d = inputs.date.0;
    typst::foundations::Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8)
        .expect("a valid calendar date")
}
