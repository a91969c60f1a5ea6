# cython: freethreading_compatible = True
"""The recipes as plain, untyped Python, compiled by Cython as they are.

This is the "before" of the before-and-after: no cdef, no C types, no directives.
Cython still turns every line into C, but each line calls the C API on Python
objects (every `+` is PyNumber_Add on two ints), so the gain over the interpreter is
modest. And it never releases the GIL: only code on C types can run without it.
Compare `cython -a` of this file with that of _core.pyx: here nearly every line is
yellow. The logic and the error messages are the reference chapter's, written out
again (without its type annotations, which Cython would read as C types) so that the
chapter stays standalone.
"""

import ctypes
import heapq
import os
import sys
import threading
from collections import Counter, deque
from operator import index

import numpy as np

FIB_MAX_N = 93  # the largest n with F(n) < 2**64
PI_MAX_DIGITS = 10_000  # the most decimal places calc_pi computes
PI_GUARD_DIGITS = 8  # extra spigot digits, so the held predigit/nines never reach the kept ones
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INTERRUPT_CHECK_FROM_N = 30  # fib_recursive checks for Ctrl-C at every call with n >= this


# --8<-- [start:fib]
def _fib_argument(n, function):
    n = index(n)  # operator.index(): int, bool, __index__; TypeError for float, str, ...
    # No message quotes the argument: str() of an int beyond 4300 digits would raise.
    if n < 0:
        raise ValueError(f"{function}() argument must be >= 0")
    if n > FIB_MAX_N:
        raise OverflowError(
            f"{function}() argument must be <= {FIB_MAX_N}: the result would not fit in 64 bits")
    return n


def fib(n, /):
    """fib(n, /) -> int: the n-th Fibonacci number, 0 <= n <= FIB_MAX_N."""
    a, b = 0, 1
    for _ in range(_fib_argument(n, "fib")):
        a, b = b, a + b  # Python ints never overflow: b = F(n+1) is harmless here
    return a
# --8<-- [end:fib]


# --8<-- [start:fib_recursive]
# The interpreter runs Python's signal handlers between bytecodes, so the reference needs
# nothing to stop on Ctrl-C. Compiled, the same code runs no bytecode and never looks: Cython
# does not check for signals, and fib_recursive(60) would ignore Ctrl-C for hours. Plain Python
# has no name for the check (PyErr_CheckSignals), but ctypes reaches it: a function of
# ctypes.pythonapi keeps the GIL during the call and raises the exception the call left set.
_check_signals = ctypes.pythonapi.PyErr_CheckSignals


def _fib_recursive(n):
    if n <= 1:
        return n
    return _fib_recursive(n - 1) + _fib_recursive(n - 2)


def _interruptible_fib(n):
    # The check costs a ctypes call (about 0.1 us): once per call with n >= 30, each of which
    # has some 40 ms of the unchecked recursion below it.
    if n < INTERRUPT_CHECK_FROM_N:
        return _fib_recursive(n)
    _check_signals()  # runs the handlers: KeyboardInterrupt, or whatever a handler raises
    return _interruptible_fib(n - 1) + _interruptible_fib(n - 2)


def fib_recursive(n, /):
    """fib_recursive(n, /) -> int: the same number by the naive double recursion."""
    return _interruptible_fib(_fib_argument(n, "fib_recursive"))
# --8<-- [end:fib_recursive]


# --8<-- [start:linear_recurrence]
def _int64_list(items, what):
    values = []
    for item in items:  # TypeError here if `items` is not iterable
        value = index(item)
        if not INT64_MIN <= value <= INT64_MAX:
            raise OverflowError(f"LinearRecurrence {what} must fit in signed 64 bits")
        values.append(value)
    return values


def _checked(value):
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError("signed 64-bit overflow")
    return value


class LinearRecurrence:
    """LinearRecurrence(coefficients, initial, /): a_{n+k} = sum of c_i * a_{n+i},
    in checked signed 64-bit arithmetic."""

    __slots__ = ("_coefficients", "_lock", "_overflowed", "_window")

    def __init__(self, coefficients, initial, /):
        coefficients = _int64_list(coefficients, "coefficients")
        initial = _int64_list(initial, "initial values")
        if not coefficients:
            raise ValueError("LinearRecurrence needs at least one coefficient")
        if len(coefficients) != len(initial):
            raise ValueError(f"LinearRecurrence needs as many initial values as coefficients "
                             f"(got {len(initial)} for {len(coefficients)})")
        self._coefficients = coefficients
        self._window = deque(initial)  # the terms known but not yet returned
        self._overflowed = False
        # Compiled code does not switch threads in the middle of this method by itself,
        # but a garbage collection can run Python code (a __del__) that does: keep the lock.
        self._lock = threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            if not self._window:
                raise OverflowError("the next term of this LinearRecurrence overflows signed 64 bits")
            if not self._overflowed:
                try:
                    total = 0
                    for c, a in zip(self._coefficients, self._window, strict=True):
                        total = _checked(total + _checked(c * a))
                    self._window.append(total)
                except OverflowError:
                    self._overflowed = True
            return self._window.popleft()
# --8<-- [end:linear_recurrence]


