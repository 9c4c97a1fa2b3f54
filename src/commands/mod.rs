//! One module per subcommand; each runs the pipeline stages it needs.

mod build;
mod check;
mod diff;
mod export;
mod import;
mod ledger;
mod new;
mod publish;
mod signatories;
mod watch;

use crate::args::{Cli, Command};
use crate::error::Error;

/// Runs a command; `Ok` holds its exit code (`check` exits 1 on findings).
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Build(args) => build::run(&args).map(|()| 0),
        Command::Watch(args) => watch::run(&args),
        Command::Publish(args) => publish::run(&args).map(|()| 0),
        Command::ExportTypst(args) => export::run(&args).map(|()| 0),
        Command::Signatories(args) => signatories::run(args),
        Command::Check(args) => check::run(&args),
        Command::New(args) => new::run(&args).map(|()| 0),
        Command::Ledger(args) => ledger::run(&args).map(|()| 0),
        Command::Serve(args) => crate::serve::run(&args),
    }
}
