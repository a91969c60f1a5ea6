//! The thin layer between Python and `core`: rust-cpython 0.7.2.
//!
//! Three ideas of rust-cpython show up everywhere below:
//!
//! * `py: Python<'p>` is a zero-sized token that proves "this thread holds the GIL".
//!   Every function that touches a Python object asks for one, so the compiler rejects
//!   Python work in a place that has released the GIL.
//! * `PyObject` owns one reference. Cloning needs the token (`clone_ref(py)`), and
//!   `Drop` decrements the count. A value can be dropped anywhere, token or not, so `Drop`
//!   wraps the decrement in `PyGILState_Ensure`/`Release` (cheap when this thread holds
//!   the GIL, but not free); `release_ref(py)` uses the token instead.
//! * Every `py_fn!`/`py_class!` callback runs inside `catch_unwind`: a Rust panic becomes
//!   a Python `SystemError("Rust panic: ...")` instead of unwinding into C.

// `py_class!` expands to `impl` blocks inside a function body; the lint that flags this
// (Rust 1.80+) is newer than the last rust-cpython release, which will not change now.
#![allow(non_local_definitions)]
// `py_fn!` strips the `r#` prefix of raw identifiers by hand; clippy flags the expansion.
#![allow(clippy::manual_strip)]

use std::cell::RefCell;
use std::ffi::CStr;
use std::marker::PhantomData;
use std::os::raw::c_int;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::{mem, slice};

use cpython::_detail::ffi;
use cpython::{
    exc, py_class, py_fn, py_module_initializer, ObjectProtocol, PyBytes, PyClone, PyDict, PyDrop,
    PyErr, PyFloat, PyObject, PyResult, PyString, PyTuple, Python, PythonObject,
};

use crate::core as recipes;
use crate::demos::{
    call_or_nan_demo, call_unwrap_demo, panic_demo, panic_demo_without_gil, pybuffer_get_demo,
    typed_argument_demo,
};

// --8<-- [start:arguments]
/// Positional-only arguments, as C built-ins take them.
///
/// rust-cpython's own parameter lists (`py_fn!(py, fib(n: u64))`) are parsed by
/// `argparse::parse_args` from an `(args, kwargs)` pair: every parameter can also be passed
/// by keyword (`fib(n=3)` would work), and the parameter is named after the Rust variable.
/// The contract says positional-only, so every function here declares `*args, **kwargs`
/// and checks the count itself. That is also the cost the `call` benchmark measures:
/// rust-cpython registers every function as METH_VARARGS | METH_KEYWORDS, so CPython packs
/// the arguments into a fresh tuple on each call; there is no METH_O or vectorcall path.
pub(crate) fn positional<'a, const N: usize>(
    py: Python,
    function: &str,
    args: &'a PyTuple,
    kwargs: Option<&PyDict>,
) -> PyResult<&'a [PyObject; N]> {
    if kwargs.is_some_and(|kw| kw.len(py) > 0) {
        return Err(PyErr::new::<exc::TypeError, _>(
            py,
            format!("{function}() takes no keyword arguments"),
        ));
    }
    let given = args.as_slice(py);
    // A slice converts to a fixed-size array reference only if the length matches, so
    // the callers can destructure `let [a, b] = ...` without any indexing that could panic.
    <&[PyObject; N]>::try_from(given).map_err(|_| {
        let plural = if N == 1 { "" } else { "s" };
        PyErr::new::<exc::TypeError, _>(
            py,
            format!(
                "{function}() takes exactly {N} argument{plural} ({} given)",
                given.len()
            ),
        )
    })
}

/// An integer argument after `operator.index()`, sorted by whether it fits in an `i64`.
enum Index {
    Fits(i64),
    AboveI64,
    BelowI64,
}

impl Index {
    /// The nearest `i64`: an int beyond 64 bits keeps its sign, which is all the core's
    /// range checks need (`fib(-2**100)` is negative, `calc_pi(2**100)` too large,
    /// `most_common(p, 2**100)` "all words").
    fn saturating(self) -> i64 {
        match self {
            Index::Fits(value) => value,
            Index::AboveI64 => i64::MAX,
            Index::BelowI64 => i64::MIN,
        }
    }
}

