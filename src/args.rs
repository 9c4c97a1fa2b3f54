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
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the PDF; `{date}` and `{slug}` (the title) are filled in.
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = "open-letter-{date}.pdf"
    )]
    pub output: String,
}
