"""The recipes from librecipes (Rust behind a C header), through ctypes.

ctypes is in the standard library: no build step, no dependency. The price is that the C
declarations are written a second time, in Python, by hand (the argtypes/restype below),
and nothing checks them against include/recipes.h: a mistake is a crash or silent garbage.
The chapter's tests compare every declaration here with the header's prototype.

ctypes is also the slowest way to call C: every call converts each argument through its
ctypes type object, builds the call with libffi, and wraps the result, all in generic code
that knows nothing of this library.
"""

import ctypes
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char,
    c_char_p,
    c_double,
    c_int32,
    c_int64,
    c_size_t,
    c_ssize_t,
    c_uint64,
)

from numpy import asarray, empty, float64
from numpy.ctypeslib import ndpointer

from recipes_clib import LIBRARY
from recipes_clib._frontend import (
    encoded_path,
    error_mapper,
    float64_view,
    int64_argument,
    int64_list,
    real_argument,
    strided_doubles,
)

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "most_common"]

# --8<-- [start:bind_module]
# CDLL, not PyDLL: a CDLL releases the GIL around every call, a PyDLL keeps it (it is for
# functions of the Python C API). use_errno=True: ctypes keeps a private, per-thread copy of
# errno, swapped in and out around every call into this library, so ctypes.get_errno()
# reads what the call left.
_lib = ctypes.CDLL(str(LIBRARY), use_errno=True)


class _StatusCodes:
    """The header's status codes, transcribed: ctypes reads symbols, not headers, and a
    #define leaves no symbol in the library. (cffi reads them from the header instead.)
    The limits (RECIPES_FIB_MAX_N, ...) are not needed: the library checks them itself."""

    RECIPES_OK = 0
    RECIPES_ERR_VALUE = 1
    RECIPES_ERR_OVERFLOW = 2
    RECIPES_ERR_OS = 3
    RECIPES_ERR_UTF8 = 4
    RECIPES_ERR_BUFFER_TOO_SMALL = 5


recipes_status = c_int32


class recipes_word_count(Structure):
    # c_char pointer, not c_char_p: c_char_p would read up to a NUL that is not there.
    _fields_ = [("word", POINTER(c_char)), ("word_len", c_size_t), ("count", c_uint64)]


class recipes_linear_recurrence(Structure):
    """Opaque: only pointers to it are ever used."""


def _declare(name, restype, *argtypes):
    """Look up a function and give ctypes its prototype. Without argtypes, ctypes guesses
    from the Python values (and passes every int as a C int: 32 bits); without restype it
    assumes int, which would cut pointers in half."""
    function = getattr(_lib, name)
    function.restype, function.argtypes = restype, argtypes
    return function


_last_error_message = _declare("recipes_last_error_message", c_char_p)
_last_utf8_error = _declare("recipes_last_utf8_error", None, POINTER(c_uint64), POINTER(c_uint64))
_fib = _declare("recipes_fib", recipes_status, c_int64, POINTER(c_uint64))
_fib_recursive = _declare("recipes_fib_recursive", recipes_status, c_int64, POINTER(c_uint64))
_calc_pi = _declare("recipes_calc_pi", recipes_status, c_int64, c_char_p, c_size_t, POINTER(c_size_t))
_recurrence_new = _declare(
    "recipes_linear_recurrence_new", recipes_status,
    POINTER(c_int64), c_size_t, POINTER(c_int64), c_size_t,
    POINTER(POINTER(recipes_linear_recurrence)),
)
_recurrence_next = _declare(
    "recipes_linear_recurrence_next", recipes_status, POINTER(recipes_linear_recurrence), POINTER(c_int64)
)
_recurrence_free = _declare("recipes_linear_recurrence_free", None, POINTER(recipes_linear_recurrence))
_most_common = _declare(
    "recipes_most_common", recipes_status,
    c_char_p, c_size_t, c_int64, POINTER(POINTER(recipes_word_count)), POINTER(c_size_t),
)
_word_counts_free = _declare("recipes_word_counts_free", None, POINTER(recipes_word_count), c_size_t)
# ndpointer: NumPy's ctypes type for "the data pointer of an ndarray". Its from_param checks
# the array's dtype, dimensions and flags, then passes the address of element 0. The values
# ask for no flags (any strides, read-only too); the output must be contiguous and writeable.
# c_ssize_t is ptrdiff_t: both are the signed type of a pointer's size (Py_ssize_t is ssize_t).
_ewma = _declare(
    "recipes_ewma", recipes_status,
    ndpointer(float64, ndim=1), c_size_t, c_ssize_t, c_double,
    ndpointer(float64, ndim=1, flags="C_CONTIGUOUS,WRITEABLE"),
)
_debug_live_handles = _declare("recipes_debug_live_handles", c_uint64)
_debug_live_word_arrays = _declare("recipes_debug_live_word_arrays", c_uint64)
_debug_panic = _declare("recipes_debug_panic", recipes_status)
# --8<-- [end:bind_module]