/// `operator.index(obj)` (in C: `PyNumber_Index`), then sorted by range without raising.
///
/// Why not `obj.extract::<u64>(py)`? rust-cpython 0.7.2 does call `PyNumber_Index` there,
/// so floats and strings are refused, but the range errors are not ours: `-1` gives
/// `OverflowError("can't convert negative int to unsigned")` where the contract wants
/// `ValueError`, and 2**100 gives OverflowError where `calc_pi` must raise ValueError.
/// `PyLong_AsLongLongAndOverflow` reports "too big"/"too small" in an out-parameter
/// instead of raising, so an int of any size (10**5000 too) stays in our hands, and no
/// message ever needs `str()` of it (which Python refuses above 4300 digits).
fn index(py: Python, obj: &PyObject) -> PyResult<Index> {
    // SAFETY: we hold the GIL (the `py` token) and `obj` is a valid reference.
    // PyNumber_Index returns a new reference or NULL with an exception set; a TypeError
    // from it, or whatever `__index__` itself raised, propagates unchanged.
    let int_obj = unsafe { PyObject::from_owned_ptr_opt(py, ffi::PyNumber_Index(obj.as_ptr())) }
        .ok_or_else(|| PyErr::fetch(py))?;
    let mut overflow: c_int = 0;
    // SAFETY: int_obj is an int (PyNumber_Index guarantees it).
    let value = unsafe { ffi::PyLong_AsLongLongAndOverflow(int_obj.as_ptr(), &mut overflow) };
    // Dropping a PyObject would re-acquire the GIL to decrement it; we hold the GIL, so
    // hand the reference back directly.
    int_obj.release_ref(py);
    // -1 is both a valid result and the error marker: only an exception set tells them
    // apart (it cannot happen for an exact int, but checking is the C API's rule).
    if value == -1 && PyErr::occurred(py) {
        return Err(PyErr::fetch(py));
    }
    Ok(match overflow {
        1 => Index::AboveI64,
        -1 => Index::BelowI64,
        _ => Index::Fits(value),
    })
}

/// An integer argument for the core: `operator.index` semantics, clamped to `i64`.
fn i64_argument(py: Python, obj: &PyObject) -> PyResult<i64> {
    Ok(index(py, obj)?.saturating())
}
// --8<-- [end:arguments]

