# Hand-written stub for the module compiled from untyped.py.
import os
from collections.abc import Iterable
from typing import SupportsIndex

__all__ = ["LinearRecurrence", "calc_pi", "fib", "fib_recursive", "most_common"]

FIB_MAX_N: int
PI_MAX_DIGITS: int
PI_GUARD_DIGITS: int
INT64_MIN: int
INT64_MAX: int

def fib(n: SupportsIndex, /) -> int: ...
def fib_recursive(n: SupportsIndex, /) -> int: ...
def most_common(path: str | os.PathLike[str], n: SupportsIndex, /) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...

class LinearRecurrence:
    def __init__(
        self, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> None: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...
