//! The recipes in plain Rust. Nothing here knows about Python: this module compiles and is
//! tested (`cargo test --lib --no-default-features`) without PyO3 and without a Python
//! interpreter. The core owns every rule of the contract: the argument ranges, the limits
//! below and the error messages. The PyO3 layer in `binding.rs` converts arguments, maps
//! [`RecipeError`] to a Python exception and releases the GIL, nothing more.
//!
//! No function here may panic on any input: a panic that reaches Python becomes
//! `pyo3_runtime.PanicException`, which is not an `Exception` (see README). The property tests
//! at the bottom of this file call every function with edge inputs to hold us to that.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::path::Path;

/// The largest `n` for which F(n) fits in a `u64`: F(93) = 12200160415121876738 < 2**64.
pub const FIB_MAX_N: i64 = 93;
/// The most decimal places `calc_pi` computes (its working buffer grows with the square).
pub const PI_MAX_DIGITS: i64 = 10_000;
/// Extra digits the spigot computes so that its held digits (a predigit followed by
/// nines, which a later carry may still change) never reach the digits it returns.
pub const PI_GUARD_DIGITS: usize = 8;

// --8<-- [start:errors_core]
/// The contract's own errors: an argument outside a recipe's domain, or a result that
/// would not fit in 64 bits. The message (`Display`) is the contract's, word for word; it
/// never quotes the argument, so no caller needs to format an integer of any size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipeError {
    /// `fib(n)` or `fib_recursive(n)` with n < 0.
    NegativeFibArgument { function: &'static str },
    /// `fib(n)` or `fib_recursive(n)` with n > FIB_MAX_N.
    FibResultTooLarge { function: &'static str },
    /// `calc_pi(digits)` with digits outside 0..=PI_MAX_DIGITS.
    PiDigitsOutOfRange,
    /// `most_common(path, n)` with n < 0.
    NegativeWordCount,
    /// `most_common(path, n, threads=t)` with t < 1.
    NoThreads,
    /// `LinearRecurrence([], [])`: a recurrence needs an order of at least 1.
    NoCoefficients,
    /// One initial value is needed per coefficient.
    LengthMismatch { coefficients: usize, initial: usize },
    /// The next term (and so every later one) does not fit in an `i64`.
    NextTermOverflows,
    /// `ewma(values, alpha)` with alpha outside 0 < alpha <= 1, or NaN.
    AlphaOutOfRange,
    /// `integrate(f, a, b, n)` with n < 1.
    NoIntegrationSteps,
}

/// The two kinds of [`RecipeError`]: Python's `ValueError` and `OverflowError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The argument is outside the recipe's domain.
    Domain,
    /// The result would not fit in 64 bits.
    Overflow,
}

impl RecipeError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            RecipeError::FibResultTooLarge { .. } | RecipeError::NextTermOverflows => {
                ErrorKind::Overflow
            }
            RecipeError::NegativeFibArgument { .. }
            | RecipeError::PiDigitsOutOfRange
            | RecipeError::NegativeWordCount
            | RecipeError::NoThreads
            | RecipeError::NoCoefficients
            | RecipeError::LengthMismatch { .. }
            | RecipeError::AlphaOutOfRange
            | RecipeError::NoIntegrationSteps => ErrorKind::Domain,
        }
    }
}

impl fmt::Display for RecipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipeError::NegativeFibArgument { function } => {
                write!(f, "{function}() argument must be >= 0")
            }
            RecipeError::FibResultTooLarge { function } => write!(
                f,
                "{function}() argument must be <= {FIB_MAX_N}: the result would not fit in 64 bits"
            ),
            RecipeError::PiDigitsOutOfRange => {
                write!(f, "calc_pi() digits must be between 0 and {PI_MAX_DIGITS}")
            }
            RecipeError::NegativeWordCount => write!(f, "most_common() n must be >= 0"),
            RecipeError::NoThreads => write!(f, "most_common() threads must be >= 1"),
            RecipeError::NoCoefficients => {
                write!(f, "LinearRecurrence needs at least one coefficient")
            }
            RecipeError::LengthMismatch {
                coefficients,
                initial,
            } => write!(
                f,
                "LinearRecurrence needs as many initial values as coefficients \
                 (got {initial} for {coefficients})"
            ),
            RecipeError::NextTermOverflows => {
                write!(
                    f,
                    "the next term of this LinearRecurrence overflows signed 64 bits"
                )
            }
            RecipeError::AlphaOutOfRange => write!(f, "ewma() alpha must be > 0 and <= 1"),
            RecipeError::NoIntegrationSteps => write!(f, "integrate() n must be >= 1"),
        }
    }
}

impl std::error::Error for RecipeError {}
// --8<-- [end:errors_core]

/// The argument rules shared by `fib` and `fib_recursive`, in the contract's order:
/// negative is a domain error, above FIB_MAX_N the result would overflow.
fn fib_argument(function: &'static str, n: i64) -> Result<u64, RecipeError> {
    if n < 0 {
        return Err(RecipeError::NegativeFibArgument { function });
    }
    if n > FIB_MAX_N {
        return Err(RecipeError::FibResultTooLarge { function });
    }
    Ok(n.unsigned_abs()) // 0 <= n <= 93: the conversion is exact
}

// --8<-- [start:fib]
/// The n-th Fibonacci number, iteratively, in unsigned 64-bit arithmetic.
pub fn fib(n: i64) -> Result<u64, RecipeError> {
    let n = fib_argument("fib", n)?;
    if n == 0 {
        return Ok(0);
    }
    // The textbook loop `(a, b) = (b, a + b)` run n times also computes F(n+1), and F(94) does
    // not fit in a u64 (the recipe page on fib explains the pitfall). Running the loop n-1
    // times never computes anything beyond F(n).
    let (mut a, mut b) = (0u64, 1u64); // F(0), F(1)
    for _ in 1..n {
        (a, b) = (b, a + b);
    }
    Ok(b)
}
// --8<-- [end:fib]

// --8<-- [start:fib_recursive]
/// `fib_recursive` asks its "should I stop?" hook at every node with `n >=` this, and never
/// below. A subtree under the line is at most fib_recursive(29)'s work, a few milliseconds, so
/// a long call asks every few milliseconds, and `fib_recursive(30)` asks exactly once.
pub const INTERRUPT_CHECK_FROM_N: u64 = 30;

