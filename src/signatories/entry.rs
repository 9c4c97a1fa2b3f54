//! One signatory, and the one set of rules every entry obeys: the fields
//! each kind may have and what a value may hold. A file's entries, a new
//! entry from the command line and an imported row are all checked here.
//!
//! Where an entry's text is in its file is not part of it: a loaded list
//! keeps that beside its entries ([`super::Spans`]).

/// The fields an entry may have, named once: as written in the file and in
/// messages.
pub mod field {
    pub const NAME: &str = "name";
    pub const AFFILIATION: &str = "affiliation";
    pub const URL: &str = "url";
    pub const SORT_AS: &str = "sort_as";
    /// An entry's fields, in the order the file writes them.
    pub const ENTRY: [&str; 4] = [NAME, AFFILIATION, URL, SORT_AS];
    /// Of a withdrawal: when, and why.
    pub const DATE: &str = "date";
    pub const REASON: &str = "reason";
}

/// The longest text a name, affiliation or sort key may be, in characters:
/// far beyond any real one, short enough that a pasted paragraph is caught.
pub const MAX_TEXT_CHARS: usize = 500;

/// The longest link, in characters: what browsers and PDF readers take.
pub const MAX_URL_CHARS: usize = 2000;

/// The two kinds of entry a letter can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Organisation,
    Individual,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Organisation, Kind::Individual];

    /// The kind a file's key names, if it names one.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// The name of the kind as it appears in the file (`[[organisation]]`).
    pub fn key(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Individual => "individual",
        }
    }

    /// The fields an entry of this kind may have; `name` is required.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Organisation => &[field::NAME, field::URL],
            Kind::Individual => &field::ENTRY,
        }
    }
}

/// One signatory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    pub kind: Kind,
    pub name: String,
    pub affiliation: Option<String>,
    pub url: Option<String>,
    pub sort_as: Option<String>,
}

/// Why a value breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Empty or only spaces.
    Empty,
    /// A control character, or absurd length: the reason, as a phrase
    /// that follows the field's name ("has a line break …").
    Text(String),
    /// A `url` that would make a broken link: why.
    Link(&'static str),
}

/// One field that differs between two versions of an entry: (field,
/// before, after).
pub type FieldChange = (&'static str, Option<String>, Option<String>);

/// A field change as messages show it: `affiliation "A" → "B"`.
pub fn describe_change((field, before, after): &FieldChange) -> String {
    let shown = |v: &Option<String>| v.as_ref().map_or("(none)".to_owned(), |v| format!("\"{v}\""));
    format!("{field} {} → {}", shown(before), shown(after))
}

impl Signatory {
    /// Every field in which `new` differs from this entry, its kind first.
    pub fn changes_to(&self, new: &Signatory) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        if self.kind != new.kind {
            changes.push(("kind", Some(self.kind.key().into()), Some(new.kind.key().into())));
        }
        for key in field::ENTRY {
            let (before, after) = (self.get(key), new.get(key));
            if before != after {
                changes.push((key, before.map(str::to_owned), after.map(str::to_owned)));
            }
        }
        changes
    }

    /// An entry with a name and no other field.
    #[cfg(test)]
    pub fn new(kind: Kind, name: impl Into<String>) -> Self {
        Self { kind, name: name.into(), affiliation: None, url: None, sort_as: None }
    }

    /// The key the list is ordered by: an organisation's name; an
    /// individual's `sort_as`, or else the last word of the name.
    pub fn sort_key(&self) -> &str {
        match self.kind {
            Kind::Organisation => &self.name,
            Kind::Individual => match &self.sort_as {
                Some(key) => key,
                None => last_word(&self.name),
            },
        }
    }

    /// Every field given, with its name, in the order the file writes them.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            (field::NAME, Some(&self.name)),
            (field::AFFILIATION, self.affiliation.as_ref()),
            (field::URL, self.url.as_ref()),
            (field::SORT_AS, self.sort_as.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, text)| Some((key, text?.as_str())))
    }

    /// The value of field `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields().find(|(k, _)| *k == key).map(|(_, text)| text)
    }

    /// The first rule the entry breaks, worded for a command's message;
    /// the same rules a build applies to the file.
    pub fn problem(&self) -> Option<String> {
        if let Some((key, _)) = self.fields().find(|(key, _)| !self.kind.fields().contains(key)) {
            return Some(format!("an {} has no `{key}`", self.kind.key()));
        }
        self.fields().find_map(|(key, text)| {
            Some(match check(key, text)? {
                Rule::Empty if key == field::NAME => "the name is empty".to_owned(),
                Rule::Empty => format!("`{key}` is empty"),
                Rule::Text(why) => format!("`{key}` {why}"),
                Rule::Link(why) => format!("`{key}` \"{text}\": {why}"),
            })
        })
    }
}