// --8<-- [start:bind_fib]
fn fib(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<u64> {
    let [n] = positional(py, "fib", args, kwargs)?;
    // The core checks the range; a u64 converts to a Python int with
    // PyLong_FromUnsignedLongLong, so F(93) > 2**63 arrives intact.
    recipes::fib(i64_argument(py, n)?).map_err(|error| recipe_error(py, &error))
}

fn fib_recursive(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<u64> {
    let [n] = positional(py, "fib_recursive", args, kwargs)?;
    let n = i64_argument(py, n)?;
    // A call below the core's INTERRUPT_CHECK_FROM_N takes at most a few milliseconds: it keeps
    // the GIL, and the core never asks its hook. A longer call (seconds for n = 40, hours for
    // 60) releases the GIL, so other Python threads run meanwhile, and checks for signals every
    // few milliseconds: Ctrl-C.
    let long_call = u64::try_from(n).is_ok_and(|n| n >= recipes::INTERRUPT_CHECK_FROM_N);
    let mut interrupted: Option<PyErr> = None;
    let result = if long_call {
        py.allow_threads(|| {
            recipes::fib_recursive(n, || {
                // PyErr_CheckSignals runs the Python handler of any signal that arrived (on the
                // main thread only; elsewhere it returns 0): Python code, so it needs the GIL.
                // The `py` token cannot enter this closure (it is not Send), so take the GIL
                // back (PyGILState_Ensure) for the check; dropping `gil` releases it again.
                let gil = Python::acquire_gil();
                // rust-cpython has no wrapper for it: call it through the crate's `ffi` module.
                // SAFETY: this thread holds the GIL (`gil`). -1 means a handler raised, and its
                // exception (KeyboardInterrupt for SIGINT by default) is set: fetch and keep it.
                if unsafe { ffi::PyErr_CheckSignals() } != 0 {
                    interrupted = Some(PyErr::fetch(gil.python()));
                }
                interrupted.is_some()
            })
        })
    } else {
        recipes::fib_recursive(n, || false)
    };
    match result {
        Ok(value) => Ok(value),
        Err(recipes::FibRecursiveError::Argument(error)) => Err(recipe_error(py, &error)),
        // What the signal handler raised, unchanged. (The hook says stop only after keeping
        // it, so the fallback is unreachable; it is there because nothing here may panic.)
        Err(recipes::FibRecursiveError::Interrupted) => Err(interrupted.unwrap_or_else(|| {
            PyErr::new::<exc::SystemError, _>(py, "fib_recursive() stopped without an error")
        })),
    }
}
// --8<-- [end:bind_fib]

// --8<-- [start:bind_linear_recurrence]
/// Copy an iterable of integers into a Vec<i64>: not iterable or not an integer ->
/// TypeError, outside i64 -> OverflowError. `what` is "coefficients" or "initial values".
/// The i64 range is a type conversion (the core takes `Vec<i64>`), so it is checked here.
fn i64_items(py: Python, iterable: &PyObject, what: &str) -> PyResult<Vec<i64>> {
    let mut values = Vec::new();
    for item in iterable.iter(py)? {
        let item = item?;
        let value = index(py, &item);
        item.release_ref(py);
        match value? {
            Index::Fits(v) => values.push(v),
            Index::AboveI64 | Index::BelowI64 => {
                return Err(PyErr::new::<exc::OverflowError, _>(
                    py,
                    format!("LinearRecurrence {what} must fit in signed 64 bits"),
                ))
            }
        }
    }
    Ok(values)
}

py_class!(pub class LinearRecurrence |py| {
    // `data` fields live inside the Python object. Python only ever hands out shared
    // references (`&self`), so the mutable iterator state sits in a RefCell: interior
    // mutability, checked at run time.
    data state: RefCell<recipes::LinearRecurrence>;

    def __new__(_cls, *args, **kwargs) -> PyResult<LinearRecurrence> {
        let [coefficients, initial] =
            positional(py, "LinearRecurrence", args, kwargs)?;
        let coefficients = i64_items(py, coefficients, "coefficients")?;
        let initial = i64_items(py, initial, "initial values")?;
        let recurrence = recipes::LinearRecurrence::new(coefficients, initial)
            .map_err(|error| recipe_error(py, &error))?;
        LinearRecurrence::create_instance(py, RefCell::new(recurrence))
    }

    def __iter__(&self) -> PyResult<LinearRecurrence> {
        // iter(x) is x: a new reference to the same object.
        Ok(self.clone_ref(py))
    }

    def __next__(&self) -> PyResult<Option<i64>> {
        // Thread safety comes from the GIL: nothing below calls back into Python, so no
        // other thread can run between the borrow and its end, and 8 threads calling
        // next() on one instance each get distinct terms. `try_borrow_mut` instead of
        // `borrow_mut` turns "impossible" re-entry into an exception rather than a panic.
        let mut state = self.state(py).try_borrow_mut().map_err(|_| {
            PyErr::new::<exc::RuntimeError, _>(py, "LinearRecurrence is already being advanced")
        })?;
        // Returning Ok(None) would mean StopIteration, which this sequence never raises:
        // once it overflows, every call raises the core's error.
        state.next_term().map(Some).map_err(|error| recipe_error(py, &error))
    }
});
// --8<-- [end:bind_linear_recurrence]

// --8<-- [start:bind_most_common]
fn most_common(
    py: Python,
    args: &PyTuple,
    kwargs: Option<&PyDict>,
) -> PyResult<Vec<(String, u64)>> {
    // `most_common(path, n, /, *, threads=1)`. rust-cpython's `py_fn!` parameter lists have
    // no keyword-only parameters (nor positional-only ones), so the function takes
    // `*args, **kwargs` and sorts them out itself: two positional, `threads` by keyword only.
    let threads_arg = threads_keyword(py, kwargs)?;
    let [path_arg, n_arg] = positional(py, "most_common", args, None)?;
    let (path_str, path) = str_path(py, path_arg)?;
    let n = i64_argument(py, n_arg)?;
    // The contract checks n's range before threads' type; the core's own check says how.
    recipes::word_limit(n).map_err(|error| recipe_error(py, &error))?;
    // None: every core. An int beyond 64 bits keeps its sign: below 1 is the core's
    // ValueError, above i64::MAX is "as many as you like", capped by the core.
    let threads = match threads_arg {
        Some(obj) if !obj.is_none(py) => Some(i64_argument(py, &obj)?),
        Some(_) => None,
        None => Some(1),
    };
    // Read and count with the GIL released, so other Python threads run meanwhile, and
    // so do the core's rayon threads: none of them ever touches a Python object.
    // The closure must be `Send` and `Python<'p>` is not, so the token cannot enter it;
    // every method of a Python object asks for the token, so none can be called in there.
    // It gets plain Rust values only: a PathBuf, an i64 and an Option<i64>.
    let counted = py.allow_threads(move || recipes::most_common_in_file(&path, n, threads));
    // Vec<(String, u64)> converts to a list of (str, int) tuples.
    counted.map_err(|error| words_error(py, error, &path_str))
}

/// The `threads` keyword of most_common, if given; any other keyword is a TypeError, with
/// the message CPython gives for a function defined in Python.
fn threads_keyword(py: Python, kwargs: Option<&PyDict>) -> PyResult<Option<PyObject>> {
    let Some(kwargs) = kwargs else {
        return Ok(None);
    };
    let mut threads = None;
    for (key, value) in kwargs.items(py) {
        match key.extract::<String>(py) {
            Ok(name) if name == "threads" => threads = Some(value),
            Ok(name) => {
                return Err(PyErr::new::<exc::TypeError, _>(
                    py,
                    format!("most_common() got an unexpected keyword argument '{name}'"),
                ))
            }
            Err(_) => {
                return Err(PyErr::new::<exc::TypeError, _>(
                    py,
                    "most_common() keywords must be strings",
                ))
            }
        }
    }
    Ok(threads)
}

/// `os.fspath(obj)` must return a str (bytes paths are refused: the contract takes text).
/// Returns that str (open() reports it as the filename of an OSError, even when it was
/// given a Path) and the file system bytes it encodes to, the way open() encodes it.
fn str_path(py: Python, obj: &PyObject) -> PyResult<(PyObject, PathBuf)> {
    // SAFETY: GIL held; PyOS_FSPath returns a new reference or NULL with TypeError set.
    let fspath = unsafe { PyObject::from_owned_ptr_opt(py, ffi::PyOS_FSPath(obj.as_ptr())) }
        .ok_or_else(|| PyErr::fetch(py))?;
    // SAFETY: GIL held, fspath is valid.
    if unsafe { ffi::PyUnicode_Check(fspath.as_ptr()) } == 0 {
        let type_name = fspath.get_type(py).name(py).into_owned();
        fspath.release_ref(py);
        return Err(PyErr::new::<exc::TypeError, _>(
            py,
            format!("most_common() path must be str or os.PathLike returning str, not {type_name}"),
        ));
    }
    // Pitfall: a Python str path is not always valid Unicode; os.listdir() returns
    // undecodable names as lone surrogates (PEP 383). Encode with the file system
    // encoding and its error handler, as open() does, rather than as UTF-8.
    // SAFETY: GIL held; returns a new bytes reference or NULL with an exception set.
    let encoded = unsafe {
        PyObject::from_owned_ptr_opt(py, ffi::PyUnicode_EncodeFSDefault(fspath.as_ptr()))
    }
    .ok_or_else(|| PyErr::fetch(py))?;
    let bytes = encoded.cast_as::<PyBytes>(py)?.data(py).to_vec();
    encoded.release_ref(py);
    Ok((fspath, bytes_to_path(bytes)))
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}
// --8<-- [end:bind_most_common]

// --8<-- [start:errors]
/// The core's contract errors, as Python exceptions: the kind picks the class, the core's
/// `Display` is the message.
fn recipe_error(py: Python, error: &recipes::RecipeError) -> PyErr {
    let message = error.to_string();
    match error.kind() {
        recipes::ErrorKind::Domain => PyErr::new::<exc::ValueError, _>(py, message),
        recipes::ErrorKind::Overflow => PyErr::new::<exc::OverflowError, _>(py, message),
    }
}

/// What `open(path, "rb").read().decode("utf-8")` raises for each failure of the core.
fn words_error(py: Python, error: recipes::WordsError, filename: &PyObject) -> PyErr {
    match error {
        recipes::WordsError::Argument(error) => recipe_error(py, &error),
        // open() refuses an embedded NUL with ValueError before asking the OS.
        recipes::WordsError::NulInPath => {
            PyErr::new::<exc::ValueError, _>(py, "embedded null byte")
        }
        recipes::WordsError::Io(error) => os_error(py, &error, filename),
        recipes::WordsError::Utf8 {
            bytes,
            start,
            error_len,
        } => unicode_decode_error(py, &bytes, start, error_len),
    }
}
// --8<-- [end:errors]

// --8<-- [start:os_errors]
/// The exception open() would raise for this I/O error.
///
/// Calling the `OSError` type with (errno, strerror, filename) is what CPython itself does
/// (`PyErr_SetFromErrnoWithFilenameObject`): `OSError.__new__` looks the errno up and
/// returns the matching subclass, so ENOENT gives FileNotFoundError, EISDIR
/// IsADirectoryError, EACCES PermissionError, with `.errno`, `.strerror` and `.filename`
/// set. `filename` is the str from os.fspath(), which is what open() reports.
fn os_error(py: Python, error: &std::io::Error, filename: &PyObject) -> PyErr {
    let Some(errno) = error.raw_os_error() else {
        return PyErr::new::<exc::OSError, _>(py, error.to_string());
    };
    let build = || -> PyResult<PyObject> {
        // os.strerror() is C's strerror(), the text open() puts in .strerror; Rust's
        // Display for io::Error appends " (os error 2)".
        let strerror = py.import("os")?.call(py, "strerror", (errno,), None)?;
        py.get_type::<exc::OSError>()
            .call(py, (errno, strerror, filename), None)
    };
    match build() {
        Ok(instance) => PyErr::from_instance(py, instance),
        Err(failure) => failure,
    }
}

/// UnicodeDecodeError as `bytes.decode("utf-8")` would raise it.
///
/// `start` (`Utf8Error::valid_up_to()`, converted to a file position by the core) is the
/// byte offset of the first invalid byte, which is Python's `.start`. `error_len`
/// (`Utf8Error::error_len()`) is the length of the invalid sequence (Python's
/// `.end - .start`), or `None` when the input ends in the middle of a character.
/// (rust-cpython's ready-made `UnicodeDecodeError::new_utf8` always uses start + 1 and a
/// generic reason, so spell it out.)
fn unicode_decode_error(
    py: Python,
    bytes: &[u8],
    start: usize,
    error_len: Option<usize>,
) -> PyErr {
    let (end, reason) = match error_len {
        None => (bytes.len(), c"unexpected end of data"),
        Some(len) => {
            let first = bytes.get(start).copied().unwrap_or(0);
            // Bytes that can never begin a UTF-8 sequence: continuation bytes, the
            // overlong leads C0/C1, and F5..FF.
            let bad_start = matches!(first, 0x80..=0xC1 | 0xF5..=0xFF);
            (
                start + len,
                if bad_start {
                    c"invalid start byte"
                } else {
                    c"invalid continuation byte"
                },
            )
        }
    };
    match exc::UnicodeDecodeError::new(py, c"utf-8", bytes, start..end, reason) {
        Ok(instance) => PyErr::from_instance(py, instance),
        Err(failure) => failure,
    }
}
// --8<-- [end:os_errors]

// --8<-- [start:bind_calc_pi]
fn calc_pi(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<String> {
    let [digits] = positional(py, "calc_pi", args, kwargs)?;
    // The String becomes a Python str (copied once, as UTF-8) on the way out.
    recipes::calc_pi(i64_argument(py, digits)?).map_err(|error| recipe_error(py, &error))
}
// --8<-- [end:bind_calc_pi]

// --8<-- [start:bind_ewma]
fn ewma(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<PyObject> {
    let [values, alpha] = positional(py, "ewma", args, kwargs)?;
    // The contract's order: a buffer (TypeError for a list, None, ...), one dimension,
    // float64, and only then alpha. `input` releases the buffer when it goes out of scope,
    // on every path: the `?`s below included. PyBUF_RECORDS_RO asks for shape, strides and
    // format and accepts read-only memory; without PyBUF_INDIRECT, an exporter that needs
    // suboffsets (PIL-style arrays of pointers) raises BufferError instead of handing over
    // pointers that would be read as doubles.
    let input = BorrowedBuffer::get(py, values, ffi::PyBUF_RECORDS_RO)?;
    let series = input.float64_series(py)?;
    // `extract::<f64>` is PyFloat_AsDouble: __float__, else __index__; TypeError for str,
    // bytes, None, complex; CPython's own OverflowError for an int beyond a double.
    let alpha: f64 = alpha.extract(py)?;

    // No numpy crate exists for rust-cpython: NumPy makes the result (numpy.empty), and we
    // write into its memory through the buffer protocol.
    let result = new_float64_array(py, series.len())?;
    let output = BorrowedBuffer::get(py, &result, ffi::PyBUF_WRITABLE)?;
    let out = output.as_new_float64_slice(py, series.len())?;

    // The loop runs without the GIL. The closure gets plain Rust values only (the token
    // cannot enter it); a panic in here would kill the process (see README), and the core
    // never panics. Another Python thread may write the input meanwhile: see README.
    let smoothed = py.allow_threads(move || recipes::ewma(series, alpha, out));
    drop((input, output)); // both buffers released before the result is handed out
    smoothed.map_err(|error| recipe_error(py, &error))?;
    Ok(result)
}

/// A buffer exported by a Python object (PEP 3118), released when dropped.
///
/// Why not the crate's `cpython::buffer::PyBuffer`? Its `get` asserts that the exporter
/// filled in `shape` and `strides`, which the protocol does not promise: every 0-d buffer
/// leaves both NULL (`numpy.array(1.5)`), and ctypes arrays leave `strides` NULL (CPython
/// issue gh-57060). The assertion panics, so a 0-d array would raise SystemError instead of
/// the contract's ValueError, and the `Py_buffer` is dropped without `PyBuffer_Release`: the
/// object stays exported for good (tests/test_ewma.py shows both). It also always asks for
/// the format, which NumPy builds as a string on every export. So this chapter asks for
/// buffers through the C API (the crate's `ffi` module), with the flags each use needs.
struct BorrowedBuffer(Box<ffi::Py_buffer>);

impl BorrowedBuffer {
    fn get(py: Python, obj: &PyObject, flags: c_int) -> PyResult<Self> {
        // Boxed, because an exporter may point `shape` or `strides` into the struct itself:
        // it must not move while exported. SAFETY: all-zero is a valid Py_buffer to fill in.
        let mut view = Box::new(unsafe { mem::zeroed::<ffi::Py_buffer>() });
        // SAFETY: we hold the GIL, `obj` is a live object, `view` is writable.
        let status = unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut *view, flags) };
        if status == -1 {
            return Err(PyErr::fetch(py)); // nothing was exported: nothing to release
        }
        Ok(Self(view))
    }

    /// The memory of the array `numpy.empty(len)` just made, as a slice to fill in. The
    /// buffer was asked for with PyBUF_WRITABLE alone: writeable and C-contiguous, and no
    /// format string for NumPy to build (numpy.empty's default dtype is float64).
    #[allow(clippy::mut_from_ref)] // the array is new and only this call can reach it
    fn as_new_float64_slice(&self, py: Python, len: usize) -> PyResult<&mut [f64]> {
        let view = &*self.0;
        let buf = view.buf.cast::<f64>();
        if view.readonly != 0
            || usize::try_from(view.len).ok() != len.checked_mul(mem::size_of::<f64>())
            || buf.is_null()
            || !buf.is_aligned()
        {
            return Err(PyErr::new::<exc::BufferError, _>(
                py,
                "numpy.empty() did not give a writeable, aligned float64 buffer",
            ));
        }
        // SAFETY: `len` aligned doubles of writeable, contiguous memory (checked above: NumPy
        // allocates even for an empty array, so the pointer is not NULL then either), kept
        // alive by the export. The array was created by this call and nobody else holds it,
        // so nothing else reads or writes it while the slice lives.
        Ok(unsafe { slice::from_raw_parts_mut(buf, len) })
    }

    /// The buffer as a series of doubles, or the contract's ValueError/TypeError.
    fn float64_series(&self, py: Python) -> PyResult<StridedDoubles<'_>> {
        let view = &*self.0;
        if view.ndim != 1 {
            return Err(PyErr::new::<exc::ValueError, _>(
                py,
                format!(
                    "ewma() values must be one-dimensional, got {} dimensions",
                    view.ndim
                ),
            ));
        }
        // SAFETY: PyBUF_FORMAT was requested; a NULL format means unsigned bytes ("B").
        let format = if view.format.is_null() {
            c"B"
        } else {
            unsafe { CStr::from_ptr(view.format) }
        };
        let item_size = usize::try_from(view.itemsize).ok();
        if !NATIVE_DOUBLE_FORMATS.contains(&format.to_bytes())
            || item_size != Some(mem::size_of::<f64>())
        {
            return Err(wrong_format_error(py, format));
        }
        // SAFETY: ndim == 1, so `shape` (when given) and `strides` (when given) hold one
        // entry each. A NULL `strides` means C-contiguous: one item after the other.
        let len = if view.shape.is_null() {
            view.len / view.itemsize
        } else {
            unsafe { *view.shape }
        };
        let stride = if view.strides.is_null() {
            view.itemsize
        } else {
            unsafe { *view.strides }
        };
        Ok(StridedDoubles {
            next: view.buf.cast::<u8>().cast_const(),
            remaining: usize::try_from(len).unwrap_or(0),
            stride,
            _buffer: PhantomData,
        })
    }
}

impl Drop for BorrowedBuffer {
    fn drop(&mut self) {
        // PyBuffer_Release needs the GIL, and Drop has no token to prove it is held, so take
        // it as the crate's own PyBuffer does (cheap when this thread already holds it).
        // Every BorrowedBuffer here is dropped with the GIL held.
        let _gil = Python::acquire_gil();
        // SAFETY: the buffer was exported by a successful PyObject_GetBuffer, released once.
        unsafe { ffi::PyBuffer_Release(&mut *self.0) }
    }
}

/// Buffer formats (struct module syntax) that mean a C double in this machine's byte order:
/// "d" and "@d" native, "=d" native order with standard size, "<d" (ctypes writes it) or
/// ">d" naming this machine's byte order.
#[cfg(target_endian = "little")]
const NATIVE_DOUBLE_FORMATS: [&[u8]; 4] = [b"d", b"@d", b"=d", b"<d"];
#[cfg(target_endian = "big")]
const NATIVE_DOUBLE_FORMATS: [&[u8]; 4] = [b"d", b"@d", b"=d", b">d"];

/// The contract's TypeError, naming the format as Python's repr() shows it.
fn wrong_format_error(py: Python, format: &CStr) -> PyErr {
    let text = PyString::new(py, &format.to_string_lossy()).into_object();
    match text.repr(py) {
        Ok(shown) => PyErr::new::<exc::TypeError, _>(
            py,
            format!(
                "ewma() values must be float64 (buffer format 'd'), got format {}",
                shown.to_string_lossy(py)
            ),
        ),
        Err(failure) => failure,
    }
}

/// The doubles of a 1-D buffer in logical order, read in place: any stride, negative ones
/// (a reversed view) too, and no copy. It borrows the `BorrowedBuffer` it came from, so the
/// compiler refuses to release the buffer while this reader lives.
struct StridedDoubles<'buffer> {
    next: *const u8,
    remaining: usize,
    stride: isize,
    _buffer: PhantomData<&'buffer BorrowedBuffer>,
}

