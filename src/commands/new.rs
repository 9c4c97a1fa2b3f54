//! `openletter new DIR`: a project of one's own, laid out as this
//! repository is, that `openletter build` inside it builds at once.

use std::path::PathBuf;

use crate::args::NewArgs;
use crate::error::Error;
use crate::fonts::PROJECT_FONTS;
use crate::letter::{MAIN_FILE, starter};
use crate::output::{self, Kind};
use crate::signatories::text_problem;

/// The bundled template, every file of it (`letter/` but the text): a
/// project starts with its own copy to adapt.
const TEMPLATE: [(&str, &str); 4] = [
    ("template.typ", include_str!("../../letter/template.typ")),
    ("web.typ", include_str!("../../letter/web.typ")),
    ("parts.typ", include_str!("../../letter/parts.typ")),
    ("labels.typ", include_str!("../../letter/labels.typ")),
];

/// A placeholder logo, to replace with the coalition's own.
const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <rect width="40" height="40" rx="8" fill="#0a6e5c"/>
  <circle cx="20" cy="20" r="9" fill="#ffffff"/>
  <rect x="48" y="12" width="68" height="6" fill="#0a6e5c"/>
  <rect x="48" y="24" width="48" height="6" fill="#0a6e5c"/>
</svg>
"##;

/// What a project's repository must never hold: the private ledger.
fn gitignore() -> String {
    format!(
        "# The private ledger of submissions (e-mail addresses, withdrawal reasons):\n\
         # never in the repository. Back it up with `openletter ledger back-up FILE`.\n\
         /{}/\n",
        crate::ledger::FOLDER
    )
}

pub fn run(args: &NewArgs) -> Result<(), Error> {
    if let Some(why) = text_problem("coalition", &args.coalition) {
        return Err(Error::Usage(format!("--coalition {why}")));
    }
    let tag = Tag::of(&args.lang);
    let letter = PathBuf::from("letter");
    let mut project: Vec<(PathBuf, Vec<u8>)> =
        vec![(letter.join(MAIN_FILE), main_typ(&tag, &args.lang, &args.coalition).into_bytes())];
    for (name, text) in TEMPLATE {
        project.push((letter.join(name), text.as_bytes().to_vec()));
    }
    project.extend([
        (letter.join("logo.svg"), LOGO.as_bytes().to_vec()),
        (PathBuf::from("signatories.toml"), SIGNATORIES.as_bytes().to_vec()),
        (PathBuf::from(PROJECT_FONTS).join("README.txt"), FONTS_README.as_bytes().to_vec()),
        (PathBuf::from(".gitignore"), gitignore().into_bytes()),
    ]);
    output::write_folder(&args.dir, &project, Kind::Project, false)?;
    if !tag.left_out.is_empty() {
        note!(
            "--lang {}: Typst takes a language and a two-letter region, so main.typ has `lang: \
             {}`, `region: {}` (without {})",
            args.lang,
            typst_string(&tag.lang),
            tag.region(),
            tag.left_out.join(", ")
        );
    }
    note!("wrote a letter project to {}; build it with:", args.dir.display());
    outln!("cd {} && openletter build", shell_word(&args.dir))?;
    Ok(())
}

/// A path as one word a POSIX shell reads back as that path: quoted where
/// it holds anything but plain characters (`x; touch PWNED` stays a folder
/// name), and never taken for an option (`-x` is written `./-x`).
fn shell_word(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    let text = if text.starts_with('-') { format!("./{text}") } else { text };
    shlex::try_quote(&text)
        .map_or_else(|_| format!("'{}'", text.replace('\'', "'\\''")), |q| q.into_owned())
}

/// A Typst string literal of `text` (already free of control characters).
fn typst_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A language tag (`--lang`) as Typst takes it: a language and a
/// two-letter region. A tag's script (`zh-Hant`, `sr-Latn-RS`), numeric
/// region (`es-419`) or variant (`de-1996`) has no place there; `new` says
/// which parts it left out rather than write a letter that does not build.
struct Tag {
    lang: String,
    region: Option<String>,
    left_out: Vec<String>,
}

