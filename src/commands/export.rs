//! `openletter export-typst DIR`: the letter as a plain Typst project that a
//! designer or the Typst web app can open, so it is never locked into this
//! tool. `typst compile --font-path DIR/fonts --ignore-system-fonts
//! DIR/main.typ` makes the same letter.

use std::path::Path;

use crate::args::ExportArgs;
use crate::data::DATA_PATH;
use crate::error::Error;
use crate::fonts;
use crate::inputs::Inputs;
use crate::output::Durability::Durable;
use crate::output::{self, WriteError};
use crate::world::{self, MAIN_FILE};

const LICENCE: &str = include_str!("../../fonts/OFL.txt");

pub fn run(args: &ExportArgs) -> Result<(), Error> {
    let inputs = Inputs::load(&args.input)?;
    let letter = &args.input.letter;
    world::letter_root(letter)?;
    let dir = &args.dir;
    let fail = |path: &Path, error| Error::Write(WriteError { path: path.to_owned(), error });
    std::fs::create_dir_all(dir.join("fonts")).map_err(|e| fail(dir, e))?;

    let mut written = 0;
    for source in world::letter_files(letter).map_err(|e| fail(letter, e))? {
        let relative = source.strip_prefix(letter).expect("listed under the letter folder");
        let target = dir.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
        }
        let bytes = std::fs::read(&source).map_err(|e| fail(&source, e))?;
        output::write_atomically(&target, &bytes, Durable)?;
        written += 1;
    }
    let data = inputs.data();
    let pretty: serde_json::Value = serde_json::from_slice(&data).expect("our own JSON");
    let pretty = serde_json::to_vec_pretty(&pretty).expect("serialises");
    output::write_atomically(&dir.join(DATA_PATH.trim_start_matches('/')), &pretty, Durable)?;
    for (name, bytes) in fonts::FILES {
        output::write_atomically(&dir.join(name), bytes, Durable)?;
    }
    output::write_atomically(&dir.join("fonts/OFL.txt"), LICENCE.as_bytes(), Durable)?;

    eprintln!(
        "wrote {} letter file(s), {}, {} fonts and their licence to {}",
        written,
        DATA_PATH.trim_start_matches('/'),
        fonts::FILES.len(),
        dir.display()
    );
    let dir = dir.display();
    println!("typst compile --font-path {dir}/fonts --ignore-system-fonts {dir}/{MAIN_FILE}");
    Ok(())
}