// SAFETY: the reader only reads memory that the export keeps alive and in place until the
// buffer is released, which the borrow above orders after the reader's last use. Reading it
// on a thread without the GIL is the point (py.allow_threads).
unsafe impl Send for StridedDoubles<'_> {}

impl StridedDoubles<'_> {
    fn len(&self) -> usize {
        self.remaining
    }
}

impl Iterator for StridedDoubles<'_> {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        if self.remaining == 0 {
            return None;
        }
        // SAFETY: `next` points at an item of the exported buffer (remaining > 0). Unaligned
        // reads, because the protocol does not promise alignment (a NumPy view of a packed
        // struct field is a valid "d" buffer at odd addresses).
        let value = unsafe { self.next.cast::<f64>().read_unaligned() };
        self.remaining -= 1;
        // wrapping_offset: stepping past the last item computes an address but reads nothing.
        self.next = self.next.wrapping_offset(self.stride);
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// `numpy.empty(len)`: a new, uninitialised, C-contiguous float64 array that owns its memory.
fn new_float64_array(py: Python, len: usize) -> PyResult<PyObject> {
    // Looked up once: an import and an attribute lookup on every call would cost more than
    // smoothing a short series. (PyObject is Send + Sync in rust-cpython.)
    static NUMPY_EMPTY: OnceLock<PyObject> = OnceLock::new();
    let empty = match NUMPY_EMPTY.get() {
        Some(empty) => empty,
        None => {
            let found = py.import("numpy")?.get(py, "empty")?;
            NUMPY_EMPTY.get_or_init(|| found)
        }
    };
    empty.call(py, (len,), None)
}
// --8<-- [end:bind_ewma]

