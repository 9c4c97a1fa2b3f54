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

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::World;
use typst::foundations::{Bytes, Dict, Value};
use typst::text::{Font, FontStyle};
use typst_layout::PagedDocument;

use crate::compile::{self, CompiledPage};
use crate::cores::each_on_a_core;
use crate::data::{self, Listing, SiteData, TextPage, Updated, WebFont};
use crate::error::Error;
use crate::files::is_within;
use crate::fonts::{FontFile, LICENCES, PROJECT_FONTS, subset_woff2, unicode_range};
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
/// The site's icon: the coalition's initial on its colour.
pub const ICON: &str = "icon.svg";
/// A badge with the count, for partner sites.
pub const COUNTER: &str = "counter.svg";
/// Where the template leaves the badge's words and colour for us.
const COUNTER_LABEL: &str = "openletter-counter";
/// The card's resolution: its page is 600 by 315 points, and Open Graph's
/// image 1200 by 630 pixels.
const CARD_PPI: f32 = 144.0;

/// A site made in memory.
pub struct Site {
    files: Vec<(PathBuf, Vec<u8>)>,
    /// Each text's page, as a path inside the site.
    pub pages: Vec<PathBuf>,
    /// Each text, in the order of `pages`.
    pub texts: Vec<SiteText>,
    pub compile_time: Duration,
    pub export_time: Duration,
}

/// A text of the site, as a server around it needs to know it.
#[derive(Debug, Clone)]
pub struct SiteText {
    /// Its folder in the site: "" for the original, "fr/".
    pub folder: String,
    pub lang: String,
    pub title: String,
    pub coalition: String,
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

