//! What the server reads and writes in the ledger, each function one change
//! run by the writer thread ([`super::store`]). A form's submission is a
//! row of the ledger's `submissions` (channel `serve`) whose state goes
//! `pending` → `confirmed` (by its e-mailed link; `unverified` without
//! e-mail) → `listed` or `rejected`, or `withdrawn`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::store::StoreError;
use super::tokens;
use crate::inputs::{refuse_entry, typefaces};
use crate::ledger::{self, Keyer};
use crate::signatories::edit::{EditError, Editor, Edits};
use crate::signatories::{Kind, Level, Signatory, lint};

pub const CHANNEL: &str = "serve";
/// How long a confirmation link works.
pub const CONFIRM_SECONDS: i64 = 7 * 24 * 3600;
/// How long before a pending signature's e-mail is sent again.
pub const RESEND_SECONDS: i64 = 3600;
/// How long a moderator stays logged in.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// A signature as the form gave it, checked.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub entry: Signatory,
    pub email: String,
    pub lang: String,
    pub updates: bool,
}

/// A submission waiting for a moderator.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub key: String,
    pub received: String,
    pub entry: Signatory,
    /// Confirmed by its e-mailed link (else taken with --no-confirmation).
    pub confirmed: bool,
}

/// Takes a signature in: a new one is recorded as pending with its
/// confirmation e-mail queued. An address that signed before changes
/// nothing (a pending one gets its e-mail again), and the answer is the
/// same, so that the form does not tell whether an address signed.
pub fn submit(
    conn: &Connection,
    keyer: &Keyer,
    s: &SignUp,
    by_mail: bool,
    now: i64,
) -> Result<(), StoreError> {
    let earlier: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT key, state FROM submissions WHERE channel = ?1 AND lower(email) = lower(?2) \
             AND state IN ('pending', 'confirmed', 'unverified', 'listed') LIMIT 1",
        )?
        .query_row(params![CHANNEL, s.email], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((key, state)) = earlier else {
        return record_new(conn, keyer, s, by_mail, now);
    };
    // The same work as a new signature, undone, so that the answer takes
    // as long and says nothing of the address.
    conn.execute_batch("SAVEPOINT again")?;
    let undone = record_new(conn, keyer, s, by_mail, now);
    conn.execute_batch("ROLLBACK TO again; RELEASE again")?;
    undone?;
    // A pending signature's e-mail again, at most once an hour: the form
    // cannot be used to flood someone's mailbox.
    let last: Option<i64> = conn
        .prepare_cached("SELECT max(expires) FROM tokens WHERE key = ?1 AND purpose = 'confirm'")?
        .query_row([&key], |r| r.get(0))?;
    let recent = last.is_some_and(|expires| now - (expires - CONFIRM_SECONDS) < RESEND_SECONDS);
    if by_mail && state == "pending" && !recent {
        queue_mail(conn, &key, now)?;
    }
    Ok(())
}

fn record_new(
    conn: &Connection,
    keyer: &Keyer,
    s: &SignUp,
    by_mail: bool,
    now: i64,
) -> Result<(), StoreError> {
    let key = keyer.key(&[CHANNEL, &tokens::new()]);
    let e = &s.entry;
    conn.prepare_cached(
        "INSERT INTO submissions (key, channel, origin, received, state, kind, name, affiliation, \
         url, email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        key,
        CHANNEL,
        format!("serve /{}/sign", s.lang),
        ledger::now(),
        if by_mail { "pending" } else { "unverified" },
        e.kind.key(),
        e.name,
        e.affiliation,
        e.url,
        s.email
    ])?;
    conn.prepare_cached("INSERT INTO signups (key, lang, updates) VALUES (?1, ?2, ?3)")?
        .execute(params![key, s.lang, s.updates])?;
    if by_mail {
        queue_mail(conn, &key, now)?;
    }
    Ok(())
}

