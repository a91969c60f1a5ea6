//! The smallest complete PyO3 module: one function, `square(x)`.
use pyo3::prelude::*;

// A declarative module: `#[pymodule]` generates `PyInit_quickstart_pyo3`, the function
// `import quickstart_pyo3` calls, so its name must be `module-name` in pyproject.toml.
/// square(x), written in Rust with PyO3.
#[pymodule]
mod quickstart_pyo3 {
    use pyo3::prelude::*;

    /// square(x, /) -> float: x * x. An `f64` parameter accepts a float, an int or anything
    /// with `__float__`; anything else raises TypeError.
    #[pyfunction]
    #[pyo3(signature = (x, /))]
    fn square(x: f64) -> f64 {
        x * x
    }
}
