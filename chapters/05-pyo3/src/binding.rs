//! The PyO3 binding layer: converts Python arguments, calls the plain core in `core.rs`, and
//! turns its errors into Python exceptions. Safe Rust throughout: there is no `unsafe` block in
//! this chapter. PyO3 generates the C-level glue (argument parsing, reference counting, the
//! module init function) from the attributes below.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{
    PyOSError, PyOverflowError, PySystemError, PyTypeError, PyUnicodeDecodeError, PyValueError,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyMemoryView, PyString};

use crate::core::{
    self, ErrorKind, FibRecursiveError, IntegrateError, MostCommonError, RecipeError,
};

// --8<-- [start:errors]
/// Lets a `#[pyfunction]` return the core's `Result<_, RecipeError>` directly: PyO3 converts
/// the error with this `From` when the function returns. The core's kind picks the exception
/// type, the core's `Display` is the message (the contract's, word for word).
impl From<RecipeError> for PyErr {
    fn from(err: RecipeError) -> PyErr {
        let message = err.to_string();
        match err.kind() {
            ErrorKind::Domain => PyValueError::new_err(message),
            ErrorKind::Overflow => PyOverflowError::new_err(message),
        }
    }
}
// --8<-- [end:errors]

// --8<-- [start:index_arg]
/// An integer argument converted as `operator.index()` converts it: `int`, `bool`, int
/// subclasses and objects with `__index__` are accepted; `float`, `str`, `None`, ... raise
/// `TypeError`; an exception raised by `__index__` itself propagates unchanged.
///
/// Why not simply take `i64`? PyO3's `i64` extraction has the same `operator.index` semantics,
/// but it raises `OverflowError` for any int outside 64 bits, and the recipes need the sign of
/// such an int: `fib(-2**100)` is a `ValueError` (negative), `fib(2**100)` an `OverflowError`,
/// `calc_pi(2**100)` a `ValueError`, `most_common(path, 2**100)` means "all words". Nothing
/// here formats the int, so one beyond `str()`'s 4300-digit limit (10**5000) is fine too.
#[derive(Clone, Copy, Debug)]
enum IndexArg {
    Fits(i64),
    BelowI64,
    AboveI64,
}

