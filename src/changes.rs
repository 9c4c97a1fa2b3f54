//! What `watch` looks at, and noticing when it changes: the letter folder,
//! the signatories file, and the files a letter reads from elsewhere in its
//! project (a shared style). Each look compares the modification time and
//! size of every such file with the last look's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::letter::{LetterError, Reach, letter_files};
use crate::signals;

/// How often the files are looked at: quick enough to feel live, and a
/// look at a letter folder costs a fraction of a millisecond.
const POLL: Duration = Duration::from_millis(50);

/// The files `watch` looks at.
pub struct Watched {
    pub letter: PathBuf,
    pub signatories: PathBuf,
    /// Files outside the letter folder that the last build read.
    pub shared: Vec<PathBuf>,
    /// The process that started this one, when this one must end with it.
    pub parent: Option<u32>,
}

impl Watched {
    pub fn snapshot(&self) -> Result<Snapshot, LetterError> {
        Snapshot::take(&self.letter, &self.signatories, &self.shared)
    }

    /// Blocks until a watched file changes; `None` once interrupted (or
    /// when the process that started this one is gone).
    pub fn wait_for_change(&self, snapshot: &mut Snapshot) -> Option<Vec<PathBuf>> {
        let (mut failures, mut told) = (0, false);
        loop {
            if signals::interrupted() || self.orphaned() {
                return None;
            }
            std::thread::sleep(POLL);
            let now = match self.snapshot() {
                Ok(now) => now,
                // A folder caught mid-save is looked at again; one that stays
                // unreadable (or holds too many files) is said once.
                Err(err) => {
                    failures += 1;
                    if failures >= 3 && !told {
                        crate::report::error(&crate::error::Error::Letter(err));
                        note!("no change is seen until the letter folder can be looked at again");
                        told = true;
                    }
                    continue;
                }
            };
            (failures, told) = (0, false);
            let changed = now.changed_since(snapshot);
            if !changed.is_empty() {
                *snapshot = now;
                return Some(changed);
            }
        }
    }

    fn orphaned(&self) -> bool {
        #[cfg(unix)]
        if let Some(parent) = self.parent {
            return std::os::unix::process::parent_id() != parent;
        }
        false
    }
}

/// Modification time and size of every watched file.
#[derive(Default, PartialEq)]
pub struct Snapshot(BTreeMap<PathBuf, (SystemTime, u64)>);

impl Snapshot {
    /// The stamps of the list, the letter folder's files and `shared`.
    fn take(letter: &Path, signatories: &Path, shared: &[PathBuf]) -> Result<Self, LetterError> {
        let mut snapshot = Snapshot::default();
        snapshot.add(signatories);
        snapshot.add_all(shared);
        for file in letter_files(letter)? {
            if file.reach == Reach::Inside {
                snapshot.add(&file.path);
            }
        }
        Ok(snapshot)
    }

    /// Adds a file's stamp, if it exists.
    fn add(&mut self, path: &Path) {
        if let Ok(meta) = std::fs::metadata(path) {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            self.0.insert(path.to_owned(), (modified, meta.len()));
        }
    }

    pub fn add_all(&mut self, paths: &[PathBuf]) {
        for path in paths {
            self.add(path);
        }
    }

    /// Forgets the files modified at or after `moment`, so that the next
    /// look finds them changed.
    pub fn forget_since(&mut self, moment: SystemTime) {
        self.0.retain(|_, (modified, _)| *modified < moment);
    }

    /// Files added, removed or modified since `before`.
    fn changed_since(&self, before: &Snapshot) -> Vec<PathBuf> {
        let mut changed: Vec<PathBuf> = self
            .0
            .iter()
            .filter(|(path, stamp)| before.0.get(*path) != Some(stamp))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(before.0.keys().filter(|p| !self.0.contains_key(*p)).cloned());
        changed
    }
}
