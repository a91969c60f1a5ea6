# Type stub for the compiled extension module. Type checkers cannot look inside a .so, so
# this file tells them what it exports. tests/test_stubs.py checks it against the runtime
# signatures (PyO3 sets __text_signature__ from #[pyo3(signature = ...)]).
import os
from collections.abc import Iterable, Iterator
from typing import SupportsIndex, final

__all__ = ["LinearRecurrence", "calc_pi", "fib", "fib_recursive", "most_common"]

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

def most_common(path: str | os.PathLike[str], n: SupportsIndex, /) -> list[tuple[str, int]]:
    """The n most common words of a UTF-8 file, by count descending then word."""

def calc_pi(digits: SupportsIndex, /) -> str:
    """Pi truncated to 0 <= digits <= 10000 decimal places."""

# Demonstrations for the chapter text, not recipes (src/demos.rs).
def _panic_demo() -> None: ...
def _callback_demo(callback: object, /) -> object: ...
def _io_error_demo(path: str | os.PathLike[str], /) -> int: ...
