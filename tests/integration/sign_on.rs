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
    assert!(run.stderr.contains("not UTF-8: read as windows-1252"), "{}", run.stderr);
    assert_eq!(
        report(&run.stdout),
        [
            "excel-de.csv:2: added individual \"Jürgen Groß\"",
            "excel-de.csv:3: added organisation \"Digitalcourage e.V.\"",
            "excel-de.csv:4: added individual \"Zoë Müller\"",
            "excel-de.csv:5: rejected: unknown kind \"Initiative\" (expected organisation or \
             individual; --kind-map \"Initiative=individual\" names another)",
        ]
    );
    assert!(s.read("signatories.toml").contains("affiliation = \"Universität Köln\""));
    s.write("signatories.toml", &list);
    let run = import(&s, "excel-de.csv", &["--kind-map", "Initiative=organisation"]).ok();
    assert!(run.stdout.contains("4 added, 0 skipped, 0 rejected"), "{}", run.stdout);
}

#[test]
fn forms_in_many_languages_with_given_and_family_names() {
    let (s, _) = scratch();
    let cases: [(&str, &[&str]); 7] = [
        (
            "fr.csv",
            &[
                "fr.csv:2: added individual \"Jean Valjean\"",
                "fr.csv:3: added organisation \"Ligue des droits de l'Homme\"",
            ],
        ),
        (
            "de.csv",
            &[
                "de.csv:2: added individual \"Anna Schmidt\"",
                "de.csv:3: added organisation \"Digitale Gesellschaft\"",
            ],
        ),
        ("es.csv", &["es.csv:2: added individual \"María García Márquez\""]),
        ("pl.csv", &["pl.csv:2: added individual \"Zofia Świętochowska\""]),
        ("tr.csv", &["tr.csv:2: added individual \"Ayşe Yılmaz\""]),
        ("ru.csv", &["ru.csv:2: added individual \"Анна Иванова\""]),
        ("ar.csv", &["ar.csv:2: added individual \"ليلى حداد\""]),
    ];
    for (file, want) in cases {
        let run = import(&s, &format!("forms/{file}"), &[]).ok();
        if file == "de.csv" {
            assert!(
                run.stderr.contains(
                    "de.csv:3: note: the link \"digitalegesellschaft.example\" was read as \
                     https://digitalegesellschaft.example"
                ),
                "{}",
                run.stderr
            );
        }
        let got: Vec<String> =
            report(&run.stdout).iter().map(|l| l.trim_start_matches("forms/").to_owned()).collect();
        assert_eq!(got, want, "{file}: {}", run.stderr);
        assert!(run.stderr.contains("read as name = "), "{file}: {}", run.stderr);
    }
    let toml = s.read("signatories.toml");
    for kept in [
        "name = \"Jean Valjean\"\naffiliation = \"Maire\"",
        // A link without its scheme is given one, and that is said.
        "name = \"Digitale Gesellschaft\"\nurl = \"https://digitalegesellschaft.example\"",
        // A family name of two words sorts the entry; one that is the
        // name's last word adds nothing.
        "name = \"María García Márquez\"\naffiliation = \"Investigadora\"\nsort_as = \"García Márquez\"",
        "name = \"Anna Schmidt\"\n",
    ] {
        assert!(toml.contains(kept), "{kept}\n{toml}");
    }
    for private in ["@", "2025-02-14", "14.02.2025", "Claire", "Bernd", "Dubois"] {
        assert!(!toml.contains(private), "{private} reached the list");
    }
}

