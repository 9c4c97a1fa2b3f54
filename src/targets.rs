//! Where a build's files go: named from the plan's patterns and checked
//! against the inputs before anything is written, so an output can never
//! replace an input, and two outputs never share a name.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files::{is_within, same_path};
use crate::inputs::Inputs;
use crate::letter::Text;
use crate::output;
use crate::plan::Outputs;
use crate::typeset::Typeset;

/// Where one build's files go.
pub struct Targets {
    pub pdf: PathBuf,
    pub manifest: Option<PathBuf>,
    pub previews: Option<PathBuf>,
}

impl Targets {
    /// Checks, before anything is compiled, every output whose name is
    /// already known (one that uses `{slug}` or `{lang}` waits for the
    /// letter). Several texts need `{lang}` in every pattern.
    pub fn check_early(outputs: &Outputs, inputs: &Inputs, texts: &[Text]) -> Result<(), Error> {
        if texts.len() > 1
            && let Some(pattern) = outputs.patterns().find(|p| !p.contains("{lang}"))
        {
            return Err(Error::Usage(format!(
                "`{pattern}` would name the files of every language alike: put `{{lang}}` in it"
            )));
        }
        let known = |pattern: &&String| !pattern.contains("{slug}") && !pattern.contains("{lang}");
        let values = placeholders(inputs, "slug", "lang");
        let expand = |pattern: &String| output::expand(pattern, &values).map_err(Error::Usage);
        let targets = Targets {
            pdf: if known(&&outputs.pdf) { expand(&outputs.pdf)? } else { PathBuf::new() },
            manifest: outputs.manifest.as_ref().filter(known).map(expand).transpose()?,
            previews: outputs.previews.as_ref().filter(known).map(expand).transpose()?,
        };
        targets.check(inputs)
    }

    /// The outputs of a build, named from its patterns, and checked.
    pub fn plan(outputs: &Outputs, inputs: &Inputs, typeset: &Typeset) -> Result<Self, Error> {
        let values = placeholders(inputs, &typeset.slug, &typeset.lang);
        let expand = |pattern: &String| output::expand(pattern, &values).map_err(Error::Usage);
        let targets = Targets {
            pdf: expand(&outputs.pdf)?,
            manifest: outputs.manifest.as_ref().map(expand).transpose()?,
            previews: outputs.previews.as_ref().map(expand).transpose()?,
        };
        targets.check(inputs)?;
        Ok(targets)
    }

    /// Refuses two builds' outputs with one name (texts whose patterns
    /// agree, such as `{slug}` alone for two translations of one title).
    pub fn check_distinct(all: &[&Targets]) -> Result<(), Error> {
        let mut seen: Vec<&Path> = Vec::new();
        for targets in all {
            for path in [Some(&targets.pdf), targets.manifest.as_ref(), targets.previews.as_ref()]
                .into_iter()
                .flatten()
            {
                if seen.iter().any(|p| same_path(p, path)) {
                    return Err(Error::Usage(format!(
                        "`{}` is named by two languages' outputs: put `{{lang}}` in the pattern; \
                         nothing was written",
                        path.display()
                    )));
                }
                seen.push(path);
            }
        }
        Ok(())
    }

    /// Refuses an output that is an input (the signatories file, anything
    /// in the letter folder), one named twice, or a folder where a file
    /// goes and the other way round.
    fn check(&self, inputs: &Inputs) -> Result<(), Error> {
        let list = &inputs.signatories.path;
        let letter = &inputs.letter;
        let refuse = |what: &str, path: &Path, why: String| {
            Err(Error::Usage(format!("{what} `{}` {why}; nothing was written", path.display())))
        };
        let inside_letter =
            || format!("is inside the letter folder `{}`, which holds inputs", letter.display());
        let mut files: Vec<(&str, &Path)> = Vec::new();
        if !self.pdf.as_os_str().is_empty() {
            files.push(("-o", &self.pdf));
        }
        if let Some(manifest) = &self.manifest {
            files.push(("--manifest", manifest));
        }
        for (i, (what, path)) in files.iter().enumerate() {
            if same_path(path, list) {
                return refuse(what, path, "is the signatories file, an input".into());
            }
            if is_within(path, letter) {
                return refuse(what, path, inside_letter());
            }
            if path.is_dir() {
                return refuse(what, path, "is a folder; name a file".into());
            }
            if output::names_a_folder(path) {
                return refuse(what, path, "names a folder (it ends in `/`); name a file".into());
            }
            if let Some((other, _)) = files[..i].iter().find(|(_, p)| same_path(p, path)) {
                return refuse(what, path, format!("is also named by {other}"));
            }
        }
        if let Some(dir) = &self.previews {
            if is_within(dir, letter) {
                return refuse("--png", dir, inside_letter());
            }
            if dir.exists() && !dir.is_dir() {
                return refuse("--png", dir, "is a file; name a folder for the previews".into());
            }
        }
        Ok(())
    }
}

/// Every placeholder an output pattern may use, with its value (`None`:
/// this run has none, as `{version}` without a label): the one table that
/// both fills patterns and names the placeholders in messages.
fn placeholders(inputs: &Inputs, slug: &str, lang: &str) -> [(&'static str, Option<String>); 4] {
    [
        ("date", Some(inputs.date.iso())),
        ("slug", Some(slug.to_owned())),
        ("version", inputs.version.clone()),
        ("lang", Some(lang.to_owned())),
    ]
}
