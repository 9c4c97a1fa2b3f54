//! The private ledger: every submission a project received (who, from
//! where, when, what became of it) and what happened to each entry since,
//! in one SQLite file beside the list, `.openletter/ledger.sqlite`.
//!
//! The list stays the public record and all a build reads; the ledger
//! holds what must not be published: e-mail addresses, withdrawal reasons.
//! It lets an import skip a row it has seen before even after its entry
//! was renamed, and tells an entry's history. Every change to it is made
//! in one transaction, committed only once the list it goes with is saved.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::Sha256;

/// The project's folder of private files, beside the list.
pub const FOLDER: &str = ".openletter";
/// The ledger's file in it.
pub const FILE: &str = "ledger.sqlite";

/// Why the ledger could not be used.
#[derive(Debug, Clone)]
pub struct LedgerError {
    pub path: PathBuf,
    pub why: String,
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the ledger `{}`: {}", self.path.display(), self.why)
    }
}

/// A project's ledger, open.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// The key rows' identities are hashed with, so that the ledger's keys
    /// say nothing of the addresses and times they were made from.
    keyer: Keyer,
}

/// A submission as the ledger keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub key: String,
    /// `import`, `add`.
    pub channel: String,
    /// Where it came from: `form.csv:12`, `signatories add`.
    pub origin: String,
    /// When it was received: the form's timestamp as written, else the time
    /// of the run.
    pub received: String,
    /// `listed`, `skipped`, `rejected`, `withdrawn`, `removed`.
    pub state: String,
    pub kind: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub url: Option<String>,
    /// The listed entry it became, by its name now.
    pub entry: Option<String>,
    /// Private: never printed but by `ledger export`.
    pub email: Option<String>,
    /// Why it was skipped or rejected.
    pub detail: Option<String>,
    /// Whether they asked for news about the letter (`serve`'s form).
    pub news: Option<bool>,
}

/// Something that happened to a listed entry.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub entry: String,
    pub at: String,
    pub what: String,
    /// Private: a withdrawal's reason.
    pub reason: Option<String>,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS submissions (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        origin TEXT NOT NULL,
        received TEXT NOT NULL,
        state TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        affiliation TEXT,
        url TEXT,
        entry TEXT,
        email TEXT,
        detail TEXT
    );
    CREATE INDEX IF NOT EXISTS submissions_entry ON submissions (entry);
    CREATE TABLE IF NOT EXISTS signups (
        key TEXT PRIMARY KEY,
        lang TEXT NOT NULL,
        updates INTEGER NOT NULL,
        confirmed TEXT
    );
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY,
        entry TEXT NOT NULL,
        at TEXT NOT NULL,
        what TEXT NOT NULL,
        reason TEXT,
        previous TEXT
    );
    CREATE INDEX IF NOT EXISTS events_entry ON events (entry);
";

/// Where the ledger of the project whose list is `signatories` is.
pub fn path_of(signatories: &Path) -> PathBuf {
    let project = signatories.parent().filter(|p| !p.as_os_str().is_empty());
    project.unwrap_or(Path::new(".")).join(FOLDER).join(FILE)
}

/// Makes a submission's key from what identifies it (a form's response
/// id, or its timestamp, e-mail address and name): a keyed hash, which says
/// nothing of them to anyone without the ledger.
#[derive(Clone)]
pub struct Keyer {
    secret: Vec<u8>,
}

impl Keyer {
    pub fn key(&self, parts: &[&str]) -> String {
        use std::fmt::Write;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        let bytes = mac.finalize().into_bytes();
        let mut key = String::with_capacity(32);
        for b in &bytes[..16] {
            write!(key, "{b:02x}").expect("writing to a String does not fail");
        }
        key
    }
}

