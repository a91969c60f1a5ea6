//! The C ABI: every function declared in include/recipes.h, implemented on top of `core`.
//!
//! Each function here checks the raw pointers it was handed, converts C types to Rust ones,
//! calls `core`, and writes the outcome to its out-parameters. No argument's domain is
//! checked here: `core` does that, and words the message. Each body runs inside
//! [`boundary`], which turns a failure into a status code and the thread's last-error record,
//! and catches panics: a panic must never unwind into C, Python or any other caller.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_void};
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use crate::core;

// --8<-- [start:bind_module]
// --8<-- [start:header_module]
/// What bindgen read from include/recipes.h (build.rs writes it). We use its constants and its
/// `recipes_word_count` struct directly, so their values and layout cannot drift from the
/// header; the functions are checked by `matches_header!` below.
#[allow(non_camel_case_types, dead_code)]
pub mod header {
    include!(concat!(env!("OUT_DIR"), "/recipes_h.rs"));
}

use header::{recipes_integrand, recipes_linear_recurrence, recipes_status, recipes_stop_hook, recipes_word_count};
// --8<-- [end:header_module]

// --8<-- [start:matches_header]
/// Proves at compile time that each function in this file has exactly the C signature that the
/// header declares. For `recipes_fib(_, _)` the macro expands to
///
/// ```ignore
/// const _: () = {
///     let declared = header::recipes_fib as unsafe extern "C" fn(_, _) -> _;
///     let _ = [declared, recipes_fib];
/// };
/// ```
///
/// `declared` is a function pointer whose parameter and return types the compiler infers from
/// bindgen's declaration. An array's elements must all have one type, so the second element,
/// our implementation, must coerce to that very pointer type: if the header says `int32_t`
/// where we take `i64`, the crate does not compile, and rustc's "non-primitive cast" error
/// shows both signatures side by side; a parameter too many or too few is a "mismatched
/// types" error. It costs nothing at run time: the constant is evaluated and discarded by
/// the compiler. Both declarations name the same symbol; that is fine, because
/// the header's `extern` block only declares it and `#[unsafe(no_mangle)]` below defines it.
macro_rules! matches_header {
    ($($name:ident($($arg:tt),*);)*) => {
        $(const _: () = {
            let declared = header::$name as unsafe extern "C" fn($($arg),*) -> _;
            let _ = [declared, $name];
        };)*
        /// The functions checked above; a unit test compares this list with the header's.
        #[cfg(test)]
        const CHECKED_AGAINST_HEADER: &[&str] = &[$(stringify!($name)),*];
    };
}

matches_header! {
    recipes_last_error_message();
    recipes_last_utf8_error(_, _);
    recipes_stop_flag(_);
    recipes_fib(_, _);
    recipes_fib_recursive(_, _, _, _);
    recipes_calc_pi(_, _, _, _);
    recipes_linear_recurrence_new(_, _, _, _, _);
    recipes_linear_recurrence_next(_, _);
    recipes_linear_recurrence_free(_);
    recipes_most_common(_, _, _, _, _, _);
    recipes_word_counts_free(_, _);
    recipes_ewma(_, _, _, _, _);
    recipes_integrate(_, _, _, _, _, _, _, _);
    recipes_integrand_sin(_, _);
    recipes_integrand_square(_, _);
    recipes_debug_live_handles();
    recipes_debug_live_word_arrays();
    recipes_debug_panic();
}

/// The limits the header exports are the ones `core` checks: a header that promised another
/// limit than the code enforces would not compile.
const _: () = {
    assert!(header::RECIPES_FIB_MAX_N as i64 == core::FIB_MAX_N);
    assert!(header::RECIPES_FIB_CHECK_FROM_N as u64 == core::INTERRUPT_CHECK_FROM_N);
    assert!(header::RECIPES_PI_MAX_DIGITS as i64 == core::PI_MAX_DIGITS);
};
// --8<-- [end:matches_header]
// --8<-- [end:bind_module]

