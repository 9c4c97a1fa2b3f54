//! CI's PDFs: reproducible, PDF/A-2b and PDF/UA-1 by default, identified by
//! version, with a manifest and previews that match the file. Checked with
//! the tools an archive or a reviewer would use: qpdf, poppler, and the
//! `page` validator for PDF/A and PDF/UA conformance.

use std::process::Command;

use crate::common::{Run, Scratch, tool, validate};
use crate::pdf::Pdf;

const EPOCH: &str = "1739404800"; // 2025-02-13 00:00:00 UTC

fn build_with_epoch(s: &Scratch, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut command = Command::new(crate::common::BIN);
    command.args(args).current_dir(&s.dir).env("SOURCE_DATE_EPOCH", EPOCH);
    for (key, value) in envs {
        command.env(key, value);
    }
    Run::from(command.output().unwrap()).ok()
}

fn sha256_of(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn same_epoch_gives_the_same_bytes_whatever_the_environment() {
    let a = Scratch::new();
    let b = Scratch::new();
    build_with_epoch(&a, &["build", "-o", "a.pdf"], &[]);
    build_with_epoch(
        &b,
        &["build", "-o", "b.pdf"],
        &[("TZ", "Pacific/Kiritimati"), ("LANG", "de_DE.UTF-8"), ("HOME", "/nonexistent")],
    );
    assert_eq!(sha256_of(&a.path("a.pdf")), sha256_of(&b.path("b.pdf")));
    let text = Pdf::open(&a.path("a.pdf")).page_text(1);
    assert!(text.contains("13 February 2025"), "the epoch sets the date:\n{text}");
}

#[test]
fn default_pdf_is_pdf_a_2b_and_pdf_ua_1_and_passes_the_checkers() {
    let s = Scratch::new();
    build_with_epoch(&s, &["build", "-o", "letter.pdf"], &[]);
    let pdf = s.path("letter.pdf");
    let pdf = pdf.to_str().unwrap();

    if let Some(meta) = tool("pdfinfo", &["-meta", pdf]) {
        let xmp = meta.ok().stdout;
        for needle in [
            "<pdfaid:part>2</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "<pdfuaid:part>1</pdfuaid:part>",
            "<rdf:li>en-GB</rdf:li>",
        ] {
            assert!(xmp.contains(needle), "XMP lacks {needle}");
        }
    }
    if let Some(info) = tool("pdfinfo", &[pdf]) {
        let info = info.ok().stdout;
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(info.contains("Title:           Open letter to the Home Secretary"), "{info}");
        assert!(info.contains("Author:          Global Encryption Coalition"), "{info}");
        assert!(info.contains("signatories: 109"), "{info}");
    }
    if let Some(check) = tool("qpdf", &["--check", pdf]) {
        let check = check.ok();
        assert!(
            check.stdout.contains("No syntax or stream encoding errors found"),
            "{}",
            check.stdout
        );
    }
    if let Some(fonts) = tool("pdffonts", &[pdf]) {
        let fonts = fonts.ok().stdout;
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty());
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            let emb = columns[columns.len() - 5];
            assert_eq!(emb, "yes", "not embedded: {row}");
        }
    }
    if let Some(urls) = tool("pdfinfo", &["-url", pdf]) {
        let urls = urls.ok().stdout;
        assert!(urls.contains("https://www.globalencryption.org/about/members/"), "{urls}");
        assert!(
            urls.contains(r#"https://hudoc.echr.coe.int/eng#{"itemid":["001-155105"]}"#),
            "{urls}"
        );
        assert!(urls.contains("http://iptegrity.com"), "{urls}");
    }
    if let Some(failures) = validate(&s.path("letter.pdf"), &["2b", "ua1"]) {
        assert!(failures.is_empty(), "not PDF/A-2b and PDF/UA-1:\n{}", failures.join("\n"));
    }
}

#[test]
fn the_validator_tells_a_plain_pdf_from_an_archival_one() {
    // The validator must be able to fail: a plain PDF is not PDF/A-2b.
    let s = Scratch::new();
    build_with_epoch(&s, &["build", "--pdf-standard", "none", "-o", "plain.pdf"], &[]);
    if let Some(failures) = validate(&s.path("plain.pdf"), &["2b"]) {
        assert!(!failures.is_empty(), "a plain PDF passed as PDF/A-2b");
    }
}

