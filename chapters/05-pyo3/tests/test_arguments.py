"""Argument conversion: how the binding layer turns Python objects into Rust values.

PyO3 extracts arguments through the FromPyObject trait. The recipes use two small custom
extractors from src/binding.rs: IndexArg (operator.index semantics, remembering the sign of
ints beyond 64 bits) and StrPath (os.fspath, str only).
"""

import operator
import traceback
from fractions import Fraction
from decimal import Decimal

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


def test_huge_integers_keep_their_sign(recipes, tmp_path):
    # PyO3's own i64 extraction would raise OverflowError for both; the rules need the sign.
    with pytest.raises(ValueError):
        recipes.fib(-(2**100))
    with pytest.raises(OverflowError):
        recipes.fib(2**100)
    with pytest.raises(ValueError):
        recipes.fib_recursive(Index(-(2**100)))
    with pytest.raises(ValueError):
        recipes.calc_pi(2**100)
    with pytest.raises(ValueError):
        recipes.calc_pi(-(2**100))
    with pytest.raises(ValueError):
        recipes.most_common(tmp_path, -(2**100))
    words = tmp_path / "w.txt"
    words.write_text("a b b")
    assert recipes.most_common(words, 2**100) == [("b", 2), ("a", 1)]  # huge n means all
    with pytest.raises(OverflowError, match=r"coefficients\[1\]"):
        recipes.LinearRecurrence([1, 2**63], [0, 1])
    with pytest.raises(OverflowError, match=r"initial\[0\]"):
        recipes.LinearRecurrence([1], [-(2**63) - 1])
    assert next(recipes.LinearRecurrence([1], [-(2**63)])) == -(2**63)


def test_messages_say_what_was_wrong(recipes):
    with pytest.raises(ValueError, match=r"fib\(\) argument must be >= 0, got -1"):
        recipes.fib(-1)
    with pytest.raises(OverflowError, match=r"must be <= 93 .*got 94"):
        recipes.fib(94)
    with pytest.raises(ValueError, match=r"between 0 and 10000, got 10001"):
        recipes.calc_pi(10001)
    with pytest.raises(ValueError, match="as many initial values as coefficients"):
        recipes.LinearRecurrence([1, 1], [0])
    with pytest.raises(ValueError, match="at least one coefficient"):
        recipes.LinearRecurrence([], [])


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
    assert type(first) is list and type(first[0]) is tuple and type(first[0][0]) is str
    assert first == second and first is not second
    assert type(recipes.fib(5)) is int and type(recipes.calc_pi(3)) is str
