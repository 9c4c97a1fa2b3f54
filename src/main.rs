//! `openletter`: typesets a coalition's open letter and its signatories into
//! a print-ready PDF with the Typst compiler embedded.
//!
//! The pipeline runs one way: inputs (`inputs`, `signatories`, `date`) →
//! the data the template reads (`data`) → a Typst world (`world`, `fonts`) →
//! pages and PDF (`compile`) → files written atomically (`output`), with a
//! `manifest` and `preview` PNGs when asked for. `pipeline` strings these
//! together for the commands that build; `files` reads inputs under a lock.
//! Failures of every stage are shown by `report`.

// First, so that its `outln!` and `note!` are in scope everywhere below.
#[macro_use]
mod console;
mod args;
mod commands;
mod compile;
mod data;
mod date;
mod error;
mod files;
mod fonts;
mod inputs;
mod manifest;
mod memory;
mod output;
mod pipeline;
mod preview;
mod report;
mod signatories;
mod site;
mod world;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    memory::limit();
    let cli = args::Cli::parse();
    if !matches!(cli.command, args::Command::Watch(_)) {
        memory::steady_allocator();
    }
    match commands::run(cli).and_then(|code| Ok(console::flush().map(|()| code)?)) {
        Ok(code) => ExitCode::from(code),
        // The reader of our output went away (`| head`): it has all it wanted.
        Err(error::Error::Stdout(err)) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            report::error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
