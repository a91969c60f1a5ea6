"""calc_pi a second time, in Cython's pure-Python mode.

This is an ordinary .py file. Cython reads the types from the annotations and the
`cython.*` decorators and compiles it to the same C as the .pyx version; the Python
interpreter runs the very same file unchanged, with the `cython` module (it ships
with the Cython package) turning every annotation and decorator into a no-op.
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
@cython.cfunc               # a C function (cdef), not a Python one
@cython.nogil               # may run without the GIL
@cython.exceptval(check=False)  # = noexcept: cannot raise, callers check nothing
@cython.boundscheck(False)  # safe: indexes stay in 0..size-1 and 0..n, see _recipes.pyx
@cython.wraparound(False)   # safe: no index is negative
@cython.cdivision(True)     # safe: operands >= 0, divisors >= 1
def _spigot_pi(a: cython.ulonglong[::1], out: cython.uchar[::1]) -> cython.void:
    size: cython.Py_ssize_t = len(a)  # len(), not .shape: array.array has no .shape
    n: cython.Py_ssize_t = len(out) - 1
    produced: cython.Py_ssize_t = 0
    step: cython.Py_ssize_t
    i: cython.Py_ssize_t
    k: cython.ulonglong
    x: cython.ulonglong
    q: cython.ulonglong
    divisor: cython.ulonglong
    predigit: cython.ulonglong = 0
    nines: cython.ulonglong = 0
    for step in range(n):
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
            nines += 1
        elif q == 10:
            out[produced] = 48 + predigit + 1  # 48 is '0'
            produced += 1
            for k in range(nines):
                out[produced] = 48
                produced += 1
            predigit, nines = 0, 0
        else:
            out[produced] = 48 + predigit
            produced += 1
            for k in range(nines):
                out[produced] = 57  # '9'
                produced += 1
            predigit, nines = q, 0
    out[produced] = 48 + predigit
    produced += 1
    for k in range(nines):
        out[produced] = 57
        produced += 1


def calc_pi(digits, /):
    """calc_pi(digits, /) -> str: pi truncated to `digits` decimals, 0..10000."""
    index = as_index(digits)
    # Comparing the Python int first needs no saturation trick: 2**100 just compares.
    if not 0 <= index <= 10000:
        raise ValueError(f"calc_pi() digits must be between 0 and 10000, got {index}")
    wanted: cython.Py_ssize_t = index
    n: cython.Py_ssize_t = wanted + 1 + 8  # 8 guard digits, as in every chapter
    remainders: cython.ulonglong[::1] = array("Q", [2]) * (10 * n // 3 + 1)
    result = bytearray(n + 1)
    produced: cython.uchar[::1] = result
    with cython.nogil:
        _spigot_pi(remainders, produced)
    if wanted == 0:
        return "3"
    produced[0], produced[1] = produced[1], 46  # "03..." becomes "3." ('.' is 46)
    return result[:wanted + 2].decode("ascii")
# --8<-- [end:pure_calc_pi]


__all__ = ["calc_pi"]
