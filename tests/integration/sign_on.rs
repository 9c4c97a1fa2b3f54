//! Real sign-on data: form exports as they come, names as people write
//! them, edits in place and withdrawals that stick.

use crate::common::Scratch;

/// A scratch letter whose list is the import fixtures' small list.
fn scratch() -> (Scratch, String) {
    let s = Scratch::new();
    let list = std::fs::read_to_string(Scratch::fixture("imports/signatories.toml")).unwrap();
    s.write("signatories.toml", &list);
    (s, list)
}

fn import(s: &Scratch, file: &str, extra: &[&str]) -> crate::common::Run {
    let path = Scratch::fixture(&format!("imports/{file}"));
    let mut args = vec!["signatories", "import", path.as_str()];
    args.extend_from_slice(extra);
    s.run(&args)
}

/// `FILE:LINE: WHAT` lines of an import's report, without the folder.
fn report(stdout: &str) -> Vec<String> {
    let folder = format!("{}/", Scratch::fixture("imports"));
    stdout.lines().filter_map(|l| l.strip_prefix(&folder)).map(str::to_owned).collect()
}

#[test]
fn google_forms_crlf_with_organisations_signing_through_a_contact() {
    let (s, _) = scratch();
    let run = import(&s, "google-forms.csv", &[]).ok();
    assert_eq!(
        report(&run.stdout),
        [
            "google-forms.csv:2: added individual \"Jane Doe\"",
            "google-forms.csv:3: added organisation \"Open Rights Example\"",
            "google-forms.csv:4: added individual \"Max Mustermann\"",
            "google-forms.csv:5: skipped \"Access Now\": is already listed as \"Access Now\" (line 3)",
            "google-forms.csv:6: added organisation \"Nameless Org\"",
        ]
    );
    let toml = s.read("signatories.toml");
    assert!(toml.contains("name = \"Open Rights Example\"\nurl = \"https://openrights.example\""));
    assert!(toml.contains("affiliation = \"Institut für Beispiele, Berlin\""));
    for private in ["Sam Contact", "@", "2025-02-14"] {
        assert!(!toml.contains(private), "{private} reached the published list");
    }
}

#[test]
fn german_excel_semicolons_windows_1252_and_kind_words() {
    let (s, list) = scratch();
    let run = import(&s, "excel-de.csv", &[]).fails(1);
    assert!(run.stderr.contains("not UTF-8: read as Windows-1252"), "{}", run.stderr);
    assert_eq!(
        report(&run.stdout),
        [
            "excel-de.csv:2: added individual \"Jürgen Groß\"",
            "excel-de.csv:3: added organisation \"Digitalcourage e.V.\"",
            "excel-de.csv:4: added individual \"Zoë Müller\"",
            "excel-de.csv:5: rejected: unknown kind \"Verein\" (expected organisation or individual; \
             --kind-map \"Verein=individual\" names another)",
        ]
    );
    assert!(s.read("signatories.toml").contains("affiliation = \"Universität Köln\""));
    s.write("signatories.toml", &list);
    let run = import(&s, "excel-de.csv", &["--kind-map", "Verein=organisation"]).ok();
    assert!(run.stdout.contains("4 added, 0 skipped, 0 rejected"), "{}", run.stdout);
}

#[test]
fn utf16_unicode_text_with_tabs() {
    let (s, _) = scratch();
    let run = import(&s, "unicode-text.txt", &[]).ok();
    assert_eq!(
        report(&run.stdout),
        [
            "unicode-text.txt:2: added individual \"李雷\"",
            "unicode-text.txt:3: added individual \"Σοφία Παπαδάκη\"",
        ]
    );
}

#[test]
fn a_broken_quote_is_reported_and_swallows_no_row() {
    let (s, list) = scratch();
    let dry = import(&s, "broken-quote.csv", &["--dry-run"]).fails(1);
    assert_eq!(s.read("signatories.toml"), list, "a dry run wrote");
    let run = import(&s, "broken-quote.csv", &[]).fails(1);
    assert_eq!(report(&dry.stdout).len(), report(&run.stdout).len());
    assert_eq!(
        report(&run.stdout),
        [
            "broken-quote.csv:2: added individual \"Ann Alpha\"",
            "broken-quote.csv:3: rejected: a quote opened on this line is not closed on it; \
             the row is skipped and reading goes on with the next line",
            "broken-quote.csv:4: added individual \"Bo Beta\"",
            "broken-quote.csv:5: added individual \"Cy Gamma\"",
        ]
    );
    let toml = s.read("signatories.toml");
    assert!(toml.contains("affiliation = \"Dept, Uni\""));
    assert!(!toml.contains("Broken"));
}

