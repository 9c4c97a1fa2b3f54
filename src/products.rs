//! What one build makes, still in memory: the PDF, its manifest and its
//! preview images, with where each goes.

use std::path::Path;
use std::time::Duration;

use typst_layout::PagedDocument;

use crate::compile;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::manifest::{Input, Manifest, PdfFacts, Tool};
use crate::plan::{Outputs, Standards};
use crate::preview;
use crate::targets::Targets;
use crate::typeset::Typeset;
use crate::world::LetterWorld;

/// What one build made, and where it goes.
pub struct Products {
    pub targets: Targets,
    pub pdf: Vec<u8>,
    pub manifest: Option<Vec<u8>>,
    pub previews: Option<Vec<Vec<u8>>>,
    pub pages: usize,
    /// The pages, kept until the products go: freeing a long letter's
    /// layout takes time that `build` saves by leaving it to the end of
    /// the process.
    _document: PagedDocument,
    pub compile_time: Duration,
    pub export_time: Duration,
}

impl Products {
    /// Everything the plan's outputs ask for, from a typeset letter.
    pub fn new(
        typeset: Typeset,
        outputs: &Outputs,
        inputs: &Inputs,
        world: &mut LetterWorld,
        standards: &Standards,
    ) -> Result<Self, Error> {
        let targets = Targets::plan(outputs, inputs, &typeset)?;
        let pages = typeset.document.pages().len();
        let manifest = match &targets.manifest {
            Some(_) => Some(
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
                    tool: Tool {
                        openletter: env!("CARGO_PKG_VERSION"),
                        typst: compile::TYPST_VERSION,
                    },
                    inputs: manifest_inputs(inputs, world),
                }
                .to_json(),
            ),
            None => None,
        };
        let previews = match &targets.previews {
            Some(_) => Some(preview::render(&typeset.document, outputs.ppi).map_err(Error::Usage)?),
            None => None,
        };
        Ok(Products {
            targets,
            pdf: typeset.pdf,
            manifest,
            previews,
            pages,
            _document: typeset.document,
            compile_time: typeset.compile_time,
            export_time: typeset.export_time,
        })
    }

    /// The files written, for scripts.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.targets.pdf.as_path()).chain(self.targets.manifest.as_deref())
    }

    pub fn summary(&self, inputs: &Inputs) -> String {
        let counts = inputs.signatories.counts();
        format!(
            "{} pages, {} ({}), dated {}",
            self.pages,
            crate::signatories::counted(counts.total, "signatory", "signatories"),
            counts.by_kind(),
            inputs.date.long(),
        )
    }
}

fn manifest_inputs(inputs: &Inputs, world: &mut LetterWorld) -> Vec<Input> {
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
