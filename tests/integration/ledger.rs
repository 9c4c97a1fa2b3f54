//! The private ledger: imports that remember, history, withdrawals whose
//! reasons stay private, export and erasure, and many commands at once.

use std::process::Stdio;

use crate::common::Scratch;

fn form(s: &Scratch, name: &str) -> String {
    let text = std::fs::read_to_string(Scratch::fixture(&format!("imports/forms/{name}"))).unwrap();
    s.write(name, &text);
    text
}

#[test]
fn a_daily_reimport_after_edits_and_withdrawals_adds_nothing() {
    let s = Scratch::new();
    let text = form(&s, "fr.csv");
    s.run(&["signatories", "import", "fr.csv"]).ok();
    s.run(&["signatories", "edit", "Jean Valjean", "--name", "Jean Valjean-Fauchelevent"]).ok();
    s.run(&[
        "signatories",
        "remove",
        "--withdrawn",
        "Ligue des droits de l'Homme",
        "--reason",
        "asked by letter of 3 March",
        "--on",
        "2025-03-03",
    ])
    .ok();
    let list = s.read("signatories.toml");
    // The next morning's export: the same rows, one of them changed.
    s.write("fr.csv", &text.replace("Maire,", "Maire de Montreuil,"));
    let run = s.run(&["signatories", "import", "fr.csv"]).ok();
    run.stdout_has(
        "fr.csv:2: changed since the last import \"Jean Valjean\": affiliation \"Maire\" → \
             \"Maire de Montreuil\"",
    );
    run.stdout_has(
        "fr.csv:3: skipped \"Ligue des droits de l'Homme\": \"Ligue des droits de \
             l'Homme\" withdrew on 2025-03-03",
    );
    run.stdout_has("0 added, 1 skipped, 0 rejected, 1 seen before");
    assert_eq!(s.read("signatories.toml"), list, "a re-import changed the list");
    let history = s.run(&["signatories", "history", "jean valjean-fauchelevent"]).ok().stdout;
    assert!(
        history.contains("received from fr.csv:2 (import), listed as individual \"Jean Valjean\""),
        "{history}"
    );
    assert!(history.contains("renamed from \"Jean Valjean\""), "{history}");
    let history = s.run(&["signatories", "history", "Ligue des droits de l'Homme"]).ok().stdout;
    assert!(
        history.contains("withdrew on 2025-03-03 (a reason is kept in the ledger)"),
        "{history}"
    );
    assert!(!history.contains("asked by letter") && !history.contains('@'), "{history}");
    // A list put back from an older copy by hand: its missing entries come
    // back, the withdrawal stays.
    let older = list.replace(
        "[[individual]]\nname = \"Jean Valjean-Fauchelevent\"",
        "[[individual]]\nname = \"Someone Else\"",
    );
    s.write("signatories.toml", &older);
    let run = s.run(&["signatories", "import", "fr.csv"]).ok();
    run.stdout_has("fr.csv:2: added individual \"Jean Valjean\"");
    run.stdout_has("fr.csv:3: skipped");
    assert!(!list.contains("asked by letter"), "a withdrawal's reason reached the list:\n{list}");
    assert!(
        list.contains("name = \"Ligue des droits de l'Homme\"\ndate = \"2025-03-03\""),
        "{list}"
    );
}