#[test]
fn a_form_whose_name_columns_cannot_be_told_apart_is_refused_with_a_mapping() {
    let (s, list) = scratch();
    let path = Scratch::fixture("imports/forms/ambiguous.csv");
    s.run(&["signatories", "import", path.as_str()]).refused(
        2,
        "\"Name\", \"First name\", \"Last name\" could each be the name or part of it; its \
         headers are 1 \"Name\", 2 \"First name\", 3 \"Last name\", 4 \"Email\"; say which with \
         --map name=\"First name\"+\"Last name\"",
    );
    assert_eq!(s.read("signatories.toml"), list, "written though refused");
    let run = s
        .run(&[
            "signatories",
            "import",
            path.as_str(),
            "--map",
            "name=First name+Last name",
            "--dry-run",
        ])
        .ok();
    assert!(
        run.stdout.contains("columns of ")
            && run.stdout.contains(": name = \"First name\" + \"Last name\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("added individual \"Jane Doe\""), "{}", run.stdout);
    assert_eq!(s.read("signatories.toml"), list, "a dry run wrote");
    let run = s.run(&["signatories", "import", path.as_str(), "--map", "name=Name"]).ok();
    assert!(run.stdout.contains("added individual \"Jane Doe\""), "{}", run.stdout);
    s.run(&["signatories", "import", path.as_str(), "--map", "name=Nom"])
        .refused(2, "has no name column (`Nom`)");
    s.write("header-only.csv", "Name,Affiliation\r\n\r\n");
    s.run(&["signatories", "import", "header-only.csv"])
        .refused(2, "has a header row and no row under it: nothing to import");
}

