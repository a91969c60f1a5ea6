"""librecipes, the C library that recipes_cffi, recipes_cffi_abi and recipes_ctypes call.

The wheel installs the shared library and its header here, so every front end loads the same
file, and a C program can be built against them too:

    cc main.c -I"$(python -c 'import recipes_clib; print(recipes_clib.INCLUDE_DIR)')" \\
       "$(python -c 'import recipes_clib; print(recipes_clib.LIBRARY)')"

The Python that all front ends share (integer conversion, status codes to exceptions) is
recipes_clib._frontend.
"""

import sys
import sysconfig
from pathlib import Path

__all__ = ["CFFI_SUPPORTED", "HEADER", "INCLUDE_DIR", "LIBRARY", "cdef_from_header", "cffi_unsupported_error"]

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


# --8<-- [start:cffi_supported]
# Whether cffi can run on this interpreter. cffi 2.0 supports the free-threaded build of CPython
# (PEP 703) from 3.14 on only: on 3.13t its setup.py refuses to build, and cffi 1.x builds but its
# _cffi_backend does not declare Py_mod_gil, so importing it turns the GIL back on. No environment
# marker tells a free-threaded interpreter from a GIL one (PEP 780 proposes one), so this is
# decided in Python: by the build (what the wheel holds, see _build_backend/backend.py and
# setup.py), by the cffi front ends at import, and by the tests.
CFFI_SUPPORTED = not (sysconfig.get_config_var("Py_GIL_DISABLED") and sys.version_info < (3, 14))


def cffi_unsupported_error(module: str) -> ImportError:
    """What importing `module`, a cffi front end, raises where cffi cannot run."""
    return ImportError(
        f"{module} needs cffi, which supports free-threaded CPython from 3.14 on (cffi 2.0); "
        f"this is free-threaded {sys.version_info.major}.{sys.version_info.minor}: use recipes_ctypes"
    )
# --8<-- [end:cffi_supported]
