//! Values on the command line and in the letter's files that used to get a
//! raw or wrong message: labels, values starting with `-`, the words `new`
//! prints, text files that are not files or not UTF-8, placeholders.

use crate::common::{Command, Scratch};

const DATE: [&str; 2] = ["--date", "2025-02-13"];

#[test]
fn a_version_label_is_one_line_of_visible_text() {
    let s = Scratch::new();
    let long = "7".repeat(40_000);
    for (label, said) in [
        ("7\u{7}", "a control character (U+0007) at character 2"),
        ("7\nInjected line", "a line break (U+000A) at character 2"),
        ("7\u{202E}1", "a bidirectional control"),
        ("7\u{200B}", "an invisible character"),
        ("  ", "is empty"),
        (long.as_str(), "is 40000 characters long"),
    ] {
        let run = s
            .run(&["build", DATE[0], DATE[1], "--version-label", label, "-o", "x.pdf"])
            .refused(2, said);
        assert!(run.stderr.contains("--version-label"), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{7}'), "the bell reached the terminal");
        assert!(!s.path("x.pdf").exists());
    }
    s.run(&["build", DATE[0], DATE[1], "--version-label", "v7.1-rc (2025)", "-o", "x.pdf"]).ok();
}

#[test]
fn a_version_label_in_another_script_is_printed_or_refused_early() {
    let s = Scratch::new();
    let build =
        |label: &str| s.run(&["build", DATE[0], DATE[1], "--version-label", label, "-o", "x.pdf"]);
    // The script fonts join the letter for the label as for a name.
    build("第7版").ok();
    let text = crate::pdf::Pdf::open(&s.path("x.pdf")).pages_text().join("\n");
    assert!(text.contains("第") && text.contains("版"), "{text}");
    std::fs::remove_file(s.path("x.pdf")).unwrap();
    // A character no font has is named before anything is typeset.
    build("7\u{E000}").refused(1, "--version-label has").stderr_has("U+E000");
    assert!(!s.path("x.pdf").exists());
}

#[test]
fn values_starting_with_a_dash_are_taken_where_unambiguous() {
    let s = Scratch::new();
    s.run(&["signatories", "add", "--individual", "-X Ample", "--affiliation", "-ish"]).ok();
    let list = s.run(&["signatories", "list"]).ok().stdout;
    assert!(list.contains("-X Ample"), "{list}");
    s.run(&["signatories", "edit", "-X Ample", "--affiliation", "-er"]).ok();
    std::fs::copy(s.path("signatories.toml"), s.path("-old.toml")).unwrap();
    s.run(&["signatories", "remove", "-X Ample"]).ok();
    let diff = s.run(&["signatories", "diff", "--json", "-old.toml", "signatories.toml"]).ok();
    assert!(diff.stdout.contains("-X Ample"), "{}", diff.stdout);
    assert!(!s.read("signatories.toml").contains("-X Ample"));
    s.run(&["build", DATE[0], DATE[1], "-o", "-x.pdf"]).ok();
    assert!(s.path("-x.pdf").is_file());
}

#[test]
fn new_prints_a_command_the_shell_reads_as_written() {
    let s = Scratch::new();
    for dir in ["x; touch PWNED", "-dash", "it's $(touch PWNED)"] {
        let run = s.run(&["new", dir]).ok();
        let line = run.stdout.lines().find(|l| l.starts_with("cd ")).unwrap();
        let check = line.replace("&& openletter build", "&& pwd");
        assert_ne!(check, line, "{line}");
        let out = Command::new("sh").args(["-c", &check]).current_dir(&s.dir).output().unwrap();
        assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
        let pwd = String::from_utf8_lossy(&out.stdout);
        assert!(pwd.trim_end().ends_with(dir), "{line} went to {pwd}");
        assert!(!s.path("PWNED").exists(), "{line} ran a command");
    }
}

#[test]
fn a_text_that_is_no_file_is_named_for_what_it_is() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("letter/main.de.typ")).unwrap();
    s.run(&["build", DATE[0], DATE[1], "--lang", "de"])
        .refused(2, "main.de.typ` is a folder, not a file");
    s.run(&["build", DATE[0], DATE[1], "--all-languages"]).refused(2, "is a folder, not a file");
    std::fs::remove_dir(s.path("letter/main.de.typ")).unwrap();
    let fifo = Command::new("mkfifo").arg(s.path("letter/main.fr.typ")).status().unwrap();
    assert!(fifo.success());
    s.run(&["build", DATE[0], DATE[1], "--lang", "fr"])
        .refused(2, "main.fr.typ` is a pipe (FIFO), not a file");
}

#[test]
fn a_latin1_text_is_named_with_the_line_and_column() {
    let s = Scratch::new();
    let mut text = std::fs::read(s.path("letter/main.typ")).unwrap();
    let lines = text.iter().filter(|b| **b == b'\n').count();
    text.extend_from_slice(b"\nCaf\xe9 au lait\n");
    std::fs::write(s.path("letter/main.typ"), text).unwrap();
    let said = format!("main.typ` is not UTF-8: byte 0xE9 at line {}, column 4", lines + 2);
    s.run(&["build", DATE[0], DATE[1]]).refused(1, &said);
}

#[test]
fn an_unknown_placeholder_lists_every_one() {
    let s = Scratch::new();
    let run = s.run(&["build", DATE[0], DATE[1], "-o", "out/{title}.pdf"]).fails(1);
    for known in ["{date}", "{slug}", "{version}", "{lang}"] {
        assert!(run.stderr.contains(known), "{known} not listed:\n{}", run.stderr);
    }
}

#[test]
fn the_current_folder_as_the_project_is_named() {
    let s = Scratch::new();
    let outside = std::env::temp_dir().join(format!("openletter-outside-{}", std::process::id()));
    std::fs::write(&outside, "outside").unwrap();
    std::os::unix::fs::symlink(&outside, s.path("letter/outside.txt")).unwrap();
    let mut text = s.read("letter/main.typ");
    text.push_str("\n#read(\"outside.txt\")\n");
    s.write("letter/main.typ", &text);
    let run = s.run(&["build", DATE[0], DATE[1]]).fails(1);
    let _ = std::fs::remove_file(&outside);
    assert!(!run.stderr.contains("``"), "an empty folder name:\n{}", run.stderr);
    let here = s.dir.canonicalize().unwrap();
    assert!(run.stderr.contains(&format!("project folder `{}`", here.display())), "{}", run.stderr);
}
