//! Helpers shared by the integration tests: a scratch folder holding a copy
//! of the letter, the binary run as a user runs it, and a reader for PDFs.
#![allow(dead_code)]

pub mod pdf;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_openletter");
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A scratch folder with a copy of the repository's letter and signatories,
/// removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("openletter-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("letter")).unwrap();
        for entry in std::fs::read_dir(Path::new(REPO).join("letter")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join("letter").join(entry.file_name())).unwrap();
        }
        std::fs::copy(Path::new(REPO).join("signatories.toml"), dir.join("signatories.toml"))
            .unwrap();
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
        let output = Command::new(BIN)
            .args(args)
            .current_dir(&self.dir)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .expect("the binary runs");
        Run::from(output)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
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
}

/// Runs an external checking tool, or returns `None` (with a note) when it is
/// not installed. Under CI (`CI` set) a missing tool is a failure: `.ci/run`
/// installs them all.
pub fn tool(program: &str, args: &[&str]) -> Option<Run> {
    match Command::new(program).args(args).output() {
        Ok(output) => Some(Run::from(output)),
        Err(err) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: `{program}` is not installed ({err}); .ci/run installs it");
            None
        }
        Err(err) => panic!("`{program}` is required under CI: {err}"),
    }
}
