//! Every message a user sees about a failure is rendered here, in one style:
//! the message, then the file, line and column with the offending source line,
//! as the typst CLI shows its own errors.

use std::io::{IsTerminal, Write};

use std::collections::HashMap;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::{SimpleFile, SimpleFiles};
use codespan_reporting::term::termcolor::{
    Buffer, Color, ColorChoice, ColorSpec, StandardStream, WriteColor,
};
use codespan_reporting::term::{self, Config};
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::{DiagSpan, FileId};

use crate::console::Escaping;
use crate::error::Error;
use crate::signatories::{LoadError, Problem};
use crate::world::LetterWorld;

/// Prints a command's failure on stderr.
pub fn error(err: &Error) {
    let mut out = stderr();
    match err {
        Error::Signatories(LoadError::Invalid { path, source, problems }) => {
            problems_in(&mut out, path, source, problems, Severity::Error);
            summary(&mut out, err);
        }
        Error::Signatories(LoadError::Syntax { path, source, problem }) => {
            problems_in(&mut out, path, source, std::slice::from_ref(&**problem), Severity::Error);
            summary(&mut out, err);
        }
        Error::Glyphs { list, missing } => {
            let problems: Vec<Problem> = missing.iter().map(|m| m.to_problem()).collect();
            problems_in(&mut out, &list.path, &list.source, &problems, Severity::Error);
            summary(&mut out, err);
        }
        Error::Typst { rendered, .. } => {
            let _ = write!(out, "{rendered}");
            summary(&mut out, err);
        }
        other => {
            let _ = out.set_color(&error_color());
            let _ = write!(out, "error");
            let _ = out.reset();
            let _ = writeln!(out, ": {other}");
        }
    }
}

/// Prints problems found in one file (errors, or `check`'s findings).
pub fn problems_in(
    out: &mut dyn WriteColor,
    path: &std::path::Path,
    source: &str,
    problems: &[Problem],
    severity: Severity,
) {
    let file = SimpleFile::new(path.display().to_string(), source);
    for problem in problems {
        let mut labels =
            vec![Label::primary((), problem.span.clone()).with_message(problem.label.clone())];
        if let Some((span, label)) = &problem.related {
            labels.push(Label::secondary((), span.clone()).with_message(label.clone()));
        }
        let head = match severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        };
        emit(out, &file, head.with_message(problem.message.clone()).with_labels(labels));
    }
}

/// Where messages about problems go: stderr, coloured on a terminal, with
/// control characters escaped.
pub fn stderr() -> Escaping<StandardStream> {
    Escaping(StandardStream::stderr(color_choice()))
}

/// Renders Typst's diagnostics (errors and warnings) with their snippets,
/// in the same style and with the same 1-based columns as the rest.
/// (typst-kit's `diagnostics::emit` would do this, but its columns count
/// from 0, and every other message here, and editors, count from 1.)
pub fn typst(world: &LetterWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut files = SimpleFiles::new();
    let mut known: HashMap<FileId, usize> = HashMap::new();
    let mut locate = |span: DiagSpan| -> Option<(usize, Range<usize>)> {
        let id = span.id()?;
        let range = world.range(span)?;
        let file = match known.get(&id) {
            Some(file) => *file,
            None => {
                let text = match world.source(id) {
                    Ok(source) => source.text().to_owned(),
                    Err(_) => String::from_utf8_lossy(&world.file(id).ok()?).into_owned(),
                };
                let file = files.add(world.name(id), text);
                known.insert(id, file);
                file
            }
        };
        Some((file, range))
    };

    let mut rendered = Vec::new();
    for diagnostic in diagnostics {
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        if let Some((file, range)) = locate(diagnostic.span) {
            labels.push(Label::primary(file, range));
        }
        for given in &diagnostic.hints {
            let Some(text) = hint(given.v.as_str()) else { continue };
            match locate(given.span) {
                Some((file, range)) => {
                    labels.push(Label::secondary(file, range).with_message(text))
                }
                None => notes.push(format!("hint: {text}")),
            }
        }
        for point in &diagnostic.trace {
            if let Some((file, range)) = locate(point.span.into()) {
                labels.push(Label::secondary(file, range).with_message(point.v.to_string()));
            }
        }
        let head = match diagnostic.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        };
        rendered.push(
            head.with_message(diagnostic.message.as_str()).with_labels(labels).with_notes(notes),
        );
    }

    let mut buffer =
        if color_choice() == ColorChoice::Never { Buffer::no_color() } else { Buffer::ansi() };
    for diagnostic in &rendered {
        let _ = term::emit(&mut buffer, &Config::default(), &files, diagnostic);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Prints Typst's warnings, if any, on stderr.
pub fn warnings(world: &LetterWorld, warnings: &[SourceDiagnostic]) {
    if !warnings.is_empty() {
        rendered(&typst(world, warnings));
    }
}

/// Prints diagnostics already rendered, on stderr.
pub fn rendered(text: &str) {
    let _ = write!(stderr(), "{text}");
}

/// Typst's hints speak of the typst CLI's options; openletter has its own.
fn hint(text: &str) -> Option<String> {
    if text.contains("--root") {
        return None;
    }
    if text.contains("outside of the project sandbox") {
        return Some(
            "a letter reads only files inside its letter folder (links there included)".into(),
        );
    }
    Some(text.to_owned())
}

fn emit(out: &mut dyn WriteColor, file: &SimpleFile<String, &str>, diagnostic: Diagnostic<()>) {
    let config = Config::default();
    let _ = term::emit(out, &config, file, &diagnostic);
}

fn summary(out: &mut dyn WriteColor, err: &Error) {
    let _ = out.set_color(&error_color());
    let _ = write!(out, "error");
    let _ = out.reset();
    let _ = writeln!(out, ": {err}; nothing was written");
}

fn error_color() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(Color::Red)).set_bold(true);
    spec
}

fn color_choice() -> ColorChoice {
    if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never }
}