impl IndexArg {
    /// The nearest `i64`: an int beyond 64 bits keeps its sign, which is all the core's range
    /// checks need.
    fn saturating(self) -> i64 {
        match self {
            IndexArg::Fits(value) => value,
            IndexArg::BelowI64 => i64::MIN,
            IndexArg::AboveI64 => i64::MAX,
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for IndexArg {
    type Error = PyErr;

    #[inline] // on the hot path of every call: let it merge into the generated wrapper
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        // Fast path: an int (bool and int subclasses included) needs no `__index__` call. This
        // is just a type-flag test, so `fib(0)` pays almost nothing for the strictness.
        if let Ok(int) = obj.cast::<PyInt>() {
            return int_to_index_arg(&int);
        }
        // Slow path: call `operator.index` once (imported on first use, then cached).
        static OPERATOR_INDEX: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let index = OPERATOR_INDEX.import(obj.py(), "operator", "index")?;
        let int = index.call1((obj,))?.cast_into::<PyInt>()?;
        int_to_index_arg(&int.as_borrowed())
    }
}

#[inline]
fn int_to_index_arg(int: &Borrowed<'_, '_, PyInt>) -> PyResult<IndexArg> {
    match int.extract::<i64>() {
        Ok(value) => Ok(IndexArg::Fits(value)),
        // An int can only fail to convert by being out of range; ask which side.
        Err(_) if int.lt(0)? => Ok(IndexArg::BelowI64),
        Err(_) => Ok(IndexArg::AboveI64),
    }
}
// --8<-- [end:index_arg]

// --8<-- [start:bind_fib]
/// fib(n, /) -> int: the n-th Fibonacci number (0 <= n <= 93), iteratively in u64.
#[pyfunction]
#[pyo3(signature = (n, /))] // positional-only, like a C built-in: fib(n=3) is a TypeError
fn fib(n: IndexArg) -> Result<u64, RecipeError> {
    // u64 becomes a Python int (fib(93) > 2**63 is fine); RecipeError becomes ValueError or
    // OverflowError through the `From` impl above.
    core::fib(n.saturating())
}

/// fib_recursive(n, /) -> int: the same, by naive double recursion (exponential time).
#[pyfunction]
#[pyo3(signature = (n, /))]
fn fib_recursive(py: Python<'_>, n: IndexArg) -> PyResult<u64> {
    let n = n.saturating();
    // A call below the core's INTERRUPT_CHECK_FROM_N takes at most a few milliseconds: it stays
    // attached, and the core never asks its hook. A longer call (seconds for n = 40, hours for
    // 60) detaches from the interpreter, so other Python threads run meanwhile, and checks for
    // signals every few milliseconds: Ctrl-C.
    let long_call = u64::try_from(n).is_ok_and(|n| n >= core::INTERRUPT_CHECK_FROM_N);
    let mut interrupted: Option<PyErr> = None;
    let result = if long_call {
        py.detach(|| {
            core::fib_recursive(n, || {
                // `py.check_signals()` is PyErr_CheckSignals, which runs the Python handler of
                // any signal that arrived (on the main thread only; elsewhere it returns Ok):
                // Python code, so the thread must be attached. `py` cannot enter this closure
                // (the compiler refuses: it is not Send), so attach again for the check, and keep
                // what a handler raised, KeyboardInterrupt for SIGINT by default.
                interrupted = Python::attach(|py| py.check_signals().err());
                interrupted.is_some()
            })
        })
    } else {
        core::fib_recursive(n, || false)
    };
    match result {
        Ok(value) => Ok(value),
        Err(FibRecursiveError::Argument(err)) => Err(err.into()),
        // What the signal handler raised, unchanged. (The hook says stop only after keeping
        // it, so the fallback is unreachable; it is there because nothing here may panic.)
        Err(FibRecursiveError::Interrupted) => Err(interrupted
            .unwrap_or_else(|| PySystemError::new_err("fib_recursive() stopped without an error"))),
    }
}
// --8<-- [end:bind_fib]

// --8<-- [start:bind_linear_recurrence]
/// LinearRecurrence(coefficients, initial, /): an iterator over
/// a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}, in checked signed 64-bit arithmetic.
///
/// `frozen` means Python never hands out `&mut self`; the state sits behind a `Mutex`
/// instead. On a free-threaded Python several threads can call `next()` on one instance at
/// the same moment; with a plain `&mut self` method PyO3's runtime borrow check would make the
/// losers raise "RuntimeError: Already borrowed". The lock is held for a few arithmetic
/// operations and never across a call into Python, so it cannot deadlock with the interpreter.
#[pyclass(frozen)]
// The class is defined once but shipped in two wheels; its __module__ names the public package.
#[cfg_attr(not(feature = "abi3"), pyo3(module = "recipes_pyo3"))]
#[cfg_attr(feature = "abi3", pyo3(module = "recipes_pyo3_abi3"))]
struct LinearRecurrence {
    state: Mutex<core::LinearRecurrence>,
}

#[pymethods]
impl LinearRecurrence {
    #[new]
    #[pyo3(signature = (coefficients, initial, /))]
    fn new(coefficients: &Bound<'_, PyAny>, initial: &Bound<'_, PyAny>) -> PyResult<Self> {
        // Checked in this order: every element of coefficients, then of initial, then (in the
        // core) the shapes.
        let coefficients = collect_i64s("coefficients", coefficients)?;
        let initial = collect_i64s("initial values", initial)?;
        let recurrence = core::LinearRecurrence::new(coefficients, initial)?;
        Ok(Self {
            state: Mutex::new(recurrence),
        })
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf // iter(x) is x
    }

    fn __next__(&self) -> PyResult<i64> {
        // A poisoned lock would mean a panic while it was held; the core cannot panic, and
        // if it ever did, its state is still a valid window, so carry on instead of panicking.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.next_term()?)
    }
}

/// Copies any iterable of integers into a Vec<i64>. Not `Vec<i64>` as the parameter type:
/// PyO3's Vec extraction wants a sequence (a generator would be refused) and refuses `str`
/// with its own message; iterating ourselves accepts every iterable, in order. The `i64` range
/// is a type conversion (the core takes `Vec<i64>`), so it is checked here.
fn collect_i64s(what: &str, iterable: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    let iterator = iterable.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "LinearRecurrence() {what} must be an iterable of integers, not {}",
            type_name(iterable)
        ))
    })?;
    let mut values = Vec::with_capacity(iterable.len().unwrap_or(0));
    for item in iterator {
        // Errors from the iterator or from __index__ propagate unchanged (`?`).
        match item?.extract::<IndexArg>()? {
            IndexArg::Fits(value) => values.push(value),
            IndexArg::BelowI64 | IndexArg::AboveI64 => {
                return Err(PyOverflowError::new_err(format!(
                    "LinearRecurrence {what} must fit in signed 64 bits"
                )));
            }
        }
    }
    Ok(values)
}
// --8<-- [end:bind_linear_recurrence]