# --8<-- [start:bind_errors]
def _last_message():
    return (_last_error_message() or b"").decode("utf-8", "replace")


def _last_utf8_span():
    start, end = c_uint64(), c_uint64()
    _last_utf8_error(byref(start), byref(end))
    return start.value, end.value


_error = error_mapper(_StatusCodes, ctypes.get_errno, _last_message, _last_utf8_span)
# --8<-- [end:bind_errors]


# --8<-- [start:bind_fib]
def _uint64_result(c_function, n):
    # Pitfall: ctypes does not range-check. A c_int64 argument of 2**64 + 5 arrives in C as 5,
    # silently, so int64_argument clamps every int into int64_t's range before the call.
    result = c_uint64()
    status = c_function(int64_argument(n), byref(result))  # byref: a light pointer for out-parameters
    if status:
        raise _error(status)
    return result.value


def fib(n, /):
    return _uint64_result(_fib, n)


def fib_recursive(n, /):
    return _uint64_result(_fib_recursive, n)
# --8<-- [end:bind_fib]


# --8<-- [start:bind_linear_recurrence]
def _int64_array(values, what):
    checked = int64_list(values, what)
    return (c_int64 * len(checked))(*checked)


class LinearRecurrence:
    """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}."""

    __slots__ = ("_handle",)

    def __init__(self, coefficients, initial, /):
        coefficients = _int64_array(coefficients, "coefficients")
        initial = _int64_array(initial, "initial values")
        handle = POINTER(recipes_linear_recurrence)()
        status = _recurrence_new(coefficients, len(coefficients), initial, len(initial), byref(handle))
        if status:
            raise _error(status)
        self._handle = handle

    # The finaliser: runs when the last reference goes. The free function is bound as a
    # default argument because at interpreter exit module globals may already be gone.
    def __del__(self, _free=_recurrence_free):
        handle = getattr(self, "_handle", None)  # absent if __init__ raised
        if handle:
            self._handle = None
            _free(handle)

    def __iter__(self):
        return self

    def __next__(self):
        # ctypes releases the GIL during the call, like cffi; the handle's mutex in the
        # library keeps concurrent next() calls on one instance apart.
        term = c_int64()
        status = _recurrence_next(self._handle, byref(term))
        if status:
            raise _error(status)
        return term.value
# --8<-- [end:bind_linear_recurrence]


# --8<-- [start:bind_most_common]
def most_common(path, n, /):
    encoded = encoded_path(path)
    n = int64_argument(n)  # a huge n becomes INT64_MAX, which still means "all of them"
    words, count = POINTER(recipes_word_count)(), c_size_t()
    # c_char_p passes a pointer into the bytes object; the length travels separately, so a
    # NUL inside reaches the library (which refuses it as open() does).
    status = _most_common(encoded, len(encoded), n, byref(words), byref(count))
    if status:
        raise _error(status, path)
    count = count.value
    try:
        return [
            (ctypes.string_at(entry.word, entry.word_len).decode("utf-8"), entry.count)
            for entry in words[:count]
        ]
    finally:
        _word_counts_free(words, count)
# --8<-- [end:bind_most_common]


# --8<-- [start:bind_calc_pi]
def calc_pi(digits, /):
    digits = int64_argument(digits)
    length = c_size_t()
    status = _calc_pi(digits, None, 0, byref(length))  # None is NULL: ask for the size
    if status != _StatusCodes.RECIPES_ERR_BUFFER_TOO_SMALL:
        raise _error(status)
    buffer = ctypes.create_string_buffer(length.value + 1)
    status = _calc_pi(digits, buffer, len(buffer), byref(length))
    if status:
        raise _error(status)
    return buffer.value.decode("ascii")
# --8<-- [end:bind_calc_pi]


# --8<-- [start:bind_ewma]
def ewma(values, alpha, /):
    # The view is checked (1-D, native doubles) and holds the buffer until the block ends, on
    # every path: while the library reads the memory, nothing can move or free it.
    with float64_view(values) as view:
        # Converted here, not by ctypes: c_double would turn the OverflowError of a huge int
        # (and every TypeError) into a ctypes.ArgumentError, which the contract does not allow.
        alpha = real_argument(alpha, "ewma() alpha")
        buffer, stride = strided_doubles(view)
        out = empty(len(view))  # the result: NumPy owns it, the library only fills it
        # asarray(buffer) is an ndarray over the buffer's memory, not a copy. It must not
        # outlive the view (it holds an export of it): as a temporary argument, it is gone as
        # soon as the call returns. ctypes' own from_buffer would not do: it refuses read-only
        # and strided buffers.
        status = _ewma(asarray(buffer), len(view), stride, alpha, out)
    if status:
        raise _error(status)
    return out
# --8<-- [end:bind_ewma]