// --8<-- [start:boundary]
/// Everything that can go wrong in a call: a recipe's own error, or a caller's broken promise.
enum Failure {
    Recipe(core::Error),
    NullPointer(&'static str),
    BufferTooSmall { needed: usize, given: usize },
}

impl From<core::Error> for Failure {
    fn from(err: core::Error) -> Self {
        Failure::Recipe(err)
    }
}

/// The last failure on this thread: what recipes_last_error_message and
/// recipes_last_utf8_error report. Per thread, like errno, so that two threads failing at the
/// same time each read their own message.
struct LastError {
    message: CString,
    utf8_range: (u64, u64),
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> =
        RefCell::new(LastError { message: CString::default(), utf8_range: (0, 0) });
}

/// Runs one C function's body: returns RECIPES_OK, or records the failure and returns its code.
///
/// `catch_unwind` stops a panic here, at the boundary. Letting it continue into a C caller is
/// undefined behaviour in older Rust and aborts the whole process since Rust 1.81: either way
/// the Python interpreter would die. `AssertUnwindSafe` tells the compiler that we accept
/// seeing state a panic interrupted: the only such state is a LinearRecurrence's lock, and a
/// poisoned lock is taken over deliberately (see recipes_linear_recurrence_next).
fn boundary(body: impl FnOnce() -> Result<(), Failure>) -> recipes_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return header::RECIPES_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            return record(header::RECIPES_ERR_PANIC, format!("internal error (Rust panic): {what}"), None);
        }
    };
    match failure {
        Failure::Recipe(core::Error::Value(message)) => record(header::RECIPES_ERR_VALUE, message, None),
        Failure::Recipe(core::Error::Overflow(message)) => record(header::RECIPES_ERR_OVERFLOW, message, None),
        Failure::Recipe(core::Error::Io(err)) => match err.raw_os_error() {
            Some(code) => {
                let status = record(header::RECIPES_ERR_OS, err.to_string(), None);
                // Last, so that nothing (not even freeing memory) can overwrite it before return.
                errno::set_errno(errno::Errno(code));
                status
            }
            // An I/O failure the OS did not report (Rust's own checks): no errno to give.
            None => record(header::RECIPES_ERR_VALUE, err.to_string(), None),
        },
        Failure::Recipe(core::Error::Utf8 { start, end, reason }) => {
            record(header::RECIPES_ERR_UTF8, reason.to_owned(), Some((start as u64, end as u64)))
        }
        Failure::Recipe(err @ core::Error::Stopped) => record(header::RECIPES_STOPPED, err.to_string(), None),
        Failure::NullPointer(name) => {
            record(header::RECIPES_ERR_NULL_POINTER, format!("{name} must not be NULL"), None)
        }
        Failure::BufferTooSmall { needed, given } => record(
            header::RECIPES_ERR_BUFFER_TOO_SMALL,
            format!("the buffer needs {needed} bytes, got {given}"),
            None,
        ),
    }
}

fn record(status: recipes_status, message: String, utf8_range: Option<(u64, u64)>) -> recipes_status {
    // A message with a NUL inside would be cut short in C: show it escaped instead.
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // try_with: during thread shutdown the thread-local may already be gone; then the status
    // code alone has to do.
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = LastError { message, utf8_range: utf8_range.unwrap_or((0, 0)) };
        }
    });
    status
}
// --8<-- [end:boundary]

/// A required out-parameter, or `Failure::NullPointer`.
fn out_param<T>(ptr: *mut T, name: &'static str) -> Result<*mut T, Failure> {
    if ptr.is_null() { Err(Failure::NullPointer(name)) } else { Ok(ptr) }
}

/// Borrow a caller's array as a slice for the duration of the call.
///
/// # Safety
/// Unless `len` is 0, `data` must point to `len` initialised, aligned `T`s that stay valid and
/// unchanged during the call. With `len` 0 it may be anything, NULL included (C callers pass
/// NULL for empty arrays, and `slice::from_raw_parts` forbids NULL even then).
unsafe fn borrowed_slice<'a, T>(data: *const T, len: usize, name: &'static str) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(Failure::NullPointer(name));
    }
    // SAFETY: non-NULL and, by this function's contract, valid for `len` elements.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// Borrow a caller's output array, possibly uninitialised, for the duration of the call.
///
/// # Safety
/// Unless `len` is 0, `data` must be aligned and valid for `len` writes, and nothing else may
/// access it during the call. With `len` 0 it may be anything, NULL included.
unsafe fn borrowed_out_slice<'a, T>(
    data: *mut T,
    len: usize,
    name: &'static str,
) -> Result<&'a mut [MaybeUninit<T>], Failure> {
    if len == 0 {
        return Ok(&mut []);
    }
    if data.is_null() {
        return Err(Failure::NullPointer(name));
    }
    // SAFETY: non-NULL and, by this function's contract, valid for `len` writes. MaybeUninit:
    // the memory may be fresh from an allocator (numpy.empty), so it is never read as f64.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<MaybeUninit<T>>(), len) })
}

// --8<-- [start:errors]
#[unsafe(no_mangle)]
pub extern "C" fn recipes_last_error_message() -> *const c_char {
    // Cannot panic: try_with/try_borrow report problems as values. The pointer stays valid
    // until `record` replaces this thread's LastError, i.e. until the next failing call here.
    LAST_ERROR
        .try_with(|last| last.try_borrow().map(|last| last.message.as_ptr()).ok())
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
}

