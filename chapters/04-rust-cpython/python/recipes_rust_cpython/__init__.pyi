# Type stub for the native recipes (src/binding.rs). All parameters are positional-only,
# like C built-ins; integers are anything operator.index() accepts.
import os
import sys
from collections.abc import Callable, Iterable
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

# threads: keyword-only, >= 1, or None for every core; the result never depends on it.
def most_common(
    path: str | os.PathLike[str], n: SupportsIndex, /, *, threads: SupportsIndex | None = 1
) -> list[tuple[str, int]]: ...
def calc_pi(digits: SupportsIndex, /) -> str: ...

# values: a 1-D buffer of float64 (format "d"); alpha: what float() takes, 0 < alpha <= 1.
# NumPy's own stubs declare ndarray.__buffer__ only for Python 3.12+, hence the NDArray.
def ewma(
    values: Buffer | npt.NDArray[np.float64], alpha: SupportsFloat | SupportsIndex, /
) -> npt.NDArray[np.float64]: ...

# f: any callable, called with a float; its result, a, b: what float() takes; n >= 1.
def integrate(
    f: Callable[[float], SupportsFloat | SupportsIndex],
    a: SupportsFloat | SupportsIndex,
    b: SupportsFloat | SupportsIndex,
    n: SupportsIndex,
    /,
) -> float: ...