/// Why `fib_recursive` returned no number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FibRecursiveError {
    /// n is outside 0..=FIB_MAX_N: the contract's ValueError or OverflowError.
    Argument(RecipeError),
    /// The hook said stop. The core knows no more than that; the binding's hook kept the
    /// reason (the exception a signal handler raised).
    Interrupted,
}

/// The n-th Fibonacci number by the naive doubly recursive definition: exponential on purpose.
///
/// That makes a call long enough to need Ctrl-C, so the binding passes a `should_stop` hook (it
/// checks for pending signals), which the recursion calls at the nodes with
/// n >= INTERRUPT_CHECK_FROM_N. Once the hook returns true it is not called again: the
/// recursion unwinds with [`FibRecursiveError::Interrupted`].
pub fn fib_recursive(
    n: i64,
    mut should_stop: impl FnMut() -> bool,
) -> Result<u64, FibRecursiveError> {
    let n = fib_argument("fib_recursive", n).map_err(FibRecursiveError::Argument)?;
    interruptible_fib(n, &mut should_stop)
}

/// The top of the tree, where the hook is asked; below the line, the unchecked recursion.
fn interruptible_fib(
    n: u64,
    should_stop: &mut impl FnMut() -> bool,
) -> Result<u64, FibRecursiveError> {
    if n < INTERRUPT_CHECK_FROM_N {
        return Ok(naive_fib(n));
    }
    if should_stop() {
        return Err(FibRecursiveError::Interrupted);
    }
    Ok(interruptible_fib(n - 1, should_stop)? + interruptible_fib(n - 2, should_stop)?)
}

/// The recursion itself, as before the hook existed: no counter and no check per call, so it
/// runs exactly as fast. Called on its own for n = 60 it would run for hours, and nothing
/// could stop it but killing the process (the failure mode the hook exists for).
/// `n <= 93` (checked by the caller), so the sum is at most F(93) and cannot overflow.
fn naive_fib(n: u64) -> u64 {
    if n <= 1 {
        n
    } else {
        naive_fib(n - 1) + naive_fib(n - 2)
    }
}
// --8<-- [end:fib_recursive]

// --8<-- [start:linear_recurrence]
/// An iterator over a_0, a_1, ... with a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}.
///
/// `next()` returns `None` once the next term is not representable in `i64`, and keeps
/// returning `None` afterwards; `next_term` reports that as [`RecipeError::NextTermOverflows`].
#[derive(Debug, Clone)]
pub struct LinearRecurrence {
    coefficients: Vec<i64>,
    /// The terms known but not yet returned: a_n .. a_{n+k-1} while no overflow has happened,
    /// afterwards only the ones still to drain.
    window: VecDeque<i64>,
    overflowed: bool,
}

impl LinearRecurrence {
    /// Checks the shapes in the contract's order: no coefficients first, then lengths.
    pub fn new(coefficients: Vec<i64>, initial: Vec<i64>) -> Result<Self, RecipeError> {
        if coefficients.is_empty() {
            return Err(RecipeError::NoCoefficients);
        }
        if coefficients.len() != initial.len() {
            return Err(RecipeError::LengthMismatch {
                coefficients: coefficients.len(),
                initial: initial.len(),
            });
        }
        Ok(Self {
            coefficients,
            window: initial.into(),
            overflowed: false,
        })
    }

    /// The next term, or the contract's error once the sequence has overflowed.
    pub fn next_term(&mut self) -> Result<i64, RecipeError> {
        self.next().ok_or(RecipeError::NextTermOverflows)
    }

    /// The term after the window, evaluated left to right with every `*` and `+` checked;
    /// `None` if any step overflows.
    fn following_term(&self) -> Option<i64> {
        self.coefficients
            .iter()
            .zip(&self.window)
            .try_fold(0i64, |total, (&c, &a)| total.checked_add(c.checked_mul(a)?))
    }
}

impl Iterator for LinearRecurrence {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        if self.window.is_empty() {
            return None; // overflowed and drained: stay here for good
        }
        if !self.overflowed {
            match self.following_term() {
                Some(term) => self.window.push_back(term),
                // Not an error yet: the terms already in the window are still returned.
                None => self.overflowed = true,
            }
        }
        self.window.pop_front()
    }
}
// --8<-- [end:linear_recurrence]

// --8<-- [start:most_common]
// --8<-- [start:most_common_file]
/// Why `most_common` failed.
#[derive(Debug)]
pub enum MostCommonError {
    /// `n` was negative: checked before the file is opened.
    Argument(RecipeError),
    /// The path contains a NUL byte, which no OS path can (Python: `ValueError`, as `open()`).
    NulInPath,
    /// Opening or reading failed (Python: the `OSError` subclass for its errno).
    Io(io::Error),
    /// The file is not UTF-8 (Python: `UnicodeDecodeError`). The error owns the bytes
    /// (`.object`); `start` is the file position of the first invalid byte
    /// (`Utf8Error::valid_up_to`), `error_len` the length of its invalid sequence, `None` when
    /// the file ends inside a character (`Utf8Error::error_len`).
    InvalidUtf8 {
        bytes: Vec<u8>,
        start: usize,
        error_len: Option<usize>,
    },
}

impl fmt::Display for MostCommonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MostCommonError::Argument(err) => err.fmt(f),
            MostCommonError::NulInPath => f.write_str("embedded null byte"),
            MostCommonError::Io(err) => err.fmt(f),
            MostCommonError::InvalidUtf8 {
                start,
                error_len: Some(len),
                ..
            } => write!(f, "invalid utf-8 sequence of {len} bytes from index {start}"),
            MostCommonError::InvalidUtf8 { start, .. } => {
                write!(f, "incomplete utf-8 byte sequence from index {start}")
            }
        }
    }
}

impl std::error::Error for MostCommonError {}

impl From<io::Error> for MostCommonError {
    fn from(err: io::Error) -> Self {
        MostCommonError::Io(err)
    }
}

/// The most threads one `most_common` call counts with, whatever it asks for.
pub const MAX_WORD_THREADS: usize = 64;
/// Each thread gets at least this many bytes: below that, starting it costs more than it saves.
pub const MIN_BYTES_PER_THREAD: usize = 64 * 1024;

