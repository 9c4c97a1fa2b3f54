//! `openletter watch`: build, then rebuild on every change to the letter
//! folder or the signatories file, until Ctrl-C.
//!
//! One `LetterWorld` lives for the whole session, so Typst's memoised work is
//! reused: an edited source is patched in place, unchanged data is not parsed
//! again, and old cache entries are evicted after each build. A failed build
//! is reported and the last good PDF stays; fixing the input resumes. With
//! `--publish DIR` the web site (every language) is made anew after each
//! build, as `publish` makes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use crate::args::WatchArgs;
use crate::console::{StdoutError, ms};
use crate::error::Error;
use crate::files::is_within;
use crate::inputs::Inputs;
use crate::letter::{Reach, Text, letter_files};
use crate::output::Durability;
use crate::plan::{self, Build, Publish};
use crate::products::Products;
use crate::report;
use crate::site::{self, Site};
use crate::targets::Targets;
use crate::typeset::{Caches, typeset};
use crate::world::LetterWorld;
use crate::write::write_all;

/// How often the files are looked at: quick enough to feel live, and a
/// handful of `stat` calls costs nothing.
const POLL: Duration = Duration::from_millis(50);

/// How many compilations an unused cache entry survives.
const CACHE_AGE: usize = 10;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn run(args: &WatchArgs) -> Result<(), Error> {
    catch_interrupt();
    let plan::Watch { build: plan, publish: mut site } = plan::Watch::resolve(args)?;
    let source = &plan.source;
    let mut watched = Watched {
        letter: source.letter.clone(),
        signatories: source.signatories.clone(),
        shared: Vec::new(),
    };
    let mut snapshot = watched.snapshot();

    // Until the inputs are valid there is nothing to build: wait for a fix.
    let mut inputs = loop {
        match Inputs::load(source) {
            Ok(inputs) => break inputs,
            Err(err) => report::error(&err),
        }
        if wait_for_change(&mut snapshot, &watched).is_none() {
            return Ok(());
        }
    };
    // An output inside the watched folder would trigger the next rebuild.
    let text = &source.texts[0];
    Targets::check_early(&plan.outputs, &inputs, &source.texts)?;
    if let Some(site) = &site {
        let dir = &site.dir;
        site::check_target(dir, &inputs)?;
        // Each publication rewrites the files it wrote there, the PDF among them.
        if let Some(inside) = plan.outputs.patterns().find(|o| is_within(Path::new(o), dir)) {
            return Err(Error::Usage(format!(
                "`{inside}` is inside `{}`, where --publish writes its files: write it elsewhere",
                dir.display()
            )));
        }
    }
    let mut world = LetterWorld::new(&inputs, text)?;
    rebuild("first build", &plan, &inputs, &mut world, text, Instant::now())?;
    publish(site.as_mut(), &inputs)?;
    // Files of a style shared from elsewhere in the project are watched too.
    // (Only they join the snapshot: an edit made during the first build is
    // still seen as a change.)
    watched.shared = world.read_outside(&source.letter).into_iter().map(PathBuf::from).collect();
    snapshot.add_all(&watched.shared);
    note!(
        "watching {} and {} (Ctrl-C to stop)",
        source.letter.display(),
        source.signatories.display()
    );

    while let Some(changed) = wait_for_change(&mut snapshot, &watched) {
        let started = Instant::now();
        if changed.iter().any(|p| p == &source.signatories) {
            match Inputs::load(source) {
                Ok(new) => {
                    world.set_inputs(&new);
                    inputs = new;
                }
                Err(err) => {
                    report::error(&err);
                    outln!(
                        "{} {}: failed; the last good PDF is kept",
                        clock(),
                        describe(&changed)
                    )?;
                    continue;
                }
            }
        }
        let what = describe(&changed);
        rebuild(&what, &plan, &inputs, &mut world, text, started)?;
        publish(site.as_mut(), &inputs)?;
    }
    note!("stopped watching");
    Ok(())
}

