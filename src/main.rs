//! `openletter`: typesets a coalition's open letter and its signatories into
//! a print-ready PDF with the Typst compiler embedded.
//!
//! The pipeline runs one way: inputs (`inputs`, `signatories`, `date`) →
//! the data the template reads (`data`) → a Typst world (`world`, `fonts`) →
//! pages and PDF (`compile`) → files written atomically (`output`), with a
//! `manifest` and `preview` PNGs when asked for.
//! Failures of every stage are shown by `report`.

mod args;
mod commands;
mod compile;
mod data;
mod date;
mod error;
mod fonts;
mod inputs;
mod manifest;
mod output;
mod preview;
mod report;
mod signatories;
mod world;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // `watch` rebuilds often and keeps its memory: it is better served by
    // glibc's adaptive threshold, which saves it mapping fresh pages each time.
    if !matches!(cli.command, args::Command::Watch(_)) {
        steady_allocator();
    }
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report::error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// glibc raises its mmap threshold as a program frees large blocks, after
/// which freed layout buffers stay in the heap: peak memory at 10,000
/// signatories then wanders between 160 and 215 MB from run to run. Fixing
/// the threshold at glibc's own starting value keeps it at the low end.
fn steady_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
