"""The extending-python recipes in Rust with PyO3: the stable-ABI (abi3) build.

Same Rust source as ``recipes_pyo3``; the compiled extension is ``recipes_pyo3_abi3._native``
(``_native.abi3.so``), importable on every CPython >= 3.10.
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
