"""Argument conversion: how the binding layer turns Python objects into Rust values.

PyO3 extracts arguments through the FromPyObject trait. The recipes use two small custom
extractors from src/binding.rs: IndexArg (operator.index semantics, remembering the sign of
ints beyond 64 bits) and StrPath (os.fspath, str only).
"""

import operator
import traceback
from decimal import Decimal
from fractions import Fraction

import pytest


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class IndexRaises:
    def __index__(self):
        raise ZeroDivisionError("raised inside __index__")


class IntSubclass(int):
    def __index__(self):  # never consulted: an int subclass is already an int
        raise AssertionError("not called")


NOT_INTEGERS = [1.0, 2.5, float("nan"), "3", b"3", None, [3], 3 + 0j, Decimal(3), Fraction(3, 1)]


@pytest.mark.parametrize("bad", NOT_INTEGERS, ids=repr)
def test_non_integers_raise_type_error(recipes, bad, tmp_path):
    with pytest.raises(TypeError):
        recipes.fib(bad)
    with pytest.raises(TypeError):
        recipes.fib_recursive(bad)
    with pytest.raises(TypeError):
        recipes.calc_pi(bad)
    with pytest.raises(TypeError):
        recipes.most_common(tmp_path, bad)
    with pytest.raises(TypeError):
        recipes.LinearRecurrence([1, bad], [0, 1])


def test_integer_likes_are_accepted(recipes):
    assert recipes.fib(True) == 1
    assert recipes.fib(False) == 0
    assert recipes.fib(IntSubclass(10)) == 55
    assert recipes.fib(Index(10)) == 55
    assert recipes.calc_pi(Index(2)) == "3.14"
    assert next(recipes.LinearRecurrence([Index(1)], [Index(7)])) == 7


def test_index_exception_propagates_with_its_traceback(recipes):
    # __index__ is Python code called back from Rust: its exception travels through PyO3 as a
    # PyErr holding the very same exception object, so type, message and traceback survive.
    with pytest.raises(ZeroDivisionError, match="raised inside __index__") as excinfo:
        recipes.fib(IndexRaises())
    frames = [frame.name for frame in traceback.extract_tb(excinfo.value.__traceback__)]
    assert frames[-1] == "__index__"
    # PyO3 (0.30) adds a note naming the argument it was converting (Python >= 3.11).
    notes = getattr(excinfo.value, "__notes__", ["while processing 'n'"])
    assert notes == ["while processing 'n'"]


NEGATIVE = r"^fib\(\) argument must be >= 0$"
TOO_LARGE = r"^fib\(\) argument must be <= 93: the result would not fit in 64 bits$"
PI_RANGE = r"^calc_pi\(\) digits must be between 0 and 10000$"
N_NEGATIVE = r"^most_common\(\) n must be >= 0$"
COEFFICIENTS_RANGE = r"^LinearRecurrence coefficients must fit in signed 64 bits$"
INITIAL_RANGE = r"^LinearRecurrence initial values must fit in signed 64 bits$"

# Ints of any size, also beyond the 4300 digits str() accepts (no message quotes them).
HUGE = [2**100, 10**5000, Index(10**5000)]
HUGE_IDS = ["2**100", "10**5000", "Index(10**5000)"]
NEGATIVE_HUGE = [-(2**100), -(10**5000), Index(-(10**5000))]


@pytest.mark.parametrize("huge", HUGE, ids=HUGE_IDS)
def test_huge_positive_integers(recipes, huge, tmp_path):
    # PyO3's own i64 extraction would raise its OverflowError; the contract needs the sign.
    with pytest.raises(OverflowError, match=TOO_LARGE):
        recipes.fib(huge)
    with pytest.raises(OverflowError, match="^fib_recursive" + TOO_LARGE[4:]):
        recipes.fib_recursive(huge)
    with pytest.raises(ValueError, match=PI_RANGE):
        recipes.calc_pi(huge)
    words = tmp_path / "w.txt"
    words.write_text("a b b")
    assert recipes.most_common(words, huge) == [("b", 2), ("a", 1)]  # huge n means all
    with pytest.raises(OverflowError, match=COEFFICIENTS_RANGE):
        recipes.LinearRecurrence([1, huge], [0, 1])
    with pytest.raises(OverflowError, match=INITIAL_RANGE):
        recipes.LinearRecurrence([1], [huge])


