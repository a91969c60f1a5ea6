"""Quick start: a Rust function behind a C header, called from Python through cffi."""

from importlib.util import find_spec
from pathlib import Path

from cffi import FFI

__all__ = ["square"]

ffi = FFI()
# The header is the API: cffi reads its declarations, here `double square(double x);`.
ffi.cdef((Path(__file__).parent / "square.h").read_text(encoding="utf-8"))
# setuptools-rust installed the Rust library in this package as `_square`, under the file name
# of an extension module (_square.cpython-312-x86_64-linux-gnu.so), so the import system finds it.
lib = ffi.dlopen(find_spec(f"{__name__}._square").origin)

# The C function as a Python callable: cffi converts the argument to a double and raises
# TypeError for anything that is not a number (square("x")).
square = lib.square
