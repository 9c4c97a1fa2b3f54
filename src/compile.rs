//! Compiling a letter into pages, and the pages into PDF bytes; or into a
//! web page (Typst's HTML export), and that into HTML text.

use typst::diag::{SourceDiagnostic, Warned};
use typst::ecow::EcoVec;
use typst::foundations::{Datetime, Dict, Label, Smart, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

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

/// A letter compiled for the web, and what Typst had to say about it.
pub struct CompiledPage {
    pub document: typst_html::HtmlDocument,
    pub warnings: EcoVec<SourceDiagnostic>,
}

/// Compiles a world made with [`LetterWorld::for_web`] into a web page.
pub fn compile_page(world: &LetterWorld) -> Result<CompiledPage, CompileError> {
    let Warned { output, warnings } = typst::compile::<typst_html::HtmlDocument>(world);
    // Typst says, for every page, that its HTML export is experimental: we
    // know, and check the pages ourselves.
    let warnings: EcoVec<SourceDiagnostic> =
        warnings.into_iter().filter(|w| !w.message.starts_with("html export is")).collect();
    match output {
        Ok(document) => Ok(CompiledPage { document, warnings }),
        Err(errors) => Err(CompileError { errors, warnings }),
    }
}

/// The dictionary the template left for openletter in metadata labelled
/// `label` (`<openletter-labels>`), on pages or on a web page.
pub fn left_by_template(introspector: &(impl Introspector + ?Sized), label: &str) -> Option<Dict> {
    let label = Label::new(PicoStr::intern(label)).expect("a valid label");
    let found = introspector.query_label(label).ok()?;
    match &found.to_packed::<MetadataElem>()?.value {
        Value::Dict(left) => Some(left.clone()),
        _ => None,
    }
}

pub fn export_html(page: &CompiledPage) -> Result<String, CompileError> {
    typst_html::html(&page.document, &typst_html::HtmlOptions::default())
        .map(|html| without_svg_prefix(&html))
        .map_err(|errors| CompileError { errors, warnings: page.warnings.clone() })
}

/// The namespace prefix Typst declares on the SVG of a drawn frame (for
/// HTML inside it, which a letter's frames never hold).
const SVG_PREFIX: &str = " xmlns:h5=\"http://www.w3.org/1999/xhtml\"";

/// The page without that declaration, which HTML's syntax does not allow
/// (validators reject it; browsers ignore it). Only `<svg` start tags are
/// touched: in text, `<` is always escaped, so a name can never be one.
fn without_svg_prefix(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<svg ") {
        let end = start + rest[start..].find('>').unwrap_or(rest.len() - start);
        out.push_str(&rest[..start]);
        out.push_str(&rest[start..end].replace(SVG_PREFIX, ""));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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

/// The Typst release this binary embeds (kept in step with Cargo.toml).
pub const TYPST_VERSION: &str = "0.15.1";

#[cfg(test)]
mod tests {
    use super::without_svg_prefix;

    #[test]
    fn only_svg_tags_lose_the_prefix() {
        let text = "<p>x xmlns:h5=\"http://www.w3.org/1999/xhtml\"</p>";
        let page =
            format!("<svg a=\"1\" xmlns:h5=\"http://www.w3.org/1999/xhtml\"><g/></svg>{text}");
        assert_eq!(without_svg_prefix(&page), format!("<svg a=\"1\"><g/></svg>{text}"));
    }
}
