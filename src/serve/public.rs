//! What everyone may ask for: the site's files, the sign-on form, the pages
//! the e-mailed links open, and `/healthz`.

use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::http::Peer;
use super::limits::{client, client_key};
use super::pages::{self, Refusals, SignPage, Typed};
use super::records::{self, SignUp};
use super::store::StoreError;
use super::words;
use super::{App, Form, html, now};
use crate::inputs::refuse_entry;
use crate::signatories::{Kind, Signatory, check, field};

/// A file of the site, by its path; a folder's `index.html`. Only the
/// files the site was made of can be named: nothing else on disk can be
/// reached, whatever the path holds.
pub async fn file(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")], "")
            .into_response();
    }
    let served = app.published.now();
    let path = uri.path().trim_start_matches('/');
    let wanted = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let Some(file) = served.files.get(&wanted) else {
        if served.files.contains_key(&format!("{path}/index.html")) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, format!("/{path}/"))], "")
                .into_response();
        }
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found\n",
        )
            .into_response();
    };
    let etag = format!("\"{}\"", file.etag);
    // Pages, the list and the badge change with each approval; the rest
    // with far fewer.
    let changing =
        wanted.ends_with(".html") || wanted.ends_with(".json") || wanted.ends_with(".svg");
    let cache = if changing { "public, max-age=5" } else { "public, max-age=300" };
    let fresh =
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    let status = if fresh { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let body =
        if fresh || method == Method::HEAD { Body::empty() } else { Body::from(file.body.clone()) };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(file.mime));
    h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
    if let Ok(etag) = header::HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    if wanted.ends_with(".json") || wanted == "counter.svg" {
        // For partner sites, which show the count.
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    }
    response
}

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        pages::CSS,
    )
        .into_response()
}

pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    let total = app.published.now().total;
    // The ledger's writer answers: it is alive and the file can be used.
    // Nothing about submissions: counts that move with each one would say
    // whether an address had signed before.
    match app.store.run(|_| Ok(())).await {
        Ok(()) => {
            let body = serde_json::json!({ "status": "ok", "listed": total });
            ([(header::CONTENT_TYPE, "application/json")], format!("{body}\n")).into_response()
        }
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, "the ledger cannot be written\n").into_response()
        }
    }
}

pub async fn sign_form(State(app): State<Arc<App>>) -> Response {
    sign_page(&app, None, &Typed { listed: false, ..Typed::default() }, &Vec::new(), StatusCode::OK)
}

