"""ewma and memory: the buffer it borrows, the array it returns.

The input arrives through the buffer protocol (PyObject_GetBuffer): a pointer, a shape,
strides and a format, lent by the object until PyBuffer_Release. The result is made by
NumPy's C API (PyArray_SimpleNew) and owns its memory. These tests look at both ends: what
is read (strided, reversed, unaligned, read-only, strides left out), what is copied (nothing
but the result), what is given back (the buffer, on every path) and what the result is.
"""

import array
import contextlib
import ctypes
import importlib.metadata
import re
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import recipes_capi._recipes
from recipes_capi import ewma

SERIES = np.random.default_rng(2015).standard_normal(64)


def message(text):
    """A pytest.raises(match=...) pattern for exactly this message."""
    return f"^{re.escape(text)}$"


def formula(values, alpha):
    """The contract's formula in Python, on a plain copy of the values."""
    xs = np.array(values, dtype=np.float64).tolist()
    out, beta = [], 1.0 - alpha
    for x in xs:
        out.append(x if not out else alpha * x + beta * out[-1])
    return out


def same_bits(mine, expected):
    return np.array_equal(np.asarray(mine).view(np.uint64), np.asarray(expected, dtype=np.float64).view(np.uint64))


# --- what is read ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        SERIES[::2],
        SERIES[::-1],
        SERIES[::-3],
        np.stack([SERIES, SERIES * 2], axis=1)[:, 1],  # a column of a 2-D array: stride 16
        memoryview(SERIES)[3::7],
    ],
    ids=["every other", "reversed", "every third reversed", "column of a 2-D array", "memoryview slice"],
)
def test_strided_views_are_read_where_they_are(values):
    assert same_bits(ewma(values, 0.3), formula(values, 0.3))


def test_a_strided_view_is_not_copied():
    # tracemalloc sees NumPy's allocations. If the binding copied the view into contiguous
    # memory before the loop (as asking for PyBUF_C_CONTIGUOUS, or np.ascontiguousarray,
    # would), the peak would be twice the size of the result.
    big = np.random.default_rng(1).standard_normal(3_000_000)
    view = big[::-3]
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = ewma(view, 0.5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.nbytes <= peak < 1.5 * result.nbytes


def test_unaligned_items():
    # A view one byte into a buffer, and a field of a packed record: neither is aligned to
    # 8 bytes, and NumPy exports both with the format "=d". The core reads with memcpy.
    unaligned = np.frombuffer(bytearray(SERIES.tobytes() + b"\0"), dtype=np.float64, offset=1)
    assert not unaligned.flags.aligned
    records = np.zeros(len(SERIES), dtype=[("value", "<f8"), ("weight", "<f4")])  # 12 bytes each
    records["value"] = SERIES
    field = records["value"]
    assert field.strides == (12,)
    for values in (unaligned, field):
        assert memoryview(values).format == "=d"
        assert same_bits(ewma(values, 0.3), formula(values, 0.3))


def test_an_exporter_may_leave_out_the_strides():
    # ctypes fills in no strides even when they are asked for; the buffer protocol then
    # means C-contiguous. A binding that reads view.strides[0] regardless crashes here.
    values = (ctypes.c_double * 5)(1.0, 2.0, 3.0, 4.0, 5.0)
    assert memoryview(values).format == "<d"
    assert same_bits(ewma(values, 0.5), formula(list(values), 0.5))


def test_read_only_buffers_are_accepted():
    # The binding does not ask for PyBUF_WRITABLE: it only reads.
    frozen = SERIES.copy()
    frozen.flags.writeable = False
    from_bytes = memoryview(SERIES.tobytes()).cast("d")  # bytes are immutable
    assert from_bytes.readonly
    for values in (frozen, from_bytes):
        assert same_bits(ewma(values, 0.25), formula(SERIES, 0.25))


@pytest.mark.parametrize(
    ("values", "text"),
    [
        (np.zeros((2, 3)), "ewma() values must be one-dimensional, got 2 dimensions"),
        (np.float64(1.5), "ewma() values must be one-dimensional, got 0 dimensions"),
        (ctypes.c_double(1.5), "ewma() values must be one-dimensional, got 0 dimensions"),
    ],
    ids=["2-D", "NumPy scalar", "ctypes scalar"],
)
def test_dimensions_are_checked(values, text):
    with pytest.raises(ValueError, match=message(text)):
        ewma(values, 0.5)


@pytest.mark.parametrize(
    ("values", "got"),
    [
        (np.zeros(3, np.float32), "'f'"),
        (np.zeros(3, ">f8" if sys.byteorder == "little" else "<f8"), "'>d'" if sys.byteorder == "little" else "'<d'"),
        (np.zeros(3, np.longdouble), "'g'"),
        (np.zeros(3, np.complex128), "'Zd'"),
        (b"abcdefgh", "'B'"),
        (np.zeros(3, dtype=[("value", "<f8"), ("weight", "<f4")]), "'T{=d:value:@f:weight:}'"),
    ],
    ids=["float32", "other byte order", "long double", "complex", "bytes", "records"],
)
def test_other_formats_are_named_in_the_error(values, got):
    text = f"ewma() values must be float64 (buffer format 'd'), got format {got}"
    with pytest.raises(TypeError, match=message(text)):
        ewma(values, 0.5)


# --- what is given back: the buffer, on every path --------------------------------------------

BAD_ALPHAS = [2.0, 0.0, float("nan"), "0.5", None, 10**400]


def alpha_id(alpha):
    return "10**400" if isinstance(alpha, int) and alpha > 2**100 else repr(alpha)


@pytest.mark.parametrize("alpha", [0.5, *BAD_ALPHAS], ids=alpha_id)
def test_the_buffer_is_released_on_every_path(alpha):
    values = array.array("d", SERIES[:8])
    view = memoryview(values)
    for _ in range(3):
        with contextlib.suppress(ValueError, TypeError, OverflowError):  # the release is the point
            ewma(view, alpha)
    # Both refuse while any buffer of them is still exported: BufferError.
    view.release()
    values.append(1.0)


def test_the_buffer_is_released_after_a_format_or_dimension_error():
    wrong_type = array.array("f", [1.0, 2.0])
    with pytest.raises(TypeError):
        ewma(wrong_type, 0.5)
    wrong_type.append(3.0)
    grid = memoryview(bytearray(32)).cast("d", (2, 2))
    with pytest.raises(ValueError, match="got 2 dimensions"):
        ewma(grid, 0.5)
    grid.release()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="__buffer__ and __release_buffer__ are Python 3.12+ (PEP 688)")
