"""Argument handling: positional-only parameters and operator.index() semantics.

rust-cpython's own parameter lists accept keywords and map ranges to its own errors,
so the binding parses `*args, **kwargs` itself (see `positional` and `index` in
src/binding.rs). `typed_argument_demo` is the crate's way, kept for comparison.
"""

import operator
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
    assert list(zip(range(3), r.LinearRecurrence([Index(1)], [Index(7)]), strict=False)) == [
        (0, 7),
        (1, 7),
        (2, 7),
    ]


@pytest.mark.parametrize("function", INT_FUNCTIONS)
def test_an_exception_from_index_propagates_unchanged(function):
    with pytest.raises(ZeroDivisionError, match="from __index__"):
        function(BrokenIndex())


NEGATIVE = r"fib\(\) argument must be >= 0$"
TOO_LARGE = r"fib\(\) argument must be <= 93: the result would not fit in 64 bits$"
PI_RANGE = r"^calc_pi\(\) digits must be between 0 and 10000$"


def test_range_errors_are_ours_even_for_huge_ints():
    for n in (-1, -(2**63), -(2**63) - 1, -(2**100)):
        with pytest.raises(ValueError, match=r"^" + NEGATIVE):
            r.fib(n)
        with pytest.raises(ValueError, match=PI_RANGE):
            r.calc_pi(n)
    for n in (94, 2**63, 2**64, 2**100):
        with pytest.raises(OverflowError, match=r"^" + TOO_LARGE):
            r.fib(n)
        with pytest.raises(OverflowError, match=r"^fib_recursive" + TOO_LARGE[3:]):
            r.fib_recursive(n)
    for n in (10001, 2**63, 2**64, 2**100):
        with pytest.raises(ValueError, match=PI_RANGE):
            r.calc_pi(n)


@pytest.mark.parametrize(
    "huge",
    [10**5000, -(10**5000), Index(10**5000), Index(-(10**5000))],
    ids=["10**5000", "-10**5000", "Index(10**5000)", "Index(-10**5000)"],
)
def test_ints_beyond_the_str_limit_get_the_contracts_errors(huge):
    # Python 3.11+ refuses str() of ints above 4300 digits with ValueError; a message that
    # quoted the argument would turn the contract's error into that one. None does.
    positive = operator.index(huge) > 0
    with pytest.raises(OverflowError if positive else ValueError, match=TOO_LARGE if positive else NEGATIVE):
        r.fib(huge)
    with pytest.raises(ValueError, match=PI_RANGE):
        r.calc_pi(huge)
    with pytest.raises(OverflowError, match=r"^LinearRecurrence coefficients must fit in signed 64 bits$"):
        r.LinearRecurrence([huge], [1])
    with pytest.raises(OverflowError, match=r"^LinearRecurrence initial values must fit in signed 64 bits$"):
        r.LinearRecurrence([1], [huge])


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
