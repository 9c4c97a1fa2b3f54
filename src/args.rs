//! The command line, as clap types. Values are parsed and checked here, once
//! (dates, standards, resolutions, language tags); `plan` then resolves them
//! into what the commands read. Nothing here reads the disk.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::date::{LetterDate, Moment};

#[derive(Debug, Parser)]
#[command(
    name = "openletter",
    version,
    about = "Typesets an open letter and its signatories as a PDF"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Typeset the letter as a PDF.
    Build(BuildArgs),
    /// List, add, remove, import or compare signatories.
    Signatories(SignatoriesArgs),
    /// Build, then rebuild whenever the letter or the signatories change.
    Watch(WatchArgs),
    /// Write the letter as a static web site: a page per language with the
    /// full text, notes and signatories, beside its PDF, with
    /// signatories.json and counter.svg for partner sites.
    Publish(PublishArgs),
    /// Write a standalone Typst project (template, text, data, fonts) that
    /// the typst CLI or web app compiles into the same letter.
    ExportTypst(ExportArgs),
    /// Start a letter project of your own in a new folder: the letter, its
    /// template, a placeholder logo, a list and a fonts folder.
    New(NewArgs),
    /// Validate everything a build would, PDF export included, plus lints;
    /// writes nothing. Exit 0: no errors (warnings are shown); 1: an error,
    /// or a warning with --deny-warnings; 2: an input could not be read.
    Check(CheckArgs),
    /// The private ledger of submissions (`.openletter/ledger.sqlite`):
    /// export it for the coalition's records, erase a person's data, or
    /// copy it safely.
    Ledger(LedgerArgs),
    /// Collect signatures: serve the site with a sign-on form, confirm
    /// each signature by e-mail, and let moderators approve them into the
    /// list, after which the letter and the site are rebuilt.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub action: Option<ServeAction>,

    /// The address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,

    /// The address people reach the server at (https://sign.example.org/),
    /// for the links in e-mails [default: http://the --listen address/].
    #[arg(long, value_name = "URL", value_parser = parse_site_url)]
    pub public_url: Option<String>,

    /// The SMTP server confirmation e-mails are sent through:
    /// smtps://user:password@host (TLS), smtp://user:password@host:587?tls=required
    /// (STARTTLS); plain smtp://host only on this machine.
    #[arg(long, value_name = "URL", env = "OPENLETTER_SMTP", hide_env_values = true)]
    pub smtp: Option<String>,

    /// The sender of confirmation e-mails ("Coalition <sign@example.org>").
    #[arg(long, value_name = "ADDRESS", env = "OPENLETTER_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Take signatures without confirming them by e-mail: moderators check
    /// each one by hand (an intranet without SMTP).
    #[arg(long, conflicts_with = "smtp")]
    pub no_confirmation: bool,

    /// A reverse proxy (an address or a range, 10.0.0.0/8) whose
    /// X-Forwarded-For header names the client; repeatable. Without it the
    /// header is ignored.
    #[arg(long, value_name = "ADDR[/BITS]", value_parser = parse_net)]
    pub trusted_proxy: Vec<ipnet::IpNet>,

    /// Signatures allowed per address: COUNT/SECONDS, comma-separated, or
    /// `none` (behind a proxy that does not say who the client is, or for a
    /// load test).
    #[arg(long, value_name = "LIMITS", default_value = "1/60,5/300", value_parser = parse_limits)]
    pub sign_limit: Limits,

    /// Refuse signatures from these addresses (an address or a range);
    /// repeatable.
    #[arg(long, value_name = "ADDR[/BITS]", value_parser = parse_net)]
    pub block_ip: Vec<ipnet::IpNet>,

    /// Refuse signatures with e-mail addresses at this domain (and its
    /// subdomains); repeatable.
    #[arg(long, value_name = "DOMAIN", value_parser = parse_domain)]
    pub block_domain: Vec<String>,

    /// The last day signatures are taken; from the next day the form says
    /// the letter is closed.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = LetterDate::parse_iso)]
    pub close_on: Option<LetterDate>,

    /// Erase the e-mail addresses this many days after the letter closed
    /// (--close-on).
    #[arg(long, value_name = "DAYS", requires = "close_on")]
    pub retain_days: Option<u32>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub standards: StandardArgs,

    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Subcommand)]
pub enum ServeAction {
    /// Add a moderator, or set a moderator's new password: read from the
    /// first line of stdin (at least 12 characters).
    AddModerator {
        #[arg(value_name = "NAME")]
        name: String,
        /// The signatories file whose ledger keeps the moderators.
        #[arg(long, value_name = "FILE", default_value = "signatories.toml")]
        signatories: PathBuf,
    },
}

