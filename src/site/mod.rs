//! The letter as a static web site, for `publish` and `watch --publish`.
//!
//! Each text is typeset as `build` typesets it (so its PDF has the same
//! bytes), then compiled a second time for Typst's HTML export with
//! `data.site` telling the template where the page's files are. Beside the
//! pages: each text's PDF and first page as a preview image, the fonts,
//! `signatories.json` and `counter.svg` for partner sites. Everything is made
//! in memory first and written all or none, beside the files of the folder
//! that openletter did not write (see `output::folder`).

mod guard;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::World;
use typst::foundations::{Bytes, Label, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::text::{Font, FontStyle};
use typst::utils::PicoStr;

use crate::compile::{self, CompiledPage};
use crate::data::{self, Listing, SiteData, TextPage, Updated, WebFont};
use crate::error::Error;
use crate::files::is_within;
use crate::fonts::{LICENCES, PROJECT_FONTS, without_empty_tables};
use crate::inputs::Inputs;
use crate::letter::Text;
use crate::output::{self, Kind};
use crate::plan::{Publish, SiteOptions};
use crate::preview;
use crate::typeset::{Caches, Laid, lay_out, typst_error};
use crate::world::LetterWorld;

/// The page of each text, in its folder.
pub const PAGE: &str = "index.html";
/// The first page of each text's PDF, for link previews.
pub const PREVIEW: &str = "preview.png";
/// The list, for partner sites.
pub const LISTING: &str = "signatories.json";
/// A badge with the count, for partner sites.
pub const COUNTER: &str = "counter.svg";
/// Where the template leaves the badge's words and colour for us.
const COUNTER_LABEL: &str = "openletter-counter";
/// Sharp enough for a link preview, small enough to fetch quickly.
const PREVIEW_PPI: f32 = 75.0;

/// A site made in memory.
pub struct Site {
    files: Vec<(PathBuf, Vec<u8>)>,
    /// Each text's page, as a path inside the site.
    pub pages: Vec<PathBuf>,
    pub compile_time: Duration,
    pub export_time: Duration,
}

/// Refuses a site folder that overlaps the letter folder or the project's
/// fonts, or holds the signatories file: the site's files are replaced on
/// every publication, and must never take an input with them.
pub fn check_target(dir: &Path, inputs: &Inputs) -> Result<(), Error> {
    let letter = &inputs.letter;
    let list = &inputs.signatories.path;
    let fonts = inputs.project().join(PROJECT_FONTS);
    let why = if is_within(dir, letter) || is_within(letter, dir) {
        format!("it overlaps the letter folder `{}`", letter.display())
    } else if is_within(list, dir) {
        format!("it holds the signatories file `{}`", list.display())
    } else if is_within(dir, &fonts) {
        format!("it is inside the project's fonts folder `{}`", fonts.display())
    } else {
        return Ok(());
    };
    Err(Error::Usage(format!(
        "cannot publish into `{}`: {why}; name a folder of its own (nothing was written)",
        dir.display()
    )))
}

impl Site {
    /// Typesets every text and makes its page.
    pub fn make(inputs: &Inputs, plan: &Publish, caches: Caches) -> Result<Site, Error> {
        let (standards, options) = (&plan.standards, &plan.site);
        let started = Instant::now();
        let (mut worlds, mut laid) = (Vec::new(), Vec::new());
        for text in &plan.source.texts {
            let world = LetterWorld::new(inputs, text)?;
            laid.push(lay_out(inputs, &world, text, caches)?);
            worlds.push((text.site_folder(), world));
        }
        let compile_time = started.elapsed();
        same_language(inputs, &plan.source.texts, &laid)?;

        // The previews are drawn on the other core while the PDFs and the
        // pages are made.
        let started = Instant::now();
        let (made, previews) = std::thread::scope(|scope| {
            let previews = scope.spawn(|| {
                laid.iter()
                    .map(|l| preview::render_page(l.document(), 0, PREVIEW_PPI))
                    .collect::<Result<Vec<_>, _>>()
            });
            let made = laid
                .iter()
                .zip(&worlds)
                .map(|(l, (_, world))| l.pdf(inputs, world, standards))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|pdfs| Ok((pdfs, pages_and_files(inputs, options, worlds, &laid)?)));
            (made, previews.join().expect("drawing a preview does not panic"))
        });
        let (pdfs, (mut files, pages)) = made?;
        for ((folder, _), ((laid, pdf), preview)) in
            pages.iter().zip(laid.iter().zip(pdfs).zip(previews.map_err(Error::Usage)?))
        {
            files.push((format!("{folder}{}", pdf_name(laid)).into(), pdf));
            files.push((format!("{folder}{PREVIEW}").into(), preview));
        }
        let export_time = started.elapsed();
        let pages = pages.into_iter().map(|(_, page)| page).collect();
        Ok(Site { files, pages, compile_time, export_time })
    }

    /// Writes the site into `dir`, replacing what a site written there
    /// before wrote, and keeping the files of the user's
    /// ([`output::write_folder`]).
    pub fn write(&self, dir: &Path, replace_edited: bool) -> Result<(), Error> {
        Ok(output::write_folder(dir, &self.files, Kind::Site, replace_edited)?)
    }
}