/// One build, reported in one line; an error is shown and the PDF kept.
fn rebuild(
    what: &str,
    plan: &Build,
    inputs: &Inputs,
    world: &mut LetterWorld,
    text: &Text,
    started: Instant,
) -> Result<(), StdoutError> {
    world.reset();
    let standards = &plan.standards;
    let outcome = typeset(inputs, world, text, standards, Caches::Keep)
        .and_then(|typeset| Products::new(typeset, &plan.outputs, inputs, world, standards))
        .and_then(|products| {
            write_all(std::slice::from_ref(&products), Durability::Preview)?;
            Ok(products)
        });
    match outcome {
        Ok(products) => {
            let detail = if plan.timings {
                format!(
                    " (compile {}, pdf {})",
                    ms(products.compile_time),
                    ms(products.export_time)
                )
            } else {
                String::new()
            };
            outln!(
                "{} {what}: {} pages, {} signatories, {}{detail} → {}",
                clock(),
                products.pages,
                inputs.signatories.counts().total,
                ms(started.elapsed()),
                products.targets.pdf.display()
            )?;
        }
        Err(err) => {
            report::error(&err);
            outln!("{} {what}: failed; the last good PDF is kept", clock())?;
        }
    }
    typst::comemo::evict(CACHE_AGE);
    Ok(())
}

/// With `--publish DIR`, the site made anew (every language), in one line;
/// an error is shown and the last good site kept.
fn publish(plan: Option<&mut Publish>, inputs: &Inputs) -> Result<(), StdoutError> {
    let Some(plan) = plan else { return Ok(()) };
    let started = Instant::now();
    // A translation may be added while watching: its page joins the site.
    plan.source.texts = Text::all(&plan.source.letter);
    let dir = &plan.dir;
    let outcome = Site::make(inputs, plan, Caches::Keep)
        .and_then(|site| site.write(dir, plan.replace_edited).map(|()| site));
    match outcome {
        Ok(site) => outln!(
            "{} published {} page(s), {} → {}",
            clock(),
            site.pages.len(),
            ms(started.elapsed()),
            dir.display()
        ),
        Err(err) => {
            report::error(&err);
            outln!("{} publishing failed; the last good site is kept", clock())
        }
    }
}

/// What `watch` looks at: the letter folder, the list, and the files a
/// letter reads from elsewhere in its project.
struct Watched {
    letter: PathBuf,
    signatories: PathBuf,
    shared: Vec<PathBuf>,
}

impl Watched {
    fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.letter, &self.signatories, &self.shared)
    }
}

/// Blocks until a watched file changes; `None` once interrupted.
fn wait_for_change(snapshot: &mut Snapshot, watched: &Watched) -> Option<Vec<PathBuf>> {
    loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return None;
        }
        std::thread::sleep(POLL);
        let now = watched.snapshot();
        let changed = now.changed_since(snapshot);
        if !changed.is_empty() {
            *snapshot = now;
            return Some(changed);
        }
    }
}

/// Modification time and size of every watched file.
#[derive(Default, PartialEq)]
struct Snapshot(BTreeMap<PathBuf, (SystemTime, u64)>);

impl Snapshot {
    /// The stamps of the list, the letter folder's files and `shared`.
    fn take(letter: &Path, signatories: &Path, shared: &[PathBuf]) -> Self {
        let mut snapshot = Snapshot::default();
        snapshot.add(signatories);
        snapshot.add_all(shared);
        // A folder that cannot be listed right now (mid-save) counts as empty;
        // the next look sees its files as changed.
        for file in letter_files(letter).unwrap_or_default() {
            if file.reach == Reach::Inside {
                snapshot.add(&file.path);
            }
        }
        snapshot
    }

    /// Adds a file's stamp, if it exists.
    fn add(&mut self, path: &Path) {
        if let Ok(meta) = std::fs::metadata(path) {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            self.0.insert(path.to_owned(), (modified, meta.len()));
        }
    }

    fn add_all(&mut self, paths: &[PathBuf]) {
        for path in paths {
            self.add(path);
        }
    }

    /// Files added, removed or modified since `before`.
    fn changed_since(&self, before: &Snapshot) -> Vec<PathBuf> {
        let mut changed: Vec<PathBuf> = self
            .0
            .iter()
            .filter(|(path, stamp)| before.0.get(*path) != Some(stamp))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(before.0.keys().filter(|p| !self.0.contains_key(*p)).cloned());
        changed
    }
}

fn describe(changed: &[PathBuf]) -> String {
    let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
    format!("{} changed", names.join(", "))
}

fn clock() -> String {
    chrono::Local::now().format("[%H:%M:%S]").to_string()
}

/// Ctrl-C (and SIGTERM) end the watch between builds, never halfway through
/// writing a file.
fn catch_interrupt() {
    #[cfg(unix)]
    {
        extern "C" fn on_signal(_: libc::c_int) {
            INTERRUPTED.store(true, Ordering::SeqCst);
        }
        let handler = on_signal as extern "C" fn(libc::c_int);
        // SAFETY: the handler only stores to an atomic, which is signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, handler as libc::sighandler_t);
            libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
        }
    }
}
