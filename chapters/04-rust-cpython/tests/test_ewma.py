"""ewma under rust-cpython: the buffer protocol through the C API, a result made by NumPy.

The conformance suite (tests/conformance in the cookbook) checks every value and error
against the reference; these tests show what is particular to this chapter.
"""

import ctypes

import numpy as np
import pytest

import recipes_rust_cpython as r
from recipes_rust_cpython import _native


def ewma_by_index(values, alpha):
    """The recurrence in plain Python floats, to compare with."""
    out = []
    for x in map(float, values):
        out.append(x if not out else alpha * x + (1.0 - alpha) * out[-1])
    return out


def test_the_crates_pybuffer_panics_on_a_ctypes_array():
    # ctypes arrays leave Py_buffer.strides NULL (CPython issue gh-57060), which the protocol
    # allows for C-contiguous memory. cpython::buffer::PyBuffer::get asserts it is not NULL.
    values = (ctypes.c_double * 4)(1.0, 2.0, 3.0, 4.0)
    with pytest.raises(SystemError, match=r"Rust panic: assertion failed: !b\.strides\.is_null\(\)"):
        _native.pybuffer_get_demo(values)
    # ewma borrows the buffer itself and takes a NULL strides as "one item after the other".
    assert r.ewma(values, 0.5).tolist() == ewma_by_index(values, 0.5)


def test_the_crates_pybuffer_never_releases_what_it_panicked_on():
    # A 0-d buffer has NULL shape and strides. The panic drops the Py_buffer without
    # PyBuffer_Release, so the memoryview stays exported for as long as the process lives.
    leaked = memoryview(bytearray(8)).cast("d", ())
    with pytest.raises(SystemError, match=r"assertion failed: !b\.shape\.is_null\(\)"):
        _native.pybuffer_get_demo(leaked)
    with pytest.raises(BufferError, match="1 exported buffer"):
        leaked.release()
    # ewma gives the contract's ValueError and releases the buffer.
    scalar = memoryview(bytearray(8)).cast("d", ())
    with pytest.raises(ValueError, match=r"^ewma\(\) values must be one-dimensional, got 0 dimensions$"):
        r.ewma(scalar, 0.5)
    scalar.release()


def test_unaligned_doubles_are_read_correctly():
    # The protocol does not promise alignment: a field of a packed NumPy record is a "d"
    # buffer with a stride of 9 bytes, and a cast memoryview can start at an odd address.
    records = np.zeros(6, dtype=[("tag", "u1"), ("value", "<f8")])
    records["value"] = [1.0, -2.0, 4.0, 0.5, 1e300, -0.0]
    column = records["value"]
    assert not column.flags.aligned
    assert r.ewma(column, 0.25).tolist() == ewma_by_index(column, 0.25)
    raw = bytearray(1 + 8 * 3)
    raw[1:] = np.array([3.0, 5.0, 7.0]).tobytes()
    odd_start = memoryview(raw)[1:].cast("d")
    assert r.ewma(odd_start, 0.5).tolist() == [3.0, 4.0, 5.5]
    odd_start.release()


def test_negative_strides_are_read_in_logical_order():
    values = np.arange(10.0)
    for view in (values[::-1], values[::-3], values[8:1:-2], memoryview(values)[::-1]):
        assert r.ewma(view, 0.3).tolist() == ewma_by_index(np.asarray(view), 0.3)


def test_the_result_is_numpys_own_array():
    # numpy.empty made it: NumPy owns the memory, no base object keeps anything alive.
    result = r.ewma(np.ones(5), 0.5)
    assert result.base is None
    assert result.flags.owndata


def test_alpha_is_converted_as_float_converts():
    # rust-cpython's f64 extraction is PyFloat_AsDouble: CPython's own errors, unchanged.
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        r.ewma(np.ones(3), 10**400)
    with pytest.raises(TypeError, match="must be real number, not str"):
        r.ewma(np.ones(3), "0.5")
    assert r.ewma(np.array([2.0, 4.0]), np.float32(0.5)).tolist() == [2.0, 3.0]
