//! The moderators' queue at `/admin`: a login (argon2id hashes, attempts
//! limited per address and per name), a session in a Secure, HttpOnly,
//! SameSite cookie made anew at each login, and a CSRF token in every form
//! that changes anything.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::http::Peer;
use super::limits::{client, client_key};
use super::pages::{self, Queue, Row};
use super::records::{self, Approval, Waiting};
use super::store::StoreError;
use super::{App, Form, html, now, tokens};
use crate::signatories::{self, Kind, Signatories, Signatory, lint};

const SESSION: &str = "openletter_session";
const LOGIN: &str = "openletter_login";
/// The submissions the queue shows at once, oldest first: each is checked
/// against the whole list.
const SHOWN: usize = 50;

/// A moderator's password hash, as the ledger keeps it.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(name: &str, value: &str, seconds: i64) -> String {
    format!("{name}={value}; Path=/admin; Max-Age={seconds}; Secure; HttpOnly; SameSite=Strict")
}

/// The session a request's cookie opens: (moderator, CSRF token, cookie).
async fn session(app: &App, headers: &HeaderMap) -> Option<(String, String, String)> {
    let token = cookie(headers, SESSION)?;
    let looked = token.clone();
    let (moderator, csrf) =
        app.store.run(move |conn| records::session(conn, &looked, now())).await.ok()??;
    Some((moderator, csrf, token))
}

fn login_page(status: StatusCode, failed: Option<&str>) -> Response {
    // A CSRF token for the login form itself, in a cookie and in the form
    // (another site cannot read the one to write the other).
    let csrf = tokens::new();
    let mut response = html(status, pages::login(&csrf, failed));
    if let Ok(value) = header::HeaderValue::from_str(&set_cookie(LOGIN, &csrf, 3600)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn queue(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match session(&app, &headers).await {
        Some((moderator, csrf, _)) => queue_page(&app, &moderator, &csrf, None).await,
        None => login_page(StatusCode::OK, None),
    }
}

async fn queue_page(app: &App, moderator: &str, csrf: &str, said: Option<&str>) -> Response {
    let ((waiting, waiting_total), listed) = match app
        .store
        .run(|conn| Ok((records::waiting(conn, SHOWN)?, records::listed(conn)?)))
        .await
    {
        Ok(found) => found,
        Err(err) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the ledger cannot be read: {err}\n"),
            )
                .into_response();
        }
    };
    let entries: Vec<&Signatory> = waiting.iter().map(|w| &w.entry).collect();
    let mut warned = match signatories::load(&app.list) {
        Ok(list) => warnings(&list, &entries),
        Err(_) => {
            vec![vec!["the list cannot be read: `openletter check` says why".into()]; entries.len()]
        }
    }
    .into_iter();
    let rows = waiting
        .iter()
        .map(|w: &Waiting| Row {
            key: &w.key,
            received: &w.received,
            kind: w.entry.kind,
            name: &w.entry.name,
            affiliation: w.entry.affiliation.as_deref().unwrap_or(""),
            url: w.entry.url.as_deref().unwrap_or(""),
            confirmed: w.confirmed,
            warnings: warned.next().unwrap_or_default(),
        })
        .collect();
    let total = app.published.now().total;
    html(
        StatusCode::OK,
        pages::queue(&Queue {
            moderator,
            csrf,
            total,
            waiting: waiting_total,
            rows,
            listed: &listed,
            said,
            lang: &app.language,
        }),
    )
}

/// What `check` would say of each entry were they all added to the list,
/// about that entry (and whether it withdrew before, or is in capitals):
/// the list read and checked once for all of them.
fn warnings(list: &Signatories, entries: &[&Signatory]) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<String>> = entries
        .iter()
        .map(|entry| {
            let mut said = Vec::new();
            if let Some(w) = list.withdrawal(&entry.name) {
                said.push(format!("withdrew on {}", w.date));
            }
            let letters: Vec<char> = entry.name.chars().filter(|c| c.is_alphabetic()).collect();
            if letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase()) {
                said.push("all-caps: the name is written in capitals".into());
            }
            said
        })
        .collect();
    let mut source = list.source.clone();
    if !source.ends_with('\n') {
        source.push('\n');
    }
    let mut starts = Vec::with_capacity(entries.len());
    for entry in entries {
        starts.push(source.len());
        source.push_str(&format!("\n[[{}]]\n", entry.kind.key()));
        for (key, value) in entry.fields() {
            source.push_str(&format!("{key} = {}\n", toml_edit::Value::from(value)));
        }
    }
    match signatories::parse(&list.path, source) {
        Ok(with) => {
            for finding in lint(&with) {
                let at = finding.problem.span.start;
                if let Some(i) = starts.iter().rposition(|start| *start <= at) {
                    found[i].push(format!("{}: {}", finding.lint.name(), finding.problem.message));
                }
            }
        }
        Err(err) => found.iter_mut().for_each(|said| said.push(format!("{err:?}"))),
    }
    found
}

