//! The recipes in plain, safe Rust. Nothing here knows about C or Python: the functions
//! take and return Rust types and report failures as [`Error`]. `src/ffi.rs` turns them into
//! the C functions that include/recipes.h promises; `cargo test` tests them directly.
//!
//! This is where every argument's domain is checked, against the named limits below, and
//! where the messages of the recipes' own errors are worded, exactly as the recipe contract
//! (docs/contract.md in the cookbook) words them. Bindings only pass them on.
//!
//! Nothing here should panic on any input (the C boundary would catch it, but a caught panic
//! is still a bug): integer arithmetic is checked or proven in range, and slices are indexed
//! only within their length.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::mem::MaybeUninit;
use std::path::Path;

/// Why a recipe failed. The C layer maps each variant to one RECIPES_ERR_* status code.
#[derive(Debug)]
pub enum Error {
    /// An argument is outside its domain (RECIPES_ERR_VALUE, Python `ValueError`).
    Value(String),
    /// A result does not fit in 64 bits (RECIPES_ERR_OVERFLOW, Python `OverflowError`).
    Overflow(String),
    /// The OS refused to open or read a file (RECIPES_ERR_OS, errno set).
    Io(io::Error),
    /// The file is not UTF-8: `start..end` are the byte offsets of the first bad sequence,
    /// `reason` is worded as Python's UnicodeDecodeError words it (RECIPES_ERR_UTF8).
    Utf8 { start: usize, end: usize, reason: &'static str },
    /// The caller's "should I stop?" hook said stop (RECIPES_STOPPED). Not a failure of the
    /// recipe: whoever asked to stop knows why (a Python front end keeps the exception).
    Stopped,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Value(message) | Error::Overflow(message) => f.write_str(message),
            Error::Io(err) => write!(f, "{err}"),
            Error::Utf8 { reason, .. } => f.write_str(reason),
            Error::Stopped => f.write_str("stopped by the caller's stop hook"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

// --8<-- [start:fib]
/// The largest n whose Fibonacci number fits in a u64: F(93) = 12200160415121876738 < 2**64.
/// The header exports it as RECIPES_FIB_MAX_N (src/ffi.rs checks that the two agree).
pub const FIB_MAX_N: i64 = 93;

/// The argument rules shared by both Fibonacci functions: n < 0 is outside the domain,
/// n > FIB_MAX_N has a result that does not fit in a u64. The messages quote no argument: a
/// binding may pass i64::MIN or i64::MAX in place of an integer beyond i64's range, and the
/// message must be true of what its caller passed.
fn fib_argument(function: &str, n: i64) -> Result<u64> {
    if n < 0 {
        return Err(Error::Value(format!("{function}() argument must be >= 0")));
    }
    if n > FIB_MAX_N {
        return Err(Error::Overflow(format!(
            "{function}() argument must be <= {FIB_MAX_N}: the result would not fit in 64 bits"
        )));
    }
    Ok(n.unsigned_abs()) // 0 <= n here, so this is just the conversion to u64
}

/// The n-th Fibonacci number by a loop in unsigned 64-bit arithmetic.
pub fn fib(n: i64) -> Result<u64> {
    let n = fib_argument("fib", n)?;
    if n == 0 {
        return Ok(0);
    }
    // n-1 steps, returning `b`: the textbook n steps would also compute F(n+1), which
    // overflows for n = FIB_MAX_N (the fib recipe page has the whole story).
    let (mut a, mut b) = (0u64, 1u64); // F(0), F(1)
    for _ in 1..n {
        (a, b) = (b, a + b);
    }
    Ok(b)
}
// --8<-- [end:fib]

// --8<-- [start:fib_recursive]
/// fib_recursive asks `should_stop` at every node with n at least this (the header exports it
/// as RECIPES_FIB_CHECK_FROM_N). Below it, a subtree is at most fib_recursive(29): about a
/// million additions, a few milliseconds, so a long call asks every few milliseconds, and
/// fib_recursive(30) asks exactly once.
pub const INTERRUPT_CHECK_FROM_N: u64 = 30;

/// The n-th Fibonacci number by naive double recursion: exponential time on purpose.
/// `should_stop` is the caller's "should I stop?" (Ctrl-C): `Error::Stopped` when it says so.
pub fn fib_recursive(n: i64, mut should_stop: impl FnMut() -> bool) -> Result<u64> {
    let n = fib_argument("fib_recursive", n)?;
    interruptible_fib(n, &mut should_stop).ok_or(Error::Stopped)
}

/// The top of the recursion, n >= INTERRUPT_CHECK_FROM_N: one question per node, and `None`
/// all the way up as soon as the answer is "stop". Below the threshold, the plain recursion.
fn interruptible_fib(n: u64, should_stop: &mut impl FnMut() -> bool) -> Option<u64> {
    if n < INTERRUPT_CHECK_FROM_N {
        return Some(naive_fib(n));
    }
    if should_stop() {
        return None;
    }
    Some(interruptible_fib(n - 1, should_stop)? + interruptible_fib(n - 2, should_stop)?)
}

/// Callers guarantee n <= FIB_MAX_N, so no sum exceeds F(FIB_MAX_N) and none can overflow.
/// No hook, no counter: the bottom of the tree, where nearly all the work is, stays as fast
/// as it was before anyone could interrupt it.
fn naive_fib(n: u64) -> u64 {
    if n <= 1 { n } else { naive_fib(n - 1) + naive_fib(n - 2) }
}
// --8<-- [end:fib_recursive]

// --8<-- [start:linear_recurrence]
/// The sequence a_0, a_1, ... with a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}.
#[derive(Debug)]
pub struct LinearRecurrence {
    coefficients: Vec<i64>,
    /// Terms computed but not yet returned: k of them until an overflow, then fewer.
    window: VecDeque<i64>,
    /// Set once the term after the window could not be computed in 64 bits.
    overflowed: bool,
}

impl LinearRecurrence {
    pub fn new(coefficients: &[i64], initial: &[i64]) -> Result<Self> {
        if coefficients.is_empty() {
            return Err(Error::Value(
                "LinearRecurrence needs at least one coefficient".to_owned(),
            ));
        }
        if coefficients.len() != initial.len() {
            return Err(Error::Value(format!(
                "LinearRecurrence needs as many initial values as coefficients (got {} for {})",
                initial.len(),
                coefficients.len()
            )));
        }
        Ok(Self {
            coefficients: coefficients.to_vec(),
            window: initial.iter().copied().collect(),
            overflowed: false,
        })
    }

    /// The next term; `Error::Overflow` once the term due has overflowed, and forever after.
    pub fn next_term(&mut self) -> Result<i64> {
        if !self.overflowed {
            // Compute the term k places ahead while the window is full. An overflow is not
            // an error yet: the k terms already in the window are due first.
            match self.following_term() {
                Some(term) => self.window.push_back(term),
                None => self.overflowed = true,
            }
        }
        self.window.pop_front().ok_or_else(|| {
            Error::Overflow("the next term of this LinearRecurrence overflows signed 64 bits".to_owned())
        })
    }

    /// c_0*a_n + ... + c_{k-1}*a_{n+k-1}, left to right, every * and + checked.
    fn following_term(&self) -> Option<i64> {
        self.coefficients
            .iter()
            .zip(&self.window)
            .try_fold(0i64, |total, (&c, &a)| total.checked_add(c.checked_mul(a)?))
    }
}
// --8<-- [end:linear_recurrence]

// --8<-- [start:most_common]
/// What `bytes.split()` splits on. Pitfall: Rust's `u8::is_ascii_whitespace` leaves out
/// \x0b (vertical tab), which Python counts as whitespace.
fn is_python_whitespace(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// most_common's `n` as a count of words: n < 0 is outside the domain. Separate from
/// [`most_common`] so that a caller can check it before it even converts the path.
pub fn most_common_limit(n: i64) -> Result<usize> {
    if n < 0 {
        return Err(Error::Value("most_common() n must be >= 0".to_owned()));
    }
    // n can exceed usize on a 32-bit machine: that still means "all of them".
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The most threads most_common starts, however many it is asked for.
pub const MOST_COMMON_MAX_THREADS: usize = 64;
/// The least file most_common gives each thread: below that, a thread costs more than it saves.
pub const MOST_COMMON_MIN_CHUNK: usize = 64 * 1024;

/// most_common's `threads` as a count: threads < 1 is outside the domain. Checked after `n`
/// and before the path, as the contract orders them.
pub fn most_common_threads(threads: i64) -> Result<usize> {
    if threads < 1 {
        return Err(Error::Value("most_common() threads must be >= 1".to_owned()));
    }
    Ok(usize::try_from(threads).unwrap_or(usize::MAX))
}

/// `text` cut into at most `parts` chunks, back to back, each ending just after an ASCII
/// whitespace byte (except the last, which ends with the text). No word is cut, and a chunk
/// never ends inside a UTF-8 sequence that a later chunk completes: a truncated sequence is
/// followed, within its chunk, by the whitespace byte that makes it invalid in the whole text.
fn split_at_whitespace(text: &[u8], parts: usize) -> Vec<usize> {
    let mut ends = Vec::with_capacity(parts);
    let mut start = 0;
    for i in 1..parts {
        // i * len / parts without overflow: parts <= 64, so len / parts * i stays in range.
        let target = (text.len() / parts).saturating_mul(i).max(start);
        match text[target..].iter().position(is_python_whitespace) {
            Some(offset) => {
                start = target + offset + 1;
                ends.push(start);
            }
            None => break,
        }
    }
    if ends.last() != Some(&text.len()) {
        ends.push(text.len());
    }
    ends
}

type Counts<'a> = HashMap<&'a [u8], u64, foldhash::fast::RandomState>;

/// One chunk's words, lowercased in place, counted; or where its first bad UTF-8 sequence is,
/// as offsets into the file (the chunk starts at `offset`).
fn count((offset, chunk): (usize, &mut [u8])) -> Result<Counts<'_>> {
    if let Err(err) = std::str::from_utf8(chunk) {
        return Err(match utf8_error(chunk, &err) {
            Error::Utf8 { start, end, reason } => Error::Utf8 { start: start + offset, end: end + offset, reason },
            other => other,
        });
    }
    // ASCII lowercasing changes only the bytes A-Z, which never occur inside a multi-byte
    // UTF-8 sequence, so the text stays valid UTF-8 and no word needs its own copy.
    chunk.make_ascii_lowercase();
    let chunk: &[u8] = chunk;
    let mut counts = Counts::default();
    for word in chunk.split(is_python_whitespace).filter(|word| !word.is_empty()) {
        *counts.entry(word).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The `n` most frequent words of the UTF-8 file at `path`, by count descending, then by word.
/// Counted by up to `threads` threads (at most one per [`MOST_COMMON_MIN_CHUNK`] bytes and
/// [`MOST_COMMON_MAX_THREADS`] in all); the result, errors included, never depends on it.
pub fn most_common(path: &Path, n: usize, threads: usize) -> Result<Vec<(String, u64)>> {
    let mut text = std::fs::read(path).map_err(Error::Io)?;
    let parts = threads.min(MOST_COMMON_MAX_THREADS).min(text.len() / MOST_COMMON_MIN_CHUNK).max(1);
    let ends = split_at_whitespace(&text, parts);

    // Disjoint mutable chunks, each with its offset in the file.
    let mut chunks: Vec<(usize, &mut [u8])> = Vec::with_capacity(ends.len());
    let (mut rest, mut offset) = (&mut text[..], 0);
    for &end in &ends {
        let (chunk, tail) = std::mem::take(&mut rest).split_at_mut(end - offset);
        chunks.push((offset, chunk));
        (rest, offset) = (tail, end);
    }

    let results: Vec<Result<Counts<'_>>> = if chunks.len() == 1 {
        chunks.into_iter().map(count).collect()
    } else {
        use rayon::prelude::*;
        // A pool of exactly one thread per chunk, for this call: rayon's global pool would
        // start one per core whatever `threads` says. Threads of pure Rust: no GIL, no Python.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(chunks.len())
            .build()
            .map_err(|err| Error::Io(io::Error::other(err)))?;
        // collect() keeps the chunks' order, so the first error below is the first in the file.
        pool.install(|| chunks.into_par_iter().map(count).collect())
    };

    let mut merged: Option<Counts<'_>> = None;
    for result in results {
        let counts = result?; // the earliest chunk with bad UTF-8 wins, as in one thread
        merged = Some(match merged {
            None => counts,
            Some(mut total) => {
                for (word, count) in counts {
                    *total.entry(word).or_insert(0) += count;
                }
                total
            }
        });
    }

    let mut ranked: Vec<(&[u8], u64)> = merged.unwrap_or_default().into_iter().collect();
    // Byte order of UTF-8 is code point order, so comparing the bytes sorts like Python's str.
    let by_count_then_word = |a: &(&[u8], u64), b: &(&[u8], u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if n < ranked.len() {
        // Partition around the n-th so only the winners are sorted: O(words + n log n).
        ranked.select_nth_unstable_by(n, by_count_then_word);
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(by_count_then_word);
    Ok(ranked
        .into_iter()
        // Every word is a slice of valid UTF-8 cut at ASCII bytes, so this never replaces anything.
        .map(|(word, count)| (String::from_utf8_lossy(word).into_owned(), count))
        .collect())
}

/// Describes the first invalid sequence the way Python's UTF-8 decoder does, so the
/// UnicodeDecodeError raised in Python has the same start, end and reason as `bytes.decode`.
fn utf8_error(text: &[u8], err: &std::str::Utf8Error) -> Error {
    let start = err.valid_up_to();
    match err.error_len() {
        // Input ends inside a sequence: Python reports the rest of the input.
        None => Error::Utf8 { start, end: text.len(), reason: "unexpected end of data" },
        Some(len) => {
            // Bytes that can never begin a sequence are "invalid start byte"; a valid start
            // byte followed by a bad byte is "invalid continuation byte".
            let can_start = matches!(text.get(start), Some(0xc2..=0xf4));
            let reason = if can_start { "invalid continuation byte" } else { "invalid start byte" };
            Error::Utf8 { start, end: start + len, reason }
        }
    }
}
// --8<-- [end:most_common]

// --8<-- [start:calc_pi]
/// The most decimal places calc_pi computes (its work grows with the square). The header
/// exports it as RECIPES_PI_MAX_DIGITS (src/ffi.rs checks that the two agree).
pub const PI_MAX_DIGITS: i64 = 10_000;

/// Extra digits computed so that the held predigit and nines never reach the kept digits.
const PI_GUARD_DIGITS: usize = 8;

/// Pi truncated to `digits` decimal places: "3" for 0, "3.1415" for 4.
pub fn calc_pi(digits: i64) -> Result<String> {
    let digits = calc_pi_argument(digits)?;
    // Rabinowitz and Wagon's spigot, translated literally from the reference implementation.
    let n = digits + 1 + PI_GUARD_DIGITS; // decimal digits to produce, counting the 3
    let size = 10 * n / 3 + 1;
    let mut a = vec![2u64; size];
    let mut out: Vec<u8> = Vec::with_capacity(n + 1);
    let (mut predigit, mut nines) = (0u8, 0usize);
    for _ in 0..n {
        let mut q = 0u64;
        for i in (1..=size as u64).rev() {
            let slot = &mut a[(i - 1) as usize];
            let x = 10 * *slot + q * i;
            *slot = x % (2 * i - 1);
            q = x / (2 * i - 1);
        }
        a[0] = q % 10;
        q /= 10;
        match q {
            9 => nines += 1, // hold it: a later carry may turn ...999 into ...000
            10 => {
                out.push(predigit + 1);
                out.extend(std::iter::repeat_n(0, nines));
                (predigit, nines) = (0, 0);
            }
            _ => {
                out.push(predigit);
                out.extend(std::iter::repeat_n(9, nines));
                (predigit, nines) = (q as u8, 0); // q <= 8 here
            }
        }
    }
    out.push(predigit);
    out.extend(std::iter::repeat_n(9, nines));

    // out[0] is the spigot's leading 0, out[1] is the 3.
    let mut text = String::with_capacity(digits + 2);
    for (i, &digit) in out[1..digits + 2].iter().enumerate() {
        if i == 1 {
            text.push('.');
        }
        text.push(char::from(b'0' + digit));
    }
    Ok(text)
}

/// The length of calc_pi's text for an accepted `digits`: the 3, and a point if any decimals.
pub fn calc_pi_len(digits: i64) -> Result<usize> {
    let digits = calc_pi_argument(digits)?;
    Ok(if digits == 0 { 1 } else { digits + 2 })
}

fn calc_pi_argument(digits: i64) -> Result<usize> {
    if !(0..=PI_MAX_DIGITS).contains(&digits) {
        return Err(Error::Value(format!("calc_pi() digits must be between 0 and {PI_MAX_DIGITS}")));
    }
    Ok(digits.unsigned_abs() as usize) // 0..=PI_MAX_DIGITS fits in any usize
}
// --8<-- [end:calc_pi]

// --8<-- [start:ewma]
/// The exponentially weighted moving average of `values`, written to `out`, one result per
/// slot (`out` has as many slots as `values` has values): with beta = 1 - alpha,
/// y[0] = x[0] and y[i] = alpha * x[i] + beta * y[i - 1].
///
/// `values` is any sequence of doubles, read once in order: a slice's `iter().copied()`, or
/// the strided reader that src/ffi.rs builds over C memory. `out` is `MaybeUninit` because the
/// caller's memory may be fresh from an allocator (NumPy's `empty`): it is only written.
///
/// Rust never fuses `alpha * x + beta * y` into one multiply-add by itself: each `*` and `+`
/// gives IEEE 754's result for its operands (RFC 3514), and only an explicit `f64::mul_add`
/// fuses. So each product is rounded before the sum, as the contract wants, with no flag.
pub fn ewma(values: impl IntoIterator<Item = f64>, alpha: f64, out: &mut [MaybeUninit<f64>]) -> Result<()> {
    let beta = ewma_beta(alpha)?; // before anything is read or written
    let mut pairs = out.iter_mut().zip(values);
    if let Some((slot, first)) = pairs.next() {
        let mut y = first;
        slot.write(y);
        for (slot, x) in pairs {
            y = add_left_nan_first(alpha * x, beta * y);
            slot.write(y);
        }
    }
    Ok(())
}

/// `left + right`, and when both are NaN, `left` itself. IEEE 754 leaves open which NaN the
/// sum of two NaNs is; x86-64's `addsd` returns the first operand of the instruction, and
/// CPython's float addition puts the left operand first. `+` is commutative, though, and
/// LLVM may put either operand first (for `alpha * x + beta * y` it put `beta * y` first), so
/// without this the sign of a NaN could differ from the reference's, and the contract compares
/// bits. Returning `left` is a copy, which keeps its bits, unlike arithmetic, whose NaN
/// results Rust leaves unspecified.
#[inline]
fn add_left_nan_first(left: f64, right: f64) -> f64 {
    if left.is_nan() { nan_wins(left) } else { left + right }
}

/// The rare arm of `add_left_nan_first`, marked cold so that LLVM keeps a branch, predicted
/// never taken, rather than computing both arms and blending them on every step: a blend
/// would add two instructions to the chain of ys, which is all the loop's time.
#[cold]
fn nan_wins(left: f64) -> f64 {
    left
}

/// alpha's domain, 0 < alpha <= 1, and the weight of the past, 1 - alpha, computed once.
fn ewma_beta(alpha: f64) -> Result<f64> {
    // Written so that NaN, which fails every comparison, fails the check too.
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(Error::Value("ewma() alpha must be > 0 and <= 1".to_owned()));
    }
    Ok(1.0 - alpha)
}
// --8<-- [end:ewma]

// --8<-- [start:integrate]
/// The midpoint rule: h = (b - a) / n, then the sum of f(a + (i + 0.5) * h) for i = 0 .. n - 1,
/// in that order, times h. Every operation is one rounded IEEE operation (Rust never fuses a
/// multiply and an add by itself), so the result is bit-identical to the Python reference.
///
/// Generic over `f`'s error type `E`: whatever `f` fails with comes back out unchanged, and
/// `f` is not called again. The core's own error (n < 1, checked before `f` is ever called)
/// must fit in `E` too. The C layer uses `Error` itself (`Error::Stopped` when the caller's
/// hook says stop); a PyO3 binding could use `PyErr` and carry a Python exception through.
pub fn integrate<E: From<Error>>(
    mut f: impl FnMut(f64) -> std::result::Result<f64, E>,
    a: f64,
    b: f64,
    n: i64,
) -> std::result::Result<f64, E> {
    if n < 1 {
        return Err(Error::Value("integrate() n must be >= 1".to_owned()).into());
    }
    // `as f64` rounds to the nearest double, as Python's int / float and int + float do.
    let h = (b - a) / n as f64;
    let mut total = 0.0;
    for i in 0..n {
        total += f(a + (i as f64 + 0.5) * h)?;
    }
    Ok(total * h)
}
// --8<-- [end:integrate]

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn fib_known_values_and_limits() {
        assert_eq!(fib(0).unwrap(), 0);
        assert_eq!(fib(1).unwrap(), 1);
        assert_eq!(fib(90).unwrap(), 2880067194370816120);
        assert_eq!(fib(FIB_MAX_N).unwrap(), 12200160415121876738);
        assert!(matches!(fib(-1), Err(Error::Value(_))));
        assert!(matches!(fib(FIB_MAX_N + 1), Err(Error::Overflow(_))));
        assert!(matches!(fib(i64::MIN), Err(Error::Value(_))));
        assert!(matches!(fib(i64::MAX), Err(Error::Overflow(_))));
    }

    #[test]
    fn range_errors_carry_the_contract_messages() {
        let message = |result: Result<u64>| result.unwrap_err().to_string();
        assert_eq!(message(fib(-1)), "fib() argument must be >= 0");
        assert_eq!(message(fib(FIB_MAX_N + 1)), "fib() argument must be <= 93: the result would not fit in 64 bits");
        assert_eq!(message(fib_recursive(-1, || false)), "fib_recursive() argument must be >= 0");
        assert_eq!(calc_pi(-1).unwrap_err().to_string(), "calc_pi() digits must be between 0 and 10000");
        assert_eq!(most_common_limit(-1).unwrap_err().to_string(), "most_common() n must be >= 0");
        assert_eq!(most_common_limit(i64::MAX).unwrap(), usize::try_from(i64::MAX).unwrap_or(usize::MAX));
        assert_eq!(
            LinearRecurrence::new(&[1], &[1, 2]).unwrap_err().to_string(),
            "LinearRecurrence needs as many initial values as coefficients (got 2 for 1)"
        );
    }

    #[test]
    fn fib_recursive_agrees_with_fib() {
        for n in 0..=25 {
            assert_eq!(fib_recursive(n, || false).unwrap(), fib(n).unwrap());
        }
        assert!(matches!(fib_recursive(-1, || false), Err(Error::Value(_))));
        assert!(matches!(fib_recursive(FIB_MAX_N + 1, || false), Err(Error::Overflow(_))));
    }

    #[test]
    fn fib_recursive_asks_its_hook_only_from_the_threshold() {
        let count = |n: i64| {
            let mut asked = 0u64;
            let value = fib_recursive(n, || {
                asked += 1;
                false
            });
            (value.unwrap(), asked)
        };
        assert_eq!(count(29), (fib(29).unwrap(), 0));
        assert_eq!(count(30), (fib(30).unwrap(), 1)); // the root only
        // Nodes with n >= 30 in the tree of fib(32): 32, 31, 30 twice.
        assert_eq!(count(32), (fib(32).unwrap(), 4));
    }

    #[test]
    fn fib_recursive_stops_when_the_hook_says_so() {
        let mut asked = 0;
        let stopped = fib_recursive(FIB_MAX_N, || {
            asked += 1;
            asked == 3
        });
        assert!(matches!(stopped, Err(Error::Stopped)));
        assert_eq!(asked, 3); // and not once more after "stop"
    }

    #[test]
    fn integrate_follows_the_formula_in_order() {
        let mut points = Vec::new();
        let value: std::result::Result<f64, Error> = integrate(
            |x| {
                points.push(x);
                Ok(x * x)
            },
            0.0,
            1.0,
            4,
        );
        assert_eq!(value.unwrap(), 0.328125); // (1 + 9 + 25 + 49) / 64 / 4
        assert_eq!(points, [0.125, 0.375, 0.625, 0.875]);
        // Reversed bounds give the negative integral; a = b gives 0.
        let square = |x: f64| Ok::<f64, Error>(x * x);
        assert_eq!(integrate(square, 1.0, 0.0, 4).unwrap(), -0.328125);
        assert_eq!(integrate(square, 2.0, 2.0, 3).unwrap(), 0.0);
    }

    #[test]
    fn integrate_passes_the_callback_error_through_and_stops() {
        #[derive(Debug, PartialEq)]
        enum Mine {
            Core(String),
            Callback(u32),
        }
        impl From<Error> for Mine {
            fn from(err: Error) -> Self {
                Mine::Core(err.to_string())
            }
        }
        let mut calls = 0;
        let failed = integrate(
            |x| {
                calls += 1;
                if calls == 3 { Err(Mine::Callback(7)) } else { Ok(x) }
            },
            0.0,
            1.0,
            10,
        );
        assert_eq!(failed, Err(Mine::Callback(7)));
        assert_eq!(calls, 3); // f is not called again after it failed
        let mut called = false;
        let bad_n = integrate(
            |x| {
                called = true;
                Ok::<f64, Mine>(x)
            },
            0.0,
            1.0,
            0,
        );
        assert_eq!(bad_n, Err(Mine::Core("integrate() n must be >= 1".to_owned())));
        assert!(!called); // checked before any call
    }

    fn take(rec: &mut LinearRecurrence, count: usize) -> Vec<i64> {
        (0..count).map(|_| rec.next_term().unwrap()).collect()
    }

    #[test]
    fn lucas_numbers() {
        let mut lucas = LinearRecurrence::new(&[1, 1], &[2, 1]).unwrap();
        assert_eq!(take(&mut lucas, 8), [2, 1, 3, 4, 7, 11, 18, 29]);
    }

    #[test]
    fn fibonacci_stops_after_f92_and_stays_stopped() {
        let mut fibonacci = LinearRecurrence::new(&[1, 1], &[0, 1]).unwrap();
        let terms = take(&mut fibonacci, 93);
        assert_eq!(terms[92], 7540113804746346429); // F(92)
        for _ in 0..3 {
            assert!(matches!(fibonacci.next_term(), Err(Error::Overflow(_))));
        }
    }

    #[test]
    fn overflow_drains_the_window_first() {
        // k = 3, a_3 = 2**62 + 2**62 would overflow on the first next(): a_0..a_2 still come out.
        let big = 1i64 << 62;
        let mut rec = LinearRecurrence::new(&[0, 1, 1], &[0, big, big]).unwrap();
        assert_eq!(take(&mut rec, 3), [0, big, big]);
        assert!(matches!(rec.next_term(), Err(Error::Overflow(_))));
        assert!(matches!(rec.next_term(), Err(Error::Overflow(_))));
    }

    #[test]
    fn recurrence_rejects_bad_shapes() {
        let empty = LinearRecurrence::new(&[], &[]).unwrap_err();
        assert_eq!(empty.to_string(), "LinearRecurrence needs at least one coefficient");
        assert!(matches!(LinearRecurrence::new(&[1], &[1, 2]), Err(Error::Value(_))));
    }

    #[test]
    fn calc_pi_known_values() {
        assert_eq!(calc_pi(0).unwrap(), "3");
        assert_eq!(calc_pi(4).unwrap(), "3.1415");
        assert_eq!(calc_pi(20).unwrap(), "3.14159265358979323846");
        // Digits 762..767 are the "Feynman point", six nines in a row: the held nines.
        assert!(calc_pi(770).unwrap().ends_with("999999837"));
        let long = calc_pi(PI_MAX_DIGITS).unwrap();
        assert_eq!(long.len(), 10_002);
        assert!(long.ends_with("5678")); // pi's 9997th..10000th decimals
        assert_eq!(calc_pi_len(0).unwrap(), 1);
        assert_eq!(calc_pi_len(4).unwrap(), 6);
        assert!(matches!(calc_pi(-1), Err(Error::Value(_))));
        assert!(matches!(calc_pi(PI_MAX_DIGITS + 1), Err(Error::Value(_))));
    }

    /// ewma over a slice, into a new Vec: the core as a Rust caller would use it.
    fn ewma_of(values: &[f64], alpha: f64) -> Result<Vec<f64>> {
        let mut out = vec![MaybeUninit::uninit(); values.len()];
        ewma(values.iter().copied(), alpha, &mut out)?;
        // SAFETY: on success ewma wrote every slot (one per value).
        Ok(out.into_iter().map(|slot| unsafe { slot.assume_init() }).collect())
    }

    #[test]
    fn ewma_follows_the_formula_in_order() {
        assert_eq!(ewma_of(&[], 0.5).unwrap(), Vec::<f64>::new());
        assert_eq!(ewma_of(&[3.0], 0.5).unwrap(), [3.0]);
        assert_eq!(ewma_of(&[1.0, 3.0, 5.0, 7.0], 0.5).unwrap(), [1.0, 2.0, 3.5, 5.25]);
        assert_eq!(ewma_of(&[1.0, 2.0, 3.0], 1.0).unwrap(), [1.0, 2.0, 3.0]); // alpha 1: the input
        // Each product rounded, then the sum: here a fused multiply-add, whichever product it
        // fused, would round once and land on the next double.
        let (x0, x1, alpha) = (-5.424755574590947, 8.905413911078448, 0.1);
        let beta = 1.0 - alpha;
        let y1 = ewma_of(&[x0, x1], alpha).unwrap()[1];
        assert_eq!(y1, alpha * x1 + beta * x0);
        assert_ne!(y1, alpha.mul_add(x1, beta * x0));
        assert_ne!(y1, beta.mul_add(x0, alpha * x1));
        let special = ewma_of(&[f64::INFINITY, 1.0, f64::NAN, 2.0], 0.5).unwrap();
        assert_eq!(special[..2], [f64::INFINITY, f64::INFINITY]);
        assert!(special[2].is_nan() && special[3].is_nan());
        // Two NaNs meet in the sum: the one from alpha * x wins, as in CPython.
        let negative_nan = -f64::NAN;
        let both = ewma_of(&[negative_nan, f64::NAN], 0.5).unwrap();
        assert_eq!(both[1].to_bits(), f64::NAN.to_bits()); // x[1]'s NaN, through alpha * x[1]
        assert_ne!(both[1].to_bits(), negative_nan.to_bits()); // not y[0]'s, through beta * y[0]
    }

    #[test]
    fn ewma_alpha_must_be_in_its_domain_and_is_checked_first() {
        for alpha in [0.0, -0.0, -1.0, 1.0 + f64::EPSILON, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut out = [MaybeUninit::new(7.0)];
            let err = ewma([1.0], alpha, &mut out).unwrap_err();
            assert_eq!(err.to_string(), "ewma() alpha must be > 0 and <= 1");
            // SAFETY: initialised above; a failed call writes nothing.
            assert_eq!(unsafe { out[0].assume_init() }, 7.0);
        }
        assert!(ewma_of(&[], f64::NAN).is_err()); // even with nothing to read
        assert!(ewma_of(&[1.0], f64::from_bits(1)).is_ok()); // the smallest alpha > 0
    }

    fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("recipes-core-{}-{name}", std::process::id()));
        std::fs::File::create(&path).unwrap().write_all(contents).unwrap();
        path
    }

    #[test]
    fn most_common_counts_like_python() {
        let path = temp_file("words", b"b a\x0bB\tc\r\nA a \xc3\x89t\xc3\xa9 \xc3\xa9t\xc3\xa9 zz");
        let top = most_common(&path, 10, 1).unwrap();
        let expected = [("a", 3), ("b", 2), ("c", 1), ("zz", 1), ("\u{c9}t\u{e9}", 1), ("\u{e9}t\u{e9}", 1)];
        let expected: Vec<(String, u64)> = expected.iter().map(|&(w, c)| (w.to_owned(), c)).collect();
        assert_eq!(top, expected);
        assert_eq!(most_common(&path, 2, 1).unwrap(), expected[..2]);
        assert!(most_common(&path, 0, 1).unwrap().is_empty());
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn most_common_reports_utf8_errors_like_python() {
        let cases: [(&[u8], usize, usize, &str); 3] = [
            (b"ok \xff", 3, 4, "invalid start byte"),
            (b"ok \xc3(", 3, 4, "invalid continuation byte"),
            (b"ok \xe2\x82", 3, 5, "unexpected end of data"),
        ];
        for (contents, want_start, want_end, want_reason) in cases {
            let path = temp_file("bad", contents);
            match most_common(&path, 1, 1) {
                Err(Error::Utf8 { start, end, reason }) => {
                    assert_eq!((start, end, reason), (want_start, want_end, want_reason));
                }
                other => panic!("expected a UTF-8 error, got {other:?}"),
            }
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn most_common_passes_os_errors_through() {
        match most_common(Path::new("/no/such/file"), 1, 1) {
            Err(Error::Io(err)) => assert_eq!(err.kind(), io::ErrorKind::NotFound),
            other => panic!("expected an OS error, got {other:?}"),
        }
    }

    #[test]
    fn most_common_threads_never_change_the_result() {
        assert_eq!(most_common_threads(0).unwrap_err().to_string(), "most_common() threads must be >= 1");
        assert_eq!(most_common_threads(i64::MIN).unwrap_err().to_string(), "most_common() threads must be >= 1");
        assert_eq!(most_common_threads(3).unwrap(), 3);
        // Big enough for 8 chunks, with tabs, vertical tabs and multi-byte words at every split.
        let mut text = Vec::new();
        for i in 0..200_000u32 {
            text.extend_from_slice(format!("W{} \u{e9}t\u{e9}{}\x0b", i % 97, i % 13).as_bytes());
            text.push(if i % 7 == 0 { b'\t' } else { b' ' });
        }
        let path = temp_file("threads", &text);
        let one = most_common(&path, 50, 1).unwrap();
        for threads in [2, 3, 8, 64, 1000] {
            assert_eq!(most_common(&path, 50, threads).unwrap(), one);
        }
        // A truncated sequence just before a split, and a bad byte late in the file.
        let mut bad = text.clone();
        let middle = bad.len() / 2;
        let split = middle + bad[middle..].iter().position(is_python_whitespace).unwrap();
        bad[split - 1] = 0xe2;
        let last = bad.len() - 2;
        bad[last] = 0xff;
        let path_bad = temp_file("threads-bad", &bad);
        let want = match most_common(&path_bad, 1, 1) {
            Err(Error::Utf8 { start, end, reason }) => (start, end, reason),
            other => panic!("expected a UTF-8 error, got {other:?}"),
        };
        assert_eq!(want, (split - 1, split, "invalid continuation byte"));
        for threads in [2, 3, 8, 64] {
            match most_common(&path_bad, 1, threads) {
                Err(Error::Utf8 { start, end, reason }) => assert_eq!((start, end, reason), want),
                other => panic!("expected a UTF-8 error, got {other:?}"),
            }
        }
        std::fs::remove_file(path).unwrap();
        std::fs::remove_file(path_bad).unwrap();
    }
}
