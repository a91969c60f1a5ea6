"""The recipes in typed Cython: the binding _recipes.pyx over the plain core _core.pyx.

Also here: recipes_cython.untyped, the same recipes as plain Python compiled by
Cython (the "before" of the chapter's before-and-after), and
recipes_cython._pure_mode, calc_pi in Cython's pure-Python mode.
"""

from ._recipes import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    integrate,
    most_common,
)

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]
