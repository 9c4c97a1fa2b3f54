//! Names in every script print with the bundled fonts, and a project's own
//! fonts in `fonts/` beside the list are used too.

use crate::common::{Scratch, validate};
use crate::pdf::Pdf;

const DATE: &str = "2025-02-13";

/// The text a reader's copy gives, without the bidirectional marks that
/// poppler puts around right-to-left runs.
fn text(pdf: &Pdf) -> String {
    let text = pdf.reading_text();
    text.chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{200E}' | '\u{200F}'))
        .collect()
}

#[test]
fn names_in_every_script_print_and_validate() {
    let s = Scratch::with("scripts");
    s.run(&["build", "--date", DATE, "-o", "scripts.pdf"]).ok();
    let pdf = Pdf::open(&s.path("scripts.pdf"));
    let text = text(&pdf);
    for name in [
        "محمد علي",       // Arabic
        "رضا احمدی",      // Persian
        "שרה לוי",        // Hebrew
        "राहुल शर्मा",      // Devanagari
        "রবীন্দ্র দাস",      // Bengali
        "முருகன் செல்வம்",   // Tamil
        "สมชาย ใจดี",      // Thai
        "王小明",         // Chinese (Simplified)
        "陳大文",         // Chinese (Traditional)
        "山田太郎",       // Japanese
        "김민준",         // Korean
        "አበበ ቢቂላ",        // Amharic
        "Արամ Խաչատրյան", // Armenian
        "ნინო ბერიძე",    // Georgian
        "Σοφία Παπαδάκη", // Greek
        "Иван Петров",    // Cyrillic
        "SMEX",
        "سمكس",
        "𒀭𒈗 Lugal", // Cuneiform, from the project's own font
    ] {
        assert!(text.contains(name), "{name} is not in the text:\n{text}");
    }
    let fonts: Vec<String> = pdf.fonts().into_iter().map(|(name, _)| name).collect();
    for font in [
        "NotoSansArabic",
        "NotoSansHebrew",
        "DroidSansFallback",
        "NanumGothic",
        "NotoSansCuneiform",
    ] {
        assert!(fonts.iter().any(|f| f.contains(font)), "{font} not embedded: {fonts:?}");
    }
    assert!(pdf.unembedded_fonts().is_empty());
    if let Some(failures) = validate(&s.path("scripts.pdf"), &["2b", "ua1"]) {
        assert!(failures.is_empty(), "not PDF/A-2b and PDF/UA-1:\n{}", failures.join("\n"));
    }
}

#[test]
fn without_the_projects_font_the_name_is_refused() {
    let s = Scratch::with("scripts");
    std::fs::remove_dir_all(s.path("fonts")).unwrap();
    s.run(&["build", "--date", DATE, "-o", "x.pdf"])
        .refused(1, "'𒀭' (U+1202D), which no bundled font can print")
        .stderr_has("`fonts/` beside the signatories file");
    assert!(!s.path("x.pdf").exists());
    s.run(&["signatories", "add", "--individual", "𒀹 Other"]).refused(1, "U+12039");
}

#[test]
fn a_latin_letter_embeds_only_its_own_fonts() {
    let s = Scratch::new();
    s.run(&["build", "--date", DATE, "-o", "gec.pdf"]).ok();
    let fonts = Pdf::open(&s.path("gec.pdf")).fonts();
    assert!(fonts.iter().all(|(name, _)| name.contains("NotoSans-")), "{fonts:?}");
}

#[test]
fn a_project_font_that_is_not_a_font_or_leads_outside_is_refused() {
    let s = Scratch::with("scripts");
    s.write("fonts/broken.ttf", "not a font");
    s.run(&["build", "--date", DATE]).refused(2, "broken.ttf");
    std::fs::remove_file(s.path("fonts/broken.ttf")).unwrap();
    let outside = Scratch::new();
    outside.write("secret.ttf", "x");
    std::os::unix::fs::symlink(outside.path("secret.ttf"), s.path("fonts/link.ttf")).unwrap();
    s.run(&["build", "--date", DATE]).refused(2, "leads outside the project folder");
}
