//! `openletter build` as a user runs it: the PDF carries the seed letter.

use crate::common::Scratch;
use crate::pdf::Pdf;

/// Builds the repository's letter for the seed's date, once per test.
fn seed_letter() -> (Scratch, Pdf) {
    let scratch = Scratch::new();
    let run = scratch.run(&["build", "--date", "2025-02-13", "-o", "letter.pdf"]).ok();
    assert_eq!(run.stdout.trim(), "letter.pdf", "the output path is printed");
    let pdf = Pdf::open(&scratch.path("letter.pdf"));
    (scratch, pdf)
}

/// Text with line breaks and hyphenation folded, for phrase searches.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace("- ", "-")
}

#[test]
fn pages_are_a4_with_the_header_on_every_one() {
    let (_s, pdf) = seed_letter();
    assert!(pdf.page_count() >= 4, "letter plus signatories: {} pages", pdf.page_count());
    for (i, (w, h)) in pdf.page_sizes().into_iter().enumerate() {
        assert!((w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5, "page {} is {w}x{h}", i + 1);
    }
    for (i, text) in pdf.pages_text().iter().enumerate() {
        assert!(
            flat(text).contains("Global Encryption Coalition"),
            "page {} lacks the header:\n{text}",
            i + 1
        );
    }
}

#[test]
fn carries_the_date_recipient_and_every_paragraph() {
    let (_s, pdf) = seed_letter();
    let first = flat(&pdf.page_text(1));
    assert!(first.contains("13 February 2025"), "{first}");
    assert!(first.contains("To The Rt Hon Yvette Cooper MP,"), "{first}");
    let all = flat(&pdf.pages_text().join(" "));
    for phrase in [
        "The undersigned civil society organizations, companies, and cybersecurity experts",
        "Investigatory Powers Act 2016 s.253 (IP Act)",
        "there is no way to provide government access to end-to-end encrypted data",
        "E2EE [end-to-end encryption] must expand, legally unfettered",
        "riddled with secret UK government-mandated security vulnerabilities",
        "European Court of Human Rights (ECtHR)",
        "domestic violence survivors",
        "extortion or coercion attempts",
        "the Home Office must end its technical capability notice forcing Apple to break its end-to-end encryption.",
        "Signatories*",
        "*Affiliations listed for identification purposes only",
    ] {
        assert!(all.contains(phrase), "missing {phrase:?}");
    }
}

#[test]
fn footnotes_link_their_full_addresses() {
    let (_s, pdf) = seed_letter();
    let links: Vec<String> = pdf.links().into_iter().map(|(_, uri)| uri).collect();
    for uri in [
        "https://www.globalencryption.org/about/members/",
        "https://www.nao.org.uk/press-releases/cyber-threat-to-uk-government-is-severe-and-advancing-quickly-spending-watchdog-finds/",
        "https://www.bsg.ox.ac.uk/sites/default/files/2021-11/End-to-end%20Encryption%20Ciaran%20Martin%20Blavatnik%20School.pdf",
        "https://cyberscoop.com/salt-typhoon-us-government-jen-easterly-cisa/",
        r#"https://hudoc.echr.coe.int/eng#{"itemid":["001-155105"]}"#,
        r#"https://hudoc.echr.coe.int/eng/#{"%22itemid%22":["%22001-230854%22"]}"#,
        "https://www.internetsociety.org/wp-content/uploads/2021/05/NNEDV_Survivor_FactSheet-EN.pdf",
        "https://www.lgbttech.org/encryption-privacy-security",
        "http://iptegrity.com",
    ] {
        assert!(links.iter().any(|l| l == uri), "no link to {uri}; links: {links:#?}");
    }
    let text = flat(&pdf.pages_text()[..2].join(" "));
    assert!(text.contains("Delfi AS v Estonia [2015] EMLR 26, [147] and [149]:"), "{text}");
    assert!(text.contains("Podchasov v Russia [2024] ECHR 134 [79]:"), "{text}");
}

#[test]
fn lists_every_signatory_in_collated_order() {
    let (scratch, pdf) = seed_letter();
    let text = pdf.pages_text().join("\n");
    // One line per signatory in the text layer, as printed.
    let lines: Vec<String> = text.lines().map(|l| l.trim().to_owned()).collect();
    let position = |needle: &str| {
        lines
            .iter()
            .position(|l| l == needle)
            .unwrap_or_else(|| panic!("{needle:?} is not a line of the PDF"))
    };
    let toml = scratch.read("signatories.toml");
    let entries = toml.lines().filter(|l| l.starts_with("[[")).count();
    assert_eq!(entries, 109);
    let expected_order = [
        "3 Steps Data",
        "Access Now",
        "ARTICLE 19",
        "Professor Subhajit Basu, School of Law, University of Leeds",
        "Community Focus Foundation Ghana",
        "Comunitatea Internet Association",
        "cyberstorm.mu",
        "Javier Ruiz Diaz, Associate, University of Sussex Centre for Law and Technology",
        "Dr Monica Horten, iptegrity.com",
        "Riana Pfefferkorn, Stanford University",
        "Prague Centre for Media Skills",
        "Prof. J.W. Verret, George Mason University Antonin Scalia Law School",
        "Philip Zimmermann",
    ];
    let positions: Vec<usize> = expected_order.iter().map(|n| position(n)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "out of order: {positions:?}");
    assert!(flat(&text).contains("109 signatories as of 13 February 2025"));
}

#[test]
fn embeds_every_font() {
    let (_s, pdf) = seed_letter();
    assert!(pdf.font_count() > 0);
    assert_eq!(pdf.unembedded_fonts(), Vec::<String>::new());
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let (scratch, _) = seed_letter();
    scratch.run(&["build", "--date", "2025-02-13", "-o", "again.pdf"]).ok();
    assert!(
        std::fs::read(scratch.path("letter.pdf")).unwrap()
            == std::fs::read(scratch.path("again.pdf")).unwrap()
    );
}
