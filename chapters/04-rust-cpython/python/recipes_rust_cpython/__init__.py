"""The extending-python recipes in Rust, bound with rust-cpython.

The code lives in the native module ``recipes_rust_cpython._native`` (built from
``src/binding.rs``); this package re-exports the recipes so that ``py.typed`` and the
``.pyi`` stub can sit next to them.
"""

from ._native import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    integrate,
    most_common,
)

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]