// --8<-- [start:bind_most_common]
/// The `path` argument of most_common: what `os.fspath()` makes of it must be a `str`.
/// Keeps that `str` object too: it is what `open()` puts in `OSError.filename`.
struct StrPath<'py> {
    path: PathBuf,
    as_str: Bound<'py, PyString>,
}

impl<'a, 'py> FromPyObject<'a, 'py> for StrPath<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        let fspath_result = if obj.is_instance_of::<PyString>() {
            obj.to_owned()
        } else {
            static OS_FSPATH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
            // os.fspath raises TypeError for int, None, ... itself.
            OS_FSPATH.import(py, "os", "fspath")?.call1((obj,))?
        };
        // bytes paths (and PathLike objects returning bytes) are refused on purpose.
        let as_str = fspath_result.cast_into::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "most_common() path must be str or os.PathLike returning str, not {}",
                type_name(&obj)
            ))
        })?;
        // PyO3's PathBuf conversion encodes with the filesystem encoding, as open() does.
        let path: PathBuf = as_str.extract()?;
        Ok(StrPath { path, as_str })
    }
}

/// The `threads` argument of most_common, extracted as it came: converting it is left to the
/// function body, because the contract checks `n`'s range (a ValueError) before `threads`'
/// type (a TypeError), and PyO3 extracts every argument before the body runs.
enum ThreadsArg<'py> {
    /// Not given: the default, one thread.
    One,
    /// `None`: every core.
    AllCores,
    /// Anything else, for `operator.index` semantics in the body.
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for ThreadsArg<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(if obj.is_none() {
            ThreadsArg::AllCores
        } else {
            ThreadsArg::Given(obj.to_owned())
        })
    }
}

/// most_common(path, n, /, *, threads=1) -> list[tuple[str, int]]: the n most common words of
/// a UTF-8 file, counted with up to `threads` native threads (None: every core).
///
/// `/` makes path and n positional-only and `*` makes threads keyword-only, as in Python; the
/// default is a Rust expression, so `text_signature` spells it for `inspect.signature`.
#[pyfunction]
#[pyo3(signature = (path, n, /, *, threads = ThreadsArg::One))]
#[pyo3(text_signature = "(path, n, /, *, threads=1)")]
fn most_common(
    py: Python<'_>,
    path: StrPath<'_>,
    n: IndexArg,
    threads: ThreadsArg<'_>,
) -> PyResult<Vec<(String, u64)>> {
    let n = n.saturating();
    // The core's own check of n, first: `most_common(p, -1, threads="x")` is about n.
    core::most_common_limit(n)?;
    // An int beyond 64 bits keeps its sign: below 1 is the core's ValueError, above i64::MAX
    // asks for more threads than the core will ever start.
    let threads = match threads {
        ThreadsArg::One => Some(1),
        ThreadsArg::AllCores => None,
        ThreadsArg::Given(obj) => Some(obj.extract::<IndexArg>()?.saturating()),
    };
    // `detach` releases the GIL (on free-threaded Python: detaches this thread) while the
    // closure reads and counts, so other Python threads run meanwhile, and so do the core's
    // rayon threads. The closure may not touch Python objects: PyO3 enforces that at compile
    // time (it must be `Send`), which is why only the Rust PathBuf goes in and only Rust data
    // comes out. No rayon thread ever attaches to the interpreter.
    let fs_path = &path.path;
    let counted = py.detach(|| core::most_common_in_file(fs_path, n, threads));
    // Back under the GIL: build the Python exception, or PyO3 converts the Vec into a
    // list of (str, int) tuples (this copy is the price of crossing the boundary).
    counted.map_err(|err| most_common_error(py, err, &path.as_str))
}

