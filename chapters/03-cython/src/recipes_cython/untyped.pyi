# Hand-written stub for the module compiled from untyped.py.
import os
from collections.abc import Callable, Iterable
from typing import SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt

from ._recipes import _Buffer

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

FIB_MAX_N: int
PI_MAX_DIGITS: int
PI_GUARD_DIGITS: int
INT64_MIN: int
INT64_MAX: int
INTERRUPT_CHECK_FROM_N: int
NATIVE_DOUBLE_FORMATS: tuple[str, ...]

def fib(n: SupportsIndex, /) -> int: ...
def fib_recursive(n: SupportsIndex, /) -> int: ...
def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /, *, threads: SupportsIndex | None = 1
) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...

# As in _recipes.pyi, where _Buffer is defined.
def ewma(
    values: _Buffer | npt.NDArray[np.float64], alpha: SupportsFloat | SupportsIndex, /
) -> npt.NDArray[np.float64]: ...

def integrate(
    f: Callable[[float], SupportsFloat | SupportsIndex],
    a: SupportsFloat | SupportsIndex,
    b: SupportsFloat | SupportsIndex,
    n: SupportsIndex,
    /,
) -> float: ...

class LinearRecurrence:
    def __init__(
        self, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> None: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...
