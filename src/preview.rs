//! PNG previews of the pages, for reviewers who look at a change in a pull
//! request rather than open the PDF.
//!
//! The folder may hold the user's own files too, so the previews written are
//! recorded in it, and only recorded files are ever removed.

use std::path::{Path, PathBuf};

use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

use crate::output::{Durability, Staged, WriteError};

/// The most pixels one preview page may have: a poster-sized page at a
/// high resolution would otherwise exhaust memory.
const MAX_PIXELS: f64 = 100e6;

/// The file in the previews folder listing the previews written there.
const RECORD: &str = ".openletter-previews";

/// Renders every page at `ppi` pixels per inch, in page order.
pub fn render(document: &PagedDocument, ppi: f32) -> Result<Vec<Vec<u8>>, String> {
    (0..document.pages().len()).map(|index| render_page(document, index, ppi)).collect()
}

/// Renders one page (counted from 0) as a PNG.
pub fn render_page(document: &PagedDocument, index: usize, ppi: f32) -> Result<Vec<u8>, String> {
    let scale = f64::from(ppi) / 72.0;
    let page = &document.pages()[index];
    let size = page.frame.size();
    let pixels = size.x.to_pt() * scale * size.y.to_pt() * scale;
    if pixels > MAX_PIXELS {
        return Err(format!(
            "page {} at {ppi} ppi would be {:.0} megapixels, more than the {:.0} a preview may \
             have; lower --png-ppi",
            index + 1,
            pixels / 1e6,
            MAX_PIXELS / 1e6
        ));
    }
    let options = RenderOptions { pixel_per_pt: Scalar::new(scale), ..RenderOptions::default() };
    encode(typst_render::render(page, &options))
        .map_err(|err| format!("cannot encode a preview: {err}"))
}

/// A rendered page as a PNG: RGB when the page is opaque (as a letter's
/// white page is), which is a quarter smaller, and compressed with the
/// PNG encoder's fast mode, several times quicker than its default for a
/// file little larger.
fn encode(pixmap: tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let (width, height) = (pixmap.width(), pixmap.height());
    let opaque = pixmap.pixels().iter().all(|p| p.is_opaque());
    let (color, data) = if opaque {
        let rgb = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        (png::ColorType::Rgb, rgb)
    } else {
        (png::ColorType::Rgba, pixmap.take_demultiplied())
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.write_header()?.write_image_data(&data)?;
    Ok(out)
}

/// `page-01.png`, …: as many digits as the page count needs, so the files
/// list in page order.
pub fn file_name(page: usize, pages: usize) -> String {
    let width = pages.to_string().len().max(2);
    format!("page-{page:0width$}.png")
}

/// Stages the previews and their record in `dir`; returns the previews an
/// earlier build wrote there that this one does not, to remove once the
/// new files are in place.
pub fn stage(
    dir: &Path,
    pngs: &[Vec<u8>],
    staged: &mut Staged,
    durability: Durability,
) -> Result<Vec<PathBuf>, WriteError> {
    let names: Vec<String> = (1..=pngs.len()).map(|p| file_name(p, pngs.len())).collect();
    for (name, png) in names.iter().zip(pngs) {
        staged.stage(&dir.join(name), png, durability)?;
    }
    let record = names.iter().map(|n| format!("{n}\n")).collect::<String>();
    staged.stage(&dir.join(RECORD), record.as_bytes(), durability)?;
    Ok(recorded(dir).into_iter().filter(|n| !names.contains(n)).map(|n| dir.join(n)).collect())
}

/// The previews the last build recorded in `dir`; only plain preview names
/// are believed, so an edited record cannot point elsewhere.
fn recorded(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join(RECORD)) else { return Vec::new() };
    text.lines()
        .filter(|name| {
            name.strip_prefix("page-")
                .and_then(|rest| rest.strip_suffix(".png"))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_owned)
        .collect()
}
