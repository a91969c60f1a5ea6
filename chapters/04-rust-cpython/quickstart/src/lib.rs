//! The smallest complete rust-cpython module: one function, `square(x)`.
use cpython::{py_fn, py_module_initializer, PyResult, Python};

/// `x: f64` makes the crate convert the argument with `PyFloat_AsDouble`: a float, an int
/// or anything with `__float__` is accepted, anything else raises TypeError.
fn square(_py: Python, x: f64) -> PyResult<f64> {
    Ok(x * x)
}

// Generates `PyInit_quickstart_rust_cpython`, the function `import` calls. The name must
// be the module's: `target` in pyproject.toml.
py_module_initializer!(quickstart_rust_cpython, |py, m| {
    m.add(py, "__doc__", "square(x), in Rust with rust-cpython.")?;
    m.add(py, "square", py_fn!(py, square(x: f64)))?;
    Ok(())
});
