//! Demonstrations for the chapter README and tests. None of this is a recipe, and the
//! package does not re-export it: `recipes_rust_cpython._native` has these functions, the
//! package `recipes_rust_cpython` does not.

use cpython::buffer::PyBuffer;
use cpython::{ObjectProtocol, PyDict, PyDrop, PyResult, PyTuple, Python};

use crate::binding::positional;

// --8<-- [start:panic_demo]
/// NOT a recipe: shows what a Rust panic does under rust-cpython. `py_fn!` runs the body
/// inside `catch_unwind`, so indexing past the end raises
/// `SystemError("Rust panic: index out of bounds: ...")` in Python (and the default panic
/// hook prints the panic to stderr). The interpreter survives, but a SystemError means
/// "internal error in the interpreter", and `except Exception` swallows it.
pub fn panic_demo(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<u64> {
    let [position] = positional(py, "panic_demo", args, kwargs)?;
    let position: usize = position.extract(py)?;
    let table = [1u64, 2, 3];
    Ok(table[position])
}

/// NOT a recipe, and never call it in a process you care about: the same panic inside
/// `py.allow_threads`. rust-cpython 0.7.2 releases the GIL with `PyEval_SaveThread` and
/// restores it with a plain statement after the closure, not in a drop guard, so a panic
/// skips the restore and `catch_unwind` then sets the SystemError without the GIL.
/// Undefined behaviour; in practice the process dies. This is why every function in
/// `core` is written and tested to be panic-free.
pub fn panic_demo_without_gil(
    py: Python,
    args: &PyTuple,
    kwargs: Option<&PyDict>,
) -> PyResult<u64> {
    let [position] = positional(py, "panic_demo_without_gil", args, kwargs)?;
    let position: usize = position.extract(py)?;
    Ok(py.allow_threads(move || [1u64, 2, 3][position]))
}
// --8<-- [end:panic_demo]

// --8<-- [start:extraction_demo]
/// NOT a recipe: the crate's own argument handling, for comparison with `positional` and
/// `index` above. `py_fn!(py, typed_argument_demo(n: u64))` parses (args, kwargs) by
/// parameter name and extracts a `u64`: `typed_argument_demo(n=3)` is accepted (not
/// positional-only), 3.0 and "3" raise TypeError (0.7.2 calls PyNumber_Index), but -1
/// raises OverflowError("can't convert negative int to unsigned") where the recipes must
/// raise ValueError.
pub fn typed_argument_demo(_py: Python, n: u64) -> PyResult<u64> {
    Ok(n)
}
// --8<-- [end:extraction_demo]

// --8<-- [start:pybuffer_demo]
/// NOT a recipe: the crate's own `cpython::buffer::PyBuffer::get`, returning the number of
/// dimensions. It asserts that the exporter filled in `shape` and `strides`, so a 0-d buffer
/// or a ctypes array (which leaves `strides` NULL) panics: SystemError in Python, and the
/// exported buffer is never released. `ewma` asks for its buffer through the C API instead.
pub fn pybuffer_get_demo(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<usize> {
    let [values] = positional(py, "pybuffer_get_demo", args, kwargs)?;
    let buffer = PyBuffer::get(py, values)?;
    let dimensions = buffer.dimensions();
    buffer.release_ref(py);
    Ok(dimensions)
}
// --8<-- [end:pybuffer_demo]

// --8<-- [start:callback_demo]
/// NOT a recipe: two wrong ways to call a Python function back, each calling `f(x)` once.
/// `integrate` does neither: its `?` carries the `PyErr` out to Python unchanged.
///
/// `call_unwrap_demo` unwraps. When `f` raises, `unwrap` turns the `PyErr` into a panic, and
/// `py_fn!` raises `SystemError("Rust panic: called Result::unwrap() on an Err value: PyErr {
/// ... }")` in its place: the exception `f` raised is gone, its type and traceback with it
/// (only its Debug text survives, in the message), and `except Exception` swallows the
/// SystemError.
pub fn call_unwrap_demo(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<f64> {
    let [f, x] = positional(py, "call_unwrap_demo", args, kwargs)?;
    let x: f64 = x.extract(py)?;
    Ok(f.call(py, (x,), None).unwrap().extract(py).unwrap())
}

/// `call_or_nan_demo` swallows. The error becomes a NaN, the caller never learns that `f`
/// failed, and a loop would go on calling `f` after it raised, even after a KeyboardInterrupt.
pub fn call_or_nan_demo(py: Python, args: &PyTuple, kwargs: Option<&PyDict>) -> PyResult<f64> {
    let [f, x] = positional(py, "call_or_nan_demo", args, kwargs)?;
    let x: f64 = x.extract(py)?;
    Ok(f.call(py, (x,), None)
        .and_then(|y| y.extract(py))
        .unwrap_or(f64::NAN))
}
// --8<-- [end:callback_demo]
