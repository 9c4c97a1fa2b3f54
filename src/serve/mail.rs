//! The outbox: confirmation e-mails sent on a thread of their own, never
//! while a request waits. A failed send is tried again later, each time
//! after a longer wait, and given up after a day's attempts; the reason
//! stays in the ledger, the address never reaches the log.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};

use super::records::{self, Due};
use super::store::Store;
use super::words::{self, fill};
use crate::error::Error;

/// How many e-mails are taken from the outbox at a time.
const BATCH: usize = 50;
/// Attempts before an e-mail is given up.
const ATTEMPTS: i64 = 10;
/// E-mails sent at once.
const SENDERS: usize = 8;
/// How often the outbox is looked at when nobody says it has mail.
const POLL: Duration = Duration::from_secs(5);

/// Where the links in e-mails point and what they are about.
pub struct Letter {
    pub public_url: String,
    /// The title of each text, by language; the first is the original's.
    pub titles: Vec<(String, String)>,
}

/// Sends through one SMTP server from one address.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp: &str, from: &str) -> Result<Self, Error> {
        let transport = SmtpTransport::from_url(smtp)
            .map_err(|e| Error::Usage(format!("--smtp: {e}")))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| Error::Usage(format!("--mail-from: not an address ({e})")))?;
        Ok(Mailer { transport, from })
    }

    fn send(&self, letter: &Letter, due: &Due) -> Result<(), String> {
        let (words, _) = words::of(&due.lang);
        let title = (letter.titles.iter())
            .find(|(lang, _)| *lang == due.lang)
            .or(letter.titles.first())
            .map(|(_, title)| title.as_str())
            .unwrap_or("");
        let link = |path: &str, token: &str| format!("{}{path}?t={token}", letter.public_url);
        let body = fill(
            words.mail_body,
            &[
                ("name", &due.name),
                ("title", title),
                ("confirm", &link("confirm", &due.confirm)),
                ("withdraw", &link("withdraw", &due.withdraw)),
            ],
        );
        let to: Mailbox = due.email.parse().map_err(|_| "the address cannot be used".to_owned())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(fill(words.mail_subject, &[("title", title)]))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        // The SMTP error can quote the address: kept out of the log.
        self.transport.send(&message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                "refused by the SMTP server".into()
            } else {
                "SMTP failed".into()
            }
        })
    }
}

/// The outbox's thread; [`Outbox::wake`] says there is mail.
pub struct Outbox {
    wake: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Outbox {
    pub fn start(mailer: Mailer, letter: Letter, store: Store) -> Self {
        let (wake, woken) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            super::rebuild::background();
            loop {
                match woken.recv_timeout(POLL) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
                while let Ok(sent) = round(&mailer, &letter, &store)
                    && sent == BATCH
                {}
            }
        });
        Outbox { wake, thread }
    }

    pub fn waker(&self) -> Waker {
        Waker(Some(self.wake.clone()))
    }

    /// Stops after the e-mail being sent; what is left waits in the ledger
    /// for the next start.
    pub fn finish(self) {
        drop(self.wake);
        let _ = self.thread.join();
    }
}

/// Tells the outbox there is mail (nothing without one).
#[derive(Clone)]
pub struct Waker(pub Option<mpsc::Sender<()>>);

impl Waker {
    pub fn wake(&self) {
        if let Some(wake) = &self.0 {
            let _ = wake.send(());
        }
    }
}

/// Sends what is due, then records what became of each in one write (a
/// crash in between sends those e-mails again: at least once, never lost);
/// says how many were taken.
fn round(mailer: &Mailer, letter: &Letter, store: &Store) -> Result<usize, ()> {
    let now = chrono::Utc::now().timestamp();
    let due = store.run_blocking(move |conn| records::due(conn, now, BATCH)).map_err(|_| ())?;
    let taken = due.len();
    // A message's SMTP exchange is mostly waiting for the other side: a
    // few at once, over the transport's pool of connections.
    let chunk = taken.div_ceil(SENDERS).max(1);
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let senders: Vec<_> = (due.chunks(chunk))
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|due| {
                            let outcome = mailer.send(letter, due).map_err(|why| {
                                note!(
                                    "e-mail {} not sent (attempt {}): {why}",
                                    due.id,
                                    due.attempts + 1
                                );
                                // 30 s, 1 min, 2 min, … up to an hour between attempts.
                                let wait = (30i64 << due.attempts.min(7)).min(3600);
                                let next = (due.attempts + 1 < ATTEMPTS).then_some(now + wait);
                                (next, why)
                            });
                            (due.id, outcome)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        senders.into_iter().flat_map(|s| s.join().unwrap_or_default()).collect()
    });
    let now = chrono::Utc::now().timestamp();
    store
        .run_blocking(move |conn| {
            for (id, outcome) in outcomes {
                match outcome {
                    Ok(()) => records::sent(conn, id, now)?,
                    Err((next, why)) => records::not_sent(conn, id, next, &why)?,
                }
            }
            Ok(())
        })
        .map_err(|_| ())?;
    Ok(taken)
}
