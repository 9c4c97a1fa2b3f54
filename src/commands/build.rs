//! `openletter build`: inputs → world → typeset letter → files, written
//! together once the whole build has succeeded.

use std::time::Instant;

use crate::args::BuildArgs;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::output::Durability;
use crate::pipeline::{Caches, Products, Standards, Targets, ms, typeset};
use crate::world::LetterWorld;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let standards = Standards::new(&args.standards.pdf_standard)?;
    let inputs = Inputs::load(&args.input)?;
    let world = LetterWorld::new(&inputs.letter, inputs.fonts, inputs.data.clone(), inputs.date)?;
    Targets::check_early(args, &inputs)?;
    let inputs_time = started.elapsed();
    let typeset = typeset(&inputs, &world, &standards, Caches::Free)?;
    let products = Products::new(typeset, args, &inputs, &world, &standards)?;
    let write_started = Instant::now();
    products.write(Durability::Durable)?;
    if args.timings {
        note!(
            "timings: inputs {}, compile {}, pdf {}, write {}, total {}",
            ms(inputs_time),
            ms(products.compile_time),
            ms(products.export_time),
            ms(write_started.elapsed()),
            ms(started.elapsed())
        );
    }
    note!("{}", products.summary(&inputs));
    for path in products.paths() {
        outln!("{}", path.display())?;
    }
    Ok(())
}
