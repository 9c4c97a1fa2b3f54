//! `openletter export-typst`: a plain Typst project that the typst CLI turns
//! into the same letter.

use crate::common::{Scratch, python_driver};
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
fn the_typst_compiler_makes_the_same_letter() {
    let s = Scratch::new();
    s.run(&["export-typst", "project", "--date", "2025-02-13"]).ok();
    s.run(&["build", "--date", "2025-02-13", "-o", "ours.pdf"]).ok();
    // The standards openletter meets by default, which also decide how a
    // link broken over two lines is annotated.
    let args = ["project/main.typ", "theirs.pdf", "project/fonts", "a-2b", "ua-1"];
    let Some(run) = python_driver("typst_compile.py", "typst", &args, Some(&s.dir)) else {
        return;
    };
    assert_eq!(run.code, 0, "typst failed: {}", run.stderr);
    let ours = Pdf::open(&s.path("ours.pdf"));
    let theirs = Pdf::open(&s.path("theirs.pdf"));
    assert_eq!(ours.page_count(), theirs.page_count());
    assert_eq!(ours.pages_text(), theirs.pages_text());
    assert_eq!(ours.links(), theirs.links());
}