        // The previews (each text's card) are drawn on the other core while
        // the PDFs and the pages are made.
        let started = Instant::now();
        let cards = (worlds.iter_mut())
            .map(|(_, world)| card(inputs, world))
            .collect::<Result<Vec<_>, _>>()?;
        let (made, previews) = std::thread::scope(|scope| {
            let previews = scope.spawn(|| {
                cards
                    .iter()
                    .map(|card| preview::render_page(card, 0, CARD_PPI))
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
        let texts = (pages.iter().zip(&laid))
            .map(|((folder, _), l)| SiteText {
                folder: folder.clone(),
                lang: l.lang.clone(),
                title: l.title.clone(),
                coalition: l.coalition.clone(),
            })
            .collect();
        let pages = pages.into_iter().map(|(_, page)| page).collect();
        Ok(Site { files, pages, texts, compile_time, export_time })
    }

    /// Its files, by their paths inside the site (for `serve`).
    pub fn into_files(self) -> Vec<(PathBuf, Vec<u8>)> {
        self.files
    }

    /// Writes the site into `dir`, replacing what a site written there
    /// before wrote, and keeping the files of the user's
    /// ([`output::write_folder`]).
    pub fn write(&self, dir: &Path, replace_edited: bool) -> Result<(), Error> {
        Ok(output::write_folder(dir, &self.files, Kind::Site, replace_edited)?)
    }
}

/// The card of a text: the template's page for a shared link.
fn card(inputs: &Inputs, world: &mut LetterWorld) -> Result<PagedDocument, Error> {
    world.set_paged_data(Bytes::new(data::with_card(&inputs.data)));
    let world = &*world;
    compile::compile(world).map(|c| c.document).map_err(|err| typst_error(world, err))
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
    // The pages are made twice: first without fonts, to learn which
    // characters they show; then with the fonts cut to those characters.
    // The first also learns each language's name in itself, for the menus.
    // When the list was published, worded once for every page.
    let updated = Updated {
        iso: options.updated.iso(),
        time: options.updated.time(),
        date: data::DateData::new(options.updated.date(), &inputs.languages),
    };
    let mut shown = Shown::default();
    let mut names = Vec::new();
    let mut worlds = worlds;
    for (i, ((folder, world), laid)) in worlds.iter_mut().zip(laid).enumerate() {
        let site = site_data(options, &updated, (&links, &[]), (i, folder), laid, &[]);
        let made = page_html(inputs, world, &site, folder)?;
        shown.add(&made.html);
        shown.first_family = shown.first_family.take().or(made.first_family);
        names.push(made.language);
    }
    // The second pass's menus show these names, which the first one did
    // not yet know.
    shown.chars.extend(names.iter().flatten().flat_map(|name| name.chars()));
    let fonts = web_fonts(inputs, &shown)?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut pages = Vec::new();
    // The badge speaks the original's language; every page must leave one.
    let mut badge = None;
    for (i, ((folder, mut world), laid)) in worlds.into_iter().zip(laid).enumerate() {
        let site = site_data(options, &updated, (&links, &names), (i, &folder), laid, &fonts);
        let MadePage { html, badge: left, .. } = page_html(inputs, &mut world, &site, &folder)?;
        badge.get_or_insert(left);
        let page_path = PathBuf::from(format!("{folder}{PAGE}"));
        files.push((page_path.clone(), html.into_bytes()));
        pages.push((folder, page_path));
    }
    for face in fonts {
        files.push((face.font.href.into(), face.bytes));
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
    let initial = laid.first().and_then(|l| l.coalition.chars().find(|c| c.is_alphanumeric()));
    let colour = badge.as_ref().map(|(_, colour)| colour.as_str());
    files.push((ICON.into(), icon_svg(initial, colour.unwrap_or("#000000"))));
    Ok((files, pages))
}

/// What the template is told of the site when it makes the page of text
/// `i`, which is in `folder`.
fn site_data(
    options: &SiteOptions,
    updated: &Updated,
    (links, names): (&[(String, String)], &[Option<String>]),
    (i, folder): (usize, &str),
    laid: &Laid,
    fonts: &[WebFace],
) -> SiteData {
    let up = if folder.is_empty() { "" } else { "../" };
    SiteData {
        preview: match &options.url {
            Some(url) => format!("{url}{folder}{PREVIEW}"),
            None => PREVIEW.to_owned(),
        },
        url: options.url.as_ref().map(|url| format!("{url}{folder}")),
        pdf: pdf_name(laid),
        updated: updated.clone(),
        texts: links_from(links, names, i, &options.url),
        icon: format!("{up}{ICON}"),
        fonts: fonts
            .iter()
            .map(|face| WebFont { href: format!("{up}{}", face.font.href), ..face.font.clone() })
            .collect(),
    }
}

/// A font of the site: how the stylesheet declares it, and its WOFF2.
struct WebFace {
    font: WebFont,
    bytes: Vec<u8>,
}

/// One text's page as HTML, checked.
struct MadePage {
    html: String,
    /// What it left for the badge: its words and colour.
    badge: (String, String),
    /// The family its stylesheet names first.
    first_family: Option<String>,
    /// Its language's name in itself.
    language: Option<String>,
}

/// Makes the page of one text with `site` as its data.
fn page_html(
    inputs: &Inputs,
    world: &mut LetterWorld,
    site: &SiteData,
    folder: &str,
) -> Result<MadePage, Error> {
    world.set_web_data(Bytes::new(data::with_site(&inputs.data, site)));
    let world = &*world;
    let page = compile::compile_page(world).map_err(|err| typst_error(world, err))?;
    let page_path = format!("{folder}{PAGE}");
    let refused = guard::check(&page.document, world.main(), &page_path);
    if !refused.is_empty() {
        let err = compile::CompileError { errors: refused, warnings: page.warnings };
        return Err(typst_error(world, err));
    }
    // A template without a web page is refused before its warnings about
    // what HTML export ignored, which would only bury the reason.
    let left = badge_of(&page, inputs)?;
    crate::report::warnings(world, &page.warnings);
    let html = compile::export_html(&page).map_err(|err| typst_error(world, err))?;
    Ok(MadePage {
        html,
        badge: left,
        first_family: left_by(&page, "font"),
        language: left_by(&page, "language"),
    })
}

/// What a site's pages show: their characters, whether any sets text in
/// italics, and the family their stylesheet names first.
#[derive(Default)]
struct Shown {
    chars: BTreeSet<char>,
    italic: bool,
    first_family: Option<String>,
}

impl Shown {
    /// Adds a page's characters: those of its text (a character reference
    /// counted as the character it stands for) and of its markup, which is
    /// ASCII a page shows anyway.
    fn add(&mut self, html: &str) {
        self.italic |= html.contains("<em>") || html.contains("<i>");
        let mut rest = html;
        while let Some(at) = rest.find('&') {
            self.chars.extend(rest[..at].chars());
            let reference = &rest[at + 1..];
            let end = reference.find(';').filter(|&end| end <= 10);
            let decoded = end.and_then(|end| {
                let name = &reference[..end];
                let code = match name.strip_prefix('#') {
                    Some(hex) if hex.starts_with(['x', 'X']) => {
                        u32::from_str_radix(&hex[1..], 16).ok()
                    }
                    Some(decimal) => decimal.parse().ok(),
                    None => Some(match name {
                        "nbsp" => 0xA0,
                        "amp" => 0x26,
                        "lt" => 0x3C,
                        "gt" => 0x3E,
                        "quot" => 0x22,
                        _ => return None,
                    }),
                };
                Some((char::from_u32(code?)?, end))
            });
            match decoded {
                Some((c, end)) => {
                    self.chars.insert(c);
                    rest = &reference[end + 1..];
                }
                None => {
                    self.chars.insert('&');
                    rest = reference;
                }
            }
        }
        self.chars.extend(rest.chars());
    }
}

/// The links from the page of text `current` to every text's page, given
/// each text's language and folder.
fn links_from(
    texts: &[(String, String)],
    names: &[Option<String>],
    current: usize,
    url: &Option<String>,
) -> Vec<TextPage> {
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
                name: names.get(i).cloned().flatten(),
            }
        })
        .collect()
}

/// The letter's fonts as the pages' stylesheet declares them, with their
/// bytes: each single-face file (which browsers can load) that draws some
/// character the pages show, cut to those characters, as WOFF2. An italic
/// face is left out when no page sets italics.
fn web_fonts(inputs: &Inputs, shown: &Shown) -> Result<Vec<WebFace>, Error> {
    let names = inputs.fonts.folder_names();
    let mut files: Vec<(&FontFile, String, Font)> = Vec::new();
    for (file, name) in inputs.fonts.files.iter().zip(names) {
        let mut faces = Font::iter(file.bytes.clone());
        if let (Some(font), None) = (faces.next(), faces.next()) {
            files.push((file, name, font));
        }
    }
    // A browser draws each character with the first family in the
    // stylesheet's list that has it: the family named first, then the
    // others in this order. Each face gets the characters it will draw, no
    // others, and a face that draws none is left out.
    files.sort_by_key(|(_, _, font)| Some(&font.info().family) != shown.first_family.as_ref());
    let mut drawn: HashMap<(u16, bool), BTreeSet<char>> = HashMap::new();
    let mut kept = Vec::new();
    for (file, name, font) in files {
        let variant = font.info().variant;
        let italic = variant.style != FontStyle::Normal;
        let coverage = &font.info().coverage;
        let taken = drawn.entry((variant.weight.to_number(), italic)).or_default();
        let chars: BTreeSet<char> = (shown.chars.iter().copied())
            .filter(|&c| !c.is_control() && coverage.contains(u32::from(c)) && !taken.contains(&c))
            .collect();
        if chars.is_empty() || (italic && !shown.italic) {
            continue;
        }
        taken.extend(&chars);
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem);
        let face = WebFont {
            family: font.info().family.clone(),
            weight: variant.weight.to_number(),
            style: if italic { "italic" } else { "normal" },
            href: format!("{PROJECT_FONTS}/{stem}.woff2"),
            unicode_range: unicode_range(&chars),
        };
        kept.push((file, face, chars));
    }
    // Compressing a face takes long enough to give each its core.
    let packed = each_on_a_core(&kept, |(file, _, chars)| subset_woff2(&file.bytes, chars));
    let mut fonts = Vec::new();
    for ((file, face, _), woff2) in kept.into_iter().zip(packed) {
        let woff2 = woff2.map_err(|why| {
            Error::Usage(format!("cannot cut the font `{}` for the web: {why}", file.name))
        })?;
        fonts.push(WebFace { font: face, bytes: woff2 });
    }
    Ok(fonts)
}