/// # Safety
/// `start` and `end` must each be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_last_utf8_error(start: *mut u64, end: *mut u64) {
    let (first, past) = LAST_ERROR
        .try_with(|last| last.try_borrow().map(|last| last.utf8_range).unwrap_or((0, 0)))
        .unwrap_or((0, 0));
    // SAFETY: the caller passes pointers valid for one write, or NULL, which we skip.
    unsafe {
        if !start.is_null() {
            start.write(first);
        }
        if !end.is_null() {
            end.write(past);
        }
    }
}
// --8<-- [end:errors]

// --8<-- [start:bind_stop_hook]
/// The caller's "should I stop?" hook (a C function pointer and its context) as the Rust
/// closure the core takes. No hook (NULL) means never stop.
///
/// # Safety
/// `should_stop`, if not NULL, must be safe to call with `context` whenever the closure runs.
unsafe fn stop_hook(should_stop: recipes_stop_hook, context: *mut c_void) -> impl FnMut() -> bool {
    // SAFETY: the caller's promise; the hook returns normally (the header forbids unwinding).
    move || should_stop.is_some_and(|hook| unsafe { hook(context) } != 0)
}

/// # Safety
/// `context` must be NULL or point to an aligned int32_t that stays valid during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_stop_flag(context: *mut c_void) -> i32 {
    if context.is_null() {
        return 0;
    }
    // SAFETY: aligned and valid (caller's promise). An atomic load, because another thread may
    // store to the flag meanwhile; a relaxed one, because the flag orders nothing else.
    let flag = unsafe { AtomicI32::from_ptr(context.cast::<i32>()) };
    i32::from(flag.load(Relaxed) != 0)
}
// --8<-- [end:bind_stop_hook]

// --8<-- [start:bind_fib]
/// # Safety
/// `result` must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_fib(n: i64, result: *mut u64) -> recipes_status {
    boundary(|| {
        let result = out_param(result, "result")?;
        let value = core::fib(n)?;
        // SAFETY: non-NULL, and the caller promises it is valid for a write.
        unsafe { result.write(value) };
        Ok(())
    })
}

/// # Safety
/// `result` must be NULL or valid for one write; `should_stop` as for [`stop_hook`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_fib_recursive(
    n: i64,
    should_stop: recipes_stop_hook,
    context: *mut c_void,
    result: *mut u64,
) -> recipes_status {
    boundary(|| {
        let result = out_param(result, "result")?;
        // SAFETY: the caller's promise about the hook.
        let value = core::fib_recursive(n, unsafe { stop_hook(should_stop, context) })?;
        // SAFETY: as in recipes_fib.
        unsafe { result.write(value) };
        Ok(())
    })
}
// --8<-- [end:bind_fib]

// --8<-- [start:bind_calc_pi]
/// # Safety
/// `buffer` must be valid for `buffer_size` bytes of writes (or NULL with `buffer_size` 0);
/// `length` must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_calc_pi(
    digits: i64,
    buffer: *mut c_char,
    buffer_size: usize,
    length: *mut usize,
) -> recipes_status {
    boundary(|| {
        let length = out_param(length, "length")?;
        // Check the argument and the buffer before the expensive part.
        let text_len = core::calc_pi_len(digits)?;
        // SAFETY: non-NULL and valid for a write (caller's promise).
        unsafe { length.write(text_len) };
        let needed = text_len + 1; // the text and its NUL
        if buffer_size < needed {
            return Err(Failure::BufferTooSmall { needed, given: buffer_size });
        }
        if buffer.is_null() {
            return Err(Failure::NullPointer("buffer"));
        }
        let text = core::calc_pi(digits)?;
        // SAFETY: the buffer holds at least `needed` = text.len() + 1 bytes (checked above),
        // and a fresh String cannot overlap the caller's memory. We write through the raw
        // pointer instead of making a `&mut [u8]`: the caller's buffer may be uninitialised.
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), buffer.cast::<u8>(), text.len());
            buffer.add(text.len()).write(0);
        }
        Ok(())
    })
}
// --8<-- [end:bind_calc_pi]

// --8<-- [start:bind_linear_recurrence]
/// What a `recipes_linear_recurrence *` really points to. The Mutex makes one handle safe to
/// share between threads, whatever the caller does: Python's cffi and ctypes release the GIL
/// during the call, so eight Python threads calling next() on one iterator really do run
/// this concurrently. Uncontended, the lock is a single atomic operation.
type Handle = Mutex<core::LinearRecurrence>;

/// Handles and word arrays handed out and not yet freed, for leak tests (recipes_debug_*).
static LIVE_HANDLES: AtomicU64 = AtomicU64::new(0);
static LIVE_WORD_ARRAYS: AtomicU64 = AtomicU64::new(0);

