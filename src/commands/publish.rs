//! `openletter publish DIR`: the letter as a web site, every language, with
//! the PDFs `build` would write; written whole once everything is made.

use std::time::Instant;

use crate::args::PublishArgs;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::pipeline::{Caches, Standards, ms};
use crate::site::{self, Site, SiteOptions};

pub fn run(args: &PublishArgs) -> Result<(), Error> {
    let started = Instant::now();
    if args.input.lang.is_some() {
        return Err(Error::Usage(
            "publish writes every language's page; --lang picks one text for build and watch"
                .into(),
        ));
    }
    let standards = Standards::new(&args.standards.pdf_standard)?;
    let inputs = Inputs::load(&args.input)?;
    site::check_target(&args.dir, &inputs)?;
    let inputs_time = started.elapsed();
    let options = SiteOptions::new(&args.site, &args.input);
    let texts = args.input.all_texts();
    let site = Site::make(&inputs, &texts, &standards, &options, Caches::Free)?;
    let write_started = Instant::now();
    site.write(&args.dir)?;
    if args.timings {
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
        outln!("{}", args.dir.join(page).display())?;
    }
    Ok(())
}
