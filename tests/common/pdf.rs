//! Reading back what the binary wrote, with `lopdf`.

use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Document, Object};

pub struct Pdf {
    pub doc: Document,
    pub path: PathBuf,
}

impl Pdf {
    pub fn open(path: &Path) -> Pdf {
        let doc = Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Pdf { doc, path: path.to_owned() }
    }

    pub fn page_count(&self) -> usize {
        self.doc.get_pages().len()
    }

    /// Each page's size in points, following /Parent for inherited boxes.
    pub fn page_sizes(&self) -> Vec<(f32, f32)> {
        self.doc
            .get_pages()
            .values()
            .map(|id| {
                let mut dict = self.doc.get_dictionary(*id).unwrap();
                loop {
                    if let Ok(b) = dict.get(b"MediaBox") {
                        let b = self.resolve(b).as_array().unwrap().clone();
                        let n: Vec<f32> = b.iter().map(number).collect();
                        return (n[2] - n[0], n[3] - n[1]);
                    }
                    let parent = dict.get(b"Parent").unwrap().as_reference().unwrap();
                    dict = self.doc.get_dictionary(parent).unwrap();
                }
            })
            .collect()
    }

    /// The text of one page (1-based), as the PDF's text layer gives it.
    ///
    /// lopdf cannot parse the ToUnicode maps Typst writes, so the text layer
    /// is read with poppler's `pdftotext` (installed by `.ci/run`).
    pub fn page_text(&self, page: u32) -> String {
        let page = page.to_string();
        let output = std::process::Command::new("pdftotext")
            .args(["-raw", "-f", &page, "-l", &page, "-enc", "UTF-8"])
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

    /// The /URI of every link annotation, per page (1-based).
    pub fn links(&self) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        for (number, id) in self.doc.get_pages() {
            let page = self.doc.get_dictionary(id).unwrap();
            let Ok(annots) = page.get(b"Annots") else {
                continue;
            };
            for annot in self.resolve(annots).as_array().unwrap() {
                let annot = self.resolve(annot).as_dict().unwrap();
                let Ok(action) = annot.get(b"A") else {
                    continue;
                };
                let action = self.resolve(action).as_dict().unwrap();
                if let Ok(uri) = action.get(b"URI") {
                    let bytes = self.resolve(uri).as_str().unwrap();
                    out.push((number, String::from_utf8_lossy(bytes).into_owned()));
                }
            }
        }
        out
    }

    /// Names of fonts whose program is not embedded in the file.
    pub fn unembedded_fonts(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for object in self.doc.objects.values() {
            let Ok(dict) = object.as_dict() else { continue };
            if !is_name(dict, b"Type", b"FontDescriptor") {
                continue;
            }
            let embedded = [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| dict.get(key).is_ok());
            if !embedded {
                let name = dict.get(b"FontName").ok().and_then(|n| n.as_name().ok());
                missing.push(String::from_utf8_lossy(name.unwrap_or(b"?")).into_owned());
            }
        }
        missing
    }

    pub fn font_descriptor_count(&self) -> usize {
        self.doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| is_name(d, b"Type", b"FontDescriptor"))
            .count()
    }

    fn resolve<'a>(&'a self, object: &'a Object) -> &'a Object {
        match object {
            Object::Reference(id) => self.doc.get_object(*id).unwrap(),
            other => other,
        }
    }
}

fn is_name(dict: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    dict.get(key).ok().and_then(|v| v.as_name().ok()) == Some(value)
}

fn number(object: &Object) -> f32 {
    match object {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        other => panic!("not a number: {other:?}"),
    }
}
