//! The build, shared by `build`, `watch` and `check`: validated inputs and
//! their world → typeset pages and PDF ([`typeset`]) → the files a build
//! writes, all in memory ([`Products`]) → written together or not at all.
//!
//! Where the files go is settled and checked against the inputs before
//! anything is written ([`Targets`]): an output can never replace an input.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst::model::Document;
use typst_layout::PagedDocument;
use typst_pdf::PdfStandards;

use crate::args::{BuildArgs, PdfStandard};
use crate::compile::{self, CompileError, PdfSettings};
use crate::error::Error;
use crate::files::{is_within, same_path};
use crate::inputs::Inputs;
use crate::manifest::{Input, Manifest, PdfFacts, Tool};
use crate::output::{self, Durability, Staged, WriteError};
use crate::world::{LetterWorld, Text};
use crate::{preview, report};

/// The PDF standards asked for, checked once.
pub struct Standards {
    standards: PdfStandards,
    names: Vec<String>,
}

impl Standards {
    pub fn new(list: &[PdfStandard]) -> Result<Self, Error> {
        let (standards, names) = compile::standards(list).map_err(Error::Usage)?;
        Ok(Self { standards, names })
    }
}

/// What to do with Typst's caches once the pages are laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caches {
    /// Keep them for the next build (`watch`).
    Keep,
    /// Free them before the PDF export, which then peaks lower.
    Free,
}

/// A letter typeset and exported, in memory.
pub struct Typeset {
    pub document: PagedDocument,
    pub pdf: Vec<u8>,
    /// A short name from the title, for file names and the PDF identifier.
    pub slug: String,
    /// The text's language: a translation's tag, or the original's as its
    /// document declares it.
    pub lang: String,
    pub compile_time: Duration,
    pub export_time: Duration,
}

/// Compiles the letter and exports its PDF; writes nothing. Whatever the
/// PDF export refuses is refused here, so `check` refuses it too.
pub fn typeset(
    inputs: &Inputs,
    world: &LetterWorld,
    text: &Text,
    standards: &Standards,
    caches: Caches,
) -> Result<Typeset, Error> {
    let laid = lay_out(inputs, world, text, caches)?;
    let started = Instant::now();
    let pdf = laid.pdf(inputs, world, standards)?;
    Ok(laid.with_pdf(pdf, started.elapsed()))
}

/// A letter laid out in pages, before its PDF is made (which `publish`
/// makes while the first page is drawn as a preview on the other core).
pub struct Laid {
    compiled: compile::Compiled,
    pub slug: String,
    pub lang: String,
    /// The PDF's identifier: each text is its own document.
    ident: String,
    pub compile_time: Duration,
}

/// Compiles one text of the letter into pages.
pub fn lay_out(
    inputs: &Inputs,
    world: &LetterWorld,
    text: &Text,
    caches: Caches,
) -> Result<Laid, Error> {
    let started = Instant::now();
    let compiled = compile::compile(world).map_err(|err| typst_error(world, err))?;
    let compile_time = started.elapsed();
    // Freed before the export, not beside it: freeing on another core while
    // exporting was no faster and let the peak wander higher.
    if caches == Caches::Free {
        typst::comemo::evict(0);
    }
    report::warnings(world, &compiled.warnings);
    let slug = slug(compiled.document.info().title.as_deref(), &inputs.letter);
    let lang = match (text, compiled.document.info().locale) {
        (Text::Translation(lang), _) => lang.clone(),
        (Text::Original, Smart::Custom(locale)) => locale.lang.as_str().to_owned(),
        (Text::Original, Smart::Auto) => "original".to_owned(),
    };
    let ident = match text {
        Text::Original => slug.clone(),
        Text::Translation(lang) => format!("{slug}-{lang}"),
    };
    Ok(Laid { compiled, slug, lang, ident, compile_time })
}

impl Laid {
    pub fn document(&self) -> &PagedDocument {
        &self.compiled.document
    }

