# Type stubs for the C extension: type checkers and IDEs cannot read C, so the
# signatures are written out here. They must match _module.c (tests/test_stubs.py
# checks them against the running module with mypy's stubtest).
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import SupportsFloat, SupportsIndex, TypeAlias, final

import numpy as np
import numpy.typing as npt

# Any object that exports a buffer (PEP 688). collections.abc.Buffer is Python 3.12+; a stub
# is only ever read by type checkers, and they all bundle typing_extensions, so the stub can
# use it on older Pythons without it being a dependency of the package.
if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

# NumPy's own stubs give ndarray a __buffer__ only on 3.12+: named too, or a type checker
# for 3.10 or 3.11 would refuse the most common argument of all.
_Float64Values: TypeAlias = Buffer | npt.NDArray[np.float64]
# A real number as float() takes it: a float, or anything with __float__ or __index__.
_Real: TypeAlias = SupportsFloat | SupportsIndex

def fib(n: SupportsIndex, /) -> int: ...
def fib_recursive(n: SupportsIndex, /) -> int: ...
def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /, *, threads: SupportsIndex | None = 1
) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...
def ewma(values: _Float64Values, alpha: _Real, /) -> npt.NDArray[np.float64]: ...
def integrate(f: Callable[[float], _Real], a: _Real, b: _Real, n: SupportsIndex, /) -> float: ...
@final
class LinearRecurrence(Iterator[int]):
    def __new__(
        cls, coefficients: Iterable[SupportsIndex], initial: Iterable[SupportsIndex], /
    ) -> LinearRecurrence: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...