#[test]
fn a_stray_8_bit_byte_reads_the_file_as_windows_1252() {
    let (s, _) = scratch();
    let run = import(&s, "stray-byte.csv", &[]).ok();
    assert!(run.stderr.contains("read as Windows-1252"), "{}", run.stderr);
    assert!(
        run.stdout.contains("stray-byte.csv:3: added individual \"René Roe\""),
        "{}",
        run.stdout
    );
    assert!(s.read("signatories.toml").contains("affiliation = \"Café\""));
}

#[test]
fn formulas_bidi_controls_and_names_written_another_way() {
    let (s, _) = scratch();
    let run = import(&s, "hostile.csv", &[]).fails(1);
    assert_eq!(
        report(&run.stdout),
        [
            "hostile.csv:2: rejected: \"=HYPERLINK(\\\"http://evil.example\\\")\": `name` starts like a spreadsheet formula",
            "hostile.csv:3: rejected: \"Eve \\u{202e}evE\": `name` has a bidirectional control (U+202E)",
            "hostile.csv:4: skipped \"Lukasz Olejnik\": is already listed as \"Łukasz Olejnik\" (line 7)",
            "hostile.csv:5: skipped \"Mary O’Brien\": is already listed as \"Mary O'Brien\" (line 11)",
            "hostile.csv:6: added individual \"Fine Person\"",
        ]
    );
    // `add` takes what it is told, and `check` then reports it as an error.
    s.run(&["signatories", "add", "--individual", "=1+1"]).ok();
    s.run(&["signatories", "add", "--individual", "Ev\u{202e}e Roe"]).ok();
    s.run(&["signatories", "add", "--individual", "M\u{0430}ria Smith"]).ok();
    let check = s.run(&["check", "--date", "2025-02-13"]).fails(1);
    for needle in ["[formula]", "[bidi-control]", "[mixed-script]"] {
        assert!(check.stderr.contains(needle), "{needle}:\n{}", check.stderr);
    }
}

#[test]
fn near_duplicates_written_another_way_are_refused() {
    let (s, list) = scratch();
    for (name, code) in [
        ("Lukasz Olejnik", 1),
        ("Lu\u{00AD}kasz Olejnik", 1),
        ("Mary O’Brien", 1),
        ("M\u{0430}ry O'Brien", 1),
    ] {
        s.run(&["signatories", "add", "--individual", name]).fails(code).stderr_has("not added");
        assert_eq!(s.read("signatories.toml"), list, "{name} was added");
    }
    s.run(&["signatories", "add", "--individual", "Jean-Luc Picard"]).ok();
    s.run(&["signatories", "add", "--individual", "Jean Luc Picard"])
        .fails(1)
        .stderr_has("looks like");
}

#[test]
fn import_exit_codes() {
    let (s, _) = scratch();
    s.write("unreadable.csv", "");
    s.run(&["signatories", "import", "unreadable.csv"]).fails(2).stderr_has("no header row");
    s.run(&["signatories", "import", "missing.csv"]).fails(2).stderr_has("cannot read");
    s.write("clean.csv", "Name\nNew Person\nAccess Now\n");
    s.run(&["signatories", "import", "clean.csv"]).ok();
    s.write("bad.csv", "Name,Kind\nOther Person,robot\n");
    s.run(&["signatories", "import", "bad.csv", "--dry-run"]).fails(1);
    let help = s.run(&["signatories", "import", "--help"]).ok();
    assert!(
        help.stdout.contains("1: some row") && help.stdout.contains("2: the file"),
        "{}",
        help.stdout
    );
}

