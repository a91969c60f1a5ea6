//! recipes_rust_cpython: the cookbook recipes as a Python extension module built
//! with rust-cpython (the `cpython` crate).
//!
//! `core` is plain Rust and is all that `cargo test --lib --no-default-features` builds.
//! `binding` is the thin layer that talks to Python, and `demos` holds functions that show
//! rust-cpython's behaviour (panics, its own argument extraction) for the README. Both
//! exist only with the `python` feature (on by default), which pulls in the `cpython` crate.

pub mod core;

#[cfg(feature = "python")]
mod binding;

#[cfg(feature = "python")]
mod demos;
