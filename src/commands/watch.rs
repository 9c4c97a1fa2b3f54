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

use crate::args::{BuildArgs, WatchArgs};
use crate::console::StdoutError;
use crate::error::Error;
use crate::files::is_within;
use crate::inputs::Inputs;
use crate::output::Durability;
use crate::pipeline::{Caches, Products, Standards, Targets, ms, typeset};
use crate::report;
use crate::site::{self, Site, SiteOptions};
use crate::world::{LetterWorld, Reach, Text, letter_files};

/// How often the files are looked at: quick enough to feel live, and a
/// handful of `stat` calls costs nothing.
const POLL: Duration = Duration::from_millis(50);

/// How many compilations an unused cache entry survives.
const CACHE_AGE: usize = 10;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn run(watch: &WatchArgs) -> Result<(), Error> {
    catch_interrupt();
    let args = &watch.build;
    let standards = Standards::new(&args.standards.pdf_standard)?;
    let mut watched = Watched {
        letter: args.input.letter.clone(),
        signatories: args.input.signatories.clone(),
        shared: Vec::new(),
    };
    let mut snapshot = watched.snapshot();

    // Until the inputs are valid there is nothing to build: wait for a fix.
    let mut inputs = loop {
        match Inputs::load(&args.input) {
            Ok(inputs) => break inputs,
            Err(err) => report::error(&err),
        }
        if wait_for_change(&mut snapshot, &watched).is_none() {
            return Ok(());
        }
    };
    // An output inside the watched folder would trigger the next rebuild.
    let texts = args.input.texts();
    let [text] = &texts[..] else {
        return Err(Error::Usage(
            "watch follows one text: the original, or one translation with --lang LANG".into(),
        ));
    };
    Targets::check_early(args, &inputs, &texts)?;
    if let Some(dir) = &watch.publish {
        site::check_target(dir, &inputs)?;
        // Each publication replaces the folder whole, with the PDF in it.
        let outputs = [Some(args.output_pattern()), args.manifest.clone(), args.png.clone()];
        if let Some(inside) = outputs.iter().flatten().find(|o| is_within(Path::new(o), dir)) {
            return Err(Error::Usage(format!(
                "`{inside}` is inside `{}`, which --publish replaces whole: write it elsewhere",
                dir.display()
            )));
        }
    }
    let (letter, project) = (&inputs.letter, inputs.project());
    let mut world =
        LetterWorld::new(letter, project, text, inputs.fonts, inputs.data.clone(), inputs.date)?;
    rebuild("first build", args, &inputs, &mut world, text, &standards, Instant::now())?;
    publish(watch, &inputs, &standards)?;
    // Files of a style shared from elsewhere in the project are watched too.
    // (Only they join the snapshot: an edit made during the first build is
    // still seen as a change.)
    watched.shared = world.read_outside(letter).into_iter().map(PathBuf::from).collect();
    snapshot.add_all(&watched.shared);
    note!(
        "watching {} and {} (Ctrl-C to stop)",
        args.input.letter.display(),
        args.input.signatories.display()
    );

    while let Some(changed) = wait_for_change(&mut snapshot, &watched) {
        let started = Instant::now();
        if changed.iter().any(|p| p == &args.input.signatories) {
            match Inputs::load(&args.input) {
                Ok(new) => {
                    world.set_data(new.data.clone(), new.date, new.fonts);
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
        rebuild(&what, args, &inputs, &mut world, text, &standards, started)?;
        publish(watch, &inputs, &standards)?;
    }
    note!("stopped watching");
    Ok(())
}

/// One build, reported in one line; an error is shown and the PDF kept.
fn rebuild(
    what: &str,
    args: &BuildArgs,
    inputs: &Inputs,
    world: &mut LetterWorld,
    text: &Text,
    standards: &Standards,
    started: Instant,
) -> Result<(), StdoutError> {
    world.reset();
    let outcome = typeset(inputs, world, text, standards, Caches::Keep)
        .and_then(|typeset| Products::new(typeset, args, inputs, world, standards))
        .and_then(|products| {
            products.write(Durability::Preview)?;
            Ok(products)
        });
    match outcome {
        Ok(products) => {
            let detail = if args.timings {
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
fn publish(watch: &WatchArgs, inputs: &Inputs, standards: &Standards) -> Result<(), StdoutError> {
    let Some(dir) = &watch.publish else { return Ok(()) };
    let started = Instant::now();
    let input = &watch.build.input;
    let options = SiteOptions::new(&watch.site, input);
    let outcome = Site::make(inputs, &input.all_texts(), standards, &options, Caches::Keep)
        .and_then(|site| site.write(dir).map(|()| site));
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
