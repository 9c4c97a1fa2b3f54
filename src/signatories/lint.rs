//! The lints of `openletter check`: things a build accepts but a careful
//! editor would fix before the letter goes out.

use std::collections::HashMap;

use super::{Kind, Problem, Signatories, Signatory, fold, near_key};

/// Last words that are not surnames, so the default sort key would be wrong.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "md", "esq", "obe", "mbe", "cbe", "kc", "qc",
    "frs", "jd", "llm",
];

/// Every lint finding in the list, in file order.
pub fn lint(list: &Signatories) -> Vec<Problem> {
    let mut findings = Vec::new();
    near_duplicates(list, &mut findings);
    for entry in &list.entries {
        spacing(entry, &mut findings);
        url(entry, &mut findings);
        sort_key(entry, &mut findings);
    }
    honorifics(list, &mut findings);
    findings.sort_by_key(|f| f.span.start);
    findings
}

fn near_duplicates(list: &Signatories, findings: &mut Vec<Problem>) {
    for (entry, first) in super::same_key(&list.entries, near_key) {
        // Exact duplicates are errors, reported by the loader.
        if fold(&first.name.value) == fold(&entry.name.value) {
            continue;
        }
        findings.push(Problem {
            span: entry.name.span.clone(),
            message: format!(
                "\"{}\" looks like \"{}\", listed already",
                entry.name.value, first.name.value
            ),
            label: "probably the same signatory".into(),
            related: Some((first.name.span.clone(), "listed here".into())),
        });
    }
}

fn spacing(entry: &Signatory, findings: &mut Vec<Problem>) {
    for (key, field) in entry.fields() {
        let text = &field.value;
        let what = if text.trim() != text {
            "leading or trailing spaces"
        } else if text.contains("  ") {
            "a double space"
        } else {
            continue;
        };
        findings.push(Problem {
            span: field.span.clone(),
            message: format!("field `{key}` of \"{}\" has {what}", entry.name.value.trim()),
            label: "printed as written".into(),
            related: None,
        });
    }
}

fn url(entry: &Signatory, findings: &mut Vec<Problem>) {
    let Some(url) = &entry.url else { return };
    let host = url.value.split("//").nth(1).and_then(|r| r.split(['/', '?', '#', ':']).next());
    let bad_char = url.value.chars().find(|c| "\"<>\\^`{|}".contains(*c));
    let why = if let Some(c) = bad_char {
        format!("'{c}' is not allowed in a web address unless percent-encoded")
    } else if let Some(host) = host.filter(|h| !valid_host(h)) {
        format!("`{host}` is not a valid host name")
    } else {
        return;
    };
    findings.push(Problem {
        span: url.span.clone(),
        message: format!("field `url` of \"{}\" is malformed", entry.name.value),
        label: why,
        related: None,
    });
}

fn valid_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    labels.iter().all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    }) && (host == "localhost"
        || labels.len() >= 2 && tld.len() >= 2 && tld.chars().all(char::is_alphabetic))
}

fn sort_key(entry: &Signatory, findings: &mut Vec<Problem>) {
    if entry.kind != Kind::Individual || entry.sort_as.is_some() {
        return;
    }
    let last = super::last_word(&entry.name.value);
    let bare = last.trim_end_matches('.').to_lowercase();
    let why = if SUFFIXES.contains(&bare.as_str()) {
        format!("\"{last}\" is not a surname")
    } else if last.chars().next().is_some_and(char::is_lowercase) {
        format!("\"{last}\" starts with a lower-case letter")
    } else {
        return;
    };
    findings.push(Problem {
        span: entry.name.span.clone(),
        message: format!("\"{}\" would be sorted under \"{last}\"", entry.name.value),
        label: format!("{why}: add `sort_as = \"…\"`"),
        related: None,
    });
}

/// "Prof." in one entry and "Professor" in another: flags the less common
/// spellings of each honorific.
fn honorifics(list: &Signatories, findings: &mut Vec<Problem>) {
    let canonical = |word: &str| match word.trim_end_matches('.').to_lowercase().as_str() {
        "prof" | "professor" => Some("professor"),
        other => super::HONORIFICS.iter().find(|h| **h == other).copied(),
    };
    let mut by_title: HashMap<&str, Vec<(&str, &Signatory)>> = HashMap::new();
    for entry in list.entries.iter().filter(|e| e.kind == Kind::Individual) {
        let Some(first) = entry.name.value.split_whitespace().next() else { continue };
        if let Some(title) = canonical(first) {
            by_title.entry(title).or_default().push((first, entry));
        }
    }
    for uses in by_title.values() {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (spelling, _) in uses {
            *counts.entry(spelling).or_default() += 1;
        }
        if counts.len() < 2 {
            continue;
        }
        let (usual, n) = counts.iter().max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s))).unwrap();
        for (spelling, entry) in uses.iter().filter(|(s, _)| s != usual) {
            findings.push(Problem {
                span: entry.name.span.clone(),
                message: format!(
                    "honorific written \"{spelling}\" here but \"{usual}\" in {n} other entries"
                ),
                label: format!("write \"{usual}\" for consistency"),
                related: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn findings(text: &str) -> Vec<String> {
        let list = super::super::load::parse(Path::new("s.toml"), text.into()).unwrap();
        lint(&list).into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn each_lint_fires() {
        let f = findings(concat!(
            "[[individual]]\nname = \"Professor Ann Alpha\"\n",
            "[[individual]]\nname = \"Professor Bo Beta\"\n",
            "[[individual]]\nname = \"Prof. Cy Gamma\"\n",
            "[[individual]]\nname = \"Ann  Alpha\"\n",
            "[[individual]]\nname = \"Sammy Davis Jr.\"\n",
            "[[individual]]\nname = \"Ludwig van\"\n",
            "[[organisation]]\nname = \"Tor Project\"\nurl = \"https://exa_mple.org/{x}\"\n",
            "[[organisation]]\nname = \"The Tor Project Inc\"\n",
        ));
        let all = f.join("\n");
        for needle in [
            "honorific written \"Prof.\"",
            "has a double space",
            "\"Ann  Alpha\" looks like \"Professor Ann Alpha\"",
            "sorted under \"Jr.\"",
            "sorted under \"van\"",
            "`url` of \"Tor Project\" is malformed",
            "\"The Tor Project Inc\" looks like \"Tor Project\"",
        ] {
            assert!(all.contains(needle), "{needle} not in:\n{all}");
        }
    }

    #[test]
    fn a_clean_list_has_no_findings() {
        assert!(
            findings("[[individual]]\nname = \"Ann Alpha\"\nurl = \"https://example.org/a\"\n")
                .is_empty()
        );
    }
}
