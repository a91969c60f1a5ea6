"""ewma through an FFI: what cffi and ctypes do with buffers, and how the front ends cope.

The conformance suite checks ewma's values and errors; this file checks the ways in which an
FFI can go wrong with arrays: silent reinterpretation, silent copies, read-only and strided
memory, odd addresses, references kept too long, and alpha's conversion.
"""

import array
import ctypes
import sys

import numpy as np
import pytest

from recipes_clib._frontend import first_element_address, float64_view, strided_doubles

SERIES = np.random.default_rng(6).standard_normal(64)


def reference(values, alpha):
    """The contract's formula on a contiguous float64 copy, in Python floats."""
    xs = np.array(values, dtype=np.float64).tolist()
    out, y, beta = [], 0.0, 1.0 - alpha
    for i, x in enumerate(xs):
        y = x if i == 0 else alpha * x + beta * y
        out.append(y)
    return np.array(out)


def same_bits(mine, theirs):
    mine, theirs = np.asarray(mine), np.asarray(theirs)
    return mine.shape == theirs.shape and np.array_equal(mine.view(np.uint64), theirs.view(np.uint64))


# --- what the FFIs do by themselves: the reasons for the front ends' code -------------------------


@pytest.mark.cffi
def test_cffi_from_buffer_ignores_the_format():
    # from_buffer reinterprets whatever bytes it is given: four float32 become two doubles of
    # garbage, with no error. That is why the front end checks the memoryview's format first.
    from recipes_cffi._native import ffi

    doubles = ffi.from_buffer("double[]", np.ones(4, np.float32))
    assert len(doubles) == 2
    assert doubles[0] != 1.0


@pytest.mark.parametrize("values", [SERIES[::2], SERIES[::-1]], ids=["strided", "reversed"])
@pytest.mark.cffi
def test_cffi_from_buffer_takes_contiguous_buffers_only(values):
    from recipes_cffi._native import ffi

    with pytest.raises((ValueError, BufferError, TypeError)):
        ffi.from_buffer("double[]", values)


def test_ctypes_from_buffer_refuses_read_only_memory():
    read_only = SERIES.copy()
    read_only.flags.writeable = False
    with pytest.raises(TypeError, match="not writable"):
        (ctypes.c_double * len(read_only)).from_buffer(read_only)


def test_ctypes_would_turn_a_huge_alpha_into_an_argument_error():
    # c_double converts with PyFloat_AsDouble but reports every failure as ctypes.ArgumentError,
    # not the OverflowError the contract wants: recipes_ctypes converts alpha itself.
    import recipes_ctypes

    out = np.empty(3)
    with pytest.raises(ctypes.ArgumentError):
        recipes_ctypes._ewma(SERIES[:3], 3, 1, 10**400, out)
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        recipes_ctypes.ewma(SERIES[:3], 10**400)


@pytest.mark.cffi
def test_cffi_converts_alpha_as_pyfloat_asdouble_does():
    # cffi converts a C double with PyFloat_AsDouble itself, so its own errors are the contract's.
    from recipes_cffi._native import ffi, lib

    x, y = ffi.from_buffer("double[]", SERIES[:1]), ffi.from_buffer("double[]", np.empty(1))
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        lib.recipes_ewma(x, 1, 1, 10**400, y)
    with pytest.raises(TypeError):
        lib.recipes_ewma(x, 1, 1, "0.5", y)
    assert lib.recipes_ewma(x, 1, 1, np.float32(0.5), y) == lib.RECIPES_OK


# --- the front ends: in place where the header allows, a copy only where it cannot -----------------


@pytest.mark.parametrize(
    ("values", "stride"),
    [(SERIES, 1), (SERIES[::2], 2), (SERIES[::-1], -1), (SERIES[5::-3], -3), (np.broadcast_to(SERIES[:1], 9), 0)],
    ids=["contiguous", "every other", "reversed", "every third reversed", "broadcast"],
)
def test_strided_buffers_are_read_in_place(values, stride):
    with float64_view(values) as view:
        buffer, step = strided_doubles(view)
        assert buffer is view  # not a copy
        assert step == stride
        # element 0's address, not the lowest address of the memory, for a negative stride
        assert first_element_address(buffer) == values.__array_interface__["data"][0]


