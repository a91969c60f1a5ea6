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
import sys
import threading
from ctypes import (
    CFUNCTYPE,
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
    c_void_p,
)
from os import fspath

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
    steps_argument,
    strided_doubles,
    threads_argument,
)

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

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
    RECIPES_STOPPED = 8


recipes_status = c_int32


class recipes_word_count(Structure):
    # c_char pointer, not c_char_p: c_char_p would read up to a NUL that is not there.
    _fields_ = [("word", POINTER(c_char)), ("word_len", c_size_t), ("count", c_uint64)]


class recipes_linear_recurrence(Structure):
    """Opaque: only pointers to it are ever used."""


# The header's two function pointer types. CFUNCTYPE makes a ctypes type for C function
# pointers: an instance made from a Python function is a C function that calls it; one made
# from ("name", library) is that library's function. Integrand is public: integrate() passes
# an instance of it straight to the library (see recipes_ctypes.native_integrands).
recipes_stop_hook = CFUNCTYPE(c_int32, c_void_p)
recipes_integrand = Integrand = CFUNCTYPE(c_double, c_double, c_void_p)


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
_stop_flag = _declare("recipes_stop_flag", c_int32, c_void_p)
_fib_recursive = _declare("recipes_fib_recursive", recipes_status, c_int64, recipes_stop_hook, c_void_p, POINTER(c_uint64))
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
    c_char_p, c_size_t, c_int64, c_int64, POINTER(POINTER(recipes_word_count)), POINTER(c_size_t),
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
_integrate = _declare(
    "recipes_integrate", recipes_status,
    recipes_integrand, c_void_p, c_double, c_double, c_int64, recipes_stop_hook, c_void_p, POINTER(c_double),
)
_integrand_sin = _declare("recipes_integrand_sin", c_double, c_double, c_void_p)
_integrand_square = _declare("recipes_integrand_square", c_double, c_double, c_void_p)
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


# --8<-- [start:bind_callbacks]
class _CallbackFailure:
    """Where the exception raised in a callback waits until the library call returns.

    ctypes has no `onerror`: an exception that leaves a callback is printed ("Exception
    ignored on calling ctypes callback function") and the C caller gets an unset return
    value. So the callbacks here catch what they can themselves and call `fail`. One thing
    they cannot catch: a signal handler (Ctrl-C) that raises at a callback's very first
    instruction, before its `try`. ctypes hands such an exception to sys.unraisablehook,
    and on the main thread, the only one where signal handlers run, this object takes that
    hook over for the duration of the call (`with`) and keeps the exception itself.
    """

    __slots__ = ("callback_code", "error", "previous_hook", "stop")

    def __init__(self, callback):
        self.callback_code = callback.__code__  # to recognise what escaped our callback
        self.error = None
        self.previous_hook = None
        self.stop = c_int32(0)  # the flag recipes_stop_flag reads

    def fail(self, error):
        self.error = error
        self.stop.value = 1

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def _unraisable(self, unraisable):
        traceback = unraisable.exc_traceback
        # Ours if it escaped our callback: its traceback starts in the callback's frame.
        if traceback is not None and traceback.tb_frame.f_code is self.callback_code:
            self.fail(unraisable.exc_value)
        else:
            self.previous_hook(unraisable)  # someone else's: report it as before

    def __exit__(self, *exc_info):
        if self.previous_hook is not None:
            sys.unraisablehook, self.previous_hook = self.previous_hook, None

    def take(self):
        """The kept exception, to raise after the call: the same object, its traceback still
        holding the callback's frames. The slot is cleared (no reference cycle via a frame)."""
        error, self.error = self.error, None
        return error


def _stop_requested(stop):
    # fib_recursive's stop hook. Entering Python gives a pending signal's handler its chance;
    # if it raises, the exception goes to _CallbackFailure._unraisable, which sets the flag,
    # and from then on this returns 1. (ctypes passes the void * as an int, an address.)
    return c_int32.from_address(stop).value


_check_signals = recipes_stop_hook(_stop_requested)  # one C function pointer, made at import
# The library's ready-made hook, typed as a hook: ctypes checks a function pointer's type, and
# refuses None for one (a prototype called with no arguments is its NULL).
_stop_flag_hook = recipes_stop_hook(("recipes_stop_flag", _lib))
_NO_HOOK = recipes_stop_hook()
# --8<-- [end:bind_callbacks]


# --8<-- [start:bind_fib]
def fib(n, /):
    # Pitfall: ctypes does not range-check. A c_int64 argument of 2**64 + 5 arrives in C as 5,
    # silently, so int64_argument clamps every int into int64_t's range before the call.
    result = c_uint64()
    status = _fib(int64_argument(n), byref(result))  # byref: a light pointer for out-parameters
    if status:
        raise _error(status)
    return result.value