/// Maps the core's error to what `open(path, "rb").read().decode("utf-8")` would raise.
fn most_common_error(
    py: Python<'_>,
    err: MostCommonError,
    filename: &Bound<'_, PyString>,
) -> PyErr {
    match err {
        MostCommonError::Argument(err) => err.into(),
        MostCommonError::NulInPath => PyValueError::new_err("embedded null byte"),
        MostCommonError::Io(io_error) => match io_error.raw_os_error() {
            // OSError(errno, strerror, filename): CPython's OSError constructor picks the
            // subclass from errno (ENOENT -> FileNotFoundError, EISDIR -> IsADirectoryError, ...)
            // and sets .errno, .strerror and .filename, exactly as for open().
            Some(errno) => {
                PyOSError::new_err((errno, strerror(py, errno), filename.clone().unbind()))
            }
            None => PyOSError::new_err(io_error.to_string()),
        },
        MostCommonError::InvalidUtf8 {
            bytes,
            start,
            error_len,
        } => unicode_decode_error(py, &bytes, start, error_len),
    }
}

/// UnicodeDecodeError as `bytes.decode("utf-8")` raises it. `start` (`Utf8Error::valid_up_to()`,
/// made a file position by the core) is Python's `.start` and `error_len` gives `.end`. PyO3's ready-made
/// `PyUnicodeDecodeError::new_utf8` computes those too, but its `.reason` is always
/// "invalid utf-8", where CPython's decoder names one of three problems.
fn unicode_decode_error(
    py: Python<'_>,
    bytes: &[u8],
    start: usize,
    error_len: Option<usize>,
) -> PyErr {
    let (end, reason) = match error_len {
        None => (bytes.len(), c"unexpected end of data"),
        Some(len) if can_never_start_utf8(bytes.get(start)) => (start + len, c"invalid start byte"),
        Some(len) => (start + len, c"invalid continuation byte"),
    };
    match PyUnicodeDecodeError::new(py, c"utf-8", bytes, start..end, reason) {
        Ok(exception) => PyErr::from_value(exception.into_any()),
        Err(creating_failed) => creating_failed,
    }
}

/// Bytes no UTF-8 sequence begins with: continuation bytes (0x80..=0xBF), the overlong
/// leads 0xC0 and 0xC1, and 0xF5..=0xFF (they would encode beyond U+10FFFF).
fn can_never_start_utf8(byte: Option<&u8>) -> bool {
    matches!(byte, Some(0x80..=0xC1 | 0xF5..=0xFF))
}

/// The C library's message for an errno, as Python shows it: `os.strerror(errno)`. (Rust's
/// io::Error text appends " (os error 2)", which Python's own OSError never has.)
fn strerror(py: Python<'_>, errno: i32) -> String {
    static OS_STRERROR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    OS_STRERROR
        .import(py, "os", "strerror")
        .and_then(|f| f.call1((errno,)))
        .and_then(|message| message.extract::<String>())
        .unwrap_or_else(|_| std::io::Error::from_raw_os_error(errno).to_string())
}
// --8<-- [end:bind_most_common]

// --8<-- [start:bind_calc_pi]
/// calc_pi(digits, /) -> str: pi truncated to 0 <= digits <= 10000 decimal places.
#[pyfunction]
#[pyo3(signature = (digits, /))]
fn calc_pi(digits: IndexArg) -> Result<String, RecipeError> {
    // The digits are produced into a Rust String and copied once into a new Python str.
    core::calc_pi(digits.saturating())
}
// --8<-- [end:bind_calc_pi]

