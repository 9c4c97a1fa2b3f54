//! Ctrl-C and SIGTERM. Every command but `watch` keeps the default: it ends
//! at once, and its writes are renames that happen whole or not at all.
//! `watch` runs until stopped, so it stops at the next safe point on the
//! first signal (between builds, or in a wait for another command's lock),
//! and at once on the second, even in the middle of a long build.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static RECEIVED: AtomicUsize = AtomicUsize::new(0);

/// The signals that ask a command to stop.
#[cfg(unix)]
const STOP: [i32; 2] = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM];

/// Whether Ctrl-C (or SIGTERM) has asked this process to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// How many stop signals have arrived since [`count`].
pub fn received() -> usize {
    RECEIVED.load(Ordering::SeqCst)
}

/// The first stop signal sets [`interrupted`] and says how to stop at once;
/// the second ends the process with 128 + the signal, as a shell reports a
/// process that Ctrl-C ended.
pub fn stop_at_safe_point() {
    #[cfg(unix)]
    for signal in STOP {
        const SAID: &[u8] = b"stopping after this step; Ctrl-C again to stop now\n";
        // The shutdown is registered first, so the first signal finds the
        // flag still clear and only sets it.
        let _ =
            signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, &INTERRUPTED);
        let action = || {
            if !INTERRUPTED.swap(true, Ordering::SeqCst) {
                // SAFETY: write(2) of a static buffer is async-signal-safe.
                unsafe { libc::write(2, SAID.as_ptr().cast(), SAID.len()) };
            }
        };
        // SAFETY: the action only touches an atomic and calls write(2).
        let _ = unsafe { signal_hook::low_level::register(signal, action) };
    }
}

/// Stop signals are only counted (for a process that passes them on).
pub fn count() {
    #[cfg(unix)]
    for signal in STOP {
        let action = || {
            RECEIVED.fetch_add(1, Ordering::SeqCst);
        };
        // SAFETY: the action only adds to an atomic.
        let _ = unsafe { signal_hook::low_level::register(signal, action) };
    }
}
