//! The recipes in plain Rust.
//!
//! Nothing in this file knows about Python: no `cpython` types, no GIL, no reference
//! counts. That is deliberate. `cargo test --lib --no-default-features` compiles and tests
//! this file without the `cpython` crate and without libpython. The core owns every rule
//! of the contract (the argument ranges, the limits below, the error messages); the
//! binding layer in `binding.rs` only converts arguments and results and maps
//! [`RecipeError`] to a Python exception.
//!
//! Every function here is total: for any input it returns a value or an error, it never
//! panics. That matters more under rust-cpython than elsewhere, because a panic that
//! unwinds out of `Python::allow_threads` leaves the interpreter without its GIL (see the
//! chapter README). The tests at the bottom of the file throw edge inputs at everything.

use std::collections::VecDeque;
use std::fmt;
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

// --8<-- [start:fib]
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

/// F(n) by iteration.
pub fn fib(n: i64) -> Result<u64, RecipeError> {
    let n = fib_argument("fib", n)?;
    if n == 0 {
        return Ok(0);
    }
    // Run the loop n - 1 times, so that the largest value ever computed is F(n) itself:
    // the textbook loop n times also computes F(n + 1), and F(94) overflows a u64 (the
    // recipe page on fib explains the pitfall). After the range check a plain `+` cannot
    // overflow; `cargo test` (overflow checks on) runs every n from 0 to 93 to hold us to it.
    let (mut previous, mut current) = (0u64, 1u64); // F(0), F(1)
    for _ in 1..n {
        (previous, current) = (current, previous + current);
    }
    Ok(current)
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

/// F(n) by the naive doubly recursive definition.
///
/// The exponential running time is the point: this is the compute benchmark. It also makes
/// the call long enough to need Ctrl-C, so the binding passes a `should_stop` hook (it checks
/// for pending signals), which the recursion calls at the nodes with
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
fn naive_fib(n: u64) -> u64 {
    if n <= 1 {
        n
    } else {
        // A plain `+` cannot overflow here: every partial result is some F(m) with
        // m <= n <= 93, and F(93) < 2**64. The range check above is what proves it, so
        // the hot path carries no overflow checks.
        naive_fib(n - 1) + naive_fib(n - 2)
    }
}
// --8<-- [end:fib_recursive]

// --8<-- [start:linear_recurrence]
/// The sequence a(n+k) = c(0)*a(n) + ... + c(k-1)*a(n+k-1) in checked `i64` arithmetic.
///
/// As a Rust `Iterator` it ends (returns `None`) at the first term that overflows `i64`,
/// and stays ended; `next_term` reports that end as [`RecipeError::NextTermOverflows`].
#[derive(Debug, Clone)]
pub struct LinearRecurrence {
    coefficients: Vec<i64>,
    /// The last k known terms, oldest first. It shrinks only after an overflow, when no
    /// new terms can be computed and the known ones drain out.
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
        Ok(LinearRecurrence {
            coefficients,
            window: initial.into(),
            overflowed: false,
        })
    }

    /// The next term, or the contract's error once the sequence has overflowed.
    pub fn next_term(&mut self) -> Result<i64, RecipeError> {
        self.next().ok_or(RecipeError::NextTermOverflows)
    }

    /// c(0)*w(0) + c(1)*w(1) + ..., left to right, every `*` and `+` checked.
    fn following_term(&self) -> Option<i64> {
        let mut total: i64 = 0;
        for (&c, &w) in self.coefficients.iter().zip(self.window.iter()) {
            total = total.checked_add(c.checked_mul(w)?)?;
        }
        Some(total)
    }
}

impl Iterator for LinearRecurrence {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        // Compute the following term before handing out the oldest one: the window must be
        // full for that. An overflow is remembered, not reported: the terms already in the
        // window are still valid and are returned first.
        if !self.overflowed {
            match self.following_term() {
                Some(term) => self.window.push_back(term),
                None => self.overflowed = true,
            }
        }
        // `None` once the window has drained after an overflow, and forever after.
        self.window.pop_front()
    }
}
// --8<-- [end:linear_recurrence]

// --8<-- [start:most_common]
// --8<-- [start:most_common_file]
/// Why `most_common` failed.
#[derive(Debug)]
pub enum WordsError {
    /// `n` was negative: checked before the file is opened.
    Argument(RecipeError),
    /// The path contains a NUL byte, which no file name can (`open()` raises ValueError).
    NulInPath,
    /// Opening or reading the file failed; the binding turns the errno into an `OSError`.
    Io(std::io::Error),
    /// The file is not valid UTF-8. The bytes are handed back because Python's
    /// `UnicodeDecodeError` carries the whole input in its `.object` attribute. `start` is
    /// the file position of the first invalid byte (`Utf8Error::valid_up_to`), `error_len`
    /// the length of its invalid sequence, `None` if the text ends inside a character
    /// (`Utf8Error::error_len`).
    Utf8 { bytes: Vec<u8>, start: usize, error_len: Option<usize> },
}

