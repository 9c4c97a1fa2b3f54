//! The lints of `openletter check`: things a build accepts but a careful
//! editor would fix before the letter goes out.
//!
//! Each lint has a name and a level. An error (probably wrong in print)
//! fails `check`; a warning (a matter of house style) fails it only with
//! `--deny-warnings`. A finding that is intended is allowed on its entry by
//! a comment naming the lint, on a comment line just above the entry or
//! at the end of one of its lines:
//!
//! ```toml
//! # openletter: allow(inconsistent-honorific) -- as the letter printed it
//! [[individual]]
//! name = "Prof. J.W. Verret"
//! ```

use std::collections::HashMap;

use super::fold::{confusable_latin, is_bidi_control};
use super::{Kind, Problem, Signatories, Signatory, Spans, field, fold, near_key, reordered_key};

/// The lints, named as allow comments name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lint {
    NearDuplicate,
    MixedScript,
    BidiControl,
    Formula,
    MalformedUrl,
    Spacing,
    SortKey,
    InconsistentHonorific,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Probably wrong in print: `check` fails.
    Error,
    /// A matter of style: `check` fails only with `--deny-warnings`.
    Warning,
}

impl Lint {
    pub const ALL: [Lint; 8] = [
        Lint::NearDuplicate,
        Lint::MixedScript,
        Lint::BidiControl,
        Lint::Formula,
        Lint::MalformedUrl,
        Lint::Spacing,
        Lint::SortKey,
        Lint::InconsistentHonorific,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Lint::NearDuplicate => "near-duplicate",
            Lint::MixedScript => "mixed-script",
            Lint::BidiControl => "bidi-control",
            Lint::Formula => "formula",
            Lint::MalformedUrl => "malformed-url",
            Lint::Spacing => "spacing",
            Lint::SortKey => "sort-key",
            Lint::InconsistentHonorific => "inconsistent-honorific",
        }
    }

    pub fn level(self) -> Level {
        match self {
            Lint::NearDuplicate
            | Lint::MixedScript
            | Lint::BidiControl
            | Lint::Formula
            | Lint::MalformedUrl => Level::Error,
            Lint::Spacing | Lint::SortKey | Lint::InconsistentHonorific => Level::Warning,
        }
    }
}

/// One finding of one lint on one entry.
#[derive(Debug, Clone)]
pub struct Finding {
    pub lint: Lint,
    pub problem: Problem,
}

/// The comment that marks a finding as intended.
const ALLOW: &str = "openletter: allow(";

/// Every lint finding in the list that is not allowed, in file order.
pub fn lint(list: &Signatories) -> Vec<Finding> {
    let mut findings = Vec::new();
    near_duplicates(list, &mut findings);
    for entry in list.located() {
        spacing(entry, &mut findings);
        url(entry, &mut findings);
        sort_key(entry, &mut findings);
        scripts(entry, &mut findings);
    }
    honorifics(list, &mut findings);
    let allowed = allowances(list);
    findings.retain(|(entry, finding)| {
        !allowed.get(entry).is_some_and(|lints| lints.contains(&finding.lint))
    });
    let mut findings: Vec<Finding> = findings.into_iter().map(|(_, f)| f).collect();
    findings.sort_by_key(|f| f.problem.span.start);
    findings
}

/// A finding, keyed by the start of its entry's header.
type Found = (usize, Finding);

/// An entry with where it is in the file.
type Located<'a> = (&'a Signatory, &'a Spans);

fn found(spans: &Spans, lint: Lint, problem: Problem) -> Found {
    let mut problem = problem;
    problem.label = format!("{} [{}]", problem.label, lint.name());
    (spans.header.start, Finding { lint, problem })
}

/// The lints each entry allows, by the start of its header. Only a TOML
/// comment allows: a `#` inside a value (an imported name or affiliation)
/// is data, and data cannot switch a lint off.
fn allowances(list: &Signatories) -> HashMap<usize, Vec<Lint>> {
    let source = &list.source;
    let values = &list.values;
    let in_value = |at: usize| {
        let i = values.partition_point(|span| span.end <= at);
        values.get(i).is_some_and(|span| span.start <= at)
    };
    let mut allowed = HashMap::new();
    for (i, entry) in list.spans.iter().enumerate() {
        // The comment lines right above the header, and the entry's lines.
        let header_line = source[..entry.header.start].rfind('\n').map_or(0, |n| n + 1);
        let mut start = header_line;
        while start > 0 {
            let prev = source[..start - 1].rfind('\n').map_or(0, |n| n + 1);
            if !source[prev..start].trim_start().starts_with('#') || in_value(prev) {
                break;
            }
            start = prev;
        }
        let next = list.spans.get(i + 1).map_or(source.len(), |n| n.header.start);
        let next = if next > entry.header.start { next } else { source.len() };
        let end = entry.end();
        let end = source[end..].find('\n').map_or(source.len(), |n| end + n).min(next.max(end));
        let mut lints = Vec::new();
        let mut line_start = start;
        for line in source[start..end].split_inclusive('\n') {
            let comment = line
                .char_indices()
                .find(|&(at, c)| c == '#' && !in_value(line_start + at))
                .map(|(at, _)| &line[at + 1..]);
            line_start += line.len();
            let Some(rest) = comment.and_then(|c| c.split_once(ALLOW)).map(|(_, r)| r) else {
                continue;
            };
            let names = rest.split(')').next().unwrap_or("");
            lints.extend(
                names
                    .split(',')
                    .filter_map(|n| Lint::ALL.into_iter().find(|l| l.name() == n.trim())),
            );
        }
        if !lints.is_empty() {
            allowed.insert(entry.header.start, lints);
        }
    }
    allowed
}

