//! The extending-python recipes in Rust: a plain core (`core`) and, with the `python`
//! feature (on by default), a PyO3 binding layer that builds the `recipes_pyo3._native`
//! extension module.

pub mod core;

#[cfg(feature = "python")]
mod binding;
#[cfg(feature = "python")]
mod demos;
