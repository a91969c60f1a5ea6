"""The extending-python recipes in Rust, bound to Python with PyO3.

The compiled extension is ``recipes_pyo3._native``; this package re-exports its public names
so users write ``from recipes_pyo3 import fib``. Keeping a Python package in front of the
native module leaves room for pure-Python helpers, the ``.pyi`` stub and ``py.typed``.
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
