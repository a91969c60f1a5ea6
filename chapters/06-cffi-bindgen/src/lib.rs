//! librecipes: the recipes as a plain C library, implemented in Rust.
//!
//! `core` is ordinary safe Rust and knows nothing of C. `ffi` implements, function by function,
//! the C API declared in include/recipes.h, and is the only place with `unsafe`.

pub mod core;
pub mod ffi;
