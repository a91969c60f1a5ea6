"""Integer and path arguments: strict operator.index() semantics in all three.

Each library's own integer conversion gets something wrong for this contract
(pybind11 truncates Decimal unless .noconvert(), nanobind's .noconvert() refuses
bool, Boost refuses __index__ objects, all three mangle 2**100 into the wrong
error), which is why the bindings convert integers themselves. The messages are
the contract's (docs/contract.md in the cookbook repository), word for word.
"""

from __future__ import annotations

import decimal
import fractions
import os
import re

import pytest

FIB_NEGATIVE = "{}() argument must be >= 0"
FIB_TOO_LARGE = "{}() argument must be <= 93: the result would not fit in 64 bits"
PI_RANGE = "calc_pi() digits must be between 0 and 10000"
N_NEGATIVE = "most_common() n must be >= 0"
ELEMENT_RANGE = "LinearRecurrence {} must fit in signed 64 bits"


def exactly(message):
    """A pytest.raises(match=...) pattern for this message and nothing else."""
    return f"^{re.escape(message)}$"


class Index:
    """Like a NumPy integer: not an int, but has __index__."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class IndexError_(Exception):
    pass


class BrokenIndex:
    def __index__(self):
        raise IndexError_("raised by __index__")


class MyInt(int):
    pass


NOT_INTEGERS = [1.0, 2.5, decimal.Decimal(3), fractions.Fraction(3, 1), "3", b"3", None, 3j, [3]]


@pytest.mark.parametrize("value", NOT_INTEGERS, ids=repr)
def test_non_integers_raise_type_error(recipes, value, tmp_path):
    (tmp_path / "f").write_text("a")
    for call in (recipes.fib, recipes.fib_recursive, recipes.calc_pi,
                 lambda v: recipes.most_common(tmp_path / "f", v),
                 lambda v: recipes.LinearRecurrence([v], [1]),
                 lambda v: recipes.LinearRecurrence([1], [v])):
        with pytest.raises(TypeError):
            call(value)


@pytest.mark.parametrize("value", [True, MyInt(5), Index(5)], ids=repr)
def test_integer_likes_are_accepted(recipes, value):
    expected = int(value.__index__())
    assert recipes.fib(value) == recipes.fib(expected)
    assert recipes.calc_pi(value) == recipes.calc_pi(expected)
    sequence = recipes.LinearRecurrence([value], [value])
    assert next(sequence) == expected


def test_numpy_integers_are_accepted(recipes):
    numpy = pytest.importorskip("numpy")
    assert recipes.fib(numpy.int64(10)) == 55
    assert recipes.calc_pi(numpy.uint8(2)) == "3.14"


def test_exception_from_index_propagates_unchanged(recipes, tmp_path):
    (tmp_path / "f").write_text("a")
    for call in (recipes.fib, recipes.calc_pi,
                 lambda v: recipes.most_common(tmp_path / "f", v),
                 lambda v: recipes.LinearRecurrence([1, v], [1, 2])):
        with pytest.raises(IndexError_, match="raised by __index__"):
            call(BrokenIndex())


@pytest.mark.parametrize("call", [
    lambda r: r.fib(n=3),
    lambda r: r.fib_recursive(n=3),
    lambda r: r.calc_pi(digits=3),
    lambda r: r.most_common(path="x", n=3),
    lambda r: r.LinearRecurrence(coefficients=[1], initial=[1]),
    lambda r: r.fib(),
    lambda r: r.fib(1, 2),
    lambda r: r.most_common("x"),
    lambda r: r.LinearRecurrence([1]),
])
def test_positional_only_and_argument_count(recipes, call):
    with pytest.raises(TypeError):
        call(recipes)


# Ints of any size: far beyond 64 bits, and beyond the 4300 digits that str()
# refuses to convert, so a message that quoted the value would itself fail.
HUGE = 10**5000
NEGATIVE = [-1, -(2**63), -(2**100), -HUGE, Index(-HUGE)]
TOO_LARGE = [2**63, 2**64, 2**100, HUGE, Index(HUGE)]
IDS = ["-1", "-2**63", "-2**100", "-10**5000", "Index(-10**5000)"]
LARGE_IDS = ["2**63", "2**64", "2**100", "10**5000", "Index(10**5000)"]


@pytest.mark.parametrize("value", NEGATIVE, ids=IDS)
def test_negative_integers_of_any_size(recipes, value, tmp_path):
    (tmp_path / "f").write_text("b a b")
    for name in ("fib", "fib_recursive"):
        with pytest.raises(ValueError, match=exactly(FIB_NEGATIVE.format(name))):
            getattr(recipes, name)(value)
    with pytest.raises(ValueError, match=exactly(PI_RANGE)):
        recipes.calc_pi(value)
    with pytest.raises(ValueError, match=exactly(N_NEGATIVE)):
        recipes.most_common(tmp_path / "f", value)


@pytest.mark.parametrize("value", [10001, *TOO_LARGE], ids=["10001", *LARGE_IDS])
def test_large_integers_of_any_size(recipes, value, tmp_path):
    (tmp_path / "f").write_text("b a b")
    for name in ("fib", "fib_recursive"):
        with pytest.raises(OverflowError, match=exactly(FIB_TOO_LARGE.format(name))):
            getattr(recipes, name)(value)
    with pytest.raises(ValueError, match=exactly(PI_RANGE)):
        recipes.calc_pi(value)
    # A huge n simply means "every word".
    assert recipes.most_common(tmp_path / "f", value) == [("b", 2), ("a", 1)]


@pytest.mark.parametrize(
    "values",
    [[2**63], [-(2**63) - 1], [2**100], [HUGE], [-HUGE], [Index(HUGE)]],
    ids=["2**63", "-2**63-1", "2**100", "10**5000", "-10**5000", "Index(10**5000)"],
)
def test_recurrence_elements_must_fit_int64(recipes, values):
    with pytest.raises(OverflowError, match=exactly(ELEMENT_RANGE.format("coefficients"))):
        recipes.LinearRecurrence(values, [1])
    with pytest.raises(OverflowError, match=exactly(ELEMENT_RANGE.format("initial values"))):
        recipes.LinearRecurrence([1], values)
    assert next(recipes.LinearRecurrence([2**63 - 1], [-(2**63)])) == -(2**63)


def test_recurrence_argument_errors_come_in_order(recipes):
    # The reference's order: coefficients converted fully, then initial values,
    # then "no coefficients", then the lengths.
    with pytest.raises(TypeError):
        recipes.LinearRecurrence(5, [1])
    with pytest.raises(TypeError):  # the element error wins over the length error
        recipes.LinearRecurrence([1, 2], [1.5])
    with pytest.raises(OverflowError, match="coefficients"):  # before `initial` is looked at
        recipes.LinearRecurrence([HUGE], None)
    with pytest.raises(OverflowError, match="initial values"):  # before the emptiness check
        recipes.LinearRecurrence([], [HUGE])
    with pytest.raises(ValueError, match=exactly("LinearRecurrence needs at least one coefficient")):
        recipes.LinearRecurrence([], [1])
    for coefficients, initial in (([1, 1], [1]), ([1], [])):
        message = (f"LinearRecurrence needs as many initial values as coefficients "
                   f"(got {len(initial)} for {len(coefficients)})")
        with pytest.raises(ValueError, match=exactly(message)):
            recipes.LinearRecurrence(coefficients, initial)


class FsPath:
    def __init__(self, path):
        self.path = path

    def __fspath__(self):
        return self.path


def test_path_arguments(recipes, tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("x y x")
    assert recipes.most_common(FsPath(str(path)), 1) == [("x", 2)]
    for bad in (os.fsencode(path), FsPath(os.fsencode(path)), 3, None):
        with pytest.raises(TypeError):
            recipes.most_common(bad, 1)
    with pytest.raises(ValueError, match="embedded null byte"):
        recipes.most_common(str(path) + "\0", 1)