@pytest.mark.parametrize("alpha", [0.5, *BAD_ALPHAS], ids=alpha_id)
def test_every_get_is_paired_with_a_release(alpha):
    import inspect

    class Exporter:
        """A buffer written in Python: it sees the flags asked for, and every release."""

        def __init__(self, data):
            self.data = data
            self.flags = []
            self.exported = 0

        def __buffer__(self, flags):
            self.flags.append(flags)
            self.exported += 1
            return memoryview(self.data)

        def __release_buffer__(self, view):
            self.exported -= 1
            view.release()

    exporter = Exporter(SERIES[:8].copy())
    for values in (exporter, Exporter(np.zeros(3, np.float32)), Exporter(np.zeros((2, 2)))):
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            ewma(values, alpha)
        assert values.flags, "ewma did not ask for a buffer"
        assert values.exported == 0
    # Only what the loop needs: strides and the format, not a writable buffer.
    asked = inspect.BufferFlags(exporter.flags[0])
    assert asked == inspect.BufferFlags.STRIDES | inspect.BufferFlags.FORMAT
    assert not asked & inspect.BufferFlags.WRITABLE


# --- what is returned ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [SERIES, SERIES[::-2], array.array("d", SERIES), memoryview(SERIES), np.empty(0)],
    ids=["array", "reversed view", "array.array", "memoryview", "empty"],
)
def test_the_result_owns_its_memory(values):
    result = ewma(values, 0.5)
    assert type(result) is np.ndarray
    assert result.dtype == np.float64
    assert result.ndim == 1
    assert result.shape == (len(values),)
    # PyArray_SimpleNew allocated the data: the array owns it, and depends on nothing else.
    assert result.flags.owndata
    assert result.base is None
    assert result.flags.c_contiguous
    assert result.flags.writeable
    assert not np.shares_memory(result, np.asarray(values))


def test_the_result_outlives_its_input():
    values = array.array("d", [1.0, 2.0, 3.0])
    result = ewma(values, 0.5)
    del values[:]  # the input's memory is gone; the result never pointed into it
    values.extend([9.0] * 1000)
    assert result.tolist() == [1.0, 1.5, 2.25]


# --- which NumPy it runs on ---------------------------------------------------------------------


def test_the_declared_floor_is_the_version_compiled_for():
    # NPY_TARGET_VERSION in _module.c and `dependencies` in pyproject.toml must agree. The
    # binary carries its target in the error message of its NumPy version check.
    binary = Path(recipes_capi._recipes.__file__).read_bytes()
    targeted = re.search(rb"\(NumPy (\d+\.\d+)\) but the running NumPy", binary)
    assert targeted is not None
    target = targeted.group(1).decode()
    assert f"numpy>={target}" in (importlib.metadata.requires("recipes-capi") or [])
    running = tuple(int(part) for part in np.__version__.split(".")[:2])
    assert running >= tuple(int(part) for part in target.split("."))
