"""cffi's API mode: compile a real C extension, recipes_cffi._native, against include/recipes.h.

setup.py hands this `ffibuilder` to cffi through `cffi_modules`. cffi then writes a C file
that includes recipes.h and wraps each declared function as a Python callable, and
setuptools compiles and links it with -lrecipes. Because the C compiler sees the real
header, a declaration that does not match the library is a compile error here, unlike in
ABI mode (recipes_cffi_abi), where cffi trusts the declarations and calls through libffi.
"""

import sys
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
# recipes_clib knows how to cut the declarations out of the header; it is plain Python and
# needs nothing built, so import it from the source tree.
sys.path.insert(0, str(HERE / "python"))
from recipes_clib import cdef_from_header  # noqa: E402

# --8<-- [start:adapters]
# Adapters for the three functions Python calls in tight loops, compiled into the extension
# only (ABI mode has no compiler, so recipes_cffi_abi calls the header's functions as they
# are). Two costs of the C convention show up in a cffi call: an out-parameter needs an
# ffi.new() allocation and a read, and every argument after the first makes cffi unpack an
# argument tuple (one-argument functions use CPython's fast METH_O path). These one-argument
# forms return the value itself, and a sentinel that no valid result has on failure, with
# the status kept aside per thread (cffi releases the GIL: two threads can be here at once).
ADAPTERS_CDEF = """
recipes_status adapter_last_status(void);
uint64_t adapter_fib(int64_t n);
uint64_t adapter_fib_recursive(int64_t n);
int64_t adapter_linear_recurrence_next(recipes_linear_recurrence *handle);
"""
ADAPTERS_SOURCE = r"""
#include "recipes.h"

static _Thread_local recipes_status last_status;

/* fib_recursive's stop hook, an extern "Python" function (see CALLBACKS_CDEF): cffi writes
 * its body after this code, so it is declared here first. */
static int32_t python_check_signals(void *context);

static recipes_status adapter_last_status(void) { return last_status; }

/* UINT64_MAX on failure: no Fibonacci number up to F(RECIPES_FIB_MAX_N) equals it. */
static uint64_t adapter_fib(int64_t n) {
    uint64_t result;
    last_status = recipes_fib(n, &result);
    return last_status == RECIPES_OK ? result : UINT64_MAX;
}

/* Interruptible: the library calls Python every few milliseconds of work (RECIPES_FIB_CHECK_FROM_N),
 * and a signal handler that raises (Ctrl-C) stops it with RECIPES_STOPPED. */
static uint64_t adapter_fib_recursive(int64_t n) {
    uint64_t result;
    last_status = recipes_fib_recursive(n, python_check_signals, NULL, &result);
    return last_status == RECIPES_OK ? result : UINT64_MAX;
}

/* INT64_MIN on failure; it is also a valid term, so Python asks for the status only then. */
static int64_t adapter_linear_recurrence_next(recipes_linear_recurrence *handle) {
    int64_t term;
    last_status = recipes_linear_recurrence_next(handle, &term);
    return last_status == RECIPES_OK ? term : INT64_MIN;
}
"""
# --8<-- [end:adapters]

# --8<-- [start:callbacks]
# C functions whose bodies are Python: cffi's `extern "Python"`, the way API mode calls back.
# Each becomes one static C function in the extension (its address is lib.python_integrand),
# which runs whatever Python function recipes_cffi._bind attaches with @ffi.def_extern. One
# C function serves every call; which Python callable a call is about travels in the
# `void *context` next to the function pointer (ffi.new_handle), as C callbacks do.
CALLBACKS_CDEF = """
extern "Python" int32_t python_check_signals(void *context);
extern "Python" double python_integrand(double x, void *context);
"""
# --8<-- [end:callbacks]

# --8<-- [start:ffibuilder]
ffibuilder = FFI()
ffibuilder.cdef(cdef_from_header((HERE / "include" / "recipes.h").read_text(encoding="utf-8")))
ffibuilder.cdef(ADAPTERS_CDEF)
ffibuilder.cdef(CALLBACKS_CDEF)
ffibuilder.set_source(
    "recipes_cffi._native",
    ADAPTERS_SOURCE,  # starts with #include "recipes.h": the compiler checks cdef against it
    include_dirs=[str(HERE / "include")],
    libraries=["recipes"],  # library_dirs: added by setup.py once cargo has built it
    # Find librecipes at run time next to the installed packages, wherever they are: $ORIGIN
    # is the directory of _native.so itself (macOS spells it @loader_path).
    extra_link_args=[
        "-Wl,-rpath,@loader_path/../recipes_clib" if sys.platform == "darwin"
        else "-Wl,-rpath,$ORIGIN/../recipes_clib"
    ],
)
# --8<-- [end:ffibuilder]
