# distutils: language = c++
# cython: freethreading_compatible = True
# cython: binding = False, embedsignature = True, embedsignature.format = clinic
"""The recipes in typed Cython: the binding.

The chapter has the two halves every chapter has. The core, _core.pyx, is a set of
`cdef` functions on C types that never touch a Python object. This file is the binding:
the `def` functions and the one `cdef class` that Python sees. They convert Python
arguments to C values, call the core (with the GIL released where it runs long), and
turn its Status into the contract's exception. The domain checks and their limits
live in the core; _core.pxd declares what this file may `cimport`.

The first line makes Cython emit C++ (for libcpp.vector); meson.build says the same
with `cython_language=cpp`, the comment is for `cythonize` and for readers.

`binding = False` makes each `def` function a built-in function, the same kind of
object the C API makes, instead of Cython's own function type (the default since
Cython 3, which supports introspection, default arguments and use as a method).
A call then costs a few nanoseconds less, which is most of what `fib(0)` measures.
`embedsignature.format = clinic` puts the signature into the docstring in the form
that inspect.signature() reads from built-ins, so introspection still works.
"""

cimport cython
from cpython.exc cimport PyErr_CheckSignals
from cpython.float cimport PyFloat_AsDouble
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.number cimport PyNumber_Index
from libc.limits cimport LLONG_MAX, LLONG_MIN
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free
from libc.string cimport strlen
from libcpp.vector cimport vector

cimport numpy as cnp

from recipes_cython cimport _core as core

# NumPy's C API, for ewma's result (PyArray_EMPTY): a table of function pointers that
# NumPy hands over when it is imported. import_array() fetches it, and raises ImportError
# if NumPy is missing or older than the C API this module targets (meson.build: 1.23).
cnp.import_array()

import sys
from os import cpu_count as os_cpu_count, strerror

import numpy

cdef extern from "Python.h":
    # Not declared in Cython's bundled cpython/*.pxd files, so we declare them here.
    # `object` return types tell Cython "a new reference, NULL means an exception".
    object PyOS_FSPath(object path)
    bytes PyUnicode_EncodeFSDefault(object text)


# --8<-- [start:bind_index]
cdef long long as_long_long(object number) except? -1:
    """operator.index(number) as a C long long, saturated: a huge int becomes LLONG_MAX
    or LLONG_MIN, so the core's range checks still see its sign (2**100 > 93,
    -2**100 < 0) instead of an OverflowError from the conversion. `except? -1`: -1 is
    a valid result, so after a -1 Cython also asks PyErr_Occurred() whether it was an
    error."""
    # PyNumber_Index is operator.index(): int, bool, anything with __index__; a float,
    # str or None raises TypeError, and an exception from __index__ propagates as is.
    # Why not a typed parameter, `def fib(long long n, /)`? Cython would convert with
    # __int__ (2.5 becomes 2) and raise OverflowError for -2**100: see _pitfalls.pyx.
    cdef int overflow = 0
    cdef long long value = PyLong_AsLongLongAndOverflow(PyNumber_Index(number), &overflow)
    if overflow > 0:
        return LLONG_MAX
    if overflow < 0:
        return LLONG_MIN
    return value
# --8<-- [end:bind_index]


# --8<-- [start:bind_fib]
cdef fib_error(core.Status status, str function):
    """The exception for what core.fib or core.fib_recursive reported."""
    if status == core.ARGUMENT_NEGATIVE:
        return ValueError(f"{function}() argument must be >= 0")
    # core.ARGUMENT_TOO_LARGE, the only other error these two report
    return OverflowError(f"{function}() argument must be <= {core.FIB_MAX_N}: "
                         f"the result would not fit in 64 bits")


def fib(n, /):
    """The n-th Fibonacci number, 0 <= n <= 93, by a 64-bit loop."""
    # The `/` makes n positional-only, like a C built-in: fib(n=3) is a TypeError.
    cdef uint64_t result
    cdef core.Status status = core.fib(as_long_long(n), &result)
    if status != core.OK:
        raise fib_error(status, "fib")
    return result  # uint64_t -> Python int, done by Cython