#[test]
fn edit_changes_one_entry_in_place() {
    let (s, list) = scratch();
    let run = s
        .run(&[
            "signatories",
            "edit",
            "mary o'brien",
            "--affiliation",
            "TCD",
            "--sort-as",
            "OBrien",
        ])
        .ok();
    assert!(
        run.stdout.contains("affiliation \"Trinity College Dublin\" → \"TCD\""),
        "{}",
        run.stdout
    );
    let want = list.replace(
        "affiliation = \"Trinity College Dublin\"\n",
        "affiliation = \"TCD\"\nsort_as = \"OBrien\"\n",
    );
    assert_eq!(s.read("signatories.toml"), want);
    s.run(&["signatories", "edit", "Mary O'Brien", "--sort-as", ""]).ok();
    s.run(&["signatories", "edit", "Mary O'Brien", "--name", "Łukasz Olejnik"])
        .fails(1)
        .stderr_has("already listed");
    s.run(&["signatories", "edit", "Access Now", "--affiliation", "X"])
        .fails(1)
        .stderr_has("an organisation has no");
    let before = s.read("signatories.toml");
    s.run(&["signatories", "edit", "Access Now", "--name", "Access Later", "--dry-run"]).ok();
    assert_eq!(s.read("signatories.toml"), before, "a dry run wrote");
    s.run(&["signatories", "add", "--individual", "Dry Run", "--dry-run"]).ok();
    assert_eq!(s.read("signatories.toml"), before, "a dry run wrote");
}

#[test]
fn a_withdrawal_sticks_across_imports() {
    let (s, _) = scratch();
    import(&s, "google-forms.csv", &[]).ok();
    let run = s
        .run(&[
            "signatories",
            "remove",
            "Jane Doe",
            "--withdrawn",
            "--reason",
            "asked by e-mail",
            "--on",
            "2025-02-15",
        ])
        .ok();
    assert!(run.stdout.contains("recorded the withdrawal"), "{}", run.stdout);
    let again = import(&s, "google-forms.csv", &[]).ok();
    assert!(
        again.stdout.contains("skipped \"Jane Doe\": \"Jane Doe\" withdrew on 2025-02-15"),
        "{}",
        again.stdout
    );
    s.run(&["signatories", "add", "--individual", "jane doe"]).fails(1).stderr_has("withdrew on");
    let list = s.run(&["signatories", "list"]).ok();
    assert!(
        list.stdout.contains("Jane Doe (withdrew on 2025-02-15: asked by e-mail)"),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.lines().any(|l| l == "Jane Doe, University of Example"));
    let json = s.run(&["signatories", "list", "--json"]).ok();
    assert!(json.stdout.contains("\"withdrawn\": ["), "{}", json.stdout);
    s.run(&["build", "--date", "2025-02-13", "-o", "l.pdf"]).ok();
    let text = crate::pdf::Pdf::open(&s.path("l.pdf")).pages_text().join("\n");
    assert!(!text.contains("Jane Doe") && text.contains("Max Mustermann"));
}

#[test]
fn diff_shows_withdrawals() {
    let (s, list) = scratch();
    s.write("old.toml", &list);
    s.run(&["signatories", "remove", "Access Now", "--withdrawn", "--on", "2025-02-15"]).ok();
    let run = s.run(&["signatories", "diff", "old.toml", "signatories.toml"]).ok();
    assert!(run.stdout.contains("Withdrew (1):\n  x Access Now (on 2025-02-15)"), "{}", run.stdout);
    assert!(run.stdout.contains("0 removed, 1 withdrew"), "{}", run.stdout);
}

#[test]
fn crlf_and_byte_order_mark_survive_every_edit() {
    let (s, list) = scratch();
    let crlf = format!("\u{feff}{}", list.replace('\n', "\r\n"));
    s.write("signatories.toml", &crlf);
    s.run(&["signatories", "add", "--individual", "New Person"]).ok();
    s.run(&["signatories", "edit", "New Person", "--affiliation", "Somewhere"]).ok();
    s.run(&["signatories", "remove", "Access Now", "--withdrawn", "--on", "2025-02-15"]).ok();
    import(&s, "google-forms.csv", &[]).ok();
    let bytes = std::fs::read(s.path("signatories.toml")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "the byte-order mark was dropped");
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "a line lost its CR:\n{text:?}");
    assert!(text.contains("New Person") && text.contains("Jane Doe"));
}