/// Rate limits: at most `count` in any `seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits(pub Vec<(u32, u32)>);

fn parse_limits(text: &str) -> Result<Limits, String> {
    if text.trim() == "none" {
        return Ok(Limits(Vec::new()));
    }
    let limit = |part: &str| -> Option<(u32, u32)> {
        let (count, seconds) = part.trim().split_once('/')?;
        let (count, seconds) = (count.trim().parse().ok()?, seconds.trim().parse().ok()?);
        (count > 0 && seconds > 0).then_some((count, seconds))
    };
    text.split(',')
        .map(|part| limit(part).ok_or_else(|| format!("`{part}` is not COUNT/SECONDS (1/60)")))
        .collect::<Result<_, _>>()
        .map(Limits)
}

fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{text}` is neither an address nor a range (203.0.113.0/24)"))
}

fn parse_domain(text: &str) -> Result<String, String> {
    let domain = text.trim().trim_start_matches('@').to_lowercase();
    let fine = |c: char| c.is_alphanumeric() || c == '-' || c == '.';
    if domain.is_empty() || !domain.chars().all(fine) || !domain.contains('.') {
        return Err(format!("`{text}` is not a domain (example.org)"));
    }
    Ok(domain)
}

#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// The signatories file whose project the ledger belongs to.
    #[arg(long, value_name = "FILE", default_value = "signatories.toml", global = true)]
    pub signatories: PathBuf,

    #[command(subcommand)]
    pub action: LedgerAction,
}

#[derive(Debug, Subcommand)]
pub enum LedgerAction {
    /// Every submission and event, e-mail addresses included, to stdout.
    Export {
        /// csv or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
    /// Erase a person's private data (their address, their withdrawal
    /// reasons); their entry, if listed, stays until removed.
    Forget {
        #[arg(value_name = "EMAIL")]
        email: String,
    },
    /// Copy the ledger to a new file, consistent while others write to it.
    BackUp {
        #[arg(value_name = "FILE")]
        to: PathBuf,
    },
}

/// How `ledger export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct SignatoriesArgs {
    /// The signatories file.
    #[arg(long, value_name = "FILE", default_value = "signatories.toml", global = true)]
    pub signatories: PathBuf,

    #[command(subcommand)]
    pub action: SignatoriesAction,
}

#[derive(Debug, Subcommand)]
pub enum SignatoriesAction {
    /// The list as the letter prints it, with counts by kind.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add one signatory, in collated position; refuses (near-)duplicates
    /// and those who withdrew.
    Add(AddArgs),
    /// Change one signatory in place, keeping its position and comments.
    Edit(EditArgs),
    /// Remove the one signatory with this name (case and accents ignored).
    Remove(RemoveArgs),
    /// Add the signatories of a sign-on form's export (CSV, any separator).
    ///
    /// Exit 0: every row was added or skipped as already listed; 1: some row
    /// was rejected (the good rows are still added, or with --dry-run would
    /// be); 2: the file cannot be read.
    Import(ImportArgs),
    /// Where an entry came from and what happened to it since, from the
    /// private ledger (no e-mail address is shown).
    History {
        /// The signatory (case and accents ignored).
        #[arg(allow_hyphen_values = true, value_parser = not_an_option)]
        name: String,
    },
    /// Who was added, removed or changed between two files.
    Diff {
        #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
        old: PathBuf,
        #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
        new: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("kind").required(true).args(["organisation", "individual"]))]
pub struct AddArgs {
    /// Add an organisation with this name.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = not_an_option)]
    pub organisation: Option<String>,

    /// Add an individual with this name.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = not_an_option)]
    pub individual: Option<String>,

    /// An individual's affiliation, printed after the name.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = not_an_option)]
    pub affiliation: Option<String>,

    /// An individual's sort key, if not the last word of the name.
    #[arg(long, value_name = "KEY", allow_hyphen_values = true, value_parser = not_an_option)]
    pub sort_as: Option<String>,

    /// A link: the organisation's name, or the individual's affiliation.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Add even if it looks like a signatory already listed, or one who
    /// withdrew.
    #[arg(long)]
    pub force: bool,

    /// Say what would be done; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The signatory to change (case and accents ignored).
    #[arg(allow_hyphen_values = true, value_parser = not_an_option)]
    pub signatory: String,

    /// A new name.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = not_an_option)]
    pub name: Option<String>,

    /// A new affiliation; "" removes it.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, value_parser = not_an_option)]
    pub affiliation: Option<String>,

