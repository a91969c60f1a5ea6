"""The recipes from librecipes (Rust behind a C header), through cffi's API mode.

`_native` is a C extension that cffi generated from include/recipes.h and the C compiler
built and linked against librecipes.so at install time (see build_cffi.py). Its `lib`
calls the C functions directly, with no libffi in between: the fastest way cffi has.
"""

from recipes_clib import CFFI_SUPPORTED, cffi_unsupported_error

if not CFFI_SUPPORTED:  # free-threaded CPython 3.13: no cffi there, so the wheel has no _native
    raise cffi_unsupported_error(__name__)

# --8<-- [start:bind_module]
from recipes_cffi._bind import bind
from recipes_cffi._native import ffi, lib

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

fib, fib_recursive, LinearRecurrence, most_common, calc_pi, ewma, integrate = bind(ffi, lib, __name__)

# Not a recipe, so not in __all__: C integrands for integrate(), as recipes_cffi.native_integrands.
from recipes_cffi import native_integrands as native_integrands  # noqa: E402
# --8<-- [end:bind_module]
