"""The recipes over the shared C++ core, bound with nanobind."""

import os
from collections.abc import Callable, Iterable
from typing import SupportsFloat, SupportsIndex

import numpy
import numpy.typing
from typing_extensions import Buffer

def fib(arg: SupportsIndex, /) -> int:
    """Return the n-th Fibonacci number, computed iteratively."""

def fib_recursive(arg: SupportsIndex, /) -> int:
    """Return the n-th Fibonacci number, computed by naive recursion."""

class LinearRecurrence:
    """Iterator over a linear recurrence in checked int64."""

    def __init__(self, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /) -> None: ...

    def __iter__(self) -> LinearRecurrence: ...

    def __next__(self) -> int: ...

def most_common(arg0: str | os.PathLike[str], arg1: SupportsIndex, /, *, threads: SupportsIndex | None = 1) -> list[tuple[str, int]]:
    """
    Return the n most common words of a UTF-8 file with their counts, counted by up to `threads` native threads (None: one per core); the result never depends on it.
    """

def calc_pi(arg: SupportsIndex, /) -> str:
    """Return pi to the given number of decimal places, truncated."""

def ewma(values: Buffer, alpha: SupportsFloat | SupportsIndex, /) -> numpy.typing.NDArray[numpy.float64]:
    """
    Return the exponentially weighted moving average of a 1-D float64 buffer, as a new array.
    """

def integrate(f: Callable[[float], SupportsFloat | SupportsIndex], a: SupportsFloat | SupportsIndex, b: SupportsFloat | SupportsIndex, n: SupportsIndex, /) -> float:
    """
    Return the integral of f from a to b by the midpoint rule over n equal steps.
    """
