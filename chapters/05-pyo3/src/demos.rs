//! Demonstrations for the README, not recipes. They are exported from `recipes_pyo3._native`
//! under names starting with `_`, and `recipes_pyo3/__init__.py` does not re-export them.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

// --8<-- [start:panic_demo]
/// Panics on purpose. PyO3 catches the unwinding panic at the boundary (a panic must never
/// unwind into C) and raises `pyo3_runtime.PanicException` carrying the panic message.
/// PanicException derives from BaseException, not Exception: `except Exception` does not
/// swallow a bug in the native code, just as it does not swallow KeyboardInterrupt.
#[pyfunction]
pub fn _panic_demo() {
    panic!("a Rust panic, on purpose: _panic_demo() always panics");
}
// --8<-- [end:panic_demo]

// --8<-- [start:callback_demo]
/// Calls `callback()`. If it raises, raise `RuntimeError` *from* that exception: `PyErr`
/// carries the original Python exception object with its traceback, and `set_cause` chains
/// it as `__cause__`, so nothing is lost on the way through Rust.
#[pyfunction]
#[pyo3(signature = (callback, /))]
pub fn _callback_demo<'py>(callback: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = callback.py();
    callback.call0().map_err(|original| {
        let wrapped =
            PyRuntimeError::new_err("_callback_demo: the callback raised (see __cause__)");
        wrapped.set_cause(py, Some(original));
        wrapped
    })
}
// --8<-- [end:callback_demo]

// --8<-- [start:call_back_wrongly_demo]
/// Two wrong ways to call a Python function back, each calling `f(x)` once. `integrate` does
/// neither: its `?` carries the `PyErr` out to Python unchanged.
///
/// `_call_unwrap_demo` unwraps. When `f` raises, `unwrap` turns the `PyErr` into a panic, and
/// PyO3 raises `PanicException("called Result::unwrap() on an Err value: PyErr { ... }")` in
/// its place: the exception `f` raised is gone, and so is its traceback (the `PyErr`'s Debug
/// text, in the message, is all that survives of either).
#[pyfunction]
#[pyo3(signature = (f, x, /))]
pub fn _call_unwrap_demo(f: &Bound<'_, PyAny>, x: f64) -> f64 {
    f.call1((x,)).unwrap().extract().unwrap()
}

/// `_call_or_nan_demo` swallows. The error becomes a NaN, the caller never learns that `f`
/// failed, and a loop would go on calling `f` after it raised, even after a KeyboardInterrupt.
#[pyfunction]
#[pyo3(signature = (f, x, /))]
pub fn _call_or_nan_demo(f: &Bound<'_, PyAny>, x: f64) -> f64 {
    f.call1((x,)).and_then(|y| y.extract()).unwrap_or(f64::NAN)
}
// --8<-- [end:call_back_wrongly_demo]

// --8<-- [start:io_error_demo]
/// Reads a file with a bare `?` on `std::io::Error`. PyO3's `From<io::Error> for PyErr` picks
/// a fitting subclass (FileNotFoundError, PermissionError, ...) but fills in only a message:
/// `.errno` and `.filename` stay None. `most_common` builds its OSError by hand for that reason.
#[pyfunction]
#[pyo3(signature = (path, /))]
pub fn _io_error_demo(path: std::path::PathBuf) -> PyResult<usize> {
    Ok(std::fs::read(path)?.len())
}
// --8<-- [end:io_error_demo]
