"""integrate: calling Python back from native code (docs/contract.md#integrate).

Values are compared bit for bit with the reference, and so are the points `f` is called at, in
order. Whatever `f` raises must come out as the same object, with `f`'s frame still in its
traceback, and `f` must not be called again. `f` may call the recipes, `integrate` included.
"""

from __future__ import annotations

import functools
import itertools
import math
import struct
import threading
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_threads import THREADS, run_in_threads

import support
from support import (
    EDGE_INTEGERS,
    HUGE,
    INTEGER_LIKE,
    NOT_INTEGERS,
    describe,
    outcome,
    outcome_type,
)


def bits(x: float) -> int | str:
    """A float's bit pattern (so -0.0 differs from 0.0); any NaN is "nan" (IEEE leaves its payload open)."""
    return "nan" if math.isnan(x) else struct.unpack("<q", struct.pack("<d", x))[0]


def outcome_bits(fn, *args):
    """outcome(), with a float result given as its bits: NaN equals NaN, -0.0 differs from 0.0."""
    result = outcome(fn, *args)
    return ("value", type(result[1]), bits(result[1])) if result[0] == "value" else result


class Recorder:
    """A callable object that records every x it is called with, and its type."""

    def __init__(self, f=lambda x: x * x):
        self.f, self.calls = f, []

    def __call__(self, x):
        self.calls.append((type(x), bits(x)))
        return self.f(x)


class FloatSubclass(float):
    def __float__(self):  # ignored: a float subclass is read as the float it is
        return 99.0


def cube(x):
    return x * x * x


INTEGRANDS = {
    "math.sin": math.sin,
    "math.exp": math.exp,
    "abs": abs,
    "lambda x: x * x": lambda x: x * x,
    "def cube": cube,
    "callable object": Recorder(math.cos),
    "functools.partial(pow, 2.0)": functools.partial(pow, 2.0),
    "bound method (0.5).__mul__": (0.5).__mul__,
    "float (the type)": float,
    "returns an int": lambda x: 3,
    "returns a huge int that fits a double": lambda x: 2**1000,
    "returns True": lambda x: True,
    "returns a Fraction": lambda x: Fraction(1, 3),
    "returns a Decimal": lambda x: Decimal("0.1"),
    "returns numpy.float64": lambda x: np.float64(x) / 3,
    "returns numpy.float32": np.float32,
    "returns numpy.int64": lambda x: np.int64(7),
    "returns a float subclass": FloatSubclass,
    "returns inf then nan": lambda x: math.inf if x < 0.5 else math.nan,
}
INTERVALS = [
    (0.0, 1.0, 1), (0.0, 1.0, 7), (0.0, 1.0, 1000), (-3.5, 2.25, 777), (1.0, 0.0, 10), (2.0, 2.0, 5),
    (0, 1, 3), (Fraction(1, 3), 2, 9), (np.float64(-1.5), np.int64(4), 11), (1e-300, 1e300, 13),
    (-0.0, 0.0, 2), (True, 5, 4), (0.0, 1.0, np.int64(64)), (0.0, 1.0, support.Index(5)),
]


@pytest.mark.parametrize("name", list(INTEGRANDS), ids=str)
@pytest.mark.parametrize("interval", INTERVALS, ids=describe)
def test_values_bit_for_bit(impl, ref, name, interval):
    f = INTEGRANDS[name]
    if isinstance(f, Recorder):  # a fresh one: the shared one would keep every call of every run
        f = Recorder(f.f)
    mine, theirs = outcome_bits(impl.integrate, f, *interval), outcome_bits(ref.integrate, f, *interval)
    assert mine == theirs  # a value, or what f raised (math.exp overflows on the widest interval)


@pytest.mark.parametrize("interval", [(math.inf, 1.0, 3), (0.0, math.nan, 3), (-math.inf, math.inf, 2), (1e308, -1e308, 3)],
                         ids=describe)
def test_infinite_and_nan_bounds_follow_ieee(impl, ref, interval):
    mine, theirs = Recorder(lambda x: x), Recorder(lambda x: x)
    assert bits(impl.integrate(mine, *interval)) == bits(ref.integrate(theirs, *interval))
    assert mine.calls == theirs.calls


@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(1, 60),
)
def test_points_and_values_property(impl, ref, a, b, n):
    mine, theirs = Recorder(lambda x: x * 0.5 - 1.0), Recorder(lambda x: x * 0.5 - 1.0)
    assert bits(impl.integrate(mine, a, b, n)) == bits(ref.integrate(theirs, a, b, n))
    assert mine.calls == theirs.calls  # the same points, in the same order, each a float


def test_called_once_per_point_in_order_with_exact_floats(impl, ref):
    mine, theirs = Recorder(), Recorder()
    impl.integrate(mine, -2.0, 3.0, 1001)
    ref.integrate(theirs, -2.0, 3.0, 1001)
    assert len(mine.calls) == 1001
    assert all(kind is float for kind, _ in mine.calls), "f must be called with an exact float"
    assert mine.calls == theirs.calls


