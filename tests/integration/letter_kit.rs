//! A letter of one's own without forking the template: a German letter and
//! its English translation sharing one list, with their own logo, colours,
//! font, paper and formal parts, all through parameters.

use crate::common::{Scratch, validate};
use crate::pdf::Pdf;

const DATE: &str = "2025-02-13";

/// The fixture project alone (its own letter folder and template).
fn kit() -> Scratch {
    Scratch::of("kit")
}

#[test]
fn a_german_letter_and_its_english_translation_in_one_run() {
    let s = kit();
    std::fs::create_dir(s.path("out")).unwrap();
    let run = s.run(&["build", "--all-languages", "--date", DATE, "-o", "out/{lang}.pdf"]).ok();
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), ["out/de.pdf", "out/en.pdf"]);
    let de = Pdf::open(&s.path("out/de.pdf"));
    let en = Pdf::open(&s.path("out/en.pdf"));
    let (de_text, en_text) = (de.reading_text(), en.reading_text());
    assert!(de_text.contains("Berlin, 13. Februar 2025"), "{de_text}");
    assert!(de_text.contains("„Ende-zu-Ende-Verschlüsselung“"), "German quotes: {de_text}");
    assert!(
        de_text.contains("Unterzeichnende*")
            && de_text.contains("19 Unterzeichnende, Stand 13. Februar 2025")
    );
    assert!(
        en_text.contains("13 February 2025")
            && en_text.contains("19 signatories as of 13 February 2025")
    );
    assert!(
        en_text.contains("Unofficial translation. The authoritative text is the German version.")
    );
    for name in [
        "محمد علي",
        "שרה לוי",
        "राहुल शर्मा",
        "สมชาย ใจดี",
        "王小明",
        "山田太郎",
        "김민준",
        "አበበ ቢቂላ",
        "Արամ Խաչատրյան",
        "ნინო ბერიძე",
        "Иван Петров",
        "Σοφία Παπαδάκη",
    ] {
        let plain = |t: &str| {
            t.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}')).collect::<String>()
        };
        assert!(plain(&de_text).contains(name) && plain(&en_text).contains(name), "{name}");
    }
    assert!(
        de.page_sizes().iter().all(|(w, h)| (*w - 595.3).abs() < 1.0 && (*h - 841.9).abs() < 1.0)
    );
    assert!(
        en.page_sizes().iter().all(|(w, h)| (*w - 612.0).abs() < 1.0 && (*h - 792.0).abs() < 1.0)
    );
    let fonts: Vec<String> = de.fonts().into_iter().map(|(name, _)| name).collect();
    assert!(fonts.iter().any(|f| f.contains("NotoSerif-Regular")), "the project's font: {fonts:?}");
    for (pdf, lang) in
        [("out/de.pdf", "<rdf:li>de</rdf:li>"), ("out/en.pdf", "<rdf:li>en-GB</rdf:li>")]
    {
        let meta = crate::common::tool("pdfinfo", &["-meta", s.path(pdf).to_str().unwrap()]);
        if let Some(meta) = meta {
            assert!(meta.stdout.contains(lang), "{pdf}: {lang}");
        }
        if let Some(failures) = validate(&s.path(pdf), &["2b", "ua1"]) {
            assert!(failures.is_empty(), "{pdf}:\n{}", failures.join("\n"));
        }
    }
    let info = crate::common::tool("pdfinfo", &[s.path("out/de.pdf").to_str().unwrap()]);
    if let Some(info) = info {
        assert!(
            info.stdout.contains(
                "Offener Brief vom 13. Februar 2025: 19 Unterzeichnende (2 Organisationen und 17 \
                 Einzelpersonen)"
            ),
            "{}",
            info.stdout
        );
    }
}

#[test]
fn one_translation_and_the_names_of_what_is_missing() {
    let s = kit();
    s.run(&["build", "--lang", "en", "--date", DATE, "-o", "en.pdf"]).ok();
    s.run(&["build", "--lang", "fr", "--date", DATE])
        .refused(2, "the letter's translations are: en");
    s.run(&["build", "--lang", "x y", "--date", DATE]).refused(2, "language tag");
    // One spelling per language, so two files can never be one language.
    s.run(&["build", "--lang", "en-gb", "--date", DATE]).refused(2, "write it as `en-GB`");
    s.run(&["build", "--all-languages", "--date", DATE, "-o", "same.pdf"])
        .refused(1, "put `{lang}` in it");
    s.run(&["check", "--all-languages", "--date", DATE]).ok();
    s.run(&["watch", "--all-languages", "--date", DATE]).refused(1, "watch follows one text");
    let export = s.run(&["export-typst", "project", "--date", DATE]).ok();
    assert!(
        export.stdout.contains("project/main.typ") && export.stdout.contains("project/main.en.typ")
    );
}