/// Refuses two texts of one language (an English original beside
/// `main.en.typ`): their pages would claim the same `hreflang`, and which
/// one readers of that language get is not for us to guess.
fn same_language(inputs: &Inputs, texts: &[Text], laid: &[Laid]) -> Result<(), Error> {
    for (i, a) in laid.iter().enumerate() {
        if let Some(j) = laid[..i].iter().position(|b| b.lang.eq_ignore_ascii_case(&a.lang)) {
            let file = |k: usize| inputs.letter.join(texts[k].file()).display().to_string();
            return Err(Error::Usage(format!(
                "`{}` and `{}` are both in `{}`: a site has one page per language; give the \
                 translation its own language (`lang:` in it, and its file name), or remove \
                 it; nothing was written",
                file(j),
                file(i),
                a.lang
            )));
        }
    }
    Ok(())
}

/// The file name of a text's PDF: its slug.
fn pdf_name(laid: &Laid) -> String {
    format!("{}.pdf", output::file_component(&laid.slug, "letter"))
}

/// Every text's page, the fonts, the list and the badge; with each page's
/// folder and path.
#[allow(clippy::type_complexity)]
fn pages_and_files(
    inputs: &Inputs,
    options: &SiteOptions,
    worlds: Vec<(String, LetterWorld)>,
    laid: &[Laid],
) -> Result<(Vec<(PathBuf, Vec<u8>)>, Vec<(String, PathBuf)>), Error> {
    // Each page links to every text's page by its language.
    let links: Vec<(String, String)> =
        worlds.iter().zip(laid).map(|((folder, _), l)| (l.lang.clone(), folder.clone())).collect();
    let fonts = web_fonts(inputs);
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut pages = Vec::new();
    // The badge speaks the original's language; every page must leave one.
    let mut badge = None;
    for (i, ((folder, world), laid)) in worlds.into_iter().zip(laid).enumerate() {
        let up = if folder.is_empty() { "" } else { "../" };
        let site = SiteData {
            preview: match &options.url {
                Some(url) => format!("{url}{folder}{PREVIEW}"),
                None => PREVIEW.to_owned(),
            },
            url: options.url.as_ref().map(|url| format!("{url}{folder}")),
            pdf: pdf_name(laid),
            updated: Updated {
                iso: options.updated.iso(),
                time: options.updated.time(),
                date: data::DateData::new(options.updated.date(), &inputs.languages),
            },
            texts: links_from(&links, i, &options.url),
            fonts: fonts
                .iter()
                .map(|(face, _)| WebFont { href: format!("{up}{}", face.href), ..face.clone() })
                .collect(),
        };
        let world = world.for_web(Bytes::new(data::with_site(&inputs.data, &site)));
        let page = compile::compile_page(&world).map_err(|err| typst_error(&world, err))?;
        let page_path = PathBuf::from(format!("{folder}{PAGE}"));
        let refused = guard::check(&page.document, world.main(), &page_path.display().to_string());
        if !refused.is_empty() {
            let err = compile::CompileError { errors: refused, warnings: page.warnings };
            return Err(typst_error(&world, err));
        }
        // A template without a web page is refused before its warnings about
        // what HTML export ignored, which would only bury the reason.
        let left = badge_of(&page, inputs)?;
        crate::report::warnings(&world, &page.warnings);
        let html = compile::export_html(&page).map_err(|err| typst_error(&world, err))?;
        badge.get_or_insert(left);
        files.push((page_path.clone(), html.into_bytes()));
        pages.push((folder, page_path));
    }
    for (face, bytes) in fonts {
        files.push((face.href.into(), bytes));
    }
    for (name, text) in LICENCES {
        files.push((Path::new(PROJECT_FONTS).join(name), text.as_bytes().to_vec()));
    }
    let listing = Listing {
        counts: inputs.signatories.counts(),
        signatories: data::entries(
            inputs.signatories.collated(&crate::signatories::Collator::new(inputs.language())),
        ),
        withdrawn: None,
        updated: Some(options.updated.iso()),
    };
    let json = serde_json::to_vec_pretty(&listing).expect("the list serialises");
    files.push((LISTING.into(), json));
    files.push((COUNTER.into(), badge.as_ref().map(counter_svg).unwrap_or_default()));
    Ok((files, pages))
}

