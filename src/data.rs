//! What the template receives: the date, the collated signatories and their
//! counts, as one JSON value served to Typst at [`DATA_PATH`].
//!
//! Signatory text reaches Typst only as JSON strings, which the template
//! prints as text: a name such as `#panic("x")` is never parsed as markup.

use serde::Serialize;

use crate::date::LetterDate;
use crate::signatories::{Counts, Signatories};

/// The virtual file the template reads with `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

#[derive(Serialize)]
pub struct LetterData<'a> {
    pub date: DateData,
    pub counts: Counts,
    pub signatories: Vec<Entry<'a>>,
    /// A version label such as "7" or "v2025.02.20", when one was given.
    pub version: Option<&'a str>,
}

/// The languages whose long date the template is given, as BCP 47 tags.
/// A letter in another language can still format its own date.
pub const LANGUAGES: [&str; 14] =
    ["en-GB", "en-US", "en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb", "fi"];

#[derive(Serialize)]
pub struct DateData {
    /// "2025-02-13"
    pub iso: String,
    /// "13 February 2025"
    pub long: String,
    /// The long date in each of [`LANGUAGES`], by tag: CLDR's wording.
    pub languages: std::collections::BTreeMap<&'static str, String>,
    pub year: i32,
    pub month: u32,
    pub day: u32,
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
    pub fn new(list: &'a Signatories, date: LetterDate, version: Option<&'a str>) -> Self {
        use chrono::Datelike;
        let signatories = entries(list);
        LetterData {
            date: DateData {
                iso: date.iso(),
                long: date.long(),
                languages: LANGUAGES
                    .iter()
                    .filter_map(|tag| Some((*tag, date.long_in(tag)?)))
                    .collect(),
                year: date.0.year(),
                month: date.0.month(),
                day: date.0.day(),
            },
            counts: list.counts(),
            signatories,
            version,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("letter data serialises")
    }
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
        .map(|w| Withdrawn {
            name: &w.name.value,
            date: &w.date.value,
            reason: w.reason.as_ref().map(|r| r.value.as_str()),
        })
        .collect()
}

/// The signatories in printed order, as the template (and `list --json`)
/// see them.
pub fn entries(list: &Signatories) -> Vec<Entry<'_>> {
    list.collated()
        .into_iter()
        .map(|s| Entry {
            kind: s.kind.key(),
            name: &s.name.value,
            affiliation: s.affiliation.as_ref().map(|f| f.value.as_str()),
            url: s.url.as_ref().map(|f| f.value.as_str()),
        })
        .collect()
}
