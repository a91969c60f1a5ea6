"""ewma: what each binding library does with arrays, and what this chapter makes it do.

The cookbook's conformance suite compares ewma with the reference on every kind of buffer and
every error; these tests cover what is particular to the three C++ layers: strided input read
in place, a result that owns its memory, nanobind's DLPack path and the buffers it cannot take,
the contract's messages where the libraries have generic ones, errors thrown without the GIL.
"""

from __future__ import annotations

import array
import ctypes
import gc
import tracemalloc

import numpy as np
import pytest

SERIES = np.random.default_rng(2015).standard_normal(200)


def expected(values, alpha: float) -> np.ndarray:
    """The formula, in Python: each product rounded, then the sum (no fused multiply-add)."""
    xs = np.array(values, dtype=np.float64).tolist()
    beta = 1.0 - alpha
    out, y = [], 0.0
    for i, x in enumerate(xs):
        y = x if i == 0 else alpha * x + beta * y
        out.append(y)
    return np.array(out, dtype=np.float64)


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def test_known_values(recipes):
    assert recipes.ewma(np.array([1.0, 2.0, 3.0, 4.0]), 0.5).tolist() == [1.0, 1.5, 2.25, 3.125]
    assert recipes.ewma(np.array([2.0, 4.0]), 1).tolist() == [2.0, 4.0]
    assert same_bits(recipes.ewma(SERIES, 0.1), expected(SERIES, 0.1))


@pytest.mark.parametrize("step", [2, -1, -3], ids=["every other", "reversed", "every third reversed"])
def test_strided_input_is_read_in_place(recipes, step):
    # A copy of the input would show up in tracemalloc, which sees NumPy's allocations: all
    # the call may allocate is its result (nanobind's result memory is C++'s, so not even that).
    big = np.random.default_rng(1).standard_normal(400_000)
    view = big[::step]
    recipes.ewma(view[:10], 0.5)  # first call: any one-off allocation happens here
    tracemalloc.start()
    try:
        result = recipes.ewma(view, 0.5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * result.nbytes, f"{peak} bytes allocated for a {result.nbytes}-byte result"
    assert same_bits(result, expected(view, 0.5))


def test_a_field_of_a_record_array(recipes):
    # Elements 12 bytes apart: no whole number of doubles, and misaligned for half of them.
    # DLPack cannot describe that (NumPy's __dlpack__ refuses it), so the nanobind layer
    # reads it through the buffer protocol; the core reads every element with memcpy.
    records = np.zeros(50, dtype=[("value", "<f8"), ("tag", "<i4")])
    records["value"] = SERIES[:50]
    values = records["value"]
    assert values.strides == (12,)
    assert same_bits(recipes.ewma(values, 0.25), expected(SERIES[:50], 0.25))


def test_ctypes_arrays_leave_strides_null(recipes):
    # ctypes exports its arrays with NULL strides (meaning contiguous). nanobind 3.1's ndarray
    # caster would dereference them, so the nanobind layer reads ctypes arrays itself.
    values = (ctypes.c_double * 5)(*SERIES[:5])
    assert memoryview(values).format == "<d"
    assert same_bits(recipes.ewma(values, 0.5), expected(SERIES[:5], 0.5))
    grid = ((ctypes.c_double * 2) * 3)()
    with pytest.raises(ValueError, match=r"^ewma\(\) values must be one-dimensional, got 2 dimensions$"):
        recipes.ewma(grid, 0.5)


@pytest.mark.parametrize(
    "values",
    [np.zeros(3, np.float32), np.zeros(3, np.int64), array.array("f", [1.0]), b"12345678"],
    ids=["float32", "int64", "array.array('f')", "bytes"],
)
def test_a_wrong_dtype_is_refused_not_converted(recipes, values):
    # py::array_t<double> without .noconvert(), or nb::ndarray without it, would quietly make a
    # float64 copy of a float32 or int64 array; here the contract's TypeError names the format.
    format = memoryview(values).format  # "f", "l" (int64 on Linux), "B" for bytes
    message = f"ewma() values must be float64 (buffer format 'd'), got format '{format}'"
    with pytest.raises(TypeError) as raised:
        recipes.ewma(values, 0.5)
    assert str(raised.value) == message


def test_errors_are_the_contracts_not_the_librarys(recipes):
    # pybind11 and nanobind would answer a caster's refusal with "incompatible function
    # arguments"; the contract has its own words for the dimensions and the format.
    with pytest.raises(ValueError, match=r"^ewma\(\) values must be one-dimensional, got 0 dimensions$"):
        recipes.ewma(np.array(1.0), 0.5)
    with pytest.raises(ValueError, match=r"^ewma\(\) alpha must be > 0 and <= 1$"):
        recipes.ewma(SERIES, 1.5)
    # Their double casters would also turn these into a TypeError of their own.
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        recipes.ewma(SERIES, 10**400)
    with pytest.raises(TypeError, match=r"^must be real number, not str$"):  # PyFloat_AsDouble's
        recipes.ewma(SERIES, "0.5")


def test_the_result_owns_its_memory(recipes):
    # All three make the result with NumPy (py::array_t; numpy.empty called from C++), so it
    # owns its memory: no base object to keep alive, nothing shared with the input.
    values = SERIES.copy()
    result = recipes.ewma(values, 0.5)
    assert result.flags.owndata
    assert result.base is None
    assert not np.shares_memory(result, values)


def test_the_result_outlives_everything_else(recipes):
    values = SERIES.copy()
    tail = recipes.ewma(values, 0.5)[100:]  # a view: the full result is only its base now
    del values
    gc.collect()
    np.ones(10_000)  # reuse freed memory, if any was freed too early
    assert same_bits(tail, expected(SERIES, 0.5)[100:])


def test_an_error_raised_without_the_gil_releases_everything(recipes):
    # Long enough for the layers to release the GIL around the core, which then throws
    # (alpha out of range): the guard takes the GIL back first, then the buffer is released.
    values = array.array("d", np.resize(SERIES, 10_000))
    for _ in range(3):
        with pytest.raises(ValueError, match=r"^ewma\(\) alpha must be > 0 and <= 1$"):
            recipes.ewma(values, float("nan"))
        values.append(1.0)  # BufferError if the call kept its buffer
    assert same_bits(recipes.ewma(values, 0.5)[-1:], expected(values, 0.5)[-1:])


class DLPackOnly:
    """An array that offers DLPack and no buffer protocol, as a PyTorch tensor does."""

    def __init__(self, values):
        self._values = values

    def __dlpack__(self, **kwargs):
        return self._values.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._values.__dlpack_device__()


def test_dlpack_exporters(recipes):
    values = DLPackOnly(SERIES)
    if recipes.__name__ == "recipes_nanobind":
        # nb::ndarray takes any DLPack exporter on the CPU, beyond what the contract asks.
        assert same_bits(recipes.ewma(values, 0.5), expected(SERIES, 0.5))
    else:
        # Boost.Python: PyObject_GetBuffer's TypeError; pybind11: its own, as for any caster.
        with pytest.raises(TypeError, match=r"DLPackOnly|incompatible function arguments"):
            recipes.ewma(values, 0.5)
