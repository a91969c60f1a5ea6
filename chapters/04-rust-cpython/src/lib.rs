//! recipes_rust_cpython: the five cookbook recipes as a Python extension module built
//! with rust-cpython (the `cpython` crate).
//!
//! `core` is plain Rust and is all that `cargo test --lib --no-default-features` builds.
//! `binding` is the thin layer that talks to Python; it exists only with the `python`
//! feature (on by default), which is what pulls in the `cpython` crate.

pub mod core;

#[cfg(feature = "python")]
mod binding;
