//! `openletter watch` follows edits to the text and the signatories, survives
//! an error, and stops cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{Guard, Scratch};
use crate::pdf::Pdf;

#[test]
fn rebuilds_on_every_change_and_keeps_the_last_good_pdf() {
    let s = Scratch::new();
    let mut guard = Guard(
        s.command(&["watch", "--date", "2025-02-13", "-o", "live.pdf"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
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
