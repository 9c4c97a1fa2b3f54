//! Every kind of bad input gets a message naming the file, line, column and
//! field, a non-zero exit, and leaves the last good PDF as it was.

use crate::common::Scratch;

/// A folder whose `letter.pdf` is a good build, to be kept safe.
fn with_good_pdf() -> (Scratch, Vec<u8>) {
    let scratch = Scratch::new();
    scratch.run(&["build", "--date", "2025-02-13", "-o", "letter.pdf"]).ok();
    let good = std::fs::read(scratch.path("letter.pdf")).unwrap();
    (scratch, good)
}

/// Builds over the good PDF and checks the failure left it untouched.
#[track_caller]
fn refused(scratch: &Scratch, good: &[u8], extra: &[&str], code: i32, needles: &[&str]) -> String {
    let mut args = vec!["build", "--date", "2025-02-13", "-o", "letter.pdf"];
    args.extend_from_slice(extra);
    let mut run = scratch.run(&args).fails(code);
    for needle in needles {
        run = run.stderr_has(needle);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(std::fs::read(scratch.path("letter.pdf")).unwrap(), good, "the good PDF changed");
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    run.stderr
}

/// Appends `text` to the signatories file.
fn append(scratch: &Scratch, text: &str) {
    let mut toml = scratch.read("signatories.toml");
    toml.push_str(text);
    scratch.write("signatories.toml", &toml);
}

/// The 1-based line of the last occurrence of `needle` in the signatories.
fn line_of(scratch: &Scratch, needle: &str) -> usize {
    let toml = scratch.read("signatories.toml");
    toml.lines().enumerate().filter(|(_, l)| l.contains(needle)).last().unwrap().0 + 1
}

#[test]
fn malformed_toml() {
    let (s, good) = with_good_pdf();
    append(&s, "\n[[individual]\nname = \"Ada\"\n");
    let line = line_of(&s, "[[individual]");
    refused(&s, &good, &[], 2, &["invalid TOML", &format!("signatories.toml:{line}:14")]);
}

#[test]
fn unknown_key_names_the_field_and_suggests_the_right_one() {
    let (s, good) = with_good_pdf();
    append(&s, "\n[[individual]]\nname = \"Ada Lovelace\"\nafiliation = \"Analytical Engines\"\n");
    let line = line_of(&s, "afiliation");
    refused(
        &s,
        &good,
        &[],
        1,
        &[
            "unknown field `afiliation`",
            "Ada Lovelace",
            &format!("signatories.toml:{line}:1"),
            "did you mean `affiliation`?",
        ],
    );
}

#[test]
fn missing_name() {
    let (s, good) = with_good_pdf();
    append(&s, "\n[[organisation]]\nurl = \"https://example.org\"\n");
    let line = line_of(&s, "[[organisation]]");
    refused(&s, &good, &[], 1, &["missing field `name`", &format!("signatories.toml:{line}:1")]);
}

#[test]
fn empty_name() {
    let (s, good) = with_good_pdf();
    append(&s, "\n[[individual]]\nname = \"   \"\n");
    let line = line_of(&s, "name = \"   \"");
    refused(
        &s,
        &good,
        &[],
        1,
        &["field `name`", "is empty", &format!("signatories.toml:{line}:8")],
    );
}

#[test]
fn wrong_type() {
    let (s, good) = with_good_pdf();
    append(&s, "\n[[individual]]\nname = \"Ada Lovelace\"\naffiliation = 1843\n");
    let line = line_of(&s, "affiliation = 1843");
    refused(
        &s,
        &good,
        &[],
        1,
        &[
            "field `affiliation` of individual \"Ada Lovelace\" must be a string",
            &format!("signatories.toml:{line}:15"),
        ],
    );
}

#[test]
fn duplicate_after_folding_case_accents_and_spaces_names_both_places() {
    let (s, good) = with_good_pdf();
    let first = line_of(&s, "name = \"Sofía Celi\"");
    append(&s, "\n[[individual]]\nname = \"sofia   CELI\"\n");
    let again = line_of(&s, "sofia   CELI");
    let err = refused(
        &s,
        &good,
        &[],
        1,
        &["duplicate signatory", &format!("signatories.toml:{again}:8")],
    );
    assert!(
        err.contains(&format!("{first} │ name = \"Sofía Celi\"")),
        "first place not shown:\n{err}"
    );
    assert!(err.contains("first listed here"), "{err}");
}

#[test]
fn impossible_date() {
    let (s, good) = with_good_pdf();
    let run = s.run(&["build", "--date", "2025-02-30", "-o", "letter.pdf"]).fails(2);
    assert!(
        run.stderr.contains("'2025-02-30' for '--date") && run.stderr.contains("no day 30"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(s.path("letter.pdf")).unwrap(), good);
}

#[test]
fn missing_signatories_file() {
    let (s, good) = with_good_pdf();
    refused(
        &s,
        &good,
        &["--signatories", "nobody.toml"],
        2,
        &["cannot read signatories file `nobody.toml`"],
    );
}

#[test]
fn missing_letter_folder() {
    let (s, good) = with_good_pdf();
    refused(
        &s,
        &good,
        &["--letter", "no-such-letter"],
        2,
        &["letter folder `no-such-letter` does not exist"],
    );
}

#[test]
fn unwritable_output_path() {
    let (s, _) = with_good_pdf();
    let run = s.run(&["build", "--date", "2025-02-13", "-o", "no/such/folder/letter.pdf"]).fails(1);
    assert!(run.stderr.contains("cannot write `no/such/folder/letter.pdf`"), "{}", run.stderr);
    std::fs::create_dir(s.path("a-folder")).unwrap();
    s.run(&["build", "--date", "2025-02-13", "-o", "a-folder"])
        .fails(1)
        .stderr_has("-o `a-folder` is a folder");
}

#[test]
fn error_in_the_template_is_shown_with_its_source_line() {
    let (s, good) = with_good_pdf();
    let template = s.read("letter/template.typ").replace("data.counts\n", "data.countz\n");
    s.write("letter/template.typ", &template);
    let line = template.lines().position(|l| l.contains("data.countz")).unwrap() + 1;
    let err = refused(
        &s,
        &good,
        &[],
        1,
        &[
            "dictionary does not contain key \"countz\"",
            &format!("letter/template.typ:{line}:"),
            "data.countz",
        ],
    );
    assert!(err.contains("nothing was written"), "{err}");
}

#[test]
fn package_imports_fail_clearly() {
    let (s, good) = with_good_pdf();
    let main = format!("#import \"@preview/cetz:0.3.0\"\n{}", s.read("letter/main.typ"));
    s.write("letter/main.typ", &main);
    refused(
        &s,
        &good,
        &[],
        1,
        &["@preview/cetz:0.3.0 is not available", "never downloads packages", "letter/main.typ:1:"],
    );
}

#[test]
fn the_template_cannot_read_outside_its_project() {
    let (s, good) = with_good_pdf();
    let main = format!("{}\n#read(\"../../signatories.toml\")\n", s.read("letter/main.typ"));
    s.write("letter/main.typ", &main);
    refused(&s, &good, &[], 1, &["letter/main.typ:", "escape"]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", s.path("letter/host")).unwrap();
        let main = format!(
            "{}\n#read(\"host\")\n",
            s.read("letter/main.typ").replace("#read(\"../../signatories.toml\")\n", "")
        );
        s.write("letter/main.typ", &main);
        refused(&s, &good, &[], 1, &["leads outside the project folder"]);
    }
}

#[test]
fn a_character_no_bundled_font_has() {
    let (s, good) = with_good_pdf();
    // Cuneiform: a script no bundled font covers.
    append(&s, "\n[[individual]]\nname = \"Li Wei\"\naffiliation = \"𒀭𒈗\"\n");
    let line = line_of(&s, "𒀭𒈗");
    refused(
        &s,
        &good,
        &[],
        1,
        &[
            "signatory \"Li Wei\": field `affiliation` has '𒀭' (U+1202D)",
            "put a font that has it in `fonts/`",
            &format!("signatories.toml:{line}:15"),
        ],
    );
}
