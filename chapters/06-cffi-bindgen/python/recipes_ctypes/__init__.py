"""The five recipes from librecipes (Rust behind a C header), through ctypes.

ctypes is in the standard library: no build step, no dependency. The price is that the C
declarations are written a second time, in Python, by hand (the argtypes/restype below),
and nothing checks them against include/recipes.h: a mistake is a crash or silent garbage.
The chapter's tests compare every declaration here with the header's prototype.

ctypes is also the slowest way to call C: every call converts each argument through its
ctypes type object, builds the call with libffi, and wraps the result, all in generic code
that knows nothing of this library.
"""

import ctypes
from ctypes import POINTER, Structure, byref, c_char, c_char_p, c_int32, c_int64, c_size_t, c_uint64
from operator import index
from os import fsencode, fspath, strerror

from recipes_clib import LIBRARY

__all__ = ["fib", "fib_recursive", "LinearRecurrence", "most_common", "calc_pi"]

I64_MIN, I64_MAX = -(2**63), 2**63 - 1

# --8<-- [start:bind_module]
# use_errno=True: ctypes keeps a private, per-thread copy of errno, swapped in and out
# around every call into this library, so ctypes.get_errno() reads what the call left.
_lib = ctypes.CDLL(str(LIBRARY), use_errno=True)

# The header's constants and types, transcribed. (cffi reads them from the header instead.)
RECIPES_ERR_VALUE, RECIPES_ERR_OVERFLOW, RECIPES_ERR_OS, RECIPES_ERR_UTF8 = 1, 2, 3, 4
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
_debug_live_handles = _declare("recipes_debug_live_handles", c_uint64)
_debug_live_word_arrays = _declare("recipes_debug_live_word_arrays", c_uint64)
_debug_panic = _declare("recipes_debug_panic", recipes_status)
# --8<-- [end:bind_module]


# --8<-- [start:bind_errors]
def _error(status, filename=None):
    """The exception for a failed call; call it right after the call that failed."""
    errno = ctypes.get_errno()  # first: the next call into the library replaces it
    message = (_last_error_message() or b"").decode("utf-8", "replace")
    if status == RECIPES_ERR_VALUE:
        return ValueError(message)
    if status == RECIPES_ERR_OVERFLOW:
        return OverflowError(message)
    if status == RECIPES_ERR_OS:
        return OSError(errno, strerror(errno), filename)
    if status == RECIPES_ERR_UTF8:
        start, end = c_uint64(), c_uint64()
        _last_utf8_error(byref(start), byref(end))
        return UnicodeDecodeError("utf-8", b"", start.value, end.value, message)
    return RuntimeError(f"librecipes failed with status {status}: {message}")
# --8<-- [end:bind_errors]


# --8<-- [start:bind_fib]
def _fib_argument(function, n):
    n = index(n)
    # Pitfall: ctypes does not range-check. A c_int64 argument of 2**64 + 5 arrives in C as 5,
    # silently. Values that do not fit must be handled before the call.
    if not I64_MIN <= n <= I64_MAX:
        if n < 0:
            raise ValueError(f"{function}() argument must be >= 0, got {n}")
        raise OverflowError(f"{function}({n}) does not fit in 64 bits: the argument must be <= 93")
    return n


def fib(n, /):
    n = _fib_argument("fib", n)
    result = c_uint64()
    status = _fib(n, byref(result))  # byref: a light pointer for out-parameters
    if status:
        raise _error(status)
    return result.value


def fib_recursive(n, /):
    n = _fib_argument("fib_recursive", n)
    result = c_uint64()
    status = _fib_recursive(n, byref(result))
    if status:
        raise _error(status)
    return result.value
# --8<-- [end:bind_fib]


# --8<-- [start:bind_linear_recurrence]
def _int64_array(values, what):
    result = []
    for value in values:  # TypeError if not iterable
        value = index(value)
        if not I64_MIN <= value <= I64_MAX:
            raise OverflowError(f"LinearRecurrence {what} {value} does not fit in 64 bits")
        result.append(value)
    return (c_int64 * len(result))(*result)


class LinearRecurrence:
    """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}."""

    __slots__ = ("_handle",)

    def __init__(self, coefficients, initial, /):
        coefficients = _int64_array(coefficients, "coefficient")
        initial = _int64_array(initial, "initial value")
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
    if not isinstance(fspath(path), str):
        raise TypeError(f"most_common() path must be str or os.PathLike[str], not {type(path).__name__}")
    n = index(n)
    if n > I64_MAX:
        n = I64_MAX  # "all of them"
    elif n < I64_MIN:
        raise ValueError(f"most_common() n must be >= 0, got {n}")
    encoded = fsencode(path)
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
    digits = index(digits)
    if not I64_MIN <= digits <= I64_MAX:  # ctypes would truncate it: check first
        raise ValueError(f"calc_pi() digits must be between 0 and 10000, got {digits}")
    length = c_size_t()
    status = _calc_pi(digits, None, 0, byref(length))  # None is NULL: ask for the size
    if status != RECIPES_ERR_BUFFER_TOO_SMALL:
        raise _error(status)
    buffer = ctypes.create_string_buffer(length.value + 1)
    status = _calc_pi(digits, buffer, len(buffer), byref(length))
    if status:
        raise _error(status)
    return buffer.value.decode("ascii")
# --8<-- [end:bind_calc_pi]
