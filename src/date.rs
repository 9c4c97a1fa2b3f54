//! The letter's date: chosen once, printed in words, and used as the PDF's
//! timestamp so that the same date always gives the same file.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use icu_calendar::{Date, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::YMD;

/// Why a date given on the command line or in the environment is refused.
#[derive(Debug)]
pub enum DateError {
    /// `--date` is not a real calendar day in YYYY-MM-DD form.
    Invalid { why: String },
    /// The timestamp is not a whole number of seconds in years 1 to 9999.
    Epoch { why: String },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DateError::Invalid { why } => {
                write!(f, "{why} (expected YYYY-MM-DD, years 0001 to 9999, e.g. 2025-02-13)")
            }
            DateError::Epoch { why } => write!(
                f,
                "{why} (SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 UTC, within years 1 to 9999)"
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// The years a letter can be dated in: four digits, as PDF dates need.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The date a letter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterDate(pub NaiveDate);

impl LetterDate {
    /// Today, in the machine's time zone: a letter is dated where it is sent.
    pub fn today() -> Self {
        Self(chrono::Local::now().date_naive())
    }

    /// `--date`: a real calendar day written YYYY-MM-DD.
    pub fn parse_iso(given: &str) -> Result<Self, DateError> {
        parse_iso(given).map(Self)
    }

    /// "13 February 2025": the date in British English words, for messages.
    pub fn long(&self) -> String {
        self.long_in("en-GB").expect("en-GB is a known language")
    }

    /// The date as a letter in `language` (a BCP 47 tag such as `de` or
    /// `en-US`) writes it, in the Gregorian calendar: CLDR's long form
    /// ("13. Februar 2025", "February 13, 2025"). `None` for a tag that is
    /// not a language.
    pub fn long_in(&self, language: &str) -> Option<String> {
        let locale: icu_locale_core::Locale = language.parse().ok()?;
        let formatter =
            FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(locale.into(), YMD::long())
                .ok()?;
        let date = Date::try_new_gregorian(self.0.year(), self.0.month() as u8, self.0.day() as u8)
            .ok()?;
        Some(formatter.format(&date).to_string())
    }

    /// The date as Typst's `Datetime`, for `datetime.today()` and the PDF
    /// timestamp (midnight UTC of the letter's date).
    pub fn datetime(&self) -> typst::foundations::Datetime {
        typst::foundations::Datetime::from_ymd(
            self.0.year(),
            self.0.month() as u8,
            self.0.day() as u8,
        )
        .expect("a valid calendar date")
    }

    /// "2025-02-13".
    pub fn iso(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

/// A moment in UTC, to the second: `SOURCE_DATE_EPOCH`, which dates a
/// letter (its day) and says when a published page was last updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment(pub chrono::DateTime<chrono::Utc>);

impl Moment {
    pub fn now() -> Self {
        Self(chrono::Utc::now())
    }

    /// `SOURCE_DATE_EPOCH` / `--creation-timestamp`: seconds since 1970, UTC.
    pub fn parse_epoch(given: &str) -> Result<Self, DateError> {
        let given = given.trim();
        let invalid = |why: &str| DateError::Epoch { why: format!("`{given}` {why}") };
        let seconds: i64 = given.parse().map_err(|_| invalid("is not a whole number"))?;
        chrono::DateTime::from_timestamp(seconds, 0)
            .filter(|moment| YEARS.contains(&moment.year()))
            .map(Self)
            .ok_or_else(|| invalid("is out of range"))
    }

    /// Its day in UTC.
    pub fn date(&self) -> LetterDate {
        LetterDate(self.0.date_naive())
    }

    /// "2025-02-17T14:45:00Z".
    pub fn iso(&self) -> String {
        self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// "14:45", in UTC.
    pub fn time(&self) -> String {
        self.0.format("%H:%M").to_string()
    }
}

fn parse_iso(given: &str) -> Result<NaiveDate, DateError> {
    let invalid = |why: String| DateError::Invalid { why };
    let parts: Vec<&str> = given.split('-').collect();
    let digits =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    let [y, m, d] = parts[..] else {
        return Err(invalid(format!("`{given}` is not a date")));
    };
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(invalid(format!("`{given}` is not a date")));
    }
    let (year, month, day): (i32, u32, u32) =
        (y.parse().expect("digits"), m.parse().expect("digits"), d.parse().expect("digits"));
    if !YEARS.contains(&year) {
        return Err(invalid(format!("there is no year {y}")));
    }
    if !(1..=12).contains(&month) {
        return Err(invalid(format!("there is no month {month}")));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        // "1 February 2025" → "February 2025".
        let first = LetterDate(NaiveDate::from_ymd_opt(year, month, 1).expect("a real month"));
        let long = first.long();
        invalid(format!("{} has no day {day}", long.trim_start_matches("1 ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_day_without_a_leading_zero() {
        let date = LetterDate::parse_iso("2025-02-03").unwrap();
        assert_eq!(date.long(), "3 February 2025");
        assert_eq!(date.iso(), "2025-02-03");
    }

    #[test]
    fn refuses_impossible_days_and_years() {
        let err = LetterDate::parse_iso("2025-02-30").unwrap_err();
        assert!(err.to_string().contains("February 2025 has no day 30"), "{err}");
        for bad in
            ["2025-13-01", "13/02/2025", "0000-01-01", "+202-01-01", "2025-1-01", " 2025-01-01"]
        {
            assert!(LetterDate::parse_iso(bad).is_err(), "{bad}");
        }
        assert_eq!(LetterDate::parse_iso("0001-01-01").unwrap().iso(), "0001-01-01");
        assert_eq!(LetterDate::parse_iso("9999-12-31").unwrap().iso(), "9999-12-31");
    }

    #[test]
    fn long_dates_from_cldr() {
        let date = LetterDate::parse_iso("2025-02-13").unwrap();
        for (language, long) in [
            ("en-GB", "13 February 2025"),
            ("en-US", "February 13, 2025"),
            ("de", "13. Februar 2025"),
            ("fr", "13 février 2025"),
            ("es", "13 de febrero de 2025"),
            ("it", "13 febbraio 2025"),
            ("nl", "13 februari 2025"),
            ("pt", "13 de fevereiro de 2025"),
            ("pl", "13 lutego 2025"),
            ("sv", "13 februari 2025"),
            ("da", "13. februar 2025"),
        ] {
            assert_eq!(date.long_in(language).as_deref(), Some(long), "{language}");
        }
        assert_eq!(date.long_in("not a tag"), None);
    }

    #[test]
    fn timestamps_within_four_digit_years() {
        let moment = Moment::parse_epoch("1739454300").unwrap();
        assert_eq!((moment.date().iso(), moment.time()), ("2025-02-13".into(), "13:45".into()));
        assert_eq!(moment.iso(), "2025-02-13T13:45:00Z");
        for bad in ["yesterday", "253402300800", "-62135596801", "99999999999999999999", ""] {
            assert!(Moment::parse_epoch(bad).is_err(), "{bad}");
        }
    }
}
