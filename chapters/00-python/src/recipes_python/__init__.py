"""The recipes in plain Python: the reference every chapter is tested against.

This module is written for clarity, not speed. It is the baseline that every benchmark
divides by, and the oracle of the conformance suite: where the contract (docs/contract.md)
leaves a choice, what this file does is the answer. Every native chapter must behave exactly
like it, including which exception it raises for bad input and, for the contract's own range
errors, its message word for word.
"""

from __future__ import annotations

import heapq
import operator
import os
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

# The largest n whose Fibonacci number fits in an unsigned 64-bit integer:
# F(93) = 12200160415121876738 < 2**64 <= F(94).
FIB_MAX_N = 93
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
# The most decimal places calc_pi() computes (its running time grows with the square of it).
PI_MAX_DIGITS = 10_000

# The contract's own errors. No message quotes the argument: an int of any size reaches
# these checks, and str() of one beyond 4300 digits would itself raise ValueError.


# --8<-- [start:check_n]
def _fib_argument(n: object, name: str) -> int:
    # operator.index is what `range()` and slicing use: it accepts int, bool and any
    # object with __index__ (NumPy integers), and raises TypeError for float, str, ...
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"{name}() argument must be >= 0")
    if n > FIB_MAX_N:
        raise OverflowError(f"{name}() argument must be <= {FIB_MAX_N}: the result would not fit in 64 bits")
    return n
# --8<-- [end:check_n]


# --8<-- [start:fib]
def fib(n: int, /) -> int:
    """Return the n-th Fibonacci number, iteratively: fib(90) == 2880067194370816120."""
    n = _fib_argument(n, "fib")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
# --8<-- [end:fib]


# --8<-- [start:fib_recursive]
def fib_recursive(n: int, /) -> int:
    """Return the n-th Fibonacci number by naive double recursion (exponential on purpose)."""
    return _fib_recursive(_fib_argument(n, "fib_recursive"))


def _fib_recursive(n: int) -> int:
    return n if n <= 1 else _fib_recursive(n - 1) + _fib_recursive(n - 2)
# --8<-- [end:fib_recursive]


# --8<-- [start:linear_recurrence]
def _i64_list(values: Iterable[object], what: str) -> list[int]:
    out = []
    for item in values:  # TypeError here if `values` is not iterable
        value = operator.index(item)
        if not I64_MIN <= value <= I64_MAX:
            raise OverflowError(f"LinearRecurrence {what} must fit in signed 64 bits")
        out.append(value)
    return out


def _checked(value: int) -> int:
    """Simulate one checked signed 64-bit operation: Python ints never overflow by themselves."""
    if not I64_MIN <= value <= I64_MAX:
        raise OverflowError("signed 64-bit overflow")
    return value


class LinearRecurrence:
    """Iterate a_0, a_1, ... where a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1}.

    LinearRecurrence([1, 1], [0, 1]) is Fibonacci; ([1, 1], [2, 1]) the Lucas numbers.
    Arithmetic is signed 64-bit and checked: the next() that would return a term whose
    evaluation overflowed raises OverflowError, and so does every call after it.
    """

    __slots__ = ("_coefficients", "_lock", "_overflowed", "_window")

    def __init__(self, coefficients: Iterable[int], initial: Iterable[int], /) -> None:
        coefficients = _i64_list(coefficients, "coefficients")
        initial = _i64_list(initial, "initial values")
        if not coefficients:
            raise ValueError("LinearRecurrence needs at least one coefficient")
        if len(coefficients) != len(initial):
            raise ValueError(
                f"LinearRecurrence needs as many initial values as coefficients "
                f"(got {len(initial)} for {len(coefficients)})"
            )
        self._coefficients = coefficients
        self._window = deque(initial)  # the terms known but not yet returned
        self._overflowed = False  # True once a term could not be computed
        # Python code can be interrupted between any two bytecodes, so two threads sharing
        # one iterator could compute from the same window: a lock makes next() atomic.
        self._lock = threading.Lock()

    def __iter__(self) -> LinearRecurrence:
        return self

    def __next__(self) -> int:
        with self._lock:
            if not self._window:
                raise OverflowError("the next term of this LinearRecurrence overflows signed 64 bits")
            if not self._overflowed:
                # Compute the term k places ahead now, while the window is full. If it
                # overflows, that is not an error yet: the terms in the window are due first.
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
def most_common(path: str | os.PathLike[str], n: int, /, *, threads: int | None = 1) -> list[tuple[str, int]]:
    """The n most frequent whitespace-separated words of a UTF-8 file, lowercased in ASCII.

    Ties are broken by the word, in code point order. `threads` (>= 1, or None for every core)
    is how many native threads a compiled chapter may count with; the result never depends on
    it. This reference checks it and counts in one thread: on a build with the GIL, Python
    threads would take turns at the bytecode, not run at once.
    """
    if not isinstance(os.fspath(path), str):  # fspath raises TypeError for int, None, ...
        raise TypeError(f"most_common() path must be str or os.PathLike[str], not {type(path).__name__}")
    n = operator.index(n)
    if n < 0:
        raise ValueError("most_common() n must be >= 0")
    if threads is not None and operator.index(threads) < 1:
        raise ValueError("most_common() threads must be >= 1")
    with open(path, "rb") as f:  # OSError subclasses with errno and filename come from here
        data = f.read()
    data.decode("utf-8")  # raises UnicodeDecodeError; words are decoded one by one below
    # bytes.split() splits on ASCII whitespace only and bytes.lower() lowercases A-Z only:
    # exactly the contract's definition of a word, and the byte order of UTF-8 is code point order.
    counts = Counter(data.lower().split())
    top = heapq.nsmallest(n, counts.items(), key=lambda item: (-item[1], item[0]))
    return [(word.decode("utf-8"), count) for word, count in top]