// --8<-- [start:bind_integrate]
fn integrate(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<f64> {
    let [f, a, b, n] = positional(py, "integrate", args, kwargs)?;
    // The contract's order: f callable, then a, b and n converted, then the core's n >= 1.
    if !f.is_callable(py) {
        let type_name = f.get_type(py).name(py).into_owned();
        return Err(PyErr::new::<exc::TypeError, _>(
            py,
            format!("integrate() f must be callable, not {type_name}"),
        ));
    }
    // PyFloat_AsDouble, as for ewma's alpha (float(), without str or bytes).
    let a: f64 = a.extract(py)?;
    let b: f64 = b.extract(py)?;
    // The i64 range is a type conversion (the core takes an i64): an int above it is an
    // OverflowError here; one below it stays negative, and the core says n must be >= 1.
    let n = match index(py, n)? {
        Index::AboveI64 => {
            return Err(PyErr::new::<exc::OverflowError, _>(
                py,
                "integrate() n must fit in signed 64 bits",
            ))
        }
        other => other.saturating(),
    };

    // The callback the core calls n times, with the GIL held all along: calling Python needs
    // it, and the loop does nothing else (releasing it around the loop would mean taking it
    // back for every call).
    let call_f = |x: f64| -> PyResult<f64> {
        // f(x) is PyObject_Call(f, (x,), NULL): a new float in a new 1-tuple on every call.
        // Built here, not with `f.call(py, (x,), None)`: the crate converts `(x,)` through a
        // temporary PyObject whose plain drop takes the GIL again (PyGILState_Ensure) just to
        // decrement it, on every call. `release_ref(py)` decrements with the token instead.
        let arg = PyFloat::new(py, x).into_object();
        let args = PyTuple::new(py, slice::from_ref(&arg)); // the tuple takes its own reference
        arg.release_ref(py);
        let called = f.call(py, &args, None);
        // Release the tuple, and with it the float. If f raised, `call` returned Err(PyErr)
        // holding the exception object and its traceback: `?` hands it to the core, which
        // stops and returns it.
        args.release_ref(py);
        let y = called?;
        // PyFloat_AsDouble: a result float() refuses (a str, None, 10**400) takes the same path.
        let value = y.extract::<f64>(py);
        y.release_ref(py);
        // Ctrl-C. A Python f runs bytecode, and the interpreter runs the signal handlers
        // between bytecodes; a built-in f such as math.sin runs none, and
        // integrate(math.sin, 0.0, 1.0, 10**12) would ignore Ctrl-C for hours. So check after
        // every call: with no signal pending it costs a few nanoseconds.
        // SAFETY: the GIL is held (`py`); -1 means a handler raised and its exception is set.
        if value.is_ok() && unsafe { ffi::PyErr_CheckSignals() } != 0 {
            return Err(PyErr::fetch(py));
        }
        value
    };
    match recipes::integrate(call_f, a, b, n) {
        Ok(value) => Ok(value),
        // The exception f raised, the same object: py_fn! restores it (PyErr_Restore) as the
        // exception of this call, and Python adds this call's frame to its traceback.
        Err(recipes::IntegrateError::Callback(raised)) => Err(raised),
        Err(recipes::IntegrateError::Argument(error)) => Err(recipe_error(py, &error)),
    }
}
// --8<-- [end:bind_integrate]

// --8<-- [start:bind_module]
// Generates `PyInit__native`, the symbol the import system looks for in
// `_native.cpython-3XX-....so`. The name here must match the last part of the module
// name that setup declares ("recipes_rust_cpython._native"). The 2015-era macro also took
// the Python 2 init name: `py_module_initializer!(lucas, initlucas, PyInit_lucas, ...)`.
py_module_initializer!(_native, |py, m| {
    m.add(
        py,
        "__doc__",
        "The cookbook's recipes, in Rust with rust-cpython.",
    )?;
    m.add(py, "fib", py_fn!(py, fib(*args, **kwargs)))?;
    m.add(
        py,
        "fib_recursive",
        py_fn!(py, fib_recursive(*args, **kwargs)),
    )?;
    m.add_class::<LinearRecurrence>(py)?;
    m.add(py, "most_common", py_fn!(py, most_common(*args, **kwargs)))?;
    m.add(py, "calc_pi", py_fn!(py, calc_pi(*args, **kwargs)))?;
    m.add(py, "ewma", py_fn!(py, ewma(*args, **kwargs)))?;
    m.add(py, "integrate", py_fn!(py, integrate(*args, **kwargs)))?;
    // Demonstrations from src/demos.rs, not part of the package's API (__init__.py does
    // not re-export them).
    m.add(py, "panic_demo", py_fn!(py, panic_demo(*args, **kwargs)))?;
    m.add(
        py,
        "panic_demo_without_gil",
        py_fn!(py, panic_demo_without_gil(*args, **kwargs)),
    )?;
    m.add(
        py,
        "typed_argument_demo",
        py_fn!(py, typed_argument_demo(n: u64)),
    )?;
    m.add(
        py,
        "pybuffer_get_demo",
        py_fn!(py, pybuffer_get_demo(*args, **kwargs)),
    )?;
    m.add(
        py,
        "call_unwrap_demo",
        py_fn!(py, call_unwrap_demo(*args, **kwargs)),
    )?;
    m.add(
        py,
        "call_or_nan_demo",
        py_fn!(py, call_or_nan_demo(*args, **kwargs)),
    )?;
    Ok(())
});
// --8<-- [end:bind_module]