#[test]
fn any_label_can_be_worded_otherwise() {
    let s = kit();
    let main = s.read("letter/main.en.typ");
    s.write(
        "letter/main.en.typ",
        &main.replace("  lang: \"en\",", "  lang: \"en\",\n  labels: (signatories: [Signed by]),"),
    );
    s.run(&["build", "--lang", "en", "--date", DATE, "-o", "en.pdf"]).ok();
    let text = Pdf::open(&s.path("en.pdf")).reading_text();
    assert!(text.contains("Signed by*") && !text.contains("Signatories*"), "{text}");
}

#[test]
fn a_wrong_parameter_is_named_where_it_is_written() {
    let s = kit();
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &main.replace("accent:", "accent-colour:"));
    let line = main.lines().position(|l| l.contains("accent:")).unwrap() + 1;
    let run = s.run(&["build", "--date", DATE]).refused(1, "unexpected argument: accent-colour");
    assert!(run.stderr.contains(&format!("letter/main.typ:{line}:3")), "{}", run.stderr);
    s.run(&["check", "--date", DATE]).refused(1, "unexpected argument: accent-colour");
}

#[test]
fn a_label_misnamed_or_of_the_wrong_kind_is_named() {
    let s = kit();
    let main = s.read("letter/main.en.typ");
    let with = |labels: &str| {
        main.replace("  lang: \"en\",", &format!("  lang: \"en\",\n  labels: {labels},"))
    };
    s.write("letter/main.en.typ", &with("(signatorys: [Signed by])"));
    let run =
        s.run(&["build", "--lang", "en", "--date", DATE]).refused(1, "unknown label `signatorys`");
    assert!(run.stderr.contains("signatories, note"), "{}", run.stderr);
    s.write("letter/main.en.typ", &with("(back: [Back])"));
    s.run(&["build", "--lang", "en", "--date", DATE])
        .refused(1, "the label `back` must be a string");
    s.write("letter/main.en.typ", &with("(description: (date, counts, version) => [Letter])"));
    s.run(&["build", "--lang", "en", "--date", DATE])
        .refused(1, "the label `description` must give a string");
}

#[test]
fn the_region_follows_the_language_unless_given() {
    let s = kit();
    let main = s.read("letter/main.typ");
    let without = main.replace("  region: none,\n", "");
    assert_ne!(without, main);
    s.write("letter/main.typ", &without);
    let en = s.read("letter/main.en.typ");
    s.write("letter/main.en.typ", &en.replace("  region: \"GB\",\n", ""));
    s.run(&["build", "--all-languages", "--date", DATE, "-o", "{lang}.pdf"]).ok();
    // German stands alone; the house English is British.
    for (pdf, lang) in [("de.pdf", "<rdf:li>de</rdf:li>"), ("en.pdf", "<rdf:li>en-GB</rdf:li>")] {
        if let Some(meta) =
            crate::common::tool("pdfinfo", &["-meta", s.path(pdf).to_str().unwrap()])
        {
            assert!(meta.stdout.contains(lang), "{pdf}: {lang}");
        }
    }
    assert!(Pdf::open(&s.path("en.pdf")).reading_text().contains("13 February 2025"));
}

#[test]
fn a_logo_without_alt_text_is_refused_by_check_and_build() {
    let s = kit();
    let main = s.read("letter/main.typ");
    s.write(
        "letter/main.typ",
        &main.replace(
            "image(\"logo.svg\", alt: \"Logo des Netzwerks Digitale Freiheit\")",
            "image(\"logo.svg\")",
        ),
    );
    s.run(&["check", "--date", DATE]).fails(1);
    s.run(&["build", "--date", DATE, "-o", "x.pdf"]).refused(1, "alt");
    assert!(!s.path("x.pdf").exists());
}

#[test]
fn a_new_project_builds_at_once() {
    let s = Scratch::new();
    let run = s.run(&["new", "ours", "--lang", "de", "--coalition", "Netzwerk \"Frei\""]).ok();
    assert!(run.stdout.contains("cd ours && openletter build"), "{}", run.stdout);
    let main = s.read("ours/letter/main.typ");
    assert!(
        main.contains("lang: \"de\",") && main.contains("coalition: \"Netzwerk \\\"Frei\\\"\","),
        "{main}"
    );
    assert!(
        main.lines().filter(|l| l.trim_start().starts_with("//")).count() >= 15,
        "every parameter commented"
    );
    let build = crate::common::Command::new(crate::common::BIN)
        .args(["build", "--date", DATE, "-o", "brief.pdf"])
        .current_dir(s.path("ours"))
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let text = Pdf::open(&s.path("ours/brief.pdf")).reading_text();
    assert!(text.contains("13. Februar 2025") && text.contains("Ada Example"), "{text}");
    s.run(&["new", "ours"]).refused(1, "not empty");
    s.run(&["new", "other", "--lang", "Deutsch"]).refused(2, "language tag");
    assert!(!s.path("other").exists());
}