/// The links from the page of text `current` to every text's page, given
/// each text's language and folder.
fn links_from(texts: &[(String, String)], current: usize, url: &Option<String>) -> Vec<TextPage> {
    let up = if texts[current].1.is_empty() { "" } else { "../" };
    texts
        .iter()
        .enumerate()
        .map(|(i, (lang, folder))| {
            let href = format!("{up}{folder}{PAGE}");
            TextPage {
                lang: lang.clone(),
                url: url.as_ref().map(|url| format!("{url}{folder}")).unwrap_or(href.clone()),
                href,
                current: i == current,
            }
        })
        .collect()
}

/// The letter's fonts as the pages' stylesheet declares them, with their
/// bytes: single-face files only, which browsers can load.
fn web_fonts(inputs: &Inputs) -> Vec<(WebFont, Vec<u8>)> {
    let names = inputs.fonts.folder_names();
    (inputs.fonts.files.iter().zip(names))
        .filter_map(|(file, name)| {
            let mut faces = Font::iter(file.bytes.clone());
            let (font, None) = (faces.next()?, faces.next()) else { return None };
            let variant = font.info().variant;
            let face = WebFont {
                family: font.info().family.clone(),
                weight: variant.weight.to_number(),
                style: if variant.style == FontStyle::Normal { "normal" } else { "italic" },
                href: format!("{PROJECT_FONTS}/{name}"),
            };
            Some((face, without_empty_tables(&file.bytes)))
        })
        .collect()
}

/// What a page's template left for the badge: its words ("239
/// signatories", given as a string or as content) and colour. The web page
/// of the bundled template leaves them; a template that left none made no
/// web page (one written before `publish` existed, which lays out pages
/// only): that is refused, naming the letter.
fn badge_of(page: &CompiledPage, inputs: &Inputs) -> Result<(String, String), Error> {
    let left = page
        .document
        .introspector()
        .query_label(Label::new(PicoStr::intern(COUNTER_LABEL)).expect("a valid label"))
        .ok()
        .and_then(|content| content.to_packed::<MetadataElem>().map(|m| m.value.clone()));
    let Some(Value::Dict(left)) = left else {
        return Err(Error::Usage(format!(
            "the template of `{}` makes no web page (under HTML export it leaves no \
             `<{COUNTER_LABEL}>` metadata, as a template from before `publish` does): start \
             from the template of a new project (`openletter new DIR`); nothing was written",
            inputs.letter.display()
        )));
    };
    let text = |key: &str| match left.get(key) {
        Ok(Value::Str(text)) => Some(text.to_string()),
        Ok(Value::Content(content)) => Some(content.plain_text().to_string()),
        _ => None,
    };
    let words = text("words").map(|words| words.trim().to_owned()).filter(|w| !w.is_empty());
    match (words, text("colour")) {
        (Some(words), Some(colour)) => Ok((words, colour)),
        (None, _) => Err(Error::Usage(format!(
            "the label `counter` of `{}` gives no text for the badge partner sites embed: \
             give words, such as `counter: n => str(n) + \" supporters\"`; nothing was written",
            inputs.letter.display()
        ))),
        (_, None) => Err(Error::Usage(format!(
            "the template of `{}` leaves the badge no colour (`<{COUNTER_LABEL}>` needs \
             `colour: accent.to-hex()`); nothing was written",
            inputs.letter.display()
        ))),
    }
}

/// The badge, as an SVG of its own.
fn counter_svg((words, colour): &(String, String)) -> Vec<u8> {
    // Wide enough for the words in a bold sans at this size.
    let width = 24 + 9 * words.chars().count();
    let (words, colour) = (escape_xml(words), escape_xml(colour));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"28\" \
         viewBox=\"0 0 {width} 28\" role=\"img\" aria-label=\"{words}\"><title>{words}</title>\
         <rect width=\"{width}\" height=\"28\" rx=\"4\" fill=\"{colour}\"/>\
         <text x=\"{x}\" y=\"19\" text-anchor=\"middle\" fill=\"#fff\" \
         font-family=\"'Noto Sans',Arial,sans-serif\" font-size=\"14\" font-weight=\"700\">{words}</text></svg>\n",
        x = width / 2
    )
    .into_bytes()
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn xml_escapes_markup() {
        assert_eq!(escape_xml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    }
}
