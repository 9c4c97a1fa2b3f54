//! Writing to the terminal. Output on stdout is for scripts and pipes, so a
//! reader that goes away (`openletter signatories list | head -1`) ends the
//! program quietly, and a full disk is an error, never a panic. Notes on
//! stderr are best effort.

use std::fmt;
use std::io::{self, Write};

/// Writes one line to stdout.
pub fn line(args: fmt::Arguments) -> Result<(), StdoutError> {
    let mut out = io::stdout().lock();
    out.write_fmt(args).and_then(|()| out.write_all(b"\n")).map_err(StdoutError)
}

/// Writes one line to stderr, ignoring failure: there is nowhere left to
/// report it.
pub fn note(args: fmt::Arguments) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// Flushes stdout, so that a failure to write shows before exit.
pub fn flush() -> Result<(), StdoutError> {
    io::stdout().flush().map_err(StdoutError)
}

/// Standard output could not be written.
#[derive(Debug)]
pub struct StdoutError(pub io::Error);

impl StdoutError {
    /// The reader closed the pipe: nothing is wrong, nobody is listening.
    pub fn is_broken_pipe(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

impl fmt::Display for StdoutError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "cannot write to standard output: {}", self.0)
    }
}

/// `outln!("...")`: a line on stdout; `?` passes a failure on.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::console::line(format_args!($($arg)*))
    };
}

/// `note!("...")`: a line on stderr.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::console::note(format_args!($($arg)*))
    };
}

/// A duration as the timings and `watch` print it.
pub fn ms(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
