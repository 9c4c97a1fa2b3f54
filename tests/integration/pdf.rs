//! Reading back what the binary wrote, with poppler's tools (`pdfinfo`,
//! `pdftotext`, `pdffonts`): independent of the code that wrote it.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Pdf {
    pub path: PathBuf,
}

/// Runs a poppler tool on the file; its stdout.
fn poppler(program: &str, args: &[&str], path: &Path) -> String {
    let output = Command::new(program).args(args).arg(path).output().unwrap_or_else(|e| {
        panic!("{program} (Debian: poppler-utils) is needed; tests/run installs it: {e}")
    });
    assert!(
        output.status.success(),
        "{program} failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

impl Pdf {
    pub fn open(path: &Path) -> Pdf {
        assert!(path.is_file(), "{} was not written", path.display());
        Pdf { path: path.to_owned() }
    }

    pub fn page_count(&self) -> usize {
        poppler("pdfinfo", &[], &self.path)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo reports the page count")
    }

    /// Each page's size in points.
    pub fn page_sizes(&self) -> Vec<(f32, f32)> {
        let last = self.page_count().to_string();
        poppler("pdfinfo", &["-f", "1", "-l", &last], &self.path)
            .lines()
            .filter(|l| l.starts_with("Page") && l.contains(" size:"))
            .map(|l| {
                let size = l.split("size:").nth(1).unwrap();
                let mut numbers = size.split_whitespace().filter_map(|w| w.parse::<f32>().ok());
                (numbers.next().unwrap(), numbers.next().unwrap())
            })
            .collect()
    }

    /// The text of one page (1-based), as the PDF's text layer gives it.
    pub fn page_text(&self, page: u32) -> String {
        let page = page.to_string();
        self.text(&["-raw", "-f", &page, "-l", &page])
    }

    /// The whole text in reading order, as poppler reconstructs it for a
    /// reader (right-to-left runs in logical order), not in stream order.
    pub fn reading_text(&self) -> String {
        self.text(&[])
    }

    /// `pdftotext ARGS FILE -`, in UTF-8.
    fn text(&self, args: &[&str]) -> String {
        let output = Command::new("pdftotext")
            .args(args)
            .args(["-enc", "UTF-8"])
            .arg(&self.path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed: see .ci/run");
        assert!(output.status.success(), "pdftotext failed on {}", self.path.display());
        String::from_utf8(output.stdout).unwrap()
    }

    /// The text of every page, in order, one string per page.
    pub fn pages_text(&self) -> Vec<String> {
        (1..=self.page_count() as u32).map(|p| self.page_text(p)).collect()
    }

    /// The address of every link, with its page (1-based).
    pub fn links(&self) -> Vec<(u32, String)> {
        poppler("pdfinfo", &["-url"], &self.path)
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let page = words.next()?.parse().ok()?;
                let _kind = words.next()?;
                Some((page, words.next()?.to_owned()))
            })
            .collect()
    }

    /// Every font, as `pdffonts` lists it: (name, embedded).
    pub fn fonts(&self) -> Vec<(String, bool)> {
        poppler("pdffonts", &[], &self.path)
            .lines()
            .skip(2)
            .filter_map(|l| {
                let name = l.split_whitespace().next()?.to_owned();
                // The columns after the type: encoding, emb, sub, uni, object, gen.
                let words: Vec<&str> = l.split_whitespace().collect();
                let emb = words.get(words.len().checked_sub(5)?)?;
                Some((name, *emb == "yes"))
            })
            .collect()
    }

    /// Names of fonts whose program is not embedded in the file.
    pub fn unembedded_fonts(&self) -> Vec<String> {
        self.fonts().into_iter().filter(|(_, emb)| !emb).map(|(name, _)| name).collect()
    }

    pub fn font_count(&self) -> usize {
        self.fonts().len()
    }
}
