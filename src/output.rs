//! Writing output files so that a reader never sees half of one: the bytes go
//! to a temporary file beside the target, which is then renamed over it. A
//! failed build therefore leaves the last good PDF exactly as it was.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "cannot write `{}`: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for WriteError {}

/// Whether a write waits for the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Flushed to disk first: the file survives a power cut. For everything
    /// that is kept.
    Durable,
    /// Renamed into place straight from the page cache: still never seen
    /// half-written, but a power cut may lose it. For `watch`, which
    /// rewrites its preview on every save and is timed against `typst watch`.
    Preview,
}

/// Replaces `path` with `bytes` in one step, creating it if need be.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> Result<(), WriteError> {
    let fail = |error| WriteError { path: path.to_owned(), error };
    if path.is_dir() {
        return Err(fail(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory")));
    }
    let name = path.file_name().ok_or_else(|| fail(io::ErrorKind::InvalidInput.into()))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        let error = io::Error::new(
            io::ErrorKind::NotFound,
            format!("folder `{}` does not exist", dir.display()),
        );
        return Err(fail(error));
    }
    let temp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let written = write_new(&temp, bytes, durability).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.map_err(fail)
}

fn write_new(path: &Path, bytes: &[u8], durability: Durability) -> io::Result<()> {
    let mut file: File = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    match durability {
        Durability::Durable => file.sync_all(),
        Durability::Preview => Ok(()),
    }
}

/// Fills `{name}` placeholders of an output pattern such as
/// `out/{slug}-{date}.pdf`; an unknown placeholder is an error, not a
/// literal, so a typo cannot silently name every build alike.
pub fn expand(pattern: &str, values: &[(&str, &str)]) -> Result<PathBuf, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("output pattern `{pattern}` has an unclosed `{{`"))?;
        let name = &rest[open + 1..open + close];
        let value =
            values.iter().find(|(key, _)| *key == name).map(|(_, v)| *v).ok_or_else(|| {
                if name == "version" {
                    return format!(
                        "output pattern `{pattern}` uses `{{version}}`: give --version-label"
                    );
                }
                let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
                format!("output pattern `{pattern}` uses `{{{name}}}`; known: {}", known.join(", "))
            })?;
        out.push_str(value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(PathBuf::from(out))
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn fills_placeholders_and_refuses_unknown_ones() {
        let values = [("date", "2025-02-13"), ("slug", "letter")];
        assert_eq!(
            expand("out/{slug}-{date}.pdf", &values).unwrap().to_str(),
            Some("out/letter-2025-02-13.pdf")
        );
        assert!(expand("{dat}.pdf", &values).unwrap_err().contains("{dat}"));
        assert!(expand("{date.pdf", &values).is_err());
    }
}
