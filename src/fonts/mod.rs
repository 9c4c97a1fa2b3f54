//! The fonts a letter is set in: fonts compiled into the binary (Noto for
//! Latin, Greek, Cyrillic and most other scripts; Droid Sans Fallback and
//! Nanum Gothic for Chinese, Japanese and Korean), plus any font in the
//! project's own `fonts/` folder, beside the signatories file. Nothing comes from the
//! machine, so the same inputs give the same PDF everywhere.
//!
//! The script fonts (Arabic, Hebrew, Indic, Thai, Ethiopic, Armenian,
//! Georgian, Chinese, Japanese, Korean) are large, so they join a letter's
//! fonts only when its text or signatories have a character the base fonts
//! lack: a letter in Latin script pays nothing for them.

mod web;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::files;

pub use web::{subset_woff2, unicode_range};

/// The folder of a project's own fonts, beside its signatories file.
pub const PROJECT_FONTS: &str = "fonts";

/// The font files every letter can use, embedded at compile time, by name.
pub const BASE: [(&str, &[u8]); 4] = [
    ("fonts/NotoSans-Regular.ttf", include_bytes!("../../fonts/NotoSans-Regular.ttf")),
    ("fonts/NotoSans-Bold.ttf", include_bytes!("../../fonts/NotoSans-Bold.ttf")),
    ("fonts/NotoSans-Italic.ttf", include_bytes!("../../fonts/NotoSans-Italic.ttf")),
    ("fonts/NotoSans-BoldItalic.ttf", include_bytes!("../../fonts/NotoSans-BoldItalic.ttf")),
];

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        [$((concat!("fonts/", $file), include_bytes!(concat!("../../fonts/", $file)) as &[u8])),*]
    };
}

/// The fonts for other scripts, also embedded, used when a letter needs them.
pub const SCRIPTS: [(&str, &[u8]); 20] = bundled![
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansBengali-Bold.ttf",
    "NotoSansTamil-Regular.ttf",
    "NotoSansTamil-Bold.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansThai-Bold.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansEthiopic-Bold.ttf",
    "NotoSansArmenian-Regular.ttf",
    "NotoSansArmenian-Bold.ttf",
    "NotoSansGeorgian-Regular.ttf",
    "NotoSansGeorgian-Bold.ttf",
    // Chinese and Japanese: TrueType outlines, which PDF/A
    // validators accept as Typst embeds them (Noto Sans CJK's CFF ones fail
    // a glyph-width check), in a seventh of the size.
    "DroidSansFallbackFull.ttf",
    // Korean (Hangul), which that font lacks.
    "NanumGothic.ttf",
];

/// The licences of the bundled fonts, which go wherever they are copied.
pub const LICENCES: [(&str, &str); 2] = [
    ("OFL.txt", include_str!("../../fonts/OFL.txt")),
    ("LICENSE-Apache-2.0.txt", include_str!("../../fonts/LICENSE-Apache-2.0.txt")),
];

/// One font file and where it came from.
#[derive(Clone)]
pub struct FontFile {
    /// `fonts/NotoSans-Regular.ttf` for a bundled font, the path for the
    /// project's own.
    pub name: String,
    pub bytes: Bytes,
    pub bundled: bool,
}

/// A set of fonts ready for Typst.
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
    pub files: Vec<FontFile>,
}

/// `name` as a file name of its own in a `fonts/` folder (a site's, an export's): made safe,
/// and with `-2`, `-3`, … before its extension when another font's took it
/// (a project's copy of a bundled font, `My Font.ttf` beside `My-Font.ttf`).
/// Names are compared without case, as some file systems compare them.
fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let safe = crate::output::file_component(name, "font");
    let (stem, ext) = match safe.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (safe.clone(), String::new()),
    };
    let mut candidate = safe;
    let mut n = 1;
    while !taken.insert(candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{stem}-{n}{ext}");
    }
    candidate
}

impl Fonts {
    /// Each font file's name in a `fonts/` folder beside the licences, in
    /// the order of `files`: no two alike (see [`unique`]).
    pub fn folder_names(&self) -> Vec<String> {
        let mut taken: HashSet<String> =
            LICENCES.iter().map(|(name, _)| name.to_lowercase()).collect();
        (self.files.iter())
            .map(|file| {
                let name = Path::new(&file.name).file_name().unwrap_or_default();
                unique(&mut taken, &name.to_string_lossy())
            })
            .collect()
    }

    fn new(files: Vec<FontFile>) -> Self {
        let fonts: Vec<Font> = files.iter().flat_map(|f| Font::iter(f.bytes.clone())).collect();
        Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts, files }
    }

    /// Whether some font of the set can draw `c`.
    pub fn covers(&self, c: char) -> bool {
        c.is_control() || self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }
}

fn embedded(list: &[(&str, &'static [u8])]) -> Vec<FontFile> {
    list.iter()
        .map(|(name, bytes)| FontFile {
            name: (*name).into(),
            bytes: Bytes::new(*bytes),
            bundled: true,
        })
        .collect()
}

static BASE_FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts::new(embedded(&BASE)));
static SCRIPT_FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts::new(embedded(&SCRIPTS)));

