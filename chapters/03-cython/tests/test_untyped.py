"""The untyped variant: plain Python compiled by Cython, the "before" of the chapter."""

import importlib.machinery
from itertools import islice

import recipes_cython
from recipes_cython import untyped


def test_it_is_compiled():
    assert untyped.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def test_it_gives_the_same_answers(tmp_path):
    for n in (0, 1, 2, 50, 93):
        assert untyped.fib(n) == recipes_cython.fib(n)
    assert untyped.fib_recursive(20) == recipes_cython.fib_recursive(20)
    assert list(islice(untyped.LinearRecurrence([1, 1], [2, 1]), 30)) == list(
        islice(recipes_cython.LinearRecurrence([1, 1], [2, 1]), 30)
    )
    assert untyped.calc_pi(300) == recipes_cython.calc_pi(300)
    path = tmp_path / "words.txt"
    path.write_bytes("b a B c A é b\n".encode() * 50)
    assert untyped.most_common(path, 3) == recipes_cython.most_common(path, 3)
