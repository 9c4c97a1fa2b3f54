//! One module per subcommand; each runs the pipeline stages it needs.

mod build;

use crate::args::{Cli, Command};
use crate::error::Error;

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build(args) => build::run(&args),
    }
}
