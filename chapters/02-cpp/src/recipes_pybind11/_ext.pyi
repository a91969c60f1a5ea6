"""
The recipes over the shared C++ core, bound with pybind11.
"""
from __future__ import annotations

import collections.abc
import os
import typing

import numpy
import numpy.typing
import typing_extensions

__all__: list[str] = ['LinearRecurrence', 'calc_pi', 'ewma', 'fib', 'fib_recursive', 'integrate', 'most_common']
class LinearRecurrence:
    """
    Iterator over a linear recurrence in checked int64.
    """
    def __init__(self, coefficients: collections.abc.Iterable[typing.SupportsIndex], initial: collections.abc.Iterable[typing.SupportsIndex], /) -> None:
        ...
    def __iter__(self) -> LinearRecurrence:
        ...
    def __next__(self) -> int:
        ...
def calc_pi(digits: typing.SupportsIndex, /) -> str:
    """
    Return pi to the given number of decimal places, truncated.
    """
def ewma(values: typing_extensions.Buffer, alpha: typing.SupportsFloat | typing.SupportsIndex, /) -> numpy.typing.NDArray[numpy.float64]:
    """
    Return the exponentially weighted moving average of a 1-D float64 buffer, as a new array.
    """
def fib(n: typing.SupportsIndex, /) -> int:
    """
    Return the n-th Fibonacci number, computed iteratively.
    """
def fib_recursive(n: typing.SupportsIndex, /) -> int:
    """
    Return the n-th Fibonacci number, computed by naive recursion.
    """
def integrate(f: collections.abc.Callable[[float], typing.SupportsFloat | typing.SupportsIndex], a: typing.SupportsFloat | typing.SupportsIndex, b: typing.SupportsFloat | typing.SupportsIndex, n: typing.SupportsIndex, /) -> float:
    """
    Return the integral of f from a to b by the midpoint rule over n equal steps.
    """
def most_common(path: str | os.PathLike[str], n: typing.SupportsIndex, /, *, threads: typing.SupportsIndex | None = 1) -> list[tuple[str, int]]:
    """
    Return the n most common words of a UTF-8 file with their counts, counted by up to `threads` native threads (None: one per core); the result never depends on it.
    """