/// Why the project's fonts could not be used.
#[derive(Debug)]
pub struct FontError {
    pub path: PathBuf,
    pub why: String,
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "font `{}`: {}", self.path.display(), self.why)
    }
}

/// Every font a letter may use: the bundled ones and its project's own.
pub struct Typefaces {
    project: Option<Fonts>,
}

impl Typefaces {
    /// The bundled fonts and those in `fonts/` in the `project` folder
    /// (font files only, inside the project; copies of bundled fonts are
    /// skipped).
    pub fn load(project: &Path) -> Result<Self, FontError> {
        let dir = project.join(PROJECT_FONTS);
        if !dir.is_dir() {
            return Ok(Typefaces { project: None });
        }
        let fail = |path: &Path, why: String| FontError { path: path.to_owned(), why };
        let root = std::fs::canonicalize(project).map_err(|e| fail(project, e.to_string()))?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| fail(&dir, e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
                matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
            })
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let real = std::fs::canonicalize(&path).map_err(|e| fail(&path, e.to_string()))?;
            if !real.starts_with(&root) {
                return Err(fail(&path, "leads outside the project folder".into()));
            }
            // A copy of a bundled font (as in this tool's own repository)
            // is known by its name and size, without reading it.
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let is_bundled = BASE.iter().chain(SCRIPTS.iter()).any(|(name, bytes)| {
                Path::new(name).file_name() == path.file_name() && bytes.len() as u64 == size
            });
            if is_bundled {
                continue;
            }
            let bytes = files::read_regular(&path).map_err(|e| fail(&path, e.to_string()))?;
            let bytes = Bytes::new(bytes);
            if Font::iter(bytes.clone()).next().is_none() {
                return Err(fail(&path, "is not a font Typst can read".into()));
            }
            files.push(FontFile { name: path.display().to_string(), bytes, bundled: false });
        }
        let project = (!files.is_empty()).then(|| Fonts::new(files));
        Ok(Typefaces { project })
    }

    /// Whether the base fonts or the project's draw `c`, without the
    /// script fonts.
    fn covers_without_scripts(&self, c: char) -> bool {
        BASE_FONTS.covers(c) || self.project.as_ref().is_some_and(|p| p.covers(c))
    }

    /// Whether any available font draws `c`.
    pub fn covers(&self, c: char) -> bool {
        self.covers_without_scripts(c) || SCRIPT_FONTS.covers(c)
    }

    /// The fonts for a letter whose text holds `chars`: the project's own
    /// first (so they win where they have a glyph), then the base fonts,
    /// then the script fonts if some character needs them.
    pub fn select(&self, chars: impl IntoIterator<Item = char>) -> &'static Fonts {
        let mut seen = std::collections::HashSet::new();
        let scripts = chars
            .into_iter()
            .filter(|c| seen.insert(*c))
            .any(|c| !c.is_whitespace() && !self.covers_without_scripts(c));
        match (&self.project, scripts) {
            (None, false) => &BASE_FONTS,
            (None, true) => &ALL_FONTS,
            (Some(project), scripts) => with_project(project, scripts),
        }
    }
}

/// A project's fonts with the bundled ones, made once per distinct set and
/// kept for the rest of the run, as the bundled sets are: `watch` asks again
/// on every save of the list.
fn with_project(project: &Fonts, scripts: bool) -> &'static Fonts {
    type Key = (Vec<(String, u128)>, bool);
    static MADE: std::sync::Mutex<Vec<(Key, &'static Fonts)>> = std::sync::Mutex::new(Vec::new());
    let key: Key = (
        project.files.iter().map(|f| (f.name.clone(), typst::utils::hash128(&f.bytes))).collect(),
        scripts,
    );
    let mut made = MADE.lock().expect("font sets lock");
    if let Some((_, fonts)) = made.iter().find(|(k, _)| *k == key) {
        return fonts;
    }
    let mut files = project.files.clone();
    files.extend(BASE_FONTS.files.iter().cloned());
    if scripts {
        files.extend(SCRIPT_FONTS.files.iter().cloned());
    }
    let fonts: &'static Fonts = Box::leak(Box::new(Fonts::new(files)));
    made.push((key, fonts));
    fonts
}

static ALL_FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let mut files = embedded(&BASE);
    files.extend(embedded(&SCRIPTS));
    Fonts::new(files)
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_covers_latin_greek_and_cyrillic() {
        for c in "Fundação Śródka Ελληνικά Кириллица ŁØÆßğ".chars() {
            assert!(BASE_FONTS.covers(c), "{c}");
        }
        assert!(!BASE_FONTS.covers('漢'));
    }

    #[test]
    fn the_scripts_cover_the_world() {
        let none = Typefaces { project: None };
        let text =
            "محمد علي שלום हिन्दी বাংলা தமிழ் ไทย 山田太郎 漢字 한국어 አማርኛ Հայերեն ქართული فارسی";
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            assert!(none.covers(c), "{c} (U+{:04X})", c as u32);
        }
        assert!(std::ptr::eq(none.select("Ann Alpha".chars()), &*BASE_FONTS));
        assert!(std::ptr::eq(none.select("山田".chars()), &*ALL_FONTS));
        assert!(!none.covers('\u{10FFFD}'));
    }
}
