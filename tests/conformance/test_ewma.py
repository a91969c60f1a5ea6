"""ewma: arrays across the boundary (docs/contract.md#ewma).

Values are compared bit for bit with the reference (signed zeros included; a NaN may be any NaN),
for every kind of buffer the contract accepts; every error is checked, and so is that the
buffer is released on every path and that the result is a new array of its own.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import itertools
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import support
from support import HUGE, describe, outcome

RNG = np.random.default_rng(2015)
SERIES = RNG.standard_normal(1000)
ALPHAS = [1.0, 0.5, 0.1, 1 / 3, 1e-3, 1e-300, 5e-324, 0.9999999999999999]


def same_bits(mine, theirs) -> bool:
    """Equal as IEEE bit patterns (-0.0 differs from 0.0), except that any NaN equals any NaN.

    IEEE 754 says an operation on NaNs returns a NaN, not which one: x86-64's addsd returns its
    first operand's, and a compiler may put either operand first. The contract asks for no
    special cases, so the NaN's payload and sign are left free; where it is, is not.
    """
    mine, theirs = np.asarray(mine, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if mine.shape != theirs.shape:
        return False
    nan = np.isnan(theirs)
    return bool(np.array_equal(np.isnan(mine), nan)
                and np.array_equal(mine[~nan].view(np.uint64), theirs[~nan].view(np.uint64)))


def assert_new_float64_array(result, values):
    assert type(result) is np.ndarray
    assert result.dtype == np.float64
    assert result.ndim == 1
    assert result.flags.c_contiguous
    assert result.flags.writeable
    assert not np.shares_memory(result, np.asarray(values)), "the result is a view of the input"


@pytest.mark.parametrize("alpha", ALPHAS, ids=repr)
def test_values_bit_for_bit(impl, ref, alpha):
    result = impl.ewma(SERIES, alpha)
    assert same_bits(result, ref.ewma(SERIES, alpha))
    assert_new_float64_array(result, SERIES)


SPECIAL = np.array([0.0, -0.0, np.inf, 1.0, -np.inf, np.nan, 2.0, 5e-324, -1e308, 1e308, 1e308])


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.25], ids=repr)
def test_nan_and_infinities_propagate(impl, ref, alpha):
    assert same_bits(impl.ewma(SPECIAL, alpha), ref.ewma(SPECIAL, alpha))
    assert same_bits(impl.ewma(SPECIAL[::-1], alpha), ref.ewma(SPECIAL[::-1], alpha))


@given(
    hnp.arrays(np.float64, st.integers(0, 60), elements=st.floats(allow_nan=True, allow_infinity=True)),
    st.floats(min_value=5e-324, max_value=1.0),
)
def test_values_property(impl, ref, values, alpha):
    assert same_bits(impl.ewma(values, alpha), ref.ewma(values, alpha))


def buffers():
    """Every kind of buffer the contract accepts, with what its values are."""
    base = SERIES[:64].copy()
    read_only = base.copy()
    read_only.flags.writeable = False
    c_array = (ctypes.c_double * 64)(*base)  # format "<d"
    return {
        "contiguous": base,
        "every other": base[::2],
        "reversed": base[::-1],
        "every third reversed": base[::-3],
        "column of a 2-D array": np.ascontiguousarray(np.stack([base, base * 2])).T[:, 1],
        "read-only": read_only,
        "array.array('d')": array.array("d", base),
        "memoryview": memoryview(base),
        "memoryview, strided": memoryview(base)[1::5],
        "bytes cast to 'd'": memoryview(base.tobytes()).cast("d"),
        "ctypes array ('<d')": c_array,
        "empty": np.empty(0),
        "one value": base[:1],
        "empty array.array": array.array("d"),
    }


@pytest.mark.parametrize("name", list(buffers()))
def test_every_kind_of_buffer(impl, ref, name):
    values = buffers()[name]
    result = impl.ewma(values, 0.3)
    assert same_bits(result, ref.ewma(values, 0.3))
    assert same_bits(result, ref.ewma(np.array(values, dtype=np.float64), 0.3))
    assert_new_float64_array(result, values)


def test_the_input_is_not_changed(impl):
    values = SERIES.copy()
    impl.ewma(values, 0.2)
    assert same_bits(values, SERIES)


def test_the_result_is_independent(impl):
    values = SERIES[:10].copy()
    result = impl.ewma(values, 0.5)
    result[:] = 7.0
    assert same_bits(values, SERIES[:10])
    again = impl.ewma(values, 0.5)
    assert not np.shares_memory(result, again)


# --- errors ----------------------------------------------------------------------------------

NOT_BUFFERS = [[1.0, 2.0], (1.0,), None, 1, 1.5, "abc", {1.0: 2.0}, range(3), iter([1.0])]
WRONG_FORMATS = {
    "float32": np.zeros(3, np.float32),
    "int64": np.zeros(3, np.int64),
    "bytes": b"abcdefgh",
    "bytearray": bytearray(8),
    "big-endian float64": np.zeros(3, ">f8") if sys.byteorder == "little" else np.zeros(3, "<f8"),
    "complex128": np.zeros(3, np.complex128),
    "array.array('f')": array.array("f", [1.0]),
    "array.array('q')": array.array("q", [1]),
    "bool": np.zeros(3, bool),
}
WRONG_DIMENSIONS = {
    "0-d array": np.array(1.5),
    "2-D array": np.zeros((2, 3)),
    "2-D memoryview": memoryview(np.zeros((2, 2))),
    "3-D": np.zeros((1, 1, 1)),
}


@pytest.mark.parametrize("values", NOT_BUFFERS, ids=describe)
def test_not_a_buffer(impl, ref, values):
    assert outcome(impl.ewma, values, 0.5) == outcome(ref.ewma, values, 0.5) == ("raises", TypeError, None)


@pytest.mark.parametrize("name", list(WRONG_FORMATS))
def test_wrong_element_format_names_it(impl, ref, name):
    values = WRONG_FORMATS[name]
    with pytest.raises(TypeError) as theirs:
        ref.ewma(values, 0.5)
    with pytest.raises(TypeError) as mine:
        impl.ewma(values, 0.5)
    # this TypeError is the contract's own: it names the format it got, word for word
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize("name", list(WRONG_DIMENSIONS))
def test_wrong_dimensions(impl, ref, name):
    values = WRONG_DIMENSIONS[name]
    assert outcome(impl.ewma, values, 0.5) == outcome(ref.ewma, values, 0.5)
    assert outcome(ref.ewma, values, 0.5)[1] is ValueError


class Real:
    def __float__(self):
        return 0.25


class RealRaises:
    def __float__(self):
        raise ZeroDivisionError("raised inside __float__")


GOOD_ALPHAS = [1, True, np.float64(0.5), np.float32(0.5), np.int64(1), Fraction(1, 4), Real(), support.Index(1)]
BAD_ALPHAS = [
    0, 0.0, -0.0, -0.5, 1.0000000000000002, 2, float("nan"), float("inf"), -float("inf"), False,
    "0.5", b"0.5", None, 0.5j, [0.5], HUGE, -HUGE, 2**1024, RealRaises(), np.float64("nan"),
]


@pytest.mark.parametrize("alpha", GOOD_ALPHAS + BAD_ALPHAS, ids=describe)
def test_alpha(impl, ref, alpha):
    mine, theirs = outcome(impl.ewma, SERIES[:5], alpha), outcome(ref.ewma, SERIES[:5], alpha)
    if theirs[0] == "value":
        assert mine[0] == "value"
        assert same_bits(mine[1], theirs[1])
    else:
        assert mine == theirs


def test_values_are_checked_before_alpha(impl, ref):
    for values, alpha in itertools.product([None, np.zeros((2, 2)), np.zeros(2, np.float32)], [None, 2.0, HUGE]):
        assert outcome(impl.ewma, values, alpha) == outcome(ref.ewma, values, alpha)


@pytest.mark.parametrize("call", ["ewma()", "ewma(x)", "ewma(x, 0.5, 1)", "ewma(values=x, alpha=0.5)", "ewma(x, alpha=0.5)"])
def test_wrong_argument_count_or_keywords(impl, call):
    kind, raised = support.outcome_type(eval, "impl." + call, {"impl": impl, "x": SERIES[:3]})
    assert kind == "raises"
    assert issubclass(raised, TypeError), raised


# --- the buffer is released on every path ------------------------------------------------------


@pytest.mark.parametrize(
    "alpha", [0.5, 2.0, float("nan"), "x", None, HUGE, RealRaises()], ids=describe,
)
def test_buffer_released_after_every_call(impl, alpha):
    # An array.array refuses to resize while a buffer of it is exported (BufferError).
    values = array.array("d", SERIES[:16])
    for _ in range(3):
        with contextlib.suppress(Exception):  # the exception is not the point, the release is
            impl.ewma(values, alpha)
        values.append(1.0)  # raises BufferError if the call kept the buffer
        values.pop()
    memoryview(values).release()


def test_buffer_released_after_a_format_or_dimension_error(impl):
    values = array.array("f", [1.0, 2.0])
    for _ in range(3):
        assert outcome(impl.ewma, values, 0.5)[1] is TypeError
        values.append(3.0)
    grid = np.zeros((2, 2))
    base = bytearray(grid.tobytes())
    view = memoryview(base).cast("d", (2, 2))
    assert outcome(impl.ewma, view, 0.5)[1] is ValueError
    view.release()
    base.append(0)  # the bytearray can resize: no buffer of it is left exported


# --- threads, the GIL ------------------------------------------------------------------------


def test_eight_threads(impl, ref):
    expected = {alpha: ref.ewma(SERIES, alpha) for alpha in ALPHAS}
    shared_input = SERIES.copy()
    shared_input.flags.writeable = False

    def work(i):
        alpha = ALPHAS[i % len(ALPHAS)]
        return all(same_bits(impl.ewma(shared_input, alpha), expected[alpha]) for _ in range(20))

    from test_threads import run_in_threads

    for results in run_in_threads(work, rounds=3):
        assert all(results)


@pytest.mark.releases_gil
def test_native_ewma_releases_the_gil(native):
    from test_threads import share_of_time_another_thread_runs

    big = np.random.default_rng(7).standard_normal(8_000_000)
    elapsed, share = share_of_time_another_thread_runs(lambda: native.ewma(big, 0.1))
    assert elapsed > 0.01, f"ewma took only {elapsed * 1000:.1f} ms: the array is too small to tell"
    assert share > 0.3, f"the other thread ran for only {share:.0%} of the call: ewma holds the GIL"