/// What a page's template left for the badge: its words ("239
/// signatories", given as a string or as content) and colour. The web page
/// of the bundled template leaves them; a template that left none made no
/// web page (one written before `publish` existed, which lays out pages
/// only): that is refused, naming the letter.
fn badge_of(page: &CompiledPage, inputs: &Inputs) -> Result<(String, String), Error> {
    let Some(left) = left_on(page) else {
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

/// What the template left on the page in `<openletter-counter>`.
fn left_on(page: &CompiledPage) -> Option<Dict> {
    compile::left_by_template(&**page.document.introspector(), COUNTER_LABEL)
}

/// A string the template left on the page under `key`.
fn left_by(page: &CompiledPage, key: &str) -> Option<String> {
    left_on(page)?.get(key).ok()?.clone().cast::<String>().ok()
}

/// The site's icon: the initial (if the coalition's name has one) in white
/// on a disc of the letter's colour.
fn icon_svg(initial: Option<char>, colour: &str) -> Vec<u8> {
    let initial = initial.map(|c| escape_markup(&c.to_string())).unwrap_or_default();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" \
         viewBox=\"0 0 64 64\"><circle cx=\"32\" cy=\"32\" r=\"32\" fill=\"{}\"/>\
         <text x=\"32\" y=\"43\" text-anchor=\"middle\" fill=\"#fff\" \
         font-family=\"'Noto Sans',Arial,sans-serif\" font-size=\"32\" \
         font-weight=\"700\">{initial}</text></svg>\n",
        escape_markup(colour)
    )
    .into_bytes()
}

/// The badge, as an SVG of its own.
fn counter_svg((words, colour): &(String, String)) -> Vec<u8> {
    // Wide enough for the words in a bold sans at this size.
    let width = 24 + 9 * words.chars().count();
    let (words, colour) = (escape_markup(words), escape_markup(colour));
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

/// Text made safe for markup (HTML or XML): an element's content or an
/// attribute's value in quotes.
pub fn escape_markup(text: &str) -> String {
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
    use super::escape_markup;

    #[test]
    fn xml_escapes_markup() {
        assert_eq!(escape_markup("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    }
}
