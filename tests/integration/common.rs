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

/// Runs an external checking tool, or returns `None` (with a note) when it is
/// not installed. Under CI (`CI` set) a missing tool is a failure: `.ci/run`
/// installs them all.
pub fn tool(program: &str, args: &[&str]) -> Option<Run> {
    tool_in(program, args, None)
}

/// [`tool`], run in `dir`.
pub fn tool_in(program: &str, args: &[&str], dir: Option<&Path>) -> Option<Run> {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    match command.output() {
        Ok(output) => Some(Run::from(output)),
        Err(err) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: `{program}` is not installed ({err}); .ci/run installs it");
            None
        }
        Err(err) => panic!("`{program}` is required under CI: {err}"),
    }
}

/// Validates a PDF with the `page` validator (PyPI `page-validation`,
/// which passes the veraPDF corpus) against each profile (`2b`, `ua1`, …);
/// the failures found, or `None` where the validator is not installed.
pub fn validate(pdf: &Path, profiles: &[&str]) -> Option<Vec<String>> {
    let script = Path::new(REPO).join("tests/tools/validate_pdf.py");
    let mut args = vec![script.to_str().unwrap(), pdf.to_str().unwrap()];
    args.extend_from_slice(profiles);
    let run = tool("python3", &args)?;
    if run.code == 3 {
        assert!(std::env::var_os("CI").is_none(), "page-validation is required under CI");
        eprintln!("skipped: {}", run.stderr.trim());
        return None;
    }
    assert!(run.code == 0 || run.code == 1, "validator failed: {}", run.stderr);
    Some(run.stdout.lines().map(str::to_owned).collect())
}