    /// The PDF of the pages.
    pub fn pdf(
        &self,
        inputs: &Inputs,
        world: &LetterWorld,
        standards: &Standards,
    ) -> Result<Vec<u8>, Error> {
        let settings = PdfSettings {
            ident: &self.ident,
            date: inputs.date.datetime(),
            standards: standards.standards.clone(),
        };
        compile::export_pdf(&self.compiled, &settings).map_err(|err| typst_error(world, err))
    }

    pub fn with_pdf(self, pdf: Vec<u8>, export_time: Duration) -> Typeset {
        Typeset {
            document: self.compiled.document,
            pdf,
            slug: self.slug,
            lang: self.lang,
            compile_time: self.compile_time,
            export_time,
        }
    }
}

/// Renders Typst's errors and warnings now, while the world that can show
/// their source is at hand.
pub fn typst_error(world: &LetterWorld, err: CompileError) -> Error {
    let errors = err.errors.len();
    let all: Vec<SourceDiagnostic> = err.errors.into_iter().chain(err.warnings).collect();
    Error::Typst { rendered: report::typst(world, &all), errors }
}

/// Where one build's files go.
pub struct Targets {
    pub pdf: PathBuf,
    pub manifest: Option<PathBuf>,
    pub previews: Option<PathBuf>,
}

impl Targets {
    /// Checks, before anything is compiled, every output whose name is
    /// already known (one that uses `{slug}` or `{lang}` waits for the
    /// letter). Several texts need `{lang}` in every pattern.
    pub fn check_early(args: &BuildArgs, inputs: &Inputs, texts: &[Text]) -> Result<(), Error> {
        let output = args.output_pattern();
        let patterns = [Some(&output), args.manifest.as_ref(), args.png.as_ref()];
        if texts.len() > 1
            && let Some(pattern) = patterns.iter().flatten().find(|p| !p.contains("{lang}"))
        {
            return Err(Error::Usage(format!(
                "`{pattern}` would name the files of every language alike: put `{{lang}}` in it"
            )));
        }
        let known = |pattern: &&String| !pattern.contains("{slug}") && !pattern.contains("{lang}");
        let values = placeholders(inputs, "slug", "lang");
        let expand = |pattern: &String| output::expand(pattern, &values).map_err(Error::Usage);
        let targets = Targets {
            pdf: if known(&&output) { expand(&output)? } else { PathBuf::new() },
            manifest: args.manifest.as_ref().filter(known).map(expand).transpose()?,
            previews: args.png.as_ref().filter(known).map(expand).transpose()?,
        };
        targets.check(inputs)
    }

    /// The outputs of a build, named from its patterns, and checked.
    pub fn plan(args: &BuildArgs, inputs: &Inputs, typeset: &Typeset) -> Result<Self, Error> {
        let values = placeholders(inputs, &typeset.slug, &typeset.lang);
        let expand = |pattern: &String| output::expand(pattern, &values).map_err(Error::Usage);
        let targets = Targets {
            pdf: expand(&args.output_pattern())?,
            manifest: args.manifest.as_ref().map(expand).transpose()?,
            previews: args.png.as_ref().map(expand).transpose()?,
        };
        targets.check(inputs)?;
        Ok(targets)
    }

    /// Refuses two builds' outputs with one name (texts whose patterns
    /// agree, such as `{slug}` alone for two translations of one title).
    pub fn check_distinct(all: &[&Targets]) -> Result<(), Error> {
        let mut seen: Vec<&Path> = Vec::new();
        for targets in all {
            for path in [Some(&targets.pdf), targets.manifest.as_ref(), targets.previews.as_ref()]
                .into_iter()
                .flatten()
            {
                if seen.iter().any(|p| same_path(p, path)) {
                    return Err(Error::Usage(format!(
                        "`{}` is named by two languages' outputs: put `{{lang}}` in the pattern; \
                         nothing was written",
                        path.display()
                    )));
                }
                seen.push(path);
            }
        }
        Ok(())
    }

