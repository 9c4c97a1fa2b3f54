//! `openletter build`: inputs → data → world → pages → PDF file (and, if
//! asked, a manifest and PNG previews).
//!
//! Everything is produced in memory first; files are written only once the
//! whole build has succeeded, each atomically. `watch` runs the same two
//! steps, [`produce`] and [`Products::write`], on a world it keeps alive.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::diag::SourceDiagnostic;
use typst::model::Document;
use typst_pdf::PdfStandards;

use crate::args::BuildArgs;
use crate::compile::{self, CompileError, Compiled, PdfSettings};
use crate::error::Error;
use crate::inputs::Inputs;
use crate::manifest::{Input, Manifest, PdfFacts, Tool};
use crate::output::Durability;
use crate::world::LetterWorld;
use crate::{fonts, output, preview, report};

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let standards = Standards::parse(&args.pdf_standard)?;
    let inputs = Inputs::load(&args.input)?;
    let world = LetterWorld::new(&inputs.letter, fonts::bundled(), inputs.data(), inputs.date)?;
    let inputs_time = started.elapsed();
    let products = produce(args, &inputs, &world, &standards, Caches::Free)?;
    let write_started = Instant::now();
    products.write(args, Durability::Durable)?;
    if args.timings {
        eprintln!(
            "timings: inputs {}, compile {}, pdf {}, write {}, total {}",
            ms(inputs_time),
            ms(products.compile_time),
            ms(products.export_time),
            ms(write_started.elapsed()),
            ms(started.elapsed())
        );
    }
    eprintln!("{}", products.summary(&inputs));
    products.print_paths();
    Ok(())
}

/// The PDF standards asked for, parsed once.
pub struct Standards {
    standards: PdfStandards,
    names: Vec<String>,
}

impl Standards {
    pub fn parse(list: &str) -> Result<Self, Error> {
        let (standards, names) = compile::parse_standards(list).map_err(Error::Usage)?;
        Ok(Self { standards, names })
    }
}

/// What one build made, still in memory.
pub struct Products {
    pdf: Vec<u8>,
    path: PathBuf,
    manifest: Option<(PathBuf, Vec<u8>)>,
    pngs: Option<Vec<Vec<u8>>>,
    pub pages: usize,
    pub compile_time: Duration,
    pub export_time: Duration,
}

/// What to do with Typst's caches once the pages are laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caches {
    /// Keep them for the next build (`watch`).
    Keep,
    /// Free them before the PDF export, which then peaks lower: at 10,000
    /// signatories about 6 MB less, for about 20 ms.
    Free,
}

/// Compiles and exports; writes nothing.
pub fn produce(
    args: &BuildArgs,
    inputs: &Inputs,
    world: &LetterWorld,
    standards: &Standards,
    caches: Caches,
) -> Result<Products, Error> {
    let started = Instant::now();
    let compiled = compile::compile(world).map_err(|err| typst_error(world, err))?;
    let compile_time = started.elapsed();
    if caches == Caches::Free {
        typst::comemo::evict(0);
    }
    report::warnings(world, &compiled.warnings);

    let started = Instant::now();
    let slug = slug(&compiled, &inputs.letter);
    let settings = PdfSettings {
        ident: &slug,
        date: inputs.date.datetime(),
        standards: standards.standards.clone(),
    };
    let pdf = compile::export_pdf(&compiled, &settings).map_err(|err| typst_error(world, err))?;
    let export_time = started.elapsed();

    let date = inputs.date.iso();
    let version = inputs.version.as_deref();
    let mut placeholders = vec![("date", date.as_str()), ("slug", slug.as_str())];
    if let Some(version) = version {
        placeholders.push(("version", version));
    }
    let path = output::expand(&args.output, &placeholders).map_err(Error::Usage)?;
    let pages = compiled.document.pages().len();
    let manifest = match &args.manifest {
        None => None,
        Some(pattern) => {
            let manifest_path = output::expand(pattern, &placeholders).map_err(Error::Usage)?;
            let manifest = Manifest {
                pdf: PdfFacts {
                    path: path.display().to_string(),
                    sha256: crate::manifest::sha256(&pdf),
                    size: pdf.len(),
                    pages,
                },
                date,
                version_label: version.map(str::to_owned),
                signatories: inputs.signatories.counts(),
                pdf_standards: standards.names.clone(),
                tool: Tool { openletter: env!("CARGO_PKG_VERSION"), typst: compile::TYPST_VERSION },
                inputs: manifest_inputs(inputs, world),
            };
            Some((manifest_path, manifest.to_json()))
        }
    };
    let pngs = args.png.as_ref().map(|_| preview::render(&compiled.document, args.png_ppi));
    Ok(Products { pdf, path, manifest, pngs, pages, compile_time, export_time })
}

impl Products {
    /// Writes the PDF, then the manifest and previews, each atomically.
    pub fn write(&self, args: &BuildArgs, durability: Durability) -> Result<(), Error> {
        output::write_atomically(&self.path, &self.pdf, durability)?;
        if let Some((path, json)) = &self.manifest {
            output::write_atomically(path, json, durability)?;
        }
        if let (Some(dir), Some(pngs)) = (&args.png, &self.pngs) {
            write_previews(dir, pngs, durability)?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn summary(&self, inputs: &Inputs) -> String {
        let counts = inputs.signatories.counts();
        format!(
            "{} pages, {} signatories ({} organisations, {} individuals), dated {}",
            self.pages,
            counts.total,
            counts.organisations,
            counts.individuals,
            inputs.date.long(),
        )
    }

    /// The files written, on stdout, for scripts.
    fn print_paths(&self) {
        println!("{}", self.path.display());
        if let Some((path, _)) = &self.manifest {
            println!("{}", path.display());
        }
    }
}

/// Renders Typst's errors and warnings now, while the world that can show
/// their source is at hand.
pub fn typst_error(world: &LetterWorld, err: CompileError) -> Error {
    let all: Vec<SourceDiagnostic> = err.errors.into_iter().chain(err.warnings).collect();
    Error::Typst(report::typst(world, &all))
}

pub fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// A short name for the letter, for file names and the PDF identifier: its
/// title up to any colon (`open-letter-to-the-home-secretary`), else the
/// letter folder's name.
fn slug(compiled: &Compiled, letter: &Path) -> String {
    let title = compiled.document.info().title.as_deref().map(str::to_owned);
    let title = title.unwrap_or_else(|| letter.display().to_string());
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
    all.extend(
        fonts::FILES.iter().map(|(name, bytes)| Input::new(format!("(built in) {name}"), bytes)),
    );
    all
}

fn write_previews(dir: &Path, pngs: &[Vec<u8>], durability: Durability) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|error| output::WriteError { path: dir.to_owned(), error })?;
    for (i, png) in pngs.iter().enumerate() {
        let path = dir.join(preview::file_name(i + 1, pngs.len()));
        output::write_atomically(&path, png, durability)?;
    }
    for stale in preview::stale_files(dir, pngs.len()) {
        std::fs::remove_file(&stale).map_err(|error| output::WriteError { path: stale, error })?;
    }
    Ok(())
}
