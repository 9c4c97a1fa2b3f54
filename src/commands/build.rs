//! `openletter build`: plan → inputs → world → typeset letter → files,
//! written together once the whole build has succeeded; with
//! `--all-languages`, for the original and every translation, still all
//! together.

use std::time::{Duration, Instant};

use crate::args::BuildArgs;
use crate::console::ms;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::output::Durability;
use crate::plan;
use crate::products::Products;
use crate::targets::Targets;
use crate::typeset::{Caches, typeset};
use crate::world::LetterWorld;
use crate::write::write_all;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let plan = plan::Build::resolve(args)?;
    let inputs = Inputs::load(&plan.source)?;
    Targets::check_early(&plan.outputs, &inputs, &plan.source.texts)?;
    let inputs_time = started.elapsed();
    let (mut compile_time, mut export_time) = (Duration::ZERO, Duration::ZERO);
    let mut all = Vec::new();
    for text in &plan.source.texts {
        let mut world = LetterWorld::new(&inputs, text)?;
        let typeset = typeset(&inputs, &world, text, &plan.standards, Caches::Free)?;
        let products = Products::new(typeset, &plan.outputs, &inputs, &mut world, &plan.standards)?;
        compile_time += products.compile_time;
        export_time += products.export_time;
        all.push(products);
    }
    let write_started = Instant::now();
    write_all(&all, Durability::Durable)?;
    if plan.timings {
        note!(
            "timings: inputs {}, compile {}, pdf {}, write {}, total {}",
            ms(inputs_time),
            ms(compile_time),
            ms(export_time),
            ms(write_started.elapsed()),
            ms(started.elapsed())
        );
    }
    for products in &all {
        note!("{}", products.summary(&inputs));
    }
    for path in all.iter().flat_map(Products::paths) {
        outln!("{}", path.display())?;
    }
    // Everything is written: the process ends now, and the system takes
    // back its memory at once, where freeing a long letter's layout and
    // list piece by piece would only delay the exit.
    std::mem::forget(all);
    std::mem::forget(inputs);
    Ok(())
}
