"""A Rust panic, on purpose: panic_demo.first_word("") unwraps a None.

PyO3 turns the panic into pyo3_runtime.PanicException; RUST_BACKTRACE=1 makes Rust's panic
hook print the Rust stack first.
"""

import panic_demo


def title(text):
    return panic_demo.first_word(text).capitalize()


print(title("hello world"))
print(title(""))
