import os
import sys
from collections.abc import Callable, Iterable, Iterator
from ctypes import _CFunctionType
from typing import SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt

# Any object that exports a buffer (PEP 688 names the type). collections.abc.Buffer is Python
# 3.12+; a stub is only read by type checkers, which all carry typing_extensions' stubs, so
# older Pythons can use it without it being a dependency of the package.
if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

# C integrands for integrate(): a submodule, not a recipe (not in __all__).
from recipes_ctypes import native_integrands as native_integrands

__all__ = ["LinearRecurrence", "calc_pi", "ewma", "fib", "fib_recursive", "integrate", "most_common"]

def fib(n: int, /) -> int: ...
def fib_recursive(n: int, /) -> int: ...

class LinearRecurrence(Iterator[int]):
    def __init__(self, coefficients: Iterable[int], initial: Iterable[int], /) -> None: ...
    def __iter__(self) -> LinearRecurrence: ...
    def __next__(self) -> int: ...

def most_common(path: str | os.PathLike[str], n: int, /, *, threads: int | None = 1) -> list[tuple[str, int]]: ...
def calc_pi(digits: int, /) -> str: ...

# values: one dimension of native doubles, any strides; alpha: what float() takes but str.
def ewma(values: Buffer, alpha: SupportsFloat | SupportsIndex, /) -> npt.NDArray[np.float64]: ...

# f: a Python callable of one float returning a real number, or a C function pointer of the
# header's integrand type, `double (*)(double x, void *context)` (recipes_ctypes.native_integrands).
def integrate(
    f: Callable[[float], SupportsFloat | SupportsIndex] | _CFunctionType,
    a: SupportsFloat | SupportsIndex,
    b: SupportsFloat | SupportsIndex,
    n: int,
    /,
) -> float: ...

# The header's function pointer types (not recipes: not in __all__). integrate() passes an
# Integrand instance, e.g. from recipes_ctypes.native_integrands, straight to the library.
Integrand: type[_CFunctionType]
recipes_integrand: type[_CFunctionType]
recipes_stop_hook: type[_CFunctionType]