// --8<-- [start:bind_ewma]
/// ewma(values, alpha, /) -> numpy.ndarray: the exponentially weighted moving average of a
/// 1-D buffer of float64, as a new array.
///
/// `alpha` arrives as a plain object and is converted in the body: PyO3 converts typed
/// parameters before the body runs, and the contract checks `values` first.
#[pyfunction]
#[pyo3(signature = (values, alpha, /))]
fn ewma<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    alpha: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let values = float64_array(values)?;
    // PyO3's f64 extraction is PyFloat_AsDouble: __float__, else __index__; TypeError for
    // str, bytes, None, complex; CPython's own OverflowError for an int beyond a double.
    let alpha: f64 = alpha.extract()?;
    // A read-only borrow in rust-numpy's borrow checker: no other Rust code of this process
    // may write the array while it lasts. Python code is not in that checker (see README).
    let values = values.try_readonly()?;
    let series = values.as_array(); // an ndarray view: any stride, negative too, no copy
    // The loop runs detached from the interpreter (the GIL released): the closure may only
    // touch Rust data, which PyO3 checks at compile time.
    let smoothed = py.detach(|| match series.as_slice() {
        // Contiguous, the common case: a slice iterator tells Vec::extend its exact length
        // (TrustedLen), so filling the result needs no capacity check per value.
        Some(contiguous) => core::ewma(contiguous.iter().copied(), alpha),
        None => core::ewma(series.iter().copied(), alpha),
    })?;
    // The Vec becomes the array's memory without a copy: rust-numpy hands NumPy its pointer
    // and keeps the Vec alive in the array's `base`, and Rust frees it with the array.
    Ok(PyArray1::from_vec(py, smoothed))
}

/// `values` as a 1-D float64 NumPy array that rust-numpy can read in place, or the
/// contract's errors: TypeError for no buffer, ValueError for the dimensions, TypeError
/// naming any other format.
fn float64_array<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    // The usual case, and the fast one: already a 1-D float64 array in native byte order.
    // The cast only checks the type, dimensions and dtype; the data stays where it is.
    let array = match values.cast::<PyArray1<f64>>() {
        Ok(array) => array.clone(),
        // `PyReadonlyArray1<f64>` as the parameter type would refuse everything else with
        // its own TypeError; the contract takes any buffer and names the wrong format.
        Err(_) => buffer_as_array(values)?,
    };
    // rust-numpy's views assume aligned items at strides that are multiples of the item
    // size; a field of a packed NumPy record (stride 9) is neither. Copy those, rare, arrays.
    if array.is_aligned() {
        Ok(array)
    } else {
        Ok(array
            .call_method0(intern!(values.py(), "copy"))?
            .cast_into()?)
    }
}

/// Any other buffer (array.array, memoryview, ctypes, a NumPy array of another dtype or
/// shape), checked through a memoryview, then wrapped by `numpy.asarray`: a NumPy view of the
/// same memory, not a copy. Python-level calls, so slower than the fast path, but the same
/// code in the abi3 build, where the C buffer API is missing (Py_buffer joined the limited
/// API only in 3.11, and PyO3's PyBuffer needs it).
fn buffer_as_array<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let py = values.py();
    // memoryview() raises TypeError for an object without a buffer. (Not PyO3's PyBuffer:
    // besides abi3, it refuses with BufferError what the protocol allows, a NULL `shape` for
    // 0-d buffers and the NULL `strides` of ctypes arrays.)
    let view = PyMemoryView::from(values)?;
    let ndim: usize = view.getattr(intern!(py, "ndim"))?.extract()?;
    if ndim != 1 {
        return Err(PyValueError::new_err(format!(
            "ewma() values must be one-dimensional, got {ndim} dimensions"
        )));
    }
    let format = view
        .getattr(intern!(py, "format"))?
        .cast_into::<PyString>()?;
    if !NATIVE_DOUBLE_FORMATS.contains(&&*format.to_cow()?) {
        return Err(PyTypeError::new_err(format!(
            "ewma() values must be float64 (buffer format 'd'), got format {}",
            format.repr()?
        )));
    }
    static NUMPY_ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let asarray = NUMPY_ASARRAY.import(py, "numpy", "asarray")?;
    // The array keeps the memoryview alive as its base, and the memoryview keeps the buffer
    // exported; both go when ewma drops the array, before it returns.
    Ok(asarray.call1((view,))?.cast_into()?)
}

/// Buffer formats (struct module syntax) that mean a C double in this machine's byte order:
/// "d" and "@d" native, "=d" native order with standard size, "<d" (ctypes writes it) or
/// ">d" naming this machine's byte order.
#[cfg(target_endian = "little")]
const NATIVE_DOUBLE_FORMATS: [&str; 4] = ["d", "@d", "=d", "<d"];
#[cfg(target_endian = "big")]
const NATIVE_DOUBLE_FORMATS: [&str; 4] = ["d", "@d", "=d", ">d"];
// --8<-- [end:bind_ewma]