# --8<-- [end:bind_fib]


# --8<-- [start:bind_fib_recursive]
cdef bint signal_raised(void *context) noexcept nogil:
    """fib_recursive's "should I stop?" hook: the core calls it every few milliseconds,
    without the GIL. It takes the GIL back, runs Python's signal handlers, and says stop
    if one of them raised (SIGINT's default handler raises KeyboardInterrupt). Handlers
    run only in the main thread: elsewhere PyErr_CheckSignals() returns 0 at once."""
    with gil:
        try:
            PyErr_CheckSignals()  # declared `except -1` by Cython: raises what the handler raised
        except BaseException as error:
            # This function is noexcept: an exception leaving it would be printed as
            # "Exception ignored" and lost, and Ctrl-C with it. So keep it, and stop.
            (<CallbackState>context).error = error  # the type is in bind_integrate, below
            return True
    return False


def fib_recursive(n, /):
    """The n-th Fibonacci number by the naive double recursion."""
    cdef long long value = as_long_long(n)
    cdef uint64_t result
    cdef core.Status status
    cdef CallbackState interrupt = CallbackState(None)
    cdef void *context = <void *>interrupt  # a borrowed pointer: `interrupt` outlives the call
    with nogil:  # pure C for as long as it takes: let other Python threads run
        status = core.fib_recursive(value, signal_raised, context, &result)
    if status == core.STOPPED:
        raise interrupt.error  # the handler's own exception, with its traceback
    if status != core.OK:
        raise fib_error(status, "fib_recursive")
    return result
# --8<-- [end:bind_fib_recursive]


# --8<-- [start:bind_linear_recurrence]
cdef int append_int64s(vector[int64_t] &values, object items, str what) except -1:
    """Append the integers of the iterable `items` to `values`: TypeError if it is not
    iterable or an element is not an integer, OverflowError if one does not fit in a
    signed 64-bit integer (a type conversion, so the binding's job)."""
    cdef int overflow = 0
    cdef int64_t value
    for item in items:  # iter(items): TypeError if it is not iterable
        value = PyLong_AsLongLongAndOverflow(PyNumber_Index(item), &overflow)
        if overflow:
            raise OverflowError(f"LinearRecurrence {what} must fit in signed 64 bits")
        values.push_back(value)  # `except +` in libcpp: std::bad_alloc -> MemoryError
    return 0


@cython.final               # Python code cannot subclass it (class X(LinearRecurrence)
                            # is a TypeError), like most C types: no subclass can break
                            # the invariants __next__ relies on
@cython.auto_pickle(False)  # Cython would otherwise generate pickling of the C fields
cdef class LinearRecurrence:
    """LinearRecurrence(coefficients, initial, /): the iterator a_0, a_1, ... with
    a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}, in checked signed 64-bit arithmetic."""

    # C attributes: they live in the object's C struct, Python cannot see or set them
    # (no __dict__ either), and Cython constructs and destroys the C++ vectors for us,
    # so there is no __dealloc__ to write and nothing to leak. `state` is the core's
    # struct; it points into the two vectors.
    cdef vector[int64_t] coefficients
    cdef vector[int64_t] window
    cdef core.Recurrence state

    # __cinit__ rather than __init__: Cython guarantees it runs exactly once, before
    # anything else can see the object, and the C fields start zeroed.
    def __cinit__(self, coefficients, initial, /):
        cdef core.Status status
        append_int64s(self.coefficients, coefficients, "coefficients")
        append_int64s(self.window, initial, "initial values")
        status = core.recurrence_init(&self.state, self.coefficients.data(),
                                      self.coefficients.size(), self.window.data(),
                                      self.window.size())
        if status == core.NO_COEFFICIENTS:
            raise ValueError("LinearRecurrence needs at least one coefficient")
        if status == core.LENGTHS_DIFFER:
            raise ValueError(f"LinearRecurrence needs as many initial values as coefficients "
                             f"(got {self.window.size()} for {self.coefficients.size()})")

    def __iter__(self):
        return self

    def __next__(self):
        cdef int64_t term
        cdef core.Status status
        # Thread safety: with the GIL, no other thread runs while the core updates the
        # state, because nothing here releases the GIL. On a free-threaded Python the
        # critical section (a per-object lock) gives the same guarantee; with the GIL
        # it compiles to nothing.
        with cython.critical_section(self):
            status = core.recurrence_next(&self.state, &term)
        if status == core.TERM_OVERFLOWS:
            raise OverflowError("the next term of this LinearRecurrence overflows signed 64 bits")
        return term