/// Last words that are not surnames, so the default sort key would be wrong.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "md", "esq", "obe", "mbe", "cbe", "kc", "qc",
    "frs", "jd", "llm",
];

fn near_duplicates(list: &Signatories, findings: &mut Vec<Found>) {
    let (entries, spans) = (&list.entries, &list.spans);
    let near = super::same_key(entries, near_key);
    let reordered = super::same_key(entries, |name| reordered_key(name, &near_key(name)));
    let mut seen = std::collections::HashSet::new();
    for (again, first) in near.into_iter().chain(reordered) {
        // Exact duplicates are errors, reported by the loader.
        if fold(&entries[first].name) == fold(&entries[again].name) || !seen.insert(again) {
            continue;
        }
        let problem = Problem {
            span: spans[again].name.clone(),
            message: format!(
                "\"{}\" looks like \"{}\", listed already",
                entries[again].name, entries[first].name
            ),
            label: "probably the same signatory".into(),
            related: Some((spans[first].name.clone(), "listed here".into())),
        };
        findings.push(found(&spans[again], Lint::NearDuplicate, problem));
    }
}

fn spacing((entry, spans): Located, findings: &mut Vec<Found>) {
    for (key, text) in entry.fields() {
        let what = if text.trim() != text {
            "leading or trailing spaces"
        } else if text.contains("  ") {
            "a double space"
        } else {
            continue;
        };
        let problem = Problem {
            span: spans.of(key).expect("every field has a span"),
            message: format!("field `{key}` of \"{}\" has {what}", entry.name.trim()),
            label: "printed as written".into(),
            related: None,
        };
        findings.push(found(spans, Lint::Spacing, problem));
    }
}

fn url((entry, spans): Located, findings: &mut Vec<Found>) {
    let (Some(url), Some(span)) = (&entry.url, &spans.url) else { return };
    let parsed = url::Url::parse(url).ok();
    let host = parsed.as_ref().and_then(|u| u.host_str());
    let bad_char = url.chars().find(|c| "\"<>\\^`{|}".contains(*c));
    let why = if let Some(c) = bad_char {
        format!("'{c}' is not allowed in a web address unless percent-encoded")
    } else if let Some(host) = host.filter(|h| !valid_host(h)) {
        format!("`{host}` is not a valid host name")
    } else {
        return;
    };
    let problem = Problem {
        span: span.clone(),
        message: format!("field `{}` of \"{}\" is malformed", field::URL, entry.name),
        label: why,
        related: None,
    };
    findings.push(found(spans, Lint::MalformedUrl, problem));
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

fn sort_key((entry, spans): Located, findings: &mut Vec<Found>) {
    if entry.kind != Kind::Individual || entry.sort_as.is_some() {
        return;
    }
    let last = super::last_word(&entry.name);
    let bare = last.trim_end_matches('.').to_lowercase();
    // A lower-case particle ("van", "de") in the cased scripts of Europe
    // (Latin, Greek, Cyrillic); Georgian's everyday letters count as lower
    // case too, but are how every name is written.
    let particle = |c: char| c.is_lowercase() && c <= '\u{052F}';
    let why = if SUFFIXES.contains(&bare.as_str()) {
        format!("\"{last}\" is not a surname")
    } else if last.chars().next().is_some_and(particle) {
        format!("\"{last}\" starts with a lower-case letter")
    } else {
        return;
    };
    let problem = Problem {
        span: spans.name.clone(),
        message: format!("\"{}\" would be sorted under \"{last}\"", entry.name),
        label: format!("{why}: add `{} = \"…\"`", field::SORT_AS),
        related: None,
    };
    findings.push(found(spans, Lint::SortKey, problem));
}

/// Text that reads other than it looks: a Cyrillic or Greek letter inside a
/// Latin word, bidirectional controls, and a value a spreadsheet would run
/// as a formula when the list is opened in one.
fn scripts((entry, spans): Located, findings: &mut Vec<Found>) {
    for (key, text) in entry.fields().filter(|(key, _)| *key != field::URL) {
        let name = entry.name.trim();
        let span = spans.of(key).expect("every field has a span");
        let mut add = |lint: Lint, message: String, label: &str| {
            let problem =
                Problem { span: span.clone(), message, label: label.into(), related: None };
            findings.push(found(spans, lint, problem));
        };
        if let Some(word) = text.split_whitespace().find(|w| mixed_script(w)) {
            add(
                Lint::MixedScript,
                format!("field `{key}` of \"{name}\" mixes scripts in \"{word}\""),
                "a letter from another script that looks Latin: retype the word",
            );
        }
        if let Some(c) = text.chars().find(|c| is_bidi_control(*c)) {
            add(
                Lint::BidiControl,
                format!(
                    "field `{key}` of \"{name}\" has a bidirectional control (U+{:04X})",
                    c as u32
                ),
                "it can make text display other than it reads: remove it",
            );
        }
        if super::starts_like_formula(text) {
            add(
                Lint::Formula,
                format!("field `{key}` of \"{name}\" starts like a spreadsheet formula"),
                "a spreadsheet export may have put it there: check the value",
            );
        }
    }
}

/// A word with Latin letters and a Cyrillic or Greek look-alike among them.
fn mixed_script(word: &str) -> bool {
    let latin =
        word.chars().any(|c| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c));
    latin && word.chars().any(|c| confusable_latin(c.to_lowercase().next().unwrap_or(c)).is_some())
}

