//! The list in the order of each text's language: a Swedish letter ends its
//! alphabet in Å Ä Ö, a Polish translation puts Ł after L, an English one
//! sorts both as their base letters.

use crate::common::{BIN, Command, Scratch};
use crate::pdf::Pdf;

const DATE: &str = "2025-02-13";

/// Family names, as the list sorts by them, in file order.
const LIST: &str = r#"[[individual]]
name = "Anna Ek"

[[individual]]
name = "Lars Zetterlund"

[[individual]]
name = "Berit Öberg"

[[individual]]
name = "Eva Ärlig"

[[individual]]
name = "Jan Łukasiewicz"

[[individual]]
name = "Witold Lutosławski"

[[individual]]
name = "Maria Lis"
"#;

const SWEDISH: [&str; 7] =
    ["Ek", "Lis", "Łukasiewicz", "Lutosławski", "Zetterlund", "Ärlig", "Öberg"];
const ENGLISH: [&str; 7] =
    ["Ärlig", "Ek", "Lis", "Łukasiewicz", "Lutosławski", "Öberg", "Zetterlund"];
const POLISH: [&str; 7] =
    ["Ärlig", "Ek", "Lis", "Lutosławski", "Łukasiewicz", "Öberg", "Zetterlund"];

/// A Swedish letter from `openletter new`, with English and Polish
/// translations and [`LIST`].
fn swedish() -> (Scratch, std::path::PathBuf) {
    let s = Scratch::new();
    s.run(&["new", "brev", "--lang", "sv"]).ok();
    let project = s.path("brev");
    std::fs::write(project.join("signatories.toml"), LIST).unwrap();
    let main = std::fs::read_to_string(project.join("letter/main.typ")).unwrap();
    assert!(main.contains("lang: \"sv\""), "{main}");
    for lang in ["en", "pl"] {
        let text = main.replace("lang: \"sv\"", &format!("lang: \"{lang}\""));
        std::fs::write(project.join(format!("letter/main.{lang}.typ")), text).unwrap();
    }
    (s, project)
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(BIN).args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The family names of `order` as they occur in `text`, in its order.
fn order_in(text: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = names
        .iter()
        .map(|n| (text.find(n).unwrap_or_else(|| panic!("{n} missing in:\n{text}")), n.to_string()))
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn each_text_prints_the_list_in_its_languages_order() {
    let (_s, project) = swedish();
    // The list's own order, for `list` and the file: the original's.
    let listed = String::from_utf8(run_in(&project, &["signatories", "list"]).stdout).unwrap();
    assert_eq!(order_in(&listed, &SWEDISH), SWEDISH);
    run_in(&project, &["build", "--all-languages", "--date", DATE, "-o", "{lang}.pdf"]);
    for (lang, expected) in [("sv", SWEDISH), ("en", ENGLISH), ("pl", POLISH)] {
        let text = Pdf::open(&project.join(format!("{lang}.pdf"))).reading_text();
        assert_eq!(order_in(&text, &expected), expected, "{lang}");
    }
    run_in(&project, &["publish", "site", "--date", DATE]);
    for (page, expected) in
        [("index.html", SWEDISH), ("en/index.html", ENGLISH), ("pl/index.html", POLISH)]
    {
        let html = std::fs::read_to_string(project.join("site").join(page)).unwrap();
        let list = &html[html.find("<ol").expect("the list")..];
        assert_eq!(order_in(list, &expected), expected, "{page}");
    }
    // The published JSON keeps the original's order.
    let json = std::fs::read_to_string(project.join("site/signatories.json")).unwrap();
    assert_eq!(order_in(&json, &SWEDISH), SWEDISH);
}

#[test]
fn additions_land_in_the_originals_order() {
    let (_s, project) = swedish();
    run_in(&project, &["signatories", "add", "--individual", "Per Åström"]);
    let file = std::fs::read_to_string(project.join("signatories.toml")).unwrap();
    let file_order = order_in(&file, &["Ek", "Zetterlund", "Åström", "Öberg"]);
    // Before the first entry that collates after it in Swedish, Öberg (an
    // English letter would have put it before Ek).
    assert_eq!(file_order, ["Ek", "Zetterlund", "Åström", "Öberg"], "{file}");
}

#[test]
fn a_language_openletter_cannot_read_stops_the_build() {
    let (_s, project) = swedish();
    let main = project.join("letter/main.typ");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace("lang: \"sv\"", "lang: \"s\" + \"v\"")).unwrap();
    let out = Command::new(BIN)
        .args(["build", "--date", DATE, "-o", "x.pdf"])
        .current_dir(&project)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("openletter ordered the signatories for `en`, not for `sv`")
            && stderr.contains("write `lang: \"sv\"` as a string"),
        "{stderr}"
    );
    assert!(!project.join("x.pdf").exists());
}
