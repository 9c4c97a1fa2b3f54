//! Writing the products of a build (one per language), all or none: each
//! file is staged in full first, and only then are they renamed into place.

use std::path::PathBuf;

use crate::error::Error;
use crate::output::{Durability, Staged, WriteError};
use crate::preview;
use crate::products::Products;
use crate::targets::Targets;

/// Writes the files of one or several builds, all or none. Previews from an
/// earlier, longer build are removed afterwards (only files this tool
/// wrote).
pub fn write_all(all: &[Products], durability: Durability) -> Result<(), Error> {
    Targets::check_distinct(&all.iter().map(|p| &p.targets).collect::<Vec<_>>())?;
    let mut staged = Staged::default();
    let mut stale = Vec::new();
    let mut made = Vec::new();
    // The files first: a folder for previews is made only once they are in.
    let result = all
        .iter()
        .try_for_each(|products| stage_files(products, &mut staged, durability))
        .and_then(|()| {
            all.iter().try_for_each(|products| {
                stale.extend(stage_previews(products, &mut staged, durability, &mut made)?);
                Ok(())
            })
        })
        .and_then(|()| Ok(std::mem::take(&mut staged).commit()?));
    if let Err(err) = result {
        drop(staged);
        for dir in made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(err);
    }
    for path in stale {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Stages a build's PDF and manifest.
fn stage_files(
    products: &Products,
    staged: &mut Staged,
    durability: Durability,
) -> Result<(), Error> {
    if let (Some(path), Some(json)) = (&products.targets.manifest, &products.manifest) {
        staged.stage(path, json, durability)?;
    }
    staged.stage(&products.targets.pdf, &products.pdf, durability)?;
    Ok(())
}

/// Stages a build's previews, making their folder if need be (noted in
/// `made`, to take back on failure); returns the previews to remove once
/// the new ones are in place.
fn stage_previews(
    products: &Products,
    staged: &mut Staged,
    durability: Durability,
    made: &mut Vec<PathBuf>,
) -> Result<Vec<PathBuf>, Error> {
    let (Some(dir), Some(pngs)) = (&products.targets.previews, &products.previews) else {
        return Ok(Vec::new());
    };
    if !dir.is_dir() {
        std::fs::create_dir(dir).map_err(|error| WriteError::new(dir, error))?;
        made.push(dir.clone());
    }
    Ok(preview::stage(dir, pngs, staged, durability)?)
}
