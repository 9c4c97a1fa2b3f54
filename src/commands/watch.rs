//! `openletter watch`: build, then rebuild on every change to the letter
//! folder or the signatories file, until Ctrl-C.
//!
//! One `LetterWorld` lives for the whole session, so Typst's memoised work is
//! reused: an edited source is patched in place, unchanged data is not parsed
//! again, and old cache entries are evicted after each build. A failed build
//! is reported and the last good PDF stays; fixing the input resumes. With
//! `--publish DIR` the web site (every language) is made anew after each
//! build, as `publish` makes it. The builds run in a child process
//! (`supervise`), so a template that runs out of memory fails one build.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crate::args::WatchArgs;
use crate::changes::{self, Watched};
use crate::console::{StdoutError, ms};
use crate::error::Error;
use crate::files::is_within;
use crate::inputs::Inputs;
use crate::letter::Text;
use crate::memory;
use crate::output::Durability;
use crate::plan::{self, Build, Publish};
use crate::products::Products;
use crate::report;
use crate::signals;
use crate::site::{self, Site};
use crate::supervise::{self, Role};
use crate::targets::Targets;
use crate::typeset::{Caches, typeset};
use crate::world::LetterWorld;
use crate::write::write_all;

/// How many compilations an unused cache entry survives.
const CACHE_AGE: usize = 10;

/// Runs `watch`; the exit code is the builder's.
pub fn run(args: &WatchArgs) -> Result<u8, Error> {
    match Role::of_this_process() {
        #[cfg(unix)]
        Role::Watcher => {
            supervise::watch(|| outln!("{} failed; the last good PDF is kept", clock()))
        }
        #[cfg(not(unix))]
        Role::Watcher => build_on_change(args, None, None).map(|()| 0),
        Role::Builder { after } => {
            memory::exit_code_when_out(supervise::OUT_OF_MEMORY);
            // A builder ends when the watching process that started it is gone.
            #[cfg(unix)]
            let parent = Some(std::os::unix::process::parent_id());
            #[cfg(not(unix))]
            let parent = None;
            build_on_change(args, after, parent).map(|()| 0)
        }
    }
}

/// Builds, then rebuilds on every change until Ctrl-C (or until the process
/// `parent` is gone). A builder started after one ran out of memory at
/// `after` builds only once a file changes (or has changed since then).
fn build_on_change(
    args: &WatchArgs,
    after: Option<SystemTime>,
    parent: Option<u32>,
) -> Result<(), Error> {
    signals::stop_at_safe_point();
    let plan::Watch { build: plan, publish: mut site } = plan::Watch::resolve(args)?;
    let source = &plan.source;
    let mut watched = Watched {
        letter: source.letter.clone(),
        signatories: source.signatories.clone(),
        shared: Vec::new(),
        parent,
    };
    // A letter folder too large to look at is refused before anything else.
    let mut snapshot = watched.snapshot()?;
    if let Some(moment) = after {
        snapshot.forget_since(moment);
    }

    // Until the inputs are valid there is nothing to build: wait for a fix.
    let mut inputs = loop {
        match Inputs::load(source) {
            Ok(inputs) => break inputs,
            Err(_) if signals::interrupted() => return stopped(),
            Err(err) => report::error(&err),
        }
        if watched.wait_for_change(&mut snapshot).is_none() {
            return stopped();
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
    if after.is_none() {
        rebuild("first build", &plan, &inputs, &mut world, text, Instant::now())?;
        publish(site.as_mut(), &inputs)?;
        note!(
            "watching {} and {} (Ctrl-C to stop)",
            source.letter.display(),
            source.signatories.display()
        );
    }
    follow_shared(&mut world, &mut watched, &mut snapshot);

    while let Some(changed) = watched.wait_for_change(&mut snapshot) {
        let started = Instant::now();
        // A text's source decides its language (the list's order) and the
        // fonts its words need, as the list does: either is read again. A
        // list that fails was reported when it changed; until it is mended
        // a text's change is built with the last good one.
        let is_source = |p: &PathBuf| p.extension().is_some_and(|e| e == "typ");
        let list_changed = changed.contains(&source.signatories);
        if list_changed || changed.iter().any(is_source) {
            match Inputs::load(source) {
                Ok(new) => {
                    world.set_inputs(&new);
                    inputs = new;
                }
                Err(_) if !list_changed => {}
                Err(_) if signals::interrupted() => break,
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
        follow_shared(&mut world, &mut watched, &mut snapshot);
    }
    stopped()
}

fn stopped() -> Result<(), Error> {
    note!("stopped watching");
    Ok(())
}

/// Files of a style shared from elsewhere in the project are watched too,
/// once a build has read them. (Only they join the snapshot: an edit made
/// during the build is still seen as a change.)
fn follow_shared(world: &mut LetterWorld, watched: &mut Watched, snapshot: &mut changes::Snapshot) {
    // A file stays watched once read: dropping one the letter no longer
    // reads would make the next look report it as removed, a false change.
    let new: Vec<PathBuf> = (world.read_outside(&watched.letter).into_iter())
        .map(PathBuf::from)
        .filter(|p| !watched.shared.contains(p))
        .collect();
    snapshot.add_all(&new);
    watched.shared.extend(new);
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

fn describe(changed: &[PathBuf]) -> String {
    let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
    format!("{} changed", names.join(", "))
}

fn clock() -> String {
    chrono::Local::now().format("[%H:%M:%S]").to_string()
}
