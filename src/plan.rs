//! The run's one resolved plan, made from the parsed arguments before
//! anything else happens (as ripgrep resolves its `LowArgs` into `HiArgs`):
//! which texts, which date, which standards, which outputs. Every later
//! stage reads the plan, never the arguments.

use std::path::PathBuf;

use clap::ValueEnum;
use typst_pdf::PdfStandards;

use crate::args::{
    BuildArgs, CheckArgs, ExportArgs, InputArgs, KindArg, PdfStandard, PublishArgs, ServeArgs,
    SiteArgs, WatchArgs,
};
use crate::date::{LetterDate, Moment};
use crate::error::Error;
use crate::letter::Text;
use crate::signatories::Kind;

/// What a letter is made from, and which of its texts a command makes.
#[derive(Debug, Clone)]
pub struct Source {
    /// The letter folder.
    pub letter: PathBuf,
    /// The signatories file; its folder is the project.
    pub signatories: PathBuf,
    /// The texts to make: the original, one translation, or all.
    pub texts: Vec<Text>,
    /// The date the letter carries.
    pub date: LetterDate,
    /// When the list is said to be published: the creation timestamp, so
    /// that CI's pages are reproducible, else now.
    pub updated: Moment,
    pub version: Option<String>,
}

/// Which texts a command makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Texts {
    /// Those the arguments name: the original, `--lang`, or
    /// `--all-languages`.
    Named,
    /// The original and every translation (`publish`, `export-typst`).
    All,
}

impl Source {
    fn resolve(args: &InputArgs, texts: Texts) -> Self {
        let texts = match (&args.lang, args.all_languages || texts == Texts::All) {
            (Some(lang), false) => vec![Text::Translation(lang.clone())],
            (_, true) => Text::all(&args.letter),
            (None, false) => vec![Text::Original],
        };
        let date = args
            .date
            .or(args.creation_timestamp.map(|m| m.date()))
            .unwrap_or_else(LetterDate::today);
        Source {
            letter: args.letter.clone(),
            signatories: args.signatories.clone(),
            texts,
            date,
            updated: args.creation_timestamp.unwrap_or_else(Moment::now),
            version: args.version_label.clone(),
        }
    }
}

/// The PDF standards asked for, checked once.
pub struct Standards {
    pub standards: PdfStandards,
    pub names: Vec<String>,
}

impl Standards {
    fn new(list: &[PdfStandard]) -> Result<Self, Error> {
        let (standards, names) = standards(list).map_err(Error::Usage)?;
        Ok(Self { standards, names })
    }
}

/// The files a build writes, as name patterns (`{date}`, `{slug}`,
/// `{version}`, `{lang}` filled in once the letter is typeset).
#[derive(Debug, Clone)]
pub struct Outputs {
    pub pdf: String,
    pub manifest: Option<String>,
    pub previews: Option<String>,
    pub ppi: f32,
}

impl Outputs {
    /// Every pattern given, the PDF's first.
    pub fn patterns(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.pdf).chain(self.manifest.as_ref()).chain(self.previews.as_ref())
    }
}

/// What a published site says beyond the letter itself.
pub struct SiteOptions {
    /// Where the site is served from, ending in `/`.
    pub url: Option<String>,
    /// When the list was published.
    pub updated: Moment,
}

impl SiteOptions {
    fn new(site: &SiteArgs, source: &Source) -> Self {
        SiteOptions { url: site.site_url.clone(), updated: source.updated }
    }
}

/// `build`.
pub struct Build {
    pub source: Source,
    pub standards: Standards,
    pub outputs: Outputs,
    pub timings: bool,
}

impl Build {
    pub fn resolve(args: &BuildArgs) -> Result<Self, Error> {
        let source = Source::resolve(&args.input, Texts::Named);
        let pdf = match &args.output {
            Some(pattern) => pattern.clone(),
            None if args.input.all_languages => "open-letter-{date}-{lang}.pdf".into(),
            None => "open-letter-{date}.pdf".into(),
        };
        let outputs = Outputs {
            pdf,
            manifest: args.manifest.clone(),
            previews: args.png.clone(),
            ppi: args.png_ppi,
        };
        let standards = Standards::new(&args.standards.pdf_standard)?;
        Ok(Build { source, standards, outputs, timings: args.timings })
    }
}

/// `check`.
pub struct Check {
    pub source: Source,
    pub standards: Standards,
    pub deny_warnings: bool,
}

