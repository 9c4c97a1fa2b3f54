//! Memory: a ceiling on the heap one run may use, and the allocator settings
//! that keep its peak low.
//!
//! A template can grow a value without end (a string doubled in a loop);
//! without a ceiling the machine would swap and then kill the process. The
//! global allocator counts the bytes in use and refuses an allocation that
//! would pass the ceiling, as an allocator out of memory does: a caller that
//! asked with `try_reserve` (the image decoders do) gets an error it handles,
//! and any other ends in the standard library's allocation-failure abort,
//! which is turned here into a plain message and exit code 1. Counting the
//! heap, not capping the address space, makes the ceiling mean the same on
//! every system and grow monotonically: what runs under one ceiling runs
//! under any higher one.

#[cfg(not(target_env = "musl"))]
use std::alloc::System;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::Relaxed};

/// The ceiling unless `OPENLETTER_MAX_MEMORY` sets another: many times what
/// 100,000 signatories need.
const DEFAULT_LIMIT_MIB: u64 = 8 * 1024;

/// The environment variable that changes the ceiling.
pub const LIMIT_VAR: &str = "OPENLETTER_MAX_MEMORY";

const MIB: u64 = 1024 * 1024;

/// Bytes allocated and not yet freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most bytes that may be live at once.
static CEILING: AtomicUsize = AtomicUsize::new((DEFAULT_LIMIT_MIB * MIB) as usize);
/// The size of the last allocation refused; 0 while none was.
static REFUSED: AtomicUsize = AtomicUsize::new(0);
/// The exit code when a refused allocation ends the run.
static OOM_EXIT: AtomicI32 = AtomicI32::new(1);

/// Where the heap comes from: the C library's allocator, but musl's, whose
/// malloc is much slower than glibc's for the many small blocks a layout
/// makes (the static Linux binary uses mimalloc instead).
#[cfg(not(target_env = "musl"))]
static HEAP: System = System;
#[cfg(target_env = "musl")]
static HEAP: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The heap's allocator, counting what is in use against the ceiling.
pub struct Counted;

#[global_allocator]
static ALLOCATOR: Counted = Counted;

// SAFETY: every call is passed to the system allocator unchanged, or refused
// with null before it reaches it; the count never affects a live block.
unsafe impl GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        kept(unsafe { HEAP.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        kept(unsafe { HEAP.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { HEAP.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !take(new_size - old) {
            // The old block stays valid, as a failed `realloc` leaves it.
            return std::ptr::null_mut();
        }
        let new =
            kept(unsafe { HEAP.realloc(ptr, layout, new_size) }, new_size.saturating_sub(old));
        if !new.is_null() && new_size < old {
            LIVE.fetch_sub(old - new_size, Relaxed);
        }
        new
    }
}

/// Counts `size` more bytes in use, unless that passes the ceiling.
fn take(size: usize) -> bool {
    let before = LIVE.fetch_add(size, Relaxed);
    if before.saturating_add(size) > CEILING.load(Relaxed) {
        LIVE.fetch_sub(size, Relaxed);
        REFUSED.store(size.max(1), Relaxed);
        return false;
    }
    true
}

/// Uncounts a block the system could not give.
fn kept(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() {
        LIVE.fetch_sub(size, Relaxed);
        REFUSED.store(size.max(1), Relaxed);
    }
    ptr
}

/// Sets the ceiling from `OPENLETTER_MAX_MEMORY`, and turns the abort that
/// follows a refused allocation into a message. An unusable value is
/// refused with why, for the caller to report (exit code 2).
pub fn limit() -> Result<(), String> {
    // Empty counts as unset, as shells write an unset variable.
    if let Some(value) = std::env::var_os(LIMIT_VAR).filter(|v| !v.is_empty()) {
        let value = value.to_string_lossy();
        let bytes = parse_size(&value).map_err(|why| {
            let shown = crate::console::escape_controls(&value);
            format!("{LIMIT_VAR}=`{shown}` {why}")
        })?;
        CEILING.store(usize::try_from(bytes).unwrap_or(usize::MAX), Relaxed);
    }
    report_refusals();
    Ok(())
}

/// Makes a refused allocation end the run with `code` instead of 1 (for
/// `watch`, which starts a new builder when one runs out).
pub fn exit_code_when_out(code: i32) {
    OOM_EXIT.store(code, Relaxed);
}

/// The ceiling in MiB, as a message names it.
pub fn ceiling_mib() -> u64 {
    CEILING.load(Relaxed) as u64 / MIB
}

/// A size in bytes from `OPENLETTER_MAX_MEMORY`'s spelling: a whole number
/// of MiB, or one with a binary unit (`K`, `M`, `G`, `T`, or `KiB` …).
pub fn parse_size(value: &str) -> Result<u64, String> {
    const HOW: &str = "write a whole number of MiB (512) or one with a unit: 512M, 1G, 1536MiB";
    let text = value.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return Err(format!("is not a size: {HOW}"));
    }
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "k" | "kib" => 10,
        "" | "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        "kb" | "mb" | "gb" | "tb" => {
            return Err(format!(
                "is ambiguous (powers of 1000 or of 1024?): write {number}{} for the binary unit",
                unit.trim()[..1].to_ascii_uppercase()
            ));
        }
        _ => return Err(format!("has an unknown unit: {HOW}")),
    };
    let too_large = || format!("is more than any machine has: {HOW}");
    let number: u64 = number.parse().map_err(|_| too_large())?;
    let bytes = number.checked_mul(1 << shift).ok_or_else(too_large)?;
    if bytes < MIB {
        return Err(format!("is less than the 1 MiB any run needs: {HOW}"));
    }
    Ok(bytes)
}

/// The standard library aborts when an allocation that may not fail is
/// refused, after printing its size; a refusal of ours then ends the run
/// with what the user can do. Any other abort goes on as one.
fn report_refusals() {
    #[cfg(unix)]
    {
        let action = || {
            if REFUSED.load(Relaxed) != 0 {
                out_of_memory();
            }
        };
        // SAFETY: the action only reads atomics, writes a stack buffer to
        // stderr and exits, all of which are async-signal-safe.
        let _ = unsafe { signal_hook::low_level::register(signal_hook::consts::SIGABRT, action) };
    }
}

/// Ends the process without allocating: the heap is what just ran out.
#[cfg(unix)]
fn out_of_memory() -> ! {
    let mut message = [0u8; 256];
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        message[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    put(b"error: out of memory: the letter needs more than ");
    let mut digits = [0u8; 20];
    let mut n = ceiling_mib();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(&digits[start..]);
    put(b" MiB (OPENLETTER_MAX_MEMORY): a template that grows a value without end? ");
    put(b"Set OPENLETTER_MAX_MEMORY higher (2G, 16G) to allow more.\n");
    // SAFETY: writing a buffer we own to stderr, then exiting without
    // running destructors or allocating.
    unsafe {
        libc::write(2, message.as_ptr().cast(), len);
        libc::_exit(OOM_EXIT.load(Relaxed));
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

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("512"), Ok(512 << 20));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1536MiB"), Ok(1536 << 20));
        assert_eq!(parse_size("2048k"), Ok(2 << 20));
        assert_eq!(parse_size(" 2 GiB "), Ok(2 << 30));
    }

    #[test]
    fn sizes_refused() {
        for value in ["0", "-1", "abc", "1e3", "1.5G", "512MB", "1K", "99999999999T", "G", " "] {
            assert!(parse_size(value).is_err(), "{value} accepted");
        }
    }
}