impl Tag {
    fn of(tag: &str) -> Tag {
        let mut parts = tag.split('-');
        let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
        let (mut region, mut left_out) = (None, Vec::new());
        for part in parts {
            if region.is_none() && part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic())
            {
                region = Some(part.to_ascii_uppercase());
            } else {
                left_out.push(format!("`{part}`"));
            }
        }
        Tag { lang, region, left_out }
    }

    /// The `region` parameter: the tag's, else the template's default.
    fn region(&self) -> String {
        self.region.as_deref().map_or("auto".to_owned(), typst_string)
    }
}

fn main_typ(tag: &Tag, given: &str, coalition: &str) -> String {
    let region = tag.region();
    let left_out = if tag.left_out.is_empty() {
        String::new()
    } else {
        format!("  // From `--lang {given}`: Typst has no place for {}.\n", tag.left_out.join(", "))
    };
    let name = typst_string(coalition);
    let words = starter::words(&tag.lang).unwrap_or_else(|| {
        note!(
            "note: the template has no words in `{}` yet: main.typ's placeholders are in \
             English, and its labels will be too until you give them (README, \"Languages and labels\")",
            tag.lang
        );
        starter::words("en").expect("English words")
    });
    let title = typst_string(words.title);
    let alt = typst_string(&words.logo.replace("{}", coalition));
    let lang = typst_string(&tag.lang);
    format!(
        r##"// The letter's words. The style is in template.typ, whose `letter`
// function takes the parameters below; delete any you do not need, and
// their defaults apply. A translation is `main.LANG.typ` beside this file.
#import "template.typ": letter

#show: letter.with(
  // What openletter generates: the date, the signatories and their counts.
  data: json("/data.json"),
  // The coalition's name: the PDF's author, and the letterhead's text when
  // there is no logo.
  coalition: {name},
  // The PDF's title; its part before any colon names the output file.
  title: {title},
  // The language and region of the text: the date's wording, the labels,
  // quotation marks, hyphenation and the PDF's language. `auto`: "GB" for
  // English, no region for other languages.
{left_out}  lang: {lang},
  region: {region},
  // The paper: "a4", "us-letter", "a5", …; the margins follow.
  paper: "a4",
  // A bundled font ("Noto Sans") or one of yours in ../{fonts}/.
  font: "Noto Sans",
  // Colours: headings and the default logo, the text, the links.
  accent: rgb("#0a6e5c"),
  ink: rgb("#1f2933"),
  link-colour: rgb("#1a4f8b"),
  // Your logo (replace logo.svg), with what it shows for screen readers;
  // `none` draws a padlock beside the coalition's name.
  logo: image("logo.svg", alt: {alt}),
  // The parts of a formal letter; each is printed only when given.
  sender: none,
  place: none,
  recipient: [{recipient}],
  subject: none,
  salutation: none,
  closing: none,
  signature: none,
  // A banner above the text: in a translation, `unofficial-translation(…)`
  // (imported from template.typ) names the authoritative text.
  notice: none,
  // Any label worded otherwise, e.g. `(signatories: [Signed by])`.
  labels: (:),
)

{write_here}#footnote[#link("https://example.org")] #link("https://example.org")[{link}].
"##,
        fonts = PROJECT_FONTS,
        recipient = words.recipient,
        write_here = words.write_here,
        link = words.link,
    )
}

const SIGNATORIES: &str = r#"# Who signed: `openletter signatories add`, `import` and `remove` edit this
# file and keep its comments. Organisations and individuals are listed
# together in alphabetical order of their sort key.

[[organisation]]
name = "Example Rights Network"
url = "https://example.org"

[[individual]]
name = "Ada Example"
affiliation = "University of Examples"   # optional; printed after the name
sort_as = "Example"                      # optional; default: the last word
"#;

const FONTS_README: &str = "Fonts of your own (.ttf, .otf, .ttc, .otc) go in this folder: \
openletter uses them before its bundled fonts for any character they have, and a \
letter can name their family with `font:`. Keep each font's licence beside it.\n";
