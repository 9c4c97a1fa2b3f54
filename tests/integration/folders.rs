//! The folders `publish`, `export-typst` and `new` write, and the files
//! every command writes: nothing of the user's is replaced, a link or a
//! mount point is written through, a failure changes nothing, and the exit
//! code says whether the change was made. Some cases need root (a mount, a
//! chown), as CI runs the tests; they fail loudly where it cannot be had.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::common::{Run, Scratch};

/// 2025-02-17 14:45:00 UTC: a fixed "last updated", so a site's bytes
/// depend on its inputs only.
const EPOCH: &str = "1739803500";

/// Publishes into `dir`, dated 13 February 2025 unless `extra` says.
fn publish(s: &Scratch, dir: &str, extra: &[&str]) -> Run {
    let mut args = vec!["publish", dir];
    if !extra.contains(&"--date") {
        args.extend(["--date", "2025-02-13"]);
    }
    args.extend_from_slice(extra);
    s.run_with(&args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

/// Every file below `dir` (links not followed), with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, fs::read(&path).unwrap_or_default()));
            }
        }
    }
    files.sort();
    files
}

fn names(dir: &Path) -> Vec<String> {
    tree(dir).into_iter().map(|(name, _)| name).collect()
}

/// Runs a command as root would (a mount, a chown), failing the test
/// loudly, naming it, when it cannot be done here.
#[track_caller]
fn root(program: &str, args: &[&str]) {
    let status = std::process::Command::new(program).args(args).status();
    assert!(
        status.as_ref().is_ok_and(|s| s.success()),
        "this test needs `{program} {}` (run the tests as root, as CI does): {status:?}",
        args.join(" ")
    );
}

