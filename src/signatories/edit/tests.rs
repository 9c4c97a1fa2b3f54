//! Unit tests of the editor, and a property test: any sequence of adds,
//! edits and removes keeps every untouched entry and comment.

use super::*;
use crate::signatories::load::parse;

fn editor(text: &str) -> Editor {
    Editor::from_list(parse(Path::new("s.toml"), text.into()).unwrap()).unwrap()
}

fn individual(name: &str) -> Signatory {
    Signatory::new(Kind::Individual, name)
}

const FILE: &str = "# header\n\n# --- People ---\n\n[[individual]]\nname = \"Ann Alpha\" # first\n\n# a note on Cy\n[[individual]]\nname = \"Cy Gamma\"\n\n# trailing\n";

#[test]
fn adds_in_collated_position_keeping_comments() {
    let mut e = editor(FILE);
    e.add(individual("Bea Beta"), false).unwrap();
    let text = e.render().unwrap().source;
    let ann = text.find("Ann Alpha").unwrap();
    let bea = text.find("Bea Beta").unwrap();
    let cy = text.find("Cy Gamma").unwrap();
    assert!(ann < bea && bea < cy, "{text}");
    for comment in ["# header", "# --- People ---", "# first", "# a note on Cy", "# trailing"] {
        assert!(text.contains(comment), "{comment} lost:\n{text}");
    }
    assert!(text.find("# a note on Cy").unwrap() > bea, "{text}");
}

#[test]
fn adds_before_the_first_entry_after_its_section_comment() {
    let mut e = editor(FILE);
    e.add(individual("Aaron Aardvark"), false).unwrap();
    let text = e.render().unwrap().source;
    assert!(
        text.find("# --- People ---").unwrap() < text.find("Aaron Aardvark").unwrap(),
        "{text}"
    );
    assert!(text.find("Aaron Aardvark").unwrap() < text.find("Ann Alpha").unwrap(), "{text}");
}

#[test]
fn removing_keeps_section_comments_and_drops_only_the_entrys_own() {
    let mut e = editor(FILE);
    e.remove("ann alpha").unwrap();
    let text = e.render().unwrap().source;
    assert!(!text.contains("Ann Alpha"));
    assert!(text.contains("# header") && text.contains("# --- People ---"), "{text}");
    let mut e = editor(FILE);
    e.remove("Cy Gamma").unwrap();
    let text = e.render().unwrap().source;
    assert!(!text.contains("# a note on Cy") && text.contains("# trailing"), "{text}");
}

#[test]
fn the_first_entry_of_a_new_file_goes_below_its_comments() {
    let mut e = editor("# Signatories of the letter\n");
    e.add(individual("Ann Alpha"), false).unwrap();
    let text = e.render().unwrap().source;
    assert_eq!(text, "# Signatories of the letter\n\n[[individual]]\nname = \"Ann Alpha\"\n");
}

#[test]
fn refuses_to_edit_inline_lists_rather_than_panic() {
    let list = parse(Path::new("s.toml"), "organisation = [ { name = \"A\" } ]\n".into());
    assert!(matches!(Editor::from_list(list.unwrap()), Err(EditError::Shape(_))));
    let list = parse(Path::new("s.toml"), "individual = []\n".into());
    assert!(matches!(Editor::from_list(list.unwrap()), Err(EditError::Shape(_))));
}

#[test]
fn keeps_crlf_line_endings() {
    let mut e = editor("[[individual]]\r\nname = \"Ann Alpha\"\r\n");
    e.add(individual("Bea Beta"), false).unwrap();
    let text = e.render().unwrap().source;
    assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    assert!(text.contains("Bea Beta"));
}

#[test]
fn refuses_duplicates_and_near_duplicates() {
    let mut e = editor(FILE);
    assert!(matches!(e.add(individual("ANN  ALPHA"), false), Err(Refusal::Duplicate { .. })));
    assert!(matches!(
        e.add(individual("Dr Ann Alpha"), false),
        Err(Refusal::NearDuplicate { line: Some(5), .. })
    ));
    e.add(individual("Dr Ann Alpha"), true).unwrap();
    assert_eq!(e.render().unwrap().source.matches("Ann Alpha").count(), 2);
}