# --- exceptions survive the trip ---------------------------------------------------------------


class Boom(Exception):
    pass


class BaseBoom(BaseException):
    pass


RAISED = {
    "Exception subclass": lambda: Boom("from f"),
    "ValueError": lambda: ValueError("a ValueError from f, not the contract's"),
    "OverflowError": lambda: OverflowError("an OverflowError from f"),
    "TypeError": lambda: TypeError("a TypeError from f"),
    "KeyboardInterrupt": KeyboardInterrupt,
    "SystemExit": lambda: SystemExit(3),
    "StopIteration": lambda: StopIteration("from f"),
    "GeneratorExit": GeneratorExit,
    "BaseException subclass": lambda: BaseBoom("from f"),
    "MemoryError": MemoryError,
    "RecursionError": lambda: RecursionError("from f"),
}


def raising_on_call(k: int, exc: BaseException):
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == k:
            raise exc
        return x

    return f, calls


def frames(exc: BaseException) -> list:
    tb, codes = exc.__traceback__, []
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


@pytest.mark.parametrize("kind", list(RAISED), ids=str)
@pytest.mark.parametrize("k", [1, 2, 50])
def test_exception_from_f_is_the_same_object_and_f_is_not_called_again(impl, kind, k):
    exc = RAISED[kind]()
    f, calls = raising_on_call(k, exc)
    with pytest.raises(BaseException) as caught:  # noqa: PT011 - identity is checked below
        impl.integrate(f, 0.0, 1.0, 100)
    assert caught.value is exc, f"got {caught.value!r} ({type(caught.value).__name__}), not the object f raised"
    assert len(calls) == k, f"f was called {len(calls)} times; it raised on call {k}"
    assert f.__code__ in frames(caught.value), "f's frame is missing from the traceback"


def test_exception_keeps_its_cause_context_and_notes(impl):
    try:
        raise KeyError("inner")
    except KeyError as inner:
        exc = Boom("outer")
        exc.__cause__ = inner
        if hasattr(exc, "add_note"):  # 3.11+
            exc.add_note("a note")

    def f(x):
        raise exc

    with pytest.raises(Boom) as caught:
        impl.integrate(f, 0.0, 1.0, 10)
    assert caught.value is exc
    assert isinstance(caught.value.__cause__, KeyError)
    assert getattr(caught.value, "__notes__", ["a note"]) == ["a note"]


class RealRaises:
    def __float__(self):
        raise Boom("raised inside __float__")


class FloatReturnsStr:
    def __float__(self):
        return "1.0"


class IndexOnly:
    def __index__(self):
        return 2**1100  # too large for a double: OverflowError


BAD_RESULTS = [
    "1.0", b"1.0", None, 1j, [1.0], (1.0,), object(), HUGE, -(2**1024), IndexOnly(), RealRaises(),
    FloatReturnsStr(), math.sin,
]


@pytest.mark.parametrize("result", BAD_RESULTS, ids=describe)
@pytest.mark.parametrize("k", [1, 3])
def test_bad_result_stops_at_once(impl, ref, result, k):
    def make():
        calls = []

        def f(x):
            calls.append(x)
            return result if len(calls) == k else x

        return f, calls

    f, calls = make()
    g, ref_calls = make()
    assert outcome_bits(impl.integrate, f, 0.0, 1.0, 10) == outcome_bits(ref.integrate, g, 0.0, 1.0, 10)
    assert len(calls) == len(ref_calls) == k


def test_exception_raised_inside_float_of_the_result_is_the_same_object(impl):
    boom = Boom("from __float__")

    class Result:
        def __float__(self):
            raise boom

    with pytest.raises(Boom) as caught:
        impl.integrate(lambda x: Result(), 0.0, 1.0, 5)
    assert caught.value is boom


# --- re-entrancy -------------------------------------------------------------------------------


def test_nested_integrals(impl, ref):
    def inner_of(m):
        return lambda y: m.integrate(lambda x: x * y + math.sin(x), 0.0, y, 17)

    mine = impl.integrate(inner_of(impl), 0.0, 2.0, 13)
    assert bits(mine) == bits(ref.integrate(inner_of(ref), 0.0, 2.0, 13))


def test_three_levels_and_an_error_from_the_innermost(impl):
    boom = Boom("innermost")

    def innermost(x):
        if x > 0.9:
            raise boom
        return x

    def middle(y):
        return impl.integrate(innermost, 0.0, y, 10)

    with pytest.raises(Boom) as caught:
        impl.integrate(lambda z: impl.integrate(lambda y: middle(y * z), 0.0, 1.0, 5), 0.0, 2.0, 5)
    assert caught.value is boom
    assert innermost.__code__ in frames(caught.value)