/// # Safety
/// Each array must be valid for its count of reads (or anything, NULL included, if the count
/// is 0); `handle` must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_linear_recurrence_new(
    coefficients: *const i64,
    n_coefficients: usize,
    initial: *const i64,
    n_initial: usize,
    handle: *mut *mut recipes_linear_recurrence,
) -> recipes_status {
    boundary(|| {
        let handle = out_param(handle, "handle")?;
        // SAFETY: the caller's promise about the arrays, checked for NULL by borrowed_slice.
        let coefficients = unsafe { borrowed_slice(coefficients, n_coefficients, "coefficients")? };
        let initial = unsafe { borrowed_slice(initial, n_initial, "initial")? };
        let recurrence = core::LinearRecurrence::new(coefficients, initial)?;
        // Box::into_raw hands ownership to the caller; recipes_linear_recurrence_free takes it
        // back. The C side sees only an opaque pointer type that bindgen made from the header.
        let raw = Box::into_raw(Box::new(Handle::new(recurrence)));
        LIVE_HANDLES.fetch_add(1, Relaxed);
        // SAFETY: non-NULL and valid for a write (caller's promise).
        unsafe { handle.write(raw.cast::<recipes_linear_recurrence>()) };
        Ok(())
    })
}

/// # Safety
/// `handle` must come from recipes_linear_recurrence_new and not be freed yet; `term` must be
/// NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_linear_recurrence_next(
    handle: *mut recipes_linear_recurrence,
    term: *mut i64,
) -> recipes_status {
    boundary(|| {
        let term = out_param(term, "term")?;
        // SAFETY: a live handle is a Box<Handle> that we created; shared access is fine
        // because all mutation goes through the Mutex.
        let handle = unsafe { handle.cast::<Handle>().as_ref() }.ok_or(Failure::NullPointer("handle"))?;
        // A lock is poisoned only if a panic happened while it was held; that panic was
        // caught and reported already, and the iterator's state is still a valid one.
        let value = handle.lock().unwrap_or_else(PoisonError::into_inner).next_term()?;
        // SAFETY: non-NULL and valid for a write (caller's promise).
        unsafe { term.write(value) };
        Ok(())
    })
}

/// # Safety
/// `handle` must be NULL, or come from recipes_linear_recurrence_new, not be freed yet, and
/// not be in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_linear_recurrence_free(handle: *mut recipes_linear_recurrence) {
    if handle.is_null() {
        return;
    }
    // SAFETY: the caller gives back ownership of a Box<Handle> made by Box::into_raw.
    let handle = unsafe { Box::from_raw(handle.cast::<Handle>()) };
    // Dropping a Vec and a VecDeque cannot panic; catch anyway, since this runs in a finaliser.
    let _ = catch_unwind(AssertUnwindSafe(|| drop(handle)));
    LIVE_HANDLES.fetch_sub(1, Relaxed);
}
// --8<-- [end:bind_linear_recurrence]

// --8<-- [start:bind_most_common]
/// # Safety
/// `path` must be valid for `path_len` bytes of reads (or anything if `path_len` is 0);
/// `words` and `n_words` must be NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_most_common(
    path: *const c_char,
    path_len: usize,
    n: i64,
    threads: i64,
    words: *mut *mut recipes_word_count,
    n_words: *mut usize,
) -> recipes_status {
    boundary(|| {
        let words = out_param(words, "words")?;
        let n_words = out_param(n_words, "n_words")?;
        // n, then threads, as the header promises: both are reported whatever the path.
        let limit = core::most_common_limit(n)?;
        let threads = core::most_common_threads(threads)?;
        // SAFETY: the caller's promise about `path`.
        let path = path_from_bytes(unsafe { borrowed_slice(path.cast::<u8>(), path_len, "path")? })?;
        let top = core::most_common(path, limit, threads)?;
        let (array, len) = export_word_counts(&top);
        // SAFETY: both non-NULL and valid for a write (caller's promise).
        unsafe {
            words.write(array);
            n_words.write(len);
        }
        Ok(())
    })
}

