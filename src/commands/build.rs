//! `openletter build`: inputs → world → typeset letter → files, written
//! together once the whole build has succeeded; with `--all-languages`, for
//! the original and every translation, still all together.

use std::time::{Duration, Instant};

use crate::args::BuildArgs;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::output::Durability;
use crate::pipeline::{Caches, Products, Standards, Targets, ms, typeset, write_all};
use crate::world::LetterWorld;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let standards = Standards::new(&args.standards.pdf_standard)?;
    let inputs = Inputs::load(&args.input)?;
    let texts = args.input.texts();
    Targets::check_early(args, &inputs, &texts)?;
    let inputs_time = started.elapsed();
    let (mut compile_time, mut export_time) = (Duration::ZERO, Duration::ZERO);
    let mut all = Vec::new();
    for text in &texts {
        let (letter, project) = (&inputs.letter, inputs.project());
        let world = LetterWorld::new(
            letter,
            project,
            text,
            inputs.fonts,
            inputs.data.clone(),
            inputs.date,
        )?;
        let typeset = typeset(&inputs, &world, text, &standards, Caches::Free)?;
        let products = Products::new(typeset, args, &inputs, &world, &standards)?;
        compile_time += products.compile_time;
        export_time += products.export_time;
        all.push(products);
    }
    let write_started = Instant::now();
    write_all(&all, Durability::Durable)?;
    if args.timings {
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
    Ok(())
}
