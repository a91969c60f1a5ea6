//! The implementation of quickstart_cffi/square.h, in Rust: a C function, no Python anywhere.

/// `double square(double x);`: f64 is C's double, and `extern "C"` gives C's calling convention.
#[unsafe(no_mangle)]
pub extern "C" fn square(x: f64) -> f64 {
    x * x
}