/// "Prof." in one entry and "Professor" in another: flags the less common
/// spellings of each honorific.
fn honorifics(list: &Signatories, findings: &mut Vec<Found>) {
    let canonical = |word: &str| match word.trim_end_matches('.').to_lowercase().as_str() {
        "prof" | "professor" => Some("professor"),
        other => super::HONORIFICS.iter().find(|h| **h == other).copied(),
    };
    let mut by_title: HashMap<&str, Vec<(&str, &Spans)>> = HashMap::new();
    for (entry, spans) in list.located().filter(|(e, _)| e.kind == Kind::Individual) {
        let Some(first) = entry.name.split_whitespace().next() else { continue };
        if let Some(title) = canonical(first) {
            by_title.entry(title).or_default().push((first, spans));
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
        for (spelling, spans) in uses.iter().filter(|(s, _)| s != usual) {
            let problem = Problem {
                span: spans.name.clone(),
                message: format!(
                    "honorific written \"{spelling}\" here but \"{usual}\" in {n} other entries"
                ),
                label: format!("write \"{usual}\" for consistency"),
                related: None,
            };
            findings.push(found(spans, Lint::InconsistentHonorific, problem));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn findings(text: &str) -> Vec<String> {
        let list = super::super::load::parse(Path::new("s.toml"), text.into()).unwrap();
        lint(&list).into_iter().map(|f| f.problem.message).collect()
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
    fn scripts_bidi_and_formulas() {
        let f = findings(concat!(
            "[[individual]]\nname = \"M\u{0430}ry Smith\"\n",
            "[[individual]]\nname = \"Eve \u{202E}evE\"\n",
            "[[individual]]\nname = \"=HYPERLINK(1)\"\n",
            "[[individual]]\nname = \"Сергей Иванов\"\n",
        ))
        .join("\n");
        assert!(f.contains("mixes scripts in \"M\u{0430}ry\""), "{f}");
        assert!(f.contains("bidirectional control (U+202E)"), "{f}");
        assert!(f.contains("spreadsheet formula"), "{f}");
        assert!(!f.contains("Сергей"), "an all-Cyrillic name is fine: {f}");
    }

    #[test]
    fn an_allow_comment_silences_one_lint_on_one_entry() {
        let text = concat!(
            "[[individual]]\nname = \"Professor Ann Alpha\"\n",
            "[[individual]]\nname = \"Professor Bo Beta\"\n",
            "[[individual]]\nname = \"Professor Ed Eta\"\n",
            "# openletter: allow(inconsistent-honorific)\n",
            "[[individual]]\nname = \"Prof. Cy Gamma\"\n",
            "[[individual]]\nname = \"Prof. Di  Delta\" # openletter: allow(spacing)\n",
        );
        let f = findings(text).join("\n");
        assert!(!f.contains("Cy Gamma"), "{f}");
        assert!(f.contains("honorific written \"Prof.\""), "Di Delta still has it: {f}");
        assert!(!f.contains("double space"), "{f}");
    }

    #[test]
    fn a_marker_inside_a_value_allows_nothing() {
        let text = concat!(
            "[[individual]]\nname = \"M\u{0430}ry Smith\"\n",
            "affiliation = \"Uni # openletter: allow(mixed-script)\"\n",
            "[[individual]]\nname = \"Bo B\u{0435}ta # openletter: allow(mixed-script)\"\n",
        );
        let f = findings(text).join("\n");
        assert!(f.contains("\"M\u{0430}ry\""), "{f}");
        assert!(f.contains("\"B\u{0435}ta\""), "{f}");
    }

    #[test]
    fn a_clean_list_has_no_findings() {
        assert!(
            findings("[[individual]]\nname = \"Ann Alpha\"\nurl = \"https://example.org/a\"\n")
                .is_empty()
        );
    }
}
