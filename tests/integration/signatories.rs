//! `openletter signatories …`: each edit is one command that keeps the
//! file's comments and never drops or doubles an entry.

use crate::common::Scratch;

fn entries(toml: &str) -> usize {
    toml.lines().filter(|l| l.starts_with("[[")).count()
}

fn comments(toml: &str) -> Vec<&str> {
    toml.lines().filter(|l| l.trim_start().starts_with('#')).collect()
}

#[test]
fn list_prints_the_collated_list_and_counts() {
    let s = Scratch::new();
    let run = s.run(&["signatories", "list"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "3 Steps Data");
    assert_eq!(lines[lines.len() - 2], "Philip Zimmermann");
    assert_eq!(lines[lines.len() - 1], "109 signatories: 65 organisations, 44 individuals");
    let json = s.run(&["signatories", "list", "--json"]).ok().stdout;
    assert!(json.contains("\"total\": 109") && json.contains("\"organisations\": 65"), "{json}");
}

#[test]
fn add_puts_the_entry_in_collated_position_and_keeps_comments() {
    let s = Scratch::new();
    let before = s.read("signatories.toml");
    let run = s
        .run(&[
            "signatories",
            "add",
            "--individual",
            "Jane Doe",
            "--affiliation",
            "University of Example",
        ])
        .ok();
    assert!(run.stdout.contains("added individual \"Jane Doe\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("110 signatories: 65 organisations, 45 individuals"),
        "{}",
        run.stdout
    );
    let after = s.read("signatories.toml");
    assert_eq!(entries(&after), entries(&before) + 1);
    assert_eq!(comments(&after), comments(&before));
    let diaz = after.find("Javier Ruiz Diaz").unwrap();
    let doe = after.find("Jane Doe").unwrap();
    let durumeric = after.find("Zakir Durumeric").unwrap();
    assert!(diaz < doe && doe < durumeric, "not between Diaz and Durumeric");
    // The old text is all still there, line for line.
    let after_lines: Vec<&str> = after.lines().collect();
    let mut i = 0;
    for line in before.lines() {
        while after_lines[i] != line {
            i += 1;
        }
    }
}

#[test]
fn add_refuses_duplicates_and_near_duplicates_naming_the_collision() {
    let s = Scratch::new();
    let before = s.read("signatories.toml");
    s.run(&["signatories", "add", "--organisation", "access  NOW"])
        .fails(1)
        .stderr_has("is already listed as \"Access Now\" (line 22)");
    s.run(&["signatories", "add", "--individual", "Monica Hörten"])
        .fails(1)
        .stderr_has("looks like \"Dr Monica Horten\"")
        .stderr_has("--force");
    s.run(&["signatories", "add", "--organisation", "Tor Project Ltd"])
        .fails(1)
        .stderr_has("looks like \"The Tor Project\"");
    assert_eq!(s.read("signatories.toml"), before, "a refused add changed the file");
    s.run(&["signatories", "add", "--individual", "Monica Horten", "--force"]).ok();
    assert_eq!(entries(&s.read("signatories.toml")), 110);
}

#[test]
fn add_refuses_bad_values() {
    let s = Scratch::new();
    let before = s.read("signatories.toml");
    s.run(&["signatories", "add", "--organisation", "Link Org", "--url", "linkorg.example"])
        .fails(1)
        .stderr_has("must start with https://");
    s.run(&["signatories", "add", "--individual", "𒀭𒈗"]).fails(1).stderr_has("U+1202D");
    s.run(&["signatories", "add", "--individual", "  "]).fails(1).stderr_has("the name is empty");
    s.run(&["signatories", "add", "--organisation", "X Org", "--affiliation", "Y"])
        .fails(1)
        .stderr_has("an organisation has no `affiliation`");
    assert_eq!(s.read("signatories.toml"), before);
}

#[test]
fn edits_refuse_a_file_that_does_not_validate() {
    let s = Scratch::new();
    let broken = format!("{}\n[[individual]]\nnme = \"Typo\"\n", s.read("signatories.toml"));
    s.write("signatories.toml", &broken);
    s.run(&["signatories", "add", "--individual", "Jane Doe"])
        .fails(1)
        .stderr_has("unknown field `nme`");
    s.run(&["signatories", "remove", "Access Now"]).fails(1);
    assert_eq!(s.read("signatories.toml"), broken);
}

#[test]
fn remove_takes_exactly_one_entry_and_says_which() {
    let s = Scratch::new();
    let before = s.read("signatories.toml");
    let run = s.run(&["signatories", "remove", "sofia celi"]).ok();
    assert!(run.stdout.contains("removed individual \"Sofía Celi\" (Brave)"), "{}", run.stdout);
    let after = s.read("signatories.toml");
    assert_eq!(entries(&after), entries(&before) - 1);
    assert!(!after.contains("Sofía Celi"));
    assert_eq!(comments(&after), comments(&before));
    s.run(&["signatories", "remove", "Nobody At All"]).fails(1).stderr_has("no signatory is named");
    // The first organisation carries the file's header and section comments.
    s.run(&["signatories", "remove", "3 Steps Data"]).ok();
    assert_eq!(comments(&s.read("signatories.toml")), comments(&before));
}

#[test]
fn import_adds_new_rows_skips_duplicates_and_rejects_bad_rows() {
    let s = Scratch::new();
    let mut csv = String::from("Timestamp,Name,Organisation,Type,Website\n");
    for i in 0..40 {
        csv.push_str(&format!("2025-02-14,Person Number{i:02},University {i},Individual,\n"));
    }
    csv.push_str("2025-02-14,Bruce Schneier,Harvard,Individual,\n");
    csv.push_str("2025-02-14,Prof Bruce Schneier,Harvard,Individual,\n");
    csv.push_str("2025-02-14,A Contact,access now,Organisation,\n");
    csv.push_str("2025-02-14,A Contact,The Tor Project Inc,organization,\n");
    csv.push_str("2025-02-14,Person Number03,Elsewhere,Individual,\n");
    csv.push_str("2025-02-14,,Nobody,Individual,\n");
    csv.push_str("2025-02-14,Bad Kind,X,robot,\n");
    csv.push_str("2025-02-14,A Contact,Bad Url Org,Organisation,not a url\n");
    csv.push_str("2025-02-14,𒀭𒈗,Uruk,Individual,\n");
    csv.push_str("2025-02-14,\"Quoted, Name\",\"Dept, Uni\",Individual,\n");
    s.write("signups.csv", &csv);
    let before = s.read("signatories.toml");

    // Rows were rejected: exit 1, for scripts, the good rows still count.
    let dry = s.run(&["signatories", "import", "signups.csv", "--dry-run"]).fails(1);
    assert!(dry.stdout.contains("41 would be added, 5 skipped, 4 rejected"), "{}", dry.stdout);
    assert_eq!(s.read("signatories.toml"), before, "a dry run wrote");

    let run = s.run(&["signatories", "import", "signups.csv"]).fails(1);
    for needle in [
        "signups.csv:42: skipped \"Bruce Schneier\": is already listed",
        "signups.csv:43: skipped \"Prof Bruce Schneier\": looks like \"Bruce Schneier\"",
        "signups.csv:44: skipped \"access now\"",
        "signups.csv:45: skipped \"The Tor Project Inc\"",
        "signups.csv:46: skipped \"Person Number03\": same as \"Person Number03\" on line 5",
        "signups.csv:47: rejected: the name is empty",
        "signups.csv:48: rejected: unknown kind \"robot\"",
        "signups.csv:49: rejected: \"Bad Url Org\"",
        "signups.csv:50: rejected: \"𒀭𒈗\"",
        "41 added, 5 skipped, 4 rejected",
        "150 signatories: 65 organisations, 85 individuals",
    ] {
        assert!(run.stdout.contains(needle), "missing {needle:?}:\n{}", run.stdout);
    }
    let after = s.read("signatories.toml");
    assert_eq!(entries(&after), 150);
    assert_eq!(comments(&after), comments(&before));
    assert!(after.contains("name = \"Quoted, Name\"\naffiliation = \"Dept, Uni\""), "{after}");
    s.run(&["build", "--date", "2025-02-20", "-o", "after.pdf"]).ok().stderr_has("150 signatories");
}

#[test]
fn import_names_a_missing_column() {
    let s = Scratch::new();
    s.write("bad.csv", "Who,Where\nA,B\n");
    s.run(&["signatories", "import", "bad.csv"]).fails(2).stderr_has(
        "hold the name: no column is headed as a name; its headers are 1 \"Who\", 2 \"Where\"",
    );
    s.write("ok.csv", "Who,Where\nAnn Alpha,Somewhere\n");
    s.run(&["signatories", "import", "ok.csv", "--map", "name=who", "--map", "affiliation=Where"])
        .ok();
    assert!(
        s.read("signatories.toml").contains("name = \"Ann Alpha\"\naffiliation = \"Somewhere\"")
    );
}

#[test]
fn diff_reports_added_removed_and_changed() {
    let s = Scratch::new();
    std::fs::copy(s.path("signatories.toml"), s.path("old.toml")).unwrap();
    s.run(&["signatories", "add", "--individual", "Jane Doe"]).ok();
    s.run(&["signatories", "remove", "Eric Mill"]).ok();
    let changed = s
        .read("signatories.toml")
        .replace("affiliation = \"Brave\"", "affiliation = \"Brave Software\"");
    s.write("signatories.toml", &changed);
    let run = s.run(&["signatories", "diff", "old.toml", "signatories.toml"]).ok();
    for needle in [
        "  + Jane Doe",
        "  - Eric Mill",
        "  ~ Sofía Celi: affiliation \"Brave\" → \"Brave Software\"",
        "109 → 109 signatories: 1 added, 1 removed, 0 withdrew, 1 changed",
    ] {
        assert!(run.stdout.contains(needle), "missing {needle:?}:\n{}", run.stdout);
    }
    let json =
        s.run(&["signatories", "diff", "old.toml", "signatories.toml", "--json"]).ok().stdout;
    assert!(json.contains("\"added\": 1") && json.contains("\"field\": \"affiliation\""), "{json}");
}