# --8<-- [start:most_common]
def most_common(path, n, /, *, threads=1):
    """most_common(path, n, /, *, threads=1) -> list[tuple[str, int]]: the n most frequent words."""
    text_path = os.fspath(path)  # TypeError for int, None, ...
    if not isinstance(text_path, str):
        raise TypeError(f"most_common() path must be str or os.PathLike returning str, "
                        f"not {type(text_path).__name__}")
    n = index(n)
    if n < 0:
        raise ValueError("most_common() n must be >= 0")
    # threads is checked, then ignored: this code works on Python objects, so it holds
    # the GIL and counts in one thread, as the reference does.
    if threads is not None and index(threads) < 1:
        raise ValueError("most_common() threads must be >= 1")
    with open(path, "rb") as file:
        data = file.read()
    data.decode("utf-8")  # only to raise UnicodeDecodeError on bad input
    counts = Counter(data.lower().split())
    top = heapq.nsmallest(n, counts.items(), key=lambda item: (-item[1], item[0]))
    return [(word.decode("utf-8"), count) for word, count in top]
# --8<-- [end:most_common]


# --8<-- [start:calc_pi]
def calc_pi(digits, /):
    """calc_pi(digits, /) -> str: pi truncated to `digits` decimals, 0..PI_MAX_DIGITS."""
    digits = index(digits)
    if not 0 <= digits <= PI_MAX_DIGITS:
        raise ValueError(f"calc_pi() digits must be between 0 and {PI_MAX_DIGITS}")
    n = digits + 1 + PI_GUARD_DIGITS
    size = 10 * n // 3 + 1
    a = [2] * size
    out = []
    predigit, nines = 0, 0
    for _ in range(n):
        q = 0
        for i in range(size, 0, -1):
            x = 10 * a[i - 1] + q * i
            a[i - 1] = x % (2 * i - 1)
            q = x // (2 * i - 1)
        a[0] = q % 10
        q //= 10
        if q == 9:
            nines += 1
        elif q == 10:
            out.append(predigit + 1)
            out.extend([0] * nines)
            predigit, nines = 0, 0
        else:
            out.append(predigit)
            out.extend([9] * nines)
            predigit, nines = q, 0
    out.append(predigit)
    out.extend([9] * nines)
    text = "".join(map(str, out[1:digits + 2]))  # out[0] is the spigot's leading 0
    return text[0] if digits == 0 else text[0] + "." + text[1:]
# --8<-- [end:calc_pi]


# --8<-- [start:ewma]
# Buffer formats (struct module syntax) that mean a C double in this machine's byte order.
NATIVE_DOUBLE_FORMATS = ("d", "@d", "=d", "<d" if sys.byteorder == "little" else ">d")


def _real(value, name):
    """A real number as PyFloat_AsDouble takes it: __float__, else __index__; never a str."""
    kind = type(value)
    if isinstance(value, float):  # a float subclass is read as a float, whatever its __float__ says
        return float.__float__(value)
    if hasattr(kind, "__float__"):
        return float(value)
    if hasattr(kind, "__index__"):  # OverflowError for an int too large for a double
        return float(index(value))
    raise TypeError(f"{name} must be a real number, not {kind.__name__}")


def ewma(values, alpha, /):
    """ewma(values, alpha, /) -> numpy.ndarray: the exponentially weighted moving average."""
    with memoryview(values) as view:  # TypeError for a non-buffer; released on every path
        if view.ndim != 1:
            raise ValueError(f"ewma() values must be one-dimensional, got {view.ndim} dimensions")
        if view.format not in NATIVE_DOUBLE_FORMATS:
            raise TypeError(f"ewma() values must be float64 (buffer format 'd'), got format {view.format!r}")
        alpha = _real(alpha, "ewma() alpha")
        if not 0.0 < alpha <= 1.0:  # NaN fails both comparisons
            raise ValueError("ewma() alpha must be > 0 and <= 1")
        xs = np.array(view, dtype=np.float64).tolist()  # a copy, as Python floats
    # x and y are Python float objects: each * and + below makes a new one, GIL held.
    beta = 1.0 - alpha
    out = np.empty(len(xs), dtype=np.float64)
    y = 0.0
    for i, x in enumerate(xs):
        y = x if i == 0 else alpha * x + beta * y
        out[i] = y
    return out
# --8<-- [end:ewma]


# --8<-- [start:integrate]
def integrate(f, a, b, n, /):
    """integrate(f, a, b, n, /) -> float: the midpoint rule over n equal steps, f a callable."""
    if not callable(f):
        raise TypeError(f"integrate() f must be callable, not {type(f).__name__}")
    a = _real(a, "integrate() a")
    b = _real(b, "integrate() b")
    n = index(n)
    if n > INT64_MAX:
        raise OverflowError("integrate() n must fit in signed 64 bits")
    if n < 1:
        raise ValueError("integrate() n must be >= 1")
    h = (b - a) / n
    total = 0.0
    for i in range(n):
        # A plain Python call: whatever f raises simply propagates, with f's frame in its
        # traceback, and the loop ends there. Compiled code needs no care for that.
        total += _real(f(a + (i + 0.5) * h), "integrate() f's result")
        # Ctrl-C needs care, as in fib_recursive: a built-in f such as math.sin runs no
        # bytecode, so nothing else would look. Every 1024th step: a ctypes call costs more
        # than a call of math.sin.
        if not i & 1023:
            _check_signals()
    return total * h
# --8<-- [end:integrate]


__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]