/// A mount made for a test, undone when the test ends, passed or failed.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path) -> Mount {
        root("mount", &["-t", "tmpfs", "openletter-test", at.to_str().unwrap()]);
        Mount(at.to_owned())
    }

    fn bind(file: &Path, over: &Path) -> Mount {
        root("mount", &["--bind", file.to_str().unwrap(), over.to_str().unwrap()]);
        Mount(over.to_owned())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Issue 16, 1: each command replaces only a folder of its own kind.
#[test]
fn publish_and_export_never_replace_each_others_folders() {
    let s = Scratch::new();
    s.run(&["export-typst", "exp", "--date", "2025-02-13"]).ok();
    let edited = format!("// the designer's change\n{}", s.read("exp/main.typ"));
    s.write("exp/main.typ", &edited);
    s.write("exp/NOTES.md", "the designer's notes");
    let before = tree(&s.path("exp"));
    publish(&s, "exp", &[])
        .refused(1, "holds a Typst project written by `openletter export-typst`");
    assert_eq!(tree(&s.path("exp")), before, "the export is untouched");

    publish(&s, "site", &[]).ok();
    let site = tree(&s.path("site"));
    s.run(&["export-typst", "site", "--date", "2025-02-13"])
        .refused(1, "holds a web site written by `openletter publish`");
    assert_eq!(tree(&s.path("site")), site, "the site is untouched");

    // A folder of the user's that happens to hold a `.openletter` file.
    fs::create_dir(s.path("docs")).unwrap();
    s.write("docs/.openletter", "my own notes about openletter\n");
    s.write("docs/report.txt", "a report");
    for run in [publish(&s, "docs", &[]), s.run(&["export-typst", "docs"])] {
        run.refused(1, "cannot tell which files are yours");
    }
    assert_eq!(names(&s.path("docs")), [".openletter", "report.txt"]);
    assert_eq!(s.read("docs/report.txt"), "a report");

    // An export again: the edited file is named, and kept until asked.
    let run = s.run(&["export-typst", "exp", "--date", "2025-02-14"]);
    run.refused(1, "exp/main.typ").stderr_has("--replace-edited");
    assert_eq!(tree(&s.path("exp")), before);
    s.run(&["export-typst", "exp", "--date", "2025-02-14", "--replace-edited"]).ok();
    assert_ne!(s.read("exp/main.typ"), edited);
    assert_eq!(s.read("exp/NOTES.md"), "the designer's notes");
    assert!(s.read("exp/data.json").contains("14 February 2025"));
}

/// A site published by an openletter from before the record: its plain
/// `.openletter` says nothing of which files it wrote, so it is replaced
/// only when asked, and then every file this run does not write is kept.
#[test]
fn a_site_from_before_the_record_is_replaced_only_when_asked() {
    let s = Scratch::new();
    fs::create_dir(s.path("site")).unwrap();
    s.write("site/.openletter", "written whole by openletter; replaced whole on the next run\n");
    s.write("site/index.html", "the old page");
    s.write("site/CNAME", "letter.example.org\n");
    publish(&s, "site", &[]).refused(1, "an earlier openletter wrote it");
    assert_eq!(s.read("site/index.html"), "the old page");
    publish(&s, "site", &["--replace-edited"]).ok().stderr_has("site/index.html");
    assert!(s.read("site/index.html").starts_with("<!DOCTYPE html>"));
    assert_eq!(s.read("site/CNAME"), "letter.example.org\n");
    assert!(s.read("site/.openletter").contains("\"kind\": \"site\""));
    // From now on the record says which files are openletter's.
    publish(&s, "site", &["--date", "2025-02-14"]).ok();
}

/// Issue 16, 2: a second publish keeps what the user added to the site.
#[test]
fn a_second_publish_keeps_the_users_files() {
    let s = Scratch::with("kit");
    publish(&s, "site", &[]).ok();
    s.write("site/CNAME", "letter.example.org\n");
    s.write("site/.nojekyll", "");
    fs::create_dir(s.path("site/mystuff")).unwrap();
    s.write("site/mystuff/notes.txt", "mine");
    s.write("site/en/notes.txt", "mine too");
    s.write("site/en/preview.png", "an edited preview");
    let first = s.read("site/index.html");

    // The letter changes, and the English translation goes.
    fs::remove_file(s.path("letter/main.en.typ")).unwrap();
    publish(&s, "site", &["--date", "2025-03-01"]).ok().stderr_has("kept `site/en/preview.png`");
    assert_ne!(s.read("site/index.html"), first, "the page is new");
    assert_eq!(s.read("site/CNAME"), "letter.example.org\n");
    assert!(s.path("site/.nojekyll").is_file());
    assert_eq!(s.read("site/mystuff/notes.txt"), "mine");
    // What openletter wrote for the translation went; the user's files, and
    // the one edited since, stay.
    assert_eq!(names(&s.path("site/en")), ["notes.txt", "preview.png"]);
    assert_eq!(s.read("site/en/preview.png"), "an edited preview");

    // A page the user edited is named, not replaced, until asked.
    s.write("site/index.html", "my own page");
    let before = tree(&s.path("site"));
    publish(&s, "site", &[]).refused(1, "site/index.html").stderr_has("--replace-edited");
    assert_eq!(tree(&s.path("site")), before);
    publish(&s, "site", &["--replace-edited"]).ok();
    assert!(s.read("site/index.html").starts_with("<!DOCTYPE html>"));
    assert_eq!(s.read("site/CNAME"), "letter.example.org\n");
}

/// Issue 16, 3: a linked folder is written through, and an existing folder
/// keeps its mode, owner and group.
#[test]
fn a_linked_folder_is_written_through_and_keeps_its_mode_and_owner() {
    let s = Scratch::new();
    fs::create_dir_all(s.path("www/letter")).unwrap();
    std::os::unix::fs::symlink("www/letter", s.path("site")).unwrap();
    for _ in 0..2 {
        publish(&s, "site", &[]).ok();
        assert!(s.path("site").is_symlink(), "the link stays a link");
        assert!(s.path("www/letter/index.html").is_file(), "the served folder is current");
    }

    fs::create_dir(s.path("empty")).unwrap();
    std::os::unix::fs::symlink("empty", s.path("project")).unwrap();
    s.run(&["new", "project"]).ok();
    assert!(s.path("project").is_symlink());
    assert!(s.path("empty/letter/main.typ").is_file());

    // A shared folder: setgid, group-writable, another group.
    for (dir, args) in [("shared-site", vec!["publish"]), ("shared-project", vec!["new"])] {
        fs::create_dir(s.path(dir)).unwrap();
        root("chown", &["root:nogroup", s.path(dir).to_str().unwrap()]);
        fs::set_permissions(s.path(dir), fs::Permissions::from_mode(0o2770)).unwrap();
        let before = fs::metadata(s.path(dir)).unwrap();
        let mut args = args.clone();
        args.push(dir);
        s.run(&args).ok();
        let after = fs::metadata(s.path(dir)).unwrap();
        assert_eq!(after.mode() & 0o7777, 0o2770, "{dir}: mode kept");
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()), "{dir}: owner kept");
        assert_eq!(after.ino(), before.ino(), "{dir}: the same folder");
    }
}

