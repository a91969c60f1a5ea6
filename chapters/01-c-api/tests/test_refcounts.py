"""Reference counting: every new reference released once, none released twice.

A missing Py_DECREF leaks (the count only grows); an extra one frees an object that is
still in use (a crash, later, somewhere else). sys.getrefcount() makes both visible.
The tests compare counts before and after, never absolute values: those differ between
Python versions (immortal objects since 3.12, borrowed stack references since 3.14).
"""

import sys

import pytest

import recipes_capi
from recipes_capi import LinearRecurrence, calc_pi, fib, fib_recursive, most_common


class Index:
    """An object with __index__: conversion goes through the slow path (PyNumber_Index)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def assert_refcount_unchanged(obj, call, times=100):
    before = sys.getrefcount(obj)
    for _ in range(times):
        call()
    assert sys.getrefcount(obj) == before


def swallow(exception, call):
    def run():
        with pytest.raises(exception):
            call()

    return run


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
