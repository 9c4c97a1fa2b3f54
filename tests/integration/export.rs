//! `openletter export-typst`: a plain Typst project that the typst CLI turns
//! into the same letter.

use std::process::Command;

use crate::common::Scratch;
use crate::pdf::Pdf;

#[test]
fn writes_a_standalone_project() {
    let s = Scratch::new();
    let run = s.run(&["export-typst", "project", "--date", "2025-02-13"]).ok();
    assert!(run.stdout.contains(
        "typst compile --font-path project/fonts --ignore-system-fonts project/main.typ"
    ));
    for file in
        ["main.typ", "template.typ", "data.json", "fonts/NotoSans-Regular.ttf", "fonts/OFL.txt"]
    {
        assert!(s.path("project").join(file).is_file(), "{file} missing");
    }
    let data = s.read("project/data.json");
    assert!(
        data.contains("\"long\": \"13 February 2025\"") && data.contains("\"total\": 109"),
        "{data}"
    );
}

#[test]
fn the_typst_cli_makes_the_same_letter() {
    if Command::new("typst").arg("--version").output().is_err() {
        eprintln!("skipped: the typst CLI is not installed (cargo install typst-cli)");
        return;
    }
    let s = Scratch::new();
    s.run(&["export-typst", "project", "--date", "2025-02-13"]).ok();
    s.run(&["build", "--date", "2025-02-13", "-o", "ours.pdf"]).ok();
    let status = Command::new("typst")
        .args(["compile", "--font-path", "project/fonts", "--ignore-system-fonts"])
        // The standards openletter meets by default, which also decide how a
        // link broken over two lines is annotated.
        .args(["--pdf-standard", "a-2b,ua-1", "project/main.typ", "theirs.pdf"])
        .current_dir(&s.dir)
        .status()
        .unwrap();
    assert!(status.success());
    let ours = Pdf::open(&s.path("ours.pdf"));
    let theirs = Pdf::open(&s.path("theirs.pdf"));
    assert_eq!(ours.page_count(), theirs.page_count());
    assert_eq!(ours.pages_text(), theirs.pages_text());
    assert_eq!(ours.links(), theirs.links());
}