/// The path's bytes as the OS wants them. Python passes `os.fsencode(path)`, and the bytes
/// are not NUL-terminated, so a NUL inside is data: refuse it as `open()` does, before the OS
/// would silently stop reading the name there.
fn path_from_bytes(bytes: &[u8]) -> Result<&Path, Failure> {
    if bytes.contains(&0) {
        return Err(core::Error::Value("embedded null byte".to_owned()).into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        // Windows: os.fsencode gives UTF-8 (PEP 529).
        std::str::from_utf8(bytes)
            .map(Path::new)
            .map_err(|_| core::Error::Value("path is not valid UTF-8".to_owned()).into())
    }
}

/// Moves the result into memory the caller owns until recipes_word_counts_free: one array of
/// entries and one block with all the words back to back, each entry pointing into it. Two
/// allocations however many words, and the free function can find both from the array alone.
fn export_word_counts(top: &[(String, u64)]) -> (*mut recipes_word_count, usize) {
    if top.is_empty() {
        return (ptr::null_mut(), 0);
    }
    let text: Box<[u8]> = top.iter().flat_map(|(word, _)| word.bytes()).collect();
    // Box::into_raw: from here on, only recipes_word_counts_free may release this block.
    let base = Box::into_raw(text).cast::<u8>();
    let mut offset = 0;
    let entries: Box<[recipes_word_count]> = top
        .iter()
        .map(|(word, count)| {
            // SAFETY: offset + word.len() <= total length of the block: in bounds.
            let start = unsafe { base.add(offset) };
            offset += word.len();
            recipes_word_count { word: start.cast::<c_char>(), word_len: word.len(), count: *count }
        })
        .collect();
    LIVE_WORD_ARRAYS.fetch_add(1, Relaxed);
    (Box::into_raw(entries).cast::<recipes_word_count>(), top.len())
}

/// # Safety
/// `words` must be NULL, or exactly what recipes_most_common returned together with `n_words`,
/// not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_word_counts_free(words: *mut recipes_word_count, n_words: usize) {
    if words.is_null() || n_words == 0 {
        return;
    }
    // SAFETY: rebuilds the two boxes export_word_counts leaked: the entry array of n_words,
    // and the text block, which starts at the first word and is as long as all words together
    // (every word is non-empty, so the first entry points at the block's start).
    unsafe {
        let entries = Box::from_raw(ptr::slice_from_raw_parts_mut(words, n_words));
        let text_len = entries.iter().map(|entry| entry.word_len).sum();
        let text = Box::from_raw(ptr::slice_from_raw_parts_mut(entries[0].word.cast_mut().cast::<u8>(), text_len));
        drop(text);
        drop(entries);
    }
    LIVE_WORD_ARRAYS.fetch_sub(1, Relaxed);
}
// --8<-- [end:bind_most_common]

// --8<-- [start:bind_ewma]
/// # Safety
/// Unless `length` is 0: the `length` doubles at `values`, `values + stride`, ... must be
/// readable (aligned or not) and not written by anyone during the call, and `out` must be
/// aligned, valid for `length` writes and not overlap them. Neither pointer is kept: both are
/// borrowed for the duration of the call only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_ewma(
    values: *const f64,
    length: usize,
    stride: isize,
    alpha: f64,
    out: *mut f64,
) -> recipes_status {
    boundary(|| {
        if length > 0 && values.is_null() {
            return Err(Failure::NullPointer("values"));
        }
        // SAFETY: the caller's promise about `out`, checked for NULL by borrowed_out_slice.
        let out = unsafe { borrowed_out_slice(out, length, "out")? };
        // SAFETY: the caller's promise about `values`; the reader lives only inside this call.
        let values = unsafe { strided_doubles(values, length, stride) };
        core::ewma(values, alpha, out)?; // checks alpha before it reads or writes anything
        Ok(())
    })
}

/// The doubles at `values`, `values + stride`, `values + 2 * stride`, ... (`length` of them),
/// in that order: what the header's (pointer, length, stride) means, as an iterator that the
/// core can read without knowing about memory layouts.
///
/// Raw pointer reads, not a slice: a slice would claim the memory *between* the elements
/// too (a NumPy column skips the other columns) and would need `values` to be the lowest
/// address, which it is not for a negative stride. `read_unaligned`, because a Python buffer
/// may start at any address (see the header); on x86-64 it compiles to the same `movsd` as
/// an aligned read.
///
/// # Safety
/// Each of the `length` addresses must be valid for reading 8 bytes while the iterator is used.
unsafe fn strided_doubles(values: *const f64, length: usize, stride: isize) -> impl Iterator<Item = f64> {
    // `wrapping_offset` only computes an address, which is safe; i * stride cannot overflow
    // for memory that really exists. SAFETY: the read is where the caller's promise is needed.
    (0..length).map(move |i| unsafe { values.wrapping_offset(i as isize * stride).read_unaligned() })
}
// --8<-- [end:bind_ewma]

// --8<-- [start:bind_integrate]
/// # Safety
/// `f` must be safe to call with `context` during the call, and return normally (no longjmp,
/// no C++ exception: unwinding through Rust is undefined behaviour); `should_stop` as for
/// [`stop_hook`]; `result` must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recipes_integrate(
    f: recipes_integrand,
    context: *mut c_void,
    a: f64,
    b: f64,
    n: i64,
    should_stop: recipes_stop_hook,
    stop_context: *mut c_void,
    result: *mut f64,
) -> recipes_status {
    boundary(|| {
        let result = out_param(result, "result")?;
        let f = f.ok_or(Failure::NullPointer("f"))?; // bindgen: a C function pointer is an Option
        // SAFETY: the caller's promise about the hook.
        let mut should_stop = unsafe { stop_hook(should_stop, stop_context) };
        // The core's callback: one call of f, then the question. The error type is the core's
        // own Error, so "stop" travels out of the loop as Error::Stopped, like n < 1 does.
        let point = |x| {
            // SAFETY: the caller's promise about f and its context.
            let y = unsafe { f(x, context) };
            if should_stop() { Err(core::Error::Stopped) } else { Ok(y) }
        };
        let value = core::integrate(point, a, b, n)?;
        // SAFETY: non-NULL and valid for a write (caller's promise).
        unsafe { result.write(value) };
        Ok(())
    })
}

