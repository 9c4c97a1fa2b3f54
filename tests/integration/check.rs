//! `openletter check`: 0 when clean, 1 with findings, 2 on unreadable input.

use crate::common::Scratch;

#[test]
fn a_clean_list_passes() {
    let s = Scratch::new();
    s.write(
        "signatories.toml",
        "[[organisation]]\nname = \"Access Now\"\n\n[[individual]]\nname = \"Ann Alpha\"\naffiliation = \"Somewhere\"\n",
    );
    let run = s.run(&["check", "--date", "2025-02-13"]).ok();
    assert!(run.stdout.contains("no problems (2 signatories"), "{}", run.stdout);
}

#[test]
fn the_seed_list_has_one_inconsistent_honorific() {
    let s = Scratch::new();
    // A warning: shown, but only fails with --deny-warnings.
    s.run(&["check", "--deny-warnings"]).fails(1);
    let run = s.run(&["check"]).ok();
    assert!(
        run.stderr.contains("honorific written \"Prof.\" here but \"Professor\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Prof. J.W. Verret"), "{}", run.stderr);
    assert!(run.stdout.contains("0 errors and 1 warning found"), "{}", run.stdout);
    assert!(run.stderr.contains("[inconsistent-honorific]"), "{}", run.stderr);

    // Marked as intended, it is no longer a finding.
    let toml = s.read("signatories.toml").replace(
        "[[individual]]\nname = \"Prof. J.W. Verret\"",
        "# openletter: allow(inconsistent-honorific)\n[[individual]]\nname = \"Prof. J.W. Verret\"",
    );
    s.write("signatories.toml", &toml);
    let run = s.run(&["check", "--deny-warnings"]).ok();
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
}

#[test]
fn every_lint_names_file_line_and_entry() {
    let s = Scratch::new();
    let toml = concat!(
        "[[individual]]\nname = \"Ann Alpha\"\n\n",       // 1-3
        "[[individual]]\nname = \"Dr Ann Alpha\"\n\n",    // 4-6
        "[[individual]]\nname = \"Sammy Davis Jr.\"\n\n", // 7-9
        "[[individual]]\nname = \"Bo  Beta\"\n\n",        // 10-12
        "[[organisation]]\nname = \"Odd Link\"\nurl = \"https://exa_mple.org\"\n\n", // 13-16
        "[[individual]]\nname = \"Cy Gamma\"\naffiliation = \"𒀭\"\n", // 17-19
    );
    s.write("signatories.toml", toml);
    let run = s.run(&["check", "--date", "2025-02-13"]).fails(1);
    for needle in [
        "signatories.toml:5:8",
        "\"Dr Ann Alpha\" looks like \"Ann Alpha\"",
        "signatories.toml:8:8",
        "would be sorted under \"Jr.\"",
        "signatories.toml:11:8",
        "has a double space",
        "signatories.toml:15:7",
        "`url` of \"Odd Link\" is malformed",
        "signatories.toml:19:15",
        "U+1202D",
    ] {
        assert!(run.stderr.contains(needle), "missing {needle:?}:\n{}", run.stderr);
    }
    // The character no font has is also refused by the PDF export, as a
    // build would refuse it: reported by both.
    assert!(run.stdout.contains("4 errors and 2 warnings found"), "{}", run.stdout);
}

#[test]
fn invalid_and_unreadable_input() {
    let s = Scratch::new();
    s.write("bad.toml", "[[individual]]\nname = 3\n");
    s.run(&["check", "--signatories", "bad.toml"]).fails(1).stderr_has("bad.toml:2:8");
    s.write("broken.toml", "[[individual\n");
    s.run(&["check", "--signatories", "broken.toml"]).fails(2).stderr_has("invalid TOML");
    s.run(&["check", "--signatories", "missing.toml"]).fails(2);
    s.run(&["check", "--letter", "missing"]).fails(2);
}

#[test]
fn template_errors_are_findings() {
    let s = Scratch::new();
    s.write("letter/main.typ", &format!("{}\n#unknown-function()\n", s.read("letter/main.typ")));
    s.run(&["check"]).fails(1).stderr_has("unknown variable: unknown-function");
}