# --8<-- [end:bind_linear_recurrence]


# --8<-- [start:bind_most_common]
def most_common(path, n, /, *, threads=1):
    """The n most frequent words of a UTF-8 text file, as (word, count) pairs, by
    count descending, then word ascending. `threads` (>= 1, or None for every core)
    is how many OpenMP threads may count; the result never depends on it."""
    cdef object text_path = PyOS_FSPath(path)  # os.fspath(): TypeError for int, None, ...
    if not isinstance(text_path, str):
        raise TypeError(f"most_common() path must be str or os.PathLike returning str, "
                        f"not {type(text_path).__name__}")
    cdef size_t limit, thread_count
    if core.most_common_limit(as_long_long(n), &limit) == core.ARGUMENT_NEGATIVE:
        raise ValueError("most_common() n must be >= 0")  # before the file is opened
    if threads is None:
        threads = os_cpu_count() or 1
    if core.most_common_threads(as_long_long(threads), &thread_count) == core.THREADS_NOT_POSITIVE:
        raise ValueError("most_common() threads must be >= 1")
    # Encode the name the way open() does; a NUL in it is open()'s ValueError (C would
    # silently cut the name there).
    cdef bytes encoded = PyUnicode_EncodeFSDefault(text_path)
    cdef const char *c_path = encoded
    if strlen(c_path) != <size_t>len(encoded):
        raise ValueError("embedded null byte")
    cdef core.WordCounts counts
    cdef core.Status status
    # Without the GIL: a slow disk or a pipe must not stop the other Python threads, and
    # the core's OpenMP threads never touch a Python object.
    with nogil:
        status = core.most_common(c_path, limit, thread_count, &counts)
    try:
        if status == core.OS_ERROR:
            # OSError(errno, message, filename) picks the subclass the way open() does:
            # FileNotFoundError, IsADirectoryError, PermissionError, ...
            raise OSError(counts.os_errno, strerror(counts.os_errno), text_path)
        if status == core.NOT_UTF8:
            # Let Python's own decoder raise: that gives the exact UnicodeDecodeError
            # (.start = offset of the first bad byte), and it only runs on bad input.
            counts.text[:counts.text_length].decode("utf-8")
            raise AssertionError("is_utf8() and Python's decoder disagree")  # unreachable
        if status == core.NO_MEMORY:
            raise MemoryError()
        # Each word is a slice of valid UTF-8 cut at ASCII bytes: valid UTF-8 too.
        # Cython turns `pointer[:length].decode("utf-8")` into one PyUnicode_DecodeUTF8.
        return [(counts.top[i].word[:counts.top[i].length].decode("utf-8"), counts.top[i].count)
                for i in range(counts.top_length)]
    finally:
        core.most_common_free(&counts)
# --8<-- [end:bind_most_common]


# --8<-- [start:bind_calc_pi]
def calc_pi(digits, /):
    """Pi truncated to `digits` decimal places, 0 <= digits <= 10000."""
    cdef long long wanted = as_long_long(digits)
    cdef char *text = NULL
    cdef size_t length = 0
    cdef core.Status status
    with nogil:  # milliseconds of arithmetic: let other Python threads run
        status = core.calc_pi(wanted, &text, &length)
    if status == core.DIGITS_OUT_OF_RANGE:
        raise ValueError(f"calc_pi() digits must be between 0 and {core.PI_MAX_DIGITS}")
    if status == core.NO_MEMORY:
        raise MemoryError()
    try:
        return text[:length].decode("ascii")
    finally:
        free(text)