/// The rule the text of field `key` breaks, if any.
pub fn check(key: &str, text: &str) -> Option<Rule> {
    if text.trim().is_empty() {
        return Some(Rule::Empty);
    }
    if let Some(why) = text_problem(key, text) {
        return Some(Rule::Text(why));
    }
    if key == field::URL {
        return url_problem(text).map(Rule::Link);
    }
    None
}

/// What is wrong with the text of field `key`, if anything: control
/// characters (a line break, a NUL, a bell) cannot be printed, and a value
/// of absurd length is a paste gone wrong.
pub fn text_problem(key: &str, value: &str) -> Option<String> {
    if let Some((at, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        let what = match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break",
            '\t' => "a tab",
            _ => "a control character",
        };
        return Some(format!(
            "has {what} (U+{:04X}) at character {}, which cannot be printed",
            c as u32,
            at + 1
        ));
    }
    // Characters no reader sees and no script spells with: a name holding
    // one looks like another, which the duplicate checks cannot tell
    // apart. The joiners some scripts need (U+200C, U+200D) stay allowed;
    // direction controls are `check`'s `bidi-control` finding.
    if let Some((at, c)) =
        value.chars().enumerate().find(|(_, c)| matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}'))
    {
        return Some(format!(
            "has an invisible character (U+{:04X}) at character {}: delete it (retype the \
             text around it if it cannot be seen)",
            c as u32,
            at + 1
        ));
    }
    let limit = if key == field::URL { MAX_URL_CHARS } else { MAX_TEXT_CHARS };
    let length = value.chars().count();
    (length > limit).then(|| format!("is {length} characters long; at most {limit} are allowed"))
}

/// Why a `url` field would make a broken link, if it would.
pub fn url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return Some("a link must start with https:// or http://");
    };
    if url.chars().any(char::is_whitespace) {
        return Some("a link cannot contain spaces");
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return Some("it is not a web address a browser can open");
    };
    // A parser reads "https:///path" as the host "path": the host must be
    // written where it belongs.
    let written = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = parsed.host_str().unwrap_or("");
    let named = host.contains('.') || host == "localhost";
    if written.is_empty() || !named {
        return Some("the address has no host name (such as example.org)");
    }
    None
}

/// Whether a value starts as a spreadsheet runs a formula: `=`, `+`, `-`
/// or `@` (after spaces), or a tab or carriage return, which some
/// spreadsheets skip before one.
pub fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['\t', '\r']) || text.trim_start().starts_with(['=', '+', '-', '@'])
}

/// The last whitespace-separated word of a name (the default surname).
pub fn last_word(name: &str) -> &str {
    name.split_whitespace().next_back().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_urls() {
        assert!(url_problem("https://example.org/x").is_none());
        assert!(url_problem("example.org").is_some());
        assert!(url_problem("https://exa mple.org").is_some());
        assert!(url_problem("https:///path").is_some());
        assert!(url_problem("https://exa[mple.org").is_some());
        assert!(url_problem("http://localhost:8080/x").is_none());
    }

    #[test]
    fn one_set_of_rules_for_every_entry() {
        let mut entry = Signatory::new(Kind::Organisation, "Open Org");
        assert_eq!(entry.problem(), None);
        entry.affiliation = Some("Uni".into());
        assert_eq!(entry.problem().as_deref(), Some("an organisation has no `affiliation`"));
        entry.affiliation = None;
        entry.url = Some("example.org".into());
        assert!(entry.problem().unwrap().starts_with("`url` \"example.org\": a link must"));
        let entry = Signatory::new(Kind::Individual, " ");
        assert_eq!(entry.problem().as_deref(), Some("the name is empty"));
        let entry = Signatory::new(Kind::Individual, "Ann\nAlpha");
        assert!(entry.problem().unwrap().starts_with("`name` has a line break"));
    }

    #[test]
    fn invisible_characters_are_refused_but_joiners_kept() {
        for bad in ["Ann\u{200B}Alpha", "\u{FEFF}Ann", "Ann\u{2060}Alpha"] {
            let problem = text_problem(field::NAME, bad).expect(bad);
            assert!(problem.starts_with("has an invisible character (U+"), "{problem}");
        }
        // Persian writes with the zero-width non-joiner, Indic scripts and
        // emoji with the joiner; a direction mark is harmless.
        for good in ["می\u{200C}خواهم", "क्\u{200D}ष", "Ann\u{200F} Alpha"] {
            assert_eq!(text_problem(field::NAME, good), None, "{good}");
        }
    }
}
