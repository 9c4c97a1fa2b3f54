//! `openletter build`: inputs → data → world → pages → PDF file (and, if
//! asked, a manifest and PNG previews).
//!
//! Everything is produced in memory first; files are written only once the
//! whole build has succeeded, each atomically.

use std::path::PathBuf;

use typst::diag::SourceDiagnostic;
use typst::model::Document;

use crate::args::BuildArgs;
use crate::compile::{self, CompileError, Compiled, PdfSettings};
use crate::error::Error;
use crate::inputs::Inputs;
use crate::manifest::{Input, Manifest, PdfFacts, Tool};
use crate::world::LetterWorld;
use crate::{fonts, output, preview, report};

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let (standards, standard_names) =
        compile::parse_standards(&args.pdf_standard).map_err(Error::Usage)?;
    let inputs = Inputs::load(&args.input)?;
    let version = args.input.version_label.as_deref();
    let world =
        LetterWorld::new(&inputs.letter, fonts::bundled(), inputs.data(version), inputs.date)?;
    let compiled = compile::compile(&world).map_err(|err| typst_error(&world, err))?;
    report::warnings(&world, &compiled.warnings);

    let slug = slug(&compiled, &inputs);
    let settings = PdfSettings { ident: &slug, date: inputs.date.datetime(), standards };
    let pdf = compile::export_pdf(&compiled, &settings).map_err(|err| typst_error(&world, err))?;

    let date = inputs.date.iso();
    let mut placeholders = vec![("date", date.as_str()), ("slug", slug.as_str())];
    if let Some(version) = version {
        placeholders.push(("version", version));
    }
    let path = output::expand(&args.output, &placeholders).map_err(Error::Usage)?;
    let manifest_path = match &args.manifest {
        Some(pattern) => Some(output::expand(pattern, &placeholders).map_err(Error::Usage)?),
        None => None,
    };
    let pages = compiled.document.pages().len();
    let pngs = args.png.as_ref().map(|_| preview::render(&compiled.document, args.png_ppi));
    let manifest = manifest_path.as_ref().map(|_| Manifest {
        pdf: PdfFacts {
            path: path.display().to_string(),
            sha256: crate::manifest::sha256(&pdf),
            size: pdf.len(),
            pages,
        },
        date: date.clone(),
        version_label: version.map(str::to_owned),
        signatories: inputs.signatories.counts(),
        pdf_standards: standard_names,
        tool: Tool { openletter: env!("CARGO_PKG_VERSION"), typst: compile::TYPST_VERSION },
        inputs: manifest_inputs(&inputs, &world),
    });

    output::write_atomically(&path, &pdf)?;
    if let (Some(manifest_path), Some(manifest)) = (&manifest_path, &manifest) {
        output::write_atomically(manifest_path, &manifest.to_json())?;
    }
    if let (Some(dir), Some(pngs)) = (&args.png, pngs) {
        write_previews(dir, &pngs)?;
    }

    let counts = inputs.signatories.counts();
    eprintln!(
        "{} pages, {} signatories ({} organisations, {} individuals), dated {}{}",
        pages,
        counts.total,
        counts.organisations,
        counts.individuals,
        inputs.date.long(),
        version.map(|v| format!(", version {v}")).unwrap_or_default(),
    );
    println!("{}", path.display());
    if let Some(manifest_path) = manifest_path {
        println!("{}", manifest_path.display());
    }
    Ok(())
}

/// Renders Typst's errors and warnings now, while the world that can show
/// their source is at hand.
pub fn typst_error(world: &LetterWorld, err: CompileError) -> Error {
    let all: Vec<SourceDiagnostic> = err.errors.into_iter().chain(err.warnings).collect();
    Error::Typst(report::typst(world, &all))
}

/// A short name for the letter, for file names and the PDF identifier: its
/// title up to any colon (`open-letter-to-the-home-secretary`), else the
/// letter folder's name.
fn slug(compiled: &Compiled, inputs: &Inputs) -> String {
    let title = compiled.document.info().title.as_deref().map(str::to_owned);
    let title = title.unwrap_or_else(|| inputs.letter.display().to_string());
    let head = title.split(':').next().unwrap_or(&title);
    let mut slug = String::new();
    for c in head.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn manifest_inputs(inputs: &Inputs, world: &LetterWorld) -> Vec<Input> {
    let list = &inputs.signatories;
    let mut all = vec![Input::new(list.path.display().to_string(), list.source.as_bytes())];
    all.extend(world.files_read().iter().map(|(name, bytes)| Input::new(name.clone(), bytes)));
    all.extend(fonts::FILES.iter().map(|(name, bytes)| Input::new(format!("(built in) {name}"), bytes)));
    all
}

fn write_previews(dir: &PathBuf, pngs: &[Vec<u8>]) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|error| output::WriteError { path: dir.clone(), error })?;
    for (i, png) in pngs.iter().enumerate() {
        output::write_atomically(&dir.join(preview::file_name(i + 1, pngs.len())), png)?;
    }
    for stale in preview::stale_files(dir, pngs.len()) {
        std::fs::remove_file(&stale).map_err(|error| output::WriteError { path: stale, error })?;
    }
    Ok(())
}
