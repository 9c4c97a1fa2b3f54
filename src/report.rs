//! Every message a user sees about a failure is rendered here, in one style:
//! the message, then the file, line and column with the offending source line,
//! as the typst CLI shows its own errors.

use std::io::{IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};
use typst::diag::SourceDiagnostic;
use typst_kit::diagnostics::termcolor::{Buffer, ColorChoice, StandardStream, WriteColor};
use typst_kit::diagnostics::{DiagnosticFormat, DiagnosticWorld};

use crate::error::Error;
use crate::signatories::{LoadError, Problem};

/// Prints a command's failure on stderr.
pub fn error(err: &Error) {
    let mut out = StandardStream::stderr(color_choice());
    match err {
        Error::Signatories(LoadError::Invalid { path, source, problems }) => {
            let file = SimpleFile::new(path.display().to_string(), source.as_str());
            for problem in problems {
                emit(&mut out, &file, problem_diagnostic(problem));
            }
            summary(&mut out, err);
        }
        Error::Glyphs { list, missing } => {
            let file = SimpleFile::new(list.path.display().to_string(), list.source.as_str());
            for glyph in missing {
                let c = glyph.character;
                let diagnostic = Diagnostic::error()
                    .with_message(format!(
                        "signatory \"{}\": field `{}` has '{c}' (U+{:04X}), which no bundled font can print",
                        glyph.entry, glyph.field, c as u32
                    ))
                    .with_labels(vec![Label::primary((), glyph.span.clone()).with_message(
                        "Typst would print a blank here",
                    )])
                    .with_notes(vec![
                        "add a font that has it to fonts/ (and to src/fonts.rs), or spell the name without it".into(),
                    ]);
                emit(&mut out, &file, diagnostic);
            }
            summary(&mut out, err);
        }
        Error::Typst(rendered) => {
            let _ = write!(out, "{rendered}");
        }
        other => {
            let _ = out.set_color(&error_color());
            let _ = write!(out, "error");
            let _ = out.reset();
            let _ = writeln!(out, ": {other}");
        }
    }
}

/// One finding in a signatories file, as a diagnostic (`check` uses it too).
pub fn problem_diagnostic(problem: &Problem) -> Diagnostic<()> {
    let mut labels =
        vec![Label::primary((), problem.span.clone()).with_message(problem.label.clone())];
    if let Some((span, label)) = &problem.related {
        labels.push(Label::secondary((), span.clone()).with_message(label.clone()));
    }
    Diagnostic::error().with_message(problem.message.clone()).with_labels(labels)
}

/// Renders Typst's diagnostics (errors and warnings) with their snippets.
pub fn typst(world: &dyn DiagnosticWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut buffer = if color_choice() == ColorChoice::Never { Buffer::no_color() } else { Buffer::ansi() };
    let _ = typst_kit::diagnostics::emit(&mut buffer, world, diagnostics, DiagnosticFormat::Human);
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Prints Typst's warnings, if any, on stderr.
pub fn warnings(world: &dyn DiagnosticWorld, warnings: &[SourceDiagnostic]) {
    if !warnings.is_empty() {
        eprint!("{}", typst(world, warnings));
    }
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

fn error_color() -> typst_kit::diagnostics::termcolor::ColorSpec {
    let mut spec = typst_kit::diagnostics::termcolor::ColorSpec::new();
    spec.set_fg(Some(typst_kit::diagnostics::termcolor::Color::Red)).set_bold(true);
    spec
}

fn color_choice() -> ColorChoice {
    if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never }
}