    /// Refuses an output that is an input (the signatories file, anything
    /// in the letter folder), one named twice, or a folder where a file
    /// goes and the other way round.
    fn check(&self, inputs: &Inputs) -> Result<(), Error> {
        let list = &inputs.signatories.path;
        let letter = &inputs.letter;
        let refuse = |what: &str, path: &Path, why: String| {
            Err(Error::Usage(format!("{what} `{}` {why}; nothing was written", path.display())))
        };
        let mut files: Vec<(&str, &Path)> = Vec::new();
        if !self.pdf.as_os_str().is_empty() {
            files.push(("-o", &self.pdf));
        }
        if let Some(manifest) = &self.manifest {
            files.push(("--manifest", manifest));
        }
        for (i, (what, path)) in files.iter().enumerate() {
            if same_path(path, list) {
                return refuse(what, path, "is the signatories file, an input".into());
            }
            if is_within(path, letter) {
                let why = format!(
                    "is inside the letter folder `{}`, which holds inputs",
                    letter.display()
                );
                return refuse(what, path, why);
            }
            if path.is_dir() {
                return refuse(what, path, "is a folder; name a file".into());
            }
            if let Some((other, _)) = files[..i].iter().find(|(_, p)| same_path(p, path)) {
                return refuse(what, path, format!("is also named by {other}"));
            }
        }
        if let Some(dir) = &self.previews {
            if is_within(dir, letter) {
                let why = format!(
                    "is inside the letter folder `{}`, which holds inputs",
                    letter.display()
                );
                return refuse("--png", dir, why);
            }
            if dir.exists() && !dir.is_dir() {
                return refuse("--png", dir, "is a file; name a folder for the previews".into());
            }
        }
        Ok(())
    }
}

/// The values output patterns can use.
fn placeholders(inputs: &Inputs, slug: &str, lang: &str) -> Vec<(&'static str, String)> {
    let mut values =
        vec![("date", inputs.date.iso()), ("slug", slug.to_owned()), ("lang", lang.to_owned())];
    if let Some(version) = &inputs.version {
        values.push(("version", version.clone()));
    }
    values
}

/// What one build made, still in memory, and where it goes.
pub struct Products {
    pub targets: Targets,
    pdf: Vec<u8>,
    manifest: Option<Vec<u8>>,
    previews: Option<Vec<Vec<u8>>>,
    pub pages: usize,
    pub compile_time: Duration,
    pub export_time: Duration,
}

impl Products {
    /// Everything `args` asks for, from a typeset letter.
    pub fn new(
        typeset: Typeset,
        args: &BuildArgs,
        inputs: &Inputs,
        world: &LetterWorld,
        standards: &Standards,
    ) -> Result<Self, Error> {
        let targets = Targets::plan(args, inputs, &typeset)?;
        let pages = typeset.document.pages().len();
        let manifest = targets.manifest.as_ref().map(|_| {
            Manifest {
                pdf: PdfFacts {
                    path: targets.pdf.display().to_string(),
                    sha256: crate::manifest::sha256(&typeset.pdf),
                    size: typeset.pdf.len(),
                    pages,
                },
                date: inputs.date.iso(),
                version_label: inputs.version.clone(),
                signatories: inputs.signatories.counts(),
                pdf_standards: standards.names.clone(),
                tool: Tool { openletter: env!("CARGO_PKG_VERSION"), typst: compile::TYPST_VERSION },
                inputs: manifest_inputs(inputs, world),
            }
            .to_json()
        });
        let previews = match &targets.previews {
            Some(_) => {
                Some(preview::render(&typeset.document, args.png_ppi).map_err(Error::Usage)?)
            }
            None => None,
        };
        Ok(Products {
            targets,
            pdf: typeset.pdf,
            manifest,
            previews,
            pages,
            compile_time: typeset.compile_time,
            export_time: typeset.export_time,
        })
    }

