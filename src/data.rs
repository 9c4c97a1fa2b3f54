//! What the template receives: the date, the collated signatories and their
//! counts, as one JSON value served to Typst at [`DATA_PATH`].
//!
//! Signatory text reaches Typst only as JSON strings, which the template
//! prints as text: a name such as `#panic("x")` is never parsed as markup.

use serde::Serialize;

use std::collections::BTreeMap;

use crate::cldr::Counting;
use crate::date::LetterDate;
use crate::signatories::{Collator, Counts, Signatories, Signatory};

/// The virtual file the template reads with `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

#[derive(Serialize)]
pub struct LetterData<'a> {
    pub date: DateData,
    pub counts: Counts,
    /// In the order of the original's language.
    pub signatories: Vec<Entry<'a>>,
    /// Each language a text is in (`sv`, `zh-TW`): `null` when it collates
    /// as the original's does, else the indices of `signatories` in its
    /// order. A text looks its language up, so each prints the list in the
    /// order its readers look names up in.
    pub orders: BTreeMap<String, Option<Vec<usize>>>,
    /// A version label such as "7" or "v2025.02.20", when one was given.
    pub version: Option<&'a str>,
    /// How each text's language (and English, whose words stand in for a
    /// language without its own) writes and counts the counts.
    pub cldr: BTreeMap<String, Counting>,
}

/// The languages whose long date the template is always given, as BCP 47
/// tags (a label in a language the letter may quote); the languages of the
/// letter's texts are added to them.
pub const LANGUAGES: [&str; 14] =
    ["en-GB", "en-US", "en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb", "fi"];

#[derive(Serialize, Clone)]
pub struct DateData {
    /// "2025-02-13"
    pub iso: String,
    /// "13 February 2025"
    pub long: String,
    /// The long date in each of [`LANGUAGES`] and of the texts' languages,
    /// by tag: CLDR's wording.
    pub languages: BTreeMap<String, String>,
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl DateData {
    /// The date, worded in every language of `texts` too.
    pub fn new(date: LetterDate, texts: &[String]) -> Self {
        use chrono::Datelike;
        let tags = LANGUAGES.iter().copied().chain(texts.iter().map(String::as_str));
        DateData {
            iso: date.iso(),
            long: date.long(),
            languages: tags.filter_map(|tag| Some((tag.to_owned(), date.long_in(tag)?))).collect(),
            year: date.0.year(),
            month: date.0.month(),
            day: date.0.day(),
        }
    }
}

#[derive(Serialize)]
pub struct Entry<'a> {
    pub kind: &'static str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
}

