//! `openletter`: typesets a coalition's open letter and its signatories into
//! a print-ready PDF with the Typst compiler embedded.
//!
//! Data flows one way: the arguments (`args`) → one resolved plan (`plan`)
//! → inputs read and validated (`inputs`, with the model in `signatories`,
//! `letter` for the letter folder, `fonts`, `date`) → the data the template
//! reads (`data`) → a Typst world (`world`) → the typeset document
//! (`typeset`, over `compile`) → the products in memory (`products`, named
//! by `targets`, with `manifest` and `preview`) → written all or none
//! (`write`, over `output`); `site` makes the web site from the same
//! stages. `commands` runs them; `files` reads inputs under a lock; failures
//! of every stage are shown by `report`.

// First, so that its `outln!` and `note!` are in scope everywhere below.
#[macro_use]
mod console;
mod args;
mod changes;
mod cldr;
mod commands;
mod compile;
mod cores;
mod data;
mod date;
mod error;
mod files;
mod fonts;
mod inputs;
mod lang;
mod ledger;
mod letter;
mod manifest;
mod memory;
mod output;
mod plan;
mod preview;
mod products;
mod report;
mod serve;
mod signals;
mod signatories;
mod site;
mod supervise;
mod targets;
mod typeset;
mod world;
mod write;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Err(why) = memory::limit() {
        eprintln!("error: {why}");
        return ExitCode::from(2);
    }
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` are answers, on stdout, as clap prints them.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        // A refused value is echoed in the message: escaped, as every message.
        Err(err) => {
            eprint!("{}", console::escape_controls(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
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