impl Ledger {
    /// The project's ledger, made if it is not there yet. Its folder gets a
    /// `.gitignore` of its own, so that no commit of the project takes it.
    pub fn open(signatories: &Path) -> Result<Self, LedgerError> {
        let path = path_of(signatories);
        let folder = path.parent().expect("the ledger is in a folder");
        let fail = |why: String| LedgerError { path: path.clone(), why };
        if !folder.is_dir() {
            let mut builder = std::fs::DirBuilder::new();
            // Readable by the owner alone: it holds people's addresses.
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(folder).map_err(|e| fail(format!("cannot make its folder: {e}")))?;
        }
        // Made new, never over a file of the user's.
        let ignore = folder.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# Private: never commit.\n*\n")
                .map_err(|e| fail(format!("cannot write its .gitignore: {e}")))?;
        }
        Self::at(path)
    }

    /// The project's ledger if it has one.
    pub fn existing(signatories: &Path) -> Result<Option<Self>, LedgerError> {
        let path = path_of(signatories);
        if path.is_file() { Self::at(path).map(Some) } else { Ok(None) }
    }

    fn at(path: PathBuf) -> Result<Self, LedgerError> {
        let fail = |e: rusqlite::Error| LedgerError { path: path.clone(), why: e.to_string() };
        let conn = Connection::open(&path).map_err(fail)?;
        // A parallel command waits for the other's transaction to end.
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        let secret: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE key = 'secret'", [], |row| row.get(0))
            .optional()
            .map_err(fail)?;
        let secret = match secret {
            Some(secret) => secret,
            None => {
                // SQLite's randomness comes from the system's.
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', randomblob(32))",
                    [],
                )
                .map_err(fail)?;
                conn.query_row("SELECT value FROM meta WHERE key = 'secret'", [], |row| row.get(0))
                    .map_err(fail)?
            }
        };
        Ok(Ledger { conn, path, keyer: Keyer { secret } })
    }

    /// What makes submissions' keys, apart from the connection, so that a
    /// long import makes them on every core.
    pub fn keyer(&self) -> &Keyer {
        &self.keyer
    }

    /// Where the ledger is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for `serve`'s writer, which adds its own tables.
    pub fn into_connection(self) -> Connection {
        self.conn
    }

    /// Starts the changes that go with one edit of the list.
    pub fn begin(&mut self) -> Result<Changes<'_>, LedgerError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| LedgerError { path: path.clone(), why: e.to_string() })?;
        Ok(Changes { tx, path })
    }

    /// Every submission, in the order received.
    pub fn submissions(&self) -> Result<Vec<Submission>, LedgerError> {
        self.select("ORDER BY id", [])
    }

    /// The submissions that became the entry now named `entry`.
    pub fn submissions_of(&self, entry: &str) -> Result<Vec<Submission>, LedgerError> {
        self.select("WHERE entry = ?1 ORDER BY id", [entry])
    }

    /// What happened to the entry now named `entry`, in order.
    pub fn events_of(&self, entry: &str) -> Result<Vec<Event>, LedgerError> {
        self.query(&format!("{EVENTS} WHERE entry = ?1 ORDER BY id"), [entry], event)
    }

    /// Every rename, (old name, new name), in the order made.
    pub fn renames(&self) -> Result<Vec<(String, String)>, LedgerError> {
        let sql = "SELECT previous, entry FROM events WHERE previous IS NOT NULL ORDER BY id";
        self.query(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Every event, in order.
    pub fn events(&self) -> Result<Vec<Event>, LedgerError> {
        self.query(&format!("{EVENTS} ORDER BY id"), [], event)
    }

    /// The rows a query returns, each made by `row`.
    fn query<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, LedgerError> {
        let fail = |e: rusqlite::Error| self.error(e);
        let mut stmt = self.conn.prepare_cached(sql).map_err(fail)?;
        let rows = stmt.query_map(params, row).map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    fn select<P: rusqlite::Params>(
        &self,
        rest: &str,
        params: P,
    ) -> Result<Vec<Submission>, LedgerError> {
        self.query(&format!("{SUBMISSIONS} {rest}"), params, submission)
    }

    /// Erases a person's private data, by their address; says how many
    /// submissions held it.
    pub fn forget(&mut self, email: &str) -> Result<usize, LedgerError> {
        let email = email.trim();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| error_at(&path, e))?;
        let entries: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT entry FROM submissions WHERE lower(email) = lower(?1) AND entry IS NOT NULL")
                .map_err(|e| error_at(&path, e))?;
            let rows = stmt.query_map([email], |r| r.get(0)).map_err(|e| error_at(&path, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| error_at(&path, e))?
        };
        let n = tx
            .execute("UPDATE submissions SET email = NULL WHERE lower(email) = lower(?1)", [email])
            .map_err(|e| error_at(&path, e))?;
        for entry in entries {
            tx.execute("UPDATE events SET reason = NULL WHERE entry = ?1", [entry])
                .map_err(|e| error_at(&path, e))?;
        }
        tx.commit().map_err(|e| error_at(&path, e))?;
        // The erased values are not left in free pages of the file.
        self.conn.execute_batch("VACUUM").map_err(|e| self.error(e))?;
        Ok(n)
    }

    /// A copy of the ledger, consistent while others write to it.
    pub fn back_up(&self, to: &Path) -> Result<(), LedgerError> {
        self.conn.execute("VACUUM INTO ?1", [to.to_string_lossy()]).map_err(|e| self.error(e))?;
        // As private as the ledger: the owner's alone.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| LedgerError { path: to.to_owned(), why: e.to_string() })?;
        }
        Ok(())
    }

    fn error(&self, e: rusqlite::Error) -> LedgerError {
        error_at(&self.path, e)
    }
}

