//! `openletter ledger export | forget | back-up` and `openletter
//! signatories history`: reading and keeping the private ledger.

use std::path::Path;

use crate::args::{ExportFormat, LedgerAction, LedgerArgs};
use crate::error::Error;
use crate::ledger::{self, Ledger};
use crate::signatories::{self, fold};

pub fn run(args: &LedgerArgs) -> Result<(), Error> {
    let path = &args.signatories;
    let Some(mut ledger) = Ledger::existing(path)? else {
        return Err(Error::Usage(format!(
            "`{}` has no ledger yet: `signatories add` and `import` start it",
            ledger::path_of(path).display()
        )));
    };
    match &args.action {
        LedgerAction::Export { format } => export(&ledger, *format),
        LedgerAction::Forget { email } => {
            if !email.trim().contains('@') {
                return Err(Error::Usage(
                    "ledger forget takes an e-mail address, as the form collected it".into(),
                ));
            }
            match ledger.forget(email)? {
                0 => outln!("no submission was sent from that address: nothing erased")?,
                n => outln!(
                    "erased the address from {n} submission(s), and their withdrawal reasons"
                )?,
            }
            Ok(())
        }
        LedgerAction::BackUp { to } => {
            if to.exists() {
                return Err(Error::Usage(format!(
                    "`{}` exists: name a new file for the copy",
                    to.display()
                )));
            }
            ledger.back_up(to)?;
            outln!("{}", to.display())?;
            Ok(())
        }
    }
}

fn export(ledger: &Ledger, format: ExportFormat) -> Result<(), Error> {
    let submissions = ledger.submissions()?;
    let events = ledger.events()?;
    match format {
        ExportFormat::Json => {
            let all = serde_json::json!({ "submissions": submissions, "events": events });
            outln!("{}", serde_json::to_string_pretty(&all).expect("serialises"))?;
        }
        ExportFormat::Csv => {
            outln!(
                "received,channel,origin,state,kind,name,affiliation,url,entry,email,detail,news"
            )?;
            for s in &submissions {
                let fields = [
                    Some(s.received.as_str()),
                    Some(&s.channel),
                    Some(&s.origin),
                    Some(&s.state),
                    Some(&s.kind),
                    Some(&s.name),
                    s.affiliation.as_deref(),
                    s.url.as_deref(),
                    s.entry.as_deref(),
                    s.email.as_deref(),
                    s.detail.as_deref(),
                    s.news.map(|news| if news { "yes" } else { "no" }),
                ];
                let row: Vec<String> = fields.iter().map(|f| csv_field(f.unwrap_or(""))).collect();
                outln!("{}", row.join(","))?;
            }
        }
    }
    Ok(())
}

/// A CSV field, quoted when it must be, and never read as a formula by a
/// spreadsheet.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `signatories history NAME`: an entry's submissions and events.
pub fn history(path: &Path, name: &str) -> Result<(), Error> {
    let list = signatories::load(path)?;
    let folded = fold(name);
    let listed = list.entries.iter().find(|s| fold(&s.name) == folded).map(|s| s.name.clone());
    let withdrawn = list.withdrawn.iter().find(|w| fold(&w.name) == folded).map(|w| w.name.clone());
    let Some(entry) = listed.clone().or(withdrawn) else {
        return Err(Error::Refused(format!("no signatory is named \"{name}\"")));
    };
    let ledger = Ledger::existing(path)?;
    outln!("\"{entry}\"{}", if listed.is_some() { "" } else { " (withdrawn)" })?;
    let Some(ledger) = ledger else {
        outln!("  no ledger: the list is all there is")?;
        return Ok(());
    };
    let submissions = ledger.submissions_of(&entry)?;
    let events = ledger.events_of(&entry)?;
    if submissions.is_empty() && events.is_empty() {
        outln!("  not in the ledger: written into the list by hand, or before the ledger")?;
    }
    for s in &submissions {
        outln!(
            "  {}  received from {} ({}), {} as {} \"{}\"",
            s.received,
            s.origin,
            s.channel,
            s.state,
            s.kind,
            s.name
        )?;
    }
    for e in &events {
        let private = if e.reason.is_some() { " (a reason is kept in the ledger)" } else { "" };
        outln!("  {}  {}{private}", e.at, e.what)?;
    }
    Ok(())
}