#[test]
fn edits_in_place_keeping_comments_and_position() {
    let mut e = editor(FILE);
    let changes = Changes { affiliation: Some("Acme".into()), ..Changes::default() };
    e.edit("ann alpha", &changes, false).unwrap();
    let text = e.render().unwrap().source;
    assert!(text.contains("name = \"Ann Alpha\" # first\naffiliation = \"Acme\"\n"), "{text}");
    let mut e = editor(FILE);
    let changes = Changes { name: Some("Ann Beta".into()), ..Changes::default() };
    e.edit("Ann Alpha", &changes, false).unwrap();
    let text = e.render().unwrap().source;
    assert_eq!(text, FILE.replace("Ann Alpha", "Ann Beta"));
    let mut e = editor(FILE);
    let changes = Changes { name: Some("Cy Gamma".into()), ..Changes::default() };
    assert!(matches!(e.edit("Ann Alpha", &changes, false), Err(Refusal::Duplicate { .. })));
    let changes = Changes { kind: Some(Kind::Organisation), ..Changes::default() };
    e.edit("Ann Alpha", &changes, false).unwrap();
    let text = e.render().unwrap().source;
    assert!(text.contains("[[organisation]]\nname = \"Ann Alpha\" # first"), "{text}");
    assert!(text.find("Ann Alpha").unwrap() < text.find("Cy Gamma").unwrap(), "{text}");
}

#[test]
fn a_withdrawal_is_recorded_and_refuses_the_name_again() {
    let mut e = editor(FILE);
    e.withdraw("Cy Gamma", "2025-02-14").unwrap();
    let saved = parse(Path::new("s.toml"), e.render().unwrap().source).unwrap();
    assert_eq!(saved.entries.len(), 1);
    assert_eq!(saved.withdrawn[0].name, "Cy Gamma");
    assert!(saved.source.contains("[[withdrawn]]\nname = \"Cy Gamma\"\ndate = \"2025-02-14\""));
    let mut e = Editor::from_list(saved).unwrap();
    let refusal = e.add(individual("CY  GAMMA"), false).unwrap_err();
    assert!(refusal.to_string().contains("withdrew on 2025-02-14"), "{refusal}");
    e.add(individual("Cy Gamma"), true).unwrap();
}