def test_f_may_call_every_other_recipe(impl, ref, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(b"a b b c c c " * 100)

    def using(m):
        def f(x):
            it = m.LinearRecurrence([1, 1], [0, 1])
            k = int(x * 40)
            return (m.fib(k) + m.fib_recursive(k % 12) + next(it) + len(m.calc_pi(k))
                    + m.most_common(path, 1)[0][1] + float(m.ewma(np.array([x, 1.0]), 0.5)[1]))
        return f

    assert bits(impl.integrate(using(impl), 0.0, 1.0, 40)) == bits(ref.integrate(using(ref), 0.0, 1.0, 40))


def test_f_may_use_threads_and_the_gil_is_held_while_it_runs(impl, ref):
    # f starts a thread and waits for it: a binding that called f without the GIL, or kept a
    # lock that the thread needs, would crash or deadlock here.
    def f(x):
        box = []
        t = threading.Thread(target=lambda: box.append(impl.integrate(math.sqrt, 0.0, x, 5)))
        t.start()
        t.join()
        return box[0]

    def g(x):
        return ref.integrate(math.sqrt, 0.0, x, 5)

    assert bits(impl.integrate(f, 0.0, 1.0, 8)) == bits(ref.integrate(g, 0.0, 1.0, 8))


# --- arguments ---------------------------------------------------------------------------------


def first_call_raises(x):
    raise Boom("f was called: the arguments were accepted")


NOT_CALLABLE = [None, 1, 1.5, "math.sin", b"f", [], (), {}, object(), Decimal(1)]


@pytest.mark.parametrize("f", NOT_CALLABLE, ids=describe)
def test_f_must_be_callable(impl, ref, f):
    assert outcome(impl.integrate, f, 0.0, 1.0, 3) == outcome(ref.integrate, f, 0.0, 1.0, 3)
    assert outcome_type(impl.integrate, f, 0.0, 1.0, 3)[1] is TypeError


class Real:
    def __float__(self):
        return 0.25


GOOD_BOUNDS = [0, -7, True, 2.5, -0.0, 1e308, np.float64(0.5), np.float32(0.5), np.int64(3), Fraction(1, 4), Real(),
               support.Index(1), FloatSubclass(0.75), 2**1000, math.inf, math.nan, Decimal("1e400")]
BAD_BOUNDS = ["0.5", b"0.5", None, 0.5j, [0.5], HUGE, -HUGE, 2**1024, RealRaises(), FloatReturnsStr(), IndexOnly()]


@pytest.mark.parametrize("bound", GOOD_BOUNDS + BAD_BOUNDS, ids=describe)
@pytest.mark.parametrize("which", ["a", "b"])
def test_bounds(impl, ref, bound, which):
    args = (bound, 1.0) if which == "a" else (0.0, bound)
    mine, theirs = Recorder(), Recorder()
    assert outcome_bits(impl.integrate, mine, *args, 3) == outcome_bits(ref.integrate, theirs, *args, 3)
    assert mine.calls == theirs.calls


@pytest.mark.parametrize("n", EDGE_INTEGERS + INTEGER_LIKE + NOT_INTEGERS, ids=describe)
def test_n(impl, ref, n):
    # f raises on its first call, so a valid n of any size ends at once with Boom
    assert outcome(impl.integrate, first_call_raises, 0.0, 1.0, n) == outcome(ref.integrate, first_call_raises, 0.0, 1.0, n)


def test_order_of_checks(impl, ref):
    fs = [None, first_call_raises]
    bounds = ["x", RealRaises(), HUGE, 0.5]
    ns = [None, 0, -HUGE, HUGE, 2**63, 3]
    for f, a, b, n in itertools.product(fs, bounds, bounds, ns):
        assert outcome(impl.integrate, f, a, b, n) == outcome(ref.integrate, f, a, b, n), (f, a, b, n)


@pytest.mark.parametrize(
    "call",
    ["integrate()", "integrate(f)", "integrate(f, 0, 1)", "integrate(f, 0, 1, 2, 3)",
     "integrate(f=f, a=0, b=1, n=2)", "integrate(f, 0, 1, n=2)"],
)
def test_wrong_argument_count_or_keywords(impl, call):
    kind, raised = outcome_type(eval, "impl." + call, {"impl": impl, "f": math.sin})
    assert kind == "raises"
    assert issubclass(raised, TypeError), raised


# --- threads -----------------------------------------------------------------------------------


def test_from_8_threads(impl, ref):
    expected = [ref.integrate(lambda x, i=i: x * x + i, 0.0, 1.0, 2000) for i in range(THREADS)]

    def work(i):
        return impl.integrate(lambda x: x * x + i, 0.0, 1.0, 2000)

    for i, results in enumerate(run_in_threads(work, rounds=5)):
        assert all(bits(r) == bits(expected[i]) for r in results)


def test_errors_from_8_threads_stay_in_their_thread(impl):
    def work(i):
        exc = Boom(i)
        f, calls = raising_on_call(10 + i, exc)
        try:
            impl.integrate(f, 0.0, 1.0, 1000)
        except Boom as caught:
            return caught is exc and len(calls) == 10 + i
        return False

    assert all(all(results) for results in run_in_threads(work, rounds=20))