    /// A new link; "" removes it.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// A new sort key; "" removes it.
    #[arg(long, value_name = "KEY", allow_hyphen_values = true, value_parser = not_an_option)]
    pub sort_as: Option<String>,

    /// Make it an organisation or an individual.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Rename even if the new name looks like another signatory's.
    #[arg(long)]
    pub force: bool,

    /// Say what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The signatory to remove (case and accents ignored).
    #[arg(allow_hyphen_values = true, value_parser = not_an_option)]
    pub name: String,

    /// Record that they withdrew, so a later add or import of the same name
    /// is refused (the record is kept in the file and never printed).
    #[arg(long)]
    pub withdrawn: bool,

    /// Why they withdrew, kept with the record.
    #[arg(long, value_name = "TEXT", requires = "withdrawn", allow_hyphen_values = true, value_parser = not_an_option)]
    pub reason: Option<String>,

    /// The day they withdrew [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = LetterDate::parse_iso, requires = "withdrawn")]
    pub on: Option<LetterDate>,
}

/// The kinds of signatory, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Organisation,
    Individual,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export, with a header row: CSV separated by commas, semicolons or
    /// tabs; UTF-8, UTF-16 or Windows-1252.
    #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
    pub file: PathBuf,

    /// Show what would be added, skipped and rejected; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Reject the rows that have warnings (a name in capitals, family name
    /// first, an honorific, two spaces in a row) instead of adding them.
    #[arg(long)]
    pub deny_warnings: bool,

    /// The field separator [default: detected from the header row].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<char>,

    /// The encoding the file was saved in, as a WHATWG label (windows-1250,
    /// shift_jis, iso-8859-2) [default: Unicode, else recognised from the
    /// text, refusing when unsure].
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,

    /// A kind value of the form and what it means; repeatable.
    #[arg(long, value_name = "VALUE=KIND", value_parser = parse_kind_map)]
    pub kind_map: Vec<(String, KindArg)>,

    /// Which column holds a field, by its header, when the headers do not
    /// say: FIELD is name, affiliation, organisation, kind, url or sort-as;
    /// the name may join columns (`name="First name"+"Last name"`, in the
    /// order written); repeatable [default: recognised by the headers, in
    /// twenty languages].
    #[arg(long = "map", value_name = "FIELD=HEADER", value_parser = parse_mapping)]
    pub mappings: Vec<(ImportField, String)>,
}

/// A field a form's column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportField {
    Name,
    Affiliation,
    Organisation,
    Kind,
    Url,
    SortAs,
}

fn parse_mapping(text: &str) -> Result<(ImportField, String), String> {
    let (field, header) = text.split_once('=').ok_or("expected FIELD=HEADER")?;
    let field = field.trim().to_lowercase().replace("organization", "organisation");
    let field = ImportField::from_str(&field, true).map_err(|_| {
        format!("`{field}` is not a field: name, affiliation, organisation, kind, url or sort-as")
    })?;
    if header.trim().is_empty() {
        return Err("expected FIELD=HEADER, with a header".into());
    }
    Ok((field, header.trim().to_owned()))
}

/// An encoding by its WHATWG label.
fn parse_encoding(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label_no_replacement(label.trim().as_bytes()).ok_or_else(|| {
        format!(
            "`{}` is not an encoding label; labels such as windows-1252, windows-1250, \
             iso-8859-2, shift_jis, gbk and koi8-r are (https://encoding.spec.whatwg.org/#names-and-labels)",
            label.escape_debug()
        )
    })
}

/// A name, text or path given on the command line, which may start with a
/// `-` (`--individual -X`, `-o -x.pdf`): clap takes the next word as the
/// value. A word starting with `--` is refused, as it is more likely an
/// option whose value was forgotten (`--individual --force`) than a value.
fn not_an_option(text: &str) -> Result<String, String> {
    if text.starts_with("--") {
        return Err(format!(
            "`{text}` looks like an option, not a value: give the value first (a path \
             starting with `--` as `./{text}`)"
        ));
    }
    Ok(text.to_owned())
}

/// [`not_an_option`], and not empty: an output's name.
fn named_not_an_option(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("is empty: name a file".into());
    }
    not_an_option(text)
}

/// [`named_not_an_option`], as a path.
fn path_not_an_option(text: &str) -> Result<PathBuf, String> {
    named_not_an_option(text).map(PathBuf::from)
}

fn parse_delimiter(text: &str) -> Result<char, String> {
    match text {
        "comma" | "," => Ok(','),
        "semicolon" | ";" => Ok(';'),
        "tab" | "\\t" | "\t" => Ok('\t'),
        other => {
            let mut chars = other.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c != '"' && c != '\n' => Ok(c),
                _ => Err("expected one character, or comma, semicolon or tab".into()),
            }
        }
    }
}

