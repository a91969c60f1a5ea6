"""integrate: a C loop that calls a Python callable back, once per step.

What the C API can get wrong here: the reference to each float argument and to each result
(one Py_DECREF each, on every path), the exception f raised (it must leave as it came, the
same object, with f's frame in its traceback), and the loop after an error (it must stop).
"""

import gc
import math
import sys
import threading
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from helpers import HUGE, Index, assert_refcount_unchanged, message, short_id, swallow

from recipes_capi import fib, integrate


def midpoint(f, a, b, n):
    """The contract's formula in Python floats: the bits every chapter must match."""
    h = (b - a) / n
    total = 0.0
    for i in range(n):
        total += float(f(a + (i + 0.5) * h))
    return total * h


class OddFloat(float):
    """A float subclass whose __float__ lies: it is read as the float it is, as float() does."""

    def __float__(self):
        return 42.0


class Recorder:
    """A callable that remembers its arguments and returns their square."""

    def __init__(self):
        self.calls = []

    def __call__(self, x):
        self.calls.append(x)
        return x * x


@pytest.mark.parametrize(
    "f",
    [math.sin, math.atan, abs, lambda x: x * x, Recorder(), lambda x: 1, lambda x: True,
     lambda x: Fraction(1, 3), lambda x: Decimal("0.1"), np.float64, np.cos],
)
@pytest.mark.parametrize("args", [(0.0, 1.0, 1), (0.0, 1.0, 1000), (1, -3, 7), (Fraction(1, 3), 2**60, 5)])
def test_values_are_the_formula_bit_for_bit(f, args):
    assert integrate(f, *args).hex() == midpoint(f, *(float(v) for v in args[:2]), args[2]).hex()


def test_known_value():
    assert integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125
    assert type(integrate(lambda x: 1, 0, 1, 1)) is float


def test_f_gets_exact_floats_once_per_step_in_order():
    f = Recorder()
    integrate(f, 0, 1, 8)
    assert [type(x) for x in f.calls] == [float] * 8
    assert f.calls == [(i + 0.5) / 8 for i in range(8)]


def test_results_read_as_float_reads_them():
    assert integrate(lambda x: OddFloat(2.0), 0.0, 1.0, 2) == 2.0
    assert integrate(lambda x: np.int64(3), 0.0, 1.0, 2) == 3.0


class Boom(Exception):
    pass


def frames_of(exc):
    codes = []
    tb = exc.__traceback__
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


@pytest.mark.parametrize("exception", [Boom("boom"), KeyboardInterrupt(), SystemExit(3), StopIteration(7),
                                       ZeroDivisionError("x"), GeneratorExit()])
def test_what_f_raises_leaves_unchanged_and_nothing_more_is_called(exception):
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise exception
        return x

    with pytest.raises(BaseException) as caught:  # noqa: PT011 (the identity is checked below)
        integrate(f, 0.0, 1.0, 10)
    assert caught.value is exception  # the same object: not re-wrapped, not replaced
    assert f.__code__ in frames_of(caught.value)  # its traceback still holds f's frame
    assert len(calls) == 3  # and the loop stopped at once


@pytest.mark.parametrize(("result", "error"), [("1.0", TypeError), (None, TypeError), (1j, TypeError),
                                               (b"1", TypeError), (10**400, OverflowError), (HUGE, OverflowError)],
                         ids=short_id)
def test_a_result_that_does_not_convert_stops_the_loop(result, error):
    calls = []

    def f(x):
        calls.append(x)
        return 1.0 if len(calls) < 2 else result

    with pytest.raises(error):
        integrate(f, 0.0, 1.0, 10)
    assert len(calls) == 2


def test_argument_errors_in_the_reference_order():
    with pytest.raises(TypeError, match="callable"):
        integrate(1.0, "not a number", None, "n")  # f first: nothing else is converted
    with pytest.raises(TypeError):
        integrate(abs, "0", 1.0, 1)
    with pytest.raises(TypeError):
        integrate(abs, 0.0, None, 1)
    with pytest.raises(TypeError):
        integrate(abs, 0.0, 1.0, 1.0)  # n is an integer, as operator.index takes it
    with pytest.raises(TypeError):
        integrate(abs, 0.0, 1j, 1)
    with pytest.raises(OverflowError, match=message("int too large to convert to float")):
        integrate(abs, 10**400, 1.0, 1)
    with pytest.raises(TypeError):  # the type of a comes before the range of n
        integrate(abs, "0", 1.0, 0)


@pytest.mark.parametrize("n", [0, -1, -(2**63), -(2**63) - 1, -(2**100), Index(-5), -HUGE],
                         ids=short_id)
