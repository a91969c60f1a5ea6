"""The recipes over the shared C++ core, bound with pybind11.

The extension module is ``recipes_pybind11._ext``; this package re-exports its
names, so ``recipes_pybind11.fib is recipes_pybind11._ext.fib`` and a call
costs nothing extra. A package (rather than a bare extension module) lets
``py.typed`` and the ``_ext.pyi`` stub ship beside it.
"""

from ._ext import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    integrate,
    most_common,
)

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]
