# Hand-written: Cython does not generate stubs. tests/test_stubs.py checks this file
# against the compiled module with mypy's stubtest.
import os
from collections.abc import Callable, Iterable
from typing import Protocol, SupportsFloat, SupportsIndex, final

import numpy as np
import numpy.typing as npt

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

def fib(n: SupportsIndex, /) -> int: ...
def fib_recursive(n: SupportsIndex, /) -> int: ...
def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /, *, threads: SupportsIndex | None = 1
) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...

class _Buffer(Protocol):
    # collections.abc.Buffer (Python 3.12+) spelled out for 3.10: whatever has a buffer.
    def __buffer__(self, flags: int, /) -> memoryview: ...

# A NumPy array is named too: NumPy's stubs give it __buffer__ only on Python 3.12+.
# The element format (float64, one dimension) is checked at run time, not by the types.
def ewma(
    values: _Buffer | npt.NDArray[np.float64], alpha: SupportsFloat | SupportsIndex, /
) -> npt.NDArray[np.float64]: ...
# f gets a float and may return any real number (an int, a Fraction, a numpy.float64).
def integrate(
    f: Callable[[float], SupportsFloat | SupportsIndex],
    a: SupportsFloat | SupportsIndex,
    b: SupportsFloat | SupportsIndex,
    n: SupportsIndex,
    /,
) -> float: ...
@final
class LinearRecurrence:
    # __new__, not __init__: the arguments go to __cinit__, which runs in the type's
    # tp_new slot, and the runtime __init__ is object's.
    def __new__(
        cls, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> LinearRecurrence: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...