fn parse_kind_map(text: &str) -> Result<(String, KindArg), String> {
    let (value, kind) = text.rsplit_once('=').ok_or("expected VALUE=KIND")?;
    let kind = kind.trim().to_lowercase().replace("organization", "organisation");
    let kind = KindArg::from_str(&kind, true)
        .map_err(|_| format!("`{kind}` is not a kind: individual or organisation"))?;
    Ok((value.trim().to_lowercase(), kind))
}

/// What a letter is made from; shared by every command that compiles it.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The letter folder: `main.typ` and the template it imports.
    #[arg(long, value_name = "DIR", default_value = "letter")]
    pub letter: PathBuf,

    /// The signatories file.
    #[arg(long, value_name = "FILE", default_value = "signatories.toml")]
    pub signatories: PathBuf,

    /// The date the letter carries [default: --creation-timestamp, else today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = LetterDate::parse_iso)]
    pub date: Option<LetterDate>,

    /// The date as seconds since 1970-01-01 UTC, the reproducible-builds
    /// convention CI uses; --date wins over it. A published page says the
    /// list was last updated then (else at the time of the run).
    #[arg(
        long,
        value_name = "UNIX_TIMESTAMP",
        env = "SOURCE_DATE_EPOCH",
        value_parser = Moment::parse_epoch
    )]
    pub creation_timestamp: Option<Moment>,

    /// A version label (a tag, a run number) for the metadata and, where the
    /// letter prints it, a line on the last page.
    #[arg(long, value_name = "TEXT", value_parser = parse_version_label)]
    pub version_label: Option<String>,

    /// The translation `main.LANG.typ` instead of the original `main.typ`.
    #[arg(long, value_name = "LANG", value_parser = parse_lang, conflicts_with = "all_languages")]
    pub lang: Option<String>,

    /// The original and every translation, in one run; `{lang}` in the
    /// output patterns names each one's files.
    #[arg(long)]
    pub all_languages: bool,
}

/// The longest version label: a tag, a date or a run number, with room.
pub const MAX_VERSION_CHARS: usize = 100;

/// A version label, refused here rather than by the PDF export or the page
/// it would break: one line of printable text, of a label's length.
fn parse_version_label(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("is empty; leave --version-label out for no version".into());
    }
    let bad = text.chars().enumerate().find(|(_, c)| {
        c.is_control()
            || crate::console::steers(*c)
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
    });
    if let Some((at, c)) = bad {
        let what = match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break",
            '\t' => "a tab",
            c if c.is_control() => "a control character",
            c if crate::console::steers(c) => "a bidirectional control",
            _ => "an invisible character",
        };
        return Err(format!(
            "has {what} (U+{:04X}) at character {}: a version label is one line of visible text",
            c as u32,
            at + 1
        ));
    }
    let length = text.chars().count();
    if length > MAX_VERSION_CHARS {
        return Err(format!(
            "is {length} characters long; a version label (a tag, a run number) has at most \
             {MAX_VERSION_CHARS}"
        ));
    }
    Ok(text.to_owned())
}

fn parse_lang(text: &str) -> Result<String, String> {
    crate::lang::parse_tag(text)
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The folder to write the project into: a new folder, or an empty one
    /// (a link to one is followed; the folder keeps its mode and owner).
    /// Nothing is ever replaced.
    #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
    pub dir: PathBuf,

    /// The letter's language, written into main.typ.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub lang: String,

    /// The coalition's name.
    #[arg(long, value_name = "NAME", default_value = "Our Coalition", allow_hyphen_values = true, value_parser = not_an_option)]
    pub coalition: String,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The folder to write the project into: a new or empty folder, or one
    /// export-typst wrote before, where it replaces only the files it wrote
    /// (while unchanged) and keeps every other file.
    #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
    pub dir: PathBuf,

    /// Replace files in DIR that export-typst did not write, or that were
    /// edited since it did (refused by default, naming them).
    #[arg(long)]
    pub replace_edited: bool,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Fail on warnings too (house-style lints), not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,

    #[command(flatten)]
    pub standards: StandardArgs,
}

#[derive(Debug, Clone, Args)]
pub struct StandardArgs {
    /// PDF standards to meet, comma-separated, or none.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "a-2b,ua-1",
        required = false
    )]
    pub pdf_standard: Vec<PdfStandard>,
}

