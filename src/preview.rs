//! PNG previews of the pages, for reviewers who look at a change in a pull
//! request rather than open the PDF.

use std::path::{Path, PathBuf};

use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

/// Renders every page at `ppi` pixels per inch, in page order.
pub fn render(document: &PagedDocument, ppi: f32) -> Vec<Vec<u8>> {
    let options = RenderOptions {
        pixel_per_pt: Scalar::new(f64::from(ppi) / 72.0),
        ..RenderOptions::default()
    };
    document
        .pages()
        .iter()
        .map(|page| typst_render::render(page, &options).encode_png().expect("PNG encodes"))
        .collect()
}

/// `page-01.png`, …: as many digits as the page count needs, so the files
/// list in page order.
pub fn file_name(page: usize, pages: usize) -> String {
    let width = pages.to_string().len().max(2);
    format!("page-{page:0width$}.png")
}

/// Preview files in `dir` from an earlier, longer build, which would
/// otherwise be mistaken for pages of this one.
pub fn stale_files(dir: &Path, pages: usize) -> Vec<PathBuf> {
    let keep: Vec<String> = (1..=pages).map(|p| file_name(p, pages)).collect();
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("page-") && name.ends_with(".png") && !keep.iter().any(|k| k == name)
        })
        .collect()
}
