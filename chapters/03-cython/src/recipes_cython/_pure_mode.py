# cython: freethreading_compatible = True
"""calc_pi a second time, in Cython's pure-Python mode.

This is an ordinary .py file. Cython reads the types from the annotations and the
`cython.*` decorators and compiles the spigot to a plain C loop, as it does the core's
in _core.pyx; the Python interpreter runs the very same file unchanged, with the
`cython` module (it ships with the Cython package) turning every annotation and
decorator into a no-op. It is one self-contained module (it must also run without a
compiler), so its argument check sits beside the code instead of in a separate core.
"""

from array import array

import cython

# --8<-- [start:pure_cimports]
if cython.compiled:
    # A cimport exists only for the compiler: Cython calls the C API function
    # directly. The interpreter never sees this branch.
    from cython.cimports.cpython.number import PyNumber_Index as as_index
else:
    # ...and gets the Python function with the same meaning instead.
    from operator import index as as_index
# --8<-- [end:pure_cimports]


# --8<-- [start:pure_calc_pi]
PI_MAX_DIGITS = 10_000  # the most decimal places calc_pi computes
PI_GUARD_DIGITS = 8  # extra digits, so the held predigit and nines never reach the kept ones


@cython.cfunc               # a C function (cdef), not a Python one
@cython.nogil               # may run without the GIL
@cython.exceptval(check=False)  # = noexcept: cannot raise, callers check nothing
@cython.inline
@cython.boundscheck(False)  # safe: the spigot writes n + 1 digits into n + 1 places
@cython.wraparound(False)   # safe: `produced` is never negative
def _put_digits(out: cython.uchar[::1], produced: cython.Py_ssize_t, first: cython.ulonglong,
                repeated: cython.ulonglong, times: cython.ulonglong) -> cython.Py_ssize_t:
    """Write the digit `first`, then `times` copies of `repeated`, as ASCII at
    out[produced]; return the position after them. (Cython turns ord() of a
    one-character literal into a C constant.)"""
    _copy: cython.ulonglong
    out[produced] = ord("0") + first
    produced += 1
    for _copy in range(times):
        out[produced] = ord("0") + repeated
        produced += 1
    return produced


@cython.cfunc
@cython.nogil
@cython.exceptval(check=False)
@cython.boundscheck(False)  # safe: i runs from size down to 1 and we only touch a[i-1];
                            # `produced` never passes n + 1, the length of `out`
@cython.wraparound(False)   # safe: no index is ever negative, so skip the a[-1] logic
@cython.cdivision(True)     # safe: every operand is >= 0 and every divisor is 2i-1 >= 1
                            # or 10, so C's / and % equal Python's // and %, and no
                            # ZeroDivisionError check is needed
def _spigot_pi(a: cython.ulonglong[::1], out: cython.uchar[::1]) -> cython.void:
    """The Rabinowitz-Wagon spigot. `a` is the working buffer, all 2s on entry;
    `out` gets len(out) ASCII digits: the leading 0, then 3 1 4 1 5 ..."""
    size: cython.Py_ssize_t = len(a)  # len(), not .shape: array.array has no .shape
    n: cython.Py_ssize_t = len(out) - 1
    produced: cython.Py_ssize_t = 0
    _step: cython.Py_ssize_t
    i: cython.Py_ssize_t
    x: cython.ulonglong
    q: cython.ulonglong
    divisor: cython.ulonglong
    predigit: cython.ulonglong = 0
    nines: cython.ulonglong = 0
    for _step in range(n):
        q = 0
        for i in range(size, 0, -1):
            divisor = 2 * i - 1
            x = 10 * a[i - 1] + q * i
            a[i - 1] = x % divisor
            # Pitfall: write //, never /. Compiled with cdivision, both are C's integer
            # division; run by the interpreter, / would give a float.
            q = x // divisor
        a[0] = q % 10
        q //= 10
        if q == 9:
            nines += 1  # hold it: a later 10 may still turn these nines into zeros
        elif q == 10:  # a carry: the held digits were one too small
            produced = _put_digits(out, produced, predigit + 1, 0, nines)
            predigit, nines = 0, 0
        else:
            produced = _put_digits(out, produced, predigit, 9, nines)
            predigit, nines = q, 0
    _put_digits(out, produced, predigit, 9, nines)


def calc_pi(digits, /):
    """calc_pi(digits, /) -> str: pi truncated to `digits` decimals, 0..PI_MAX_DIGITS."""
    index = as_index(digits)
    # One module, no separate core: the check is here, on the Python int, so an int of
    # any size simply compares.
    if not 0 <= index <= PI_MAX_DIGITS:
        raise ValueError(f"calc_pi() digits must be between 0 and {PI_MAX_DIGITS}")
    wanted: cython.Py_ssize_t = index
    n: cython.Py_ssize_t = wanted + 1 + PI_GUARD_DIGITS  # digits to produce, with the 3
    # The buffers are Python objects (array.array and bytearray), so reference counting
    # frees them on every path; _spigot_pi sees them as typed memoryviews, which are a
    # pointer, a length and a stride: indexing them is plain C and needs no GIL.
    remainders: cython.ulonglong[::1] = array("Q", [2]) * (10 * n // 3 + 1)
    result = bytearray(n + 1)
    produced: cython.uchar[::1] = result
    with cython.nogil:
        _spigot_pi(remainders, produced)
    # result holds "0314159...": the spigot's leading 0, then the digits of pi.
    # Turn "03" into "3." in place and cut: "3.14159...".
    produced[0], produced[1] = ord("3"), ord(".")
    return result[: 1 if wanted == 0 else wanted + 2].decode("ascii")
# --8<-- [end:pure_calc_pi]


__all__ = ["calc_pi"]