    /// Writes every file, all or none: see [`write_all`].
    pub fn write(&self, durability: Durability) -> Result<(), Error> {
        write_all(std::slice::from_ref(self), durability)
    }

    /// Stages this build's PDF and manifest.
    fn stage_files(&self, staged: &mut Staged, durability: Durability) -> Result<(), Error> {
        if let (Some(path), Some(json)) = (&self.targets.manifest, &self.manifest) {
            staged.stage(path, json, durability)?;
        }
        staged.stage(&self.targets.pdf, &self.pdf, durability)?;
        Ok(())
    }

    /// Stages this build's previews, making their folder if need be (noted
    /// in `made`, to take back on failure); returns the previews to remove
    /// once the new ones are in place.
    fn stage_previews(
        &self,
        staged: &mut Staged,
        durability: Durability,
        made: &mut Vec<PathBuf>,
    ) -> Result<Vec<PathBuf>, Error> {
        let (Some(dir), Some(pngs)) = (&self.targets.previews, &self.previews) else {
            return Ok(Vec::new());
        };
        if !dir.is_dir() {
            std::fs::create_dir(dir).map_err(|error| WriteError::new(dir, error))?;
            made.push(dir.clone());
        }
        Ok(preview::stage(dir, pngs, staged, durability)?)
    }

    /// The files written, for scripts.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.targets.pdf.as_path()).chain(self.targets.manifest.as_deref())
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
}

/// Writes the files of several builds (one per language), all or none:
/// each is staged in full first, and only then are they renamed into place.
/// Previews from an earlier, longer build are removed afterwards (only
/// files this tool wrote).
pub fn write_all(all: &[Products], durability: Durability) -> Result<(), Error> {
    Targets::check_distinct(&all.iter().map(|p| &p.targets).collect::<Vec<_>>())?;
    let mut staged = Staged::default();
    let mut stale = Vec::new();
    let mut made = Vec::new();
    // The files first: a folder for previews is made only once they are in.
    let result = all
        .iter()
        .try_for_each(|products| products.stage_files(&mut staged, durability))
        .and_then(|()| {
            all.iter().try_for_each(|products| {
                stale.extend(products.stage_previews(&mut staged, durability, &mut made)?);
                Ok(())
            })
        })
        .and_then(|()| Ok(std::mem::take(&mut staged).commit()?));
    if let Err(err) = result {
        drop(staged);
        for dir in made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(err);
    }
    for path in stale {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

pub fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// A short name for the letter, for file names and the PDF identifier: its
/// title up to any colon (`open-letter-to-the-home-secretary`), else the
/// letter folder's name, else `letter`.
fn slug(title: Option<&str>, letter: &Path) -> String {
    let folder = letter.file_name().map(|n| n.to_string_lossy().into_owned());
    let title = title.map(str::to_owned).or(folder).unwrap_or_default();
    let head = title.split(':').next().unwrap_or(&title);
    let mut slug = String::new();
    for c in head.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "letter".to_owned() } else { slug.to_owned() }
}

fn manifest_inputs(inputs: &Inputs, world: &LetterWorld) -> Vec<Input> {
    let list = &inputs.signatories;
    let mut all = vec![Input::new(list.path.display().to_string(), &list.bytes())];
    all.extend(world.files_read().iter().map(|(name, bytes)| Input::new(name.clone(), bytes)));
    all.extend(inputs.fonts.files.iter().map(|file| {
        let name =
            if file.bundled { format!("(built in) {}", file.name) } else { file.name.clone() };
        Input::new(name, &file.bytes)
    }));
    all
}

#[cfg(test)]
mod tests {
    use super::slug;
    use std::path::Path;

    #[test]
    fn slug_from_title_folder_or_fallback() {
        let letter = Path::new("letter");
        assert_eq!(slug(Some("Open letter: to X"), letter), "open-letter");
        assert_eq!(slug(None, letter), "letter");
        assert_eq!(slug(Some("!!!"), Path::new("x")), "letter");
    }
}