pub async fn sign_form_in(State(app): State<Arc<App>>, Path(lang): Path<String>) -> Response {
    if !app.published.now().texts.iter().any(|t| t.lang == lang) {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    sign_page(&app, Some(&lang), &Typed::default(), &Vec::new(), StatusCode::OK)
}

fn sign_page(
    app: &App,
    lang: Option<&str>,
    typed: &Typed,
    refusals: &Refusals,
    status: StatusCode,
) -> Response {
    let served = app.published.now();
    let text = served.text(lang);
    let (words, _) = words::of(&text.lang);
    let count = served.count(&text.lang);
    let action = format!("/{}sign", text.folder);
    let page = pages::sign(&SignPage {
        text,
        words,
        count: &count,
        closed: app.closed(),
        typed,
        refusals,
        action: &action,
    });
    html(status, page)
}

pub async fn sign(
    State(app): State<Arc<App>>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(app, None, peer, headers, body).await
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    Path(lang): Path<String>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.published.now().texts.iter().any(|t| t.lang == lang) {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    submit(app, Some(lang), peer, headers, body).await
}

async fn submit(
    app: Arc<App>,
    lang: Option<String>,
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let served = app.published.now();
    let text = served.text(lang.as_deref()).clone();
    let (words, _) = words::of(&text.lang);
    let say = |status: StatusCode, title: &str, said: &str| {
        html(status, pages::message(&text, words, title, said))
    };
    if app.closed() {
        return say(StatusCode::FORBIDDEN, words.sign, words.closed);
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = client(peer.ip(), forwarded, &app.plan.trusted_proxies);
    if app.plan.block_ips.iter().any(|net| net.contains(&ip)) {
        return say(StatusCode::FORBIDDEN, words.sign, words.refused);
    }
    let form = Form::of(&body);
    let get = |key: &str| form.get(key);
    let typed = Typed {
        name: get("name"),
        affiliation: get("affiliation"),
        kind: get("kind"),
        url: get("url"),
        email: get("email"),
        listed: get("listed") == "yes",
        updates: get("updates") == "yes",
    };
    let done = |by_mail: bool| {
        if by_mail {
            say(StatusCode::OK, words.check_mail_title, words.check_mail)
        } else {
            say(StatusCode::OK, words.sign, words.by_moderators)
        }
    };
    // Only a program fills in the field nobody sees: it is told what a
    // person would be, and nothing is kept.
    if !get("phone").is_empty() {
        return done(app.by_mail);
    }
    let (refusals, signup) = read_form(&app, &typed, &text.lang, words);
    let Some(signup) = signup else {
        return sign_page(
            &app,
            lang.as_deref(),
            &typed,
            &refusals,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let domain = signup.email.rsplit('@').next().unwrap_or("").to_lowercase();
    if app.plan.block_domains.iter().any(|d| domain == *d || domain.ends_with(&format!(".{d}"))) {
        return say(StatusCode::FORBIDDEN, words.sign, words.refused);
    }
    if !app.sign_limit.allow(&client_key(ip)) {
        return say(StatusCode::TOO_MANY_REQUESTS, words.sign, words.too_many);
    }
    let (keyer, by_mail, now) = (app.keyer.clone(), app.by_mail, now());
    match app.store.run(move |conn| records::submit(conn, &keyer, &signup, by_mail, now)).await {
        Ok(()) => {
            app.mail.wake();
            done(by_mail)
        }
        Err(err) => {
            note!("a signature could not be recorded: {err}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the signature could not be recorded; please try again\n",
            )
                .into_response()
        }
    }
}

/// The form's fields as an entry, or why each one cannot be.
fn read_form(
    app: &App,
    typed: &Typed,
    lang: &str,
    words: &words::Words,
) -> (Refusals, Option<SignUp>) {
    let mut refusals: Refusals = Vec::new();
    let kind = match typed.kind.as_str() {
        "organisation" => Kind::Organisation,
        _ => Kind::Individual,
    };
    let optional = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let entry = Signatory {
        kind,
        name: typed.name.clone(),
        affiliation: optional(&typed.affiliation),
        url: optional(&typed.url),
        sort_as: None,
    };
    for (key, value) in [
        (field::NAME, Some(&entry.name)),
        (field::AFFILIATION, entry.affiliation.as_ref()),
        (field::URL, entry.url.as_ref()),
    ] {
        let Some(value) = value else {
            if key == field::NAME {
                refusals.push(("name", words.required.into()));
            }
            continue;
        };
        if let Some(rule) = check(key, value) {
            let why = match rule {
                crate::signatories::Rule::Empty => words.required.to_owned(),
                crate::signatories::Rule::Text(why) => why,
                crate::signatories::Rule::Link(why) => why.to_owned(),
            };
            refusals.push((
                if key == field::NAME {
                    "name"
                } else if key == field::URL {
                    "url"
                } else {
                    "affiliation"
                },
                why,
            ));
        }
    }
    if !refusals.iter().any(|(f, _)| *f == "name")
        && let Some(why) = refuse_entry(&app.fonts, &entry)
    {
        refusals.push(("name", why));
    }
    let email = typed.email.clone();
    if email.is_empty() {
        refusals.push(("email", words.required.into()));
    } else if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        refusals.push(("email", words.bad_email.into()));
    }
    if !typed.listed {
        refusals.push(("listed", words.consent_needed.into()));
    }
    if !refusals.is_empty() {
        return (refusals, None);
    }
    (refusals, Some(SignUp { entry, email, lang: lang.to_owned(), updates: typed.updates }))
}

#[derive(serde::Deserialize)]
pub struct Link {
    t: Option<String>,
}

/// The page a link opens: it says what pressing its button will do.
pub async fn link_page(
    State(app): State<Arc<App>>,
    uri: Uri,
    Query(link): Query<Link>,
) -> Response {
    let token = link.t.unwrap_or_default();
    let purpose = if uri.path() == "/confirm" { "confirm" } else { "withdraw" };
    let looked = app
        .store
        .run(move |conn| records::token_purpose(conn, &token, now()).map(|p| (p, token)))
        .await;
    let served = app.published.now();
    match looked {
        Ok((Some((found, lang)), token)) if found == purpose => {
            let text = served.text(Some(&lang));
            let (words, _) = words::of(&text.lang);
            html(
                StatusCode::OK,
                pages::button(text, words, &format!("/{purpose}"), &token, purpose),
            )
        }
        Ok(_) => gone(&app),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response(),
    }
}

fn gone(app: &App) -> Response {
    said(app, None, StatusCode::GONE, |w| (w.sign, w.link_gone))
}

/// A page that says one thing, in the text of language `lang` (else the
/// original's) and that language's words.
fn said(
    app: &App,
    lang: Option<&str>,
    status: StatusCode,
    what: impl Fn(&words::Words) -> (&'static str, &'static str),
) -> Response {
    let served = app.published.now();
    let text = served.text(lang);
    let (words, _) = words::of(&text.lang);
    let (title, said) = what(words);
    html(status, pages::message(text, words, title, said))
}

pub async fn confirm(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let token = Form::of(&body).raw("t");
    match app.store.run(move |conn| records::confirm(conn, &token, now())).await {
        Ok(lang) => said(&app, Some(&lang), StatusCode::OK, |w| (w.confirm_title, w.confirmed)),
        Err(StoreError::Refused(_)) => gone(&app),
        Err(err) => {
            note!("a confirmation could not be recorded: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response()
        }
    }
}

pub async fn withdraw(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let token = Form::of(&body).raw("t");
    let (list, language) = (app.list.clone(), app.language.clone());
    match app
        .store
        .run(move |conn| records::withdraw_by_link(conn, &list, &language, &token, now()))
        .await
    {
        Ok((changed, lang)) => {
            if changed {
                app.rebuild.rebuild();
            }
            said(&app, Some(&lang), StatusCode::OK, |w| (w.withdraw_title, w.withdrawn))
        }
        Err(StoreError::Refused(_)) => gone(&app),
        Err(err) => {
            note!("a withdrawal could not be made: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response()
        }
    }
}
