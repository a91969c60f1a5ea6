//! A Rust bug on purpose: `first_word("")` unwraps a `None` and panics.
use pyo3::prelude::*;

#[pymodule]
mod panic_demo {
    use pyo3::prelude::*;

    // --8<-- [start:first_word]
    /// first_word(text, /) -> str: the first whitespace-separated word of text.
    /// The bug: an empty or blank text has no first word, and `unwrap()` panics.
    #[pyfunction]
    #[pyo3(signature = (text, /))]
    fn first_word(text: &str) -> String {
        let word = text.split_whitespace().next().unwrap();
        word.to_owned()
    }
    // --8<-- [end:first_word]
}
