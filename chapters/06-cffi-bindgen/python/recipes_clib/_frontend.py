"""What every Python front end of librecipes shares: cffi's two modes and ctypes alike.

The library owns the recipes' rules. It checks every argument against its domain and words
the errors of the recipe contract itself (recipes_last_error_message), so no front end
repeats a limit or a message. What is left for Python is written here, once:

* converting Python objects to the C types: `operator.index` for integers, clamping to
  int64_t, the int64_t range of LinearRecurrence's elements and of integrate's n,
  most_common's path and threads, for ewma a buffer of doubles as (pointer, length, stride), and real
  numbers (ewma's alpha, integrate's bounds and f's results) as a C double;
* turning a status code into the exception CPython itself would raise (`error_mapper`).
"""

import sys
from collections.abc import Callable, Iterable
from operator import index
from os import PathLike, cpu_count, fsencode, fspath, strerror
from typing import Protocol

import numpy

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


# --8<-- [start:convert]
def clamp_to_int64(value: int) -> int:
    """`value`, or the end of int64_t's range nearest to it.

    A Python int can be too large for int64_t, and no C function can receive it: ctypes would
    silently keep its low 64 bits, cffi refuses with its own OverflowError. Every limit the
    library checks (n >= 0, n <= RECIPES_FIB_MAX_N, digits <= RECIPES_PI_MAX_DIGITS) lies inside
    int64_t's range, so a clamped value breaks the same rule as the original, and the library
    reports it in its own words. An int of any size, 10**5000 included, gets the contract's
    error this way, and Python repeats no limit.
    """
    return max(INT64_MIN, min(value, INT64_MAX))


def int64_argument(value: object) -> int:
    """An integer argument as the library's int64_t: what operator.index accepts, clamped."""
    return clamp_to_int64(index(value))


def int64_list(values: Iterable[object], what: str) -> list[int]:
    """LinearRecurrence's coefficients or initial values, each an int that fits int64_t.

    Element by element, in order, as the reference converts them. The range is the C type's,
    not a rule of the recipe, so this is the one range a front end checks itself.
    """
    result = []
    for value in values:  # TypeError here if `values` is not iterable
        element = index(value)
        if not INT64_MIN <= element <= INT64_MAX:
            raise OverflowError(f"LinearRecurrence {what} must fit in signed 64 bits")
        result.append(element)
    return result


def steps_argument(value: object) -> int:
    """integrate's n as the library's int64_t. Too large for int64_t is a type conversion
    error (the contract words it); too small is clamped, and the library's n >= 1 says no."""
    n = index(value)
    if n > INT64_MAX:
        raise OverflowError("integrate() n must fit in signed 64 bits")
    return max(n, INT64_MIN)


def encoded_path(path: str | PathLike[str]) -> bytes:
    """most_common's path as the bytes the OS wants (surrogateescape'd names round-trip)."""
    if not isinstance(fspath(path), str):  # fspath raises TypeError for int, None, ...
        raise TypeError(f"most_common() path must be str or os.PathLike[str], not {type(path).__name__}")
    return fsencode(path)


def threads_argument(threads: object, n_error: Callable[[], Exception | None]) -> int:
    """most_common's keyword-only threads as the library's int64_t: None means every core
    (os.cpu_count()), any other value is an integer as for n, clamped. The library checks
    threads >= 1 and words the error; it also caps the threads it really starts.

    Pitfall: the contract checks n's range before threads' type, but n's range is the
    library's to check. So when threads is no integer, `n_error()` asks the library about n
    alone first, and its error, if any, wins.
    """
    if threads is None:
        return cpu_count() or 1
    try:
        return int64_argument(threads)
    except Exception:
        error = n_error()
        if error is not None:
            raise error from None
        raise
# --8<-- [end:convert]


# --8<-- [start:ewma]
# Buffer formats (struct module syntax) that mean a C double in this machine's byte order: "d"
# and "@d" are native, "=d" is native order without alignment (NumPy's format for unaligned
# arrays), "<d" is what ctypes writes on a little-endian machine.
NATIVE_DOUBLE_FORMATS = ("d", "@d", "=d", "<d" if sys.byteorder == "little" else ">d")
DOUBLE_SIZE = 8  # bytes in a C double, struct.calcsize("d")