def test_any_exporter_is_read_in_place_not_only_numpy():
    # array.array reversed through a memoryview: element 0 is the array's last double
    doubles = array.array("d", SERIES[:10])
    start, count = doubles.buffer_info()
    with memoryview(doubles) as whole, whole[::-1] as reversed_view:
        buffer, stride = strided_doubles(reversed_view)
        assert buffer is reversed_view
        assert stride == -1
        assert first_element_address(buffer) == start + (count - 1) * doubles.itemsize
    doubles.append(0.0)  # and nothing was left exported


def packed_field():
    """The float64 field of a packed structured array: 9 bytes apart, at odd addresses."""
    records = np.zeros(7, dtype=[("flag", "i1"), ("value", "f8")])
    records["value"] = SERIES[:7]
    return records["value"]


def test_a_stride_of_no_whole_number_of_doubles_is_copied_once():
    values = packed_field()
    with float64_view(values) as view:
        assert view.format == "=d"  # NumPy's format for an unaligned array
        assert view.strides == (9,)
        buffer, stride = strided_doubles(view)
        assert isinstance(buffer, np.ndarray)
        assert stride == 1
        assert buffer.flags.c_contiguous
        assert not np.shares_memory(buffer, values)


def odd_address_buffers():
    raw = bytearray(1 + 8 * 16)
    raw[1:] = SERIES[:16].tobytes()
    return {
        "NumPy from bytes at offset 1": np.frombuffer(raw, dtype=np.float64, offset=1),
        "memoryview cast at offset 1": memoryview(bytes(raw))[1:].cast("d"),
        "packed structured field": packed_field(),
    }


@pytest.mark.parametrize("name", list(odd_address_buffers()))
def test_unaligned_buffers(recipes, name):
    # The library reads with unaligned loads, so these work where a plain `double *` read
    # would be undefined behaviour in C (and a SIGBUS on some CPUs).
    values = odd_address_buffers()[name]
    assert same_bits(recipes.ewma(values, 0.25), reference(values, 0.25))


def test_strided_and_reversed_buffers_of_every_kind(recipes):
    base = array.array("d", SERIES)
    cases = [memoryview(base)[::-1], memoryview(base)[3::4], memoryview(SERIES.tobytes()).cast("d")[::-2]]
    for values in cases:
        assert same_bits(recipes.ewma(values, 0.5), reference(values, 0.5))
        values.release()
    base.append(0.0)  # BufferError if ewma had left an export of its own


def test_nothing_holds_on_to_the_input_or_the_result(recipes):
    values = SERIES.copy()
    before = sys.getrefcount(values)
    result = recipes.ewma(values, 0.5)
    assert sys.getrefcount(values) == before
    # `result` and getrefcount's argument: no cffi cdata or ctypes object still points at it
    assert sys.getrefcount(result) == 2
    assert result.flags.owndata


def test_the_result_is_a_fresh_array_even_for_alpha_one(recipes):
    # alpha = 1 copies the input value for value: still a new array, never the input itself
    values = SERIES[:8].copy()
    result = recipes.ewma(values, 1.0)
    assert same_bits(result, values)
    assert not np.shares_memory(result, values)
    assert result.flags.writeable
    assert result.flags.c_contiguous


def test_a_failed_call_leaves_the_memoryview_released(recipes):
    values = array.array("d", SERIES[:4])
    for alpha in [2.0, "x", 10**400, float("nan")]:
        with pytest.raises((ValueError, TypeError, OverflowError)):
            recipes.ewma(values, alpha)
        values.append(1.0)  # BufferError if a view were still exported
    assert len(values) == 8
