//! Letters in languages written right to left: the page says so, and its
//! layout mirrors through logical (start and end) properties.

use crate::common::{BIN, Command, Scratch};
use crate::pdf::Pdf;

const DATE: &str = "2025-02-13";

#[test]
fn a_right_to_left_letter_publishes_a_right_to_left_page() {
    let s = Scratch::new();
    s.run(&["new", "risala", "--lang", "ar"]).ok();
    let project = s.path("risala");
    let main = std::fs::read_to_string(project.join("letter/main.typ")).unwrap();
    let hebrew = main.replace("lang: \"ar\"", "lang: \"he\"");
    std::fs::write(project.join("letter/main.he.typ"), hebrew).unwrap();
    let english = main.replace("lang: \"ar\"", "lang: \"en\"");
    std::fs::write(project.join("letter/main.en.typ"), english).unwrap();
    std::fs::write(
        project.join("signatories.toml"),
        "[[individual]]\nname = \"ليلى حداد\"\n\n[[individual]]\nname = \"Jane Doe\"\n\n\
         [[individual]]\nname = \"דוד לוי\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["publish", "site", "--date", DATE])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = |path: &str| std::fs::read_to_string(project.join("site").join(path)).unwrap();
    for (path, head) in [
        ("index.html", "<html lang=\"ar\" dir=\"rtl\">"),
        ("he/index.html", "<html lang=\"he\" dir=\"rtl\">"),
        ("en/index.html", "<html lang=\"en-GB\" dir=\"ltr\">"),
    ] {
        let html = page(path);
        assert!(html.starts_with(&format!("<!DOCTYPE html>{head}")), "{path}: {}", &html[..60]);
        // The layout mirrors: no side is fixed but the names' hanging
        // indent, which a right-to-left page turns round.
        for physical in ["margin-left", "margin-right", "text-align:left", "text-align:right"] {
            assert!(!html.contains(physical), "{path} uses {physical}");
        }
        assert_eq!(html.matches("padding-left:1.25em").count(), 1, "{path}");
        assert!(html.contains("[dir=rtl] .signatories li{padding-left:0;padding-right:1.25em}"));
        for name in ["ليلى حداد", "Jane Doe", "דוד לוי"] {
            assert!(html.contains(name), "{path} lacks {name}");
        }
    }
    // Each text's date as CLDR words it in its language, in the PDF too.
    for (pdf, month) in [("our-coalition.pdf", "فبراير"), ("he/our-coalition.pdf", "בפברואר")]
    {
        let text = Pdf::open(&project.join("site").join(pdf)).reading_text();
        assert!(text.contains(month), "{pdf}: {text}");
    }
}

/// The fixture letter in Arabic, with Hebrew and English translations and
/// names in many scripts, built and published in one run.
#[test]
fn an_arabic_letter_and_its_translations_read_right_to_left() {
    let s = Scratch::of("arabic");
    let run = s.run(&["publish", "site", "--date", DATE]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // An Arabic title and coalition name no file: "letter" does.
    // pdftotext marks each run of a line with bidi controls; the words are
    // read without them.
    let pdf = |path: &str| {
        let text = Pdf::open(&s.path("site").join(path)).reading_text();
        text.replace(['\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}'], "")
    };
    let arabic = pdf("letter.pdf");
    // The date as CLDR words it and the label set's words (pdftotext gives
    // a right-to-left line's runs in the order they are drawn, so words are
    // looked for one by one).
    for words in ["فبراير 2025", "حتى", "مذكورة", "التعريف"] {
        assert!(arabic.contains(words), "the Arabic PDF lacks {words}:\n{arabic}");
    }
    let hebrew = pdf("he/letter.pdf");
    for words in ["בפברואר", "החותמים", "רשמי", "בערבית"] {
        assert!(hebrew.contains(words), "the Hebrew PDF lacks {words}:\n{hebrew}");
    }
    let english = pdf("en/open-letter-to-the-minister-of-communications.pdf");
    assert!(english.contains("11 signatories as of 13 February 2025"), "{english}");
    assert!(english.contains("The authoritative text is the Arabic version"), "{english}");

    let page = |path: &str| s.read(&format!("site/{path}"));
    let (ar, he, en) = (page("index.html"), page("he/index.html"), page("en/index.html"));
    assert!(ar.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\">"), "{}", &ar[..80]);
    assert!(he.starts_with("<!DOCTYPE html><html lang=\"he\" dir=\"rtl\">"), "{}", &he[..80]);
    assert!(en.starts_with("<!DOCTYPE html><html lang=\"en-GB\" dir=\"ltr\">"), "{}", &en[..80]);
    // The count in Arabic's plural form for 11, and the place joined to the
    // date by the Arabic comma.
    assert!(ar.contains("11 موقّعًا"), "the count's plural form");
    assert!(ar.contains("بيروت، <time datetime=\"2025-02-13\">13 فبراير 2025</time>"));
    // Each name and affiliation keeps its own direction in a list of
    // another's, joined by the page's language's comma.
    assert!(ar.contains("<bdi>ليلى حداد</bdi>، <bdi>Digital Rights Lab</bdi>"));
    assert!(en.contains("<bdi>Jane Doe</bdi>, <bdi>جامعة بيروت</bdi>"));
    // The menu names each language in itself.
    assert!(ar.contains(">עברית</a>") && ar.contains(">English</a>"));
    assert!(en.contains(">العربية</a>") && he.contains(">العربية</a>"));

    // Only the fonts of the scripts the pages show are copied, cut to
    // their characters.
    let mut fonts: Vec<String> = std::fs::read_dir(s.path("site/fonts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".woff2"))
        .collect();
    fonts.sort();
    for script in ["Arabic", "Hebrew", "Devanagari"] {
        assert!(fonts.iter().any(|f| f.contains(script)), "no {script} font: {fonts:?}");
    }
    for script in ["Thai", "Armenian", "Georgian", "Ethiopic", "Tamil", "Bengali"] {
        assert!(!fonts.iter().any(|f| f.contains(script)), "a {script} font: {fonts:?}");
    }

    // In a browser: right to left, no accessibility violation, no
    // complaint, nothing wider than a phone.
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rtl-screenshots");
    for (path, name, direction) in [
        ("index.html", "ar", "rtl"),
        ("he/index.html", "he", "rtl"),
        ("en/index.html", "en", "ltr"),
    ] {
        let page = s.path("site").join(path).canonicalize().unwrap();
        let Some(report) = crate::publish::in_browser(&page, &shots.join(name)) else { continue };
        assert_eq!(report["direction"], direction, "{name}");
        assert_eq!(report["violations"], serde_json::json!([]), "{name}: axe-core found problems");
        assert_eq!(report["console"], serde_json::json!([]), "{name}: the console had complaints");
        assert_eq!(report["phone_overflow"], 0, "{name}: scrolls sideways at 360 px");
        let fonts: Vec<&str> =
            report["fonts"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        if name != "en" {
            let script = if name == "ar" {
                "Noto Sans Arabic 400 normal"
            } else {
                "Noto Sans Hebrew 400 normal"
            };
            assert!(fonts.contains(&script), "{name}: {fonts:?}");
        }
    }
}