def float64_view(values: object) -> memoryview:
    """`values` as a memoryview of one dimension of native doubles: ewma's checks, in order.

    The caller holds the view in a `with` block. While the view is open, the object keeps its
    memory where it is (an array.array refuses to resize), so a pointer into it stays valid;
    the block releases it on every path. A view that fails a check is released here.
    """
    view = memoryview(values)  # TypeError for an object without the buffer protocol
    if view.ndim == 1 and view.format in NATIVE_DOUBLE_FORMATS:
        return view
    ndim, element_format = view.ndim, view.format
    view.release()  # before raising: the error must not keep the buffer exported
    if ndim != 1:
        raise ValueError(f"ewma() values must be one-dimensional, got {ndim} dimensions")
    raise TypeError(f"ewma() values must be float64 (buffer format 'd'), got format {element_format!r}")


def strided_doubles(view: memoryview) -> tuple[memoryview | numpy.ndarray, int]:
    """The memory the library reads for a checked `view`, and its stride counted in doubles.

    That is the view itself, not a copy, for every stride that is a whole number of doubles:
    every other element, reversed, a column of a 2-D array. A stride of another size (only a
    field of a packed NumPy structured array has one, 9 bytes for an int8 and a float64) cannot
    be said in the header's terms, so those elements are copied, once, into a new array.
    """
    if view.c_contiguous:
        return view, 1
    stride, remainder = divmod(view.strides[0], DOUBLE_SIZE)
    if remainder:
        return numpy.array(view), 1  # a contiguous copy of its own: the one case that copies
    return view, stride


def first_element_address(buffer: memoryview | numpy.ndarray) -> int:
    """The address of element 0 of any buffer, strided or reversed ones included.

    Python has no other way to ask: a memoryview does not show its pointer, and both cffi's
    and ctypes' from_buffer take contiguous buffers only. numpy.asarray shares the buffer's
    memory (the format is checked, so it never converts), and the temporary array is gone when
    this returns; the caller's memoryview is what keeps the memory valid.
    """
    return numpy.asarray(buffer).__array_interface__["data"][0]


def real_argument(value: object, name: str) -> float:
    """A real number as C's `double`, converted as CPython's PyFloat_AsDouble converts it.

    `__float__` first (float, numpy.float64, Fraction, Decimal, and int, whose conversion
    raises CPython's own OverflowError "int too large to convert to float" beyond a double),
    else `__index__` (numpy integers, any integer-like object); never str or bytes.
    """
    kind = type(value)
    if kind is float:
        return value  # the common case, spared two attribute lookups
    if isinstance(value, float):  # a subclass (numpy.float64...) is read as the float it is,
        return float.__float__(value)  # whatever its own __float__ says, as PyFloat_AsDouble does
    if hasattr(kind, "__float__"):
        return float(value)
    if hasattr(kind, "__index__"):
        return float(index(value))
    raise TypeError(f"{name} must be a real number, not {kind.__name__}")
# --8<-- [end:ewma]


# --8<-- [start:errors]
class StatusCodes(Protocol):
    """Where a front end finds the header's status codes: cffi's `lib`, or ctypes' copy."""

    RECIPES_ERR_VALUE: int
    RECIPES_ERR_OVERFLOW: int
    RECIPES_ERR_OS: int
    RECIPES_ERR_UTF8: int


def error_mapper(
    codes: StatusCodes,
    last_errno: Callable[[], int],
    last_message: Callable[[], str],
    last_utf8_span: Callable[[], tuple[int, int]],
) -> Callable[..., Exception]:
    """`error(status, filename=None)`: the exception for a failed call, built from the
    library's own report. The three functions read it through the front end's FFI."""
    value, overflow, os_error, utf8 = (
        codes.RECIPES_ERR_VALUE, codes.RECIPES_ERR_OVERFLOW, codes.RECIPES_ERR_OS, codes.RECIPES_ERR_UTF8,
    )

    def error(status: int, filename: object = None) -> Exception:
        """Call it right after the call that failed, before any other call into the library."""
        # Pitfall: errno first. cffi and ctypes save errno after *every* foreign call on this
        # thread, so the call that fetches the message would replace it.
        errno = last_errno()
        message = last_message()
        if status == value:
            return ValueError(message)
        if status == overflow:
            return OverflowError(message)
        if status == os_error:
            # OSError picks the subclass from errno itself: FileNotFoundError for ENOENT,
            # IsADirectoryError for EISDIR, ... exactly as open() does.
            return OSError(errno, strerror(errno), filename)
        if status == utf8:
            start, end = last_utf8_span()
            # The library does not hand the file's bytes back, so `object` is empty; start and
            # end are offsets into the file, as bytes.decode() would report them.
            return UnicodeDecodeError("utf-8", b"", start, end, message)
        return RuntimeError(f"librecipes failed with status {status}: {message}")

    return error
# --8<-- [end:errors]