/// The bytes `bytes.split()` treats as whitespace.
///
/// Pitfall: Rust's `u8::is_ascii_whitespace` leaves out `\x0b` (vertical tab), which
/// Python's `bytes.split()` and `str.split()` both split on, so it would glue two words
/// together wherever a vertical tab appears. Spell the set out.
fn is_python_ascii_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// How many words to return: negative is an error, more than memory can hold means all.
/// Public so that the binding can check `n` before it even converts `threads`.
pub fn word_limit(n: i64) -> Result<usize, RecipeError> {
    if n < 0 {
        return Err(RecipeError::NegativeWordCount);
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The most threads one `most_common` call counts with, whatever it asks for.
pub const MAX_WORD_THREADS: usize = 64;
/// Each thread gets at least this many bytes: below that, starting it costs more than it saves.
pub const MIN_BYTES_PER_THREAD: usize = 64 * 1024;

/// `threads` as the caller gave it (`None`: every core), checked: at least 1.
fn thread_limit(threads: Option<i64>) -> Result<usize, RecipeError> {
    match threads {
        // What the OS lets this process use (affinity masks and cgroup quotas included);
        // 1 if it cannot tell.
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        Some(t) if t < 1 => Err(RecipeError::NoThreads),
        Some(t) => Ok(usize::try_from(t).unwrap_or(usize::MAX)),
    }
}

/// The `n` most common words of the UTF-8 file at `path`, counted with up to `threads`
/// threads (`None`: every core). Checks `n`, then `threads`, then the file.
pub fn most_common_in_file(
    path: &Path,
    n: i64,
    threads: Option<i64>,
) -> Result<Vec<(String, u64)>, WordsError> {
    let n = word_limit(n).map_err(WordsError::Argument)?;
    let threads = thread_limit(threads).map_err(WordsError::Argument)?;
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(WordsError::NulInPath);
    }
    // One read into one buffer (std::fs::read sizes the buffer from the file's metadata);
    // every word below is a slice of this buffer, nothing is copied per word.
    let bytes = std::fs::read(path).map_err(WordsError::Io)?;
    most_common_in_bytes_threaded(bytes, n, threads)
}

/// The `n` most common words of `text`, which must be valid UTF-8, in one thread.
pub fn most_common_in_bytes(text: Vec<u8>, n: usize) -> Result<Vec<(String, u64)>, WordsError> {
    most_common_in_bytes_threaded(text, n, 1)
}
// --8<-- [end:most_common_file]

// --8<-- [start:most_common_chunks]
/// Where each chunk ends, for `parts` chunks of about equal size. A chunk ends just after
/// an ASCII whitespace byte (the last one ends at the end of the text), so no word and no
/// UTF-8 sequence straddles two chunks, and a truncated sequence before the split is
/// followed by the same whitespace byte in its chunk as in the whole text: validating the
/// chunk reports it exactly as validating the whole text would.
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
            .position(|&byte| is_python_ascii_whitespace(byte))
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
/// Word counts of one chunk; every key is a slice of the chunk.
type Counts<'a> = rustc_hash::FxHashMap<&'a [u8], u64>;

/// Validates, lowercases and counts one chunk that starts at `offset` in the text. On
/// invalid UTF-8, the file position of the first bad byte and the length of its sequence.
fn count_chunk(chunk: &mut [u8], offset: usize) -> Result<Counts<'_>, (usize, Option<usize>)> {
    if let Err(error) = std::str::from_utf8(chunk) {
        return Err((offset + error.valid_up_to(), error.error_len()));
    }
    // Lowercasing A-Z in place is safe for UTF-8: bytes of multi-byte sequences are all
    // >= 0x80 and are left alone, so the text stays valid and no offset moves. This is
    // exactly `bytes.lower()`; `str::to_lowercase` would also fold non-ASCII letters.
    chunk.make_ascii_lowercase();
    let chunk: &[u8] = chunk; // from here on shared: the counts borrow words from it
    // FxHash: a fast non-cryptographic hash. The default SipHash resists hash-flooding
    // attacks, which we do not need for counting words in a local file.
    let mut counts = Counts::default();
    for word in chunk
        .split(|&byte| is_python_ascii_whitespace(byte))
        .filter(|word| !word.is_empty())
    {
        *counts.entry(word).or_insert(0) += 1;
    }
    Ok(counts)
}
// --8<-- [end:most_common_count]