# --8<-- [end:bind_calc_pi]


# --8<-- [start:bind_ewma]
# Buffer formats (struct module syntax) that mean a C double in this machine's byte order:
# "d" and "@d" are native, "=d" is standard size in native order, "<d" is little-endian
# (ctypes writes that). Anything else is the contract's TypeError, naming the format.
cdef tuple NATIVE_DOUBLE_FORMATS = ("d", "@d", "=d",
                                    "<d" if sys.byteorder == "little" else ">d")


cdef check_values(view):
    """The contract's checks of the buffer, in its order and with its words. A typed
    memoryview checks dimensions and format too, but it raises ValueError for both, in
    its own words, and it takes formats the contract refuses (a record of one double,
    "T{d:x:}"). So the binding first looks at the buffer as a Python memoryview."""
    if view.ndim != 1:
        raise ValueError(f"ewma() values must be one-dimensional, got {view.ndim} dimensions")
    if view.format not in NATIVE_DOUBLE_FORMATS:
        raise TypeError(f"ewma() values must be float64 (buffer format 'd'), "
                        f"got format {view.format!r}")


@cython.cdivision(True)  # safe: the divisor is sizeof(double), never 0, and C's % is 0
                         # exactly when Python's is, negative strides included
cdef inline bint is_whole_doubles(const double *first, Py_ssize_t stride_in_bytes) noexcept nogil:
    """True if the core may read first[i * stride] through a double pointer: the first
    element is aligned for a double and the stride is a whole number of doubles. Not so
    for a field of a packed NumPy record, 9 bytes apart."""
    return (stride_in_bytes % <Py_ssize_t>sizeof(double) == 0
            and <size_t>first % sizeof(double) == 0)


@cython.cdivision(True)  # safe: the one division is exact (the stride is a whole number
                         # of doubles by then), and C's / then equals Python's //
cdef smooth(const double[:] values, double alpha):
    """Run the core over `values` into a new array. The typed memoryview `values` holds a
    buffer of its own, released when this function returns. `const` is what lets it take
    a read-only buffer: a plain `double[:]` asks for a writable one, which a read-only
    buffer refuses."""
    cdef cnp.npy_intp length = values.shape[0]
    if length > 0 and not is_whole_doubles(&values[0], values.strides[0]):
        # The one copy, into a new NumPy array: contiguous and aligned.
        values = numpy.array(values, dtype=numpy.float64)
    # The result is NumPy's own: a new C-contiguous float64 array that owns its memory.
    cdef cnp.ndarray result = cnp.PyArray_EMPTY(1, &length, cnp.NPY_FLOAT64, 0)
    cdef double *out = <double *>cnp.PyArray_DATA(result)
    cdef const double *first = &values[0] if length > 0 else NULL
    # Strides are in bytes; the core counts in doubles. Negative for a reversed view,
    # zero for a broadcast one: the core reads either in place.
    cdef Py_ssize_t stride = values.strides[0] // <Py_ssize_t>sizeof(double)
    cdef core.Status status
    # The loop runs without the GIL. Both buffers stay exported meanwhile, so nobody can
    # resize or free them, but another Python thread may still write the input array:
    # the result then mixes old and new values. Do not change an array being averaged.
    with nogil:
        status = core.ewma(first, length, stride, alpha, out)
    if status == core.ALPHA_OUT_OF_RANGE:
        raise ValueError("ewma() alpha must be > 0 and <= 1")
    return result


def ewma(values, alpha, /):
    """The exponentially weighted moving average of a 1-D buffer of float64, as a
    new NumPy array."""
    cdef double weight
    view = memoryview(values)  # TypeError if `values` exports no buffer
    try:
        check_values(view)
        # Then alpha, as float() takes a number but without parsing strings: __float__,
        # else __index__; TypeError for str, bytes, None, complex, and CPython's own
        # OverflowError for an int too large for a double. (A `double alpha` parameter
        # converts the same way, but before the body runs: before the buffer's checks.)
        weight = PyFloat_AsDouble(alpha)
        return smooth(view, weight)  # a typed view of the very buffer just checked
    finally:
        view.release()  # on every path: the caller may resize its array.array after
