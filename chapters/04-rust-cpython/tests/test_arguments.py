"""Argument handling: positional-only parameters and operator.index() semantics.

rust-cpython's own parameter lists accept keywords and map ranges to its own errors,
so the binding parses `*args, **kwargs` itself (see `positional` and `index` in
src/binding.rs). `typed_argument_demo` is the crate's way, kept for comparison.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

import recipes_rust_cpython as r
from recipes_rust_cpython import _native


class Index:
    """Not an int, but usable as one through __index__ (like numpy.int64)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class BrokenIndex:
    def __index__(self):
        raise ZeroDivisionError("from __index__")


INT_FUNCTIONS = [r.fib, r.fib_recursive, r.calc_pi]


@pytest.mark.parametrize("function", INT_FUNCTIONS)
def test_keywords_are_refused(function):
    with pytest.raises(TypeError, match="keyword"):
        function(n=3)
    with pytest.raises(TypeError, match="keyword"):
        r.most_common(path="x", n=1)
    with pytest.raises(TypeError, match="keyword"):
        r.LinearRecurrence(coefficients=[1], initial=[1])


@pytest.mark.parametrize("function", INT_FUNCTIONS)
def test_wrong_argument_counts(function):
    with pytest.raises(TypeError, match="exactly 1 argument"):
        function()
    with pytest.raises(TypeError, match="exactly 1 argument"):
        function(1, 2)
    with pytest.raises(TypeError, match="exactly 2 arguments"):
        r.most_common("x")
    with pytest.raises(TypeError, match="exactly 2 arguments"):
        r.LinearRecurrence([1])


@pytest.mark.parametrize("function", INT_FUNCTIONS)
@pytest.mark.parametrize(
    "value", [1.0, "1", b"1", None, Decimal(1), Fraction(1), 1j, [1]]
)
def test_non_integers_are_type_errors(function, value):
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        function(value)


def test_index_protocol_is_honoured():
    assert r.fib(True) == 1
    assert r.fib(Index(10)) == 55
    assert r.calc_pi(Index(2)) == "3.14"
    assert list(zip(range(3), r.LinearRecurrence([Index(1)], [Index(7)]))) == [
        (0, 7),
        (1, 7),
        (2, 7),
    ]


@pytest.mark.parametrize("function", INT_FUNCTIONS)
def test_an_exception_from_index_propagates_unchanged(function):
    with pytest.raises(ZeroDivisionError, match="from __index__"):
        function(BrokenIndex())


def test_range_errors_are_ours_even_for_huge_ints():
    for n in (-1, -(2**63), -(2**63) - 1, -(2**100)):
        with pytest.raises(ValueError):
            r.fib(n)
        with pytest.raises(ValueError):
            r.calc_pi(n)
    for n in (94, 2**63, 2**64, 2**100):
        with pytest.raises(OverflowError):
            r.fib(n)
        with pytest.raises(OverflowError):
            r.fib_recursive(n)
    for n in (10001, 2**63, 2**64, 2**100):
        with pytest.raises(ValueError):
            r.calc_pi(n)


def test_error_messages_never_call_str_on_huge_ints():
    # Python 3.11+ refuses str() of ints above 4300 digits with ValueError; an error
    # message built with str(n) would turn OverflowError into ValueError.
    huge = 10**5000
    with pytest.raises(OverflowError):
        r.fib(huge)
    with pytest.raises(OverflowError):
        r.LinearRecurrence([huge], [1])


def test_the_crates_own_u64_extraction_is_not_what_we_want():
    # Keywords work (the parameter is named after the Rust variable) ...
    assert _native.typed_argument_demo(n=3) == 3
    # ... floats and strings are refused: 0.7.2 calls PyNumber_Index ...
    with pytest.raises(TypeError):
        _native.typed_argument_demo(3.0)
    with pytest.raises(TypeError):
        _native.typed_argument_demo("3")
    # ... but a negative number is an OverflowError, where fib() must raise ValueError.
    with pytest.raises(OverflowError, match="negative"):
        _native.typed_argument_demo(-1)
    with pytest.raises(OverflowError):
        _native.typed_argument_demo(2**64)