/// Queues the e-mail with a new confirmation link and a new withdrawal
/// link. The links' tokens wait in the outbox row until it is sent, then
/// only their hashes are left.
fn queue_mail(conn: &Connection, key: &str, now: i64) -> Result<(), StoreError> {
    let (confirm, withdraw) = (tokens::new(), tokens::new());
    let mut insert = conn.prepare_cached(
        "INSERT INTO tokens (hash, key, purpose, expires) VALUES (?1, ?2, ?3, ?4)",
    )?;
    insert.execute(params![tokens::hash(&confirm), key, "confirm", now + CONFIRM_SECONDS])?;
    insert.execute(params![tokens::hash(&withdraw), key, "withdraw", None::<i64>])?;
    conn.prepare_cached(
        "INSERT INTO outbox (key, confirm, withdraw, next_try) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![key, confirm, withdraw, now])?;
    Ok(())
}

/// What an e-mailed link is for and the language of its form, if it still
/// works (opening its page changes nothing).
pub fn token_purpose(
    conn: &Connection,
    token: &str,
    now: i64,
) -> Result<Option<(String, String)>, StoreError> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT t.purpose, g.lang FROM tokens t JOIN signups g ON g.key = t.key \
             WHERE t.hash = ?1 AND t.used IS NULL AND (t.expires IS NULL OR t.expires > ?2)",
        )?
        .query_row(params![tokens::hash(token), now], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The language of a submission's form.
fn lang_of(conn: &Connection, key: &str) -> Result<String, StoreError> {
    Ok(conn
        .query_row("SELECT lang FROM signups WHERE key = ?1", [key], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Uses a link's token once: the key of its submission.
fn use_token(
    conn: &Connection,
    token: &str,
    purpose: &str,
    now: i64,
) -> Result<String, StoreError> {
    let gone = || StoreError::Refused("expired".into());
    if !tokens::well_formed(token) {
        return Err(gone());
    }
    conn.prepare_cached(
        "UPDATE tokens SET used = ?3 WHERE hash = ?1 AND purpose = ?2 AND used IS NULL \
         AND (expires IS NULL OR expires > ?3) RETURNING key",
    )?
    .query_row(params![tokens::hash(token), purpose, now], |r| r.get(0))
    .optional()?
    .ok_or_else(gone)
}

/// Confirms the submission whose confirmation link this is; the language
/// of its form.
pub fn confirm(conn: &Connection, token: &str, now: i64) -> Result<String, StoreError> {
    let key = use_token(conn, token, "confirm", now)?;
    conn.prepare_cached(
        "UPDATE submissions SET state = 'confirmed' WHERE key = ?1 AND state = 'pending'",
    )?
    .execute([&key])?;
    conn.prepare_cached("UPDATE signups SET confirmed = ?2 WHERE key = ?1")?
        .execute(params![key, ledger::now()])?;
    // The links of earlier e-mails confirm nothing more.
    conn.prepare_cached(
        "UPDATE tokens SET used = ?2 WHERE key = ?1 AND purpose = 'confirm' AND used IS NULL",
    )?
    .execute(params![key, now])?;
    lang_of(conn, &key)
}

/// Withdraws the submission whose withdrawal link this is; when it was
/// listed, its entry leaves the list (recorded as withdrawn, so that it is
/// not added again). Says whether the list changed, and the language of
/// its form.
pub fn withdraw_by_link(
    conn: &Connection,
    list: &Path,
    language: &str,
    token: &str,
    now: i64,
) -> Result<(bool, String), StoreError> {
    let key = use_token(conn, token, "withdraw", now)?;
    let changed = withdraw(conn, list, language, &key, "withdrew by the link in their e-mail")?;
    Ok((changed, lang_of(conn, &key)?))
}

/// Withdraws one submission (see [`withdraw_by_link`]).
pub fn withdraw(
    conn: &Connection,
    list: &Path,
    language: &str,
    key: &str,
    why: &str,
) -> Result<bool, StoreError> {
    let (state, entry): (String, Option<String>) = conn
        .query_row("SELECT state, entry FROM submissions WHERE key = ?1", [key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::Refused("no such submission".into()))?;
    conn.execute("UPDATE submissions SET state = 'withdrawn' WHERE key = ?1", [key])?;
    // No link of theirs works any more.
    conn.execute(
        "UPDATE tokens SET used = ?2 WHERE key = ?1 AND used IS NULL",
        params![key, chrono::Utc::now().timestamp()],
    )?;
    match (state.as_str(), entry) {
        ("listed", Some(name)) => {
            conn.execute(
                "INSERT INTO events (entry, at, what) VALUES (?1, ?2, ?3)",
                params![name, ledger::now(), why],
            )?;
            let mut editor = Editor::open(list, Edits::Any, language).map_err(edit_failed)?;
            let today = chrono::Utc::now().date_naive().to_string();
            editor.withdraw(&name, &today).map_err(|r| StoreError::Refused(r.to_string()))?;
            editor.save().map_err(edit_failed)?;
            editor.finish();
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// An edit of the list that failed: told in full on the server's log.
fn edit_failed(err: EditError) -> StoreError {
    crate::report::error(&err.into());
    StoreError::Failed("the list could not be edited (the server's log says why)".into())
}

/// The oldest `limit` submissions waiting for a moderator, and how many
/// wait in all.
pub fn waiting(conn: &Connection, limit: usize) -> Result<(Vec<Waiting>, usize), StoreError> {
    let rows = select_waiting(conn, "ORDER BY id LIMIT ?2", params![CHANNEL, limit as i64])?;
    let all: i64 = conn.query_row(
        "SELECT count(*) FROM submissions WHERE channel = ?1 AND state IN ('confirmed', 'unverified')",
        [CHANNEL],
        |r| r.get(0),
    )?;
    Ok((rows, all as usize))
}

/// The submission `key`, if it waits for a moderator.
fn waiting_one(conn: &Connection, key: &str) -> Result<Option<Waiting>, StoreError> {
    Ok(select_waiting(conn, "AND key = ?2", params![CHANNEL, key])?.pop())
}

fn select_waiting(
    conn: &Connection,
    rest: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Waiting>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT key, received, kind, name, affiliation, url, state FROM submissions \
         WHERE channel = ?1 AND state IN ('confirmed', 'unverified') {rest}"
    ))?;
    let rows = stmt.query_map(params, |r| {
        let kind: String = r.get(2)?;
        Ok(Waiting {
            key: r.get(0)?,
            received: r.get(1)?,
            entry: Signatory {
                kind: Kind::from_key(&kind).unwrap_or(Kind::Individual),
                name: r.get(3)?,
                affiliation: r.get(4)?,
                url: r.get(5)?,
                sort_as: None,
            },
            confirmed: r.get::<_, String>(6)? == "confirmed",
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The entries listed through the server last, by name, with their keys.
pub fn listed(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, entry FROM submissions WHERE channel = ?1 AND state = 'listed' \
         AND entry IS NOT NULL ORDER BY id DESC LIMIT 100",
    )?;
    let rows = stmt.query_map([CHANNEL], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One approval: the submission, and the entry as the moderator left it.
pub struct Approval {
    pub key: String,
    pub entry: Option<Signatory>,
    /// Added even if it looks like a listed name (`add --force`).
    pub force: bool,
}

/// An approval and its entry as the moderator left it.
pub type Approved = (Approval, Signatory);
/// A submission's key and the entry it became.
pub type Listed = (String, Signatory);
/// What was not approved (a name, or a key), and why.
pub type Refused = Vec<(String, String)>;

/// The approvals whose submissions still wait, each with its entry as the
/// moderator left it; the others, with why not.
pub fn still_waiting(
    conn: &Connection,
    approvals: Vec<Approval>,
) -> Result<(Vec<Approved>, Refused), StoreError> {
    let (mut waiting, mut refused) = (Vec::new(), Vec::new());
    for approval in approvals {
        match waiting_one(conn, &approval.key)? {
            Some(w) => {
                let entry = approval.entry.clone().unwrap_or(w.entry);
                waiting.push((approval, entry));
            }
            None => refused.push((approval.key, "is no longer waiting".into())),
        }
    }
    Ok((waiting, refused))
}

/// Adds approved entries to the list, in one edit of the file under its
/// lock (the edit `signatories add` makes). Runs outside the ledger's
/// writer, which an edit of a long list would hold up. The keys added, and
/// the names refused with why.
pub fn add_to_list(
    list: &Path,
    language: &str,
    approved: Vec<Approved>,
) -> Result<(Vec<Listed>, Refused), StoreError> {
    let fonts = typefaces(list).map_err(|e| {
        crate::report::error(&e);
        StoreError::Failed("the project's fonts cannot be read (the server's log says why)".into())
    })?;
    let mut editor = Editor::open(list, Edits::Additions, language).map_err(edit_failed)?;
    let (mut added, mut refused, mut forced) = (Vec::new(), Vec::new(), Vec::new());
    for (approval, entry) in approved {
        if let Some(why) = entry.problem().or_else(|| refuse_entry(&fonts, &entry)) {
            refused.push((entry.name, why));
            continue;
        }
        let name = entry.name.clone();
        match editor.add(entry.clone(), approval.force) {
            Ok(()) => {
                forced.push(approval.force);
                added.push((approval.key, entry));
            }
            Err(refusal) => refused.push((name, refusal.to_string())),
        }
    }
    if added.is_empty() {
        editor.finish();
        return Ok((added, refused));
    }
    // What `check` counts as an error (a direction control, mixed scripts, a
    // malformed link) would fail the coalition's next build: the approval
    // waits unless the moderator said to add it anyway.
    let rendered = editor.render().map_err(edit_failed)?;
    let forced = forced.iter().all(|f| *f);
    if !forced && let Some(errors) = new_errors(list, &rendered.source) {
        editor.finish();
        let keys = added.into_iter().map(|(_, e)| (e.name, errors.clone()));
        refused.extend(keys);
        return Ok((Vec::new(), refused));
    }
    editor.write(&rendered).map_err(edit_failed)?;
    editor.finish();
    Ok((added, refused))
}

/// The errors `check` would find in the list as edited that it does not
/// find in the list as it is, if any.
fn new_errors(list: &Path, edited: &str) -> Option<String> {
    let errors = |list: &crate::signatories::Signatories| -> Vec<String> {
        lint(list)
            .into_iter()
            .filter(|f| f.lint.level() == Level::Error)
            .map(|f| format!("{}: {}", f.lint.name(), f.problem.message))
            .collect()
    };
    // Read without taking the lock: the edit holds it.
    let before = std::fs::read(list)
        .ok()
        .and_then(|bytes| crate::signatories::parse_bytes(list, bytes).ok())
        .map(|l| errors(&l))
        .unwrap_or_default();
    let after = crate::signatories::parse(list, edited.to_owned()).ok().map(|l| errors(&l))?;
    let new: Vec<String> = after.into_iter().filter(|e| !before.contains(e)).collect();
    (!new.is_empty()).then(|| {
        format!("would fail `check` ({}); tick \"Add even if\" to add it anyway", new.join("; "))
    })
}

/// Records that the submissions were listed as these entries.
pub fn mark_listed(conn: &Connection, added: &[Listed], moderator: &str) -> Result<(), StoreError> {
    let mut update = conn.prepare_cached(
        "UPDATE submissions SET state = 'listed', entry = ?2, kind = ?3, name = ?2, \
         affiliation = ?4, url = ?5, detail = ?6 WHERE key = ?1",
    )?;
    for (key, e) in added {
        let detail = format!("approved by {moderator}");
        update.execute(params![key, e.name, e.kind.key(), e.affiliation, e.url, detail])?;
    }
    Ok(())
}

/// Rejects a waiting submission.
pub fn reject(conn: &Connection, key: &str, moderator: &str) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE submissions SET state = 'rejected', detail = ?2 WHERE key = ?1 \
         AND channel = ?3 AND state IN ('confirmed', 'unverified')",
        params![key, format!("rejected by {moderator}"), CHANNEL],
    )?;
    if n == 0 { Err(StoreError::Refused("no longer waiting".into())) } else { Ok(()) }
}

/// Adds a moderator, or gives one a new password hash.
pub fn set_moderator(conn: &Connection, name: &str, hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO moderators (name, hash, added) VALUES (?1, ?2, ?3) \
         ON CONFLICT (name) DO UPDATE SET hash = excluded.hash",
        params![name, hash, ledger::now()],
    )?;
    // A new password ends the sessions the old one opened.
    conn.execute("DELETE FROM sessions WHERE moderator = ?1", [name])?;
    Ok(())
}

pub fn moderator_hash(conn: &Connection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT hash FROM moderators WHERE name = ?1", [name], |r| r.get(0))
        .optional()?)
}

pub fn has_moderators(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM moderators)", [], |r| r.get(0))?)
}

/// A new session: its cookie's token and its CSRF token.
pub fn open_session(
    conn: &Connection,
    moderator: &str,
    now: i64,
) -> Result<(String, String), StoreError> {
    let (token, csrf) = (tokens::new(), tokens::new());
    conn.execute("DELETE FROM sessions WHERE expires <= ?1", [now])?;
    conn.execute(
        "INSERT INTO sessions (hash, moderator, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
        params![tokens::hash(&token), moderator, csrf, now + SESSION_SECONDS],
    )?;
    Ok((token, csrf))
}

/// The moderator and CSRF token of a session cookie, while it lasts.
pub fn session(
    conn: &Connection,
    token: &str,
    now: i64,
) -> Result<Option<(String, String)>, StoreError> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT moderator, csrf FROM sessions WHERE hash = ?1 AND expires > ?2")?
        .query_row(params![tokens::hash(token), now], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn close_session(conn: &Connection, token: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE hash = ?1", [tokens::hash(token)])?;
    Ok(())
}

/// An e-mail due to be sent.
pub struct Due {
    pub id: i64,
    pub attempts: i64,
    pub email: String,
    pub name: String,
    pub lang: String,
    pub confirm: String,
    pub withdraw: String,
}

pub fn due(conn: &Connection, now: i64, limit: usize) -> Result<Vec<Due>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.attempts, s.email, s.name, g.lang, o.confirm, o.withdraw FROM outbox o \
         JOIN submissions s ON s.key = o.key JOIN signups g ON g.key = o.key \
         WHERE o.sent IS NULL AND o.failed IS NULL AND o.next_try <= ?1 \
         AND s.email IS NOT NULL AND o.confirm IS NOT NULL ORDER BY o.next_try, o.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit as i64], |r| {
        Ok(Due {
            id: r.get(0)?,
            attempts: r.get(1)?,
            email: r.get(2)?,
            name: r.get(3)?,
            lang: r.get(4)?,
            confirm: r.get(5)?,
            withdraw: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The e-mail went: its links' tokens are forgotten (only their hashes
/// stay).
pub fn sent(conn: &Connection, id: i64, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET sent = ?2, confirm = NULL, withdraw = NULL WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The e-mail did not go: tried again at `next`, or given up (`failed`).
pub fn not_sent(
    conn: &Connection,
    id: i64,
    next: Option<i64>,
    why: &str,
) -> Result<(), StoreError> {
    match next {
        Some(next) => conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_try = ?2 WHERE id = ?1",
            params![id, next],
        )?,
        None => conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, failed = ?2, confirm = NULL, \
             withdraw = NULL WHERE id = ?1",
            params![id, why],
        )?,
    };
    Ok(())
}

/// Erases what the server kept of people once the retention period is
/// over: addresses, links, e-mails not sent. Says how many addresses.
pub fn erase_private(conn: &Connection) -> Result<usize, StoreError> {
    let n = conn.execute(
        "UPDATE submissions SET email = NULL WHERE channel = ?1 AND email IS NOT NULL",
        [CHANNEL],
    )?;
    conn.execute("DELETE FROM tokens", [])?;
    conn.execute("DELETE FROM outbox", [])?;
    Ok(n)
}
