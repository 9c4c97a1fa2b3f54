//! Memory: a ceiling on what one run may use, and the allocator settings
//! that keep its peak low.
//!
//! A template can grow a value without end (a string doubled in a loop);
//! without a ceiling the machine would swap and then kill the process. The
//! address space is capped, and an allocation refused under that cap ends
//! the run with a plain message and exit code 1 instead of an abort.

use std::alloc::{GlobalAlloc, Layout, System};

/// The ceiling unless `OPENLETTER_MAX_MEMORY` (in MiB) sets another: many
/// times what 100,000 signatories need.
const DEFAULT_LIMIT_MIB: u64 = 8 * 1024;

/// The environment variable that changes the ceiling.
pub const LIMIT_VAR: &str = "OPENLETTER_MAX_MEMORY";

/// The system allocator, reporting a refused allocation as a user error.
pub struct Guarded;

#[global_allocator]
static ALLOCATOR: Guarded = Guarded;

// SAFETY: every call is passed to the system allocator unchanged; only a
// null result (no memory) is acted on, by ending the process.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        checked(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        checked(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

fn checked(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() {
        out_of_memory(size);
    }
    ptr
}

/// Ends the process without allocating: the heap is what just ran out.
#[cold]
fn out_of_memory(size: usize) -> ! {
    let mut message = *b"error: out of memory: the letter needs more than openletter allows \
(a template that grows a value without end?); set OPENLETTER_MAX_MEMORY (MiB) to allow more. \
Failed allocation: 0000000000 MiB\n";
    let mib = (size as u64).div_ceil(1024 * 1024).min(9_999_999_999);
    let digits_end = message.len() - " MiB\n".len();
    let mut n = mib;
    for slot in message[digits_end - 10..digits_end].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    #[cfg(unix)]
    // SAFETY: writing a buffer we own to stderr, then exiting without
    // running destructors or allocating.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::_exit(1);
    }
    #[cfg(not(unix))]
    std::process::abort();
}

/// Caps the address space at the ceiling (never raising a lower one set by
/// the user's shell).
pub fn limit() {
    #[cfg(unix)]
    {
        let mib = std::env::var(LIMIT_VAR)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|mib| *mib > 0)
            .unwrap_or(DEFAULT_LIMIT_MIB);
        let bytes = mib.saturating_mul(1024 * 1024);
        // SAFETY: plain system calls on a struct we own.
        unsafe {
            let mut current = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            if libc::getrlimit(libc::RLIMIT_AS, &mut current) != 0 {
                return;
            }
            let wanted = (bytes as libc::rlim_t).min(current.rlim_max);
            if wanted < current.rlim_cur {
                let new = libc::rlimit { rlim_cur: wanted, rlim_max: current.rlim_max };
                libc::setrlimit(libc::RLIMIT_AS, &new);
            }
        }
    }
}

/// glibc raises its mmap threshold as a program frees large blocks, after
/// which freed layout buffers stay in the heap: peak memory for a long list
/// then wanders from run to run. Fixing the threshold at glibc's own
/// starting value keeps it at the low end. `watch` rebuilds often and keeps
/// its memory, so it is better served by glibc's adaptive default.
pub fn steady_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