// --8<-- [start:bind_integrate]
/// integrate(f, a, b, n, /) -> float: the integral of the Python callable f from a to b by the
/// midpoint rule over n steps.
///
/// PyO3 converts the parameters in order, f, a, b, n, which is the contract's order of checks:
/// `f: Callable` refuses a non-callable before `a` is looked at.
#[pyfunction]
#[pyo3(signature = (f, a, b, n, /))]
fn integrate(f: Callable<'_>, a: f64, b: f64, n: IndexArg) -> PyResult<f64> {
    // `a: f64` is PyO3's f64 extraction: PyFloat_AsDouble, as for ewma's alpha. The i64 range
    // of n is a type conversion (the core takes an i64): above it is an OverflowError here;
    // below it n stays negative and the core says it must be >= 1.
    let n = match n {
        IndexArg::AboveI64 => {
            return Err(PyOverflowError::new_err(
                "integrate() n must fit in signed 64 bits",
            ));
        }
        other => other.saturating(),
    };
    // The callback the core calls n times, attached to the interpreter (holding the GIL) all
    // along: calling Python needs that, and detaching around the loop would only mean
    // attaching again for every call. `call1((x,))` makes a new float for x, calls f with
    // PyObject_CallOneArg (vectorcall: no argument tuple; the abi3-py310 build makes a 1-tuple
    // for PyObject_Call) and drops the float; the result is a `Bound` dropped (decremented)
    // once converted. If f raises, `call1` returns Err(PyErr)
    // holding the exception object with its traceback, and `?` hands it to the core, which
    // stops and returns it. A result float() refuses (a str, None, 10**400) is the same path.
    // Then Ctrl-C: a Python f runs bytecode, and the interpreter runs the signal handlers
    // between bytecodes, but a built-in f such as math.sin runs none, and
    // integrate(math.sin, 0.0, 1.0, 10**12) would ignore Ctrl-C for hours. So every call
    // checks (`check_signals` is PyErr_CheckSignals, a few nanoseconds with no signal pending).
    let py = f.0.py();
    let call_f = |x: f64| -> PyResult<f64> {
        let y = f.0.call1((x,))?.extract::<f64>()?;
        py.check_signals()?;
        Ok(y)
    };
    match core::integrate(call_f, a, b, n) {
        Ok(value) => Ok(value),
        // The exception f raised, the same object: PyO3 restores it as this call's exception,
        // and Python adds this call's frame to its traceback.
        Err(IntegrateError::Callback(raised)) => Err(raised),
        Err(IntegrateError::Argument(err)) => Err(err.into()),
    }
}

/// Any object `callable()` accepts, else the contract's TypeError. A parameter type of its own,
/// so that PyO3 checks it first, before converting the parameters after it.
struct Callable<'py>(Bound<'py, PyAny>);

impl<'a, 'py> FromPyObject<'a, 'py> for Callable<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_callable() {
            Ok(Callable(obj.to_owned()))
        } else {
            Err(PyTypeError::new_err(format!(
                "integrate() f must be callable, not {}",
                type_name(&obj)
            )))
        }
    }
}
// --8<-- [end:bind_integrate]

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |name| name.to_string())
}

// --8<-- [start:bind_module]
/// The extending-python recipes, in Rust, bound with PyO3.
///
/// A declarative module: the `mod` lists what Python sees. Its name `_native` must match the
/// file name maturin gives the shared library (`module-name` in pyproject.toml), or the
/// import fails with "dynamic module does not define module export function".
/// `gil_used = false` is PyO3's default since 0.28, written out as a promise: nothing here
/// relies on the GIL for thread safety, so free-threaded Python keeps the GIL off.
#[pymodule(name = "_native", gil_used = false)]
mod native {
    #[pymodule_export]
    use super::{LinearRecurrence, calc_pi, ewma, fib, fib_recursive, integrate, most_common};

    // Not recipes: small functions the README and tests use to show what panics and
    // exceptions look like on the Python side (see src/demos.rs).
    #[pymodule_export]
    use crate::demos::{
        _call_or_nan_demo, _call_unwrap_demo, _callback_demo, _io_error_demo, _panic_demo,
    };
}
// --8<-- [end:bind_module]