fn error_at(path: &Path, e: rusqlite::Error) -> LedgerError {
    LedgerError { path: path.to_owned(), why: e.to_string() }
}

/// The columns [`submission`] and [`event`] read, in their order.
const SUBMISSIONS: &str = "SELECT key, channel, origin, received, state, kind, name, affiliation, \
                           url, entry, email, detail, \
                           (SELECT updates FROM signups g WHERE g.key = submissions.key) \
                           FROM submissions";
const EVENTS: &str = "SELECT entry, at, what, reason FROM events";

fn event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event { entry: r.get(0)?, at: r.get(1)?, what: r.get(2)?, reason: r.get(3)? })
}

fn submission(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        key: r.get(0)?,
        channel: r.get(1)?,
        origin: r.get(2)?,
        received: r.get(3)?,
        state: r.get(4)?,
        kind: r.get(5)?,
        name: r.get(6)?,
        affiliation: r.get(7)?,
        url: r.get(8)?,
        entry: r.get(9)?,
        email: r.get(10)?,
        detail: r.get(11)?,
        news: r.get(12)?,
    })
}

/// The changes one command makes, kept until [`Changes::commit`]: dropped,
/// they are undone.
pub struct Changes<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
}

impl Changes<'_> {
    fn fail(&self, e: rusqlite::Error) -> LedgerError {
        error_at(&self.path, e)
    }

    /// Records a submission, or updates the one with its key (a row that
    /// was rejected before and is read again).
    pub fn record(&self, s: &Submission) -> Result<(), LedgerError> {
        self.tx
            .prepare_cached(
                "INSERT INTO submissions (key, channel, origin, received, state, kind, name, \
                 affiliation, url, entry, email, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                 ON CONFLICT (key) DO UPDATE SET origin = excluded.origin, state = excluded.state, \
                 kind = excluded.kind, name = excluded.name, affiliation = excluded.affiliation, \
                 url = excluded.url, entry = excluded.entry, email = excluded.email, \
                 detail = excluded.detail",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    s.key,
                    s.channel,
                    s.origin,
                    s.received,
                    s.state,
                    s.kind,
                    s.name,
                    s.affiliation,
                    s.url,
                    s.entry,
                    s.email,
                    s.detail
                ])
            })
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// Records what happened to an entry; a rename moves its submissions
    /// and history to the new name.
    pub fn event(
        &self,
        entry: &str,
        at: &str,
        what: &str,
        reason: Option<&str>,
    ) -> Result<(), LedgerError> {
        self.tx
            .execute(
                "INSERT INTO events (entry, at, what, reason) VALUES (?1, ?2, ?3, ?4)",
                params![entry, at, what, reason],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// The entry `old` is now named `new`: its submissions and history
    /// follow it, and the rename is recorded.
    pub fn rename(&self, old: &str, new: &str, at: &str) -> Result<(), LedgerError> {
        for sql in [
            "UPDATE submissions SET entry = ?2 WHERE entry = ?1",
            "UPDATE events SET entry = ?2 WHERE entry = ?1",
        ] {
            self.tx.execute(sql, params![old, new]).map_err(|e| self.fail(e))?;
        }
        self.tx
            .execute(
                "INSERT INTO events (entry, at, what, previous) VALUES (?1, ?2, ?3, ?4)",
                params![new, at, format!("renamed from \"{old}\""), old],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// The entry `entry` left the list: its submissions take `state`.
    pub fn unlist(&self, entry: &str, state: &str) -> Result<(), LedgerError> {
        self.tx
            .execute("UPDATE submissions SET state = ?2 WHERE entry = ?1", params![entry, state])
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// Keeps every change.
    pub fn commit(self) -> Result<(), LedgerError> {
        let path = self.path.clone();
        self.tx.commit().map_err(|e| error_at(&path, e))
    }
}

/// The submissions of one long command, recorded on a thread of their own
/// as the command finds them (a first import of many rows would otherwise
/// wait for every insert after its own work). Nothing is kept until
/// [`Recorder::recorded`] said every one was recorded and
/// [`Recorder::commit`] was called; dropped before, everything is undone.
pub struct Recorder {
    submissions: Option<mpsc::Sender<Submission>>,
    recorded: mpsc::Receiver<Result<(), LedgerError>>,
    commit: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), LedgerError>>>,
    path: PathBuf,
}

impl Ledger {
    /// Starts recording on a thread that owns the ledger from now on.
    pub fn recorder(self) -> Recorder {
        let (submissions, incoming) = mpsc::channel::<Submission>();
        let (report, recorded) = mpsc::channel();
        let (commit, decision) = mpsc::channel::<()>();
        let path = self.path.clone();
        let thread = std::thread::spawn(move || {
            let mut ledger = self;
            // Room for a long import's pages in memory (SQLite's default
            // holds two megabytes), so that its one transaction writes each
            // page once, at the commit, instead of spilling and reading it
            // back.
            let _ = ledger.conn.pragma_update(None, "cache_size", -64 * 1024);
            let changes = match ledger.begin() {
                Ok(changes) => changes,
                Err(err) => {
                    let _ = report.send(Err(err.clone()));
                    return Err(err);
                }
            };
            let all = incoming.iter().try_for_each(|s| changes.record(&s));
            let failed = all.is_err();
            let _ = report.send(all);
            // No decision (the sender dropped) undoes the changes.
            if failed || decision.recv().is_err() {
                return Ok(());
            }
            changes.commit()
        });
        Recorder {
            submissions: Some(submissions),
            recorded,
            commit: Some(commit),
            thread: Some(thread),
            path,
        }
    }
}

impl Recorder {
    pub fn record(&self, submission: Submission) {
        // A failed insert ends the thread, and [`Recorder::recorded`] says
        // why: the submissions sent after it need not be.
        if let Some(submissions) = &self.submissions {
            let _ = submissions.send(submission);
        }
    }

    /// Waits until every submission sent is recorded, or one failed.
    pub fn recorded(&mut self) -> Result<(), LedgerError> {
        self.submissions = None;
        self.recorded.recv().unwrap_or_else(|_| Err(self.ended()))
    }

    /// Keeps what was recorded.
    pub fn commit(mut self) -> Result<(), LedgerError> {
        if let Some(commit) = self.commit.take() {
            let _ = commit.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(self.ended()),
        }
    }

    fn ended(&self) -> LedgerError {
        let why = "the ledger's recording ended unexpectedly".into();
        LedgerError { path: self.path.clone(), why }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Undone: the thread ends without a decision, and is waited for, so
        // the ledger is closed before the command ends.
        self.submissions = None;
        self.commit = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The time of the run, as the ledger writes times: UTC, to the second.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC").to_string()
}
