//! The server's side of the ledger: one thread owns the connection and runs
//! the requests' changes in batches, one transaction (and one sync to disk)
//! for all that arrived while the last was written, each change in a
//! savepoint of its own so that one failing undoes only itself. A request
//! is answered only once its change is committed: a submission that was
//! acknowledged survives a crash.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::ledger::{Keyer, Ledger, LedgerError};

/// The most changes committed together.
const BATCH: usize = 512;

/// The server's tables, beside the ledger's own: the tokens of e-mailed
/// links (hashed), the e-mails waiting to be sent, the moderators and their
/// sessions (hashed). What a form adds to a submission, `signups`, is the
/// ledger's own table.
const SCHEMA: &str = "
    CREATE INDEX IF NOT EXISTS submissions_email ON submissions (lower(email));
    CREATE TABLE IF NOT EXISTS tokens (
        hash TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        purpose TEXT NOT NULL,
        expires INTEGER,
        used INTEGER
    );
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        confirm TEXT,
        withdraw TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try INTEGER NOT NULL,
        sent INTEGER,
        failed TEXT
    );
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_try) WHERE sent IS NULL AND failed IS NULL;
    CREATE TABLE IF NOT EXISTS moderators (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        added TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
        hash TEXT PRIMARY KEY,
        moderator TEXT NOT NULL,
        csrf TEXT NOT NULL,
        expires INTEGER NOT NULL
    );
";

type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;

/// Why a change was not made.
#[derive(Debug)]
pub enum StoreError {
    /// The change refused itself (its own error, as text for the page).
    Refused(String),
    /// SQLite failed, or the store has stopped.
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            StoreError::Refused(why) | StoreError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Failed(e.to_string())
    }
}

/// The handle requests send their changes through.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
}

/// The thread that writes, joined when the server stops.
pub struct Writer(JoinHandle<()>);

impl Writer {
    /// Waits until every change sent before the last [`Store`] was dropped
    /// is committed.
    pub fn finish(self) {
        let _ = self.0.join();
    }
}

/// Opens the project's ledger for the server: its tables made, its key.
pub fn open(signatories: &Path) -> Result<(Store, Writer, Keyer), LedgerError> {
    let ledger = Ledger::open(signatories)?;
    let keyer = ledger.keyer().clone();
    let path = ledger.path().to_owned();
    let conn = ledger.into_connection();
    let fail = |e: rusqlite::Error| LedgerError { path: path.clone(), why: e.to_string() };
    conn.execute_batch(SCHEMA).map_err(fail)?;
    // Every acknowledged submission on disk before its answer, even if
    // the machine loses power.
    conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
    let (jobs, incoming) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("ledger".into())
        .spawn(move || write(conn, incoming))
        .map_err(|e| LedgerError { path, why: format!("cannot start its thread: {e}") })?;
    Ok((Store { jobs }, Writer(thread), keyer))
}

fn write(conn: Connection, incoming: mpsc::Receiver<Job>) {
    while let Ok(first) = incoming.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match incoming.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let begun = conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| e.to_string());
        let mut replies = Vec::with_capacity(batch.len());
        for job in batch {
            if begun.is_err() {
                // Not run: answered with the error below.
                replies.push(Box::new(|_: Result<(), String>| {}) as Reply);
                continue;
            }
            let _ = conn.execute_batch("SAVEPOINT job");
            let (kept, reply) = job(&conn);
            if !kept {
                let _ = conn.execute_batch("ROLLBACK TO job");
            }
            let _ = conn.execute_batch("RELEASE job");
            replies.push(reply);
        }
        let committed =
            begun.and_then(|()| conn.execute_batch("COMMIT").map_err(|e| e.to_string()));
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(committed.clone());
        }
    }
}

impl Store {
    /// Runs `change` in the writer's next transaction; answers once it is
    /// committed. A change that returns an error is undone.
    pub async fn run<T: Send + 'static>(
        &self,
        change: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.send(change, move |result| {
            let _ = answer.send(result);
        })?;
        answered.await.map_err(|_| StoreError::Failed("the ledger's writer stopped".into()))?
    }

    /// As [`Store::run`], waiting on this thread (outside the server's
    /// runtime: the mail and rebuild threads).
    pub fn run_blocking<T: Send + 'static>(
        &self,
        change: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = mpsc::channel();
        self.send(change, move |result| {
            let _ = answer.send(result);
        })?;
        answered.recv().map_err(|_| StoreError::Failed("the ledger's writer stopped".into()))?
    }

    fn send<T: Send + 'static>(
        &self,
        change: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        answer: impl FnOnce(Result<T, StoreError>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let job: Job = Box::new(move |conn| {
            let result = change(conn);
            let kept = result.is_ok();
            let reply: Reply = Box::new(move |committed| {
                answer(committed.map_err(StoreError::Failed).and(result));
            });
            (kept, reply)
        });
        self.jobs.send(job).map_err(|_| StoreError::Failed("the ledger's writer stopped".into()))
    }
}
