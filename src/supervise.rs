//! `watch` builds in a child process of its own (the builder), so that a
//! template that runs out of memory ends that build, not the watch: the
//! allocator's refusal cannot be caught inside a process (Rust aborts), but
//! its exit can be seen from outside. The watching process then says the
//! build failed and starts a new builder, which builds at the next change.
//!
//! The builder runs in its own process group, so Ctrl-C reaches only the
//! watching process, which passes each signal on: the builder stops at its
//! next safe point, or at once on the second.

use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::console::StdoutError;
use crate::error::Error;
use crate::signals;

/// Set in a builder's environment: `first`, or `after:SECONDS.NANOS`, the
/// moment the builder before it ran out of memory.
const ROLE_VAR: &str = "OPENLETTER_WATCH_BUILDER";

/// A builder's exit code when its build ran out of memory.
pub const OUT_OF_MEMORY: i32 = 75;

/// How often the watching process looks at its builder and the signals.
const TICK: Duration = Duration::from_millis(10);

/// What this `watch` process is.
pub enum Role {
    /// The process the user started: it starts builders.
    Watcher,
    /// A builder: the first, or one started after a builder ran out of
    /// memory at this moment (files changed since then are built at once).
    Builder { after: Option<SystemTime> },
}

impl Role {
    pub fn of_this_process() -> Role {
        let Ok(value) = std::env::var(ROLE_VAR) else { return Role::Watcher };
        let after = value.strip_prefix("after:").and_then(|t| {
            let (secs, nanos) = t.split_once('.')?;
            let since = Duration::new(secs.parse().ok()?, nanos.parse().ok()?);
            Some(UNIX_EPOCH + since)
        });
        Role::Builder { after }
    }
}

/// Runs builders until one stops for good; its exit code is returned (it
/// has reported its own errors). `out_of_memory` says that a build failed so.
pub fn watch(out_of_memory: impl Fn() -> Result<(), StdoutError>) -> Result<u8, Error> {
    signals::count();
    let exe = std::env::current_exe()
        .map_err(|err| Error::Usage(format!("cannot find the openletter program: {err}")))?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut role = OsString::from("first");
    loop {
        let mut command = Command::new(&exe);
        command.args(&args).env(ROLE_VAR, &role).stdin(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut builder =
            command.spawn().map_err(|err| Error::Usage(format!("cannot start a build: {err}")))?;
        let mut passed_on = 0;
        let status = loop {
            while passed_on < signals::received() {
                #[cfg(unix)]
                // SAFETY: a plain system call; the builder is our child and
                // not yet reaped, so its id is still its own.
                unsafe {
                    libc::kill(builder.id() as libc::pid_t, libc::SIGINT);
                }
                passed_on += 1;
            }
            match builder.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => std::thread::sleep(TICK),
                Err(err) => return Err(Error::Usage(format!("cannot follow the build: {err}"))),
            }
        };
        match status.code() {
            Some(OUT_OF_MEMORY) if signals::received() == 0 => {
                let now = file_clock().duration_since(UNIX_EPOCH).unwrap_or_default();
                role = format!("after:{}.{}", now.as_secs(), now.subsec_nanos()).into();
                out_of_memory()?;
            }
            // Out of memory after Ctrl-C: the failure is said, and watch
            // stops as asked.
            Some(OUT_OF_MEMORY) => {
                out_of_memory()?;
                return Ok(1);
            }
            Some(code) => return Ok(u8::try_from(code).unwrap_or(1)),
            None if signals::received() > 0 => return Ok(130),
            None => {
                note!("the build ended abruptly ({status}); stopped watching");
                return Ok(1);
            }
        }
    }
}

/// Now, as the clock that stamps a file's modification time reads it: that
/// clock moves in ticks (a few milliseconds) and lags the precise one, so a
/// file saved just after the precise "now" can carry an earlier time.
fn file_clock() -> SystemTime {
    #[cfg(target_os = "linux")]
    {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: a plain system call writing into a struct we own.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } == 0 {
            return UNIX_EPOCH + Duration::new(now.tv_sec as u64, now.tv_nsec as u32);
        }
    }
    // Elsewhere, a margin of the coarsest tick file systems use here.
    SystemTime::now() - Duration::from_millis(10)
}