# --8<-- [end:bind_ewma]


# --8<-- [start:bind_integrate]
@cython.internal  # a C type for this file only: not an attribute of the module
cdef class CallbackState:
    """What a callback from the core needs on the Python side: the Python callable it
    calls (integrate's f; None for fib_recursive's hook), and the exception it caught.
    The core is C, so an exception cannot travel through it: the callback keeps the
    exception here, tells the core to stop, and the binding raises it once the core
    has returned. The core sees this object only as the `void *context` it passes back."""
    cdef object function
    cdef object error  # None, or what the callback caught: the very object, not a copy

    def __cinit__(self, function, /):
        self.function = function


cdef int call_python(double x, double *y, void *context) noexcept:
    """The core's integrand: *y = f(x), f being any Python callable. The core calls it
    with the GIL held (integrate never releases it), so it may call Python directly."""
    cdef CallbackState integrand = <CallbackState>context
    try:
        # A Cython object call: PyFloat_FromDouble(x), a vectorcall of f, then the result
        # converted as ewma's alpha is (PyFloat_AsDouble). Cython releases both objects.
        y[0] = PyFloat_AsDouble(integrand.function(x))
        # Ctrl-C. A Python f runs bytecode, and the interpreter runs the signal handlers
        # between bytecodes; a built-in f such as math.sin runs none, and compiled code
        # does not look either: integrate(math.sin, 0.0, 1.0, 10**12) would ignore Ctrl-C
        # for hours. With no signal pending the check costs a few nanoseconds.
        PyErr_CheckSignals()
    except BaseException as error:  # everything f raises, KeyboardInterrupt and SystemExit too
        # The type Integrand is noexcept: the C core would not look for an exception, and
        # Cython would print it ("Exception ignored") and return 0, "go on" (_pitfalls.pyx
        # shows that). So keep it and return 1: the core stops, and f is not called again.
        integrand.error = error
        return 1
    return 0


def integrate(f, a, b, n, /):
    """The midpoint rule: the integral of f from a to b over n equal steps, f a Python
    callable. Whatever f raises propagates unchanged."""
    cdef double lower, upper, result
    cdef long long steps
    cdef int overflow = 0
    if not callable(f):
        raise TypeError(f"integrate() f must be callable, not {type(f).__name__}")
    lower = PyFloat_AsDouble(a)  # as ewma's alpha: __float__, else __index__
    upper = PyFloat_AsDouble(b)
    steps = PyLong_AsLongLongAndOverflow(PyNumber_Index(n), &overflow)
    if overflow > 0:  # a type conversion, so the binding's check; n < 1 is the core's
        raise OverflowError("integrate() n must fit in signed 64 bits")
    if overflow < 0:
        steps = LLONG_MIN  # the core's range check then says n >= 1
    cdef CallbackState integrand = CallbackState(f)
    # The GIL stays held: the integrand calls Python at every step, and releasing the GIL
    # around the loop would only mean taking it back n times.
    cdef core.Status status = core.integrate(call_python, <void *>integrand, lower, upper,
                                             steps, &result)
    if status == core.STOPPED:
        raise integrand.error  # the same object f raised; its traceback still holds f's frame
    if status == core.N_NOT_POSITIVE:
        raise ValueError("integrate() n must be >= 1")
    return result
# --8<-- [end:bind_integrate]


# --8<-- [start:bind_module]
# There is no module table to write: Cython generates PyInit__recipes, and every
# def function and cdef class above becomes a module attribute. Importing this module
# imports recipes_cython._core too, to fetch the core's functions. The package's
# __init__.py re-exports the recipes from this extension module.
__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate",
           "most_common"]
# --8<-- [end:bind_module]