// --8<-- [start:most_common_parallel]
/// The `n` most common words of `text`, which must be valid UTF-8, counted with up to
/// `threads` threads of rayon's global pool. The result never depends on `threads`.
pub fn most_common_in_bytes_threaded(
    mut text: Vec<u8>,
    n: usize,
    threads: usize,
) -> Result<Vec<(String, u64)>, WordsError> {
    // Fewer threads than asked for a small file, and never more than MAX_WORD_THREADS.
    let parts = threads
        .min(MAX_WORD_THREADS)
        .min(text.len() / MIN_BYTES_PER_THREAD)
        .max(1);
    let ends = chunk_ends(&text, parts);

    let counted: Vec<Result<Counts<'_>, (usize, Option<usize>)>> = if ends.len() == 1 {
        vec![count_chunk(&mut text, 0)] // one chunk: no pool, no thread hand-off
    } else {
        // Cut the buffer into disjoint &mut chunks: each thread owns its own bytes, so the
        // borrow checker proves there is no data race, with no lock and no copy.
        let mut chunks = Vec::with_capacity(ends.len());
        let mut rest: &mut [u8] = &mut text;
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

    // The earliest chunk with invalid UTF-8 holds the first bad byte of the whole text.
    let mut maps = Vec::with_capacity(counted.len());
    for result in counted {
        match result {
            Ok(counts) => maps.push(counts),
            Err((start, error_len)) => {
                return Err(WordsError::Utf8 { bytes: text, start, error_len });
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

    let mut ranked: Vec<(&[u8], u64)> = counts.into_iter().collect();
    // Count descending, then word ascending. Byte order of UTF-8 is code point order, so
    // comparing the byte slices sorts like Python compares the str. Words are distinct,
    // so the order is total and an unstable sort is deterministic.
    let by_rank = |a: &(&[u8], u64), b: &(&[u8], u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if n < ranked.len() {
        // Only the first n are wanted: partition around the n-th (linear time), then
        // sort just those, instead of sorting every distinct word.
        if n > 0 {
            ranked.select_nth_unstable_by(n - 1, by_rank);
        }
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(by_rank);

    Ok(ranked
        .into_iter()
        // Each word is valid UTF-8 (the whole text was, and splitting at ASCII bytes
        // cannot cut a multi-byte character), so the lossy conversion never replaces
        // anything; it is used because it cannot panic.
        .map(|(word, count)| (String::from_utf8_lossy(word).into_owned(), count))
        .collect())
}
// --8<-- [end:most_common_parallel]
// --8<-- [end:most_common]

// --8<-- [start:calc_pi]
/// Pi truncated to `digits` decimal places ("3", "3.1", "3.14", ...), for
/// 0 <= digits <= PI_MAX_DIGITS.
pub fn calc_pi(digits: i64) -> Result<String, RecipeError> {
    let digits = pi_digits(digits)?;
    let produced = spigot_digits(digits + 1 + PI_GUARD_DIGITS);
    // produced[0] is the spigot's leading 0, produced[1] the 3. The spigot emits exactly
    // one digit per round plus the final flush, so the range is always there; `get`
    // keeps this panic-free regardless.
    let kept = produced.get(1..digits + 2).unwrap_or_default();
    Ok(decimal_text(kept))
}

/// The contract's range for `calc_pi`, checked before any work.
fn pi_digits(digits: i64) -> Result<usize, RecipeError> {
    if !(0..=PI_MAX_DIGITS).contains(&digits) {
        return Err(RecipeError::PiDigitsOutOfRange);
    }
    Ok(usize::try_from(digits).unwrap_or(0)) // 0..=10000 fits every usize
}

/// `count` decimal digits of pi (as ASCII digits) after a leading '0', by the
/// Rabinowitz–Wagon spigot: a literal translation of the reference.
fn spigot_digits(count: usize) -> Vec<u8> {
    let size = 10 * count / 3 + 1;
    // The working buffer: one machine integer per term of the series, all starting at 2.
    // The values stay far below 2**32; u64 leaves room to spare.
    let mut a: Vec<u64> = vec![2; size];
    let mut out: Vec<u8> = Vec::with_capacity(count + 1);
    let (mut predigit, mut nines): (u64, usize) = (0, 0);
    for _ in 0..count {
        let mut q: u64 = 0;
        // i = size .. 1 over a[i - 1]; iterating the slice backwards avoids bounds checks.
        for (index, cell) in a.iter_mut().enumerate().rev() {
            let i = index as u64 + 1;
            let x = 10 * *cell + q * i;
            *cell = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        if q == 9 {
            // Hold it: a later carry could still turn ...999 into ...000.
            nines += 1;
        } else if q == 10 {
            // A carry: the held digits were one too small.
            out.push(digit_char(predigit + 1));
            out.extend(std::iter::repeat_n(b'0', nines));
            predigit = 0;
            nines = 0;
        } else {
            out.push(digit_char(predigit));
            out.extend(std::iter::repeat_n(b'9', nines));
            predigit = q;
            nines = 0;
        }
    }
    out.push(digit_char(predigit));
    out.extend(std::iter::repeat_n(b'9', nines));
    out
}

/// "3" for [3], "3.14" for [3, 1, 4]: the first digit, then a point if more follow.
fn decimal_text(kept: &[u8]) -> String {
    let mut text = String::with_capacity(kept.len() + 1);
    if let Some((&units, decimals)) = kept.split_first() {
        text.push(char::from(units));
        if !decimals.is_empty() {
            text.push('.');
            text.extend(decimals.iter().map(|&d| char::from(d)));
        }
    }
    text
}

/// The ASCII digit for 0..=9; `% 10` makes the range true by construction.
fn digit_char(d: u64) -> u8 {
    b'0' + (d % 10) as u8
}
// --8<-- [end:calc_pi]

// --8<-- [start:ewma]
/// The exponentially weighted moving average of a series, written into `out`:
/// `out[0] = x[0]`, then `out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]`.
///
/// `values` is any iterator of `f64`, so the caller decides how the series is laid out: a
/// slice, every other element, a reversed view, or the strided buffer that the binding reads
/// in place. `out` holds one slot per value (the shorter of the two decides). The core owns
/// the contract's rule on `alpha`, 0 < alpha <= 1, and checks it before `out` is touched.
pub fn ewma(
    values: impl IntoIterator<Item = f64>,
    alpha: f64,
    out: &mut [f64],
) -> Result<(), RecipeError> {
    let in_range = alpha > 0.0 && alpha <= 1.0; // NaN fails both comparisons
    if !in_range {
        return Err(RecipeError::AlphaOutOfRange);
    }
    let beta = 1.0 - alpha; // computed once, as the contract says
    let mut pairs = out.iter_mut().zip(values);
    if let Some((first_slot, first)) = pairs.next() {
        *first_slot = first;
        let mut previous = first;
        for (slot, x) in pairs {
            // Each product is rounded, then the sum: Rust never fuses a `*` and a `+` into one
            // fused multiply-add by itself (its `*` and `+` are the IEEE 754 operations, RFC
            // 3514; `f64::mul_add` is how one asks for a fused one). So no compiler flag is
            // needed where C needs -ffp-contract=off, and the bits match the reference's.
            previous = alpha * x + beta * previous;
            *slot = previous;
        }
    }
    Ok(())
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
    use std::convert::Infallible;
    use std::io::Write;

    fn fib_reference(n: u64) -> u128 {
        let (mut a, mut b) = (0u128, 1u128);
        for _ in 0..n {
            (a, b) = (b, a + b);
        }
        a
    }

    #[test]
    fn fib_known_values() {
        assert_eq!(fib(0), Ok(0));
        assert_eq!(fib(1), Ok(1));
        assert_eq!(fib(2), Ok(1));
        assert_eq!(fib(90), Ok(2880067194370816120));
        assert_eq!(fib(93), Ok(12200160415121876738));
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
    fn fib_agrees_with_u128_reference_and_never_panics() {
        // Every n from -1000 to 1000, then the edges of i64: a value exactly when
        // 0 <= n <= 93, the contract's error otherwise.
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            i64::MAX - 1,
            1 << 32,
            -(1 << 32),
        ];
        for n in (-1000..=1000).chain(edges) {
            let expected = match n {
                ..0 => Err(RecipeError::NegativeFibArgument { function: "fib" }),
                0..=FIB_MAX_N => Ok(fib_reference(n as u64) as u64),
                _ => Err(RecipeError::FibResultTooLarge { function: "fib" }),
            };
            assert_eq!(fib(n), expected, "fib({n})");
        }
    }

    /// The hook of a call that is never interrupted.
    fn never_stop() -> bool {
        false
    }

    #[test]
    fn fib_recursive_agrees_with_fib() {
        for n in (0..=25).chain([29, 30, 31, 32]) {
            assert_eq!(
                fib_recursive(n, never_stop).ok(),
                fib(n).ok(),
                "fib_recursive({n})"
            );
        }
        // Out of range is refused before any recursion happens (fib_recursive(93) itself
        // would run for centuries), and before the hook is ever asked.
        for n in [94, 95, 1 << 32, i64::MAX] {
            assert_eq!(
                fib_recursive(n, || panic!("the hook must not be asked")),
                Err(FibRecursiveError::Argument(
                    RecipeError::FibResultTooLarge {
                        function: "fib_recursive"
                    }
                ))
            );
        }
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
        // At n nodes with n >= 30 ask once each: one for fib_recursive(30), and for 35 the
        // count c(n) = 1 + c(n - 1) + c(n - 2) with c(29) = c(28) = 0, which is 20.
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
        // fib_recursive(93) would take centuries: the hook's first "stop" ends it at once.
        let mut calls = 0;
        let stop_at_once = || {
            calls += 1;
            true
        };
        assert_eq!(
            fib_recursive(93, stop_at_once),
            Err(FibRecursiveError::Interrupted)
        );
        assert_eq!(calls, 1);
        // A "stop" deep in the tree unwinds too, and the hook is not asked again after it.
        for stop_on in [2, 5, 17] {
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
    fn messages_are_the_contracts() {
        let message = |error: RecipeError| error.to_string();
        assert_eq!(message(fib(-1).unwrap_err()), "fib() argument must be >= 0");
        assert_eq!(
            message(RecipeError::FibResultTooLarge {
                function: "fib_recursive"
            }),
            "fib_recursive() argument must be <= 93: the result would not fit in 64 bits"
        );
        assert_eq!(
            message(calc_pi(-1).unwrap_err()),
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
        assert_eq!(
            message(RecipeError::NoIntegrationSteps),
            "integrate() n must be >= 1"
        );
        assert_eq!(RecipeError::NoIntegrationSteps.kind(), ErrorKind::Domain);
        assert_eq!(fib(-1).unwrap_err().kind(), ErrorKind::Domain);
        assert_eq!(fib(94).unwrap_err().kind(), ErrorKind::Overflow);
        assert_eq!(RecipeError::NextTermOverflows.kind(), ErrorKind::Overflow);
    }

    #[test]
    fn recurrence_fibonacci_and_lucas() {
        let fibs: Vec<i64> = LinearRecurrence::new(vec![1, 1], vec![0, 1])
            .unwrap()
            .take(10)
            .collect();
        assert_eq!(fibs, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
        let lucas: Vec<i64> = LinearRecurrence::new(vec![1, 1], vec![2, 1])
            .unwrap()
            .take(6)
            .collect();
        assert_eq!(lucas, [2, 1, 3, 4, 7, 11]);
    }

    #[test]
    fn recurrence_fibonacci_stops_after_f92_and_stays_stopped() {
        let mut it = LinearRecurrence::new(vec![1, 1], vec![0, 1]).unwrap();
        let terms: Vec<i64> = it.by_ref().collect();
        assert_eq!(terms.len(), 93); // F(0) ..= F(92)
        assert_eq!(terms[92], 7540113804746346429);
        for _ in 0..5 {
            assert_eq!(it.next_term(), Err(RecipeError::NextTermOverflows));
        }
    }

    #[test]
    fn recurrence_overflow_drains_known_terms_first() {
        // k = 3, a_3 = a_0 + a_1 + a_2 overflows: a_0, a_1, a_2 still come out.
        let mut it = LinearRecurrence::new(vec![1, 1, 1], vec![i64::MAX, 1, 0]).unwrap();
        assert_eq!(it.next(), Some(i64::MAX));
        assert_eq!(it.next(), Some(1));
        assert_eq!(it.next(), Some(0));
        assert_eq!(it.next(), None);
        // Overflow at a_4 with k = 3: a_0..a_3 are returned.
        let doubling: Vec<i64> = LinearRecurrence::new(vec![0, 0, 2], vec![1, 2, 1 << 61])
            .unwrap()
            .collect();
        // a_3 = 2**62, a_4 = 2**63 overflows: a_0, a_1, a_2, a_3 come out.
        assert_eq!(doubling, [1, 2, 1 << 61, 1 << 62]);
    }

    #[test]
    fn recurrence_evaluates_left_to_right() {
        // 2 * i64::MAX: the first product alone overflows.
        let mut it = LinearRecurrence::new(vec![2, 1], vec![i64::MAX, -1]).unwrap();
        assert_eq!(it.next(), Some(i64::MAX));
        assert_eq!(it.next(), Some(-1));
        assert_eq!(it.next(), None);
        // i64::MAX + 1 - 1: the intermediate sum overflows, so the term is an overflow
        // even though the exact result would fit.
        let mut it = LinearRecurrence::new(vec![1, 1, 1], vec![i64::MAX, 1, -1]).unwrap();
        assert_eq!(it.by_ref().count(), 3);
    }

    #[test]
    fn recurrence_constructor_errors() {
        // The contract's order: no coefficients first, then the lengths.
        assert_eq!(
            LinearRecurrence::new(vec![], vec![]).unwrap_err(),
            RecipeError::NoCoefficients
        );
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
        assert!(matches!(
            LinearRecurrence::new(vec![1, 2], vec![1]),
            Err(RecipeError::LengthMismatch {
                coefficients: 2,
                initial: 1
            })
        ));
    }

    /// A tiny deterministic generator (xorshift64*), so the "fuzz" tests need no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn pick(&mut self, choices: &[i64]) -> i64 {
            choices[(self.next() % choices.len() as u64) as usize]
        }
    }

    #[test]
    fn recurrence_never_panics_on_edge_values() {
        // Random recurrences built from the values that break arithmetic: extremes,
        // their neighbours, zero, +-1, powers of two. Each is driven well past its
        // overflow point. Any panic fails the test.
        let edge = [
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            i64::MAX - 1,
            -1,
            0,
            1,
            2,
            -2,
            1 << 32,
            -(1 << 32),
            3037000499, // floor(sqrt(i64::MAX))
            3037000500,
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let k = 1 + (rng.next() % 4) as usize;
            let coefficients: Vec<i64> = (0..k).map(|_| rng.pick(&edge)).collect();
            let initial: Vec<i64> = (0..k).map(|_| rng.pick(&edge)).collect();
            let mut it = LinearRecurrence::new(coefficients.clone(), initial.clone()).unwrap();
            let mut model: Vec<i128> = initial.iter().map(|&v| v as i128).collect();
            for step in 0..200 {
                // Model in i128 with the same left-to-right rule.
                let term = it.next();
                let expected = model_term(&coefficients, &mut model, step);
                assert_eq!(term, expected, "{coefficients:?} {initial:?} step {step}");
                if term.is_none() {
                    assert_eq!(it.next(), None);
                    break;
                }
            }
        }
    }

    /// Returns a_step if it and the term computed alongside it behave as the contract says.
    fn model_term(c: &[i64], terms: &mut Vec<i128>, step: usize) -> Option<i64> {
        let k = c.len();
        // Compute terms until a_{step+k} is known or an overflow ends the sequence.
        while terms.len() < step + k + 1 {
            let n = terms.len() - k;
            let mut t: i128 = 0;
            let mut overflow = false;
            for i in 0..k {
                let product = c[i] as i128 * terms[n + i];
                if product < i64::MIN as i128 || product > i64::MAX as i128 {
                    overflow = true;
                    break;
                }
                t += product;
                if t < i64::MIN as i128 || t > i64::MAX as i128 {
                    overflow = true;
                    break;
                }
            }
            if overflow {
                break;
            }
            terms.push(t);
        }
        terms.get(step).map(|&v| v as i64)
    }

    fn words(text: &str, n: usize) -> Vec<(String, u64)> {
        most_common_in_bytes(text.as_bytes().to_vec(), n).unwrap()
    }

    #[test]
    fn most_common_counts_sorts_and_truncates() {
        let text = "the cat The dog\tTHE\ncat\x0bbird\x0cbird\r\nzebra  ";
        assert_eq!(
            words(text, 10),
            [
                ("the".to_string(), 3),
                ("bird".to_string(), 2),
                ("cat".to_string(), 2),
                ("dog".to_string(), 1),
                ("zebra".to_string(), 1),
            ]
        );
        assert_eq!(words(text, 2), [("the".into(), 3), ("bird".into(), 2)]);
        assert_eq!(words(text, 0), []);
        assert_eq!(words("", 5), []);
        assert_eq!(words(" \t\n ", usize::MAX), []);
    }

    #[test]
    fn most_common_lowercases_ascii_only_and_sorts_by_code_point() {
        // bytes.lower() leaves 'É' alone, so "ÉCOLE" becomes "École", not "école".
        // Punctuation is part of a word. Ties sort by code point: 'z' (U+007A) comes
        // before 'É' (U+00C9) and 'é' (U+00E9).
        assert_eq!(
            words("École école ÉCOLE zoo Zoo, zoo,", 10),
            [
                ("zoo,".to_string(), 2),
                ("École".to_string(), 2),
                ("zoo".to_string(), 1),
                ("école".to_string(), 1),
            ]
        );
    }

    #[test]
    fn most_common_reports_the_first_invalid_byte() {
        let mut bytes = b"valid words \xc3\xa9 then ".to_vec();
        let start = bytes.len();
        bytes.extend_from_slice(b"\xff bad");
        match most_common_in_bytes(bytes.clone(), 3) {
            Err(WordsError::Utf8 { bytes: back, start: at, .. }) => {
                assert_eq!(at, start);
                assert_eq!(back, bytes);
            }
            other => panic!("expected a UTF-8 error, got {other:?}"),
        }
    }

    #[test]
    fn most_common_never_panics_on_random_bytes() {
        // Random byte strings drawn from whitespace, ASCII letters, and bytes that make
        // UTF-8 invalid or multi-byte; every n from 0 to past the number of words.
        let alphabet: Vec<u8> = b" \t\n\r\x0b\x0cabcABZ"
            .iter()
            .copied()
            .chain([
                0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff, 0xf0, 0x9f, 0x98, 0x80,
            ])
            .collect();
        let mut rng = Rng(12345);
        for _ in 0..5_000 {
            let len = (rng.next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            for n in [0, 1, 2, 5, usize::MAX] {
                match most_common_in_bytes(bytes.clone(), n) {
                    Ok(ranked) => {
                        assert!(ranked.len() <= n);
                        assert!(ranked
                            .windows(2)
                            .all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0)));
                        let total: u64 = ranked.iter().map(|r| r.1).sum();
                        if n == usize::MAX {
                            let expected = bytes
                                .split(|&b| is_python_ascii_whitespace(b))
                                .filter(|w| !w.is_empty())
                                .count() as u64;
                            assert_eq!(total, expected);
                        }
                    }
                    Err(WordsError::Utf8 { start, .. }) => {
                        assert!(std::str::from_utf8(&bytes).is_err());
                        assert!(start < bytes.len());
                    }
                    Err(other) => panic!("unexpected error {other:?}"),
                }
            }
        }
    }

    #[test]
    fn most_common_threads_never_change_the_result() {
        // Texts large enough for several chunks; multi-byte characters, whitespace runs
        // and invalid bytes land on every side of the chunk edges.
        let alphabet: Vec<&[u8]> = vec![
            b" ", b"\t", b"\n  ", b"\x0b", b"a", b"B", b"ab", b"\xc3\xa9", b"\xe2\x82\xac",
            b"\xf0\x9f\x98\x80", b"Zz",
        ];
        let mut rng = Rng(777);
        for case in 0..24 {
            let mut bytes = Vec::new();
            while bytes.len() < 5 * MIN_BYTES_PER_THREAD + (rng.next() % 1000) as usize {
                bytes.extend_from_slice(alphabet[(rng.next() % alphabet.len() as u64) as usize]);
            }
            if case % 3 == 1 {
                // A truncated sequence, a stray continuation byte, or a cut at the very end.
                let at = (rng.next() % bytes.len() as u64) as usize;
                let bad: &[u8] = [&b"\xe2\x82"[..], b"\x80", b"\xff"][(rng.next() % 3) as usize];
                bytes.splice(at..at, bad.iter().copied());
            } else if case % 3 == 2 {
                bytes.extend_from_slice(b"\xe2\x82");
            }
            let expected = most_common_in_bytes(bytes.clone(), 50);
            for threads in 1..=8 {
                let got = most_common_in_bytes_threaded(bytes.clone(), 50, threads);
                match (&expected, &got) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b),
                    (
                        Err(WordsError::Utf8 { start: s1, error_len: l1, .. }),
                        Err(WordsError::Utf8 { start: s2, error_len: l2, .. }),
                    ) => assert_eq!((s1, l1), (s2, l2)),
                    _ => panic!("{threads} threads: {got:?} against {expected:?}"),
                }
            }
            if let Err(WordsError::Utf8 { start, error_len, .. }) = expected {
                let error = std::str::from_utf8(&bytes).unwrap_err();
                assert_eq!((start, error_len), (error.valid_up_to(), error.error_len()));
            }
        }
        assert_eq!(thread_limit(Some(0)), Err(RecipeError::NoThreads));
        assert_eq!(thread_limit(Some(i64::MIN)), Err(RecipeError::NoThreads));
        assert!(thread_limit(None).unwrap() >= 1);
    }

    #[test]
    fn most_common_in_file_reads_and_reports_io_errors() {
        let dir = std::env::temp_dir().join(format!("recipes-rust-cpython-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("words.txt");
        std::fs::File::create(&file)
            .unwrap()
            .write_all(b"b a b")
            .unwrap();
        assert_eq!(
            most_common_in_file(&file, 5, Some(1)).unwrap(),
            [("b".to_string(), 2), ("a".to_string(), 1)]
        );
        // Any n above the word count means all of them; a negative n is refused before
        // the file is opened, so even a missing file reports the n.
        assert_eq!(most_common_in_file(&file, i64::MAX, None).unwrap().len(), 2);
        assert!(matches!(
            most_common_in_file(&dir.join("missing.txt"), -1, Some(0)),
            Err(WordsError::Argument(RecipeError::NegativeWordCount))
        ));
        assert!(matches!(
            most_common_in_file(Path::new("a\0b"), 1, Some(2)),
            Err(WordsError::NulInPath)
        ));
        let missing = most_common_in_file(&dir.join("missing.txt"), 5, Some(1)).unwrap_err();
        assert!(matches!(missing, WordsError::Io(ref e) if e.raw_os_error().is_some()));
        // A directory opens fine on Linux and fails on read with EISDIR.
        assert!(matches!(
            most_common_in_file(&dir, 5, Some(1)),
            Err(WordsError::Io(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn calc_pi_known_values() {
        assert_eq!(calc_pi(0).as_deref(), Ok("3"));
        assert_eq!(calc_pi(1).as_deref(), Ok("3.1"));
        assert_eq!(calc_pi(4).as_deref(), Ok("3.1415"));
        assert_eq!(
            calc_pi(50).as_deref(),
            Ok("3.14159265358979323846264338327950288419716939937510")
        );
        for digits in [PI_MAX_DIGITS + 1, i64::MAX, -1, i64::MIN] {
            assert_eq!(calc_pi(digits), Err(RecipeError::PiDigitsOutOfRange));
        }
    }

    #[test]
    fn calc_pi_prefixes_agree_up_to_the_maximum() {
        // Truncation means every shorter result is a prefix of the longest one. This runs
        // the largest allowed input and many small ones: none may panic.
        let longest = calc_pi(PI_MAX_DIGITS).unwrap();
        assert_eq!(longest.len(), PI_MAX_DIGITS as usize + 2);
        for digits in (0..=300).chain([762, 763, 1000, 9999]) {
            let pi = calc_pi(digits).unwrap();
            assert!(
                longest.starts_with(&pi),
                "calc_pi({digits}) is not a prefix"
            );
            assert_eq!(pi.len(), if digits == 0 { 1 } else { digits as usize + 2 });
        }
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
        let mut out = [0.0; 4];
        assert_eq!(ewma([1.0, 2.0, 3.0, 5.0], 0.5, &mut out), Ok(()));
        assert_eq!(out, [1.0, 1.5, 2.25, 3.625]);
        // alpha = 1 keeps only the newest value: the series itself.
        assert_eq!(ewma([4.0, -1.0, 0.5, 8.0], 1.0, &mut out), Ok(()));
        assert_eq!(out, [4.0, -1.0, 0.5, 8.0]);
        // An empty series is fine; so is one value.
        assert_eq!(ewma([], 0.5, &mut []), Ok(()));
        let mut one = [0.0];
        assert_eq!(ewma([7.5], 0.25, &mut one), Ok(()));
        assert_eq!(one, [7.5]);
    }

    #[test]
    fn ewma_alpha_out_of_range_leaves_out_untouched() {
        let tiny = f64::from_bits(1); // the smallest positive double is allowed
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
            let mut out = [9.0; 3];
            assert_eq!(
                ewma([1.0, 2.0, 3.0], alpha, &mut out),
                Err(RecipeError::AlphaOutOfRange),
                "alpha {alpha}"
            );
            assert_eq!(out, [9.0; 3]);
            // Checked even for an empty series, as the reference does.
            assert_eq!(ewma([], alpha, &mut []), Err(RecipeError::AlphaOutOfRange));
        }
        assert_eq!(
            RecipeError::AlphaOutOfRange.to_string(),
            "ewma() alpha must be > 0 and <= 1"
        );
        assert_eq!(RecipeError::AlphaOutOfRange.kind(), ErrorKind::Domain);
        assert!(ewma([1.0, 2.0], tiny, &mut [0.0; 2]).is_ok());
    }

    #[test]
    fn ewma_matches_the_recurrence_bit_for_bit_in_any_order() {
        // A deterministic pseudo-random series with every kind of double (xorshift), NaN and
        // infinities included, read forwards, backwards and every third value.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let series: Vec<f64> = (0..2000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                f64::from_bits(state)
            })
            .chain([f64::NAN, f64::INFINITY, 1.0, -f64::INFINITY, -0.0, 0.0])
            .collect();
        for alpha in [
            1.0,
            0.5,
            0.1,
            1.0 / 3.0,
            1e-300,
            f64::from_bits(1),
            1.0 - f64::EPSILON / 2.0,
        ] {
            let reversed: Vec<f64> = series.iter().rev().copied().collect();
            let every_third: Vec<f64> = series.iter().step_by(3).copied().collect();
            for (values, expected) in [
                (series.clone(), ewma_by_index(&series, alpha)),
                (reversed.clone(), ewma_by_index(&reversed, alpha)),
                (every_third.clone(), ewma_by_index(&every_third, alpha)),
            ] {
                let mut out = vec![0.0; values.len()];
                ewma(values, alpha, &mut out).unwrap();
                assert_eq!(bits(&out), bits(&expected), "alpha {alpha}");
            }
            // Iterators straight from the slice, as the binding's strided reader is one.
            let mut out = vec![0.0; series.len()];
            ewma(series.iter().rev().copied(), alpha, &mut out).unwrap();
            assert_eq!(bits(&out), bits(&ewma_by_index(&reversed, alpha)));
        }
    }

    /// The midpoint rule spelled out as the contract writes it, for comparison bit for bit.
    fn midpoint_by_formula(f: impl Fn(f64) -> f64, a: f64, b: f64, n: i64) -> f64 {
        let h = (b - a) / n as f64;
        let mut total = 0.0;
        for i in 0..n {
            total += f(a + (i as f64 + 0.5) * h);
        }
        total * h
    }

    /// A callback that cannot fail, as the core sees Python's math.sin.
    fn infallible(f: impl Fn(f64) -> f64) -> impl FnMut(f64) -> Result<f64, Infallible> {
        move |x| Ok(f(x))
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
        assert!(integrate(infallible(|_| f64::NAN), 0.0, 1.0, 3)
            .unwrap()
            .is_nan());
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
    fn integrate_matches_the_formula_bit_for_bit() {
        let mut rng = Rng(0x5eed);
        let edge = [0.0, -0.0, 1.0, -3.5, 1e-300, 1e300, -1e308, 0.1, 1.0 / 3.0];
        for _ in 0..2_000 {
            let pick = |rng: &mut Rng| match rng.next() % 3 {
                0 => edge[(rng.next() % edge.len() as u64) as usize],
                1 => f64::from_bits(rng.next()),
                _ => (rng.next() % 2001) as f64 / 7.0 - 100.0,
            };
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            let n = 1 + (rng.next() % 200) as i64;
            let f = |x: f64| x * 0.5 - x * x;
            let ours = integrate(infallible(f), a, b, n).unwrap();
            let formula = midpoint_by_formula(f, a, b, n);
            assert!(
                ours.to_bits() == formula.to_bits() || (ours.is_nan() && formula.is_nan()),
                "integrate({a}, {b}, {n}): {ours} != {formula}"
            );
        }
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
}
