"""integrate: calling Python back from C++, through each of the three libraries.

The cookbook's conformance suite compares integrate with the reference on values, call order,
errors and threads. These tests cover what is particular to the C++ layers: the exception each
library carries through the C++ core (pybind11's error_already_set, nanobind's python_error,
Boost.Python's error_already_set with the error left set in the interpreter) comes out as the
very object f raised, across all three libraries in one nested call too; f's result is converted
by PyFloat_AsDouble's rule, where each library's own double conversion has rules and errors of
its own; and the references to f's argument and result are released.
"""

from __future__ import annotations

import importlib
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from conftest import MODULES


class Boom(Exception):
    pass


def frames(error: BaseException) -> list:
    """The code objects of the frames in error's traceback, outermost first."""
    codes, tb = [], error.__traceback__
    while tb is not None:
        codes.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return codes


def midpoints(a: float, b: float, n: int) -> list[float]:
    h = (b - a) / n
    return [a + (i + 0.5) * h for i in range(n)]


def test_known_values(recipes):
    assert recipes.integrate(lambda x: x * x, 0.0, 1.0, 4) == 0.328125
    assert recipes.integrate(lambda x: 1, 0, 3, 3) == 3.0  # int bounds, int results
    assert recipes.integrate(abs, -1.0, 1.0, 2) == 1.0  # a C built-in as f


def test_the_exception_f_raised_comes_out_unchanged(recipes):
    boom = Boom("from f")
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise boom
        return x

    with pytest.raises(Boom) as caught:
        recipes.integrate(f, 0.0, 1.0, 10)
    assert caught.value is boom  # not a copy, not a RuntimeError that quotes it
    assert f.__code__ in frames(caught.value)  # the traceback still reaches into f
    assert len(calls) == 3  # and f was not called again


@pytest.mark.parametrize("kind", [KeyboardInterrupt, SystemExit, StopIteration, GeneratorExit])
def test_base_exceptions_pass_too(recipes, kind):
    # pybind11 and nanobind fetch any BaseException into their C++ exception and restore it;
    # a C++ `catch (const std::exception &)` that turned them into RuntimeError would be a bug.
    raised = kind()

    def f(x):
        raise raised

    with pytest.raises(kind) as caught:
        recipes.integrate(f, 0.0, 1.0, 5)
    assert caught.value is raised


def test_nested_across_the_three_libraries():
    # Boost.Python calls f, which calls pybind11's integrate, whose f calls nanobind's, whose f
    # raises: the error crosses three different C++ exception types, and three copies of the
    # core, and the outermost caller still gets the object, with the innermost f in its traceback.
    # (Where a build leaves Boost.Python out, pybind11 is the outermost too.)
    boost, pybind11, nanobind = (importlib.import_module(name)
                                 for name in [MODULES[0], "recipes_pybind11", "recipes_nanobind"])
    boom = Boom("innermost")

    def innermost(x):
        if x > 0.5:
            raise boom
        return x

    def middle(y):
        return nanobind.integrate(innermost, 0.0, y, 4)

    def outer(z):
        return pybind11.integrate(middle, 0.0, 2.0 * z, 3)

    with pytest.raises(Boom) as caught:
        boost.integrate(outer, 0.0, 1.0, 5)
    assert caught.value is boom
    codes = frames(caught.value)
    assert [code for code in codes if code in (outer.__code__, middle.__code__, innermost.__code__)] == [
        outer.__code__, middle.__code__, innermost.__code__]


# f's result, converted as PyFloat_AsDouble converts: what the reference does, and what none of
# the three libraries' own double conversions does (see the chapter's README for what they do).
ACCEPTED_RESULTS = [0.25, 3, True, Fraction(1, 3), Decimal("0.1"), np.float32(0.5), np.int64(7), 2**1000]


@pytest.mark.parametrize("result", ACCEPTED_RESULTS, ids=repr)
def test_any_real_result_is_accepted(recipes, result):
    # Boost.Python's bp::call<double> would refuse the Fraction, the Decimal and the NumPy scalars.
    assert recipes.integrate(lambda x: result, 0.0, 2.0, 2) == float(result) * 2.0


REFUSED_RESULTS = [
    ("1.0", TypeError, "must be real number, not str"),
    (None, TypeError, "must be real number, not NoneType"),
    (1j, TypeError, "must be real number, not complex"),
    (10**400, OverflowError, "int too large to convert to float"),
]