#[test]
fn a_new_projects_repository_never_holds_the_ledger() {
    let s = Scratch::new();
    s.run(&["new", "ours"]).ok();
    let project = s.path("ours");
    let add = crate::common::Command::new(crate::common::BIN)
        .args(["signatories", "add", "--individual", "Ada Lovelace"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    assert!(project.join(".openletter/ledger.sqlite").is_file());
    let git = |args: &[&str]| {
        crate::common::Command::new("git")
            .args(args)
            .current_dir(&project)
            .output()
            .expect("git is installed (tests/run installs it)")
    };
    assert!(git(&["init", "-q"]).status.success());
    git(&["add", "-A"]);
    let staged = String::from_utf8(git(&["ls-files"]).stdout).unwrap();
    assert!(staged.contains("signatories.toml") && staged.contains(".gitignore"), "{staged}");
    assert!(!staged.contains(".openletter"), "{staged}");
    // Ignored by the project's own rule, not only by the ledger folder's.
    let why = String::from_utf8(git(&["check-ignore", "-v", ".openletter"]).stdout).unwrap();
    assert!(why.starts_with(".gitignore:"), "{why}");
}

#[test]
fn a_new_project_has_the_whole_template() {
    let s = Scratch::new();
    s.run(&["new", "ours"]).ok();
    for name in crate::common::template_files() {
        let shipped =
            std::fs::read(std::path::Path::new(crate::common::REPO).join("letter").join(&name));
        assert_eq!(std::fs::read(s.path("ours/letter").join(&name)).ok(), shipped.ok(), "{name}");
    }
}

#[test]
fn a_new_project_builds_for_any_language_tag() {
    let s = Scratch::new();
    // A script, a variant, a script and a region: Typst takes only a
    // language and a two-letter region. The date is CLDR's for what Typst
    // keeps of the tag: Serbian without its script is written in Cyrillic,
    // CLDR's default (`new` says the script was left out).
    for (tag, lang, region, pdf_lang, date) in [
        ("zh-Hant", "\"zh\"", "auto", "zh", "2025 年 2 月 13 日"),
        ("de-1996", "\"de\"", "auto", "de", "13. Februar 2025"),
        ("sr-Latn-RS", "\"sr\"", "\"RS\"", "sr-RS", "13. фебруар 2025."),
    ] {
        let dir = format!("p-{tag}");
        let run = s.run(&["new", &dir, "--lang", tag]).ok();
        let left_out = tag.split('-').find(|part| part.len() > 2).unwrap();
        assert!(run.stderr.contains(&format!("without `{left_out}`")), "{tag}: {}", run.stderr);
        let main = s.read(&format!("{dir}/letter/main.typ"));
        assert!(main.contains(&format!("  lang: {lang},\n  region: {region},\n")), "{tag}: {main}");
        let build = crate::common::Command::new(crate::common::BIN)
            .args(["build", "--date", DATE, "-o", "letter.pdf"])
            .current_dir(s.path(&dir))
            .output()
            .unwrap();
        assert!(build.status.success(), "{tag}: {}", String::from_utf8_lossy(&build.stderr));
        let pdf = s.path(&dir).join("letter.pdf");
        assert!(Pdf::open(&pdf).reading_text().contains(date), "{tag}");
        if let Some(meta) = crate::common::tool("pdfinfo", &["-meta", pdf.to_str().unwrap()]) {
            assert!(meta.stdout.contains(&format!("<rdf:li>{pdf_lang}</rdf:li>")), "{tag}");
        }
    }
}

#[test]
fn letters_share_one_style_inside_their_project() {
    let s = kit();
    std::fs::create_dir(s.path("style")).unwrap();
    for name in crate::common::template_files() {
        std::fs::rename(s.path("letter").join(&name), s.path("style").join(&name)).unwrap();
    }
    std::fs::rename(s.path("letter/logo.svg"), s.path("style/logo.svg")).unwrap();
    for file in ["letter/main.typ", "letter/main.en.typ"] {
        let text = s.read(file).replace("\"template.typ\"", "\"../style/template.typ\"");
        s.write(file, &text.replace("image(\"logo.svg\"", "image(\"../style/logo.svg\""));
    }
    s.run(&["build", "--all-languages", "--date", DATE, "-o", "{lang}.pdf"]).ok();
    assert!(Pdf::open(&s.path("de.pdf")).reading_text().contains("13. Februar 2025"));
    s.run(&["export-typst", "project", "--date", DATE]).refused(1, "outside the letter folder");
    assert!(!s.path("project").exists());
    // The style may not reach outside the project, links included.
    let outside = Scratch::new();
    std::os::unix::fs::symlink(outside.path("letter/main.typ"), s.path("style/elsewhere.typ"))
        .unwrap();
    let style = s.read("style/template.typ");
    s.write(
        "style/template.typ",
        &format!("{style}\n#let leak = read(\"elsewhere.typ\")\n#leak\n"),
    );
    s.run(&["build", "--date", DATE, "-o", "x.pdf"]).refused(1, "leads outside the project folder");
    s.run(&["check", "--date", DATE]).refused(1, "leads outside the project folder");
}
