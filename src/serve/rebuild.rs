//! The site the server shows, made as `publish` makes it and kept in
//! memory, and its rebuilds: on its own thread, one at a time, the next
//! one taking every change that arrived while the last ran. A rebuild
//! replaces the site only when all of it was made; until then, and when it
//! fails, the last good site is served.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use crate::console::ms;
use crate::date::Moment;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::letter::Text;
use crate::plan::Publish;
use crate::report;
use crate::site::{Site, SiteText};
use crate::typeset::Caches;

/// How long a rebuild waits for more changes after the first.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// One file of the site.
pub struct File {
    pub body: Bytes,
    pub mime: &'static str,
    /// Its hash, for `ETag`.
    pub etag: String,
}

/// A site made whole.
pub struct Served {
    /// By path inside the site: "index.html", "fr/index.html".
    pub files: HashMap<String, File>,
    pub texts: Vec<SiteText>,
    /// How many signatories it lists.
    pub total: usize,
    /// That count as each text's language writes it, by language: worded
    /// once per site, not on every request for a form.
    pub counts: HashMap<String, String>,
}

impl Served {
    fn of(site: Site, total: usize) -> Self {
        let texts = site.texts.clone();
        let files = (site.into_files().into_iter())
            .map(|(path, body)| {
                let path = path.to_string_lossy().replace('\\', "/");
                let digest = Sha256::digest(&body);
                let etag = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                (path.clone(), File { mime: mime_of(&path), body: Bytes::from(body), etag })
            })
            .collect();
        let counts = texts.iter().map(|t| (t.lang.clone(), worded(&t.lang, total))).collect();
        Served { files, texts, total, counts }
    }

    /// The count as the language `lang` writes it.
    pub fn count(&self, lang: &str) -> String {
        self.counts.get(lang).cloned().unwrap_or_else(|| self.total.to_string())
    }

    /// The text in `lang`, else the original.
    pub fn text(&self, lang: Option<&str>) -> &SiteText {
        lang.and_then(|lang| self.texts.iter().find(|t| t.lang == lang)).unwrap_or(&self.texts[0])
    }
}

/// `total` as CLDR writes numbers in `lang`, else in ASCII digits.
fn worded(lang: &str, total: usize) -> String {
    let digits = total.to_string();
    crate::cldr::Counting::new(lang, &[total as u64])
        .and_then(|counting| counting.numbers.get(&digits).cloned())
        .unwrap_or(digits)
}

fn mime_of(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The site being served now, replaced whole by each rebuild.
#[derive(Clone)]
pub struct Published(Arc<RwLock<Arc<Served>>>);

impl Published {
    pub fn now(&self) -> Arc<Served> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn replace(&self, served: Served) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(served);
    }
}

/// Makes the site; the first one must be made before the server starts.
pub fn first(plan: &mut Publish) -> Result<Published, Error> {
    let served = make(plan)?;
    Ok(Published(Arc::new(RwLock::new(Arc::new(served)))))
}

fn make(plan: &mut Publish) -> Result<Served, Error> {
    // A page says when its list was last updated: now.
    plan.site.updated = Moment::now();
    plan.source.updated = plan.site.updated;
    plan.source.texts = Text::all(&plan.source.letter);
    let inputs = Inputs::load(&plan.source)?;
    let total = inputs.signatories.counts().total;
    let site = Site::make(&inputs, plan, Caches::Keep)?;
    typst::comemo::evict(10);
    Ok(Served::of(site, total))
}

/// Asks for rebuilds; dropped, the rebuild thread ends.
pub struct Rebuilds {
    ask: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Rebuilds {
    pub fn start(mut plan: Publish, published: Published) -> Self {
        let (ask, asked) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            background();
            while asked.recv().is_ok() {
                std::thread::sleep(DEBOUNCE);
                while asked.try_recv().is_ok() {}
                let started = Instant::now();
                match make(&mut plan) {
                    Ok(served) => {
                        let total = served.total;
                        published.replace(served);
                        note!("rebuilt the site: {total} signatories, {}", ms(started.elapsed()));
                    }
                    Err(err) => {
                        report::error(&err);
                        note!("the rebuild failed; the last good site is still served");
                    }
                }
            }
        });
        Rebuilds { ask, thread }
    }

    pub fn asker(&self) -> Asker {
        Asker(self.ask.clone())
    }

    /// Waits for a rebuild under way.
    pub fn finish(self) {
        drop(self.ask);
        let _ = self.thread.join();
    }
}

/// What a change that touched the list calls.
#[derive(Clone)]
pub struct Asker(mpsc::Sender<()>);

impl Asker {
    pub fn rebuild(&self) {
        let _ = self.0.send(());
    }
}

/// Lowers the calling thread's priority (and that of the threads it
/// starts), so that requests are answered first while the site is rebuilt
/// or e-mails are sent on the same cores.
pub fn background() {
    // Linux gives each thread its own nice value; `who = 0` is the calling
    // thread. Elsewhere the call would lower the whole process: skipped.
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; a failure leaves the
    // priority as it was, which is only slower.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
