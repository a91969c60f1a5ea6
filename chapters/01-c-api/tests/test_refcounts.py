"""Reference counting: every new reference released once, none released twice.

A missing Py_DECREF leaks (the count only grows); an extra one frees an object that is
still in use (a crash, later, somewhere else). sys.getrefcount() makes both visible.
The tests compare counts before and after, never absolute values: those differ between
Python versions (immortal objects since 3.12, borrowed stack references since 3.14).
"""

import array
import sys
from fractions import Fraction

import numpy as np
import pytest
from helpers import Index, assert_refcount_unchanged, swallow

import recipes_capi
from recipes_capi import (
    LinearRecurrence,
    calc_pi,
    ewma,
    fib,
    fib_recursive,
    most_common,
)


@pytest.mark.parametrize("function", [fib, fib_recursive])
def test_fib_arguments_are_borrowed(function):
    arg = Index(20)
    assert_refcount_unchanged(arg, lambda: function(arg))
    big = 10**30  # not a cached small int: its count is a real count
    assert_refcount_unchanged(big, swallow(OverflowError, lambda: function(big)))
    negative = -(10**30)
    assert_refcount_unchanged(negative, swallow(ValueError, lambda: function(negative)))
    huge = Index(10**5000)  # its __index__ result is a new int on every call, released by us
    assert_refcount_unchanged(huge, swallow(OverflowError, lambda: function(huge)))
    assert_refcount_unchanged(huge.value, swallow(OverflowError, lambda: function(huge)))
    not_int = 2.5
    assert_refcount_unchanged(not_int, swallow(TypeError, lambda: function(not_int)))


def test_calc_pi_arguments_are_borrowed():
    arg = Index(10)
    assert_refcount_unchanged(arg, lambda: calc_pi(arg))
    big = 10**30
    assert_refcount_unchanged(big, swallow(ValueError, lambda: calc_pi(big)))


def test_results_have_exactly_one_owner():
    # A fresh object held by one local name is the yardstick for "exactly one owner".
    yardstick = int("2880067194370816120")
    result = fib(90)
    assert sys.getrefcount(result) == sys.getrefcount(yardstick)
    text = calc_pi(20)
    assert sys.getrefcount(text) == sys.getrefcount(yardstick)


def test_most_common_result_references(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("alpha beta beta gamma gamma gamma " * 100, encoding="utf-8")
    result = most_common(path, 3)
    yardstick = [object()]
    assert sys.getrefcount(result) == sys.getrefcount(yardstick)
    pair = result[0]
    word, count = pair
    del result  # now `pair` and the names `word` and `count` hold the only references
    yardstick_pair = (object(), object())
    assert sys.getrefcount(pair) == sys.getrefcount(yardstick_pair)
    assert sys.getrefcount(word) == sys.getrefcount(yardstick_pair[0])
    assert pair == ("gamma", 300)
    assert count == 300


def test_most_common_arguments_are_borrowed(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("a b c", encoding="utf-8")
    path_str = str(path)
    assert_refcount_unchanged(path, lambda: most_common(path, 2))
    assert_refcount_unchanged(path_str, lambda: most_common(path_str, 2))
    missing = str(tmp_path / "missing.txt")
    assert_refcount_unchanged(missing, swallow(FileNotFoundError, lambda: most_common(missing, 2)))
    n = Index(1)
    assert_refcount_unchanged(n, lambda: most_common(path_str, n))


def test_iterator_references():
    it = LinearRecurrence([1, 1], [0, 1])
    assert iter(it) is it
    # iter(it) returns a new reference to `it` itself; dropping it must give it back.
    assert_refcount_unchanged(it, lambda: iter(it))
    assert_refcount_unchanged(it, lambda: next(it), times=50)
    exhausted = LinearRecurrence([2], [1])  # 2**0 .. 2**62, then overflow
    for _ in range(63):
        next(exhausted)
    assert_refcount_unchanged(exhausted, swallow(OverflowError, lambda: next(exhausted)))


def test_constructor_does_not_keep_or_leak_its_arguments():
    coefficients, initial = [1, 1], [0, 1]
    assert_refcount_unchanged(coefficients, lambda: LinearRecurrence(coefficients, initial))
    assert_refcount_unchanged(initial, lambda: LinearRecurrence(coefficients, initial))
    element = 10**10  # not a cached small int
    assert_refcount_unchanged(element, lambda: LinearRecurrence([element], [element]))
    as_tuple = (1, 1)  # PySequence_Tuple returns a tuple argument itself, with a new reference
    assert_refcount_unchanged(as_tuple, lambda: LinearRecurrence(as_tuple, as_tuple))
    big = [10**30]
    assert_refcount_unchanged(big, swallow(OverflowError, lambda: LinearRecurrence(big, [1])))
    assert_refcount_unchanged(big[0], swallow(OverflowError, lambda: LinearRecurrence(big, [1])))
    short = [1]
    assert_refcount_unchanged(short, swallow(ValueError, lambda: LinearRecurrence([1, 2], short)))


def test_instances_give_back_their_type_reference():
    # A heap type is referenced by each of its instances; a dealloc that forgets
    # Py_DECREF(type) leaks the type, one that does it twice crashes eventually.
    cls = recipes_capi.LinearRecurrence
    assert_refcount_unchanged(cls, lambda: LinearRecurrence([1], [1]), times=1000)
    assert_refcount_unchanged(cls, swallow(ValueError, lambda: LinearRecurrence([], [])))
    assert_refcount_unchanged(cls, swallow(TypeError, lambda: LinearRecurrence([1.5], [1])))


def test_ewma_arguments_are_borrowed():
    # PyObject_GetBuffer keeps a reference to the exporter in view.obj, PyBuffer_Release
    # drops it: a path that forgets the release leaks the whole input array.
    values = np.random.default_rng(3).standard_normal(100)
    alpha = float("0.25")  # a float of its own, not a cached constant
    assert_refcount_unchanged(values, lambda: ewma(values, alpha))
    assert_refcount_unchanged(alpha, lambda: ewma(values, alpha))
    fraction = Fraction(1, 3)  # converted through __float__
    assert_refcount_unchanged(fraction, lambda: ewma(values, fraction))
    reversed_view = values[::-1]
    assert_refcount_unchanged(reversed_view, lambda: ewma(reversed_view, 0.5))
    doubles = array.array("d", values)
    assert_refcount_unchanged(doubles, lambda: ewma(doubles, 0.5))
    big = 10**400  # OverflowError from the conversion
    for bad_alpha, error in [(2.0, ValueError), ("x", TypeError), (big, OverflowError)]:
        assert_refcount_unchanged(values, swallow(error, lambda a=bad_alpha: ewma(values, a)))
        assert_refcount_unchanged(bad_alpha, swallow(error, lambda a=bad_alpha: ewma(values, a)))
    for bad_values, error in [(np.zeros(3, np.float32), TypeError), (np.zeros((2, 2)), ValueError), ([1.0], TypeError)]:
        assert_refcount_unchanged(bad_values, swallow(error, lambda v=bad_values: ewma(v, 0.5)))


def test_ewma_result_has_exactly_one_owner():
    values = np.arange(10.0)
    result = ewma(values, 0.5)
    yardstick = np.empty(10)
    assert sys.getrefcount(result) == sys.getrefcount(yardstick)
    # ... and it holds no reference to anything: it owns its data, it has no base.
    assert result.base is None
    assert result.flags.owndata
    before = sys.getrefcount(values)
    del result
    assert sys.getrefcount(values) == before
