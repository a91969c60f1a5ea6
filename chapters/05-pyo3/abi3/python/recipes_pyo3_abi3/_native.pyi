# Type stub for the compiled extension module. Type checkers cannot look inside a .so, so
# this file tells them what it exports. tests/test_stubs.py checks it against the runtime
# signatures (PyO3 sets __text_signature__ from #[pyo3(signature = ...)]).
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import SupportsFloat, SupportsIndex, final

import numpy as np
import numpy.typing as npt

# Any object that exports a buffer (PEP 688 names the type). A stub is only read by type
# checkers, which carry typing_extensions' stubs themselves: no runtime dependency.
if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

def fib(n: SupportsIndex, /) -> int:
    """The n-th Fibonacci number, 0 <= n <= 93 (ValueError below, OverflowError above)."""

def fib_recursive(n: SupportsIndex, /) -> int:
    """The n-th Fibonacci number by naive double recursion; same rules as fib()."""

@final
class LinearRecurrence(Iterator[int]):
    """Iterator over a_{n+k} = c_0*a_n + ... + c_{k-1}*a_{n+k-1} in checked signed 64-bit
    arithmetic; next() raises OverflowError once the next term does not fit."""

    def __new__(
        cls, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> LinearRecurrence: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...

def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /, *, threads: SupportsIndex | None = 1
) -> list[tuple[str, int]]:
    """The n most common words of a UTF-8 file, by count descending then word.

    Counted with up to `threads` rayon threads (>= 1, or None for every core); the result never
    depends on it."""

def calc_pi(digits: SupportsIndex, /) -> str:
    """Pi truncated to 0 <= digits <= 10000 decimal places."""

# NumPy's own stubs declare ndarray.__buffer__ only for Python 3.12+, hence the NDArray.
def ewma(
    values: Buffer | npt.NDArray[np.float64], alpha: SupportsFloat | SupportsIndex, /
) -> npt.NDArray[np.float64]:
    """The exponentially weighted moving average of a 1-D float64 buffer, 0 < alpha <= 1,
    as a new array: y[0] = x[0], y[i] = alpha * x[i] + (1 - alpha) * y[i - 1]."""

def integrate(
    f: Callable[[float], SupportsFloat | SupportsIndex],
    a: SupportsFloat | SupportsIndex,
    b: SupportsFloat | SupportsIndex,
    n: SupportsIndex,
    /,
) -> float:
    """The integral of f from a to b by the midpoint rule over n >= 1 steps; f is called with
    a float, once per step, in order, and whatever it raises propagates unchanged."""

# Demonstrations for the chapter text, not recipes (src/demos.rs).
def _panic_demo() -> None: ...
def _callback_demo(callback: object, /) -> object: ...
def _io_error_demo(path: str | os.PathLike[str], /) -> int: ...
def _call_unwrap_demo(f: Callable[[float], object], x: float, /) -> float: ...
def _call_or_nan_demo(f: Callable[[float], object], x: float, /) -> float: ...