#[test]
fn rows_that_look_wrong_are_added_with_a_warning_or_rejected_on_request() {
    let (s, list) = scratch();
    s.write(
        "warn.csv",
        "Name,Type\nJEAN VALJEAN,Individual\n\"Dubois, Claire\",Individual\nDr Ann Alpha,Individual\n\
         Bo  Beta,Individual\nEFF,Organisation\nFine Person,Individual\n",
    );
    let run = s.run(&["signatories", "import", "warn.csv"]).ok();
    for line in [
        "warn.csv:2: added individual \"JEAN VALJEAN\"\nwarn.csv:2: warning: \"JEAN VALJEAN\" is in capitals",
        "warn.csv:3: warning: \"Dubois, Claire\" looks like family name first: the letter prints \"Claire Dubois\" only if written so",
        "warn.csv:4: warning: \"Dr Ann Alpha\" starts with the honorific \"Dr\"",
        "warn.csv:5: warning: \"Bo  Beta\" has two spaces in a row",
        "6 added, 0 skipped, 0 rejected; 4 warning(s), --deny-warnings rejects those rows",
    ] {
        assert!(run.stdout.contains(line), "{line}:\n{}", run.stdout);
    }
    assert!(
        !run.stdout.contains("warn.csv:6: warning"),
        "an acronym is not a shout: {}",
        run.stdout
    );
    s.write("signatories.toml", &list);
    let run = s.run(&["signatories", "import", "warn.csv", "--deny-warnings"]).fails(1);
    assert!(
        run.stdout.contains("warn.csv:2: rejected: \"JEAN VALJEAN\" is in capitals"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 added, 0 skipped, 4 rejected"), "{}", run.stdout);
    let toml = s.read("signatories.toml");
    assert!(toml.contains("name = \"Fine Person\"") && !toml.contains("JEAN"), "{toml}");
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
fn a_stray_8_bit_byte_is_too_little_to_tell_the_encoding_by() {
    let (s, list) = scratch();
    let run = import(&s, "stray-byte.csv", &[]).fails(2);
    for reading in [
        "line 3 reads",
        "--encoding windows-1252: René Roe,Café",
        "give the one that reads right with --encoding",
    ] {
        assert!(run.stderr.contains(reading), "{reading}: {}", run.stderr);
    }
    assert_eq!(s.read("signatories.toml"), list, "written though refused");
    let run = import(&s, "stray-byte.csv", &["--encoding", "windows-1252"]).ok();
    assert!(!run.stderr.contains("read as"), "a named encoding is not news: {}", run.stderr);
    assert!(
        run.stdout.contains("stray-byte.csv:3: added individual \"René Roe\""),
        "{}",
        run.stdout
    );
    assert!(s.read("signatories.toml").contains("affiliation = \"Café\""));
    let run = import(&s, "stray-byte.csv", &["--encoding", "latin-9000"]).fails(2);
    assert!(run.stderr.contains("`latin-9000` is not an encoding label"), "{}", run.stderr);
}

#[test]
fn polish_windows_1250_and_japanese_shift_jis_are_recognised() {
    let (s, _) = scratch();
    let run = import(&s, "polish-windows-1250.csv", &[]).ok();
    assert!(
        run.stderr.contains("read as windows-1250 (recognised from its text"),
        "{}",
        run.stderr
    );
    assert_eq!(
        report(&run.stdout),
        [
            "polish-windows-1250.csv:2: added individual \"Zofia Świętochowska\"",
            "polish-windows-1250.csv:3: added individual \"Łukasz Żółkiewski\"",
            "polish-windows-1250.csv:4: added organisation \"Stowarzyszenie Wolności Słowa\"",
        ]
    );
    let run = import(&s, "japanese-shift-jis.csv", &[]).ok();
    assert!(run.stderr.contains("read as Shift_JIS"), "{}", run.stderr);
    assert_eq!(
        report(&run.stdout),
        [
            "japanese-shift-jis.csv:2: added individual \"山田 太郎\"",
            "japanese-shift-jis.csv:3: added individual \"佐藤 花子\"",
        ]
    );
    let toml = s.read("signatories.toml");
    assert!(toml.contains("affiliation = \"Fundacja Panoptykon\""), "{toml}");
    assert!(toml.contains("affiliation = \"情報セキュリティ研究所\""), "{toml}");
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
    assert!(list.stdout.contains("Jane Doe (withdrew on 2025-02-15)"), "{}", list.stdout);
    assert!(!list.stdout.lines().any(|l| l == "Jane Doe, University of Example"));
    // The reason is private correspondence: in the ledger, not the list.
    assert!(!list.stdout.contains("asked by e-mail"), "{}", list.stdout);
    assert!(!s.read("signatories.toml").contains("asked by e-mail"));
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

#[test]
fn a_withdrawal_blocks_every_form_of_the_name() {
    let (s, _) = scratch();
    for (kind, name) in [
        ("--individual", "Professor Subhajit Basu"),
        ("--individual", "Jean-Luc Picard"),
        ("--organisation", "ARTICLE 19"),
    ] {
        s.run(&["signatories", "add", kind, name]).ok();
        s.run(&["signatories", "remove", name, "--withdrawn", "--on", "2025-02-15"]).ok();
    }
    let before = s.read("signatories.toml");
    for name in
        ["Prof. Subhajit Basu", "Subhajit Basu", "Subhajit-Basu", "Basu.", "Subhajit B\u{0430}su"]
    {
        s.run(&["signatories", "add", "--individual", name])
            .refused(1, "\"Professor Subhajit Basu\" withdrew on 2025-02-15");
        assert_eq!(s.read("signatories.toml"), before, "{name} was added");
    }
    s.write("again.csv", "Name\nJean Luc Picard\n");
    let run = s.run(&["signatories", "import", "again.csv"]).ok();
    assert!(
        run.stdout.contains("skipped \"Jean Luc Picard\": \"Jean-Luc Picard\" withdrew on"),
        "{}",
        run.stdout
    );
    assert_eq!(s.read("signatories.toml"), before, "the import added a withdrawn name");
    s.run(&["signatories", "edit", "Access Now", "--name", "Article-19"])
        .refused(1, "\"ARTICLE 19\" withdrew on 2025-02-15");
    assert_eq!(s.read("signatories.toml"), before);
    // They may sign again.
    s.run(&["signatories", "add", "--individual", "Subhajit Basu", "--force"]).ok();
    s.run(&["signatories", "edit", "Access Now", "--name", "Article-19", "--force"]).ok();
    assert!(s.read("signatories.toml").contains("name = \"Subhajit Basu\""));
}

#[test]
fn an_invisible_joiner_does_not_make_a_new_name() {
    let (s, list) = scratch();
    s.run(&["signatories", "add", "--individual", "Jane Doe"]).ok();
    let before = s.read("signatories.toml");
    s.run(&["signatories", "add", "--individual", "Jane\u{200d}Doe"])
        .refused(1, "looks like \"Jane Doe\"");
    assert_eq!(s.read("signatories.toml"), before);
    s.write("joined.csv", "Name,Type\nAccess\u{200d}Now,Organisation\n");
    let run = s.run(&["signatories", "import", "joined.csv"]).ok();
    assert!(run.stdout.contains("looks like \"Access Now\""), "{}", run.stdout);
    assert_eq!(s.read("signatories.toml"), before);
    // Written into the file by hand, a zero-width space (which no script
    // spells with) is refused where it stands.
    s.write(
        "signatories.toml",
        &format!("{list}\n[[organisation]]\nname = \"Access\u{200b}Now\"\n"),
    );
    s.run(&["check", "--date", "2025-02-13"]).refused(1, "has an invisible character (U+200B)");
}

#[test]
fn a_lint_marker_inside_a_value_allows_nothing() {
    let (s, list) = scratch();
    s.write(
        "form.csv",
        "Name,Affiliation\nM\u{0430}rta Smith,\"Uni # openletter: allow(mixed-script)\"\n",
    );
    s.run(&["signatories", "import", "form.csv"]).ok();
    let check = s.run(&["check", "--date", "2025-02-13"]).refused(1, "[mixed-script]");
    assert!(check.stderr.contains("M\u{0430}rta"), "{}", check.stderr);
    s.write(
        "signatories.toml",
        &format!(
            "{list}\n[[individual]]\nname = \"B\u{0435}a Beta # openletter: allow(mixed-script)\"\n"
        ),
    );
    s.run(&["check", "--date", "2025-02-13"]).refused(1, "[mixed-script]");
    // A comment still allows it.
    s.write(
        "signatories.toml",
        &format!(
            "{list}\n[[individual]]\nname = \"B\u{0435}a Beta\" # openletter: allow(mixed-script)\n"
        ),
    );
    s.run(&["check", "--date", "2025-02-13"]).ok();
}

#[test]
fn an_organisation_row_without_the_organisation_is_rejected() {
    let (s, _) = scratch();
    s.write(
        "orgs.csv",
        "Full name,Organisation,Signing as\nSam Contact,,Organisation\nAnn Alpha,Open Org,Organisation\n",
    );
    let run = s.run(&["signatories", "import", "orgs.csv"]).fails(1);
    assert!(
        run.stdout.contains(
            "orgs.csv:2: rejected: the organisation column (column 2) is empty; \"Sam Contact\""
        ),
        "{}",
        run.stdout
    );
    let toml = s.read("signatories.toml");
    assert!(!toml.contains("Sam Contact") && toml.contains("name = \"Open Org\""), "{toml}");
}

#[test]
fn a_csv_with_lone_carriage_returns_reads_each_as_a_line_end() {
    let (s, _) = scratch();
    s.write(
        "mac.csv",
        "Name,Affiliation\rAnn Alpha,Uni A\rBo Beta,\"Dept\rUni B\"\rCy Gamma,Uni C\r",
    );
    let run = s.run(&["signatories", "import", "mac.csv"]).fails(1);
    assert!(run.stdout.contains("mac.csv:2: added individual \"Ann Alpha\""), "{}", run.stdout);
    assert!(run.stdout.contains("mac.csv:3: rejected: \"Bo Beta\""), "{}", run.stdout);
    assert!(run.stdout.contains("mac.csv:5: added individual \"Cy Gamma\""), "{}", run.stdout);
    assert!(run.stdout.contains("2 added, 0 skipped, 1 rejected"), "{}", run.stdout);
    assert!(s.read("signatories.toml").contains("name = \"Cy Gamma\"\naffiliation = \"Uni C\""));
}

#[test]
fn import_refuses_what_it_would_have_to_guess() {
    let (s, list) = scratch();
    let unchanged = |s: &Scratch| assert_eq!(s.read("signatories.toml"), list);
    // Two name columns: both named, and the flag that chooses.
    s.write("two.csv", "Full name,Name,Type\nAnn Alpha,Ann,Individual\n");
    s.run(&["signatories", "import", "two.csv"]).refused(
        2,
        "has 2 name columns: \"Full name\" (column 1) and \"Name\" (column 2); \
         say which to use, as in --map name=\"Full name\"",
    );
    unchanged(&s);
    let run = s.run(&["signatories", "import", "two.csv", "--map", "name=Full name"]).ok();
    assert!(run.stdout.contains("added individual \"Ann Alpha\""), "{}", run.stdout);
    s.write("signatories.toml", &list);
    // Duplicate headers: no flag can choose between them.
    s.write("dup.csv", "Name,Affiliation,Name\nAnn Alpha,Uni,Other\n");
    s.run(&["signatories", "import", "dup.csv"])
        .refused(2, "\"Name\" (column 1) and \"Name\" (column 3); rename one");
    unchanged(&s);
    // Mixed separators: the row is not taken as one name.
    s.write("mixed.csv", "Name,Affiliation\nMix One;Org A\nAnn Alpha,Uni\n");
    let run = s.run(&["signatories", "import", "mixed.csv"]).fails(1);
    assert!(
        run.stdout.contains("mixed.csv:2: rejected: the row has 1 of the header's 2 columns")
            && run
                .stdout
                .contains("separated by semicolons while the header is separated by commas"),
        "{}",
        run.stdout
    );
    assert!(!s.read("signatories.toml").contains("Mix One"));
    s.write("signatories.toml", &list);
    // Formulas start with `-` too, or a tab or carriage return.
    s.write("formula.csv", "Name,Affiliation\n-1+1,Uni\n\"\t=cmd\",Uni\nOk Person,\"\rx\"\n");
    let run = s.run(&["signatories", "import", "formula.csv"]).fails(1);
    assert!(
        run.stdout.contains(
            "formula.csv:2: rejected: \"-1+1\": `name` starts like a spreadsheet formula"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("formula.csv:3: rejected: column 1 starts with a tab"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("formula.csv:4: rejected: column 2 starts with a tab"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 added"), "{}", run.stdout);
    unchanged(&s);
    // A huge field is refused without being echoed whole.
    let huge = "x".repeat(1_000_000);
    s.write("huge.csv", &format!("Name,Type\n{huge},Individual\nAnn Alpha,{huge}\n"));
    let run = s.run(&["signatories", "import", "huge.csv"]).fails(1);
    assert!(run.stdout.len() < 2_000, "{} bytes echoed", run.stdout.len());
    assert!(run.stdout.contains("(1000000 characters in all)"), "{}", run.stdout);
    unchanged(&s);
    // UTF-32 is named as such.
    let utf32: Vec<u8> =
        "\u{feff}Name\nAnn Alpha\n".chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
    std::fs::write(s.path("wide.csv"), &utf32).unwrap();
    s.run(&["signatories", "import", "wide.csv"])
        .refused(2, "it is UTF-32, which is not read; save it as UTF-8");
    std::fs::write(s.path("wide.csv"), &utf32[4..]).unwrap();
    s.run(&["signatories", "import", "wide.csv"]).refused(2, "UTF-32");
    unchanged(&s);
}

#[test]
fn a_read_only_list_is_said_to_be_not_writable() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let (s, list) = scratch();
    std::fs::set_permissions(s.path("signatories.toml"), PermissionsExt::from_mode(0o444)).unwrap();
    let mut command = s.command(&["signatories", "add", "--individual", "New Person"]);
    // Root may write any file: run as nobody, for whom the mode holds.
    if unsafe { geteuid() } == 0 {
        command.uid(65534).gid(65534);
    }
    let run = crate::common::Run::from(command.output().unwrap())
        .refused(1, "nothing changed: `signatories.toml` can be read but not written");
    assert!(!run.stderr.contains("cannot read"), "{}", run.stderr);
    assert_eq!(s.read("signatories.toml"), list);
}

unsafe extern "C" {
    fn geteuid() -> u32;
}

#[test]
fn a_utf16_list_is_named_as_such_and_no_nul_is_echoed() {
    let (s, list) = scratch();
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(list.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(s.path("signatories.toml"), &utf16).unwrap();
    for args in [&["signatories", "add", "--individual", "New Person"][..], &["build"][..]] {
        let run = s.run(args).refused(2, "the file is UTF-16, not UTF-8");
        assert!(run.stderr.contains("save the file as UTF-8"), "{}", run.stderr);
        assert!(!run.stderr.contains("Latin-1"), "{}", run.stderr);
        assert!(!run.stderr.contains('\0') && !run.stderr.contains("\\0"), "{}", run.stderr);
        assert!(!run.stderr.contains("\\u{0}"), "{}", run.stderr);
    }
    let without_mark: Vec<u8> = list.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(s.path("signatories.toml"), &without_mark).unwrap();
    s.run(&["signatories", "list"]).refused(2, "the file is UTF-16, not UTF-8");
}
