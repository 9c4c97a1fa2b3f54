//! Nothing lost, nothing overwritten, no panic: each test tries to break
//! one promise about the files around the letter.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{Guard, Scratch};

const DATE: &str = "2025-02-13";

fn entries(toml: &str) -> usize {
    toml.matches("[[organisation]]").count() + toml.matches("[[individual]]").count()
}

// 1. Concurrent edits.

#[test]
fn twenty_concurrent_adds_keep_twenty() {
    let s = Scratch::new();
    let before = entries(&s.read("signatories.toml"));
    let children: Vec<Guard> = (0..20)
        .map(|i| {
            let name = format!("Concurrent Person{i:02}");
            Guard(
                s.command(&["signatories", "add", "--individual", &name])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    for mut child in children {
        let status = child.0.wait().unwrap();
        assert!(status.success(), "an add failed");
    }
    let toml = s.read("signatories.toml");
    assert_eq!(entries(&toml), before + 20, "{toml}");
    for i in 0..20 {
        assert_eq!(toml.matches(&format!("Concurrent Person{i:02}\"")).count(), 1, "{i}");
    }
    s.run(&["check", "--date", DATE]);
    s.run(&["build", "--date", DATE, "-o", "after.pdf"]).ok();
}

#[test]
fn concurrent_removes_and_adds_neither_resurrect_nor_lose() {
    let s = Scratch::new();
    let toml = s.read("signatories.toml");
    let before = entries(&toml);
    let victims = [
        "Eric Mill",
        "Access Now",
        "ARTICLE 19",
        "Chayn",
        "Bits of Freedom",
        "Chaos Computer Club",
    ];
    for victim in victims {
        assert!(toml.lines().any(|l| l == format!("name = \"{victim}\"")), "{victim}");
    }
    let mut children = Vec::new();
    for (i, victim) in victims.iter().enumerate() {
        children.push(Guard(
            s.command(&["signatories", "remove", victim]).stdout(Stdio::null()).spawn().unwrap(),
        ));
        let name = format!("Newcomer Number{i}");
        children.push(Guard(
            s.command(&["signatories", "add", "--individual", &name])
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        ));
    }
    for mut child in children {
        assert!(child.0.wait().unwrap().success());
    }
    let toml = s.read("signatories.toml");
    assert_eq!(entries(&toml), before, "{toml}");
    for (i, victim) in victims.iter().enumerate() {
        let listed = toml.lines().any(|l| l == format!("name = \"{victim}\""));
        assert!(!listed, "{victim} came back");
        assert!(toml.contains(&format!("Newcomer Number{i}")), "an add was lost");
    }
}

#[test]
fn an_add_during_a_long_import_is_kept() {
    let s = Scratch::new();
    let mut csv = String::from("Name,Affiliation\n");
    for i in 0..3000 {
        csv.push_str(&format!("Imported Person{i:04},Somewhere\n"));
    }
    s.write("big.csv", &csv);
    let before = entries(&s.read("signatories.toml"));
    let import = Guard(
        s.command(&["signatories", "import", "big.csv"]).stdout(Stdio::null()).spawn().unwrap(),
    );
    std::thread::sleep(Duration::from_millis(30));
    s.run(&["signatories", "add", "--individual", "Latecomer Person"]).ok();
    let mut import = import;
    assert!(import.0.wait().unwrap().success());
    let toml = s.read("signatories.toml");
    assert!(toml.contains("Latecomer Person"), "the add was erased");
    assert_eq!(entries(&toml), before + 3001);
}

// 2. Outputs that are inputs.

#[test]
fn no_output_may_be_an_input_or_named_twice() {
    let s = Scratch::new();
    std::fs::hard_link(s.path("signatories.toml"), s.path("hard.pdf")).unwrap();
    std::os::unix::fs::symlink("signatories.toml", s.path("soft.pdf")).unwrap();
    let list = s.read("signatories.toml");
    let main = s.read("letter/main.typ");
    let cases: [(&[&str], &str); 7] = [
        (&["-o", "signatories.toml"], "is the signatories file"),
        (&["-o", "hard.pdf"], "is the signatories file"),
        (&["-o", "soft.pdf"], "is the signatories file"),
        (&["-o", "letter/main.typ"], "inside the letter folder"),
        (&["-o", "./letter/../letter/new.pdf"], "inside the letter folder"),
        (&["-o", "x.pdf", "--manifest", "signatories.toml"], "is the signatories file"),
        (&["-o", "x.pdf", "--manifest", "./x.pdf"], "also named by -o"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["build", "--date", DATE];
        args.extend_from_slice(extra);
        s.run(&args).refused(1, needle);
        assert_eq!(s.read("signatories.toml"), list, "{extra:?} touched the list");
        assert_eq!(s.read("letter/main.typ"), main);
        assert!(!s.path("x.pdf").exists());
    }
    s.run(&["build", "--date", DATE, "-o", "{slug}.pdf", "--manifest", "{slug}.pdf"])
        .refused(1, "also named by -o");
}

// 3. export-typst keeps to the letter folder and writes all or nothing.

#[test]
fn export_never_copies_what_the_build_cannot_read() {
    let s = Scratch::new();
    let secret = Scratch::new();
    secret.write("secret.txt", "not for export");
    std::os::unix::fs::symlink(secret.path("secret.txt"), s.path("letter/notes.txt")).unwrap();
    s.run(&["export-typst", "out", "--date", DATE]).refused(1, "letter/notes.txt");
    assert!(!s.path("out").exists(), "a refused export wrote something");
    std::fs::remove_file(s.path("letter/notes.txt")).unwrap();

    std::os::unix::fs::symlink(&secret.dir, s.path("letter/up")).unwrap();
    s.run(&["export-typst", "out", "--date", DATE]).refused(1, "letter/up");
    assert!(!s.path("out").exists());
    std::fs::remove_file(s.path("letter/up")).unwrap();

    s.run(&["export-typst", "letter/out", "--date", DATE]).refused(1, "overlaps the letter folder");
    s.run(&["export-typst", "letter", "--date", DATE]).refused(1, "overlaps the letter folder");

    std::fs::create_dir(s.path("mine")).unwrap();
    s.write("mine/keep.txt", "the user's");
    s.run(&["export-typst", "mine", "--date", DATE]).refused(1, "not empty");
    assert_eq!(s.read("mine/keep.txt"), "the user's");

    s.run(&["export-typst", "out", "--date", DATE]).ok();
    let leftovers: Vec<String> = s.names().into_iter().filter(|n| n.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // An earlier export is replaced whole.
    s.run(&["export-typst", "out", "--date", "2025-02-20"]).ok();
    assert!(s.read("out/data.json").contains("20 February 2025"));
}

// 4. Edits keep links, mode, owner and hard links.

#[test]
fn edits_go_through_links_and_keep_mode_owner_and_hard_links() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("private")).unwrap();
    std::fs::rename(s.path("signatories.toml"), s.path("private/list.toml")).unwrap();
    std::os::unix::fs::symlink("private/list.toml", s.path("signatories.toml")).unwrap();
    std::fs::set_permissions(s.path("private/list.toml"), PermissionsExt::from_mode(0o640))
        .unwrap();
    let root = unsafe { libc_geteuid() } == 0;
    if root {
        std::os::unix::fs::chown(s.path("private/list.toml"), Some(1234), Some(2345)).unwrap();
    }
    s.run(&["signatories", "add", "--individual", "Linked Person"]).ok();
    let link = std::fs::symlink_metadata(s.path("signatories.toml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced by a file");
    let target = std::fs::metadata(s.path("private/list.toml")).unwrap();
    assert!(s.read("private/list.toml").contains("Linked Person"));
    assert_eq!(target.mode() & 0o7777, 0o640);
    if root {
        assert_eq!((target.uid(), target.gid()), (1234, 2345));
    }

    std::fs::set_permissions(s.path("private/list.toml"), PermissionsExt::from_mode(0o600))
        .unwrap();
    std::fs::hard_link(s.path("private/list.toml"), s.path("private/copy.toml")).unwrap();
    s.run(&["signatories", "remove", "Linked Person"]).ok();
    assert!(!s.read("private/copy.toml").contains("Linked Person"), "the hard link was split");
    assert_eq!(std::fs::metadata(s.path("private/copy.toml")).unwrap().nlink(), 2);
    assert_eq!(std::fs::metadata(s.path("private/list.toml")).unwrap().mode() & 0o7777, 0o600);
    let leftovers: Vec<String> = std::fs::read_dir(s.path("private"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

// 5. All outputs of one build, or none.

#[test]
fn a_failed_manifest_or_preview_leaves_every_output_as_it_was() {
    let s = Scratch::new();
    s.run(&["build", "--date", DATE, "-o", "l.pdf", "--manifest", "l.json", "--png", "png"]).ok();
    let pdf = std::fs::read(s.path("l.pdf")).unwrap();
    let json = s.read("l.json");
    let png = std::fs::read(s.path("png/page-01.png")).unwrap();
    // A later build whose manifest, then whose previews, cannot be written.
    let later = |manifest: &str, png: &str| {
        s.run(&[
            "build",
            "--date",
            "2025-02-20",
            "-o",
            "l.pdf",
            "--manifest",
            manifest,
            "--png",
            png,
        ])
    };
    later("missing/l.json", "png").refused(1, "missing");
    assert_eq!(std::fs::read(s.path("l.pdf")).unwrap(), pdf, "the PDF was replaced");
    assert_eq!(std::fs::read(s.path("png/page-01.png")).unwrap(), png, "previews out of step");
    s.write("blocker", "a file where the previews' folder should be");
    later("l.json", "blocker").refused(1, "is a file");
    assert_eq!(std::fs::read(s.path("l.pdf")).unwrap(), pdf);
    assert_eq!(s.read("l.json"), json);
    let leftovers: Vec<String> = s.names().into_iter().filter(|n| n.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// 6. Previews remove only what they wrote.

#[test]
fn previews_remove_only_their_own_files() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("png")).unwrap();
    for mine in ["page-cover.png", "page-01-final.png", "page-99.png"] {
        s.write(&format!("png/{mine}"), "the user's own");
    }
    s.run(&["build", "--date", DATE, "--png", "png", "--png-ppi", "20"]).ok();
    assert!(s.path("png/page-05.png").is_file());
    // A shorter letter: its earlier fifth page goes, the user's files stay.
    let short = "[[organisation]]\nname = \"Only One\"\n";
    s.write("signatories.toml", short);
    s.run(&["build", "--date", DATE, "--png", "png", "--png-ppi", "20"]).ok();
    assert!(!s.path("png/page-05.png").exists(), "a stale preview stayed");
    for mine in ["page-cover.png", "page-01-final.png", "page-99.png"] {
        assert_eq!(s.read(&format!("png/{mine}")), "the user's own", "{mine} was touched");
    }
    s.run(&["build", "--date", DATE, "--png", "letter"]).refused(1, "inside the letter folder");
    s.run(&["build", "--date", DATE, "--png", "letter/png"]).refused(1, "inside the letter folder");
}

// 7. Temporary files: unique, and leftovers cleaned up.

#[test]
fn leftovers_of_a_killed_writer_block_nothing_and_are_cleaned() {
    let s = Scratch::new();
    // What a writer killed mid-save leaves; old and new naming schemes.
    for name in [".signatories.toml.1.tmp", ".signatories.toml.1-0-000000001.openletter.tmp"] {
        s.write(name, "half a file");
    }
    s.run(&["signatories", "add", "--individual", "After Crash"]).ok();
    assert!(!s.path(".signatories.toml.1-0-000000001.openletter.tmp").exists(), "not cleaned");
    assert_eq!(s.read(".signatories.toml.1.tmp"), "half a file", "not ours to remove");
    s.run(&["build", "--date", DATE, "-o", "a.pdf"]).ok();
}

// 8. Placeholders cannot lead a file elsewhere.

#[test]
fn placeholders_become_one_safe_file_name_part() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("out")).unwrap();
    let run = s
        .run(&[
            "build",
            "--date",
            DATE,
            "--version-label",
            "../../escaped",
            "-o",
            "out/{version}.pdf",
        ])
        .ok();
    assert_eq!(run.stdout.trim(), "out/escaped.pdf");
    assert!(s.path("out/escaped.pdf").is_file());
    assert_eq!(s.names().iter().filter(|n| n.ends_with(".pdf")).count(), 0);
}

// 9. Broken pipes and full disks.

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_an_error() {
    let s = Scratch::new();
    let mut child = s
        .command(&["signatories", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    // Exit 1: nothing was changed; 3: the PDF was written, only its report
    // was not.
    for (args, code) in
        [(&["signatories", "list"][..], 1), (&["build", "--date", DATE, "-o", "p.pdf"], 3)]
    {
        let full = std::fs::File::options().write(true).open("/dev/full").unwrap();
        let output = s.command(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains("cannot write to standard output"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

// 10. Dates.

#[test]
fn dates_are_four_digit_years() {
    let s = Scratch::new();
    for epoch in ["253402300800", "-99999999999", "1e9"] {
        s.run_with(&["build"], &[("SOURCE_DATE_EPOCH", epoch)]).refused(2, "SOURCE_DATE_EPOCH");
    }
    for date in ["0000-01-01", "+202-01-01", "20250-01-01", "2025-02-30"] {
        s.run(&["build", "--date", date]).refused(2, "--date");
    }
    assert!(!s.names().iter().any(|n| n.ends_with(".pdf")));
    s.run_with(&["build", "-o", "e.pdf"], &[("SOURCE_DATE_EPOCH", "1739404800")]).ok();
}

// 11. Valid TOML that edits cannot keep intact.

#[test]
fn inline_lists_are_refused_by_edits_not_a_panic() {
    let s = Scratch::new();
    let text = "organisation = [ { name = \"A Org\" }, { name = \"B Org\" } ]\n";
    s.write("signatories.toml", text);
    s.write("rows.csv", "Name\nNew Person\n");
    s.run(&["build", "--date", DATE, "-o", "ok.pdf"]).ok();
    s.run(&["signatories", "add", "--individual", "New Person"]).refused(1, "inline list");
    s.run(&["signatories", "remove", "A Org"]).refused(1, "inline list");
    s.run(&["signatories", "import", "rows.csv"]).refused(1, "inline list");
    assert_eq!(s.read("signatories.toml"), text);
}

// 12. Preview resolution.

#[test]
fn preview_resolution_is_bounded() {
    let s = Scratch::new();
    for ppi in ["100000", "0", "-5", "NaN", "inf", "9"] {
        s.run(&["build", "--date", DATE, "--png", "png", &format!("--png-ppi={ppi}")])
            .refused(2, "--png-ppi");
    }
    assert!(!s.path("png").exists());
}

// 13. Hangs: the watch loop, links to `/`, FIFOs, endless inputs.

#[test]
fn watch_refuses_outputs_it_would_watch() {
    let s = Scratch::new();
    let started = Instant::now();
    s.run(&["watch", "--date", DATE, "-o", "letter/out.pdf"])
        .refused(1, "inside the letter folder");
    s.run(&["watch", "--date", DATE, "--png", "letter/png"]).refused(1, "inside the letter folder");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_link_to_the_root_does_not_stall_watch() {
    let s = Scratch::new();
    std::os::unix::fs::symlink("/", s.path("letter/root")).unwrap();
    let mut child = Guard(
        s.command(&["watch", "--date", DATE, "-o", "live.pdf"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("first build"), "{line}");
    std::process::Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "Ctrl-C was ignored");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn pipes_devices_and_endless_inputs_are_refused() {
    let s = Scratch::new();
    let fifo = s.path("letter/fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // A FIFO nobody reads is harmless; one the letter reads is refused.
    s.run(&["build", "--date", DATE, "-o", "a.pdf"]).ok();
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &format!("{main}\n#read(\"fifo\")\n"));
    s.run(&["build", "--date", DATE, "-o", "b.pdf"]).refused(1, "not a regular file");
    s.run(&["export-typst", "out", "--date", DATE]).refused(1, "is not a regular file");
    s.write("letter/main.typ", &main);

    s.run(&["build", "--date", DATE, "--signatories", "/dev/zero"])
        .refused(2, "not a regular file");
    s.run(&["signatories", "--signatories", "/dev/zero", "add", "--individual", "X Y"])
        .refused(2, "not a regular file");

    s.write(
        "letter/main.typ",
        &format!(
            "{main}\n#let s = \"openletter\"\n#for i in range(64) {{ s = s + s }}\n#s.len()\n"
        ),
    );
    s.run_with(&["build", "--date", DATE, "-o", "c.pdf"], &[("OPENLETTER_MAX_MEMORY", "1024")])
        .refused(1, "out of memory");
    assert!(!s.path("c.pdf").exists());
}

// 14. Validation at load, naming the entry.

#[test]
fn unprintable_and_oversized_values_are_refused_at_load() {
    let s = Scratch::new();
    let good = s.read("signatories.toml");
    let line = good.lines().count() + 3;
    s.write(
        "signatories.toml",
        &format!("{good}\n[[individual]]\nname = \"Bell \\u0007 Ringer\"\n"),
    );
    s.run(&["build", "--date", DATE])
        .refused(1, &format!("signatories.toml:{line}:8"))
        .stderr_has("control character (U+0007)");
    s.run(&["check", "--date", DATE]).refused(1, "U+0007");

    let long = "x".repeat(40_000);
    s.write("signatories.toml", &format!("{good}\n[[individual]]\nname = \"{long}\"\n"));
    s.run(&["build", "--date", DATE]).refused(1, "characters long");
    let url = format!("https://example.org/{}", "a".repeat(3000));
    s.write(
        "signatories.toml",
        &format!("{good}\n[[organisation]]\nname = \"Long Link\"\nurl = \"{url}\"\n"),
    );
    s.run(&["build", "--date", DATE]).refused(1, "Long Link");

    s.write("signatories.toml", &good);
    s.run(&["signatories", "add", "--individual", "Bell \u{7} Ringer"])
        .refused(1, "control character");
    s.run(&["signatories", "add", "--individual", &long]).refused(1, "characters long");
    s.write("rows.csv", &format!("Name\n\"Line\nBreak\"\n{long}\nFine Person\n"));
    let run = s.run(&["signatories", "import", "rows.csv"]);
    assert!(
        run.stdout.contains("line break") && run.stdout.contains("characters long"),
        "{}",
        run.stdout
    );
    assert_eq!(s.read("signatories.toml").matches("Fine Person").count(), 1);
    s.run(&["build", "--date", DATE, "-o", "ok.pdf"]).ok();
}

// 15. Clear messages.

#[test]
fn messages_name_what_is_wrong() {
    let s = Scratch::new();
    s.run(&["build", "--letter", "signatories.toml"]).refused(2, "is a file");
    s.run(&["build", "-o", ""]).refused(2, "--output");
    s.write("file.png", "");
    s.run(&["build", "--date", DATE, "--png", "file.png"]).refused(1, "is a file");
    s.run(&["build", "--pdf-standard", ","]).refused(2, "--pdf-standard");
    s.run(&["build", "--pdf-standard", "a-2b,none"]).refused(1, "cannot be combined");

    let mut latin1 = b"[[individual]]\nname = \"Ren".to_vec();
    latin1.push(0xE9);
    latin1.extend_from_slice(b"e\"\n");
    std::fs::write(s.path("signatories.toml"), latin1).unwrap();
    s.run(&["build", "--date", DATE]).refused(2, "signatories.toml:2:12").stderr_has("not UTF-8");

    s.write("signatories.toml", "[[individual]]\nname = \"Ann Alpha\"\n");
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &format!("{main}\n#read(\"../../signatories.toml\")\n"));
    let run = s.run(&["build", "--date", DATE]).refused(1, "escape");
    assert!(!run.stderr.contains("--root"), "{}", run.stderr);
}

#[test]
fn check_refuses_what_only_the_pdf_export_refuses() {
    let s = Scratch::new();
    s.write("letter/dot.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>");
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &format!("{main}\n#image(\"dot.svg\", width: 1cm)\n"));
    let build = s.run(&["build", "--date", DATE, "-o", "x.pdf"]).refused(1, "alt");
    let check = s.run(&["check", "--date", DATE]).fails(1);
    let first = |text: &str| text.lines().find(|l| l.starts_with("error")).unwrap_or("").to_owned();
    assert_eq!(first(&check.stderr), first(&build.stderr), "{}", check.stderr);
    assert!(!s.path("x.pdf").exists());
}
