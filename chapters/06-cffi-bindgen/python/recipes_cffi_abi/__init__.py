"""The recipes from librecipes through cffi's ABI mode: no compiler involved.

This is how the 2016 and 2020 articles used cffi: give it the C declarations as text,
`dlopen` the shared library, call. cffi parses the declarations at import (with pycparser)
and calls through libffi, which builds each call from the declared types at run time. It
cannot check those declarations against the library: a wrong one is a crash, not an error.
Here they come from the installed header, the same text the other front ends are built from.

Only the way `ffi` and `lib` are made differs from recipes_cffi; the wrappers are shared.
"""

from recipes_clib import CFFI_SUPPORTED, cffi_unsupported_error

if not CFFI_SUPPORTED:  # free-threaded CPython 3.13: cffi cannot be installed there
    raise cffi_unsupported_error(__name__)

# --8<-- [start:bind_module]
from cffi import FFI

from recipes_cffi._bind import bind  # (importing it also loads recipes_cffi: harmless)
from recipes_clib import HEADER, LIBRARY, cdef_from_header

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

ffi = FFI()
ffi.cdef(cdef_from_header(HEADER.read_text(encoding="utf-8")))
lib = ffi.dlopen(str(LIBRARY))

fib, fib_recursive, LinearRecurrence, most_common, calc_pi, ewma, integrate = bind(ffi, lib, __name__)

# Not a recipe, so not in __all__: C integrands for integrate(), as recipes_cffi_abi.native_integrands.
from recipes_cffi_abi import native_integrands as native_integrands  # noqa: E402
# --8<-- [end:bind_module]
