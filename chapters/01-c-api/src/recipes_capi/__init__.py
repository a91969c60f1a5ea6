"""The recipes, written by hand against the CPython C API.

The code is in the extension module ``recipes_capi._recipes`` (``_module.c`` binding
``core.c``); this package only re-exports it, so that the public names live at the top.
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