impl Check {
    pub fn resolve(args: &CheckArgs) -> Result<Self, Error> {
        Ok(Check {
            source: Source::resolve(&args.input, Texts::Named),
            standards: Standards::new(&args.standards.pdf_standard)?,
            deny_warnings: args.deny_warnings,
        })
    }
}

/// `publish DIR`, and the site `watch --publish DIR` keeps current.
pub struct Publish {
    /// Every text: a site has a page per language.
    pub source: Source,
    pub standards: Standards,
    pub dir: PathBuf,
    /// Replace files in `dir` that openletter did not write, or that were
    /// changed since it did.
    pub replace_edited: bool,
    pub site: SiteOptions,
    pub timings: bool,
}

impl Publish {
    pub fn resolve(args: &PublishArgs) -> Result<Self, Error> {
        if args.input.lang.is_some() {
            return Err(Error::Usage(
                "publish writes every language's page; --lang picks one text for build and watch"
                    .into(),
            ));
        }
        let source = Source::resolve(&args.input, Texts::All);
        Ok(Publish {
            site: SiteOptions::new(&args.site, &source),
            standards: Standards::new(&args.standards.pdf_standard)?,
            dir: args.dir.clone(),
            replace_edited: args.replace_edited,
            source,
            timings: args.timings,
        })
    }
}

/// `watch`: one text built on every change, and maybe the whole site.
pub struct Watch {
    pub build: Build,
    pub publish: Option<Publish>,
}

impl Watch {
    pub fn resolve(args: &WatchArgs) -> Result<Self, Error> {
        let build = Build::resolve(&args.build)?;
        if build.source.texts.len() != 1 {
            return Err(Error::Usage(
                "watch follows one text: the original, or one translation with --lang LANG".into(),
            ));
        }
        let publish = match &args.publish {
            Some(dir) => {
                let source = Source::resolve(&args.build.input, Texts::All);
                Some(Publish {
                    site: SiteOptions::new(&args.site, &source),
                    standards: Standards::new(&args.build.standards.pdf_standard)?,
                    dir: dir.clone(),
                    replace_edited: false,
                    source,
                    timings: false,
                })
            }
            None => None,
        };
        Ok(Watch { build, publish })
    }
}

/// `export-typst DIR`: every text, as a plain Typst project.
pub struct Export {
    pub source: Source,
    pub dir: PathBuf,
    /// As [`Publish::replace_edited`].
    pub replace_edited: bool,
}

impl Export {
    pub fn resolve(args: &ExportArgs) -> Self {
        Export {
            source: Source::resolve(&args.input, Texts::All),
            dir: args.dir.clone(),
            replace_edited: args.replace_edited,
        }
    }
}

impl From<KindArg> for Kind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Organisation => Kind::Organisation,
            KindArg::Individual => Kind::Individual,
        }
    }
}

/// The standards of `--pdf-standard`, as Typst's type and by name. Typst
/// itself refuses combinations that cannot hold together.
fn standards(list: &[PdfStandard]) -> Result<(PdfStandards, Vec<String>), String> {
    let chosen: Vec<PdfStandard> =
        list.iter().copied().filter(|s| *s != PdfStandard::None).collect();
    let names: Vec<String> = chosen.iter().map(|s| name(*s)).collect();
    if chosen.len() < list.len() && !chosen.is_empty() {
        return Err(format!("--pdf-standard: `none` cannot be combined with {}", names.join(", ")));
    }
    let typst: Vec<typst_pdf::PdfStandard> = chosen.iter().map(|s| to_typst(*s)).collect();
    let standards = PdfStandards::new(&typst)
        .map_err(|err| format!("--pdf-standard `{}`: {}", names.join(","), err.message()))?;
    Ok((standards, names))
}

fn name(standard: PdfStandard) -> String {
    standard.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
}

