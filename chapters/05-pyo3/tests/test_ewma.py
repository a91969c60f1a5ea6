"""ewma with PyO3 and rust-numpy: NumPy arrays in place, other buffers through a memoryview.

The conformance suite (tests/conformance in the cookbook) checks every value and error against
the reference; these tests show what is particular to this chapter, in both builds.
"""

import array
import ctypes
import gc

import numpy as np
import pytest


def ewma_by_index(values, alpha):
    """The recurrence in plain Python floats, to compare with."""
    out = []
    for x in map(float, values):
        out.append(x if not out else alpha * x + (1.0 - alpha) * out[-1])
    return out


def test_the_result_owns_a_rust_vec(recipes):
    # PyArray1::from_vec gives NumPy the Vec's memory: the array does not own its data, a
    # rust-numpy object in `base` does, and frees it with Rust's allocator when the array goes.
    result = recipes.ewma(np.arange(5.0), 0.5)
    assert not result.flags.owndata
    assert type(result.base).__name__ == "PySliceContainer"
    assert result.flags.writeable
    assert result.flags.c_contiguous
    view = result[1:3]
    del result
    gc.collect()
    assert view.tolist() == ewma_by_index(range(5), 0.5)[1:3]  # the base keeps it alive


@pytest.mark.parametrize(
    "make",
    [
        lambda a: array.array("d", a),
        lambda a: memoryview(a)[::-2],
        lambda a: (ctypes.c_double * len(a))(*a),
        lambda a: memoryview(a.tobytes()).cast("d"),
    ],
    ids=["array.array", "reversed memoryview", "ctypes array", "read-only bytes cast to 'd'"],
)
def test_any_buffer_takes_the_memoryview_path(recipes, make):
    # Not NumPy arrays, so the PyArray1<f64> cast fails; a memoryview checks them and
    # numpy.asarray wraps the same memory for rust-numpy to read.
    values = make(np.linspace(-1.0, 2.0, 9))
    expected = ewma_by_index(np.array(values, dtype=np.float64), 0.4)
    assert recipes.ewma(values, 0.4).tolist() == expected


def test_numpy_asarray_wraps_a_memoryview_without_copying():
    # What the memoryview path relies on: the NumPy array it reads is a view of the buffer,
    # strides (negative too) included, not a copy.
    base = np.arange(10.0)
    for view in (memoryview(base), memoryview(base)[::-3], memoryview(base)[1::2]):
        wrapped = np.asarray(view)
        assert np.shares_memory(wrapped, base)
        assert wrapped.tolist() == view.tolist()


def test_unaligned_arrays_are_copied_then_read(recipes):
    # rust-numpy's views divide each stride by the item size and assume aligned items; a field
    # of a packed record (stride 9, odd addresses) is neither, so ewma copies it first.
    records = np.zeros(6, dtype=[("tag", "u1"), ("value", "<f8")])
    records["value"] = [1.0, -2.0, 4.0, 0.5, 1e300, -0.0]
    column = records["value"]
    assert not column.flags.aligned
    assert column.strides == (9,)
    assert recipes.ewma(column, 0.25).tolist() == ewma_by_index(column, 0.25)
    odd_start = np.frombuffer(bytearray(8 * 4 + 1), dtype=np.float64, offset=1, count=4)
    assert not odd_start.flags.aligned
    assert recipes.ewma(odd_start, 0.5).tolist() == [0.0] * 4


def test_read_only_and_strided_arrays_take_the_fast_path_unchanged(recipes):
    values = np.linspace(0.0, 1.0, 12)
    values.flags.writeable = False
    for view in (values, values[::-1], values[1::4]):
        assert recipes.ewma(view, 0.7).tolist() == ewma_by_index(view, 0.7)
    assert not values.flags.writeable  # rust-numpy's read-only borrow changed nothing


def test_alpha_is_converted_as_float_converts(recipes):
    # PyO3's f64 extraction is PyFloat_AsDouble: CPython's own errors, unchanged and unwrapped.
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        recipes.ewma(np.ones(3), 10**400)
    with pytest.raises(TypeError, match="must be real number, not str"):
        recipes.ewma(np.ones(3), "0.5")
    assert recipes.ewma(np.array([2.0, 4.0]), np.float32(0.5)).tolist() == [2.0, 3.0]


def test_values_are_checked_before_alpha(recipes):
    # alpha is a plain object in the signature and converted in the body: a typed `alpha: f64`
    # parameter would be converted by PyO3 before the body could look at `values`.
    with pytest.raises(ValueError, match="one-dimensional, got 2 dimensions"):
        recipes.ewma(np.zeros((2, 2)), "not a number")
    with pytest.raises(TypeError, match="got format 'f'"):
        recipes.ewma(np.zeros(2, np.float32), 10**400)
