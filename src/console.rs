//! Writing to the terminal. Output on stdout is for scripts and pipes, so a
//! reader that goes away (`openletter signatories list | head -1`) ends the
//! program quietly, and a full disk is an error, never a panic. Notes on
//! stderr are best effort.
//!
//! Every line is written with its control characters escaped: a name, a
//! file name or a header from a form export can hold a terminal's escape
//! sequences, which must reach the terminal as text.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once this run has changed a file: a failure to write to stdout
/// after that must not read as "nothing was done".
static CHANGED: AtomicBool = AtomicBool::new(false);

/// Notes that a change this run makes is in place.
pub fn changed() {
    CHANGED.store(true, Ordering::Relaxed);
}

/// Whether this run has changed a file.
pub fn has_changed() -> bool {
    CHANGED.load(Ordering::Relaxed)
}

/// Writes one line to stdout.
pub fn line(args: fmt::Arguments) -> Result<(), StdoutError> {
    let text = escape_controls(&args.to_string());
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.write_all(b"\n")).map_err(StdoutError)
}

/// Writes one line to stderr, ignoring failure: there is nowhere left to
/// report it.
pub fn note(args: fmt::Arguments) {
    let text = escape_controls(&args.to_string());
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.write_all(b"\n"));
}

/// `text` with every character that would steer a terminal or reorder
/// what it shows written as an escape (`\u{1b}`): control characters
/// other than line breaks and tabs, bidirectional controls, and the
/// Unicode line and paragraph separators.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(steers) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if steers(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

/// Whether a character steers a terminal or reorders what it shows.
pub fn steers(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A writer for coloured messages (`report`) that escapes what it writes as
/// [`escape_controls`] does, leaving the colours it is asked for intact.
pub struct Escaping<W>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Messages are written a whole `str` at a time.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(escape_controls(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: codespan_reporting::term::termcolor::WriteColor>
    codespan_reporting::term::termcolor::WriteColor for Escaping<W>
{
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }

    fn set_color(
        &mut self,
        spec: &codespan_reporting::term::termcolor::ColorSpec,
    ) -> io::Result<()> {
        self.0.set_color(spec)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.0.reset()
    }
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

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn controls_are_escaped_and_text_is_kept() {
        assert_eq!(escape_controls("Jane\u{1b}]0;PWNED\u{7}"), "Jane\\u{1b}]0;PWNED\\u{7}");
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape_controls("line\n\tnext — محمد"), "line\n\tnext — محمد");
    }
}
