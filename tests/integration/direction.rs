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
    for (pdf, month) in [("open-letter.pdf", "فبراير"), ("he/open-letter.pdf", "בפברואר")]
    {
        let text = Pdf::open(&project.join("site").join(pdf)).reading_text();
        assert!(text.contains(month), "{pdf}: {text}");
    }
}