/// Issue 16, 7: when one output cannot be replaced, none is.
#[test]
fn an_output_that_cannot_be_replaced_changes_nothing() {
    let s = Scratch::new();
    let build = |date: &str| {
        s.run(&[
            "build",
            "--date",
            date,
            "-o",
            "out/letter.pdf",
            "--manifest",
            "out/letter.json",
            "--png",
            "out/pages",
        ])
    };
    fs::create_dir(s.path("out")).unwrap();
    build("2025-02-13").ok();
    assert!(s.path("out/pages/page-03.png").is_file(), "the letter has more than 3 pages");
    s.write("pinned.png", "a page 3 that cannot be replaced");
    let _mount = Mount::bind(&s.path("pinned.png"), &s.path("out/pages/page-03.png"));
    let before = tree(&s.path("out"));
    build("2025-02-14").refused(1, "page-03.png");
    assert_eq!(tree(&s.path("out")), before, "every output as it was, and no leftovers");
}

/// Issue 16, 21: folders named as a mount point, `DIR/.`, `.`, and a file
/// path ending in `/`, in plain words rather than a raw OS error.
#[test]
fn folders_named_every_way_are_written_or_refused_in_words() {
    let s = Scratch::new();
    // A mount point: it cannot be renamed, only written into.
    fs::create_dir(s.path("mounted")).unwrap();
    let mount = Mount::tmpfs(&s.path("mounted"));
    publish(&s, "mounted", &[]).ok();
    publish(&s, "mounted", &["--date", "2025-02-14"]).ok();
    assert!(s.read("mounted/index.html").contains("14 February 2025"));
    drop(mount);

    publish(&s, "site", &[]).ok();
    publish(&s, "site/.", &["--date", "2025-02-14"]).ok();
    assert!(s.path("site").is_dir() && s.read("site/index.html").contains("14 February 2025"));

    // `.` in an empty folder, for publish and new.
    fs::create_dir(s.path("here")).unwrap();
    let here = s.path("here");
    let run = s
        .command(&[
            "publish",
            ".",
            "--letter",
            "../letter",
            "--signatories",
            "../signatories.toml",
            "--date",
            "2025-02-13",
        ])
        .current_dir(&here)
        .output()
        .unwrap();
    Run::from(run).ok();
    assert!(here.join("index.html").is_file() && here.join(".openletter").is_file());
    fs::create_dir(s.path("fresh")).unwrap();
    let run = s.command(&["new", "."]).current_dir(s.path("fresh")).output().unwrap();
    Run::from(run).ok();
    assert!(s.path("fresh/letter/main.typ").is_file());

    // A file's path ending in `/`.
    let run = s
        .run(&["build", "-o", "newdir/"])
        .refused(1, "names a folder (it ends in `/`); name a file");
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
    assert!(!s.path("newdir").exists());
}