// The C library's sin: the very function CPython's math.sin calls, so a native integrand
// and math.sin give the same bits. (Rust's f64::sin does not promise which implementation
// it uses, nor the same result everywhere.)
unsafe extern "C" {
    safe fn sin(x: f64) -> f64;
}

#[unsafe(no_mangle)]
pub extern "C" fn recipes_integrand_sin(x: f64, _context: *mut c_void) -> f64 {
    sin(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn recipes_integrand_square(x: f64, _context: *mut c_void) -> f64 {
    x * x
}
// --8<-- [end:bind_integrate]

// --8<-- [start:ffi_debug]
#[unsafe(no_mangle)]
pub extern "C" fn recipes_debug_live_handles() -> u64 {
    LIVE_HANDLES.load(Relaxed) // an atomic load cannot panic
}

#[unsafe(no_mangle)]
pub extern "C" fn recipes_debug_live_word_arrays() -> u64 {
    LIVE_WORD_ARRAYS.load(Relaxed)
}

#[unsafe(no_mangle)]
pub extern "C" fn recipes_debug_panic() -> recipes_status {
    boundary(|| panic!("recipes_debug_panic() panics on purpose"))
}
// --8<-- [end:ffi_debug]

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last_message() -> String {
        // SAFETY: the library always returns a valid NUL-terminated string.
        unsafe { CStr::from_ptr(recipes_last_error_message()) }.to_string_lossy().into_owned()
    }

    #[test]
    fn every_header_function_is_checked() {
        // The header's function names, as bindgen wrote them (`pub fn name(`).
        let generated = include_str!(concat!(env!("OUT_DIR"), "/recipes_h.rs"));
        let declared: Vec<&str> = generated
            .split("pub fn ")
            .skip(1)
            .filter_map(|rest| rest.split(|c: char| c == '(' || c.is_whitespace()).next())
            .collect();
        assert_eq!(declared.len(), CHECKED_AGAINST_HEADER.len(), "{declared:?}");
        for name in declared {
            assert!(CHECKED_AGAINST_HEADER.contains(&name), "{name} is not in matches_header!");
        }
    }

    #[test]
    fn status_codes_and_out_parameters() {
        let mut value = 0u64;
        unsafe {
            assert_eq!(recipes_fib(90, &mut value), header::RECIPES_OK);
            assert_eq!(value, 2880067194370816120);
            assert_eq!(recipes_fib(-1, &mut value), header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "fib() argument must be >= 0");
            let too_big = i64::from(header::RECIPES_FIB_MAX_N) + 1;
            let status = recipes_fib_recursive(too_big, None, ptr::null_mut(), &mut value);
            assert_eq!(status, header::RECIPES_ERR_OVERFLOW);
            assert_eq!(recipes_fib(1, ptr::null_mut()), header::RECIPES_ERR_NULL_POINTER);
        }
    }

    #[test]
    fn calc_pi_asks_for_the_size_then_fills_the_buffer() {
        let mut len = 0usize;
        unsafe {
            let status = recipes_calc_pi(4, ptr::null_mut(), 0, &mut len);
            assert_eq!((status, len), (header::RECIPES_ERR_BUFFER_TOO_SMALL, 6));
            let mut buffer = vec![0 as c_char; len + 1];
            let status = recipes_calc_pi(4, buffer.as_mut_ptr(), buffer.len(), &mut len);
            assert_eq!(status, header::RECIPES_OK);
            assert_eq!(CStr::from_ptr(buffer.as_ptr()).to_str().unwrap(), "3.1415");
            let too_many = i64::from(header::RECIPES_PI_MAX_DIGITS) + 1;
            assert_eq!(recipes_calc_pi(too_many, ptr::null_mut(), 0, &mut len), header::RECIPES_ERR_VALUE);
        }
    }

    #[test]
    fn handles_work_and_are_freed() {
        let coefficients = [1i64, 1];
        let initial = [0i64, 1];
        let mut handle = ptr::null_mut();
        let mut term = 0i64;
        unsafe {
            let status = recipes_linear_recurrence_new(coefficients.as_ptr(), 2, initial.as_ptr(), 2, &mut handle);
            assert_eq!(status, header::RECIPES_OK);
            let terms: Vec<i64> = (0..5)
                .map(|_| {
                    assert_eq!(recipes_linear_recurrence_next(handle, &mut term), header::RECIPES_OK);
                    term
                })
                .collect();
            assert_eq!(terms, [0, 1, 1, 2, 3]);
            recipes_linear_recurrence_free(handle);
            let status = recipes_linear_recurrence_new(ptr::null(), 0, ptr::null(), 0, &mut handle);
            assert_eq!(status, header::RECIPES_ERR_VALUE);
        }
    }

    #[test]
    fn most_common_errors_carry_errno_and_utf8_offsets() {
        let mut words = ptr::null_mut();
        let mut n_words = 0usize;
        let missing = b"/no/such/file";
        unsafe {
            let status = recipes_most_common(missing.as_ptr().cast(), missing.len(), 1, 1, &mut words, &mut n_words);
            assert_eq!(status, header::RECIPES_ERR_OS);
            assert_eq!(errno::errno().0, 2); // ENOENT
            let with_nul = b"a\0b";
            let status = recipes_most_common(with_nul.as_ptr().cast(), with_nul.len(), 1, 1, &mut words, &mut n_words);
            assert_eq!(status, header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "embedded null byte");
            // n is checked before the path: a bad n with a bad path reports the n.
            let status = recipes_most_common(with_nul.as_ptr().cast(), with_nul.len(), -1, 1, &mut words, &mut n_words);
            assert_eq!(status, header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "most_common() n must be >= 0");
            // then threads, still before the path.
            let status = recipes_most_common(with_nul.as_ptr().cast(), with_nul.len(), 1, 0, &mut words, &mut n_words);
            assert_eq!(status, header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "most_common() threads must be >= 1");

            let path = std::env::temp_dir().join(format!("recipes-ffi-{}", std::process::id()));
            std::fs::write(&path, b"one two two \xff").unwrap();
            let bytes = path.to_str().unwrap().as_bytes();
            let status = recipes_most_common(bytes.as_ptr().cast(), bytes.len(), 5, 1, &mut words, &mut n_words);
            assert_eq!(status, header::RECIPES_ERR_UTF8);
            let (mut start, mut end) = (0u64, 0u64);
            recipes_last_utf8_error(&mut start, &mut end);
            assert_eq!((start, end), (12, 13));

            std::fs::write(&path, b"one two two").unwrap();
            let status = recipes_most_common(bytes.as_ptr().cast(), bytes.len(), 5, 1, &mut words, &mut n_words);
            assert_eq!((status, n_words), (header::RECIPES_OK, 2));
            let first = &*words;
            let word = std::slice::from_raw_parts(first.word.cast::<u8>(), first.word_len);
            assert_eq!((word, first.count), (&b"two"[..], 2));
            recipes_word_counts_free(words, n_words);
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn ewma_reads_strides_in_logical_order() {
        let memory = [1.0, 10.0, 3.0, 30.0, 5.0, 50.0, 7.0];
        let mut out = [0.0f64; 4];
        unsafe {
            // every other element, forwards: 1, 3, 5, 7
            assert_eq!(recipes_ewma(memory.as_ptr(), 4, 2, 0.5, out.as_mut_ptr()), header::RECIPES_OK);
            assert_eq!(out, [1.0, 2.0, 3.5, 5.25]);
            // backwards from the last element: 7, 5, 3, 1
            let last = memory.as_ptr().add(memory.len() - 1);
            assert_eq!(recipes_ewma(last, 4, -2, 0.5, out.as_mut_ptr()), header::RECIPES_OK);
            assert_eq!(out, [7.0, 6.0, 4.5, 2.75]);
            // stride 0: the first element, again and again
            assert_eq!(recipes_ewma(memory.as_ptr().add(2), 4, 0, 0.5, out.as_mut_ptr()), header::RECIPES_OK);
            assert_eq!(out, [3.0; 4]);
            // an odd address: the elements of a packed buffer, read with unaligned loads
            let mut bytes = [0u8; 1 + 2 * 8];
            bytes[1..9].copy_from_slice(&2.0f64.to_ne_bytes());
            bytes[9..].copy_from_slice(&4.0f64.to_ne_bytes());
            let odd = bytes.as_ptr().add(1).cast::<f64>();
            assert_eq!(recipes_ewma(odd, 2, 1, 0.5, out.as_mut_ptr()), header::RECIPES_OK);
            assert_eq!(out[..2], [2.0, 3.0]);
        }
    }

    #[test]
    fn ewma_refuses_a_bad_alpha_and_null_pointers() {
        let mut out = [9.0f64; 2];
        unsafe {
            let status = recipes_ewma([1.0, 2.0].as_ptr(), 2, 1, f64::NAN, out.as_mut_ptr());
            assert_eq!(status, header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "ewma() alpha must be > 0 and <= 1");
            assert_eq!(out, [9.0, 9.0]); // nothing written
            assert_eq!(recipes_ewma(ptr::null(), 0, 1, 0.5, ptr::null_mut()), header::RECIPES_OK);
            let status = recipes_ewma(ptr::null(), 2, 1, 0.5, out.as_mut_ptr());
            assert_eq!(status, header::RECIPES_ERR_NULL_POINTER);
            let status = recipes_ewma([1.0, 2.0].as_ptr(), 2, 1, 0.5, ptr::null_mut());
            assert_eq!(status, header::RECIPES_ERR_NULL_POINTER);
        }
    }

    unsafe extern "C" fn count_and_stop_at_three(context: *mut c_void) -> i32 {
        // SAFETY: the tests pass a pointer to a live u32.
        let asked = unsafe { &mut *context.cast::<u32>() };
        *asked += 1;
        i32::from(*asked == 3)
    }

    #[test]
    fn fib_recursive_asks_the_hook_and_stops() {
        let mut value = 0u64;
        let mut asked = 0u32;
        let asked_ptr = (&raw mut asked).cast::<c_void>();
        unsafe {
            assert_eq!(recipes_fib_recursive(30, Some(count_and_stop_at_three), asked_ptr, &mut value), header::RECIPES_OK);
            assert_eq!((value, asked), (832040, 1));
            let status = recipes_fib_recursive(60, Some(count_and_stop_at_three), asked_ptr, &mut value);
            assert_eq!((status, asked), (header::RECIPES_STOPPED, 3));
            assert_eq!(value, 832040); // not written
            assert_eq!(last_message(), "stopped by the caller's stop hook");
            let mut flag = 0i32;
            let flag_ptr = (&raw mut flag).cast::<c_void>();
            assert_eq!(recipes_fib_recursive(31, Some(recipes_stop_flag), flag_ptr, &mut value), header::RECIPES_OK);
            flag_ptr.cast::<i32>().write(1); // through the pointer the hook reads, as C would
            let status = recipes_fib_recursive(31, Some(recipes_stop_flag), flag_ptr, &mut value);
            assert_eq!(status, header::RECIPES_STOPPED);
            assert_eq!(recipes_stop_flag(ptr::null_mut()), 0);
        }
    }

    /// An integrand that counts its calls in its context, and sets a stop flag at the third.
    struct Counting {
        calls: u32,
        stop: i32,
    }

    unsafe extern "C" fn counting_square(x: f64, context: *mut c_void) -> f64 {
        // SAFETY: the tests pass a pointer to a live Counting.
        let state = unsafe { &mut *context.cast::<Counting>() };
        state.calls += 1;
        if state.calls == 3 {
            state.stop = 1;
        }
        x * x
    }

    #[test]
    fn integrate_calls_back_and_stops_on_the_flag() {
        let mut result = 0.0f64;
        let mut state = Counting { calls: 0, stop: 0 };
        let context = (&raw mut state).cast::<c_void>();
        unsafe {
            let status = recipes_integrate(Some(counting_square), context, 0.0, 1.0, 2, None, ptr::null_mut(), &mut result);
            assert_eq!((status, result, state.calls), (header::RECIPES_OK, 0.3125, 2));
            state.calls = 0;
            let stop = (&raw mut state.stop).cast::<c_void>();
            let status = recipes_integrate(Some(counting_square), context, 0.0, 1.0, 10, Some(recipes_stop_flag), stop, &mut result);
            assert_eq!((status, state.calls), (header::RECIPES_STOPPED, 3)); // f not called again
            assert_eq!(result, 0.3125); // not written
            let status = recipes_integrate(Some(counting_square), context, 0.0, 1.0, 0, None, ptr::null_mut(), &mut result);
            assert_eq!(status, header::RECIPES_ERR_VALUE);
            assert_eq!(last_message(), "integrate() n must be >= 1");
            let status = recipes_integrate(None, ptr::null_mut(), 0.0, 1.0, 1, None, ptr::null_mut(), &mut result);
            assert_eq!(status, header::RECIPES_ERR_NULL_POINTER);
        }
    }

    #[test]
    fn the_example_integrands() {
        let mut result = 0.0f64;
        unsafe {
            let status = recipes_integrate(Some(recipes_integrand_square), ptr::null_mut(), 0.0, 1.0, 4, None, ptr::null_mut(), &mut result);
            assert_eq!((status, result), (header::RECIPES_OK, 0.328125));
            let status = recipes_integrate(Some(recipes_integrand_sin), ptr::null_mut(), 0.0, 1.0, 1000, None, ptr::null_mut(), &mut result);
            assert_eq!(status, header::RECIPES_OK);
            assert!((result - (1.0 - 1f64.cos())).abs() < 1e-6);
        }
    }

    #[test]
    fn a_panic_becomes_a_status_code() {
        assert_eq!(recipes_debug_panic(), header::RECIPES_ERR_PANIC);
        assert!(last_message().contains("panics on purpose"));
    }
}