#[test]
fn many_adds_land_in_collated_order() {
    let mut e = editor("[[individual]]\nname = \"Mia Middle\"\n");
    for name in ["Zed Last", "Abe First", "Nia Next", "Bo Second", "Yu Late"] {
        e.add(individual(name), false).unwrap();
    }
    let text = e.render().unwrap().source;
    // By surname, the last word.
    let order: Vec<usize> =
        ["Abe First", "Zed Last", "Yu Late", "Mia Middle", "Nia Next", "Bo Second"]
            .iter()
            .map(|n| text.find(n).unwrap())
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// A small deterministic generator, so the property test needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SURNAMES: [&str; 12] =
    ["Abe", "Bram", "Cole", "Dunn", "Eddy", "Fry", "Gale", "Hart", "Ives", "Jay", "Kent", "Lowe"];

/// A list with section comments, own comments and trailing comments, each
/// unique so that each can be followed.
fn generated(rng: &mut Rng, n: usize) -> (String, Vec<String>) {
    let mut text = String::from("# Signatories\n");
    let mut names = Vec::new();
    for i in 0..n {
        if rng.below(4) == 0 {
            text.push_str(&format!("\n# section {i}\n"));
        }
        let name = format!("P{i} {}", SURNAMES[rng.below(SURNAMES.len())]);
        let kind = if rng.below(3) == 0 { "organisation" } else { "individual" };
        text.push_str(&format!("\n# own of {name}\n[[{kind}]]\nname = \"{name}\" # tail {name}\n"));
        names.push(name);
    }
    (text, names)
}

#[test]
fn any_sequence_of_edits_keeps_every_other_entry_and_comment() {
    for seed in 1..=60u64 {
        let mut rng = Rng(seed * 0x9E37_79B9_7F4A_7C15);
        let n = 3 + rng.below(12);
        let (text, mut names) = generated(&mut rng, n);
        let sections: Vec<String> =
            text.lines().filter(|l| l.starts_with("# section")).map(str::to_owned).collect();
        let mut current = text.clone();
        let mut removed: Vec<String> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        for step in 0..6 {
            let mut e = editor(&current);
            match rng.below(3) {
                0 => {
                    let name = format!("N{seed}x{step} {}", SURNAMES[rng.below(SURNAMES.len())]);
                    e.add(individual(&name), false).unwrap();
                    names.push(name);
                }
                1 if !names.is_empty() => {
                    let name = names.remove(rng.below(names.len()));
                    e.remove(&name).unwrap();
                    removed.push(name);
                }
                _ if !names.is_empty() => {
                    let name = names[rng.below(names.len())].clone();
                    let changes = Changes {
                        url: Some(format!("https://example.org/{step}")),
                        ..Changes::default()
                    };
                    e.edit(&name, &changes, false).unwrap();
                    touched.push(name);
                }
                _ => continue,
            }
            let before = current.clone();
            current = e.render().unwrap().source;
            let list = parse(Path::new("s.toml"), current.clone()).unwrap();
            let mut listed: Vec<String> = list.entries.iter().map(|s| s.name.clone()).collect();
            listed.sort();
            let mut want = names.clone();
            want.sort();
            assert_eq!(
                listed, want,
                "seed {seed} step {step}: lost or doubled\n{before}\n---\n{current}"
            );
        }
        for section in &sections {
            assert_eq!(
                current.matches(&format!("{section}\n")).count(),
                1,
                "seed {seed}: {section}\n{current}"
            );
        }
        for name in &names {
            assert_eq!(
                current.matches(&format!("# own of {name}\n")).count(),
                usize::from(!name.starts_with('N')),
                "seed {seed}"
            );
            if !name.starts_with('N') {
                assert!(
                    current.contains(&format!("name = \"{name}\" # tail {name}\n")),
                    "seed {seed}: {name}\n{current}"
                );
            }
            // An untouched original entry is there byte for byte.
            if !name.starts_with('N') && !touched.contains(name) {
                let block = format!("# own of {name}\n[[");
                let start = text.find(&block).unwrap();
                let end = text[start..].find(" # tail").unwrap() + start;
                assert!(
                    current.contains(&text[start..end]),
                    "seed {seed}: {name} changed\n{current}"
                );
            }
        }
        for name in &removed {
            assert!(
                !current.contains(&format!("# own of {name}\n")),
                "seed {seed}: {name}'s comment stayed"
            );
            assert!(!current.contains(&format!("\"{name}\"")), "seed {seed}: {name} stayed");
        }
    }
}

#[test]
fn a_name_added_twice_in_one_run_is_refused_the_second_time() {
    let mut e = editor(FILE);
    e.add(individual("Bea Beta"), false).unwrap();
    let refusal = e.add(individual("bea beta"), false).unwrap_err();
    assert!(matches!(refusal, Refusal::Duplicate { line: None, .. }), "{refusal:?}");
    assert!(refusal.to_string().contains("added earlier in this run"), "{refusal}");
    assert_eq!(e.counts().individuals, 3);
}

#[test]
fn a_removal_says_the_line_the_entry_was_on() {
    let mut e = editor(FILE);
    let removed = e.remove("Cy Gamma").unwrap();
    assert_eq!((removed.entry.name.as_str(), removed.line), ("Cy Gamma", Some(9)));
}

#[test]
fn a_table_lost_in_rendering_is_caught_before_anything_is_written() {
    let mut e = editor(FILE);
    e.add(individual("Bea Beta"), false).unwrap();
    assert_eq!(tables_written(&e.render().unwrap().source, "individual"), 3);
    // As if rendering had dropped a table the model still holds.
    e.doc()["individual"].as_array_of_tables_mut().unwrap().remove(0);
    assert!(matches!(e.render(), Err(EditError::Verify(_))));
}

#[test]
fn the_line_of_an_added_or_edited_entry() {
    let mut e = editor(FILE);
    e.add(individual("Bea \"B\" Beta"), false).unwrap();
    let changes = Changes { affiliation: Some("Acme".into()), ..Changes::default() };
    e.edit("Cy Gamma", &changes, false).unwrap();
    let rendered = e.render().unwrap();
    let line = |name: &str| e.line_of(&rendered, name).unwrap();
    let header = |name: &str| {
        let lines: Vec<&str> = rendered.source.lines().collect();
        lines[line(name) - 1..].iter().take(2).copied().collect::<Vec<_>>().join("\n")
    };
    let bea = header("Bea \"B\" Beta");
    assert!(bea.starts_with("[[individual]]\nname = ") && bea.contains("Bea \"B\" Beta"), "{bea}");
    assert!(
        header("Cy Gamma").starts_with("[[individual]]\nname = \"Cy Gamma\""),
        "{}",
        header("Cy Gamma")
    );
}

/// A list laid out in the many ways people write one: with or without blank
/// lines and comments between tables, withdrawals among the entries,
/// trailing comments, CRLF line ends.
fn laid_out(rng: &mut Rng, n: usize) -> String {
    let mut text = String::new();
    if rng.below(2) == 0 {
        text.push_str("# Signatories\n");
    }
    for i in 0..n {
        match rng.below(5) {
            0 => text.push_str(&format!("\n# section {i}\n\n")),
            1 => text.push('\n'),
            2 => text.push_str(&format!("# own {i}\n")),
            3 => text.push_str(&format!("\n\n# section {i}\n# more\n\n# own {i}\n")),
            _ => {}
        }
        let name = format!("P{i} {}", SURNAMES[rng.below(SURNAMES.len())]);
        match rng.below(7) {
            0 => text.push_str(&format!("[[withdrawn]]\nname = \"W{i}\"\ndate = \"2025-02-14\"\n")),
            1 | 2 => text.push_str(&format!(
                "[[organisation]]\nname = \"{name}\"\nurl = \"https://example.org/{i}\" # site\n"
            )),
            _ => text.push_str(&format!(
                "[[individual]]\nname = '{name}'\naffiliation = \"Uni {i}\"\n# after {i}\n"
            )),
        }
    }
    if rng.below(2) == 0 {
        text.push_str("\n# the end\n");
    }
    if rng.below(4) == 0 { text.replace('\n', "\r\n") } else { text }
}

#[test]
fn additions_spliced_into_the_text_read_as_the_document_writes_them() {
    let odd = ["O'Brien Ann", "Zoë \"Z\" Zed", "Back\\slash Bo", "Émile Aa", "Mmm Mid"];
    let fixed = [
        "",
        "# only a comment\n",
        "\n\n# a comment after blank lines\n\n",
        "# a list\r\n",
        "[[withdrawn]]\nname = \"W\"\ndate = \"2025-02-14\"\n",
        "[[individual]]\nname = \"A B\"\n# the end\n",
    ];
    for text in fixed {
        let list = || parse(Path::new("s.toml"), text.to_owned()).unwrap();
        let mut spliced = Editor::without_document(list(), "en");
        let mut through_document = Editor::from_list(list()).unwrap();
        for e in [&mut spliced, &mut through_document] {
            e.add(Signatory::new(Kind::Organisation, "Org One"), false).unwrap();
            e.add(individual("Cy Two"), false).unwrap();
            e.add(individual("Ann One"), false).unwrap();
        }
        let want = through_document.render().unwrap().source;
        assert_eq!(spliced.render().unwrap().source, want, "{text:?}");
    }
    let mut spliced_some = 0;
    for seed in 1..=300u64 {
        let mut rng = Rng(seed * 0x9E37_79B9_7F4A_7C15);
        // Some lists have no entry of a kind, or none at all.
        let n = rng.below(10);
        let text = laid_out(&mut rng, n);
        let list = || parse(Path::new("s.toml"), text.clone()).unwrap();
        let mut spliced = Editor::without_document(list(), "en");
        let mut through_document = Editor::from_list(list()).unwrap();
        for step in 0..1 + rng.below(4) {
            let kind = if rng.below(3) == 0 { Kind::Organisation } else { Kind::Individual };
            let name = match rng.below(3) {
                0 => odd[rng.below(odd.len())].to_owned(),
                _ => format!("N{step} {}", SURNAMES[rng.below(SURNAMES.len())]),
            };
            let mut entry = Signatory::new(kind, &name);
            if rng.below(2) == 0 {
                entry.affiliation = Some(format!("Place {step}"));
            }
            let a = spliced.add(entry.clone(), true).is_ok();
            let b = through_document.add(entry, true).is_ok();
            assert_eq!(a, b, "seed {seed}");
        }
        let want = through_document.render().unwrap().source;
        let got = spliced.render().unwrap().source;
        assert_eq!(got, want, "seed {seed}:\n{text}");
        spliced_some += usize::from(spliced.doc.is_none());
        let names = |e: &Editor| e.entries.iter().map(|(s, _)| s.name.clone()).collect::<Vec<_>>();
        let (mut a, mut b) = (names(&spliced), names(&through_document));
        a.sort();
        b.sort();
        assert_eq!(a, b, "seed {seed}");
    }
    // Most lists here can be spliced into; the rest went through the document.
    assert!(spliced_some > 200, "only {spliced_some} of 300 spliced");
}
