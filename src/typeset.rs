//! A text of the letter typeset: compiled into pages ([`lay_out`]) and
//! exported as PDF ([`typeset`]), in memory. Whatever the PDF export
//! refuses is refused here, so `check` refuses it too.

use std::path::Path;
use std::time::{Duration, Instant};

use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst::model::Document;
use typst_layout::PagedDocument;

use crate::compile::{self, CompileError, PdfSettings};
use crate::error::Error;
use crate::inputs::Inputs;
use crate::letter::Text;
use crate::plan::Standards;
use crate::report;
use crate::world::LetterWorld;

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

/// Compiles the letter and exports its PDF; writes nothing.
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
    /// The coalition's name, as the PDF's author.
    pub coalition: String,
    /// The letter's title, as the PDF's.
    pub title: String,
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
    if let Some((lang, labels)) = fallen_back(&compiled.document) {
        note!(
            "warning: {}: the template has no words in `{lang}`; these labels are in English: \
             {}; give them in `letter.with(labels: (…))` (README, \"Languages and labels\")",
            world.name(typst::World::main(world)),
            labels.join(", ")
        );
    }
    let info = compiled.document.info();
    let coalition = info.author.first().map(|a| a.to_string()).unwrap_or_default();
    let title = info.title.as_deref().unwrap_or_default().to_owned();
    let slug = slug(
        info.title.as_deref(),
        Some(coalition.as_str()).filter(|c| !c.is_empty()),
        &inputs.letter,
    );
    let lang = match (text, info.locale) {
        (Text::Translation(lang), _) => lang.clone(),
        (Text::Original, Smart::Custom(locale)) => locale.lang.as_str().to_owned(),
        (Text::Original, Smart::Auto) => "original".to_owned(),
    };
    let ident = match text {
        Text::Original => slug.clone(),
        Text::Translation(lang) => format!("{slug}-{lang}"),
    };
    Ok(Laid { compiled, slug, lang, coalition, title, ident, compile_time })
}

impl Laid {
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

/// The labels the template printed in English for want of a set in the
/// text's language, as it leaves them in `<openletter-labels>`.
fn fallen_back(document: &PagedDocument) -> Option<(String, Vec<String>)> {
    let left = compile::left_by_template(&**document.introspector(), "openletter-labels")?;
    let lang = left.get("lang").ok()?.clone().cast::<String>().ok()?;
    let labels = left.get("labels").ok()?.clone().cast::<Vec<String>>().ok()?;
    Some((lang, labels))
}

/// Renders Typst's errors and warnings now, while the world that can show
/// their source is at hand.
pub fn typst_error(world: &LetterWorld, err: CompileError) -> Error {
    let errors = err.errors.len();
    let all: Vec<SourceDiagnostic> = err.errors.into_iter().chain(err.warnings).collect();
    Error::Typst { rendered: report::typst(world, &all), errors }
}

/// A short name for the letter, for file names and the PDF identifier: its
/// title up to any colon (`open-letter-to-the-home-secretary`), else the
/// letter folder's name, else `letter`. It is ASCII, transliterated from any
/// script ("Lettre ouverte à la Commission" is `lettre-ouverte-a-la-commission`),
/// since print shops' upload forms and mail clients mangle other letters in
/// file names.
fn slug(title: Option<&str>, coalition: Option<&str>, letter: &Path) -> String {
    let folder = letter.file_name().map(|n| n.to_string_lossy().into_owned());
    // A title in a script written without its vowels (Arabic, Hebrew)
    // transliterates into consonants nobody reads back ("rsl-mftwh"): the
    // coalition's name, or "letter", names the file instead.
    let readable = |text: &&str| !text.chars().any(is_abjad);
    let name = (title.filter(readable).map(|t| t.split(':').next().unwrap_or(t)))
        .or(coalition.filter(readable))
        .map(str::to_owned)
        .or(folder.filter(|f| readable(&f.as_str())))
        .unwrap_or_default();
    let mut slug = String::new();
    for c in deunicode::deunicode(&name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "letter".to_owned() } else { slug.to_owned() }
}

/// A letter of a script written right to left without its vowels: Hebrew,
/// Arabic, Syriac, Thaana, N'Ko, Samaritan, and their presentation forms.
fn is_abjad(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::slug;
    use std::path::Path;

    #[test]
    fn slug_from_title_folder_or_fallback() {
        let letter = Path::new("letter");
        assert_eq!(slug(Some("Open letter: to X"), None, letter), "open-letter");
        assert_eq!(slug(None, None, letter), "letter");
        assert_eq!(slug(Some("!!!"), None, Path::new("x")), "letter");
        assert_eq!(
            slug(Some("Lettre ouverte à la Commission européenne"), None, letter),
            "lettre-ouverte-a-la-commission-europeenne"
        );
        assert_eq!(
            slug(Some("Offener Brief für Straße"), None, letter),
            "offener-brief-fur-strasse"
        );
        for title in ["Открытое письмо", "公开信"] {
            let slug = slug(Some(title), None, letter);
            assert!(!slug.is_empty() && slug.is_ascii() && slug != "letter", "{title}: {slug}");
        }
        // Arabic and Hebrew titles give way to the coalition's name.
        assert_eq!(slug(Some("رسالة مفتوحة"), Some("Réseau Liberté"), letter), "reseau-liberte");
        assert_eq!(slug(Some("מכתב פתוח"), Some("הקואליציה"), letter), "letter");
    }
}
