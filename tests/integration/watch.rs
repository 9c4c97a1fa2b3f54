//! `openletter watch` follows edits to the text and the signatories, survives
//! an error, and stops cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{Guard, Scratch};
use crate::pdf::Pdf;

#[test]
fn rebuilds_on_every_change_and_keeps_the_last_good_pdf() {
    let s = Scratch::new();
    let mut guard = watching(&mut s.command(&WATCH), Stdio::piped());
    let child = &mut guard.0;
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let next = || lines.recv_timeout(Duration::from_secs(20)).expect("watch printed a line");

    let first = next();
    assert!(first.contains("first build: ") && first.contains("109 signatories"), "{first}");

    let main = s.read("letter/main.typ");
    s.write(
        "letter/main.typ",
        &main.replace("call on the UK Home Office", "call upon the UK Home Office"),
    );
    let line = next();
    assert!(line.contains("letter/main.typ changed: ") && line.contains("ms → live.pdf"), "{line}");
    assert!(Pdf::open(&s.path("live.pdf")).page_text(1).contains("call upon the UK Home Office"));

    let toml = s.read("signatories.toml");
    s.write("signatories.toml", &format!("{toml}\n[[individual]]\nname = \"Jane Doe\"\n"));
    let line = next();
    assert!(
        line.contains("signatories.toml changed: ") && line.contains("110 signatories"),
        "{line}"
    );

    let good = std::fs::read(s.path("live.pdf")).unwrap();
    s.write("signatories.toml", &format!("{toml}\n[[individual]\nname = \"Jane Doe\"\n"));
    let line = next();
    assert!(line.contains("failed; the last good PDF is kept"), "{line}");
    s.write("letter/main.typ", &format!("{main}\n#unknown-call()\n"));
    assert!(next().contains("failed; the last good PDF is kept"));
    assert_eq!(
        std::fs::read(s.path("live.pdf")).unwrap(),
        good,
        "a failed rebuild touched the PDF"
    );

    s.write("signatories.toml", &toml);
    s.write("letter/main.typ", &main);
    let mut line = next();
    while line.contains("failed") {
        line = next();
    }
    assert!(line.contains("109 signatories"), "fixing the files resumes: {line}");

    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "Ctrl-C ends watch cleanly: {status:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("unknown variable: unknown-call"), "{stderr}");
    assert!(stderr.contains("stopped watching"), "{stderr}");
}

/// `watch` of the scratch letter, as the tests run it.
const WATCH: [&str; 5] = ["watch", "--date", "2025-02-13", "-o", "live.pdf"];

/// Starts `command` with stdout as given and stderr piped; the guard ends it.
fn watching(command: &mut Command, stdout: Stdio) -> Guard {
    Guard(command.stdout(stdout).stderr(Stdio::piped()).spawn().unwrap())
}

/// Sends Ctrl-C's signal to a process.
fn interrupt(child: &Child) {
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
}

/// How a process ended, if it ended within `limit`.
fn ends_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// The lines a stream prints, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    lines
}

#[test]
fn a_runaway_template_fails_one_build_and_the_watch_goes_on() {
    let s = Scratch::new();
    let mut guard =
        watching(s.command(&WATCH).env("OPENLETTER_MAX_MEMORY", "256M"), Stdio::piped());
    let child = &mut guard.0;
    let lines = lines_of(child.stdout.take().unwrap());
    let errors = lines_of(child.stderr.take().unwrap());
    let stderr = || errors.try_iter().collect::<Vec<String>>().join("\n");
    let next = || match lines.recv_timeout(Duration::from_secs(60)) {
        Ok(line) => line,
        Err(_) => panic!("watch printed no line; stderr:\n{}", stderr()),
    };
    assert!(next().contains("first build: "));
    let good = std::fs::read(s.path("live.pdf")).unwrap();

    // Saved as editors do, a new file renamed over the old: watch never
    // sees half a file.
    let save = |text: &str| {
        s.write("letter/main.typ.new", text);
        std::fs::rename(s.path("letter/main.typ.new"), s.path("letter/main.typ")).unwrap();
    };
    let main = s.read("letter/main.typ");
    let runaway = "#let s = \"openletter\"\n#for i in range(64) { s = s + s }\n#s.len()\n";
    save(&format!("{main}\n{runaway}"));
    let line = next();
    assert!(line.contains("failed; the last good PDF is kept"), "{line}");
    assert_eq!(std::fs::read(s.path("live.pdf")).unwrap(), good, "a failed build touched the PDF");
    assert!(child.try_wait().unwrap().is_none(), "watch ended with the build");

    save(&main.replace("call on the UK Home Office", "call upon the UK Home Office"));
    let line = next();
    assert!(line.contains("letter/main.typ changed: ") && line.contains("→ live.pdf"), "{line}");
    assert!(Pdf::open(&s.path("live.pdf")).page_text(1).contains("call upon the UK Home Office"));

    interrupt(child);
    let status = ends_within(child, Duration::from_secs(20)).expect("Ctrl-C ends watch");
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(200));
    let stderr = stderr();
    assert!(stderr.contains("needs more than 256 MiB (OPENLETTER_MAX_MEMORY)"), "{stderr}");
    assert!(stderr.contains("stopped watching"), "{stderr}");
}

#[test]
fn a_second_ctrl_c_stops_a_long_build_at_once() {
    let s = Scratch::new();
    let main = s.read("letter/main.typ");
    // Minutes of work in very little memory: the default ceiling never bites.
    let endless = "#for i in range(100000) { for j in range(100000) { } }\n";
    s.write("letter/main.typ", &format!("{main}\n{endless}"));
    let mut guard = watching(s.command(&WATCH).env_remove("OPENLETTER_MAX_MEMORY"), Stdio::null());
    let child = &mut guard.0;
    std::thread::sleep(Duration::from_secs(2));
    interrupt(child);
    // The first Ctrl-C lets the build finish (none is cut off by a stray
    // key); the second stops it.
    assert!(ends_within(child, Duration::from_millis(700)).is_none(), "the first Ctrl-C");
    interrupt(child);
    let status = ends_within(child, Duration::from_secs(5)).expect("a second Ctrl-C stops watch");
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(!s.path("live.pdf").exists());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("Ctrl-C again to stop now"), "{stderr}");
}

#[test]
fn ctrl_c_ends_a_wait_for_another_commands_lock() {
    let s = Scratch::new();
    let held =
        std::fs::File::options().read(true).write(true).open(s.path("signatories.toml")).unwrap();
    held.lock().unwrap();
    let mut guard = watching(&mut s.command(&WATCH), Stdio::null());
    let child = &mut guard.0;
    let lines = lines_of(child.stderr.take().unwrap());
    let said = lines.recv_timeout(Duration::from_secs(20)).expect("watch says it waits");
    assert!(said.contains("waiting for another openletter command"), "{said}");
    interrupt(child);
    let status = ends_within(child, Duration::from_secs(10)).expect("Ctrl-C ends the wait");
    assert!(status.success(), "{status:?}");
    assert!(!s.path("live.pdf").exists());
    drop(held);
}

#[test]
fn watch_says_when_the_letter_folder_holds_too_many_files() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("letter/many")).unwrap();
    for i in 0..10_001 {
        std::fs::write(s.path(&format!("letter/many/{i:05}.txt")), "").unwrap();
    }
    let mut guard = watching(&mut s.command(&WATCH), Stdio::null());
    let child = &mut guard.0;
    let status = ends_within(child, Duration::from_secs(60)).expect("watch says it and stops");
    assert_eq!(status.code(), Some(2), "{status:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("holds more than 10000 files"), "{stderr}");
}
