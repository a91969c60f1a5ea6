"""Reference counting by Drop: every reference the binding takes, it gives back.

rust-cpython's PyObject decrements its reference count when dropped, so a leak needs a
`mem::forget`, and a double free needs `unsafe`. These tests check the counts of objects
that pass through the binding, and that dropped iterators free their Rust state.
"""

import contextlib
import gc
import sys

import pytest

import recipes_rust_cpython as r


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def refcount_change(function, *objects, repeat=2000):
    gc.collect()
    before = [sys.getrefcount(o) for o in objects]
    for _ in range(repeat):
        with contextlib.suppress(ValueError, OverflowError, OSError):
            function()
    gc.collect()
    after = [sys.getrefcount(o) for o in objects]
    return [a - b for a, b in zip(after, before, strict=True)]


def test_integer_arguments_are_released():
    big = 10**30  # not a cached small int
    index = Index(10**25)
    assert refcount_change(lambda: r.fib(big), big) == [0]
    assert refcount_change(lambda: r.calc_pi(big), big) == [0]
    # PyNumber_Index returns a new reference to __index__'s result: released too.
    assert refcount_change(lambda: r.fib(index), index, index.value) == [0, 0]
    n = 12345678901
    assert refcount_change(lambda: r.fib(n % 90), n) == [0]


def test_recurrence_arguments_are_copied_not_kept():
    coefficients = [10**15, -(10**15)]
    initial = (10**14, 3 * 10**14)
    objects = [coefficients, initial, *coefficients, *initial]
    assert refcount_change(
        lambda: r.LinearRecurrence(coefficients, initial), *objects
    ) == [0] * len(objects)


def test_iter_returns_a_new_reference_to_self():
    it = r.LinearRecurrence([1], [1])
    assert refcount_change(lambda: iter(it), it) == [0]
    assert refcount_change(lambda: next(it), it) == [0]


def test_most_common_path_is_released(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("a b a")
    missing = tmp_path / "missing.txt"
    assert refcount_change(lambda: r.most_common(path, 1), path, repeat=300) == [0]
    # The OSError keeps the filename while it is alive; once handled, it is released.
    assert refcount_change(lambda: r.most_common(missing, 1), missing, repeat=300) == [0]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_thousands_of_iterators_do_not_leak():
    # Each instance owns two Vec<i64> of 64 terms (about 1 KiB). 100 000 leaked
    # instances would be over 100 MB; dropping the Python object must drop them.
    coefficients = [1] * 64
    initial = list(range(64))

    def churn():
        for _ in range(100_000):
            it = r.LinearRecurrence(coefficients, initial)
            next(it)

    churn()  # warm up the allocators
    before = rss_bytes()
    churn()
    grown = rss_bytes() - before
    assert grown < 20 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB"