/// The `n` most common words of the UTF-8 file at `path` (all of them if `n` is larger),
/// counted with up to `threads` threads (`None`: every core). Checks `n`, `threads`, then the
/// file; the result never depends on `threads`.
pub fn most_common_in_file(
    path: &Path,
    n: i64,
    threads: Option<i64>,
) -> Result<Vec<(String, u64)>, MostCommonError> {
    let n = most_common_limit(n).map_err(MostCommonError::Argument)?;
    let threads = most_common_threads(threads).map_err(MostCommonError::Argument)?;
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(MostCommonError::NulInPath);
    }
    // One read into one buffer sized from the file's metadata; no per-line allocation.
    let bytes = std::fs::read(path)?;
    most_common_in_bytes_threaded(bytes, n, threads)
}

/// Checks `n`: negative is an error, anything larger than the address space means "all".
/// Public so that the binding can check `n` before it even converts `threads`.
pub fn most_common_limit(n: i64) -> Result<usize, RecipeError> {
    if n < 0 {
        return Err(RecipeError::NegativeWordCount);
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Checks `threads`: below 1 is an error, `None` means what the OS lets this process use
/// (affinity masks and cgroup quotas included; 1 if it cannot tell).
pub fn most_common_threads(threads: Option<i64>) -> Result<usize, RecipeError> {
    match threads {
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        Some(t) if t < 1 => Err(RecipeError::NoThreads),
        Some(t) => Ok(usize::try_from(t).unwrap_or(usize::MAX)),
    }
}

/// One thread: validates the whole buffer as UTF-8 (taking ownership, so the error can hand
/// the bytes to `UnicodeDecodeError` without a copy), lowercases it in place and counts.
pub fn most_common_in_bytes(
    bytes: Vec<u8>,
    n: usize,
) -> Result<Vec<(String, u64)>, MostCommonError> {
    most_common_in_bytes_threaded(bytes, n, 1)
}
// --8<-- [end:most_common_file]

// --8<-- [start:most_common_chunks]
/// Where each chunk ends, for `parts` chunks of about equal size. A chunk ends just after an
/// ASCII whitespace byte (the last one at the end of the text), so no word and no UTF-8
/// sequence straddles two chunks, and a truncated sequence before the split is followed by the
/// same whitespace byte in its chunk as in the whole text: validating the chunk reports it
/// exactly as validating the whole text would.
fn chunk_ends(text: &[u8], parts: usize) -> Vec<usize> {
    let len = text.len();
    let mut ends = Vec::with_capacity(parts);
    let mut start = 0;
    for i in 1..parts {
        // i * len / parts without overflow (parts <= MAX_WORD_THREADS).
        let target = (len / parts) * i + (len % parts) * i / parts;
        let from = target.max(start);
        match text[from..]
            .iter()
            .position(|&byte| is_python_bytes_whitespace(char::from(byte)))
        {
            Some(offset) => {
                start = from + offset + 1;
                ends.push(start);
            }
            None => break, // no whitespace left: the rest is one chunk
        }
    }
    if start < len || ends.is_empty() {
        ends.push(len);
    }
    ends
}
// --8<-- [end:most_common_chunks]

// --8<-- [start:most_common_count]
/// Word counts; the keys borrow from the text. foldhash is a fast seeded hasher; std's default
/// SipHash is DoS-resistant but several times slower on short keys.
type Counts<'a> = HashMap<&'a str, u64, foldhash::fast::RandomState>;

/// Validates, lowercases and counts one chunk that starts at `offset` in the file. On invalid
/// UTF-8: the file position of the first bad byte and the length of its sequence.
fn count_chunk(chunk: &mut [u8], offset: usize) -> Result<Counts<'_>, (usize, Option<usize>)> {
    let text = std::str::from_utf8_mut(chunk)
        .map_err(|e| (offset + e.valid_up_to(), e.error_len()))?;
    // ASCII-only lowercasing, as Python's bytes.lower(): 'A'-'Z' only, in place, no allocation.
    text.make_ascii_lowercase();
    Ok(count_words(text))
}

/// Counts the words of an already lowercased text: keys borrow from `text`, so counting
/// allocates nothing per word.
fn count_words(text: &str) -> Counts<'_> {
    let mut counts = Counts::default();
    for word in text
        .split(is_python_bytes_whitespace)
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}
// --8<-- [end:most_common_count]

// --8<-- [start:most_common_parallel]
/// The `n` most common words of `bytes`, which must be UTF-8, counted with up to `threads`
/// threads of rayon's global pool. The result never depends on `threads`.
pub fn most_common_in_bytes_threaded(
    mut bytes: Vec<u8>,
    n: usize,
    threads: usize,
) -> Result<Vec<(String, u64)>, MostCommonError> {
    // Fewer threads than asked for a small file, and never more than MAX_WORD_THREADS.
    let parts = threads
        .min(MAX_WORD_THREADS)
        .min(bytes.len() / MIN_BYTES_PER_THREAD)
        .max(1);
    let ends = chunk_ends(&bytes, parts);
    let counted: Vec<Result<Counts<'_>, (usize, Option<usize>)>> = if ends.len() == 1 {
        vec![count_chunk(&mut bytes, 0)] // one chunk: no pool, no hand-off
    } else {
        // Disjoint &mut chunks: each task owns its bytes, so the borrow checker proves there
        // is no data race, with no lock and no copy.
        let mut chunks = Vec::with_capacity(ends.len());
        let mut rest: &mut [u8] = &mut bytes;
        let mut offset = 0;
        for &end in &ends {
            let (chunk, tail) = rest.split_at_mut(end - offset);
            chunks.push((chunk, offset));
            rest = tail;
            offset = end;
        }
        use rayon::prelude::*;
        // rayon's global pool (one thread per core, started once per process) runs the
        // chunks; `collect` keeps them in file order whatever order they finish in.
        chunks
            .into_par_iter()
            .map(|(chunk, offset)| count_chunk(chunk, offset))
            .collect()
    };
    // The earliest chunk with invalid UTF-8 holds the first bad byte of the whole file.
    let mut maps = Vec::with_capacity(counted.len());
    for result in counted {
        match result {
            Ok(counts) => maps.push(counts),
            Err((start, error_len)) => {
                return Err(MostCommonError::InvalidUtf8 {
                    bytes,
                    start,
                    error_len,
                });
            }
        }
    }
    // Merge into the largest map, so the fewest entries move.
    maps.sort_unstable_by_key(|counts| std::cmp::Reverse(counts.len()));
    let mut maps = maps.into_iter();
    let mut counts = maps.next().unwrap_or_default();
    for other in maps {
        for (word, count) in other {
            *counts.entry(word).or_insert(0) += count;
        }
    }
    Ok(rank(counts, n))
}
// --8<-- [end:most_common_parallel]

