//! `openletter export-typst DIR`: the letter as a plain Typst project that a
//! designer or the Typst web app can open, so it is never locked into this
//! tool. `typst compile --font-path DIR/fonts --ignore-system-fonts
//! DIR/main.typ` makes the same letter (and `DIR/main.LANG.typ` each
//! translation).
//!
//! It copies only what the build could read (files inside the letter
//! folder, links included only while they stay inside), and writes the
//! project whole or not at all.

use std::path::PathBuf;

use crate::args::ExportArgs;
use crate::compile;
use crate::data::DATA_PATH;
use crate::error::Error;
use crate::files::{self, is_within};
use crate::fonts::{LICENCES, PROJECT_FONTS};
use crate::inputs::Inputs;
use crate::letter::{Reach, letter_files, letter_root};
use crate::output;
use crate::plan;
use crate::world::LetterWorld;

pub fn run(args: &ExportArgs) -> Result<(), Error> {
    let plan = plan::Export::resolve(args);
    let inputs = Inputs::load(&plan.source)?;
    let letter = &plan.source.letter;
    letter_root(letter)?;
    let dir = &plan.dir;
    if is_within(dir, letter) || is_within(letter, dir) {
        return Err(Error::Usage(format!(
            "cannot export into `{}`: it overlaps the letter folder `{}`; name a folder outside it",
            dir.display(),
            letter.display()
        )));
    }

    // The export is one letter folder: a letter that reads a style shared
    // from elsewhere in its project would not compile from it.
    let texts = &plan.source.texts;
    for text in texts {
        let mut world = LetterWorld::new(&inputs, text)?;
        let _ = compile::compile(&world);
        if let Some(file) = world.read_outside(letter).first() {
            return Err(Error::Usage(format!(
                "`{}` reads `{file}`, outside the letter folder; export-typst writes one letter \
                 folder: copy what it reads into it to export (nothing was written)",
                letter.join(text.file()).display()
            )));
        }
    }

    let mut project: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for file in letter_files(letter)? {
        let why = match file.reach {
            Reach::Inside => None,
            Reach::Outside => Some("leads outside the letter folder, which the build never reads"),
            Reach::NotAFile => Some("is not a regular file"),
        };
        if let Some(why) = why {
            return Err(Error::Usage(format!(
                "`{}` {why}; remove it to export (nothing was written)",
                file.path.display()
            )));
        }
        let relative = file.path.strip_prefix(letter).expect("listed under the letter folder");
        let bytes = files::read_regular(&file.path)
            .map_err(|err| Error::Usage(format!("cannot read `{}`: {err}", file.path.display())))?;
        project.push((relative.to_owned(), bytes));
    }
    let data = inputs.data.as_slice();
    let pretty: serde_json::Value = serde_json::from_slice(data).expect("our own JSON");
    let pretty = serde_json::to_vec_pretty(&pretty).expect("serialises");
    let letter_files = project.len();
    project.push((DATA_PATH.trim_start_matches('/').into(), pretty));
    // The fonts this letter is set in, bundled or the project's own, all
    // under `fonts/`.
    for (file, name) in inputs.fonts.files.iter().zip(inputs.fonts.folder_names()) {
        project.push((std::path::Path::new(PROJECT_FONTS).join(name), file.bytes.to_vec()));
    }
    for (name, text) in LICENCES {
        project.push((std::path::Path::new(PROJECT_FONTS).join(name), text.as_bytes().to_vec()));
    }
    output::write_folder(dir, &project, output::Kind::TypstExport, plan.replace_edited)?;

    note!(
        "wrote {} letter file(s), {}, {} fonts and their licences to {}",
        letter_files,
        DATA_PATH.trim_start_matches('/'),
        inputs.fonts.files.len(),
        dir.display()
    );
    // One command per text: the original and each translation.
    let dir = dir.display();
    for text in texts {
        let file = text.file();
        outln!(
            "typst compile --font-path {dir}/{PROJECT_FONTS} --ignore-system-fonts {dir}/{file}"
        )?;
    }
    Ok(())
}