# --8<-- [end:most_common]


# --8<-- [start:calc_pi]
# Two or more guard digits keep the spigot's held digits (a predigit followed by nines,
# which a later carry may still change) away from the digits we return.
PI_GUARD_DIGITS = 8


def calc_pi(digits: int, /) -> str:
    """Pi truncated to `digits` decimal places (0 <= digits <= 10000): calc_pi(4) == "3.1415"."""
    digits = operator.index(digits)
    if not 0 <= digits <= PI_MAX_DIGITS:
        raise ValueError(f"calc_pi() digits must be between 0 and {PI_MAX_DIGITS}")
    # Rabinowitz and Wagon's spigot: pi = 2 + 1/3*(2 + 2/5*(2 + 3/7*(2 + ...))), a mixed-radix
    # number whose digits all start at 2. Multiplying by 10 and normalising right to left
    # releases one decimal digit per pass.
    n = digits + 1 + PI_GUARD_DIGITS  # decimal digits to produce, counting the leading 3
    size = 10 * n // 3 + 1
    a = [2] * size
    out: list[int] = []
    predigit, nines = 0, 0
    for _ in range(n):
        q = 0
        for i in range(size, 0, -1):
            x = 10 * a[i - 1] + q * i
            a[i - 1] = x % (2 * i - 1)
            q = x // (2 * i - 1)
        a[0] = q % 10
        q //= 10
        if q == 9:  # hold it: a later carry could still turn ...999 into ...000
            nines += 1
        elif q == 10:  # a carry: the held digits were one too small
            out.append(predigit + 1)
            out.extend([0] * nines)
            predigit, nines = 0, 0
        else:
            out.append(predigit)
            out.extend([9] * nines)
            predigit, nines = q, 0
    out.append(predigit)
    out.extend([9] * nines)
    text = "".join(map(str, out[1 : digits + 2]))  # out[0] is the spigot's leading 0
    return text if digits == 0 else text[0] + "." + text[1:]
# --8<-- [end:calc_pi]


# --8<-- [start:ewma]
# Buffer formats (struct syntax) that mean a C double in this machine's byte order: "d" and "@d"
# are native, "=d" is standard size in native order, "<d" is little-endian (ctypes writes that).
NATIVE_DOUBLE_FORMATS = ("d", "@d", "=d", "<d" if sys.byteorder == "little" else ">d")


def _real(value: object, name: str) -> float:
    """A real number as PyFloat_AsDouble takes it: __float__, else __index__; never a str or bytes."""
    kind = type(value)
    if isinstance(value, float):  # a float subclass is read as a float, whatever its __float__ says
        return float.__float__(value)
    if hasattr(kind, "__float__"):  # float, numpy.float64, Fraction, Decimal, ...
        return float(value)
    if hasattr(kind, "__index__"):  # int, bool, numpy integers: OverflowError beyond a double
        return float(operator.index(value))
    raise TypeError(f"{name} must be a real number, not {kind.__name__}")


def ewma(values: object, alpha: float, /) -> np.ndarray:
    """The exponentially weighted moving average of a 1-D buffer of float64, as a new array.

    y[0] = x[0]; y[i] = alpha * x[i] + (1 - alpha) * y[i - 1], with 0 < alpha <= 1.
    """
    with memoryview(values) as view:  # TypeError for a non-buffer; released on every path
        if view.ndim != 1:
            raise ValueError(f"ewma() values must be one-dimensional, got {view.ndim} dimensions")
        if view.format not in NATIVE_DOUBLE_FORMATS:
            raise TypeError(f"ewma() values must be float64 (buffer format 'd'), got format {view.format!r}")
        alpha = _real(alpha, "ewma() alpha")
        if not 0.0 < alpha <= 1.0:  # NaN fails both comparisons
            raise ValueError("ewma() alpha must be > 0 and <= 1")
        xs = np.array(view, dtype=np.float64).tolist()  # a copy, in logical order whatever the strides
    beta = 1.0 - alpha
    out = np.empty(len(xs), dtype=np.float64)
    y = 0.0
    for i, x in enumerate(xs):
        # Python rounds each product before adding them: no fused multiply-add, as the contract asks
        y = x if i == 0 else alpha * x + beta * y
        out[i] = y
    return out
# --8<-- [end:ewma]


# --8<-- [start:integrate]
def integrate(f: Callable[[float], float], a: float, b: float, n: int, /) -> float:
    """The midpoint rule: the integral of f from a to b over n equal steps, f a Python callable.

    integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125. Whatever f raises propagates unchanged.
    """
    if not callable(f):
        raise TypeError(f"integrate() f must be callable, not {type(f).__name__}")
    a = _real(a, "integrate() a")
    b = _real(b, "integrate() b")
    n = operator.index(n)
    if n > I64_MAX:
        raise OverflowError("integrate() n must fit in signed 64 bits")
    if n < 1:
        raise ValueError("integrate() n must be >= 1")
    h = (b - a) / n
    total = 0.0
    for i in range(n):
        # f gets a float and may return any real number: an int, a Fraction, a numpy.float64
        total += _real(f(a + (i + 0.5) * h), "integrate() f's result")
    return total * h
# --8<-- [end:integrate]