// --8<-- [start:most_common_rank]
/// What `bytes.split()` splits on: ASCII whitespace including \x0b (vertical tab). Rust's own
/// `char::is_ascii_whitespace` leaves \x0b out, so it would disagree with Python.
fn is_python_bytes_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Counts the words of an already lowercased text; ranks by count descending, then by word
/// (byte order of UTF-8 = code point order).
pub fn most_common_words(text: &str, n: usize) -> Vec<(String, u64)> {
    rank(count_words(text), n)
}

/// The `n` first words by count descending, then by word (byte order of UTF-8 = code point
/// order).
fn rank(counts: Counts<'_>, n: usize) -> Vec<(String, u64)> {
    let mut ranked: Vec<(&str, u64)> = counts.into_iter().collect();
    let by_rank = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
    if n == 0 {
        return Vec::new();
    }
    if n < ranked.len() {
        // Only the first n need sorting: partition around the n-th, then sort that prefix.
        ranked.select_nth_unstable_by(n - 1, by_rank);
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(by_rank); // words are unique, so unstable is deterministic
    // Only the n returned words are copied out of the buffer.
    ranked
        .into_iter()
        .map(|(word, count)| (word.to_owned(), count))
        .collect()
}
// --8<-- [end:most_common_rank]
// --8<-- [end:most_common]

// --8<-- [start:calc_pi]
/// Pi truncated to `digits` decimal places, by the Rabinowitz–Wagon spigot (base 10), a
/// literal translation of the Python reference so every chapter does the same work.
pub fn calc_pi(digits: i64) -> Result<String, RecipeError> {
    if !(0..=PI_MAX_DIGITS).contains(&digits) {
        return Err(RecipeError::PiDigitsOutOfRange);
    }
    let digits = usize::try_from(digits).unwrap_or(0); // 0..=10000, checked above
    let n = digits + 1 + PI_GUARD_DIGITS; // digits to produce, including the "3"
    let size = 10 * n / 3 + 1;
    // All values stay below ~2 million; u64 leaves a wide margin.
    let mut a = vec![2u64; size];
    let mut out: Vec<u8> = Vec::with_capacity(n + 1);
    let (mut predigit, mut nines) = (0u8, 0usize);
    for _ in 0..n {
        let mut q = 0u64;
        // i = size .. 1 paired with a[i-1]; zipping iterators avoids a bounds check per step.
        for (slot, i) in a.iter_mut().rev().zip((1..=size as u64).rev()) {
            let x = 10 * *slot + q * i;
            *slot = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        if q == 9 {
            nines += 1;
        } else if q == 10 {
            out.push(predigit + 1);
            out.extend(std::iter::repeat_n(0, nines));
            (predigit, nines) = (0, 0);
        } else {
            out.push(predigit);
            out.extend(std::iter::repeat_n(9, nines));
            (predigit, nines) = (q as u8, 0);
        }
    }
    out.push(predigit);
    out.extend(std::iter::repeat_n(9, nines));
    // out[0] is the spigot's leading 0 and out[1] the 3. skip/take instead of slicing: the
    // length is always right, but an iterator cannot panic if it were not.
    let mut shown = String::with_capacity(digits + 2);
    for (position, digit) in out.iter().skip(1).take(digits + 1).enumerate() {
        if position == 1 {
            shown.push('.');
        }
        shown.push(char::from(b'0' + digit % 10));
    }
    Ok(shown)
}
// --8<-- [end:calc_pi]

// --8<-- [start:ewma]
/// The exponentially weighted moving average of a series, as a new `Vec`:
/// `y[0] = x[0]`, then `y[i] = alpha * x[i] + (1 - alpha) * y[i - 1]`.
///
/// `values` is any iterator of `f64`, so the caller decides how the series is laid out: a
/// slice, every other element, a reversed view, or the ndarray view of a NumPy array that the
/// binding reads in place. The result is a `Vec` because the binding hands it to NumPy as the
/// array's memory. The core owns the contract's rule on `alpha`, 0 < alpha <= 1.
pub fn ewma(values: impl IntoIterator<Item = f64>, alpha: f64) -> Result<Vec<f64>, RecipeError> {
    let in_range = alpha > 0.0 && alpha <= 1.0; // NaN fails both comparisons
    if !in_range {
        return Err(RecipeError::AlphaOutOfRange);
    }
    let beta = 1.0 - alpha; // computed once, as the contract says
    let mut values = values.into_iter();
    // Filled by pushing, not allocated zeroed and then overwritten: one pass over the memory.
    let mut smoothed = Vec::with_capacity(values.size_hint().0);
    if let Some(first) = values.next() {
        let mut previous = first;
        smoothed.push(first);
        smoothed.extend(values.map(|x| {
            // Each product is rounded, then the sum: Rust never fuses a `*` and a `+` into one
            // fused multiply-add by itself (its `*` and `+` are the IEEE 754 operations, RFC
            // 3514; `f64::mul_add` is how one asks for a fused one). So no compiler flag is
            // needed where C needs -ffp-contract=off, and the bits match the reference's.
            previous = alpha * x + beta * previous;
            previous
        }));
    }
    Ok(smoothed)
}
// --8<-- [end:ewma]

// --8<-- [start:integrate]
/// Why `integrate` returned no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrateError<E> {
    /// n < 1: the contract's ValueError.
    Argument(RecipeError),
    /// The callback failed, and this is its own error, handed back untouched. In the binding
    /// `E` is a `PyErr`: the exception the Python function raised, with its traceback.
    Callback(E),
}

/// The integral of `f` from `a` to `b` by the midpoint rule over `n` equal steps:
/// `h = (b - a) / n`, then the sum of `f(a + (i + 0.5) * h)` for i in 0..n, times `h`.
///
/// `f` may fail, with an error of any type `E`: the core does not know (or care) that it is a
/// Python exception. At the first failure the loop stops, `f` is not called again, and the
/// error comes back as [`IntegrateError::Callback`]. No panic, no `unwrap`: a panic here would
/// throw away the exception inside `E`.
pub fn integrate<E>(
    mut f: impl FnMut(f64) -> Result<f64, E>,
    a: f64,
    b: f64,
    n: i64,
) -> Result<f64, IntegrateError<E>> {
    if n < 1 {
        return Err(IntegrateError::Argument(RecipeError::NoIntegrationSteps));
    }
    // `as f64` rounds an i64 to the nearest double, ties to even, as Python's int-to-float
    // does, and Rust never fuses the `*` and `+` below into one FMA (see ewma): every
    // operation is rounded in the reference's order, so the bits are the reference's.
    let h = (b - a) / (n as f64);
    let mut total = 0.0;
    for i in 0..n {
        let x = a + (i as f64 + 0.5) * h;
        total += f(x).map_err(IntegrateError::Callback)?;
    }
    Ok(total * h)
}
// --8<-- [end:integrate]

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::convert::Infallible;

    // ---- known values ----

    #[test]
    fn fib_known_values() {
        assert_eq!(fib(0), Ok(0));
        assert_eq!(fib(1), Ok(1));
        assert_eq!(fib(2), Ok(1));
        assert_eq!(fib(90), Ok(2_880_067_194_370_816_120));
        assert_eq!(fib(93), Ok(12_200_160_415_121_876_738));
        assert_eq!(
            fib(94),
            Err(RecipeError::FibResultTooLarge { function: "fib" })
        );
        assert_eq!(
            fib(-1),
            Err(RecipeError::NegativeFibArgument { function: "fib" })
        );
    }

    #[test]
    fn messages_are_the_contracts() {
        let message = |error: RecipeError| error.to_string();
        assert_eq!(message(fib(-1).unwrap_err()), "fib() argument must be >= 0");
        assert_eq!(
            message(fib(i64::MIN).unwrap_err()),
            "fib() argument must be >= 0"
        );
        assert_eq!(
            message(RecipeError::FibResultTooLarge {
                function: "fib_recursive"
            }),
            "fib_recursive() argument must be <= 93: the result would not fit in 64 bits"
        );
        assert_eq!(
            message(RecipeError::NoIntegrationSteps),
            "integrate() n must be >= 1"
        );
        assert_eq!(RecipeError::NoIntegrationSteps.kind(), ErrorKind::Domain);
        assert_eq!(
            message(calc_pi(10_001).unwrap_err()),
            "calc_pi() digits must be between 0 and 10000"
        );
        assert_eq!(
            message(LinearRecurrence::new(vec![1, 2], vec![1]).unwrap_err()),
            "LinearRecurrence needs as many initial values as coefficients (got 1 for 2)"
        );
        assert_eq!(
            message(RecipeError::NegativeWordCount),
            "most_common() n must be >= 0"
        );
        assert_eq!(fib(-1).unwrap_err().kind(), ErrorKind::Domain);
        assert_eq!(fib(94).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(RecipeError::NextTermOverflows.kind(), ErrorKind::Overflow);
    }

    /// The hook of a call that is never interrupted.
    fn never_stop() -> bool {
        false
    }

    #[test]
    fn fib_recursive_matches_fib() {
        for n in (0..=25).chain([29, 30, 31, 32]) {
            assert_eq!(fib_recursive(n, never_stop).ok(), fib(n).ok());
        }
        // Out of range is refused before the hook is ever asked.
        assert_eq!(
            fib_recursive(94, || panic!("the hook must not be asked")),
            Err(FibRecursiveError::Argument(
                RecipeError::FibResultTooLarge {
                    function: "fib_recursive"
                }
            ))
        );
        assert_eq!(
            fib_recursive(i64::MIN, never_stop),
            Err(FibRecursiveError::Argument(
                RecipeError::NegativeFibArgument {
                    function: "fib_recursive"
                }
            ))
        );
    }

    #[test]
    fn fib_recursive_asks_the_hook_only_from_the_threshold_up() {
        // Below the line the recursion runs unchecked: a hook that always says stop is
        // never asked.
        assert_eq!(fib_recursive(29, || true), Ok(514_229));
        // Nodes with n >= 30 ask once each: one for fib_recursive(30), and for 35 the count
        // c(n) = 1 + c(n - 1) + c(n - 2) with c(29) = c(28) = 0, which is 20.
        for (n, asked) in [(30, 1), (31, 2), (32, 4), (35, 20)] {
            let mut calls = 0;
            let value = fib_recursive(n, || {
                calls += 1;
                false
            });
            assert_eq!(value.ok(), fib(n).ok());
            assert_eq!(calls, asked, "fib_recursive({n})");
        }
    }

    #[test]
    fn fib_recursive_stops_when_the_hook_says_so() {
        // A "stop" deep in the tree unwinds, and the hook is not asked again after it.
        for stop_on in [1, 2, 5, 17] {
            let mut calls = 0;
            let result = fib_recursive(60, || {
                calls += 1;
                calls == stop_on
            });
            assert_eq!(result, Err(FibRecursiveError::Interrupted));
            assert_eq!(calls, stop_on);
        }
    }

    #[test]
    fn fibonacci_recurrence_stops_after_f92() {
        let terms: Vec<i64> = LinearRecurrence::new(vec![1, 1], vec![0, 1])
            .unwrap()
            .collect();
        assert_eq!(terms.len(), 93); // F(0)..F(92); F(93) > i64::MAX
        assert_eq!(terms[92], 7_540_113_804_746_346_429);
    }

    #[test]
    fn lucas_numbers() {
        let lucas: Vec<i64> = LinearRecurrence::new(vec![1, 1], vec![2, 1])
            .unwrap()
            .take(6)
            .collect();
        assert_eq!(lucas, [2, 1, 3, 4, 7, 11]);
    }

    #[test]
    fn recurrence_drains_known_terms_after_overflow() {
        // k = 3, a_3 = a_0 + a_1 + a_2 fits, a_4 overflows: a_0..a_3 are returned, then None.
        let big = i64::MAX / 2;
        let mut r = LinearRecurrence::new(vec![1, 1, 1], vec![0, 1, big]).unwrap();
        assert_eq!(
            r.by_ref().take(10).collect::<Vec<_>>(),
            [0, 1, big, big + 1]
        );
        assert_eq!(r.next(), None);
        assert_eq!(r.next_term(), Err(RecipeError::NextTermOverflows));
    }

    #[test]
    fn recurrence_rejects_bad_shapes() {
        // The contract's order: no coefficients first, then the lengths.
        assert_eq!(
            LinearRecurrence::new(vec![], vec![1]).unwrap_err(),
            RecipeError::NoCoefficients
        );
        assert_eq!(
            LinearRecurrence::new(vec![1], vec![]).unwrap_err(),
            RecipeError::LengthMismatch {
                coefficients: 1,
                initial: 0
            }
        );
        assert!(LinearRecurrence::new(vec![1], vec![1, 2]).is_err());
    }

    #[test]
    fn words_split_like_bytes_split_and_lower_like_bytes_lower() {
        let text = "The the\x0bTHE\x0cÄpfel äpfel\t a\r\nb b ";
        let mut owned = text.to_owned();
        owned.make_ascii_lowercase();
        let ranked = most_common_words(&owned, 10);
        assert_eq!(
            ranked,
            [
                ("the".into(), 3),
                ("b".into(), 2),
                ("a".into(), 1),
                ("Äpfel".into(), 1),
                ("äpfel".into(), 1)
            ]
        );
        assert_eq!(most_common_words(&owned, 2).len(), 2);
        assert!(most_common_words("", 5).is_empty());
        assert!(most_common_words(&owned, 0).is_empty());
    }

    #[test]
    fn invalid_utf8_reports_where() {
        let err = most_common_in_bytes(b"ok \xff".to_vec(), 1).unwrap_err();
        match err {
            MostCommonError::InvalidUtf8 { start, .. } => assert_eq!(start, 3),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn most_common_threads_never_change_the_result() {
        // Texts large enough for several chunks; multi-byte characters, whitespace runs and
        // invalid bytes land on every side of the chunk edges.
        let alphabet: [&[u8]; 11] = [
            b" ", b"\t", b"\n  ", b"\x0b", b"a", b"B", b"ab", b"\xc3\xa9", b"\xe2\x82\xac",
            b"\xf0\x9f\x98\x80", b"Zz",
        ];
        let mut state: u64 = 777;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..24 {
            let mut bytes = Vec::new();
            while bytes.len() < 5 * MIN_BYTES_PER_THREAD + (next() % 1000) as usize {
                bytes.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if case % 3 == 1 {
                let at = (next() % bytes.len() as u64) as usize;
                let bad: &[u8] = [&b"\xe2\x82"[..], b"\x80", b"\xff"][(next() % 3) as usize];
                bytes.splice(at..at, bad.iter().copied());
            } else if case % 3 == 2 {
                bytes.extend_from_slice(b"\xe2\x82"); // ends inside a character
            }
            let expected = most_common_in_bytes(bytes.clone(), 50);
            for threads in 1..=8 {
                let got = most_common_in_bytes_threaded(bytes.clone(), 50, threads);
                match (&expected, &got) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b),
                    (
                        Err(MostCommonError::InvalidUtf8 { start: s1, error_len: l1, .. }),
                        Err(MostCommonError::InvalidUtf8 { start: s2, error_len: l2, .. }),
                    ) => assert_eq!((s1, l1), (s2, l2)),
                    _ => panic!("{threads} threads: {got:?} against {expected:?}"),
                }
            }
            if let Err(MostCommonError::InvalidUtf8 { start, error_len, .. }) = expected {
                let error = std::str::from_utf8(&bytes).unwrap_err();
                assert_eq!((start, error_len), (error.valid_up_to(), error.error_len()));
            }
        }
        assert_eq!(most_common_threads(Some(0)), Err(RecipeError::NoThreads));
        assert_eq!(most_common_threads(Some(i64::MIN)), Err(RecipeError::NoThreads));
        assert!(most_common_threads(None).unwrap() >= 1);
    }

    #[test]
    fn missing_file_and_nul_and_negative_n() {
        let missing = most_common_in_file(Path::new("/definitely/not/here"), 1, Some(2)).unwrap_err();
        assert!(
            matches!(missing, MostCommonError::Io(ref e) if e.kind() == io::ErrorKind::NotFound)
        );
        let nul = most_common_in_file(Path::new("a\0b"), 1, None).unwrap_err();
        assert!(matches!(nul, MostCommonError::NulInPath));
        let negative = most_common_in_file(Path::new("whatever"), -1, Some(0)).unwrap_err();
        assert!(matches!(
            negative,
            MostCommonError::Argument(RecipeError::NegativeWordCount)
        ));
    }

    #[test]
    fn calc_pi_known_values() {
        assert_eq!(calc_pi(0).unwrap(), "3");
        assert_eq!(calc_pi(4).unwrap(), "3.1415");
        assert_eq!(
            calc_pi(50).unwrap(),
            "3.14159265358979323846264338327950288419716939937510"
        );
        assert!(calc_pi(-1).is_err());
        assert!(calc_pi(10_001).is_err());
    }

    #[test]
    fn calc_pi_largest_argument_runs_with_overflow_checks() {
        // The largest buffer gives the largest intermediate values: a debug-profile overflow
        // check would panic here if u64 were not wide enough.
        let pi = calc_pi(PI_MAX_DIGITS).unwrap();
        assert_eq!(pi.len(), 10_002);
        assert!(pi.ends_with("5678")); // digits 9997..10000 of pi
    }

    // ---- no panic on any input (property tests; overflow checks are on in test builds) ----

    /// Integers that stress the edges: extremes, the recipes' limits and their neighbours.
    fn edge_i64() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            -3i64..=100,
            Just(i64::MIN),
            Just(i64::MAX),
            Just(PI_MAX_DIGITS),
            Just(PI_MAX_DIGITS + 1),
        ]
    }

    /// A reference model for most_common: BTreeMap, full sort, no cleverness.
    fn model_most_common(bytes: &[u8], n: usize) -> Vec<(String, u64)> {
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for word in bytes
            .split(|b| b" \t\n\r\x0b\x0c".contains(b))
            .filter(|w| !w.is_empty())
        {
            *counts.entry(word.to_ascii_lowercase()).or_insert(0) += 1;
        }
        let mut ranked: Vec<(Vec<u8>, u64)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(n);
        ranked
            .into_iter()
            .map(|(w, c)| (String::from_utf8(w).unwrap(), c))
            .collect()
    }

    /// The recurrence spelled out with indices, for comparison bit for bit.
    fn ewma_by_index(x: &[f64], alpha: f64) -> Vec<f64> {
        let mut y = x.to_vec();
        for i in 1..x.len() {
            y[i] = alpha * x[i] + (1.0 - alpha) * y[i - 1];
        }
        y
    }

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn ewma_known_values() {
        assert_eq!(
            ewma([1.0, 2.0, 3.0, 5.0], 0.5),
            Ok(vec![1.0, 1.5, 2.25, 3.625])
        );
        // alpha = 1 keeps only the newest value: the series itself.
        assert_eq!(
            ewma([4.0, -1.0, 0.5, 8.0], 1.0),
            Ok(vec![4.0, -1.0, 0.5, 8.0])
        );
        // Reversed and strided iterators are read in their own order.
        let series = [1.0, 2.0, 3.0, 5.0];
        assert_eq!(
            ewma(series.iter().rev().copied(), 0.5),
            Ok(vec![5.0, 4.0, 3.0, 2.0])
        );
        assert_eq!(
            ewma(series.iter().step_by(2).copied(), 0.5),
            Ok(vec![1.0, 2.0])
        );
        assert_eq!(ewma([], 0.5), Ok(vec![]));
        assert_eq!(ewma([7.5], 0.25), Ok(vec![7.5]));
    }

    #[test]
    fn ewma_alpha_out_of_range() {
        for alpha in [
            0.0,
            -0.0,
            -0.5,
            1.0 + f64::EPSILON,
            2.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ] {
            assert_eq!(
                ewma([1.0, 2.0, 3.0], alpha),
                Err(RecipeError::AlphaOutOfRange)
            );
            // Checked even for an empty series, as the reference does.
            assert_eq!(ewma([], alpha), Err(RecipeError::AlphaOutOfRange));
        }
        assert_eq!(
            RecipeError::AlphaOutOfRange.to_string(),
            "ewma() alpha must be > 0 and <= 1"
        );
        assert_eq!(RecipeError::AlphaOutOfRange.kind(), ErrorKind::Domain);
        // The smallest positive double is a valid alpha.
        assert!(ewma([1.0, 2.0], f64::from_bits(1)).is_ok());
    }

    proptest! {
        #[test]
        fn ewma_matches_the_recurrence_bit_for_bit(
            // Any bit pattern: NaNs with payloads, infinities, subnormals, signed zeros.
            series in prop::collection::vec(any::<u64>().prop_map(f64::from_bits), 0..200),
            alpha in prop_oneof![Just(1.0), Just(f64::from_bits(1)), 0.0f64..=1.0, any::<f64>()],
        ) {
            match ewma(series.iter().copied(), alpha) {
                Ok(smoothed) => prop_assert_eq!(bits(&smoothed), bits(&ewma_by_index(&series, alpha))),
                Err(error) => {
                    prop_assert_eq!(error, RecipeError::AlphaOutOfRange);
                    prop_assert!(!(alpha > 0.0 && alpha <= 1.0));
                }
            }
        }
        #[test]
        fn fib_never_panics(n in edge_i64()) {
            match fib(n) {
                Ok(_) => prop_assert!((0..=FIB_MAX_N).contains(&n)),
                Err(RecipeError::NegativeFibArgument { .. }) => prop_assert!(n < 0),
                Err(RecipeError::FibResultTooLarge { .. }) => prop_assert!(n > FIB_MAX_N),
                Err(other) => prop_assert!(false, "unexpected error {:?}", other),
            }
        }

        #[test]
        fn fib_recursive_never_panics(n in edge_i64()) {
            // A hook that says stop at once ends every n >= 30 at its first node, so every n,
            // 93 included (centuries of work otherwise), runs in a test.
            let result = fib_recursive(n, || true);
            match n {
                0..=29 => prop_assert_eq!(result.ok(), fib(n).ok()),
                30..=FIB_MAX_N => prop_assert_eq!(result, Err(FibRecursiveError::Interrupted)),
                _ => prop_assert!(matches!(result, Err(FibRecursiveError::Argument(_)))),
            }
        }

        #[test]
        fn calc_pi_never_panics(
            // Not edge_i64(): it picks 10000 often, and one calc_pi(10000) is enough (above).
            digits in prop_oneof![any::<i64>(), -3i64..400, Just(i64::MIN), Just(i64::MAX), Just(PI_MAX_DIGITS + 1)],
        ) {
            match calc_pi(digits) {
                Ok(pi) => {
                    let expected_len = if digits == 0 { 1 } else { digits as usize + 2 };
                    prop_assert_eq!(pi.len(), expected_len);
                    prop_assert!(pi.starts_with('3'));
                }
                Err(_) => prop_assert!(!(0..=PI_MAX_DIGITS).contains(&digits)),
            }
        }

        #[test]
        fn calc_pi_prefixes_agree(a in 0i64..300, b in 0i64..300) {
            // Truncation, not rounding: a shorter result is a prefix of a longer one.
            let (short, long) = (calc_pi(a.min(b)).unwrap(), calc_pi(a.max(b)).unwrap());
            prop_assert!(long.starts_with(&short));
        }

        #[test]
        fn recurrence_never_panics_and_follows_its_definition(
            pairs in prop::collection::vec(
                (prop_oneof![any::<i64>(), -3i64..=3], prop_oneof![any::<i64>(), -3i64..=3]),
                0..6,
            ),
            extra_initial in prop::option::of(any::<i64>()),
        ) {
            let (coefficients, mut initial): (Vec<i64>, Vec<i64>) = pairs.into_iter().unzip();
            if let Some(value) = extra_initial {
                initial.push(value); // also try mismatched lengths
            }
            let Ok(recurrence) = LinearRecurrence::new(coefficients.clone(), initial.clone()) else {
                prop_assert!(coefficients.is_empty() || coefficients.len() != initial.len());
                return Ok(());
            };
            let terms: Vec<i64> = recurrence.clone().take(300).collect();
            // Every term beyond the initial ones is the checked sum over the previous k terms;
            // compute it independently in i128 (no step of a valid term leaves i64).
            let k = coefficients.len();
            for (index, &term) in terms.iter().enumerate().skip(k) {
                let expected: i128 = coefficients.iter().zip(&terms[index - k..index])
                    .map(|(&c, &a)| i128::from(c) * i128::from(a)).sum();
                prop_assert_eq!(i128::from(term), expected);
            }
            // Once it stops, it stays stopped.
            let mut stopped = recurrence;
            if terms.len() < 300 {
                for _ in 0..terms.len() { stopped.next(); }
                prop_assert_eq!(stopped.next(), None);
                prop_assert_eq!(stopped.next(), None);
            }
        }

        #[test]
        fn most_common_never_panics_and_matches_a_model(
            bytes in prop::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    prop::sample::select(b" \t\n\r\x0b\x0cAaBb".to_vec()),
                ],
                0..200,
            ),
            n in prop_oneof![0usize..8, Just(usize::MAX)],
        ) {
            match most_common_in_bytes(bytes.clone(), n) {
                Ok(ranked) => prop_assert_eq!(ranked, model_most_common(&bytes, n)),
                Err(MostCommonError::InvalidUtf8 { start: up_to, .. }) => {
                    prop_assert!(std::str::from_utf8(&bytes).is_err());
                    prop_assert!(std::str::from_utf8(&bytes[..up_to]).is_ok());
                }
                Err(other) => prop_assert!(false, "unexpected error {:?}", other),
            }
        }

        #[test]
        fn most_common_utf8_text_matches_a_model(text in "[ \\taAbB\u{e4}\u{c4}\u{1f600}\x0b\x0c]{0,60}", n in 0usize..5) {
            let ranked = most_common_in_bytes(text.clone().into_bytes(), n).unwrap();
            prop_assert_eq!(ranked, model_most_common(text.as_bytes(), n));
        }

        #[test]
        fn most_common_limit_never_panics(n in edge_i64()) {
            match most_common_limit(n) {
                Ok(limit) => prop_assert!(n >= 0 && (limit == usize::MAX || limit as u128 == n as u128)),
                Err(_) => prop_assert!(n < 0),
            }
        }
    }

    // ---- integrate ----

    /// A callback that cannot fail, as the core sees Python's math.sin.
    fn infallible(f: impl Fn(f64) -> f64) -> impl FnMut(f64) -> Result<f64, Infallible> {
        move |x| Ok(f(x))
    }

    /// The midpoint rule spelled out as the contract writes it, for comparison bit for bit.
    fn midpoint_by_formula(f: impl Fn(f64) -> f64, a: f64, b: f64, n: i64) -> f64 {
        let h = (b - a) / n as f64;
        (0..n).fold(0.0, |total, i| total + f(a + (i as f64 + 0.5) * h)) * h
    }

    #[test]
    fn integrate_known_values() {
        // x**2 on [0, 1] in 4 steps: (1 + 9 + 25 + 49) / 64 / 4 = 0.328125, exactly.
        assert_eq!(integrate(infallible(|x| x * x), 0.0, 1.0, 4), Ok(0.328125));
        // The midpoint rule is exact for straight lines.
        assert_eq!(
            integrate(infallible(|x| 2.0 * x + 1.0), 0.0, 2.0, 8),
            Ok(6.0)
        );
        // b < a is a negative step; a == b gives zero; one step is f at the middle.
        assert_eq!(integrate(infallible(|_| 1.0), 1.0, 0.0, 10), Ok(-1.0));
        assert_eq!(integrate(infallible(|x| x), 2.0, 2.0, 5), Ok(0.0));
        assert_eq!(integrate(infallible(|x| x * 10.0), 0.0, 1.0, 1), Ok(5.0));
        // NaN and infinities follow IEEE arithmetic, no special cases.
        assert!(
            integrate(infallible(|_| f64::NAN), 0.0, 1.0, 3)
                .unwrap()
                .is_nan()
        );
        assert_eq!(
            integrate(infallible(|_| f64::INFINITY), 0.0, 1.0, 3),
            Ok(f64::INFINITY)
        );
    }

    #[test]
    fn integrate_calls_f_once_per_point_in_order() {
        let mut points = Vec::new();
        let result = integrate(
            |x| {
                points.push(x);
                Ok::<f64, Infallible>(x)
            },
            -1.0,
            3.0,
            8,
        );
        assert_eq!(result, Ok(4.0));
        assert_eq!(points, [-0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75]);
    }

    #[test]
    fn integrate_refuses_n_below_one_before_calling_f() {
        for n in [0, -1, i64::MIN] {
            assert_eq!(
                integrate(
                    |_| -> Result<f64, ()> { panic!("f must not be called") },
                    0.0,
                    1.0,
                    n
                ),
                Err(IntegrateError::Argument(RecipeError::NoIntegrationSteps))
            );
        }
    }

    #[test]
    fn integrate_stops_at_the_first_error_and_returns_it_untouched() {
        #[derive(Debug, PartialEq)]
        struct Raised(usize);
        for fail_on in [1, 2, 50] {
            let mut calls = 0;
            let result = integrate(
                |x| {
                    calls += 1;
                    if calls == fail_on {
                        Err(Raised(calls))
                    } else {
                        Ok(x)
                    }
                },
                0.0,
                1.0,
                100,
            );
            assert_eq!(result, Err(IntegrateError::Callback(Raised(fail_on))));
            assert_eq!(calls, fail_on, "f was called again after it failed");
        }
        // The largest n: the first failure ends it, nothing overflows on the way.
        let mut calls = 0;
        let result = integrate(
            |_| {
                calls += 1;
                Err("stop")
            },
            0.0,
            1.0,
            i64::MAX,
        );
        assert_eq!(result, Err(IntegrateError::Callback("stop")));
        assert_eq!(calls, 1);
    }

    proptest! {
        #[test]
        fn integrate_matches_the_formula_bit_for_bit(
            a in prop_oneof![any::<u64>().prop_map(f64::from_bits), -1e3f64..1e3],
            b in prop_oneof![any::<u64>().prop_map(f64::from_bits), -1e3f64..1e3],
            n in 1i64..300,
        ) {
            let f = |x: f64| x * 0.5 - x * x;
            let ours = integrate(infallible(f), a, b, n).unwrap();
            let formula = midpoint_by_formula(f, a, b, n);
            prop_assert!(ours.to_bits() == formula.to_bits() || (ours.is_nan() && formula.is_nan()));
        }

        #[test]
        fn integrate_stops_on_any_failing_call(fail_on in 1usize..500, n in 1i64..500) {
            let mut calls = 0;
            let result = integrate(
                |x| {
                    calls += 1;
                    if calls == fail_on { Err(calls) } else { Ok(x) }
                },
                0.0,
                1.0,
                n,
            );
            if (fail_on as i64) <= n {
                prop_assert_eq!(result, Err(IntegrateError::Callback(fail_on)));
                prop_assert_eq!(calls, fail_on);
            } else {
                prop_assert!(result.is_ok());
                prop_assert_eq!(calls as i64, n);
            }
        }
    }
}