fn to_typst(standard: PdfStandard) -> typst_pdf::PdfStandard {
    use typst_pdf::PdfStandard as T;
    match standard {
        PdfStandard::None => unreachable!("`none` is filtered out before"),
        PdfStandard::V_1_4 => T::V_1_4,
        PdfStandard::V_1_5 => T::V_1_5,
        PdfStandard::V_1_6 => T::V_1_6,
        PdfStandard::V_1_7 => T::V_1_7,
        PdfStandard::V_2_0 => T::V_2_0,
        PdfStandard::A_1b => T::A_1b,
        PdfStandard::A_1a => T::A_1a,
        PdfStandard::A_2b => T::A_2b,
        PdfStandard::A_2u => T::A_2u,
        PdfStandard::A_2a => T::A_2a,
        PdfStandard::A_3b => T::A_3b,
        PdfStandard::A_3u => T::A_3u,
        PdfStandard::A_3a => T::A_3a,
        PdfStandard::A_4 => T::A_4,
        PdfStandard::A_4f => T::A_4f,
        PdfStandard::A_4e => T::A_4e,
        PdfStandard::Ua_1 => T::Ua_1,
    }
}

/// `serve`: the site it keeps current, and how it takes signatures.
pub struct Serve {
    /// The site as `publish` makes it (its folder unused: it is served
    /// from memory).
    pub publish: Publish,
    pub intake: Intake,
}

/// How `serve` takes signatures.
pub struct Intake {
    pub listen: std::net::SocketAddr,
    /// Where people reach the server, ending in `/`.
    pub public_url: String,
    /// How a signature is confirmed.
    pub confirmation: Confirmation,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// (count, seconds): at most `count` signatures per address in any
    /// `seconds`.
    pub sign_limits: Vec<(u32, u32)>,
    pub block_ips: Vec<ipnet::IpNet>,
    pub block_domains: Vec<String>,
    pub close_on: Option<LetterDate>,
    pub retain_days: Option<u32>,
}

pub enum Confirmation {
    /// By a link in an e-mail sent through `smtp` from `from`.
    Mail { smtp: String, from: String },
    /// By the moderators, by hand.
    ByModerators,
}

impl Serve {
    pub fn resolve(args: &ServeArgs) -> Result<Self, Error> {
        let confirmation = match (&args.smtp, args.no_confirmation) {
            (Some(smtp), _) => {
                check_smtp(smtp)?;
                let from = args.mail_from.clone().ok_or_else(|| {
                    Error::Usage(
                        "--smtp needs --mail-from (or OPENLETTER_MAIL_FROM): the address \
                         confirmation e-mails come from"
                            .into(),
                    )
                })?;
                Confirmation::Mail { smtp: smtp.clone(), from }
            }
            (None, true) => Confirmation::ByModerators,
            (None, false) => {
                return Err(Error::Usage(
                    "serve needs an SMTP server to confirm signatures by e-mail: give --smtp \
                     URL (or OPENLETTER_SMTP) and --mail-from, or --no-confirmation to have \
                     moderators confirm each signature by hand"
                        .into(),
                ));
            }
        };
        let source = Source::resolve(&args.input, Texts::All);
        let publish = Publish {
            site: SiteOptions::new(&args.site, &source),
            standards: Standards::new(&args.standards.pdf_standard)?,
            dir: PathBuf::new(),
            replace_edited: false,
            source,
            timings: false,
        };
        let public_url =
            args.public_url.clone().unwrap_or_else(|| format!("http://{}/", args.listen));
        Ok(Serve {
            publish,
            intake: Intake {
                listen: args.listen,
                public_url,
                confirmation,
                trusted_proxies: args.trusted_proxy.clone(),
                sign_limits: args.sign_limit.0.clone(),
                block_ips: args.block_ip.clone(),
                block_domains: args.block_domain.clone(),
                close_on: args.close_on,
                retain_days: args.retain_days,
            },
        })
    }
}

/// An SMTP address lettre can use, that sends a password in clear only to
/// this machine.
fn check_smtp(smtp: &str) -> Result<(), Error> {
    let bad = |why: &str| Error::Usage(format!("--smtp: {why}"));
    let url = url::Url::parse(smtp).map_err(|_| bad("not an address (smtps://host)"))?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("no host"))?;
    let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required" | "opportunistic")) => Ok(()),
        ("smtp", None) if matches!(host, "localhost" | "127.0.0.1" | "[::1]") => Ok(()),
        ("smtp", None) => {
            Err(bad("without TLS, mail would cross the network in clear: use smtps://, or \
             smtp://...?tls=required for STARTTLS"))
        }
        ("smtp", Some(other)) => {
            Err(bad(&format!("tls={other}: expected required or opportunistic")))
        }
        (scheme, _) => Err(bad(&format!("`{scheme}:` is not smtp: or smtps:"))),
    }
}