@pytest.mark.parametrize("huge", NEGATIVE_HUGE, ids=["-" + name for name in HUGE_IDS])
def test_huge_negative_integers(recipes, huge, tmp_path):
    with pytest.raises(ValueError, match=NEGATIVE):
        recipes.fib(huge)
    with pytest.raises(ValueError, match="^fib_recursive" + NEGATIVE[4:]):
        recipes.fib_recursive(huge)
    with pytest.raises(ValueError, match=PI_RANGE):
        recipes.calc_pi(huge)
    with pytest.raises(ValueError, match=N_NEGATIVE):
        recipes.most_common(tmp_path / "missing.txt", huge)  # n is checked before the file
    with pytest.raises(OverflowError, match=COEFFICIENTS_RANGE):
        recipes.LinearRecurrence([huge], [0])
    with pytest.raises(OverflowError, match=INITIAL_RANGE):
        recipes.LinearRecurrence([1], [huge])


def test_the_i64_range_is_exact(recipes):
    assert next(recipes.LinearRecurrence([1], [-(2**63)])) == -(2**63)
    assert next(recipes.LinearRecurrence([2**63 - 1], [1])) == 1
    with pytest.raises(OverflowError, match=COEFFICIENTS_RANGE):
        recipes.LinearRecurrence([1, 2**63], [0, 1])
    with pytest.raises(OverflowError, match=INITIAL_RANGE):
        recipes.LinearRecurrence([1], [-(2**63) - 1])


def test_messages_are_the_contracts(recipes):
    with pytest.raises(ValueError, match=NEGATIVE):
        recipes.fib(-1)
    with pytest.raises(OverflowError, match=TOO_LARGE):
        recipes.fib(94)
    with pytest.raises(ValueError, match=PI_RANGE):
        recipes.calc_pi(10001)
    with pytest.raises(
        ValueError,
        match=r"^LinearRecurrence needs as many initial values as coefficients \(got 1 for 2\)$",
    ):
        recipes.LinearRecurrence([1, 1], [0])
    with pytest.raises(ValueError, match=r"^LinearRecurrence needs at least one coefficient$"):
        recipes.LinearRecurrence([], [])
    overflowing = recipes.LinearRecurrence([2], [2**62])
    assert next(overflowing) == 2**62
    for _ in range(2):  # the overflow is sticky
        with pytest.raises(
            OverflowError, match=r"^the next term of this LinearRecurrence overflows signed 64 bits$"
        ):
            next(overflowing)


def test_parameters_are_positional_only(recipes, tmp_path):
    with pytest.raises(TypeError):
        recipes.fib(n=3)
    with pytest.raises(TypeError):
        recipes.calc_pi(digits=3)
    with pytest.raises(TypeError):
        recipes.most_common(path=tmp_path, n=1)
    with pytest.raises(TypeError):
        recipes.LinearRecurrence(coefficients=[1], initial=[1])
    for wrong_count in [(), (1, 2)]:
        with pytest.raises(TypeError):
            recipes.fib(*wrong_count)


def test_linear_recurrence_takes_any_iterable(recipes):
    # PyO3's Vec<i64> extraction wants a sequence; iterating ourselves accepts generators too.
    recurrence = recipes.LinearRecurrence((c for c in [1, 1]), iter([0, 1]))
    assert [next(recurrence) for _ in range(5)] == [0, 1, 1, 2, 3]
    assert recipes.LinearRecurrence(range(1, 2), {5: "x"}).__next__() == 5
    with pytest.raises(TypeError, match="coefficients must be an iterable"):
        recipes.LinearRecurrence(3, [1])
    with pytest.raises(TypeError):  # a str iterates, but its items are not integers
        recipes.LinearRecurrence("1", [1])


def test_iterator_protocol(recipes):
    recurrence = recipes.LinearRecurrence([1], [1])
    assert iter(recurrence) is recurrence
    assert operator.length_hint(recurrence) == 0  # no __len__: the sequence never ends


def test_path_arguments(recipes, tmp_path):
    class StrPathLike:
        def __fspath__(self):
            return str(tmp_path / "w.txt")

    class BytesPathLike:
        def __fspath__(self):
            return bytes(tmp_path / "w.txt")

    (tmp_path / "w.txt").write_text("x")
    assert recipes.most_common(StrPathLike(), 1) == [("x", 1)]
    for bad in [bytes(tmp_path / "w.txt"), BytesPathLike(), 3, None]:
        with pytest.raises(TypeError):
            recipes.most_common(bad, 1)
    # The path is checked before n, as the reference does.
    with pytest.raises(TypeError, match="path"):
        recipes.most_common(b"x", 1.5)


def test_results_are_plain_python_objects(recipes, tmp_path):
    # Conversions copy: a Rust String becomes a new str, a Vec of tuples a new list.
    (tmp_path / "w.txt").write_text("a a b")
    first = recipes.most_common(tmp_path / "w.txt", 2)
    second = recipes.most_common(tmp_path / "w.txt", 2)
    assert type(first) is list
    assert type(first[0]) is tuple
    assert type(first[0][0]) is str
    assert first == second
    assert first is not second
    assert type(recipes.fib(5)) is int
    assert type(recipes.calc_pi(3)) is str