@pytest.mark.parametrize(("result", "kind", "message"), REFUSED_RESULTS, ids=lambda v: repr(v)[:20])
def test_a_bad_result_raises_what_float_conversion_raises(recipes, result, kind, message):
    # pybind11's y.cast<double>() and nanobind's nb::cast<double>(y) would raise RuntimeError
    # for all four ("Unable to cast ...", "std::bad_cast").
    calls = []

    def f(x):
        calls.append(x)
        return result

    with pytest.raises(kind) as caught:
        recipes.integrate(f, 0.0, 1.0, 10)
    assert type(caught.value) is kind
    assert str(caught.value) == message
    assert len(calls) == 1


def test_an_exception_inside_float_of_the_result_is_the_same_object(recipes):
    boom = Boom("from __float__")

    class Result:
        def __float__(self):
            raise boom

    with pytest.raises(Boom) as caught:
        recipes.integrate(lambda x: Result(), 0.0, 1.0, 3)
    assert caught.value is boom


def test_references_to_the_argument_and_the_result_are_released(recipes):
    # Each x is a new float that the binding created for the call and must release after it: if
    # it kept a reference, x would count one more than a float that only a list holds.
    seen = []
    result = Fraction(1, 3)  # a result object f returns every time, converted and let go each time

    def f(x):
        seen.append(x)
        return result

    before = sys.getrefcount(result)
    recipes.integrate(f, 0.0, 1.0, 100)
    assert sys.getrefcount(result) == before
    only_in_a_list = [float(i) + 0.5 for i in range(3)]
    assert {sys.getrefcount(x) for x in seen} == {sys.getrefcount(x) for x in only_in_a_list}
    assert seen == midpoints(0.0, 1.0, 100)

    bad = "".join(["not ", "a number"])  # a fresh str: a result that fails to convert
    before = sys.getrefcount(bad)
    with pytest.raises(TypeError):
        recipes.integrate(lambda x: bad, 0.0, 1.0, 100)
    assert sys.getrefcount(bad) == before


def test_f_must_be_callable(recipes):
    # Exactly TypeError in all three. pybind11 and nanobind refuse a non-callable for
    # py::function / nb::callable before the body runs, with their own "incompatible function
    # arguments" message; Boost.Python takes a bp::object and checks it, in the reference's words
    # (its own refusal would be Boost.Python.ArgumentError, a TypeError subclass).
    with pytest.raises(TypeError) as caught:
        recipes.integrate(3, 0.0, 1.0, 4)
    assert type(caught.value) is TypeError
    if recipes.__name__ == "recipes_boost":
        assert str(caught.value) == "integrate() f must be callable, not int"
    else:
        assert "incompatible function arguments" in str(caught.value)


def never_called(x):
    raise AssertionError("f was called")


@pytest.mark.parametrize(("n", "kind", "message"), [
    (0, ValueError, "integrate() n must be >= 1"),
    (-(2**100), ValueError, "integrate() n must be >= 1"),  # saturated, then the core's check
    (2**63, OverflowError, "integrate() n must fit in signed 64 bits"),  # the binding's
    (10**5000, OverflowError, "integrate() n must fit in signed 64 bits"),  # no str() of it needed
], ids=["0", "-2**100", "2**63", "10**5000"])
def test_n_out_of_range_is_refused_before_f_is_called(recipes, n, kind, message):
    with pytest.raises(kind) as caught:
        recipes.integrate(never_called, 0.0, 1.0, n)
    assert str(caught.value) == message


def test_the_largest_n_is_accepted(recipes):
    # 2**63 - 1 steps fit: f raising on its first call proves the call got that far.
    boom = Boom("first call")

    def f(x):
        raise boom

    with pytest.raises(Boom):
        recipes.integrate(f, 0.0, 1.0, 2**63 - 1)


def test_bounds_are_converted_before_n(recipes):
    # The contract's order: f, a, b, then n. pybind11's index_arg caster or a typed nanobind
    # parameter would have converted n first, before the body.
    with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
        recipes.integrate(never_called, 10**400, 1.0, None)
    with pytest.raises(TypeError):
        recipes.integrate(never_called, 0.0, "1.0", 2**64)