/// A PDF standard, as the typst CLI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(non_camel_case_types)]
pub enum PdfStandard {
    /// No standard beyond plain PDF.
    None,
    #[value(name = "1.4")]
    V_1_4,
    #[value(name = "1.5")]
    V_1_5,
    #[value(name = "1.6")]
    V_1_6,
    #[value(name = "1.7")]
    V_1_7,
    #[value(name = "2.0")]
    V_2_0,
    #[value(name = "a-1b")]
    A_1b,
    #[value(name = "a-1a")]
    A_1a,
    #[value(name = "a-2b")]
    A_2b,
    #[value(name = "a-2u")]
    A_2u,
    #[value(name = "a-2a")]
    A_2a,
    #[value(name = "a-3b")]
    A_3b,
    #[value(name = "a-3u")]
    A_3u,
    #[value(name = "a-3a")]
    A_3a,
    #[value(name = "a-4")]
    A_4,
    #[value(name = "a-4f")]
    A_4f,
    #[value(name = "a-4e")]
    A_4e,
    #[value(name = "ua-1")]
    Ua_1,
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the PDF; `{date}`, `{slug}` (from the title),
    /// `{version}` (the version label) and `{lang}` are filled in, each as
    /// one safe file name part [default: open-letter-{date}.pdf, with
    /// --all-languages open-letter-{date}-{lang}.pdf].
    #[arg(short, long, value_name = "FILE", allow_hyphen_values = true, value_parser = named_not_an_option)]
    pub output: Option<String>,

    #[command(flatten)]
    pub standards: StandardArgs,

    /// Also write a JSON manifest: checksums, counts, standards, inputs.
    /// Takes the same placeholders as --output.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true, value_parser = named_not_an_option)]
    pub manifest: Option<String>,

    /// Also write each page as a PNG into this folder (page-01.png, …).
    /// Takes the same placeholders as --output.
    #[arg(long, value_name = "DIR", allow_hyphen_values = true, value_parser = named_not_an_option)]
    pub png: Option<String>,

    /// Print how long each stage took, on stderr.
    #[arg(long)]
    pub timings: bool,

    /// Resolution of the PNG previews, from 10 to 600.
    #[arg(long, value_name = "PPI", default_value = "96", value_parser = parse_ppi)]
    pub png_ppi: f32,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub build: BuildArgs,

    /// Also keep the web site in this folder current (as `publish DIR`).
    #[arg(long, value_name = "DIR", allow_hyphen_values = true, value_parser = path_not_an_option)]
    pub publish: Option<PathBuf>,

    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    /// The folder to write the site into: a new or empty folder, or one
    /// publish wrote before, where it replaces only the files it wrote
    /// (while unchanged) and keeps every other file (CNAME, .nojekyll, …).
    #[arg(allow_hyphen_values = true, value_parser = path_not_an_option)]
    pub dir: PathBuf,

    /// Replace files in DIR that publish did not write, or that were edited
    /// since it did (refused by default, naming them).
    #[arg(long)]
    pub replace_edited: bool,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub standards: StandardArgs,

    #[command(flatten)]
    pub site: SiteArgs,

    /// Print how long each stage took, on stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// The address the site is served from (https://example.org/letter/):
    /// links shared on social media need it for the preview image.
    #[arg(long, value_name = "URL", value_parser = parse_site_url)]
    pub site_url: Option<String>,
}

/// An http(s) address, ending in `/` so that file names can follow it: no
/// user name or password, query or fragment (which a file name appended to
/// it would land in), nothing a page's markup would have to escape.
fn parse_site_url(text: &str) -> Result<String, String> {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_whitespace() || crate::console::steers(*c) || "\"<>'`\\{}|^".contains(*c))
    {
        return Err(format!("{c:?} cannot appear in an address"));
    }
    let url = url::Url::parse(text).map_err(|err| format!("not an address: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("expected an address starting with https:// and a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a published address cannot hold a user name or password".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the site's address cannot hold a query (?…) or fragment (#…)".into());
    }
    let url = url.as_str();
    Ok(if url.ends_with('/') { url.to_owned() } else { format!("{url}/") })
}

/// The resolutions previews may have: enough to read, not so many that a
/// page outgrows memory.
pub const PPI_RANGE: std::ops::RangeInclusive<f32> = 10.0..=600.0;

fn parse_ppi(text: &str) -> Result<f32, String> {
    let ppi: f32 = text.trim().parse().map_err(|_| format!("`{text}` is not a number"))?;
    if PPI_RANGE.contains(&ppi) {
        Ok(ppi)
    } else {
        Err(format!("must be from {} to {}", PPI_RANGE.start(), PPI_RANGE.end()))
    }
}