def fib_recursive(n, /):
    n = int64_argument(n)
    result = c_uint64()
    if threading.current_thread() is not threading.main_thread():
        # Signal handlers only run on the main thread: here nothing could interrupt the call,
        # so it needs no hook and pays for no callback.
        status = _fib_recursive(n, _NO_HOOK, None, byref(result))
    else:
        with _CallbackFailure(_stop_requested) as failure:
            status = _fib_recursive(n, _check_signals, byref(failure.stop), byref(result))
        if failure.error is not None:
            raise failure.take()
    if status:
        raise _error(status)
    return result.value
# --8<-- [end:bind_fib]


# --8<-- [start:bind_linear_recurrence]
def _int64_array(values, what):
    checked = int64_list(values, what)
    return (c_int64 * len(checked))(*checked)


class LinearRecurrence:
    """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}."""

    __slots__ = ("_handle",)

    def __init__(self, coefficients, initial, /):
        # The handle is this object's alone, freed once by __del__: a second __init__ would
        # leak the first handle, or free it under a next() running in another thread.
        if getattr(self, "_handle", None) is not None:
            raise TypeError("LinearRecurrence.__init__() may be called only once")
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

    # copy.copy() and pickle would otherwise copy the slot, and two objects would free one
    # handle (an abort at the second free). Refused, as the compiled chapters' types do.
    def __reduce__(self):
        raise TypeError(f"cannot pickle {type(self).__qualname__!r} object")

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
def most_common(path, n, /, *, threads=1):
    encoded = encoded_path(path)
    n = int64_argument(n)  # a huge n becomes INT64_MAX, which still means "all of them"
    words, count = POINTER(recipes_word_count)(), c_size_t()

    def n_error():
        # No path: the library checks n, then threads (1 is fine), then fails to open "".
        status = _most_common(b"", 0, n, 1, byref(words), byref(count))
        if status == _StatusCodes.RECIPES_ERR_VALUE:
            return _error(status)
        if status == 0:
            _word_counts_free(words, count.value)
        return None

    threads = threads_argument(threads, n_error)  # None: os.cpu_count(); < 1 is the library's
    # c_char_p passes a pointer into the bytes object; the length travels separately, so a
    # NUL inside reaches the library (which refuses it as open() does).
    status = _most_common(encoded, len(encoded), n, threads, byref(words), byref(count))
    if status:
        raise _error(status, fspath(path))  # the contract's filename: os.fspath(path)
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


# --8<-- [start:bind_integrate]
# The same library loaded once more, as a PyDLL: a PyDLL keeps the GIL during the call, which a
# call that runs Python at every point needs anyway, so the callbacks do not take it back each
# time. (dlopen gives back the library already loaded: one copy, one set of thread-locals.)
_lib_holding_gil = ctypes.PyDLL(str(LIBRARY))
_integrate_holding_gil = _lib_holding_gil.recipes_integrate
_integrate_holding_gil.restype, _integrate_holding_gil.argtypes = _integrate.restype, _integrate.argtypes


def integrate(f, a, b, n, /):
    # An Integrand (recipes_ctypes.native_integrands, or one made from any C function pointer)
    # goes to the library as it is. (It is callable from Python too, so this test comes first.)
    native = isinstance(f, Integrand)
    if not (native or callable(f)):
        raise TypeError(f"integrate() f must be callable, not {type(f).__name__}")
    a = real_argument(a, "integrate() a")
    b = real_argument(b, "integrate() b")
    n = steps_argument(n)
    result = c_double()
    if native:
        # No Python per point: a CDLL call, which releases the GIL, and no stop hook.
        status = _integrate(f, None, a, b, n, _NO_HOOK, None, byref(result))
    else:

        def point(x, context):
            # A closure over f: ctypes makes it a C function below (about a microsecond), so
            # the void * context is not needed. f's result is converted here, inside the try:
            # a conversion that fails in ctypes itself would be printed and lost.
            try:
                return real_argument(f(x), "integrate() f's result")
            except BaseException as exc:  # KeyboardInterrupt and SystemExit too: all go back
                failure.fail(exc)  # stop after this point
                return 0.0  # discarded by the library

        with _CallbackFailure(point) as failure:
            status = _integrate_holding_gil(
                Integrand(point), None, a, b, n, _stop_flag_hook, byref(failure.stop), byref(result)
            )
        if failure.error is not None:
            raise failure.take()
    if status:
        raise _error(status)
    return result.value
# --8<-- [end:bind_integrate]


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


# Not a recipe, so not in __all__: C integrands for integrate(), as recipes_ctypes.native_integrands.
from recipes_ctypes import native_integrands as native_integrands  # noqa: E402
