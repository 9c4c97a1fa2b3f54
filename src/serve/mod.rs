//! `openletter serve`: the site, a sign-on form per language, confirmation
//! by e-mail, the moderators' queue, and the letter rebuilt after each
//! approval. Requests are answered on tokio; the ledger is written by one
//! thread in batches ([`store`]), e-mails are sent by another ([`mail`]),
//! and the site is remade by a third ([`rebuild`]).

mod admin;
mod http;
mod limits;
mod mail;
mod pages;
mod public;
mod rebuild;
mod records;
mod store;
mod tokens;
mod words;

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::args::{ServeAction, ServeArgs};
use crate::error::Error;
use crate::fonts::Typefaces;
use crate::inputs::typefaces;
use crate::ledger::Keyer;
use crate::letter::language;
use crate::plan::{self, Confirmation};
use limits::RateLimit;
use rebuild::{Asker, Published, Rebuilds};
use store::Store;

/// Login attempts per address, and per name: 5 in 5 minutes.
const LOGIN_LIMITS: [(u32, u32); 1] = [(5, 300)];
/// How often the retention period is looked at.
const SWEEP: Duration = Duration::from_secs(3600);

/// What every request may use.
pub struct App {
    plan: plan::Intake,
    /// The signatories file, and the language its order follows.
    list: PathBuf,
    language: String,
    fonts: Typefaces,
    store: Store,
    keyer: Keyer,
    published: Published,
    rebuild: Asker,
    mail: mail::Waker,
    by_mail: bool,
    sign_limit: RateLimit,
    login_limit: RateLimit,
}

impl App {
    /// Whether the letter no longer takes signatures.
    fn closed(&self) -> bool {
        self.plan.close_on.is_some_and(|last| chrono::Utc::now().date_naive() > last.0)
    }
}

pub fn run(args: &ServeArgs) -> Result<u8, Error> {
    if let Some(ServeAction::AddModerator { name, signatories }) = &args.action {
        return add_moderator(name, signatories).map(|()| 0);
    }
    let plan::Serve { mut publish, intake: plan } = plan::Serve::resolve(args)?;
    let list = publish.source.signatories.clone();
    let language = language::of_project(&list);
    let mailer = match &plan.confirmation {
        Confirmation::Mail { smtp, from } => Some(mail::Mailer::new(smtp, from)?),
        Confirmation::ByModerators => None,
    };
    let (store, writer, keyer) = store::open(&list)?;
    let published = rebuild::first(&mut publish)?;
    for text in &published.now().texts {
        if !words::of(&text.lang).1 {
            note!(
                "warning: the sign-on pages have no words in `{}`: they are in English",
                text.lang
            );
        }
    }
    let has_moderators = store.run_blocking(records::has_moderators).unwrap_or(false);
    let local = |url: &str| {
        ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|l| url.starts_with(l))
    };
    if plan.public_url.starts_with("http://") && !local(&plan.public_url) {
        note!(
            "warning: --public-url {} is not https: the moderators' cookies are Secure, so /admin \
             needs HTTPS (a reverse proxy that ends TLS)",
            plan.public_url
        );
    }
    if !has_moderators {
        note!("warning: no moderator yet: add one with `openletter serve add-moderator NAME`");
    }
    let fonts = typefaces(&list)?;
    let rebuilds = Rebuilds::start(publish, published.clone());
    let outbox = mailer.map(|mailer| {
        let texts = published.now().texts.clone();
        let letter = mail::Letter {
            public_url: plan.public_url.clone(),
            titles: texts.into_iter().map(|t| (t.lang, t.title)).collect(),
        };
        mail::Outbox::start(mailer, letter, store.clone())
    });
    let app = Arc::new(App {
        list,
        language,
        fonts,
        keyer,
        published,
        rebuild: rebuilds.asker(),
        mail: outbox.as_ref().map(mail::Outbox::waker).unwrap_or(mail::Waker(None)),
        by_mail: outbox.is_some(),
        sign_limit: RateLimit::new(&plan.sign_limits),
        login_limit: RateLimit::new(&LOGIN_LIMITS),
        store: store.clone(),
        plan,
    });
    more_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server: {e}")))?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(app.plan.listen)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", app.plan.listen)))?;
        note!(
            "serving {} on http://{} (sign-on form at /sign, moderators at /admin)",
            app.list.display(),
            app.plan.listen
        );
        let sweeper = tokio::spawn(sweep(app.clone()));
        http::serve(listener, router(app.clone()), stopped()).await;
        sweeper.abort();
        Ok::<(), Error>(())
    });
    note!("stopping: finishing the e-mail being sent and the ledger's writes");
    drop(app);
    runtime.shutdown_timeout(Duration::from_secs(5));
    if let Some(outbox) = outbox {
        outbox.finish();
    }
    rebuilds.finish();
    drop(store);
    writer.finish();
    served.map(|()| 0)
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(public::healthz))
        .route(pages::STYLE, get(public::style))
        .route("/sign", get(public::sign_form).post(public::sign))
        .route("/{lang}/sign", get(public::sign_form_in).post(public::sign_in))
        .route("/confirm", get(public::link_page).post(public::confirm))
        .route("/withdraw", get(public::link_page).post(public::withdraw))
        .route("/admin", get(admin::queue))
        .route("/admin/login", post(admin::login))
        .route("/admin/logout", post(admin::logout))
        .route("/admin/decide", post(admin::decide))
        .route("/admin/approve-selected", post(admin::approve_selected))
        .route("/admin/withdraw", post(admin::withdraw))
        .fallback(public::file)
        .layer(DefaultBodyLimit::max(http::MAX_BODY))
        .layer(axum::middleware::from_fn(http::around))
        .with_state(app)
}

