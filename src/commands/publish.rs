//! `openletter publish DIR`: the letter as a web site, every language, with
//! the PDFs `build` would write; written all or none once everything is made.

use std::time::Instant;

use crate::args::PublishArgs;
use crate::console::ms;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::plan;
use crate::site::{self, Site};
use crate::typeset::Caches;

pub fn run(args: &PublishArgs) -> Result<(), Error> {
    let started = Instant::now();
    let plan = plan::Publish::resolve(args)?;
    let inputs = Inputs::load(&plan.source)?;
    site::check_target(&plan.dir, &inputs)?;
    let inputs_time = started.elapsed();
    let site = Site::make(&inputs, &plan, Caches::Free)?;
    let write_started = Instant::now();
    site.write(&plan.dir, plan.replace_edited)?;
    if plan.timings {
        note!(
            "timings: inputs {}, compile {}, export {}, write {}, total {}",
            ms(inputs_time),
            ms(site.compile_time),
            ms(site.export_time),
            ms(write_started.elapsed()),
            ms(started.elapsed())
        );
    }
    let counts = inputs.signatories.counts();
    note!("published {} page(s) with {counts}", site.pages.len());
    for page in &site.pages {
        outln!("{}", plan.dir.join(page).display())?;
    }
    Ok(())
}
