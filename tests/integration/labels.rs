//! The template's words in every language it has a set for, counts in each
//! language's plural forms (from CLDR), and a warning, naming each label,
//! for a language it has no words in.

use crate::common::{REPO, Scratch, tool};

const DATE: &str = "2025-02-13";

/// The languages `letter/labels.typ` has a set for, read from the file.
fn label_languages() -> Vec<String> {
    let labels =
        std::fs::read_to_string(std::path::Path::new(REPO).join("letter/labels.typ")).unwrap();
    let start = labels.find("#let label-sets = (").unwrap();
    let end = start + labels[start..].find("\n)\n").unwrap();
    labels[start..end]
        .lines()
        .filter_map(|line| line.strip_prefix("  ")?.strip_suffix(": ("))
        .map(str::to_owned)
        .collect()
}

/// A project from `new --lang lang` with the same text in `others`, and
/// `individuals` signatories.
fn project(s: &Scratch, lang: &str, others: &[&str], individuals: usize) -> std::path::PathBuf {
    s.run(&["new", "p", "--lang", lang]).ok();
    let dir = s.path("p");
    let main = std::fs::read_to_string(dir.join("letter/main.typ")).unwrap();
    for other in others {
        let text = main.replace(&format!("lang: \"{lang}\""), &format!("lang: \"{other}\""));
        std::fs::write(dir.join(format!("letter/main.{other}.typ")), text).unwrap();
    }
    let list: String =
        (0..individuals).map(|i| format!("[[individual]]\nname = \"Person {i:03}\"\n\n")).collect();
    std::fs::write(dir.join("signatories.toml"), list).unwrap();
    std::fs::create_dir(dir.join("out")).unwrap();
    dir
}

fn subject(pdf: &std::path::Path) -> String {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]).expect("pdfinfo");
    info.stdout
        .lines()
        .find_map(|line| line.strip_prefix("Subject:"))
        .unwrap_or_else(|| panic!("{}: no subject in {}", pdf.display(), info.stdout))
        .trim()
        .to_owned()
}

#[test]
fn every_bundled_set_builds_without_falling_back() {
    let languages = label_languages();
    // The 24 official languages of the EU and the 6 of the UN.
    for lang in [
        "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
        "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "ar", "ru", "zh",
    ] {
        assert!(languages.iter().any(|l| l == lang), "labels.typ has no set for {lang}");
    }
    let s = Scratch::new();
    let others: Vec<&str> = languages.iter().map(String::as_str).filter(|l| *l != "en").collect();
    let dir = project(&s, "en", &others, 3);
    let run = s
        .command(&["build", "--all-languages", "--date", DATE, "-o", "out/{lang}.pdf"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // A set that lacked a word or a plural form would stop the build; one
    // that was not used would warn.
    assert!(!stderr.contains("warning"), "{stderr}");
    for lang in &languages {
        let pdf = dir.join(format!("out/{lang}.pdf"));
        let subject = subject(&pdf);
        assert!(!subject.contains("Open letter of") || lang == "en", "{lang}: {subject}");
    }
}

#[test]
fn a_language_without_a_set_warns_naming_each_label_that_fell_back() {
    let s = Scratch::new();
    let dir = project(&s, "sw", &[], 2);
    let run = s.command(&["build", "--date", DATE]).current_dir(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "the template has no words in `sw`; these labels are in English: signatories, note, \
             notes, pdf, language, languages, back, count, version, description, unofficial, \
             updated, counter, dateline, comma"
        ),
        "{stderr}"
    );
    // A label given is no longer named.
    let main = std::fs::read_to_string(dir.join("letter/main.typ")).unwrap();
    let main = main.replace("labels: (:)", "labels: (signatories: [Waliotia sahihi])");
    std::fs::write(dir.join("letter/main.typ"), main).unwrap();
    let run = s.command(&["build", "--date", DATE]).current_dir(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("in English: note, notes, pdf,"), "{stderr}");
}

#[test]
fn counts_take_the_plural_form_of_each_language() {
    // The PDF's subject: the count, then the counts by kind.
    let expected: [(usize, [&str; 3]); 6] = [
        (
            0,
            [
                "0 signatories (0 organisations and 0 individuals)",
                "0 sygnatariuszy (0 organizacji i 0 osób)",
                "0 موقّع (0 منظمة و0 فرد)",
            ],
        ),
        (
            1,
            [
                "1 signatory (0 organisations and 1 individual)",
                "1 sygnatariusz (0 organizacji i 1 osoba)",
                "موقّع واحد (0 منظمة وفرد واحد)",
            ],
        ),
        (
            2,
            [
                "2 signatories (0 organisations and 2 individuals)",
                "2 sygnatariuszy (0 organizacji i 2 osoby)",
                "موقّعان (0 منظمة وفردان)",
            ],
        ),
        (
            3,
            [
                "3 signatories (0 organisations and 3 individuals)",
                "3 sygnatariuszy (0 organizacji i 3 osoby)",
                "3 موقّعين (0 منظمة و3 أفراد)",
            ],
        ),
        (
            11,
            [
                "11 signatories (0 organisations and 11 individuals)",
                "11 sygnatariuszy (0 organizacji i 11 osób)",
                "11 موقّعًا (0 منظمة و11 فردًا)",
            ],
        ),
        (
            100,
            [
                "100 signatories (0 organisations and 100 individuals)",
                "100 sygnatariuszy (0 organizacji i 100 osób)",
                "100 موقّع (0 منظمة و100 فرد)",
            ],
        ),
    ];
    for (n, [en, pl, ar]) in expected {
        let s = Scratch::new();
        let dir = project(&s, "en", &["pl", "ar"], n);
        let run = s
            .command(&["build", "--all-languages", "--date", DATE, "-o", "out/{lang}.pdf"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(run.status.success(), "{n}: {}", String::from_utf8_lossy(&run.stderr));
        for (lang, words) in [("en", en), ("pl", pl), ("ar", ar)] {
            let subject = subject(&dir.join(format!("out/{lang}.pdf")));
            assert!(subject.contains(words), "{n} in {lang}: {subject}");
        }
    }
}

#[test]
fn a_french_site_copies_only_the_fonts_it_draws_with() {
    let s = Scratch::new();
    let dir = project(&s, "fr", &[], 3);
    let run = s.command(&["publish", "site", "--date", DATE]).current_dir(&dir).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page = std::fs::read_to_string(dir.join("site/index.html")).unwrap();
    // `new --lang fr` wrote its placeholders in French.
    assert!(page.contains("<h1>Lettre ouverte</h1>"), "{page}");
    assert!(page.contains("3 signataires"), "{page}");
    let mut fonts: Vec<String> = std::fs::read_dir(dir.join("site/fonts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".txt"))
        .collect();
    fonts.sort();
    // Noto Sans draws the French; the notes' back-link arrow, which it
    // lacks, comes from the one bundled font that has it.
    assert_eq!(
        fonts,
        ["NanumGothic.woff2", "NotoSans-Bold.woff2", "NotoSans-Regular.woff2"],
        "{fonts:?}"
    );
}