impl<'a> LetterData<'a> {
    /// The data of a letter whose original is in `languages[0]` and whose
    /// other texts are in the rest.
    pub fn new(
        list: &'a Signatories,
        date: LetterDate,
        version: Option<&'a str>,
        languages: &[String],
    ) -> Self {
        let (original, others) = languages.split_first().expect("the original has a language");
        let order = Collator::new(original).order(&list.entries);
        let mut orders = BTreeMap::from([(original.clone(), None)]);
        // Where each entry stands in the original's order.
        let mut position = vec![0; order.len()];
        for (at, &i) in order.iter().enumerate() {
            position[i] = at;
        }
        for language in others.iter().filter(|l| *l != original) {
            let theirs: Vec<usize> = Collator::new(language)
                .order(&list.entries)
                .into_iter()
                .map(|i| position[i])
                .collect();
            let same = theirs.iter().enumerate().all(|(at, &i)| at == i);
            orders.entry(language.clone()).or_insert((!same).then_some(theirs));
        }
        let counts = list.counts();
        let numbers = [counts.total, counts.organisations, counts.individuals].map(|n| n as u64);
        let cldr = languages
            .iter()
            .map(String::as_str)
            .chain(["en"])
            .filter_map(|tag| Some((tag.to_owned(), Counting::new(tag, &numbers)?)))
            .collect();
        LetterData {
            date: DateData::new(date, languages),
            counts,
            signatories: entries(order.into_iter().map(|i| &list.entries[i]).collect()),
            orders,
            version,
            cldr,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("letter data serialises")
    }
}

/// What the template is told when it makes the web page of one text, as
/// `data.site`; every address is relative to that page unless `url` says
/// where the site is served from.
#[derive(Serialize)]
pub struct SiteData {
    /// The page's own PDF.
    pub pdf: String,
    /// The first page as a PNG, for link previews (absolute with `url`).
    pub preview: String,
    /// The page's address, when the site's is known.
    pub url: Option<String>,
    pub updated: Updated,
    /// Every text's page, the original first, for the links between them.
    pub texts: Vec<TextPage>,
    /// The font files the page's stylesheet declares.
    pub fonts: Vec<WebFont>,
    /// The site's icon.
    pub icon: String,
}

/// When the list was last published.
#[derive(Serialize, Clone)]
pub struct Updated {
    /// "2025-02-17T14:45:00Z"
    pub iso: String,
    /// "14:45", UTC.
    pub time: String,
    pub date: DateData,
}

#[derive(Serialize)]
pub struct TextPage {
    /// Its language tag, for `hreflang`.
    pub lang: String,
    /// From the page being made, for links on it.
    pub href: String,
    /// The same, absolute when the site's address is known.
    pub url: String,
    /// Whether it is the page being made.
    pub current: bool,
    /// Its language's name in itself, as that text's labels give it
    /// (`language`), once its page has been made.
    pub name: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct WebFont {
    pub family: String,
    pub weight: u16,
    /// "normal" or "italic".
    pub style: &'static str,
    pub href: String,
    /// The characters it was cut to, as CSS's `unicode-range`.
    pub unicode_range: String,
}

/// The letter's data with `site` added: the data of its web page. The JSON
/// of the signatories is reused as it is, not made again.
pub fn with_site(data: &[u8], site: &SiteData) -> Vec<u8> {
    with_field(data, "site", &serde_json::to_vec(site).expect("site data serialises"))
}

/// The letter's data asking the template for the card a shared link shows
/// (`data.card`) instead of the letter.
pub fn with_card(data: &[u8]) -> Vec<u8> {
    with_field(data, "card", b"true")
}

/// `data`, a JSON object, with the field `key` (a plain name) set to the
/// JSON `value`, appended without parsing the rest again.
fn with_field(data: &[u8], key: &str, value: &[u8]) -> Vec<u8> {
    let body = data.strip_suffix(b"}").expect("letter data is a JSON object");
    [body, format!(",\"{key}\":").as_bytes(), value, b"}"].concat()
}

/// The list as `signatories list --json` prints it, and as a published site
/// offers it (`signatories.json`, without withdrawals but with the time of
/// publication).
#[derive(Serialize)]
pub struct Listing<'a> {
    pub counts: Counts,
    pub signatories: Vec<Entry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Vec<Withdrawn<'a>>>,
    /// When the list was published: "2025-02-17T14:45:00Z".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// One who withdrew, as `list --json` shows them.
#[derive(Serialize)]
pub struct Withdrawn<'a> {
    pub name: &'a str,
    pub date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

/// The withdrawals, in file order.
pub fn withdrawn(list: &Signatories) -> Vec<Withdrawn<'_>> {
    list.withdrawn
        .iter()
        .map(|w| Withdrawn { name: &w.name, date: &w.date, reason: w.reason.as_deref() })
        .collect()
}

/// The signatories as the template (and `list --json`) see them, in the
/// order given (see [`Signatories::collated`]).
pub fn entries(collated: Vec<&Signatory>) -> Vec<Entry<'_>> {
    collated
        .into_iter()
        .map(|s| Entry {
            kind: s.kind.key(),
            name: &s.name,
            affiliation: s.affiliation.as_deref(),
            url: s.url.as_deref(),
        })
        .collect()
}
