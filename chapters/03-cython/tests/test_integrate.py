"""integrate in Cython: a Python callable called back from a C core, exceptions kept and raised
again (the same object), re-entrancy, and the failure mode of a callback that swallows them."""

import gc
import math
import sys
import threading
import weakref
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import recipes_cython
from recipes_cython import _core, _pitfalls, _recipes, untyped

MODULES = [recipes_cython, untyped]


def midpoint(f, a, b, n):
    """The contract's formula, one Python float at a time (as the reference computes it)."""
    h = (b - a) / n
    total = 0.0
    for i in range(n):
        total += float(f(a + (i + 0.5) * h))
    return total * h


class Scaled:
    """A callable object, not a function."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, x):
        return self.factor * x


class Boom(Exception):
    pass


def frames_of(error):
    """The code objects of every frame in the exception's traceback, outermost first."""
    tb, codes = error.__traceback__, []
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


def same_bits(x, y):
    return np.float64(x).view(np.uint64) == np.float64(y).view(np.uint64)


INTEGRANDS = {
    "math.sin": math.sin,
    "lambda": lambda x: x * x - 3.0 * x,
    "callable object": Scaled(2.5),
    "returns int": lambda x: int(x * 10),
    "returns Fraction": lambda x: Fraction(x) / 3,
    "returns Decimal": lambda x: Decimal(x) * 2,
    "returns numpy.float64": lambda x: np.cos(np.float64(x)),
    "returns bool": lambda x: x > 0.5,
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("name", INTEGRANDS)
@pytest.mark.parametrize(("a", "b", "n"), [(0.0, 1.0, 1), (0.0, 1.0, 1000), (-2.5, 7.0, 333), (3, -1, 10)])
def test_the_formula_bit_for_bit(module, name, a, b, n):
    f = INTEGRANDS[name]
    assert same_bits(module.integrate(f, a, b, n), midpoint(f, a, b, n))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_f_is_called_once_per_step_in_order_with_a_float(module):
    seen = []

    def f(x):
        seen.append(x)
        return 0.0

    module.integrate(f, 1.0, 2.0, 8)
    assert seen == [1.0 + (i + 0.5) * 0.125 for i in range(8)]
    assert all(type(x) is float for x in seen)


# --- exceptions survive the trip ------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("kind", [Boom, KeyboardInterrupt, SystemExit, StopIteration, GeneratorExit])
def test_what_f_raises_propagates_unchanged(module, kind):
    raised = kind("from f")
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise raised
        return x

    with pytest.raises(kind) as caught:
        module.integrate(f, 0.0, 1.0, 10)
    assert caught.value is raised  # the very object, not a copy or a wrapper
    assert f.__code__ in frames_of(caught.value)  # f's frame is still in its traceback
    assert len(calls) == 3  # and f was not called again


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("result", "error"), [("1.0", TypeError), (None, TypeError), (1j, TypeError), (10**400, OverflowError)]
)
def test_a_result_that_is_not_a_real_number_stops_the_loop(module, result, error):
    calls = []

    def f(x):
        calls.append(x)
        return result if len(calls) == 2 else x

    with pytest.raises(error):
        module.integrate(f, 0.0, 1.0, 10)
    assert len(calls) == 2


def test_the_binding_keeps_the_exception_only_until_it_raises_it():
    # call_python keeps what f raised in the CallbackState; once integrate() has raised it, the
    # binding holds no reference: dropping ours frees it at once, without the cycle collector.
    def f(x):
        raise Boom()

    gc.disable()
    try:
        try:
            recipes_cython.integrate(f, 0.0, 1.0, 5)
        except Boom as error:
            gone = weakref.ref(error)
        assert gone() is None
    finally:
        gc.enable()


def test_results_and_functions_are_released():
    result = Fraction(1, 3)  # f returns this very object every time

    def f(x):
        return result

    def g(x):
        raise Boom()

    before = sys.getrefcount(result), sys.getrefcount(f), sys.getrefcount(g)
    for _ in range(100):
        recipes_cython.integrate(f, 0.0, 1.0, 100)
        with pytest.raises(Boom):
            recipes_cython.integrate(g, 0.0, 1.0, 100)
    assert (sys.getrefcount(result), sys.getrefcount(f), sys.getrefcount(g)) == before


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((None, 0.0, 1.0, 10), TypeError, "integrate() f must be callable, not NoneType"),
        ((math.sin, 0.0, 1.0, 0), ValueError, "integrate() n must be >= 1"),
        ((math.sin, 0.0, 1.0, -(2**100)), ValueError, "integrate() n must be >= 1"),
        ((math.sin, 0.0, 1.0, 2**63), OverflowError, "integrate() n must fit in signed 64 bits"),
        ((math.sin, 10**400, 1.0, 10), OverflowError, "int too large to convert to float"),
        # the order: f, then a, then b, then n's conversion, then the core's n >= 1
        ((None, "a", "b", "n"), TypeError, "integrate() f must be callable, not NoneType"),
        ((math.sin, 0.0, 10**400, 2**63), OverflowError, "int too large to convert to float"),
        ((math.sin, 0.0, 1.0, 1.5), TypeError, None),
        ((math.sin, "0", 1.0, 0), TypeError, None),
    ],
)
def test_argument_errors(module, args, error, message):
    with pytest.raises(error) as caught:
        module.integrate(*args)
    if message is not None:
        assert str(caught.value) == message


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_a_float_subclass_is_read_as_a_float(module):
    class Odd(float):
        def __float__(self):
            return 42.0

    assert module.integrate(lambda x: Odd(2.0), Odd(0.0), Odd(1.0), 4) == 2.0


# --- re-entrancy and threads ----------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_f_may_call_integrate_and_the_other_recipes(module):
    def inner(y):
        return module.integrate(lambda x: x * y + module.fib(10), 0.0, 1.0, 20)

    expected = midpoint(lambda y: midpoint(lambda x: x * y + 55, 0.0, 1.0, 20), 0.0, 2.0, 30)
    assert same_bits(module.integrate(inner, 0.0, 2.0, 30), expected)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_eight_threads_at_once(module):
    expected = midpoint(math.cos, 0.0, 3.0, 5000)
    barrier = threading.Barrier(8)
    results = []

    def work():
        barrier.wait()
        results.extend(module.integrate(math.cos, 0.0, 3.0, 5000) for _ in range(5))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    assert all(same_bits(r, expected) for r in results)


# --- what is special to Cython --------------------------------------------------------------


def test_the_core_exports_integrate_and_the_state_stays_private():
    assert "integrate" in _core.__pyx_capi__
    # @cython.internal: the CallbackState type is used by the module, but is not one of its names
    assert not hasattr(_recipes, "CallbackState")


def test_pitfall_a_noexcept_callback_swallows_what_f_raises(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) > 4:
            raise Boom("lost")
        return 1.0

    integral = _pitfalls.integrate_swallowing(f, 0.0, 1.0, 10)  # no exception...
    assert isinstance(integral, float)  # ...but a number, made of stale values
    assert len(calls) == 10  # f was called on after every failure
    assert [type(report.exc_value) for report in seen] == [Boom] * 6  # each printed, then dropped
