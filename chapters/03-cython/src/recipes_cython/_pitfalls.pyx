# cython: freethreading_compatible = True
"""Small functions that show Cython pitfalls. Not part of the recipes: the chapter's
README quotes them and its tests check that they behave as the comments say."""

from cpython.exc cimport PyErr_CheckSignals
from cpython.float cimport PyFloat_AsDouble
from libc.stdint cimport uint64_t

from recipes_cython cimport _core as core

from recipes_cython._recipes import fib

__all__ = ["call_digit_except", "call_digit_noexcept", "call_signed_digit",
           "fib_recursive_swallowing", "fib_ssize_t_argument", "fib_typed_argument",
           "fib_wrapping", "integrate_swallowing", "total", "total_writable"]


# --8<-- [start:pitfall_typed_argument]
def fib_typed_argument(long long n, /):
    """fib() behind a parameter declared as a C long long.

    Cython converts the argument before our code runs, and for C integer types other
    than Py_ssize_t it calls __int__, not __index__ (as CPython itself did before
    3.10). So fib_typed_argument(2.5) silently truncates to fib(2), and an object with
    only __index__ is rejected. A value outside long long raises OverflowError during
    the conversion, so -2**100 is an OverflowError where the contract wants ValueError:
    fib() never sees it."""
    return fib(n)


def fib_ssize_t_argument(Py_ssize_t n, /):
    """The same with Py_ssize_t, the one C integer type that Cython converts with
    __index__ (PyNumber_Index): floats are rejected and __index__ objects accepted.
    Out-of-range values are still an OverflowError from the conversion."""
    return fib(n)
# --8<-- [end:pitfall_typed_argument]


# --8<-- [start:pitfall_silent_overflow]
def fib_wrapping(unsigned int n, /):
    """fib without the range check. C integers do not grow: F(94) is computed
    modulo 2**64 and returned without any error."""
    cdef uint64_t a = 0, b = 1
    for _ in range(n):
        a, b = b, a + b
    return a
# --8<-- [end:pitfall_silent_overflow]


# --8<-- [start:pitfall_except]
cdef int digit_noexcept(str text) noexcept:
    # `noexcept` promises the caller that nothing is raised, so the caller never
    # looks. If int() raises anyway, Cython can only print the exception as
    # "Exception ignored in ..." (sys.unraisablehook) and return 0: a wrong answer
    # that looks like a right one.
    return int(text)


cdef int digit_except(str text) except -1:
    # `except -1`: a digit is never -1, so returning -1 means "an exception is set"
    # and the caller tests just that value. Cheap and exact.
    cdef int value = int(text)
    if not 0 <= value <= 9:
        raise ValueError(f"not a digit: {text!r}")
    return value


cdef int signed_digit(str text) except? -1:
    # `except? -1`: -1 is also a valid result ("-1"), so after every -1 the caller
    # must ask PyErr_Occurred() as well. This is what Cython 3 does by default for a
    # cdef function that returns a C integer and declares nothing.
    return int(text)


def call_digit_noexcept(text, /):
    return digit_noexcept(text)


def call_digit_except(text, /):
    return digit_except(text)


def call_signed_digit(text, /):
    return signed_digit(text)
# --8<-- [end:pitfall_except]


# --8<-- [start:pitfall_memoryview]
def total_writable(double[:] values):
    """The sum of a 1-D buffer of doubles, through a typed memoryview without `const`.
    Such a view asks the buffer for write access, although nothing is written, and a
    read-only buffer refuses: a NumPy array with writeable=False or a broadcast one is
    a ValueError (NumPy's), a memoryview of bytes a BufferError (CPython's)."""
    cdef double result = 0.0
    cdef Py_ssize_t i
    for i in range(values.shape[0]):
        result += values[i]
    return result


def total(const double[:] values):
    """The same with `const`: read-only buffers pass. Cython's conversion has three more
    surprises. It takes None, as a view of length 0 (write `values not None` to refuse
    it). It raises ValueError, in its own words, for a wrong element type, byte order or
    number of dimensions. And it takes a NumPy record of one double, format "T{d:x:}"."""
    cdef double result = 0.0
    cdef Py_ssize_t i
    for i in range(values.shape[0]):
        result += values[i]
    return result
# --8<-- [end:pitfall_memoryview]


# --8<-- [start:pitfall_callbacks]
cdef int call_python_swallowing(double x, double *y, void *context) noexcept:
    # The binding's call_python without its try/except. It has to be noexcept: the core's
    # Integrand type says so, and Cython refuses to pass a function that may raise (the
    # `except? -1` that Cython 3 gives an int result by default) where a noexcept one is
    # expected. So when f raises, Cython prints the exception ("Exception ignored in: ...",
    # through sys.unraisablehook), clears it and returns 0, "go on": the core adds whatever
    # y held and calls f again, for every step that is left. No exception reaches the caller.
    y[0] = PyFloat_AsDouble((<object>context)(x))
    return 0


def integrate_swallowing(f, double a, double b, long long n, /):
    cdef double result = 0.0
    core.integrate(call_python_swallowing, <void *>f, a, b, n, &result)
    return result


cdef bint signal_raised_swallowing(void *context) noexcept nogil:
    # The binding's signal_raised without its try/except. PyErr_CheckSignals() runs the
    # SIGINT handler, which raises KeyboardInterrupt, and Cython knows it may raise (it is
    # declared `except -1`). But the exception cannot leave a noexcept function: Cython
    # prints it and returns False, "do not stop". Ctrl-C shows up on stderr, and is ignored.
    with gil:
        return PyErr_CheckSignals() != 0


def fib_recursive_swallowing(long long n, /):
    cdef uint64_t result = 0
    with nogil:
        core.fib_recursive(n, signal_raised_swallowing, NULL, &result)
    return result
# --8<-- [end:pitfall_callbacks]
