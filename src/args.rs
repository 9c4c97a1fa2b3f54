//! The command line, as clap types. Nothing here does any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    Watch(BuildArgs),
    /// Write a standalone Typst project (template, text, data, fonts) that
    /// the typst CLI or web app compiles into the same letter.
    ExportTypst(ExportArgs),
    /// Validate everything a build would, plus lints; writes nothing.
    /// Exit 0: clean; 1: problems found; 2: an input could not be read.
    Check(InputArgs),
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
    /// Add one signatory, in collated position; refuses (near-)duplicates.
    Add(AddArgs),
    /// Remove the one signatory with this name (case and accents ignored).
    Remove { name: String },
    /// Add the signatories of a sign-on form's CSV export.
    Import(ImportArgs),
    /// Who was added, removed or changed between two files.
    Diff {
        old: PathBuf,
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
    #[arg(long, value_name = "NAME")]
    pub organisation: Option<String>,

    /// Add an individual with this name.
    #[arg(long, value_name = "NAME")]
    pub individual: Option<String>,

    /// An individual's affiliation, printed after the name.
    #[arg(long, value_name = "TEXT")]
    pub affiliation: Option<String>,

    /// An individual's sort key, if not the last word of the name.
    #[arg(long, value_name = "KEY")]
    pub sort_as: Option<String>,

    /// A link: the organisation's name, or the individual's affiliation.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Add even if it looks like a signatory already listed.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file, with a header row.
    pub file: PathBuf,

    /// Show what would be added, skipped and rejected; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// The header of the column with names [default: Name].
    #[arg(long, value_name = "HEADER")]
    pub name_column: Option<String>,

    /// The header of the column with affiliations [default: Affiliation or Organisation].
    #[arg(long, value_name = "HEADER")]
    pub affiliation_column: Option<String>,

    /// The header of the column saying organisation or individual [default: Type or Kind].
    #[arg(long, value_name = "HEADER")]
    pub kind_column: Option<String>,

    /// The header of the column with links [default: URL or Website].
    #[arg(long, value_name = "HEADER")]
    pub url_column: Option<String>,
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

    /// The date the letter carries [default: $SOURCE_DATE_EPOCH if set, else today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// A version label (a tag, a run number) for the metadata and, where the
    /// letter prints it, a line on the last page.
    #[arg(long, value_name = "TEXT")]
    pub version_label: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The folder to write the project into (created if need be).
    pub dir: PathBuf,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the PDF; `{date}`, `{slug}` (from the title) and
    /// `{version}` (the version label) are filled in.
    #[arg(short, long, value_name = "FILE", default_value = "open-letter-{date}.pdf")]
    pub output: String,

    /// PDF standards to meet, comma-separated: a-2b, a-3b, a-2u, ua-1, 1.7,
    /// 2.0, … or none.
    #[arg(long, value_name = "LIST", default_value = "a-2b,ua-1")]
    pub pdf_standard: String,

    /// Also write a JSON manifest: checksums, counts, standards, inputs.
    /// Takes the same placeholders as --output.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<String>,

    /// Also write each page as a PNG into this folder (page-01.png, …).
    #[arg(long, value_name = "DIR")]
    pub png: Option<PathBuf>,

    /// Print how long each stage took, on stderr.
    #[arg(long)]
    pub timings: bool,

    /// Resolution of the PNG previews.
    #[arg(long, value_name = "PPI", default_value_t = 96.0)]
    pub png_ppi: f32,
}