#[test]
fn other_standards_and_none() {
    let s = Scratch::new();
    build_with_epoch(&s, &["build", "--pdf-standard", "a-3b", "-o", "a3.pdf"], &[]);
    build_with_epoch(&s, &["build", "--pdf-standard", "none", "-o", "plain.pdf"], &[]);
    if let Some(meta) = tool("pdfinfo", &["-meta", s.path("a3.pdf").to_str().unwrap()]) {
        assert!(meta.stdout.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(!meta.stdout.contains("pdfuaid"));
    }
    if let Some(failures) = validate(&s.path("a3.pdf"), &["3b"]) {
        assert!(failures.is_empty(), "not PDF/A-3b:\n{}", failures.join("\n"));
    }
    if let Some(meta) = tool("pdfinfo", &["-meta", s.path("plain.pdf").to_str().unwrap()]) {
        assert!(!meta.stdout.contains("pdfaid:part"));
    }
    s.run(&["build", "--pdf-standard", "a-9z"]).fails(2).stderr_has("invalid value 'a-9z'");
    s.run(&["build", "--pdf-standard", "a-1b,ua-1", "-o", "x.pdf"]).fails(1).stderr_has("PDF/UA-1");
    assert!(!s.path("x.pdf").exists());
}

#[test]
fn version_label_goes_into_name_metadata_and_last_page() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("out")).unwrap();
    let run = build_with_epoch(
        &s,
        &[
            "build",
            "--version-label",
            "7",
            "-o",
            "out/{slug}-{date}-{version}.pdf",
            "--manifest",
            "out/{slug}-{date}-{version}.json",
        ],
        &[],
    );
    let name = "out/open-letter-to-the-home-secretary-2025-02-13-7.pdf";
    assert_eq!(run.stdout.lines().next(), Some(name));
    let pdf = Pdf::open(&s.path(name));
    let last = pdf.page_text(pdf.page_count() as u32);
    assert!(last.contains("Version 7 · 109 signatories · 13 February 2025"), "{last}");
    if let Some(info) = tool("pdfinfo", &[s.path(name).to_str().unwrap()]) {
        assert!(info.stdout.contains("version: 7"), "{}", info.stdout);
        assert!(info.stdout.contains("version 7"), "{}", info.stdout);
    }
    s.run(&["build", "-o", "{version}.pdf"]).fails(1).stderr_has("give --version-label");
}

#[test]
fn manifest_matches_the_pdf() {
    let s = Scratch::new();
    build_with_epoch(
        &s,
        &["build", "--version-label", "v2", "-o", "l.pdf", "--manifest", "l.json"],
        &[],
    );
    let manifest = s.read("l.json");
    let pdf = Pdf::open(&s.path("l.pdf"));
    let bytes = std::fs::read(s.path("l.pdf")).unwrap();
    for needle in [
        format!("\"sha256\": \"{}\"", sha256_of(&s.path("l.pdf"))),
        format!("\"size\": {}", bytes.len()),
        format!("\"pages\": {}", pdf.page_count()),
        "\"total\": 109".into(),
        "\"organisations\": 65".into(),
        "\"individuals\": 44".into(),
        "\"date\": \"2025-02-13\"".into(),
        "\"version_label\": \"v2\"".into(),
        "\"a-2b\"".into(),
        "\"ua-1\"".into(),
        format!("\"openletter\": \"{}\"", env!("CARGO_PKG_VERSION")),
        format!(
            "\"path\": \"signatories.toml\",\n      \"sha256\": \"{}\"",
            sha256_of(&s.path("signatories.toml"))
        ),
        format!(
            "\"path\": \"letter/main.typ\",\n      \"sha256\": \"{}\"",
            sha256_of(&s.path("letter/main.typ"))
        ),
        format!(
            "\"path\": \"letter/template.typ\",\n      \"sha256\": \"{}\"",
            sha256_of(&s.path("letter/template.typ"))
        ),
    ] {
        assert!(manifest.contains(&needle), "manifest lacks {needle}:\n{manifest}");
    }
}

#[test]
fn png_previews_one_per_page() {
    let s = Scratch::new();
    std::fs::create_dir(s.path("preview")).unwrap();
    s.write("preview/page-99.png", "the user's own, not a preview");
    build_with_epoch(&s, &["build", "-o", "l.pdf", "--png", "preview"], &[]);
    let pages = Pdf::open(&s.path("l.pdf")).page_count();
    let mut names: Vec<String> = std::fs::read_dir(s.path("preview"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut expected: Vec<String> = (1..=pages).map(|p| format!("page-{p:02}.png")).collect();
    expected.push("page-99.png".into());
    assert_eq!(names, expected, "one PNG per page; a file it did not write is kept");
    let png = std::fs::read(s.path("preview/page-01.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (794, 1123), "A4 at 96 ppi");
}
