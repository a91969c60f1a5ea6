"""librecipes, the C library that recipes_cffi, recipes_cffi_abi and recipes_ctypes call.

The wheel installs the shared library and its header here, so every front end loads the same
file, and a C program can be built against them too:

    cc main.c -I"$(python -c 'import recipes_clib; print(recipes_clib.INCLUDE_DIR)')" \\
       "$(python -c 'import recipes_clib; print(recipes_clib.LIBRARY)')"

The Python that all front ends share (integer conversion, status codes to exceptions) is
recipes_clib._frontend.
"""

import sys
from pathlib import Path

__all__ = ["HEADER", "INCLUDE_DIR", "LIBRARY", "cdef_from_header"]

_HERE = Path(__file__).resolve().parent
LIBRARY = _HERE / {"darwin": "librecipes.dylib", "win32": "recipes.dll"}.get(sys.platform, "librecipes.so")
INCLUDE_DIR = _HERE / "include"
HEADER = INCLUDE_DIR / "recipes.h"

_CDEF_BEGIN = "/* ==== cffi cdef begin ==== */"
_CDEF_END = "/* ==== cffi cdef end ==== */"


def cdef_from_header(header_text: str) -> str:
    """The part of recipes.h that cffi's cdef() can parse: between the two marker comments.

    cffi parses declarations, not the preprocessor: the #include lines, the include guard and
    the C++ `extern "C"` block around them stay outside the markers.
    """
    try:
        return header_text.split(_CDEF_BEGIN, 1)[1].split(_CDEF_END, 1)[0]
    except IndexError:
        raise ValueError("recipes.h lost its cffi cdef marker comments") from None