def test_n_below_one(n):
    f = Recorder()
    with pytest.raises(ValueError, match=message("integrate() n must be >= 1")):
        integrate(f, 0.0, 1.0, n)
    assert f.calls == []


@pytest.mark.parametrize("n", [2**63, 2**100, Index(2**64), HUGE], ids=short_id)
def test_n_beyond_64_bits(n):
    with pytest.raises(OverflowError, match=message("integrate() n must fit in signed 64 bits")):
        integrate(abs, 0.0, 1.0, n)


def test_n_at_the_top_of_64_bits_is_a_valid_n():
    def f(x):
        raise Boom  # the call starts, so n was accepted; stop it at the first step

    with pytest.raises(Boom):
        integrate(f, 0.0, 1.0, 2**63 - 1)


def test_argument_count_and_keywords():
    with pytest.raises(TypeError, match="exactly 4 arguments"):
        integrate(abs, 0.0, 1.0)
    with pytest.raises(TypeError):
        integrate(abs, 0.0, 1.0, 1, 1)
    with pytest.raises(TypeError):
        integrate(abs, 0.0, 1.0, n=1)


def test_each_argument_float_is_released():
    # f keeps every float it gets in a list. Afterwards the list must be their only owner:
    # a missing Py_DECREF(arg) leaves each with one reference too many.
    kept = []

    def keep(x):
        kept.append(x)
        return x

    integrate(keep, 0.0, 1.0, 50)
    yardstick = [float("1.5")]  # a float owned by one list, like those in `kept`
    assert {sys.getrefcount(x) for x in kept} == {sys.getrefcount(x) for x in yardstick}


def test_each_result_is_released():
    # f returns the same object every time: each call adds a reference that integrate owns
    # (a NEW reference) and must give back, on success and when the conversion fails.
    value = Fraction(1, 3)
    assert_refcount_unchanged(value, lambda: integrate(lambda x: value, 0.0, 1.0, 20))
    bad = "not a number"
    assert_refcount_unchanged(bad, swallow(TypeError, lambda: integrate(lambda x: bad, 0.0, 1.0, 20)))
    big = 10**400
    assert_refcount_unchanged(big, swallow(OverflowError, lambda: integrate(lambda x: big, 0.0, 1.0, 20)))


def test_arguments_are_borrowed():
    f = Recorder()
    a, b, n = Fraction(1, 2), float("2.5"), Index(10)
    for obj in (f, a, b, n):
        assert_refcount_unchanged(obj, lambda: integrate(f, a, b, n))
    assert_refcount_unchanged(f, swallow(ValueError, lambda: integrate(f, a, b, 0)))
    assert_refcount_unchanged(a, swallow(TypeError, lambda: integrate(f, a, "b", 1)))


def test_the_exception_is_not_kept_alive():
    # After the exception leaves integrate and is handled, nothing in the module holds it.
    # (Its traceback holds f's frame, which holds the closure cell that holds the exception:
    # a cycle, which only the cyclic GC frees.)
    exception = Boom()

    def f(x):
        raise exception

    gc.collect()
    before = sys.getrefcount(exception)
    for _ in range(100):
        with pytest.raises(Boom):
            integrate(f, 0.0, 1.0, 5)
    exception.__traceback__ = None
    gc.collect()
    assert sys.getrefcount(exception) == before


def test_nested_integrals_and_other_recipes_from_f():
    # The context of each call lives on its own C stack frame: nothing is shared.
    def inner(x):
        return integrate(lambda y: x * y + fib(10), 0.0, 1.0, 10)

    expected = midpoint(lambda x: midpoint(lambda y: x * y + 55, 0.0, 1.0, 10), 0.0, 1.0, 10)
    assert integrate(inner, 0.0, 1.0, 10) == expected


def test_an_exception_in_a_nested_call_leaves_both_levels():
    exception = Boom()
    outer_calls = []

    def inner(y):
        raise exception

    def outer(x):
        outer_calls.append(x)
        return integrate(inner, 0.0, 1.0, 3)

    with pytest.raises(Boom) as caught:
        integrate(outer, 0.0, 1.0, 3)
    assert caught.value is exception
    assert {outer.__code__, inner.__code__} <= set(frames_of(exception))
    assert len(outer_calls) == 1


def test_eight_threads_at_once():
    def f(x):
        return math.sin(x) * x

    expected = midpoint(f, 0.0, 2.0, 20_000)
    barrier = threading.Barrier(8)
    results = []

    def work():
        barrier.wait()
        results.append(integrate(f, 0.0, 2.0, 20_000))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch between the threads' callbacks often
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old)
    assert results == [expected] * 8