#[test]
fn addresses_and_reasons_reach_only_the_ledger_export() {
    let s = Scratch::new();
    form(&s, "fr.csv");
    form(&s, "de.csv");
    let mut outputs = String::new();
    for args in [
        &["signatories", "import", "fr.csv"][..],
        &["signatories", "import", "de.csv"],
        &[
            "signatories",
            "remove",
            "--withdrawn",
            "Anna Schmidt",
            "--reason",
            "private: moved abroad",
        ],
        &["signatories", "list", "--json"],
        &["build", "--date", "2025-02-20", "-o", "letter.pdf"],
        &["publish", "site", "--date", "2025-02-20"],
    ] {
        let run = s.run(args).ok();
        outputs.push_str(&run.stdout);
        outputs.push_str(&run.stderr);
    }
    let mut published = s.read("signatories.toml");
    for file in ["site/index.html", "site/signatories.json"] {
        published.push_str(&s.read(file));
    }
    let pdf = std::process::Command::new("pdftotext")
        .arg(s.path("letter.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    published.push_str(&String::from_utf8_lossy(&pdf.stdout));
    for private in ["jean@example.fr", "contact@ldh.example", "b@example.de", "moved abroad"] {
        assert!(!published.contains(private), "{private} was published");
        assert!(!outputs.contains(private), "{private} was printed");
    }
    let export = s.run(&["ledger", "export"]).ok().stdout;
    assert!(
        export.starts_with(
            "received,channel,origin,state,kind,name,affiliation,url,entry,email,detail,news\n"
        ),
        "{export}"
    );
    assert!(export.contains(",jean@example.fr,") && export.contains(",b@example.de,"), "{export}");
    let json = s.run(&["ledger", "export", "--format", "json"]).ok().stdout;
    assert!(json.contains("\"reason\": \"private: moved abroad\""), "{json}");

    let run = s.run(&["ledger", "forget", "A@EXAMPLE.DE"]).ok();
    run.stdout_has("from 1 submission(s)");
    let json = s.run(&["ledger", "export", "--format", "json"]).ok().stdout;
    assert!(!json.contains("a@example.de") && !json.contains("moved abroad"), "{json}");
    assert!(json.contains("b@example.de"), "another's address was erased: {json}");
    let ledger = std::fs::read(s.path(".openletter/ledger.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&ledger).contains("a@example.de"), "left in the file");

    s.run(&["ledger", "back-up", "copy.sqlite"]).ok();
    s.run(&["ledger", "back-up", "copy.sqlite"]).refused(1, "exists: name a new file");
    assert!(std::fs::metadata(s.path("copy.sqlite")).unwrap().len() > 0);
    let ignore = s.read(".openletter/.gitignore");
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
}

#[test]
fn many_commands_at_once_keep_every_submission_once() {
    let s = Scratch::new();
    let before = s.run(&["signatories", "list", "--json"]).ok().stdout.matches("\"name\"").count();
    let mut children = Vec::new();
    for i in 0..10 {
        s.write(&format!("form{i}.csv"), &format!("Timestamp,Email,Full name\n2025-02-14 10:{i:02},p{i}@example.org,Person Number{i} Formed\n"));
        let file = format!("form{i}.csv");
        let name = format!("Adder Number{i} Added");
        for args in
            [&["signatories", "import", &file][..], &["signatories", "add", "--individual", &name]]
        {
            let child = s.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
            children.push(child.expect("the binary starts"));
        }
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let list = s.read("signatories.toml");
    for i in 0..10 {
        for name in [format!("Person Number{i} Formed"), format!("Adder Number{i} Added")] {
            assert_eq!(list.matches(&format!("\"{name}\"")).count(), 1, "{name}:\n{list}");
        }
    }
    let after = s.run(&["signatories", "list", "--json"]).ok().stdout.matches("\"name\"").count();
    assert_eq!(after, before + 20);
    let export = s.run(&["ledger", "export"]).ok().stdout;
    assert_eq!(export.lines().filter(|l| l.contains(",listed,")).count(), 20, "{export}");
    // Every form row is seen once more, and nothing is added.
    for i in 0..10 {
        let run = s.run(&["signatories", "import", &format!("form{i}.csv")]).ok();
        run.stdout_has("0 added, 0 skipped, 0 rejected, 1 seen before");
    }
}

#[test]
fn duplicates_people_make_are_caught_by_add_import_and_check() {
    let s = Scratch::new();
    s.run(&["signatories", "add", "--individual", "Claire Dubois"]).ok();
    s.run(&["signatories", "add", "--organisation", "Ligue des droits de l'Homme"]).ok();
    s.run(&["signatories", "add", "--individual", "Dubois, Claire"])
        .fails(1)
        .stderr_has("looks like \"Claire Dubois\"");
    s.run(&["signatories", "add", "--organisation", "Ligue des droits de l'Homme (LDH)"])
        .fails(1)
        .stderr_has("looks like \"Ligue des droits de l'Homme\"");
    // The same person twice from one address, spelt two ways.
    s.write(
        "form.csv",
        "Timestamp,Email,Full name\n2025-02-14 10:00,ann@example.org,Ann Alpha\n\
         2025-02-14 11:00,ANN@example.org,Anne Alpha-Smith\n2025-02-14 12:00,bo@example.org,Bo Beta\n",
    );
    let run = s.run(&["signatories", "import", "form.csv"]).ok();
    run.stdout_has(
        "form.csv:3: skipped \"Anne Alpha-Smith\": sent from the same address as \"Ann Alpha\" \
             (form.csv:2); if they are two people",
    );
    assert!(!run.stdout.contains("@example"), "an address was printed: {}", run.stdout);
    s.write("later.csv", "Timestamp,Email,Full name\n2025-02-15 09:00,Ann@Example.org,A. Alpha\n");
    let run = s.run(&["signatories", "import", "later.csv"]).ok();
    run.stdout_has("sent from the same address as \"Ann Alpha\" (form.csv:2)");
    // A list written by hand: `check` finds them too.
    let list = s.read("signatories.toml");
    s.write("signatories.toml", &format!("{list}\n[[individual]]\nname = \"Alpha, Ann\"\n"));
    let run = s.run(&["check", "--date", "2025-02-20"]);
    assert!(run.stderr.contains("\"Alpha, Ann\" looks like \"Ann Alpha\""), "{}", run.stderr);
}

#[test]
fn diff_shows_renames_as_renames() {
    let s = Scratch::new();
    s.run(&["signatories", "add", "--organisation", "Ligue des droits de l'Homme"]).ok();
    s.run(&["signatories", "add", "--individual", "Dubois, Claire"]).ok();
    let old = s.read("signatories.toml");
    s.write("old.toml", &old);
    s.run(&["signatories", "edit", "Ligue des droits de l'Homme", "--name", "LDH"]).ok();
    // Written another way by hand: the same words in another order.
    let edited = s.read("signatories.toml").replace("\"Dubois, Claire\"", "\"Claire Dubois\"");
    s.write("signatories.toml", &edited);
    let run = s.run(&["signatories", "diff", "old.toml", "signatories.toml"]).ok();
    run.stdout_has("~ LDH: name \"Ligue des droits de l'Homme\" → \"LDH\"");
    run.stdout_has("~ Claire Dubois: name \"Dubois, Claire\" → \"Claire Dubois\"");
    run.stdout_has("0 added, 0 removed, 0 withdrew, 2 changed");
}

#[test]
fn a_mapping_given_once_is_saved_for_the_same_form() {
    let s = Scratch::new();
    s.write(
        "openletter.toml",
        "# our settings\n\n[[import]] # another form\nheaders = [\"Who\"]\nname = \"Who\"\n",
    );
    let form = "Horodateur,Adresse e-mail,Qui,Titre,Signe comme\n\
                2025-02-14 09:00,a@example.fr,Ann Alpha,Chercheuse,Moi-même\n";
    s.write("form.csv", form);
    s.run(&["signatories", "import", "form.csv"]).refused(2, "no column is headed as a name");
    s.run(&[
        "signatories",
        "import",
        "form.csv",
        "--map",
        "name=Qui",
        "--map",
        "affiliation=Titre",
        "--map",
        "kind=Signe comme",
        "--kind-map",
        "Moi-même=individual",
    ])
    .ok()
    .stderr_has("saved how this form is read in ./openletter.toml");
    let settings = s.read("openletter.toml");
    assert!(
        settings.starts_with(
            "# our settings\n\n[[import]] # another form\nheaders = [\"Who\"]\nname = \"Who\"\n"
        ),
        "{settings}"
    );
    assert!(settings.contains("name = \"Qui\""), "{settings}");
    assert!(settings.contains("kind-map = { \"moi-même\" = \"individual\" }"), "{settings}");
    // Tomorrow's export of the same form: no flags.
    s.write("form.csv", &format!("{form}2025-02-15 10:00,b@example.fr,Bo Beta,Juriste,Moi-même\n"));
    let run = s.run(&["signatories", "import", "form.csv"]).ok();
    assert!(
        run.stderr.contains("read as saved for this form in ./openletter.toml"),
        "{}",
        run.stderr
    );
    run.stdout_has("form.csv:3: added individual \"Bo Beta\"");
    assert!(s.read("signatories.toml").contains("name = \"Bo Beta\"\naffiliation = \"Juriste\""));
    s.write("openletter.toml", "[[import]\n");
    s.run(&["signatories", "import", "form.csv"]).refused(2, "cannot read `./openletter.toml`");
}

/// A step of the property test below.
#[derive(Debug, Clone)]
enum Step {
    /// This many more people fill in the form.
    Sign(usize),
    /// The form is exported and imported: the rows whose bit is set in
    /// `drop` are left out of this export, those in `change` have another
    /// affiliation now.
    Import { drop: u32, change: u32 },
    /// The k-th listed person (modulo) is renamed with `edit`.
    Rename(usize),
    /// The k-th listed person (modulo) withdraws.
    Withdraw(usize),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        1 => (1usize..4).prop_map(Step::Sign),
        3 => (any::<u32>(), any::<u32>()).prop_map(|(drop, change)| Step::Import { drop, change }),
        2 => any::<usize>().prop_map(Step::Rename),
        2 => any::<usize>().prop_map(Step::Withdraw),
    ]
}

proptest::proptest! {
    // Failures are shown, not saved into the source tree.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Daily re-exports (adding, changing and dropping rows) interleaved
    /// with renames and withdrawals: no entry is lost, doubled or brought
    /// back, and every listed entry has exactly one origin in the ledger.
    #[test]
    fn imports_edits_and_withdrawals_keep_every_signature_once(
        steps in proptest::collection::vec(step(), 1..10)
    ) {
        // Three people have signed and been imported before the steps.
        let steps: Vec<Step> = [Step::Sign(3), Step::Import { drop: 0, change: 0 }]
            .into_iter()
            .chain(steps)
            .collect();
        let s = Scratch::new();
        let base = s.run(&["signatories", "list", "--json"]).ok().stdout.matches("\"kind\"").count();
        let mut signed = 0usize;
        // Listed people by their form row, with their name now.
        let mut listed: std::collections::BTreeMap<usize, String> = Default::default();
        // Every name a person who withdrew had.
        let mut withdrawn: Vec<String> = Vec::new();
        let mut renames = 0;
        for step in &steps {
            match step {
                Step::Sign(n) => signed += n,
                Step::Import { drop, change } => {
                    let mut csv = String::from("Timestamp,Email,Full name,Affiliation\n");
                    for i in (0..signed).filter(|i| drop & (1 << (i % 32)) == 0) {
                        let affiliation = if change & (1 << (i % 32)) != 0 { "Changed" } else { "First" };
                        csv.push_str(&format!("2025-02-14 10:{i:02},p{i}@example.org,Person{i} Signer{i},{affiliation} {i}\n"));
                        if !withdrawn.iter().any(|w| w.ends_with(&format!("Signer{i}")) || w.contains(&format!("#{i} "))) {
                            listed.entry(i).or_insert_with(|| format!("Person{i} Signer{i}"));
                        }
                    }
                    s.write("export.csv", &csv);
                    let run = s.run(&["signatories", "import", "export.csv"]);
                    // An export with no row is refused, changing nothing.
                    let rows = csv.lines().count() - 1;
                    proptest::prop_assert_eq!(run.code, if rows == 0 { 2 } else { 0 }, "{}{}", run.stdout, run.stderr);
                }
                Step::Rename(k) if !listed.is_empty() => {
                    let (&i, old) = listed.iter().nth(k % listed.len()).unwrap();
                    renames += 1;
                    let new = format!("Renamed #{i} Time{renames}");
                    s.run(&["signatories", "edit", old.as_str(), "--name", new.as_str()]).ok();
                    listed.insert(i, new);
                }
                Step::Withdraw(k) if !listed.is_empty() => {
                    let (&i, name) = listed.iter().nth(k % listed.len()).unwrap();
                    let name = name.clone();
                    s.run(&["signatories", "remove", "--withdrawn", name.as_str(), "--on", "2025-02-20"]).ok();
                    listed.remove(&i);
                    withdrawn.push(name);
                    withdrawn.push(format!("Person{i} Signer{i}"));
                }
                _ => {}
            }
            let list = s.read("signatories.toml");
            for name in listed.values() {
                proptest::prop_assert_eq!(list.matches(&format!("name = \"{name}\"\n")).count(), 1, "{} after {:?}", name, step);
            }
            let total = s.run(&["signatories", "list", "--json"]).ok().stdout.matches("\"kind\"").count();
            proptest::prop_assert_eq!(total, base + listed.len(), "after {:?}", step);
            let json = s.run(&["ledger", "export", "--format", "json"]);
            if json.code == 0 {
                let ledger: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
                let origins = |name: &str| {
                    ledger["submissions"].as_array().unwrap().iter()
                        .filter(|s| s["state"] == "listed" && s["entry"] == name)
                        .count()
                };
                for name in listed.values() {
                    proptest::prop_assert_eq!(origins(name), 1, "{} after {:?}", name, step);
                }
            } else {
                proptest::prop_assert!(listed.is_empty(), "no ledger, yet {:?} listed", listed);
            }
        }
    }
}

#[test]
fn a_withdrawn_person_stays_out_under_another_spelling_or_address_case() {
    let s = Scratch::new();
    let header = "Timestamp,Email address,Full name,Affiliation\n";
    s.write(
        "a.csv",
        &format!("{header}2025-02-14 10:00,max@example.org,Max Mustermann,Institut\n"),
    );
    s.run(&["signatories", "import", "a.csv"]).ok();
    s.run(&["signatories", "remove", "--withdrawn", "Max Mustermann", "--on", "2025-02-15"]).ok();
    let list = s.read("signatories.toml");
    for (row, why) in [
        // The same address, another spelling.
        (
            "2025-02-16 09:00,MAX@Example.org,Max Musterman,Institut",
            "\"Max Mustermann\" withdrew on 2025-02-15",
        ),
        // Another address, the name reordered or in capitals.
        (
            "2025-02-16 09:01,m2@example.org,\"Mustermann, Max\",Institut",
            "\"Max Mustermann\" withdrew on 2025-02-15",
        ),
        (
            "2025-02-16 09:02,m3@example.org,MUSTERMANN Max,Institut",
            "\"Max Mustermann\" withdrew on 2025-02-15",
        ),
    ] {
        s.write("b.csv", &format!("{header}{row}\n"));
        let run = s.run(&["signatories", "import", "b.csv"]).ok();
        run.stdout_has(why);
        run.stdout_has("0 added, 1 skipped");
        assert_eq!(s.read("signatories.toml"), list, "{row} was added");
    }
    // An address written where a name or affiliation goes is never listed,
    // nor echoed.
    s.write("c.csv", "Name,Email,Affiliation\njane@example.org,jane@example.org,Uni\nJane Roe,j@example.org,bob@example.org\n");
    let run = s.run(&["signatories", "import", "c.csv"]).fails(1);
    run.stdout_has(
        "c.csv:2: rejected: the name looks like an e-mail address, which the list would publish",
    );
    run.stdout_has("c.csv:3: rejected: the affiliation looks like an e-mail address");
    assert!(!run.stdout.contains("@example") && !run.stderr.contains("@example"), "{}", run.stdout);
    assert!(!s.read("signatories.toml").contains("@example"));
    // Erasure takes an address; one nobody sent from erases nothing, and says so.
    s.run(&["ledger", "forget", ""]).refused(1, "takes an e-mail address");
    s.run(&["ledger", "forget", "nobody@example.org"]).ok().stdout_has("nothing erased");
    s.run(&["ledger", "back-up", "copy.sqlite"]).ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path("copy.sqlite")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a copy of the ledger others can read");
    }
}

#[test]
fn a_name_an_entry_was_renamed_from_does_not_come_back() {
    let s = Scratch::new();
    s.write("a.csv", "Timestamp,Email,Full name\n2025-02-14 10:00,jane@example.org,Jane Doe\n");
    s.run(&["signatories", "import", "a.csv"]).ok();
    s.run(&["signatories", "edit", "Jane Doe", "--name", "Jane Q. Doe"]).ok();
    s.run(&["signatories", "edit", "Jane Q. Doe", "--name", "Jane Quincy Doe"]).ok();
    let list = s.read("signatories.toml");
    s.write("b.csv", "Timestamp,Email,Full name\n2025-02-20 10:00,other@example.org,Jane Doe\n");
    let run = s.run(&["signatories", "import", "b.csv"]).ok();
    run.stdout_has("skipped \"Jane Doe\": the list renamed \"Jane Doe\" \"Jane Quincy Doe\"");
    assert_eq!(s.read("signatories.toml"), list);
    // Quotes a shell passed on are not part of the headers.
    s.write("c.csv", "First name,Last name\nAnn,Alpha\n");
    s.run(&["signatories", "import", "c.csv", "--map", "name=\"First name\"+\"Last name\""])
        .ok()
        .stdout_has("added individual \"Ann Alpha\"");
}

#[test]
fn an_import_the_ledger_cannot_record_changes_no_file() {
    let s = Scratch::new();
    form(&s, "fr.csv");
    // A ledger that exists (an earlier add) but refuses every new row, as
    // a full disk would.
    s.run(&["signatories", "add", "--individual", "Ada Lovelace"]).ok();
    let ledger = s.path(".openletter/ledger.sqlite");
    let db = rusqlite::Connection::open(&ledger).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON submissions \
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .unwrap();
    drop(db);
    let list = s.read("signatories.toml");
    let rows = || {
        let db = rusqlite::Connection::open(&ledger).unwrap();
        db.query_row("SELECT count(*) FROM submissions", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    let before = rows();
    let run = s.run(&["signatories", "import", "fr.csv"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("database or disk is full"), "{}", run.stderr);
    assert_eq!(s.read("signatories.toml"), list, "the list was written");
    assert_eq!(rows(), before);
}
