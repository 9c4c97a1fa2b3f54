//! The build manifest: what a PDF is, what it was made from, and by what, so
//! that CI can archive it and anyone can check a copy against it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::signatories::Counts;

#[derive(Serialize)]
pub struct Manifest {
    pub pdf: PdfFacts,
    pub date: String,
    pub version_label: Option<String>,
    pub signatories: Counts,
    pub pdf_standards: Vec<String>,
    pub tool: Tool,
    /// Every input, with its checksum: the signatories, the letter files the
    /// compile read, and the fonts compiled into the binary.
    pub inputs: Vec<Input>,
}

#[derive(Serialize)]
pub struct PdfFacts {
    pub path: String,
    pub sha256: String,
    pub size: usize,
    pub pages: usize,
}

#[derive(Serialize)]
pub struct Tool {
    pub openletter: &'static str,
    pub typst: &'static str,
}

#[derive(Serialize)]
pub struct Input {
    pub path: String,
    pub sha256: String,
}

impl Input {
    pub fn new(path: impl Into<String>, bytes: &[u8]) -> Self {
        Self { path: path.into(), sha256: sha256(bytes) }
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("manifest serialises");
        json.push(b'\n');
        json
    }
}