/// Raises the limit on open files to the most allowed: each connection is
/// one, and the usual default (1,024) is a few idle clients away.
fn more_files() {
    #[cfg(unix)]
    // SAFETY: both calls only read and write the struct given.
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM can be caught");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Erases the addresses once the retention period after closing is over.
async fn sweep(app: Arc<App>) {
    let (Some(close_on), Some(days)) = (app.plan.close_on, app.plan.retain_days) else { return };
    loop {
        let erase_after = close_on.0 + chrono::Days::new(days.into());
        if chrono::Utc::now().date_naive() > erase_after {
            match app.store.run(records::erase_private).await {
                Ok(0) => {}
                Ok(n) => note!("retention over: erased {n} e-mail address(es) from the ledger"),
                Err(err) => note!("the retention sweep failed: {err}"),
            }
        }
        tokio::time::sleep(SWEEP).await;
    }
}

/// `serve add-moderator NAME`: the password from stdin's first line.
fn add_moderator(name: &str, signatories: &std::path::Path) -> Result<(), Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(|c| c.is_control()) || name.chars().count() > 100 {
        return Err(Error::Usage("a moderator's name is 1 to 100 printable characters".into()));
    }
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| Error::Usage(format!("cannot read the password from stdin: {e}")))?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.chars().count() < 12 {
        return Err(Error::Usage(
            "the password (stdin's first line) must have at least 12 characters; nothing was changed"
                .into(),
        ));
    }
    let hash = admin::hash_password(password).map_err(Error::Usage)?;
    let (store, writer, _) = store::open(signatories)?;
    let owned = name.to_owned();
    let result = store.run_blocking(move |conn| records::set_moderator(conn, &owned, &hash));
    drop(store);
    writer.finish();
    result.map_err(|e| Error::Usage(format!("the moderator was not saved: {e}")))?;
    outln!("moderator \"{name}\" can log in at /admin")?;
    Ok(())
}

/// A request body's form fields, in order (names may repeat).
struct Form(Vec<(String, String)>);

impl Form {
    fn of(body: &[u8]) -> Self {
        Form(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of field `key`, as sent ("" when absent).
    fn raw(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// The same, without the spaces around it.
    fn get(&self, key: &str) -> String {
        self.raw(key).trim().to_owned()
    }

    /// Every value of field `key`.
    fn all(&self, key: &str) -> impl Iterator<Item = String> + '_ {
        let key = key.to_owned();
        self.0.iter().filter(move |(k, _)| *k == key).map(|(_, v)| v.clone())
    }
}

fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        page,
    )
        .into_response()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
