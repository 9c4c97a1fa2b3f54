//! The letter's date: chosen once, printed in words, and used as the PDF's
//! timestamp so that the same date always gives the same file.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Why no date could be settled on.
#[derive(Debug)]
pub enum DateError {
    /// `--date` is not a real calendar day in YYYY-MM-DD form.
    Invalid { given: String, why: String },
    /// `SOURCE_DATE_EPOCH` is set but is not a whole number of seconds.
    Epoch { given: String },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DateError::Invalid { given, why } => {
                write!(f, "invalid --date `{given}`: {why} (expected YYYY-MM-DD, e.g. 2025-02-13)")
            }
            DateError::Epoch { given } => write!(
                f,
                "invalid SOURCE_DATE_EPOCH `{given}`: expected seconds since 1970-01-01 UTC"
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// The date a letter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterDate(pub NaiveDate);

impl LetterDate {
    /// `--date` if given, else `SOURCE_DATE_EPOCH` (the reproducible-builds
    /// convention, so CI builds of one commit agree), else today.
    pub fn resolve(given: Option<&str>, epoch: Option<&str>) -> Result<Self, DateError> {
        if let Some(given) = given {
            return parse_iso(given).map(Self);
        }
        if let Some(epoch) = epoch.map(str::trim).filter(|e| !e.is_empty()) {
            let invalid = || DateError::Epoch { given: epoch.to_owned() };
            let seconds: i64 = epoch.parse().map_err(|_| invalid())?;
            let datetime = chrono::DateTime::from_timestamp(seconds, 0).ok_or_else(invalid)?;
            return Ok(Self(datetime.date_naive()));
        }
        Ok(Self(chrono::Local::now().date_naive()))
    }

    /// [`LetterDate::resolve`] with `SOURCE_DATE_EPOCH` from the environment.
    pub fn from_env(given: Option<&str>) -> Result<Self, DateError> {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        Self::resolve(given, epoch.as_deref())
    }

    /// "13 February 2025": no leading zero, English month, as letters are dated.
    pub fn long(&self) -> String {
        format!("{} {} {}", self.0.day(), MONTHS[self.0.month0() as usize], self.0.year())
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn parse_iso(given: &str) -> Result<NaiveDate, DateError> {
    let invalid = |why: String| DateError::Invalid { given: given.to_owned(), why };
    let parts: Vec<&str> = given.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(invalid("not a date".into()));
    };
    let numbers = (y.len() == 4 && m.len() == 2 && d.len() == 2)
        .then(|| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
        .flatten();
    let Some((year, month, day)) = numbers else {
        return Err(invalid("not a date".into()));
    };
    if !(1..=12).contains(&month) {
        return Err(invalid(format!("there is no month {month}")));
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| invalid(format!("{} {year} has no day {day}", MONTHS[month as usize - 1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_day_without_a_leading_zero() {
        let date = LetterDate::resolve(Some("2025-02-03"), None).unwrap();
        assert_eq!(date.long(), "3 February 2025");
        assert_eq!(date.iso(), "2025-02-03");
    }

    #[test]
    fn refuses_impossible_days() {
        let err = LetterDate::resolve(Some("2025-02-30"), None).unwrap_err();
        assert!(err.to_string().contains("February 2025 has no day 30"), "{err}");
        assert!(LetterDate::resolve(Some("2025-13-01"), None).is_err());
        assert!(LetterDate::resolve(Some("13/02/2025"), None).is_err());
    }

    #[test]
    fn flag_wins_over_source_date_epoch() {
        let from_epoch = LetterDate::resolve(None, Some("1739404800")).unwrap();
        assert_eq!(from_epoch.iso(), "2025-02-13");
        let flag = LetterDate::resolve(Some("2025-02-20"), Some("1739404800")).unwrap();
        assert_eq!(flag.iso(), "2025-02-20");
        assert!(LetterDate::resolve(None, Some("yesterday")).is_err());
    }
}