/// Issue 16, 22: what a killed publish left is cleaned up by the next one;
/// look-alike files of the user's are kept.
#[test]
fn leftovers_of_a_killed_publish_are_cleaned_up() {
    let s = Scratch::new();
    publish(&s, "site", &[]).ok();
    // As a publish killed midway leaves them: an earlier version's staging
    // folder beside the site, temporary files beside its pages.
    let staging = s.path(".site.new-4242-0-000000001.openletter.tmp");
    fs::create_dir(&staging).unwrap();
    fs::write(staging.join("index.html"), "half").unwrap();
    s.write("site/.index.html.4242-1-000000002.openletter.tmp", "half");
    s.write("site/.index.html.old-4242-2-000000003.openletter.tmp", "old");
    // The user's, with names alike but not ours.
    s.write(".site.new-notes", "mine");
    s.write("site/.index.html.bak", "mine");
    publish(&s, "site", &["--date", "2025-02-14"]).ok();
    assert!(!staging.exists());
    let leftovers: Vec<String> =
        names(&s.path("site")).into_iter().filter(|n| n.ends_with(".openletter.tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(s.read(".site.new-notes"), "mine");
    assert_eq!(s.read("site/.index.html.bak"), "mine");
}

/// Issue 16, 23: runs into one new folder at once take turns.
#[test]
fn parallel_runs_into_one_new_folder_take_turns() {
    let s = Scratch::new();
    let start = |args: &[&str]| {
        s.command(args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let runs: Vec<_> =
        (0..8).map(|_| start(&["publish", "site", "--date", "2025-02-13"])).collect();
    for child in runs {
        Run::from(child.wait_with_output().unwrap()).ok();
    }
    assert!(s.path("site/index.html").is_file());

    let runs: Vec<_> = (0..10).map(|_| start(&["new", "project"])).collect();
    let runs: Vec<Run> =
        runs.into_iter().map(|c| Run::from(c.wait_with_output().unwrap())).collect();
    assert_eq!(runs.iter().filter(|r| r.code == 0).count(), 1, "one makes the project");
    for run in runs.into_iter().filter(|r| r.code != 0) {
        run.refused(1, "it is not empty: name a new or empty folder");
    }
    assert!(s.path("project/letter/main.typ").is_file());
}

/// Issue 16, 25: the change is made or not, and the exit code says which:
/// 3 when it was made but stdout could not be written.
#[test]
fn the_exit_code_says_whether_the_change_was_made() {
    let s = Scratch::new();
    let full = |args: &[&str]| {
        let out = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        Run::from(s.command(args).env("SOURCE_DATE_EPOCH", EPOCH).stdout(out).output().unwrap())
    };
    full(&["signatories", "add", "--individual", "Jane Fullstop"])
        .refused(3, "the change itself was made");
    assert!(s.read("signatories.toml").contains("Jane Fullstop"));
    full(&["build", "--date", "2025-02-13", "-o", "full.pdf"]).refused(3, "was made");
    assert!(s.path("full.pdf").is_file());
    full(&["publish", "site", "--date", "2025-02-13"]).refused(3, "was made");
    assert!(s.path("site/index.html").is_file());
    full(&["export-typst", "exp", "--date", "2025-02-13"]).refused(3, "was made");
    assert!(s.path("exp/main.typ").is_file());
    full(&["new", "project"]).refused(3, "was made");
    assert!(s.path("project/letter/main.typ").is_file());
    // Nothing to change: a plain failure.
    let run = full(&["signatories", "list"]).refused(1, "cannot write to standard output");
    assert!(!run.stderr.contains("was made"), "{}", run.stderr);
}

/// A site folder inside a folder that may not be read (or on a file system
/// without locks) is written unlocked, and the run says so, where renaming
/// the folder whole used to fail.
#[test]
fn a_folder_whose_parent_cannot_be_locked_is_written_and_said_so() {
    let s = Scratch::new();
    fs::create_dir_all(s.path("locked/site")).unwrap();
    fs::set_permissions(s.path("locked/site"), fs::Permissions::from_mode(0o777)).unwrap();
    fs::set_permissions(s.path("locked"), fs::Permissions::from_mode(0o311)).unwrap();
    let bin = crate::common::BIN;
    let run = Run::from(
        std::process::Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", bin])
            .args(["publish", "locked/site", "--date", "2025-02-13"])
            .current_dir(&s.dir)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .output()
            .expect("this test needs setpriv (util-linux), run as root as CI does"),
    );
    assert!(
        !run.stderr.contains("Operation not permitted") || run.code == 0,
        "this test needs root to run as nobody: {}",
        run.stderr
    );
    run.ok().stderr_has("cannot lock").stderr_has("is not waited for");
    fs::set_permissions(s.path("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    assert!(s.path("locked/site/index.html").is_file());
}
