//! Compiling a letter into pages, and the pages into PDF bytes.

use typst::diag::{SourceDiagnostic, Warned};
use typst::ecow::EcoVec;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::world::LetterWorld;

/// Typst's errors (from the template or the PDF export), with its warnings.
#[derive(Debug)]
pub struct CompileError {
    pub errors: EcoVec<SourceDiagnostic>,
    pub warnings: EcoVec<SourceDiagnostic>,
}

/// A laid-out letter and what Typst had to say about it.
pub struct Compiled {
    pub document: PagedDocument,
    pub warnings: EcoVec<SourceDiagnostic>,
}

pub fn compile(world: &LetterWorld) -> Result<Compiled, CompileError> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    match output {
        Ok(document) => Ok(Compiled { document, warnings }),
        Err(errors) => Err(CompileError { errors, warnings }),
    }
}

/// How the PDF is written. Everything that could differ between two runs is
/// fixed here, so equal inputs give byte-identical files.
pub struct PdfSettings<'a> {
    /// A stable name for the document, hashed into the PDF's identifier.
    pub ident: &'a str,
    /// The creation timestamp: the letter's date, at midnight UTC.
    pub date: Datetime,
    pub standards: PdfStandards,
}

pub fn export_pdf(compiled: &Compiled, settings: &PdfSettings) -> Result<Vec<u8>, CompileError> {
    let options = PdfOptions {
        ident: Smart::Custom(settings.ident.to_owned()),
        creator: Smart::Custom(Some(format!(
            "openletter {} (Typst {})",
            env!("CARGO_PKG_VERSION"),
            TYPST_VERSION
        ))),
        timestamp: Some(Timestamp::new_utc(settings.date)),
        standards: settings.standards.clone(),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&compiled.document, &options)
        .map_err(|errors| CompileError { errors, warnings: compiled.warnings.clone() })
}

/// Parses `--pdf-standard`: names as Typst spells them, comma-separated, or
/// `none`. Typst itself refuses combinations that cannot hold together.
pub fn parse_standards(list: &str) -> Result<(PdfStandards, Vec<String>), String> {
    let names: Vec<String> = list
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty() && s != "none")
        .collect();
    let standards = names
        .iter()
        .map(|name| {
            serde_json::from_value::<PdfStandard>(serde_json::Value::String(name.clone()))
                .map_err(|_| format!("unknown PDF standard `{name}` in --pdf-standard `{list}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let standards = PdfStandards::new(&standards)
        .map_err(|err| format!("--pdf-standard `{list}`: {}", err.message()))?;
    Ok((standards, names))
}

/// The Typst release this binary embeds (kept in step with Cargo.toml).
pub const TYPST_VERSION: &str = "0.15.1";