pub async fn login(
    State(app): State<Arc<App>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::of(&body);
    let (user, password, csrf) = (form.raw("user"), form.raw("password"), form.raw("csrf"));
    if !tokens::well_formed(&csrf)
        || !cookie(&headers, LOGIN).is_some_and(|c| tokens::same(&c, &csrf))
    {
        return login_page(StatusCode::FORBIDDEN, Some("The form expired: please log in again."));
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = client_key(client(peer.ip(), forwarded, &app.plan.trusted_proxies));
    // Per address, and per name from each address: a stranger's wrong
    // guesses cannot lock a moderator out from elsewhere (guessing from
    // many addresses meets argon2id and passwords of 12 characters).
    let by_ip = app.login_limit.allow(&format!("ip {ip}"));
    if !by_ip || !app.login_limit.allow(&format!("name {user} from {ip}")) {
        return login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts: wait a few minutes."),
        );
    }
    let looked = user.clone();
    let hash =
        app.store.run(move |conn| records::moderator_hash(conn, &looked)).await.ok().flatten();
    // A name that is not a moderator's costs as long as one that is.
    let checked = tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY.with(|d| d.clone()));
        verify(&password, &hash)
    })
    .await
    .unwrap_or(false);
    if !checked {
        note!("a failed login");
        return login_page(StatusCode::UNAUTHORIZED, Some("The name or the password is wrong."));
    }
    let moderator = user.clone();
    let Ok((token, _)) =
        app.store.run(move |conn| records::open_session(conn, &moderator, now())).await
    else {
        return (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response();
    };
    note!("moderator {} logged in", crate::console::escape_controls(&user));
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin")]).into_response();
    for cookie in [set_cookie(SESSION, &token, records::SESSION_SECONDS), set_cookie(LOGIN, "", 0)]
    {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

thread_local! {
    /// A hash no password matches, checked when the name is unknown.
    static DUMMY: String = hash_password(&tokens::new()).unwrap_or_default();
}

/// The session and its CSRF token checked, the form's fields.
async fn authorised(
    app: &App,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(String, String, String, Form), Response> {
    let Some((moderator, csrf, token)) = session(app, headers).await else {
        return Err(login_page(StatusCode::UNAUTHORIZED, Some("Please log in.")));
    };
    let form = Form::of(body);
    if !tokens::same(&form.raw("csrf"), &csrf) {
        return Err(
            (StatusCode::FORBIDDEN, "the form's token is missing or wrong\n").into_response()
        );
    }
    Ok((moderator, csrf, token, form))
}

pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let (_, _, token, _) = match authorised(&app, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let _ = app.store.run(move |conn| records::close_session(conn, &token)).await;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin")]).into_response();
    if let Ok(value) = header::HeaderValue::from_str(&set_cookie(SESSION, "", 0)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Approve (as edited) or reject one submission.
pub async fn decide(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let (moderator, csrf, _, form) = match authorised(&app, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let get = |key: &str| form.get(key);
    let key = get("key");
    let said = if get("do") == "reject" {
        let (key, who) = (key.clone(), moderator.clone());
        match app.store.run(move |conn| records::reject(conn, &key, &who)).await {
            Ok(()) => "Rejected.".to_owned(),
            Err(err) => format!("Not rejected: {err}."),
        }
    } else {
        let optional = |v: String| (!v.is_empty()).then_some(v);
        let entry = Signatory {
            kind: if get("kind") == "organisation" { Kind::Organisation } else { Kind::Individual },
            name: get("name"),
            affiliation: optional(get("affiliation")),
            url: optional(get("url")),
            sort_as: None,
        };
        let force = get("force") == "yes";
        approve(&app, vec![Approval { key, entry: Some(entry), force }], &moderator).await
    };
    queue_page(&app, &moderator, &csrf, Some(&said)).await
}

pub async fn approve_selected(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (moderator, csrf, _, form) = match authorised(&app, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let approvals: Vec<Approval> =
        form.all("key").map(|key| Approval { key, entry: None, force: false }).collect();
    let said = approve(&app, approvals, &moderator).await;
    queue_page(&app, &moderator, &csrf, Some(&said)).await
}

async fn approve(app: &App, approvals: Vec<Approval>, moderator: &str) -> String {
    let (list, language, who) = (app.list.clone(), app.language.clone(), moderator.to_owned());
    let listed = async {
        let (waiting, mut refused) =
            app.store.run(move |conn| records::still_waiting(conn, approvals)).await?;
        let (added, not_added) =
            tokio::task::spawn_blocking(move || records::add_to_list(&list, &language, waiting))
                .await
                .map_err(|e| StoreError::Failed(e.to_string()))??;
        refused.extend(not_added);
        let count = added.len();
        if count > 0 {
            app.rebuild.rebuild();
            app.store.run(move |conn| records::mark_listed(conn, &added, &who)).await?;
        }
        Ok::<_, StoreError>((count, refused))
    };
    match listed.await {
        Ok((added, refused)) => {
            let mut said = format!("Approved {added}.");
            for (name, why) in refused {
                said.push_str(&format!(" Not approved: \"{name}\" {why}."));
            }
            said
        }
        Err(StoreError::Refused(why) | StoreError::Failed(why)) => {
            format!("Nothing approved: {why}.")
        }
    }
}

pub async fn withdraw(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let (moderator, csrf, _, form) = match authorised(&app, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let key = form.raw("key");
    let (list, language) = (app.list.clone(), app.language.clone());
    let why = format!("withdrawn by moderator {moderator}");
    let said = match app
        .store
        .run(move |conn| records::withdraw(conn, &list, &language, &key, &why))
        .await
    {
        Ok(changed) => {
            if changed {
                app.rebuild.rebuild();
            }
            "Withdrawn.".to_owned()
        }
        Err(err) => format!("Not withdrawn: {err}."),
    };
    queue_page(&app, &moderator, &csrf, Some(&said)).await
}
