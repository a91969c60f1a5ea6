# Type stub for the native recipes (src/binding.rs). All parameters are positional-only,
# like C built-ins; integers are anything operator.index() accepts.
import os
from collections.abc import Iterable
from typing import SupportsIndex, final

__all__ = ["LinearRecurrence", "calc_pi", "fib", "fib_recursive", "most_common"]

def fib(n: SupportsIndex, /) -> int: ...
def fib_recursive(n: SupportsIndex, /) -> int: ...

# py_class! types cannot be subclassed (no Py_TPFLAGS_BASETYPE); stubtest checks that
# the stub says so.
@final
class LinearRecurrence:
    def __new__(
        cls, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> LinearRecurrence: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...

def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /
) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...
